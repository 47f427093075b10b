//! `gdprkit erase`

use std::path::Path;
use std::process::ExitCode;

use gdprkit::SubjectId;
use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::operators::{Secrets, random_salt};
use gdprkit::anonymize::plan::{EntityAction, Outcome};

use super::map::{CrmTables, HMAC_KEY_VAR, crm_tables, read_map};
use crate::context::{CliResult, Context, Refusal};

/// What an erasure needs: the map, checked against the --db database that holds the CRM's tables,
/// the adapter on it, a fresh salt and the key of `pseudonymize`.
pub struct ErasureInputs {
    pub map: DataMap,
    pub data: Box<dyn CrmTables>,
    salt: [u8; 32],
    key: Option<String>,
}

impl ErasureInputs {
    pub fn load(ctx: &Context, map_file: &Path) -> CliResult<Self> {
        let map = read_map(map_file)?;
        let key = std::env::var(HMAC_KEY_VAR).ok().filter(|k| !k.is_empty());
        if map.needs_key() && key.is_none() {
            return Err(Box::new(Refusal(format!(
                "{}: the map pseudonymizes fields, and {HMAC_KEY_VAR} gives no key",
                map_file.display()
            ))));
        }
        let data = crm_tables(ctx, &map)?;
        Ok(Self { map, data, salt: random_salt()?, key })
    }

    pub fn secrets(&self) -> Secrets<'_> {
        Secrets { salt: &self.salt, hmac_key: self.key.as_deref().map(str::as_bytes) }
    }
}

pub fn run(ctx: &Context, subject: &str, map_file: &Path, dry_run: bool) -> CliResult<ExitCode> {
    let subject = SubjectId::new(subject)?;
    let g = ctx.gdpr(false)?;
    let inputs = ErasureInputs::load(ctx, map_file)?;
    let report = g.erase_subject(&subject, &inputs.map, &*inputs.data, inputs.secrets(), dry_run)?;
    ctx.emit(&report, || {
        let mut out = if dry_run {
            format!("dry run: erasing {subject} would change:")
        } else {
            format!("erased {subject}:")
        };
        for e in &report.plan.entities {
            match &e.action {
                EntityAction::Anonymize { rows } => {
                    let outcome = match e.outcome {
                        Outcome::Pseudonymized => "pseudonymized only: a kept or keyed field links the rows back",
                        _ => "anonymized",
                    };
                    out.push_str(&format!("\n  {}: {} row(s) changed, {outcome}", e.entity, rows.len()));
                    for r in rows {
                        let fields: Vec<String> =
                            r.fields.iter().map(|(c, op, _)| format!("{} by {}", c.as_str(), op_name(op))).collect();
                        out.push_str(&format!("\n    row {}: {}", r.row, fields.join(", ")));
                    }
                }
                EntityAction::Delete { rows } => out.push_str(&format!("\n  {}: {} row(s) deleted", e.entity, rows.len())),
                EntityAction::Retain { reason, rows } => {
                    out.push_str(&format!("\n  {}: {rows} row(s) kept ({reason})", e.entity))
                }
            }
        }
        if !dry_run {
            out.push_str(&format!(
                "\n  gdprkit: personal values of {} ledger entries erased, {} denial(s) kept; the ledger records the erasure",
                report.ledger_entries_erased, report.denials_kept
            ));
        }
        out
    })?;
    Ok(ExitCode::SUCCESS)
}

fn op_name(op: &gdprkit::anonymize::operators::Operator) -> &'static str {
    use gdprkit::anonymize::operators::Operator as O;
    match op {
        O::Keep => "keep",
        O::Null => "null",
        O::Redact => "redact",
        O::Replace { .. } => "replace",
        O::Mask { .. } => "mask",
        O::Hash => "hash",
        O::Pseudonymize => "pseudonymize",
        O::Generalize(_) => "generalize",
    }
}
