//! Leaving no erased value behind in the files SQLite keeps beside a database.
//!
//! `secure_delete` zeroes deleted and overwritten content in the database file; in WAL mode,
//! the old page images an erasure wrote over are also in the write-ahead log until it is
//! checkpointed and truncated.

use gdprkit::{Error, Result};
use rusqlite::Connection;

use crate::db_err;

/// In WAL mode, copies the log into the file and truncates it to zero bytes. A checkpoint that
/// another connection's open read keeps from completing (after the busy timeout) is an error:
/// the log would still hold old values.
pub(crate) fn truncate_log(conn: &Connection) -> Result<()> {
    let journal: String =
        conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(db_err("read the journal mode"))?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .map_err(db_err("checkpoint the write-ahead log"))?;
    if busy != 0 {
        return Err(Error::storage_retryable(
            "SQLite could not checkpoint the write-ahead log",
            std::io::Error::other("another connection is still reading the database"),
        ));
    }
    Ok(())
}
