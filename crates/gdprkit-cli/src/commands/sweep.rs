//! `gdprkit sweep`

use std::path::Path;
use std::process::ExitCode;

use gdprkit::anonymize::map::EndAction;
use gdprkit::anonymize::sweep::{SweepOptions, SweepProgress};

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, map_file: &Path, dry_run: bool, batch: usize) -> CliResult<ExitCode> {
    let g = ctx.gdpr_with_crm(map_file)?;
    // One bar per entity, drawn only when stderr is a terminal (indicatif hides it otherwise).
    let mut current: Option<(String, indicatif::ProgressBar)> = None;
    let mut progress = |p: &SweepProgress| {
        if current.as_ref().is_none_or(|(entity, _)| entity != &p.entity) {
            if let Some((_, done)) = current.take() {
                done.finish();
            }
            let bar = crate::progress::bar(p.total, &p.entity);
            current = Some((p.entity.clone(), bar));
        }
        if let Some((_, bar)) = &current {
            bar.set_position(p.done);
        }
        Ok(())
    };
    let report = g.sweep(SweepOptions { batch_size: batch, dry_run }, &mut progress)?;
    if let Some((_, bar)) = current.take() {
        bar.finish();
    }
    ctx.emit(&report, || {
        let verb = |e: &gdprkit::anonymize::sweep::SweptEntity| {
            let pseudonymized = e.outcome == Some(gdprkit::anonymize::plan::Outcome::Pseudonymized);
            match (dry_run, e.action, pseudonymized) {
                (true, EndAction::Anonymize, false) => "to anonymize",
                (true, EndAction::Anonymize, true) => "to pseudonymize",
                (true, EndAction::Delete, _) => "to delete",
                (false, EndAction::Anonymize, false) => "anonymized",
                (false, EndAction::Anonymize, true) => "pseudonymized",
                (false, EndAction::Delete, _) => "deleted",
            }
        };
        let mut out = String::from(if dry_run { "dry run: rows whose retention ran out" } else { "swept" });
        if report.entities.is_empty() {
            out.push_str(": no entity of the map has a retention rule");
        }
        for e in &report.entities {
            out.push_str(&format!("\n  {}: {} row(s) {}", e.entity, e.rows, verb(e)));
            if !e.why.is_empty() {
                out.push_str(&format!(" (not anonymized: {})", e.why.join("; ")));
            }
            if e.undated > 0 {
                let ids: Vec<String> = e.undated_rows.iter().map(i64::to_string).collect();
                let more = if e.undated > e.undated_rows.len() as u64 { ", …" } else { "" };
                out.push_str(&format!(
                    "\n  {}: {} row(s) cannot be dated (every retention column empty), kept until dated: rows {}{more}",
                    e.entity,
                    e.undated,
                    ids.join(", ")
                ));
            }
        }
        out
    })?;
    Ok(ExitCode::SUCCESS)
}
