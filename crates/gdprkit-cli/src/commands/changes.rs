//! `gdprkit changes --since N`

use std::process::ExitCode;

use gdprkit::{Change, ChangeKind};

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, since: u64, limit: usize) -> CliResult<ExitCode> {
    let page = ctx.reader()?.changes_since(since, limit)?;
    ctx.emit(&page, || {
        let mut lines: Vec<String> = page.changes.iter().map(line).collect();
        lines.push(format!("next cursor: {}", page.next_cursor));
        lines.join("\n")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One line per change: number, when, who, what.
fn line(c: &Change) -> String {
    let time = gdprkit::time::format;
    let who = c.subject.as_ref().map_or("-", |s| s.as_str());
    let what = match &c.what {
        ChangeKind::PurposeRegistered { purpose } => format!("purpose {purpose} registered"),
        ChangeKind::SubjectRegistered => "subject registered".into(),
        ChangeKind::SettingsSaved { time_zone, calendar } => {
            format!("settings saved: time zone {time_zone}, holiday calendar {calendar}")
        }
        ChangeKind::ChannelDeclared { channel, kind } => format!("channel {channel} declared {kind}"),
        ChangeKind::Consent { action, purpose, channel, occurred_at } => format!(
            "{action} {} by {} (happened {})",
            purpose.as_deref().unwrap_or("all marketing"),
            channel.as_deref().unwrap_or("every channel"),
            time(*occurred_at)
        ),
        ChangeKind::Restriction { restricted, occurred_at } => {
            format!("{} from {}", if *restricted { "restricted" } else { "restriction lifted" }, time(*occurred_at))
        }
        ChangeKind::Request { request, action, state, .. } => match state {
            Some(state) => format!("request {request}: {action}, now {}", state.as_str()),
            None => format!("request {request}: {action}"),
        },
        ChangeKind::Disclosure => "data disclosed to a recipient".into(),
        ChangeKind::Erasure => "erased".into(),
        ChangeKind::Message { message, .. } => format!("{message} message queued"),
        ChangeKind::Informed { via, notice_version, at } => {
            format!("informed by {via} with {notice_version} ({})", time(*at))
        }
        ChangeKind::InformationExempted { ground } => format!("exempted from information: {ground}"),
        ChangeKind::Contacted { at } => format!("contacted ({})", time(*at)),
    };
    format!("{:>8}  {}  {who:<20} {what}", c.seq, time(c.recorded_at))
}
