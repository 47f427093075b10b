//! The keys a data map may hold, as serde reads them: a misspelled key is refused with its line
//! and column before the map's meaning is checked (`map.rs` reads the values and says what is
//! wrong with them).

#![allow(dead_code)] // The fields are there to be named, not read: map.rs reads the values.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// A data map's top level.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    #[serde(default)]
    entity: Option<Vec<EntityShape>>,
    #[serde(default)]
    processing: Option<Vec<ProcessingShape>>,
}

/// An `[[entity]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityShape {
    name: Option<IgnoredAny>,
    table: Option<IgnoredAny>,
    subject_column: Option<IgnoredAny>,
    category: Option<IgnoredAny>,
    on_erasure: Option<IgnoredAny>,
    retention: Option<RetentionShape>,
    fields: Option<IgnoredAny>,
    event_at: Option<IgnoredAny>,
    collected_at: Option<IgnoredAny>,
}

/// An entity's `retention`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionShape {
    keep_for: Option<IgnoredAny>,
    from: Option<IgnoredAny>,
    from_column: Option<IgnoredAny>,
    then: Option<IgnoredAny>,
}

/// A `[[processing]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcessingShape {
    purpose: Option<IgnoredAny>,
    categories: Option<IgnoredAny>,
    recipients: Option<IgnoredAny>,
    retention: Option<IgnoredAny>,
    source: Option<IgnoredAny>,
    automated_decision: Option<IgnoredAny>,
    transfers: Option<Vec<TransferShape>>,
}

/// A processing's transfer.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferShape {
    recipient: Option<IgnoredAny>,
    country: Option<IgnoredAny>,
    safeguard: Option<IgnoredAny>,
}

/// Checks the keys of a data map written in TOML: `Err` names the first key no map holds, with
/// its line and column (`line 12, column 1: unknown field `tabel`, expected one of …`).
pub(crate) fn check_keys(text: &str) -> Result<(), String> {
    toml::from_str::<Shape>(text).map(drop).map_err(|e| {
        let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        }
    })
}
