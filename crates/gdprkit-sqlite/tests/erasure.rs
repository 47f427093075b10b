//! Erasure of a subject's rows in the CRM's own SQLite tables, as a data map says: the plan, all
//! or nothing, and nothing left behind in the file or its write-ahead log.

#![allow(clippy::unwrap_used)]

use gdprkit::SubjectId;
use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::operators::Secrets;
use gdprkit::anonymize::plan::{EntityAction, Outcome, Plan};
use gdprkit::crm::CrmData;
use gdprkit_sqlite::crm_data::SqliteCrmData;
use rusqlite::Connection;

const MAP: &str = gdprkit::sample::DATA_MAP;

const SECRETS: Secrets<'static> = Secrets { salt: b"erasure-salt", hmac_key: None };

/// Values only the erased subject's rows hold, to look for afterwards.
const ERASED: [&str; 5] = ["Zéphyrine", "Quatremarres", "zephyrine.q@example.org", "0698765432", "allergic to peanuts"];

fn crm(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    c.execute_batch(gdprkit::sample::CRM_TABLES).unwrap();
    c.execute_batch(
        "INSERT INTO contacts (subject, first_name, last_name, email, phone, birth_date, notes)
             VALUES ('c1', 'Zéphyrine', 'Quatremarres', 'zephyrine.q@example.org', '0698765432', '1984-02-29',
                     'allergic to peanuts'),
                    ('c2', 'Paul', 'Martin', 'paul@example.org', '0611111111', '1990-01-01', NULL);
         INSERT INTO calls (subject, summary) VALUES ('c1', 'Asked about allergic to peanuts menu'),
                                                     ('c1', 'Call back 0698765432'), ('c2', 'Renewal');
         INSERT INTO invoices (subject, amount) VALUES ('c1', 120.0), ('c2', 80.0);",
    )
    .unwrap();
}

fn contact(path: &std::path::Path, id: &str) -> Vec<Option<String>> {
    let c = Connection::open(path).unwrap();
    c.query_row(
        "SELECT first_name, last_name, email, phone, birth_date, notes FROM contacts WHERE subject = ?1",
        [id],
        |r| (0..6).map(|i| r.get::<_, Option<String>>(i)).collect(),
    )
    .unwrap()
}

fn count(path: &std::path::Path, sql: &str) -> i64 {
    Connection::open(path).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_plan_names_every_change_and_applying_it_changes_only_those() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    let data = SqliteCrmData::open(&path).unwrap();
    let map = DataMap::from_toml(MAP).unwrap();
    data.check(&map).unwrap();
    let subject = SubjectId::new("c1").unwrap();
    let plan = Plan::build(&map, &subject, &data, SECRETS).unwrap();

    let EntityAction::Anonymize { rows } = &plan.entities[0].action else { panic!("contacts are anonymized") };
    assert_eq!(rows.len(), 1);
    let changed: Vec<&str> = rows[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(changed, ["first_name", "last_name", "email", "phone", "birth_date", "notes"]);
    assert_eq!(plan.entities[0].outcome, Outcome::Pseudonymized, "the sample map hashes, masks and keeps");
    assert_eq!(plan.entities[0].why.len(), 4, "{:?}", plan.entities[0].why);
    assert!(matches!(&plan.entities[1].action, EntityAction::Delete { rows } if rows.len() == 2));
    assert!(matches!(&plan.entities[2].action, EntityAction::Retain { rows: 1, .. }));
    assert_eq!(plan.rows_touched(), 3);
    assert_eq!(contact(&path, "c1")[0].as_deref(), Some("Zéphyrine"), "building the plan changes nothing");

    data.apply(&plan).unwrap();
    let after = contact(&path, "c1");
    assert_eq!(after[0].as_deref(), Some("[redacted]"));
    assert_eq!(after[3].as_deref(), Some("********32"));
    assert_eq!(after[4].as_deref(), Some("1984"));
    assert_eq!(after[5], None);
    assert_eq!(after[2].as_ref().map(String::len), Some(64), "a hash");
    assert_eq!(count(&path, "SELECT count(*) FROM calls WHERE subject = 'c1'"), 0);
    assert_eq!(count(&path, "SELECT count(*) FROM invoices WHERE subject = 'c1'"), 1, "retained");
    assert_eq!(contact(&path, "c2")[0].as_deref(), Some("Paul"), "another subject is untouched");
    assert_eq!(count(&path, "SELECT count(*) FROM calls"), 1);

    // Every operator but hash and pseudonymize leaves its own output as it is: a second plan
    // would only hash the hash again. Knowing which subjects were erased is the ledger's job.
    let again = Plan::build(&map, &subject, &data, SECRETS).unwrap();
    let EntityAction::Anonymize { rows } = &again.entities[0].action else { panic!() };
    let changed: Vec<&str> = rows.iter().flat_map(|r| r.fields.iter().map(|f| f.field.as_str())).collect();
    assert_eq!(changed, ["email"]);
}

#[test]
fn an_erasure_that_fails_midway_leaves_every_row_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    // The second entity's deletion fails, after the first entity's rows were updated.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER injected BEFORE DELETE ON calls BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let data = SqliteCrmData::open(&path).unwrap();
    let map = DataMap::from_toml(MAP).unwrap();
    let plan = Plan::build(&map, &SubjectId::new("c1").unwrap(), &data, SECRETS).unwrap();
    let err = data.apply(&plan).unwrap_err();
    assert!(format!("{err:?}").contains("injected failure"), "{err:?}");
    assert_eq!(contact(&path, "c1")[0].as_deref(), Some("Zéphyrine"), "the contact's update was rolled back");
    assert_eq!(count(&path, "SELECT count(*) FROM calls WHERE subject = 'c1'"), 2);
}

#[test]
fn erased_values_leave_no_trace_in_the_file_or_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    let data = SqliteCrmData::open(&path).unwrap();
    let map = DataMap::from_toml(MAP).unwrap();
    let plan = Plan::build(&map, &SubjectId::new("c1").unwrap(), &data, SECRETS).unwrap();
    let scan = |what: &str| -> Vec<&str> {
        let mut bytes = std::fs::read(&path).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("crm.db-wal")) {
            bytes.extend(wal);
        }
        ERASED
            .iter()
            .copied()
            .filter(|v| bytes.windows(v.len()).any(|w| w == v.as_bytes()))
            .collect::<Vec<_>>()
            .into_iter()
            .inspect(|v| eprintln!("{what}: found {v:?}"))
            .collect()
    };
    assert!(!scan("before").is_empty(), "the scan finds values that are there");
    data.apply(&plan).unwrap();
    // What an erasure does once gdprkit's own records are committed too.
    data.scrub().unwrap();
    // Scanned with the connection still open: closing it would checkpoint the log by itself.
    assert_eq!(scan("after"), Vec::<&str>::new(), "no erased value is left in crm.db or crm.db-wal");
    drop(data);
}

/// The embedded default: gdprkit's tables in the CRM's own file. An erasure leaves none of the
/// subject's values anywhere in it (the suppression list keeps keyed hashes only), the ledger
/// still verifies, and the objection still holds, for the same id and for the same address
/// registered again (rule C9).
#[test]
fn erasing_a_subject_clears_the_crm_rows_and_gdprkits_own_records() {
    use gdprkit::request::kind::{ReceivedVia, RequestKind};
    use gdprkit::request::service::{NewRequest, Step};
    use gdprkit::testkit::{event, pid, t};
    use gdprkit::{Channel, ConsentAction, FixedClock, Gdpr, LegalBasis, NewConsent, NewSubject, Purpose, Regime};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    let clock = Arc::new(FixedClock::new(t("2025-06-01T10:00:00Z")));
    let g = Gdpr::builder(Arc::new(gdprkit_sqlite::SqliteStore::open(&path).unwrap()))
        .clock(clock)
        .crm(Arc::new(SqliteCrmData::open(&path).unwrap()))
        .data_map(DataMap::from_toml(MAP).unwrap())
        .hmac_key(gdprkit::HmacKey::new(vec![3u8; 32]).unwrap())
        .build()
        .unwrap();
    g.add_purpose(Purpose::new(pid("promo"), LegalBasis::Consent, true)).unwrap();
    let mut s = NewSubject::new(SubjectId::new("c1").unwrap(), Regime::B2bOptOut);
    s.email = Some("zephyrine.q@example.org".into());
    s.phone = Some("06 98 76 54 32".into());
    g.add_subject(s).unwrap();
    let mut opt_in = event("c1", ConsentAction::OptIn, "promo", Channel::Email, "2025-01-01T00:00:00Z");
    opt_in.proof.ip = Some("203.0.113.77".into());
    opt_in.proof.user_agent = Some("ZephyrBrowser/1.0".into());
    g.record_consent(opt_in).unwrap();
    let mut objection = NewConsent::objection(SubjectId::new("c1").unwrap());
    objection.occurred_at = Some(t("2025-03-01T00:00:00Z"));
    g.record_consent(objection).unwrap();
    let request = g
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: SubjectId::new("c1").unwrap(),
            kind: RequestKind::Erasure,
            via: ReceivedVia::Phone,
            received_at: None,
        })
        .unwrap();
    g.act_noted(&request.request.id, Step::Accept, "Claire", Some("Zéphyrine Quatremarres called back")).unwrap();

    let subject = SubjectId::new("c1").unwrap();
    let dry = g.erase_subject(&subject, true).unwrap();
    assert!(!dry.applied);
    assert_eq!(contact(&path, "c1")[0].as_deref(), Some("Zéphyrine"), "a dry run changes nothing");

    let report = g.erase_subject(&subject, false).unwrap();
    assert!(report.applied);
    assert_eq!(report.plan.rows_touched(), 3);
    assert_eq!(
        report.ledger_entries_erased, 6,
        "registration, two consents, the request's opening, its receipt queued, and its acceptance"
    );
    assert_eq!(report.denials_kept, 1, "the objection");
    assert_eq!(report.suppressed, 2, "the objection, under the address's and the number's keyed hashes");
    assert!(g.verify_ledger().unwrap().is_intact());
    let d = g.decide(&subject, &pid("promo"), &Channel::Email, None).unwrap();
    assert!(!d.allowed, "the objection still holds after the erasure: {}", d.reason());
    assert_eq!(g.subject(&subject).unwrap().email, None);
    assert!(g.request(&request.request.id).unwrap().public_notes.is_empty());
    let mut again = NewSubject::new(SubjectId::new("c1-imported").unwrap(), Regime::B2bOptOut);
    again.email = Some("Zephyrine.Q@Example.org".into());
    g.add_subject(again).unwrap();
    let d = g.decide(&SubjectId::new("c1-imported").unwrap(), &pid("promo"), &Channel::Post, None).unwrap();
    assert!(!d.allowed && d.reason().contains("suppression list"), "{}", d.reason());
    drop(g);

    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("crm.db-wal")) {
        bytes.extend(wal);
    }
    let mut values = ERASED.to_vec();
    values.extend(["203.0.113.77", "ZephyrBrowser/1.0", "called back", "+33698765432", "698765432"]);
    let left: Vec<&str> = values.into_iter().filter(|v| bytes.windows(v.len()).any(|w| w == v.as_bytes())).collect();
    assert_eq!(left, Vec::<&str>::new(), "no erased value is left in the file or its log");
}

#[test]
fn an_accepted_erasure_request_is_carried_out_and_completed() {
    use gdprkit::mailer::MemoryMailer;
    use gdprkit::request::kind::{ReceivedVia, RequestKind};
    use gdprkit::request::machine::RequestState;
    use gdprkit::request::service::{Delivery, NewRequest, Step};
    use gdprkit::testkit::t;
    use gdprkit::{FixedClock, Gdpr, NewSubject, Regime};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    let outbox = Arc::new(MemoryMailer::new());
    let g = Gdpr::builder(Arc::new(gdprkit_sqlite::SqliteStore::open(&path).unwrap()))
        .clock(Arc::new(FixedClock::new(t("2025-06-02T10:00:00Z"))))
        .mailer(outbox.clone())
        .crm(Arc::new(SqliteCrmData::open(&path).unwrap()))
        .data_map(DataMap::from_toml(MAP).unwrap())
        .build()
        .unwrap();
    let c1 = SubjectId::new("c1").unwrap();
    let mut s = NewSubject::new(c1.clone(), Regime::B2cOptIn);
    s.email = Some("zephyrine.q@example.org".into());
    g.add_subject(s).unwrap();
    g.record_disclosure(&c1, "Acme Logistics", None).unwrap();
    let open = |kind| {
        g.open_request(NewRequest {
            purposes: Vec::new(),
            subject: c1.clone(),
            kind,
            via: ReceivedVia::Email,
            received_at: None,
        })
        .unwrap()
    };
    let access = open(RequestKind::Access).request.id;
    let erasure = open(RequestKind::Erasure).request.id;

    let err = g.execute_request(&erasure, "Claire").unwrap_err().to_string();
    assert!(err.contains("accept it first"), "{err}");
    g.act(&access, Step::Accept, "Claire").unwrap();
    let err = g.execute_request(&access, "Claire").unwrap_err().to_string();
    assert!(err.contains("only erasure and anonymization"), "{err}");

    g.act(&erasure, Step::Accept, "Claire").unwrap();
    let done = g.execute_request(&erasure, "Claire").unwrap();
    assert_eq!(done.outcome.request.state, RequestState::Completed);
    assert_eq!(done.report.plan.rows_touched(), 3);
    assert_eq!(contact(&path, "c1")[0].as_deref(), Some("[redacted]"));
    let notice = done.outcome.notice.unwrap();
    assert_eq!(notice.delivery, Delivery::Sent { to: "zephyrine.q@example.org".into() }, "sent to the address it had");
    assert_eq!(outbox.messages().last().unwrap().subject, "Votre demande a été traitée");
    assert_eq!(g.subject(&c1).unwrap().email, None, "and the address is gone");
    let tasks = g.recipient_tasks(&erasure).unwrap();
    assert_eq!(tasks.iter().map(|t| t.recipient.as_str()).collect::<Vec<_>>(), ["Acme Logistics"]);
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// Rule A3 (WP29 Opinion 05/2014, section 4) against the live schema: anonymized only with every
/// column named, identifiers removed, quasi-identifiers and free text removed or generalized;
/// otherwise pseudonymized, naming why.
#[test]
fn the_verdict_reads_the_tables_columns_and_the_fields_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    crm(&path);
    let data = SqliteCrmData::open(&path).unwrap();
    let subject = SubjectId::new("c1").unwrap();
    let keyed = Secrets { salt: b"s", hmac_key: Some(b"integrator key") };
    let all_removed = "first_name = { op = \"redact\", kind = \"identifier\" }\n\
        last_name = { op = \"redact\", kind = \"identifier\" }\nemail = { op = \"null\", kind = \"identifier\" }\n\
        phone = { op = \"null\", kind = \"identifier\" }\nbirth_date = { op = \"generalize\", to = \"year\", kind = \"quasi\" }\n\
        notes = { op = \"null\", kind = \"free_text\" }\nscore = { op = \"generalize\", to = \"range\", width = 10, kind = \"quasi\" }\n\
        last_inbound_at = { op = \"generalize\", to = \"year\", kind = \"quasi\" }";
    let cases: [(String, &[&str]); 4] = [
        (all_removed.to_owned(), &[]),
        (
            all_removed.replace("email = { op = \"null\"", "email = { op = \"hash\""),
            &["identifier email is hashed (linkable), not removed"],
        ),
        (
            all_removed.replace("email = { op = \"null\"", "email = { op = \"pseudonymize\""),
            &["identifier email is pseudonymized (linkable under the key), not removed"],
        ),
        (
            all_removed.replace("\nscore = { op = \"generalize\", to = \"range\", width = 10, kind = \"quasi\" }", ""),
            &["column score is not named in the data map, and may hold anything"],
        ),
    ];
    for (fields, why) in cases {
        let map = DataMap::from_toml(&format!(
            "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"subject\"\ncategory = \"identity\"\n\
             on_erasure = \"anonymize\"\n[entity.fields]\n{fields}\n"
        ))
        .unwrap();
        data.check(&map).unwrap();
        let plan = Plan::build(&map, &subject, &data, keyed).unwrap();
        let expected = if why.is_empty() { Outcome::Anonymized } else { Outcome::Pseudonymized };
        assert_eq!(plan.entities[0].outcome, expected, "{fields}");
        assert_eq!(plan.entities[0].why, why, "{fields}");
    }
}
