//! A person acting on their own request with its tracking token (R8): withdrawing it (R1) and
//! answering the question it waits on (R4), recorded as the subject's steps; a token that
//! matches nothing gets the same answer as `track`, and a step the state refuses changes nothing.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::TimeDelta;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::{setup, sid, t};
use gdprkit::{ErrorKind, FixedClock, Gdpr, MemoryStore, RequestState, SubjectStep, WaitKind};

fn opened(kind: RequestKind) -> (Gdpr, Arc<FixedClock>, String, gdprkit::RequestId) {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    let opened = g
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("b2c"),
            kind,
            via: ReceivedVia::Web,
            received_at: None,
        })
        .unwrap();
    (g, clock, opened.token, opened.request.id)
}

#[test]
fn the_person_withdraws_their_request_with_its_token() {
    // R1: a request can be withdrawn by the subject at any open state.
    let (g, _, token, id) = opened(RequestKind::Erasure);
    let view = g.act_by_token(&token, SubjectStep::Withdraw).unwrap().unwrap();
    assert_eq!(view.state, RequestState::Withdrawn);
    assert!(view.closed_at.is_some());
    assert_eq!(g.request(&id).unwrap().state, RequestState::Withdrawn);
    let again = g.act_by_token(&token, SubjectStep::Withdraw).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidState, "a closed request cannot be withdrawn again");
}

#[test]
fn an_answer_resumes_the_deadline_and_is_kept_as_a_note() {
    // R4: while the request waits on the subject the clock pauses; their answer restarts it.
    let (g, clock, token, id) = opened(RequestKind::Access);
    let step = Step::AwaitSubject { kind: WaitKind::Clarification, reason: "Which account?".into(), method: None };
    g.act(&id, step, "Marie").unwrap();
    clock.advance(TimeDelta::days(10));
    let view =
        g.act_by_token(&token, SubjectStep::Answer { text: "  The one ending\r\nin 42.  ".into() }).unwrap().unwrap();
    assert_eq!(view.state, RequestState::Received);
    assert_eq!(view.due.to_string(), "2025-04-15", "due 2025-04-05 moved by the ten days waited");
    assert_eq!(view.notes.last().unwrap().text, "The one ending in 42.");
    let states: Vec<RequestState> = view.history.iter().map(|c| c.state).collect();
    assert_eq!(states, [RequestState::Received, RequestState::AwaitingSubject, RequestState::Received]);
    assert_eq!(view.history[2].at, t("2025-03-15T10:00:00Z"), "each state with when it was entered");
    let empty = g.act_by_token(&token, SubjectStep::Answer { text: " ".into() }).unwrap_err();
    assert_eq!(empty.field(), Some("text"));
}

#[test]
fn an_answer_to_no_question_is_refused_and_changes_nothing() {
    let (g, _, token, id) = opened(RequestKind::Access);
    let before = g.request(&id).unwrap();
    let e = g.act_by_token(&token, SubjectStep::Answer { text: "Hello".into() }).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(g.request(&id).unwrap(), before);
}

#[test]
fn a_token_that_matches_nothing_gets_the_answer_track_gives() {
    let (g, _, token, id) = opened(RequestKind::Access);
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    for t in [wrong.as_str(), "", &"f".repeat(10_000)] {
        assert_eq!(g.track(t).unwrap(), None);
        assert_eq!(g.act_by_token(t, SubjectStep::Withdraw).unwrap(), None);
    }
    assert_eq!(g.request(&id).unwrap().state, RequestState::Received, "nothing changed");
}
