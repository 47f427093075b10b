//! The schema's migrations, embedded and applied in order; the version reached is kept in
//! `gdprkit_schema`. Servers starting at once serialize on an advisory lock, so each migration
//! runs once.

use gdprkit::{Error, Result};
use postgres::GenericClient;

use crate::db_err;

/// Every migration, in order: the schema's version is how many have been applied.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_outbox.sql"),
    include_str!("../migrations/0003_rules.sql"),
    include_str!("../migrations/0004_suppression.sql"),
    include_str!("../migrations/0005_settings.sql"),
    include_str!("../migrations/0006_submissions.sql"),
    include_str!("../migrations/0007_decision_facts.sql"),
];

/// The advisory lock key that migrations hold (the bytes of "gdprkit!").
const MIGRATION_LOCK: i64 = 0x6764_7072_6b69_7421;

/// Brings the schema up to date in one transaction; refuses a database written by a newer
/// gdprkit, changing nothing.
pub fn migrate(client: &mut postgres::Client, migrations: &[&str]) -> Result<()> {
    let _span = tracing::info_span!("migrate", store = "postgres").entered();
    let supported = migrations.len() as i64;
    let mut tx = client.transaction().map_err(db_err("start a migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(db_err("lock the schema"))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS gdprkit_schema (version INTEGER NOT NULL)")
        .map_err(db_err("create the schema table"))?;
    let found: i64 = version(&mut tx)?;
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    for (i, sql) in migrations.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(sql).map_err(db_err("apply a schema migration"))?;
        tx.execute("DELETE FROM gdprkit_schema", &[]).map_err(db_err("record the schema version"))?;
        let v = i as i32 + 1;
        tx.execute("INSERT INTO gdprkit_schema (version) VALUES ($1)", &[&v])
            .map_err(db_err("record the schema version"))?;
    }
    tx.commit().map_err(db_err("commit the schema migration"))?;
    if found < supported {
        tracing::info!(from = found, to = supported, "gdprkit schema migrated");
    }
    Ok(())
}

/// The schema version recorded in the database.
pub fn version(client: &mut impl GenericClient) -> Result<i64> {
    let row = client
        .query_one("SELECT coalesce(max(version), 0)::BIGINT FROM gdprkit_schema", &[])
        .map_err(db_err("read the schema version"))?;
    Ok(row.get(0))
}
