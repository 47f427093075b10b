//! An access or portability request is completed only with its copy delivered (rule E3;
//! Art. 12(3), 15(3), 20(1)): mailed, or recorded as handed over with the date.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::record::{CopyDelivery, Delivered};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::{setup, sid, t};
use gdprkit::{ErrorKind, Gdpr, MemoryStore, RequestId, RequestState};

fn accepted(g: &Gdpr, kind: RequestKind) -> RequestId {
    let id = g
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("soft"),
            kind,
            via: ReceivedVia::Post,
            received_at: None,
        })
        .unwrap()
        .request
        .id;
    g.act(&id, Step::Accept, "Marie").unwrap();
    id
}

#[test]
fn an_access_request_is_not_completed_without_its_copy() {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    for kind in [RequestKind::Access, RequestKind::Portability] {
        let id = accepted(&g, kind);
        let err = g.act(&id, Step::Complete, "Marie").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
        assert!(err.to_string().contains("completed with its copy delivered"), "{err}");
        assert_eq!(g.request(&id).unwrap().state, RequestState::Accepted, "nothing changed");
    }
    let rectification = accepted(&g, RequestKind::Rectification);
    assert_eq!(g.act(&rectification, Step::Complete, "Marie").unwrap().request.delivered, None, "no copy to give");
}

#[test]
fn a_copy_handed_over_is_recorded_with_how_and_when() {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    let id = accepted(&g, RequestKind::Access);
    clock.set(t("2025-03-12T10:00:00Z"));
    let on = "2025-03-11".parse().unwrap();
    let mail = Step::CompleteHandedOver { by: CopyDelivery::Mail, on };
    assert_eq!(g.act(&id, mail, "Marie").unwrap_err().field(), Some("delivered_by"), "mail goes through the outbox");
    let future = Step::CompleteHandedOver { by: CopyDelivery::Post, on: "2025-03-13".parse().unwrap() };
    assert_eq!(g.act(&id, future, "Marie").unwrap_err().field(), Some("on"));
    let before = Step::CompleteHandedOver { by: CopyDelivery::Post, on: "2025-03-04".parse().unwrap() };
    assert_eq!(g.act(&id, before, "Marie").unwrap_err().field(), Some("on"), "not before the request came");
    let done = g.act(&id, Step::CompleteHandedOver { by: CopyDelivery::Post, on }, "Marie").unwrap().request;
    assert_eq!(done.state, RequestState::Completed);
    assert_eq!(done.delivered, Some(Delivered { by: CopyDelivery::Post, on }));

    let erasure = accepted(&g, RequestKind::Erasure);
    let handed = Step::CompleteHandedOver { by: CopyDelivery::InPerson, on };
    assert_eq!(g.act(&erasure, handed, "Marie").unwrap_err().field(), Some("delivered_by"), "an erasure has no copy");
}

/// Art. 12(3): a copy handed over on the due date and recorded the day after is on time; one
/// handed over the day after is late.
#[test]
fn a_copy_handed_over_is_late_by_the_day_it_was_handed_over() {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    let (on_time, late) = (accepted(&g, RequestKind::Access), accepted(&g, RequestKind::Access));
    clock.set(t("2025-04-09T10:00:00Z"));
    for (id, on) in [(&on_time, "2025-04-07"), (&late, "2025-04-08")] {
        let step = Step::CompleteHandedOver { by: CopyDelivery::InPerson, on: on.parse().unwrap() };
        g.act(id, step, "Marie").unwrap();
    }
    assert!(!g.request(&on_time).unwrap().late, "due Monday 7 April (the 5th is a Saturday)");
    assert!(g.request(&late).unwrap().late);
}
