//! The `gdprkit` command, run as a user runs it: every command, every exit code, and bad input
//! refused on one line with nothing written.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{CONTROLLER, Db, NOW, assert_refused, gdprkit};

const OPT_IN: &[&str] = &[
    "consent",
    "record",
    "--subject",
    "jean",
    "--action",
    "opt-in",
    "--purpose",
    "newsletter",
    "--channel",
    "email",
    "--at",
    "2025-05-01T10:00:00+02:00",
    "--source",
    "web-form",
    "--collected-by",
    "subject",
    "--notice-version",
    "v3",
    "--notice-sha256",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "--ip",
    "203.0.113.9",
    "--user-agent",
    "Mozilla/5.0",
];

#[test]
fn purposes_are_added_and_listed() {
    let db = Db::with_sample();
    let list = db.json(&["purpose", "list"]);
    assert_eq!(list[0]["id"], "billing");
    assert_eq!(list[1]["legal_basis"], "consent");
    assert_eq!(list[1]["direct_marketing"], true);
    assert_eq!(list[1]["label"], "News");
    let text = db.ok(&["purpose", "list"]);
    assert!(text.contains("newsletter") && text.contains("direct marketing"), "{text}");
    assert_refused(&db.run(&["purpose", "add", "newsletter", "--legal-basis", "consent"]), "newsletter");
    assert_refused(&db.run(&["purpose", "add", "x", "--legal-basis", "because"]), "legal_basis");
}

#[test]
fn consent_is_recorded_checked_and_listed() {
    let db = Db::with_sample();
    let check = ["consent", "check", "--subject", "jean", "--purpose", "newsletter", "--channel", "email"];
    assert_eq!(db.run(&check).status.code(), Some(1), "a consumer is denied by default");
    let out = String::from_utf8(db.run(&check).stdout).unwrap();
    assert!(out.starts_with("not allowed: ") && out.contains("b2c_opt_in"), "{out}");

    let recorded = db.json(OPT_IN);
    assert_eq!(recorded["seq"], 5);
    assert_eq!(recorded["occurred_at"], "2025-05-01T08:00:00Z");
    assert_eq!(recorded["recorded_at"], "2025-06-01T12:00:00Z");

    let out = db.run(&check);
    assert_eq!(out.status.code(), Some(0));
    let mut json_check = vec!["--json"];
    json_check.extend_from_slice(&check);
    let out = db.run(&json_check);
    assert_eq!(out.status.code(), Some(0));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["allowed"], true);
    assert_eq!(decision["since"], "2025-05-01T08:00:00.000000Z");
    assert!(decision["reason"].as_str().unwrap().contains("ledger entry 5"));

    let mut before = check.to_vec();
    before.extend(["--at", "2025-04-30T00:00:00Z"]);
    assert_eq!(db.run(&before).status.code(), Some(1), "before the opt-in happened");

    db.ok(&["consent", "record", "--subject", "jean", "--action", "object"]);
    assert_eq!(db.run(&check).status.code(), Some(1), "the objection stops direct marketing");
    let billing = ["consent", "check", "--subject", "jean", "--purpose", "billing", "--channel", "post"];
    assert_eq!(db.run(&billing).status.code(), Some(0), "invoices on a contract need no opt-in (rule C4)");

    let history = db.json(&["consent", "history", "--subject", "jean"]);
    let events = history.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "opt_in");
    assert_eq!(events[0]["proof"]["ip"], "203.0.113.9");
    assert_eq!(events[0]["proof"]["notice_version"], "v3");
    assert_eq!(events[1]["action"], "object");
    assert_eq!(events[1]["purpose"], serde_json::Value::Null);
    let text = db.ok(&["consent", "history", "--subject", "jean"]);
    assert!(text.contains("2025-05-01T08:00:00.000000Z") && text.contains("2025-06-01T12:00:00.000000Z"), "{text}");
}

#[test]
fn a_campaign_lists_the_subjects_that_may_be_contacted() {
    let db = Db::with_sample();
    db.json(OPT_IN);
    let campaign = ["consent", "campaign", "--purpose", "newsletter", "--channel", "email", "--page", "1"];
    let out = db.run(&campaign);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "jean\n", "only the subject who opted in (rule C1)");
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "2 subjects decided, 1 allowed\n");
    let mut all = campaign.to_vec();
    all.push("--all");
    let text = db.ok(&all);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("acme-buyer\tnot allowed\t") && lines[1].starts_with("jean\tallowed\t"), "{text}");
    let mut json = vec!["--json"];
    json.extend_from_slice(&all);
    let out = db.run(&json);
    let decisions: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((decisions[0]["allowed"].as_bool(), decisions[1]["subject"].as_str()), (Some(false), Some("jean")));
    let mut bad = campaign.to_vec();
    bad[7] = "0";
    assert_refused(&db.run(&bad), "page");
}

#[test]
fn subjects_are_added_once() {
    let db = Db::with_sample();
    let s = db.json(&["subject", "add", "marie", "--regime", "soft-opt-in", "--email", "marie@example.fr"]);
    assert_eq!(s["regime"], "soft_opt_in", "values are snake_case; the argument may use hyphens");
    assert_eq!(s["registered_at"], "2025-06-01T12:00:00Z");
    assert_refused(&db.run(&["subject", "add", "marie", "--regime", "soft-opt-in"]), "marie");
    assert_refused(&db.run(&["subject", "add", "paul", "--regime", "b2b"]), "regime");
    assert_refused(&db.run(&["subject", "add", "paul", "--regime", "b2b-opt-out", "--email", "paul"]), "email");
    assert_refused(&db.run(&["subject", "add", "paul", "--regime", "b2b-opt-out", "--lang", "de"]), "language");
}

#[test]
fn bad_input_is_refused_on_one_line_and_writes_nothing() {
    let db = Db::with_sample();
    let before = db.entries();
    let long_id = "x".repeat(300);
    let huge = "y".repeat(100 * 1024);
    let sha = "a".repeat(64);
    // `consent record` of an action, with the given flags replacing or adding to the defaults:
    // jean, newsletter, e-mail.
    let record = |action: &str, flags: &[&str]| -> Vec<String> {
        let mut pairs =
            vec![("--subject", "jean"), ("--action", action), ("--purpose", "newsletter"), ("--channel", "email")];
        for pair in flags.chunks(2) {
            match pairs.iter_mut().find(|(flag, _)| *flag == pair[0]) {
                Some(existing) => existing.1 = pair[1],
                None => pairs.push((pair[0], pair[1])),
            }
        }
        let mut args = vec!["consent".to_owned(), "record".to_owned()];
        args.extend(pairs.into_iter().flat_map(|(f, v)| [f.to_owned(), v.to_owned()]));
        args
    };
    let owned = |args: &[&str]| -> Vec<String> { args.iter().map(|a| (*a).to_owned()).collect() };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (owned(&["subject", "add", "", "--regime", "b2b-opt-out"]), "subject"),
        (owned(&["subject", "add", &long_id, "--regime", "b2b-opt-out"]), "subject"),
        (owned(&["subject", "add", &huge, "--regime", "b2b-opt-out"]), "subject"),
        (record("opt-out", &["--subject", "ghost"]), "ghost"),
        (record("opt-out", &["--purpose", "nope"]), "nope"),
        (record("opt-out", &["--channel", "Fax"]), "channel"),
        (record("subscribe", &[]), "invalid action"),
        (record("opt-out", &["--at", "last tuesday"]), "--at"),
        (record("opt-out", &["--at", "2030-01-01T00:00:00Z"]), "later than now"),
        (record("opt-out", &["--user-agent", &huge]), "user_agent"),
        (
            owned(&["consent", "record", "--subject", "jean", "--action", "opt-out", "--channel", "email"]),
            "invalid purpose: is required",
        ),
        (record("opt-in", &[]), "proof"),
        (
            record(
                "opt-in",
                &[
                    "--source",
                    "import",
                    "--collected-by",
                    "third-party:ListCo",
                    "--notice-version",
                    "v1",
                    "--notice-sha256",
                    &sha,
                ],
            ),
            "proof reference",
        ),
        (
            owned(&[
                "consent",
                "check",
                "--subject",
                "jean",
                "--purpose",
                "newsletter",
                "--channel",
                "email",
                "--at",
                "2025-13-01T00:00:00Z",
            ]),
            "--at",
        ),
        (owned(&["consent", "check", "--subject", &huge, "--purpose", "newsletter", "--channel", "email"]), "subject"),
        (owned(&["consent", "history", "--subject", "ghost"]), "ghost"),
        (owned(&["--tenant", "a b", "purpose", "list"]), "invalid tenant"),
        (owned(&["--now", "soon", "purpose", "list"]), "--now"),
        (owned(&["consent", "frobnicate"]), "frobnicate"),
    ];
    for (args, names) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_refused(&db.run(&args), names);
    }
    assert_eq!(db.entries(), before, "no refused command wrote an entry");
}

#[test]
fn a_refused_command_creates_no_database() {
    let db = Db::new();
    assert_refused(&db.run(&["subject", "add", "", "--regime", "b2b-opt-out"]), "subject");
    assert_refused(&db.run(&["ledger", "verify"]), "no database");
    assert_refused(&db.run(&["consent", "history", "--subject", "jean"]), "no database");
    assert!(!db.path.exists(), "nothing was created");
    assert_refused(&gdprkit(Path::new("postgres://localhost/crm"), &["purpose", "list"]), "PostgreSQL");
}

#[test]
fn read_only_commands_never_create_or_migrate_and_uris_are_refused() {
    let db = Db::new();
    std::fs::write(&db.path, b"").unwrap();
    for args in [
        &["purpose", "list"][..],
        &["ledger", "verify"],
        &["consent", "record", "--subject", "x", "--action", "object"],
    ] {
        assert_refused(&db.run(args), "empty");
    }
    assert_eq!(std::fs::metadata(&db.path).unwrap().len(), 0, "the empty file stays empty");

    // A database at schema 1: reading refuses it as it is; the first write brings it up to date.
    std::fs::remove_file(&db.path).unwrap();
    let c = rusqlite::Connection::open(&db.path).unwrap();
    c.execute_batch(include_str!("../../gdprkit-sqlite/migrations/0001_initial.sql")).unwrap();
    c.execute_batch("CREATE TABLE gdprkit_schema (version INTEGER NOT NULL); INSERT INTO gdprkit_schema VALUES (1);")
        .unwrap();
    drop(c);
    let version = || -> i64 {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .query_row("SELECT version FROM gdprkit_schema", [], |r| r.get(0))
            .unwrap()
    };
    assert_refused(&db.run(&["purpose", "list"]), "older gdprkit");
    assert_eq!(version(), 1, "not migrated by a read");
    db.ok(&["purpose", "add", "billing", "--legal-basis", "contract"]);
    assert!(version() > 1, "migrated by a write");
    assert!(db.ok(&["purpose", "list"]).contains("billing"));

    // A file: URI with options is refused, not opened.
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file:{}?mode=memory", dir.path().join("x.db").display());
    assert_refused(&gdprkit(Path::new(&uri), &["purpose", "add", "p", "--legal-basis", "contract"]), "URI");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_argument_too_large_for_the_system_never_reaches_the_program() {
    // Linux refuses any single argument over 128 KiB (MAX_ARG_STRLEN) before the program starts,
    // so a 10 MB argument cannot be given; the largest that can is refused above on one line.
    let db = Db::with_sample();
    let ten_mb = "z".repeat(10 * 1024 * 1024);
    let spawn = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args(["subject", "add", &ten_mb])
        .output();
    let err = spawn.expect_err("the system refuses the argument");
    assert_eq!(err.raw_os_error(), Some(7), "E2BIG: {err}");
    assert_eq!(db.entries(), 4);
}

#[test]
fn ledger_verify_names_a_tampered_entry() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    assert_eq!(db.run(&["ledger", "verify"]).status.code(), Some(0));
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE gdprkit_ledger SET occurred_at = occurred_at + 1 WHERE seq = 5", []).unwrap();
    drop(conn);
    let out = db.run(&["ledger", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ledger broken at entry 5:"), "{text}");
    let v = db.json_unchecked(&["ledger", "verify"]);
    assert_eq!((v["status"].as_str(), v["seq"].as_u64()), (Some("broken"), Some(5)));
}

#[test]
fn tenants_have_their_own_records() {
    let db = Db::with_sample();
    db.ok(&["--tenant", "acme", "purpose", "add", "newsletter", "--legal-basis", "consent"]);
    assert_eq!(db.json(&["--tenant", "acme", "purpose", "list"]).as_array().unwrap().len(), 1);
    assert_refused(&db.run(&["--tenant", "acme", "consent", "history", "--subject", "jean"]), "jean");
}

#[test]
fn output_to_a_reader_that_has_gone_ends_quietly() {
    // As with `gdprkit demo | head -1`: the pipe closes before the demo has said everything.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .args(["--now", NOW, "demo", "--dir"])
        .arg(dir.path().join("demo"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "the exit code a shell shows for a closed pipe");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no panic, no message");
}

#[test]
fn the_demo_builds_a_crm_and_verifies_its_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gdprkit"));
        if json {
            c.arg("--json");
        }
        c.args(["demo", "--dir"]).arg(&demo).output().unwrap()
    };
    let out = run(false);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "1000 contacts",
        "objected to all direct marketing",
        "Campaign filter",
        "refused for a legal obligation",
        "extended once",
        "overdue",
        "Objection (Art. 21(1))",
        "Partial erasure",
        "Information (Arts. 13 and 14): imported 200 prospects",
        "the message must carry the notice notice-",
        "Ledger: intact",
    ] {
        assert!(text.contains(expected), "the demo should say {expected:?}:\n{text}");
    }
    // A second run starts from a fresh file and tells the same story.
    let out = run(true);
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["contacts"], 1000);
    assert_eq!(summary["ledger"]["status"], "intact");
    let entries = summary["ledger"]["entries"].as_u64().unwrap();
    // 4 purposes, 1000 subjects, the consent events, 8 request entries (4 openings, an
    // acceptance, a completion, a refusal and an extension), and the erasure request's 5 (its
    // opening, acceptance, start, the erasure itself and the completion), and the access
    // request answered with an export's 3 (opening, acceptance, completion); and one per message
    // queued in the outbox.
    let messages = summary["messages"].as_u64().unwrap();
    assert!(messages > 0, "the requests' notices are queued");
    // The erasure carries the contact's objection over as one more entry; then the erased
    // contact's address imported again: its registration and the objection it inherits from the
    // suppression list.
    let carried = summary["erasure"]["denials_kept"].as_u64().unwrap();
    assert_eq!(carried, 1);
    // And the objection under Art. 21(1): its opening, acceptance, completion and the object
    // event the completion records. And the trade fairs' prospects, each registered, half of
    // them informed (an `informed` entry beside the message that carried the notice).
    let information = &summary["information"];
    assert_eq!((information["prospects"].as_u64(), information["informed"].as_u64()), (Some(200), Some(100)));
    assert_eq!(
        entries,
        5 + 1000 + summary["consent_events"].as_u64().unwrap() + 8 + 4 + 5 + carried + 3 + messages + 2 + 200 + 100
    );
    let objection = &summary["objection"];
    assert_eq!(
        [&objection["before"], &objection["while_assessed"], &objection["upheld"]].map(|d| d["allowed"].as_bool()),
        [Some(true), Some(false), Some(false)],
        "Art. 21(1): allowed, restricted while assessed, stopped once upheld"
    );
    assert!(objection["while_assessed"]["reason"].as_str().unwrap().contains("Art. 18(1)(d)"));
    // R5: the erasure kept the invoices under a legal obligation, and says so.
    assert_eq!(summary["erasure"]["kept"][0]["what"], "invoices");
    assert_eq!(summary["erasure"]["kept"][0]["code"], "legal_obligation");
    let pdf = std::fs::read(demo.join("export.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "the demo writes the export as a PDF");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(demo.join("export.json")).unwrap()).unwrap();
    assert_eq!(
        (json["format"].as_str(), json["subject"]["id"].as_str()),
        (Some("gdprkit-export"), Some("contact-0024"))
    );
    assert!(!json["events"].as_array().unwrap().is_empty(), "with the contact's calls");
    assert_eq!(summary["erasure"]["crm_rows_touched"], 2, "a contact row anonymized and a call deleted");
    // Rule C9: the erased contact's objection outlives it on the suppression list, and the same
    // address imported again inherits it.
    assert_eq!(summary["erasure"]["suppressed"], 1);
    assert_eq!(summary["erasure"]["reimported"]["allowed"], false);
    assert!(summary["erasure"]["reimported"]["reason"].as_str().unwrap().contains("suppression list"));
    assert!(demo.join("data-map.toml").exists(), "the demo leaves its data map to read");
    let swept = summary["swept"].as_u64().unwrap();
    assert!(swept > 100 && swept < 1000, "some contacts are past their retention: {swept}");
    let requests = &summary["requests"];
    assert_eq!(requests["overdue"].as_array().unwrap().len(), 1, "one request is left overdue");
    assert_eq!(requests["notices"], 7, "4 receipts, a completion, a refusal and an extension");
    let decisions = summary["decisions"].as_array().unwrap();
    assert_eq!(
        decisions.iter().map(|d| d["allowed"].as_bool().unwrap()).collect::<Vec<_>>(),
        // Rule C4: a purpose on consent needs an opt-in even from a B2B contact; the B2B rule for
        // product news; a consumer's opt-in, withdrawal and silence; post and invoices need no
        // opt-in; a soft opt-in only with its offer on record; an objection stops marketing only.
        [false, true, true, false, false, true, true, true, false, false, true]
    );
    // The newsletter is on consent: only the consumers who opted in and did not withdraw.
    let allowed = summary["campaign"]["allowed"].as_u64().unwrap();
    assert!(allowed > 100 && allowed < 350, "{allowed}");
}

#[test]
fn deadlines_follow_the_eu_rule_with_french_holidays() {
    let db = Db::new();
    let due = db.json(&["deadline", "--received", "2025-04-01"]);
    assert_eq!(due["due"], "2025-05-02", "1 May is a holiday");
    assert_eq!(due["extended_due"], "2025-07-01");
    let text = db.ok(&["deadline", "--received", "2025-12-31", "--calendar", "fr"]);
    assert_eq!(text.trim(), "received 2025-12-31: due 2026-02-02 (Monday), at the latest 2026-03-31 if extended");
    assert_refused(&db.run(&["deadline", "--received", "2025-02-30"]), "--received");
    assert_refused(&db.run(&["deadline", "--received", "2025-03-01", "--calendar", "XX"]), "calendar");
    assert_refused(&db.run(&["deadline", "--received", "2025-03-01", "--zone", "UTC+2"]), "time zone");
    // R2: an instant is read in the controller's zone; Alsace-Moselle and .ics calendars.
    let helsinki = db.json(&["deadline", "--received", "2025-01-31T22:30:00Z", "--zone", "Europe/Helsinki"]);
    assert_eq!(helsinki["received"], "2025-02-01");
    let paris = db.json(&["deadline", "--received", "2025-01-31T22:30:00Z"]);
    assert_eq!(paris["received"], "2025-01-31");
    assert_eq!(db.json(&["deadline", "--received", "2025-03-18", "--calendar", "FR-AM"])["due"], "2025-04-22");
    let ics = db.path.with_file_name("pt.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:19780610\r\n\
         RRULE:FREQ=YEARLY\r\nSUMMARY:Dia de Portugal\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let lisbon = ["deadline", "--received", "2025-05-10", "--zone", "Europe/Lisbon", "--calendar"];
    assert_eq!(db.json(&[&lisbon[..], &[ics.to_str().unwrap()]].concat())["due"], "2025-06-11");
    assert!(!db.path.exists(), "deadlines need no database");
}

/// What an export tells a person of the sample's newsletter (Art. 15(1)).
const NEWSLETTER: &str =
    "[[processing]]\npurpose = \"newsletter\"\ncategories = [\"identity\"]\nretention = \"until you unsubscribe\"\n";

/// Writes a data map with one entity, `contacts` (id as subject column, anonymized on erasure),
/// with `extra` lines in the entity and `fields` as its fields, and what an export says of the
/// newsletter.
fn write_contacts_map(path: &Path, extra: &str, fields: &str) {
    let map = format!(
        "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"id\"\ncategory = \"identity\"\n\
         on_erasure = \"anonymize\"\n{extra}\n[entity.fields]\n{fields}\n\n{NEWSLETTER}"
    );
    std::fs::write(path, map).unwrap();
}

/// Opens a request at `NOW` and returns its id and token.
fn open_request(db: &Db, kind: &str, received: &str) -> (String, String) {
    let out =
        db.json(&["request", "open", "--subject", "jean", "--kind", kind, "--via", "email", "--received-at", received]);
    (out["id"].as_str().unwrap().to_owned(), out["token"].as_str().unwrap().to_owned())
}

#[test]
fn requests_are_opened_stepped_tracked_and_listed() {
    let db = Db::with_sample();
    let (id, token) = open_request(&db, "access", "2025-05-20T09:00:00Z");
    assert_eq!(id.len(), 24);
    assert!(token.len() >= 32, "at least 128 bits");
    let text = db.ok(&["request", "show", &id]);
    assert!(text.contains("state: received") && text.contains("due: 2025-06-20"), "{text}");

    let tracked = db.json(&["request", "track", &token]);
    assert_eq!(tracked["state"], "received");
    assert_eq!(tracked.get("subject"), None, "the public view names no one");
    let wrong = db.run(&["request", "track", &"0".repeat(40)]);
    let unknown = db.run(&["request", "track", "nonsense"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!((wrong.stdout.clone(), wrong.status.code()), (unknown.stdout, unknown.status.code()), "the same answer");

    db.ok(&[
        "request",
        "await-subject",
        &id,
        "--kind",
        "clarification",
        "--reason",
        "Please confirm your address.",
        "--by",
        "Marie",
    ]);
    assert!(db.ok(&["request", "show", &id]).contains("waiting on the subject for: Please confirm your address."));
    db.ok(&["request", "resume", &id, "--public-note", "Thank you, we have your address."]);
    let tracked = db.ok(&["request", "track", &token]);
    assert!(tracked.contains("Thank you, we have your address."), "{tracked}");
    db.ok(&["request", "extend", &id, "--ground", "complexity", "--reason", "Three systems to search."]);
    db.ok(&["request", "accept", &id]);
    db.ok(&["request", "start", &id]);
    assert_refused(&db.run(&["request", "complete", &id]), "completed with its copy delivered");
    let done = db.json(&["request", "complete", &id, "--delivered-by", "in-person", "--on", "2025-06-01"]);
    assert_eq!(done["state"], "completed");
    assert_eq!(done["delivered"]["by"], "in_person");
    assert_eq!(done["initial_due"], "2025-06-20");
    assert_refused(&db.run(&["request", "accept", &id]), "accept does not apply to a request that is completed");

    let (refused, _) = open_request(&db, "erasure", "2025-05-21T09:00:00Z");
    let out = db.json(&["request", "refuse", &refused, "--code", "legal-claims", "--reason", "A dispute is pending."]);
    assert_eq!(out["refusal"], "legal_claims");
    let (withdrawn, _) = open_request(&db, "portability", "2025-05-22T09:00:00Z");
    db.ok(&["request", "withdraw", &withdrawn, "--by", "subject"]);
    let (late, _) = open_request(&db, "rectification", "2025-04-01T09:00:00Z");

    let list = db.json(&["request", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
    let overdue = db.json(&["request", "list", "--overdue"]);
    assert_eq!(
        overdue.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(),
        [late.as_str()]
    );
    assert_eq!(db.json(&["request", "list", "--state", "refused"])[0]["id"], refused.as_str());
    assert_eq!(db.json(&["request", "list", "--due-within", "3"]).as_array().unwrap().len(), 0);
    assert!(db.ok(&["request", "list"]).contains(&late));
    // And a message queued per notice: four receipts, the waiting, the extension, the completion
    // and the refusal.
    assert_eq!(
        db.ok(&["ledger", "verify"]).trim(),
        format!("ledger intact: {} entries checked", 4 + 7 + 2 + 2 + 1 + 8)
    );
    let outbox = db.json(&["outbox", "list"]);
    assert_eq!(outbox.as_array().unwrap().len(), 8, "every notice waits for a mail server: {outbox}");
}

#[test]
fn bad_request_input_is_refused_and_writes_nothing() {
    let db = Db::with_sample();
    let (id, _) = open_request(&db, "access", "2025-05-20T09:00:00Z");
    let before = db.entries();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["request", "open", "--subject", "jean", "--kind", "deletion", "--via", "email"], "invalid kind"),
        (vec!["request", "open", "--subject", "jean", "--kind", "access", "--via", "fax"], "invalid via"),
        (vec!["request", "open", "--subject", "ghost", "--kind", "access", "--via", "email"], "ghost"),
        (
            vec![
                "request",
                "open",
                "--subject",
                "jean",
                "--kind",
                "access",
                "--via",
                "email",
                "--received-at",
                "2025-02-30T10:00:00Z",
            ],
            "--received-at",
        ),
        (vec!["request", "complete", &id], "complete does not apply to a request that is received"),
        (vec!["request", "show", "42"], "request"),
        (vec!["request", "show", "0123456789abcdef01234567"], "unknown request"),
        (vec!["request", "extend", &id, "--ground", "laziness", "--reason", "x"], "invalid ground"),
        (vec!["request", "refuse", &id, "--code", "because", "--reason", "x"], "invalid code"),
        (vec!["request", "refuse", &id, "--code", "other", "--reason", ""], "reason"),
        (vec!["request", "list", "--state", "pending"], "invalid state"),
    ];
    for (args, names) in &cases {
        assert_refused(&db.run(args), names);
    }
    assert_eq!(db.entries(), before, "no refused command wrote an entry");
}

#[test]
fn recipients_of_an_erased_subject_are_tracked() {
    let db = Db::with_sample();
    db.ok(&["disclosure", "add", "--subject", "jean", "--recipient", "Acme Logistics", "--at", "2025-01-01T00:00:00Z"]);
    db.ok(&["disclosure", "add", "--subject", "jean", "--recipient", "Beta Payments"]);
    let list = db.json(&["disclosure", "list", "--subject", "jean"]);
    assert_eq!(list[0]["recipient"], "Acme Logistics");
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (id, _) = open_request(&db, "erasure", "2025-05-20T09:00:00Z");
    assert_eq!(db.ok(&["request", "tasks", &id]).trim(), "no recipients to tell");
    db.ok(&["request", "accept", &id]);
    db.ok(&["request", "complete", &id]);
    let text = db.ok(&["request", "tasks", &id]);
    assert_eq!(text.trim(), "Acme Logistics: to tell\nBeta Payments: to tell");
    db.ok(&["request", "tell-recipient", &id, "--recipient", "Acme Logistics", "--sent"]);
    let skipped = db.json(&["request", "tell-recipient", &id, "--recipient", "Beta Payments", "--skip", "impossible"]);
    assert_eq!(skipped["status"]["status"], "skipped");
    assert_refused(
        &db.run(&["request", "tell-recipient", &id, "--recipient", "Acme Logistics", "--sent"]),
        "no pending task",
    );
    assert_refused(
        &db.run(&["request", "tell-recipient", &id, "--recipient", "Gamma", "--skip", "lazy"]),
        "invalid reason",
    );
    assert_refused(&db.run(&["disclosure", "add", "--subject", "ghost", "--recipient", "Acme"]), "ghost");
}

#[test]
fn a_data_map_is_checked_against_the_crm_schema() {
    let db = Db::new();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, email TEXT, phone TEXT, age INTEGER);").unwrap();
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    let write = |fields: &str| {
        write_contacts_map(&map, "", fields);
    };
    let map_arg = map.to_str().unwrap();
    write("phone = { op = \"mask\", keep_last = 2 }\nage = { op = \"generalize\", to = \"range\", width = 10 }");
    let out = db.json(&["map", "check", map_arg]);
    assert_eq!((out["entities"].as_u64(), out["fields"].as_u64()), (Some(1), Some(2)));
    // Rule A3: what keeps the rows pseudonymized is named, the unnamed column included.
    let warnings: Vec<&str> = out["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let (labels, warnings): (Vec<&str>, Vec<&str>) = warnings.into_iter().partition(|w| w.contains("no label"));
    // Art. 12(1): what an export would show by its CRM name is named too; the key is technical.
    assert!(labels.contains(&"entity \"contacts\", column \"phone\" has no label in fr, en: exports show its name"));
    assert!(!labels.iter().any(|w| w.contains("\"id\"")), "{labels:?}");
    assert_eq!(
        warnings,
        [
            "entity \"contacts\": field phone declares no kind (identifier, quasi, free_text, non_personal or technical)",
            "entity \"contacts\": field age declares no kind (identifier, quasi, free_text, non_personal or technical)",
            "entity \"contacts\": column email is not named in the data map, and may hold anything",
        ]
    );
    write(
        "phone = { op = \"null\", kind = \"identifier\" }\nage = { op = \"generalize\", to = \"range\", width = 10, kind = \"quasi\" }\nemail = { op = \"null\", kind = \"identifier\" }",
    );
    let text = db.ok(&["map", "check", map_arg]);
    let a3 = text.lines().filter(|l| l.starts_with("warning") && !l.contains("no label")).count();
    assert_eq!(a3, 0, "everything named and removed: {text}");
    write("fax = \"null\"");
    assert_refused(&db.run(&["map", "check", map_arg]), "column \"fax\" does not exist");
    write("age = \"redact\"");
    assert_refused(&db.run(&["map", "check", map_arg]), "field \"age\" (INTEGER)");
    write("email = \"pseudonymize\"");
    assert_refused(&db.run(&["map", "check", map_arg]), "GDPRKIT_HMAC_KEY");
    let with_key = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .args(["--db", db.path.to_str().unwrap(), "map", "check", map_arg])
        .env("GDPRKIT_HMAC_KEY", "a secret of the integrator, 32 bytes or more")
        .output()
        .unwrap();
    assert!(with_key.status.success(), "{}", String::from_utf8_lossy(&with_key.stderr));
    write("email = \"shred\"");
    assert_refused(&db.run(&["map", "check", map_arg]), "field \"email\"");
    assert_refused(&db.run(&["map", "check", "/no/such/map.toml"]), "/no/such/map.toml");
    let tables: i64 = rusqlite::Connection::open(&db.path)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master WHERE name LIKE 'gdprkit%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 0, "checking a map writes nothing into the CRM's database");
}

#[test]
fn erase_shows_its_plan_then_erases() {
    let db = Db::with_sample();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(
        "CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT, phone TEXT);
         INSERT INTO contacts VALUES ('jean', 'Jean Valjean', '0601020304'), ('acme-buyer', 'Javert', '0605060708');",
    )
    .unwrap();
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"\nphone = { op = \"mask\", keep_last = 2 }");
    let map_arg = map.to_str().unwrap();
    let dry = db.ok(&["erase", "--subject", "jean", "--map", map_arg, "--dry-run"]);
    assert!(dry.starts_with("dry run: erasing jean would change:"), "{dry}");
    assert!(dry.contains("name by redact, phone by mask"), "{dry}");
    let name = |id: &str| -> String {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .query_row("SELECT name FROM contacts WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(name("jean"), "Jean Valjean", "a dry run changes nothing");
    let report = db.json(&["erase", "--subject", "jean", "--map", map_arg]);
    assert_eq!(report["applied"], true);
    assert_eq!(name("jean"), "[redacted]");
    assert_eq!(name("acme-buyer"), "Javert");
    assert_eq!(db.run(&["ledger", "verify"]).status.code(), Some(0));
    assert_refused(&db.run(&["erase", "--subject", "ghost", "--map", map_arg]), "ghost");

    let (id, _) = open_request(&db, "erasure", "2025-05-20T09:00:00Z");
    assert_refused(&db.run(&["request", "execute", &id, "--map", map_arg]), "accept it first");
    db.ok(&["request", "accept", &id]);
    let done = db.json(&["request", "execute", &id, "--map", map_arg]);
    assert_eq!(done["outcome"]["request"]["state"], "completed");
    assert_eq!(db.ok(&["request", "show", &id]).lines().nth(1), Some("state: completed"));
}

#[test]
fn a_restriction_denies_contact_until_lifted() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    let check = ["consent", "check", "--subject", "jean", "--purpose", "newsletter", "--channel", "email"];
    assert_eq!(db.run(&check).status.code(), Some(0));
    let (id, _) = open_request(&db, "restriction", "2025-05-20T09:00:00Z");
    db.ok(&["request", "accept", &id]);
    let out = db.run(&check);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("restricted at the subject's request"));
    assert_refused(&db.run(&["request", "lift-restriction", &id]), "Art. 18(3)");
    db.ok(&["request", "lift-restriction", &id, "--subject-told"]);
    assert_eq!(db.run(&check).status.code(), Some(0));
    assert_refused(&db.run(&["request", "lift-restriction", &id, "--subject-told"]), "not restricted");
}

#[test]
fn sweep_applies_retention_once() {
    let db = Db::new();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(
        "CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT, last_inbound_at TEXT);
         INSERT INTO contacts VALUES ('old', 'Ancien Contact', '2020-01-01'), ('new', 'Nouveau Contact', '2025-01-01');",
    )
    .unwrap();
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(
        &map,
        "retention = { keep_for = \"3y\", from_column = \"last_inbound_at\", then = \"anonymize\" }",
        "name = { op = \"redact\", kind = \"identifier\" }\nlast_inbound_at = { kind = \"quasi\" }",
    );
    let map_arg = map.to_str().unwrap();
    // Rule A3: the date of last contact is kept, so the rows are only pseudonymized, and the
    // command says so and why.
    let why = "(not anonymized: quasi field last_inbound_at is kept, not removed or generalized)";
    assert_eq!(
        db.ok(&["sweep", "--map", map_arg, "--dry-run"]).trim(),
        format!("dry run: rows whose retention ran out\n  contacts: 1 row(s) to pseudonymize {why}")
    );
    assert_eq!(
        db.ok(&["sweep", "--map", map_arg, "--batch", "1"]).trim(),
        format!("swept\n  contacts: 1 row(s) pseudonymized {why}")
    );
    assert_eq!(
        db.ok(&["sweep", "--map", map_arg]).trim(),
        format!("swept\n  contacts: 0 row(s) pseudonymized {why}"),
        "nothing the second time"
    );
    let names: Vec<String> = rusqlite::Connection::open(&db.path)
        .unwrap()
        .prepare("SELECT name FROM contacts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["Nouveau Contact", "[redacted]"]);
    let dir_of_db = db.path.parent().unwrap();
    assert_eq!(
        files_holding(dir_of_db, "Ancien Contact"),
        Vec::<PathBuf>::new(),
        "in no file: WAL, journal or free page"
    );
    assert_eq!(files_holding(dir_of_db, "Nouveau Contact").len(), 1);
    assert_refused(&db.run(&["sweep", "--map", map_arg, "--batch", "0"]), "batch");
}

#[test]
fn export_writes_the_pdf_or_the_json_and_refuses_bad_input_without_writing() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(
        "CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT, notes TEXT);
         INSERT INTO contacts VALUES ('jean', 'Jean Valjean', '#read(\"/etc/passwd\")'), ('acme-buyer', 'Javert', NULL);",
    )
    .unwrap();
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"");
    let map_arg = map.to_str().unwrap();
    let json_out = dir.path().join("jean.json");
    let done = db.json(&[
        "export",
        "--subject",
        "jean",
        "--map",
        map_arg,
        "--format",
        "json",
        "--out",
        json_out.to_str().unwrap(),
    ]);
    assert_eq!(done["mailed_to"], serde_json::Value::Null);
    let export: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    assert_eq!(export["categories"][0]["entities"][0]["records"][0]["name"], "Jean Valjean");
    assert_eq!(export["consents"][0]["occurred_at"], "2025-05-01T08:00:00Z", "RFC 3339, in UTC");
    assert_eq!(export["language"], "fr", "the subject's language");

    let pdf_out = dir.path().join("jean.pdf");
    let text = db.ok(&[
        "export",
        "--subject",
        "jean",
        "--map",
        map_arg,
        "--format",
        "pdf",
        "--out",
        pdf_out.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(text.starts_with("wrote "), "{text}");
    assert!(std::fs::read(&pdf_out).unwrap().starts_with(b"%PDF-"));
    // One file holds both: the PDF (PDF/A-3b) carries the JSON export, byte for byte.
    let json_en = dir.path().join("jean-en.json");
    db.ok(&[
        "export",
        "--subject",
        "jean",
        "--map",
        map_arg,
        "--format",
        "json",
        "--out",
        json_en.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    let attached = std::process::Command::new("qpdf")
        .args(["--show-attachment=export.json", pdf_out.to_str().unwrap()])
        .output()
        .expect("qpdf (installed by .ci/run)");
    assert!(attached.status.success(), "{}", String::from_utf8_lossy(&attached.stderr));
    assert_eq!(attached.stdout, std::fs::read(&json_en).unwrap(), "the attached JSON is the JSON export");
    let checked = std::process::Command::new("qpdf").args(["--check", pdf_out.to_str().unwrap()]).output().unwrap();
    assert!(checked.status.success(), "qpdf --check: {}", String::from_utf8_lossy(&checked.stdout));
    // PDF/A-2b, for integrators who want the PDF alone.
    let plain = dir.path().join("plain.pdf");
    db.ok(&[
        "export",
        "--subject",
        "jean",
        "--map",
        map_arg,
        "--format",
        "pdf",
        "--out",
        plain.to_str().unwrap(),
        "--pdf-standard",
        "a-2b",
    ]);
    let listed =
        std::process::Command::new("qpdf").args(["--list-attachments", plain.to_str().unwrap()]).output().unwrap();
    assert!(!String::from_utf8_lossy(&listed.stdout).contains("export.json"), "PDF/A-2b carries no attachment");

    let before = db.entries();
    let nowhere = dir.path().join("nothing.pdf");
    let out = nowhere.to_str().unwrap();
    for (args, names) in [
        (vec!["--format", "docx"], "neither pdf nor json"),
        (vec!["--format", "pdf", "--lang", "de"], "de"),
        (vec!["--format", "pdf", "--pdf-standard", "a-1a"], "a-1a"),
        (vec!["--format", "json", "--pdf-standard", "a-2b"], "only for --format pdf"),
        (vec!["--format", "pdf", "--mail", "--smtp", "smtp://127.0.0.1:1"], "GDPRKIT_SMTP_FROM"),
        (vec!["--format", "pdf", "--mail", "--smtp", "mail.example.org"], "GDPRKIT_SMTP_FROM"),
    ] {
        let mut all = vec!["export", "--subject", "jean", "--map", map_arg, "--out", out];
        all.extend(args);
        assert_refused(&db.run(&all), names);
    }
    assert_refused(
        &db.run(&["export", "--subject", "ghost", "--map", map_arg, "--format", "pdf", "--out", out]),
        "ghost",
    );
    assert!(!nowhere.exists(), "nothing written");
    assert_eq!(db.entries(), before, "an export records nothing");
}

#[test]
fn export_mails_the_file_it_wrote_to_the_subject() {
    let db = Db::with_sample();
    rusqlite::Connection::open(&db.path)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT); INSERT INTO contacts VALUES ('jean', 'Jean Valjean');")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"");
    let inbox = tempfile::tempdir().unwrap();
    let server = gdprkit_smtp::test_server::TestServer::start(inbox.path());
    let pdf = dir.path().join("jean.pdf");
    let args = ["--json", "export", "--subject", "jean", "--map", map.to_str().unwrap(), "--format", "pdf", "--out"];
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args(["--now", NOW])
        .args(args)
        .arg(&pdf)
        .args(["--mail", "--smtp", &server.url()])
        .env("GDPRKIT_SMTP_FROM", "Acme CRM <dpo@acme.example>")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["mail"]["delivery"]["status"], "sent");
    assert_eq!(done["mail"]["delivery"]["to"], "jean@example.fr");
    let eml = std::fs::read_to_string(inbox.path().join("1.eml")).unwrap();
    assert!(eml.contains("Subject: Vos "), "in the subject's language (French): {eml:.300}");
    assert_eq!(std::fs::read(inbox.path().join("1-export.pdf")).unwrap(), std::fs::read(&pdf).unwrap());
    // A subject without an e-mail address gets their export by post: refused before writing.
    rusqlite::Connection::open(&db.path)
        .unwrap()
        .execute("INSERT INTO contacts VALUES ('acme-buyer', 'X')", [])
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args(["export", "--subject", "acme-buyer", "--map", map.to_str().unwrap(), "--format", "pdf", "--out"])
        .arg(dir.path().join("acme.pdf"))
        .args(["--mail", "--smtp", &server.url()])
        .env("GDPRKIT_SMTP_FROM", "dpo@acme.example")
        .output()
        .unwrap();
    assert_refused(&out, "no e-mail address");
    assert!(!dir.path().join("acme.pdf").exists());
}

#[test]
fn notices_wait_in_the_outbox_and_are_delivered_once_with_their_message_id() {
    let db = Db::with_sample();
    let (_, token) = open_request(&db, "access", "2025-05-20T09:00:00Z");
    let pending = db.json(&["outbox", "list"]);
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1, "the receipt waits: no mail server was given");
    assert_eq!((pending[0]["kind"].as_str(), pending[0]["state"].as_str()), (Some("receipt"), Some("pending")));
    let message_id = pending[0]["message_id"].as_str().unwrap().to_owned();
    let listed = db.ok(&["outbox", "list"]);
    assert!(listed.contains("receipt") && listed.contains("jean"), "{listed}");
    assert!(!listed.contains(&token) && !listed.contains("jean@example.fr"), "no token or address listed: {listed}");

    let inbox = tempfile::tempdir().unwrap();
    let server = gdprkit_smtp::test_server::TestServer::start(inbox.path());
    let deliver = |db: &Db| {
        Command::new(env!("CARGO_BIN_EXE_gdprkit"))
            .env("GDPRKIT_CONTROLLER", CONTROLLER)
            .arg("--db")
            .arg(&db.path)
            .args(["--now", NOW, "--json", "outbox", "deliver", "--smtp", &server.url()])
            .env("GDPRKIT_SMTP_FROM", "Acme CRM <dpo@acme.example>")
            .output()
            .unwrap()
    };
    let out = deliver(&db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["delivered"].as_array().unwrap().len(), 1, "{report}");
    let eml = std::fs::read_to_string(inbox.path().join("1.eml")).unwrap();
    assert!(eml.contains(&format!("Message-ID: {message_id}")), "the queued id: {eml:.600}");
    let out = deliver(&db);
    assert!(out.status.success());
    assert!(!inbox.path().join("2.eml").exists(), "a second delivery sends nothing");
    assert_eq!(db.json(&["outbox", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(db.json(&["outbox", "list", "--all"])[0]["state"], "delivered");
    // Credentials never cross to a plain server that the URL does not call local.
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args(["outbox", "deliver", "--smtp", "smtp://mail.example.org:25"])
        .env("GDPRKIT_SMTP_FROM", "dpo@acme.example")
        .env("GDPRKIT_SMTP_USER", "crm")
        .env("GDPRKIT_SMTP_PASSWORD", "hunter2")
        .output()
        .unwrap();
    assert_refused(&out, "in the clear");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
}

#[cfg(unix)]
#[test]
fn an_export_is_readable_by_its_owner_only_and_replaces_a_link_at_its_name() {
    use std::os::unix::fs::PermissionsExt;
    let db = Db::with_sample();
    rusqlite::Connection::open(&db.path)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT); INSERT INTO contacts VALUES ('jean', 'Jean Valjean');")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"");
    let out = dir.path().join("jean.json");
    let export = |out: &Path| {
        db.run(&[
            "export",
            "--subject",
            "jean",
            "--map",
            map.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert!(export(&out).status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "an export holds personal data: {mode:o}");

    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    // A link at the export's own name is replaced, not followed.
    std::os::unix::fs::symlink(&victim, dir.path().join("linked.json")).unwrap();
    assert!(export(&dir.path().join("linked.json")).status.success());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert!(!std::fs::symlink_metadata(dir.path().join("linked.json")).unwrap().file_type().is_symlink());
}

#[test]
fn a_signed_checkpoint_finds_entries_deleted_with_plain_sql() {
    let db = Db::with_sample();
    let keys = db.json(&["ledger", "keygen"]);
    let secret = keys["signing_key"].as_str().unwrap().to_owned();
    let public = keys["public_key"].as_str().unwrap().to_owned();
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gdprkit"))
            .env("GDPRKIT_CONTROLLER", CONTROLLER)
            .arg("--db")
            .arg(&db.path)
            .args(["--now", NOW])
            .args(args)
            .env("GDPRKIT_SIGNING_KEY", &secret)
            .output()
            .unwrap()
    };
    let out = with_key(&["ledger", "checkpoint"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoint-1.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let checkpoint: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(checkpoint["seq"], 4);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret), "the secret stays secret");
    let verify = ["ledger", "verify", "--checkpoint", file.to_str().unwrap(), "--public-key", &public];
    assert!(db.ok(&verify).contains("in agreement with 1 checkpoints"));

    // Someone deletes the last two entries (two subjects' registrations) and rewrites the head:
    // the registry no longer agrees with the chain, which verify finds on its own.
    let c = rusqlite::Connection::open(&db.path).unwrap();
    c.execute_batch(
        "DELETE FROM gdprkit_ledger WHERE seq > 2; \
         UPDATE gdprkit_tenants SET seq = 2, hash = (SELECT hash FROM gdprkit_ledger WHERE seq = 2);",
    )
    .unwrap();
    let alone = db.run(&["ledger", "verify"]);
    assert_eq!(alone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&alone.stdout).contains("subjects disagree"), "{alone:?}");
    // A thorough attacker deletes the registrations too: the chain and the registry agree again.
    c.execute_batch("DELETE FROM gdprkit_subjects").unwrap();
    drop(c);
    assert!(db.ok(&["ledger", "verify"]).starts_with("ledger intact: 2 entries"), "the chain alone cannot tell");
    let out = db.run(&verify);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("contradicts checkpoint") && text.contains("checkpoint-1.json"), "{text}");
    // The key from the environment verifies too.
    assert_eq!(with_key(&["ledger", "verify", "--checkpoint", file.to_str().unwrap()]).status.code(), Some(1));

    // A checkpoint edited to match the shortened chain no longer verifies: refused, naming it.
    let forged = std::fs::read_to_string(&file).unwrap().replace("\"seq\": 4", "\"seq\": 2");
    std::fs::write(&file, forged).unwrap();
    assert_refused(&db.run(&verify), "checkpoint-1.json");
    assert_refused(
        &with_key(&["ledger", "verify", "--checkpoint", file.to_str().unwrap(), "--public-key", "00"]),
        "public_key",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args(["ledger", "checkpoint"])
        .env_remove("GDPRKIT_SIGNING_KEY")
        .output()
        .unwrap();
    assert_refused(&out, "GDPRKIT_SIGNING_KEY");
}

#[test]
fn the_change_feed_is_read_by_cursor() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    let page = db.json(&["changes", "--since", "0", "--limit", "3"]);
    assert_eq!(page["next_cursor"], 3);
    assert_eq!(page["changes"][0]["type"], "purpose_registered");
    let rest = db.json(&["changes", "--since", "3"]);
    let types: Vec<&str> = rest["changes"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["subject_registered", "consent"]);
    assert_eq!(rest["changes"][1]["subject"], "jean");
    assert_eq!(rest["changes"][1]["action"], "opt_in");
    let text = db.ok(&["changes", "--since", "4"]);
    assert!(text.contains("opt_in newsletter by email") && text.contains("next cursor: 5"), "{text}");
    assert!(!text.contains("jean@example.fr") && !text.contains("203.0.113.9"), "no personal value: {text}");
    assert_refused(&db.run(&["changes", "--limit", "0"]), "limit");
}

/// Every file of the database's directory that holds `needle`, by a byte scan.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && std::fs::read(p).unwrap().windows(needle.len()).any(|w| w == needle.as_bytes()))
        .collect()
}

#[test]
fn erasures_done_after_a_backup_are_done_again_after_a_restore() {
    let db = Db::with_sample();
    db.ok(&["subject", "add", "marie", "--regime", "b2c-opt-in", "--email", "marie@example.fr"]);
    db.ok(&["subject", "add", "paul", "--regime", "b2b-opt-out"]);
    db.ok(&["consent", "record", "--subject", "paul", "--action", "object", "--source", "email"]);
    let names = [("jean", "Zephyrine Quatremer"), ("marie", "Anatole Vauquelin"), ("paul", "Philomene Ducasse")];
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT)").unwrap();
    for (id, name) in names {
        conn.execute("INSERT INTO contacts VALUES (?1, ?2)", [id, name]).unwrap();
    }
    conn.execute("INSERT INTO contacts VALUES ('acme-buyer', 'Kept Buyer')", []).unwrap();
    drop(conn);
    let maps = tempfile::tempdir().unwrap();
    let map = maps.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"");
    let map = map.to_str().unwrap();
    // The journal lives elsewhere than the database.
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("erasures.jsonl");
    let with_journal = |args: &[&str]| {
        let mut all = vec!["--journal", journal.to_str().unwrap()];
        all.extend_from_slice(args);
        db.ok(&all)
    };

    // Last night's backup.
    let backup = maps.path().join("backup.db");
    std::fs::copy(&db.path, &backup).unwrap();
    for (id, _) in names {
        with_journal(&["erase", "--subject", id, "--map", map]);
    }
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(lines.lines().count(), 3);
    for (id, name) in names {
        assert!(lines.contains(&format!("\"subject\":\"{id}\"")), "{lines}");
        assert!(!lines.contains(name), "nothing personal but the key: {lines}");
    }
    assert!(!lines.contains("marie@example.fr"));

    // The restore brings them back.
    let db_dir = db.path.parent().unwrap().to_owned();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(db_dir.join(format!("gdprkit.db{suffix}")));
    }
    std::fs::copy(&backup, &db.path).unwrap();
    assert_eq!(files_holding(&db_dir, names[0].1).len(), 1, "the restored file holds the erased name again");

    let dry = db.json(&["--journal", journal.to_str().unwrap(), "erasures", "reapply", "--map", map, "--dry-run"]);
    assert_eq!(dry["erased"].as_array().unwrap().len(), 3);
    assert_eq!(files_holding(&db_dir, names[0].1).len(), 1, "a dry run changes nothing");
    let report = db.json(&["--journal", journal.to_str().unwrap(), "erasures", "reapply", "--map", map]);
    assert_eq!(report["erased"], serde_json::json!(["jean", "marie", "paul"]));
    for (_, name) in names {
        assert_eq!(files_holding(&db_dir, name), Vec::<PathBuf>::new(), "{name} is readable again");
    }
    assert_eq!(files_holding(&db_dir, "marie@example.fr"), Vec::<PathBuf>::new());
    assert_eq!(files_holding(&db_dir, "Kept Buyer").len(), 1, "others are untouched");
    assert!(db.ok(&["ledger", "verify"]).starts_with("ledger intact"));
    let check = ["consent", "check", "--subject", "paul", "--purpose", "newsletter", "--channel", "email"];
    assert_eq!(db.run(&check).status.code(), Some(1), "paul's objection holds after the erasure");
    let again = db.json(&["--journal", journal.to_str().unwrap(), "erasures", "reapply", "--map", map]);
    assert_eq!(again["erased"].as_array().unwrap().len(), 0, "a second reapply changes nothing: {again}");
    assert_eq!(again["already_applied"], 3);
    assert_refused(&db.run(&["erasures", "reapply", "--map", map]), "--journal");
}

/// Several processes writing to one SQLite file wait for each other rather than fail.
#[test]
fn writers_in_several_processes_wait_for_each_other() {
    const WRITERS: usize = 8;
    let db = Db::with_sample();
    let before = db.entries();
    let children: Vec<_> = (0..WRITERS)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_gdprkit"))
                .env("GDPRKIT_CONTROLLER", CONTROLLER)
                .arg("--db")
                .arg(&db.path)
                .args(["subject", "add", &format!("writer-{i}"), "--regime", "b2b-opt-out"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(db.entries(), before + WRITERS as u64, "every write is in the one chain");
}

/// A mail server that cannot be reached leaves the export written and its mail queued, and says
/// both: nothing half done, nothing hidden.
#[test]
fn an_export_whose_mail_fails_is_written_and_its_mail_queued() {
    let db = Db::with_sample();
    rusqlite::Connection::open(&db.path)
        .unwrap()
        .execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT); INSERT INTO contacts VALUES ('jean', 'Jean Valjean');")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    write_contacts_map(&map, "", "name = \"redact\"");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out_file = dir.path().join("jean.json");
    let out = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .arg("--db")
        .arg(&db.path)
        .args([
            "--now",
            NOW,
            "export",
            "--subject",
            "jean",
            "--map",
            map.to_str().unwrap(),
            "--format",
            "json",
            "--out",
        ])
        .arg(&out_file)
        .args(["--mail", "--smtp", &format!("smtp://127.0.0.1:{closed}")])
        .env("GDPRKIT_SMTP_FROM", "dpo@acme.example")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("wrote") && text.contains("queued for jean@example.fr"), "{text}");
    assert!(out_file.exists(), "the export is written");
    let pending = db.json(&["outbox", "list"]);
    assert_eq!(pending[0]["kind"], "export");
    assert!(pending[0]["last_error"].as_str().unwrap().contains("did not take the message"), "{pending}");
}

#[test]
fn an_unsubscribe_reference_records_one_opt_out() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    let key = "an integrator's key of at least thirty-two bytes";
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gdprkit"))
            .env("GDPRKIT_CONTROLLER", CONTROLLER)
            .arg("--db")
            .arg(&db.path)
            .args(["--now", NOW])
            .args(args)
            .env("GDPRKIT_HMAC_KEY", key)
            .output()
            .unwrap()
    };
    let out = with_key(&[
        "consent",
        "unsubscribe-token",
        "--subject",
        "jean",
        "--purpose",
        "newsletter",
        "--channel",
        "email",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let out = with_key(&["consent", "unsubscribe", &token]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("opt_out for jean: recorded"), "{out:?}");
    let again = with_key(&["consent", "unsubscribe", &token]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already recorded"), "{again:?}");
    let check = ["consent", "check", "--subject", "jean", "--purpose", "newsletter", "--channel", "email"];
    assert_eq!(db.run(&check).status.code(), Some(1), "the opt-out holds");
    let mut forged = token.clone();
    forged.replace_range(0..2, if &token[0..2] == "00" { "01" } else { "00" });
    assert_refused(&with_key(&["consent", "unsubscribe", &forged]), "unsubscribe reference");
    assert_refused(&db.run(&["consent", "unsubscribe", &token]), "GDPRKIT_HMAC_KEY");
}

#[test]
fn commands_work_with_a_postgres_database() {
    let Ok(base) = std::env::var("GDPRKIT_TEST_POSTGRES_URL") else {
        eprintln!("commands_work_with_a_postgres_database: skipped: GDPRKIT_TEST_POSTGRES_URL is not set");
        return;
    };
    // A schema of its own, holding gdprkit's tables and the CRM's: the test database is shared
    // with other tests.
    let schema = format!("cli_{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let store = gdprkit_postgres::PostgresStore::connect_in_schema(&base, Some(&schema), 1).unwrap();
    store
        .with_raw_client(|c| {
            c.batch_execute(
                "CREATE TABLE contacts (id BIGINT PRIMARY KEY, subject TEXT NOT NULL, name TEXT, email TEXT, seen TEXT);
                 INSERT INTO contacts VALUES (1, 'jean', 'Jean Dupont', 'jean@example.fr', '2019-01-01T00:00:00Z'),
                                             (2, 'anne', 'Anne Lenoir', 'anne@example.fr', '2019-01-01T00:00:00Z');",
            )
        })
        .unwrap()
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gdprkit"))
            .env("GDPRKIT_CONTROLLER", CONTROLLER)
            .args(["--db", &url, "--now", NOW])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["purpose", "add", "newsletter", "--legal-basis", "consent", "--direct-marketing"]);
    ok(&["subject", "add", "jean", "--regime", "b2c-opt-in", "--email", "jean@example.fr"]);
    let check = ["consent", "check", "--subject", "jean", "--purpose", "newsletter", "--channel", "email"];
    assert_eq!(run(&check).status.code(), Some(1), "b2c-opt-in denies by default");
    ok(OPT_IN);
    assert_eq!(run(&check).status.code(), Some(0), "allowed after the opt-in");
    let opened: serde_json::Value = serde_json::from_str(&ok(&[
        "--json",
        "request",
        "open",
        "--subject",
        "jean",
        "--kind",
        "erasure",
        "--via",
        "post",
    ]))
    .unwrap();
    let token = opened["token"].as_str().unwrap();
    assert_eq!(run(&["request", "track", token]).status.code(), Some(0));
    assert!(ok(&["ledger", "verify"]).starts_with("ledger intact: 5 entries"), "with the receipt queued");

    // The CRM's tables in the same database: map check, export, erasure and sweep.
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    let map_arg = map.to_str().unwrap();
    std::fs::write(
        &map,
        "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"subject\"\ncategory = \"identity\"\n\
         on_erasure = \"anonymize\"\nretention = { keep_for = \"3y\", from_column = \"seen\", then = \"anonymize\" }\n\
         [entity.fields]\nname = \"redact\"\nemail = \"null\"\n\n"
            .to_owned() + NEWSLETTER,
    )
    .unwrap();
    assert!(ok(&["map", "check", map_arg]).contains("1 entities, 2 fields"));
    let json = dir.path().join("jean.json");
    ok(&["export", "--subject", "jean", "--map", map_arg, "--format", "json", "--out", json.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&json).unwrap().contains("Jean Dupont"), "the export reads the CRM's row");
    let erased = ok(&["erase", "--subject", "jean", "--map", map_arg]);
    assert!(erased.contains("contacts: 1 row(s) changed, pseudonymized only: field name declares no kind"), "{erased}");
    let name = |subject: &str| -> Option<String> {
        store
            .with_raw_client(|c| {
                c.query_one("SELECT name FROM contacts WHERE subject = $1", &[&subject]).unwrap().get(0)
            })
            .unwrap()
    };
    assert_eq!(name("jean").as_deref(), Some("[redacted]"));
    assert!(
        ok(&["sweep", "--map", map_arg, "--dry-run"]).starts_with(
            "dry run: rows whose retention ran out\n  contacts: 1 row(s) to pseudonymize (not anonymized:"
        ),
        "the map names no kinds"
    );
    assert_eq!(name("anne").as_deref(), Some("Anne Lenoir"));
    assert!(ok(&["sweep", "--map", map_arg]).starts_with("swept\n  contacts: 1 row(s) pseudonymized (not anonymized:"));
    assert_eq!(name("anne").as_deref(), Some("[redacted]"));
    let bad = dir.path().join("bad.toml");
    write_contacts_map(&bad, "", "phone = \"redact\"");
    assert_refused(
        &run(&["erase", "--subject", "jean", "--map", bad.to_str().unwrap()]),
        "column \"phone\" does not exist",
    );
    assert!(ok(&["ledger", "verify"]).starts_with("ledger intact"));

    // The demo, on a schema of its own in the same database.
    let demo = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .env("GDPRKIT_CONTROLLER", CONTROLLER)
        .args(["--db", &base, "--now", NOW, "demo", "--dir"])
        .arg(dir.path().join("demo"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&demo.stdout);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    for expected in ["the PostgreSQL schema gdprkit_demo", "changed field by field", "Ledger: intact"] {
        assert!(text.contains(expected), "the demo should say {expected:?}:\n{text}");
    }
    assert!(!text.contains(&base), "the demo does not print the URL, which holds a password");
    assert!(std::fs::read(dir.path().join("demo/export.pdf")).unwrap().starts_with(b"%PDF-"));
}

/// Rule C4 from the command line: purposes declare whether they are professional, custom
/// channels their kind, the table prints, and each decision names its row.
#[test]
fn the_rule_table_channels_and_professional_purposes_from_the_command_line() {
    let db = Db::new();
    db.ok(&["purpose", "add", "offers", "--legal-basis", "legitimate_interests", "--direct-marketing"]);
    db.ok(&[
        "purpose",
        "add",
        "gifts",
        "--legal-basis",
        "legitimate-interests",
        "--direct-marketing",
        "--not-professional",
    ]);
    let purposes = db.json(&["purpose", "list"]);
    assert_eq!(purposes[1]["id"], "offers");
    assert_eq!(
        (purposes[0]["professional"].as_bool(), purposes[1]["professional"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(db.ok(&["channel", "add", "fax", "--kind", "post"]).contains("declared channel fax (post)"));
    let refused = db.run(&["channel", "add", "email", "--kind", "post"]);
    assert_eq!(refused.status.code(), Some(2), "a built-in channel's kind is fixed");
    assert_eq!(db.json(&["channel", "list"])[0]["kind"], "post");
    let table = db.ok(&["rules"]);
    assert!(table.contains("| `phone_consumer` |") && table.contains("loi 2025-594"), "{table}");

    db.ok(&["subject", "add", "pro", "--regime", "b2b_opt_out"]);
    let check = |purpose: &str, channel: &str| {
        let out =
            db.run(&["--json", "consent", "check", "--subject", "pro", "--purpose", purpose, "--channel", channel]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let d = check("offers", "email");
    assert_eq!(
        (d["allowed"].as_bool(), d["decision"]["decided_by"]["rule"].as_str()),
        (Some(true), Some("electronic_b2b"))
    );
    let d = check("gifts", "email");
    assert_eq!(d["decision"]["decided_by"]["rule"], "electronic_b2b_not_professional");
    assert_eq!(check("gifts", "fax")["decision"]["decided_by"]["rule"], "post", "the declared kind decides");
}

/// Phone numbers are checked and kept in E.164, read in --country when they have no country
/// code; the suppression list shows counts and dates, never a hash.
#[test]
fn phone_numbers_and_the_suppression_list_from_the_command_line() {
    let db = Db::new();
    let s = db.json(&["subject", "add", "jean", "--regime", "b2c_opt_in", "--phone", "06 12 34 56 78"]);
    assert_eq!(s["phone"], "+33612345678");
    let s =
        db.json(&["--country", "BE", "subject", "add", "jan", "--regime", "b2c_opt_in", "--phone", "0470 12 34 56"]);
    assert_eq!(s["phone"], "+32470123456");
    let bad = db.run(&["subject", "add", "x", "--regime", "b2c_opt_in", "--phone", "612"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a valid phone number"));
    assert!(db.ok(&["suppression", "list"]).contains("the suppression list is empty"));
    assert_eq!(db.json(&["suppression", "list"]), serde_json::json!([]));
}

/// ISO/IEC TS 27560 with W3C DPV: `consent receipt` gives each consent event as a record naming
/// the controller, which it needs.
#[test]
fn a_consent_receipt_gives_27560_records_and_needs_the_controller() {
    let db = Db::with_sample();
    db.ok(OPT_IN);
    assert_refused(&db.run(&["--controller", "", "consent", "receipt", "--subject", "jean"]), "controller");
    let records = db.json(&["--controller", "Acme SAS", "consent", "receipt", "--subject", "jean"]);
    let record = &records[0];
    assert_eq!(record["@type"], "dpv:ConsentRecord");
    assert_eq!(record["dpv:hasDataController"]["dpv:hasName"], "Acme SAS");
    assert_eq!(record["dpv:hasDataSubject"]["dct:identifier"], "jean");
    assert_eq!(record["dpv:hasConsentStatus"]["@type"], "dpv:ConsentGiven");
    assert_eq!(record["dpv:hasConsentStatus"]["dpv:isIndicatedAtTime"], "2025-05-01T08:00:00Z");
    assert_eq!(record["dpv:hasNotice"]["gdprkit:noticeVersion"], "v3");
    let text = db.ok(&["--controller", "Acme SAS", "consent", "receipt", "--subject", "jean"]);
    assert!(text.contains("newsletter on email, dpv:ConsentGiven at 2025-05-01 08:00 UTC"), "{text}");
    assert_refused(&db.run(&["--controller", "Acme SAS", "consent", "receipt", "--subject", "ghost"]), "ghost");
}

/// Art. 12(1) and 15(1), read back from the demo's own export in French and in English: every
/// label of the demo's data map, none of the CRM's technical column names, the controller's name,
/// dates in words and the consent history as sentences.
#[test]
fn the_demos_export_reads_in_the_persons_words_in_french_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = gdprkit(&demo.join("unused.db"), &["demo", "--dir", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = demo.join("gdprkit.db");
    // A contact whose row the demo's retention sweep left alone, with consent events.
    let subject: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT c.subject FROM contacts c WHERE c.first_name <> '[redacted]' AND EXISTS (SELECT 1 FROM \
             gdprkit_ledger l WHERE l.subject = c.subject AND l.kind = 'consent') ORDER BY c.subject LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let map = demo.join("data-map.toml");
    for (lang, labels, sentence, month) in [
        ("fr", ["Identité", "Fiche contact", "Prénom", "Adresse électronique", "Téléphone"], "Vous ", "juin"),
        ("en", ["Identity", "Contact record", "First name", "E-mail address", "Phone number"], "You ", "June"),
    ] {
        let pdf = dir.path().join(format!("{lang}.pdf"));
        let args = ["export", "--subject", &subject, "--map", map.to_str().unwrap(), "--format", "pdf", "--lang", lang];
        let done = gdprkit(&db, &[&args[..], &["--out", pdf.to_str().unwrap()]].concat());
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let text = std::process::Command::new("pdftotext").args(["-raw", pdf.to_str().unwrap(), "-"]).output().unwrap();
        let text = String::from_utf8(text.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        for label in labels {
            assert!(text.contains(label), "{lang}: label {label:?} not in the export");
        }
        for technical in ["first_name", "last_inbound_at", "subject:", "contact_id", "row_id"] {
            assert!(!text.contains(technical), "{lang}: the CRM's name {technical:?} is in the export");
        }
        assert!(text.contains(CONTROLLER), "{lang}: the controller's name");
        assert!(text.contains(&format!(" {month} 20")), "{lang}: dates in words ({month})");
        assert!(!text.contains("T00:00:00Z") && !text.contains(" UTC"), "{lang}: no raw instants");
        let history = text.split(if lang == "fr" { "Historique de vos consentements" } else { "Your consent history" });
        let told = history.last().unwrap();
        assert!(told.trim_start().starts_with(sentence), "{lang}: the history starts with a sentence: {told:.200}");
    }
}
