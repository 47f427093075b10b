//! The rows of requests submitted on the portal and not yet confirmed: kept, read, confirmed
//! inside the append that opens their request, expired, and deleted with their subject.

use chrono::{DateTime, Utc};
use gdprkit::time::to_micros;
use gdprkit::{Error, Result, SubjectId, Submission, TenantId};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db_err;

/// Keeps a submission pending under its code's hash.
pub(crate) fn put(conn: &Connection, tenant: &TenantId, code_hash: &[u8; 32], s: &Submission) -> Result<()> {
    let record = serde_json::to_string(s).map_err(|e| Error::internal("encode a submission", e))?;
    conn.prepare_cached(
        "INSERT INTO gdprkit_submissions (tenant, code_hash, state, subject, submitted_at, expires_at, record) \
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| {
        st.execute(params![
            tenant.as_str(),
            &code_hash[..],
            s.subject.as_str(),
            to_micros(s.submitted_at),
            to_micros(s.expires_at),
            record
        ])
    })
    .map_err(db_err("keep a submission"))?;
    Ok(())
}

/// The pending submission under `code_hash`, with the hash as stored.
pub(crate) fn get(
    conn: &Connection,
    tenant: &TenantId,
    code_hash: &[u8; 32],
) -> Result<Option<(Submission, [u8; 32])>> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT record, code_hash FROM gdprkit_submissions \
             WHERE tenant = ?1 AND code_hash = ?2 AND state = 'pending'",
        )
        .and_then(|mut st| {
            st.query_row(params![tenant.as_str(), &code_hash[..]], |r| Ok((r.get(0)?, r.get(1)?))).optional()
        })
        .map_err(db_err("read a submission"))?;
    row.map(|(record, hash)| {
        let s = serde_json::from_str(&record).map_err(|e| Error::Corrupt(format!("a submission: {e}")))?;
        let hash = hash.try_into().map_err(|_| Error::Corrupt("a stored code hash is not 32 bytes".into()))?;
        Ok((s, hash))
    })
    .transpose()
}

/// Confirms the pending submission under `code_hash`, inside the append that opens its request.
pub(crate) fn confirm(conn: &Connection, tenant: &TenantId, code_hash: &[u8; 32]) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE gdprkit_submissions SET state = 'confirmed', subject = NULL, record = NULL \
             WHERE tenant = ?1 AND code_hash = ?2 AND state = 'pending'",
        )
        .and_then(|mut st| st.execute(params![tenant.as_str(), &code_hash[..]]))
        .map_err(db_err("confirm a submission"))?;
    if changed == 1 { Ok(()) } else { Err(Error::SubmissionGone) }
}

/// Expires the pending submissions due at `now`.
pub(crate) fn expire(conn: &Connection, tenant: &TenantId, now: DateTime<Utc>) -> Result<usize> {
    conn.prepare_cached(
        "UPDATE gdprkit_submissions SET state = 'expired', subject = NULL, record = NULL \
         WHERE tenant = ?1 AND state = 'pending' AND expires_at <= ?2",
    )
    .and_then(|mut st| st.execute(params![tenant.as_str(), to_micros(now)]))
    .map_err(db_err("expire submissions"))
}

/// Deletes a subject's pending submissions, inside an erasure.
pub(crate) fn erase(conn: &Connection, tenant: &TenantId, subject: &SubjectId) -> Result<()> {
    conn.prepare_cached("DELETE FROM gdprkit_submissions WHERE tenant = ?1 AND subject = ?2")
        .and_then(|mut st| st.execute(params![tenant.as_str(), subject.as_str()]))
        .map_err(db_err("delete a subject's submissions"))?;
    Ok(())
}
