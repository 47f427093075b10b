//! The tamper-evident ledger (rule C8, section 4 of the rules).
//!
//! Each tenant has one chain of entries numbered from 1. An entry's hash is
//! `SHA-256(DOMAIN ‖ previous hash ‖ seq ‖ tenant ‖ kind ‖ fact ‖ body ‖ commitments)`, every
//! variable part prefixed with its length. The fact is the part of a consent event that decisions
//! read (purpose, channel, action, instant), kept in columns a store can index; the body is JSON
//! with the rest. Neither holds personal data; each personal value
//! (the subject's id, an e-mail, an IP address, free text) is committed as
//! `SHA-256(salt ‖ value)` in the commitments, while the value and its random salt are kept beside
//! the entry in the personal-values record. Erasing a subject clears that record: the chain still
//! verifies, and the entry still proves that an event of its kind happened at its time.
//!
//! An entry about a subject also carries the subject's id in the clear, so that a store can index
//! it; verification checks it against the committed `subject` value, and erasure clears both.
//!
//! The binary layouts, used by every store:
//! - commitments: repeated `name length (u8) ‖ name ‖ commitment (32 bytes)`;
//! - personal values: `1 (format version, u8)`, then repeated
//!   `name length (u8) ‖ name ‖ salt (16 bytes) ‖ value length (u32, big-endian) ‖ value`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::named_enum::named_enum;

/// The hash that the first entry of every chain points back to.
pub const GENESIS: [u8; 32] = [0; 32];

const DOMAIN: &[u8] = b"gdprkit/ledger/v1\0";
const SALT_LEN: usize = 16;
const PERSONAL_FORMAT: u8 = 1;

named_enum!(
    /// What an entry records.
    EntryKind, "kind", {
        /// A purpose was registered.
        Purpose => "purpose",
        /// A subject was registered.
        Subject => "subject",
        /// A consent event.
        Consent => "consent",
        /// A request opened, or a step in its life.
        Request => "request",
        /// A subject's data disclosed to a recipient.
        Disclosure => "disclosure",
        /// A subject's data erased: what was done, and when.
        Erasure => "erasure",
        /// A message to a subject queued in the outbox: its kind, request and `Message-ID`.
        Message => "message",
        /// A custom channel declared with its kind.
        Channel => "channel",
        /// The tenant's settings saved: its time zone and holiday calendar (rule R2).
        Settings => "settings",
        /// The right to information: a notice given, an exemption, or a communication (rules I2
        /// to I4).
        Information => "information",
    }
);

impl EntryKind {
    /// Reads a stored kind name.
    pub fn parse(s: &str) -> Result<Self> {
        Self::from_name(s).ok_or_else(|| Error::Corrupt(format!("unknown ledger entry kind {s:?}")))
    }
}

/// The SHA-256 of `bytes` in lower-case hex, as consent wordings are fingerprinted (rule C3).
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::text::hex(&Sha256::digest(bytes))
}

/// `SHA-256(salt ‖ value)`: what an entry's hash covers in place of a personal value.
pub fn commitment(salt: &[u8], value: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value);
    h.finalize().into()
}

/// The indexed part of a consent event. An empty purpose or channel stands for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact<'a> {
    /// The purpose id, or `""` for all direct marketing.
    pub purpose: &'a str,
    /// The channel name, or `""` for every channel.
    pub channel: &'a str,
    /// The action's name ([`crate::ConsentAction::as_str`]).
    pub action: &'a str,
    /// When it happened, in microseconds since 1970.
    pub occurred_at: i64,
}

/// The hash of an entry, given the hash of the entry before it.
pub fn entry_hash(
    prev: &[u8; 32],
    seq: u64,
    tenant: &str,
    kind: &str,
    fact: Option<Fact<'_>>,
    body: &str,
    commitments: &[u8],
) -> [u8; 32] {
    EntryHasher::default().hash(prev, seq, tenant, kind, fact, body, commitments)
}

/// Computes [`entry_hash`] through one buffer kept from entry to entry: the hashed bytes are laid
/// out in it and hashed in one call, rather than fed to the hash a few bytes at a time.
#[derive(Default)]
struct EntryHasher {
    preimage: Vec<u8>,
}

impl std::fmt::Debug for EntryHasher {
    /// Says nothing of the last entry's bytes, which a verifier's debug output has no use for.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryHasher").finish_non_exhaustive()
    }
}

impl EntryHasher {
    #[allow(clippy::too_many_arguments)]
    fn hash(
        &mut self,
        prev: &[u8; 32],
        seq: u64,
        tenant: &str,
        kind: &str,
        fact: Option<Fact<'_>>,
        body: &str,
        commitments: &[u8],
    ) -> [u8; 32] {
        let b = &mut self.preimage;
        let part = |b: &mut Vec<u8>, bytes: &[u8]| {
            b.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            b.extend_from_slice(bytes);
        };
        // Sized once: a fresh hasher (each append's) grows in one step, not by doubling.
        let fact_len = fact.map_or(0, |f| 3 * 8 + f.purpose.len() + f.channel.len() + f.action.len() + 8);
        let len = DOMAIN.len() + 32 + 8 + 4 * 8 + tenant.len() + kind.len() + 1 + fact_len + body.len();
        b.clear();
        b.reserve(len + commitments.len());
        b.extend_from_slice(DOMAIN);
        b.extend_from_slice(prev);
        b.extend_from_slice(&seq.to_be_bytes());
        part(b, tenant.as_bytes());
        part(b, kind.as_bytes());
        match fact {
            None => b.push(0),
            Some(f) => {
                b.push(1);
                part(b, f.purpose.as_bytes());
                part(b, f.channel.as_bytes());
                part(b, f.action.as_bytes());
                b.extend_from_slice(&f.occurred_at.to_be_bytes());
            }
        }
        part(b, body.as_bytes());
        part(b, commitments);
        debug_assert_eq!(b.len(), len + commitments.len(), "the size reserved is the size laid out");
        Sha256::digest(b.as_slice()).into()
    }
}

/// The personal values of one entry, with their salts, before they are sealed.
#[derive(Debug, Default, Clone)]
pub struct PersonalValues {
    items: Vec<(&'static str, [u8; SALT_LEN], String)>,
}

impl PersonalValues {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value under `name` with a fresh random salt.
    pub fn add(&mut self, name: &'static str, value: impl Into<String>) -> Result<()> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| Error::internal("no randomness for a salt", e))?;
        self.items.push((name, salt, value.into()));
        Ok(())
    }

    /// Adds a value when there is one.
    pub fn add_opt(&mut self, name: &'static str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => self.add(name, v),
            None => Ok(()),
        }
    }

    /// The commitments, in the layout described in the module docs.
    pub fn commitments(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.items.len() * 40);
        for (name, salt, value) in &self.items {
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&commitment(salt, value.as_bytes()));
        }
        out
    }

    /// The values and salts, in the layout described in the module docs; `None` when empty.
    pub fn encode(&self) -> Option<Vec<u8>> {
        if self.items.is_empty() {
            return None;
        }
        let mut out = vec![PERSONAL_FORMAT];
        for (name, salt, value) in &self.items {
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(salt);
            out.extend_from_slice(&(value.len() as u32).to_be_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        Some(out)
    }
}

/// One stored personal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalValue<'a> {
    /// What the value is (`subject`, `email`, `ip`, …).
    pub name: &'a str,
    /// The salt of its commitment.
    pub salt: &'a [u8],
    /// The value itself.
    pub value: &'a str,
}

/// Reads a stored personal-values record.
pub fn decode_personal(bytes: &[u8]) -> std::result::Result<Vec<PersonalValue<'_>>, String> {
    let mut out = Vec::with_capacity(4);
    for v in personal_bytes(bytes)? {
        let (name, salt, value) = v?;
        let name = std::str::from_utf8(name).map_err(|_| "a value name is not UTF-8")?;
        let value = std::str::from_utf8(value).map_err(|_| "a value is not UTF-8")?;
        out.push(PersonalValue { name, salt, value });
    }
    Ok(out)
}

/// A personal value's name, salt and value, as stored bytes.
type ValueBytes<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// The values of a personal-values record as stored bytes, one after the other, with nothing
/// allocated: what verification compares with the commitments (the bytes committed to), and what
/// [`decode_personal`] reads as text.
fn personal_bytes(
    bytes: &[u8],
) -> std::result::Result<impl Iterator<Item = std::result::Result<ValueBytes<'_>, String>>, String> {
    let mut r = Reader(bytes);
    if r.take(1)? != [PERSONAL_FORMAT] {
        return Err("unknown personal-values format".into());
    }
    Ok(std::iter::from_fn(move || {
        if r.0.is_empty() {
            return None;
        }
        let mut value = || {
            let name_len = r.take(1)?[0] as usize;
            let name = r.take(name_len)?;
            let salt = r.take(SALT_LEN)?;
            let len_bytes: [u8; 4] = r.take(4)?.try_into().map_err(|_| "truncated")?;
            let value = r.take(u32::from_be_bytes(len_bytes) as usize)?;
            Ok((name, salt, value))
        };
        let next = value();
        if next.is_err() {
            // Nothing more is read after a truncated value.
            r.0 = &[];
        }
        Some(next)
    }))
}

/// Finds the commitment stored under `name`.
fn find_commitment<'a>(mut commitments: &'a [u8], name: &[u8]) -> std::result::Result<Option<&'a [u8]>, String> {
    while !commitments.is_empty() {
        let len = commitments[0] as usize;
        let end = 1 + len + 32;
        if commitments.len() < end {
            return Err("the commitments are truncated".into());
        }
        if &commitments[1..1 + len] == name {
            return Ok(Some(&commitments[1 + len..end]));
        }
        commitments = &commitments[end..];
    }
    Ok(None)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("the personal values are truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}

/// Serializes an entry body. Bodies are hashed as stored, so they are never re-serialized.
pub fn body_json<T: Serialize>(body: &T) -> Result<String> {
    serde_json::to_string(body).map_err(|e| Error::Corrupt(format!("an entry body could not be written: {e}")))
}

/// The purpose and channel of a restriction fact: every purpose, every channel. Information
/// facts share the purpose and have [`INFORMATION_CHANNEL`] as their channel.
pub const RESTRICTION_SCOPE: &str = "*";

/// The channel of an information fact, whose purpose is [`RESTRICTION_SCOPE`]: no purpose is
/// named `*`, so these facts never fall in a consent scope.
pub const INFORMATION_CHANNEL: &str = "information";

crate::named_enum::named_enum!(
    /// What an information fact records (rules I2 to I4): indexed with the subject's entries so
    /// that a decision knows, from the seek it already makes, whether a message must carry the
    /// notice.
    InformationFact, "information fact", {
        /// The subject was registered with data collected from them: the notice is due at once
        /// (Art. 13(1)). Its instant is the collection's.
        Collected => "collected",
        /// The subject was registered with data from another source (Art. 14). Its instant is
        /// when the data was obtained.
        Obtained => "obtained",
        /// A notice was given (rule I4).
        Informed => "informed",
        /// An exemption was recorded (rule I3).
        Exempted => "information_exempted",
        /// The CRM communicated with the subject (Art. 14(3)(b)).
        Contacted => "contacted",
        /// The subject's data went to another recipient (Art. 14(3)(c)).
        Disclosed => "disclosed",
    }
);

/// What a fact records: a consent action, a denial inherited from the suppression list, or the
/// start or end of a restriction of processing (Art. 18), which stops every purpose on every
/// channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactAction {
    /// A consent event.
    Consent(crate::ConsentAction),
    /// An opt-out a subject inherited at registration: an erased person with the same e-mail
    /// address or phone number had opted out (rule C9).
    InheritedOptOut,
    /// An objection a subject inherited at registration, likewise (rule C9).
    InheritedObject,
    /// Processing is restricted from now on.
    Restrict,
    /// The restriction is lifted.
    LiftRestriction,
    /// What the right to information needs (purpose [`RESTRICTION_SCOPE`], channel
    /// [`INFORMATION_CHANNEL`]).
    Information(InformationFact),
}

impl FactAction {
    /// The action's name as stored and hashed.
    pub fn as_str(self) -> &'static str {
        match self {
            FactAction::Consent(a) => a.as_str(),
            FactAction::InheritedOptOut => "inherited_opt_out",
            FactAction::InheritedObject => "inherited_object",
            FactAction::Restrict => "restrict",
            FactAction::LiftRestriction => "lift_restriction",
            FactAction::Information(f) => f.as_str(),
        }
    }

    /// The action named exactly `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        // Consent actions first: decisions read one per row.
        if let Some(a) = crate::ConsentAction::from_name(name) {
            return Some(FactAction::Consent(a));
        }
        match name {
            "restrict" => Some(FactAction::Restrict),
            "lift_restriction" => Some(FactAction::LiftRestriction),
            "inherited_opt_out" => Some(FactAction::InheritedOptOut),
            "inherited_object" => Some(FactAction::InheritedObject),
            _ => InformationFact::from_name(name).map(FactAction::Information),
        }
    }

    /// The consent action the fact records, and whether it was inherited from the suppression
    /// list; `None` for a restriction or information fact.
    pub fn consent(self) -> Option<(crate::ConsentAction, bool)> {
        match self {
            FactAction::Consent(a) => Some((a, false)),
            FactAction::InheritedOptOut => Some((crate::ConsentAction::OptOut, true)),
            FactAction::InheritedObject => Some((crate::ConsentAction::Object, true)),
            FactAction::Restrict | FactAction::LiftRestriction | FactAction::Information(_) => None,
        }
    }
}

/// The indexed part of a consent event or a restriction, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFact {
    /// The purpose id, `""` for all direct marketing, or [`RESTRICTION_SCOPE`].
    pub purpose: String,
    /// The channel name, `""` for every channel, or [`RESTRICTION_SCOPE`].
    pub channel: String,
    /// The action.
    pub action: FactAction,
    /// When it happened, in microseconds since 1970.
    pub occurred_at: i64,
}

impl OwnedFact {
    /// An information fact at `at`.
    pub fn information(fact: InformationFact, at: chrono::DateTime<chrono::Utc>) -> Self {
        OwnedFact {
            purpose: RESTRICTION_SCOPE.into(),
            channel: INFORMATION_CHANNEL.into(),
            action: FactAction::Information(fact),
            occurred_at: crate::time::to_micros(at),
        }
    }

    /// The fact as the hash and the stores see it.
    pub fn as_ref(&self) -> Fact<'_> {
        Fact {
            purpose: &self.purpose,
            channel: &self.channel,
            action: self.action.as_str(),
            occurred_at: self.occurred_at,
        }
    }
}

/// An entry ready to be appended: the store gives it its number and hash inside its transaction.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// What it records.
    pub kind: EntryKind,
    /// The subject it is about, if any; also committed as the personal value `subject`.
    pub subject: Option<crate::SubjectId>,
    /// For a consent event, its indexed part.
    pub fact: Option<OwnedFact>,
    /// Its JSON body, free of personal data.
    pub body: String,
    /// The commitments of its personal values.
    pub commitments: Vec<u8>,
    /// Its personal values and salts, if any.
    pub personal: Option<Vec<u8>>,
}

impl NewEntry {
    /// An entry of `kind` with `body` and the given personal values, about no subject.
    pub fn new(kind: EntryKind, body: String, personal: &PersonalValues) -> Self {
        Self { kind, subject: None, fact: None, body, commitments: personal.commitments(), personal: personal.encode() }
    }

    /// An entry about `subject`, whose id is added to the personal values.
    pub fn about(
        kind: EntryKind,
        subject: crate::SubjectId,
        fact: Option<OwnedFact>,
        body: String,
        mut personal: PersonalValues,
    ) -> Result<Self> {
        personal.add(super::bodies::value::SUBJECT, subject.as_str())?;
        Ok(Self {
            kind,
            subject: Some(subject),
            fact,
            body,
            commitments: personal.commitments(),
            personal: personal.encode(),
        })
    }

    /// The number and hash this entry takes after `head` (the last entry's number and hash, or
    /// `None` for an empty chain).
    pub fn seal(&self, tenant: &TenantId, head: Option<(u64, [u8; 32])>) -> (u64, [u8; 32]) {
        let (prev_seq, prev_hash) = head.unwrap_or((0, GENESIS));
        let seq = prev_seq + 1;
        let fact = self.fact.as_ref().map(OwnedFact::as_ref);
        (seq, entry_hash(&prev_hash, seq, tenant.as_str(), self.kind.as_str(), fact, &self.body, &self.commitments))
    }
}

/// An entry as a store reads it back, borrowed from the store's row.
#[derive(Debug, Clone, Copy)]
pub struct StoredEntry<'a> {
    /// Its number in the tenant's chain, from 1.
    pub seq: u64,
    /// The hash of the entry before it ([`GENESIS`] for the first).
    pub prev_hash: &'a [u8],
    /// Its own hash.
    pub hash: &'a [u8],
    /// What it records.
    pub kind: &'a str,
    /// The subject it is about, in the clear; `None` once erased or when about no subject.
    pub subject: Option<&'a str>,
    /// For a consent event, its indexed part.
    pub fact: Option<Fact<'a>>,
    /// Its JSON body.
    pub body: &'a str,
    /// The commitments of its personal values.
    pub commitments: &'a [u8],
    /// Its personal values, or `None` once erased (or when it had none).
    pub personal: Option<&'a [u8]>,
}

/// The outcome of verifying a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verification {
    /// Every entry matched.
    Intact {
        /// How many entries were checked.
        entries: u64,
    },
    /// An entry did not match.
    Broken {
        /// The number of the first entry that does not match.
        seq: u64,
        /// Why it does not.
        reason: String,
    },
    /// The chain verifies, but a registry or index the store derives from it (and which
    /// decisions read) disagrees with it: edited or deleted outside gdprkit.
    Disagrees {
        /// What disagrees: `purposes`, `subjects` or `decision index`.
        table: String,
        /// How.
        reason: String,
    },
    /// The chain verifies on its own but contradicts a signed checkpoint: entries were removed
    /// from its end, or rewritten, after the checkpoint was signed.
    Contradicted {
        /// The checkpoint's position among those given, from 0.
        checkpoint: usize,
        /// The entry number the checkpoint signed.
        seq: u64,
        /// What differs.
        reason: String,
    },
}

impl Verification {
    /// Whether the chain is intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, Verification::Intact { .. })
    }
}

/// Checks a chain entry by entry, in order, holding the last hash and the entries whose values
/// were erased and that no erasure entry has named yet.
#[derive(Debug)]
pub struct Verifier {
    tenant: TenantId,
    last_seq: u64,
    last_hash: [u8; 32],
    broken: Option<(u64, String)>,
    /// Entries whose personal values are gone, waiting for the erasure entry that names them.
    blanked: std::collections::BTreeSet<u64>,
    hasher: EntryHasher,
}

/// What a verifier reads of an erasure entry's body: the entries it erased (absent in erasures
/// recorded before it was written, which erased every earlier entry about their subject).
#[derive(serde::Deserialize)]
struct ErasedEntries {
    #[serde(default)]
    entries: Option<Vec<u64>>,
}

impl Verifier {
    /// A verifier for the chain of `tenant`.
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            last_seq: 0,
            last_hash: GENESIS,
            broken: None,
            blanked: Default::default(),
            hasher: Default::default(),
        }
    }

    /// Checks the next entry. Returns `false` once the chain is found broken; later entries are
    /// then not looked at.
    pub fn check(&mut self, e: &StoredEntry<'_>) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let expected = self.last_seq + 1;
        if e.seq != expected {
            let reason = format!("it is missing: the chain goes from entry {} to entry {}", self.last_seq, e.seq);
            self.broken = Some((expected, reason));
            return false;
        }
        match self.check_entry(e) {
            Ok(hash) => {
                self.last_seq = e.seq;
                self.last_hash = hash;
                if e.personal.is_none() && !e.commitments.is_empty() {
                    self.blanked.insert(e.seq);
                }
                if e.kind == EntryKind::Erasure.as_str() {
                    match serde_json::from_str::<ErasedEntries>(e.body).map(|b| b.entries) {
                        Ok(Some(named)) => {
                            for seq in named {
                                self.blanked.remove(&seq);
                            }
                        }
                        Ok(None) => self.blanked.clear(),
                        Err(_) => {
                            self.broken = Some((e.seq, "it is an erasure whose body is unreadable".into()));
                            return false;
                        }
                    }
                }
                true
            }
            Err(reason) => {
                self.broken = Some((e.seq, reason));
                false
            }
        }
    }

    fn check_entry(&mut self, e: &StoredEntry<'_>) -> std::result::Result<[u8; 32], String> {
        if e.prev_hash != self.last_hash {
            return Err("its previous-hash does not match the hash of the entry before it".into());
        }
        let hash =
            self.hasher.hash(&self.last_hash, e.seq, self.tenant.as_str(), e.kind, e.fact, e.body, e.commitments);
        if e.hash != hash {
            return Err("its content does not match its hash".into());
        }
        // Values are compared as the bytes committed to: whether they read as text is for the
        // readers of the values to say.
        let mut committed_subject = None;
        if let Some(personal) = e.personal {
            for v in personal_bytes(personal)? {
                let (name, salt, value) = v?;
                let named = || String::from_utf8_lossy(name);
                match find_commitment(e.commitments, name)? {
                    Some(c) if c == commitment(salt, value) => {}
                    Some(_) => return Err(format!("its personal value {:?} does not match its commitment", named())),
                    None => return Err(format!("its personal value {:?} has no commitment", named())),
                }
                if name == super::bodies::value::SUBJECT.as_bytes() {
                    committed_subject = Some(value);
                }
            }
        }
        if e.subject.map(str::as_bytes) != committed_subject {
            return Err("its subject does not match the committed subject".into());
        }
        Ok(hash)
    }

    /// The number and hash of the last entry checked (0 and the genesis hash before any).
    pub fn last(&self) -> (u64, [u8; 32]) {
        (self.last_seq, self.last_hash)
    }

    /// Whether an entry checked so far broke the chain.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// The verdict, given the chain head the store recorded (`None` when it recorded none).
    pub fn finish(self, head: Option<(u64, [u8; 32])>) -> Verification {
        if let Some((seq, reason)) = self.broken {
            return Verification::Broken { seq, reason };
        }
        if let Some(&seq) = self.blanked.iter().next() {
            return Verification::Broken {
                seq,
                reason: "its personal values were removed, and no erasure entry names it: they were erased outside \
                         gdprkit"
                    .into(),
            };
        }
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS));
        if head_seq != self.last_seq || head_hash != self.last_hash {
            let seq = self.last_seq.max(head_seq);
            return Verification::Broken {
                seq,
                reason: format!("the chain ends at entry {} but its recorded head is entry {head_seq}", self.last_seq),
            };
        }
        Verification::Intact { entries: self.last_seq }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> TenantId {
        TenantId::new("t").unwrap()
    }

    struct Owned {
        seq: u64,
        prev: [u8; 32],
        hash: [u8; 32],
        entry: NewEntry,
    }

    fn chain(n: usize) -> Vec<Owned> {
        let mut head = None;
        (0..n as i64)
            .map(|i| {
                let mut p = PersonalValues::new();
                p.add("ip", "192.0.2.1").unwrap();
                let fact = OwnedFact {
                    purpose: "promo".into(),
                    channel: String::new(),
                    action: FactAction::Consent(crate::ConsentAction::Object),
                    occurred_at: i,
                };
                let subject = crate::SubjectId::new(format!("subject-{i}")).unwrap();
                let entry =
                    NewEntry::about(EntryKind::Consent, subject, Some(fact), format!("{{\"i\":{i}}}"), p).unwrap();
                let (seq, hash) = entry.seal(&tenant(), head);
                let prev = head.map(|h: (u64, [u8; 32])| h.1).unwrap_or(GENESIS);
                head = Some((seq, hash));
                Owned { seq, prev, hash, entry }
            })
            .collect()
    }

    fn stored(o: &Owned, erased: bool) -> StoredEntry<'_> {
        StoredEntry {
            seq: o.seq,
            prev_hash: &o.prev,
            hash: &o.hash,
            kind: o.entry.kind.as_str(),
            subject: if erased { None } else { o.entry.subject.as_ref().map(|s| s.as_str()) },
            fact: o.entry.fact.as_ref().map(OwnedFact::as_ref),
            body: &o.entry.body,
            commitments: &o.entry.commitments,
            personal: if erased { None } else { o.entry.personal.as_deref() },
        }
    }

    fn verify(entries: &[Owned], erase: Option<usize>) -> Verification {
        let mut v = Verifier::new(tenant());
        for (i, o) in entries.iter().enumerate() {
            v.check(&stored(o, erase == Some(i)));
        }
        let head = entries.last().map(|o| (o.seq, o.hash));
        v.finish(head)
    }

    #[test]
    fn an_untouched_chain_verifies_and_counts_its_entries() {
        assert_eq!(verify(&chain(5), None), Verification::Intact { entries: 5 });
        assert_eq!(verify(&[], None), Verification::Intact { entries: 0 });
    }

    /// Appends an erasure entry naming `erased` to the chain.
    fn with_erasure(mut c: Vec<Owned>, erased: &str) -> Vec<Owned> {
        let subject = crate::SubjectId::new("subject-2").unwrap();
        let body = format!("{{\"recorded_at\":\"2026-01-01T00:00:00Z\",\"entries\":{erased}}}");
        let entry = NewEntry::about(EntryKind::Erasure, subject, None, body, PersonalValues::new()).unwrap();
        let head = c.last().map(|o| (o.seq, o.hash));
        let (seq, hash) = entry.seal(&tenant(), head);
        c.push(Owned { seq, prev: head.map_or(GENESIS, |h| h.1), hash, entry });
        c
    }

    /// Section 4 and C8: values may leave the ledger only through an erasure entry that names
    /// their entry; values removed any other way (plain SQL) are named as such.
    #[test]
    fn erased_values_verify_only_when_a_later_erasure_entry_names_them() {
        assert!(verify(&with_erasure(chain(5), "[3]"), Some(2)).is_intact());
        match verify(&chain(5), Some(2)) {
            Verification::Broken { seq: 3, reason } => assert!(reason.contains("no erasure entry"), "{reason}"),
            other => panic!("values removed outside gdprkit went unnoticed: {other:?}"),
        }
        assert!(!verify(&with_erasure(chain(5), "[4]"), Some(2)).is_intact(), "an erasure of entry 4 covers only 4");
        // An erasure recorded before erasure entries named what they erased covers every earlier
        // entry, as it did then.
        let legacy = {
            let mut c = with_erasure(chain(5), "[]");
            let last = c.len() - 1;
            let subject = crate::SubjectId::new("subject-2").unwrap();
            let body = "{\"recorded_at\":\"2025-01-01T00:00:00Z\"}".to_owned();
            c[last].entry = NewEntry::about(EntryKind::Erasure, subject, None, body, PersonalValues::new()).unwrap();
            let head = Some((c[last - 1].seq, c[last - 1].hash));
            let (_, hash) = c[last].entry.seal(&tenant(), head);
            c[last].hash = hash;
            c
        };
        assert!(verify(&legacy, Some(2)).is_intact());
    }

    #[test]
    fn a_changed_body_names_its_entry() {
        let mut c = chain(5);
        c[3].entry.body = "{\"i\":99}".into();
        assert_eq!(
            verify(&c, None),
            Verification::Broken { seq: 4, reason: "its content does not match its hash".into() }
        );
    }

    #[test]
    fn a_changed_fact_or_subject_names_its_entry() {
        let mut c = chain(3);
        c[1].entry.fact.as_mut().unwrap().action = FactAction::Consent(crate::ConsentAction::OptIn);
        assert!(matches!(verify(&c, None), Verification::Broken { seq: 2, .. }));
        let mut c = chain(3);
        c[2].entry.subject = Some(crate::SubjectId::new("someone-else").unwrap());
        assert_eq!(
            verify(&c, None),
            Verification::Broken { seq: 3, reason: "its subject does not match the committed subject".into() }
        );
    }

    #[test]
    fn a_changed_personal_value_names_its_entry() {
        let mut c = chain(3);
        let personal = c[1].entry.personal.as_mut().unwrap();
        let last = personal.len() - 1;
        personal[last] ^= 1;
        match verify(&c, None) {
            Verification::Broken { seq: 2, reason } => {
                assert!(reason.contains("does not match its commitment"), "{reason}")
            }
            other => panic!("unexpected {other:?}"),
        }
        // Bytes that are not text are compared as bytes, and named the same way.
        let mut c = chain(3);
        let personal = c[1].entry.personal.as_mut().unwrap();
        let last = personal.len() - 1;
        personal[last] = 0xff;
        match verify(&c, None) {
            Verification::Broken { seq: 2, reason } => {
                assert!(reason.contains("\"subject\" does not match its commitment"), "{reason}")
            }
            other => panic!("unexpected {other:?}"),
        }
        // A record cut short names its entry too.
        let mut c = chain(3);
        c[1].entry.personal.as_mut().unwrap().pop();
        match verify(&c, None) {
            Verification::Broken { seq: 2, reason } => assert!(reason.contains("truncated"), "{reason}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_removed_entry_or_a_truncated_tail_is_found() {
        let mut c = chain(4);
        c.remove(1);
        assert!(matches!(verify(&c, None), Verification::Broken { seq: 2, .. }), "the missing entry is named");

        let c = chain(4);
        let mut v = Verifier::new(tenant());
        for o in &c[..3] {
            v.check(&stored(o, false));
        }
        assert!(matches!(v.finish(Some((4, c[3].hash))), Verification::Broken { seq: 4, .. }));
    }

    /// The hash is the one `docs/ledger.md` defines: these three were computed from that text
    /// alone, outside gdprkit (Python's `hashlib`), so a change to the layout fails here. The
    /// verifier's reused buffer gives the same hashes, in any order.
    #[test]
    fn entry_hashes_follow_the_documented_layout() {
        let fact = Fact { purpose: "promo", channel: "email", action: "opt_in", occurred_at: -5 };
        let mut commitments = vec![7];
        commitments.extend_from_slice(b"subject");
        commitments.extend_from_slice(&[9; 32]);
        let body = "{\"recorded_at\":\"2026-01-01T00:00:00Z\"}";
        // Previous hash, number, tenant, kind, fact, body, commitments, and the expected hash.
        type Case<'a> = (&'a [u8; 32], u64, &'a str, &'a str, Option<Fact<'a>>, &'a str, &'a [u8], &'a str);
        let everything = Fact { purpose: "", channel: "", action: "object", occurred_at: 1_764_547_200_000_000 };
        let cases: [Case<'_>; 3] = [
            (
                &GENESIS,
                1,
                "t",
                "purpose",
                None,
                "{\"id\":\"promo\"}",
                &[],
                "caacacb749455d9923185a8797d4efad60429aab3a6973aebff621f9c512c51d",
            ),
            (
                &[7; 32],
                42,
                "acme",
                "consent",
                Some(fact),
                body,
                &commitments,
                "400e5785e6e133e2854af4a43e6a1afe1e08b70137e69824d300ff702a4dc272",
            ),
            // An objection to all direct marketing on every channel: empty purpose and channel.
            (
                &[1; 32],
                7,
                "t",
                "consent",
                Some(everything),
                "{}",
                &[],
                "5fb4184bd1fe6b307dff756599ff1418726209fbbc368c83f311a16b8d937fd2",
            ),
        ];
        let mut reused = EntryHasher::default();
        for (prev, seq, tenant, kind, fact, body, commitments, expected) in cases.into_iter().chain(cases).rev() {
            assert_eq!(crate::text::hex(&entry_hash(prev, seq, tenant, kind, fact, body, commitments)), expected);
            assert_eq!(crate::text::hex(&reused.hash(prev, seq, tenant, kind, fact, body, commitments)), expected);
        }
    }

    #[test]
    fn the_same_content_in_another_tenant_has_another_hash() {
        let e = NewEntry::new(EntryKind::Purpose, "{}".into(), &PersonalValues::new());
        let a = e.seal(&TenantId::new("a").unwrap(), None);
        let b = e.seal(&TenantId::new("b").unwrap(), None);
        assert_ne!(a.1, b.1);
    }

    #[test]
    fn personal_values_round_trip_and_garbage_is_refused() {
        let mut p = PersonalValues::new();
        p.add("subject", "jean").unwrap();
        p.add("ip", "192.0.2.1").unwrap();
        let bytes = p.encode().unwrap();
        let values = decode_personal(&bytes).unwrap();
        assert_eq!(
            values.iter().map(|v| (v.name, v.value)).collect::<Vec<_>>(),
            [("subject", "jean"), ("ip", "192.0.2.1")]
        );
        assert_ne!(values[0].salt, values[1].salt, "every value has its own salt");
        assert!(decode_personal(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_personal(&[9]).is_err());
    }
}
