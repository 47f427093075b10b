//! When a step after the commit fails, the error says what was committed: never "nothing
//! written" for an erasure that is done; and an erasure a crash cut in two is finished when
//! gdprkit next opens.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::MemoryStore;
use gdprkit::anonymize::operators::{REDACTED, Value};
use gdprkit::raw::Store;
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{setup_with, sid};

/// gdprkit over a memory store and a memory CRM with the sample map, and the CRM's row of `b2c`.
fn with_crm() -> (gdprkit::Gdpr, Arc<MemoryCrm>, i64) {
    let crm = Arc::new(MemoryCrm::new());
    let row = crm.insert(
        "contacts",
        "b2c",
        &[("subject", Value::Text("b2c".into())), ("first_name", Value::Text("Ines".into()))],
    );
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, _) = setup_with(&|| store.clone(), |b| b.crm(crm.clone()).data_map(gdprkit::sample::data_map().unwrap()));
    (g, crm, row)
}

/// How many erasures the ledger records.
fn erasures(g: &gdprkit::Gdpr) -> usize {
    g.changes_since(0, 100).unwrap().changes.into_iter().filter(|c| c.what == gdprkit::ChangeKind::Erasure).count()
}

#[test]
fn an_erasure_whose_log_cannot_be_cleared_says_it_is_committed() {
    // A post-commit failure is a warning on a committed erasure, so that a request being carried
    // out still completes and its notice still goes to the address the person had.
    let (g, crm, row) = with_crm();
    crm.fail_next_scrub();
    let report = g.erase_subject(&sid("b2c"), false).unwrap();
    assert!(report.applied);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let text = &report.warnings[0];
    assert!(text.contains("the erasure of b2c is committed") && text.contains("erase b2c again"), "{text}");
    assert_eq!(crm.value("contacts", row, "first_name"), Some(Value::Text(REDACTED.into())), "the CRM's row is erased");
    assert_eq!(erasures(&g), 1, "and gdprkit's records say so");
    assert!(g.erase_subject(&sid("b2c"), false).unwrap().warnings.is_empty(), "erasing again clears it");
}

/// A4: a crash after the CRM's rows were erased and before gdprkit's own records were leaves the
/// subject half erased; the next opening with the CRM's tables finishes the erasure.
#[test]
fn an_erasure_cut_by_a_crash_after_the_crm_commit_is_finished_on_the_next_opening() {
    use gdprkit::CrmData;
    let (g, crm, row) = with_crm();
    let map = gdprkit::sample::data_map().unwrap();
    // The CRM's part of an erasure, then the crash.
    let plan = gdprkit::Plan::build(
        &map,
        &sid("b2c"),
        crm.as_ref(),
        gdprkit::anonymize::operators::Secrets { salt: b"s", hmac_key: None },
    )
    .unwrap();
    crm.apply(&plan).unwrap();
    assert_eq!(crm.pending_erasures().unwrap(), [sid("b2c")]);
    assert_eq!(erasures(&g), 0, "half erased: the CRM's row, not gdprkit's records");
    assert_eq!(crm.value("contacts", row, "first_name"), Some(Value::Text(REDACTED.into())));

    let reopened = g.to_builder().build().unwrap();
    assert_eq!(erasures(&reopened), 1, "opening finished it");
    assert!(crm.pending_erasures().unwrap().is_empty());
    assert!(reopened.verify_ledger().unwrap().is_intact());
    assert_eq!(g.to_builder().build().map(|g| erasures(&g)).unwrap(), 1, "and only once");
}
