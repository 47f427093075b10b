//! A store on a file reads the whole chain (ledger verification) through a connection of its
//! own: the long read holds up no write, and sees one snapshot.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{event, setup, sid};
use gdprkit::{Channel, ConsentAction};
use gdprkit_sqlite::SqliteStore;

#[test]
fn a_write_goes_on_while_the_chain_is_read_and_the_read_keeps_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("gdprkit.db")).unwrap());
    let (g, _clock) = setup(&|| store.clone());
    let opt_in = || event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2024-06-01T00:00:00Z");
    g.record_consent(opt_in()).unwrap();
    let count = || {
        let mut n = 0u64;
        store
            .scan_ledger(g.tenant(), &mut |_| {
                n += 1;
                true
            })
            .unwrap();
        n
    };
    let before = count();

    // A consent recorded while the chain is being read: with one connection this call would
    // wait for the read to end, and here (the same thread) never return.
    let mut seen = 0u64;
    let mut written = None;
    store
        .scan_ledger(g.tenant(), &mut |_| {
            seen += 1;
            if written.is_none() {
                let mut e = event("b2b", ConsentAction::OptOut, "promo", Channel::Email, "2024-06-02T00:00:00Z");
                e.subject = sid("b2b");
                written = Some(g.record_consent(e).unwrap());
            }
            true
        })
        .unwrap();
    assert!(written.is_some());
    assert_eq!(seen, before, "the read sees the chain as it was when it began");
    assert_eq!(count(), before + 1, "the consent written meanwhile is committed");
    assert!(g.verify_ledger().unwrap().is_intact());
}
