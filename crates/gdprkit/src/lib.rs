//! gdprkit: the GDPR machinery a CRM embeds.
//!
//! - a consent ledger: every opt-in, opt-out, withdrawal and objection per subject, purpose and
//!   channel, with both its dates and its proof, hash-chained per tenant so that tampering shows,
//!   and decisions on whether a subject may be contacted, one at a time or for a whole campaign;
//! - storage behind the [`Store`] trait: [`MemoryStore`] here, SQLite in `gdprkit-sqlite`;
//! - one facade, [`Gdpr`], that wires a store, a clock and a tenant.
//!
//! The legal rules encoded here are listed in the project's `domain.md`; each module names the
//! rules it implements.

pub mod anonymize;
mod builder;
mod config;
pub mod consent;
pub mod crm;
pub mod decision;
pub mod error;
pub mod export;
pub mod facade;
pub mod ids;
pub mod ledger;
pub mod mailer;
pub mod memory;
pub mod purpose;
pub mod request;
pub mod store;
pub mod subject;
mod text;
pub mod time;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use anonymize::map::DataMap;
pub use builder::{GdprBuilder, HmacKey};
pub use config::{Config, ControllerConfig, MapSource, SecretSource, SmtpSettings};
pub use consent::{Collector, ConsentAction, ConsentEvent, NewConsent, Proof, Source};
pub use crm::CrmData;
pub use decision::{DecidedBy, Decision, EventRef, Scope, SubjectFacts};
pub use error::{Error, ErrorKind, Result};
pub use facade::Gdpr;
pub use ids::{Channel, PurposeId, SubjectId, TenantId};
pub use ledger::{Verification, sha256_hex};
pub use memory::MemoryStore;
pub use purpose::{LegalBasis, Purpose};
pub use store::Store;
pub use subject::{Language, NewSubject, Regime, Subject};
pub use time::{Clock, FixedClock, SystemClock};
