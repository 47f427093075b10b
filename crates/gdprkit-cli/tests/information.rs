//! `gdprkit information`: the notice, where each subject's information stands, who is still to
//! be told, and the notices given and exemptions recorded (rules I1 to I4, Arts. 13 and 14).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{Db, assert_refused, gdprkit};

/// The demo's files, made once per test.
fn demo() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = gdprkit(&demo.join("unused.db"), &["demo", "--dir", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (db, map) = (demo.join("gdprkit.db"), demo.join("data-map.toml"));
    (dir, db, map)
}

fn subjects(json: &serde_json::Value) -> BTreeSet<String> {
    json.as_array().unwrap().iter().map(|s| s["subject"].as_str().unwrap().to_owned()).collect()
}

/// Arts. 13 and 14: `information notice` on the demo's file states its purposes with their bases
/// and sources, as text, HTML or JSON with its version and SHA-256; it needs the controller.
#[test]
fn the_information_notice_states_the_demos_purposes() {
    let (_dir, db, map) = demo();
    let notice = ["information", "notice", "--map", map.to_str().unwrap(), "--lang", "en"];
    let run = |extra: &[&str]| gdprkit(&db, &[extra, &notice[..]].concat());
    let text = String::from_utf8(run(&[]).stdout).unwrap();
    for expected in [
        "How we use your personal data",
        "Who holds your data: Acme SAS",
        "Legal basis: your consent (GDPR Art. 6(1)(a))",
        "Legal basis: our legitimate interests (GDPR Art. 6(1)(f))",
        "Where they come from: your company's public directory listing",
        "Lodge a complaint with the supervisory authority (Art. 77): CNIL",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let html = String::from_utf8(run(&["--json"]).stdout).unwrap();
    let json: serde_json::Value = serde_json::from_str(&html).unwrap();
    assert!(json["version"].as_str().unwrap().starts_with("notice-"));
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
    assert!(json["html"].as_str().unwrap().starts_with("<article lang=\"en\">"));
    let only_html = String::from_utf8(gdprkit(&db, &[&notice[..], &["--html"]].concat()).stdout).unwrap();
    assert!(only_html.starts_with("<article") && only_html.contains("<h2>Your rights</h2>"), "{only_html}");
    assert_refused(&run(&["--controller", ""]), "controller");
}

/// Arts. 14(3)(a) and 14(3)(b), rule I4: on the demo's file, `information due --overdue --json`
/// lists exactly the prospects not told whose due date has passed (the first fair's, 45 days
/// ago), `information due` those of the second fair too; the informed ones are listed by neither,
/// and a decision to mail one not told says the message must carry the notice.
#[test]
fn the_demo_lists_exactly_the_prospects_still_to_be_told() {
    let (_dir, db, map) = demo();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = gdprkit(&db, &[&["--json"], args].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let prospect = |i: usize| format!("prospect-{i:04}");
    let overdue = json(&["information", "due", "--overdue"]);
    assert_eq!(subjects(&overdue), (0..100).filter(|i| i % 2 == 1).map(prospect).collect());
    for s in overdue.as_array().unwrap() {
        assert_eq!((s["state"].as_str(), s["due_by"].as_str()), (Some("overdue"), Some("one_month")));
        assert_eq!(s["reference"].as_str(), Some("Salon Bâtir Lyon"));
    }
    let due = json(&["information", "due"]);
    assert_eq!(subjects(&due), (0..200).filter(|i| i % 2 == 1).map(prospect).collect());
    let informed = json(&["information", "status", "--subject", "prospect-0000"]);
    assert_eq!(informed["state"], "informed");
    assert_eq!(informed["informed"]["via"], "email");
    assert!(informed["informed"]["notice_version"].as_str().unwrap().starts_with("notice-"));
    let check = ["consent", "check", "--subject", "prospect-0199", "--purpose", "product-news", "--channel", "email"];
    let text = String::from_utf8(gdprkit(&db, &check).stdout).unwrap();
    assert!(text.contains("the message must carry the information notice"), "{text}");
    let decided = json(&check);
    assert_eq!(decided["decision"]["information"]["overdue"], false);
    // Art. 14(3)(b): a campaign's decisions say it prospect by prospect, the told ones not.
    let campaign = ["--json", "consent", "campaign", "--purpose", "product-news", "--channel", "email"];
    let out = gdprkit(&db, &campaign);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let carrying: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| !d["information"].is_null())
        .map(|d| d["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(carrying, (0..200).filter(|i| i % 2 == 1).map(prospect).collect());
    let all = String::from_utf8(gdprkit(&db, &[&campaign[1..], &["--all"]].concat()).stdout).unwrap();
    let line = |id: &str| all.lines().find(|l| l.starts_with(&format!("{id}\t"))).unwrap().to_owned();
    assert!(line("prospect-0199").contains("the message must carry the information notice, due by"));
    assert!(!line("prospect-0198").contains("information notice"), "told by e-mail");
    // Rule I4: a notice posted to one of the overdue prospects takes them off the list.
    let give = ["information", "give", "--subject", "prospect-0001", "--via", "post", "--map", map.to_str().unwrap()];
    let given = json(&give);
    assert_eq!((given["via"].as_str(), given["delivery"].is_null()), (Some("post"), true));
    let overdue = json(&["information", "due", "--overdue"]);
    assert_eq!(overdue.as_array().unwrap().len(), 49);
    assert!(!subjects(&overdue).contains("prospect-0001"));
}

/// Rules I2 to I4 from the command line: a subject added with its source is due a month later;
/// a communication brings the date forward; a notice posted is recorded; an exemption needs its
/// ground's parts; bad input is refused with nothing written.
#[test]
fn information_from_the_command_line() {
    let db = Db::with_sample();
    let add = ["subject", "add", "lead-1", "--regime", "b2b-opt-out", "--source", "purchased-list"];
    db.ok(&[&add[..], &["--source-ref", "DataCorp March", "--obtained-at", "2025-05-31T10:00:00Z"]].concat());
    let status = db.json(&["information", "status", "--subject", "lead-1"]);
    assert_eq!((status["state"].as_str(), status["due"].as_str()), (Some("due"), Some("2025-06-30")));
    db.ok(&["information", "contacted", "--subject", "lead-1", "--at", "2025-06-01T08:00:00Z"]);
    let status = db.json(&["information", "status", "--subject", "lead-1"]);
    assert_eq!((status["due"].as_str(), status["due_by"].as_str()), (Some("2025-06-01"), Some("first_communication")));

    let entries = db.entries();
    let bad_source = ["subject", "add", "lead-2", "--regime", "b2b-opt-out", "--source", "a-friend"];
    assert_refused(&db.run(&bad_source), "source");
    let exempt = ["information", "exempt", "--subject", "lead-1", "--ground", "disproportionate-effort"];
    assert_refused(&db.run(&[&exempt[..], &["--reason", "no contact details"]].concat()), "public_notice");
    assert_eq!(db.entries(), entries, "nothing written");
    let with_url = ["--reason", "no contact details", "--public-notice", "https://acme.example/notice"];
    db.ok(&[&exempt[..], &with_url].concat());
    assert_eq!(db.json(&["information", "status", "--subject", "lead-1"])["state"], "exempt");
    let none = db.ok(&["information", "due"]);
    assert_eq!(none.trim(), "no subject's information is due");
}

/// Rule I1: the notice as a PDF/A to print and post, whose text is the notice's and whose footer
/// names its version; `qpdf --check` passes.
#[test]
fn the_notice_prints_as_a_pdf() {
    let (dir, db, map) = demo();
    let pdf = dir.path().join("notice.pdf");
    let args = [
        "--json",
        "information",
        "notice",
        "--map",
        map.to_str().unwrap(),
        "--lang",
        "fr",
        "--subject",
        "prospect-0001",
    ];
    let out = gdprkit(&db, &[&args[..], &["--pdf", pdf.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let notice: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::process::Command::new("pdftotext").args(["-raw", pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Comment nous utilisons vos données personnelles",
        "Où nous avons obtenu vos données : un salon professionnel (Salon Bâtir Lyon)",
        "Base légale : notre intérêt légitime (RGPD art. 6.1.f)",
        notice["version"].as_str().unwrap(),
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let check = std::process::Command::new("qpdf").args(["--check", pdf.to_str().unwrap()]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
