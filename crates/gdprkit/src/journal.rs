//! The erasure journal: an append-only record of every erasure and sweep, kept outside the
//! database it protects, so that erasures done after a backup are done again after a restore.
//!
//! Restoring last night's backup brings back everyone erased since. Each erasure and sweep
//! therefore also appends, once committed, a line to the journal: the tenant, the subject's key
//! (the CRM's own id; nothing else about them), the instant and the data map's SHA-256. After a
//! restore, [`Gdpr::reapply_erasures`] erases again, idempotently, every subject whose journaled
//! erasure the restored ledger does not show, and sweeps again. The journal lives elsewhere than
//! the database (a file on another disk, another system), set in the configuration; gdprkit-setup
//! provides a file journal. See `docs/operations.md`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::anonymize::plan::Plan;
use crate::anonymize::sweep::SweepOptions;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{SubjectId, TenantId};
use crate::raw::bodies::ErasureRecord;
use crate::raw::ledger::EntryKind;

/// What a journal line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalKind {
    /// A subject erased by the data map.
    Erasure,
    /// A retention sweep.
    Sweep,
}

/// One line of the journal: nothing personal but the subject's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// What was done.
    pub kind: JournalKind,
    /// The tenant it was done for.
    pub tenant: TenantId,
    /// The subject erased (none for a sweep).
    #[serde(default)]
    pub subject: Option<SubjectId>,
    /// When: the instant the erasure's ledger entry records.
    pub at: DateTime<Utc>,
    /// The SHA-256 of the data map it was done with.
    pub map_sha256: String,
}

/// Where journal lines go: append-only, outside the database.
pub trait ErasureJournal: Send + Sync {
    /// Appends a line, durably, before returning.
    fn append(&self, entry: &JournalEntry) -> Result<()>;

    /// Every line, oldest first.
    fn entries(&self) -> Result<Vec<JournalEntry>>;
}

/// What [`Gdpr::reapply_erasures`] did, or would do in a dry run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReapplyReport {
    /// Subjects erased again: the ledger did not show their journaled erasure.
    pub erased: Vec<SubjectId>,
    /// Subjects unknown to the restored records (registered after the backup) whose rows in the
    /// CRM's tables were erased by the data map.
    pub crm_only: Vec<SubjectId>,
    /// Journaled erasures the ledger already shows: nothing to do.
    pub already_applied: usize,
    /// Whether a sweep was run again (the journal had one for this tenant).
    pub swept: bool,
    /// Journal lines with a data map other than the one configured now: re-applied with today's.
    pub with_another_map: usize,
    /// Whether anything was changed (false for a dry run).
    pub applied: bool,
}

impl Gdpr {
    /// The SHA-256 of the configured data map, as journal lines record it.
    pub fn map_sha256(&self) -> Result<String> {
        let (_, map) = self.crm_data()?;
        let json = serde_json::to_vec(map).map_err(|e| Error::internal("encode the data map", e))?;
        Ok(crate::raw::ledger::sha256_hex(&json))
    }

    /// Appends a line to the configured journal, if any, after an erasure or sweep committed.
    pub(crate) fn journal(&self, kind: JournalKind, subject: Option<&SubjectId>, at: DateTime<Utc>) -> Result<()> {
        let Some(journal) = &self.parts.journal else { return Ok(()) };
        let entry = JournalEntry {
            kind,
            tenant: self.tenant().clone(),
            subject: subject.cloned(),
            at,
            map_sha256: self.map_sha256()?,
        };
        journal.append(&entry).map_err(|e| {
            Error::storage(
                format!(
                    "the {} is committed, but the erasure journal could not record it; record it again with \
                     `gdprkit erasures reapply` once the journal is writable",
                    if kind == JournalKind::Erasure { "erasure" } else { "sweep" }
                ),
                e,
            )
        })
    }

    /// Erases again every subject of `entries` (this tenant's lines of an erasure journal) whose
    /// erasure the ledger does not show (no erasure entry about them recorded at or after the
    /// journaled instant), and sweeps again when the journal holds a sweep: what a restore from a
    /// backup older than those erasures brought back. Run twice, it changes nothing the second
    /// time. With `dry_run`, only says what it would do.
    pub fn reapply_erasures(&self, entries: &[JournalEntry], dry_run: bool) -> Result<ReapplyReport> {
        let (data, map) = self.crm_data()?;
        let map_sha256 = self.map_sha256()?;
        let mut report = ReapplyReport { applied: !dry_run, ..ReapplyReport::default() };
        // Each subject's latest journaled erasure: the one a restore must be checked against.
        let mut latest: std::collections::BTreeMap<&SubjectId, DateTime<Utc>> = std::collections::BTreeMap::new();
        for entry in entries.iter().filter(|e| &e.tenant == self.tenant()) {
            if entry.map_sha256 != map_sha256 {
                report.with_another_map += 1;
            }
            match (entry.kind, &entry.subject) {
                (JournalKind::Sweep, _) => report.swept = true,
                (JournalKind::Erasure, Some(subject)) => {
                    let at = latest.entry(subject).or_insert(entry.at);
                    *at = (*at).max(entry.at);
                }
                (JournalKind::Erasure, None) => {
                    return Err(Error::invalid("journal", "an erasure line names no subject"));
                }
            }
        }
        for (subject, at) in latest {
            if self.store().subject(self.tenant(), subject)?.is_none() {
                let salt = crate::anonymize::operators::random_salt()?;
                let plan = Plan::build(map, subject, data, self.secrets(&salt))?;
                if plan.rows_touched() > 0 {
                    if !dry_run {
                        data.apply(&plan)?;
                        data.erasure_done(subject)?;
                        data.scrub()?;
                    }
                    report.crm_only.push(subject.clone());
                }
                continue;
            }
            if self.erasure_shown(subject, at)? {
                report.already_applied += 1;
                continue;
            }
            if !dry_run {
                self.erase_subject(subject, false)?;
            }
            report.erased.push(subject.clone());
        }
        if report.swept && !dry_run {
            self.sweep(SweepOptions::default(), &mut |_| Ok(()))?;
        }
        Ok(report)
    }

    /// Whether the ledger holds an erasure entry about `subject` recorded at or after `at`.
    fn erasure_shown(&self, subject: &SubjectId, at: DateTime<Utc>) -> Result<bool> {
        let mut shown = false;
        self.store().subject_entries(self.tenant(), subject, &mut |e| {
            if e.kind == EntryKind::Erasure.as_str() {
                let record: ErasureRecord = serde_json::from_str(e.body)
                    .map_err(|err| Error::Corrupt(format!("ledger entry {} has an unreadable body: {err}", e.seq)))?;
                if crate::time::parse("recorded_at", &record.recorded_at)? >= at {
                    shown = true;
                }
            }
            Ok(())
        })?;
        Ok(shown)
    }
}
