//! Retention sweeps (rule A6): every entity with a retention rule has its expired rows
//! anonymized or deleted, in batches, each batch one transaction. A row is done once its
//! operators no longer change it (or, for `hash` and `pseudonymize`, once a batch recorded it), so
//! that an interrupted sweep resumes where it stopped and a second run changes nothing.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::map::{DataMap, EndAction, Period};
use super::operators::{Anonymizer, Secrets};
use crate::crm::CrmData;
use crate::error::{Error, Result};
use crate::facade::Gdpr;

/// Where a sweep stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepProgress {
    /// The entity being swept.
    pub entity: String,
    /// Rows done in this entity so far.
    pub done: u64,
    /// Rows to do in this entity, counted when the sweep reached it.
    pub total: u64,
}

/// What a sweep did (or would do, in a dry run), per entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepReport {
    /// Every entity with a retention rule, in the map's order.
    pub entities: Vec<SweptEntity>,
    /// Whether anything was changed.
    pub applied: bool,
}

/// What a sweep did to one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweptEntity {
    /// The entity's name in the map.
    pub entity: String,
    /// What its retention rule does at the end.
    pub action: EndAction,
    /// The rows it applied to (in a dry run, would apply to).
    pub rows: u64,
    /// The rows its retention rule cannot date (every event column and the collection column
    /// empty): neither swept nor kept silently, but listed here to be dated or decided on
    /// (rule A6).
    #[serde(default)]
    pub undated: u64,
    /// The ids of the first [`UNDATED_LISTED`] of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undated_rows: Vec<i64>,
    /// For rows anonymized by the map's operators, what is left of them (rule A3): anonymized,
    /// or only pseudonymized, with what made it so in [`SweptEntity::why`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<super::plan::Outcome>,
    /// What keeps the rows pseudonymized, one sentence per field or column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

/// How many undated rows a sweep report lists by id, per entity.
pub const UNDATED_LISTED: usize = 100;

/// How a sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepOptions {
    /// Rows per transaction; at least 1.
    pub batch_size: usize,
    /// Only count the rows whose retention ran out.
    pub dry_run: bool,
}

impl Default for SweepOptions {
    /// Batches of 500 rows, applied.
    fn default() -> Self {
        Self { batch_size: 500, dry_run: false }
    }
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
/// calling `progress` after each batch; an error from `progress` stops the sweep there (the
/// batches committed stay done). With `dry_run`, only counts. [`crate::Gdpr::sweep`] runs
/// it on the configured CRM data and clock.
pub fn sweep(
    map: &DataMap,
    data: &dyn CrmData,
    secrets: Secrets<'_>,
    now: DateTime<Utc>,
    batch_size: usize,
    dry_run: bool,
    progress: &mut dyn FnMut(&SweepProgress) -> Result<()>,
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
        let (undated, undated_rows) = data.undated(entity, UNDATED_LISTED)?;
        let (outcome, why) = match rule.then {
            EndAction::Anonymize => {
                let (outcome, why) = super::verdict::verdict(entity, &data.columns(entity)?);
                (Some(outcome), why)
            }
            EndAction::Delete => (None, Vec::new()),
        };
        let swept = |rows| SweptEntity {
            entity: entity.name.clone(),
            action: rule.then,
            rows,
            undated,
            undated_rows: undated_rows.clone(),
            outcome,
            why: why.clone(),
        };
        if dry_run {
            entities.push(swept(total));
            continue;
        }
        let mut done = 0;
        // Rows come by increasing id: each batch starts after the last one, so no row is read
        // twice in a run.
        let mut after = None;
        loop {
            let batch = match data.sweep_batch(entity, rule.then, &cutoff, after, batch_size, &fields) {
                Ok(Some(batch)) => batch,
                Ok(None) => break,
                Err(e) => return Err(stopped(&entities, &entity.name, done, e)),
            };
            after = Some(batch.last);
            done += batch.rows;
            if let Err(e) = progress(&SweepProgress { entity: entity.name.clone(), done, total: total.max(done) }) {
                return Err(stopped(&entities, &entity.name, done, e));
            }
        }
        entities.push(swept(done));
    }
    if !dry_run {
        data.scrub().map_err(|e| {
            let rows: u64 = entities.iter().map(|e| e.rows).sum();
            Error::storage(
                format!(
                    "the sweep committed {rows} rows, but the CRM database's log still holds their old values and \
                     could not be cleared; run the sweep again to clear it"
                ),
                e,
            )
        })?;
    }
    Ok(SweepReport { entities, applied: !dry_run })
}

/// The error of a sweep that stopped partway: what it had committed, then why it stopped.
fn stopped(finished: &[SweptEntity], entity: &str, done: u64, e: Error) -> Error {
    if done == 0 && finished.iter().all(|f| f.rows == 0) {
        return e;
    }
    let mut committed: Vec<String> = finished.iter().map(|f| format!("{} rows of {}", f.rows, f.entity)).collect();
    committed.push(format!("{done} rows of {entity}"));
    let what =
        format!("the sweep stopped after committing {} (those stay done; run it again to go on)", committed.join(", "));
    match e {
        Error::Storage { retryable, .. } => {
            if retryable {
                Error::storage_retryable(what, e)
            } else {
                Error::storage(what, e)
            }
        }
        Error::InvalidInput { field, reason } => Error::InvalidInput { field, reason: format!("{reason}; {what}") },
        other => other,
    }
}

impl Gdpr {
    /// Applies the end action of every retention rule of the data map to the rows whose retention
    /// ran out at the configured clock's now (rule A6), in batches, calling `progress` after each
    /// (an error it returns stops the sweep there, the batches committed staying done);
    /// with `dry_run`, only counts them. Interrupted, it resumes where it stopped; run twice, it
    /// changes nothing the second time.
    pub fn sweep(
        &self,
        options: SweepOptions,
        progress: &mut dyn FnMut(&SweepProgress) -> Result<()>,
    ) -> Result<SweepReport> {
        let _span = tracing::info_span!("sweep", tenant = %self.tenant(), dry_run = options.dry_run).entered();
        let (crm, map) = self.crm_data()?;
        let salt = super::operators::random_salt()?;
        let now = self.now();
        let tenant = self.tenant();
        let mut logged = |p: &SweepProgress| {
            tracing::debug!(%tenant, entity = %p.entity, done = p.done, total = p.total, "sweep batch");
            progress(p)
        };
        let report = sweep(map, crm, self.secrets(&salt), now, options.batch_size, options.dry_run, &mut logged)?;
        if report.applied {
            self.journal(crate::journal::JournalKind::Sweep, None, now)?;
        }
        for e in &report.entities {
            tracing::info!(%tenant, entity = %e.entity, rows = e.rows, applied = report.applied, "swept");
        }
        Ok(report)
    }
}
