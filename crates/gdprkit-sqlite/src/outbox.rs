//! The outbox's rows: queuing a message inside an append, listing, reading what is due, and
//! recording delivery attempts.

use chrono::{DateTime, Utc};
use gdprkit::mailer::Message;
use gdprkit::outbox::{Attempt, MessageKind, OutboxFilter, OutboxItem, OutboxState, QueuedMessage};
use gdprkit::request::record::RequestId;
use gdprkit::time::{from_micros, to_micros};
use gdprkit::{Error, Result, SubjectId, TenantId};
use rusqlite::{Connection, Row, params};

use crate::db_err;

/// The columns of an outbox row, in the order [`item`] reads them.
const COLUMNS: &str = "id, message_id, kind, subject, request, state, queued_at, failed_attempts, last_error, next_attempt_at, delivered_at";

/// Queues `q` under entry number `seq`, inside the append's transaction.
pub(crate) fn enqueue(conn: &Connection, tenant: &TenantId, seq: u64, q: &QueuedMessage) -> Result<()> {
    let message = serde_json::to_string(&q.message).map_err(|e| Error::internal("encode a message", e))?;
    conn.prepare_cached(
        "INSERT INTO gdprkit_outbox (tenant, id, message_id, kind, subject, request, state, queued_at, \
         next_attempt_at, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)",
    )
    .and_then(|mut st| {
        st.execute(params![
            tenant.as_str(),
            seq as i64,
            q.message.message_id.as_deref().unwrap_or_default(),
            q.kind.as_str(),
            q.subject.as_str(),
            q.request.as_ref().map(RequestId::as_str),
            to_micros(q.queued_at),
            message,
        ])
    })
    .map_err(db_err("queue a message"))?;
    Ok(())
}

/// Cancels the subject's pending messages and drops their content, inside an erasure.
pub(crate) fn cancel_pending(conn: &Connection, tenant: &TenantId, subject: &SubjectId) -> Result<()> {
    conn.prepare_cached(
        "UPDATE gdprkit_outbox SET state = 'cancelled', message = NULL, next_attempt_at = NULL, last_error = NULL \
         WHERE tenant = ?1 AND subject = ?2 AND state = 'pending'",
    )
    .and_then(|mut st| st.execute(params![tenant.as_str(), subject.as_str()]))
    .map_err(db_err("cancel a subject's pending messages"))?;
    Ok(())
}

/// [`gdprkit::raw::Store::outbox`].
pub(crate) fn list(
    conn: &Connection,
    tenant: &TenantId,
    filter: OutboxFilter,
    limit: usize,
) -> Result<Vec<OutboxItem>> {
    let condition = match filter {
        OutboxFilter::Pending => "AND state = 'pending'",
        OutboxFilter::All => "",
    };
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM gdprkit_outbox WHERE tenant = ?1 {condition} ORDER BY id LIMIT ?2"
        ))
        .map_err(db_err("list the outbox"))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = st.query_map(params![tenant.as_str(), limit], item).map_err(db_err("list the outbox"))?;
    rows.map(|r| r.map_err(db_err("list the outbox"))?).collect()
}

/// [`gdprkit::raw::Store::due_messages`].
pub(crate) fn due(
    conn: &Connection,
    tenant: &TenantId,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<(OutboxItem, Message)>> {
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, message FROM gdprkit_outbox WHERE tenant = ?1 AND state = 'pending' \
             AND next_attempt_at <= ?2 AND message IS NOT NULL ORDER BY id LIMIT ?3"
        ))
        .map_err(db_err("read the due messages"))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = st
        .query_map(params![tenant.as_str(), to_micros(now), limit], |r| Ok((item(r)?, r.get::<_, String>(11)?)))
        .map_err(db_err("read the due messages"))?;
    rows.map(|r| {
        let (item, message) = r.map_err(db_err("read the due messages"))?;
        let message: Message = serde_json::from_str(&message)
            .map_err(|e| Error::Corrupt(format!("a queued message is unreadable: {e}")))?;
        Ok((item?, message))
    })
    .collect()
}

/// [`gdprkit::raw::Store::record_attempt`].
pub(crate) fn record(conn: &Connection, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
    let (t, id) = (tenant.as_str(), id as i64);
    let changed = match attempt {
        Attempt::Claim { now, until } => conn
            .prepare_cached(
                "UPDATE gdprkit_outbox SET next_attempt_at = ?4 \
                 WHERE tenant = ?1 AND id = ?2 AND state = 'pending' AND next_attempt_at <= ?3",
            )
            .and_then(|mut st| st.execute(params![t, id, to_micros(*now), to_micros(*until)])),
        Attempt::Delivered(at) => conn
            .prepare_cached(
                "UPDATE gdprkit_outbox SET state = 'delivered', delivered_at = ?3, next_attempt_at = NULL, \
                 message = NULL, last_error = NULL WHERE tenant = ?1 AND id = ?2 AND state = 'pending'",
            )
            .and_then(|mut st| st.execute(params![t, id, to_micros(*at)])),
        Attempt::Failed { error, retry_at } => conn
            .prepare_cached(
                "UPDATE gdprkit_outbox SET failed_attempts = failed_attempts + 1, last_error = ?3, \
                 next_attempt_at = ?4 WHERE tenant = ?1 AND id = ?2 AND state = 'pending'",
            )
            .and_then(|mut st| st.execute(params![t, id, error, to_micros(*retry_at)])),
    }
    .map_err(db_err("record a delivery attempt"))?;
    Ok(changed == 1)
}

/// An outbox row read with [`COLUMNS`]: the SQL error, then the row's own.
fn item(r: &Row<'_>) -> rusqlite::Result<Result<OutboxItem>> {
    let id: i64 = r.get(0)?;
    let message_id: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let subject: String = r.get(3)?;
    let request: Option<String> = r.get(4)?;
    let state: String = r.get(5)?;
    let queued_at: i64 = r.get(6)?;
    let failed: i64 = r.get(7)?;
    let last_error: Option<String> = r.get(8)?;
    let next: Option<i64> = r.get(9)?;
    let delivered: Option<i64> = r.get(10)?;
    let corrupt = |v: &str| Error::Corrupt(format!("the outbox holds an unknown kind or state {v:?}"));
    Ok((|| {
        Ok(OutboxItem {
            id: id as u64,
            message_id,
            kind: kind.parse::<MessageKind>().map_err(|_| corrupt(&kind))?,
            subject: SubjectId::new(subject)?,
            request: request.map(RequestId::new).transpose()?,
            state: state.parse::<OutboxState>().map_err(|_| corrupt(&state))?,
            queued_at: from_micros(queued_at)?,
            failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
            last_error,
            next_attempt_at: next.map(from_micros).transpose()?,
            delivered_at: delivered.map(from_micros).transpose()?,
        })
    })())
}
