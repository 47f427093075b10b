//! Crash safety: a child process appending consent events is killed with SIGKILL at random
//! moments; after each kill the file opens, the ledger verifies, and every event the child
//! reported as committed is there.
//!
//! The child is this test binary itself, run again on the ignored `crash_child` test.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{event, setup, sid};
use gdprkit::{Channel, ConsentAction, Gdpr};
use gdprkit_sqlite::SqliteStore;

const KILLS: usize = 24;
const DB_VAR: &str = "GDPRKIT_CRASH_TEST_DB";

/// A small deterministic generator, so that a failing run can be replayed.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_writers_lose_nothing_they_reported_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gdprkit.db");
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        setup(&|| store.clone());
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut reported = BTreeSet::new();
    for round in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(DB_VAR, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let kill_after = 1 + rng.below(30);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen < kill_after {
            let line = lines.next().expect("the child stopped before it was killed").unwrap();
            if let Some(seqs) = line.strip_prefix("committed ") {
                reported.extend(seqs.split(',').map(|s| s.parse::<u64>().unwrap()));
                seen += 1;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let g = Gdpr::builder(store.clone()).build().unwrap();
        let verification = g.verify_ledger().unwrap();
        assert!(verification.is_intact(), "round {round}: {verification:?}");
        let mut present = BTreeSet::new();
        store
            .scan_ledger(g.tenant(), &mut |e| {
                if e.kind == "consent" {
                    present.insert(e.seq);
                }
                true
            })
            .unwrap();
        let lost: Vec<_> = reported.difference(&present).collect();
        assert!(lost.is_empty(), "round {round}: committed entries {lost:?} are gone");
    }
    assert!(reported.len() >= KILLS, "every round committed something");
}

/// The child: appends batches of events until it is killed, reporting each commit.
#[test]
#[ignore = "run by killed_writers_lose_nothing_they_reported_committed"]
fn crash_child() {
    let Some(path) = std::env::var_os(DB_VAR) else { return };
    let g = Gdpr::builder(Arc::new(SqliteStore::open(path).unwrap())).build().unwrap();
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let batch = (0..1 + i % 7)
            .map(|j| {
                let action = if (i + j) % 2 == 0 { ConsentAction::OptIn } else { ConsentAction::OptOut };
                let mut e = event("b2c", action, "promo", Channel::Email, "2024-06-01T00:00:00Z");
                e.subject = sid(if j % 3 == 0 { "b2b" } else { "b2c" });
                e
            })
            .collect();
        let seqs = g.record_consents(batch).unwrap();
        let list: Vec<String> = seqs.iter().map(u64::to_string).collect();
        writeln!(out, "committed {}", list.join(",")).unwrap();
        out.flush().unwrap();
    }
}
