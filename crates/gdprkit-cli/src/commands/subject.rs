//! `gdprkit subject add`

use std::process::ExitCode;

use gdprkit::{Language, NewSubject, Regime, SubjectId};

use crate::args::SubjectCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: SubjectCommand) -> CliResult<ExitCode> {
    match command {
        SubjectCommand::Add { id, regime, email, lang } => {
            let mut new = NewSubject::new(SubjectId::new(id)?, regime.parse::<Regime>()?);
            new.email = email;
            new.language = lang.map(|l| l.parse::<Language>()).transpose()?;
            new.validate()?;
            let subject = ctx.gdpr(true)?.add_subject(new)?;
            ctx.emit(&subject, || format!("registered subject {} ({})", subject.id, subject.regime))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
