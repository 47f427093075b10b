//! `gdprkit ledger verify`

use std::process::ExitCode;

use gdprkit::Verification;

use crate::args::LedgerCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: LedgerCommand) -> CliResult<ExitCode> {
    match command {
        LedgerCommand::Verify => {
            let verification = ctx.gdpr(false)?.verify_ledger()?;
            ctx.emit(&verification, || match &verification {
                Verification::Intact { entries } => format!("ledger intact: {entries} entries checked"),
                Verification::Broken { seq, reason } => format!("ledger broken at entry {seq}: {reason}"),
            })?;
            Ok(if verification.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}
