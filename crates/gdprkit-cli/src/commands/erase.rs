//! `gdprkit erase`: exit 0 when erased (or planned), 1 when the erasure is committed with
//! warnings (on stderr) saying what to do again.

use std::path::Path;
use std::process::ExitCode;

use gdprkit::SubjectId;
use gdprkit::anonymize::plan::{EntityAction, Outcome};

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, subject: &str, map_file: &Path, dry_run: bool) -> CliResult<ExitCode> {
    let subject = SubjectId::new(subject)?;
    let report = ctx.gdpr_with_crm(map_file)?.erase_subject(&subject, dry_run)?;
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
                        Outcome::Pseudonymized => format!("pseudonymized only: {}", e.why.join("; ")),
                        _ => "anonymized".to_owned(),
                    };
                    out.push_str(&format!("\n  {}: {} row(s) changed, {outcome}", e.entity, rows.len()));
                    for r in rows {
                        let fields: Vec<String> =
                            r.fields.iter().map(|f| format!("{} by {}", f.field.as_str(), op_name(&f.operator))).collect();
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
    for w in &report.warnings {
        eprintln!("gdprkit: warning: {w}");
    }
    // Committed, with something left to do: say so in the exit code too.
    Ok(if report.warnings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
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
