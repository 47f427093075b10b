//! Verifies the 1-million-entry benchmark ledger in a process of its own, or runs one of the raw
//! baselines of `benches/ledger.rs` over the same file, so that farm-bench and `perf` see one
//! verification at a time:
//!
//! ```text
//! verify-scale gdprkit   # Gdpr::verify_ledger over the whole chain
//! verify-scale chain     # the chain alone, on one thread: the store's scan and the raw Verifier,
//!                        # without the registries and index rebuilt and compared (rule C8)
//! verify-scale raw       # the raw rusqlite scan with one SHA-256 per row (and one per personal record)
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use gdprkit::Gdpr;
use gdprkit_benches::{large_ledger, raw_connection};
use gdprkit_sqlite::SqliteStore;

fn main() {
    let mode = std::env::args().nth(1).expect("verify-scale gdprkit|chain|raw");
    let path = large_ledger();
    let started = Instant::now();
    let entries = match mode.as_str() {
        "gdprkit" => {
            let g = Gdpr::builder(Arc::new(SqliteStore::open_existing(&path).unwrap())).build().unwrap();
            match g.verify_ledger().unwrap() {
                gdprkit::Verification::Intact { entries } => entries,
                broken => panic!("the benchmark ledger is broken: {broken:?}"),
            }
        }
        "chain" => {
            use gdprkit::raw::Store;
            let store = SqliteStore::open_existing(&path).unwrap();
            let tenant = gdprkit::TenantId::new("default").unwrap();
            let mut verifier = gdprkit::raw::ledger::Verifier::new(tenant.clone());
            let head = store.scan_ledger(&tenant, &mut |e| verifier.check(e)).unwrap();
            match verifier.finish(head) {
                gdprkit::Verification::Intact { entries } => entries,
                broken => panic!("the benchmark ledger is broken: {broken:?}"),
            }
        }
        "raw" => {
            let conn = raw_connection(&path);
            let mut st = conn.prepare(gdprkit_benches::RAW_VERIFY_SCAN).unwrap();
            let mut rows = st.query([]).unwrap();
            let (mut prev, mut n) = ([0u8; 32], 0u64);
            while let Some(r) = rows.next().unwrap() {
                prev = gdprkit_benches::raw_verify_row(&prev, r);
                n += 1;
            }
            std::hint::black_box(prev);
            n
        }
        other => panic!("unknown mode {other}"),
    };
    let took = started.elapsed().as_secs_f64();
    eprintln!("{entries} entries in {took:.2} s: {:.0} a second", entries as f64 / took);
}
