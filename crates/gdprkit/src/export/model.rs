//! The export model (rule E1): everything held on one person, in one structure that every format
//! is written from. Its JSON form is the portability format (rule E2), versioned and documented
//! in `docs/export-schema.md` with a JSON Schema beside it; field names are stable, instants are
//! RFC 3339 in UTC and dates are `YYYY-MM-DD`.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::anonymize::operators::Value;

/// The value of `format` in every export.
pub const FORMAT: &str = "gdprkit-export";
/// The version of the export schema this gdprkit writes and reads.
///
/// Version 3 lists only the processing that applies to the person, with automated
/// decision-making and transfers. Version 4 adds the labels the data map gives, which columns
/// are technical, and the controller's address and DPO. Version 5 adds where the person's data
/// came from and the information notices given to them (Arts. 13 and 14). Versions 1 to 4 still
/// read.
pub const VERSION: u32 = 5;

/// Everything held on one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// Always [`FORMAT`].
    pub format: String,
    /// The schema version, [`VERSION`].
    pub version: u32,
    /// When the export was made.
    pub generated_at: DateTime<Utc>,
    /// The language of the readable forms: `fr` or `en`.
    pub language: String,
    /// The controller's time zone (an IANA name), in which the readable forms write instants.
    /// Since version 4.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Who holds the data, and where to complain.
    pub controller: ControllerInfo,
    /// The person.
    pub subject: SubjectInfo,
    /// The CRM's data on the person, grouped by category (identity, billing, …).
    pub categories: Vec<Category>,
    /// The CRM events linked to the person (calls, e-mails, meetings, orders), oldest first.
    pub events: Vec<CrmEvent>,
    /// Every consent event, oldest first (rule C2: both dates).
    pub consents: Vec<ConsentRecord>,
    /// Every request the person made, oldest first.
    pub requests: Vec<RequestRecord>,
    /// For each purpose the data are processed for: its legal basis, categories, recipients,
    /// retention and source.
    pub processing: Vec<ProcessingRecord>,
    /// To whom the person's data were disclosed, and when.
    pub disclosures: Vec<DisclosureRecord>,
    /// The person's rights, each with its article.
    pub rights: Vec<Right>,
    /// What each entity of the data map and its columns are called in the export's language,
    /// and which columns are technical (left out of the PDF). Since version 4.
    #[serde(default)]
    pub entities: Vec<EntityInfo>,
    /// Every consent event again, as a consent record in the ISO/IEC TS 27560 structure, JSON-LD
    /// with W3C DPV terms (`docs/consent-records.md`). Since version 4.
    #[serde(default)]
    pub consent_records: Vec<super::consent_records::ConsentRecordLd>,
    /// Where the person's data came from, and the information notices given to them (Arts. 13
    /// and 14). Since version 5.
    #[serde(default)]
    pub information: InformationRecord,
}

/// Where the person's data came from and what they were told (rules I2 to I4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationRecord {
    /// The source (`collected`, `trade_fair`, …), if recorded.
    pub source: Option<String>,
    /// The source's free reference.
    pub reference: Option<String>,
    /// When the data was obtained.
    pub obtained_at: Option<DateTime<Utc>>,
    /// Every notice given, oldest first.
    pub notices: Vec<GivenNoticeRecord>,
    /// The exemption recorded (Art. 14(5)), if any.
    pub exemption: Option<ExemptionRecord>,
}

/// A notice given to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenNoticeRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// How: `email`, `post`, `at_collection`, `with_message`.
    pub via: String,
    /// The notice's version.
    pub notice_version: String,
    /// The SHA-256 of its text.
    pub notice_sha256: String,
}

/// An exemption from giving the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExemptionRecord {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Its ground of Art. 14(5).
    pub ground: String,
    /// Why.
    pub reason: Option<String>,
    /// Where the information is made public, for a disproportionate effort.
    pub public_notice: Option<String>,
}

/// An entity as the person reads it: its label and its columns'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityInfo {
    /// The entity's name in the data map.
    pub entity: String,
    /// Its label in the export's language, if the map gives one.
    pub label: Option<String>,
    /// The columns of its rows, in the table's order.
    pub columns: Vec<ColumnInfo>,
}

/// A column as the person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The column's name in the CRM's table.
    pub column: String,
    /// Its label in the export's language, if the map gives one.
    pub label: Option<String>,
    /// Whether it is technical (a key, a row id, the subject column): kept in the JSON, left out
    /// of the PDF.
    pub technical: bool,
    /// For an amount, its currency (ISO 4217), as the data map declares it.
    #[serde(default)]
    pub currency: Option<String>,
    /// Whether it holds a yes or no, which the readable forms write as such. Since version 5.
    #[serde(default)]
    pub boolean: bool,
}

/// The controller, as the export names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerInfo {
    /// The controller's name.
    pub name: String,
    /// The supervisory authority the person may complain to (Art. 77), with how to reach it.
    pub authority: String,
    /// The controller's postal address. Since version 4.
    #[serde(default)]
    pub address: Option<String>,
    /// How to reach its data protection officer. Since version 4.
    #[serde(default)]
    pub dpo: Option<String>,
}

/// The person, as gdprkit knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectInfo {
    /// The CRM's id for them.
    pub id: String,
    /// Their contact regime: `b2b_opt_out`, `b2c_opt_in` or `soft_opt_in`.
    pub regime: String,
    /// Their e-mail address, where known.
    pub email: Option<String>,
    /// The language they are written to in, where known.
    pub language: Option<String>,
    /// When gdprkit registered them.
    pub registered_at: DateTime<Utc>,
}

/// The data of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// The category, as the data map names it.
    pub name: String,
    /// Its label in the export's language, if the map gives one. Since version 4.
    #[serde(default)]
    pub label: Option<String>,
    /// Its entities and their rows.
    pub entities: Vec<EntityRecords>,
}

/// The person's rows in one entity of the data map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRecords {
    /// The entity's name in the data map.
    pub entity: String,
    /// Its rows, each with every column of the table.
    pub records: Vec<Record>,
}

/// One CRM event linked to the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmEvent {
    /// The entity it comes from (`calls`, `orders`, …).
    pub entity: String,
    /// The entity's category.
    pub category: String,
    /// When it happened, as the CRM stores it.
    pub at: Option<String>,
    /// The row, with every column.
    pub record: Record,
}

/// One consent event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Its number in the ledger.
    pub seq: u64,
    /// What happened: `opt_in`, `opt_out`, `withdraw`, `object`, …
    pub action: String,
    /// The purpose, or `null` for an objection to all direct marketing.
    pub purpose: Option<String>,
    /// The channel, or `null` for every channel.
    pub channel: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Where it came from (`web_form`, `phone`, …).
    pub source: Option<String>,
    /// Who collected it.
    pub collected_by: Option<String>,
    /// The version of the consent wording shown.
    pub notice_version: Option<String>,
    /// The SHA-256 of that wording.
    pub notice_sha256: Option<String>,
    /// The IP address recorded with it.
    pub ip: Option<String>,
    /// The user agent recorded with it.
    pub user_agent: Option<String>,
    /// The reference of a third party's proof.
    pub proof_ref: Option<String>,
}

/// One request of the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Its id.
    pub id: String,
    /// The right it exercised: `access`, `erasure`, …
    pub kind: String,
    /// How it came: `email`, `phone`, `post`, …
    pub received_via: String,
    /// When it reached the controller.
    pub received_at: DateTime<Utc>,
    /// Where it stands: `received`, `accepted`, `completed`, …
    pub state: String,
    /// Its due date.
    pub due: NaiveDate,
    /// Whether the deadline was extended.
    pub extended: bool,
    /// The refusal code, if refused.
    pub refusal: Option<String>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The notes written to the person about it.
    pub notes: Vec<Note>,
}

/// A note written to the person about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub text: String,
}

/// What the controller does with the data for one purpose (Art. 13–15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingRecord {
    /// The purpose's id.
    pub purpose: String,
    /// Its label.
    pub label: String,
    /// Its legal basis: `consent`, `contract`, `legitimate_interests`, …
    pub legal_basis: String,
    /// Whether it is direct marketing (which the person may object to at any time).
    pub direct_marketing: bool,
    /// The categories of data it uses.
    pub categories: Vec<String>,
    /// Who receives the data, by name.
    pub recipients: Vec<String>,
    /// How long the data are kept.
    pub retention: Option<String>,
    /// Where the data come from, when not from the person.
    pub source: Option<String>,
    /// Automated decision-making or profiling, with its logic (Art. 15(1)(h)); `None` when there
    /// is none. Since version 3.
    #[serde(default)]
    pub automated_decision: Option<String>,
    /// Transfers outside the EEA, per recipient, with their safeguard (Art. 15(2)). Since
    /// version 3.
    #[serde(default)]
    pub transfers: Vec<crate::anonymize::processing::Transfer>,
    /// The legitimate interest pursued, where that is the basis (Art. 13(1)(d)). Since version 4.
    #[serde(default)]
    pub legitimate_interest: Option<String>,
    /// Whether providing the data is required, and what follows if not (Art. 13(2)(e)). Since
    /// version 4.
    #[serde(default)]
    pub requirement: Option<String>,
}

/// One disclosure of the person's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// Who received the data, by name.
    pub recipient: String,
    /// When.
    pub disclosed_at: DateTime<Utc>,
}

/// One of the person's rights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Right {
    /// Its name: `access`, `rectification`, `erasure`, `restriction`, `portability`,
    /// `objection`, `withdraw_consent`, `complaint`.
    pub right: String,
    /// The article of the GDPR that grants it.
    pub article: String,
}

impl Right {
    /// Every right an export lists.
    pub fn all() -> Vec<Right> {
        [
            ("access", "15"),
            ("rectification", "16"),
            ("erasure", "17"),
            ("restriction", "18"),
            ("portability", "20"),
            ("objection", "21"),
            ("withdraw_consent", "7(3)"),
            ("complaint", "77"),
        ]
        .into_iter()
        .map(|(right, article)| Right { right: right.into(), article: article.into() })
        .collect()
    }
}

/// One row of a CRM table: each column and its value, in the table's order. In JSON, an object
/// whose keys keep that order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record(pub Vec<(String, Value)>);

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (column, value) in &self.0 {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Columns;
        impl<'de> Visitor<'de> for Columns {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of columns")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut columns = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    columns.push(entry);
                }
                Ok(Record(columns))
            }
        }
        d.deserialize_map(Columns)
    }
}
