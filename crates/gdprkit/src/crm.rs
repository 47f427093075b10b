//! The seam to the CRM's own tables: one trait, [`CrmData`], that reads a subject's rows,
//! applies an erasure plan, sweeps expired rows and checks a data map against the live schema.
//! `gdprkit-sqlite` and `gdprkit-postgres` implement it for SQL databases, driven by the data map,
//! and pass one conformance suite (`testkit::crm`); a CRM whose data lives elsewhere implements it
//! itself.

use crate::anonymize::map::{DataMap, EndAction, Entity};
use crate::anonymize::operators::{Anonymizer, Value};
use crate::anonymize::plan::Plan;
use crate::error::Result;
use crate::export::model::Record;
use crate::ids::SubjectId;

/// The CRM's own tables, as a data map describes them. Identifiers come only from a map that
/// [`CrmData::check`] accepted; values are bound as parameters, never written into SQL.
pub trait CrmData: Send + Sync {
    /// Checks the map against the live schema: every table and column it names exists, and
    /// each column's type fits its operator. Fails with an `invalid_input` error on `data_map`
    /// that names the first entity and field at fault.
    fn check(&self, map: &DataMap) -> Result<()>;

    /// The subject's rows in `entity`: each row's id and the values of the entity's fields, in
    /// the map's order.
    fn rows(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<(i64, Vec<Value>)>>;

    /// Applies a plan in one transaction: every change, or none; and, in the same transaction,
    /// records that the subject's erasure is under way, until [`CrmData::erasure_done`]. An
    /// erasure interrupted after this commit (a crash before gdprkit's own records are erased)
    /// is then found by [`CrmData::pending_erasures`] and finished the next time gdprkit opens.
    fn apply(&self, plan: &Plan) -> Result<()>;

    /// The subjects whose erasure [`CrmData::apply`] recorded as under way and that
    /// [`CrmData::erasure_done`] has not cleared.
    fn pending_erasures(&self) -> Result<Vec<SubjectId>>;

    /// Clears the record that the subject's erasure is under way: gdprkit's own records are
    /// erased too.
    fn erasure_done(&self, subject: &SubjectId) -> Result<()>;

    /// The subject's rows in `entity` with every column of the table, not only the mapped
    /// fields, in the table's column order: what an export shows the person (rule E1).
    fn records(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<Record>>;

    /// The columns of the entity's table, in the table's order, but for the key that names its
    /// rows (SQLite's `INTEGER PRIMARY KEY`, PostgreSQL's one-column integer primary key): what
    /// the anonymization verdict checks the map names (rule A3).
    fn columns(&self, entity: &Entity) -> Result<Vec<String>>;

    /// The rows of `entity` its retention rule cannot date (rule A6): every event column and the
    /// collection column empty. Returns how many, and the ids of the first `limit`. A sweep lists
    /// them and never skips them silently. `(0, [])` for an entity with no retention rule.
    fn undated(&self, entity: &Entity, limit: usize) -> Result<(u64, Vec<i64>)>;

    /// How many rows of `entity` are past `cutoff` and not yet swept: the instant their retention
    /// runs from (the latest of its event columns, else the collection column) is before `cutoff` (RFC 3339 or `YYYY-MM-DD` text compares in order) and, for an anonymized
    /// entity, the operators would still change them (or, when some operator is not idempotent,
    /// no sweep has recorded them as done).
    fn count_expired(&self, entity: &Entity, then: EndAction, cutoff: &str, fields: &Anonymizer) -> Result<u64>;

    /// In one transaction, applies `then` to the first `limit` rows, by increasing id after
    /// `after` (from the first row when `None`), that [`CrmData::count_expired`] counts, and
    /// records them as done where the operators need it. Returns how many rows it changed and the
    /// last one's id, or `None` when no row is left.
    fn sweep_batch(
        &self,
        entity: &Entity,
        then: EndAction,
        cutoff: &str,
        after: Option<i64>,
        limit: usize,
        fields: &Anonymizer,
    ) -> Result<Option<BatchDone>>;

    /// Called once an erasure or a sweep has committed: the place to make sure no erased value
    /// stays behind in files the database keeps beside its tables (in SQLite, the write-ahead
    /// log is checkpointed and truncated).
    fn scrub(&self) -> Result<()>;
}

/// What one batch of a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchDone {
    /// How many rows it changed or deleted.
    pub rows: u64,
    /// The greatest id among them: the next batch starts after it.
    pub last: i64,
}
