//! One-click unsubscribe references (rule C6): an opaque, signed reference for a message's
//! `List-Unsubscribe` header, which records the person's opt-out when followed.
//!
//! A reference is `hex(nonce ‖ ciphertext ‖ tag)`: the tenant, the subject and the scope,
//! encrypted with a keystream of HMAC-SHA-256 in counter mode under a key derived from the
//! tenant's HMAC key, and authenticated with a 128-bit HMAC-SHA-256 tag under another derived
//! key. Nothing in it reads as the person's id; nothing is stored until it is followed. A forged,
//! altered or truncated reference, or one made for another tenant, gets the same refusal as
//! one that never existed.

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::consent::{Collector, ConsentAction, ConsentEvent, NewConsent, Proof, Source};
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{Channel, PurposeId, SubjectId};
use crate::request::record::{constant_time_eq, random};
use crate::text::hex;

/// Bytes of the random nonce that starts a reference.
const NONCE_BYTES: usize = 16;
/// Bytes of the tag that ends it: 128 bits.
const TAG_BYTES: usize = 16;
/// The longest reference looked at, in characters: no reference gdprkit makes is longer.
const MAX_TOKEN_CHARS: usize = 2 * (NONCE_BYTES + TAG_BYTES + 512);

/// What following a reference did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsubscribed {
    /// The person.
    pub subject: SubjectId,
    /// Whether this call recorded the opt-out (false: the same reference was followed before,
    /// and its event is already in the ledger).
    pub recorded: bool,
    /// The opt-out (or objection) event, as recorded now or before.
    pub event: ConsentEvent,
}

type HmacSha256 = hmac::Hmac<Sha256>;

fn keyed(key: &[u8], label: &[u8]) -> Result<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(|e| Error::internal("an HMAC key", e))?;
    mac.update(label);
    Ok(mac)
}

/// A key derived from the tenant's HMAC key for one use.
fn derive(key: &[u8], label: &[u8]) -> Result<[u8; 32]> {
    Ok(keyed(key, label)?.finalize().into_bytes().into())
}

/// XORs `data` with the keystream of `key` and `nonce`.
fn keystream(key: &[u8; 32], nonce: &[u8], data: &mut [u8]) -> Result<()> {
    for (block, chunk) in data.chunks_mut(32).enumerate() {
        let mut mac = HmacSha256::new_from_slice(key).map_err(|e| Error::internal("an HMAC key", e))?;
        mac.update(nonce);
        mac.update(&(block as u64).to_be_bytes());
        let pad = mac.finalize().into_bytes();
        for (b, p) in chunk.iter_mut().zip(pad.iter()) {
            *b ^= p;
        }
    }
    Ok(())
}

fn tag(key: &[u8; 32], nonce: &[u8], ciphertext: &[u8]) -> Result<[u8; TAG_BYTES]> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(|e| Error::internal("an HMAC key", e))?;
    mac.update(nonce);
    mac.update(ciphertext);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_BYTES];
    out.copy_from_slice(&full[..TAG_BYTES]);
    Ok(out)
}

fn unknown() -> Error {
    Error::invalid("token", "is not an unsubscribe reference this controller gave")
}

impl Gdpr {
    fn unsubscribe_keys(&self) -> Result<([u8; 32], [u8; 32])> {
        let key = self.parts.hmac_key.as_ref().ok_or_else(|| {
            Error::config("hmac_key", "unsubscribe references are signed with the HMAC key, and none is configured")
        })?;
        Ok((
            derive(key.as_bytes(), b"gdprkit unsubscribe encryption v1")?,
            derive(key.as_bytes(), b"gdprkit unsubscribe tag v1")?,
        ))
    }

    /// An opaque, signed reference for `subject` to put in a message's `List-Unsubscribe` link:
    /// following it ([`Gdpr::unsubscribe`]) records an opt-out of `purpose` on `channel`, or,
    /// with `None`, an objection to all direct marketing (C6; Art. 21(2)-(3)).
    pub fn unsubscribe_token(&self, subject: &SubjectId, scope: Option<(&PurposeId, &Channel)>) -> Result<String> {
        self.subject(subject)?;
        if let Some((purpose, _)) = scope {
            self.purpose(purpose)?;
        }
        let (enc, mac) = self.unsubscribe_keys()?;
        let (purpose, channel) = scope.map_or((String::new(), String::new()), |(p, c)| (p.to_string(), c.to_string()));
        let mut payload = Vec::new();
        for part in [self.tenant().as_str(), subject.as_str(), purpose.as_str(), channel.as_str()] {
            payload.extend_from_slice(part.as_bytes());
            payload.push(0);
        }
        let nonce = random::<NONCE_BYTES>()?;
        keystream(&enc, &nonce, &mut payload)?;
        let tag = tag(&mac, &nonce, &payload)?;
        let mut token = Vec::with_capacity(NONCE_BYTES + payload.len() + TAG_BYTES);
        token.extend_from_slice(&nonce);
        token.extend_from_slice(&payload);
        token.extend_from_slice(&tag);
        Ok(hex(&token))
    }

    /// Follows an unsubscribe reference: records the opt-out (or objection) it was made for, as of
    /// now, by e-mail, with the reference's SHA-256 as proof. Following it again records nothing
    /// more and says so. Any reference gdprkit did not give this tenant is refused alike.
    pub fn unsubscribe(&self, token: &str) -> Result<Unsubscribed> {
        let (subject, purpose, channel) = self.read_reference(token)?.ok_or_else(unknown)?;
        let digest = crate::raw::ledger::sha256_hex(token.as_bytes());
        if let Some(event) = self.history(&subject)?.into_iter().find(|e| e.proof.proof_ref.as_deref() == Some(&digest))
        {
            return Ok(Unsubscribed { subject, recorded: false, event });
        }
        let mut consent = if purpose.is_empty() {
            NewConsent::objection(subject.clone())
        } else {
            NewConsent::new(subject.clone(), ConsentAction::OptOut, purpose.parse()?, channel.parse()?)
        };
        consent.proof = Proof {
            source: Some(Source::Email),
            collected_by: Some(Collector::Subject),
            proof_ref: Some(digest),
            ..Proof::default()
        };
        let event = self.record_consent(consent)?;
        Ok(Unsubscribed { subject, recorded: true, event })
    }
}

impl Gdpr {
    /// What a reference this tenant gave says: the subject, and the purpose and channel (empty for
    /// all direct marketing); `None` for anything else, forged, altered or another tenant's.
    pub(crate) fn read_reference(&self, token: &str) -> Result<Option<(SubjectId, String, String)>> {
        let (enc, mac) = self.unsubscribe_keys()?;
        if token.len() > MAX_TOKEN_CHARS || !token.len().is_multiple_of(2) {
            return Ok(None);
        }
        let Some(bytes) = unhex(token) else { return Ok(None) };
        if bytes.len() < NONCE_BYTES + TAG_BYTES + 4 {
            return Ok(None);
        }
        let (nonce, rest) = bytes.split_at(NONCE_BYTES);
        let (ciphertext, given) = rest.split_at(rest.len() - TAG_BYTES);
        if !constant_time_eq(&tag(&mac, nonce, ciphertext)?, given) {
            return Ok(None);
        }
        let mut payload = ciphertext.to_vec();
        keystream(&enc, nonce, &mut payload)?;
        let parts: Vec<&[u8]> = payload.split(|&b| b == 0).collect();
        let [tenant, subject, purpose, channel, rest] = parts.as_slice() else { return Ok(None) };
        let text = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_owned);
        let (Some(tenant), Some(subject), Some(purpose), Some(channel)) =
            (text(tenant), text(subject), text(purpose), text(channel))
        else {
            return Ok(None);
        };
        if !rest.is_empty() || tenant != self.tenant().as_str() {
            return Ok(None);
        }
        let Ok(subject) = SubjectId::new(subject) else { return Ok(None) };
        Ok(Some((subject, purpose, channel)))
    }
}

/// Bytes from lower-case hexadecimal digits, as references are written: one reference has one
/// spelling, so that its digest (the proof of the opt-out) finds it again.
fn unhex(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    s.as_bytes().chunks_exact(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}
