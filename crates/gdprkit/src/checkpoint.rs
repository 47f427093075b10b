//! Signed checkpoints of a tenant's chain (rule C8): the head (entry number, hash, instant),
//! signed with an Ed25519 key kept outside the database.
//!
//! A hash chain proves that no entry was changed, but not that none was removed from its end: a
//! chain whose last entries are deleted and whose head is rewritten still verifies. A checkpoint,
//! kept where the database's writers cannot reach it (mailed to the DPO, in the CRM's own log,
//! in another system's storage), remembers how long the chain was and how it ended. Verifying
//! against it fails when the chain is now shorter, or when its entry at the checkpoint differs:
//! entries were removed or rewritten after it was signed. See `docs/ledger.md`.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, Verifier as _};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::TenantId;
use crate::raw::ledger::{Verification, Verifier};
use crate::text::hex;
use crate::time;

/// The version of the checkpoint format, part of what is signed.
const FORMAT: u32 = 1;

/// The key that signs checkpoints: an Ed25519 secret key, never shown in `Debug`.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("public_key", &self.public_key().to_hex()).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self> {
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&crate::request::record::random::<32>()?)))
    }

    /// A key from its 32 secret bytes as 64 hexadecimal digits (what [`SigningKey::to_hex`]
    /// gives, and what `GDPRKIT_SIGNING_KEY` holds).
    pub fn from_hex(s: &str) -> Result<Self> {
        let bytes = unhex::<32>(s.trim()).ok_or_else(|| {
            Error::invalid("signing_key", "is not 64 hexadecimal digits (make one with `gdprkit ledger keygen`)")
        })?;
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    /// The secret key as 64 hexadecimal digits, to store outside the database.
    pub fn to_hex(&self) -> String {
        hex(&self.0.to_bytes())
    }

    /// The public key that verifies this key's checkpoints.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// The public key a verifier trusts: checkpoints signed by any other key are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// A key from its 32 bytes as 64 hexadecimal digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        let bytes =
            unhex::<32>(s.trim()).ok_or_else(|| Error::invalid("public_key", "is not 64 hexadecimal digits"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| Error::invalid("public_key", "is not an Ed25519 public key"))
    }

    /// The key as 64 hexadecimal digits.
    pub fn to_hex(&self) -> String {
        hex(self.0.as_bytes())
    }
}

/// A signed checkpoint: the tenant's chain had `seq` entries, the last with hash `hash`, at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The format's version: 1.
    pub format: u32,
    /// The tenant whose chain it is.
    pub tenant: TenantId,
    /// How many entries the chain had.
    pub seq: u64,
    /// The hash of entry `seq`, in hexadecimal (the genesis hash for an empty chain).
    pub hash: String,
    /// When it was signed.
    pub at: DateTime<Utc>,
    /// The public key that signed it, in hexadecimal.
    pub public_key: String,
    /// The Ed25519 signature over the fields above, in hexadecimal.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes signed: every field but the signature, one per line, after a line naming the
    /// format.
    fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "gdprkit checkpoint v{}\ntenant {}\nseq {}\nhash {}\nat {}\nkey {}\n",
            self.format,
            self.tenant,
            self.seq,
            self.hash,
            time::format(self.at),
            self.public_key
        )
        .into_bytes()
    }

    /// Checks that `trusted` signed this checkpoint, as it reads.
    pub fn check_signature(&self, trusted: &PublicKey) -> Result<()> {
        if self.format != FORMAT {
            return Err(Error::invalid(
                "checkpoint",
                format!("is in format {}, this gdprkit reads {FORMAT}", self.format),
            ));
        }
        if self.public_key != trusted.to_hex() {
            return Err(Error::invalid(
                "checkpoint",
                format!("was signed by key {}, not by the trusted key {}", self.public_key, trusted.to_hex()),
            ));
        }
        let signature = unhex::<64>(&self.signature)
            .map(|b| ed25519_dalek::Signature::from_bytes(&b))
            .ok_or_else(|| Error::invalid("checkpoint", "its signature is not 128 hexadecimal digits"))?;
        trusted.0.verify(&self.signed_bytes(), &signature).map_err(|_| {
            Error::invalid("checkpoint", "its signature does not match its content: it was forged or altered")
        })
    }

    fn hash_bytes(&self) -> Option<[u8; 32]> {
        unhex::<32>(&self.hash)
    }
}

impl Gdpr {
    /// Verifies the tenant's chain and signs its head with `key`. A broken chain is not signed:
    /// the error says where it breaks.
    pub fn checkpoint(&self, key: &SigningKey) -> Result<Checkpoint> {
        let mut verifier = Verifier::new(self.tenant().clone());
        let head = self.store().scan_ledger(self.tenant(), &mut |e| verifier.check(e))?;
        let (seq, hash) = verifier.last();
        if let Verification::Broken { seq, reason } = verifier.finish(head) {
            return Err(Error::Corrupt(format!(
                "the ledger is broken at entry {seq} ({reason}); no checkpoint signed"
            )));
        }
        let mut checkpoint = Checkpoint {
            format: FORMAT,
            tenant: self.tenant().clone(),
            seq,
            hash: hex(&hash),
            at: self.now(),
            public_key: key.public_key().to_hex(),
            signature: String::new(),
        };
        checkpoint.signature = hex(&key.0.sign(&checkpoint.signed_bytes()).to_bytes());
        Ok(checkpoint)
    }

    /// Verifies the tenant's chain (as [`Gdpr::verify_ledger`]) and that it agrees with every
    /// checkpoint: it has at least as many entries as each, and its entry at each has the hash
    /// signed. A checkpoint not signed by `trusted`, or for another tenant, is an error naming
    /// it by its position; nothing is verified then.
    pub fn verify_ledger_with(&self, checkpoints: &[Checkpoint], trusted: &PublicKey) -> Result<Verification> {
        let mut wanted = Vec::with_capacity(checkpoints.len());
        for (i, c) in checkpoints.iter().enumerate() {
            let at = |e: Error| Error::invalid("checkpoint", format!("checkpoint {}: {}", i + 1, reason_of(&e)));
            c.check_signature(trusted).map_err(at)?;
            if &c.tenant != self.tenant() {
                return Err(Error::invalid(
                    "checkpoint",
                    format!("checkpoint {} is for tenant {}, not {}", i + 1, c.tenant, self.tenant()),
                ));
            }
            let hash = c
                .hash_bytes()
                .ok_or_else(|| at(Error::invalid("checkpoint", "its hash is not 64 hexadecimal digits")))?;
            wanted.push((c.seq, hash));
        }
        let mut seen: std::collections::HashMap<u64, Vec<u8>> = std::collections::HashMap::new();
        let wanted_seqs: std::collections::HashSet<u64> = wanted.iter().map(|w| w.0).collect();
        let verification = self.verify_with(&mut |e| {
            if wanted_seqs.contains(&e.seq) {
                seen.insert(e.seq, e.hash.to_vec());
            }
        })?;
        let Verification::Intact { entries } = verification else {
            return Ok(verification);
        };
        for (i, (seq, hash)) in wanted.into_iter().enumerate() {
            let c = &checkpoints[i];
            let reason = if seq > entries {
                format!(
                    "the chain has {entries} entries, but checkpoint {} signed at {} saw {seq}: entries were removed",
                    i + 1,
                    time::format(c.at)
                )
            } else if seq > 0 && seen.get(&seq).map(Vec::as_slice) != Some(&hash[..]) {
                format!(
                    "entry {seq} differs from checkpoint {} signed at {}: the chain was rewritten after it",
                    i + 1,
                    time::format(c.at)
                )
            } else {
                continue;
            };
            return Ok(Verification::Contradicted { checkpoint: i, seq, reason });
        }
        Ok(Verification::Intact { entries })
    }
}

/// An error's message without its kind's prefix.
fn reason_of(e: &Error) -> String {
    let text = e.to_string();
    text.strip_prefix("invalid checkpoint: ").map(str::to_owned).unwrap_or(text)
}

/// `N` bytes from `2N` hexadecimal digits.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}
