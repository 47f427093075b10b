//! `gdprkit disclosure add|list`

use std::process::ExitCode;

use gdprkit::SubjectId;

use crate::args::DisclosureCommand;
use crate::context::{CliResult, Context, instant};

pub fn run(ctx: &Context, command: DisclosureCommand) -> CliResult<ExitCode> {
    match command {
        DisclosureCommand::Add { subject, recipient, at } => {
            let subject = SubjectId::new(subject)?;
            let at = instant("--at", at.as_deref())?;
            let d = ctx.gdpr(false)?.record_disclosure(&subject, &recipient, at)?;
            ctx.emit(&d, || {
                format!(
                    "recorded: {}'s data disclosed to {} on {}",
                    d.subject,
                    d.recipient,
                    gdprkit::time::format(d.disclosed_at)
                )
            })?;
        }
        DisclosureCommand::List { subject } => {
            let subject = SubjectId::new(subject)?;
            let list = ctx.reader()?.disclosures(&subject)?;
            ctx.emit(&list, || {
                if list.is_empty() {
                    return format!("no disclosures of {subject}'s data");
                }
                list.iter()
                    .map(|d| format!("{}  {}", gdprkit::time::format(d.disclosed_at), d.recipient))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
