//! Fixtures shared by the benchmarks: sample consent events and a large SQLite ledger built
//! once and reused between runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use gdprkit::{
    Channel, Collector, ConsentAction, FixedClock, Gdpr, LegalBasis, NewConsent, NewSubject, Proof, Purpose, PurposeId,
    Regime, Source, SubjectId,
};
use gdprkit_sqlite::SqliteStore;
use sha2::Digest;

/// Subjects in the large ledger.
pub const SUBJECTS: usize = 100_000;
/// Consent events in the large ledger.
pub const EVENTS: usize = 1_000_000;

/// The purposes every fixture registers: (id, legal basis, direct marketing).
pub const PURPOSES: [(&str, LegalBasis, bool); 3] = [
    ("newsletter", LegalBasis::Consent, true),
    ("events", LegalBasis::Consent, true),
    ("product-news", LegalBasis::LegitimateInterests, true),
];
const CHANNELS: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Phone];

/// The instant every fixture acts at.
pub fn now() -> DateTime<Utc> {
    gdprkit::time::parse("now", "2026-01-01T00:00:00Z").unwrap()
}

/// The id of subject `i`.
pub fn subject(i: usize) -> SubjectId {
    SubjectId::new(format!("contact-{i:06}")).unwrap()
}

/// A facade over `store` at [`now`], with the purposes and `subjects` subjects registered.
pub fn setup(store: SqliteStore, subjects: usize) -> Gdpr {
    setup_on(Arc::new(store), subjects)
}

/// The same over any store.
pub fn setup_on(store: Arc<dyn gdprkit::raw::Store>, subjects: usize) -> Gdpr {
    let g = Gdpr::builder(store).clock(Arc::new(FixedClock::new(now()))).build().unwrap();
    for (id, basis, dm) in PURPOSES {
        g.add_purpose(Purpose::new(PurposeId::new(id).unwrap(), basis, dm)).unwrap();
    }
    for chunk in (0..subjects).collect::<Vec<_>>().chunks(50_000) {
        let regime = |i: usize| if i.is_multiple_of(3) { Regime::B2cOptIn } else { Regime::B2bOptOut };
        g.add_subjects(chunk.iter().map(|&i| NewSubject::new(subject(i), regime(i))).collect()).unwrap();
    }
    g
}

/// Event `k` of a deterministic mix: opt-ins with their full proof, opt-outs, withdrawals and a
/// few objections, spread over `subjects` subjects, three purposes and three channels.
pub fn event(k: usize, subjects: usize) -> NewConsent {
    let h = (k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let who = subject((h % subjects as u64) as usize);
    let purpose = PurposeId::new(PURPOSES[(h >> 20) as usize % 3].0).unwrap();
    let channel = CHANNELS[(h >> 24) as usize % 3].clone();
    let at = Some(now() - TimeDelta::minutes(1 + (h >> 32) as i64 % 1_000_000));
    let mut e = match (h >> 28) % 10 {
        0..=4 => {
            let mut e = NewConsent::new(who, ConsentAction::OptIn, purpose, channel);
            e.proof = Proof {
                source: Some(Source::WebForm),
                collected_by: Some(Collector::Subject),
                notice_version: Some("newsletter-v3".into()),
                notice_sha256: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
                ip: Some(format!("198.51.100.{}", h % 250)),
                user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".into()),
                proof_ref: None,
            };
            e
        }
        5..=7 => NewConsent::new(who, ConsentAction::OptOut, purpose, channel),
        8 => NewConsent::new(who, ConsentAction::Withdraw, purpose, channel),
        _ if h.is_multiple_of(7) => NewConsent::objection(who),
        _ => NewConsent::new(who, ConsentAction::OptOut, purpose, channel),
    };
    e.occurred_at = at;
    if e.proof.source.is_none() {
        e.proof.source = Some(Source::Email);
    }
    e
}

/// A SQLite ledger of [`EVENTS`] events over [`SUBJECTS`] subjects, built on first use and kept
/// under `target/bench-data` for later runs.
pub fn large_ledger() -> PathBuf {
    ledger_of(SUBJECTS, EVENTS)
}

/// A SQLite ledger of `events` events over `subjects` subjects, built on first use and kept under
/// `target/bench-data` for later runs.
pub fn ledger_of(subjects: usize, events: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    // Named after the schema it was built with, so that a schema change builds a new one.
    let schema = sha2::Sha256::digest(gdprkit_sqlite::schema::MIGRATIONS.concat().as_bytes());
    let tag: String = schema[..4].iter().map(|b| format!("{b:02x}")).collect();
    let name = if subjects == SUBJECTS {
        format!("ledger-{events}-{tag}.db")
    } else {
        format!("ledger-{subjects}-{events}-{tag}.db")
    };
    let path = dir.join(name);
    let done = path.with_extension("done");
    if done.exists() {
        return path;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    eprintln!("building {} (once)…", path.display());
    let g = setup(SqliteStore::open(&path).unwrap(), subjects);
    for start in (0..events).step_by(50_000) {
        g.record_consents((start..(start + 50_000).min(events)).map(|k| event(k, subjects)).collect()).unwrap();
    }
    drop(g);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    std::fs::write(&done, b"").unwrap();
    path
}

/// A raw connection with the pragmas the store uses.
pub fn raw_connection(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "secure_delete", "ON").unwrap();
    conn
}

/// The raw verification baseline's query: every column of the tenant's entries, in order.
pub const RAW_VERIFY_SCAN: &str = "SELECT seq, prev_hash, hash, kind, subject, purpose, channel, action, occurred_at, \
                                   body, commitments, personal FROM gdprkit_ledger WHERE tenant = 'default' ORDER BY seq";

/// The raw verification baseline's work on one row of [`RAW_VERIFY_SCAN`]: one SHA-256 over the
/// previous digest and the row's hashed columns, and one over its personal values. Returns the
/// row's digest.
pub fn raw_verify_row(prev: &[u8; 32], r: &rusqlite::Row<'_>) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update(prev);
    for i in [3, 5, 6, 7, 9, 10] {
        if let Ok(b) = r.get_ref(i).unwrap().as_bytes() {
            h.update(b);
        }
    }
    if let Ok(p) = r.get_ref(11).unwrap().as_blob() {
        std::hint::black_box(sha2::Sha256::digest(p));
    }
    h.finalize().into()
}

/// The sample export the export benchmarks render: `events` rows in all, half consent events and
/// half CRM events (calls), made at [`now`].
pub fn export_of(events: usize) -> gdprkit::export::model::Export {
    gdprkit::export::sample::sample_export("Jeanne", "Martin", "", events / 2, events - events / 2, now(), "fr")
}

/// The raw baseline of the export benchmarks: a plain typst table of the export's consent events
/// and CRM events, one row each, six columns, with no formatting, through the same typst World.
pub const PLAIN_TABLE: &str = r#"#let data = json(bytes(sys.inputs.data))
#set document(date: datetime(year: 2026, month: 1, day: 1))
#table(columns: 6,
  ..data.consents.map(c => (c.occurred_at, c.recorded_at, c.purpose, c.channel, c.action, c.source)).flatten(),
  ..data.events.map(e => (e.at, e.entity, e.category, "", "", "")).flatten(),
)
"#;
