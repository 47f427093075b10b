//! gdprkit: the GDPR machinery a CRM embeds.
//!
//! One facade, [`Gdpr`], wired once by [`Gdpr::builder`] (or opened from a [`Config`] by
//! `gdprkit-setup`), does everything:
//!
//! - the consent ledger: every opt-in, opt-out, withdrawal and objection per subject, purpose and
//!   channel, with both its dates and its proof, hash-chained per tenant so that tampering shows
//!   while erasure stays possible; and decisions on whether a subject may be contacted, one at a
//!   time or for a whole campaign;
//! - requests from the people the CRM holds data on (access, rectification, erasure, restriction,
//!   portability, objection, anonymization): their life, legal deadlines, notices, tracking by
//!   the person and the recipients to tell;
//! - erasure and anonymization of a person's data in the CRM's own tables, as a declared
//!   [`DataMap`] says, through the [`CrmData`] seam, all or nothing; and retention sweeps;
//! - the export of everything held on a person, as JSON for portability and as a PDF through a
//!   [`Renderer`], delivered through a [`Mailer`].
//!
//! The core does no I/O: the store ([`MemoryStore`] here, SQLite and PostgreSQL in their own
//! crates), the CRM's tables, the mailer, the renderer and the clock come in through traits.
//! Every input and output of [`Gdpr`] is a serde type, and every [`Error`] has a stable
//! [`ErrorKind`], so the Python and Node packages convert rather than re-implement. What only a
//! store or adapter author needs is under [`raw`].
//!
//! The legal rules encoded here are listed in `docs/rules.md`; each module names the rules it
//! implements, by their article.

pub mod anonymize;
pub mod applies;
mod builder;
mod campaign;
pub mod changes;
pub mod channel;
pub mod checkpoint;
mod config;
pub mod consent;
pub mod crm;
pub mod decision;
mod derived;
pub mod error;
pub mod export;
pub mod facade;
pub mod ids;
pub mod information;
pub mod journal;
pub mod json_api;
pub mod mailer;
pub mod memory;
mod named_enum;
pub mod outbox;
pub mod phone;
pub mod preferences;
pub mod purpose;
pub mod raw;
pub mod request;
pub mod rules;
pub mod sample;
pub mod settings;
pub mod subject;
pub mod suppression;
mod text;
pub mod time;
pub mod unsubscribe;
mod verify;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use anonymize::map::DataMap;
pub use anonymize::operators::{Operator, Value};
pub use anonymize::plan::{EntityAction, FieldChange, Outcome, Plan};
pub use anonymize::service::{ErasureReport, ExecutedRequest, MapCheck};
pub use anonymize::sweep::{SweepOptions, SweepProgress, SweepReport, SweptEntity};
pub use applies::{AppliedPurpose, Applies};
pub use builder::{GdprBuilder, HmacKey};
pub use campaign::{CampaignReport, MAX_PAGE as MAX_CAMPAIGN_PAGE};
pub use changes::{Change, ChangeKind, ChangePage};
pub use channel::{ChannelKind, DeclaredChannel};
pub use checkpoint::Checkpoint;
pub use config::{Config, ControllerConfig, MapSource, PdfStandard, SecretSource, SmtpSettings};
pub use consent::{Collector, ConsentAction, ConsentEvent, NewConsent, Proof, Source};
pub use crm::CrmData;
pub use decision::{DecidedBy, Decision};
pub use error::{Error, ErrorKind, Result};
pub use export::deliver::{CompletedWithExport, SentMessage};
pub use export::model::Export;
pub use export::render::Renderer;
pub use facade::Gdpr;
pub use ids::{Channel, PurposeId, SubjectId, TenantId};
pub use journal::{ErasureJournal, JournalEntry, JournalKind, ReapplyReport};
pub use mailer::{Attachment, Mailer, MemoryMailer, Message};
pub use memory::MemoryStore;
pub use outbox::{DeliveryReport, MessageKind, OutboxFilter, OutboxItem, OutboxState};
pub use phone::PhoneCountry;
pub use preferences::{
    PREFERENCE_CHANNELS, Preference, PreferenceChange, PreferenceEvent, Preferences, WORDING_VERSION,
};
pub use purpose::{LegalBasis, Purpose};
pub use raw::ledger::{Verification, sha256_hex};
pub use request::by_subject::{SUBJECT_ACTOR, SubjectStep};
pub use request::calendar::{France, FranceAlsaceMoselle, HolidayCalendar, NoHolidays};
pub use request::calendar_file::ListedHolidays;
pub use request::deadline::{ControllerZone, Deadlines};
pub use request::download::{CopyFormat, DEFAULT_DOWNLOAD_DAYS, DownloadedCopy, MAX_DOWNLOAD_DAYS};
pub use request::kind::{ReceivedVia, RequestKind};
pub use request::machine::{RequestAction, RequestState};
pub use request::notice::{Controller, NoticeKind, NoticeText};
pub use request::objection::{ObjectionScope, PendingObjection};
pub use request::recipients::{Disclosure, RecipientTask, SkipReason, TaskOutcome, TaskStatus};
pub use request::record::{ExtensionGround, PublicView, RefusalCode, Request, RequestId, StateChange, WaitKind};
pub use request::service::{Delivery, NewRequest, Notice, OpenedRequest, Step, StepOutcome};
pub use request::submission::{
    MAX_MESSAGE_BYTES, NewSubmission, PendingSubmission, SUBMISSION_HOURS, Submission, Submitted,
};
pub use rules::RuleId;
pub use settings::{CalendarSetting, SettingsView, TenantSettings};
pub use subject::{Language, NewSubject, Regime, Subject};
pub use suppression::{IdentifierKind, SuppressionEntry, SuppressionGroup};
pub use time::{Clock, FixedClock, SystemClock};
pub use unsubscribe::Unsubscribed;
