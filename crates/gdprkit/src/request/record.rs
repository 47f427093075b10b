//! A request as gdprkit keeps it, what the subject sees of it, and its tracking token (R8).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use super::kind::{ReceivedVia, RequestKind};
use super::machine::RequestState;
use super::objection::ObjectionScope;
use crate::error::{Error, Result};
use crate::ids::SubjectId;
use crate::named_enum::named_enum;

use crate::text::hex;

named_enum!(
    /// Why a deadline is extended (Art. 12(3)).
    ExtensionGround, "ground", {
        /// The request is complex.
        Complexity => "complexity",
        /// The controller received many requests.
        NumberOfRequests => "number_of_requests",
    }
);

named_enum!(
    /// Why a request is refused (R5).
    RefusalCode, "code", {
        /// The subject's identity could not be verified after a reasonable doubt (Art. 12(6)).
        IdentityNotVerified => "identity_not_verified",
        /// Manifestly unfounded (Art. 12(5)).
        ManifestlyUnfounded => "manifestly_unfounded",
        /// Excessive, in particular repetitive (Art. 12(5)).
        Excessive => "excessive",
        /// Freedom of expression and information (Art. 17(3)(a)).
        FreedomOfExpression => "freedom_of_expression",
        /// A legal obligation of the controller (Art. 17(3)(b)).
        LegalObligation => "legal_obligation",
        /// Public interest in public health (Art. 17(3)(c)).
        PublicInterestHealth => "public_interest_health",
        /// Archiving, research or statistics (Art. 17(3)(d)).
        ArchivingResearch => "archiving_research",
        /// Legal claims (Art. 17(3)(e)).
        LegalClaims => "legal_claims",
        /// The data are not processed on consent or contract by automated means (Art. 20(1)).
        NotEligibleForPortability => "not_eligible_for_portability",
        /// Giving the copy would adversely affect the rights and freedoms of others (Art. 15(4)).
        RightsOfOthers => "rights_of_others",
        /// Compelling legitimate grounds override the subject's objection (Art. 21(1)).
        CompellingLegitimateGrounds => "compelling_legitimate_grounds",
        /// Another reason, given in the text.
        Other => "other",
    }
);

named_enum!(
    /// What a request waits on the subject for (R4).
    WaitKind, "kind", {
        /// Their identity, on a reasonable doubt (Art. 12(6)).
        Identity => "identity",
        /// Something to clarify about what they ask.
        Clarification => "clarification",
    }
);

named_enum!(
    /// How the copy of an access or portability request reached the subject (E3).
    CopyDelivery, "delivered_by", {
        /// Mailed to the subject's address, attached to the completion notice.
        Mail => "mail",
        /// Printed and posted.
        Post => "post",
        /// Handed over in person.
        InPerson => "in_person",
        /// Downloaded by the subject from their own space.
        Download => "download",
    }
);

/// Part of the data kept when a request is completed (R5, partial refusal): what, under which
/// code of the refusal table, and for how long. The completion notice states it with the
/// subject's remedies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// What was kept: an entity of the data map (`invoices`) or a field (`contacts.email`).
    pub what: String,
    /// Why, as a code of the refusal table that applies to the request's kind.
    pub code: RefusalCode,
    /// For how long, where a period applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<crate::anonymize::map::Period>,
}

/// The longest name of what was kept, in bytes.
pub const MAX_KEPT_BYTES: usize = 200;

/// When and how the copy of an access or portability request was delivered (E3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// How.
    pub by: CopyDelivery,
    /// On which day.
    pub on: NaiveDate,
}

impl RefusalCode {
    /// The kinds of request this code can refuse, in words, as the table of R5 says. An
    /// objection to direct marketing cannot be refused at all (Art. 21(3)).
    pub fn kinds(self) -> &'static str {
        match self {
            RefusalCode::IdentityNotVerified => "any, after the request waited on the subject for identity (R4)",
            RefusalCode::ManifestlyUnfounded | RefusalCode::Excessive | RefusalCode::Other => {
                "any but an objection to direct marketing"
            }
            RefusalCode::FreedomOfExpression
            | RefusalCode::LegalObligation
            | RefusalCode::PublicInterestHealth
            | RefusalCode::ArchivingResearch => "erasure, anonymization",
            RefusalCode::LegalClaims => "erasure, anonymization; an objection under Art. 21(1)",
            RefusalCode::CompellingLegitimateGrounds => "an objection under Art. 21(1)",
            RefusalCode::RightsOfOthers => "access, portability",
            RefusalCode::NotEligibleForPortability => "portability",
        }
    }

    /// Its legal source.
    pub fn source(self) -> &'static str {
        match self {
            RefusalCode::IdentityNotVerified => "Art. 12(2), 12(6)",
            RefusalCode::ManifestlyUnfounded | RefusalCode::Excessive => "Art. 12(5)",
            RefusalCode::FreedomOfExpression => "Art. 17(3)(a)",
            RefusalCode::LegalObligation => "Art. 17(3)(b)",
            RefusalCode::PublicInterestHealth => "Art. 17(3)(c)",
            RefusalCode::ArchivingResearch => "Art. 17(3)(d)",
            RefusalCode::LegalClaims => "Art. 17(3)(e), 21(1)",
            RefusalCode::CompellingLegitimateGrounds => "Art. 21(1)",
            RefusalCode::RightsOfOthers => "Art. 15(4)",
            RefusalCode::NotEligibleForPortability => "Art. 20(1)",
            RefusalCode::Other => "Art. 12(4)",
        }
    }

    /// Whether this code can refuse `request` (R5): the table of [`RefusalCode::kinds`], and, for
    /// `identity_not_verified`, an earlier wait on the subject for identity. An objection is
    /// refused only in its part under Art. 21(1) (R11): an objection to direct marketing alone
    /// cannot be refused (C5), and where an objection also covers direct marketing, that part
    /// took effect on receipt and stands.
    pub fn check(self, request: &Request) -> Result<()> {
        use RequestKind as K;
        let kind = request.kind;
        let objection = super::objection::scope_of(request);
        if objection.as_ref().is_some_and(|s| !s.refusable()) {
            return Err(Error::state(
                "action",
                "an objection to direct marketing cannot be refused (Art. 21(3)); complete it",
            ));
        }
        let situation = objection.is_some();
        let applies = match self {
            RefusalCode::IdentityNotVerified
            | RefusalCode::ManifestlyUnfounded
            | RefusalCode::Excessive
            | RefusalCode::Other => true,
            RefusalCode::FreedomOfExpression
            | RefusalCode::LegalObligation
            | RefusalCode::PublicInterestHealth
            | RefusalCode::ArchivingResearch => matches!(kind, K::Erasure | K::Anonymization),
            RefusalCode::LegalClaims => matches!(kind, K::Erasure | K::Anonymization) || situation,
            RefusalCode::CompellingLegitimateGrounds => situation,
            RefusalCode::RightsOfOthers => matches!(kind, K::Access | K::Portability),
            RefusalCode::NotEligibleForPortability => kind == K::Portability,
        };
        if !applies {
            return Err(Error::invalid(
                "code",
                format!(
                    "{self} ({}) refuses {} requests only, and this is a {kind} request",
                    self.source(),
                    self.kinds()
                ),
            ));
        }
        if self == RefusalCode::IdentityNotVerified && !request.identity_asked {
            return Err(Error::state(
                "code",
                "identity_not_verified needs a reasonable doubt first (Art. 12(6)): wait on the subject for their \
                 identity (await-subject --kind identity, with the doubt and the method asked), then refuse if it \
                 cannot be verified",
            ));
        }
        Ok(())
    }

    /// The table of R5 as Markdown, as `docs/requests.md` prints it.
    pub fn table_markdown() -> String {
        let mut out = String::from("| code | refuses | source |\n|---|---|---|\n");
        for code in RefusalCode::ALL.iter().copied() {
            out.push_str(&format!("| `{code}` | {} | {} |\n", code.kinds(), code.source()));
        }
        out
    }
}

/// A request's id: 24 hexadecimal characters, random.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RequestId(String);

impl RequestId {
    /// A new random id.
    pub fn generate() -> Result<Self> {
        Ok(Self(hex(&random::<12>()?)))
    }

    /// Reads an id given by a user.
    pub fn new(s: impl Into<String>) -> Result<Self> {
        let s = s.into();
        if s.len() != 24 || !s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                "request",
                format!("{:?} is not 24 lower-case hexadecimal characters", crate::ids::truncate_for_message(&s)),
            ));
        }
        Ok(Self(s))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A deadline extension (R3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Its ground.
    pub ground: ExtensionGround,
    /// The written reason given to the subject.
    pub reason: String,
    /// When it was decided.
    pub at: DateTime<Utc>,
}

/// A request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Its id.
    pub id: RequestId,
    /// The subject who made it.
    pub subject: SubjectId,
    /// The right it exercises.
    pub kind: RequestKind,
    /// The channel it came by.
    pub via: ReceivedVia,
    /// When it reached the controller.
    pub received_at: DateTime<Utc>,
    /// The receipt date in the controller's time zone, from which deadlines run.
    pub received_on: NaiveDate,
    /// Where it stands.
    pub state: RequestState,
    /// The initial due date, as computed at receipt; kept, never derived back (R3).
    pub initial_due: NaiveDate,
    /// The due date now: after pauses, and after an extension if any.
    pub due: NaiveDate,
    /// The extension, if one was granted.
    pub extension: Option<Extension>,
    /// Since when it waits on the subject, while it does.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Calendar days spent waiting on the subject so far (R4).
    pub paused_days: u64,
    /// What is asked of the subject, while the request waits on them (the doubt about their
    /// identity, or what needs clarifying).
    #[serde(default)]
    pub awaiting: Option<String>,
    /// What the request waits on the subject for, while it does (R4).
    #[serde(default)]
    pub awaiting_kind: Option<WaitKind>,
    /// Whether it ever waited on the subject for their identity, which `identity_not_verified`
    /// needs (R4, R5).
    #[serde(default)]
    pub identity_asked: bool,
    /// Whether it was refused or completed after its due date (R5): late, and listed so.
    #[serde(default)]
    pub late: bool,
    /// For a completed access or portability request: how and when its copy was delivered (E3).
    #[serde(default)]
    pub delivered: Option<Delivered>,
    /// For an access or portability request whose copy is offered on the portal: until when the
    /// person may download it (E3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_until: Option<DateTime<Utc>>,
    /// For an objection: what it objects to (C5, R11). `None` on objections recorded before
    /// objections named purposes, which were all to direct marketing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objection: Option<ObjectionScope>,
    /// For a request completed in part: what was kept, why and for how long (R5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<Kept>,
    /// Notes staff wrote for the subject to read with their tracking token.
    #[serde(default)]
    pub public_notes: Vec<PublicNote>,
    /// The refusal code, once refused.
    pub refusal: Option<RefusalCode>,
    /// When it was completed, refused or withdrawn.
    pub closed_at: Option<DateTime<Utc>>,
    /// Each state it entered, with when, oldest first: what its tracking page shows (R8). Empty
    /// for a request recorded before gdprkit kept it.
    #[serde(default)]
    pub history: Vec<StateChange>,
}

/// A state a request entered, and when (R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// When.
    pub at: DateTime<Utc>,
    /// The state it entered.
    pub state: RequestState,
}

impl Request {
    /// Whether it is still open and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.state.is_closed() && self.due < today
    }

    /// What the subject sees with their tracking token.
    pub fn public_view(&self) -> PublicView {
        PublicView {
            kind: self.kind,
            state: self.state,
            received_on: self.received_on,
            due: self.due,
            extended: self.extension.is_some(),
            closed_at: self.closed_at,
            notes: self.public_notes.clone(),
            waiting_for: self.awaiting_kind,
            question: self.awaiting.clone(),
            history: self.history.clone(),
            download_until: self.download_until,
        }
    }
}

/// A note written for the subject, shown with the tracking token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNote {
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The note.
    pub text: String,
}

/// What a tracking token shows: the request's kind, state and the states before it, dates, public
/// notes and the question it waits on the subject for, and nothing else (R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicView {
    /// The right exercised.
    pub kind: RequestKind,
    /// Where it stands.
    pub state: RequestState,
    /// The receipt date.
    pub received_on: NaiveDate,
    /// The due date.
    pub due: NaiveDate,
    /// Whether the deadline was extended.
    pub extended: bool,
    /// When it was closed, if it was.
    pub closed_at: Option<DateTime<Utc>>,
    /// The notes written for the subject, oldest first.
    pub notes: Vec<PublicNote>,
    /// While the request waits on the subject (R4): what for, their identity or a clarification.
    pub waiting_for: Option<WaitKind>,
    /// While it waits on them: what they are asked, as the notice told them.
    pub question: Option<String>,
    /// Each state it entered, with when, oldest first.
    pub history: Vec<StateChange>,
    /// Until when the person may download the copy, while they may (E3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_until: Option<DateTime<Utc>>,
}

/// The bytes of a tracking token: 160 random bits.
const TOKEN_BYTES: usize = 20;

/// A new tracking token, as shown once to the subject, and the SHA-256 kept in its place.
pub fn new_token() -> Result<(String, [u8; 32])> {
    let token = hex(&random::<TOKEN_BYTES>()?);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The SHA-256 under which a token is kept.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two hashes in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal("no randomness available", e))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_kept_hashed() {
        let (a, hash_a) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_eq!(a.len(), 40, "160 bits in hex");
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), hash_a);
        assert!(constant_time_eq(&hash_a, &token_hash(&a)));
        assert!(!constant_time_eq(&hash_a, &token_hash(&b)));
        assert!(!constant_time_eq(&hash_a, &hash_a[..31]));
    }

    #[test]
    fn request_ids_are_checked() {
        let id = RequestId::generate().unwrap();
        assert_eq!(RequestId::new(id.as_str()).unwrap(), id);
        assert!(RequestId::new("42").is_err());
        assert!(RequestId::new("ABCDEFABCDEFABCDEFABCDEF").is_err());
    }
}
