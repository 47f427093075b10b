//! The conformance suite of adapters to a CRM's own tables ([`CrmData`]): every adapter runs
//! it with one line.
//!
//! ```text
//! gdprkit::crm_conformance!(|| Box::new(MyCrm::fresh()) as Box<dyn gdprkit::testkit::crm::CrmUnderTest>);
//! ```
//!
//! Each check creates the tables of [`schema`] (SQL that SQLite and PostgreSQL both read) through
//! [`CrmUnderTest::execute`], runs the adapter, and reads the tables back with plain SQL.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::anonymize::map::{DataMap, EndAction};
use crate::anonymize::operators::{Anonymizer, REDACTED, Secrets, Value};
use crate::anonymize::plan::{EntityAction, Plan};
use crate::anonymize::sweep::sweep;
use crate::crm::CrmData;
use crate::{Error, Result, SubjectId};

/// A CRM database under test: the adapter, and plain SQL to set up and read its tables.
pub trait CrmUnderTest {
    /// The adapter.
    fn data(&self) -> &dyn CrmData;
    /// Runs statements (no parameters) directly on the database.
    fn execute(&self, sql: &str);
    /// The rows of a query whose every column is text or NULL.
    fn texts(&self, sql: &str) -> Vec<Vec<Option<String>>>;
}

/// A factory of fresh, empty CRM databases.
pub type CrmFactory<'a> = &'a dyn Fn() -> Box<dyn CrmUnderTest>;

/// The sample CRM's tables ([`crate::sample::CRM_TABLES`]) and the rows of every check.
pub fn schema() -> String {
    format!("{}{ROWS}", crate::sample::CRM_TABLES)
}

const ROWS: &str = "
INSERT INTO contacts VALUES (1, 'c1', 'Zéphyrine', 'Quatremarres', 'zephyrine@example.org', '0698765432',
    '1984-02-29', 'allergic to peanuts', 42, '2020-03-01T10:00:00Z');
INSERT INTO contacts VALUES (2, 'c2', 'Paul', 'Martin', 'paul@example.org', '0611111111', '1990-01-01', NULL, 7,
    '2025-06-01T10:00:00Z');
INSERT INTO contacts VALUES (3, 'c3', 'Odile', 'Vasseur', NULL, '0622222222', 'sometime in May', 'n', 1,
    '2019-01-01T00:00:00Z');
INSERT INTO contacts VALUES (4, 'c4', NULL, 'Leroy', 'leroy@example.org', '0633333333', '1975-12-01', NULL, 3,
    '2018-01-01T00:00:00Z');
INSERT INTO calls VALUES (10, 'c1', 'Asked about the allergic to peanuts menu', '2023-01-05T09:00:00Z');
INSERT INTO calls VALUES (11, 'c1', 'Call back 0698765432', '2025-09-01T09:00:00Z');
INSERT INTO calls VALUES (12, 'c2', 'Renewal', '2022-02-01T09:00:00Z');
INSERT INTO invoices VALUES (20, 'c1', 120.5);
INSERT INTO invoices VALUES (21, 'c2', 80.0);
";

/// The map of erasures: the sample's.
pub const ERASURE_MAP: &str = crate::sample::DATA_MAP;

const SECRETS: Secrets<'static> = Secrets { salt: b"crm-conformance", hmac_key: None };

fn fresh(factory: CrmFactory<'_>) -> Box<dyn CrmUnderTest> {
    let crm = factory();
    crm.execute(&schema());
    crm
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn contact(crm: &dyn CrmUnderTest, id: i64) -> Vec<Option<String>> {
    crm.texts(&format!("SELECT first_name, last_name, email, phone, birth_date, notes FROM contacts WHERE id = {id}"))
        .remove(0)
}

fn ids(crm: &dyn CrmUnderTest, table: &str) -> Vec<String> {
    crm.texts(&format!("SELECT CAST(id AS TEXT) FROM {table} ORDER BY id"))
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect()
}

fn map(toml: &str) -> DataMap {
    DataMap::from_toml(toml).unwrap()
}

/// Expands to one `#[test]` per check of this suite for the CRM databases that `$factory`
/// makes; with `skip_unless: F` as in [`store_conformance!`](crate::store_conformance).
#[macro_export]
macro_rules! crm_conformance {
    ($factory:expr) => {
        $crate::crm_conformance!($factory, skip_unless: || None::<&str>);
    };
    ($factory:expr, skip_unless: $skip:expr) => {
        mod crm_conformance {
            #[allow(unused_imports)]
            use super::*;

            fn factory() -> Box<dyn $crate::testkit::crm::CrmUnderTest> {
                ($factory)()
            }

            fn skipped(test: &str) -> bool {
                let reason: Option<&str> = ($skip)();
                if let Some(reason) = reason {
                    eprintln!("{test}: skipped: {reason}");
                }
                reason.is_some()
            }

            $crate::crm_conformance!(@tests
                the_map_is_checked_against_the_schema,
                an_erasure_applies_its_plan_to_the_subjects_rows_only,
                an_erasure_that_fails_midway_changes_nothing,
                a_subject_id_is_a_value_and_never_sql,
                subject_keys_match_exactly_never_by_type_or_case,
                an_erasure_is_recorded_as_under_way_until_done,
                an_export_reads_every_column_in_the_tables_order,
                a_sweep_with_constants_changes_expired_rows_once,
                a_sweep_with_computed_operators_resumes_and_changes_nothing_twice,
                a_sweep_deletes_expired_rows_only,
                a_refused_value_stops_the_sweep_naming_its_row_and_field,
                a_progress_error_stops_the_sweep_after_the_batch_it_reports,
            );
        }
    };
    (@tests $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if !skipped(stringify!($name)) {
                    $crate::testkit::crm::$name(&factory);
                }
            }
        )*
    };
}

pub fn the_map_is_checked_against_the_schema(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    crm.data().check(&map(ERASURE_MAP)).unwrap();
    let cases = [
        (ERASURE_MAP.replace("table = \"invoices\"", "table = \"bills\""), "table \"bills\" does not exist"),
        (crate::sample::with_field_line(ERASURE_MAP, "notes", "memo = \"null\""), "column \"memo\" does not exist"),
        (ERASURE_MAP.replacen("subject_column = \"subject\"", "subject_column = \"who\"", 1), "column \"who\""),
        (
            crate::sample::with_field_line(ERASURE_MAP, "notes", "notes = \"null\"\nsubject = \"redact\""),
            "subject column",
        ),
        (
            crate::sample::with_field_line(ERASURE_MAP, "last_name", "last_name = \"null\""),
            "null needs a column that accepts NULL",
        ),
        (crate::sample::with_field_line(ERASURE_MAP, "score", "score = \"redact\""), "field \"score\""),
    ];
    for (toml, expected) in cases {
        let err = crm.data().check(&map(&toml)).expect_err(expected).to_string();
        assert!(err.contains(expected), "{expected:?} not in {err:?}");
    }
}

pub fn an_erasure_applies_its_plan_to_the_subjects_rows_only(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(ERASURE_MAP);
    let plan = Plan::build(&map, &SubjectId::new("c1").unwrap(), crm.data(), SECRETS).unwrap();
    assert!(matches!(&plan.entities[1].action, EntityAction::Delete { rows } if rows == &[10, 11]));
    assert!(matches!(&plan.entities[2].action, EntityAction::Retain { rows: 1, .. }));
    crm.data().apply(&plan).unwrap();

    let after = contact(&*crm, 1);
    assert_eq!(after[0], text(REDACTED));
    assert_eq!(after[1], text(REDACTED));
    let email = after[2].clone().unwrap();
    assert!(email != "zephyrine@example.org" && !email.contains("zephyrine"), "email hashed: {email}");
    assert_eq!(after[3], text("********32"));
    assert_eq!(after[4], text("1984"));
    assert_eq!(after[5], None);
    assert_eq!(ids(&*crm, "calls"), ["12"], "the subject's calls are deleted, no other");
    assert_eq!(ids(&*crm, "invoices"), ["20", "21"], "invoices are retained");
    assert_eq!(
        contact(&*crm, 2),
        [text("Paul"), text("Martin"), text("paul@example.org"), text("0611111111"), text("1990-01-01"), None],
        "another subject's row is untouched"
    );
    // Applied again, the plan of the anonymized rows changes nothing more.
    let again = Plan::build(&map, &SubjectId::new("c1").unwrap(), crm.data(), SECRETS).unwrap();
    assert!(matches!(&again.entities[1].action, EntityAction::Delete { rows } if rows.is_empty()));
}

pub fn an_erasure_that_fails_midway_changes_nothing(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(ERASURE_MAP);
    let plan = Plan::build(&map, &SubjectId::new("c1").unwrap(), crm.data(), SECRETS).unwrap();
    // The contact's row is changed first; the calls it deletes next are in a table gone since.
    crm.execute("DROP TABLE calls");
    assert!(crm.data().apply(&plan).is_err(), "the plan cannot be applied");
    assert_eq!(
        contact(&*crm, 1),
        [
            text("Zéphyrine"),
            text("Quatremarres"),
            text("zephyrine@example.org"),
            text("0698765432"),
            text("1984-02-29"),
            text("allergic to peanuts")
        ],
        "the contact's row is as it was"
    );
    assert!(crm.data().pending_erasures().unwrap().is_empty(), "and no erasure is recorded as under way");
}

pub fn a_subject_id_is_a_value_and_never_sql(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(ERASURE_MAP);
    for id in ["c1' OR '1'='1", "c1\"; DROP TABLE contacts; --", "%", "c_"] {
        let plan = Plan::build(&map, &SubjectId::new(id).unwrap(), crm.data(), SECRETS).unwrap();
        assert_eq!(plan.rows_touched(), 0, "{id:?} names no row");
        crm.data().apply(&plan).unwrap();
        assert!(crm.data().records(&map.entities[0], &SubjectId::new(id).unwrap()).unwrap().is_empty());
    }
    assert_eq!(ids(&*crm, "contacts"), ["1", "2", "3", "4"]);
    assert_eq!(ids(&*crm, "calls"), ["10", "11", "12"]);
}

/// A4: an applied plan records, in its own transaction, that the subject's erasure is under way,
/// until gdprkit's records are erased too; so that a crash between the two is finished later.
pub fn an_erasure_is_recorded_as_under_way_until_done(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    assert!(crm.data().pending_erasures().unwrap().is_empty(), "nothing before any erasure");
    let map = map(ERASURE_MAP);
    let c1 = SubjectId::new("c1").unwrap();
    let plan = Plan::build(&map, &c1, crm.data(), SECRETS).unwrap();
    crm.data().apply(&plan).unwrap();
    assert_eq!(crm.data().pending_erasures().unwrap(), std::slice::from_ref(&c1));
    crm.data().apply(&plan).unwrap();
    assert_eq!(crm.data().pending_erasures().unwrap(), std::slice::from_ref(&c1), "recorded once");
    crm.data().erasure_done(&c1).unwrap();
    assert!(crm.data().pending_erasures().unwrap().is_empty());
    crm.data().erasure_done(&c1).unwrap();
}

/// A subject's rows are those whose key is the subject's id exactly: a number column's 42 is
/// subject `42`, never `042` or `4.2e1`; `Ann` and `ann` are two people. Otherwise an export or
/// an erasure of one person reads or changes another's rows.
pub fn subject_keys_match_exactly_never_by_type_or_case(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    crm.execute(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, note TEXT);
         INSERT INTO orders VALUES (1, 42, 'order of 42');
         INSERT INTO orders VALUES (2, 420, 'order of 420');
         CREATE TABLE notes (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, note TEXT);
         INSERT INTO notes VALUES (1, 'Ann', 'note of Ann');
         INSERT INTO notes VALUES (2, 'ann', 'note of ann');
         INSERT INTO notes VALUES (3, '042', 'note of 042');",
    );
    let map = map("[[entity]]\nname = \"orders\"\ntable = \"orders\"\nsubject_column = \"customer\"\n\
         category = \"orders\"\non_erasure = \"anonymize\"\n[entity.fields]\nnote = \"redact\"\n\
         [[entity]]\nname = \"notes\"\ntable = \"notes\"\nsubject_column = \"owner\"\ncategory = \"notes\"\n\
         on_erasure = \"anonymize\"\n[entity.fields]\nnote = \"redact\"\n");
    crm.data().check(&map).unwrap();
    let rows = |id: &str| -> Vec<(String, usize)> {
        let plan = Plan::build(&map, &SubjectId::new(id).unwrap(), crm.data(), SECRETS).unwrap();
        plan.entities
            .iter()
            .map(|e| match &e.action {
                EntityAction::Anonymize { rows } => (e.entity.clone(), rows.len()),
                _ => (e.entity.clone(), 0),
            })
            .collect()
    };
    let o = |n: usize, m: usize| vec![("orders".to_owned(), n), ("notes".to_owned(), m)];
    assert_eq!(rows("42"), o(1, 0), "42 is the number column's 42");
    assert_eq!(rows("042"), o(0, 1), "042 is only the text key 042, not the number 42");
    assert_eq!(rows("4.2e1"), o(0, 0));
    assert_eq!(rows("42.0"), o(0, 0));
    assert_eq!(rows(" 42"), o(0, 0));
    assert_eq!(rows("Ann"), o(0, 1));
    assert_eq!(rows("ann"), o(0, 1));
    assert_eq!(rows("ANN"), o(0, 0));
    let exported = crm.data().records(&map.entities[1], &SubjectId::new("Ann").unwrap()).unwrap();
    assert_eq!(exported.len(), 1, "the export of Ann holds Ann's row only");
    let erase = Plan::build(&map, &SubjectId::new("042").unwrap(), crm.data(), SECRETS).unwrap();
    crm.data().apply(&erase).unwrap();
    assert_eq!(
        crm.texts("SELECT note FROM orders ORDER BY id"),
        [[text("order of 42")], [text("order of 420")]],
        "erasing 042 leaves 42's order"
    );
    assert_eq!(crm.texts("SELECT note FROM notes WHERE id = 3"), [[text(REDACTED)]]);
}

pub fn an_export_reads_every_column_in_the_tables_order(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(ERASURE_MAP);
    let subject = SubjectId::new("c1").unwrap();
    let contacts = crm.data().records(&map.entities[0], &subject).unwrap();
    assert_eq!(contacts.len(), 1);
    let names: Vec<&str> = contacts[0].0.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "subject",
            "first_name",
            "last_name",
            "email",
            "phone",
            "birth_date",
            "notes",
            "score",
            "last_inbound_at"
        ]
    );
    let values: Vec<&Value> = contacts[0].0.iter().map(|(_, v)| v).collect();
    assert_eq!(values[0], &Value::Integer(1));
    assert_eq!(values[2], &Value::Text("Zéphyrine".into()));
    assert_eq!(values[8], &Value::Integer(42));
    let invoices = crm.data().records(&map.entities[2], &subject).unwrap();
    assert_eq!(invoices[0].0[2], ("amount".to_owned(), Value::Real(120.5)));
    let calls = crm.data().records(&map.entities[1], &subject).unwrap();
    assert_eq!(calls.len(), 2, "every call of the subject, and only theirs");
    // The mapped fields, as erasures read them.
    let rows = crm.data().rows(&map.entities[0], &subject).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 1);
    assert_eq!(rows[0].1[0], Value::Text("Zéphyrine".into()));
    assert_eq!(rows[0].1[5], Value::Text("allergic to peanuts".into()));
}

fn constant_sweep() -> String {
    crate::sample::contacts_with(
        "first_name = \"redact\"\nlast_name = { op = \"replace\", with = \"former contact\" }\nnotes = \"null\"\n",
    )
}

fn now() -> chrono::DateTime<chrono::Utc> {
    crate::testkit::t("2025-09-15T00:00:00Z")
}

/// A sweep of `crm` by `map` at [`now`], `batch` rows per transaction: what it did, per entity.
fn swept(crm: &dyn CrmUnderTest, map: &DataMap, batch: usize, dry_run: bool) -> Result<Vec<(String, EndAction, u64)>> {
    sweep(map, crm.data(), SECRETS, now(), batch, dry_run, &mut |_| Ok(()))
        .map(|report| report.entities.into_iter().map(|e| (e.entity, e.action, e.rows)).collect())
}

pub fn a_sweep_with_constants_changes_expired_rows_once(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(&constant_sweep());
    crm.data().check(&map).unwrap();
    let run = |dry_run| swept(&*crm, &map, 2, dry_run).unwrap();
    // Contacts 1, 3 and 4 were last seen more than three years before.
    assert_eq!(run(true), [("contacts".to_owned(), EndAction::Anonymize, 3)]);
    assert_eq!(contact(&*crm, 1)[0], text("Zéphyrine"), "a dry run changes nothing");
    assert_eq!(run(false), [("contacts".to_owned(), EndAction::Anonymize, 3)]);
    assert_eq!(
        contact(&*crm, 1),
        [
            text(REDACTED),
            text("former contact"),
            text("zephyrine@example.org"),
            text("0698765432"),
            text("1984-02-29"),
            None
        ]
    );
    // NULL stays NULL under `redact`.
    assert_eq!(contact(&*crm, 4)[0], None);
    assert_eq!(contact(&*crm, 2)[0], text("Paul"), "a row still in its retention is untouched");
    assert_eq!(run(true), [("contacts".to_owned(), EndAction::Anonymize, 0)]);
    assert_eq!(run(false), [("contacts".to_owned(), EndAction::Anonymize, 0)], "a second run changes nothing");
}

fn computed_sweep() -> String {
    crate::sample::contacts_with(
        "first_name = \"redact\"\nemail = \"hash\"\nphone = { op = \"mask\", keep_last = 2 }\n",
    )
}

pub fn a_sweep_with_computed_operators_resumes_and_changes_nothing_twice(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let computed = map(&computed_sweep());
    crm.data().check(&computed).unwrap();
    let run = |map: &DataMap, dry_run| swept(&*crm, map, 1, dry_run).unwrap();
    assert_eq!(run(&computed, true)[0].2, 3);
    // One batch, then a stop: the next run does the rest.
    let entity = &computed.entities[0];
    let cutoff = crate::anonymize::sweep::cutoff(now(), entity.retention.as_ref().unwrap().keep_for).unwrap();
    let operators = Anonymizer::new(entity.fields.iter().map(|(_, op)| op.clone()).collect(), SECRETS);
    let first = crm.data().sweep_batch(entity, EndAction::Anonymize, &crate::time::format(cutoff), None, 1, &operators);
    assert_eq!(first.unwrap().unwrap().last, 1);
    let hashed = contact(&*crm, 1)[2].clone();
    assert_eq!(run(&computed, false)[0].2, 2, "the run resumes with the two rows left");
    assert_eq!(contact(&*crm, 1)[2], hashed, "the row done before is not hashed again");
    assert_eq!(contact(&*crm, 3)[3], text("********22"));
    assert_eq!(contact(&*crm, 3)[2], None, "NULL is hashed to NULL");
    assert_eq!(run(&computed, false)[0].2, 0, "a second run changes nothing");
    assert_eq!(contact(&*crm, 2)[2], text("paul@example.org"));

    // Without `hash`, every operator is idempotent: a row is done once they leave it as it is.
    let idempotent = map(&computed_sweep().replace("email = \"hash\"\n", ""));
    let fresh_crm = fresh(factory);
    let run = |dry_run| swept(&*fresh_crm, &idempotent, 2, dry_run).unwrap();
    assert_eq!(run(true)[0].2, 3);
    assert_eq!(run(false)[0].2, 3);
    assert_eq!(run(true)[0].2, 0);
    assert_eq!(run(false)[0].2, 0);
}

const DELETE_SWEEP: &str = crate::sample::EXPIRING_CALLS;

pub fn a_sweep_deletes_expired_rows_only(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(DELETE_SWEEP);
    let run = |dry_run| swept(&*crm, &map, 1, dry_run).unwrap();
    assert_eq!(run(true), [("calls".to_owned(), EndAction::Delete, 2)]);
    assert_eq!(ids(&*crm, "calls"), ["10", "11", "12"]);
    assert_eq!(run(false), [("calls".to_owned(), EndAction::Delete, 2)]);
    assert_eq!(ids(&*crm, "calls"), ["11"]);
    assert_eq!(run(false)[0].2, 0);
}

pub fn a_progress_error_stops_the_sweep_after_the_batch_it_reports(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let map = map(DELETE_SWEEP);
    let mut reported = Vec::new();
    let err = sweep(&map, crm.data(), SECRETS, now(), 1, false, &mut |p| {
        reported.push(p.done);
        Err(Error::invalid("progress", "the caller stopped"))
    })
    .unwrap_err();
    assert_eq!(reported, [1], "no batch after the one whose progress failed");
    assert!(err.to_string().contains("committing 1 rows of calls"), "says what stays done: {err}");
    assert_eq!(ids(&*crm, "calls"), ["11", "12"], "the batch reported stays done, the next is not begun");
    assert_eq!(swept(&*crm, &map, 1, false).unwrap()[0].2, 1, "the next run goes on");
}

pub fn a_refused_value_stops_the_sweep_naming_its_row_and_field(factory: CrmFactory<'_>) {
    let crm = fresh(factory);
    let toml = constant_sweep().replace("notes = \"null\"", "birth_date = { op = \"generalize\", to = \"year\" }");
    let map = map(&toml);
    // Contact 3's birth date is not a date.
    let err = swept(&*crm, &map, 10, false).unwrap_err().to_string();
    assert!(err.contains("row 3") && err.contains("birth_date"), "{err}");
    assert_eq!(contact(&*crm, 1)[0], text("Zéphyrine"), "the batch that failed changed nothing");
}
