//! Decisions and campaign filters on a SQLite ledger of 1 million events over 100,000 subjects,
//! against raw indexed SELECTs on the same file in the same run.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gdprkit::{Channel, FixedClock, Gdpr, PurposeId};
use gdprkit_benches::{SUBJECTS, large_ledger, now, raw_connection, subject};
use gdprkit_sqlite::SqliteStore;

fn decisions(c: &mut Criterion) {
    let path = large_ledger();
    let g = Gdpr::builder(Arc::new(SqliteStore::open(&path).unwrap()))
        .clock(Arc::new(FixedClock::new(now())))
        .build()
        .unwrap();
    let newsletter = PurposeId::new("newsletter").unwrap();
    let ids: Vec<_> = (0..SUBJECTS).map(subject).collect();
    let at = gdprkit::time::to_micros(now());

    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("gdprkit", |b| {
        b.iter(|| {
            i = (i + 7919) % SUBJECTS;
            black_box(g.decide(&ids[i], &newsletter, &Channel::Email, None).unwrap().allowed)
        })
    });
    let conn = raw_connection(&path);
    let mut i = 0usize;
    group.bench_function("raw_indexed_select", |b| {
        let mut st = conn
            .prepare_cached(
                "SELECT action FROM gdprkit_ledger WHERE tenant = 'default' AND purpose = 'newsletter' \
                 AND channel = 'email' AND subject = ?1 AND occurred_at <= ?2 \
                 AND action IN ('opt_in', 'opt_out', 'withdraw', 'object') ORDER BY occurred_at DESC, seq DESC LIMIT 1",
            )
            .unwrap();
        b.iter(|| {
            i = (i + 7919) % SUBJECTS;
            let action: Option<String> = rusqlite::OptionalExtension::optional(
                st.query_row(rusqlite::params![ids[i].as_str(), at], |r| r.get(0)),
            )
            .unwrap();
            black_box(action)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("campaign_100k");
    group.throughput(Throughput::Elements(SUBJECTS as u64));
    group.sample_size(20);
    group.bench_function("gdprkit", |b| {
        b.iter(|| {
            let decisions = g.decide_many(&ids, &newsletter, &Channel::Email, None).unwrap();
            black_box(decisions.iter().filter(|d| d.allowed).count())
        })
    });
    group.bench_function("raw_index_scan", |b| {
        let mut st = conn
            .prepare_cached(
                "SELECT subject, action FROM gdprkit_ledger WHERE tenant = 'default' AND purpose = 'newsletter' \
                 AND channel = 'email' AND occurred_at <= ?1 ORDER BY subject, occurred_at, seq",
            )
            .unwrap();
        b.iter(|| {
            let mut rows = st.query([at]).unwrap();
            let mut n = 0usize;
            while let Some(r) = rows.next().unwrap() {
                n += r.get_ref(0).unwrap().as_str_or_null().unwrap().map_or(0, str::len)
                    + r.get_ref(1).unwrap().as_str().unwrap().len();
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
