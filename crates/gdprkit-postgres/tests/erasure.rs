//! After an erasure and a `VACUUM`, a `pg_dump` of the deployment's schema, which holds the CRM's
//! tables and gdprkit's, holds none of the person's erased values, and the ledger still verifies.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use gdprkit::anonymize::map::DataMap;
use gdprkit::testkit::{event, sid, t};
use gdprkit::{Channel, ConsentAction, FixedClock, Gdpr, LegalBasis, NewSubject, Purpose, PurposeId, Regime};
use gdprkit_postgres::PostgresCrmData;

/// The CRM's tables, beside gdprkit's in the test's schema.
const CRM: &str = "
CREATE TABLE contacts (id BIGINT PRIMARY KEY, ref TEXT NOT NULL, name TEXT, email TEXT, notes TEXT);
CREATE TABLE calls (id BIGINT PRIMARY KEY, contact_ref TEXT NOT NULL, summary TEXT);
INSERT INTO contacts VALUES (1, 'erasable-Quentin-7f3a', 'Quentin Vautrin-7f3a', 'quentin.7f3a@example.org',
    'Prefers calls after 18:00 7f3a'), (2, 'kept-Louise-91b2', 'Louise Kept-91b2', 'louise@example.org', NULL);
INSERT INTO calls VALUES (10, 'erasable-Quentin-7f3a', 'Discussed the 7f3a renewal'),
    (11, 'kept-Louise-91b2', 'Louise called 91b2');
";

const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "ref"
category = "identity"
on_erasure = "anonymize"
[entity.fields]
name = "redact"
email = "hash"
notes = "null"

[[entity]]
name = "calls"
table = "calls"
subject_column = "contact_ref"
category = "events"
on_erasure = "delete"
"#;

/// Whether a dump holds `value`, as text or inside a `bytea` (which pg_dump writes in hex).
fn holds(dump: &str, value: &str) -> bool {
    let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
    dump.contains(value) || dump.contains(&hex)
}

#[test]
fn a_dump_after_an_erasure_and_a_vacuum_holds_none_of_the_erased_values() {
    if let Some(reason) = common::skip_reason() {
        eprintln!("a_dump_after_an_erasure_and_a_vacuum_holds_none_of_the_erased_values: skipped: {reason}");
        return;
    }
    let (store, schema) = common::fresh_store(2);
    let store = Arc::new(store);
    let g = Gdpr::builder(store.clone()).clock(Arc::new(FixedClock::new(t("2025-03-01T00:00:00Z")))).build().unwrap();
    g.add_purpose(Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true)).unwrap();
    let subject = "erasable-Quentin-7f3a";
    let mut new = NewSubject::new(sid(subject), Regime::B2cOptIn);
    new.email = Some("quentin.7f3a@example.org".into());
    g.add_subject(new).unwrap();
    let mut opt_in = event(subject, ConsentAction::OptIn, "promo", Channel::Email, "2025-01-01T10:00:00Z");
    opt_in.proof.ip = Some("203.0.113.77".into());
    opt_in.proof.user_agent = Some("Agent-Quentin-7f3a".into());
    g.record_consent(opt_in).unwrap();
    g.add_subject(NewSubject::new(sid("kept-Louise-91b2"), Regime::B2bOptOut)).unwrap();

    store.with_raw_client(|c| c.batch_execute(CRM)).unwrap().unwrap();
    let crm = PostgresCrmData::connect_in_schema(&common::url(), Some(&schema)).unwrap();

    // The dump of the schema holding the CRM's tables and gdprkit's (other tests' schemas share
    // the test database).
    let dump = || {
        let what = format!("--schema={schema}");
        let out = std::process::Command::new("pg_dump")
            .args([what.as_str(), "--data-only", &common::url()])
            .output()
            .expect("pg_dump (postgresql-client) runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The values an erasure removes everywhere. The subject's id, the CRM's own key, goes from
    // every ledger entry but the erasure's, and stays in the registry so that kept denials still
    // apply.
    let erased = [
        "quentin.7f3a@example.org",
        "203.0.113.77",
        "Agent-Quentin-7f3a",
        "Quentin Vautrin-7f3a",
        "Prefers calls after 18:00 7f3a",
        "Discussed the 7f3a renewal",
    ];
    let before = dump();
    for value in erased.iter().chain([&subject]) {
        assert!(holds(&before, value), "{value} is in the dump before the erasure: the check can fail");
    }

    let g = g.to_builder().crm(Arc::new(crm)).data_map(DataMap::from_toml(MAP).unwrap()).build().unwrap();
    g.erase_subject(&sid(subject), false).unwrap();
    for table in ["gdprkit_ledger", "contacts", "calls"] {
        store.with_raw_client(|c| c.batch_execute(&format!("VACUUM (FULL) \"{schema}\".{table}"))).unwrap().unwrap();
    }
    let after = dump();
    for value in erased {
        assert!(!holds(&after, value), "{value} is still in the dump after the erasure");
    }
    // Only the erasure's own entry names the person (by the CRM's key): it is what a restore
    // from a backup must re-apply.
    let naming: i64 = store
        .with_raw_client(|c| {
            c.query_one(
                &format!("SELECT count(*) FROM \"{schema}\".gdprkit_ledger WHERE subject = $1 AND kind <> 'erasure'"),
                &[&subject],
            )
            .unwrap()
            .get(0)
        })
        .unwrap();
    assert_eq!(naming, 0, "no entry but the erasure's names the person");
    for kept in ["kept-Louise-91b2", "louise@example.org", "Louise called 91b2"] {
        assert!(after.contains(kept), "{kept}: what was not erased is still there");
    }
    assert!(g.verify_ledger().unwrap().is_intact());
}
