//! Schema migrations, embedded in the binary and applied in order.
//!
//! The version lives in gdprkit's own table rather than SQLite's `user_version`, so that the
//! gdprkit tables can share a file with a CRM's own tables without either touching the other's
//! version.

use gdprkit::{Error, Result};
use rusqlite::{Connection, OptionalExtension};

use crate::db_err;

/// The migrations, in order: migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_requests.sql"),
    include_str!("../migrations/0003_outbox.sql"),
    include_str!("../migrations/0004_rules.sql"),
    include_str!("../migrations/0005_suppression.sql"),
    include_str!("../migrations/0006_settings.sql"),
    include_str!("../migrations/0007_submissions.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to `migrations.len()`, each step in its own transaction. A database
/// written by a newer gdprkit is refused, unchanged.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let _span = tracing::info_span!("migrate", store = "sqlite").entered();
    let supported = migrations.len() as i64;
    let tx =
        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_err("start migration"))?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS gdprkit_schema (version INTEGER NOT NULL)")
        .map_err(db_err("create the schema table"))?;
    let found: Option<i64> = tx
        .query_row("SELECT max(version) FROM gdprkit_schema", [], |r| r.get(0))
        .optional()
        .map_err(db_err("read the schema version"))?
        .flatten();
    let found = found.unwrap_or(0);
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    for (i, sql) in migrations.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql).map_err(db_err("apply a schema migration"))?;
        tx.execute("DELETE FROM gdprkit_schema", []).map_err(db_err("record the schema version"))?;
        tx.execute("INSERT INTO gdprkit_schema (version) VALUES (?1)", [i as i64 + 1])
            .map_err(db_err("record the schema version"))?;
    }
    tx.commit().map_err(db_err("commit the schema migration"))?;
    if found < supported {
        tracing::info!(from = found, to = supported, "gdprkit schema migrated");
    }
    Ok(())
}

/// The schema version recorded in the database.
pub fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT coalesce(max(version), 0) FROM gdprkit_schema", [], |r| r.get(0))
        .map_err(db_err("read the schema version"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_database_is_migrated_step_by_step() {
        let mut conn = Connection::open_in_memory().unwrap();
        let v1 = "CREATE TABLE t (a INTEGER);";
        let v2 = "ALTER TABLE t ADD COLUMN b TEXT;";
        migrate(&mut conn, &[v1]).unwrap();
        conn.execute("INSERT INTO t (a) VALUES (1)", []).unwrap();
        assert_eq!(version(&conn).unwrap(), 1);
        migrate(&mut conn, &[v1, v2]).unwrap();
        assert_eq!(version(&conn).unwrap(), 2);
        let (a, b): (i64, Option<String>) =
            conn.query_row("SELECT a, b FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((a, b), (1, None), "rows written before the migration are kept");
        migrate(&mut conn, &[v1, v2]).unwrap();
        assert_eq!(version(&conn).unwrap(), 2, "migrating again changes nothing");
    }

    #[test]
    fn a_newer_database_is_refused_unchanged() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        conn.execute("UPDATE gdprkit_schema SET version = 99", []).unwrap();
        let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
        assert!(matches!(err, Error::SchemaTooNew { found: 99, supported: SCHEMA_VERSION }));
        assert!(err.to_string().contains("upgrade gdprkit"), "{err}");
        assert_eq!(version(&conn).unwrap(), 99);
    }

    #[test]
    fn a_version_1_file_is_migrated_to_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn, &MIGRATIONS[..1]).unwrap();
            conn.execute("INSERT INTO gdprkit_tenants (tenant, seq, hash) VALUES ('t', 0, x'00')", []).unwrap();
        }
        let store = crate::SqliteStore::open(&path).unwrap();
        store.with_raw_connection(|c| {
            assert_eq!(version(c).unwrap(), SCHEMA_VERSION);
            let n: i64 = c.query_row("SELECT count(*) FROM gdprkit_requests", [], |r| r.get(0)).unwrap();
            assert_eq!(n, 0, "the requests table now exists");
            let kept: i64 = c.query_row("SELECT count(*) FROM gdprkit_tenants", [], |r| r.get(0)).unwrap();
            assert_eq!(kept, 1, "rows written at version 1 are kept");
        });
    }
}
