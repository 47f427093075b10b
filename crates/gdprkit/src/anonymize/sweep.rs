//! Retention sweeps (rule A6): every entity with a retention rule has its expired rows
//! anonymized or deleted, in batches, each batch one transaction that also records its rows as
//! done, so that an interrupted sweep resumes where it stopped and a second run changes nothing.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use super::map::{DataMap, EndAction, Entity, Period};
use super::operators::{Secrets, Value};
use super::plan::RowChange;
use crate::error::{Error, Result};

/// Rows whose retention ran out, and what a sweep does to them.
pub trait RetentionData {
    /// Up to `limit` rows of `entity`, by increasing id after `after`, whose retention column is
    /// before `cutoff` (RFC 3339 or `YYYY-MM-DD` text compares in order) and that no sweep has
    /// done yet: each row's id and the values of the entity's fields, in the map's order.
    fn expired_rows(&self, entity: &Entity, cutoff: &str, after: i64, limit: usize) -> Result<Vec<(i64, Vec<Value>)>>;

    /// How many rows `expired_rows` would return without a limit.
    fn count_expired(&self, entity: &Entity, cutoff: &str) -> Result<u64>;

    /// In one transaction: applies the changes to rows of an anonymized entity and records them
    /// as done, or deletes the rows of a deleted entity.
    fn apply_batch(&self, entity: &Entity, batch: &SweepBatch) -> Result<()>;

    /// Called once a sweep has gone through every entity: the place to make sure no erased value
    /// stays behind (in SQLite, the write-ahead log is checkpointed and truncated).
    fn finish(&self) -> Result<()>;
}

/// One batch of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum SweepBatch {
    /// The changes to make, and every row of the batch to record as done (also those the
    /// operators leave as they are).
    Anonymize {
        /// The changes.
        changes: Vec<RowChange>,
        /// The rows to record as done.
        rows: Vec<i64>,
    },
    /// The rows to delete.
    Delete {
        /// Their ids.
        rows: Vec<i64>,
    },
}

/// Where a sweep stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepProgress {
    /// The entity being swept.
    pub entity: String,
    /// Rows done in this entity so far.
    pub done: u64,
    /// Rows to do in this entity, counted when the sweep reached it.
    pub total: u64,
}

/// What a sweep did (or would do, in a dry run), per entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Per entity with a retention rule: its name, its end action and the rows it applied to.
    pub entities: Vec<(String, EndAction, u64)>,
    /// Whether anything was changed.
    pub applied: bool,
}

/// The instant before which a row's retention has run out at `now`.
pub fn cutoff(now: DateTime<Utc>, keep_for: Period) -> Result<DateTime<Utc>> {
    let months = keep_for.years.checked_mul(12).and_then(|m| m.checked_add(keep_for.months));
    months
        .and_then(|m| now.checked_sub_months(Months::new(m)))
        .and_then(|t| t.checked_sub_days(chrono::Days::new(u64::from(keep_for.days))))
        .ok_or_else(|| Error::invalid("data map", "a retention period reaches before the calendar's start"))
}

/// Sweeps every entity of `map` that has a retention rule, `batch_size` rows per transaction,
/// calling `progress` after each batch. With `dry_run`, only counts.
pub fn sweep(
    map: &DataMap,
    data: &dyn RetentionData,
    secrets: Secrets<'_>,
    now: DateTime<Utc>,
    batch_size: usize,
    dry_run: bool,
    progress: &mut dyn FnMut(&SweepProgress),
) -> Result<SweepReport> {
    if batch_size == 0 {
        return Err(Error::invalid("batch", "must hold at least one row"));
    }
    let mut entities = Vec::new();
    for entity in &map.entities {
        let Some(rule) = &entity.retention else { continue };
        let cutoff = crate::time::format(cutoff(now, rule.keep_for)?);
        let total = data.count_expired(entity, &cutoff)?;
        if dry_run {
            entities.push((entity.name.clone(), rule.then, total));
            continue;
        }
        let mut done = 0;
        // Rows come by increasing id: each batch starts after the last one, so no row is read
        // twice in a run.
        let mut after = i64::MIN;
        loop {
            let rows = data.expired_rows(entity, &cutoff, after, batch_size)?;
            let Some(&(last, _)) = rows.last() else { break };
            after = last;
            let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
            let batch = match rule.then {
                EndAction::Delete => SweepBatch::Delete { rows: ids },
                EndAction::Anonymize => {
                    let mut changes = Vec::new();
                    for (row, values) in rows {
                        changes.extend(RowChange::of(entity, row, values, secrets)?);
                    }
                    SweepBatch::Anonymize { changes, rows: ids }
                }
            };
            let n = match &batch {
                SweepBatch::Anonymize { rows, .. } | SweepBatch::Delete { rows } => rows.len() as u64,
            };
            data.apply_batch(entity, &batch)?;
            done += n;
            progress(&SweepProgress { entity: entity.name.clone(), done, total: total.max(done) });
        }
        entities.push((entity.name.clone(), rule.then, done));
    }
    if !dry_run {
        data.finish()?;
    }
    Ok(SweepReport { entities, applied: !dry_run })
}
