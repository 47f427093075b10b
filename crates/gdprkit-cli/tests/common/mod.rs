//! What the command-line tests share: a database in a temporary directory, the command run on it
//! at a fixed instant, and the check of a refusal.

#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Db {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Db {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gdprkit.db");
        Self { _dir: dir, path }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        gdprkit(&self.path, args)
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    pub fn entries(&self) -> u64 {
        self.json(&["ledger", "verify"])["entries"].as_u64().unwrap()
    }

    /// A database with two purposes and two subjects, at a fixed instant.
    pub fn with_sample() -> Self {
        let db = Self::new();
        db.ok(&["purpose", "add", "newsletter", "--legal-basis", "consent", "--direct-marketing", "--label", "News"]);
        db.ok(&["purpose", "add", "billing", "--legal-basis", "contract"]);
        db.ok(&["subject", "add", "jean", "--regime", "b2c-opt-in", "--email", "jean@example.fr", "--lang", "fr"]);
        db.ok(&["subject", "add", "acme-buyer", "--regime", "b2b-opt-out"]);
        db
    }
}

pub const NOW: &str = "2025-06-01T12:00:00Z";

/// The controller every command names: exports need one.
pub const CONTROLLER: &str = "Acme SAS";

pub fn gdprkit(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .arg("--db")
        .arg(db)
        .args(["--now", NOW])
        .args(args)
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .env_remove("GDPRKIT_DB")
        .env_remove("GDPRKIT_HMAC_KEY")
        .env_remove("GDPRKIT_SMTP_FROM")
        .output()
        .unwrap()
}

/// Asserts a refusal: exit 2, one line on stderr that mentions `names`, nothing on stdout.
pub fn assert_refused(out: &Output, names: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(names), "{stderr:?} should name {names:?}");
    assert!(stderr.len() < 400, "the message stays short: {} bytes", stderr.len());
    assert!(out.stdout.is_empty());
}

impl Db {
    pub fn json_unchecked(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_slice(&self.run(&all).stdout).unwrap()
    }
}
