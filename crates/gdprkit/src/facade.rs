//! [`Gdpr`]: the one entry point that wires a store, a clock and a tenant.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::anonymize::map::DataMap;
use crate::anonymize::operators::Secrets;
use crate::builder::{GdprBuilder, HmacKey};
use crate::channel::{ChannelKind, DeclaredChannel};
use crate::consent::{Collector, ConsentAction, ConsentEvent, NewConsent, Proof};
use crate::crm::CrmData;
use crate::decision::{Decision, Scope, SubjectFacts};
use crate::error::{Error, Result};
use crate::export::render::Renderer;
use crate::ids::{Channel, PurposeId, SubjectId, TenantId};
use crate::journal::ErasureJournal;
use crate::mailer::Mailer;
use crate::phone::PhoneCountry;
use crate::purpose::Purpose;
use crate::raw::bodies::{ChannelBody, ConsentBody, PurposeBody, SubjectBody, value};
use crate::raw::ledger::{
    EntryKind, FactAction, InformationFact, NewEntry, OwnedFact, PersonalValues, StoredEntry, Verification, body_json,
    decode_personal,
};
use crate::raw::store::{Append, Effect, Store};
use crate::request::calendar::HolidayCalendar;
use crate::request::deadline::ControllerZone;
use crate::request::notice::Controller;
use crate::request::objection::{PendingObjection, pending_at};
use crate::subject::{NewSubject, Subject};
use crate::time::{self, Clock};

/// The most events [`Gdpr::record_consents`] takes in one call.
pub const MAX_BATCH: usize = 100_000;

/// gdprkit for one tenant: every capability as a method, on the parts given once to
/// [`Gdpr::builder`]. Cloning is cheap and clones share everything; a `Gdpr` can be used from
/// several threads at once.
///
/// ```
/// use std::sync::Arc;
/// use gdprkit::{Channel, ConsentAction, Gdpr, LegalBasis, MemoryStore, NewConsent, NewSubject,
///               Purpose, PurposeId, Regime, SubjectId};
///
/// let gdpr = Gdpr::builder(Arc::new(MemoryStore::new())).build()?;
/// // Marketing on the controller's legitimate interests, to a professional contact: allowed by
/// // e-mail until they opt out (CNIL's B2B rule).
/// let offers = PurposeId::new("offers")?;
/// gdpr.add_purpose(Purpose::new(offers.clone(), LegalBasis::LegitimateInterests, true))?;
/// let jean = SubjectId::new("contact-1")?;
/// gdpr.add_subject(NewSubject::new(jean.clone(), Regime::B2bOptOut))?;
/// assert!(gdpr.decide(&jean, &offers, &Channel::Email, None)?.allowed);
///
/// gdpr.record_consent(NewConsent::new(jean.clone(), ConsentAction::OptOut, offers.clone(), Channel::Email))?;
/// assert!(!gdpr.decide(&jean, &offers, &Channel::Email, None)?.allowed);
/// assert!(gdpr.verify_ledger()?.is_intact());
/// # Ok::<(), gdprkit::Error>(())
/// ```
#[derive(Clone)]
pub struct Gdpr {
    pub(crate) parts: Parts,
    /// Purposes already read. A purpose never changes once registered, so this never goes stale.
    purposes: Arc<RwLock<HashMap<PurposeId, Purpose>>>,
    /// Custom channels found declared. A declaration never changes, so this never goes stale;
    /// channels not found are read again, as they may be declared since.
    channels: Arc<RwLock<HashMap<Channel, ChannelKind>>>,
}

// Everything a `Gdpr` holds can be shared between threads, so a call can run off a host's main
// thread (Python's `detach`, a napi task, `spawn_blocking`).
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Gdpr>();
    send_and_sync::<GdprBuilder>();
};

impl std::fmt::Debug for Gdpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.parts;
        f.debug_struct("Gdpr")
            .field("tenant", &p.tenant)
            .field("zone", &p.zone)
            .field("calendar", &p.calendar.name())
            .field("mailer", &p.mailer.is_some())
            .field("renderer", &p.renderer.is_some())
            .field("crm", &p.crm.is_some())
            .field("data_map", &p.data_map.is_some())
            .field("hmac_key", &p.hmac_key.is_some())
            .field("journal", &p.journal.is_some())
            .finish_non_exhaustive()
    }
}

/// What [`GdprBuilder`] gathers and a [`Gdpr`] works with.
#[derive(Clone)]
pub(crate) struct Parts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub tenant: TenantId,
    pub calendar: Arc<dyn HolidayCalendar>,
    pub zone: ControllerZone,
    pub mailer: Option<Arc<dyn Mailer>>,
    pub controller: Controller,
    pub renderer: Option<Arc<dyn Renderer>>,
    pub crm: Option<Arc<dyn CrmData>>,
    pub data_map: Option<Arc<DataMap>>,
    pub hmac_key: Option<HmacKey>,
    pub journal: Option<Arc<dyn ErasureJournal>>,
    pub phone_country: PhoneCountry,
    pub download_days: u32,
}

impl Gdpr {
    /// Starts wiring gdprkit over `store`, where it keeps its own records.
    pub fn builder(store: Arc<dyn Store>) -> GdprBuilder {
        GdprBuilder::new(store)
    }

    /// A builder holding this instance's parts, to build another that differs in some: another
    /// tenant over the same store, the same setup with a mailer.
    pub fn to_builder(&self) -> GdprBuilder {
        GdprBuilder::from_parts(self.parts.clone())
    }

    pub(crate) fn from_parts(parts: Parts) -> Self {
        Self { parts, purposes: Default::default(), channels: Default::default() }
    }

    /// The tenant this instance works for.
    pub fn tenant(&self) -> &TenantId {
        &self.parts.tenant
    }

    /// The store this instance works on.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.parts.store
    }

    /// The controller that notices and exports name.
    pub fn controller(&self) -> &Controller {
        &self.parts.controller
    }

    /// The same gdprkit (store, tenant, settings, mailer, CRM data: all shared) reading the time
    /// from `clock`. Cheap: a binding whose host language has its own clock reads it once per
    /// call and calls through a copy stopped at that instant.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Gdpr {
        let mut copy = self.clone();
        copy.parts.clock = clock;
        copy
    }

    /// The instant the clock reads now, to the microsecond that records keep.
    pub fn now(&self) -> DateTime<Utc> {
        time::truncate(self.parts.clock.now())
    }

    /// The CRM's data and the data map, or a `config` error saying how to provide them.
    pub(crate) fn crm_data(&self) -> Result<(&dyn CrmData, &DataMap)> {
        match (&self.parts.crm, &self.parts.data_map) {
            (Some(crm), Some(map)) => Ok((crm.as_ref(), map)),
            (None, _) => Err(Error::config(
                "crm",
                "this needs the CRM's own tables, and none are configured: set crm (the CRM's database) with data_map",
            )),
            (Some(_), None) => Err(Error::config(
                "data_map",
                "this needs the data map, and none is configured: set data_map (a file or a table)",
            )),
        }
    }

    /// The secrets of the field operators: `salt` for `hash`, and the configured HMAC key.
    pub(crate) fn secrets<'a>(&'a self, salt: &'a [u8]) -> Secrets<'a> {
        Secrets { salt, hmac_key: self.parts.hmac_key.as_ref().map(HmacKey::as_bytes) }
    }

    /// Registers a purpose (rule C7). Fails when its id is taken.
    pub fn add_purpose(&self, purpose: Purpose) -> Result<()> {
        purpose.validate()?;
        let body = PurposeBody {
            recorded_at: time::format(self.now()),
            id: purpose.id.as_str(),
            label: &purpose.label,
            legal_basis: purpose.legal_basis,
            direct_marketing: purpose.direct_marketing,
            professional: purpose.professional,
        };
        let entry = NewEntry::new(EntryKind::Purpose, body_json(&body)?, &PersonalValues::new());
        self.parts.store.append(&self.parts.tenant, &[Append { entry, effect: Some(Effect::Purpose(purpose)) }])?;
        Ok(())
    }

    /// The purpose with this id, or [`Error::UnknownPurpose`].
    pub fn purpose(&self, id: &PurposeId) -> Result<Purpose> {
        if let Some(p) = self.purposes.read().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Ok(p.clone());
        }
        let p =
            self.parts.store.purpose(&self.parts.tenant, id)?.ok_or_else(|| Error::UnknownPurpose(id.to_string()))?;
        self.purposes.write().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), p.clone());
        Ok(p)
    }

    /// Every purpose, ordered by id.
    pub fn purposes(&self) -> Result<Vec<Purpose>> {
        self.parts.store.purposes(&self.parts.tenant)
    }

    /// Declares a custom channel's kind, which decides the rules for direct marketing on it
    /// (rule C4): `electronic` for automated calls, messaging apps and the like. Fails when the
    /// channel is built in or already declared. A custom channel never declared is taken as
    /// electronic.
    pub fn add_channel(&self, channel: DeclaredChannel) -> Result<()> {
        channel.validate()?;
        let body = ChannelBody {
            recorded_at: time::format(self.now()),
            name: channel.name.as_str(),
            channel_kind: channel.kind,
        };
        let entry = NewEntry::new(EntryKind::Channel, body_json(&body)?, &PersonalValues::new());
        self.parts.store.append(&self.parts.tenant, &[Append { entry, effect: Some(Effect::Channel(channel)) }])?;
        Ok(())
    }

    /// Every custom channel declared, ordered by name.
    pub fn channels(&self) -> Result<Vec<DeclaredChannel>> {
        self.parts.store.channels(&self.parts.tenant)
    }

    /// The kind of `channel`: fixed for the built-in ones, declared for custom ones, electronic
    /// for a custom channel never declared.
    pub fn channel_kind(&self, channel: &Channel) -> Result<ChannelKind> {
        if let Some(kind) = ChannelKind::of_builtin(channel) {
            return Ok(kind);
        }
        if let Some(kind) = self.channels.read().unwrap_or_else(|e| e.into_inner()).get(channel) {
            return Ok(*kind);
        }
        let declared = self.channels()?;
        let mut cache = self.channels.write().unwrap_or_else(|e| e.into_inner());
        for c in declared {
            cache.insert(c.name, c.kind);
        }
        Ok(cache.get(channel).copied().unwrap_or(ChannelKind::Electronic))
    }

    /// Registers a subject with its regime. Fails when its id is taken.
    pub fn add_subject(&self, new: NewSubject) -> Result<Subject> {
        self.add_subjects(vec![new]).map(|mut v| v.remove(0))
    }

    /// Registers several subjects in one transaction: all of them, or none when one fails.
    ///
    /// A subject whose e-mail address or phone number is on the suppression list (an erased
    /// person with the same address or number opted out of or objected to direct marketing)
    /// inherits those denials, recorded at its registration (rule C9); decisions then say so.
    /// That needs the tenant's HMAC key: without one, a subject with an address or number is
    /// refused (a `config` error) once the list holds anything.
    pub fn add_subjects(&self, new: Vec<NewSubject>) -> Result<Vec<Subject>> {
        check_batch(new.len())?;
        let now = self.now();
        let mut appends = Vec::with_capacity(new.len());
        let mut subjects = Vec::with_capacity(new.len());
        let mut keyed: Vec<(SubjectId, [u8; 32])> = Vec::new();
        // Whether the suppression list holds anything, read once and only when needed.
        let mut list_in_use: Option<bool> = None;
        for n in new {
            let phone = n.validate(self.parts.phone_country)?;
            if let Some(origin) = &n.origin {
                origin.check(now)?;
            }
            let origin = n.origin.as_ref();
            let body = SubjectBody {
                recorded_at: time::format(now),
                regime: n.regime,
                language: n.language,
                source: origin.map(|o| o.source),
                obtained_at: origin.and_then(|o| o.obtained_at).map(time::format),
            };
            let mut personal = PersonalValues::new();
            personal.add_opt(value::EMAIL, n.email.as_deref())?;
            personal.add_opt(value::PHONE, phone.as_deref())?;
            personal.add_opt(value::SOURCE_REF, origin.and_then(|o| o.reference.as_deref()))?;
            // Indexed with the subject's facts, so that a decision knows a notice is due.
            let fact = origin.map(|o| {
                let what =
                    if o.source.is_other_source() { InformationFact::Obtained } else { InformationFact::Collected };
                OwnedFact::information(what, o.obtained_at.unwrap_or(now))
            });
            let entry = NewEntry::about(EntryKind::Subject, n.id.clone(), fact, body_json(&body)?, personal)?;
            // A notice given at collection is recorded with the subject, not as a second step.
            let informed = match origin.and_then(|o| o.notice.as_ref().map(|notice| (o, notice))) {
                Some((o, notice)) => Some(crate::information::give::informed_entry(
                    &n.id,
                    notice,
                    crate::information::InformedVia::AtCollection,
                    o.obtained_at.unwrap_or(now),
                    now,
                )?),
                None => None,
            };
            match self.identifier_keys(n.email.as_deref(), phone.as_deref())? {
                Some(keys) => keyed.extend(keys.into_iter().map(|(_, key)| (n.id.clone(), key))),
                // Without the key the list cannot be read: refused while it holds anything.
                None => {
                    let in_use = match list_in_use {
                        Some(in_use) => in_use,
                        None => {
                            *list_in_use.insert(!self.parts.store.suppressions(&self.parts.tenant, None)?.is_empty())
                        }
                    };
                    if in_use {
                        return Err(Error::config(
                            "hmac_key",
                            format!(
                                "{} has an e-mail address or phone number, and checking it against the \
                                 suppression list (rule C9) needs the HMAC key: set hmac_key (GDPRKIT_HMAC_KEY)",
                                n.id
                            ),
                        ));
                    }
                }
            }
            let subject =
                Subject { id: n.id, regime: n.regime, email: n.email, language: n.language, phone, registered_at: now };
            appends.push(Append { entry, effect: Some(Effect::Subject(subject.clone())) });
            appends.extend(informed);
            subjects.push(subject);
        }
        appends.extend(self.inherited_denials(&keyed, now)?);
        self.parts.store.append(&self.parts.tenant, &appends)?;
        Ok(subjects)
    }

    /// The denials the suppression list passes on to new subjects with these keyed hashes, as
    /// consent entries at `now`: one per subject and scope, an objection over an opt-out.
    fn inherited_denials(&self, keyed: &[(SubjectId, [u8; 32])], now: DateTime<Utc>) -> Result<Vec<Append>> {
        if keyed.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<[u8; 32]> = keyed.iter().map(|(_, k)| *k).collect();
        let found = self.parts.store.suppressions(&self.parts.tenant, Some(&keys))?;
        let mut denials: std::collections::BTreeMap<(SubjectId, String, String), FactAction> = Default::default();
        for (subject, key) in keyed {
            for e in found.iter().filter(|e| &e.key == key) {
                let action = match e.action {
                    ConsentAction::Object => FactAction::InheritedObject,
                    _ => FactAction::InheritedOptOut,
                };
                let scope = (
                    subject.clone(),
                    e.purpose.as_ref().map_or_else(String::new, |p| p.to_string()),
                    e.channel.as_ref().map_or_else(String::new, |c| c.to_string()),
                );
                let slot = denials.entry(scope).or_insert(action);
                if action == FactAction::InheritedObject {
                    *slot = action;
                }
            }
        }
        let body = ConsentBody {
            recorded_at: time::format(now),
            carried_from: None,
            source: Some(crate::consent::Source::SuppressionList),
            collector: None,
            notice_version: None,
            notice_sha256: None,
        };
        let body = body_json(&body)?;
        denials
            .into_iter()
            .map(|((subject, purpose, channel), action)| {
                let fact = OwnedFact { purpose, channel, action, occurred_at: time::to_micros(now) };
                let entry =
                    NewEntry::about(EntryKind::Consent, subject, Some(fact), body.clone(), PersonalValues::new())?;
                Ok(Append { entry, effect: None })
            })
            .collect()
    }

    /// The subject with this id, or [`Error::UnknownSubject`].
    pub fn subject(&self, id: &SubjectId) -> Result<Subject> {
        self.parts.store.subject(&self.parts.tenant, id)?.ok_or_else(|| Error::UnknownSubject(id.to_string()))
    }

    /// Records one consent event and returns it as the history will show it.
    pub fn record_consent(&self, mut consent: NewConsent) -> Result<ConsentEvent> {
        let now = self.now();
        let informed = self.informed_with(&mut consent, now)?;
        let (append, event) = self.prepare_consent(consent, now, None, &mut HashSet::new(), &mut HashSet::new())?;
        let appends: Vec<Append> = std::iter::once(append).chain(informed).collect();
        let seqs = self.parts.store.append(&self.parts.tenant, &appends)?;
        Ok(ConsentEvent { seq: seqs[0], ..event })
    }

    /// The `informed` entry for the notice given with an opt-in (Art. 13), taken out of it.
    fn informed_with(&self, consent: &mut NewConsent, now: DateTime<Utc>) -> Result<Option<Append>> {
        let Some(notice) = consent.information.take() else { return Ok(None) };
        if consent.action != ConsentAction::OptIn {
            return Err(Error::invalid(
                "information",
                "the information notice is recorded with an opt-in collected from the person; give it with inform otherwise",
            ));
        }
        notice.check()?;
        let at = consent.occurred_at.unwrap_or(now);
        let entry = crate::information::give::informed_entry(
            &consent.subject,
            &notice,
            crate::information::InformedVia::AtCollection,
            at,
            now,
        )?;
        Ok(Some(entry))
    }

    /// Records several consent events in one transaction: all of them, or none when one is
    /// refused. Returns their ledger entry numbers.
    pub fn record_consents(&self, consents: Vec<NewConsent>) -> Result<Vec<u64>> {
        check_batch(consents.len())?;
        let now = self.now();
        let (mut subjects, mut purposes) = (HashSet::new(), HashSet::new());
        let mut appends = Vec::with_capacity(consents.len());
        let mut informed = Vec::new();
        for mut c in consents {
            informed.extend(self.informed_with(&mut c, now)?);
            appends.push(self.prepare_consent(c, now, None, &mut subjects, &mut purposes)?.0);
        }
        let count = appends.len();
        appends.extend(informed);
        let mut seqs = self.parts.store.append(&self.parts.tenant, &appends)?;
        // The consent events' numbers; the notices recorded with them come after.
        seqs.truncate(count);
        Ok(seqs)
    }

    pub(crate) fn prepare_consent(
        &self,
        mut c: NewConsent,
        now: DateTime<Utc>,
        carried_from: Option<u64>,
        known_subjects: &mut HashSet<SubjectId>,
        known_purposes: &mut HashSet<PurposeId>,
    ) -> Result<(Append, ConsentEvent)> {
        c.validate(now)?;
        if !known_subjects.contains(&c.subject) {
            self.subject(&c.subject)?;
            known_subjects.insert(c.subject.clone());
        }
        if let Some(p) = &c.purpose
            && !known_purposes.contains(p)
        {
            self.purpose(p)?;
            known_purposes.insert(p.clone());
        }
        let occurred_at = c.occurred_at.unwrap_or(now);
        let fact = OwnedFact {
            purpose: c.purpose.as_ref().map_or_else(String::new, |p| p.to_string()),
            channel: c.channel.as_ref().map_or_else(String::new, |ch| ch.to_string()),
            action: FactAction::Consent(c.action),
            occurred_at: time::to_micros(occurred_at),
        };
        let body = ConsentBody {
            recorded_at: time::format(now),
            carried_from,
            source: c.proof.source,
            collector: c.proof.collected_by.as_ref().map(|k| k.kind().to_owned()),
            notice_version: c.proof.notice_version.clone(),
            notice_sha256: c.proof.notice_sha256.clone(),
        };
        let mut personal = PersonalValues::new();
        personal.add_opt(value::COLLECTED_BY, c.proof.collected_by.as_ref().and_then(Collector::name))?;
        personal.add_opt(value::IP, c.proof.ip.as_deref())?;
        personal.add_opt(value::USER_AGENT, c.proof.user_agent.as_deref())?;
        personal.add_opt(value::PROOF_REF, c.proof.proof_ref.as_deref())?;
        let entry = NewEntry::about(EntryKind::Consent, c.subject.clone(), Some(fact), body_json(&body)?, personal)?;
        let append = Append { entry, effect: None };
        let event = ConsentEvent {
            seq: 0,
            subject: Some(c.subject),
            action: c.action,
            purpose: c.purpose,
            channel: c.channel,
            occurred_at,
            recorded_at: now,
            proof: c.proof,
        };
        Ok((append, event))
    }

    /// Whether `subject` may be contacted for `purpose` on `channel` at `at` (now when `None`),
    /// and why (rules C4, C5): the latest opt-in, opt-out, withdrawal or objection that applies,
    /// else a restriction, else the row of the default rule table ([`crate::rules`]) for the
    /// purpose's legal basis, the subject's regime and the channel's kind.
    ///
    /// When contact is allowed with a person whose data came from another source and who was not
    /// yet told, [`Decision::information`] names the notice the message must carry (Art.
    /// 14(3)(b), rule I2).
    pub fn decide(
        &self,
        subject: &SubjectId,
        purpose: &PurposeId,
        channel: &Channel,
        at: Option<DateTime<Utc>>,
    ) -> Result<Decision> {
        let mut decision = self.decide_many(std::slice::from_ref(subject), purpose, channel, at)?.remove(0);
        if let Some(carry) = decision.information.as_mut() {
            self.name_notice(subject, carry)?;
        }
        Ok(decision)
    }

    /// The same decision for a whole list of subjects, in the order given, in one call: the
    /// filter for a campaign send. A decision that allows contact with a person who must still be
    /// told says so in [`Decision::information`], without naming the notice's version. Fails
    /// with [`Error::UnknownSubject`] naming the first unknown subject.
    pub fn decide_many(
        &self,
        subjects: &[SubjectId],
        purpose: &PurposeId,
        channel: &Channel,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<Decision>> {
        let purpose = self.purpose(purpose)?;
        let kind = self.channel_kind(channel)?;
        let at = at.map_or_else(|| self.now(), time::truncate);
        // Objections under Art. 21(1) being assessed restrict their purposes (R11). They are
        // requests, few beside the subjects: read once per call.
        let requests = match subjects {
            _ if !purpose.objectable_on_situation() => Vec::new(),
            [one] => self.parts.store.subject_requests(&self.parts.tenant, one)?,
            _ => self.parts.store.requests(&self.parts.tenant)?,
        };
        let question = Question { purpose: &purpose, kind, channel, at, objections: &Objections::of(&requests) };
        let facts = self.parts.store.decision_facts(&self.parts.tenant, subjects, &question.scopes(), at)?;
        subjects
            .iter()
            .zip(facts)
            .map(|(id, facts)| {
                self.decide_one(&question, id.clone(), facts)?.ok_or_else(|| Error::UnknownSubject(id.to_string()))
            })
            .collect()
    }

    /// The decision for one subject given its facts as the store read them (`None` for a subject
    /// the store does not hold): [`Gdpr::decide_many`]'s, and a campaign's for each subject of
    /// its pages.
    pub(crate) fn decide_one(
        &self,
        question: &Question<'_>,
        id: SubjectId,
        facts: Option<SubjectFacts>,
    ) -> Result<Option<Decision>> {
        let Some(facts) = facts else { return Ok(None) };
        let Question { purpose, kind, channel, at, objections } = *question;
        let pending = facts.information;
        let objection = objections.pending(&id, &purpose.id, at);
        let mut d = Decision::from_facts(id, purpose, channel.clone(), kind, at, facts);
        if let Some(p) = objection {
            d = d.restricted_by(p);
        }
        // Art. 13(1), 14(3)(b): a message to a person who must still be told carries the notice.
        if let Some(pending) = pending.filter(|_| d.allowed) {
            d.information = Some(self.notice_to_carry(&pending, at)?);
        }
        Ok(Some(d))
    }

    /// Every consent event of a subject, oldest first (by when it happened, then by when it was
    /// recorded), with both dates and its proof (rule C2).
    pub fn history(&self, subject: &SubjectId) -> Result<Vec<ConsentEvent>> {
        self.history_visiting(subject, &mut |_| {})
    }

    /// [`Gdpr::history`], showing `also` every entry about the subject on the same read (the
    /// export folds the information entries from it).
    pub(crate) fn history_visiting(
        &self,
        subject: &SubjectId,
        also: &mut dyn FnMut(&StoredEntry<'_>),
    ) -> Result<Vec<ConsentEvent>> {
        self.subject(subject)?;
        let mut events = Vec::new();
        self.parts.store.subject_entries(&self.parts.tenant, subject, &mut |e| {
            also(e);
            if e.kind == EntryKind::Consent.as_str() {
                events.push(consent_event(e)?);
            }
            Ok(())
        })?;
        events.sort_by_key(|e| (e.occurred_at, e.seq));
        Ok(events)
    }

    /// Verifies the tenant's whole chain, one entry at a time (rule C8).
    ///
    /// Then, on an intact chain, rebuilds from it what the store derives (the purposes and
    /// subjects registries, the decision index) and compares: a registry row or index row edited
    /// or deleted outside gdprkit, which would change decisions, gives
    /// [`Verification::Disagrees`].
    pub fn verify_ledger(&self) -> Result<Verification> {
        self.verify_with(&mut |_| {})
    }

    /// [`Gdpr::verify_ledger`], telling `progress` the number of each entry it checks, for a
    /// progress bar over a long chain.
    pub fn verify_ledger_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<Verification> {
        self.verify_with(&mut |e| progress(e.seq))
    }

    /// [`Gdpr::verify_ledger`], showing every entry to `also` as it goes.
    pub(crate) fn verify_with(&self, also: &mut dyn FnMut(&StoredEntry<'_>)) -> Result<Verification> {
        let verification = self.verify_once(also)?;
        if matches!(verification, Verification::Disagrees { .. }) {
            // The registries are read after the chain: a subject or purpose registered in
            // between disagrees without anything being wrong. A second pass sees it in the chain.
            return self.verify_once(also);
        }
        Ok(verification)
    }

    fn verify_once(&self, also: &mut dyn FnMut(&StoredEntry<'_>)) -> Result<Verification> {
        let _span = tracing::info_span!("verify", tenant = %self.parts.tenant).entered();
        let (store, tenant) = (self.parts.store.as_ref(), &self.parts.tenant);
        // The store's registries and index are read beside the chain, on a thread of their own.
        let (scanned, answers) = crate::verify::scan_beside(store, tenant, also);
        let crate::verify::Scanned { verifier, model, head } = scanned?;
        let verification = verifier.finish(head);
        if !verification.is_intact() {
            tracing::warn!(tenant = %self.parts.tenant, ?verification, "ledger verification failed");
            return Ok(verification);
        }
        let verification = match model.compare(&answers?, store, tenant)? {
            Some((table, reason)) => Verification::Disagrees { table, reason },
            None => verification,
        };
        match &verification {
            Verification::Intact { entries } => {
                tracing::info!(tenant = %self.parts.tenant, entries, "ledger verified");
            }
            other => tracing::warn!(tenant = %self.parts.tenant, verification = ?other, "ledger verification failed"),
        }
        Ok(verification)
    }
}

/// What decisions are asked for: the purpose, the channel and its kind, the instant, and the
/// objections being assessed.
#[derive(Clone, Copy)]
pub(crate) struct Question<'a> {
    pub(crate) purpose: &'a Purpose,
    pub(crate) kind: ChannelKind,
    pub(crate) channel: &'a Channel,
    pub(crate) at: DateTime<Utc>,
    pub(crate) objections: &'a Objections<'a>,
}

impl Question<'_> {
    /// The scopes whose events decide: the purpose and channel asked, then the wider ones.
    pub(crate) fn scopes(&self) -> Vec<Scope> {
        Scope::covering(self.purpose, self.channel)
    }
}

/// The objection requests of a tenant by subject, for decisions (R11).
pub(crate) struct Objections<'a>(HashMap<&'a SubjectId, Vec<&'a crate::Request>>);

impl<'a> Objections<'a> {
    /// The objection requests among `requests`.
    pub(crate) fn of(requests: &'a [crate::Request]) -> Self {
        let mut by_subject: HashMap<&SubjectId, Vec<&crate::Request>> = HashMap::new();
        for r in requests.iter().filter(|r| r.kind == crate::RequestKind::Objection) {
            by_subject.entry(&r.subject).or_default().push(r);
        }
        Self(by_subject)
    }

    /// The subject's objection to `purpose` being assessed at `at`, if any.
    fn pending(&self, subject: &SubjectId, purpose: &PurposeId, at: DateTime<Utc>) -> Option<PendingObjection> {
        // Most tenants have none: no id hashed per decision then.
        if self.0.is_empty() {
            return None;
        }
        self.0.get(subject).and_then(|rs| pending_at(rs.iter().copied(), purpose, at))
    }
}

fn check_batch(len: usize) -> Result<()> {
    if len == 0 {
        return Err(Error::invalid("batch", "is empty"));
    }
    if len > MAX_BATCH {
        return Err(Error::invalid("batch", format!("holds {len} items, the limit is {MAX_BATCH}")));
    }
    Ok(())
}

fn consent_event(e: &StoredEntry<'_>) -> Result<ConsentEvent> {
    let body: ConsentBody = serde_json::from_str(e.body)
        .map_err(|err| Error::Corrupt(format!("ledger entry {} has an unreadable body: {err}", e.seq)))?;
    let fact =
        e.fact.ok_or_else(|| Error::Corrupt(format!("ledger entry {} is a consent event without its fact", e.seq)))?;
    let corrupt = |what: &str| Error::Corrupt(format!("ledger entry {} has an unreadable {what}", e.seq));
    let (action, _) =
        FactAction::from_name(fact.action).and_then(FactAction::consent).ok_or_else(|| corrupt("action"))?;
    let purpose =
        (!fact.purpose.is_empty()).then(|| fact.purpose.parse()).transpose().map_err(|_| corrupt("purpose"))?;
    let channel =
        (!fact.channel.is_empty()).then(|| fact.channel.parse()).transpose().map_err(|_| corrupt("channel"))?;
    let mut subject = None;
    let (mut collector_name, mut ip, mut user_agent, mut proof_ref) = (None, None, None, None);
    if let Some(bytes) = e.personal {
        let values = decode_personal(bytes).map_err(|err| Error::Corrupt(format!("ledger entry {}: {err}", e.seq)))?;
        for v in values {
            let value = Some(v.value.to_owned());
            match v.name {
                value::SUBJECT => subject = Some(SubjectId::new(v.value)?),
                value::COLLECTED_BY => collector_name = value,
                value::IP => ip = value,
                value::USER_AGENT => user_agent = value,
                value::PROOF_REF => proof_ref = value,
                _ => {}
            }
        }
    }
    let collected_by = body.collector.as_deref().map(|k| Collector::from_parts(k, collector_name)).transpose()?;
    Ok(ConsentEvent {
        seq: e.seq,
        subject,
        action,
        purpose,
        channel,
        occurred_at: time::from_micros(fact.occurred_at)?,
        recorded_at: parse_stored(e.seq, &body.recorded_at)?,
        proof: Proof {
            source: body.source,
            collected_by,
            notice_version: body.notice_version,
            notice_sha256: body.notice_sha256,
            ip,
            user_agent,
            proof_ref,
        },
    })
}

fn parse_stored(seq: u64, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Corrupt(format!("ledger entry {seq} has an unreadable instant {s:?}: {e}")))
}
