//! `gdprkit channel add|list` and `gdprkit rules`

use std::process::ExitCode;

use gdprkit::{Channel, ChannelKind, DeclaredChannel};

use crate::args::ChannelCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: ChannelCommand) -> CliResult<ExitCode> {
    match command {
        ChannelCommand::Add { name, kind } => {
            let channel = DeclaredChannel { name: name.parse::<Channel>()?, kind: kind.parse::<ChannelKind>()? };
            channel.validate()?;
            ctx.gdpr(true)?.add_channel(channel.clone())?;
            ctx.emit(&channel, || format!("declared channel {} ({})", channel.name, channel.kind))?;
        }
        ChannelCommand::List => {
            let channels = ctx.reader()?.channels()?;
            ctx.emit(&channels, || {
                let mut lines = vec!["email                            electronic (built in)".to_owned()];
                lines.push("sms                              electronic (built in)".into());
                lines.push("phone                            phone (built in)".into());
                lines.push("post                             post (built in)".into());
                lines.extend(channels.iter().map(|c| format!("{:<32} {}", c.name.as_str(), c.kind)));
                lines.join("\n")
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `gdprkit rules`: the default rule table.
pub fn rules(ctx: &Context) -> CliResult<ExitCode> {
    let rules: Vec<gdprkit::rules::Rule> = gdprkit::RuleId::ALL.iter().map(|r| r.rule()).collect();
    ctx.emit(&rules, gdprkit::rules::table_markdown)?;
    Ok(ExitCode::SUCCESS)
}
