//! `gdprkit purpose add|list`

use std::process::ExitCode;

use gdprkit::{LegalBasis, Purpose, PurposeId};

use crate::args::PurposeCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: PurposeCommand) -> CliResult<ExitCode> {
    match command {
        PurposeCommand::Add { id, legal_basis, direct_marketing, not_professional, label } => {
            let mut purpose = Purpose::new(PurposeId::new(id)?, legal_basis.parse::<LegalBasis>()?, direct_marketing)
                .professional(!not_professional);
            if let Some(label) = label {
                purpose.label = label;
            }
            purpose.validate()?;
            ctx.gdpr(true)?.add_purpose(purpose.clone())?;
            ctx.emit(&purpose, || {
                format!(
                    "registered purpose {} ({}{}{})",
                    purpose.id,
                    purpose.legal_basis,
                    if purpose.direct_marketing { ", direct marketing" } else { "" },
                    if purpose.professional { "" } else { ", not professional" }
                )
            })?;
        }
        PurposeCommand::List => {
            let purposes = ctx.reader()?.purposes()?;
            ctx.emit(&purposes, || {
                if purposes.is_empty() {
                    return "no purposes registered".into();
                }
                purposes
                    .iter()
                    .map(|p| {
                        let dm = match (p.direct_marketing, p.professional) {
                            (false, _) => "-",
                            (true, true) => "direct marketing",
                            (true, false) => "direct marketing, not professional",
                        };
                        format!("{:<24} {:<22} {:<34} {}", p.id.as_str(), p.legal_basis.as_str(), dm, p.label)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
