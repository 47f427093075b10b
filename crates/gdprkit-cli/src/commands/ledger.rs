//! `gdprkit ledger verify|checkpoint|keygen`

use std::path::PathBuf;
use std::process::ExitCode;

use gdprkit::Verification;
use gdprkit::checkpoint::{Checkpoint, PublicKey, SigningKey};
use serde::Serialize;

use crate::args::LedgerCommand;
use crate::context::{CliResult, Context, Refusal};

/// Where the checkpoint signing key is read from.
pub const SIGNING_KEY_VAR: &str = "GDPRKIT_SIGNING_KEY";

pub fn run(ctx: &Context, command: LedgerCommand) -> CliResult<ExitCode> {
    match command {
        LedgerCommand::Verify { checkpoint, public_key } => verify(ctx, &checkpoint, public_key.as_deref()),
        LedgerCommand::Checkpoint => {
            let key = signing_key()?;
            let checkpoint = ctx.reader()?.checkpoint(&key)?;
            // The checkpoint is JSON whether or not --json was given: it is meant to be kept.
            crate::context::print_line(&serde_json::to_string_pretty(&checkpoint)?)?;
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Keygen => {
            #[derive(Serialize)]
            struct Keys {
                signing_key: String,
                public_key: String,
            }
            let key = SigningKey::generate()?;
            let keys = Keys { signing_key: key.to_hex(), public_key: key.public_key().to_hex() };
            ctx.emit(&keys, || {
                format!(
                    "{SIGNING_KEY_VAR}={}\npublic key: {}\nKeep the first line secret and outside the database; give the \
                     public key to whoever verifies.",
                    keys.signing_key, keys.public_key
                )
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(ctx: &Context, files: &[PathBuf], public_key: Option<&str>) -> CliResult<ExitCode> {
    let g = ctx.reader()?;
    let verification = if files.is_empty() {
        // A counter on a terminal, moved every 10,000 entries.
        let counter = crate::progress::counter("verifying");
        let verification = g.verify_ledger_progress(&mut |seq| {
            if seq.is_multiple_of(10_000) {
                counter.set_position(seq);
            }
        });
        counter.finish_and_clear();
        verification?
    } else {
        let trusted = match public_key {
            Some(hex) => PublicKey::from_hex(hex)?,
            None => signing_key()
                .map_err(|_| {
                    Refusal(format!("--checkpoint: give --public-key, or the signing key in {SIGNING_KEY_VAR}"))
                })?
                .public_key(),
        };
        let checkpoints = files.iter().map(|f| read_checkpoint(f)).collect::<CliResult<Vec<_>>>()?;
        for (file, c) in files.iter().zip(&checkpoints) {
            c.check_signature(&trusted)
                .map_err(|e| Refusal(format!("--checkpoint {}: {}", file.display(), without_prefix(&e))))?;
        }
        g.verify_ledger_with(&checkpoints, &trusted)?
    };
    ctx.emit(&verification, || match &verification {
        Verification::Intact { entries } if files.is_empty() => format!("ledger intact: {entries} entries checked"),
        Verification::Intact { entries } => {
            format!("ledger intact: {entries} entries checked, in agreement with {} checkpoints", files.len())
        }
        Verification::Broken { seq, reason } => format!("ledger broken at entry {seq}: {reason}"),
        Verification::Disagrees { table, reason } => {
            format!("ledger intact, but the {table} disagree with it (changed outside gdprkit): {reason}")
        }
        Verification::Contradicted { checkpoint, reason, .. } => {
            let file = files.get(*checkpoint).map(|f| f.display().to_string()).unwrap_or_default();
            format!("ledger contradicts checkpoint {file}: {reason}")
        }
    })?;
    Ok(if verification.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn signing_key() -> CliResult<SigningKey> {
    let hex = std::env::var(SIGNING_KEY_VAR)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Refusal(format!("{SIGNING_KEY_VAR} is not set (make a key with `gdprkit ledger keygen`)")))?;
    SigningKey::from_hex(&hex).map_err(|e| Box::new(Refusal(format!("{SIGNING_KEY_VAR}: {}", without_prefix(&e)))) as _)
}

fn read_checkpoint(file: &PathBuf) -> CliResult<Checkpoint> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Refusal(format!("--checkpoint {}: could not read it: {e}", file.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Box::new(Refusal(format!("--checkpoint {}: not a gdprkit checkpoint: {e}", file.display()))) as _)
}

/// An error's message without its `invalid FIELD: ` prefix.
fn without_prefix(e: &gdprkit::Error) -> String {
    let text = e.to_string();
    match e.field() {
        Some(field) => text.strip_prefix(&format!("invalid {field}: ")).map(str::to_owned).unwrap_or(text),
        None => text,
    }
}
