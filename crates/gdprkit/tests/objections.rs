//! Objections (rules C5 and R11, Art. 21): to direct marketing, effective on receipt and never
//! refused; to processing on public task or legitimate interests on grounds relating to the
//! person's particular situation, restricted while assessed (Art. 18(1)(d)), then stopped, or
//! kept for compelling legitimate grounds or legal claims.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::decision::DecidedBy;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::{pid, setup, sid, t};
use gdprkit::{
    Channel, ErrorKind, FixedClock, Gdpr, LegalBasis, MemoryStore, Purpose, RefusalCode, RequestId, RequestState,
};

/// A tenant with a purpose on legitimate interests that is not direct marketing (profiling to
/// score leads) and one on a public task.
fn gdpr() -> (Gdpr, Arc<FixedClock>) {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    g.add_purpose(Purpose::new(pid("scoring"), LegalBasis::LegitimateInterests, false)).unwrap();
    g.add_purpose(Purpose::new(pid("census"), LegalBasis::PublicTask, false)).unwrap();
    (g, clock)
}

fn object(g: &Gdpr, subject: &str, purposes: &[&str]) -> gdprkit::Result<RequestId> {
    g.open_request(NewRequest {
        subject: sid(subject),
        kind: RequestKind::Objection,
        via: ReceivedVia::Email,
        received_at: None,
        purposes: purposes.iter().map(|p| pid(p)).collect(),
    })
    .map(|o| o.request.id)
}

fn scoring_allowed(g: &Gdpr, subject: &str) -> bool {
    g.decide(&sid(subject), &pid("scoring"), &Channel::Email, None).unwrap().allowed
}

/// Art. 21(1), 18(1)(d): restricted while open, then denied once the objection is upheld.
#[test]
fn an_upheld_objection_restricts_then_stops_the_processing() {
    let (g, clock) = gdpr();
    assert!(scoring_allowed(&g, "b2c"), "not direct marketing, on legitimate interests: allowed (C4)");
    let id = object(&g, "b2c", &["scoring"]).unwrap();
    let d = g.decide(&sid("b2c"), &pid("scoring"), &Channel::Email, None).unwrap();
    assert!(!d.allowed, "restricted while the objection is assessed");
    assert!(matches!(&d.decided_by, DecidedBy::PendingObjection(p) if p.request == id), "{:?}", d.decided_by);
    assert!(d.reason().contains("Art. 18(1)(d)"), "{}", d.reason());
    assert!(!g.decide_many(&[sid("b2c"), sid("b2b")], &pid("scoring"), &Channel::Email, None).unwrap()[0].allowed);
    assert!(scoring_allowed(&g, "b2b"), "another subject is not restricted");
    assert!(
        g.decide(&sid("b2c"), &pid("census"), &Channel::Email, None).unwrap().allowed,
        "a purpose not objected to is not restricted"
    );

    clock.set(t("2025-03-20T10:00:00Z"));
    g.act(&id, Step::Accept, "Marie").unwrap();
    g.act(&id, Step::Complete, "Marie").unwrap();
    let d = g.decide(&sid("b2c"), &pid("scoring"), &Channel::Sms, None).unwrap();
    assert!(!d.allowed, "denied on every channel after completion");
    assert!(matches!(&d.decided_by, DecidedBy::Event(e) if e.purpose == Some(pid("scoring")) && e.channel.is_none()));
    assert!(
        g.decide(&sid("b2c"), &pid("scoring"), &Channel::Email, Some(t("2025-03-01T00:00:00Z"))).unwrap().allowed,
        "before the objection arrived, the processing was allowed"
    );
}

/// Art. 21(1): the controller may go on with compelling legitimate grounds or for legal claims;
/// refused so, the restriction ends and the processing is allowed again.
#[test]
fn a_refused_objection_lifts_the_restriction() {
    let (g, clock) = gdpr();
    for code in [RefusalCode::CompellingLegitimateGrounds, RefusalCode::LegalClaims] {
        let id = object(&g, "b2c", &["scoring"]).unwrap();
        assert!(!scoring_allowed(&g, "b2c"));
        clock.advance(chrono::Duration::days(1));
        let refusal = Step::Refuse { code, reason: "Fraud prevention on this account outweighs it.".into() };
        assert_eq!(g.act(&id, refusal, "Marie").unwrap().request.state, RequestState::Refused);
        assert!(scoring_allowed(&g, "b2c"), "allowed again after a refusal with {code}");
    }
}

/// R5: the codes that refuse an objection under Art. 21(1), and those that do not.
#[test]
fn only_the_codes_of_article_21_1_and_the_general_ones_refuse_it() {
    let (g, _) = gdpr();
    for &code in RefusalCode::ALL {
        let id = object(&g, "b2c", &["census"]).unwrap();
        let result = g.act(&id, Step::Refuse { code, reason: "Stated.".into() }, "Marie");
        let expected = matches!(
            code,
            RefusalCode::CompellingLegitimateGrounds
                | RefusalCode::LegalClaims
                | RefusalCode::ManifestlyUnfounded
                | RefusalCode::Excessive
                | RefusalCode::Other
        );
        assert_eq!(result.is_ok(), expected, "{code}: {result:?}");
    }
}

/// Art. 21(2)-(3), C5: an objection to direct marketing stops it on receipt and cannot be
/// refused; naming a direct-marketing purpose is an objection to all of it.
#[test]
fn an_objection_to_direct_marketing_takes_effect_on_receipt_and_cannot_be_refused() {
    let (g, _) = gdpr();
    assert!(g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().allowed);
    let id = object(&g, "b2b", &["promo"]).unwrap();
    assert!(!g.decide(&sid("b2b"), &pid("promo"), &Channel::Post, None).unwrap().allowed);
    let err = g
        .act(&id, Step::Refuse { code: RefusalCode::CompellingLegitimateGrounds, reason: "No.".into() }, "Marie")
        .unwrap_err();
    assert!(err.to_string().contains("cannot be refused"), "{err}");
    assert_eq!(g.request(&id).unwrap().objection.unwrap().particular_situation.len(), 0);
}

/// R11: an objection is upheld or refused whole; keeping parts of it is not modelled, and is
/// refused rather than recorded with an `object` event that would stop what was said kept.
#[test]
fn an_objection_cannot_be_completed_keeping_parts() {
    let (g, _) = gdpr();
    let id = object(&g, "b2c", &["scoring"]).unwrap();
    g.act(&id, Step::Accept, "Marie").unwrap();
    let kept = gdprkit::request::record::Kept {
        what: "scoring".into(),
        code: RefusalCode::CompellingLegitimateGrounds,
        period: None,
    };
    let err = g.act(&id, Step::CompleteKeeping { kept: vec![kept] }, "Marie").unwrap_err();
    assert_eq!(err.field(), Some("kept"), "{err}");
    assert_eq!(g.request(&id).unwrap().state, RequestState::Accepted);
}

/// R11: an objection to both refuses only in its Art. 21(1) part; the direct-marketing part
/// took effect on receipt and stands.
#[test]
fn a_mixed_objection_refused_keeps_its_direct_marketing_part() {
    let (g, _) = gdpr();
    let id = object(&g, "b2b", &["promo", "scoring"]).unwrap();
    let refusal = Step::Refuse { code: RefusalCode::LegalClaims, reason: "A claim against you is pending.".into() };
    g.act(&id, refusal, "Marie").unwrap();
    assert!(scoring_allowed(&g, "b2b"));
    assert!(!g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().allowed);
}

/// Art. 21(1) covers processing on Art. 6(1)(e) and (f) only: other bases are refused at opening,
/// and nothing is recorded.
#[test]
fn purposes_on_other_bases_are_refused_at_opening() {
    let (g, _) = gdpr();
    let err = object(&g, "b2c", &["billing"]).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("purposes")));
    assert!(err.to_string().contains("contract"), "{err}");
    assert!(g.requests().unwrap().is_empty(), "nothing opened");
    let err = object(&g, "b2c", &["nope"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = g
        .open_request(NewRequest {
            subject: sid("b2c"),
            kind: RequestKind::Access,
            via: ReceivedVia::Email,
            received_at: None,
            purposes: vec![pid("scoring")],
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("purposes"));
}
