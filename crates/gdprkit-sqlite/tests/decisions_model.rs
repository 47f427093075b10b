//! Property tests: random sequences of consent events give, on every store, the decisions of a
//! plain reference model written here, and the ledger verifies after every sequence.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use gdprkit::raw::Store;
use gdprkit::testkit::{event, pid, setup, sid, t};
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

/// The reference model: the latest applicable decisive event by (day, order of recording), or
/// the regime's default.
fn model(events: &[Ev], subject: usize, purpose: usize, channel: usize, day: i64) -> bool {
    let dm = PURPOSES[purpose].1;
    let applies = |e: &Ev| {
        let purpose_ok = match e.purpose {
            Some(p) => p == purpose,
            None => dm,
        };
        let channel_ok = e.channel.is_none_or(|c| c == channel);
        e.subject == subject && purpose_ok && channel_ok && e.day <= day
    };
    let decisive = [ConsentAction::OptIn, ConsentAction::OptOut, ConsentAction::Withdraw, ConsentAction::Object];
    let mut latest: Option<(i64, usize, ConsentAction)> = None;
    for (i, e) in events.iter().enumerate() {
        if decisive.contains(&e.action) && applies(e) && latest.is_none_or(|(d, j, _)| (e.day, i) > (d, j)) {
            latest = Some((e.day, i, e.action));
        }
    }
    match latest {
        Some((_, _, action)) => action == ConsentAction::OptIn,
        None => SUBJECTS[subject].1 != Regime::B2cOptIn,
    }
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
    fn decisions_match_the_reference_model(events in prop::collection::vec(ev(), 0..40), split in 0usize..40) {
        for (name, g) in stores() {
            // Some events one by one, the rest as one batch: both paths must agree.
            let split = split.min(events.len());
            for e in &events[..split] {
                g.record_consent(to_consent(e)).unwrap();
            }
            if split < events.len() {
                g.record_consents(events[split..].iter().map(to_consent).collect()).unwrap();
            }
            let all: Vec<_> = SUBJECTS.iter().map(|(s, _)| sid(s)).collect();
            // A list this long takes the SQLite store's campaign path (range scans); a single
            // subject takes its one-statement path. Both must agree with the model.
            let campaign: Vec<_> = all.iter().cycle().take(66).cloned().collect();
            for day in [0, 5, 10, 19, 25] {
                let at = base() + TimeDelta::days(day) + TimeDelta::hours(12);
                for (p, (purpose, _)) in PURPOSES.iter().enumerate() {
                    for (c, channel) in CHANNELS.iter().enumerate() {
                        let channel: Channel = channel.parse().unwrap();
                        let many = g.decide_many(&campaign, &pid(purpose), &channel, Some(at)).unwrap();
                        for (i, d) in many.iter().enumerate() {
                            let s = i % SUBJECTS.len();
                            if i < SUBJECTS.len() {
                                let one = g.decide(&all[s], &pid(purpose), &channel, Some(at)).unwrap();
                                prop_assert_eq!(&one, d, "{}: one-by-one and campaign decisions differ", name);
                            }
                            prop_assert_eq!(
                                d.allowed, model(&events, s, p, c, day),
                                "{}: subject {} purpose {} channel {} day {}: {}", name, SUBJECTS[s].0, purpose, channel, day, d.reason()
                            );
                        }
                    }
                }
            }
            prop_assert!(g.verify_ledger().unwrap().is_intact(), "{}", name);
        }
    }

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
