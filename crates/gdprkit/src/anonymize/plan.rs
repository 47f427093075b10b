//! The plan of an erasure (rules A3, A4): for one subject, every row and field that will change
//! and how, built from the data map and the subject's rows, shown by a dry run and applied in one
//! transaction by the CRM's [`CrmData`] adapter.

use serde::{Deserialize, Serialize};

use super::map::{DataMap, Entity, Identifier, OnErasure};
use super::operators::{Operator, Secrets, Value};
use super::verdict::verdict;
use crate::crm::CrmData;
use crate::error::Result;
use crate::ids::SubjectId;

/// What an erasure does to one entity's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum EntityAction {
    /// Change the listed fields of the listed rows.
    Anonymize {
        /// The rows and their changes.
        rows: Vec<RowChange>,
    },
    /// Delete the listed rows.
    Delete {
        /// The rows' ids.
        rows: Vec<i64>,
    },
    /// Keep the rows, under a legal obligation.
    Retain {
        /// Why.
        reason: String,
        /// How many rows are kept.
        rows: usize,
    },
}

/// The changes to one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    /// The row's id.
    pub row: i64,
    /// Each changed field, with its operator and new value. The old value is not shown.
    pub fields: Vec<FieldChange>,
}

/// One field an erasure changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The column.
    pub field: Identifier,
    /// The operator applied.
    pub operator: Operator,
    /// The value written.
    pub value: Value,
}

impl RowChange {
    /// The changes the entity's operators make to one row, or `None` when they change nothing.
    pub fn of(entity: &Entity, row: i64, values: Vec<Value>, secrets: Secrets<'_>) -> Result<Option<RowChange>> {
        let mut fields = Vec::new();
        for ((column, op), old) in entity.fields.iter().zip(values) {
            let new = op.apply(&old, secrets)?;
            if new != old {
                fields.push(FieldChange { field: column.clone(), operator: op.clone(), value: new });
            }
        }
        Ok((!fields.is_empty()).then_some(RowChange { row, fields }))
    }
}

/// Whether what is left can still be tied to the person (rule A3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every identifier removed, every quasi-identifier and free text removed or generalized,
    /// and every column of the table named in the map (rule A3).
    Anonymized,
    /// Anything short of that: a field kept, hashed, pseudonymized or masked, a field with no
    /// kind, a column the map does not name. [`EntityPlan::why`] says what.
    Pseudonymized,
    /// The rows are gone.
    Deleted,
    /// The rows are kept as they were.
    Retained,
}

/// The plan for one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityPlan {
    /// The entity's name in the map.
    pub entity: String,
    /// Its table.
    pub table: Identifier,
    /// What happens to its rows.
    pub action: EntityAction,
    /// What is left afterwards.
    pub outcome: Outcome,
    /// For a pseudonymized outcome, what made it so: one sentence per field or column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

/// The plan of an erasure for one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The subject.
    pub subject: SubjectId,
    /// One plan per entity, in the map's order.
    pub entities: Vec<EntityPlan>,
}

impl Plan {
    /// Builds the plan from the map and the subject's rows.
    pub fn build(map: &DataMap, subject: &SubjectId, data: &dyn CrmData, secrets: Secrets<'_>) -> Result<Plan> {
        let mut entities = Vec::with_capacity(map.entities.len());
        for entity in &map.entities {
            let rows = data.rows(entity, subject)?;
            let (action, outcome, why) = match &entity.on_erasure {
                OnErasure::Retain { reason, .. } => {
                    (EntityAction::Retain { reason: reason.clone(), rows: rows.len() }, Outcome::Retained, Vec::new())
                }
                OnErasure::Delete => (
                    EntityAction::Delete { rows: rows.iter().map(|(id, _)| *id).collect() },
                    Outcome::Deleted,
                    Vec::new(),
                ),
                OnErasure::Anonymize => {
                    let mut changes = Vec::with_capacity(rows.len());
                    for (row, values) in rows {
                        changes.extend(RowChange::of(entity, row, values, secrets)?);
                    }
                    let (outcome, why) = verdict(entity, &data.columns(entity)?);
                    (EntityAction::Anonymize { rows: changes }, outcome, why)
                }
            };
            entities.push(EntityPlan {
                entity: entity.name.clone(),
                table: entity.table.clone(),
                action,
                outcome,
                why,
            });
        }
        Ok(Plan { subject: subject.clone(), entities })
    }

    /// How many rows the plan changes or deletes.
    pub fn rows_touched(&self) -> usize {
        self.entities
            .iter()
            .map(|e| match &e.action {
                EntityAction::Anonymize { rows } => rows.len(),
                EntityAction::Delete { rows } => rows.len(),
                EntityAction::Retain { .. } => 0,
            })
            .sum()
    }
}
