//! The permanent formats of ledger entries: the JSON body of each kind of entry, and the names
//! under which personal values are committed. The hash of an entry covers its body as written,
//! so a body, once written, is never written again differently: a field is only ever added, as
//! optional, and the order of fields stays. Readers (history, verification, exports) read the
//! same structs back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::anonymize::plan::Outcome;
use crate::channel::ChannelKind;
use crate::consent::Source;
use crate::information::origin::{DataSource, ExemptionGround, InformedVia};
use crate::outbox::MessageKind;
use crate::purpose::LegalBasis;
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::machine::RequestState;
use crate::request::record::{ExtensionGround, RefusalCode};
use crate::subject::{Language, Regime};

/// The names personal values are committed under (section 4 of the rules: a value and its salt
/// sit beside the entry, which commits to `SHA-256(salt ‖ value)`).
pub mod value {
    /// The subject's id, on every entry about a subject.
    pub const SUBJECT: &str = "subject";
    /// A subject's e-mail address, at registration.
    pub const EMAIL: &str = "email";
    /// A subject's phone number, at registration.
    pub const PHONE: &str = "phone";
    /// Who collected a consent, by name (a staff member, a third party).
    pub const COLLECTED_BY: &str = "collected_by";
    /// The IP address an opt-in came from.
    pub const IP: &str = "ip";
    /// The user agent an opt-in came from.
    pub const USER_AGENT: &str = "user_agent";
    /// A third party's proof reference.
    pub const PROOF_REF: &str = "proof_ref";
    /// Who took a step in a request's life.
    pub const ACTOR: &str = "actor";
    /// A note to the subject on a step.
    pub const NOTE: &str = "note";
    /// The reason given with a step: what is asked, why the extension or the refusal.
    pub const REASON: &str = "reason";
    /// A recipient the subject's data went to.
    pub const RECIPIENT: &str = "recipient";
    /// What the person wrote with a request they submitted.
    pub const MESSAGE: &str = "message";
    /// The free reference of where a subject's data came from (rule I2).
    pub const SOURCE_REF: &str = "source_ref";
}

/// A purpose registered (entry kind `purpose`).
#[derive(Serialize, Deserialize)]
pub(crate) struct PurposeBody<'a> {
    pub recorded_at: String,
    pub id: &'a str,
    pub label: &'a str,
    pub legal_basis: LegalBasis,
    pub direct_marketing: bool,
    /// Absent in entries written before it existed, which read as `true`.
    #[serde(default = "yes")]
    pub professional: bool,
}

fn yes() -> bool {
    true
}

/// A custom channel declared (entry kind `channel`).
#[derive(Serialize, Deserialize)]
pub(crate) struct ChannelBody<'a> {
    pub recorded_at: String,
    pub name: &'a str,
    pub channel_kind: ChannelKind,
}

/// A subject registered (entry kind `subject`); its e-mail, and its source's reference, are
/// personal values.
#[derive(Serialize, Deserialize)]
pub(crate) struct SubjectBody {
    pub recorded_at: String,
    pub regime: Regime,
    pub language: Option<Language>,
    /// Where its data came from (rule I2); absent when not said, and in entries written before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DataSource>,
    /// When its data was obtained, with `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<String>,
}

/// What an entry of kind `information` records (rules I2 to I4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InformationAction {
    /// A notice was given.
    Informed,
    /// The subject is exempt, on a ground.
    Exempted,
    /// The CRM communicated with the subject (Art. 14(3)(b)).
    Contacted,
}

/// A notice given, an exemption or a communication (entry kind `information`); an exemption's
/// reason is a personal value.
#[derive(Serialize, Deserialize)]
pub(crate) struct InformationBody {
    pub recorded_at: String,
    pub action: InformationAction,
    /// When it happened.
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<InformedVia>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<ExemptionGround>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_notice: Option<String>,
}

/// A consent event (entry kind `consent`); what decides is in the entry's fact.
#[derive(Serialize, Deserialize)]
pub(crate) struct ConsentBody {
    pub recorded_at: String,
    /// For a denial carried over an erasure: the entry it continues, whose details were erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<u64>,
    pub source: Option<Source>,
    pub collector: Option<String>,
    pub notice_version: Option<String>,
    pub notice_sha256: Option<String>,
}

/// The tenant's settings saved (entry kind `settings`).
#[derive(Serialize)]
pub(crate) struct SettingsBody<'a> {
    pub recorded_at: String,
    pub time_zone: &'a str,
    pub calendar: &'a str,
    /// The SHA-256 of the settings stored, a file calendar's dates included.
    pub sha256: String,
}

/// A request opened, or a step of its life (entry kind `request`).
#[derive(Serialize)]
pub(crate) struct RequestBody<'a> {
    pub recorded_at: String,
    pub request: &'a str,
    pub action: &'a str,
    pub from: Option<RequestState>,
    pub to: RequestState,
    pub kind: RequestKind,
    pub via: ReceivedVia,
    pub due: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ground: Option<ExtensionGround>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<RefusalCode>,
    /// What an objection objects to, on the entry that opens it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objection: Option<&'a crate::request::objection::ObjectionScope>,
    /// What a completion kept (R5), on the entry that completes a request in part.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub kept: &'a [crate::request::record::Kept],
}

/// Recipient tasks created or marked, or a restriction put in place or lifted (entry kind
/// `request`).
#[derive(Serialize)]
pub(crate) struct TaskBody<'a> {
    pub recorded_at: String,
    pub request: &'a str,
    pub action: &'a str,
    pub tasks: usize,
}

/// A request's free text erased with its subject (entry kind `request`, action
/// `details_erased`).
#[derive(Serialize)]
pub(crate) struct DetailsErasedBody<'a> {
    pub recorded_at: String,
    pub request: &'a str,
    pub action: &'static str,
}

/// A disclosure of a subject's data (entry kind `disclosure`); the recipient is a personal value.
#[derive(Serialize)]
pub(crate) struct DisclosureBody {
    pub recorded_at: String,
    pub disclosed_at: String,
}

/// An erasure: what was done to each entity, and to gdprkit's own records (entry kind
/// `erasure`).
#[derive(Serialize)]
pub(crate) struct ErasureBody<'a> {
    pub recorded_at: String,
    pub entities: Vec<ErasedEntity<'a>>,
    pub ledger_entries_erased: u64,
    pub denials_kept: usize,
    /// The entries whose values this erasure removes, which verification checks against.
    pub entries: &'a [u64],
    /// The subject's regime, which the registry keeps and verification checks against.
    pub regime: Regime,
    /// How many entries the suppression list gained (rule C9); absent when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A message queued in the outbox (entry kind `message`). The address, text and attachments are
/// in the outbox only, dropped once delivered; the ledger keeps that it was queued.
#[derive(Serialize)]
pub(crate) struct MessageBody<'a> {
    pub recorded_at: String,
    pub message: MessageKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<&'a str>,
    pub message_id: &'a str,
}

/// What an erasure entry's body is read back as: when it was recorded.
#[derive(Deserialize)]
pub(crate) struct ErasureRecord {
    pub recorded_at: String,
}

/// One entity of an erasure.
#[derive(Serialize)]
pub(crate) struct ErasedEntity<'a> {
    pub entity: &'a str,
    pub action: &'static str,
    pub rows: usize,
    pub outcome: Outcome,
}
