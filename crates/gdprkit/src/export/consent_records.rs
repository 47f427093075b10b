//! A subject's consent events as consent records in the structure of ISO/IEC TS 27560 (consent
//! record information structure), serialized as JSON-LD with the W3C Data Privacy Vocabulary
//! (DPV) and its GDPR extension, as DPV's guide to 27560 does. What DPV has no term for (the
//! ledger entry, the notice's version and SHA-256, the channel, who collected it, an objection)
//! is in gdprkit's own namespace. `docs/consent-records.md` maps every key to the standard's
//! element and to its vocabulary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::ConsentRecord;

/// The profile of DPV's 27560 schema a record conforms to: a record under the GDPR.
pub const CONFORMS_TO: &str = "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr";
/// gdprkit's namespace, for what DPV has no term for.
pub const GDPRKIT_NS: &str = "https://gdprkit.invalid/ns/consent#";
/// The version of this record structure.
pub const RECORD_VERSION: u32 = 1;

/// The prefixes a record's keys and values use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// `https://w3id.org/dpv#`
    pub dpv: String,
    /// `https://w3id.org/dpv/legal/eu/gdpr#`
    #[serde(rename = "eu-gdpr")]
    pub eu_gdpr: String,
    /// `https://w3id.org/dpv/legal/eu#`
    #[serde(rename = "legal-eu")]
    pub legal_eu: String,
    /// `http://purl.org/dc/terms/`
    pub dct: String,
    /// [`GDPRKIT_NS`]
    pub gdprkit: String,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            dpv: "https://w3id.org/dpv#".into(),
            eu_gdpr: "https://w3id.org/dpv/legal/eu/gdpr#".into(),
            legal_eu: "https://w3id.org/dpv/legal/eu#".into(),
            dct: "http://purl.org/dc/terms/".into(),
            gdprkit: GDPRKIT_NS.into(),
        }
    }
}

/// One consent event as a consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecordLd {
    /// The prefixes.
    #[serde(rename = "@context")]
    pub context: Context,
    /// The record's IRI: `urn:gdprkit:consent:TENANT:SEQ`.
    #[serde(rename = "@id")]
    pub id: String,
    /// Always `dpv:ConsentRecord`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// The record's identifier: `TENANT/SEQ` (27560: record identifier).
    #[serde(rename = "dct:identifier")]
    pub identifier: String,
    /// [`CONFORMS_TO`] (27560: schema version).
    #[serde(rename = "dct:conformsTo")]
    pub conforms_to: String,
    /// [`RECORD_VERSION`]: the version of this record structure.
    #[serde(rename = "gdprkit:recordVersion")]
    pub record_version: u32,
    /// When the event was recorded.
    #[serde(rename = "dct:created")]
    pub created: DateTime<Utc>,
    /// The ledger entry that proves it (its number in the tenant's chain).
    #[serde(rename = "gdprkit:ledgerEntry")]
    pub ledger_entry: u64,
    /// The controller (27560: PII controller).
    #[serde(rename = "dpv:hasDataController")]
    pub controller: Controller,
    /// The person (27560: PII principal).
    #[serde(rename = "dpv:hasDataSubject")]
    pub subject: Subject,
    /// Always `legal-eu:law-GDPR`.
    #[serde(rename = "dpv:hasApplicableLaw")]
    pub law: String,
    /// What the consent is about: the purpose, its legal basis, the channel.
    #[serde(rename = "dpv:hasProcess")]
    pub process: Process,
    /// The notice shown, where the event records one.
    #[serde(rename = "dpv:hasNotice", default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// What the event made of the consent, when and how (27560: event, state).
    #[serde(rename = "dpv:hasConsentStatus")]
    pub status: Status,
}

/// The controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// Always `dpv:DataController`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// Its name.
    #[serde(rename = "dpv:hasName")]
    pub name: String,
}

/// The person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Always `dpv:DataSubject`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// The id the CRM knows them by.
    #[serde(rename = "dct:identifier")]
    pub identifier: String,
}

/// The processing the consent is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// Always `dpv:Process`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// The purpose.
    #[serde(rename = "dpv:hasPurpose")]
    pub purpose: Purpose,
    /// The purpose's legal basis, an Art. 6(1) term of DPV's GDPR extension (`eu-gdpr:A6-1-a`
    /// for consent); absent for an objection to all direct marketing.
    #[serde(rename = "dpv:hasLegalBasis", default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// The channel (`email`, `sms`, …); absent for every channel.
    #[serde(rename = "gdprkit:channel", default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// A purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// Always `dpv:Purpose`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// The purpose's id, or `gdprkit:AllDirectMarketing` for an objection to all of it.
    #[serde(rename = "dct:identifier")]
    pub identifier: String,
    /// Its label, where registered.
    #[serde(rename = "dct:title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The consent notice shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Always `dpv:ConsentNotice`.
    #[serde(rename = "@type")]
    pub kind: String,
    /// Its version, as the CRM names it.
    #[serde(rename = "gdprkit:noticeVersion", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The SHA-256 of its text, in hex (rule C3).
    #[serde(rename = "gdprkit:noticeSha256", default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// What the event made of the consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `dpv:ConsentGiven`, `dpv:ConsentWithdrawn`, `dpv:ConsentRefused`, `dpv:ConsentRequested`,
    /// or `gdprkit:Objected` and `gdprkit:OptOutOffered`, for which DPV has no consent status.
    #[serde(rename = "@type")]
    pub kind: String,
    /// When it happened.
    #[serde(rename = "dpv:isIndicatedAtTime")]
    pub at: DateTime<Utc>,
    /// `dpv:DataSubject` when the person expressed it themselves.
    #[serde(rename = "dpv:isIndicatedBy", default, skip_serializing_if = "Option::is_none")]
    pub indicated_by: Option<String>,
    /// How it was collected: `web_form`, `phone`, `email`, `paper`, `import`, `api`, …
    #[serde(rename = "dpv:hasIndicationMethod", default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Who collected it: `subject`, or staff with their name.
    #[serde(rename = "gdprkit:collectedBy", default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    /// gdprkit's name for the event (`opt_in`, `withdraw`, …).
    #[serde(rename = "gdprkit:action")]
    pub action: String,
}

/// The consent status a gdprkit action results in.
pub fn status_of(action: &str) -> String {
    match action {
        "opt_in" => "dpv:ConsentGiven".into(),
        "withdraw" => "dpv:ConsentWithdrawn".into(),
        "opt_out" | "inherited_opt_out" => "dpv:ConsentRefused".into(),
        "reconfirm_requested" => "dpv:ConsentRequested".into(),
        "object" | "inherited_object" => "gdprkit:Objected".into(),
        "soft_opt_in_offered" => "gdprkit:OptOutOffered".into(),
        other => format!("gdprkit:{other}"),
    }
}

/// The DPV term of an Art. 6(1) legal basis, by gdprkit's name of it.
pub fn legal_basis_term(basis: &str) -> Option<&'static str> {
    Some(match basis {
        "consent" => "eu-gdpr:A6-1-a",
        "contract" => "eu-gdpr:A6-1-b",
        "legal_obligation" => "eu-gdpr:A6-1-c",
        "vital_interests" => "eu-gdpr:A6-1-d",
        "public_task" => "eu-gdpr:A6-1-e",
        "legitimate_interests" => "eu-gdpr:A6-1-f",
        _ => return None,
    })
}

/// What a record needs beyond the event: who, and what each purpose is.
pub struct RecordContext<'a> {
    /// The tenant, for the records' identifiers.
    pub tenant: &'a str,
    /// The controller's name.
    pub controller: &'a str,
    /// The person's id.
    pub subject: &'a str,
    /// For a purpose id, its label and legal basis (gdprkit's name), where registered.
    pub purpose: &'a dyn Fn(&str) -> Option<(String, String)>,
}

/// The record of one consent event.
pub fn record(event: &ConsentRecord, cx: &RecordContext<'_>) -> ConsentRecordLd {
    let described = event.purpose.as_deref().and_then(|p| (cx.purpose)(p));
    let (title, basis) = match described {
        Some((label, basis)) => (Some(label), legal_basis_term(&basis).map(str::to_owned)),
        None => (None, None),
    };
    let by_subject = event.collected_by.as_deref() == Some("subject");
    ConsentRecordLd {
        context: Context::default(),
        id: format!("urn:gdprkit:consent:{}:{}", cx.tenant, event.seq),
        kind: "dpv:ConsentRecord".into(),
        identifier: format!("{}/{}", cx.tenant, event.seq),
        conforms_to: CONFORMS_TO.into(),
        record_version: RECORD_VERSION,
        created: event.recorded_at,
        ledger_entry: event.seq,
        controller: Controller { kind: "dpv:DataController".into(), name: cx.controller.to_owned() },
        subject: Subject { kind: "dpv:DataSubject".into(), identifier: cx.subject.to_owned() },
        law: "legal-eu:law-GDPR".into(),
        process: Process {
            kind: "dpv:Process".into(),
            purpose: Purpose {
                kind: "dpv:Purpose".into(),
                identifier: event.purpose.clone().unwrap_or_else(|| "gdprkit:AllDirectMarketing".into()),
                title,
            },
            legal_basis: basis,
            channel: event.channel.clone(),
        },
        notice: (event.notice_version.is_some() || event.notice_sha256.is_some()).then(|| Notice {
            kind: "dpv:ConsentNotice".into(),
            version: event.notice_version.clone(),
            sha256: event.notice_sha256.clone(),
        }),
        status: Status {
            kind: status_of(&event.action),
            at: event.occurred_at,
            indicated_by: by_subject.then(|| "dpv:DataSubject".into()),
            method: event.source.clone(),
            collected_by: event.collected_by.clone(),
            action: event.action.clone(),
        },
    }
}
