//! The suppression list's rows (rule C9): added inside an erasure, found by key.

use gdprkit::time::{from_micros, to_micros};
use gdprkit::{ConsentAction, Error, IdentifierKind, Result, SuppressionEntry, TenantId};
use rusqlite::{Connection, Row, params};

use crate::db_err;

/// Adds `entries`, inside the erasure's transaction. An entry already there for the same key and
/// scope takes an objection over an opt-out, and the later erasure and keep-until date.
pub(crate) fn add(conn: &Connection, tenant: &TenantId, entries: &[SuppressionEntry]) -> Result<()> {
    let mut st = conn
        .prepare_cached(
            "INSERT INTO gdprkit_suppressions (tenant, key, identifier, purpose, channel, action, denied_at, \
             erased_at, keep_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (tenant, key, purpose, channel) DO UPDATE SET \
             action = CASE WHEN excluded.action = 'object' THEN 'object' ELSE action END, \
             denied_at = CASE WHEN excluded.action = 'object' AND action <> 'object' THEN excluded.denied_at \
             ELSE denied_at END, \
             erased_at = max(erased_at, excluded.erased_at), keep_until = max(keep_until, excluded.keep_until)",
        )
        .map_err(db_err("keep a suppression"))?;
    for e in entries {
        st.execute(params![
            tenant.as_str(),
            &e.key[..],
            e.identifier.as_str(),
            e.purpose.as_ref().map_or("", |p| p.as_str()),
            e.channel.as_ref().map_or("", |c| c.as_str()),
            e.action.as_str(),
            to_micros(e.denied_at),
            to_micros(e.erased_at),
            to_micros(e.keep_until),
        ])
        .map_err(db_err("keep a suppression"))?;
    }
    Ok(())
}

/// The entries whose key is one of `keys`, or all of them.
pub(crate) fn find(conn: &Connection, tenant: &TenantId, keys: Option<&[[u8; 32]]>) -> Result<Vec<SuppressionEntry>> {
    const COLUMNS: &str = "key, identifier, purpose, channel, action, denied_at, erased_at, keep_until";
    let mut out = Vec::new();
    match keys {
        None => {
            let mut st = conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM gdprkit_suppressions WHERE tenant = ?1"))
                .map_err(db_err("read the suppression list"))?;
            let mut rows = st.query([tenant.as_str()]).map_err(db_err("read the suppression list"))?;
            while let Some(r) = rows.next().map_err(db_err("read the suppression list"))? {
                out.push(entry(r)?);
            }
        }
        Some(keys) => {
            let mut st = conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM gdprkit_suppressions WHERE tenant = ?1 AND key = ?2"))
                .map_err(db_err("read the suppression list"))?;
            for key in keys {
                let mut rows =
                    st.query(params![tenant.as_str(), &key[..]]).map_err(db_err("read the suppression list"))?;
                while let Some(r) = rows.next().map_err(db_err("read the suppression list"))? {
                    out.push(entry(r)?);
                }
            }
        }
    }
    Ok(out)
}

fn entry(r: &Row<'_>) -> Result<SuppressionEntry> {
    let read = |e: rusqlite::Error| Error::Corrupt(format!("a suppression list row is unreadable: {e}"));
    let key: Vec<u8> = r.get(0).map_err(read)?;
    let text = |i: usize| r.get::<_, String>(i).map_err(read);
    let micros = |i: usize| r.get::<_, i64>(i).map_err(read).and_then(from_micros);
    let corrupt = |what: &str| Error::Corrupt(format!("a suppression list row has an unreadable {what}"));
    let (purpose, channel) = (text(2)?, text(3)?);
    Ok(SuppressionEntry {
        key: key.try_into().map_err(|_| corrupt("key"))?,
        identifier: text(1)?.parse::<IdentifierKind>().map_err(|_| corrupt("identifier"))?,
        purpose: (!purpose.is_empty()).then(|| purpose.parse()).transpose()?,
        channel: (!channel.is_empty()).then(|| channel.parse()).transpose()?,
        action: ConsentAction::from_name(&text(4)?).ok_or_else(|| corrupt("action"))?,
        denied_at: micros(5)?,
        erased_at: micros(6)?,
        keep_until: micros(7)?,
    })
}
