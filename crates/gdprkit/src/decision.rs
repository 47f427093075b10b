//! Deciding whether a subject may be contacted (rules C4 and C5).
//!
//! A decision for (subject, purpose, channel, instant) looks at the latest decisive event, by
//! when it happened and then by when it was recorded, among those whose scope covers the purpose
//! and channel:
//! - events for exactly that purpose and channel;
//! - objections to that purpose on every channel;
//! - when the purpose is direct marketing, objections to all direct marketing on that channel or
//!   on every channel (rule C5).
//!
//! An opt-in allows; an opt-out, a withdrawal or an objection denies. So an objection to direct
//! marketing denies every such purpose and channel until a later opt-in reopens one purpose and
//! one channel. With no decisive event, the default rule table of [`crate::rules`] decides from
//! the purpose's legal basis, the subject's regime and the channel's kind (rule C4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::consent::ConsentAction;
use crate::ids::{Channel, PurposeId, SubjectId};
use crate::purpose::{LegalBasis, Purpose};
use crate::raw::ledger::InformationFact;
use crate::request::objection::PendingObjection;
use crate::rules::{RuleId, RuleInput, default_rule, phone_opt_in_from};
use crate::subject::Regime;

/// Which events apply: a purpose (or every purpose) on a channel (or every channel).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    /// The purpose, or `None` for all direct-marketing purposes.
    pub purpose: Option<PurposeId>,
    /// The channel, or `None` for every channel.
    pub channel: Option<Channel>,
}

impl Scope {
    /// The scopes whose events bear on a decision for `purpose` on `channel`. The first is always
    /// exactly that purpose and channel, where a `soft_opt_in_offered` event counts.
    pub fn covering(purpose: &Purpose, channel: &Channel) -> Vec<Scope> {
        let p = Some(purpose.id.clone());
        let c = Some(channel.clone());
        let mut scopes = vec![Scope { purpose: p.clone(), channel: c.clone() }, Scope { purpose: p, channel: None }];
        if purpose.direct_marketing {
            scopes.push(Scope { purpose: None, channel: c });
            scopes.push(Scope { purpose: None, channel: None });
        }
        scopes
    }
}

/// A decisive consent event, as a decision refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    /// Its entry number in the tenant's ledger.
    pub seq: u64,
    /// What happened.
    pub action: ConsentAction,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Its purpose, or `None` for all direct marketing.
    pub purpose: Option<PurposeId>,
    /// Its channel, or `None` for every channel.
    pub channel: Option<Channel>,
    /// Whether the subject inherited it at registration from the suppression list: an erased
    /// person with the same e-mail address or phone number had denied it (rule C9).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inherited: bool,
}

impl EventRef {
    /// Whether this event comes after `other`: it happened later, or at the same instant and was
    /// recorded later.
    pub fn is_after(&self, other: &EventRef) -> bool {
        (self.occurred_at, self.seq) > (other.occurred_at, other.seq)
    }
}

/// What a store finds for a decision about one subject: what decides, and whether a message must
/// carry the information notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFacts {
    /// What decides whether contact is allowed.
    pub deciding: DecidingFacts,
    /// Set when the subject's source is recorded and, at the instant asked about, they were
    /// neither told nor exempted (rules I2 to I4).
    pub information: Option<PendingInformation>,
}

impl From<DecidingFacts> for SubjectFacts {
    fn from(deciding: DecidingFacts) -> Self {
        SubjectFacts { deciding, information: None }
    }
}

/// What decides whether a subject may be contacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecidingFacts {
    /// The latest decisive event, at or before the instant asked about, in any of the scopes
    /// asked about.
    Event(EventRef),
    /// Processing is restricted (Art. 18): every decision says no.
    Restricted {
        /// The ledger entry that restricted it.
        seq: u64,
        /// Since when.
        since: DateTime<Utc>,
    },
    /// No decisive event applies: the default rules decide.
    NoEvent {
        /// The subject's regime.
        regime: Regime,
        /// When the subject was registered.
        registered_at: DateTime<Utc>,
        /// The earliest `soft_opt_in_offered` event for exactly the purpose and channel asked
        /// about (the first scope), at or before the instant, if any.
        offered: Option<EventRef>,
    },
}

/// A subject who must still be told (rules I2 to I4), as their information facts say at an
/// instant: what sets the date by which they must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingInformation {
    /// Whether the data were collected from them (Art. 13) rather than obtained elsewhere (Art. 14).
    pub collected: bool,
    /// When the data were collected or obtained.
    pub obtained_at: DateTime<Utc>,
    /// The first communication recorded, if any.
    pub first_contact: Option<DateTime<Utc>>,
    /// The first disclosure to another recipient, if any.
    pub first_disclosure: Option<DateTime<Utc>>,
}

/// Folds a subject's information facts, in any order, at or before an instant: stores that keep
/// them apart (the memory store) use it directly, the others through [`FactsFold`].
#[derive(Debug, Clone, Copy)]
pub struct InformationFold {
    at: i64,
    /// The registration's fact: (instant, entry number, collected).
    obtained: Option<(i64, u64, bool)>,
    settled: bool,
    first_contact: Option<i64>,
    first_disclosure: Option<i64>,
}

impl InformationFold {
    /// An empty fold at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self::at_micros(crate::time::to_micros(at))
    }

    fn at_micros(at: i64) -> Self {
        Self { at, obtained: None, settled: false, first_contact: None, first_disclosure: None }
    }

    /// Offers one information fact: when it happened (microseconds) and its entry number. Facts
    /// after the instant are passed over.
    pub fn offer(&mut self, occurred_at: i64, seq: u64, fact: InformationFact) {
        if occurred_at > self.at {
            return;
        }
        let earliest = |slot: &mut Option<i64>| *slot = Some(slot.map_or(occurred_at, |t| t.min(occurred_at)));
        match fact {
            InformationFact::Collected | InformationFact::Obtained => {
                if self.obtained.is_none_or(|(_, s, _)| s < seq) {
                    self.obtained = Some((occurred_at, seq, fact == InformationFact::Collected));
                }
            }
            InformationFact::Informed | InformationFact::Exempted => self.settled = true,
            InformationFact::Contacted => earliest(&mut self.first_contact),
            InformationFact::Disclosed => earliest(&mut self.first_disclosure),
        }
    }

    /// The subject's pending information, `None` when their source is not recorded or they were
    /// told or exempted.
    pub fn finish(self) -> crate::Result<Option<PendingInformation>> {
        let Some((obtained_at, _, collected)) = self.obtained.filter(|_| !self.settled) else { return Ok(None) };
        let instant = |t: Option<i64>| t.map(crate::time::from_micros).transpose();
        Ok(Some(PendingInformation {
            collected,
            obtained_at: crate::time::from_micros(obtained_at)?,
            first_contact: instant(self.first_contact)?,
            first_disclosure: instant(self.first_disclosure)?,
        }))
    }
}

/// What decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecidedBy {
    /// A consent event.
    Event(EventRef),
    /// A restriction of processing at the subject's request (Art. 18).
    Restriction {
        /// The ledger entry that restricted processing.
        seq: u64,
    },
    /// An objection to this purpose on grounds relating to the subject's particular situation is
    /// being assessed: processing for it is restricted meanwhile (Art. 18(1)(d), Art. 21(1), R11).
    PendingObjection(PendingObjection),
    /// A row of the default rule table, as no decisive event applies (rule C4).
    Rule {
        /// The row.
        rule: RuleId,
        /// The purpose's legal basis.
        legal_basis: LegalBasis,
        /// The subject's regime.
        regime: Regime,
        /// The channel's kind.
        channel_kind: ChannelKind,
        /// The `soft_opt_in_offered` event the row relied on, if it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offer: Option<EventRef>,
    },
}

/// Whether a subject may be contacted for a purpose on a channel at an instant, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The subject.
    pub subject: SubjectId,
    /// The purpose.
    pub purpose: PurposeId,
    /// The channel.
    pub channel: Channel,
    /// The instant decided for.
    pub at: DateTime<Utc>,
    /// Whether contact is allowed.
    pub allowed: bool,
    /// What decided.
    pub decided_by: DecidedBy,
    /// Since when this decision holds: the deciding event's instant; for a default rule, when
    /// it started to apply to the subject (the offer for a soft opt-in, 11 August 2026 for a
    /// consumer's phone opt-in, the subject's registration otherwise), `None` when asked about
    /// an instant before that.
    pub since: Option<DateTime<Utc>>,
    /// For contact allowed with a person whose data came from another source and who was not
    /// yet told: the notice the message must carry (Art. 14(3)(b)); also for a person whose
    /// data were collected from them and whose notice was not recorded (Art. 13(1)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<crate::information::NoticeToCarry>,
}

impl Decision {
    /// Decides from a subject's facts, for `purpose` on a channel of `channel_kind`.
    pub fn from_facts(
        subject: SubjectId,
        purpose: &Purpose,
        channel: Channel,
        channel_kind: ChannelKind,
        at: DateTime<Utc>,
        facts: SubjectFacts,
    ) -> Self {
        let (allowed, since, decided_by) = match facts.deciding {
            DecidingFacts::Event(e) => (e.action.allows(), Some(e.occurred_at), DecidedBy::Event(e)),
            DecidingFacts::Restricted { seq, since } => (false, Some(since), DecidedBy::Restriction { seq }),
            DecidingFacts::NoEvent { regime, registered_at, offered } => {
                let rule = default_rule(RuleInput { purpose, channel_kind, regime, at, offered: offered.is_some() });
                let from = match (rule, &offered) {
                    (RuleId::ElectronicSoftOptIn | RuleId::PhoneSoftOptIn, Some(offer)) => offer.occurred_at,
                    (RuleId::PhoneConsumer, _) => registered_at.max(phone_opt_in_from()),
                    _ => registered_at,
                };
                let offer = offered.filter(|_| matches!(rule, RuleId::ElectronicSoftOptIn | RuleId::PhoneSoftOptIn));
                let decided_by =
                    DecidedBy::Rule { rule, legal_basis: purpose.legal_basis, regime, channel_kind, offer };
                (rule.allows(), (from <= at).then_some(from), decided_by)
            }
        };
        Decision { subject, purpose: purpose.id.clone(), channel, at, allowed, decided_by, since, information: None }
    }

    /// The same decision, denied because an objection under Art. 21(1) is being assessed (R11):
    /// that restriction comes before any event or rule, as a restriction does.
    pub fn restricted_by(self, pending: PendingObjection) -> Self {
        Decision {
            allowed: false,
            since: Some(pending.since),
            decided_by: DecidedBy::PendingObjection(pending),
            ..self
        }
    }

    /// The reason in plain words.
    pub fn reason(&self) -> String {
        match &self.decided_by {
            DecidedBy::Event(e) => {
                let what = match e.action {
                    ConsentAction::OptIn => "opted in",
                    ConsentAction::OptOut => "opted out",
                    ConsentAction::Withdraw => "withdrew consent",
                    ConsentAction::Object => "objected",
                    ConsentAction::SoftOptInOffered | ConsentAction::ReconfirmRequested => "acted",
                };
                let purpose = e.purpose.as_ref().map_or("all direct marketing".to_owned(), |p| p.to_string());
                let channel = e.channel.as_ref().map_or("every channel".to_owned(), |c| c.to_string());
                let when = crate::time::format(e.occurred_at);
                if e.inherited {
                    format!(
                        "an erased person with the same e-mail address or phone number {what} to {purpose} on \
                         {channel}; the suppression list kept it, and this subject inherited it at registration \
                         at {when} (rule C9, ledger entry {})",
                        e.seq
                    )
                } else {
                    format!("{what} to {purpose} on {channel} at {when} (ledger entry {})", e.seq)
                }
            }
            DecidedBy::Restriction { seq } => format!(
                "processing is restricted at the subject's request (Art. 18) since {} (ledger entry {seq})",
                self.since.map_or_else(String::new, crate::time::format)
            ),
            DecidedBy::PendingObjection(p) => format!(
                "the subject objected to {} on grounds relating to their particular situation (Art. 21(1)), and \
                 while request {} is assessed since {}, processing for it is restricted (Art. 18(1)(d))",
                self.purpose,
                p.request,
                crate::time::format(p.since)
            ),
            DecidedBy::Rule { rule, legal_basis, regime, channel_kind, offer } => {
                let r = rule.rule();
                let offered = offer.as_ref().map_or_else(String::new, |o| {
                    format!(
                        ", offered the chance to refuse at {} (ledger entry {})",
                        crate::time::format(o.occurred_at),
                        o.seq
                    )
                });
                format!(
                    "no opt-in, opt-out or objection applies, and rule {rule} {} ({legal_basis} basis, {regime} regime, {channel_kind} channel{offered}): {}",
                    if r.allows { "allows" } else { "denies" },
                    r.source
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purpose::LegalBasis;

    #[test]
    fn direct_marketing_decisions_also_look_at_global_objections() {
        let dm = Purpose::new(PurposeId::new("promo").unwrap(), LegalBasis::Consent, true);
        let billing = Purpose::new(PurposeId::new("billing").unwrap(), LegalBasis::Contract, false);
        assert_eq!(Scope::covering(&dm, &Channel::Sms).len(), 4);
        let scopes = Scope::covering(&billing, &Channel::Sms);
        assert_eq!(scopes.len(), 2);
        assert!(scopes.iter().all(|s| s.purpose.is_some()));
    }

    #[test]
    fn a_default_rule_holds_since_registration_and_names_its_source() {
        let at = crate::time::parse("at", "2025-06-01T00:00:00Z").unwrap();
        let reg = crate::time::parse("at", "2025-01-01T00:00:00Z").unwrap();
        let promo = Purpose::new(PurposeId::new("p").unwrap(), LegalBasis::LegitimateInterests, true);
        let d = Decision::from_facts(
            SubjectId::new("s").unwrap(),
            &promo,
            Channel::Email,
            ChannelKind::Electronic,
            at,
            DecidingFacts::NoEvent { regime: Regime::B2cOptIn, registered_at: reg, offered: None }.into(),
        );
        assert!(!d.allowed);
        assert_eq!(d.since, Some(reg));
        assert!(d.reason().contains("rule electronic_consumer"), "{}", d.reason());
        assert!(d.reason().contains("CPCE L.34-5"), "{}", d.reason());
    }
}

/// Folds a subject's ledger facts, in any order, into what a decision needs: the latest decisive
/// event in the scopes asked about and the latest restriction fact, both by when they happened
/// and then by entry number. Stores that read facts from SQL feed it their rows.
#[derive(Debug, Clone)]
pub struct FactsFold<'s> {
    scopes: &'s [Scope],
    at: i64,
    latest: Option<(i64, u64, usize, ConsentAction, bool)>,
    restriction: Option<(i64, u64, bool)>,
    offered: Option<(i64, u64)>,
    information: InformationFold,
}

impl<'s> FactsFold<'s> {
    /// An empty fold for a decision in `scopes` at `at`.
    pub fn new(scopes: &'s [Scope], at: DateTime<Utc>) -> Self {
        let at = crate::time::to_micros(at);
        Self { scopes, at, latest: None, restriction: None, offered: None, information: InformationFold::at_micros(at) }
    }

    /// Offers one fact of the subject's ledger: its purpose and channel columns (empty for none),
    /// when it happened (microseconds), its entry number and its action. Facts after the
    /// instant, outside the scopes, or that decide nothing are passed over.
    pub fn offer(&mut self, purpose: &str, channel: &str, occurred_at: i64, seq: u64, action: &str) {
        use crate::raw::ledger::{FactAction, RESTRICTION_SCOPE};
        if occurred_at > self.at {
            return;
        }
        if purpose == RESTRICTION_SCOPE {
            match FactAction::from_name(action) {
                Some(FactAction::Restrict) => self.offer_restriction(occurred_at, seq, true),
                Some(FactAction::LiftRestriction) => self.offer_restriction(occurred_at, seq, false),
                Some(FactAction::Information(fact)) => self.information.offer(occurred_at, seq, fact),
                _ => {}
            }
            return;
        }
        // Most of a subject's facts are about other purposes and channels: the scope is matched
        // before the action is read.
        let Some(scope) = self.scopes.iter().position(|s| {
            s.purpose.as_ref().map_or("", |p| p.as_str()) == purpose
                && s.channel.as_ref().map_or("", |c| c.as_str()) == channel
        }) else {
            return;
        };
        match FactAction::from_name(action).and_then(FactAction::consent) {
            Some((a, inherited)) if a.is_decisive() => self.offer_fact(scope, occurred_at, seq, a, inherited),
            // Offers count in the first scope only: exactly the purpose and channel asked.
            Some((ConsentAction::SoftOptInOffered, _)) if scope == 0 => self.offer_soft_opt_in(occurred_at, seq),
            _ => {}
        }
    }

    /// Offers a decisive event already known to be in scope number `scope` and at or before the
    /// instant.
    pub fn offer_event(&mut self, scope: usize, occurred_at: i64, seq: u64, action: ConsentAction) {
        self.offer_fact(scope, occurred_at, seq, action, false);
    }

    /// [`FactsFold::offer_event`], for a denial that may have been inherited from the suppression
    /// list (`inherited`).
    pub fn offer_fact(&mut self, scope: usize, occurred_at: i64, seq: u64, action: ConsentAction, inherited: bool) {
        if scope >= self.scopes.len() {
            return;
        }
        if self.latest.is_none_or(|(t, s, _, _, _)| (t, s) < (occurred_at, seq)) {
            self.latest = Some((occurred_at, seq, scope, action, inherited));
        }
    }

    /// Offers a `soft_opt_in_offered` event already known to be in the first scope and at or
    /// before the instant.
    pub fn offer_soft_opt_in(&mut self, occurred_at: i64, seq: u64) {
        if self.offered.is_none_or(|o| (occurred_at, seq) < o) {
            self.offered = Some((occurred_at, seq));
        }
    }

    /// Offers a restriction (`restricts`) or its lifting, at or before the instant.
    pub fn offer_restriction(&mut self, occurred_at: i64, seq: u64, restricts: bool) {
        if self.restriction.is_none_or(|(t, s, _)| (t, s) < (occurred_at, seq)) {
            self.restriction = Some((occurred_at, seq, restricts));
        }
    }

    /// Offers an information fact at or before the instant.
    pub fn offer_information(&mut self, occurred_at: i64, seq: u64, fact: InformationFact) {
        self.information.offer(occurred_at, seq, fact);
    }

    /// Whether a restriction in force or a decisive event was found: then the subject's regime
    /// is not needed.
    pub fn is_decided(&self) -> bool {
        self.latest.is_some() || self.restriction.is_some_and(|(_, _, r)| r)
    }

    /// The facts: a restriction in force, else the latest event, else the regime that `regime`
    /// reads (the subject's regime and registration; `None` when the subject does not exist).
    pub fn finish(
        self,
        regime: impl FnOnce() -> crate::Result<Option<(Regime, DateTime<Utc>)>>,
    ) -> crate::Result<Option<SubjectFacts>> {
        let information = self.information.finish()?;
        let with = |deciding| SubjectFacts { deciding, information };
        if let Some((occurred_at, seq, true)) = self.restriction {
            return Ok(Some(with(DecidingFacts::Restricted { seq, since: crate::time::from_micros(occurred_at)? })));
        }
        if let Some((occurred_at, seq, scope, action, inherited)) = self.latest
            && let Some(scope) = self.scopes.get(scope)
        {
            return Ok(Some(with(DecidingFacts::Event(EventRef {
                seq,
                action,
                occurred_at: crate::time::from_micros(occurred_at)?,
                purpose: scope.purpose.clone(),
                channel: scope.channel.clone(),
                inherited,
            }))));
        }
        let offered = match (self.offered, self.scopes.first()) {
            (Some((occurred_at, seq)), Some(scope)) => Some(EventRef {
                seq,
                action: ConsentAction::SoftOptInOffered,
                occurred_at: crate::time::from_micros(occurred_at)?,
                purpose: scope.purpose.clone(),
                channel: scope.channel.clone(),
                inherited: false,
            }),
            _ => None,
        };
        Ok(regime()?.map(|(regime, registered_at)| with(DecidingFacts::NoEvent { regime, registered_at, offered })))
    }
}
