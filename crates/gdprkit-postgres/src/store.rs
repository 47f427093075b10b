//! [`PostgresStore`]: the [`Store`] trait over a pool of PostgreSQL connections.

use chrono::{DateTime, Utc};
use gdprkit::mailer::Message;
use gdprkit::outbox::{Attempt, OutboxFilter, OutboxItem};
use gdprkit::raw::ledger::{Fact, StoredEntry};
use gdprkit::raw::{Append, Effect, Head};
use gdprkit::raw::{Scope, Store, SubjectFacts};
use gdprkit::request::recipients::{Disclosure, RecipientTask};
use gdprkit::request::record::{Request, RequestId};
use gdprkit::{DeclaredChannel, Error, Purpose, PurposeId, Result, Subject, SubjectId, Submission, TenantId};
use postgres::error::SqlState;
use postgres::{Row, Transaction};
use r2d2::{Pool, PooledConnection};

use crate::db_err;
use crate::group::{Group, Waiting};
use crate::outbox;
use crate::pool::{Manager, Statements};
use crate::schema::{MIGRATIONS, migrate};

/// The columns of a ledger entry, in the order [`with_entry`] reads them.
const ENTRY_COLUMNS: &str =
    "seq, prev_hash, hash, kind, subject, purpose, channel, action, occurred_at, body, commitments, personal";

/// gdprkit's records in a PostgreSQL database, shared by every server of a CRM.
///
/// Connections come from a pool. Every write of several records is one transaction; an append
/// locks its tenant's chain head (an upsert of the tenant's row), so the chain of each tenant
/// stays one line under concurrent writers, and tenants do not wait on each other. Appends that
/// arrive while another transaction is out are written together in the next one (group commit).
pub struct PostgresStore {
    pool: Pool<Manager>,
    /// The appends of this process waiting to be written together.
    group: Group,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("connections", &self.pool.max_size()).finish()
    }
}

impl PostgresStore {
    /// Visits, in entry order, the entries about `subject`, ended by `limit` (`""` or
    /// `"LIMIT n"`).
    fn visit_entries(
        &self,
        limit: &'static str,
        tenant: &TenantId,
        subject: &SubjectId,
        what: &'static str,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger WHERE tenant = $1 AND subject = $2 ORDER BY seq {limit}"
        );
        let rows = self.client()?.client.query(&sql, &[&tenant.as_str(), &subject.as_str()]).map_err(db_err(what))?;
        for row in &rows {
            with_entry(row, |e| visit(e))?;
        }
        Ok(())
    }

    /// Connects to the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DB`) with a pool of
    /// up to `connections`, and brings the schema up to date. A database written by a newer
    /// gdprkit is refused with [`Error::SchemaTooNew`].
    pub fn connect(url: &str, connections: u32) -> Result<Self> {
        Self::connect_in_schema(url, None, connections)
    }

    /// The same, keeping gdprkit's tables in the PostgreSQL schema `schema` (created if missing)
    /// rather than the connection's default: beside a CRM's tables without mixing with them, or
    /// one schema per test.
    pub fn connect_in_schema(url: &str, schema: Option<&str>, connections: u32) -> Result<Self> {
        let store = Self::pooled(url, schema, connections)?;
        migrate(&mut store.client()?.client, MIGRATIONS)?;
        Ok(store)
    }

    /// A store over a pool of `connections` to `url`, its schema untouched.
    fn pooled(url: &str, schema: Option<&str>, connections: u32) -> Result<Self> {
        let manager = Manager::new(crate::config(url, schema)?);
        // One connection first, so that a refusal (a certificate, TLS the server does not offer,
        // a password) is told in a line of its own rather than as the pool's timeout.
        manager.check()?;
        let pool = Pool::builder()
            .max_size(connections.max(1))
            // A query on every checkout would add a round trip to every operation. A connection
            // the server closed is dropped when it comes back to the pool (`has_broken`); the one
            // operation that met it fails with a storage error.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| Error::storage("PostgreSQL could not connect", e))?;
        Ok(Self { pool, group: Group::default() })
    }

    /// Connects to a database whose gdprkit schema is already at this build's version, without
    /// migrating anything: a database without gdprkit's tables, or at another version, is refused
    /// as it is. For processes that only read.
    pub fn connect_existing(url: &str, schema: Option<&str>, connections: u32) -> Result<Self> {
        let store = Self::pooled(url, schema, connections)?;
        let supported = MIGRATIONS.len() as i64;
        let found = crate::schema::version(&mut store.client()?.client).map_err(|_| {
            Error::config("store", "the database holds no gdprkit tables; a command that writes creates them")
        })?;
        if found > supported {
            return Err(Error::SchemaTooNew { found, supported });
        }
        if found < supported {
            return Err(Error::config(
                "store",
                format!(
                    "the database was written by an older gdprkit (schema {found}, this one writes {supported}); a \
                     command that writes brings it up to date"
                ),
            ));
        }
        Ok(store)
    }

    fn client(&self) -> Result<PooledConnection<Manager>> {
        self.pool.get().map_err(|e| Error::storage("no PostgreSQL connection is free", e))
    }

    /// The tenant's requests (`$1`) that also meet `and` (empty, or ` AND …` on `$2` onwards), by
    /// receipt. The tenant is in the statement itself, as every statement on gdprkit's tables has it
    /// (`tests/citus.rs`).
    fn requests_where(&self, and: &str, values: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<Request>> {
        let rows = self
            .client()?
            .client
            .query(
                &format!("SELECT record FROM gdprkit_requests WHERE tenant = $1{and} ORDER BY received_at, id"),
                values,
            )
            .map_err(db_err("list requests"))?;
        rows.iter().map(|r| parse_request(r.get(0))).collect()
    }

    /// Writes a group of appends (see [`crate::group`]) in one transaction and returns one result
    /// for each. Tenants are locked in the order of their names, so that writers in other
    /// processes cannot lock two of them the other way round. Should an append of a group fail (a
    /// purpose registered twice, a stale request), the group is written again with each append
    /// under a savepoint, so that only the failing ones fail, each with its own error. A failure
    /// of the transaction itself (the connection, the commit) is not retried: a commit whose
    /// answer was lost may have happened.
    fn write_group(&self, batch: &[Waiting]) -> Vec<Result<Vec<u64>>> {
        let fresh = || -> Vec<Option<Result<Vec<u64>>>> { batch.iter().map(|_| None).collect() };
        let collect = |results: Vec<Option<Result<Vec<u64>>>>| -> Vec<Result<Vec<u64>>> {
            results
                .into_iter()
                .map(|r| r.unwrap_or_else(|| Err(Error::Corrupt("an append of a group was not written".into()))))
                .collect()
        };
        let mut results = fresh();
        let failure = match self.try_write_group(batch, &mut results, false) {
            Ok(()) => return collect(results),
            // One append alone gets its error as it is.
            Err(GroupFailure::Append(e) | GroupFailure::Transaction(e)) if batch.len() == 1 => return vec![Err(e)],
            Err(GroupFailure::Append(_)) => {
                let mut results = fresh();
                match self.try_write_group(batch, &mut results, true) {
                    Ok(()) => return collect(results),
                    Err(GroupFailure::Append(e) | GroupFailure::Transaction(e)) => e,
                }
            }
            Err(GroupFailure::Transaction(e)) => e,
        };
        // No append of the group was written.
        batch
            .iter()
            .map(|_| {
                Err(Error::Storage {
                    message: format!("{failure} (writing a group of appends)"),
                    retryable: true,
                    source: None,
                })
            })
            .collect()
    }

    /// One transaction for `batch`, with a savepoint around each append when `savepoints`;
    /// without, the first append that fails fails the whole transaction.
    fn try_write_group(
        &self,
        batch: &[Waiting],
        results: &mut [Option<Result<Vec<u64>>>],
        savepoints: bool,
    ) -> Result<(), GroupFailure> {
        use GroupFailure::Transaction as failed;
        let mut conn = self.client().map_err(failed)?;
        let (mut tx, statements) = conn.transaction().map_err(db_err("start a write")).map_err(failed)?;
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|a, b| batch[*a].0.as_str().cmp(batch[*b].0.as_str()));
        for tenant_order in order.chunk_by(|a, b| batch[*a].0 == batch[*b].0) {
            let tenant = &batch[tenant_order[0]].0;
            let first = lock_head(&mut tx, statements, tenant).map_err(failed)?;
            let mut head = first;
            let mut new_subjects = 0i64;
            let mut moved = false;
            for (n, &k) in tenant_order.iter().enumerate() {
                let savepoint = |tx: &mut Transaction<'_>, sql: &str, what: &'static str| {
                    tx.batch_execute(sql).map_err(db_err(what)).map_err(failed)
                };
                if savepoints {
                    savepoint(&mut tx, "SAVEPOINT gdprkit_append", "start an append")?;
                }
                // Without savepoints, the tenant's last append also moves its head.
                let moves_head = (!savepoints && n + 1 == tenant_order.len()).then_some(new_subjects);
                match append_entries(&mut tx, statements, tenant, head, &batch[k].1, moves_head) {
                    Ok((seqs, last, subjects, head_moved)) => {
                        moved = head_moved;
                        if savepoints {
                            savepoint(&mut tx, "RELEASE SAVEPOINT gdprkit_append", "end an append")?;
                        }
                        head = last;
                        new_subjects += subjects;
                        results[k] = Some(Ok(seqs));
                    }
                    Err(e) if savepoints => {
                        savepoint(&mut tx, "ROLLBACK TO SAVEPOINT gdprkit_append", "undo a failed append")?;
                        results[k] = Some(Err(e));
                    }
                    Err(e) => return Err(GroupFailure::Append(e)),
                }
            }
            if let Some((seq, hash)) = head.filter(|_| head != first && !moved) {
                let update = statements
                    .get(
                        &mut tx,
                        "UPDATE gdprkit_tenants SET seq = $2, hash = $3, subjects = subjects + $4 WHERE tenant = $1",
                    )
                    .map_err(db_err("prepare the chain head's move"))
                    .map_err(failed)?;
                tx.execute(&update, &[&tenant.as_str(), &(seq as i64), &&hash[..], &new_subjects])
                    .map_err(db_err("move the chain head"))
                    .map_err(failed)?;
            }
        }
        tx.commit().map_err(db_err("commit an append")).map_err(failed)
    }

    /// Runs `f` on a connection of the pool. For maintenance and tests: writing gdprkit's tables
    /// through it bypasses every rule, and the ledger will say so.
    pub fn with_raw_client<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> Result<T> {
        Ok(f(&mut self.client()?.client))
    }
}

/// Why a group of appends was not written.
enum GroupFailure {
    /// An append of the group failed (its own error); the others may be written without it.
    Append(Error),
    /// The transaction failed.
    Transaction(Error),
}

/// Reads the ledger entry in `row` (selected as [`ENTRY_COLUMNS`]) and hands it to `f`.
fn with_entry<T>(row: &Row, f: impl FnOnce(&StoredEntry<'_>) -> T) -> T {
    let action: Option<&str> = row.get(7);
    let fact = action.map(|action| Fact {
        purpose: row.get::<_, Option<&str>>(5).unwrap_or_default(),
        channel: row.get::<_, Option<&str>>(6).unwrap_or_default(),
        action,
        occurred_at: row.get::<_, Option<i64>>(8).unwrap_or(i64::MIN),
    });
    let seq: i64 = row.get(0);
    let entry = StoredEntry {
        seq: seq as u64,
        prev_hash: row.get(1),
        hash: row.get(2),
        kind: row.get(3),
        subject: row.get(4),
        fact,
        body: row.get(9),
        commitments: row.get(10),
        personal: row.get(11),
    };
    f(&entry)
}

/// Locks the tenant's chain head for the rest of the transaction and reads it, registering the
/// tenant on its first append. One statement: the upsert locks the row, and waits for a writer
/// that holds it.
fn lock_head(tx: &mut Transaction<'_>, statements: &mut Statements, tenant: &TenantId) -> Result<Option<Head>> {
    let lock = statements
        .get(
            tx,
            "INSERT INTO gdprkit_tenants (tenant) VALUES ($1) \
             ON CONFLICT (tenant) DO UPDATE SET tenant = EXCLUDED.tenant RETURNING seq, hash",
        )
        .map_err(db_err("prepare the chain head's lock"))?;
    let row = tx.query_one(&lock, &[&tenant.as_str()]).map_err(db_err("lock the chain head"))?;
    head_of(tenant, row.get(0), row.get(1))
}

fn head_of(tenant: &TenantId, seq: Option<i64>, hash: Option<Vec<u8>>) -> Result<Option<Head>> {
    match (seq, hash) {
        (Some(seq), Some(hash)) => {
            let hash: [u8; 32] =
                hash.try_into().map_err(|_| Error::Corrupt(format!("the chain head of {tenant} is not 32 bytes")))?;
            Ok(Some((seq as u64, hash)))
        }
        _ => Ok(None),
    }
}

fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Corrupt(format!("a record could not be written as JSON: {e}")))
}

fn parse_request(record: &str) -> Result<Request> {
    serde_json::from_str(record).map_err(|e| Error::Corrupt(format!("a stored request is unreadable: {e}")))
}

/// The insert of a ledger entry.
const INSERT_ENTRY: &str = "INSERT INTO gdprkit_ledger (tenant, seq, prev_hash, hash, kind, subject, purpose, channel, \
     action, occurred_at, body, commitments, personal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// The insert of a ledger entry that also moves the tenant's head to it, adding `$14` subjects:
/// one round trip instead of two for the last entry of a write.
const INSERT_ENTRY_AND_MOVE_HEAD: &str = "WITH entry AS (INSERT INTO gdprkit_ledger (tenant, seq, prev_hash, hash, kind, \
     subject, purpose, channel, action, occurred_at, body, commitments, personal) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)) \
     UPDATE gdprkit_tenants SET seq = $2, hash = $4, subjects = subjects + $14 WHERE tenant = $1";

/// Inserts one append's entries after `head`, with their effects; returns their numbers, the new
/// head, how many subjects they registered, and whether the head was moved. With
/// `moves_head: Some(n)` (n subjects registered before in this write), a last entry without an
/// effect also moves the tenant's head.
fn append_entries(
    tx: &mut Transaction<'_>,
    statements: &mut Statements,
    tenant: &TenantId,
    mut head: Option<Head>,
    entries: &[Append],
    moves_head: Option<i64>,
) -> Result<(Vec<u64>, Option<Head>, i64, bool)> {
    let insert = statements.get(tx, INSERT_ENTRY).map_err(db_err("prepare the ledger insert"))?;
    let mut seqs = Vec::with_capacity(entries.len());
    let mut new_subjects = 0i64;
    let mut moved = false;
    for (i, a) in entries.iter().enumerate() {
        let e = &a.entry;
        let (seq, hash) = e.seal(tenant, head);
        let prev = head.map_or(gdprkit::raw::ledger::GENESIS, |h| h.1);
        let fact = e.fact.as_ref().map(|f| f.as_ref());
        let subjects = moves_head.filter(|_| i + 1 == entries.len() && a.effect.is_none()).map(|n| n + new_subjects);
        let statement = match subjects {
            Some(_) => statements.get(tx, INSERT_ENTRY_AND_MOVE_HEAD).map_err(db_err("prepare the ledger insert"))?,
            None => insert.clone(),
        };
        moved = subjects.is_some();
        let subjects = subjects.unwrap_or_default();
        let (tenant_id, seq_number, prev, hash_bytes) = (tenant.as_str(), seq as i64, &prev[..], &hash[..]);
        let (kind, subject) = (e.kind.as_str(), e.subject.as_ref().map(SubjectId::as_str));
        let (purpose, channel) = (fact.map(|f| f.purpose), fact.map(|f| f.channel));
        let (action, occurred_at) = (fact.map(|f| f.action), fact.map(|f| f.occurred_at));
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![
            &tenant_id,
            &seq_number,
            &prev,
            &hash_bytes,
            &kind,
            &subject,
            &purpose,
            &channel,
            &action,
            &occurred_at,
            &e.body,
            &e.commitments,
            &e.personal,
        ];
        if moved {
            params.push(&subjects);
        }
        tx.execute(&statement, &params).map_err(db_err("append a ledger entry"))?;
        if let Some(effect) = &a.effect {
            new_subjects += apply_effect(tx, tenant, seq, effect)?;
        }
        head = Some((seq, hash));
        seqs.push(seq);
    }
    Ok((seqs, head, new_subjects, moved))
}

fn apply_effect(tx: &mut Transaction<'_>, tenant: &TenantId, seq: u64, effect: &Effect) -> Result<i64> {
    let t = tenant.as_str();
    match effect {
        Effect::Purpose(p) => {
            tx.execute(
                "INSERT INTO gdprkit_purposes (tenant, id, label, legal_basis, direct_marketing, professional) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&t, &p.id.as_str(), &p.label, &p.legal_basis.as_str(), &p.direct_marketing, &p.professional],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::PurposeExists(p.id.to_string())
                } else {
                    db_err("register a purpose")(e)
                }
            })?;
        }
        Effect::Settings(s) => {
            let json =
                serde_json::to_string(s).map_err(|e| Error::internal("could not write the tenant's settings", e))?;
            tx.execute(
                "INSERT INTO gdprkit_settings (tenant, settings) VALUES ($1, $2) \
                 ON CONFLICT (tenant) DO UPDATE SET settings = excluded.settings",
                &[&t, &json],
            )
            .map_err(db_err("store the tenant's settings"))?;
        }
        Effect::Channel(c) => {
            tx.execute(
                "INSERT INTO gdprkit_channels (tenant, name, kind) VALUES ($1, $2, $3)",
                &[&t, &c.name.as_str(), &c.kind.as_str()],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::ChannelExists(c.name.to_string())
                } else {
                    db_err("declare a channel")(e)
                }
            })?;
        }
        Effect::Subject(s) => {
            tx.execute(
                "INSERT INTO gdprkit_subjects (tenant, id, regime, email, language, registered_at, phone) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &t,
                    &s.id.as_str(),
                    &s.regime.as_str(),
                    &s.email,
                    &s.language.map(|l| l.as_str()),
                    &gdprkit::time::to_micros(s.registered_at),
                    &s.phone,
                ],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::SubjectExists(s.id.to_string())
                } else {
                    db_err("register a subject")(e)
                }
            })?;
            return Ok(1);
        }
        Effect::OpenRequest { request, token_hash, confirms } => {
            if let Some(hash) = confirms {
                crate::submissions::confirm(tx, tenant, hash)?;
            }
            tx.execute(
                "INSERT INTO gdprkit_requests (tenant, id, subject, state, due, received_at, token_hash, record) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &t,
                    &request.id.as_str(),
                    &request.subject.as_str(),
                    &request.state.as_str(),
                    &request.due.to_string(),
                    &gdprkit::time::to_micros(request.received_at),
                    &&token_hash[..],
                    &to_json(request)?,
                ],
            )
            .map_err(db_err("open a request"))?;
        }
        Effect::UpdateRequest { expected, request } => {
            let changed = tx
                .execute(
                    "UPDATE gdprkit_requests SET state = $3, due = $4, record = $5 \
                     WHERE tenant = $1 AND id = $2 AND state = $6",
                    &[
                        &t,
                        &request.id.as_str(),
                        &request.state.as_str(),
                        &request.due.to_string(),
                        &to_json(request)?,
                        &expected.as_str(),
                    ],
                )
                .map_err(db_err("update a request"))?;
            if changed != 1 {
                return Err(Error::RequestChanged(request.id.to_string()));
            }
        }
        Effect::Disclosure(d) => {
            tx.execute(
                "INSERT INTO gdprkit_disclosures (tenant, subject, seq, recipient, disclosed_at) VALUES ($1, $2, $3, $4, $5)",
                &[&t, &d.subject.as_str(), &(seq as i64), &d.recipient, &gdprkit::time::to_micros(d.disclosed_at)],
            )
            .map_err(db_err("register a disclosure"))?;
        }
        Effect::CreateTasks(tasks) => {
            for task in tasks {
                tx.execute(
                    "INSERT INTO gdprkit_recipient_tasks (tenant, request, recipient, pending, record) \
                     VALUES ($1, $2, $3, TRUE, $4)",
                    &[&t, &task.request.as_str(), &task.recipient, &to_json(task)?],
                )
                .map_err(db_err("create recipient tasks"))?;
            }
        }
        Effect::UpdateTask(task) => {
            let changed = tx
                .execute(
                    "UPDATE gdprkit_recipient_tasks SET pending = FALSE, record = $4 \
                     WHERE tenant = $1 AND request = $2 AND recipient = $3 AND pending",
                    &[&t, &task.request.as_str(), &task.recipient, &to_json(task)?],
                )
                .map_err(db_err("update a recipient task"))?;
            if changed != 1 {
                return Err(Error::invalid(
                    "recipient_task",
                    format!("request {} has no pending task for recipient {:?}", task.request, task.recipient),
                ));
            }
        }
        Effect::EraseSubject { subject, entries, suppress } => {
            let mut listed: Vec<i64> = entries.iter().map(|&s| s as i64).collect();
            listed.sort_unstable();
            // The entries listed must be all the subject's entries so far: one written meanwhile
            // by another writer would keep its values.
            let found: Vec<i64> = tx
                .query(
                    "SELECT seq FROM gdprkit_ledger WHERE tenant = $1 AND subject = $2 AND seq < $3 ORDER BY seq",
                    &[&t, &subject.as_str(), &(seq as i64)],
                )
                .map_err(db_err("read a subject's entries"))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if found != listed {
                return Err(Error::SubjectChanged(subject.to_string()));
            }
            tx.execute(
                "UPDATE gdprkit_ledger SET subject = NULL, personal = NULL \
                 WHERE tenant = $1 AND subject = $2 AND seq = ANY($3)",
                &[&t, &subject.as_str(), &listed],
            )
            .map_err(db_err("erase a subject's ledger values"))?;
            tx.execute(
                "UPDATE gdprkit_subjects SET email = NULL, phone = NULL WHERE tenant = $1 AND id = $2",
                &[&t, &subject.as_str()],
            )
            .map_err(db_err("erase a subject's e-mail and phone"))?;
            crate::suppression::add(tx, tenant, suppress)?;
            outbox::cancel_pending(tx, tenant, subject)?;
            crate::submissions::erase(tx, tenant, subject)?;
        }
        Effect::Enqueue(q) => outbox::enqueue(tx, tenant, seq, q)?,
    }
    Ok(0)
}

impl Store for PostgresStore {
    fn append(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>> {
        let started = std::time::Instant::now();
        let seqs = self.group.append(tenant, entries, |batch| self.write_group(batch))?;
        gdprkit::raw::log_append(tenant, &seqs, started.elapsed());
        Ok(seqs)
    }

    fn purpose(&self, tenant: &TenantId, id: &PurposeId) -> Result<Option<Purpose>> {
        let row = self
            .client()?
            .query_opt(
                "SELECT id, label, legal_basis, direct_marketing, professional FROM gdprkit_purposes WHERE tenant = $1 AND id = $2",
                &[&tenant.as_str(), &id.as_str()],
            )
            .map_err(db_err("read a purpose"))?;
        row.as_ref().map(purpose_row).transpose()
    }

    fn purposes(&self, tenant: &TenantId) -> Result<Vec<Purpose>> {
        let rows = self
            .client()?
            .query(
                "SELECT id, label, legal_basis, direct_marketing, professional FROM gdprkit_purposes WHERE tenant = $1 ORDER BY id",
                &[&tenant.as_str()],
            )
            .map_err(db_err("list purposes"))?;
        rows.iter().map(purpose_row).collect()
    }

    fn settings(&self, tenant: &TenantId) -> Result<Option<gdprkit::TenantSettings>> {
        let row = self
            .client()?
            .query_opt("SELECT settings FROM gdprkit_settings WHERE tenant = $1", &[&tenant.as_str()])
            .map_err(db_err("read the tenant's settings"))?;
        row.map(|r| {
            serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| Error::Corrupt(format!("the tenant's settings: {e}")))
        })
        .transpose()
    }

    fn channels(&self, tenant: &TenantId) -> Result<Vec<DeclaredChannel>> {
        let rows = self
            .client()?
            .query("SELECT name, kind FROM gdprkit_channels WHERE tenant = $1 ORDER BY name", &[&tenant.as_str()])
            .map_err(db_err("list channels"))?;
        rows.iter()
            .map(|r| {
                (|| Ok(DeclaredChannel { name: r.get::<_, &str>(0).parse()?, kind: r.get::<_, &str>(1).parse()? }))()
                    .map_err(Error::unreadable("channel"))
            })
            .collect()
    }

    fn suppressions(&self, tenant: &TenantId, keys: Option<&[[u8; 32]]>) -> Result<Vec<gdprkit::SuppressionEntry>> {
        let mut c = self.client()?;
        crate::suppression::find(&mut c.client, tenant, keys)
    }

    fn subject(&self, tenant: &TenantId, id: &SubjectId) -> Result<Option<Subject>> {
        // A literal, so that the connection prepares it once.
        let row = self
            .client()?
            .query_opt(
                "SELECT id, regime, email, language, registered_at, phone FROM gdprkit_subjects WHERE tenant = $1 AND id = $2",
                &[&tenant.as_str(), &id.as_str()],
            )
            .map_err(db_err("read a subject"))?;
        row.as_ref().map(subject_row).transpose()
    }

    fn subjects(&self, tenant: &TenantId) -> Result<Vec<Subject>> {
        self.client()?
            .client
            .query(&format!("SELECT {SUBJECT_COLUMNS} FROM gdprkit_subjects WHERE tenant = $1"), &[&tenant.as_str()])
            .map_err(db_err("list the subjects"))?
            .iter()
            .map(subject_row)
            .collect()
    }

    fn subject_ids(&self, tenant: &TenantId, after: Option<&SubjectId>, limit: usize) -> Result<Vec<SubjectId>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.client()?
            .client
            .query(
                "SELECT id FROM gdprkit_subjects WHERE tenant = $1 AND id > $2 ORDER BY id LIMIT $3",
                &[&tenant.as_str(), &after.map_or("", SubjectId::as_str), &limit],
            )
            .map_err(db_err("list the subjects"))?
            .iter()
            .map(|r| crate::facts::stored_subject(r.get(0)))
            .collect()
    }

    fn decision_facts(
        &self,
        tenant: &TenantId,
        subjects: &[SubjectId],
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<SubjectFacts>>> {
        crate::facts::decision_facts(&mut *self.client()?, tenant, subjects, scopes, at)
    }

    fn decision_page(
        &self,
        tenant: &TenantId,
        after: Option<&SubjectId>,
        limit: usize,
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<(SubjectId, Option<SubjectFacts>)>> {
        crate::facts::decision_page(&mut *self.client()?, tenant, after, limit, scopes, at)
    }

    fn subject_entries(
        &self,
        tenant: &TenantId,
        subject: &SubjectId,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        self.visit_entries("", tenant, subject, "read a subject's entries", visit)
    }

    fn scan_ledger(&self, tenant: &TenantId, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<Option<Head>> {
        let mut client = self.client()?;
        // One snapshot for the head and the entries; rows come through a cursor, in batches.
        let mut tx = client
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(db_err("start a read"))?;
        let head = tx
            .query_opt("SELECT seq, hash FROM gdprkit_tenants WHERE tenant = $1", &[&tenant.as_str()])
            .map_err(db_err("read the chain head"))?;
        let head = match head {
            Some(r) => head_of(tenant, r.get(0), r.get(1))?,
            None => None,
        };
        let portal = tx
            .bind(
                &format!("SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger WHERE tenant = $1 ORDER BY seq"),
                &[&tenant.as_str()],
            )
            .map_err(db_err("read the ledger"))?;
        visit_portal(&mut tx, &portal, 10_000, visit)?;
        tx.commit().map_err(db_err("end a read"))?;
        Ok(head)
    }

    fn scan_after(&self, tenant: &TenantId, after: u64, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = client.client.transaction().map_err(db_err("start a read"))?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let portal = tx
            .bind(
                &format!("SELECT {ENTRY_COLUMNS} FROM gdprkit_ledger WHERE tenant = $1 AND seq > $2 ORDER BY seq"),
                &[&tenant.as_str(), &after],
            )
            .map_err(db_err("read the ledger"))?;
        visit_portal(&mut tx, &portal, 1_000, visit)?;
        tx.commit().map_err(db_err("end a read"))
    }

    fn request(&self, tenant: &TenantId, id: &RequestId) -> Result<Option<Request>> {
        let row = self
            .client()?
            .query_opt(
                "SELECT record FROM gdprkit_requests WHERE tenant = $1 AND id = $2",
                &[&tenant.as_str(), &id.as_str()],
            )
            .map_err(db_err("read a request"))?;
        row.map(|r| parse_request(r.get(0))).transpose()
    }

    fn request_by_token(&self, tenant: &TenantId, token_hash: &[u8; 32]) -> Result<Option<(Request, [u8; 32])>> {
        let row = self
            .client()?
            .query_opt(
                "SELECT record, token_hash FROM gdprkit_requests WHERE tenant = $1 AND token_hash = $2",
                &[&tenant.as_str(), &&token_hash[..]],
            )
            .map_err(db_err("find a request by its token"))?;
        row.map(|r| {
            let hash: [u8; 32] = r
                .get::<_, Vec<u8>>(1)
                .try_into()
                .map_err(|_| Error::Corrupt("a stored token hash is not 32 bytes".into()))?;
            Ok((parse_request(r.get(0))?, hash))
        })
        .transpose()
    }

    fn requests(&self, tenant: &TenantId) -> Result<Vec<Request>> {
        self.requests_where("", &[&tenant.as_str()])
    }

    fn subject_requests(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Request>> {
        self.requests_where(" AND subject = $2", &[&tenant.as_str(), &subject.as_str()])
    }

    fn disclosures(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Disclosure>> {
        let rows = self
            .client()?
            .query(
                "SELECT recipient, disclosed_at FROM gdprkit_disclosures WHERE tenant = $1 AND subject = $2 ORDER BY seq",
                &[&tenant.as_str(), &subject.as_str()],
            )
            .map_err(db_err("list disclosures"))?;
        rows.iter()
            .map(|r| {
                Ok(Disclosure {
                    subject: subject.clone(),
                    recipient: r.get(0),
                    disclosed_at: gdprkit::time::from_micros(r.get(1))?,
                })
            })
            .collect()
    }

    fn recipient_tasks(&self, tenant: &TenantId, request: &RequestId) -> Result<Vec<RecipientTask>> {
        let rows = self
            .client()?
            .query(
                "SELECT record FROM gdprkit_recipient_tasks WHERE tenant = $1 AND request = $2 ORDER BY recipient",
                &[&tenant.as_str(), &request.as_str()],
            )
            .map_err(db_err("list recipient tasks"))?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(r.get(0))
                    .map_err(|e| Error::Corrupt(format!("a stored recipient task is unreadable: {e}")))
            })
            .collect()
    }

    fn outbox(&self, tenant: &TenantId, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxItem>> {
        outbox::list(&mut self.client()?.client, tenant, filter, limit)
    }

    fn due_messages(&self, tenant: &TenantId, now: DateTime<Utc>, limit: usize) -> Result<Vec<(OutboxItem, Message)>> {
        outbox::due(&mut self.client()?.client, tenant, now, limit)
    }

    fn record_attempt(&self, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
        outbox::record(&mut self.client()?.client, tenant, id, attempt)
    }

    fn subjects_by_email(&self, tenant: &TenantId, email: &str) -> Result<Vec<Subject>> {
        self.client()?
            .client
            .query(
                &format!(
                    "SELECT {SUBJECT_COLUMNS} FROM gdprkit_subjects WHERE tenant = $1 AND lower(email) = lower($2)"
                ),
                &[&tenant.as_str(), &email],
            )
            .map_err(db_err("find subjects by address"))?
            .iter()
            .map(subject_row)
            .collect()
    }

    fn put_submission(&self, tenant: &TenantId, code_hash: &[u8; 32], submission: &Submission) -> Result<()> {
        crate::submissions::put(&mut self.client()?.client, tenant, code_hash, submission)
    }

    fn submission(&self, tenant: &TenantId, code_hash: &[u8; 32]) -> Result<Option<(Submission, [u8; 32])>> {
        crate::submissions::get(&mut self.client()?.client, tenant, code_hash)
    }

    fn expire_submissions(&self, tenant: &TenantId, now: DateTime<Utc>) -> Result<usize> {
        crate::submissions::expire(&mut self.client()?.client, tenant, now)
    }
}

/// The columns of a subject's row, in the order [`subject_row`] reads them (also written out in
/// [`Store::subject`]'s statement).
const SUBJECT_COLUMNS: &str = "id, regime, email, language, registered_at, phone";

fn subject_row(r: &Row) -> Result<Subject> {
    subject_fields(r).map_err(Error::unreadable("subject"))
}

fn subject_fields(r: &Row) -> Result<Subject> {
    Ok(Subject {
        id: SubjectId::new(r.get::<_, String>(0))?,
        regime: r.get::<_, &str>(1).parse()?,
        email: r.get(2),
        language: r.get::<_, Option<&str>>(3).map(str::parse).transpose()?,
        phone: r.get(5),
        registered_at: gdprkit::time::from_micros(r.get(4))?,
    })
}

/// Visits the ledger entries a portal yields, `batch` rows per round trip, until `visit` returns
/// `false` or the rows run out.
fn visit_portal(
    tx: &mut Transaction<'_>,
    portal: &postgres::Portal,
    batch: i32,
    visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool,
) -> Result<()> {
    loop {
        let rows = tx.query_portal(portal, batch).map_err(db_err("read the ledger"))?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            if !with_entry(row, |e| visit(e)) {
                return Ok(());
            }
        }
    }
}

fn purpose_row(r: &Row) -> Result<Purpose> {
    purpose_fields(r).map_err(Error::unreadable("purpose"))
}

fn purpose_fields(r: &Row) -> Result<Purpose> {
    Ok(Purpose {
        id: r.get::<_, &str>(0).parse()?,
        label: r.get(1),
        legal_basis: r.get::<_, &str>(2).parse()?,
        direct_marketing: r.get(3),
        professional: r.get(4),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_or_schema_name_is_refused_before_connecting() {
        let err = PostgresStore::connect("not a url", 1).unwrap_err().to_string();
        assert!(err.starts_with("invalid url"), "{err}");
        // Port 1 on loopback: reaching the server would fail differently.
        for schema in ["", "Upper", "drop;table", "1st", &"a".repeat(64)] {
            let err = PostgresStore::connect_in_schema("postgres://u:p@127.0.0.1:1/db", Some(schema), 1)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("invalid schema"), "{schema:?}: {err}");
        }
    }
}
