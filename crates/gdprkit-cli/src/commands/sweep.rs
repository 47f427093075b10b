//! `gdprkit sweep`

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use gdprkit::anonymize::map::EndAction;
use gdprkit::anonymize::sweep::{SweepOptions, SweepProgress};

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, map_file: &Path, dry_run: bool, batch: usize) -> CliResult<ExitCode> {
    let g = ctx.gdpr_with_crm(map_file)?;
    let terminal = std::io::stderr().is_terminal();
    let mut bar = |p: &SweepProgress| {
        if terminal {
            let width = 30;
            let filled = (p.done * width as u64).checked_div(p.total).map_or(width, |f| (f as usize).min(width));
            let _ = write!(
                std::io::stderr(),
                "\r{:<16} [{}{}] {}/{}",
                p.entity,
                "#".repeat(filled),
                ".".repeat(width - filled),
                p.done,
                p.total
            );
            if p.done >= p.total {
                let _ = writeln!(std::io::stderr());
            }
        }
        Ok(())
    };
    let report = g.sweep(SweepOptions { batch_size: batch, dry_run }, &mut bar)?;
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
