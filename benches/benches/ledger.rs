//! Appending consent events in batches of 1,000, and verifying a ledger of 1 million entries,
//! each against a raw baseline in the same run.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gdprkit::Gdpr;
use gdprkit_benches::{RAW_VERIFY_SCAN, event, large_ledger, raw_connection, raw_verify_row, setup};
use gdprkit_sqlite::SqliteStore;
use rusqlite::params;
use sha2::{Digest, Sha256};

const BATCH: usize = 1_000;
const APPEND_SUBJECTS: usize = 10_000;

/// The ledger table alone, without its indexes, for the second raw baseline.
const RAW_TABLE_ONLY: &str = "
CREATE TABLE gdprkit_ledger (tenant TEXT NOT NULL, seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
  kind TEXT NOT NULL, subject TEXT, purpose TEXT, channel TEXT, action TEXT, occurred_at INTEGER,
  body TEXT NOT NULL, commitments BLOB NOT NULL, personal BLOB, PRIMARY KEY (tenant, seq)) WITHOUT ROWID;";

/// The rows the raw baseline inserts: the columns of the events gdprkit appends.
struct RawRow {
    subject: String,
    purpose: String,
    channel: String,
    action: &'static str,
    occurred_at: i64,
    body: String,
    commitments: Vec<u8>,
    personal: Vec<u8>,
}

fn raw_rows(from: usize) -> Vec<RawRow> {
    (from..from + BATCH)
        .map(|k| {
            let e = event(k, APPEND_SUBJECTS);
            let body = format!(
                "{{\"recorded_at\":\"2026-01-01T00:00:00.000000Z\",\"source\":\"web_form\",\"collector\":\"subject\",\
                 \"notice_version\":\"newsletter-v3\",\"notice_sha256\":\"{}\"}}",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            );
            RawRow {
                subject: e.subject.to_string(),
                purpose: e.purpose.map(|p| p.to_string()).unwrap_or_default(),
                channel: e.channel.map(|c| c.to_string()).unwrap_or_default(),
                action: e.action.as_str(),
                occurred_at: e.occurred_at.map(gdprkit::time::to_micros).unwrap_or_default(),
                body,
                commitments: vec![7; 120],
                personal: vec![9; 110],
            }
        })
        .collect()
}

fn raw_append(conn: &mut rusqlite::Connection, seq: &mut i64, rows: &[RawRow]) {
    let tx = conn.transaction().unwrap();
    {
        let mut st = tx
            .prepare_cached(
                "INSERT INTO gdprkit_ledger (tenant, seq, prev_hash, hash, kind, subject, purpose, channel, action, occurred_at, \
                 body, commitments, personal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .unwrap();
        let mut prev = [0u8; 32];
        for r in rows {
            *seq += 1;
            let hash: [u8; 32] = Sha256::digest(r.body.as_bytes()).into();
            st.execute(params![
                "default",
                *seq,
                &prev[..],
                &hash[..],
                "consent",
                r.subject,
                r.purpose,
                r.channel,
                r.action,
                r.occurred_at,
                r.body,
                r.commitments,
                r.personal
            ])
            .unwrap();
            prev = hash;
        }
    }
    tx.commit().unwrap();
}

fn append(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_1000");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(30);

    let dir = tempfile::tempdir().unwrap();
    let g: Gdpr = setup(SqliteStore::open(dir.path().join("gdprkit.db")).unwrap(), APPEND_SUBJECTS);
    let mut k = 0;
    group.bench_function("gdprkit", |b| {
        b.iter_batched(
            || {
                k += BATCH;
                (k - BATCH..k).map(|i| event(i, APPEND_SUBJECTS)).collect::<Vec<_>>()
            },
            |batch| black_box(g.record_consents(batch).unwrap()),
            BatchSize::LargeInput,
        )
    });

    // The same schema as the store (its own migration), then the ledger table without indexes.
    for (name, schema) in
        [("raw_rusqlite_same_schema", gdprkit_sqlite::schema::MIGRATIONS[0]), ("raw_rusqlite_no_index", RAW_TABLE_ONLY)]
    {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = raw_connection(&dir.path().join("raw.db"));
        conn.execute_batch(schema).unwrap();
        let (mut seq, mut k) = (0i64, 0);
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    k += BATCH;
                    raw_rows(k - BATCH)
                },
                |rows| raw_append(&mut conn, &mut seq, &rows),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let path = large_ledger();
    let g = Gdpr::builder(std::sync::Arc::new(SqliteStore::open(&path).unwrap())).build().unwrap();
    let entries = match g.verify_ledger().unwrap() {
        gdprkit::Verification::Intact { entries } => entries,
        broken => panic!("the benchmark ledger is broken: {broken:?}"),
    };

    // The bytes the verifier hashes, read once into memory for the raw SHA-256 baseline.
    let conn = raw_connection(&path);
    let rows: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = conn
        .prepare(
            "SELECT CAST(coalesce(purpose, '') || coalesce(channel, '') || coalesce(action, '') || kind || body AS BLOB), \
             commitments, coalesce(personal, x'') FROM gdprkit_ledger WHERE tenant = 'default' ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();

    let mut group = c.benchmark_group("verify_1m");
    group.throughput(Throughput::Elements(entries));
    group.sample_size(10);
    group.bench_function("gdprkit", |b| b.iter(|| black_box(g.verify_ledger().unwrap())));
    group.bench_function("raw_sha256_in_memory", |b| {
        b.iter(|| {
            let mut prev = [0u8; 32];
            for (entry, commitments, personal) in &rows {
                let mut h = Sha256::new();
                h.update(prev);
                h.update(entry);
                h.update(commitments);
                prev = h.finalize().into();
                // One more digest per entry over its personal values, as the verifier checks them.
                black_box(Sha256::digest(personal));
            }
            black_box(prev)
        })
    });
    group.bench_function("raw_rusqlite_scan_sha256", |b| {
        b.iter(|| {
            let mut st = conn.prepare_cached(RAW_VERIFY_SCAN).unwrap();
            let mut rows = st.query([]).unwrap();
            let mut prev = [0u8; 32];
            while let Some(r) = rows.next().unwrap() {
                prev = raw_verify_row(&prev, r);
            }
            black_box(prev)
        })
    });
    group.finish();
}

criterion_group!(benches, append, verify);
criterion_main!(benches);
