//! The facade called by name with JSON, as the Python and Node packages call it: every method,
//! an unknown one, and arguments that do not read.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::json_api::{METHODS, call, error_json};
use gdprkit::testkit::{setup, t};
use gdprkit::{ErrorKind, Gdpr, MemoryStore};
use serde_json::{Value, json};

fn gdpr() -> Gdpr {
    let (g, clock) = setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-03-05T10:00:00Z"));
    g
}

#[test]
fn every_method_answers_with_the_facades_own_types() {
    let g = gdpr();
    let newsletter = json!({ "id": "newsletter", "label": "News", "legal_basis": "consent", "direct_marketing": true });
    assert_eq!(call(&g, "add_purpose", newsletter).unwrap(), Value::Null);
    assert_eq!(call(&g, "purposes", json!({})).unwrap().as_array().unwrap().len(), 3);
    let jeanne = call(&g, "add_subject", json!({ "id": "jeanne", "regime": "b2c_opt_in", "email": "j@example.org" }));
    assert_eq!(jeanne.unwrap()["regime"], "b2c_opt_in");
    let many = call(&g, "add_subjects", json!([{ "id": "a", "regime": "b2b_opt_out" }])).unwrap();
    assert_eq!(many[0]["id"], "a");
    assert_eq!(call(&g, "subject", json!({ "subject": "jeanne" })).unwrap()["email"], "j@example.org");
    let opt_in = json!({
        "subject": "jeanne", "action": "opt_in", "purpose": "newsletter", "channel": "email",
        "occurred_at": "2025-03-01T09:00:00Z",
        "proof": { "source": "web_form", "collected_by": { "by": "subject" }, "notice_version": "v1",
                   "notice_sha256": "0000000000000000000000000000000000000000000000000000000000000000" }
    });
    let event = call(&g, "record_consent", opt_in.clone());
    assert_eq!(event.unwrap()["action"], "opt_in");
    assert_eq!(call(&g, "record_consents", json!([opt_in])).unwrap().as_array().unwrap().len(), 1);
    let d = call(&g, "decide", json!({ "subject": "jeanne", "purpose": "newsletter", "channel": "email" })).unwrap();
    assert_eq!(d["allowed"], true);
    assert!(d["reason"].as_str().unwrap().contains("opted in"), "{d}");
    let campaign =
        call(&g, "decide_many", json!({ "subjects": ["jeanne", "a"], "purpose": "newsletter", "channel": "email" }));
    assert_eq!(
        campaign.unwrap().as_array().unwrap().iter().map(|d| d["allowed"].as_bool()).collect::<Vec<_>>(),
        [Some(true), Some(false)]
    );
    assert_eq!(call(&g, "history", json!({ "subject": "jeanne" })).unwrap().as_array().unwrap().len(), 2);
    assert_eq!(call(&g, "verify_ledger", json!({})).unwrap()["status"], "intact");
    let opened = call(&g, "open_request", json!({ "subject": "jeanne", "kind": "erasure", "via": "email" })).unwrap();
    let id = opened["request"]["id"].as_str().unwrap().to_owned();
    let token = opened["token"].as_str().unwrap().to_owned();
    let step =
        call(&g, "act", json!({ "request": id, "step": { "action": "accept" }, "actor": "Marie", "note": "On it." }));
    assert_eq!(step.unwrap()["request"]["state"], "accepted");
    assert_eq!(call(&g, "request", json!({ "request": id })).unwrap()["kind"], "erasure");
    assert_eq!(call(&g, "requests", json!({})).unwrap().as_array().unwrap().len(), 1);
    assert_eq!(call(&g, "subject_requests", json!({ "subject": "jeanne" })).unwrap().as_array().unwrap().len(), 1);
    assert_eq!(call(&g, "track", json!({ "token": token })).unwrap()["state"], "accepted");
    assert_eq!(call(&g, "track", json!({ "token": "nope" })).unwrap(), Value::Null);
    assert_eq!(call(&g, "settings", json!({})).unwrap()["time_zone"], "Europe/Paris");
    // No mailer here: the receipt and the acceptance wait in the outbox.
    let pending = call(&g, "outbox", json!({})).unwrap();
    assert_eq!(pending.as_array().unwrap().iter().map(|m| m["kind"].as_str()).collect::<Vec<_>>(), [Some("receipt")]);
    assert_eq!(call(&g, "outbox", json!({ "filter": "all" })).unwrap(), pending, "nothing sent yet");
    // A step's fields read as the command line names them: a copy handed over by post (E3).
    let access = call(&g, "open_request", json!({ "subject": "jeanne", "kind": "access", "via": "post" })).unwrap();
    let aid = access["request"]["id"].clone();
    call(&g, "act", json!({ "request": aid, "step": { "action": "accept" }, "actor": "Marie" })).unwrap();
    let handed = json!({ "action": "complete_handed_over", "delivered_by": "post", "on": "2025-03-05" });
    let done = call(&g, "act", json!({ "request": aid, "step": handed, "actor": "Marie" })).unwrap();
    assert_eq!(done["request"]["delivered"]["by"], "post");
    // E3: a copy offered for download on the portal; the request stays in progress until then.
    let copy = call(&g, "open_request", json!({ "subject": "jeanne", "kind": "access", "via": "web" })).unwrap();
    let cid = copy["request"]["id"].clone();
    for action in ["accept", "start"] {
        call(&g, "act", json!({ "request": cid, "step": { "action": action }, "actor": "Marie" })).unwrap();
    }
    let offered = call(&g, "offer_download", json!({ "request": cid, "actor": "Marie" })).unwrap();
    assert_eq!(
        (offered["request"]["state"].as_str(), offered["notice"]["kind"].as_str()),
        (Some("in_progress"), Some("copy_ready"))
    );
    assert!(offered["request"]["download_until"].is_string());
    assert_eq!(call(&g, "request_message", json!({ "request": cid })).unwrap(), Value::Null, "opened by staff");
    assert_eq!(call(&g, "purpose", json!({ "purpose": "newsletter" })).unwrap()["legal_basis"], "consent");
    call(&g, "add_channel", json!({ "name": "whatsapp", "kind": "electronic" })).unwrap();
    assert_eq!(call(&g, "channels", json!({})).unwrap()[0]["name"], "whatsapp");
    let saved = call(&g, "save_settings", json!({})).unwrap();
    assert_eq!(saved["time_zone"], "Europe/Paris");
    assert_eq!(call(&g, "settings", json!({})).unwrap()["stored"], true);
    assert_eq!(METHODS.len(), 55, "every method above and in the next tests");
}

#[test]
fn unknown_methods_and_unreadable_arguments_are_invalid_input_and_write_nothing() {
    let g = gdpr();
    let before = g.verify_ledger().unwrap();
    let err = call(&g, "drop_everything", json!({})).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("method")));
    assert!(err.to_string().contains("decide_many"), "lists the methods: {err}");
    for (method, args) in [
        ("add_subject", json!({ "id": "x" })),
        ("decide", json!({ "subjects": ["b2c"], "purpose": "promo", "channel": "email" })),
        ("decide", json!({ "subject": "b2c", "purpose": "promo", "channel": "email", "at": "yesterday" })),
        ("verify_ledger", json!({ "deep": true })),
        // A misspelled key is refused, never dropped with what it carried.
        ("add_subject", json!({ "id": "x", "regime": "b2c_opt_in", "emial": "x@example.org" })),
        ("act", json!({ "request": "0".repeat(24), "step": { "action": "accept", "colour": "blue" }, "actor": "M" })),
        (
            "record_consent",
            json!({ "subject": "b2c", "action": "opt_in", "purpose": "promo", "channel": "email",
                    "proof": { "source": "web_form", "notice_versoin": "v1" } }),
        ),
    ] {
        let err = call(&g, method, args).unwrap_err();
        assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("args")), "{method}: {err}");
    }
    let err = call(&g, "subject", json!({ "subject": "ghost" })).unwrap_err();
    let described = error_json(&err);
    assert_eq!((described["code"].as_str(), described["retryable"].as_bool()), (Some("not_found"), Some(false)));
    assert_eq!(described["sources"], json!([]), "an unknown subject has no underlying error");
    let wrapped = gdprkit::Error::storage("could not write", std::io::Error::other("disk full"));
    assert_eq!(error_json(&wrapped)["sources"], json!(["disk full"]), "the driver's error comes along");
    assert_eq!(g.verify_ledger().unwrap(), before, "nothing written");
}

/// A gdprkit with the sample data map over CRM tables in memory, an HMAC key, and the map's
/// purposes registered.
fn with_crm() -> (Gdpr, Arc<gdprkit::testkit::memory_crm::MemoryCrm>) {
    let crm = Arc::new(gdprkit::testkit::memory_crm::MemoryCrm::new());
    let map = gdprkit::sample::data_map().unwrap();
    let (g, clock) = gdprkit::testkit::setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        b.crm(crm.clone()).data_map(map).hmac_key(gdprkit::HmacKey::new(vec![42u8; 32]).unwrap())
    });
    clock.set(t("2025-03-05T10:00:00Z"));
    for (id, basis, dm) in [
        ("newsletter", "consent", true),
        ("events", "consent", true),
        ("product-news", "legitimate_interests", true),
        ("lead-scoring", "legitimate_interests", false),
    ] {
        call(&g, "add_purpose", json!({ "id": id, "label": id, "legal_basis": basis, "direct_marketing": dm }))
            .unwrap();
    }
    (g, crm)
}

#[test]
fn lists_erasure_exports_and_the_feed_through_calls_by_name() {
    let (g, crm) = with_crm();
    crm.insert("contacts", "b2c", &[("last_name", gdprkit::anonymize::operators::Value::Text("Durand".into()))]);
    assert_eq!(call(&g, "deadline", json!({ "received": "2025-04-01" })).unwrap()["due"], "2025-05-02");
    for method in ["overdue_requests", "late_requests"] {
        assert_eq!(call(&g, method, json!({})).unwrap(), json!([]), "{method}");
    }
    assert_eq!(call(&g, "requests_due_within", json!({ "days": 3 })).unwrap(), json!([]));
    let d = call(&g, "record_disclosure", json!({ "subject": "b2c", "recipient": "Brevo SAS" })).unwrap();
    assert_eq!(d["recipient"], "Brevo SAS");
    assert_eq!(call(&g, "disclosures", json!({ "subject": "b2c" })).unwrap().as_array().unwrap().len(), 1);
    let applied = call(&g, "purposes_applying_to", json!({ "subject": "b2c" })).unwrap();
    assert!(applied.as_array().unwrap().iter().any(|a| a["purpose"]["id"] == "product-news"), "{applied}");
    let export = call(&g, "export", json!({ "subject": "b2c", "language": "en" })).unwrap();
    assert_eq!((export["format"].as_str(), export["language"].as_str()), (Some("gdprkit-export"), Some("en")));
    let plan = call(&g, "erase_subject", json!({ "subject": "b2c", "dry_run": true })).unwrap();
    assert_eq!(plan["applied"], false);
    assert_eq!(call(&g, "sweep", json!({ "batch_size": 10, "dry_run": true })).unwrap()["applied"], false);

    let restriction =
        call(&g, "open_request", json!({ "subject": "b2c", "kind": "restriction", "via": "web" })).unwrap();
    let rid = restriction["request"]["id"].clone();
    call(&g, "act", json!({ "request": rid, "step": { "action": "accept" }, "actor": "Marie" })).unwrap();
    call(&g, "lift_restriction", json!({ "request": rid, "actor": "Marie", "subject_told": true })).unwrap();
    let erasure = call(&g, "open_request", json!({ "subject": "b2c", "kind": "erasure", "via": "web" })).unwrap();
    let eid = erasure["request"]["id"].clone();
    call(&g, "act", json!({ "request": eid, "step": { "action": "accept" }, "actor": "Marie" })).unwrap();
    let done = call(&g, "execute_request", json!({ "request": eid, "actor": "Marie" })).unwrap();
    assert_eq!(done["outcome"]["request"]["state"], "completed");
    assert_eq!(call(&g, "recipient_tasks", json!({ "request": eid })).unwrap()[0]["recipient"], "Brevo SAS");
    let no_mailer = call(&g, "deliver_pending", json!({})).unwrap_err();
    assert_eq!(no_mailer.kind(), ErrorKind::Config, "no mailer here: {no_mailer}");
    let page = call(&g, "changes_since", json!({ "since": 0, "limit": 3 })).unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 3);
    let told = json!({ "request": eid, "recipient": "Brevo SAS", "outcome": "skipped", "reason": "impossible", "actor": "Marie" });
    assert_eq!(call(&g, "mark_recipient_task", told).unwrap()["status"]["status"], "skipped");
    let half = json!({ "request": eid, "recipient": "Brevo SAS", "outcome": "skipped", "actor": "Marie" });
    assert_eq!(call(&g, "mark_recipient_task", half).unwrap_err().field(), Some("outcome"));
    assert_eq!(call(&g, "finish_interrupted_erasures", json!({})).unwrap(), json!([]));
    assert!(call(&g, "check_map", json!({})).unwrap()["warnings"].is_array());
}

#[test]
fn unsubscribe_references_and_exports_for_download_through_calls_by_name() {
    let (g, _) = with_crm();
    let camille = json!({ "id": "camille", "regime": "b2c_opt_in", "email": "camille@example.org" });
    call(&g, "add_subject", camille).unwrap();
    let opt_in = json!({
        "subject": "camille", "action": "opt_in", "purpose": "newsletter", "channel": "email",
        "proof": { "source": "web_form", "collected_by": { "by": "subject" }, "notice_version": "v1",
                   "notice_sha256": "0000000000000000000000000000000000000000000000000000000000000000" }
    });
    call(&g, "record_consent", opt_in).unwrap();
    let access = call(&g, "open_request", json!({ "subject": "camille", "kind": "portability", "via": "web" }));
    let id = access.unwrap()["request"]["id"].clone();
    call(&g, "act", json!({ "request": id, "step": { "action": "accept" }, "actor": "Marie" })).unwrap();
    let done = call(&g, "complete_with_export", json!({ "request": id, "actor": "Marie" })).unwrap();
    assert_eq!(done["attachment"]["filename"], "export.json");
    assert_eq!(done["outcome"]["request"]["state"], "completed");

    let scoped = json!({ "subject": "camille", "purpose": "newsletter", "channel": "email" });
    let token = call(&g, "unsubscribe_token", scoped).unwrap();
    let done = call(&g, "unsubscribe", json!({ "token": token })).unwrap();
    assert_eq!((done["recorded"].as_bool(), done["event"]["action"].as_str()), (Some(true), Some("opt_out")));
    let half = call(&g, "unsubscribe_token", json!({ "subject": "camille", "purpose": "newsletter" })).unwrap_err();
    assert_eq!(half.field(), Some("args"));

    // An erased subject's opt-out is kept as a keyed hash of the address (suppression list).
    call(&g, "erase_subject", json!({ "subject": "camille" })).unwrap();
    assert_eq!(call(&g, "suppression_list", json!({})).unwrap().as_array().unwrap().len(), 1);
}

/// Rules I1 to I4 and the consent records by name: a prospect from a trade fair, the notice, its
/// status and the list of those due, a notice posted, a communication, exemptions.
#[test]
fn information_and_consent_records_through_calls_by_name() {
    let (g, _) = with_crm();
    let lead = json!({ "id": "lead", "regime": "b2b_opt_out", "email": "lead@example.org", "language": "en",
                       "origin": { "source": "trade_fair", "reference": "Salon Pro", "obtained_at": "2025-02-01T10:00:00Z" } });
    call(&g, "add_subject", lead).unwrap();
    let notice = call(&g, "information_notice", json!({ "subject": "lead", "language": "en" })).unwrap();
    assert!(notice["text"].as_str().unwrap().contains("a trade fair (Salon Pro)"), "{notice}");
    assert_eq!(call(&g, "information_notice", json!({})).unwrap()["language"], "fr");
    let status = call(&g, "information_status", json!({ "subject": "lead" })).unwrap();
    assert_eq!((status["state"].as_str(), status["due"].as_str()), (Some("overdue"), Some("2025-03-03")));
    let due = call(&g, "information_due", json!({ "overdue_only": true })).unwrap();
    assert_eq!(due.as_array().unwrap().len(), 1);
    let seq = call(&g, "record_communication", json!({ "subject": "lead" })).unwrap();
    assert!(seq.as_u64().is_some());
    let exemption = json!({ "ground": "required_by_law", "reason": "a register the law makes public" });
    let other = json!({ "id": "other", "regime": "b2b_opt_out", "origin": { "source": "public_directory" } });
    call(&g, "add_subject", other).unwrap();
    let exempted =
        call(&g, "exempt_source_from_information", json!({ "source": "public_directory", "exemption": exemption }));
    assert_eq!(exempted.unwrap(), json!(["other"]));
    assert!(call(&g, "exempt_from_information", json!({ "subject": "lead", "exemption": exemption })).is_ok());
    let given = call(&g, "inform", json!({ "subject": "lead", "via": "post", "at": "2025-03-04T10:00:00Z" })).unwrap();
    assert_eq!(
        (given["via"].as_str(), given["notice"]["version"].as_str()),
        (Some("post"), notice["version"].as_str())
    );
    let bad = call(&g, "inform", json!({ "subject": "lead", "via": "pigeon" })).unwrap_err();
    assert_eq!(bad.field(), Some("args"));
    let opt_in = json!({
        "subject": "lead", "action": "opt_in", "purpose": "newsletter", "channel": "email",
        "proof": { "source": "web_form", "collected_by": { "by": "subject" }, "notice_version": "v1",
                   "notice_sha256": "0000000000000000000000000000000000000000000000000000000000000000" }
    });
    call(&g, "record_consent", opt_in).unwrap();
    let records = call(&g, "consent_receipt", json!({ "subject": "lead" })).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 1);
}
