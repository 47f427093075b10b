//! PostgreSQL with many tenants appending at once: `TENANTS` tenants, `WRITERS` writers each,
//! spread over `PROCESSES` processes (each with its own pool), appending consent events for
//! `SECONDS`; then every tenant's chain is verified. With `raw`, the same writers insert rows of
//! the same shape into a table without a chain, one per transaction: the baseline.
//!
//! ```text
//! GDPRKIT_TEST_POSTGRES_URL=… tenants-load TENANTS WRITERS PROCESSES SECONDS [raw]
//! ```
//!
//! Prints the appends a second in all, and per tenant (median, lowest, highest).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gdprkit::{FixedClock, Gdpr, LegalBasis, NewSubject, Purpose, PurposeId, Regime, TenantId};
use gdprkit_benches::{event, now, subject};
use gdprkit_postgres::PostgresStore;

/// Subjects per tenant.
const SUBJECTS: usize = 100;
/// Connections in each process's pool.
const POOL: u32 = 20;
const SCHEMA: &str = "bench_tenants";

fn url() -> String {
    std::env::var("GDPRKIT_TEST_POSTGRES_URL").expect("GDPRKIT_TEST_POSTGRES_URL names the database")
}

fn tenant(t: usize) -> TenantId {
    TenantId::new(format!("tenant-{t:03}")).unwrap()
}

fn gdpr(store: &Arc<PostgresStore>, t: usize) -> Gdpr {
    Gdpr::builder(store.clone()).tenant(tenant(t)).clock(Arc::new(FixedClock::new(now()))).build().unwrap()
}

const RAW_TABLE: &str = "CREATE TABLE IF NOT EXISTS raw_ledger (tenant TEXT NOT NULL, seq BIGSERIAL, \
     prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL, kind TEXT NOT NULL, subject TEXT, purpose TEXT, channel TEXT, \
     action TEXT, occurred_at BIGINT, body TEXT NOT NULL, commitments BYTEA NOT NULL, personal BYTEA, \
     PRIMARY KEY (tenant, seq))";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("child") {
        return child(&args[1..]);
    }
    let [tenants, writers, processes, seconds, rest @ ..] = &args[..] else {
        panic!("tenants-load TENANTS WRITERS PROCESSES SECONDS [raw]");
    };
    let (tenants, writers, processes): (usize, usize, usize) =
        (tenants.parse().unwrap(), writers.parse().unwrap(), processes.parse().unwrap());
    let raw = rest.first().map(String::as_str) == Some("raw");

    // A fresh schema with every tenant's purposes and subjects.
    let mut admin = gdprkit_postgres::Target::parse(&url()).unwrap().connect().unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")).unwrap();
    let store = Arc::new(PostgresStore::connect_in_schema(&url(), Some(SCHEMA), 4).unwrap());
    store.with_raw_client(|c| c.batch_execute(RAW_TABLE).unwrap()).unwrap();
    for t in 0..tenants {
        let g = gdpr(&store, t);
        g.add_purpose(Purpose::new(PurposeId::new("newsletter").unwrap(), LegalBasis::Consent, true)).unwrap();
        for (id, basis) in [("events", LegalBasis::Consent), ("product-news", LegalBasis::LegitimateInterests)] {
            g.add_purpose(Purpose::new(PurposeId::new(id).unwrap(), basis, true)).unwrap();
        }
        g.add_subjects((0..SUBJECTS).map(|i| NewSubject::new(subject(i), Regime::B2cOptIn)).collect()).unwrap();
    }
    store.with_raw_client(|c| c.batch_execute("VACUUM (ANALYZE)").unwrap()).unwrap();

    let me = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..processes)
        .map(|p| {
            Command::new(&me)
                .args(["child", &tenants.to_string(), &writers.to_string(), &processes.to_string(), &p.to_string()])
                .arg(seconds)
                .arg(if raw { "raw" } else { "gdprkit" })
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut per_tenant = vec![0u64; tenants];
    let mut elapsed: f64 = 0.0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        elapsed = elapsed.max(lines.next().unwrap().parse().unwrap());
        for (t, n) in lines.enumerate() {
            per_tenant[t] += n.parse::<u64>().unwrap();
        }
    }
    if !raw {
        for t in 0..tenants {
            let v = gdpr(&store, t).verify_ledger().unwrap();
            assert!(v.is_intact(), "tenant {t}: {v:?}");
        }
        println!("every chain verified: {tenants} tenants");
    }
    let total: u64 = per_tenant.iter().sum();
    let mut rates: Vec<f64> = per_tenant.iter().map(|&n| n as f64 / elapsed).collect();
    rates.sort_by(f64::total_cmp);
    println!(
        "{}: {tenants} tenants x {writers} writers over {processes} processes, {elapsed:.1} s: {:.0} appends a second in all; \
         per tenant median {:.1}, lowest {:.1}, highest {:.1}",
        if raw { "raw inserts" } else { "gdprkit" },
        total as f64 / elapsed,
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1],
    );
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")).unwrap();
}

/// One process: its share of each tenant's writers, appending until the time is up. Prints the
/// seconds of the window, then each tenant's appends completed within it, one a line.
fn child(args: &[String]) {
    let n = |i: usize| args[i].parse::<usize>().unwrap();
    let (tenants, writers, processes, index) = (n(0), n(1), n(2), n(3));
    let seconds: u64 = args[4].parse().unwrap();
    let raw = args[5] == "raw";
    // Writers w of each tenant with w % processes == index run here.
    let mine: Vec<usize> = (0..writers).filter(|w| w % processes == index).collect();
    let store = Arc::new(PostgresStore::connect_in_schema(&url(), Some(SCHEMA), POOL).unwrap());
    let counts: Vec<AtomicU64> = (0..tenants).map(|_| AtomicU64::new(0)).collect();
    let stop = AtomicBool::new(false);
    // Every facade built and every writer started before the window opens.
    let gdprs: Vec<Arc<Gdpr>> = (0..tenants).map(|t| Arc::new(gdpr(&store, t))).collect();
    let start = std::sync::Barrier::new(tenants * mine.len() + 1);
    let mut window = Duration::ZERO;
    std::thread::scope(|s| {
        for (t, g) in gdprs.iter().enumerate() {
            for &w in &mine {
                let (g, store, counts, stop, start) = (g.clone(), &store, &counts, &stop, &start);
                s.spawn(move || {
                    start.wait();
                    let mut k = (t * writers + w) * 1_000_000;
                    while !stop.load(Ordering::Relaxed) {
                        if raw {
                            store
                                .with_raw_client(|c| {
                                    c.execute(
                                        "INSERT INTO raw_ledger (tenant, prev_hash, hash, kind, subject, purpose, \
                                         channel, action, occurred_at, body, commitments, personal) VALUES ($1, $2, $2, \
                                         'consent', $3, 'newsletter', 'email', 'opt_out', $4, '{}', $5, $6)",
                                        &[
                                            &tenant(t).as_str(),
                                            &&[k as u8; 32][..],
                                            &subject(k % SUBJECTS).as_str(),
                                            &(k as i64),
                                            &&[0u8; 96][..],
                                            &&[0u8; 64][..],
                                        ],
                                    )
                                    .unwrap()
                                })
                                .unwrap();
                        } else {
                            g.record_consent(event(k, SUBJECTS)).unwrap();
                        }
                        // Only what completed within the window counts.
                        if !stop.load(Ordering::Relaxed) {
                            counts[t].fetch_add(1, Ordering::Relaxed);
                        }
                        k += 1;
                    }
                });
            }
        }
        start.wait();
        let started = Instant::now();
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        window = started.elapsed();
    });
    println!("{}", window.as_secs_f64());
    for c in &counts {
        println!("{}", c.load(Ordering::Relaxed));
    }
}
