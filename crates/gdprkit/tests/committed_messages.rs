//! When a step after the commit fails, the error says what was committed: never "nothing
//! written" for an erasure that is done.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::anonymize::operators::{REDACTED, Value};
use gdprkit::raw::Store;
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{setup_with, sid};
use gdprkit::{ErrorKind, MemoryStore};

#[test]
fn an_erasure_whose_log_cannot_be_cleared_says_it_is_committed() {
    let crm = Arc::new(MemoryCrm::new());
    let row = crm.insert(
        "contacts",
        "b2c",
        &[("subject", Value::Text("b2c".into())), ("first_name", Value::Text("Ines".into()))],
    );
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, _) = setup_with(&|| store.clone(), |b| b.crm(crm.clone()).data_map(gdprkit::sample::data_map().unwrap()));
    crm.fail_next_scrub();
    let err = g.erase_subject(&sid("b2c"), false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    let text = err.to_string();
    assert!(text.contains("the erasure of b2c is committed") && text.contains("erase b2c again"), "{text}");
    assert_eq!(crm.value("contacts", row, "first_name"), Some(Value::Text(REDACTED.into())), "the CRM's row is erased");
    let erasures =
        g.changes_since(0, 100).unwrap().changes.into_iter().filter(|c| c.what == gdprkit::ChangeKind::Erasure).count();
    assert_eq!(erasures, 1, "and gdprkit's records say so");
    assert!(g.erase_subject(&sid("b2c"), false).is_ok(), "erasing again clears it");
}
