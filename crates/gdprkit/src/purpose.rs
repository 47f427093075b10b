//! Purposes of processing and their legal basis (rule C7).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::PurposeId;
use crate::named_enum::named_enum;

/// The longest purpose label accepted, in bytes.
pub const MAX_LABEL_BYTES: usize = 200;

named_enum!(
    /// The six legal bases of Art. 6(1) GDPR.
    LegalBasis, "legal_basis", {
        /// Art. 6(1)(a): the subject's consent.
        Consent => "consent",
        /// Art. 6(1)(b): a contract with the subject.
        Contract => "contract",
        /// Art. 6(1)(c): a legal obligation of the controller.
        LegalObligation => "legal_obligation",
        /// Art. 6(1)(d): the vital interests of a person.
        VitalInterests => "vital_interests",
        /// Art. 6(1)(e): a task in the public interest.
        PublicTask => "public_task",
        /// Art. 6(1)(f): the controller's legitimate interests.
        LegitimateInterests => "legitimate_interests",
    }
);

/// A purpose of processing, registered once per tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// The purpose's id.
    pub id: PurposeId,
    /// A human-readable label.
    pub label: String,
    /// The legal basis of Art. 6(1) the processing rests on.
    pub legal_basis: LegalBasis,
    /// Whether the purpose is direct marketing, which an objection always stops (rule C5).
    pub direct_marketing: bool,
    /// Whether its messages relate to the recipient's profession, which lets professional
    /// contacts be written to electronically until they object (rule C4, CNIL's B2B rule). True
    /// unless declared otherwise.
    #[serde(default = "professional_by_default")]
    pub professional: bool,
}

fn professional_by_default() -> bool {
    true
}

impl Purpose {
    /// A purpose whose label is its id, taken as relating to the recipient's profession.
    pub fn new(id: PurposeId, legal_basis: LegalBasis, direct_marketing: bool) -> Self {
        let label = id.as_str().to_owned();
        Self { id, label, legal_basis, direct_marketing, professional: true }
    }

    /// The same purpose, declared as relating to the recipient's profession or not.
    pub fn professional(self, professional: bool) -> Self {
        Self { professional, ..self }
    }

    /// Whether the subject may object to it on grounds relating to their particular situation
    /// (Art. 21(1), rule R11): processing on a public task or legitimate interests that is not
    /// direct marketing (which Art. 21(2) covers instead).
    pub fn objectable_on_situation(&self) -> bool {
        !self.direct_marketing && matches!(self.legal_basis, LegalBasis::PublicTask | LegalBasis::LegitimateInterests)
    }

    /// Checks the label. The facade calls this; callers may call it first.
    pub fn validate(&self) -> Result<()> {
        crate::text::check_text("label", &self.label, MAX_LABEL_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_legal_basis_round_trips_through_its_name() {
        for &b in LegalBasis::ALL {
            assert_eq!(b.as_str().parse::<LegalBasis>().unwrap(), b);
        }
        assert!("marketing".parse::<LegalBasis>().is_err());
    }
}
