//! `gdprkit outbox list|deliver`

use std::process::ExitCode;

use gdprkit::{OutboxFilter, OutboxItem, OutboxState};

use super::export::smtp_settings;
use crate::args::OutboxCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: OutboxCommand) -> CliResult<ExitCode> {
    match command {
        OutboxCommand::List { all } => {
            let items = ctx.reader()?.outbox(if all { OutboxFilter::All } else { OutboxFilter::Pending })?;
            ctx.emit(&items, || {
                if items.is_empty() {
                    return if all { "the outbox is empty".into() } else { "no message waits".into() };
                }
                items.iter().map(line).collect::<Vec<_>>().join("\n")
            })?;
            Ok(ExitCode::SUCCESS)
        }
        OutboxCommand::Deliver { smtp } => {
            let mut config = ctx.config();
            if let Some(url) = smtp {
                config.smtp = Some(smtp_settings("--smtp", url)?);
            }
            let report = ctx.open(&config)?.deliver_pending()?;
            ctx.emit(&report, || {
                let mut text = format!(
                    "delivered {}, failed {} (kept for a later attempt), {} waiting for their next attempt",
                    report.delivered.len(),
                    report.failed.len(),
                    report.waiting
                );
                for (id, error) in &report.failed {
                    text.push_str(&format!("\nmessage {id}: {error}"));
                }
                text
            })?;
            Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// One line per message: id, kind, subject, state and what happened to it.
fn line(m: &OutboxItem) -> String {
    let time = gdprkit::time::format;
    let state = match m.state {
        OutboxState::Pending => match (&m.last_error, m.next_attempt_at) {
            (Some(error), Some(next)) => {
                format!("pending, {} failed attempts, next at {}: {error}", m.failed_attempts, time(next))
            }
            _ => "pending".into(),
        },
        OutboxState::Delivered => format!("delivered {}", m.delivered_at.map(time).unwrap_or_default()),
        OutboxState::Cancelled => "cancelled: the subject was erased".into(),
    };
    format!("{:>6}  {:<16} {:<20} queued {}  {state}", m.id, m.kind.as_str(), m.subject, time(m.queued_at))
}
