//! `gdprkit deadline`

use std::process::ExitCode;

use gdprkit::request::calendar::for_country;
use gdprkit::request::deadline::Deadlines;
use serde::Serialize;

use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, received: &str, country: &str) -> CliResult<ExitCode> {
    let received = gdprkit::time::parse_date("--received", received)?;
    let calendar = for_country(country)?;
    let dl = Deadlines::for_receipt(received, calendar.as_ref())?;
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
