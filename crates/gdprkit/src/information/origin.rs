//! Where a subject's data came from (rule I2), how a notice was given (I4), and the grounds on
//! which it need not be (I3): the inputs of the right to information.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::check_text;

/// The longest free reference of a source (`Salon VivaTech 2026, stand B12`), in bytes.
pub const MAX_REFERENCE_BYTES: usize = 256;

crate::named_enum::named_enum!(
    /// Where a subject's data came from. Only `collected` is from the person (Art. 13); every
    /// other source is another (Art. 14), and the person must be told within a month (rule I2).
    DataSource, "source", {
        /// From the person, at collection (a form, a call, a meeting): Art. 13.
        Collected => "collected",
        /// A list bought or rented from a broker.
        PurchasedList => "purchased_list",
        /// Met, or scanned, at a trade fair.
        TradeFair => "trade_fair",
        /// A public directory or register.
        PublicDirectory => "public_directory",
        /// A partner that passed the data on.
        Partner => "partner",
        /// Any other source.
        Other => "other",
    }
);

impl DataSource {
    /// Whether the data came from someone other than the person (Art. 14).
    pub fn is_other_source(self) -> bool {
        self != DataSource::Collected
    }

    /// The source in words, in English or French: "a trade fair", "un salon professionnel".
    pub fn words(self, english: bool) -> &'static str {
        match (self, english) {
            (DataSource::Collected, true) => "yourself",
            (DataSource::Collected, false) => "vous-même",
            (DataSource::PurchasedList, true) => "a list we acquired",
            (DataSource::PurchasedList, false) => "une liste que nous avons acquise",
            (DataSource::TradeFair, true) => "a trade fair",
            (DataSource::TradeFair, false) => "un salon professionnel",
            (DataSource::PublicDirectory, true) => "a public directory",
            (DataSource::PublicDirectory, false) => "un annuaire public",
            (DataSource::Partner, true) => "a partner",
            (DataSource::Partner, false) => "un partenaire",
            (DataSource::Other, true) => "another source",
            (DataSource::Other, false) => "une autre source",
        }
    }
}

impl InformedVia {
    /// How a notice was given, in words: "by e-mail", "par courrier électronique".
    pub fn words(self, english: bool) -> &'static str {
        match (self, english) {
            (InformedVia::Email, true) => "by e-mail",
            (InformedVia::Email, false) => "par courrier électronique",
            (InformedVia::Post, true) => "by post",
            (InformedVia::Post, false) => "par courrier postal",
            (InformedVia::AtCollection, true) => "when we collected your data",
            (InformedVia::AtCollection, false) => "lors de la collecte de vos données",
            (InformedVia::WithMessage, true) => "with our first message",
            (InformedVia::WithMessage, false) => "avec notre premier message",
        }
    }
}

/// Where a subject's data came from and when, recorded with the subject (rule I2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The source.
    pub source: DataSource,
    /// A free reference to it: the list's name, the fair, the partner.
    #[serde(default)]
    pub reference: Option<String>,
    /// When the data was obtained; the subject's registration when `None`. The month to inform
    /// the person in runs from here (Art. 14(3)(a)).
    #[serde(default)]
    pub obtained_at: Option<DateTime<Utc>>,
    /// For data collected from the person, the notice they were given at collection (Art. 13),
    /// recorded with the subject as an `informed` event rather than as a second step.
    #[serde(default)]
    pub notice: Option<GivenNotice>,
}

impl Origin {
    /// An origin with its source and nothing else.
    pub fn new(source: DataSource) -> Self {
        Self { source, reference: None, obtained_at: None, notice: None }
    }

    /// Checks the reference and the instant, which must not be after `now`; a notice given at
    /// collection belongs to collected data only.
    pub(crate) fn check(&self, now: DateTime<Utc>) -> Result<()> {
        if let Some(r) = &self.reference {
            check_text("reference", r, MAX_REFERENCE_BYTES)?;
        }
        if let Some(at) = self.obtained_at {
            crate::time::check_past("obtained_at", at, now)?;
        }
        if let Some(n) = &self.notice {
            if self.source.is_other_source() {
                return Err(Error::invalid(
                    "notice",
                    format!(
                        "data from a {} were not collected from the person, so no notice was given at \
                         collection; record it with inform once given",
                        self.source
                    ),
                ));
            }
            n.check()?;
        }
        Ok(())
    }
}

/// A notice given: its version and the SHA-256 of its text, as
/// [`crate::information::InformationNotice`] has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenNotice {
    /// The notice's version.
    pub version: String,
    /// The SHA-256 of its text, 64 hex digits.
    pub sha256: String,
}

impl GivenNotice {
    /// Checks the version and that the SHA-256 is 64 hex digits.
    pub(crate) fn check(&self) -> Result<()> {
        check_text("notice.version", &self.version, 64)?;
        if self.sha256.len() != 64 || !self.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid("notice.sha256", "must be 64 hex digits"));
        }
        Ok(())
    }
}

crate::named_enum::named_enum!(
    /// How a notice reached the person (rule I4).
    InformedVia, "via", {
        /// Mailed by gdprkit, through the outbox.
        Email => "email",
        /// Printed and posted.
        Post => "post",
        /// Given when the data was collected from the person (Art. 13).
        AtCollection => "at_collection",
        /// Carried by a message the CRM sent to the person (Art. 14(3)(b)).
        WithMessage => "with_message",
    }
);

crate::named_enum::named_enum!(
    /// Why a person from another source need not be given the notice (Art. 14(5), rule I3).
    ExemptionGround, "ground", {
        /// The person already has the information (Art. 14(5)(a)): the reason says how.
        AlreadyInformed => "already_informed",
        /// Impossible, or a disproportionate effort (Art. 14(5)(b)): the reason says why, and the
        /// information is made public at the address given.
        DisproportionateEffort => "disproportionate_effort",
        /// Obtaining or disclosure is laid down by law (Art. 14(5)(c)): the reason names it.
        RequiredByLaw => "required_by_law",
        /// The data must stay confidential under professional secrecy (Art. 14(5)(d)).
        ProfessionalSecrecy => "professional_secrecy",
    }
);

/// An exemption to record (rule I3): its ground, why, and for a disproportionate effort where
/// the information is made public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExemption {
    /// The ground.
    pub ground: ExemptionGround,
    /// Why it applies: how the person already knows, why informing them is disproportionate,
    /// which law, which secrecy.
    pub reason: String,
    /// Where the information is made public (Art. 14(5)(b)): required for a disproportionate
    /// effort, an `https://` address.
    #[serde(default)]
    pub public_notice: Option<String>,
}

impl NewExemption {
    /// Checks that the ground has what it needs: a reason always, and a public notice's address
    /// for a disproportionate effort.
    pub(crate) fn check(&self) -> Result<()> {
        check_text("reason", &self.reason, crate::request::service::MAX_REASON_BYTES)?;
        match (&self.public_notice, self.ground) {
            (None, ExemptionGround::DisproportionateEffort) => Err(Error::invalid(
                "public_notice",
                "a disproportionate effort exempts only where the information is made public (Art. 14(5)(b)): \
                 give the public notice's address",
            )),
            (Some(url), _) => {
                check_text("public_notice", url, 2048)?;
                if !url.starts_with("https://") || url.contains(char::is_whitespace) {
                    return Err(Error::invalid("public_notice", "must be an https:// address"));
                }
                Ok(())
            }
            (None, _) => Ok(()),
        }
    }
}
