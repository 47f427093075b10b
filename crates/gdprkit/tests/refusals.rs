//! Refusals (rule R5, Art. 12(4)): each code refuses the kinds of request its article covers and
//! no other; `identity_not_verified` only after a wait for identity on a reasonable doubt (R4,
//! Art. 12(6)); a refusal after the due date is recorded and listed as late.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::{setup, sid, t};
use gdprkit::{ErrorKind, FixedClock, Gdpr, MemoryStore, RefusalCode, RequestId, RequestState, WaitKind};

fn gdpr() -> (Gdpr, Arc<FixedClock>) {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    (g, clock)
}

fn open(g: &Gdpr, kind: RequestKind) -> RequestId {
    g.open_request(NewRequest {
        purposes: Vec::new(),
        subject: sid("b2c"),
        kind,
        via: ReceivedVia::Email,
        received_at: None,
    })
    .unwrap()
    .request
    .id
}

fn refuse(g: &Gdpr, id: &RequestId, code: RefusalCode) -> gdprkit::Result<RequestState> {
    g.act(id, Step::Refuse { code, reason: "Stated in the notice.".into() }, "Marie").map(|o| o.request.state)
}

/// The table of R5, written out here from `domain.md`: which kinds each code refuses.
fn allowed(code: RefusalCode, kind: RequestKind) -> bool {
    use RefusalCode as C;
    use RequestKind as K;
    match code {
        // These objections name no purpose: all direct marketing (C5), never refused. Objections
        // under Art. 21(1) are tested in `objections.rs`.
        _ if kind == K::Objection => false,
        C::ManifestlyUnfounded | C::Excessive | C::Other => true,
        C::FreedomOfExpression
        | C::LegalObligation
        | C::PublicInterestHealth
        | C::ArchivingResearch
        | C::LegalClaims => {
            matches!(kind, K::Erasure | K::Anonymization)
        }
        C::RightsOfOthers => matches!(kind, K::Access | K::Portability),
        C::NotEligibleForPortability => kind == K::Portability,
        // Art. 21(1) only: see `objections.rs`.
        C::CompellingLegitimateGrounds => false,
        // Tested on its own below: it needs a wait for identity first.
        C::IdentityNotVerified => true,
    }
}

/// Art. 12(4), 12(5), 15(4), 17(3), 20(1), 21(3): every code against every kind of request.
#[test]
fn every_code_refuses_the_kinds_its_article_covers_and_no_other() {
    let (g, _) = gdpr();
    for &code in RefusalCode::ALL {
        if code == RefusalCode::IdentityNotVerified {
            continue;
        }
        for &kind in RequestKind::ALL {
            let id = open(&g, kind);
            let result = refuse(&g, &id, code);
            if allowed(code, kind) {
                assert_eq!(result.unwrap(), RequestState::Refused, "{code} refuses a {kind} request");
                assert_eq!(g.request(&id).unwrap().refusal, Some(code));
            } else {
                let err = result.unwrap_err();
                assert!(
                    matches!(err.kind(), ErrorKind::InvalidInput | ErrorKind::InvalidState),
                    "{code} {kind}: {err}"
                );
                assert_eq!(g.request(&id).unwrap().state, RequestState::Received, "{code} {kind}: nothing changed");
            }
        }
    }
}

/// Art. 12(2), 12(6): identity is checked only on a reasonable doubt, recorded with the method
/// asked; `identity_not_verified` refuses only a request that waited for it.
#[test]
fn identity_not_verified_needs_a_wait_for_identity_first() {
    let (g, _) = gdpr();
    let id = open(&g, RequestKind::Access);
    let err = refuse(&g, &id, RefusalCode::IdentityNotVerified).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(err.to_string().contains("reasonable doubt"), "{err}");

    let clarify = Step::AwaitSubject { kind: WaitKind::Clarification, reason: "Which account?".into(), method: None };
    g.act(&id, clarify, "Marie").unwrap();
    g.act(&id, Step::Resume, "Marie").unwrap();
    assert!(refuse(&g, &id, RefusalCode::IdentityNotVerified).is_err(), "a clarification is no doubt about identity");

    let no_method = Step::AwaitSubject { kind: WaitKind::Identity, reason: "Unknown address.".into(), method: None };
    assert_eq!(g.act(&id, no_method, "Marie").unwrap_err().field(), Some("method"), "the method is named");
    let doubt = Step::AwaitSubject {
        kind: WaitKind::Identity,
        reason: "The request came from an address we do not know.".into(),
        method: Some("a reply from the address on record".into()),
    };
    let waiting = g.act(&id, doubt, "Marie").unwrap().request;
    assert_eq!(waiting.awaiting_kind, Some(WaitKind::Identity));
    assert!(waiting.awaiting.unwrap().contains("a reply from the address on record"));
    assert_eq!(refuse(&g, &id, RefusalCode::IdentityNotVerified).unwrap(), RequestState::Refused);
}

/// Art. 12(3)-(4): a refusal after the due date is recorded as late and listed; one on time is
/// not.
#[test]
fn a_late_refusal_is_recorded_and_listed() {
    let (g, clock) = gdpr();
    let on_time = open(&g, RequestKind::Erasure);
    let late = open(&g, RequestKind::Erasure);
    clock.set(t("2025-04-07T10:00:00Z"));
    refuse(&g, &on_time, RefusalCode::LegalObligation).unwrap();
    clock.set(t("2025-04-08T10:00:00Z"));
    refuse(&g, &late, RefusalCode::LegalObligation).unwrap();
    assert!(!g.request(&on_time).unwrap().late, "due 2025-04-07 (the 5th is a Saturday), refused that day");
    assert!(g.request(&late).unwrap().late);
    assert_eq!(g.late_requests().unwrap().iter().map(|r| r.id.clone()).collect::<Vec<_>>(), [late]);
}

/// The table `docs/requests.md` prints is the one the code checks.
#[test]
fn the_docs_print_the_refusal_table_the_code_uses() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/requests.md")).unwrap();
    assert!(docs.contains(&RefusalCode::table_markdown()), "docs/requests.md must hold RefusalCode::table_markdown()");
}

/// Art. 12(3), 12(6) (R4): a request refused while it still waits on the subject counts the wait
/// as paused: refused for want of identity a month into the wait, it is not late.
#[test]
fn a_refusal_during_a_wait_counts_the_wait_as_paused() {
    let (g, clock) = gdpr();
    let id = open(&g, RequestKind::Access);
    clock.set(t("2025-03-10T10:00:00Z"));
    let doubt = Step::AwaitSubject {
        kind: WaitKind::Identity,
        reason: "The request came from an address we do not know.".into(),
        method: Some("a reply from the address on record".into()),
    };
    g.act(&id, doubt, "Marie").unwrap();
    clock.set(t("2025-04-10T10:00:00Z"));
    refuse(&g, &id, RefusalCode::IdentityNotVerified).unwrap();
    let r = g.request(&id).unwrap();
    assert_eq!((r.paused_days, r.due.to_string()), (31, "2025-05-06".to_owned()), "5 April + 31 days, a Tuesday");
    assert!(!r.late && r.awaiting.is_none());
}
