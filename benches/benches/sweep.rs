//! A retention sweep anonymizing 1 million CRM rows, against one hand-written SQL UPDATE making
//! the same changes, in the same run; also the same sweep with a field hashed (rows recorded as
//! done), and a dry run (the count a sweep starts with).

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::operators::Secrets;
use gdprkit::anonymize::sweep::sweep;
use gdprkit_benches::{now, raw_connection};
use gdprkit_sqlite::crm_data::SqliteCrmData;

const ROWS: u64 = 1_000_000;

/// The sample CRM's contacts: two names redacted, a phone masked, a note nulled.
const FIELDS: &str =
    "first_name = \"redact\"\nlast_name = \"redact\"\nphone = { op = \"mask\", keep_last = 2 }\nnotes = \"null\"\n";

/// A fresh CRM file of `ROWS` contacts, every one past its retention.
fn crm(dir: &Path) -> std::path::PathBuf {
    let path = dir.join(format!("crm-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let c = raw_connection(&path);
    c.execute_batch(gdprkit::sample::CRM_TABLES).unwrap();
    c.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
         INSERT INTO contacts (subject, first_name, last_name, phone, notes, last_inbound_at)
         SELECT 'c' || i, 'First' || i, 'Last' || i, '06' || printf('%08d', i), 'note ' || i, '2020-01-01' FROM n;",
    )
    .unwrap();
    path
}

fn sweeps(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let map = DataMap::from_toml(&gdprkit::sample::contacts_with(FIELDS)).unwrap();
    let mut group = c.benchmark_group("sweep_1m_rows");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(10);
    group.bench_function("gdprkit", |b| {
        b.iter_batched(
            || crm(dir.path()),
            |path| {
                let data = SqliteCrmData::open(&path).unwrap();
                let secrets = Secrets { salt: b"bench", hmac_key: None };
                let report = sweep(&map, &data, secrets, now(), 10_000, false, &mut |_| Ok(())).unwrap();
                assert_eq!(report.entities[0].rows, ROWS);
            },
            BatchSize::PerIteration,
        )
    });
    // The same sweep with `notes` hashed instead of nulled: `hash` is not idempotent, so each
    // batch also records its rows as done.
    let hashed =
        DataMap::from_toml(&gdprkit::sample::contacts_with(&FIELDS.replace(r#"notes = "null""#, r#"notes = "hash""#)))
            .unwrap();
    group.bench_function("gdprkit_hash_recording_rows", |b| {
        b.iter_batched(
            || crm(dir.path()),
            |path| {
                let data = SqliteCrmData::open(&path).unwrap();
                let secrets = Secrets { salt: b"bench", hmac_key: None };
                let report = sweep(&hashed, &data, secrets, now(), 10_000, false, &mut |_| Ok(())).unwrap();
                assert_eq!(report.entities[0].rows, ROWS);
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("raw_sql_update", |b| {
        b.iter_batched(
            || crm(dir.path()),
            |path| {
                let c = raw_connection(&path);
                let n = c
                    .execute(
                        "UPDATE contacts SET first_name = '[redacted]', last_name = '[redacted]',
                             phone = substr('********************', 1, length(phone) - 2) || substr(phone, -2),
                             notes = NULL
                         WHERE last_inbound_at < '2023-01-01'",
                        [],
                    )
                    .unwrap();
                assert_eq!(n as u64, ROWS);
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
