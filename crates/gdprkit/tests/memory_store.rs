//! The conformance suite on the in-memory store.

gdprkit::store_conformance!(|| std::sync::Arc::new(gdprkit::MemoryStore::new()));

/// Verification tells its progress entry by entry, for a bar over a long chain (`ledger verify`
/// on a terminal), and reaches the same verdict.
#[test]
fn verification_reports_each_entry_it_checks() {
    let (g, _) = gdprkit::testkit::setup(&|| std::sync::Arc::new(gdprkit::MemoryStore::new()));
    let mut seen = Vec::new();
    let verdict = g.verify_ledger_progress(&mut |seq| seen.push(seq)).unwrap();
    assert_eq!(verdict, g.verify_ledger().unwrap());
    assert_eq!(seen, [1, 2, 3, 4, 5], "2 purposes and 3 subjects");
}
