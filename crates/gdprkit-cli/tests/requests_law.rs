//! The rules of requests from the command line (`--json`): objections under Art. 21(1) (R11) and
//! completions that keep part of the data (R5).

#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, assert_refused};

fn open(db: &Db, kind: &str, purposes: &[&str]) -> std::process::Output {
    let mut args = vec!["--json", "request", "open", "--subject", "jean", "--kind", kind, "--via", "web"];
    for p in purposes {
        args.extend(["--purpose", p]);
    }
    db.run(&args)
}

fn id(out: &std::process::Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

const SCORING: [&str; 8] = ["consent", "check", "--subject", "jean", "--purpose", "scoring", "--channel", "email"];

/// Art. 21(1), 18(1)(d): restricted while open, denied once completed; other bases refused.
#[test]
fn an_objection_names_its_purposes() {
    let db = Db::with_sample();
    db.ok(&["purpose", "add", "scoring", "--legal-basis", "legitimate-interests"]);
    assert_eq!(db.run(&SCORING).status.code(), Some(0), "allowed before the objection");
    let opened = open(&db, "objection", &["scoring"]);
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    let id = id(&opened);
    let mut check = vec!["--json"];
    check.extend(SCORING);
    let pending: serde_json::Value = serde_json::from_slice(&db.run(&check).stdout).unwrap();
    assert_eq!(
        (pending["allowed"].as_bool(), pending["decision"]["decided_by"]["kind"].as_str()),
        (Some(false), Some("pending_objection"))
    );
    db.ok(&["request", "accept", &id]);
    db.ok(&["request", "complete", &id]);
    let after: serde_json::Value = serde_json::from_slice(&db.run(&check).stdout).unwrap();
    assert_eq!(
        (after["allowed"].as_bool(), after["decision"]["decided_by"]["kind"].as_str()),
        (Some(false), Some("event"))
    );

    let before = db.entries();
    assert_refused(&open(&db, "objection", &["billing"]), "no right to object");
    assert_refused(&open(&db, "access", &["scoring"]), "only an objection names purposes");
    assert_eq!(db.entries(), before, "nothing written");
}

/// R5: `complete --kept WHAT:CODE[:PERIOD]` records what was kept; a code that does not apply is
/// refused.
#[test]
fn a_completion_names_what_it_kept() {
    let db = Db::with_sample();
    let id = id(&open(&db, "erasure", &[]));
    db.ok(&["request", "accept", &id]);
    assert_refused(&db.run(&["request", "complete", &id, "--kept", "invoices:rights_of_others"]), "erasure");
    assert_refused(&db.run(&["request", "complete", &id, "--kept", "invoices"]), "WHAT:CODE");
    assert_refused(&db.run(&["request", "complete", &id, "--kept", "invoices:legal_obligation:ten"]), "period");
    let done = db.json(&["request", "complete", &id, "--kept", "invoices:legal_obligation:10y"]);
    assert_eq!(done["state"], "completed");
    assert_eq!(done["kept"][0]["what"], "invoices");
    assert_eq!(done["kept"][0]["code"], "legal_obligation");
    assert_eq!(done["kept"][0]["period"]["years"], 10);
    assert!(done["notice"]["text"]["body"].as_str().unwrap().contains("recours juridictionnel"), "{done}");
}

/// R2: the tenant's zone and calendar, stored once, are what every later command reads receipt
/// dates in.
#[test]
fn the_tenants_settings_are_saved_shown_and_followed() {
    let db = Db::with_sample();
    let shown = db.json(&["settings", "show"]);
    assert_eq!((shown["time_zone"].as_str(), shown["calendar"].as_str()), (Some("Europe/Paris"), Some("FR")));
    assert_eq!(shown["stored"], false);
    assert_refused(&db.run(&["settings", "save", "--zone", "Nowhere/City"]), "not an IANA time zone");
    assert_refused(&db.run(&["settings", "save", "--zone", "Etc/GMT-2"]), "fixed offset");
    db.ok(&["settings", "save", "--zone", "Europe/Lisbon"]);
    let shown = db.json(&["settings", "show"]);
    assert_eq!((shown["time_zone"].as_str(), shown["stored"].as_bool()), (Some("Europe/Lisbon"), Some(true)));
    // 22:30 UTC on 31 March 2025 is 23:30 on 31 March in Lisbon (summer time), due 30 April;
    // in Paris it would be 1 April, due 2 May.
    let opened = db.json(&[
        "request",
        "open",
        "--subject",
        "jean",
        "--kind",
        "access",
        "--via",
        "email",
        "--received-at",
        "2025-03-31T22:30:00Z",
    ]);
    assert_eq!(opened["due"], "2025-04-30", "{opened}");
    assert!(db.ok(&["changes"]).contains("settings saved: time zone Europe/Lisbon"));
}
