//! `gdprkit information`

use std::process::ExitCode;

use gdprkit::{Language, SubjectId};

use crate::args::InformationCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: InformationCommand) -> CliResult<ExitCode> {
    match command {
        InformationCommand::Notice { subject, map, lang, html } => {
            // Every argument is checked before anything is read.
            let subject = subject.map(SubjectId::new).transpose()?;
            let language = lang.as_deref().map(str::parse::<Language>).transpose()?;
            let mut config = ctx.config();
            config.pdf = Some(false);
            ctx.add_crm(&mut config, &map)?;
            let notice = ctx.open(&config)?.information_notice(subject.as_ref(), language)?;
            ctx.emit(&notice, || {
                if html { notice.html.trim_end().to_owned() } else { notice.text.trim_end().to_owned() }
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
