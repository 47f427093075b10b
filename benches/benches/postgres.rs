//! PostgreSQL: appends with 1, 4 and 8 writers on one tenant, and decisions, each against raw SQL
//! on the same server in the same run. Needs `GDPRKIT_TEST_POSTGRES_URL` (a database the role may
//! create schemas in); without it, says so and measures nothing.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gdprkit::{Channel, PurposeId};
use gdprkit_benches::{event, now, setup_on, subject};
use gdprkit_postgres::PostgresStore;

/// Subjects in the decision benchmark's ledger, and events over them.
const SUBJECTS: usize = 10_000;
const EVENTS: usize = 100_000;
/// Appends per writer in one timed round.
const PER_WRITER: usize = 50;

fn url() -> Option<String> {
    std::env::var("GDPRKIT_TEST_POSTGRES_URL").ok()
}

fn schema(name: &str) -> String {
    format!("bench_{name}_{}", std::process::id())
}

/// The raw baseline's table: a ledger row of the same shape, appended with no chain.
const RAW_TABLE: &str = "CREATE TABLE raw_ledger (tenant TEXT NOT NULL, seq BIGSERIAL, prev_hash BYTEA NOT NULL, \
     hash BYTEA NOT NULL, kind TEXT NOT NULL, subject TEXT, purpose TEXT, channel TEXT, action TEXT, occurred_at BIGINT, \
     body TEXT NOT NULL, commitments BYTEA NOT NULL, personal BYTEA, PRIMARY KEY (tenant, seq))";

fn appends(c: &mut Criterion) {
    let Some(url) = url() else {
        eprintln!("postgres benchmarks: skipped: GDPRKIT_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = Arc::new(PostgresStore::connect_in_schema(&url, Some(&schema("appends")), 8).unwrap());
    let g = setup_on(store.clone(), 1_000);
    store.with_raw_client(|c| c.batch_execute(RAW_TABLE).unwrap()).unwrap();
    let mut group = c.benchmark_group("postgres_appends");
    group.sample_size(10);
    for writers in [1usize, 4, 8] {
        group.throughput(Throughput::Elements((writers * PER_WRITER) as u64));
        let mut k = 0usize;
        group.bench_function(format!("gdprkit_{writers}_writers"), |b| {
            b.iter_custom(|rounds| {
                let mut total = Duration::ZERO;
                for _ in 0..rounds {
                    let batches: Vec<Vec<_>> = (0..writers)
                        .map(|w| (0..PER_WRITER).map(|i| event(k + w * PER_WRITER + i, 1_000)).collect())
                        .collect();
                    k += writers * PER_WRITER;
                    let started = Instant::now();
                    std::thread::scope(|s| {
                        for batch in batches {
                            let g = &g;
                            s.spawn(move || {
                                for e in batch {
                                    g.record_consent(e).unwrap();
                                }
                            });
                        }
                    });
                    total += started.elapsed();
                }
                total
            })
        });
        group.bench_function(format!("raw_sql_{writers}_writers"), |b| {
            b.iter_custom(|rounds| {
                let mut total = Duration::ZERO;
                for _ in 0..rounds {
                    let started = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..writers {
                            let url = url.clone();
                            let schema = schema("appends");
                            s.spawn(move || {
                                let mut target = gdprkit_postgres::Target::parse(&url).unwrap();
                                target.config_mut().options(&format!("-c search_path={schema}"));
                                let mut client = target.connect().unwrap();
                                let insert = client
                                    .prepare(
                                        "INSERT INTO raw_ledger (tenant, prev_hash, hash, kind, subject, purpose, channel, \
                                         action, occurred_at, body, commitments, personal) \
                                         VALUES ('default', $1, $2, 'consent', $3, 'newsletter', 'email', 'opt_out', $4, $5, $6, $7)",
                                    )
                                    .unwrap();
                                for i in 0..PER_WRITER {
                                    let hash = [i as u8; 32];
                                    client
                                        .execute(
                                            &insert,
                                            &[&&hash[..], &&hash[..], &"contact-000001", &(i as i64), &"{}", &&[0u8; 96][..], &&[0u8; 64][..]],
                                        )
                                        .unwrap();
                                }
                            });
                        }
                    });
                    total += started.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

fn decisions(c: &mut Criterion) {
    let Some(url) = url() else { return };
    let store = Arc::new(PostgresStore::connect_in_schema(&url, Some(&schema("decisions")), 2).unwrap());
    let g = setup_on(store.clone(), SUBJECTS);
    for start in (0..EVENTS).step_by(10_000) {
        g.record_consents((start..start + 10_000).map(|k| event(k, SUBJECTS)).collect()).unwrap();
    }
    // Vacuumed as well as analyzed, so that autovacuum does not start on the new rows while a side
    // is measured.
    store.with_raw_client(|c| c.batch_execute("VACUUM (ANALYZE)").unwrap()).unwrap();
    let newsletter = PurposeId::new("newsletter").unwrap();
    let ids: Vec<_> = (0..SUBJECTS).map(subject).collect();
    let at = gdprkit::time::to_micros(now());
    let mut group = c.benchmark_group("postgres_decide");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("gdprkit", |b| {
        b.iter(|| {
            i = (i + 7919) % SUBJECTS;
            black_box(g.decide(&ids[i], &newsletter, &Channel::Email, None).unwrap().allowed)
        })
    });
    let mut target = gdprkit_postgres::Target::parse(&url).unwrap();
    target.config_mut().options(&format!("-c search_path={}", schema("decisions")));
    let mut client = target.connect().unwrap();
    let select = client
        .prepare(
            "SELECT action FROM gdprkit_ledger WHERE tenant = 'default' AND subject = $1 AND purpose = 'newsletter' \
             AND channel = 'email' AND occurred_at <= $2 AND action IN ('opt_in', 'opt_out', 'withdraw', 'object') \
             ORDER BY occurred_at DESC, seq DESC LIMIT 1",
        )
        .unwrap();
    let mut i = 0usize;
    group.bench_function("raw_indexed_select", |b| {
        b.iter(|| {
            i = (i + 7919) % SUBJECTS;
            let row = client.query_opt(&select, &[&ids[i].as_str(), &at]).unwrap();
            black_box(row.map(|r| r.get::<_, String>(0)))
        })
    });
    group.finish();
}

fn cleanup(_: &mut Criterion) {
    let Some(url) = url() else { return };
    let mut client = gdprkit_postgres::Target::parse(&url).unwrap().connect().unwrap();
    for name in ["appends", "decisions"] {
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", schema(name))).unwrap();
    }
}

criterion_group!(benches, appends, decisions, cleanup);
criterion_main!(benches);
