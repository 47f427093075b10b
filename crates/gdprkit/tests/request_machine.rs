//! The request machine: its documented table, and random sequences of actions that never leave
//! it.

#![allow(clippy::unwrap_used)]

use gdprkit::request::machine::{RequestAction, RequestState, TRANSITIONS, transitions_markdown};
use proptest::prelude::*;

#[test]
fn the_documentation_prints_the_table_the_code_uses() {
    let doc = include_str!("../../../docs/requests.md");
    assert!(
        doc.contains(&transitions_markdown()),
        "docs/requests.md is out of date; paste:\n{}",
        transitions_markdown()
    );
}

proptest! {
    #[test]
    fn random_actions_never_leave_the_table(actions in prop::collection::vec(prop::sample::select(RequestAction::ALL), 0..60)) {
        let mut state = RequestState::Received;
        for action in actions {
            match state.apply(action) {
                Ok(next) => {
                    prop_assert!(TRANSITIONS.contains(&(state, action, next)), "{state} {action} -> {next}");
                    state = next;
                }
                Err(e) => {
                    prop_assert!(!TRANSITIONS.iter().any(|(f, a, _)| *f == state && *a == action));
                    let message = e.to_string();
                    prop_assert!(message.contains(state.as_str()), "{message}");
                }
            }
        }
    }
}
