//! The embedded SQLite store for gdprkit: one file, WAL, `secure_delete` on, the schema
//! migrated on open, every append one transaction.
//!
//! ```
//! use std::sync::Arc;
//! use gdprkit::Gdpr;
//! use gdprkit_sqlite::SqliteStore;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("gdprkit.db"))?;
//! let gdpr = Gdpr::builder(Arc::new(store)).build()?;
//! assert!(gdpr.verify_ledger()?.is_intact());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The README's example runs as a test of this crate.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExample;

pub mod crm_data;
mod facts;
mod outbox;
pub mod schema;
mod scrub;
mod store;
mod submissions;
mod suppression;

pub use crm_data::SqliteCrmData;
pub use store::SqliteStore;

/// Maps a SQLite error to gdprkit's, saying what the store was doing.
pub(crate) fn db_err(what: &'static str) -> impl Fn(rusqlite::Error) -> gdprkit::Error {
    move |e| {
        // Another connection holding the database is worth waiting for; nothing else is.
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        let message = format!("SQLite could not {what}");
        if busy { gdprkit::Error::storage_retryable(message, e) } else { gdprkit::Error::storage(message, e) }
    }
}
