//! Retention sweeps (rule A6): every entity with a retention rule has its expired rows
//! anonymized or deleted, in batches, each batch one transaction. A row is done once its
//! operators no longer change it (or, for `hash` and `pseudonymize`, once a batch recorded it), so
//! that an interrupted sweep resumes where it stopped and a second run changes nothing.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

use super::map::{DataMap, EndAction, Entity, Period};
use super::operators::{Anonymizer, Secrets};
use crate::error::{Error, Result};

/// Rows whose retention ran out, and what a sweep does to them. An adapter applies the end action
/// where the rows are (for SQL, with one statement per batch), using the entity's operators.
pub trait RetentionData {
    /// How many rows of `entity` are past `cutoff` and not yet swept: their retention column is
    /// before `cutoff` (RFC 3339 or `YYYY-MM-DD` text compares in order) and, for an anonymized
    /// entity, the operators would still change them (or, when some operator is not idempotent,
    /// no sweep has recorded them as done).
    fn count_expired(&self, entity: &Entity, then: EndAction, cutoff: &str, fields: &Anonymizer) -> Result<u64>;

    /// In one transaction, applies `then` to the first `limit` rows, by increasing id after
    /// `after` (from the first row when `None`), that `count_expired` counts, and records them as done where the operators need it.
    /// Returns how many rows it changed and the last one's id, or `None` when no row is left.
    fn sweep_batch(
        &self,
        entity: &Entity,
        then: EndAction,
        cutoff: &str,
        after: Option<i64>,
        limit: usize,
        fields: &Anonymizer,
    ) -> Result<Option<BatchDone>>;

    /// Called once a sweep has gone through every entity: the place to make sure no erased value
    /// stays behind (in SQLite, the write-ahead log is checkpointed and truncated).
    fn finish(&self) -> Result<()>;
}

/// What one batch of a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchDone {
    /// How many rows it changed or deleted.
    pub rows: u64,
    /// The greatest id among them: the next batch starts after it.
    pub last: i64,
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
        .ok_or_else(|| Error::invalid("data_map", "a retention period reaches before the calendar's start"))
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
        let fields = Anonymizer::new(entity.fields.iter().map(|(_, op)| op.clone()).collect(), secrets);
        let total = data.count_expired(entity, rule.then, &cutoff, &fields)?;
        if dry_run {
            entities.push((entity.name.clone(), rule.then, total));
            continue;
        }
        let mut done = 0;
        // Rows come by increasing id: each batch starts after the last one, so no row is read
        // twice in a run.
        let mut after = None;
        while let Some(batch) = data.sweep_batch(entity, rule.then, &cutoff, after, batch_size, &fields)? {
            after = Some(batch.last);
            done += batch.rows;
            progress(&SweepProgress { entity: entity.name.clone(), done, total: total.max(done) });
        }
        entities.push((entity.name.clone(), rule.then, done));
    }
    if !dry_run {
        data.finish()?;
    }
    Ok(SweepReport { entities, applied: !dry_run })
}
