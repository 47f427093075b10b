//! `gdprkit erasures reapply`

use std::process::ExitCode;

use gdprkit_setup::FileJournal;

use crate::args::ErasuresCommand;
use crate::context::{CliResult, Context, Refusal};

pub fn run(ctx: &Context, command: ErasuresCommand) -> CliResult<ExitCode> {
    match command {
        ErasuresCommand::Reapply { map, dry_run } => {
            let path = ctx
                .journal
                .as_ref()
                .ok_or_else(|| Refusal("--journal: reapply reads the erasure journal; give its file".into()))?;
            if !path.exists() {
                return Err(Box::new(Refusal(format!("--journal: there is no journal at {}", path.display()))));
            }
            let entries = gdprkit::ErasureJournal::entries(&FileJournal::open(path)?)?;
            let report = ctx.gdpr_with_crm(&map)?.reapply_erasures(&entries, dry_run)?;
            ctx.emit(&report, || {
                let verb = if dry_run { "would erase again" } else { "erased again" };
                let names =
                    |list: &[gdprkit::SubjectId]| list.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                let mut text = format!("{verb}: {} subjects", report.erased.len());
                if !report.erased.is_empty() {
                    text.push_str(&format!(" ({})", names(&report.erased)));
                }
                text.push_str(&format!("; already erased: {}", report.already_applied));
                if !report.crm_only.is_empty() {
                    text.push_str(&format!("; CRM rows only: {}", names(&report.crm_only)));
                }
                if report.swept {
                    text.push_str(if dry_run { "; would sweep again" } else { "; swept again" });
                }
                if report.with_another_map > 0 {
                    text.push_str(&format!(
                        "\n{} journal lines were written with another data map; today's was used",
                        report.with_another_map
                    ));
                }
                text
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
