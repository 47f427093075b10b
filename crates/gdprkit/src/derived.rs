//! What a store derives from the chain (the purposes and subjects registries, the decision
//! index), rebuilt from the chain during verification and compared with what the store answers.
//!
//! Decisions read the registries and the index, not the chain: a purpose's legal basis edited in
//! its table, a subject's regime, a deleted or edited index row would change decisions while the
//! chain itself verifies. Verification therefore rebuilds them from the chain and fails, naming
//! what disagrees, when the store's answers differ.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::channel::{ChannelKind, DeclaredChannel};
use crate::consent::ConsentAction;
use crate::decision::{DecidingFacts, InformationFold, PendingInformation, Scope};
use crate::error::Result;
use crate::ids::{Channel, PurposeId, SubjectId, TenantId};
use crate::purpose::{LegalBasis, Purpose};
use crate::raw::ledger::{EntryKind, FactAction, INFORMATION_CHANNEL, RESTRICTION_SCOPE, StoredEntry};
use crate::raw::store::Store;
use crate::subject::Regime;

/// Subjects asked about per call to the store.
const BATCH: usize = 2_000;

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

    /// What disagrees between the chain and the store's registries and index, as `answers`
    /// read them: `(what, why)`. When the chain holds a scope the answers were not asked over
    /// (one no registry names), the index is asked again through `store`, over the chain's scopes.
    pub fn compare(&self, answers: &Answers, store: &dyn Store, tenant: &TenantId) -> Result<Option<(String, String)>> {
        if let Some(seq) = self.unreadable {
            return Ok(Some(("ledger".into(), format!("entry {seq} could not be read to rebuild the registries"))));
        }
        if let Some(found) = self.compare_purposes(&answers.purposes) {
            return Ok(Some(("purposes".into(), found)));
        }
        if let Some(found) = self.compare_channels(&answers.channels) {
            return Ok(Some(("channels".into(), found)));
        }
        if let Some(found) = self.compare_subjects(&answers.subjects) {
            return Ok(Some(("subjects".into(), found)));
        }
        let covered = self.scopes.iter().all(|scope| answers.scopes.contains(scope));
        let found = if covered {
            self.compare_index(&answers.index)?
        } else {
            let ids = self.subjects.keys().cloned().collect();
            self.compare_index(&Index::read(store, tenant, &self.scopes, ids, None)?)?
        };
        Ok(found.map(|found| ("decision index".into(), found)))
    }

    fn compare_purposes(&self, stored: &[Purpose]) -> Option<String> {
        for p in stored {
            let Some((seq, chain)) = self.purposes.get(p.id.as_str()) else {
                return Some(format!("purpose {} is registered, and no ledger entry registers it", p.id));
            };
            let facts = PurposeFacts {
                legal_basis: p.legal_basis,
                direct_marketing: p.direct_marketing,
                professional: p.professional,
            };
            if &facts != chain {
                return Some(format!(
                    "purpose {} reads {} (direct marketing: {}, professional: {}), and its ledger entry {seq} \
                     says {} (direct marketing: {}, professional: {})",
                    p.id,
                    facts.legal_basis,
                    facts.direct_marketing,
                    facts.professional,
                    chain.legal_basis,
                    chain.direct_marketing,
                    chain.professional
                ));
            }
        }
        if stored.len() != self.purposes.len() {
            let missing = self.purposes.keys().find(|id| !stored.iter().any(|p| p.id.as_str() == id.as_str()));
            return Some(format!(
                "purpose {} is registered in the ledger, and missing from its table",
                missing.map_or("?", String::as_str)
            ));
        }
        None
    }

    fn compare_channels(&self, stored: &[DeclaredChannel]) -> Option<String> {
        for c in stored {
            match self.channels.get(c.name.as_str()) {
                None => return Some(format!("channel {} is declared, and no ledger entry declares it", c.name)),
                Some((seq, kind)) if *kind != c.kind => {
                    return Some(format!(
                        "channel {} reads {}, and its ledger entry {seq} declares it {kind}",
                        c.name, c.kind
                    ));
                }
                Some(_) => {}
            }
        }
        if stored.len() != self.channels.len() {
            let missing = self.channels.keys().find(|n| !stored.iter().any(|c| c.name.as_str() == n.as_str()));
            return Some(format!(
                "channel {} is declared in the ledger, and missing from its table",
                missing.map_or("?", String::as_str)
            ));
        }
        None
    }

    fn compare_subjects(&self, stored: &[Registered]) -> Option<String> {
        for (id, stored_regime, stored_at) in stored {
            let Some((regime, registered_at)) = self.subjects.get(id) else {
                return Some(format!("subject {id} is registered, and no ledger entry registers it"));
            };
            if regime.is_some_and(|r| r != *stored_regime) {
                return Some(format!(
                    "subject {id} has regime {stored_regime}, and the ledger registered it as {}",
                    regime.map_or("?", |r| r.as_str())
                ));
            }
            if registered_at.is_some_and(|at| at != *stored_at) {
                return Some(format!("subject {id}'s registration instant differs from its ledger entry"));
            }
        }
        if stored.len() != self.subjects.len() {
            let ids: std::collections::HashSet<&SubjectId> = stored.iter().map(|s| &s.0).collect();
            let missing = self.subjects.keys().find(|id| !ids.contains(id));
            return Some(format!(
                "subject {} is in the ledger, and missing from the registry",
                missing.map_or("?", SubjectId::as_str)
            ));
        }
        None
    }

    /// For every subject of the chain, compares the index's answer with the chain's latest
    /// decisive event over the subject's scopes (or its restriction), and whether a notice is
    /// still due.
    fn compare_index(&self, index: &Index) -> Result<Option<String>> {
        // Both lists are in the order of ids: walked side by side.
        let mut answers = index.answers.iter().peekable();
        for id in self.subjects.keys() {
            let expected = match (self.restrictions.get(id), self.events.get(id.as_str())) {
                (Some(&(_, seq, true)), _) => Found::Restricted(seq),
                (_, Some(&(_, seq, action))) => Found::Event(seq, action),
                _ => Found::NoEvent,
            };
            let information = match self.information.get(id.as_str()) {
                Some(fold) => fold.finish()?,
                None => None,
            };
            while answers.next_if(|(asked, _, _)| asked < id).is_some() {}
            let (found, found_information) = match answers.next_if(|(asked, _, _)| asked == id) {
                Some(&(_, found, information)) => (found, information),
                None => (Found::Missing, None),
            };
            if found != Found::Missing && found_information != information {
                return Ok(Some(format!(
                    "for subject {id}, the store answers {}, and the ledger says {}",
                    pending_words(found_information),
                    pending_words(information)
                )));
            }
            if found != expected {
                return Ok(Some(format!(
                    "for subject {id}, the store answers {}, and the ledger says {}",
                    found.describe(),
                    expected.describe()
                )));
            }
        }
        Ok(None)
    }
}

/// What the store answers for the registries and the decision index, read beside the chain so
/// that the two reads overlap. Read in another snapshot than the chain's: a disagreement is
/// checked again by a second pass (`Gdpr::verify_ledger`).
pub(crate) struct Answers {
    purposes: Vec<Purpose>,
    channels: Vec<DeclaredChannel>,
    subjects: Vec<Registered>,
    /// The scopes the index was asked over: every registered purpose and every channel, each
    /// also as "all" (`""`), which covers every scope an intact chain can hold.
    scopes: Vec<(String, String)>,
    index: Index,
}

impl Answers {
    /// Reads the tenant's registries and, for every registered subject, its decision facts.
    /// Stops early, with what it has, once `wanted` turns false.
    pub fn read(store: &dyn Store, tenant: &TenantId, wanted: &AtomicBool) -> Result<Self> {
        let purposes = store.purposes(tenant)?;
        let channels = store.channels(tenant)?;
        let subjects: Vec<Registered> =
            store.subjects(tenant)?.into_iter().map(|s| (s.id, s.regime, s.registered_at)).collect();
        let mut purpose_names = vec![String::new()];
        purpose_names.extend(purposes.iter().map(|p| p.id.as_str().to_owned()));
        let mut channel_names = vec![String::new()];
        channel_names
            .extend([Channel::Email, Channel::Sms, Channel::Phone, Channel::Post].map(|c| c.as_str().to_owned()));
        channel_names.extend(channels.iter().map(|c| c.name.as_str().to_owned()));
        channel_names.sort_unstable();
        channel_names.dedup();
        let scopes: Vec<(String, String)> =
            purpose_names.iter().flat_map(|p| channel_names.iter().map(move |c| (p.clone(), c.clone()))).collect();
        let ids = subjects.iter().map(|s| s.0.clone()).collect();
        let index = Index::read(store, tenant, &scopes, ids, Some(wanted))?;
        Ok(Self { purposes, channels, subjects, scopes, index })
    }
}

/// A registered subject: its id, regime and registration instant.
type Registered = (SubjectId, Regime, DateTime<Utc>);

/// The decision index's answer for each subject, in the order of ids, in a few bytes each.
struct Index {
    answers: Vec<(SubjectId, Found, Option<PendingInformation>)>,
}

impl Index {
    /// Asks `store` for the facts over `scopes` of `ids`, in pages of ids in order. With
    /// `wanted`, stops once it turns false.
    fn read(
        store: &dyn Store,
        tenant: &TenantId,
        scopes: &[(String, String)],
        mut ids: Vec<SubjectId>,
        wanted: Option<&AtomicBool>,
    ) -> Result<Self> {
        let mut asked = Vec::with_capacity(scopes.len());
        for (purpose, channel) in scopes {
            asked.push(Scope {
                purpose: (!purpose.is_empty()).then(|| PurposeId::new(purpose.as_str())).transpose()?,
                channel: (!channel.is_empty()).then(|| channel.parse()).transpose()?,
            });
        }
        ids.sort_unstable();
        let mut answers = Vec::with_capacity(ids.len());
        for page in ids.chunks(BATCH) {
            if wanted.is_some_and(|w| !w.load(Ordering::Relaxed)) {
                break;
            }
            let facts = store.decision_facts(tenant, page, &asked, far_end())?;
            for (id, found) in page.iter().zip(facts) {
                answers.push(match found {
                    None => (id.clone(), Found::Missing, None),
                    Some(f) => (id.clone(), Found::of(&f.deciding), f.information),
                });
            }
        }
        Ok(Self { answers })
    }
}

/// What decides for a subject, as the chain says it or as the index answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Restricted(u64),
    Event(u64, ConsentAction),
    NoEvent,
    /// The index knows no such subject.
    Missing,
}

impl Found {
    fn of(deciding: &DecidingFacts) -> Self {
        match deciding {
            DecidingFacts::Restricted { seq, .. } => Found::Restricted(*seq),
            DecidingFacts::Event(e) => Found::Event(e.seq, e.action),
            DecidingFacts::NoEvent { .. } => Found::NoEvent,
        }
    }

    fn describe(self) -> String {
        match self {
            Found::Restricted(seq) => format!("restricted by entry {seq}"),
            Found::Event(seq, action) => format!("{action} in entry {seq}"),
            Found::NoEvent => "no event".into(),
            Found::Missing => "no such subject".into(),
        }
    }
}

/// Every event and restriction, at any instant: the far end of the accepted range.
fn far_end() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(7_258_118_399, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn pending_words(p: Option<PendingInformation>) -> String {
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
