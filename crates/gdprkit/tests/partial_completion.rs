//! Partial refusal (rule R5, Art. 12(4), 17(3)): a request completed keeping part of the data
//! names what was kept, the code and the period, and its notice states them with the right to
//! complain and to a judicial remedy; an erasure whose data map retains an entity says so by
//! itself.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::anonymize::map::Period;
use gdprkit::mailer::MemoryMailer;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::record::Kept;
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{setup_with, sid, t};
use gdprkit::{ErrorKind, Gdpr, Language, MemoryStore, NewSubject, RefusalCode, Regime, RequestId, RequestState};

fn gdpr() -> (Gdpr, Arc<MemoryMailer>, Arc<MemoryCrm>) {
    let crm = Arc::new(MemoryCrm::new());
    let mail = Arc::new(MemoryMailer::new());
    let map = gdprkit::sample::data_map().unwrap();
    let (g, clock) =
        setup_with(&|| Arc::new(MemoryStore::new()), |b| b.crm(crm.clone()).data_map(map).mailer(mail.clone()));
    clock.set(t("2025-03-05T10:00:00Z"));
    for (id, lang) in [("marie", Language::Fr), ("john", Language::En)] {
        let mut s = NewSubject::new(sid(id), Regime::B2cOptIn);
        s.email = Some(format!("{id}@example.org"));
        s.language = Some(lang);
        g.add_subject(s).unwrap();
        crm.insert("contacts", id, &[("last_name", gdprkit::anonymize::operators::Value::Text("Durand".into()))]);
        crm.insert("invoices", id, &[("amount", gdprkit::anonymize::operators::Value::Real(120.0))]);
    }
    (g, mail, crm)
}

fn accepted(g: &Gdpr, subject: &str, kind: RequestKind) -> RequestId {
    let new = NewRequest { subject: sid(subject), kind, via: ReceivedVia::Email, received_at: None, purposes: vec![] };
    let id = g.open_request(new).unwrap().request.id;
    g.act(&id, Step::Accept, "Marie").unwrap();
    id
}

/// Art. 17(3)(b), 12(4): invoices kept 10 years under a legal obligation, said in English and in
/// French, with both remedies, in the notice the outbox sent.
#[test]
fn an_erasure_that_keeps_invoices_says_what_why_how_long_and_the_remedies() {
    let (g, mail, _) = gdpr();
    for (subject, expected) in [
        (
            "john",
            [
                "We kept:",
                "- invoices: kept for 10 years, because of a legal obligation to keep the data (Art. 17(3)(b) GDPR)",
                "right to lodge a complaint with the supervisory authority: CNIL",
                "right to seek a judicial remedy",
            ],
        ),
        (
            "marie",
            [
                "Nous avons conservé :",
                "- invoices : conservé(e)s 10 ans, en raison de : une obligation légale de conserver les données (art. 17.3.b du RGPD)",
                "droit d'introduire une réclamation auprès de l'autorité de contrôle : CNIL",
                "droit de former un recours juridictionnel",
            ],
        ),
    ] {
        let id = accepted(&g, subject, RequestKind::Erasure);
        let done = g.execute_request(&id, "Marie").unwrap();
        let kept = Kept {
            what: "invoices".into(),
            code: RefusalCode::LegalObligation,
            period: Some(Period { years: 10, months: 0, days: 0 }),
        };
        assert_eq!(done.outcome.request.kept, [kept]);
        assert_eq!(g.request(&id).unwrap().kept.len(), 1, "kept with the request");
        let notice = mail.messages().pop().unwrap();
        assert_eq!(notice.to, format!("{subject}@example.org"), "to the address held before the erasure");
        for line in expected {
            assert!(notice.body.contains(line), "{line:?} in:\n{}", notice.body);
        }
    }
}

/// R5: each part kept names a code that applies to the request's kind, as a refusal would; a
/// wrong one changes nothing.
#[test]
fn parts_kept_by_hand_are_checked_like_refusals() {
    let (g, mail, _) = gdpr();
    let id = accepted(&g, "john", RequestKind::Erasure);
    let keep = |what: &str, code| Step::CompleteKeeping { kept: vec![Kept { what: what.into(), code, period: None }] };
    let err = g.act(&id, keep("contacts.email", RefusalCode::RightsOfOthers), "Marie").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(g.act(&id, keep("", RefusalCode::LegalClaims), "Marie").unwrap_err().field(), Some("kept"));
    assert_eq!(g.act(&id, Step::CompleteKeeping { kept: vec![] }, "Marie").unwrap_err().field(), Some("kept"));
    assert_eq!(g.request(&id).unwrap().state, RequestState::Accepted, "nothing changed");

    let done = g.act(&id, keep("contacts.email", RefusalCode::LegalClaims), "Marie").unwrap();
    assert_eq!(done.request.state, RequestState::Completed);
    let body = mail.messages().pop().unwrap().body;
    assert!(body.contains("- contacts.email: kept because of the establishment, exercise or defence"), "{body}");

    let access = accepted(&g, "john", RequestKind::Access);
    let err = g.act(&access, keep("calls", RefusalCode::RightsOfOthers), "Marie").unwrap_err();
    assert_eq!(err.field(), Some("kept"), "a copy is delivered, not kept: {err}");
}

/// R5: a map whose retained entity gives a reason that cannot refuse an erasure is found before
/// anything is erased: the request and the person's rows are left as they were.
#[test]
fn a_retention_reason_that_cannot_refuse_an_erasure_stops_it_before_anything_is_erased() {
    let crm = Arc::new(MemoryCrm::new());
    let text = gdprkit::sample::DATA_MAP.replace("retain = \"legal-obligation\"", "retain = \"rights-of-others\"");
    let map = gdprkit::anonymize::map::DataMap::from_toml(&text).unwrap();
    let (g, _) = setup_with(&|| Arc::new(MemoryStore::new()), |b| b.crm(crm.clone()).data_map(map));
    crm.insert("contacts", "b2c", &[("last_name", gdprkit::anonymize::operators::Value::Text("Durand".into()))]);
    let id = accepted(&g, "b2c", RequestKind::Erasure);
    let err = g.execute_request(&id, "Marie").unwrap_err();
    assert_eq!(err.field(), Some("code"), "{err}");
    assert_eq!(g.request(&id).unwrap().state, RequestState::Accepted, "not even started");
    assert_eq!(crm.applied(), 0, "no row changed");
}

/// A completion in full says nothing of parts kept or remedies.
#[test]
fn a_full_completion_names_no_remedy() {
    let (g, mail, _) = gdpr();
    let id = accepted(&g, "john", RequestKind::Rectification);
    g.act(&id, Step::Complete, "Marie").unwrap();
    let body = mail.messages().pop().unwrap().body;
    assert!(!body.contains("kept") && !body.contains("complaint"), "{body}");
}
