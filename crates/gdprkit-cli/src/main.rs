//! The `gdprkit` command.
//!
//! Exit codes: 0 done (for `consent check`: allowed); 1 a negative answer (`consent check`: not
//! allowed; `ledger verify`: broken); 2 an error, reported on one line on stderr, with nothing
//! written.

mod args;
mod commands;
mod context;
mod demo;
mod logging;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::args::{Cli, Command};
use crate::context::Context;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("gdprkit: {}", one_line(&e.render().to_string()));
                    ExitCode::from(2)
                }
            };
        }
    };
    // A server logs each request; other commands only what needs attention, unless asked.
    let default = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    logging::install(cli.log_format, default);
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output has gone (`| head`): nothing more to say, and no one to
        // say it to. 141 is what a shell shows for a program ended by SIGPIPE.
        Err(e) if context::is_closed_output(e.as_ref()) => ExitCode::from(141),
        Err(e) => {
            eprintln!("gdprkit: {}", context::report(e.as_ref()));
            ExitCode::from(2)
        }
    }
}

/// Clap's multi-line usage errors, folded into one line without the usage block.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_owned()
}

fn run(cli: Cli) -> context::CliResult<ExitCode> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        Command::Purpose(c) => commands::purpose::run(&ctx, c),
        Command::Subject(c) => commands::subject::run(&ctx, c),
        Command::Channel(c) => commands::channel::run(&ctx, c),
        Command::Settings(c) => commands::settings::run(&ctx, c),
        Command::Suppression(c) => commands::subject::suppression(&ctx, c),
        Command::Rules => commands::channel::rules(&ctx),
        Command::Consent(c) => commands::consent::run(&ctx, c),
        Command::Ledger(c) => commands::ledger::run(&ctx, c),
        Command::Request(c) => commands::request::run(&ctx, c),
        Command::Disclosure(c) => commands::disclosure::run(&ctx, c),
        Command::Map(c) => commands::map::run(&ctx, c),
        Command::Information(c) => commands::information::run(&ctx, c),
        Command::Changes { since, limit } => commands::changes::run(&ctx, since, limit),
        Command::Erasures(c) => commands::erasures::run(&ctx, c),
        Command::Outbox(c) => commands::outbox::run(&ctx, c),
        Command::Serve {
            listen,
            name,
            templates,
            public_origin,
            trusted_proxies,
            insecure_cookies,
            map,
            download_days,
            smtp,
            lookup_limit,
            submission_limit,
        } => {
            let mut settings = gdprkit_portal::PortalSettings::new(name);
            settings.templates_dir = templates;
            settings.public_origin = public_origin;
            settings.trusted_proxies = trusted_proxies;
            settings.secure_cookies = !insecure_cookies;
            if let Some(n) = lookup_limit {
                settings.lookups = gdprkit_portal::RateLimit { burst: n, per_minute: n };
            }
            if let Some(n) = submission_limit {
                settings.submissions = gdprkit_portal::RateLimit { burst: n, per_minute: 1 };
            }
            let served = commands::serve::Served { map, download_days, smtp };
            commands::serve::run(&ctx, listen, settings, served)
        }
        Command::Erase { subject, map, dry_run } => commands::erase::run(&ctx, &subject, &map, dry_run),
        Command::Export(args) => commands::export::run(&ctx, args),
        Command::Sweep { map, dry_run, batch } => commands::sweep::run(&ctx, &map, dry_run, batch),
        Command::Deadline { received, zone, calendar } => commands::deadline::run(&ctx, &received, &zone, &calendar),
        Command::Demo { dir } => demo::run(&ctx, &dir),
    }
}
