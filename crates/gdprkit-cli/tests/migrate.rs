//! Stores written before the default rule table (SQLite schema 3, PostgreSQL schema 2) open,
//! migrate and verify, and their decisions change only in the cases listed here, each with why
//! the old decision was wrong.
//!
//! `fixtures/before-rule-table/` holds what that release wrote (`make.sh` made it): a SQLite file,
//! a PostgreSQL dump, and the decisions that release gave over a grid of 15 subjects (5 histories
//! × 3 regimes), 3 purposes, 4 channels and 2 instants on both sides of 2026-08-11.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::{Channel, Gdpr, PurposeId, SubjectId, Verification};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/before-rule-table").join(name)
}

/// One row of the old decisions: subject, purpose, channel, instant and whether it was allowed.
struct Old {
    subject: String,
    purpose: String,
    channel: String,
    at: String,
    allowed: bool,
}

fn old_decisions() -> Vec<Old> {
    std::fs::read_to_string(fixture("decisions.tsv"))
        .unwrap()
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Old {
                subject: f[0].into(),
                purpose: f[1].into(),
                channel: f[2].into(),
                at: f[3].into(),
                allowed: f[4] == "allowed",
            }
        })
        .collect()
}

/// Why the decision for this cell must differ from the old one, or `None` when it must not.
/// The fixture's histories: `none` (no event), `offered` (offered the chance to refuse `promo`
/// by e-mail and by phone), `optin` and `optout` (`newsletter` and `promo` by e-mail), `objector`
/// (objected to all direct marketing). `newsletter` is on consent, `promo` on legitimate
/// interests, `invoices` on a contract and not marketing.
fn why_changed(o: &Old) -> Option<&'static str> {
    let (history, regime) = o.subject.split_once('-').unwrap();
    let after_phone_opt_in = o.at.as_str() >= "2026-08-10T22:00:00Z";
    let event_decides = history == "objector" && o.purpose != "invoices"
        || matches!(history, "optin" | "optout") && o.channel == "email" && o.purpose != "invoices";
    if event_decides {
        return None;
    }
    match (o.purpose.as_str(), regime, o.channel.as_str()) {
        // Allowed before, unlawfully.
        ("newsletter", "b2b_opt_out" | "soft_opt_in", _) => {
            Some("a purpose on consent was allowed with no opt-in (Art. 6(1)(a), 7(1))")
        }
        ("promo", "soft_opt_in", "email") if history != "offered" => {
            Some("soft opt-in allowed e-mail with no offer to refuse on record (CPCE L.34-5 al. 2)")
        }
        ("promo", "soft_opt_in", "sms") => {
            Some("soft opt-in allowed text messages with no offer to refuse on record (CPCE L.34-5 al. 2)")
        }
        ("promo", "soft_opt_in", "phone") if after_phone_opt_in && history != "offered" => {
            Some("a consumer was called after 2026-08-11 with no opt-in (C. consom. L.223-1, loi 2025-594)")
        }
        // Denied before, though lawful.
        ("invoices", "b2c_opt_in", _) => Some("invoices on a contract were denied to consumers (Art. 6(1)(b))"),
        ("promo", "b2c_opt_in", "post") => Some("postal marketing was denied to consumers (Art. 6(1)(f), 21(2))"),
        ("promo", "b2c_opt_in", "phone") if !after_phone_opt_in => {
            Some("consumers could be called before 2026-08-11 until they objected (C. consom. L.223-1)")
        }
        _ => None,
    }
}

/// Compares the migrated store's decisions with the old ones, cell by cell.
fn check_decisions(store: Arc<dyn Store>) {
    let g = Gdpr::builder(store).build().unwrap();
    assert!(matches!(g.verify_ledger().unwrap(), Verification::Intact { .. }), "the migrated chain verifies");
    assert!(g.purposes().unwrap().iter().all(|p| p.professional), "purposes read as professional, as the rules say");
    let old = old_decisions();
    assert_eq!(old.len(), 360);
    let mut changed = 0;
    for o in &old {
        let d = g
            .decide(
                &SubjectId::new(o.subject.as_str()).unwrap(),
                &PurposeId::new(o.purpose.as_str()).unwrap(),
                &o.channel.parse::<Channel>().unwrap(),
                Some(gdprkit::time::parse("at", &o.at).unwrap()),
            )
            .unwrap();
        let cell = format!("{} {} {} {}", o.subject, o.purpose, o.channel, o.at);
        match why_changed(o) {
            Some(why) => {
                assert_ne!(d.allowed, o.allowed, "{cell} should change: {why}; {}", d.reason());
                changed += 1;
            }
            None => assert_eq!(d.allowed, o.allowed, "{cell} should not change: {}", d.reason()),
        }
    }
    assert_eq!(changed, 121, "the listed cases");
}

#[test]
fn a_sqlite_file_from_before_the_rule_table_migrates_and_changes_only_unlawful_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gdprkit.sqlite");
    std::fs::copy(fixture("gdprkit.sqlite"), &path).unwrap();
    let store = gdprkit_setup::open_store(path.to_str().unwrap(), None).unwrap();
    check_decisions(store);
}

#[test]
fn a_postgres_schema_from_before_the_rule_table_migrates_and_changes_only_unlawful_decisions() {
    let Ok(url) = std::env::var("GDPRKIT_TEST_POSTGRES_URL") else {
        eprintln!(
            "a_postgres_schema_from_before_the_rule_table_migrates…: skipped: GDPRKIT_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let schema = format!("migrate_{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let dump =
        std::fs::read_to_string(fixture("postgres.sql")).unwrap().replace("__SCHEMA__", &format!("\"{schema}\""));
    let mut client = gdprkit_postgres::Target::parse(&url).unwrap().connect().unwrap();
    client.batch_execute(&format!("CREATE SCHEMA \"{schema}\"")).unwrap();
    client.batch_execute(&dump).unwrap();
    let store = gdprkit_postgres::PostgresStore::connect_in_schema(&url, Some(&schema), 1).unwrap();
    assert_eq!(
        store.with_raw_client(gdprkit_postgres::version).unwrap().unwrap(),
        gdprkit_postgres::MIGRATIONS.len() as i64
    );
    check_decisions(Arc::new(store));
    client.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).unwrap();
}
