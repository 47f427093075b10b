//! The test database: `GDPRKIT_TEST_POSTGRES_URL` names it (`./scripts/test-all.sh` starts
//! PostgreSQL and sets it); without it the PostgreSQL tests say they were skipped. Each store gets
//! a schema of its own, so tests do not see each other's records.

#![allow(dead_code, clippy::unwrap_used)]

use gdprkit_postgres::{PostgresCrmData, PostgresStore};

/// The variable naming the test database.
pub const URL_VAR: &str = "GDPRKIT_TEST_POSTGRES_URL";

/// Why the PostgreSQL tests cannot run here, if they cannot.
pub fn skip_reason() -> Option<&'static str> {
    std::env::var(URL_VAR).is_err().then_some("GDPRKIT_TEST_POSTGRES_URL is not set (./scripts/test-all.sh sets it)")
}

/// The test database's URL.
pub fn url() -> String {
    std::env::var(URL_VAR).unwrap()
}

/// A fresh schema's name.
pub fn fresh_schema() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    format!("t_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A store in a fresh schema of the test database, and the schema's name.
pub fn fresh_store(connections: u32) -> (PostgresStore, String) {
    let schema = fresh_schema();
    (PostgresStore::connect_in_schema(&url(), Some(&schema), connections).unwrap(), schema)
}

/// The CRM adapter on a fresh schema of the test database, and a plain connection to that schema
/// to set up and read the CRM's tables.
pub fn fresh_crm() -> (PostgresCrmData, postgres::Client) {
    let schema = fresh_schema();
    let data = PostgresCrmData::connect_in_schema(&url(), Some(&schema)).unwrap();
    let mut target = gdprkit_postgres::Target::parse(&url()).unwrap();
    target.config_mut().options(&format!("-c search_path={schema}"));
    (data, target.connect().unwrap())
}
