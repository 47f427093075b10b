//! What a store derives from the chain (the purposes and subjects registries, the decision
//! index), rebuilt from the chain during verification and compared with what the store answers.
//!
//! Decisions read the registries and the index, not the chain: a purpose's legal basis edited in
//! its table, a subject's regime, a deleted or edited index row would change decisions while the
//! chain itself verifies. Verification therefore rebuilds them from the chain and fails, naming
//! what disagrees, when the store's answers differ.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::channel::ChannelKind;
use crate::consent::ConsentAction;
use crate::decision::{DecidingFacts, InformationFold, Scope, SubjectFacts};
use crate::error::Result;
use crate::ids::{PurposeId, SubjectId, TenantId};
use crate::purpose::LegalBasis;
use crate::raw::ledger::{EntryKind, FactAction, INFORMATION_CHANNEL, RESTRICTION_SCOPE, StoredEntry};
use crate::raw::store::Store;
use crate::subject::Regime;

/// Subjects compared per call to the store.
const BATCH: usize = 500;

/// A purpose as its registration entry records it.
#[derive(Debug, PartialEq, Eq)]
struct PurposeFacts {
    legal_basis: LegalBasis,
    direct_marketing: bool,
    professional: bool,
}

#[derive(Deserialize)]
struct PurposeRecord {
    id: String,
    legal_basis: LegalBasis,
    direct_marketing: bool,
    #[serde(default = "yes")]
    professional: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct ChannelRecord {
    name: String,
    channel_kind: ChannelKind,
}

#[derive(Deserialize)]
struct SubjectRecord {
    recorded_at: String,
    regime: Regime,
}

#[derive(Deserialize)]
struct ErasureRecord {
    #[serde(default)]
    regime: Option<Regime>,
}

/// The registries and index as the chain says they are, built entry by entry.
#[derive(Debug, Default)]
pub(crate) struct Model {
    purposes: BTreeMap<String, (u64, PurposeFacts)>,
    /// Declared channels: their entry number and kind.
    channels: BTreeMap<String, (u64, ChannelKind)>,
    /// Subjects by id: their regime and registration instant, when the chain still says them.
    subjects: BTreeMap<SubjectId, (Option<Regime>, Option<DateTime<Utc>>)>,
    /// The latest decisive event per subject, over all its scopes: (occurred_at µs, entry
    /// number, action).
    events: HashMap<String, (i64, u64, ConsentAction)>,
    /// The latest restriction fact per subject: (occurred_at µs, entry number, restricts).
    restrictions: HashMap<SubjectId, (i64, u64, bool)>,
    /// The information facts per subject (rules I2 to I4).
    information: HashMap<String, InformationFold>,
    /// Every scope seen, as (purpose, channel) with `""` for all: a few per tenant.
    scopes: Vec<(String, String)>,
    /// An entry that could not be read, which the chain check reports otherwise.
    unreadable: Option<u64>,
}

impl Model {
    /// Takes in the next entry of an intact chain.
    pub fn add(&mut self, e: &StoredEntry<'_>) {
        let Ok(kind) = EntryKind::parse(e.kind) else {
            self.unreadable.get_or_insert(e.seq);
            return;
        };
        let subject = || e.subject.and_then(|s| SubjectId::new(s).ok());
        if let (Some(id), Some(fact)) = (e.subject, e.fact)
            && (fact.purpose, fact.channel) == (RESTRICTION_SCOPE, INFORMATION_CHANNEL)
            && let Some(FactAction::Information(f)) = FactAction::from_name(fact.action)
        {
            let fold = self.information.entry(id.to_owned()).or_insert_with(|| InformationFold::new(far_end()));
            fold.offer(fact.occurred_at, e.seq, f);
        }
        match kind {
            EntryKind::Purpose => match serde_json::from_str::<PurposeRecord>(e.body) {
                Ok(p) => {
                    let facts = PurposeFacts {
                        legal_basis: p.legal_basis,
                        direct_marketing: p.direct_marketing,
                        professional: p.professional,
                    };
                    self.purposes.insert(p.id, (e.seq, facts));
                }
                Err(_) => {
                    self.unreadable.get_or_insert(e.seq);
                }
            },
            EntryKind::Channel => match serde_json::from_str::<ChannelRecord>(e.body) {
                Ok(c) => {
                    self.channels.insert(c.name, (e.seq, c.channel_kind));
                }
                Err(_) => {
                    self.unreadable.get_or_insert(e.seq);
                }
            },
            EntryKind::Subject => {
                if let (Some(id), Ok(s)) = (subject(), serde_json::from_str::<SubjectRecord>(e.body)) {
                    let at = crate::time::parse("recorded_at", &s.recorded_at).ok();
                    self.subjects.insert(id, (Some(s.regime), at));
                }
            }
            EntryKind::Erasure => {
                if let Some(id) = subject() {
                    let regime = serde_json::from_str::<ErasureRecord>(e.body).ok().and_then(|r| r.regime);
                    let slot = self.subjects.entry(id).or_insert((None, None));
                    if regime.is_some() {
                        slot.0 = regime;
                    }
                }
            }
            EntryKind::Consent | EntryKind::Request => {
                let (Some(id), Some(fact)) = (e.subject, e.fact) else { return };
                let found = FactAction::from_name(fact.action);
                match found.and_then(FactAction::consent) {
                    Some((action, _)) if action.is_decisive() => {
                        if !self.scopes.iter().any(|(p, c)| p == fact.purpose && c == fact.channel) {
                            self.scopes.push((fact.purpose.to_owned(), fact.channel.to_owned()));
                        }
                        let event = (fact.occurred_at, e.seq, action);
                        match self.events.get_mut(id) {
                            Some(slot) if (event.0, event.1) > (slot.0, slot.1) => *slot = event,
                            Some(_) => {}
                            None => {
                                self.events.insert(id.to_owned(), event);
                            }
                        }
                    }
                    Some(_) => {}
                    None => {
                        if let Some(action @ (FactAction::Restrict | FactAction::LiftRestriction)) = found {
                            let Some(id) = subject() else { return };
                            let slot = self.restrictions.entry(id).or_insert((i64::MIN, 0, false));
                            if (fact.occurred_at, e.seq) > (slot.0, slot.1) {
                                *slot = (fact.occurred_at, e.seq, action == FactAction::Restrict);
                            }
                        }
                    }
                }
            }
            EntryKind::Disclosure | EntryKind::Message | EntryKind::Settings | EntryKind::Information => {}
        }
    }

    /// What disagrees between the chain and the store's registries and index: `(what, why)`.
    pub fn compare(&self, store: &dyn Store, tenant: &TenantId) -> Result<Option<(String, String)>> {
        if let Some(seq) = self.unreadable {
            return Ok(Some(("ledger".into(), format!("entry {seq} could not be read to rebuild the registries"))));
        }
        if let Some(found) = self.compare_purposes(store, tenant)? {
            return Ok(Some(("purposes".into(), found)));
        }
        if let Some(found) = self.compare_channels(store, tenant)? {
            return Ok(Some(("channels".into(), found)));
        }
        if let Some(found) = self.compare_subjects(store, tenant)? {
            return Ok(Some(("subjects".into(), found)));
        }
        Ok(self.compare_index(store, tenant)?.map(|found| ("decision index".into(), found)))
    }

    fn compare_purposes(&self, store: &dyn Store, tenant: &TenantId) -> Result<Option<String>> {
        let stored = store.purposes(tenant)?;
        for p in &stored {
            let Some((seq, chain)) = self.purposes.get(p.id.as_str()) else {
                return Ok(Some(format!("purpose {} is registered, and no ledger entry registers it", p.id)));
            };
            let facts = PurposeFacts {
                legal_basis: p.legal_basis,
                direct_marketing: p.direct_marketing,
                professional: p.professional,
            };
            if &facts != chain {
                return Ok(Some(format!(
                    "purpose {} reads {} (direct marketing: {}, professional: {}), and its ledger entry {seq} \
                     says {} (direct marketing: {}, professional: {})",
                    p.id,
                    facts.legal_basis,
                    facts.direct_marketing,
                    facts.professional,
                    chain.legal_basis,
                    chain.direct_marketing,
                    chain.professional
                )));
            }
        }
        if stored.len() != self.purposes.len() {
            let missing = self.purposes.keys().find(|id| !stored.iter().any(|p| p.id.as_str() == id.as_str()));
            return Ok(Some(format!(
                "purpose {} is registered in the ledger, and missing from its table",
                missing.map_or("?", String::as_str)
            )));
        }
        Ok(None)
    }

    fn compare_channels(&self, store: &dyn Store, tenant: &TenantId) -> Result<Option<String>> {
        let stored = store.channels(tenant)?;
        for c in &stored {
            match self.channels.get(c.name.as_str()) {
                None => return Ok(Some(format!("channel {} is declared, and no ledger entry declares it", c.name))),
                Some((seq, kind)) if *kind != c.kind => {
                    return Ok(Some(format!(
                        "channel {} reads {}, and its ledger entry {seq} declares it {kind}",
                        c.name, c.kind
                    )));
                }
                Some(_) => {}
            }
        }
        if stored.len() != self.channels.len() {
            let missing = self.channels.keys().find(|n| !stored.iter().any(|c| c.name.as_str() == n.as_str()));
            return Ok(Some(format!(
                "channel {} is declared in the ledger, and missing from its table",
                missing.map_or("?", String::as_str)
            )));
        }
        Ok(None)
    }

    fn compare_subjects(&self, store: &dyn Store, tenant: &TenantId) -> Result<Option<String>> {
        let stored = store.subjects(tenant)?;
        for s in &stored {
            let Some((regime, registered_at)) = self.subjects.get(&s.id) else {
                return Ok(Some(format!("subject {} is registered, and no ledger entry registers it", s.id)));
            };
            if regime.is_some_and(|r| r != s.regime) {
                return Ok(Some(format!(
                    "subject {} has regime {}, and the ledger registered it as {}",
                    s.id,
                    s.regime,
                    regime.map_or("?", |r| r.as_str())
                )));
            }
            if registered_at.is_some_and(|at| at != s.registered_at) {
                return Ok(Some(format!("subject {}'s registration instant differs from its ledger entry", s.id)));
            }
        }
        if stored.len() != self.subjects.len() {
            let ids: std::collections::HashSet<&SubjectId> = stored.iter().map(|s| &s.id).collect();
            let missing = self.subjects.keys().find(|id| !ids.contains(id));
            return Ok(Some(format!(
                "subject {} is in the ledger, and missing from the registry",
                missing.map_or("?", SubjectId::as_str)
            )));
        }
        Ok(None)
    }

    /// For every subject, asks the store for its facts over every scope at once, and compares
    /// with the chain's latest decisive event over the subject's scopes (or its restriction), and
    /// whether a notice is still due: one read per subject, so that verifying stays close to
    /// reading the chain.
    fn compare_index(&self, store: &dyn Store, tenant: &TenantId) -> Result<Option<String>> {
        let at = far_end();
        let mut scopes = Vec::with_capacity(self.scopes.len());
        for (purpose, channel) in &self.scopes {
            scopes.push(Scope {
                purpose: (!purpose.is_empty()).then(|| PurposeId::new(purpose.as_str())).transpose()?,
                channel: (!channel.is_empty()).then(|| channel.parse()).transpose()?,
            });
        }
        let subjects: Vec<SubjectId> = self.subjects.keys().cloned().collect();
        for batch in subjects.chunks(BATCH) {
            let facts = store.decision_facts(tenant, batch, &scopes, at)?;
            for (id, found) in batch.iter().zip(facts) {
                let expected = match (self.restrictions.get(id), self.events.get(id.as_str())) {
                    (Some(&(_, seq, true)), _) => Expected::Restricted(seq),
                    (_, Some(&(_, seq, action))) => Expected::Event(seq, action),
                    _ => Expected::None,
                };
                let agrees = match (found.as_ref().map(|f| &f.deciding), expected) {
                    (Some(DecidingFacts::Restricted { seq, .. }), Expected::Restricted(want)) => *seq == want,
                    (Some(DecidingFacts::Event(e)), Expected::Event(want, action)) => {
                        e.seq == want && e.action == action
                    }
                    (Some(DecidingFacts::NoEvent { .. }), Expected::None) => true,
                    _ => false,
                };
                let information = match self.information.get(id.as_str()) {
                    Some(fold) => fold.finish()?,
                    None => None,
                };
                if let Some(found) = found.as_ref().filter(|f| f.information != information) {
                    return Ok(Some(format!(
                        "for subject {id}, the store answers {}, and the ledger says {}",
                        pending_words(found.information),
                        pending_words(information)
                    )));
                }
                if !agrees {
                    return Ok(Some(format!(
                        "for subject {id}, the store answers {}, and the ledger says {}",
                        describe(found.as_ref()),
                        expected.describe()
                    )));
                }
            }
        }
        Ok(None)
    }
}

#[derive(Debug, Clone, Copy)]
enum Expected {
    Restricted(u64),
    Event(u64, ConsentAction),
    None,
}

impl Expected {
    fn describe(self) -> String {
        match self {
            Expected::Restricted(seq) => format!("restricted by entry {seq}"),
            Expected::Event(seq, action) => format!("{action} in entry {seq}"),
            Expected::None => "no event".into(),
        }
    }
}

/// Every event and restriction, at any instant: the far end of the accepted range.
fn far_end() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(7_258_118_399, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn pending_words(p: Option<crate::decision::PendingInformation>) -> String {
    match p {
        Some(p) => {
            let mut words = format!("a notice due for data obtained at {}", crate::time::format(p.obtained_at));
            if let Some(at) = p.first_contact {
                words.push_str(&format!(", first contacted at {}", crate::time::format(at)));
            }
            if let Some(at) = p.first_disclosure {
                words.push_str(&format!(", first disclosed at {}", crate::time::format(at)));
            }
            words
        }
        None => "no notice due".into(),
    }
}

fn describe(found: Option<&SubjectFacts>) -> String {
    match found.map(|f| &f.deciding) {
        Some(DecidingFacts::Restricted { seq, .. }) => format!("restricted by entry {seq}"),
        Some(DecidingFacts::Event(e)) => format!("{} in entry {}", e.action, e.seq),
        Some(DecidingFacts::NoEvent { .. }) => "no event".into(),
        None => "no such subject".into(),
    }
}
