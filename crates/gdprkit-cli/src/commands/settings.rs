//! `gdprkit settings show|save`: the tenant's time zone and holiday calendar (rule R2).

use std::process::ExitCode;

use gdprkit::ControllerZone;

use crate::args::SettingsCommand;
use crate::context::{CliResult, Context};

pub fn run(ctx: &Context, command: SettingsCommand) -> CliResult<ExitCode> {
    match command {
        SettingsCommand::Show => {
            let view = ctx.reader()?.settings()?;
            ctx.emit(&view, || {
                format!(
                    "time zone: {}\nholiday calendar: {}\n{}",
                    view.time_zone,
                    view.calendar,
                    if view.stored { "stored with the tenant" } else { "not stored: the defaults" }
                )
            })?;
        }
        SettingsCommand::Save { zone, calendar } => {
            let mut builder = ctx.gdpr(true)?.to_builder().replacing_settings();
            if let Some(zone) = zone {
                builder = builder.zone(ControllerZone::from_name(&zone)?);
            }
            if let Some(calendar) = calendar {
                builder = builder.calendar(gdprkit_setup::holiday_calendar(&calendar)?);
            }
            let g = builder.build()?;
            g.save_settings()?;
            let view = g.settings()?;
            ctx.emit(&view, || format!("stored: time zone {}, holiday calendar {}", view.time_zone, view.calendar))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
