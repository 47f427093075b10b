//! The command's log at its most verbose: the demo (consents, a request through its life, an
//! export, an erasure, a retention sweep, a ledger check) logs what an operator needs (tenants,
//! request ids, counts) and no personal value, token or key; `--log-format json` writes one JSON
//! object a line.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

const KEY: &str = "a key of thirty-two bytes or more, for the logging test";

fn demo(format: &str) -> (Output, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .args(["--now", "2026-03-02T10:00:00Z", "--log-format", format, "--json", "demo", "--dir"])
        .arg(dir.path().join("demo"))
        .env("GDPRKIT_LOG", "trace")
        .env("GDPRKIT_HMAC_KEY", KEY)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = String::from_utf8(out.stderr.clone()).unwrap();
    (out, log, dir)
}

#[test]
fn the_most_verbose_log_names_what_happened_and_no_one() {
    let (_, log, dir) = demo("human");
    for event in ["request opened", "request step", "subject erased", "swept", "ledger verified", "append"] {
        assert!(log.contains(event), "the log says {event:?}:\n{log}");
    }
    assert!(log.contains("tenant=default"), "events carry the tenant");
    for span in ["erase{tenant=default", "sweep{tenant=default", "verify{tenant=default", "request_step{tenant=default"]
    {
        assert!(log.contains(span), "events inside {span:?} name the span:\n{log}");
    }
    // The demo's people: names, addresses, numbers, notes; the key.
    for personal in ["@example.com", "Camille", "Inès", "Nathan", "Durand", "+336", "prefers calls", KEY] {
        assert!(!log.contains(personal), "{personal:?} in the log");
    }
    // A request opened on the demo's database: its tracking token is printed, never logged.
    let db = dir.path().join("demo").join("gdprkit.db");
    let opened = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .arg("--db")
        .arg(&db)
        .args(["--json", "request", "open", "--subject", "contact-0001", "--kind", "access", "--via", "email"])
        .env("GDPRKIT_LOG", "trace")
        .env("GDPRKIT_HMAC_KEY", KEY)
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&opened.stdout).unwrap();
    let token = printed["token"].as_str().unwrap();
    let log = String::from_utf8(opened.stderr).unwrap();
    assert!(log.contains("request opened") && !log.contains(token), "{log}");
}

#[test]
fn the_json_log_is_one_object_a_line() {
    let (_, log, _dir) = demo("json");
    let mut opened = 0;
    for line in log.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if record["message"] == "request opened" {
            opened += 1;
            assert_eq!(record["tenant"], "default");
            assert!(record["request"].is_string() && record["kind"].is_string(), "{record}");
        }
    }
    assert!(opened > 0, "{log}");
    let erased = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|r| r["message"] == "subject erased")
        .unwrap();
    assert!(
        erased["spans"].as_array().is_some_and(|s| s.iter().any(|s| s["name"] == "erase" && s["tenant"] == "default")),
        "an event names the spans it happened in: {erased}"
    );
}
