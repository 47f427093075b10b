//! The command's log: gdprkit's spans and events on stderr, as human lines or as JSON for a log
//! shipper (`--log-format`), filtered by `GDPRKIT_LOG` (`RUST_LOG`'s syntax: `info`,
//! `gdprkit=debug`, …). Without `GDPRKIT_LOG`, commands log warnings only, so that their output
//! stays what the README shows; `serve` logs each request (`info`). Nothing gdprkit logs names a
//! person, a token or a key.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The variable holding the filter.
pub const LOG_VAR: &str = "GDPRKIT_LOG";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line a record, for a person reading a terminal.
    Human,
    /// One JSON object a line, for a log shipper.
    Json,
}

/// Installs the log for the whole process: `default` is the filter when `GDPRKIT_LOG` is unset.
/// A filter that does not parse is reported, and the default used.
pub fn install(format: LogFormat, default: &str) {
    let filter = match std::env::var(LOG_VAR) {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            eprintln!("gdprkit: {LOG_VAR}={spec:?} is not a log filter ({e}); logging {default:?}");
            EnvFilter::new(default)
        }),
        _ => EnvFilter::new(default),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.with_target(false).with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).flatten_event(true).try_init(),
    };
}
