//! PostgreSQL for gdprkit: for a CRM whose application servers share one database.
//!
//! [`PostgresStore`] keeps gdprkit's records with the same behaviour as the embedded SQLite store
//! (both pass the conformance suite in `gdprkit::testkit`), with a pool of connections and each
//! tenant's chain kept linear under concurrent writers by a lock on its head; the schema's
//! migrations are embedded and versioned. [`PostgresSubjectData`] reads and changes the CRM's own
//! tables as a data map says. See `docs/postgres.md`.

mod catalog;
mod group;
mod pool;
mod schema;
mod store;
pub mod subject_data;
mod values;

pub use schema::{MIGRATIONS, version};
pub use store::PostgresStore;
pub use subject_data::PostgresSubjectData;

/// Maps a PostgreSQL error to a storage error saying what gdprkit was doing.
pub(crate) fn db_err(what: &'static str) -> impl Fn(postgres::Error) -> gdprkit::Error {
    move |e| gdprkit::Error::storage(format!("PostgreSQL could not {what}"), e)
}

/// The connection settings of `url`; with a `schema`, that schema is created if missing and put
/// first on the connections' `search_path`.
pub(crate) fn config(url: &str, schema: Option<&str>) -> gdprkit::Result<postgres::Config> {
    use gdprkit::Error;
    let mut config: postgres::Config = url.parse().map_err(|e| Error::invalid("PostgreSQL URL", format!("{e}")))?;
    if let Some(schema) = schema {
        let plain = !schema.is_empty()
            && schema.len() <= 63
            && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !schema.as_bytes()[0].is_ascii_digit();
        if !plain {
            return Err(Error::invalid("PostgreSQL schema", "must be lowercase letters, digits and _"));
        }
        let mut client = config.connect(postgres::NoTls).map_err(db_err("connect"))?;
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .map_err(db_err("create the schema"))?;
        config.options(&format!("-c search_path={schema}"));
    }
    Ok(config)
}
