//! Property tests: random sequences of request steps, on every store, follow the transition
//! table exactly, and the ledger verifies after every sequence.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::TimeDelta;
use gdprkit::MemoryStore;
use gdprkit::raw::Store;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::machine::RequestState;
use gdprkit::request::record::{CopyDelivery, ExtensionGround, RefusalCode};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::{setup, sid, t};
use gdprkit_sqlite::SqliteStore;
use proptest::prelude::*;

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::AwaitSubject {
            kind: gdprkit::WaitKind::Identity,
            reason: "Please confirm your identity.".into(),
            method: Some("a reply from the address on record".into())
        }),
        Just(Step::Resume),
        Just(Step::Accept),
        Just(Step::Start),
        Just(Step::Extend { ground: ExtensionGround::Complexity, reason: "Several systems.".into() }),
        Just(Step::Refuse { code: RefusalCode::Excessive, reason: "Fourth identical request this month.".into() }),
        Just(Step::Complete),
        Just(Step::CompleteHandedOver { by: CopyDelivery::Post, on: "2025-03-03".parse().unwrap() }),
        Just(Step::Withdraw),
    ]
}

fn kind() -> impl Strategy<Value = RequestKind> {
    prop::sample::select(RequestKind::ALL)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn steps_follow_the_table_and_the_ledger_verifies(kind in kind(), steps in prop::collection::vec((step(), 0i64..5), 0..25)) {
        let stores: [Arc<dyn Store>; 2] = [Arc::new(MemoryStore::new()), Arc::new(SqliteStore::open_in_memory().unwrap())];
        for store in stores {
            let (g, clock) = setup(&|| store.clone());
            clock.set(t("2025-03-03T09:00:00Z"));
            // An existing customer: every kind of request is eligible, portability included.
            let opened = g.open_request(NewRequest { purposes: Vec::new(), subject: sid("soft"), kind, via: ReceivedVia::Web, received_at: None }).unwrap();
            let id = opened.request.id;
            let mut state = RequestState::Received;
            let mut extended = false;
            for (step, days) in steps.clone() {
                clock.advance(TimeDelta::days(days));
                let expected = state.apply(step.action());
                match g.act(&id, step.clone(), "Marie") {
                    Ok(r) => {
                        prop_assert_eq!(Ok(r.request.state), expected.map_err(|e| e.to_string()), "{:?}", step);
                        if matches!(step, Step::Extend { .. }) {
                            prop_assert!(!extended, "a second extension went through");
                            extended = true;
                        }
                        state = r.request.state;
                    }
                    Err(e) => {
                        // Refused by the table, or by a rule of its own: extension once and in
                        // time, no refusal of an objection, a copy for access and portability
                        // and for them only (E3).
                        let copy = matches!(kind, RequestKind::Access | RequestKind::Portability);
                        let by_rule = matches!(step, Step::Extend { .. })
                            || (matches!(step, Step::Refuse { .. }) && kind == RequestKind::Objection)
                            || (matches!(step, Step::Complete) && copy)
                            || (matches!(step, Step::CompleteHandedOver { .. }) && !copy);
                        prop_assert!(expected.is_err() || by_rule, "{:?} failed: {}", step, e);
                        prop_assert_eq!(g.request(&id).unwrap().state, state, "a refused step changes nothing");
                    }
                }
            }
            prop_assert!(g.verify_ledger().unwrap().is_intact());
            prop_assert_eq!(g.track(&opened.token).unwrap().unwrap().state, state);
        }
    }
}
