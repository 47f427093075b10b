//! Which of the tenant's purposes apply to one subject (rules R6 and E1): an export tells the
//! person of those processings only, and portability is read from their legal bases.
//!
//! A purpose applies to a subject when
//! - a consent event for it is on record (an opt-in, even one withdrawn since, an opt-out, an
//!   objection to it, an offer to refuse);
//! - the CRM holds data of every category the data map's `[[processing]]` for it uses, unless it
//!   rests on consent (which processes no one's data without it);
//! - or the subject is an existing customer (regime `soft_opt_in`) and the purpose rests on a
//!   contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::consent::{ConsentAction, ConsentEvent};
use crate::error::Result;
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::purpose::{LegalBasis, Purpose};
use crate::subject::{Regime, Subject};

/// Why a purpose applies to a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applies {
    /// The subject opted in to it (first at `at`), even if they withdrew since: the data it
    /// covered were processed on consent.
    Consented {
        /// The first opt-in.
        at: DateTime<Utc>,
    },
    /// Another consent event for it is on record (an opt-out, an objection, an offer to refuse).
    Event {
        /// The first such event.
        at: DateTime<Utc>,
    },
    /// The data map's processing for it uses categories the CRM holds on the subject.
    DataHeld {
        /// Those categories.
        categories: Vec<String>,
    },
    /// The subject is an existing customer and the purpose rests on a contract.
    Customer,
}

/// A purpose that applies to a subject, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPurpose {
    /// The purpose.
    pub purpose: Purpose,
    /// Every reason it applies, at least one.
    pub because: Vec<Applies>,
}

impl AppliedPurpose {
    /// Whether the data it covers are portable (Art. 20(1)(a), R6): processed on consent the
    /// subject gave, or on a contract.
    pub fn portable(&self) -> bool {
        match self.purpose.legal_basis {
            LegalBasis::Contract => true,
            LegalBasis::Consent => self.because.iter().any(|b| matches!(b, Applies::Consented { .. })),
            _ => false,
        }
    }
}

/// The purposes among `purposes` that apply to `person`, given their consent `history` (oldest
/// first) and the categories of data the CRM holds on them (`held`), in the order of `purposes`.
pub fn applied(
    person: &Subject,
    purposes: Vec<Purpose>,
    history: &[ConsentEvent],
    map: Option<&crate::anonymize::map::DataMap>,
    held: &[String],
) -> Vec<AppliedPurpose> {
    let mut out = Vec::new();
    for purpose in purposes {
        let mut because = Vec::new();
        let events = history.iter().filter(|e| e.purpose.as_ref() == Some(&purpose.id));
        let mut first_opt_in = None;
        let mut first_other = None;
        for e in events {
            let slot = if e.action == ConsentAction::OptIn { &mut first_opt_in } else { &mut first_other };
            slot.get_or_insert(e.occurred_at);
        }
        if let Some(at) = first_opt_in {
            because.push(Applies::Consented { at });
        }
        if let Some(at) = first_other {
            because.push(Applies::Event { at });
        }
        // A purpose on consent processes no one's data without it, whatever data are held.
        let described = map
            .filter(|_| purpose.legal_basis != LegalBasis::Consent)
            .and_then(|m| m.processing.iter().find(|p| p.purpose == purpose.id.as_str()));
        // Every category the processing uses must be held: a prospect's contact row does not put
        // them under a billing contract that also reads contact details.
        if let Some(d) = described.filter(|d| !d.categories.is_empty() && d.categories.iter().all(|c| held.contains(c)))
        {
            because.push(Applies::DataHeld { categories: d.categories.clone() });
        }
        if person.regime == Regime::SoftOptIn && purpose.legal_basis == LegalBasis::Contract {
            because.push(Applies::Customer);
        }
        if !because.is_empty() {
            out.push(AppliedPurpose { purpose, because });
        }
    }
    out
}

impl Gdpr {
    /// The tenant's purposes that apply to `subject`, and why (see the module's rules): from
    /// their consent history, the categories of data the CRM holds on them when a CRM and data
    /// map are configured, and their regime.
    pub fn purposes_applying_to(&self, subject: &SubjectId) -> Result<Vec<AppliedPurpose>> {
        let person = self.subject(subject)?;
        let history = self.history(subject)?;
        let (map, held) = match self.crm_data() {
            Ok((data, map)) => {
                let mut held: Vec<String> = Vec::new();
                for entity in &map.entities {
                    if !held.contains(&entity.category) && !data.rows(entity, subject)?.is_empty() {
                        held.push(entity.category.clone());
                    }
                }
                (Some(map), held)
            }
            Err(_) => (None, Vec::new()),
        };
        Ok(applied(&person, self.purposes()?, &history, map, &held))
    }

    /// Why a subject's data are not eligible for portability (Art. 20(1), R6), or `None` when
    /// they are: some purpose that applies to them rests on consent they gave (even if withdrawn
    /// since) or on a contract. A B2B prospect processed on legitimate interests is not eligible.
    pub fn portability_ineligibility(&self, subject: &SubjectId) -> Result<Option<String>> {
        let applied = self.purposes_applying_to(subject)?;
        if applied.iter().any(AppliedPurpose::portable) {
            return Ok(None);
        }
        let bases: Vec<String> =
            applied.iter().map(|a| format!("{} ({})", a.purpose.id, a.purpose.legal_basis)).collect();
        Ok(Some(format!(
            "no purpose that applies to {subject} rests on consent they gave or on a contract (those that apply: {})",
            if bases.is_empty() { "none".to_owned() } else { bases.join(", ") }
        )))
    }
}
