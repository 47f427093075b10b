//! The suppression list (rule C9): when a subject who opted out of or objected to direct
//! marketing is erased, a keyed hash of each of their e-mail addresses and phone numbers is kept,
//! with the scope of the denial, so that the same person imported again is not marketed.
//!
//! The hash is HMAC-SHA-256 under the tenant's HMAC key (which is never kept in the database),
//! over the tenant, the kind of identifier and its normalized form: the address lower-cased, the
//! number in E.164. The list holds no clear value. Entries are kept at least
//! [`KEEP_FOR_YEARS`] years (CNIL référentiel 2021-131).

use chrono::{DateTime, Months, Utc};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::builder::HmacKey;
use crate::consent::ConsentAction;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{Channel, PurposeId, TenantId};

/// An identifier's kind and keyed hash.
pub type KeyedIdentifier = (IdentifierKind, [u8; 32]);

/// How long an entry is kept at least, in years.
pub const KEEP_FOR_YEARS: u32 = 3;

const DOMAIN: &[u8] = b"gdprkit/suppression/v1\0";

crate::named_enum::named_enum!(
    /// What identifies a person in the list.
    IdentifierKind, "identifier", {
        /// An e-mail address, lower-cased.
        Email => "email",
        /// A phone number, in E.164.
        Phone => "phone",
    }
);

/// One entry of the list: a keyed hash and the denial it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionEntry {
    /// HMAC-SHA-256 of the normalized identifier under the tenant's key.
    pub key: [u8; 32],
    /// What the hash is of.
    pub identifier: IdentifierKind,
    /// The purpose denied, or `None` for all direct marketing.
    pub purpose: Option<PurposeId>,
    /// The channel denied, or `None` for every channel.
    pub channel: Option<Channel>,
    /// The denial: `opt_out`, `withdraw` or `object`.
    pub action: ConsentAction,
    /// When the person denied it.
    pub denied_at: DateTime<Utc>,
    /// When the person was erased.
    pub erased_at: DateTime<Utc>,
    /// Until when the entry is kept at least.
    pub keep_until: DateTime<Utc>,
}

/// The list summed up for people: how many entries per kind of identifier and denial, and their
/// dates. No hash is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionGroup {
    /// What the hashes are of.
    pub identifier: IdentifierKind,
    /// The purpose denied, or `None` for all direct marketing.
    pub purpose: Option<PurposeId>,
    /// The channel denied, or `None` for every channel.
    pub channel: Option<Channel>,
    /// The denial.
    pub action: ConsentAction,
    /// How many entries.
    pub entries: u64,
    /// The first erasure that added one.
    pub first_erased_at: DateTime<Utc>,
    /// The last.
    pub last_erased_at: DateTime<Utc>,
    /// Until when the last is kept at least.
    pub keep_until: DateTime<Utc>,
}

/// An e-mail address as the list compares it: trimmed and lower-cased.
pub fn normalize_email(address: &str) -> String {
    address.trim().to_lowercase()
}

/// The keyed hash of an identifier already normalized.
pub fn identifier_key(key: &HmacKey, tenant: &TenantId, kind: IdentifierKind, normalized: &str) -> Result<[u8; 32]> {
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|e| Error::internal("an HMAC key", e))?;
    mac.update(DOMAIN);
    for part in [tenant.as_str().as_bytes(), kind.as_str().as_bytes(), normalized.as_bytes()] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// Until when an entry added at `erased_at` is kept at least.
pub fn keep_until(erased_at: DateTime<Utc>) -> DateTime<Utc> {
    erased_at.checked_add_months(Months::new(12 * KEEP_FOR_YEARS)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Gdpr {
    /// The keyed hashes of a subject's e-mail address and phone number (already normalized as
    /// registered), or an empty list when it has neither. `None` when there is something to hash
    /// and no HMAC key to hash it with.
    pub(crate) fn identifier_keys(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Option<Vec<KeyedIdentifier>>> {
        let ids: Vec<(IdentifierKind, String)> = email
            .map(|e| (IdentifierKind::Email, normalize_email(e)))
            .into_iter()
            .chain(phone.map(|p| (IdentifierKind::Phone, p.to_owned())))
            .collect();
        if ids.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let Some(key) = self.parts.hmac_key.as_ref() else { return Ok(None) };
        ids.into_iter()
            .map(|(kind, value)| Ok((kind, identifier_key(key, self.tenant(), kind, &value)?)))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// The suppression list summed up: entries per kind of identifier, scope and denial, with
    /// their dates (rule C9). It holds no clear value, and this shows no hash.
    pub fn suppression_list(&self) -> Result<Vec<SuppressionGroup>> {
        let mut groups: Vec<SuppressionGroup> = Vec::new();
        for e in self.store().suppressions(self.tenant(), None)? {
            let same = |g: &&mut SuppressionGroup| {
                (g.identifier, &g.purpose, &g.channel, g.action) == (e.identifier, &e.purpose, &e.channel, e.action)
            };
            match groups.iter_mut().find(same) {
                Some(g) => {
                    g.entries += 1;
                    g.first_erased_at = g.first_erased_at.min(e.erased_at);
                    g.last_erased_at = g.last_erased_at.max(e.erased_at);
                    g.keep_until = g.keep_until.max(e.keep_until);
                }
                None => groups.push(SuppressionGroup {
                    identifier: e.identifier,
                    purpose: e.purpose.clone(),
                    channel: e.channel.clone(),
                    action: e.action,
                    entries: 1,
                    first_erased_at: e.erased_at,
                    last_erased_at: e.erased_at,
                    keep_until: e.keep_until,
                }),
            }
        }
        groups.sort_by(|a, b| {
            (a.identifier, &a.purpose, &a.channel, a.action.as_str()).cmp(&(
                b.identifier,
                &b.purpose,
                &b.channel,
                b.action.as_str(),
            ))
        });
        Ok(groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> HmacKey {
        HmacKey::new(vec![7u8; 32]).unwrap()
    }

    #[test]
    fn the_hash_depends_on_the_key_the_tenant_and_the_kind_and_not_on_case() {
        let t = TenantId::new("acme").unwrap();
        let k = |tenant: &TenantId, kind, v: &str| identifier_key(&key(), tenant, kind, v).unwrap();
        let a = k(&t, IdentifierKind::Email, &normalize_email(" Jean.Dupont@Example.FR "));
        assert_eq!(a, k(&t, IdentifierKind::Email, "jean.dupont@example.fr"));
        assert_ne!(a, k(&TenantId::new("other").unwrap(), IdentifierKind::Email, "jean.dupont@example.fr"));
        assert_ne!(a, k(&t, IdentifierKind::Phone, "jean.dupont@example.fr"));
        let other_key =
            identifier_key(&HmacKey::new(vec![8u8; 32]).unwrap(), &t, IdentifierKind::Email, "jean.dupont@example.fr");
        assert_ne!(a, other_key.unwrap());
    }

    #[test]
    fn entries_are_kept_three_years() {
        let at = crate::time::parse("at", "2026-02-28T10:00:00Z").unwrap();
        assert_eq!(crate::time::format(keep_until(at)), "2029-02-28T10:00:00.000000Z");
    }
}
