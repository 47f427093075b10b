//! An in-memory store, for tests, dry runs and embedding without a database.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::channel::DeclaredChannel;
use crate::consent::ConsentAction;
use crate::decision::{DecidingFacts, EventRef, InformationFold, Scope, SubjectFacts};
use crate::error::{Error, Result};
use crate::ids::{PurposeId, SubjectId, TenantId};
use crate::mailer::Message;
use crate::outbox::{Attempt, OutboxFilter, OutboxItem, OutboxState};
use crate::purpose::Purpose;
use crate::raw::ledger::{FactAction, GENESIS, InformationFact, OwnedFact, StoredEntry};
use crate::raw::store::{Append, Effect, Head, Store};
use crate::request::recipients::{Disclosure, RecipientTask, TaskStatus};
use crate::request::record::{Request, RequestId};
use crate::request::submission::Submission;
use crate::subject::Subject;
use crate::suppression::SuppressionEntry;

struct Entry {
    seq: u64,
    prev_hash: [u8; 32],
    hash: [u8; 32],
    kind: &'static str,
    subject: Option<SubjectId>,
    fact: Option<OwnedFact>,
    body: String,
    commitments: Vec<u8>,
    personal: Option<Vec<u8>>,
}

impl Entry {
    fn stored(&self) -> StoredEntry<'_> {
        StoredEntry {
            seq: self.seq,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
            kind: self.kind,
            subject: self.subject.as_ref().map(SubjectId::as_str),
            fact: self.fact.as_ref().map(OwnedFact::as_ref),
            body: &self.body,
            commitments: &self.commitments,
            personal: self.personal.as_deref(),
        }
    }
}

/// A suppression list entry's key: its keyed hash and scope.
type SuppressionKey = ([u8; 32], Option<PurposeId>, Option<crate::Channel>);

#[derive(Default)]
struct TenantData {
    entries: Vec<Entry>,
    purposes: BTreeMap<PurposeId, Purpose>,
    channels: BTreeMap<String, DeclaredChannel>,
    settings: Option<crate::settings::TenantSettings>,
    subjects: HashMap<SubjectId, Subject>,
    /// Entry numbers naming each subject, in order.
    subject_seqs: HashMap<SubjectId, Vec<u64>>,
    /// Decisive consent events and soft opt-in offers per subject and scope, in entry order.
    events: HashMap<(SubjectId, Scope), Vec<EventRef>>,
    /// Restrictions per subject: (when, entry number, whether it restricts or lifts).
    restrictions: HashMap<SubjectId, Vec<(DateTime<Utc>, u64, bool)>>,
    /// Information facts per subject: (when, in microseconds, entry number, what).
    information: HashMap<SubjectId, Vec<(i64, u64, InformationFact)>>,
    /// Requests and the SHA-256 of their tracking tokens.
    requests: BTreeMap<RequestId, (Request, [u8; 32])>,
    /// Disclosures, oldest first.
    disclosures: Vec<Disclosure>,
    /// Recipient tasks by request and recipient.
    tasks: BTreeMap<(RequestId, String), RecipientTask>,
    /// The outbox by id, each message with its content until delivered.
    outbox: BTreeMap<u64, (OutboxItem, Option<Message>)>,
    /// The suppression list, by key and scope.
    suppressions: BTreeMap<SuppressionKey, SuppressionEntry>,
    /// Submissions by the SHA-256 of their code: the content while pending, `None` once
    /// confirmed or expired.
    submissions: HashMap<[u8; 32], Option<Submission>>,
}

impl TenantData {
    /// [`Effect::EraseSubject`]: the listed entries still about the subject lose their values and
    /// subject, the subject its e-mail address and phone number; the suppression list gains
    /// `suppress` (an objection wins over an opt-out of the same key and scope).
    fn erase(&mut self, subject: &SubjectId, entries: &[u64], suppress: &[SuppressionEntry]) {
        for e in suppress {
            let slot =
                self.suppressions.entry((e.key, e.purpose.clone(), e.channel.clone())).or_insert_with(|| e.clone());
            if e.action == ConsentAction::Object && slot.action != ConsentAction::Object {
                (slot.action, slot.denied_at) = (e.action, e.denied_at);
            }
            slot.erased_at = slot.erased_at.max(e.erased_at);
            slot.keep_until = slot.keep_until.max(e.keep_until);
        }
        let listed: std::collections::HashSet<u64> = entries.iter().copied().collect();
        for &seq in self.subject_seqs.get(subject).map(Vec::as_slice).unwrap_or_default() {
            if !listed.contains(&seq) {
                continue;
            }
            let e = &mut self.entries[(seq - 1) as usize];
            e.subject = None;
            e.personal = None;
        }
        if let Some(seqs) = self.subject_seqs.get_mut(subject) {
            seqs.retain(|seq| !listed.contains(seq));
        }
        for ((s, _), events) in self.events.iter_mut() {
            if s == subject {
                events.retain(|e| !listed.contains(&e.seq));
            }
        }
        if let Some(list) = self.restrictions.get_mut(subject) {
            list.retain(|r| !listed.contains(&r.1));
        }
        if let Some(list) = self.information.get_mut(subject) {
            list.retain(|f| !listed.contains(&f.1));
        }
        if let Some(s) = self.subjects.get_mut(subject) {
            s.email = None;
            s.phone = None;
        }
        self.submissions.retain(|_, s| s.as_ref().is_none_or(|s| &s.subject != subject));
        for (item, message) in self.outbox.values_mut() {
            if &item.subject == subject && item.state == OutboxState::Pending {
                item.state = OutboxState::Cancelled;
                item.next_attempt_at = None;
                item.last_error = None;
                *message = None;
            }
        }
    }

    fn head(&self) -> Option<Head> {
        self.entries.last().map(|e| (e.seq, e.hash))
    }

    fn latest(&self, subject: &SubjectId, scope: &Scope, at: DateTime<Utc>) -> Option<&EventRef> {
        self.events
            .get(&(subject.clone(), scope.clone()))?
            .iter()
            .filter(|e| e.occurred_at <= at && e.action.is_decisive())
            .max_by_key(|e| (e.occurred_at, e.seq))
    }

    fn first_offer(&self, subject: &SubjectId, scope: &Scope, at: DateTime<Utc>) -> Option<&EventRef> {
        self.events
            .get(&(subject.clone(), scope.clone()))?
            .iter()
            .filter(|e| e.occurred_at <= at && e.action == ConsentAction::SoftOptInOffered)
            .min_by_key(|e| (e.occurred_at, e.seq))
    }
}

/// A store that keeps everything in memory, behind one lock.
#[derive(Default)]
pub struct MemoryStore {
    tenants: Mutex<HashMap<TenantId, TenantData>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<TenantId, TenantData>) -> Result<T>) -> Result<T> {
        let mut guard = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    fn read<T>(&self, tenant: &TenantId, f: impl FnOnce(&TenantData) -> Result<T>) -> Result<T> {
        self.with(|t| match t.get(tenant) {
            Some(data) => f(data),
            None => f(&TenantData::default()),
        })
    }
}

impl Store for MemoryStore {
    fn append(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>> {
        self.with(|tenants| {
            let data = tenants.entry(tenant.clone()).or_default();
            // Check every effect before changing anything, so a failed batch leaves no trace.
            let mut new_subjects = std::collections::HashSet::new();
            let mut new_purposes = std::collections::HashSet::new();
            let mut new_channels = std::collections::HashSet::new();
            for a in entries {
                match &a.effect {
                    Some(Effect::Subject(s)) if data.subjects.contains_key(&s.id) || !new_subjects.insert(&s.id) => {
                        return Err(Error::SubjectExists(s.id.to_string()));
                    }
                    Some(Effect::Purpose(p)) if data.purposes.contains_key(&p.id) || !new_purposes.insert(&p.id) => {
                        return Err(Error::PurposeExists(p.id.to_string()));
                    }
                    Some(Effect::Channel(c))
                        if data.channels.contains_key(c.name.as_str()) || !new_channels.insert(&c.name) =>
                    {
                        return Err(Error::ChannelExists(c.name.to_string()));
                    }
                    Some(Effect::UpdateRequest { expected, request })
                        if data.requests.get(&request.id).is_none_or(|(r, _)| r.state != *expected) =>
                    {
                        return Err(Error::RequestChanged(request.id.to_string()));
                    }
                    Some(Effect::EraseSubject { subject, entries, .. })
                        if {
                            let mut found = data.subject_seqs.get(subject).cloned().unwrap_or_default();
                            let mut listed = entries.clone();
                            found.sort_unstable();
                            listed.sort_unstable();
                            found != listed
                        } =>
                    {
                        return Err(Error::SubjectChanged(subject.to_string()));
                    }
                    Some(Effect::OpenRequest { confirms: Some(hash), .. })
                        if !matches!(data.submissions.get(hash), Some(Some(_))) =>
                    {
                        return Err(Error::SubmissionGone);
                    }
                    Some(Effect::UpdateTask(task))
                        if data
                            .tasks
                            .get(&(task.request.clone(), task.recipient.clone()))
                            .is_none_or(|t| t.status != TaskStatus::Pending) =>
                    {
                        return Err(task_not_pending(task));
                    }
                    _ => {}
                }
                if let Some(f) = a.entry.fact.as_ref().filter(|f| f.action.consent().is_some()) {
                    non_empty::<PurposeId>(&f.purpose)?;
                    non_empty::<crate::Channel>(&f.channel)?;
                    crate::time::from_micros(f.occurred_at)?;
                }
            }
            let mut seqs = Vec::with_capacity(entries.len());
            for a in entries {
                let head = data.head();
                let (seq, hash) = a.entry.seal(tenant, head);
                data.entries.push(Entry {
                    seq,
                    prev_hash: head.map_or(GENESIS, |h| h.1),
                    hash,
                    kind: a.entry.kind.as_str(),
                    subject: a.entry.subject.clone(),
                    fact: a.entry.fact.clone(),
                    body: a.entry.body.clone(),
                    commitments: a.entry.commitments.clone(),
                    personal: a.entry.personal.clone(),
                });
                match &a.effect {
                    Some(Effect::Purpose(p)) => {
                        data.purposes.insert(p.id.clone(), p.clone());
                    }
                    Some(Effect::Channel(c)) => {
                        data.channels.insert(c.name.to_string(), c.clone());
                    }
                    Some(Effect::Settings(s)) => data.settings = Some(s.clone()),
                    Some(Effect::Subject(s)) => {
                        data.subjects.insert(s.id.clone(), s.clone());
                    }
                    Some(Effect::OpenRequest { request, token_hash, confirms }) => {
                        data.requests.insert(request.id.clone(), (request.clone(), *token_hash));
                        if let Some(hash) = confirms {
                            data.submissions.insert(*hash, None);
                        }
                    }
                    Some(Effect::UpdateRequest { request, .. }) => {
                        if let Some(slot) = data.requests.get_mut(&request.id) {
                            slot.0 = request.clone();
                        }
                    }
                    Some(Effect::Disclosure(d)) => data.disclosures.push(d.clone()),
                    Some(Effect::CreateTasks(tasks)) => {
                        for t in tasks {
                            data.tasks.insert((t.request.clone(), t.recipient.clone()), t.clone());
                        }
                    }
                    Some(Effect::UpdateTask(t)) => {
                        data.tasks.insert((t.request.clone(), t.recipient.clone()), t.clone());
                    }
                    Some(Effect::EraseSubject { subject, entries, suppress }) => data.erase(subject, entries, suppress),
                    Some(Effect::Enqueue(q)) => {
                        let item = OutboxItem {
                            id: seq,
                            message_id: q.message.message_id.clone().unwrap_or_default(),
                            kind: q.kind,
                            subject: q.subject.clone(),
                            request: q.request.clone(),
                            state: OutboxState::Pending,
                            queued_at: q.queued_at,
                            failed_attempts: 0,
                            last_error: None,
                            next_attempt_at: Some(q.queued_at),
                            delivered_at: None,
                        };
                        data.outbox.insert(seq, (item, Some(q.message.clone())));
                    }
                    None => {}
                }
                if let Some(subject) = &a.entry.subject {
                    data.subject_seqs.entry(subject.clone()).or_default().push(seq);
                    match a.entry.fact.as_ref().map(|f| (f, f.action, f.action.consent())) {
                        Some((f, _, Some((action, inherited))))
                            if action.is_decisive() || action == ConsentAction::SoftOptInOffered =>
                        {
                            let scope = Scope { purpose: non_empty(&f.purpose)?, channel: non_empty(&f.channel)? };
                            data.events.entry((subject.clone(), scope.clone())).or_default().push(EventRef {
                                seq,
                                action,
                                occurred_at: crate::time::from_micros(f.occurred_at)?,
                                purpose: scope.purpose,
                                channel: scope.channel,
                                inherited,
                            });
                        }
                        Some((f, action @ (FactAction::Restrict | FactAction::LiftRestriction), _)) => {
                            let at = crate::time::from_micros(f.occurred_at)?;
                            let restricts = action == FactAction::Restrict;
                            data.restrictions.entry(subject.clone()).or_default().push((at, seq, restricts));
                        }
                        Some((f, FactAction::Information(fact), _)) => {
                            data.information.entry(subject.clone()).or_default().push((f.occurred_at, seq, fact));
                        }
                        _ => {}
                    }
                }
                seqs.push(seq);
            }
            Ok(seqs)
        })
    }

    fn purpose(&self, tenant: &TenantId, id: &PurposeId) -> Result<Option<Purpose>> {
        self.read(tenant, |d| Ok(d.purposes.get(id).cloned()))
    }

    fn purposes(&self, tenant: &TenantId) -> Result<Vec<Purpose>> {
        self.read(tenant, |d| Ok(d.purposes.values().cloned().collect()))
    }

    fn subject(&self, tenant: &TenantId, id: &SubjectId) -> Result<Option<Subject>> {
        self.read(tenant, |d| Ok(d.subjects.get(id).cloned()))
    }

    fn channels(&self, tenant: &TenantId) -> Result<Vec<DeclaredChannel>> {
        self.read(tenant, |d| Ok(d.channels.values().cloned().collect()))
    }

    fn settings(&self, tenant: &TenantId) -> Result<Option<crate::settings::TenantSettings>> {
        self.read(tenant, |d| Ok(d.settings.clone()))
    }

    fn suppressions(&self, tenant: &TenantId, keys: Option<&[[u8; 32]]>) -> Result<Vec<SuppressionEntry>> {
        self.read(tenant, |d| {
            Ok(d.suppressions.values().filter(|e| keys.is_none_or(|keys| keys.contains(&e.key))).cloned().collect())
        })
    }

    fn subjects(&self, tenant: &TenantId) -> Result<Vec<Subject>> {
        self.read(tenant, |d| Ok(d.subjects.values().cloned().collect()))
    }

    fn subject_ids(&self, tenant: &TenantId, after: Option<&SubjectId>, limit: usize) -> Result<Vec<SubjectId>> {
        self.read(tenant, |d| {
            let mut ids: Vec<&SubjectId> =
                d.subjects.keys().filter(|id| after.is_none_or(|a| id.as_str() > a.as_str())).collect();
            ids.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
            Ok(ids.into_iter().take(limit).cloned().collect())
        })
    }

    fn decision_facts(
        &self,
        tenant: &TenantId,
        subjects: &[SubjectId],
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<SubjectFacts>>> {
        self.read(tenant, |d| {
            subjects
                .iter()
                .map(|id| {
                    let s = d.subjects.get(id)?;
                    let restriction = d
                        .restrictions
                        .get(id)
                        .and_then(|list| list.iter().filter(|r| r.0 <= at).max_by_key(|r| (r.0, r.1)))
                        .filter(|r| r.2);
                    let mut information = InformationFold::new(at);
                    for &(occurred_at, seq, fact) in d.information.get(id).map(Vec::as_slice).unwrap_or_default() {
                        information.offer(occurred_at, seq, fact);
                    }
                    let information = match information.finish() {
                        Ok(found) => found,
                        Err(e) => return Some(Err(e)),
                    };
                    let with = |deciding| Some(Ok(SubjectFacts { deciding, information }));
                    if let Some((since, seq, _)) = restriction {
                        return with(DecidingFacts::Restricted { seq: *seq, since: *since });
                    }
                    let latest = scopes
                        .iter()
                        .filter_map(|scope| d.latest(id, scope, at))
                        .max_by_key(|e| (e.occurred_at, e.seq))
                        .cloned();
                    with(match latest {
                        Some(e) => DecidingFacts::Event(e),
                        None => DecidingFacts::NoEvent {
                            regime: s.regime,
                            registered_at: s.registered_at,
                            offered: scopes.first().and_then(|scope| d.first_offer(id, scope, at)).cloned(),
                        },
                    })
                })
                .map(Option::transpose)
                .collect::<Result<Vec<_>>>()
        })
    }

    fn subject_entries(
        &self,
        tenant: &TenantId,
        subject: &SubjectId,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        self.read(tenant, |d| {
            for &seq in d.subject_seqs.get(subject).map(Vec::as_slice).unwrap_or_default() {
                let e = &d.entries[(seq - 1) as usize];
                if e.subject.is_some() {
                    visit(&e.stored())?;
                }
            }
            Ok(())
        })
    }

    fn scan_ledger(&self, tenant: &TenantId, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<Option<Head>> {
        self.read(tenant, |d| {
            for e in &d.entries {
                if !visit(&e.stored()) {
                    break;
                }
            }
            Ok(d.head())
        })
    }

    fn request(&self, tenant: &TenantId, id: &RequestId) -> Result<Option<Request>> {
        self.read(tenant, |d| Ok(d.requests.get(id).map(|(r, _)| r.clone())))
    }

    fn request_by_token(&self, tenant: &TenantId, token_hash: &[u8; 32]) -> Result<Option<(Request, [u8; 32])>> {
        self.read(tenant, |d| Ok(d.requests.values().find(|(_, h)| h == token_hash).cloned()))
    }

    fn requests(&self, tenant: &TenantId) -> Result<Vec<Request>> {
        self.read(tenant, |d| {
            let mut all: Vec<Request> = d.requests.values().map(|(r, _)| r.clone()).collect();
            all.sort_by(|a, b| (a.received_at, &a.id).cmp(&(b.received_at, &b.id)));
            Ok(all)
        })
    }

    fn subject_requests(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Request>> {
        Ok(self.requests(tenant)?.into_iter().filter(|r| &r.subject == subject).collect())
    }

    fn disclosures(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Disclosure>> {
        self.read(tenant, |d| Ok(d.disclosures.iter().filter(|x| &x.subject == subject).cloned().collect()))
    }

    fn recipient_tasks(&self, tenant: &TenantId, request: &RequestId) -> Result<Vec<RecipientTask>> {
        self.read(tenant, |d| Ok(d.tasks.values().filter(|t| &t.request == request).cloned().collect()))
    }

    fn outbox(&self, tenant: &TenantId, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxItem>> {
        self.read(tenant, |d| {
            Ok(d.outbox
                .values()
                .filter(|(item, _)| filter == OutboxFilter::All || item.state == OutboxState::Pending)
                .take(limit)
                .map(|(item, _)| item.clone())
                .collect())
        })
    }

    fn due_messages(&self, tenant: &TenantId, now: DateTime<Utc>, limit: usize) -> Result<Vec<(OutboxItem, Message)>> {
        self.read(tenant, |d| {
            Ok(d.outbox
                .values()
                .filter(|(item, _)| {
                    item.state == OutboxState::Pending && item.next_attempt_at.is_some_and(|t| t <= now)
                })
                .filter_map(|(item, message)| Some((item.clone(), message.clone()?)))
                .take(limit)
                .collect())
        })
    }

    fn record_attempt(&self, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
        self.with(|tenants| {
            let Some((item, message)) = tenants.get_mut(tenant).and_then(|d| d.outbox.get_mut(&id)) else {
                return Ok(false);
            };
            if item.state != OutboxState::Pending {
                return Ok(false);
            }
            match attempt {
                Attempt::Claim { now, until } => {
                    if item.next_attempt_at.is_none_or(|t| t > *now) {
                        return Ok(false);
                    }
                    item.next_attempt_at = Some(*until);
                }
                Attempt::Delivered(at) => {
                    item.state = OutboxState::Delivered;
                    item.delivered_at = Some(*at);
                    item.next_attempt_at = None;
                    item.last_error = None;
                    *message = None;
                }
                Attempt::Failed { error, retry_at } => {
                    item.failed_attempts = item.failed_attempts.saturating_add(1);
                    item.last_error = Some(error.clone());
                    item.next_attempt_at = Some(*retry_at);
                }
            }
            Ok(true)
        })
    }

    fn put_submission(&self, tenant: &TenantId, code_hash: &[u8; 32], submission: &Submission) -> Result<()> {
        self.with(|tenants| {
            let data = tenants.entry(tenant.clone()).or_default();
            data.submissions.insert(*code_hash, Some(submission.clone()));
            Ok(())
        })
    }

    fn submission(&self, tenant: &TenantId, code_hash: &[u8; 32]) -> Result<Option<(Submission, [u8; 32])>> {
        self.with(|tenants| {
            Ok(tenants
                .get(tenant)
                .and_then(|d| d.submissions.get_key_value(code_hash))
                .and_then(|(hash, s)| Some((s.clone()?, *hash))))
        })
    }

    fn expire_submissions(&self, tenant: &TenantId, now: DateTime<Utc>) -> Result<usize> {
        self.with(|tenants| {
            let Some(data) = tenants.get_mut(tenant) else { return Ok(0) };
            let mut expired = 0;
            for slot in data.submissions.values_mut() {
                if slot.as_ref().is_some_and(|s| s.expires_at <= now) {
                    *slot = None;
                    expired += 1;
                }
            }
            Ok(expired)
        })
    }
}

/// Reads a stored scope part: `""` stands for all.
fn non_empty<T: std::str::FromStr<Err = Error>>(s: &str) -> Result<Option<T>> {
    if s.is_empty() { Ok(None) } else { s.parse().map(Some) }
}

/// The error for marking a task that does not exist or is no longer pending.
pub(crate) fn task_not_pending(task: &RecipientTask) -> Error {
    Error::invalid(
        "recipient_task",
        format!("request {} has no pending task for recipient {:?}", task.request, task.recipient),
    )
}
