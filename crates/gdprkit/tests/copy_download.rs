//! The copy of an access or portability request downloaded by the person (rule E3; Art. 12(3),
//! 15(3), 20(1)): offered for a limited time, and the first download is the delivery that
//! completes the request.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::export::model::Export;
use gdprkit::request::record::{CopyDelivery, Delivered};
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{event, pid, setup_with, sid, t};
use gdprkit::{
    Channel, ConsentAction, CopyFormat, ErrorKind, Gdpr, LegalBasis, MemoryStore, NewRequest, NewSubject, NoticeKind,
    Purpose, ReceivedVia, Regime, Renderer, RequestKind, RequestState, Step,
};

struct FakePdf;

impl Renderer for FakePdf {
    fn render_pdf(&self, export: &Export) -> gdprkit::Result<Vec<u8>> {
        Ok(format!("%PDF for {}", export.subject.id).into_bytes())
    }
}

fn gdpr(days: Option<u32>) -> (Gdpr, Arc<gdprkit::FixedClock>) {
    let map = gdprkit::sample::data_map().unwrap();
    let (g, clock) = setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        let b = b.crm(Arc::new(MemoryCrm::new())).data_map(map).renderer(Arc::new(FakePdf));
        match days {
            Some(d) => b.download_days(d),
            None => b,
        }
    });
    for purpose in ["newsletter", "events", "lead-scoring", "product-news"] {
        g.add_purpose(Purpose::new(pid(purpose), LegalBasis::Consent, true)).unwrap();
    }
    let mut jeanne = NewSubject::new(sid("jeanne"), Regime::B2cOptIn);
    jeanne.email = Some("jeanne@example.org".into());
    g.add_subject(jeanne).unwrap();
    // An opt-in makes her data eligible for portability (Art. 20(1)(a)).
    g.record_consent(event("jeanne", ConsentAction::OptIn, "newsletter", Channel::Email, "2024-12-01T09:00:00Z"))
        .unwrap();
    clock.set(t("2025-03-05T10:00:00Z"));
    (g, clock)
}

/// An access request in progress, and its tracking token.
fn in_progress(g: &Gdpr, kind: RequestKind) -> (gdprkit::RequestId, String) {
    let new =
        NewRequest { subject: sid("jeanne"), kind, via: ReceivedVia::Web, received_at: None, purposes: Vec::new() };
    let opened = g.open_request(new).unwrap();
    g.act(&opened.request.id, Step::Accept, "Marie").unwrap();
    g.act(&opened.request.id, Step::Start, "Marie").unwrap();
    (opened.request.id, opened.token)
}

/// E3: the copy offered is downloaded in both formats for 7 days; the first download completes
/// the request as delivered by download that day; after the 7 days, nothing is served.
#[test]
fn the_first_download_of_an_offered_copy_completes_the_request() {
    let (g, clock) = gdpr(None);
    let (id, token) = in_progress(&g, RequestKind::Access);
    assert_eq!(g.download_copy(&token, CopyFormat::Pdf).unwrap(), None, "nothing offered yet");
    let offered = g.offer_download(&id, "Marie").unwrap();
    assert_eq!(offered.request.state, RequestState::InProgress, "not delivered yet");
    assert_eq!(offered.request.download_until, Some(t("2025-03-12T10:00:00Z")), "7 days by default");
    let notice = offered.notice.unwrap();
    assert_eq!(notice.kind, NoticeKind::CopyReady);
    assert!(notice.text.body.contains("12 mars 2025"), "the last day is told: {}", notice.text.body);
    assert_eq!(g.track(&token).unwrap().unwrap().download_until, Some(t("2025-03-12T10:00:00Z")));

    clock.set(t("2025-03-07T08:00:00Z"));
    let pdf = g.download_copy(&token, CopyFormat::Pdf).unwrap().unwrap();
    assert_eq!(pdf.bytes, b"%PDF for jeanne");
    assert_eq!((pdf.filename.as_str(), pdf.content_type.as_str()), ("personal-data-2025-03-07.pdf", "application/pdf"));
    assert!(pdf.completed);
    let done = g.request(&id).unwrap();
    assert_eq!(done.state, RequestState::Completed);
    assert_eq!(done.delivered, Some(Delivered { by: CopyDelivery::Download, on: "2025-03-07".parse().unwrap() }));

    let json = g.download_copy(&token, CopyFormat::Json).unwrap().unwrap();
    assert!(!json.completed, "downloaded again, completed once");
    let parsed: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
    assert_eq!(parsed["subject"]["id"], "jeanne");

    clock.set(t("2025-03-12T10:00:00Z"));
    assert_eq!(g.download_copy(&token, CopyFormat::Pdf).unwrap(), None, "the 7 days are over");
    assert_eq!(g.track(&token).unwrap().unwrap().download_until, None, "and the page no longer offers it");
    assert_eq!(g.download_copy("wrong", CopyFormat::Pdf).unwrap(), None);
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// E3: only a copy of an access or portability request in progress is offered; the days are the
/// integrator's, within 1 to 90.
#[test]
fn only_a_copy_in_progress_is_offered_for_the_days_set() {
    let (g, _) = gdpr(Some(3));
    let (id, _) = in_progress(&g, RequestKind::Portability);
    assert_eq!(g.offer_download(&id, "Marie").unwrap().request.download_until, Some(t("2025-03-08T10:00:00Z")));
    let (erasure, _) = in_progress(&g, RequestKind::Erasure);
    assert_eq!(g.offer_download(&erasure, "Marie").unwrap_err().kind(), ErrorKind::InvalidState);
    let new = NewRequest {
        subject: sid("jeanne"),
        kind: RequestKind::Access,
        via: ReceivedVia::Web,
        received_at: None,
        purposes: Vec::new(),
    };
    let received = g.open_request(new).unwrap().request.id;
    let err = g.offer_download(&received, "Marie").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
    assert!(err.to_string().contains("in progress"), "{err}");

    // A request refused after its copy was offered hands nothing over, and no longer offers it.
    let (refused, token) = in_progress(&g, RequestKind::Access);
    g.offer_download(&refused, "Marie").unwrap();
    // Art. 15(4): the copy would reveal another person's data.
    let refuse = Step::Refuse { code: gdprkit::RefusalCode::RightsOfOthers, reason: "It names others.".into() };
    g.act(&refused, refuse, "Marie").unwrap();
    assert_eq!(g.download_copy(&token, CopyFormat::Pdf).unwrap(), None, "refused: nothing handed over");
    assert_eq!(g.track(&token).unwrap().unwrap().download_until, None);
    let (withdrawn, token) = in_progress(&g, RequestKind::Access);
    g.offer_download(&withdrawn, "Marie").unwrap();
    g.act(&withdrawn, Step::Withdraw, "subject").unwrap();
    assert_eq!(g.download_copy(&token, CopyFormat::Json).unwrap(), None, "withdrawn: nothing handed over");
    assert_eq!(g.track(&token).unwrap().unwrap().download_until, None);

    for days in [0, 91] {
        let err = Gdpr::builder(Arc::new(MemoryStore::new())).download_days(days).build().err().unwrap();
        assert_eq!(err.field(), Some("download_days"), "{err}");
    }
}
