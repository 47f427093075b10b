//! The outbox's rows: queuing a message inside an append, listing, reading what is due, and
//! recording delivery attempts.

use chrono::{DateTime, Utc};
use gdprkit::mailer::Message;
use gdprkit::outbox::{Attempt, MessageKind, OutboxFilter, OutboxItem, OutboxState, QueuedMessage};
use gdprkit::request::record::RequestId;
use gdprkit::time::{from_micros, to_micros};
use gdprkit::{Error, Result, SubjectId, TenantId};
use postgres::{GenericClient, Row};

use crate::db_err;

/// The columns of an outbox row, in the order [`item`] reads them.
const COLUMNS: &str = "id, message_id, kind, subject, request, state, queued_at, failed_attempts, last_error, next_attempt_at, delivered_at";

/// Queues `q` under entry number `seq`, inside the append's transaction.
pub(crate) fn enqueue(tx: &mut impl GenericClient, tenant: &TenantId, seq: u64, q: &QueuedMessage) -> Result<()> {
    let message = serde_json::to_string(&q.message).map_err(|e| Error::internal("encode a message", e))?;
    tx.execute(
        "INSERT INTO gdprkit_outbox (tenant, id, message_id, kind, subject, request, state, queued_at, \
         next_attempt_at, message) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)",
        &[
            &tenant.as_str(),
            &(seq as i64),
            &q.message.message_id.as_deref().unwrap_or_default(),
            &q.kind.as_str(),
            &q.subject.as_str(),
            &q.request.as_ref().map(RequestId::as_str),
            &to_micros(q.queued_at),
            &message,
        ],
    )
    .map_err(db_err("queue a message"))?;
    Ok(())
}

/// Cancels the subject's pending messages and drops their content, inside an erasure.
pub(crate) fn cancel_pending(tx: &mut impl GenericClient, tenant: &TenantId, subject: &SubjectId) -> Result<()> {
    tx.execute(
        "UPDATE gdprkit_outbox SET state = 'cancelled', message = NULL, next_attempt_at = NULL, last_error = NULL \
         WHERE tenant = $1 AND subject = $2 AND state = 'pending'",
        &[&tenant.as_str(), &subject.as_str()],
    )
    .map_err(db_err("cancel a subject's pending messages"))?;
    Ok(())
}

/// [`gdprkit::raw::Store::outbox`].
pub(crate) fn list(
    client: &mut impl GenericClient,
    tenant: &TenantId,
    filter: OutboxFilter,
    limit: usize,
) -> Result<Vec<OutboxItem>> {
    let condition = match filter {
        OutboxFilter::Pending => "AND state = 'pending'",
        OutboxFilter::All => "",
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    client
        .query(
            &format!("SELECT {COLUMNS} FROM gdprkit_outbox WHERE tenant = $1 {condition} ORDER BY id LIMIT $2"),
            &[&tenant.as_str(), &limit],
        )
        .map_err(db_err("list the outbox"))?
        .iter()
        .map(item)
        .collect()
}

/// [`gdprkit::raw::Store::due_messages`].
pub(crate) fn due(
    client: &mut impl GenericClient,
    tenant: &TenantId,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<(OutboxItem, Message)>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    client
        .query(
            &format!(
                "SELECT {COLUMNS}, message FROM gdprkit_outbox WHERE tenant = $1 AND state = 'pending' \
                 AND next_attempt_at <= $2 AND message IS NOT NULL ORDER BY id LIMIT $3"
            ),
            &[&tenant.as_str(), &to_micros(now), &limit],
        )
        .map_err(db_err("read the due messages"))?
        .iter()
        .map(|r| {
            let message: Message = serde_json::from_str(r.get(11))
                .map_err(|e| Error::Corrupt(format!("a queued message is unreadable: {e}")))?;
            Ok((item(r)?, message))
        })
        .collect()
}

/// [`gdprkit::raw::Store::record_attempt`].
pub(crate) fn record(client: &mut impl GenericClient, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
    let (t, id) = (tenant.as_str(), id as i64);
    let changed = match attempt {
        Attempt::Claim { now, until } => client.execute(
            "UPDATE gdprkit_outbox SET next_attempt_at = $4 \
             WHERE tenant = $1 AND id = $2 AND state = 'pending' AND next_attempt_at <= $3",
            &[&t, &id, &to_micros(*now), &to_micros(*until)],
        ),
        Attempt::Delivered(at) => client.execute(
            "UPDATE gdprkit_outbox SET state = 'delivered', delivered_at = $3, next_attempt_at = NULL, \
             message = NULL, last_error = NULL WHERE tenant = $1 AND id = $2 AND state = 'pending'",
            &[&t, &id, &to_micros(*at)],
        ),
        Attempt::Failed { error, retry_at } => client.execute(
            "UPDATE gdprkit_outbox SET failed_attempts = failed_attempts + 1, last_error = $3, \
             next_attempt_at = $4 WHERE tenant = $1 AND id = $2 AND state = 'pending'",
            &[&t, &id, error, &to_micros(*retry_at)],
        ),
    }
    .map_err(db_err("record a delivery attempt"))?;
    Ok(changed == 1)
}

fn item(r: &Row) -> Result<OutboxItem> {
    let corrupt = |v: &str| Error::Corrupt(format!("the outbox holds an unknown kind or state {v:?}"));
    let instant = |i: usize| r.get::<_, Option<i64>>(i).map(from_micros).transpose();
    Ok(OutboxItem {
        id: r.get::<_, i64>(0) as u64,
        message_id: r.get(1),
        kind: r.get::<_, &str>(2).parse::<MessageKind>().map_err(|_| corrupt(r.get(2)))?,
        subject: SubjectId::new(r.get::<_, String>(3))?,
        request: r.get::<_, Option<String>>(4).map(RequestId::new).transpose()?,
        state: r.get::<_, &str>(5).parse::<OutboxState>().map_err(|_| corrupt(r.get(5)))?,
        queued_at: from_micros(r.get(6))?,
        failed_attempts: u32::try_from(r.get::<_, i32>(7)).unwrap_or(u32::MAX),
        last_error: r.get(8),
        next_attempt_at: instant(9)?,
        delivered_at: instant(10)?,
    })
}
