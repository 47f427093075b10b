//! `gdprkit deadline`

use std::process::ExitCode;

use serde::Serialize;

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, received: &str, zone: &str, calendar: &str) -> CliResult<ExitCode> {
    // A preview opens no database: gdprkit runs in memory in the zone and on the calendar given.
    let mut config = ctx.config();
    config.store = gdprkit_setup::IN_MEMORY.into();
    config.calendar = Some(calendar.to_owned());
    config.time_zone = Some(zone.to_owned());
    let g = ctx.open(&config)?;
    let received = match gdprkit::time::parse_date("--received", received) {
        Ok(date) => date,
        Err(_) => g.receipt_date(gdprkit::time::parse("--received", received)?),
    };
    let dl = g.deadline(received)?;
    #[derive(Serialize)]
    struct Out {
        received: String,
        due: String,
        extended_due: String,
    }
    let out =
        Out { received: received.to_string(), due: dl.due.to_string(), extended_due: dl.extended_due.to_string() };
    ctx.emit(&out, || {
        format!(
            "received {}: due {} ({}), at the latest {} if extended",
            out.received,
            out.due,
            dl.due.format("%A"),
            out.extended_due
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
