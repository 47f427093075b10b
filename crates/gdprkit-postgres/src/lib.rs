//! The PostgreSQL store for gdprkit: for a CRM whose application servers share one database.
//!
//! Same behaviour as the embedded SQLite store (both pass the conformance suite in
//! `gdprkit::testkit`), with a pool of connections and each tenant's chain kept linear under
//! concurrent writers by a lock on its head. The schema's migrations are embedded and versioned.
//! See `docs/postgres.md`.

mod schema;
mod store;

pub use schema::{MIGRATIONS, version};
pub use store::PostgresStore;

/// Maps a PostgreSQL error to a storage error saying what gdprkit was doing.
pub(crate) fn db_err(what: &'static str) -> impl Fn(postgres::Error) -> gdprkit::Error {
    move |e| gdprkit::Error::storage(format!("PostgreSQL could not {what}"), e)
}
