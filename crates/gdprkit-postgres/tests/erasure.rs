//! After an erasure and a `VACUUM`, a `pg_dump` of gdprkit's schema holds none of the person's
//! erased values, and the ledger still verifies.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use gdprkit::anonymize::map::{DataMap, Entity};
use gdprkit::anonymize::operators::{Secrets, Value};
use gdprkit::anonymize::plan::{Plan, SubjectData};
use gdprkit::export::model::Record;
use gdprkit::testkit::{event, sid, t};
use gdprkit::{
    Channel, ConsentAction, FixedClock, Gdpr, LegalBasis, NewSubject, Purpose, PurposeId, Regime, SubjectId,
};

/// A CRM with no rows: this test is about gdprkit's own records.
struct NoCrmRows;

impl SubjectData for NoCrmRows {
    fn rows(&self, _: &Entity, _: &SubjectId) -> gdprkit::Result<Vec<(i64, Vec<Value>)>> {
        Ok(vec![])
    }
    fn apply(&self, _: &Plan) -> gdprkit::Result<()> {
        Ok(())
    }
    fn records(&self, _: &Entity, _: &SubjectId) -> gdprkit::Result<Vec<Record>> {
        Ok(vec![])
    }
}

const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "id"
category = "identity"
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
    let g = Gdpr::new(store.clone()).with_clock(Arc::new(FixedClock::new(t("2025-03-01T00:00:00Z"))));
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

    // The dump of gdprkit's schema.
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
    let erased = ["quentin.7f3a@example.org", "203.0.113.77", "Agent-Quentin-7f3a"];
    let before = dump();
    for value in erased.iter().chain([&subject]) {
        assert!(holds(&before, value), "{value} is in the dump before the erasure: the check can fail");
    }

    let map = DataMap::from_toml(MAP).unwrap();
    g.erase_subject(&sid(subject), &map, &NoCrmRows, Secrets { salt: b"s", hmac_key: None }, false).unwrap();
    store.with_raw_client(|c| c.batch_execute(&format!("VACUUM (FULL) \"{schema}\".gdprkit_ledger"))).unwrap().unwrap();
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
    assert!(after.contains("kept-Louise-91b2"), "what was not erased is still there");
    assert!(g.verify_ledger().unwrap().is_intact());
}
