//! A CRM whose tables are kept in memory, for tests of what stands on [`CrmData`]: rows added by
//! entity and subject, erasure plans applied to them, and a failure that can be asked for. It
//! has no retention columns: sweeps find nothing to do.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::anonymize::map::{DataMap, EndAction, Entity};
use crate::anonymize::operators::{Anonymizer, Value};
use crate::anonymize::plan::{EntityAction, Plan};
use crate::crm::{BatchDone, CrmData};
use crate::error::{Error, Result};
use crate::export::model::Record;
use crate::ids::SubjectId;

/// One row: its id, the subject it belongs to, and its columns.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    subject: String,
    record: Record,
}

/// The CRM's tables in memory, by entity name.
#[derive(Debug, Default)]
pub struct MemoryCrm {
    tables: Mutex<HashMap<String, Vec<Row>>>,
    fail_next_apply: AtomicBool,
    fail_next_scrub: AtomicBool,
    applied: AtomicUsize,
    pending: Mutex<std::collections::BTreeSet<SubjectId>>,
}

impl MemoryCrm {
    /// No rows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row of `subject` to `entity`, with its columns; returns the row's id.
    pub fn insert(&self, entity: &str, subject: &str, columns: &[(&str, Value)]) -> i64 {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let rows = tables.entry(entity.to_owned()).or_default();
        let id = rows.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        let record = Record(columns.iter().map(|(c, v)| ((*c).to_owned(), v.clone())).collect());
        rows.push(Row { id, subject: subject.to_owned(), record });
        id
    }

    /// Makes the next [`CrmData::apply`] fail, as a database that went away would.
    pub fn fail_next_apply(&self) {
        self.fail_next_apply.store(true, Ordering::SeqCst);
    }

    /// Makes the next [`CrmData::scrub`] fail, as a log that cannot be cleared would.
    pub fn fail_next_scrub(&self) {
        self.fail_next_scrub.store(true, Ordering::SeqCst);
    }

    /// How many plans were applied.
    pub fn applied(&self) -> usize {
        self.applied.load(Ordering::SeqCst)
    }

    /// The value of `column` in the row `id` of `entity`, if the row exists.
    pub fn value(&self, entity: &str, id: i64, column: &str) -> Option<Value> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let row = tables.get(entity)?.iter().find(|r| r.id == id)?;
        Some(row.record.0.iter().find(|(c, _)| c == column).map_or(Value::Null, |(_, v)| v.clone()))
    }
}

impl CrmData for MemoryCrm {
    fn check(&self, _: &DataMap) -> Result<()> {
        Ok(())
    }

    fn rows(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<(i64, Vec<Value>)>> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let rows = tables.get(&entity.name).map(Vec::as_slice).unwrap_or_default();
        Ok(rows
            .iter()
            .filter(|r| r.subject == subject.as_str())
            .map(|r| {
                let values = entity
                    .fields
                    .iter()
                    .map(|(c, _)| {
                        r.record.0.iter().find(|(name, _)| name == c.as_str()).map_or(Value::Null, |(_, v)| v.clone())
                    })
                    .collect();
                (r.id, values)
            })
            .collect())
    }

    fn apply(&self, plan: &Plan) -> Result<()> {
        if self.fail_next_apply.swap(false, Ordering::SeqCst) {
            return Err(Error::Storage {
                message: "the CRM's database went away".into(),
                retryable: true,
                source: None,
            });
        }
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        for e in &plan.entities {
            let rows = tables.entry(e.entity.clone()).or_default();
            match &e.action {
                EntityAction::Anonymize { rows: changes } => {
                    for change in changes {
                        let Some(row) = rows.iter_mut().find(|r| r.id == change.row) else { continue };
                        for f in &change.fields {
                            match row.record.0.iter_mut().find(|(c, _)| c == f.field.as_str()) {
                                Some((_, v)) => *v = f.value.clone(),
                                None => row.record.0.push((f.field.as_str().to_owned(), f.value.clone())),
                            }
                        }
                    }
                }
                EntityAction::Delete { rows: ids } => rows.retain(|r| !ids.contains(&r.id)),
                EntityAction::Retain { .. } => {}
            }
        }
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(plan.subject.clone());
        self.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn records(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<Record>> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let rows = tables.get(&entity.name).map(Vec::as_slice).unwrap_or_default();
        Ok(rows.iter().filter(|r| r.subject == subject.as_str()).map(|r| r.record.clone()).collect())
    }

    /// Without a schema, the columns any of the entity's rows holds, in order of appearance.
    fn columns(&self, entity: &Entity) -> Result<Vec<String>> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = vec![entity.subject_column.as_str().to_owned()];
        for row in tables.get(&entity.name).map(Vec::as_slice).unwrap_or_default() {
            for (name, _) in &row.record.0 {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        Ok(names)
    }

    fn undated(&self, _: &Entity, _: usize) -> Result<(u64, Vec<i64>)> {
        Ok((0, Vec::new()))
    }

    fn count_expired(&self, _: &Entity, _: EndAction, _: &str, _: &Anonymizer) -> Result<u64> {
        Ok(0)
    }

    fn sweep_batch(
        &self,
        _: &Entity,
        _: EndAction,
        _: &str,
        _: Option<i64>,
        _: usize,
        _: &Anonymizer,
    ) -> Result<Option<BatchDone>> {
        Ok(None)
    }

    fn pending_erasures(&self) -> Result<Vec<SubjectId>> {
        Ok(self.pending.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect())
    }

    fn erasure_done(&self, subject: &SubjectId) -> Result<()> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(subject);
        Ok(())
    }

    fn scrub(&self) -> Result<()> {
        if self.fail_next_scrub.swap(false, Ordering::SeqCst) {
            return Err(Error::Storage {
                message: "the log is held by another reader".into(),
                retryable: true,
                source: None,
            });
        }
        Ok(())
    }
}
