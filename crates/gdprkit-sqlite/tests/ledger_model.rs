//! Property test: the ledger verifies after any sequence of consent events and erasures, on the
//! memory and SQLite stores. (Decisions against the rule table are a property test of the
//! conformance suite, `testkit::decisions_match_the_rule_table_on_random_histories`.)

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use gdprkit::raw::Store;
use gdprkit::testkit::{event, pid, setup, t};
use gdprkit::{Channel, ConsentAction, Gdpr, MemoryStore, NewConsent, Regime};
use gdprkit_sqlite::SqliteStore;
use proptest::prelude::*;

const SUBJECTS: [(&str, Regime); 3] =
    [("b2b", Regime::B2bOptOut), ("b2c", Regime::B2cOptIn), ("soft", Regime::SoftOptIn)];
/// (purpose, is direct marketing), as `setup` registers them.
const PURPOSES: [(&str, bool); 2] = [("promo", true), ("billing", false)];
const CHANNELS: [&str; 3] = ["email", "sms", "post"];

#[derive(Debug, Clone)]
struct Ev {
    subject: usize,
    action: ConsentAction,
    /// `None` only for objections: all direct marketing.
    purpose: Option<usize>,
    /// `None` only for objections: every channel.
    channel: Option<usize>,
    day: i64,
}

fn base() -> DateTime<Utc> {
    t("2025-01-01T00:00:00Z")
}

fn ev() -> impl Strategy<Value = Ev> {
    let action = prop_oneof![
        Just(ConsentAction::OptIn),
        Just(ConsentAction::OptOut),
        Just(ConsentAction::Withdraw),
        Just(ConsentAction::Object),
        Just(ConsentAction::SoftOptInOffered),
        Just(ConsentAction::ReconfirmRequested),
    ];
    (0..3usize, action, 0..3usize, 0..4usize, 0..20i64).prop_map(|(subject, action, p, c, day)| {
        let objection = action == ConsentAction::Object;
        Ev {
            subject,
            action,
            purpose: if objection && p == 2 { None } else { Some(p % 2) },
            channel: if objection && c == 3 { None } else { Some(c % 3) },
            day,
        }
    })
}

fn to_consent(e: &Ev) -> NewConsent {
    let at = gdprkit::time::format(base() + TimeDelta::days(e.day));
    let mut c = event(SUBJECTS[e.subject].0, e.action, "promo", Channel::Email, &at);
    c.purpose = e.purpose.map(|p| pid(PURPOSES[p].0));
    c.channel = e.channel.map(|ch| CHANNELS[ch].parse().unwrap());
    c
}

fn stores() -> Vec<(&'static str, Gdpr)> {
    let memory: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let sqlite: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    [("memory", memory), ("sqlite", sqlite)]
        .into_iter()
        .map(|(name, store)| {
            let (g, clock) = setup(&|| store.clone());
            clock.set(base() + TimeDelta::days(30));
            (name, g)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_ledger_verifies_after_any_sequence_of_appends_and_erasures(
        steps in prop::collection::vec((ev(), prop::bool::weighted(0.1)), 1..40)
    ) {
        for (name, g) in stores() {
            let mut expected = 5u64;
            for (e, erase) in &steps {
                if *erase {
                    gdprkit::testkit::erase(&g, SUBJECTS[e.subject].0);
                    expected += 1;
                } else if g.record_consent(to_consent(e)).is_ok() {
                    expected += 1;
                }
                let v = g.verify_ledger().unwrap();
                prop_assert_eq!(v, gdprkit::Verification::Intact { entries: expected }, "{}", name);
            }
        }
    }
}
