//! Many writers on one tenant keep one linear chain: 8 threads in this process and 2 more
//! processes (this test binary run again as a child) append at once.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{event, sid};
use gdprkit::{Channel, ConsentAction, Gdpr, LegalBasis, NewSubject, Purpose, PurposeId, Regime, TenantId};
use gdprkit_postgres::PostgresStore;

const THREADS: usize = 8;
const PROCESSES: usize = 2;
const PER_WRITER: usize = 40;
/// Set in a child process: the schema to append to, and the writer's name.
const CHILD_VAR: &str = "GDPRKIT_TEST_CHILD";

/// Appends `PER_WRITER` events, each at an instant of its own in this writer's hour.
fn append_events(store: Arc<dyn Store>, writer: usize) {
    let g = Gdpr::builder(store).build().unwrap();
    for i in 0..PER_WRITER {
        let at = format!("2025-01-01T{writer:02}:{i:02}:00Z");
        g.record_consent(event("s", ConsentAction::OptOut, "promo", Channel::Email, &at)).unwrap();
    }
}

#[test]
fn writers_in_threads_and_processes_keep_one_chain() {
    if let Ok(spec) = std::env::var(CHILD_VAR) {
        // The child: append, then exit.
        let (schema, writer) = spec.split_once('/').unwrap();
        let store = PostgresStore::connect_in_schema(&common::url(), Some(schema), 2).unwrap();
        append_events(Arc::new(store), writer.parse().unwrap());
        return;
    }
    if let Some(reason) = common::skip_reason() {
        eprintln!("writers_in_threads_and_processes_keep_one_chain: skipped: {reason}");
        return;
    }
    let (store, schema) = common::fresh_store(THREADS as u32 + 2);
    let store: Arc<dyn Store> = Arc::new(store);
    let g = Gdpr::builder(store.clone()).build().unwrap();
    g.add_purpose(Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true)).unwrap();
    g.add_subject(NewSubject::new(sid("s"), Regime::B2bOptOut)).unwrap();
    let before = g.verify_ledger().unwrap();

    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "writers_in_threads_and_processes_keep_one_chain", "--nocapture"])
                .env(CHILD_VAR, format!("{schema}/{}", THREADS + p))
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let store = store.clone();
            scope.spawn(move || append_events(store, t));
        }
    });
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a child process failed");
    }

    let entries = match (before, g.verify_ledger().unwrap()) {
        (gdprkit::Verification::Intact { entries: a }, gdprkit::Verification::Intact { entries: b }) => b - a,
        (_, broken) => panic!("the chain does not verify: {broken:?}"),
    };
    assert_eq!(entries as usize, (THREADS + PROCESSES) * PER_WRITER, "every event is there");
    assert_eq!(g.history(&sid("s")).unwrap().len(), (THREADS + PROCESSES) * PER_WRITER);
    // No two entries share a predecessor, and the numbers run without a gap.
    let mut seqs = Vec::new();
    let mut prevs = std::collections::HashSet::new();
    store
        .scan_ledger(&TenantId::default_tenant(), &mut |e| {
            seqs.push(e.seq);
            assert!(prevs.insert(e.prev_hash.to_vec()), "entry {} shares its predecessor", e.seq);
            true
        })
        .unwrap();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
}

#[test]
fn tenants_do_not_wait_on_each_other() {
    if let Some(reason) = common::skip_reason() {
        eprintln!("tenants_do_not_wait_on_each_other: skipped: {reason}");
        return;
    }
    let (store, _) = common::fresh_store(3);
    let store = Arc::new(store);
    let a = Gdpr::builder(store.clone()).tenant(TenantId::new("a").unwrap()).build().unwrap();
    let b = Gdpr::builder(store.clone()).tenant(TenantId::new("b").unwrap()).build().unwrap();
    a.add_purpose(Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true)).unwrap();
    store
        .with_raw_client(|client| {
            // Tenant a's chain head stays locked, as by a long append, while tenant b appends.
            let mut tx = client.transaction().unwrap();
            tx.query("SELECT seq FROM gdprkit_tenants WHERE tenant = 'a' FOR UPDATE", &[]).unwrap();
            let (send, receive) = std::sync::mpsc::channel();
            let b = b.clone();
            std::thread::spawn(move || {
                let _ =
                    send.send(b.add_purpose(Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true)));
            });
            let appended = receive.recv_timeout(std::time::Duration::from_secs(60));
            tx.rollback().unwrap();
            appended.expect("tenant b waited on tenant a's lock").unwrap();
        })
        .unwrap();
    assert!(a.verify_ledger().unwrap().is_intact() && b.verify_ledger().unwrap().is_intact());
}

/// Appends that go out together in one transaction fail alone: of 8 threads registering the same
/// purpose at once, one succeeds and the others are told the purpose exists, while 8 other
/// threads' consent events all land, on one verifiable chain.
#[test]
fn a_failing_append_among_concurrent_ones_fails_alone() {
    if let Some(reason) = common::skip_reason() {
        eprintln!("a_failing_append_among_concurrent_ones_fails_alone: skipped: {reason}");
        return;
    }
    let (store, _) = common::fresh_store(4);
    let g = Gdpr::builder(Arc::new(store)).build().unwrap();
    g.add_purpose(Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true)).unwrap();
    g.add_subject(NewSubject::new(sid("s"), Regime::B2bOptOut)).unwrap();
    let outcomes: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let g = &g;
                scope.spawn(move || {
                    if t % 2 == 0 {
                        let purpose = Purpose::new(PurposeId::new("twice").unwrap(), LegalBasis::Consent, true);
                        g.add_purpose(purpose).map_err(|e| e.to_string())
                    } else {
                        let at = format!("2025-01-01T10:{t:02}:00Z");
                        g.record_consent(event("s", ConsentAction::OptOut, "promo", Channel::Email, &at))
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let purposes: Vec<_> = outcomes.iter().step_by(2).collect();
    assert_eq!(purposes.iter().filter(|r| r.is_ok()).count(), 1, "{purposes:?}");
    for refused in purposes.iter().filter_map(|r| r.as_ref().err()) {
        assert!(refused.contains("twice"), "told the purpose exists: {refused}");
    }
    assert!(outcomes.iter().skip(1).step_by(2).all(Result::is_ok), "every event lands: {outcomes:?}");
    assert_eq!(g.history(&sid("s")).unwrap().len(), 8);
    assert!(g.verify_ledger().unwrap().is_intact());
}
