//! The suppression list's rows (rule C9): added inside an erasure, found by key.

use gdprkit::time::{from_micros, to_micros};
use gdprkit::{ConsentAction, Error, IdentifierKind, Result, SuppressionEntry, TenantId};
use postgres::{GenericClient, Row};

use crate::db_err;

const COLUMNS: &str = "key, identifier, purpose, channel, action, denied_at, erased_at, keep_until";

/// Adds `entries`, inside the erasure's transaction. An entry already there for the same key and
/// scope takes an objection over an opt-out, and the later erasure and keep-until date.
pub(crate) fn add(client: &mut impl GenericClient, tenant: &TenantId, entries: &[SuppressionEntry]) -> Result<()> {
    for e in entries {
        client
            .execute(
                "INSERT INTO gdprkit_suppressions (tenant, key, identifier, purpose, channel, action, denied_at, \
                 erased_at, keep_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (tenant, key, purpose, channel) DO UPDATE SET \
                 action = CASE WHEN excluded.action = 'object' THEN 'object' ELSE gdprkit_suppressions.action END, \
                 denied_at = CASE WHEN excluded.action = 'object' AND gdprkit_suppressions.action <> 'object' \
                 THEN excluded.denied_at ELSE gdprkit_suppressions.denied_at END, \
                 erased_at = greatest(gdprkit_suppressions.erased_at, excluded.erased_at), \
                 keep_until = greatest(gdprkit_suppressions.keep_until, excluded.keep_until)",
                &[
                    &tenant.as_str(),
                    &&e.key[..],
                    &e.identifier.as_str(),
                    &e.purpose.as_ref().map_or("", |p| p.as_str()),
                    &e.channel.as_ref().map_or("", |c| c.as_str()),
                    &e.action.as_str(),
                    &to_micros(e.denied_at),
                    &to_micros(e.erased_at),
                    &to_micros(e.keep_until),
                ],
            )
            .map_err(db_err("keep a suppression"))?;
    }
    Ok(())
}

/// The entries whose key is one of `keys`, or all of them.
pub(crate) fn find(
    client: &mut impl GenericClient,
    tenant: &TenantId,
    keys: Option<&[[u8; 32]]>,
) -> Result<Vec<SuppressionEntry>> {
    let rows = match keys {
        None => {
            client.query(&format!("SELECT {COLUMNS} FROM gdprkit_suppressions WHERE tenant = $1"), &[&tenant.as_str()])
        }
        Some(keys) => {
            let keys: Vec<&[u8]> = keys.iter().map(|k| &k[..]).collect();
            client.query(
                &format!("SELECT {COLUMNS} FROM gdprkit_suppressions WHERE tenant = $1 AND key = ANY($2)"),
                &[&tenant.as_str(), &keys],
            )
        }
    }
    .map_err(db_err("read the suppression list"))?;
    rows.iter().map(entry).collect()
}

fn entry(r: &Row) -> Result<SuppressionEntry> {
    let corrupt = |what: &str| Error::Corrupt(format!("a suppression list row has an unreadable {what}"));
    let key: &[u8] = r.get(0);
    let (purpose, channel): (&str, &str) = (r.get(2), r.get(3));
    Ok(SuppressionEntry {
        key: key.try_into().map_err(|_| corrupt("key"))?,
        identifier: r.get::<_, &str>(1).parse::<IdentifierKind>().map_err(|_| corrupt("identifier"))?,
        purpose: (!purpose.is_empty()).then(|| purpose.parse()).transpose()?,
        channel: (!channel.is_empty()).then(|| channel.parse()).transpose()?,
        action: ConsentAction::from_name(r.get(4)).ok_or_else(|| corrupt("action"))?,
        denied_at: from_micros(r.get(5))?,
        erased_at: from_micros(r.get(6))?,
        keep_until: from_micros(r.get(7))?,
    })
}
