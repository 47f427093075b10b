//! Retention sweeps on SQLite (rule A6): expired rows only, in batches, resumed after a failure,
//! nothing changed by a second run, and nothing left behind in the file or its log.

#![allow(clippy::unwrap_used, clippy::manual_is_multiple_of)]

use gdprkit::anonymize::map::{DataMap, EndAction};
use gdprkit::anonymize::operators::Secrets;
use gdprkit::anonymize::sweep::{SweepProgress, SweptEntity, sweep};
use gdprkit::crm::CrmData;
use gdprkit::testkit::t;
use gdprkit_sqlite::crm_data::SqliteCrmData;
use rusqlite::Connection;

/// The sample CRM's contacts, their names redacted, e-mails hashed and phones masked three years
/// after their last word; and their calls, deleted after a year.
fn map() -> DataMap {
    let contacts = gdprkit::sample::contacts_with(
        "first_name = \"redact\"\nemail = \"hash\"\nphone = { op = \"mask\", keep_last = 2 }\n",
    );
    DataMap::from_toml(&format!("{contacts}{}", gdprkit::sample::EXPIRING_CALLS)).unwrap()
}

const SECRETS: Secrets<'static> = Secrets { salt: b"sweep", hmac_key: None };

/// `n` contacts, every third one last heard from in 2020 (expired on 2025-06-01), the others in
/// 2024; one call each, every other one in 2023 (expired), the others in 2025.
fn crm(path: &std::path::Path, n: usize) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    c.execute_batch(gdprkit::sample::CRM_TABLES).unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..n {
        let last = if i % 3 == 0 { "2020-03-01T10:00:00Z" } else { "2024-03-01T10:00:00Z" };
        tx.execute(
            "INSERT INTO contacts (subject, first_name, last_name, email, phone, last_inbound_at)
             VALUES (?1, ?2, 'Lastname', ?3, ?4, ?5)",
            rusqlite::params![
                format!("c{i}"),
                format!("Secretname{i:05}x"),
                format!("s{i:05}@example.org"),
                format!("0600{i:06}"),
                last
            ],
        )
        .unwrap();
        let at = if i % 2 == 0 { "2023-01-01" } else { "2025-05-01" };
        tx.execute(
            "INSERT INTO calls (subject, at, summary) VALUES (?1, ?2, 'call')",
            rusqlite::params![format!("c{i}"), at],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn count(path: &std::path::Path, sql: &str) -> i64 {
    Connection::open(path).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn snapshot(path: &std::path::Path) -> Vec<(String, String, String)> {
    let c = Connection::open(path).unwrap();
    let mut st = c.prepare("SELECT first_name, email, phone FROM contacts ORDER BY subject").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn expired_rows_are_swept_once_and_a_dry_run_only_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path, 30);
    let data = SqliteCrmData::open(&path).unwrap();
    let map = map();
    data.check(&map).unwrap();
    let now = t("2025-06-01T00:00:00Z");
    let before = snapshot(&path);

    let dry = sweep(&map, &data, SECRETS, now, 4, true, &mut |_| Ok(())).unwrap();
    let summary: Vec<(&str, EndAction, u64, u64)> =
        dry.entities.iter().map(|e: &SweptEntity| (e.entity.as_str(), e.action, e.rows, e.undated)).collect();
    assert_eq!(summary, [("contacts", EndAction::Anonymize, 10, 0), ("calls", EndAction::Delete, 15, 0)]);
    // Rule A3: fields with no kind and columns not named leave the swept contacts pseudonymized, and the
    // report says so rather than calling them anonymized.
    assert_eq!(dry.entities[0].outcome, Some(gdprkit::anonymize::plan::Outcome::Pseudonymized));
    assert!(dry.entities[0].why.iter().any(|w| w.contains("column notes is not named")), "{:?}", dry.entities[0].why);
    assert_eq!((dry.entities[1].outcome, dry.entities[1].why.len()), (None, 0), "deleted rows need no verdict");
    assert!(!dry.applied);
    assert_eq!(snapshot(&path), before, "a dry run changes nothing");

    let mut seen: Vec<SweepProgress> = Vec::new();
    let report = sweep(&map, &data, SECRETS, now, 4, false, &mut |p| {
        seen.push(p.clone());
        Ok(())
    })
    .unwrap();
    assert_eq!(report.entities[0].rows, 10);
    assert_eq!(report.entities[1].rows, 15);
    assert_eq!(
        seen.iter().filter(|p| p.entity == "contacts").map(|p| p.done).collect::<Vec<_>>(),
        [4, 8, 10],
        "batches of 4"
    );
    assert!(seen.iter().all(|p| p.done <= p.total));
    let after = snapshot(&path);
    for (i, (old, new)) in before.iter().zip(&after).enumerate() {
        // `ORDER BY subject` sorts c0, c1, c10, …: read the index back from the old name.
        let n: usize = old.0["Secretname".len()..old.0.len() - 1].parse().unwrap();
        if n % 3 == 0 {
            assert_eq!(new.0, "[redacted]", "row {i}");
            assert_eq!(new.2.len(), old.2.len());
            assert!(new.2.ends_with(&old.2[old.2.len() - 2..]) && new.2.starts_with('*'));
        } else {
            assert_eq!(new, old, "row {i} is not expired");
        }
    }
    assert_eq!(count(&path, "SELECT count(*) FROM calls"), 15);

    let again = sweep(&map, &data, SECRETS, now, 4, false, &mut |_| Ok(())).unwrap();
    assert_eq!(again.entities.iter().map(|e| e.rows).collect::<Vec<_>>(), [0, 0], "a second run finds nothing");
    assert_eq!(snapshot(&path), after, "and changes nothing, hashed fields included");
}

#[test]
fn a_sweep_that_fails_midway_resumes_and_a_third_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path, 60);
    // The batch holding contact c27 fails, as a crash would stop it there.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER injected BEFORE UPDATE ON contacts WHEN old.subject = 'c27'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let data = SqliteCrmData::open(&path).unwrap();
    let map = map();
    let now = t("2025-06-01T00:00:00Z");
    let err = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap_err();
    assert!(format!("{err:?}").contains("injected failure"));
    let redacted = "SELECT count(*) FROM contacts WHERE first_name = '[redacted]'";
    let partial = count(&path, redacted);
    assert!(partial > 0 && partial < 20, "the batches before the failure are done: {partial}");

    Connection::open(&path).unwrap().execute_batch("DROP TRIGGER injected;").unwrap();
    let resumed = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap();
    assert_eq!(resumed.entities[0].rows as i64, 20 - partial, "the rest, and only the rest");
    assert_eq!(count(&path, redacted), 20);
    let third = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap();
    assert_eq!(third.entities.iter().map(|e| e.rows).collect::<Vec<_>>(), [0, 0]);
}

#[test]
fn a_sweep_over_ten_thousand_subjects_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path, 30_000);
    let data = SqliteCrmData::open(&path).unwrap();
    let map = map();
    let report = sweep(&map, &data, SECRETS, t("2025-06-01T00:00:00Z"), 1_000, false, &mut |_| Ok(())).unwrap();
    assert_eq!(report.entities[0].rows, 10_000, "10,000 expired subjects");
    // Read while the connection is still open: closing it would checkpoint the log by itself.
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("crm.db-wal")) {
        bytes.extend(wal);
    }
    // Every name in the file and its log, found in one pass.
    let marker = b"Secretname";
    let found: std::collections::HashSet<usize> = bytes
        .windows(marker.len() + 6)
        .filter(|w| w.starts_with(marker) && w[marker.len() + 5] == b'x')
        .filter_map(|w| std::str::from_utf8(&w[marker.len()..marker.len() + 5]).ok()?.parse().ok())
        .collect();
    let left: Vec<usize> = found.iter().copied().filter(|i| i % 3 == 0).collect();
    assert!(left.is_empty(), "{} erased names are still in the file, e.g. Secretname{:05}x", left.len(), left[0]);
    assert!(found.contains(&1), "a name that was not erased is found: the scan works");
    drop(data);
}

/// The same contacts, swept with operators that are all idempotent: a row is done once they leave
/// it as it is, so no record of rows done is kept.
fn idempotent_map() -> String {
    gdprkit::sample::contacts_with(
        "first_name = \"redact\"\nemail = { op = \"mask\", keep_first = 1 }\nphone = { op = \"mask\", keep_last = 2 }\n",
    )
}

#[test]
fn with_idempotent_operators_a_sweep_resumes_without_a_record_of_rows_done() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path, 60);
    let c = Connection::open(&path).unwrap();
    // c0 was anonymized by hand already: nothing is left to do to it.
    c.execute_batch(
        "UPDATE contacts SET first_name = '[redacted]', email = 's****************', phone = '********00' WHERE subject = 'c0';
         CREATE TRIGGER injected BEFORE UPDATE ON contacts WHEN old.subject = 'c27'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    let data = SqliteCrmData::open(&path).unwrap();
    let map = DataMap::from_toml(&idempotent_map()).unwrap();
    let now = t("2025-06-01T00:00:00Z");
    let dry = sweep(&map, &data, SECRETS, now, 3, true, &mut |_| Ok(())).unwrap();
    assert_eq!(dry.entities[0].rows, 19, "20 expired contacts, one already anonymized");

    let err = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap_err();
    assert!(format!("{err:?}").contains("injected failure"));
    let redacted = "SELECT count(*) FROM contacts WHERE first_name = '[redacted]'";
    let partial = count(&path, redacted);
    assert!(partial > 1 && partial < 20, "the batches before the failure are done: {partial}");

    c.execute_batch("DROP TRIGGER injected;").unwrap();
    let resumed = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap();
    assert_eq!(resumed.entities[0].rows as i64, 20 - partial, "the rest, and only the rest");
    assert_eq!(count(&path, redacted), 20);
    assert_eq!(count(&path, "SELECT count(*) FROM contacts WHERE email LIKE 's%@example.org'"), 40);
    let after = snapshot(&path);
    let third = sweep(&map, &data, SECRETS, now, 3, false, &mut |_| Ok(())).unwrap();
    assert_eq!(third.entities[0].rows, 0);
    assert_eq!(snapshot(&path), after);
    assert_eq!(count(&path, "SELECT count(*) FROM sqlite_master WHERE name = 'gdprkit_swept'"), 0);
}

#[test]
fn a_value_an_operator_refuses_stops_the_sweep_with_its_reason_and_changes_nothing_of_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path, 30);
    Connection::open(&path)
        .unwrap()
        .execute("UPDATE contacts SET phone = 'June 1980' WHERE subject = 'c0'", [])
        .unwrap();
    let map = idempotent_map()
        .replace(r#"phone = { op = "mask", keep_last = 2 }"#, r#"phone = { op = "generalize", to = "year" }"#);
    let map = DataMap::from_toml(&map).unwrap();
    let data = SqliteCrmData::open(&path).unwrap();
    let before = snapshot(&path);
    let err = sweep(&map, &data, SECRETS, t("2025-06-01T00:00:00Z"), 100, false, &mut |_| Ok(())).unwrap_err();
    assert!(
        err.to_string()
            .contains("entity \"contacts\", row 1, field \"phone\": invalid generalize: \"June 1980\" is not a date"),
        "{err}"
    );
    assert_eq!(snapshot(&path), before);
}

/// Rule A6 (CNIL référentiel prospection: 3 years from collection or from the prospect's last
/// contact): the latest of several event columns counts; a prospect who never replied runs from
/// collection; a row with no date at all is listed, never skipped silently.
#[test]
fn retention_runs_from_the_latest_event_else_from_collection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE prospects (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, replied_at TEXT, clicked_at TEXT,
             collected_at TEXT);
         INSERT INTO prospects (subject, replied_at, clicked_at, collected_at) VALUES
             ('never-replied-old', NULL, NULL, '2021-01-10'),
             ('never-replied-new', NULL, '', '2023-01-10'),
             ('replied-late', '2024-02-01', NULL, '2021-01-10'),
             ('clicked-late', '2021-06-01', '2024-05-01', '2020-01-10'),
             ('replied-early', '2021-03-01', '2021-04-01', '2020-01-10'),
             ('no-date', NULL, NULL, NULL);",
    )
    .unwrap();
    drop(c);
    let map = DataMap::from_toml(
        "[[entity]]\nname = \"prospects\"\ntable = \"prospects\"\nsubject_column = \"subject\"\ncategory = \"identity\"\n\
         on_erasure = \"delete\"\ncollected_at = \"collected_at\"\n\
         retention = { keep_for = \"3y\", from = [\"replied_at\", \"clicked_at\"], then = \"delete\" }\n",
    )
    .unwrap();
    let data = SqliteCrmData::open(&path).unwrap();
    data.check(&map).unwrap();
    let now = t("2025-06-01T00:00:00Z");
    let dry = sweep(&map, &data, SECRETS, now, 10, true, &mut |_| Ok(())).unwrap();
    assert_eq!((dry.entities[0].rows, dry.entities[0].undated, dry.entities[0].undated_rows.clone()), (2, 1, vec![6]));
    let done = sweep(&map, &data, SECRETS, now, 10, false, &mut |_| Ok(())).unwrap();
    assert_eq!(done.entities[0].rows, 2);
    let left: Vec<String> = Connection::open(&path)
        .unwrap()
        .prepare("SELECT subject FROM prospects ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        left,
        ["never-replied-new", "replied-late", "clicked-late", "no-date"],
        "collected 2021 and last heard 2021 go"
    );
    let unknown = "[[entity]]\nname = \"prospects\"\ntable = \"prospects\"\nsubject_column = \"subject\"\n\
                   category = \"identity\"\non_erasure = \"delete\"\ncollected_at = \"created\"\n";
    let err = data.check(&DataMap::from_toml(unknown).unwrap()).unwrap_err();
    assert!(err.to_string().contains("collected_at: column \"created\""), "{err}");
}
