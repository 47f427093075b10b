//! A campaign over every subject of a large ledger, in a process of its own, so that farm-bench
//! reports its time and its peak memory beside the raw baseline's. On SQLite:
//!
//! ```text
//! campaign-scale build SUBJECTS EVENTS      # builds the ledger once, prints its path
//! campaign-scale gdprkit SUBJECTS EVENTS [PAGE]  # Gdpr::campaign over every subject (pages of 10,000)
//! campaign-scale raw SUBJECTS EVENTS        # the raw index scan of the campaign benchmark
//! ```
//!
//! On PostgreSQL, the same three with `-pg` (`build-pg`, `gdprkit-pg`, `raw-pg`), in the database
//! that `GDPRKIT_TEST_POSTGRES_URL` names, in a schema of their own (`campaign_SUBJECTS_EVENTS`),
//! built once through gdprkit's store like the SQLite file.
//!
//! Each run prints the subjects (gdprkit) or the events in scope (raw) it went through, and the rate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use gdprkit::{Channel, FixedClock, Gdpr, PurposeId};
use gdprkit_benches::{event, ledger_of, now, raw_connection, setup_on};
use gdprkit_postgres::PostgresStore;
use gdprkit_sqlite::SqliteStore;

/// The raw baseline's query: each subject's events in the campaign's purpose and channel, in
/// order, the rows a decision reads, without deciding.
const RAW_SCAN: &str = "SELECT subject, action FROM gdprkit_ledger WHERE tenant = 'default' AND purpose = 'newsletter' \
                        AND channel = 'email' AND occurred_at <= $1 ORDER BY subject, occurred_at, seq";

/// Counts the rows of the raw scan and the subjects they name, one row at a time.
struct Tally {
    events: u64,
    subjects: u64,
    last: String,
}

impl Tally {
    fn row(&mut self, subject: &str, action: &str) {
        if subject != self.last {
            self.subjects += 1;
            self.last = subject.to_owned();
        }
        std::hint::black_box(action);
        self.events += 1;
    }
}

/// The PostgreSQL store in the schema of this size, migrated.
fn postgres(subjects: usize, events: usize) -> PostgresStore {
    let url = std::env::var("GDPRKIT_TEST_POSTGRES_URL").expect("GDPRKIT_TEST_POSTGRES_URL names the database");
    PostgresStore::connect_in_schema(&url, Some(&format!("campaign_{subjects}_{events}")), 2).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, subjects, events) = match &args[..] {
        [mode, subjects, events, ..] => (mode, subjects, events),
        _ => panic!("campaign-scale build|gdprkit|raw SUBJECTS EVENTS [PAGE]"),
    };
    let page: usize = args.get(3).map_or(10_000, |p| p.parse().unwrap());
    let (subjects, events): (usize, usize) = (subjects.parse().unwrap(), events.parse().unwrap());
    if let Some(mode) = mode.strip_suffix("-pg") {
        return on_postgres(mode, subjects, events, page);
    }
    let path = ledger_of(subjects, events);
    let started = Instant::now();
    let count = match mode.as_str() {
        "build" => {
            println!("{}", path.display());
            return;
        }
        "gdprkit" => campaign(Arc::new(SqliteStore::open_existing(&path).unwrap()), page),
        "raw" => {
            let conn = raw_connection(&path);
            let at = gdprkit::time::to_micros(now());
            let mut st = conn.prepare(&RAW_SCAN.replace("$1", "?1")).unwrap();
            let mut rows = st.query([at]).unwrap();
            let mut tally = Tally { events: 0, subjects: 0, last: String::new() };
            while let Some(r) = rows.next().unwrap() {
                tally.row(r.get_ref(0).unwrap().as_str().unwrap(), r.get_ref(1).unwrap().as_str().unwrap());
            }
            eprintln!("subjects with events in scope: {}", tally.subjects);
            tally.events
        }
        other => panic!("{other:?} is not build, gdprkit or raw"),
    };
    let secs = started.elapsed().as_secs_f64();
    println!("{count} in {secs:.3} s: {:.0} a second", count as f64 / secs);
}

fn on_postgres(mode: &str, subjects: usize, events: usize, page: usize) {
    let store = Arc::new(postgres(subjects, events));
    let started = Instant::now();
    let count = match mode {
        "build" => {
            let count =
                |sql: &str| -> i64 { store.with_raw_client(|c| c.query_one(sql, &[]).unwrap().get(0)).unwrap() };
            if count("SELECT count(*) FROM gdprkit_ledger WHERE kind = 'consent'") as usize == events {
                println!("built already");
                return;
            }
            let subjects_in = count("SELECT count(*) FROM gdprkit_subjects");
            assert_eq!(
                subjects_in, 0,
                "a schema half built: drop it (DROP SCHEMA campaign_{subjects}_{events} CASCADE)"
            );
            let g = setup_on(store.clone(), subjects);
            for start in (0..events).step_by(10_000) {
                g.record_consents((start..(start + 10_000).min(events)).map(|k| event(k, subjects)).collect()).unwrap();
            }
            store.with_raw_client(|c| c.batch_execute("VACUUM ANALYZE").unwrap()).unwrap();
            events as u64
        }
        "gdprkit" => campaign(store, page),
        "raw" => {
            let at = gdprkit::time::to_micros(now());
            let tally = store
                .with_raw_client(|c| {
                    // Streamed through a portal, as a decision page never holds the whole scan.
                    let mut tx = c.transaction().unwrap();
                    let portal = tx.bind(RAW_SCAN, &[&at]).unwrap();
                    let mut tally = Tally { events: 0, subjects: 0, last: String::new() };
                    loop {
                        let rows = tx.query_portal(&portal, 10_000).unwrap();
                        for r in &rows {
                            tally.row(r.get(0), r.get(1));
                        }
                        if rows.len() < 10_000 {
                            break tally;
                        }
                    }
                })
                .unwrap();
            eprintln!("subjects with events in scope: {}", tally.subjects);
            tally.events
        }
        other => panic!("{other:?}-pg is not build-pg, gdprkit-pg or raw-pg"),
    };
    let secs = started.elapsed().as_secs_f64();
    println!("{count} in {secs:.3} s: {:.0} a second", count as f64 / secs);
}

/// `Gdpr::campaign` over every subject of `store`, the newsletter by e-mail, pages of `page`:
/// the subjects decided.
fn campaign(store: Arc<dyn gdprkit::raw::Store>, page: usize) -> u64 {
    let g = Gdpr::builder(store).clock(Arc::new(FixedClock::new(now()))).build().unwrap();
    let newsletter = PurposeId::new("newsletter").unwrap();
    let report = g.campaign(&newsletter, &Channel::Email, None, page, &mut |_| Ok(())).unwrap();
    eprintln!("allowed: {}", report.allowed);
    report.subjects
}
