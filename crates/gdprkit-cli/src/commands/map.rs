//! `gdprkit map check`

use std::process::ExitCode;

use crate::args::MapCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: MapCommand) -> CliResult<ExitCode> {
    match command {
        MapCommand::Check { file } => {
            // Opening checks the map against the CRM's tables in --db; gdprkit's own records are
            // kept in memory, so that the check writes nothing into that database.
            let mut config = ctx.config();
            config.store = gdprkit_setup::IN_MEMORY.into();
            ctx.add_crm(&mut config, &file)?;
            let out = ctx.open(&config)?.check_map()?;
            ctx.emit(&out, || {
                let mut text = format!(
                    "{} fits {}: {} entities, {} fields with their operators",
                    file.display(),
                    ctx.db,
                    out.entities,
                    out.fields
                );
                for w in &out.warnings {
                    text.push_str(&format!("\nwarning: {w}"));
                }
                text
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
