//! `gdprkit subject add` and `gdprkit suppression list`

use std::process::ExitCode;

use gdprkit::information::{DataSource, Origin};
use gdprkit::{Language, NewSubject, PhoneCountry, Regime, Source, SubjectId};

use crate::args::{SubjectCommand, SuppressionCommand};
use crate::context::{CliResult, Context, instant};

pub fn run(ctx: &Context, command: SubjectCommand) -> CliResult<ExitCode> {
    match command {
        SubjectCommand::Add { id, regime, email, lang, phone, origin } => {
            let mut new = NewSubject::new(SubjectId::new(id)?, regime.parse::<Regime>()?);
            new.email = email;
            new.language = lang.map(|l| l.parse::<Language>()).transpose()?;
            new.phone = phone;
            if let Some(source) = origin.source {
                new.origin = Some(Origin {
                    reference: origin.source_ref,
                    obtained_at: instant("obtained_at", origin.obtained_at.as_deref())?,
                    ..Origin::new(source.parse::<DataSource>()?)
                });
            }
            let country = ctx.country.as_deref().map(str::parse::<PhoneCountry>).transpose()?.unwrap_or_default();
            new.validate(country)?;
            let gdpr = ctx.gdpr(true)?;
            let subject = gdpr.add_subject(new)?;
            let inherited =
                gdpr.history(&subject.id)?.iter().filter(|e| e.proof.source == Some(Source::SuppressionList)).count();
            ctx.emit(&subject, || {
                let mut line = format!("registered subject {} ({})", subject.id, subject.regime);
                if inherited > 0 {
                    line.push_str(&format!(
                        "; its address or number is on the suppression list: it inherited {inherited} denial(s) of direct marketing"
                    ));
                }
                line
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `gdprkit suppression list`
pub fn suppression(ctx: &Context, command: SuppressionCommand) -> CliResult<ExitCode> {
    match command {
        SuppressionCommand::List => {
            let groups = ctx.reader()?.suppression_list()?;
            ctx.emit(&groups, || {
                if groups.is_empty() {
                    return "the suppression list is empty".into();
                }
                let time = |t| gdprkit::time::format(t)[..10].to_owned();
                groups
                    .iter()
                    .map(|g| {
                        format!(
                            "{:<6} {:<7} {} by {}: {} entr{}, erased {} to {}, kept until at least {}",
                            g.identifier.as_str(),
                            g.action.as_str(),
                            g.purpose.as_ref().map_or("all marketing", |p| p.as_str()),
                            g.channel.as_ref().map_or("every channel", |c| c.as_str()),
                            g.entries,
                            if g.entries == 1 { "y" } else { "ies" },
                            time(g.first_erased_at),
                            time(g.last_erased_at),
                            time(g.keep_until)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
