//! A process that only reads connects without creating or migrating gdprkit's tables.

#![allow(clippy::unwrap_used)]

mod common;

use gdprkit_postgres::PostgresStore;

#[test]
fn a_reader_never_creates_or_migrates_the_schema() {
    if let Some(reason) = common::skip_reason() {
        eprintln!("skipped: {reason}");
        return;
    }
    let schema = common::fresh_schema();
    let err = PostgresStore::connect_existing(&common::url(), Some(&schema), 1).unwrap_err();
    assert_eq!(err.field(), Some("store"));
    assert!(err.to_string().contains("no gdprkit tables"), "{err}");
    // Still none: the refused reader created nothing.
    let err = PostgresStore::connect_existing(&common::url(), Some(&schema), 1).unwrap_err();
    assert!(err.to_string().contains("no gdprkit tables"), "{err}");
    PostgresStore::connect_in_schema(&common::url(), Some(&schema), 1).unwrap();
    assert!(PostgresStore::connect_existing(&common::url(), Some(&schema), 1).is_ok(), "an up-to-date schema opens");
}
