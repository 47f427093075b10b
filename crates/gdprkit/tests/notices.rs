//! The notices a subject receives (R5, R7), read from the outbox.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::mailer::{Mailer, MemoryMailer, Message};
use gdprkit::raw::Store;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::notice::NoticeKind;
use gdprkit::request::record::{ExtensionGround, RefusalCode};
use gdprkit::request::service::{Delivery, NewRequest, Step};
use gdprkit::testkit::{setup, sid, t};
use gdprkit::{Error, Gdpr, Language, MemoryStore, NewSubject, Regime};

fn gdpr_with_outbox() -> (Gdpr, Arc<MemoryMailer>, Arc<gdprkit::FixedClock>) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, clock) = setup(&|| store.clone());
    let outbox = Arc::new(MemoryMailer::new());
    let g = g.to_builder().mailer(outbox.clone()).build().unwrap();
    for (id, lang) in [("marie", Language::Fr), ("john", Language::En)] {
        let mut s = NewSubject::new(sid(id), Regime::B2cOptIn);
        s.email = Some(format!("{id}@example.org"));
        s.language = Some(lang);
        g.add_subject(s).unwrap();
    }
    clock.set(t("2025-03-05T10:00:00Z"));
    (g, outbox, clock)
}

fn open(g: &Gdpr, subject: &str, kind: RequestKind) -> gdprkit::request::service::OpenedRequest {
    g.open_request(NewRequest {
        purposes: Vec::new(),
        subject: sid(subject),
        kind,
        via: ReceivedVia::Email,
        received_at: None,
    })
    .unwrap()
}

fn last(outbox: &MemoryMailer) -> Message {
    outbox.messages().pop().unwrap()
}

#[test]
fn the_receipt_gives_the_due_date_and_the_token_in_the_subjects_language() {
    let (g, outbox, _) = gdpr_with_outbox();
    let fr = open(&g, "marie", RequestKind::Access);
    let m = last(&outbox);
    assert_eq!(m.to, "marie@example.org");
    assert_eq!(m.subject, "Nous avons bien reçu votre demande");
    assert!(m.body.contains("au plus tard le 7 avril 2025"), "5 April 2025 is a Saturday: {}", m.body);
    assert!(m.body.contains(&fr.token), "the tracking token");
    assert_eq!(fr.notice.delivery, Delivery::Sent { to: "marie@example.org".into() });

    let en = open(&g, "john", RequestKind::Erasure);
    let m = last(&outbox);
    assert!(m.body.contains("erasure of your personal data"), "{}", m.body);
    assert!(m.body.contains("by 7 April 2025 at the latest"), "{}", m.body);
    assert!(m.body.contains(&en.token));
    assert_eq!(outbox.messages().len(), 2);
}

#[test]
fn waiting_extension_refusal_and_completion_each_say_what_the_law_requires() {
    let (g, outbox, _) = gdpr_with_outbox();
    let id = open(&g, "john", RequestKind::Access).request.id;
    g.act(
        &id,
        Step::AwaitSubject {
            kind: gdprkit::WaitKind::Identity,
            reason: "the request came from an address we do not know".into(),
            method: Some("a reply from the address on record".into()),
        },
        "Marie",
    )
    .unwrap();
    let m = last(&outbox);
    assert!(
        m.body.contains("an address we do not know") && m.body.contains("a reply from the address on record"),
        "{}",
        m.body
    );
    assert!(m.body.contains("suspended"), "{}", m.body);
    g.act(&id, Step::Resume, "Marie").unwrap();
    assert_eq!(outbox.messages().len(), 2, "resuming sends nothing");

    let extended = g
        .act(
            &id,
            Step::Extend {
                ground: ExtensionGround::Complexity,
                reason: "your data is spread over three systems".into(),
            },
            "Marie",
        )
        .unwrap();
    let m = last(&outbox);
    assert_eq!(extended.notice.unwrap().kind, NoticeKind::Extension);
    assert!(m.body.contains("your data is spread over three systems"), "{}", m.body);
    assert!(m.body.contains("by 5 June 2025 at the latest"), "the new due date: {}", m.body);

    g.act(&id, Step::Accept, "Marie").unwrap();
    let on = g.receipt_date(g.now());
    g.act(&id, Step::CompleteHandedOver { by: gdprkit::request::record::CopyDelivery::Post, on }, "Marie").unwrap();
    let m = last(&outbox);
    assert_eq!(m.subject, "Your request has been completed");
    assert!(m.body.contains("completed on 5 March 2025"), "{}", m.body);

    let refused = open(&g, "marie", RequestKind::Erasure).request.id;
    g.act(
        &refused,
        Step::Refuse { code: RefusalCode::LegalObligation, reason: "les factures sont conservées dix ans".into() },
        "Marie",
    )
    .unwrap();
    let m = last(&outbox);
    for needed in [
        "les factures sont conservées dix ans",
        "obligation légale",
        "réclamation auprès de l'autorité de contrôle",
        "CNIL",
        "recours juridictionnel",
    ] {
        assert!(m.body.contains(needed), "the refusal must say {needed:?}: {}", m.body);
    }
    let en = open(&g, "john", RequestKind::Portability).request.id;
    g.act(
        &en,
        Step::Refuse {
            code: RefusalCode::NotEligibleForPortability,
            reason: "we hold your data on legitimate interests".into(),
        },
        "Marie",
    )
    .unwrap();
    let m = last(&outbox);
    for needed in
        ["legitimate interests", "Art. 20(1)", "lodge a complaint with the supervisory authority", "judicial remedy"]
    {
        assert!(m.body.contains(needed), "the refusal must say {needed:?}: {}", m.body);
    }
}

#[test]
fn without_an_address_the_notice_comes_back_to_print_and_without_a_mailer_it_is_queued() {
    let (g, outbox, _) = gdpr_with_outbox();
    let opened = open(&g, "b2c", RequestKind::Access);
    assert_eq!(opened.notice.delivery, Delivery::NoAddress);
    assert_eq!(opened.notice.language, Language::Fr, "French when the subject's language is unknown");
    assert!(opened.notice.text.body.contains(&opened.token));
    assert!(outbox.messages().is_empty());

    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (plain, _) = setup(&|| store.clone());
    let mut s = NewSubject::new(sid("paul"), Regime::B2cOptIn);
    s.email = Some("paul@example.org".into());
    plain.add_subject(s).unwrap();
    let opened = plain
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("paul"),
            kind: RequestKind::Access,
            via: ReceivedVia::Post,
            received_at: None,
        })
        .unwrap();
    match &opened.notice.delivery {
        Delivery::Queued { to, reason } => {
            assert_eq!(to, "paul@example.org");
            assert!(reason.contains("no mail server"), "{reason}");
        }
        other => panic!("expected the notice queued, got {other:?}"),
    }
    assert!(opened.notice.outbox_id.is_some());
}

struct Refusing;

impl Mailer for Refusing {
    fn send(&self, _: &Message) -> gdprkit::Result<()> {
        Err(Error::mail("550 mailbox unavailable", false, None))
    }
}

#[test]
fn a_mailer_failure_is_reported_and_the_step_still_recorded() {
    let (g, _, _) = gdpr_with_outbox();
    let g = g.to_builder().mailer(Arc::new(Refusing)).build().unwrap();
    let opened = open(&g, "john", RequestKind::Access);
    match &opened.notice.delivery {
        Delivery::Queued { reason, .. } => assert!(reason.contains("550 mailbox unavailable"), "{reason}"),
        other => panic!("expected the notice kept for a retry, got {other:?}"),
    }
    let kept = g.outbox(gdprkit::OutboxFilter::Pending).unwrap();
    assert_eq!(kept.len(), 1, "the notice is kept, with the server's answer");
    assert!(kept[0].last_error.as_deref().unwrap_or_default().contains("550"), "{kept:?}");
    assert_eq!(g.request(&opened.request.id).unwrap(), opened.request, "the request is open all the same");
}
