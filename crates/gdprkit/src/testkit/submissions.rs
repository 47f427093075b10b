//! Requests submitted on the portal, confirmed by the person's address (R1, R7, R8), through the
//! facade, on every store.

use std::sync::Arc;

use chrono::TimeDelta;

use super::outbox::SwitchableMailer;
use super::{Factory, erase, setup_with, sid};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::machine::RequestState;
use crate::{Controller, Gdpr, Language, NewSubject, NewSubmission, OutboxFilter, Regime};

fn portal_gdpr(factory: Factory<'_>) -> (Gdpr, Arc<crate::FixedClock>, Arc<SwitchableMailer>) {
    let mailer = Arc::new(SwitchableMailer::new());
    let controller =
        Controller { name: "Acme".into(), portal: Some("https://privacy.example.com".into()), ..Controller::default() };
    let (g, clock) = setup_with(factory, |b| b.mailer(mailer.clone()).controller(controller));
    let mut alice = NewSubject::new(sid("alice"), Regime::B2cOptIn);
    alice.email = Some("Alice@Example.fr".into());
    g.add_subject(alice).unwrap();
    (g, clock, mailer)
}

fn submit(g: &Gdpr, email: &str, kind: RequestKind) -> crate::Submitted {
    let new = NewSubmission {
        kind,
        email: email.into(),
        message: "Please erase my data.\r\nThank you".into(),
        language: Language::En,
    };
    g.submit_request(new).unwrap()
}

/// The confirmation code read from the link in the last message accepted.
fn mailed_code(mailer: &SwitchableMailer) -> String {
    let last = mailer.accepted().pop().expect("a message was sent");
    let link = last.body.split_whitespace().find(|w| w.starts_with("https://")).expect("a link");
    link.rsplit('/').next().unwrap().to_owned()
}

/// R1 (Art. 12(2), 12(6)): a request submitted on the portal is received when the person confirms
/// the address; the confirmation goes only to an address a subject has, and the answer is the
/// same for one that none has; confirmed, it opens as any other (R7 receipt, R8 token), once.
pub fn a_submitted_request_opens_when_its_address_is_confirmed(factory: Factory<'_>) {
    let (g, clock, mailer) = portal_gdpr(factory);
    let known = submit(&g, "alice@example.fr", RequestKind::Erasure);
    let unknown = submit(&g, "nobody@example.fr", RequestKind::Erasure);
    assert_eq!(known, unknown, "the answer does not tell a known address from an unknown one");
    assert_eq!(known.expires_at, g.now() + TimeDelta::hours(24));
    let sent = mailer.accepted();
    assert_eq!(sent.len(), 1, "only the known address gets mail: {sent:?}");
    assert_eq!(sent[0].to, "Alice@Example.fr");
    assert!(sent[0].body.contains("https://privacy.example.com/c/"), "{}", sent[0].body);
    assert!(g.subject_requests(&sid("alice")).unwrap().is_empty(), "nothing is received before confirmation");

    let code = mailed_code(&mailer);
    clock.advance(TimeDelta::hours(2));
    let pending = g.pending_submission(&code).unwrap().expect("pending");
    assert_eq!(pending.kind, RequestKind::Erasure);
    let opened = g.confirm_submission(&code).unwrap().expect("confirmed");
    let r = &opened.request;
    assert_eq!(
        (r.subject.as_str(), r.kind, r.via, r.state),
        ("alice", RequestKind::Erasure, ReceivedVia::Web, RequestState::Received)
    );
    assert_eq!(r.received_at, g.now(), "received at the confirmation, not the submission");
    assert_eq!(g.request_message(&r.id).unwrap().as_deref(), Some("Please erase my data.\nThank you"));
    let receipt = mailer.accepted().pop().unwrap();
    assert!(receipt.body.contains(&opened.token), "the receipt carries the tracking token");
    assert_eq!(receipt.subject, "We have received your request", "in the language the person submitted in");
    assert!(receipt.body.contains(&format!("https://privacy.example.com/r/{}", opened.token)), "{}", receipt.body);
    assert!(g.track(&opened.token).unwrap().is_some());

    assert_eq!(g.confirm_submission(&code).unwrap(), None, "a code confirms once");
    assert_eq!(g.pending_submission(&code).unwrap(), None);
    assert_eq!(g.subject_requests(&sid("alice")).unwrap().len(), 1);
    assert_eq!(g.confirm_submission("0123").unwrap(), None, "an unknown code gets the same answer");
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// R1 and Art. 5(1)(c)/(e): a submission not confirmed within 24 hours expires; its content is
/// gone and only its code's hash stays; erasing the subject deletes one still pending.
pub fn an_unconfirmed_submission_expires_and_erasure_removes_a_pending_one(factory: Factory<'_>) {
    let (g, clock, mailer) = portal_gdpr(factory);
    submit(&g, "alice@example.fr", RequestKind::Access);
    let late = mailed_code(&mailer);
    clock.advance(TimeDelta::hours(24));
    assert_eq!(g.pending_submission(&late).unwrap(), None, "expired at 24 hours, before any sweep");
    assert_eq!(g.confirm_submission(&late).unwrap(), None);
    assert_eq!(g.expire_submissions().unwrap(), 1, "its content is dropped");
    assert_eq!(g.expire_submissions().unwrap(), 0);
    assert!(g.subject_requests(&sid("alice")).unwrap().is_empty());

    submit(&g, "ALICE@example.fr", RequestKind::Access);
    let code = mailed_code(&mailer);
    erase(&g, "alice");
    assert_eq!(g.pending_submission(&code).unwrap(), None, "erased with the subject");
    assert_eq!(g.confirm_submission(&code).unwrap(), None);
    assert_eq!(g.expire_submissions().unwrap(), 0, "nothing of it is left to expire");
    let before = mailer.accepted().len();
    submit(&g, "alice@example.fr", RequestKind::Access);
    assert_eq!(mailer.accepted().len(), before, "an erased subject's address is no longer known");
    assert!(g.outbox(OutboxFilter::Pending).unwrap().is_empty());
}

/// Bad input is refused before anything is looked up, known address or not; without a portal
/// address, submissions are a configuration error.
pub fn a_bad_submission_is_refused_alike_and_needs_a_portal(factory: Factory<'_>) {
    let (g, _clock, mailer) = portal_gdpr(factory);
    for email in ["alice@example.fr;x@y.fr", "not an address"] {
        let new = NewSubmission {
            kind: RequestKind::Access,
            email: email.into(),
            message: String::new(),
            language: Language::Fr,
        };
        let err = g.submit_request(new).unwrap_err();
        assert_eq!(err.field(), Some("email"), "{err}");
    }
    let long = NewSubmission {
        kind: RequestKind::Access,
        email: "alice@example.fr".into(),
        message: "x".repeat(crate::MAX_MESSAGE_BYTES + 1),
        language: Language::Fr,
    };
    assert_eq!(g.submit_request(long).unwrap_err().field(), Some("message"));
    assert!(mailer.accepted().is_empty());

    let plain = Gdpr::builder(g.store().clone()).build().unwrap();
    let new = NewSubmission {
        kind: RequestKind::Access,
        email: "alice@example.fr".into(),
        message: String::new(),
        language: Language::Fr,
    };
    let err = plain.submit_request(new).unwrap_err();
    assert_eq!((err.kind(), err.field()), (crate::ErrorKind::Config, Some("controller.portal")), "{err}");
}
