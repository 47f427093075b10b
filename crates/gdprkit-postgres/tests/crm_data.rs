//! What only PostgreSQL's CRM tables can hold: typed columns (dates, instants, numerics, enums,
//! booleans), integer subject columns, and keys that are not one integer column.

#![allow(clippy::unwrap_used)]

mod common;

use gdprkit::SubjectId;
use gdprkit::anonymize::map::{DataMap, EndAction};
use gdprkit::anonymize::operators::{Secrets, Value};
use gdprkit::anonymize::sweep::{SweptEntity, sweep};
use gdprkit::crm::CrmData;
use gdprkit::testkit::t;
use gdprkit_postgres::PostgresCrmData;

const SECRETS: Secrets<'static> = Secrets { salt: b"typed", hmac_key: None };

const SCHEMA: &str = "
CREATE TYPE tier AS ENUM ('bronze', 'gold');
CREATE TABLE people (id BIGSERIAL PRIMARY KEY, customer_no INTEGER NOT NULL, name TEXT, born DATE,
    seen_at TIMESTAMPTZ NOT NULL, balance NUMERIC(10, 2), vip BOOLEAN, level tier, photo BYTEA);
INSERT INTO people (customer_no, name, born, seen_at, balance, vip, level, photo) VALUES
    (42, 'Armelle', '1984-02-29', '2020-01-02 10:00:00+01', 12.50, true, 'gold', '\\x0102'),
    (43, 'Bastien', '1990-05-01', '2025-08-01 10:00:00+00', 0, false, 'bronze', NULL);
CREATE TABLE keyed_by_uuid (id UUID PRIMARY KEY, who TEXT);
CREATE TABLE unkeyed (who TEXT);
";

const MAP: &str = r#"
[[entity]]
name = "people"
table = "people"
subject_column = "customer_no"
category = "identity"
on_erasure = "anonymize"
retention = { keep_for = "3y", from_column = "seen_at", then = "anonymize" }
[entity.fields]
name = "redact"
born = { op = "replace", with = "1900-01-01" }
balance = "null"
level = { op = "replace", with = "bronze" }
"#;

/// The adapter and a plain connection, on a fresh schema holding [`SCHEMA`].
fn fresh() -> Option<(PostgresCrmData, postgres::Client)> {
    if let Some(reason) = common::skip_reason() {
        eprintln!("skipped: {reason}");
        return None;
    }
    let (data, mut plain) = common::fresh_crm();
    plain.batch_execute(SCHEMA).unwrap();
    Some((data, plain))
}

fn check(data: &PostgresCrmData, map: &str) -> Result<(), String> {
    data.check(&DataMap::from_toml(map).unwrap()).map_err(|e| e.to_string())
}

#[test]
fn the_check_knows_postgresql_types_and_keys() {
    let Some((data, _)) = fresh() else { return };
    check(&data, MAP).unwrap();
    let cases = [
        (
            MAP.replace(
                "born = { op = \"replace\", with = \"1900-01-01\" }",
                "born = { op = \"generalize\", to = \"year\" }",
            ),
            "field \"born\" (date): this operator writes text",
        ),
        (
            MAP.replace("with = \"1900-01-01\"", "with = \"long ago\""),
            "field \"born\" (date): the constant is not a value",
        ),
        (
            MAP.replace("with = \"bronze\"", "with = \"platinum\""),
            "field \"level\" (tier): the constant is not a value",
        ),
        (
            MAP.replace("from_column = \"seen_at\"", "from_column = \"customer_no\""),
            "column \"customer_no\" (integer) holds no dates",
        ),
        (MAP.replace("name = \"redact\"", "name = \"redact\"\nid = \"null\""), "the primary key names the rows"),
        (
            MAP.replace("table = \"people\"", "table = \"keyed_by_uuid\"").replace("customer_no", "who"),
            "primary key of one integer column to name its rows in PostgreSQL; its primary key: id (uuid)",
        ),
        (
            MAP.replace("table = \"people\"", "table = \"unkeyed\"").replace("customer_no", "who"),
            "its primary key: none",
        ),
        (MAP.replace("table = \"people\"", "table = \"People\""), "table \"People\" does not exist"),
    ];
    for (map, expected) in cases {
        let err = check(&data, &map).unwrap_err();
        assert!(err.contains(expected), "{expected:?} not in {err:?}");
    }
}

#[test]
fn typed_columns_are_read_as_values_and_instants_in_utc() {
    let Some((data, _)) = fresh() else { return };
    let map = DataMap::from_toml(MAP).unwrap();
    let records = data.records(&map.entities[0], &SubjectId::new("42").unwrap()).unwrap();
    let values: Vec<(&str, &Value)> = records[0].0.iter().map(|(c, v)| (c.as_str(), v)).collect();
    let text = |s: &str| Value::Text(s.to_owned());
    assert_eq!(values[1], ("customer_no", &Value::Integer(42)));
    assert_eq!(values[3], ("born", &text("1984-02-29")));
    assert_eq!(values[4], ("seen_at", &text("2020-01-02 09:00:00+00")));
    assert_eq!(values[5], ("balance", &text("12.50")));
    assert_eq!(values[6], ("vip", &text("true")));
    assert_eq!(values[7], ("level", &text("gold")));
    assert_eq!(values[8], ("photo", &Value::Blob(vec![1, 2])));
    // An id that cannot be an integer names nobody, and is not an error.
    assert!(data.records(&map.entities[0], &SubjectId::new("forty-two").unwrap()).unwrap().is_empty());
    assert!(data.rows(&map.entities[0], &SubjectId::new("42 OR true").unwrap()).unwrap().is_empty());
}

#[test]
fn a_sweep_compares_instants_in_the_columns_type_and_writes_typed_constants() {
    let Some((data, mut plain)) = fresh() else { return };
    let map = DataMap::from_toml(MAP).unwrap();
    data.check(&map).unwrap();
    let now = t("2025-09-15T00:00:00Z");
    let report = sweep(&map, &data, SECRETS, now, 100, false, &mut |_| Ok(())).unwrap();
    let summary: Vec<(&str, EndAction, u64, u64)> =
        report.entities.iter().map(|e: &SweptEntity| (e.entity.as_str(), e.action, e.rows, e.undated)).collect();
    assert_eq!(summary, [("people", EndAction::Anonymize, 1, 0)]);
    let row = plain
        .query_one("SELECT name, born::text, balance::text, level::text FROM people WHERE customer_no = 42", &[])
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("[redacted]"));
    assert_eq!(row.get::<_, Option<String>>(1).as_deref(), Some("1900-01-01"));
    assert_eq!(row.get::<_, Option<String>>(2), None);
    assert_eq!(row.get::<_, Option<String>>(3).as_deref(), Some("bronze"));
    let kept: String = plain.query_one("SELECT name FROM people WHERE customer_no = 43", &[]).unwrap().get(0);
    assert_eq!(kept, "Bastien", "seen within three years: untouched");
    let again = sweep(&map, &data, SECRETS, now, 100, false, &mut |_| Ok(())).unwrap();
    assert_eq!(again.entities[0].rows, 0, "a second run changes nothing");
}

/// Rule A6 on PostgreSQL: the latest of several event columns (`greatest` passes over NULLs and
/// empty text is no date), else the collection column; a row with no date is listed, never swept;
/// retention columns of different types are refused at the check.
#[test]
fn retention_runs_from_the_latest_event_else_from_collection() {
    let Some((data, mut plain)) = fresh() else { return };
    plain
        .batch_execute(
            "CREATE TABLE prospects (id BIGSERIAL PRIMARY KEY, subject TEXT NOT NULL, replied_at TEXT,
                 clicked_at TEXT, collected_at TEXT, met_on DATE);
             INSERT INTO prospects (subject, replied_at, clicked_at, collected_at) VALUES
                 ('never-replied-old', NULL, NULL, '2021-01-10'),
                 ('never-replied-new', NULL, '', '2023-01-10'),
                 ('replied-late', '2024-02-01', NULL, '2021-01-10'),
                 ('clicked-late', '2021-06-01', '2024-05-01', '2020-01-10'),
                 ('replied-early', '2021-03-01', '2021-04-01', '2020-01-10'),
                 ('no-date', NULL, NULL, NULL);",
        )
        .unwrap();
    let map = |from: &str| {
        DataMap::from_toml(&format!(
            "[[entity]]\nname = \"prospects\"\ntable = \"prospects\"\nsubject_column = \"subject\"\n\
             category = \"identity\"\non_erasure = \"delete\"\ncollected_at = \"collected_at\"\n\
             retention = {{ keep_for = \"3y\", from = [{from}], then = \"delete\" }}\n"
        ))
        .unwrap()
    };
    let mixed = data.check(&map("\"replied_at\", \"met_on\"")).unwrap_err().to_string();
    assert!(mixed.contains("must hold the same type"), "{mixed}");
    let map = map("\"replied_at\", \"clicked_at\"");
    data.check(&map).unwrap();
    let now = t("2025-06-01T00:00:00Z");
    let dry = sweep(&map, &data, SECRETS, now, 10, true, &mut |_| Ok(())).unwrap();
    assert_eq!((dry.entities[0].rows, dry.entities[0].undated, dry.entities[0].undated_rows.clone()), (2, 1, vec![6]));
    sweep(&map, &data, SECRETS, now, 10, false, &mut |_| Ok(())).unwrap();
    let left: Vec<String> =
        plain.query("SELECT subject FROM prospects ORDER BY id", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(left, ["never-replied-new", "replied-late", "clicked-late", "no-date"]);
}
