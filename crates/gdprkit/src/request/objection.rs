//! What an objection request objects to (rules C5 and R11): direct marketing, which stops at once
//! and cannot be refused (Art. 21(2)-(3)), and processing on grounds relating to the person's
//! particular situation (Art. 21(1)), which is restricted while the objection is assessed
//! (Art. 18(1)(d)) and then stopped, or kept for compelling legitimate grounds or legal claims.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::kind::RequestKind;
use super::record::{Request, RequestId};
use crate::error::{Error, Result};
use crate::ids::PurposeId;
use crate::purpose::{LegalBasis, Purpose};

/// The purposes an objection covers, sorted by the article that governs them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionScope {
    /// Whether it objects to direct marketing (Art. 21(2)): an `object` event blocks every
    /// direct-marketing purpose from receipt (C5). True for an objection that names no purpose.
    pub direct_marketing: bool,
    /// The purposes, not direct marketing, on `public_task` or `legitimate_interests`, objected to
    /// on grounds relating to the person's particular situation (Art. 21(1), R11).
    #[serde(default)]
    pub particular_situation: Vec<PurposeId>,
}

impl ObjectionScope {
    /// Sorts the purposes an objection names (`None` when they are unknown to the tenant is the
    /// caller's error): none at all means all direct marketing. A purpose on another basis
    /// cannot be objected to under Art. 21, and the error names it and says what applies instead.
    pub fn of(purposes: &[Purpose]) -> Result<Self> {
        let mut scope = ObjectionScope { direct_marketing: purposes.is_empty(), particular_situation: Vec::new() };
        for p in purposes {
            if p.direct_marketing {
                scope.direct_marketing = true;
            } else if p.objectable_on_situation() {
                if !scope.particular_situation.contains(&p.id) {
                    scope.particular_situation.push(p.id.clone());
                }
            } else {
                let instead = match p.legal_basis {
                    LegalBasis::Consent => "; the subject withdraws their consent instead (Art. 7(3))",
                    _ => "",
                };
                return Err(Error::invalid(
                    "purposes",
                    format!(
                        "{} rests on {} and is not direct marketing: Art. 21 gives no right to object to it, only \
                         to processing on public_task or legitimate_interests (Art. 21(1)){instead}",
                        p.id, p.legal_basis
                    ),
                ));
            }
        }
        Ok(scope)
    }

    /// Whether staff may refuse the objection: only its Art. 21(1) part can be refused; an
    /// objection to direct marketing alone cannot (Art. 21(3)).
    pub fn refusable(&self) -> bool {
        !self.particular_situation.is_empty()
    }
}

/// The scope of a request, where it is an objection: the one it was opened with, or, for one
/// recorded before objections named purposes, all direct marketing.
pub fn scope_of(request: &Request) -> Option<ObjectionScope> {
    (request.kind == RequestKind::Objection).then(|| {
        request.objection.clone().unwrap_or(ObjectionScope { direct_marketing: true, particular_situation: Vec::new() })
    })
}

/// An objection under Art. 21(1) being assessed: while it is, processing for its purposes is
/// restricted (Art. 18(1)(d)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingObjection {
    /// The objection request.
    pub request: RequestId,
    /// When it was received.
    pub since: DateTime<Utc>,
}

/// The objection among `requests` that restricts `purpose` at `at`: received at or before `at`,
/// naming `purpose` under Art. 21(1), and not closed by then.
pub fn pending_at<'r>(
    requests: impl IntoIterator<Item = &'r Request>,
    purpose: &PurposeId,
    at: DateTime<Utc>,
) -> Option<PendingObjection> {
    requests
        .into_iter()
        .filter(|r| r.received_at <= at && r.closed_at.is_none_or(|closed| at < closed))
        .filter(|r| scope_of(r).is_some_and(|s| s.particular_situation.contains(purpose)))
        .min_by_key(|r| r.received_at)
        .map(|r| PendingObjection { request: r.id.clone(), since: r.received_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purpose(id: &str, basis: LegalBasis, dm: bool) -> Purpose {
        Purpose::new(PurposeId::new(id).unwrap(), basis, dm)
    }

    #[test]
    fn purposes_are_sorted_by_the_article_that_governs_them() {
        // Art. 21(1): public task or legitimate interests; Art. 21(2): direct marketing.
        let scope = ObjectionScope::of(&[
            purpose("newsletter", LegalBasis::Consent, true),
            purpose("profiling", LegalBasis::LegitimateInterests, false),
            purpose("census", LegalBasis::PublicTask, false),
        ])
        .unwrap();
        assert!(scope.direct_marketing);
        assert_eq!(scope.particular_situation.len(), 2);
        assert!(scope.refusable());
        let all_marketing = ObjectionScope::of(&[]).unwrap();
        assert!(all_marketing.direct_marketing && !all_marketing.refusable());
    }

    #[test]
    fn other_bases_cannot_be_objected_to() {
        // Art. 21(1) covers Art. 6(1)(e) and (f) only.
        for basis in [LegalBasis::Contract, LegalBasis::LegalObligation, LegalBasis::VitalInterests] {
            let err = ObjectionScope::of(&[purpose("billing", basis, false)]).unwrap_err();
            assert!(err.to_string().contains("no right to object"), "{err}");
        }
        let err = ObjectionScope::of(&[purpose("survey", LegalBasis::Consent, false)]).unwrap_err();
        assert!(err.to_string().contains("withdraws their consent"), "{err}");
    }
}
