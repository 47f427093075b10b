//! Data subjects: the people a CRM holds data on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::SubjectId;

crate::named_enum::named_enum!(
    /// Who a subject is to the controller, which the default rules for direct marketing look at
    /// when no opt-in, opt-out or objection applies (rule C4, [`crate::rules`]).
    Regime, "regime", {
        /// A professional contact (CNIL's B2B rule): marketing about their profession is allowed
        /// until they opt out or object.
        B2bOptOut => "b2b_opt_out",
        /// A consumer (CPCE L.34-5): electronic marketing needs an opt-in.
        B2cOptIn => "b2c_opt_in",
        /// An existing customer, for products like those bought (CPCE L.34-5 al. 2): allowed once
        /// offered the chance to refuse (a `soft_opt_in_offered` event), until they opt out.
        SoftOptIn => "soft_opt_in",
    }
);

crate::named_enum::named_enum!(
    /// The language a subject is written to in: its ISO 639-1 code.
    Language, "language", {
        /// French.
        Fr => "fr",
        /// English.
        En => "en",
    }
);

/// What is needed to register a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// The CRM's id for the subject.
    pub id: SubjectId,
    /// The default rule for contact.
    pub regime: Regime,
    /// The subject's e-mail address, where known.
    #[serde(default)]
    pub email: Option<String>,
    /// The language to write to the subject in, where known.
    #[serde(default)]
    pub language: Option<Language>,
    /// The subject's phone number, where known: with its `+` country code, or in the tenant's
    /// country ([`crate::GdprBuilder::phone_country`]). Kept in E.164.
    #[serde(default)]
    pub phone: Option<String>,
    /// Where the subject's data came from and when (rule I2), where known: for data from
    /// another source, the person must be told within a month
    /// ([`crate::Gdpr::information_status`]).
    #[serde(default)]
    pub origin: Option<crate::information::Origin>,
}

impl NewSubject {
    /// A subject with a regime and nothing else.
    pub fn new(id: SubjectId, regime: Regime) -> Self {
        Self { id, regime, email: None, language: None, phone: None, origin: None }
    }

    /// Checks the e-mail address and the phone number, reading a number without its country
    /// code in `country`, and returns the number in E.164. The facade calls this; callers may
    /// call it first.
    pub fn validate(&self, country: crate::phone::PhoneCountry) -> Result<Option<String>> {
        if let Some(email) = &self.email {
            crate::text::check_email(email)?;
        }
        self.phone.as_deref().map(|p| country.normalize(p)).transpose()
    }
}

/// A registered subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The CRM's id for the subject.
    pub id: SubjectId,
    /// The default rule for contact.
    pub regime: Regime,
    /// The subject's e-mail address, where known.
    pub email: Option<String>,
    /// The language to write to the subject in, where known.
    pub language: Option<Language>,
    /// The subject's phone number in E.164, where known.
    #[serde(default)]
    pub phone: Option<String>,
    /// When the subject was registered.
    pub registered_at: DateTime<Utc>,
}
