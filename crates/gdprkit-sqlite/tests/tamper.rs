//! Tamper evidence on a real file: any change made with plain SQL to any stored field of any
//! ledger entry makes verification fail and name that entry; a lawful erasure does not.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{event, setup};
use gdprkit::{Channel, ConsentAction, Gdpr, Verification};
use gdprkit_sqlite::SqliteStore;

/// A ledger of 5 registrations and 4 consent events (entries 6 to 9), in a file.
fn ledger(dir: &tempfile::TempDir) -> (Gdpr, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open(dir.path().join("gdprkit.db")).unwrap());
    let (g, clock) = setup(&|| store.clone() as Arc<dyn Store>);
    clock.set(gdprkit::testkit::t("2025-06-01T00:00:00Z"));
    for (s, a, ch) in [
        ("b2c", ConsentAction::OptIn, Channel::Email),
        ("b2b", ConsentAction::OptOut, Channel::Sms),
        ("soft", ConsentAction::OptIn, Channel::Post),
        ("b2c", ConsentAction::Withdraw, Channel::Email),
    ] {
        g.record_consent(event(s, a, "promo", ch, "2025-05-01T00:00:00Z")).unwrap();
    }
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 9 });
    (g, store)
}

/// Every column of an entry, with an SQL expression that changes it.
const CHANGES: &[(&str, &str)] = &[
    ("tenant", "'other'"),
    ("seq", "seq + 100"),
    ("prev_hash", "randomblob(32)"),
    ("hash", "randomblob(32)"),
    ("kind", "'purpose'"),
    ("subject", "subject || 'x'"),
    ("subject", "NULL"),
    ("purpose", "'billing'"),
    ("channel", "'phone'"),
    ("action", "CASE action WHEN 'opt_in' THEN 'opt_out' ELSE 'opt_in' END"),
    ("action", "'object'"),
    ("occurred_at", "occurred_at - 1"),
    ("occurred_at", "'yesterday'"),
    ("body", "replace(body, 'web_form', 'paper')"),
    ("commitments", "randomblob(length(commitments))"),
    ("personal", "CAST(replace(CAST(personal AS TEXT), '192.0.2.7', '192.0.2.8') AS BLOB)"),
    ("personal", "personal || x'00'"),
    ("personal", "NULL"),
];

#[test]
fn changing_any_field_of_any_entry_is_found_and_named() {
    for seq in [6u64, 7, 9] {
        for (column, expr) in CHANGES {
            let dir = tempfile::tempdir().unwrap();
            let (g, store) = ledger(&dir);
            let changed = store.with_raw_connection(|c| {
                c.execute(&format!("UPDATE gdprkit_ledger SET {column} = {expr} WHERE seq = ?1"), [seq as i64]).unwrap()
            });
            assert_eq!(changed, 1, "{column} = {expr} on entry {seq}");
            match g.verify_ledger().unwrap() {
                Verification::Broken { seq: named, reason } => {
                    assert_eq!(named, seq, "{column} = {expr} on entry {seq}: {reason}");
                }
                other => panic!("{column} = {expr} on entry {seq} went unnoticed: {other:?}"),
            }
        }
    }
}

#[test]
fn deleting_an_entry_or_moving_the_head_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    store.with_raw_connection(|c| c.execute("DELETE FROM gdprkit_ledger WHERE seq = 9", []).unwrap());
    assert!(matches!(g.verify_ledger().unwrap(), Verification::Broken { seq: 9, .. }), "a dropped tail is found");

    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    store.with_raw_connection(|c| c.execute("UPDATE gdprkit_tenants SET hash = randomblob(32)", []).unwrap());
    assert!(!g.verify_ledger().unwrap().is_intact());
}

#[test]
fn erasing_a_subjects_values_and_salts_leaves_the_ledger_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    gdprkit::testkit::erase(&g, "b2c");
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 10 });
    let left: i64 = store.with_raw_connection(|c| {
        c.query_row(
            "SELECT count(*) FROM gdprkit_ledger WHERE subject = 'b2c' AND kind <> 'erasure' \
             OR personal IS NULL AND kind = 'consent'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(left, 2, "the two consent events stay, without values");
}

/// Deletes every entry after `keep` and points the head at entry `keep`, as an attacker with the
/// database's password would: the chain alone still verifies.
fn truncate(store: &SqliteStore, keep: i64) {
    store.with_raw_connection(|c| {
        c.execute("DELETE FROM gdprkit_ledger WHERE seq > ?1", [keep]).unwrap();
        c.execute(
            "UPDATE gdprkit_tenants SET seq = ?1, hash = (SELECT hash FROM gdprkit_ledger WHERE seq = ?1)",
            [keep],
        )
        .unwrap();
    });
}

/// C8: a signed checkpoint, kept outside the database, finds a truncated chain that verifies on
/// its own, and a forged checkpoint is refused.
#[test]
fn a_truncated_chain_verifies_alone_and_fails_against_a_signed_checkpoint() {
    use gdprkit::checkpoint::SigningKey;
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    let key = SigningKey::generate().unwrap();
    let checkpoint = g.checkpoint(&key).unwrap();
    assert_eq!(checkpoint.seq, 9);
    let trusted = key.public_key();
    assert_eq!(
        g.verify_ledger_with(std::slice::from_ref(&checkpoint), &trusted).unwrap(),
        Verification::Intact { entries: 9 }
    );
    g.record_consent(event("b2b", ConsentAction::OptIn, "promo", Channel::Email, "2025-05-02T00:00:00Z")).unwrap();
    assert!(g.verify_ledger_with(std::slice::from_ref(&checkpoint), &trusted).unwrap().is_intact(), "growing is fine");

    truncate(&store, 7);
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 7 }, "the chain alone cannot tell");
    match g.verify_ledger_with(std::slice::from_ref(&checkpoint), &trusted).unwrap() {
        Verification::Contradicted { checkpoint: 0, seq: 9, reason } => {
            assert!(reason.contains("7 entries") && reason.contains("removed"), "{reason}")
        }
        other => panic!("the truncation went unnoticed: {other:?}"),
    }

    // A forged checkpoint: content changed after signing, or signed by another key.
    let mut forged = checkpoint.clone();
    forged.seq = 7;
    forged.hash = hex_of(&store, 7);
    let err = g.verify_ledger_with(&[forged], &trusted).unwrap_err();
    assert!(err.to_string().contains("checkpoint 1") && err.to_string().contains("forged"), "{err}");
    let other = SigningKey::generate().unwrap();
    let by_other = g.checkpoint(&other).unwrap();
    let err = g.verify_ledger_with(&[by_other], &trusted).unwrap_err();
    assert!(err.to_string().contains("not by the trusted key"), "{err}");
}

/// C8: a chain rewritten from some entry on (every later hash recomputed) contradicts a
/// checkpoint signed before.
#[test]
fn a_rewritten_chain_contradicts_the_checkpoint_signed_before() {
    use gdprkit::checkpoint::SigningKey;
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    let key = SigningKey::generate().unwrap();
    let checkpoint = g.checkpoint(&key).unwrap();
    // Rewrite from entry 8 on: drop 8 and 9, then append two other entries.
    truncate(&store, 7);
    g.record_consent(event("b2b", ConsentAction::OptIn, "promo", Channel::Sms, "2025-05-02T00:00:00Z")).unwrap();
    g.record_consent(event("soft", ConsentAction::OptOut, "promo", Channel::Sms, "2025-05-02T00:00:00Z")).unwrap();
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 9 });
    match g.verify_ledger_with(&[checkpoint], &key.public_key()).unwrap() {
        Verification::Contradicted { seq: 9, reason, .. } => assert!(reason.contains("rewritten"), "{reason}"),
        other => panic!("the rewrite went unnoticed: {other:?}"),
    }
}

fn hex_of(store: &SqliteStore, seq: i64) -> String {
    let hash: Vec<u8> = store
        .with_raw_connection(|c| c.query_row("SELECT hash FROM gdprkit_ledger WHERE seq = ?1", [seq], |r| r.get(0)))
        .unwrap();
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Section 4: a forged erasure (a denial's subject and values set to NULL with plain SQL, which
/// makes the denial stop counting) is found and named; the same done by gdprkit verifies.
#[test]
fn a_denial_blanked_with_plain_sql_is_named_and_a_lawful_erasure_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    // Entry 7: b2b's opt-out by SMS, a denial.
    let sms = || g.decide(&gdprkit::testkit::sid("b2b"), &gdprkit::testkit::pid("promo"), &Channel::Sms, None).unwrap();
    assert!(!sms().allowed);
    store.with_raw_connection(|c| {
        c.execute("UPDATE gdprkit_ledger SET subject = NULL, personal = NULL WHERE seq = 7", []).unwrap()
    });
    assert!(sms().allowed, "the forgery lifted the opt-out");
    match g.verify_ledger().unwrap() {
        Verification::Broken { seq: 7, reason } => assert!(reason.contains("no erasure entry names it"), "{reason}"),
        other => panic!("the forged erasure went unnoticed: {other:?}"),
    }

    let dir = tempfile::tempdir().unwrap();
    let (g, _) = ledger(&dir);
    gdprkit::testkit::erase(&g, "b2b");
    assert!(g.verify_ledger().unwrap().is_intact(), "an erasure by gdprkit names what it erased");
}

/// C7, C8: decisions read the purposes and subjects tables; a row edited there with plain SQL
/// changes decisions while the chain verifies, so verification compares them with the chain.
#[test]
fn registries_edited_outside_gdprkit_are_named() {
    for (edit, table, decision_flips) in [
        ("UPDATE gdprkit_purposes SET legal_basis = 'consent' WHERE id = 'promo'", "purposes", false),
        ("UPDATE gdprkit_purposes SET direct_marketing = 0 WHERE id = 'promo'", "purposes", false),
        ("UPDATE gdprkit_purposes SET professional = 0 WHERE id = 'promo'", "purposes", false),
        ("INSERT INTO gdprkit_channels (tenant, name, kind) VALUES ('default', 'fax', 'post')", "channels", false),
        ("UPDATE gdprkit_subjects SET regime = 'b2b_opt_out' WHERE id = 'b2c'", "subjects", true),
        ("DELETE FROM gdprkit_subjects WHERE id = 'soft'", "subjects", false),
        (
            "INSERT INTO gdprkit_purposes (tenant, id, label, legal_basis, direct_marketing) \
          VALUES ('default', 'forged', 'Forged', 'contract', 0)",
            "purposes",
            false,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (g, store) = ledger(&dir);
        let sms =
            || g.decide(&gdprkit::testkit::sid("b2c"), &gdprkit::testkit::pid("promo"), &Channel::Sms, None).unwrap();
        let before = sms().allowed;
        store.with_raw_connection(|c| c.execute(edit, []).unwrap());
        if decision_flips {
            assert_ne!(sms().allowed, before, "{edit}: the edit changes a decision");
        }
        match g.verify_ledger().unwrap() {
            Verification::Disagrees { table: named, reason } => assert_eq!(named, table, "{edit}: {reason}"),
            other => panic!("{edit} went unnoticed: {other:?}"),
        }
    }
}

/// A registry value no gdprkit writes (a regime, a legal basis, a channel kind set by hand) reads
/// back as a corrupt record, not as the caller's invalid input: the caller gave nothing wrong.
#[test]
fn a_registry_value_gdprkit_never_writes_reads_as_corrupt() {
    for (edit, read) in [
        ("UPDATE gdprkit_subjects SET regime = 'martian' WHERE id = 'b2c'", "subject"),
        ("UPDATE gdprkit_purposes SET legal_basis = 'whim' WHERE id = 'promo'", "purpose"),
        ("INSERT INTO gdprkit_channels (tenant, name, kind) VALUES ('default', 'fax', 'telepathy')", "channel"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (g, store) = ledger(&dir);
        store.with_raw_connection(|c| c.execute(edit, []).unwrap());
        let err = match read {
            "subject" => g.subject(&gdprkit::testkit::sid("b2c")).unwrap_err(),
            "purpose" => g.purposes().unwrap_err(),
            _ => g.channels().unwrap_err(),
        };
        assert_eq!(err.kind(), gdprkit::ErrorKind::Corrupt, "{edit}: {err}");
        assert!(err.to_string().contains(&format!("a stored {read} is unreadable")), "{edit}: {err}");
    }
}

/// Verification reads the chain on one thread and checks it on another, a few thousand entries
/// at a time: a change deep in a long chain is named all the same, and so is the first of two.
#[test]
fn a_change_deep_in_a_long_chain_is_named_and_the_first_of_two_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (g, store) = ledger(&dir);
    let actions = [ConsentAction::OptIn, ConsentAction::OptOut];
    let events = (0..9_000)
        .map(|i| event(["b2c", "b2b", "soft"][i % 3], actions[i % 2], "promo", Channel::Email, "2025-05-02T00:00:00Z"))
        .collect();
    g.record_consents(events).unwrap();
    let mut seen = 0;
    assert_eq!(g.verify_ledger_progress(&mut |_| seen += 1).unwrap(), Verification::Intact { entries: 9_009 });
    assert_eq!(seen, 9_009, "progress is told of every entry");

    let change = |seq: i64| {
        store.with_raw_connection(|c| {
            c.execute("UPDATE gdprkit_ledger SET body = replace(body, 'web_form', 'paper') WHERE seq = ?1", [seq])
                .unwrap()
        })
    };
    change(8_500);
    match g.verify_ledger().unwrap() {
        Verification::Broken { seq, .. } => assert_eq!(seq, 8_500),
        other => panic!("a change at entry 8,500 went unnoticed: {other:?}"),
    }
    change(4_100);
    match g.verify_ledger().unwrap() {
        Verification::Broken { seq, .. } => assert_eq!(seq, 4_100, "the first change is named"),
        other => panic!("changes at entries 4,100 and 8,500 went unnoticed: {other:?}"),
    }
}
