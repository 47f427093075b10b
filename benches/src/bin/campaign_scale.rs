//! A campaign over every subject of a large SQLite ledger, in a process of its own, so that
//! farm-bench reports its time and its peak memory beside the raw baseline's:
//!
//! ```text
//! campaign-scale build SUBJECTS EVENTS      # builds the ledger once, prints its path
//! campaign-scale gdprkit SUBJECTS EVENTS [PAGE]  # Gdpr::campaign over every subject (pages of 10,000)
//! campaign-scale raw SUBJECTS EVENTS        # the raw index scan of the campaign benchmark
//! ```
//!
//! Each run prints the subjects (gdprkit) or the events in scope (raw) it went through, and the rate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use gdprkit::{Channel, FixedClock, Gdpr, PurposeId};
use gdprkit_benches::{ledger_of, now, raw_connection};
use gdprkit_sqlite::SqliteStore;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, subjects, events) = match &args[..] {
        [mode, subjects, events, ..] => (mode, subjects, events),
        _ => panic!("campaign-scale build|gdprkit|raw SUBJECTS EVENTS [PAGE]"),
    };
    let page: usize = args.get(3).map_or(10_000, |p| p.parse().unwrap());
    let path = ledger_of(subjects.parse().unwrap(), events.parse().unwrap());
    let started = Instant::now();
    let count = match mode.as_str() {
        "build" => {
            println!("{}", path.display());
            return;
        }
        "gdprkit" => {
            let store = Arc::new(SqliteStore::open_existing(&path).unwrap());
            let g = Gdpr::builder(store).clock(Arc::new(FixedClock::new(now()))).build().unwrap();
            let newsletter = PurposeId::new("newsletter").unwrap();
            let report = g.campaign(&newsletter, &Channel::Email, None, page, &mut |_| Ok(())).unwrap();
            eprintln!("allowed: {}", report.allowed);
            report.subjects
        }
        "raw" => {
            let conn = raw_connection(&path);
            let at = gdprkit::time::to_micros(now());
            let mut st = conn
                .prepare(
                    "SELECT subject, action FROM gdprkit_ledger WHERE tenant = 'default' AND purpose = 'newsletter' \
                     AND channel = 'email' AND occurred_at <= ?1 ORDER BY subject, occurred_at, seq",
                )
                .unwrap();
            // Each subject's events in scope, in order: the rows a decision reads, without deciding.
            let mut rows = st.query([at]).unwrap();
            let (mut events, mut subjects, mut last) = (0u64, 0u64, String::new());
            while let Some(r) = rows.next().unwrap() {
                let subject = r.get_ref(0).unwrap().as_str().unwrap();
                if subject != last {
                    subjects += 1;
                    last = subject.to_owned();
                }
                std::hint::black_box(r.get_ref(1).unwrap().as_str().unwrap());
                events += 1;
            }
            eprintln!("subjects with events in scope: {subjects}");
            events
        }
        other => panic!("{other:?} is not build, gdprkit or raw"),
    };
    let secs = started.elapsed().as_secs_f64();
    println!("{count} in {secs:.3} s: {:.0} a second", count as f64 / secs);
}
