//! PostgreSQL for gdprkit: for a CRM whose application servers share one database.
//!
//! [`PostgresStore`] keeps gdprkit's records with the same behaviour as the embedded SQLite store
//! (both pass the conformance suite in `gdprkit::testkit`), with a pool of connections and each
//! tenant's chain kept linear under concurrent writers by a lock on its head; the schema's
//! migrations are embedded and versioned. [`PostgresCrmData`] reads and changes the CRM's own
//! tables as a data map says. See `docs/postgres.md`.

mod catalog;
pub mod crm_data;
mod facts;
mod group;
mod outbox;
mod pool;
mod schema;
mod store;
mod submissions;
mod suppression;
mod tls;
mod values;

pub use crm_data::PostgresCrmData;
pub use schema::{MIGRATIONS, version};
pub use store::PostgresStore;
pub use tls::{Target, TlsMode};

/// Maps a PostgreSQL error to a storage error saying what gdprkit was doing.
pub(crate) fn db_err(what: &'static str) -> impl Fn(postgres::Error) -> gdprkit::Error {
    move |e| {
        // A lost connection, a serialization failure or a deadlock can pass on a second try; a
        // refused statement will not.
        use postgres::error::SqlState;
        let transient = e.is_closed()
            || e.code().is_none_or(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::ADMIN_SHUTDOWN
                    || *c == SqlState::CANNOT_CONNECT_NOW
            });
        let message = format!("PostgreSQL could not {what}");
        if transient { gdprkit::Error::storage_retryable(message, e) } else { gdprkit::Error::storage(message, e) }
    }
}

/// The server of `url` and how to reach it; with a `schema`, that schema is created if missing
/// and put first on the connections' `search_path`.
pub(crate) fn config(url: &str, schema: Option<&str>) -> gdprkit::Result<Target> {
    use gdprkit::Error;
    let mut target = Target::parse(url)?;
    if let Some(schema) = schema {
        let plain = !schema.is_empty()
            && schema.len() <= 63
            && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !schema.as_bytes()[0].is_ascii_digit();
        if !plain {
            return Err(Error::invalid("schema", "must be lowercase letters, digits and _"));
        }
        let mut client = target.client()?;
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .map_err(db_err("create the schema"))?;
        target.config.options(&format!("-c search_path={schema}"));
    }
    Ok(target)
}
