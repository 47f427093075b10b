//! [`SqliteStore`]: the [`Store`] trait over one SQLite connection, and a second one on a file
//! that only reads the whole chain.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use gdprkit::mailer::Message;
use gdprkit::outbox::{Attempt, OutboxFilter, OutboxItem};
use gdprkit::raw::ledger::{Fact, StoredEntry};
use gdprkit::raw::{Append, Effect, Head};
use gdprkit::raw::{Scope, Store, SubjectFacts};
use gdprkit::request::recipients::{Disclosure, RecipientTask};
use gdprkit::request::record::{Request, RequestId};
use gdprkit::{DeclaredChannel, Error, Purpose, PurposeId, Result, Subject, SubjectId, Submission, TenantId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

use crate::db_err;
use crate::outbox;
use crate::schema::{MIGRATIONS, migrate};

/// The columns of a ledger entry, in the order [`with_entry`] reads them.
pub(crate) const ENTRY_COLUMNS: &str =
    "seq, prev_hash, hash, kind, subject, purpose, channel, action, occurred_at, body, commitments, personal";

/// gdprkit's records in a SQLite file.
///
/// One connection, shared behind a lock: SQLite writes one transaction at a time anyway, and
/// WAL lets other processes read the file while this one writes. A store on a file opens a second
/// connection, for reading only, when the chain is first read whole (ledger verification): that
/// long read then holds neither the lock of the first connection nor any write.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// The file, for the reading connection (its absolute path, so that a change of the working
    /// directory does not matter); `None` in memory.
    path: Option<PathBuf>,
    /// The connection that reads the whole chain, opened on first use.
    reader: Mutex<Option<Connection>>,
}

impl SqliteStore {
    /// Visits, in order, the entries `clause` selects from the ledger (what follows the table's
    /// name, binding the tenant as `?1` and the subject as `?2`).
    fn visit_entries(
        &self,
        clause: &str,
        tenant: &TenantId,
        subject: &SubjectId,
        what: &'static str,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger {clause}"))
            .map_err(db_err(what))?;
        let mut rows = st.query([tenant.as_str(), subject.as_str()]).map_err(db_err(what))?;
        while let Some(row) = rows.next().map_err(db_err(what))? {
            with_entry(row, |e| visit(e)).map_err(db_err(what))??;
        }
        Ok(())
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date. A file
    /// written by a newer gdprkit is refused with [`Error::SchemaTooNew`].
    ///
    /// Give a file's path: `gdprkit-setup` refuses `file:` URIs, whose options SQLite would read.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::storage(format!("SQLite could not open {}", path.display()), e))?;
        Self::with_connection(conn, path.canonicalize().ok())
    }

    /// Opens an existing gdprkit database at `path`, at the schema version this build writes,
    /// without creating or migrating anything: a missing or empty file, a file that is not a
    /// gdprkit database, or one at another schema version is refused and left as it is. For
    /// commands and processes that only read.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let refuse = |why: String| Error::config("store", format!("{}: {why}", path.display()));
        let size = std::fs::metadata(path).map_err(|e| refuse(format!("cannot be read ({e})")))?.len();
        if size == 0 {
            return Err(refuse("is empty, not a gdprkit database".into()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::storage(format!("SQLite could not open {}", path.display()), e))?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db_err("set the busy timeout"))?;
        let found: Option<i64> = conn
            .query_row("SELECT max(version) FROM gdprkit_schema", [], |r| r.get(0))
            .map_err(|_| refuse("is not a gdprkit database".into()))?;
        let found = found.unwrap_or(0);
        if found > crate::schema::SCHEMA_VERSION {
            return Err(Error::SchemaTooNew { found, supported: crate::schema::SCHEMA_VERSION });
        }
        if found < crate::schema::SCHEMA_VERSION {
            return Err(refuse(format!(
                "was written by an older gdprkit (schema {found}, this one writes {}); a command that writes brings it \
                 up to date",
                crate::schema::SCHEMA_VERSION
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(db_err("set synchronous"))?;
        conn.pragma_update(None, "secure_delete", "ON").map_err(db_err("turn secure_delete on"))?;
        Ok(Self::of(conn, path.canonicalize().ok()))
    }

    /// A store in memory, gone when dropped; for tests.
    pub fn open_in_memory() -> Result<Self> {
        Self::with_connection(Connection::open_in_memory().map_err(db_err("open an in-memory database"))?, None)
    }

    fn of(conn: Connection, path: Option<PathBuf>) -> Self {
        Self { conn: Mutex::new(conn), path, reader: Mutex::new(None) }
    }

    fn with_connection(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(db_err("set the busy timeout"))?;
        // WAL lets readers and one writer work at once; FULL syncs the log at every commit, so a
        // committed consent survives a crash of the process or of the machine; secure_delete
        // overwrites erased values in the file instead of leaving them in free pages.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err("switch to WAL"))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(db_err("set synchronous"))?;
        conn.pragma_update(None, "secure_delete", "ON").map_err(db_err("turn secure_delete on"))?;
        migrate(&mut conn, MIGRATIONS)?;
        Ok(Self::of(conn, path))
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The reading connection of a store on a file, opened on first use; `None` in memory.
    fn reader(&self) -> Result<Option<MutexGuard<'_, Option<Connection>>>> {
        let Some(path) = &self.path else { return Ok(None) };
        let mut reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        if reader.is_none() {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path, flags)
                .map_err(|e| Error::storage(format!("SQLite could not open {} to read it", path.display()), e))?;
            conn.busy_timeout(Duration::from_secs(10)).map_err(db_err("set the busy timeout"))?;
            // It only reads: SQLite refuses any write through it.
            conn.pragma_update(None, "query_only", "ON").map_err(db_err("make a connection read only"))?;
            *reader = Some(conn);
        }
        Ok(Some(reader))
    }

    /// The requests matching `condition` (SQL after `WHERE`, its values bound), by receipt.
    fn requests_where(&self, condition: &str, values: &[&str]) -> Result<Vec<Request>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!("SELECT record FROM gdprkit_requests WHERE {condition} ORDER BY received_at, id"))
            .map_err(db_err("list requests"))?;
        let rows = st
            .query_map(rusqlite::params_from_iter(values), |r| r.get::<_, String>(0))
            .map_err(db_err("list requests"))?;
        rows.map(|r| parse_request(&r.map_err(db_err("list requests"))?)).collect()
    }

    /// Runs `f` on the connection. For maintenance and tests: writing gdprkit's tables through
    /// it bypasses every rule, and the ledger will say so.
    pub fn with_raw_connection<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        f(&self.conn())
    }
}

/// Visits the tenant's chain through `conn` in one read transaction, so that the head and the
/// entries come from the same snapshot.
fn scan_chain(
    conn: &mut Connection,
    tenant: &TenantId,
    visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool,
) -> Result<Option<Head>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(db_err("start a read"))?;
    let head = read_head(&tx, tenant)?;
    {
        let mut st = tx
            .prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger WHERE tenant = ?1 ORDER BY seq"))
            .map_err(db_err("read the ledger"))?;
        let mut rows = st.query([tenant.as_str()]).map_err(db_err("read the ledger"))?;
        while let Some(row) = rows.next().map_err(db_err("read the ledger"))? {
            if !with_entry(row, |e| visit(e)).map_err(db_err("read the ledger"))? {
                break;
            }
        }
    }
    tx.commit().map_err(db_err("end a read"))?;
    Ok(head)
}

/// Reads the ledger entry in `row` (selected as [`ENTRY_COLUMNS`]) and hands it to `f`.
///
/// The read is lenient on purpose: a column that someone rewrote with another type (text for a
/// blob, a word for a number) is passed on as the nearest value rather than failing the read, so
/// that verification reports the entry as not matching its hash instead of failing to run.
pub(crate) fn with_entry<T>(row: &Row<'_>, f: impl FnOnce(&StoredEntry<'_>) -> T) -> rusqlite::Result<T> {
    let fact = match text(row.get_ref(7)?) {
        Some(action) => Some(Fact {
            purpose: text(row.get_ref(5)?).unwrap_or_default(),
            channel: text(row.get_ref(6)?).unwrap_or_default(),
            action,
            occurred_at: int(row.get_ref(8)?),
        }),
        None => None,
    };
    let entry = StoredEntry {
        seq: int(row.get_ref(0)?) as u64,
        prev_hash: bytes(row.get_ref(1)?).unwrap_or_default(),
        hash: bytes(row.get_ref(2)?).unwrap_or_default(),
        kind: text(row.get_ref(3)?).unwrap_or_default(),
        subject: text(row.get_ref(4)?),
        fact,
        body: text(row.get_ref(9)?).unwrap_or_default(),
        commitments: bytes(row.get_ref(10)?).unwrap_or_default(),
        personal: bytes(row.get_ref(11)?),
    };
    Ok(f(&entry))
}

/// Text or blob bytes; `None` for NULL or a number.
fn bytes<'a>(v: ValueRef<'a>) -> Option<&'a [u8]> {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(b),
        _ => None,
    }
}

/// Text; bytes that are not UTF-8 read as a marker that matches nothing gdprkit writes.
fn text<'a>(v: ValueRef<'a>) -> Option<&'a str> {
    bytes(v).map(|b| std::str::from_utf8(b).unwrap_or("\u{0}not UTF-8"))
}

/// An integer; anything else reads as `i64::MIN`, which no entry holds.
fn int(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Integer(i) => i,
        _ => i64::MIN,
    }
}

fn read_head(conn: &Connection, tenant: &TenantId) -> Result<Option<Head>> {
    conn.prepare_cached("SELECT seq, hash FROM gdprkit_tenants WHERE tenant = ?1")
        .and_then(|mut st| {
            st.query_row([tenant.as_str()], |r| {
                let seq: i64 = r.get(0)?;
                let hash: Vec<u8> = r.get(1)?;
                Ok((seq, hash))
            })
            .optional()
        })
        .map_err(db_err("read the chain head"))?
        .map(|(seq, hash)| {
            let hash: [u8; 32] =
                hash.try_into().map_err(|_| Error::Corrupt(format!("the chain head of {tenant} is not 32 bytes")))?;
            Ok((seq as u64, hash))
        })
        .transpose()
}

/// Whether the entry numbers found are exactly those listed, in any order.
fn same_entries(found: &[i64], listed: &[u64]) -> bool {
    let mut listed: Vec<i64> = listed.iter().map(|&s| s as i64).collect();
    listed.sort_unstable();
    found == listed.as_slice()
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

impl SqliteStore {
    /// [`Store::append`], untimed.
    fn append_inner(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err("start a write"))?;
        let mut head = read_head(&tx, tenant)?;
        let mut seqs = Vec::with_capacity(entries.len());
        let mut new_subjects = 0i64;
        let mut erased = false;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO gdprkit_ledger (tenant, seq, prev_hash, hash, kind, subject, purpose, channel, action, \
                     occurred_at, body, commitments, personal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(db_err("prepare the ledger insert"))?;
            for a in entries {
                let e = &a.entry;
                let (seq, hash) = e.seal(tenant, head);
                let prev = head.map_or(gdprkit::raw::ledger::GENESIS, |h| h.1);
                let fact = e.fact.as_ref().map(|f| f.as_ref());
                insert
                    .execute(params![
                        tenant.as_str(),
                        seq as i64,
                        &prev[..],
                        &hash[..],
                        e.kind.as_str(),
                        e.subject.as_ref().map(SubjectId::as_str),
                        fact.map(|f| f.purpose),
                        fact.map(|f| f.channel),
                        fact.map(|f| f.action),
                        fact.map(|f| f.occurred_at),
                        e.body,
                        e.commitments,
                        e.personal,
                    ])
                    .map_err(db_err("append a ledger entry"))?;
                match &a.effect {
                    Some(Effect::Purpose(p)) => {
                        tx.prepare_cached(
                            "INSERT INTO gdprkit_purposes (tenant, id, label, legal_basis, direct_marketing, \
                             professional) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        )
                        .and_then(|mut st| {
                            st.execute(params![
                                tenant.as_str(),
                                p.id.as_str(),
                                p.label,
                                p.legal_basis.as_str(),
                                p.direct_marketing,
                                p.professional
                            ])
                        })
                        .map_err(|e| {
                            if is_constraint(&e) {
                                Error::PurposeExists(p.id.to_string())
                            } else {
                                db_err("register a purpose")(e)
                            }
                        })?;
                    }
                    Some(Effect::Settings(s)) => {
                        let json = serde_json::to_string(s)
                            .map_err(|e| Error::internal("could not write the tenant's settings", e))?;
                        tx.prepare_cached(
                            "INSERT INTO gdprkit_settings (tenant, settings) VALUES (?1, ?2) \
                             ON CONFLICT (tenant) DO UPDATE SET settings = excluded.settings",
                        )
                        .and_then(|mut st| st.execute(params![tenant.as_str(), json]))
                        .map_err(db_err("store the tenant's settings"))?;
                    }
                    Some(Effect::Channel(c)) => {
                        tx.prepare_cached("INSERT INTO gdprkit_channels (tenant, name, kind) VALUES (?1, ?2, ?3)")
                            .and_then(|mut st| st.execute(params![tenant.as_str(), c.name.as_str(), c.kind.as_str()]))
                            .map_err(|e| {
                                if is_constraint(&e) {
                                    Error::ChannelExists(c.name.to_string())
                                } else {
                                    db_err("declare a channel")(e)
                                }
                            })?;
                    }
                    Some(Effect::Subject(s)) => {
                        tx.prepare_cached(
                            "INSERT INTO gdprkit_subjects (tenant, id, regime, email, language, registered_at, phone) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        )
                        .and_then(|mut st| {
                            st.execute(params![
                                tenant.as_str(),
                                s.id.as_str(),
                                s.regime.as_str(),
                                s.email,
                                s.language.map(|l| l.as_str()),
                                gdprkit::time::to_micros(s.registered_at),
                                s.phone,
                            ])
                        })
                        .map_err(|e| {
                            if is_constraint(&e) {
                                Error::SubjectExists(s.id.to_string())
                            } else {
                                db_err("register a subject")(e)
                            }
                        })?;
                        new_subjects += 1;
                    }
                    Some(Effect::OpenRequest { request, token_hash, confirms }) => {
                        if let Some(hash) = confirms {
                            crate::submissions::confirm(&tx, tenant, hash)?;
                        }
                        tx.prepare_cached(
                            "INSERT INTO gdprkit_requests (tenant, id, subject, state, due, received_at, token_hash, record) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        )
                        .and_then(|mut st| {
                            st.execute(params![
                                tenant.as_str(),
                                request.id.as_str(),
                                request.subject.as_str(),
                                request.state.as_str(),
                                request.due.to_string(),
                                gdprkit::time::to_micros(request.received_at),
                                &token_hash[..],
                                to_json(request)?,
                            ])
                        })
                        .map_err(db_err("open a request"))?;
                    }
                    Some(Effect::UpdateRequest { expected, request }) => {
                        let changed = tx
                            .prepare_cached(
                                "UPDATE gdprkit_requests SET state = ?3, due = ?4, record = ?5 \
                                 WHERE tenant = ?1 AND id = ?2 AND state = ?6",
                            )
                            .and_then(|mut st| {
                                st.execute(params![
                                    tenant.as_str(),
                                    request.id.as_str(),
                                    request.state.as_str(),
                                    request.due.to_string(),
                                    to_json(request)?,
                                    expected.as_str(),
                                ])
                            })
                            .map_err(db_err("update a request"))?;
                        if changed != 1 {
                            return Err(Error::RequestChanged(request.id.to_string()));
                        }
                    }
                    Some(Effect::Disclosure(d)) => {
                        tx.prepare_cached(
                            "INSERT INTO gdprkit_disclosures (tenant, subject, seq, recipient, disclosed_at) \
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )
                        .and_then(|mut st| {
                            st.execute(params![
                                tenant.as_str(),
                                d.subject.as_str(),
                                seq as i64,
                                d.recipient,
                                gdprkit::time::to_micros(d.disclosed_at)
                            ])
                        })
                        .map_err(db_err("register a disclosure"))?;
                    }
                    Some(Effect::CreateTasks(tasks)) => {
                        let mut st = tx
                            .prepare_cached(
                                "INSERT INTO gdprkit_recipient_tasks (tenant, request, recipient, pending, record) \
                                 VALUES (?1, ?2, ?3, 1, ?4)",
                            )
                            .map_err(db_err("create recipient tasks"))?;
                        for t in tasks {
                            to_json(t)
                                .and_then(|record| {
                                    st.execute(params![tenant.as_str(), t.request.as_str(), t.recipient, record])
                                })
                                .map_err(db_err("create recipient tasks"))?;
                        }
                    }
                    Some(Effect::UpdateTask(t)) => {
                        let changed = tx
                            .prepare_cached(
                                "UPDATE gdprkit_recipient_tasks SET pending = 0, record = ?4 \
                                 WHERE tenant = ?1 AND request = ?2 AND recipient = ?3 AND pending = 1",
                            )
                            .and_then(|mut st| {
                                st.execute(params![tenant.as_str(), t.request.as_str(), t.recipient, to_json(t)?])
                            })
                            .map_err(db_err("update a recipient task"))?;
                        if changed != 1 {
                            return Err(Error::invalid(
                                "recipient_task",
                                format!("request {} has no pending task for recipient {:?}", t.request, t.recipient),
                            ));
                        }
                    }
                    Some(Effect::EraseSubject { subject, entries, suppress }) => {
                        let t = tenant.as_str();
                        // The entries listed must be all the subject's entries so far: one
                        // written meanwhile by another writer would keep its values.
                        let found: Vec<i64> = tx
                            .prepare_cached(
                                "SELECT seq FROM gdprkit_ledger INDEXED BY gdprkit_ledger_by_subject \
                                 WHERE tenant = ?1 AND subject = ?2 AND seq < ?3 ORDER BY seq",
                            )
                            .and_then(|mut st| {
                                st.query_map(params![t, subject.as_str(), seq as i64], |r| r.get(0))?.collect()
                            })
                            .map_err(db_err("read a subject's entries"))?;
                        if !same_entries(&found, entries) {
                            return Err(Error::SubjectChanged(subject.to_string()));
                        }
                        let listed = serde_json::to_string(entries).map_err(|e| Error::internal("list entries", e))?;
                        tx.prepare_cached(
                            "UPDATE gdprkit_ledger SET subject = NULL, personal = NULL \
                             WHERE tenant = ?1 AND subject = ?2 AND seq IN (SELECT value FROM json_each(?3))",
                        )
                        .and_then(|mut st| st.execute(params![t, subject.as_str(), listed]))
                        .map_err(db_err("erase a subject's ledger values"))?;
                        tx.prepare_cached(
                            "UPDATE gdprkit_subjects SET email = NULL, phone = NULL WHERE tenant = ?1 AND id = ?2",
                        )
                        .and_then(|mut st| st.execute(params![t, subject.as_str()]))
                        .map_err(db_err("erase a subject's e-mail and phone"))?;
                        crate::suppression::add(&tx, tenant, suppress)?;
                        outbox::cancel_pending(&tx, tenant, subject)?;
                        crate::submissions::erase(&tx, tenant, subject)?;
                        erased = true;
                    }
                    Some(Effect::Enqueue(q)) => outbox::enqueue(&tx, tenant, seq, q)?,
                    None => {}
                }
                head = Some((seq, hash));
                seqs.push(seq);
            }
        }
        if let Some((seq, hash)) = head {
            tx.prepare_cached(
                "INSERT INTO gdprkit_tenants (tenant, seq, hash, subjects) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
                 subjects = subjects + excluded.subjects",
            )
            .and_then(|mut st| st.execute(params![tenant.as_str(), seq as i64, &hash[..], new_subjects]))
            .map_err(db_err("move the chain head"))?;
        }
        tx.commit().map_err(db_err("commit an append"))?;
        if erased {
            // Old page images in the write-ahead log would still hold the erased values.
            crate::scrub::truncate_log(&conn).map_err(|e| {
                Error::storage(
                    "the erasure is committed, but gdprkit's database log still holds the erased values and could not \
                     be cleared; erase the subject again to clear it",
                    e,
                )
            })?;
        }
        Ok(seqs)
    }
}

impl Store for SqliteStore {
    fn append(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>> {
        let started = std::time::Instant::now();
        let seqs = self.append_inner(tenant, entries)?;
        gdprkit::raw::log_append(tenant, &seqs, started.elapsed());
        Ok(seqs)
    }

    fn purpose(&self, tenant: &TenantId, id: &PurposeId) -> Result<Option<Purpose>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(
                "SELECT id, label, legal_basis, direct_marketing, professional FROM gdprkit_purposes WHERE tenant = ?1 AND id = ?2",
            )
            .map_err(db_err("read a purpose"))?;
        let row =
            st.query_row([tenant.as_str(), id.as_str()], purpose_row).optional().map_err(db_err("read a purpose"))?;
        row.transpose()
    }

    fn purposes(&self, tenant: &TenantId) -> Result<Vec<Purpose>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(
                "SELECT id, label, legal_basis, direct_marketing, professional FROM gdprkit_purposes WHERE tenant = ?1 ORDER BY id",
            )
            .map_err(db_err("list purposes"))?;
        let rows = st.query_map([tenant.as_str()], purpose_row).map_err(db_err("list purposes"))?;
        rows.map(|r| r.map_err(db_err("list purposes"))?).collect()
    }

    fn settings(&self, tenant: &TenantId) -> Result<Option<gdprkit::TenantSettings>> {
        let conn = self.conn();
        let json: Option<String> = conn
            .prepare_cached("SELECT settings FROM gdprkit_settings WHERE tenant = ?1")
            .and_then(|mut st| st.query_row([tenant.as_str()], |r| r.get(0)).optional())
            .map_err(db_err("read the tenant's settings"))?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| Error::Corrupt(format!("the tenant's settings: {e}"))))
            .transpose()
    }

    fn channels(&self, tenant: &TenantId) -> Result<Vec<DeclaredChannel>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached("SELECT name, kind FROM gdprkit_channels WHERE tenant = ?1 ORDER BY name")
            .map_err(db_err("list channels"))?;
        let rows = st
            .query_map([tenant.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_err("list channels"))?;
        rows.map(|r| {
            let (name, kind) = r.map_err(db_err("list channels"))?;
            (|| Ok(DeclaredChannel { name: name.parse()?, kind: kind.parse()? }))()
                .map_err(Error::unreadable("channel"))
        })
        .collect()
    }

    fn suppressions(&self, tenant: &TenantId, keys: Option<&[[u8; 32]]>) -> Result<Vec<gdprkit::SuppressionEntry>> {
        crate::suppression::find(&self.conn(), tenant, keys)
    }

    fn subject(&self, tenant: &TenantId, id: &SubjectId) -> Result<Option<Subject>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!("SELECT {SUBJECT_COLUMNS} FROM gdprkit_subjects WHERE tenant = ?1 AND id = ?2"))
            .map_err(db_err("read a subject"))?;
        let row =
            st.query_row([tenant.as_str(), id.as_str()], subject_row).optional().map_err(db_err("read a subject"))?;
        row.transpose()
    }

    fn subjects(&self, tenant: &TenantId) -> Result<Vec<Subject>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!("SELECT {SUBJECT_COLUMNS} FROM gdprkit_subjects WHERE tenant = ?1"))
            .map_err(db_err("list the subjects"))?;
        let rows = st.query_map([tenant.as_str()], subject_row).map_err(db_err("list the subjects"))?;
        rows.map(|r| r.map_err(db_err("list the subjects"))?).collect()
    }

    fn subject_ids(&self, tenant: &TenantId, after: Option<&SubjectId>, limit: usize) -> Result<Vec<SubjectId>> {
        let conn = self.conn();
        // `id > ''` starts at the first id: no id is empty. One statement, so that the first page
        // and the next seek the primary key alike.
        let mut st = conn
            .prepare_cached("SELECT id FROM gdprkit_subjects WHERE tenant = ?1 AND id > ?2 ORDER BY id LIMIT ?3")
            .map_err(db_err("list the subjects"))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = st
            .query(params![tenant.as_str(), after.map_or("", SubjectId::as_str), limit])
            .map_err(db_err("list the subjects"))?;
        let mut ids = Vec::with_capacity(usize::try_from(limit).unwrap_or(0).min(gdprkit::MAX_CAMPAIGN_PAGE));
        while let Some(row) = rows.next().map_err(db_err("list the subjects"))? {
            // Borrowed from the row: one allocation per id, the id's own.
            let id =
                row.get_ref(0).and_then(|v| v.as_str().map_err(Into::into)).map_err(db_err("list the subjects"))?;
            ids.push(crate::facts::stored_subject(id)?);
        }
        Ok(ids)
    }

    fn decision_facts(
        &self,
        tenant: &TenantId,
        subjects: &[SubjectId],
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<SubjectFacts>>> {
        crate::facts::decision_facts(&self.conn(), tenant, subjects, scopes, at)
    }

    fn decision_page(
        &self,
        tenant: &TenantId,
        after: Option<&SubjectId>,
        limit: usize,
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<(SubjectId, Option<SubjectFacts>)>> {
        crate::facts::decision_page(&self.conn(), tenant, after, limit, scopes, at)
    }

    fn subject_entries(
        &self,
        tenant: &TenantId,
        subject: &SubjectId,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        // The subject's index, named: ordered by `seq`, the planner would rather walk the whole
        // chain in key order than sort a subject's few entries.
        const SQL: &str = "INDEXED BY gdprkit_ledger_by_subject WHERE tenant = ?1 AND subject = ?2 ORDER BY seq";
        self.visit_entries(SQL, tenant, subject, "read a subject's entries", visit)
    }

    fn scan_ledger(&self, tenant: &TenantId, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<Option<Head>> {
        // On a file, through the reading connection: the store's other calls go on meanwhile.
        if let Some(mut reader) = self.reader()?
            && let Some(conn) = reader.as_mut()
        {
            return scan_chain(conn, tenant, visit);
        }
        scan_chain(&mut self.conn(), tenant, visit)
    }

    fn scan_after(&self, tenant: &TenantId, after: u64, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<()> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger WHERE tenant = ?1 AND seq > ?2 ORDER BY seq"
            ))
            .map_err(db_err("read the ledger"))?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let mut rows = st.query(params![tenant.as_str(), after]).map_err(db_err("read the ledger"))?;
        while let Some(row) = rows.next().map_err(db_err("read the ledger"))? {
            if !with_entry(row, |e| visit(e)).map_err(db_err("read the ledger"))? {
                break;
            }
        }
        Ok(())
    }

    fn request(&self, tenant: &TenantId, id: &RequestId) -> Result<Option<Request>> {
        let conn = self.conn();
        let record: Option<String> = conn
            .prepare_cached("SELECT record FROM gdprkit_requests WHERE tenant = ?1 AND id = ?2")
            .and_then(|mut st| st.query_row([tenant.as_str(), id.as_str()], |r| r.get(0)).optional())
            .map_err(db_err("read a request"))?;
        record.map(|r| parse_request(&r)).transpose()
    }

    fn request_by_token(&self, tenant: &TenantId, token_hash: &[u8; 32]) -> Result<Option<(Request, [u8; 32])>> {
        let conn = self.conn();
        let row: Option<(String, Vec<u8>)> = conn
            .prepare_cached("SELECT record, token_hash FROM gdprkit_requests WHERE tenant = ?1 AND token_hash = ?2")
            .and_then(|mut st| {
                st.query_row(params![tenant.as_str(), &token_hash[..]], |r| Ok((r.get(0)?, r.get(1)?))).optional()
            })
            .map_err(db_err("find a request by its token"))?;
        row.map(|(record, hash)| {
            let hash: [u8; 32] =
                hash.try_into().map_err(|_| Error::Corrupt("a stored token hash is not 32 bytes".into()))?;
            Ok((parse_request(&record)?, hash))
        })
        .transpose()
    }

    fn requests(&self, tenant: &TenantId) -> Result<Vec<Request>> {
        self.requests_where("tenant = ?1", &[tenant.as_str()])
    }

    fn subject_requests(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Request>> {
        self.requests_where("tenant = ?1 AND subject = ?2", &[tenant.as_str(), subject.as_str()])
    }

    fn disclosures(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Disclosure>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(
                "SELECT recipient, disclosed_at FROM gdprkit_disclosures WHERE tenant = ?1 AND subject = ?2 ORDER BY seq",
            )
            .map_err(db_err("list disclosures"))?;
        let rows = st
            .query_map([tenant.as_str(), subject.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(db_err("list disclosures"))?;
        rows.map(|row| {
            let (recipient, at) = row.map_err(db_err("list disclosures"))?;
            Ok(Disclosure { subject: subject.clone(), recipient, disclosed_at: gdprkit::time::from_micros(at)? })
        })
        .collect()
    }

    fn recipient_tasks(&self, tenant: &TenantId, request: &RequestId) -> Result<Vec<RecipientTask>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(
                "SELECT record FROM gdprkit_recipient_tasks WHERE tenant = ?1 AND request = ?2 ORDER BY recipient",
            )
            .map_err(db_err("list recipient tasks"))?;
        let rows = st
            .query_map([tenant.as_str(), request.as_str()], |r| r.get::<_, String>(0))
            .map_err(db_err("list recipient tasks"))?;
        rows.map(|r| {
            serde_json::from_str(&r.map_err(db_err("list recipient tasks"))?)
                .map_err(|e| Error::Corrupt(format!("a stored recipient task is unreadable: {e}")))
        })
        .collect()
    }

    fn outbox(&self, tenant: &TenantId, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxItem>> {
        outbox::list(&self.conn(), tenant, filter, limit)
    }

    fn due_messages(&self, tenant: &TenantId, now: DateTime<Utc>, limit: usize) -> Result<Vec<(OutboxItem, Message)>> {
        outbox::due(&self.conn(), tenant, now, limit)
    }

    fn record_attempt(&self, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
        outbox::record(&self.conn(), tenant, id, attempt)
    }

    fn subjects_by_email(&self, tenant: &TenantId, email: &str) -> Result<Vec<Subject>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {SUBJECT_COLUMNS} FROM gdprkit_subjects WHERE tenant = ?1 AND lower(email) = lower(?2)"
            ))
            .map_err(db_err("find subjects by address"))?;
        let rows =
            st.query_map(params![tenant.as_str(), email], subject_row).map_err(db_err("find subjects by address"))?;
        rows.map(|r| r.map_err(db_err("find subjects by address"))?).collect()
    }

    fn put_submission(&self, tenant: &TenantId, code_hash: &[u8; 32], submission: &Submission) -> Result<()> {
        crate::submissions::put(&self.conn(), tenant, code_hash, submission)
    }

    fn submission(&self, tenant: &TenantId, code_hash: &[u8; 32]) -> Result<Option<(Submission, [u8; 32])>> {
        crate::submissions::get(&self.conn(), tenant, code_hash)
    }

    fn expire_submissions(&self, tenant: &TenantId, now: DateTime<Utc>) -> Result<usize> {
        let conn = self.conn();
        let expired = crate::submissions::expire(&conn, tenant, now)?;
        if expired > 0 {
            // Old page images in the write-ahead log would still hold the expired messages.
            crate::scrub::truncate_log(&conn)?;
        }
        Ok(expired)
    }
}

/// The columns of a subject's row, in the order [`subject_row`] reads them.
const SUBJECT_COLUMNS: &str = "id, regime, email, language, registered_at, phone";

/// A subject's row read with [`SUBJECT_COLUMNS`]: the SQL error, then the row's own.
fn subject_row(r: &Row<'_>) -> rusqlite::Result<Result<Subject>> {
    let (id, regime, email, language, registered_at): (String, String, Option<String>, Option<String>, i64) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
    let phone: Option<String> = r.get(5)?;
    Ok((|| {
        Ok(Subject {
            id: SubjectId::new(id)?,
            regime: regime.parse()?,
            email,
            language: language.map(|l| l.parse()).transpose()?,
            phone,
            registered_at: gdprkit::time::from_micros(registered_at)?,
        })
    })()
    .map_err(Error::unreadable("subject")))
}

/// A record as the JSON kept in its row.
fn to_json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn parse_request(record: &str) -> Result<Request> {
    serde_json::from_str(record).map_err(|e| Error::Corrupt(format!("a stored request is unreadable: {e}")))
}

fn purpose_row(r: &Row<'_>) -> rusqlite::Result<Result<Purpose>> {
    let id: String = r.get(0)?;
    let label: String = r.get(1)?;
    let basis: String = r.get(2)?;
    let dm: bool = r.get(3)?;
    let professional: bool = r.get(4)?;
    Ok((|| Ok(Purpose { id: id.parse()?, label, legal_basis: basis.parse()?, direct_marketing: dm, professional }))()
        .map_err(Error::unreadable("purpose")))
}
