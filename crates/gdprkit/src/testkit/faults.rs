//! Failures injected into an erasure, at every step: the store's part of an erasure is one
//! transaction, so a failure anywhere leaves the store as it was and the subject's denials
//! holding (rules A4 and C5; Art. 21(3): an objection must keep being honoured).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};

use super::memory_crm::MemoryCrm;
use super::{Factory, event, pid, setup_with, sid, t};
use crate::anonymize::operators::Value;
use crate::decision::{DecidingFacts, Scope, SubjectFacts};
use crate::mailer::Message;
use crate::outbox::{Attempt, OutboxFilter, OutboxItem};
use crate::purpose::Purpose;
use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues, StoredEntry};
use crate::raw::store::{Append, Effect, Head, Store};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::recipients::{Disclosure, RecipientTask};
use crate::request::record::{Request, RequestId};
use crate::request::service::{NewRequest, Step};
use crate::subject::Subject;
use crate::{
    Channel, ConsentAction, Error, Gdpr, NewConsent, NewSubject, PurposeId, Regime, Result, SubjectId, TenantId,
};

/// A store that, when armed, slips a failing entry into the next append of several entries at a
/// given position: an entry registering a subject that exists. Everything before it in the
/// append has been written inside the transaction when it fails.
struct Faulty {
    inner: Arc<dyn Store>,
    /// The position to fail at in the next multi-entry append, or `usize::MAX` when disarmed.
    fail_at: AtomicUsize,
    /// An existing subject, whose registration fails.
    existing: Subject,
    /// When set, a subject whose decisive events and information facts the store's index
    /// "loses": its decision facts read as if it had none, as a corrupted or edited index would
    /// answer.
    lose_events_of: std::sync::Mutex<Option<SubjectId>>,
}

impl Faulty {
    fn arm(&self, position: usize) {
        self.fail_at.store(position, Ordering::SeqCst);
    }
}

impl Store for Faulty {
    fn append(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>> {
        let at = self.fail_at.load(Ordering::SeqCst);
        if entries.len() < 2 || at == usize::MAX {
            return self.inner.append(tenant, entries);
        }
        self.fail_at.store(usize::MAX, Ordering::SeqCst);
        let poison = Append {
            entry: NewEntry::new(EntryKind::Subject, "{}".into(), &PersonalValues::new()),
            effect: Some(Effect::Subject(self.existing.clone())),
        };
        let mut poisoned = entries.to_vec();
        poisoned.insert(at.min(entries.len()), poison);
        self.inner.append(tenant, &poisoned)
    }
    fn purpose(&self, tenant: &TenantId, id: &PurposeId) -> Result<Option<Purpose>> {
        self.inner.purpose(tenant, id)
    }
    fn purposes(&self, tenant: &TenantId) -> Result<Vec<Purpose>> {
        self.inner.purposes(tenant)
    }
    fn subject(&self, tenant: &TenantId, id: &SubjectId) -> Result<Option<Subject>> {
        self.inner.subject(tenant, id)
    }
    fn subjects(&self, tenant: &TenantId) -> Result<Vec<Subject>> {
        self.inner.subjects(tenant)
    }
    fn subject_ids(&self, tenant: &TenantId, after: Option<&SubjectId>, limit: usize) -> Result<Vec<SubjectId>> {
        self.inner.subject_ids(tenant, after, limit)
    }
    fn channels(&self, tenant: &TenantId) -> Result<Vec<crate::channel::DeclaredChannel>> {
        self.inner.channels(tenant)
    }
    fn settings(&self, tenant: &TenantId) -> Result<Option<crate::settings::TenantSettings>> {
        self.inner.settings(tenant)
    }
    fn suppressions(
        &self,
        tenant: &TenantId,
        keys: Option<&[[u8; 32]]>,
    ) -> Result<Vec<crate::suppression::SuppressionEntry>> {
        self.inner.suppressions(tenant, keys)
    }
    fn decision_facts(
        &self,
        tenant: &TenantId,
        subjects: &[SubjectId],
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<SubjectFacts>>> {
        let mut facts = self.inner.decision_facts(tenant, subjects, scopes, at)?;
        if let Some(lost) = self.lose_events_of.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            for (id, f) in subjects.iter().zip(facts.iter_mut()) {
                let Some(found) = f.as_mut().filter(|_| id == lost) else { continue };
                if matches!(found.deciding, DecidingFacts::Event(_)) {
                    let s = self.inner.subject(tenant, id)?.unwrap();
                    found.deciding =
                        DecidingFacts::NoEvent { regime: s.regime, registered_at: s.registered_at, offered: None };
                }
                found.information = None;
            }
        }
        Ok(facts)
    }
    fn subject_entries(
        &self,
        tenant: &TenantId,
        subject: &SubjectId,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()> {
        self.inner.subject_entries(tenant, subject, visit)
    }
    fn scan_ledger(&self, tenant: &TenantId, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<Option<Head>> {
        self.inner.scan_ledger(tenant, visit)
    }
    fn request(&self, tenant: &TenantId, id: &RequestId) -> Result<Option<Request>> {
        self.inner.request(tenant, id)
    }
    fn request_by_token(&self, tenant: &TenantId, token_hash: &[u8; 32]) -> Result<Option<(Request, [u8; 32])>> {
        self.inner.request_by_token(tenant, token_hash)
    }
    fn requests(&self, tenant: &TenantId) -> Result<Vec<Request>> {
        self.inner.requests(tenant)
    }
    fn subject_requests(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Request>> {
        self.inner.subject_requests(tenant, subject)
    }
    fn disclosures(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Disclosure>> {
        self.inner.disclosures(tenant, subject)
    }
    fn recipient_tasks(&self, tenant: &TenantId, request: &RequestId) -> Result<Vec<RecipientTask>> {
        self.inner.recipient_tasks(tenant, request)
    }
    fn outbox(&self, tenant: &TenantId, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxItem>> {
        self.inner.outbox(tenant, filter, limit)
    }
    fn due_messages(&self, tenant: &TenantId, now: DateTime<Utc>, limit: usize) -> Result<Vec<(OutboxItem, Message)>> {
        self.inner.due_messages(tenant, now, limit)
    }
    fn record_attempt(&self, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool> {
        self.inner.record_attempt(tenant, id, attempt)
    }

    fn subjects_by_email(&self, tenant: &TenantId, email: &str) -> Result<Vec<crate::Subject>> {
        self.inner.subjects_by_email(tenant, email)
    }

    fn put_submission(&self, tenant: &TenantId, hash: &[u8; 32], s: &crate::Submission) -> Result<()> {
        self.inner.put_submission(tenant, hash, s)
    }

    fn submission(&self, tenant: &TenantId, hash: &[u8; 32]) -> Result<Option<(crate::Submission, [u8; 32])>> {
        self.inner.submission(tenant, hash)
    }

    fn expire_submissions(&self, tenant: &TenantId, now: chrono::DateTime<chrono::Utc>) -> Result<usize> {
        self.inner.expire_submissions(tenant, now)
    }
}

/// What a reader of the store sees of the subject `jeanne` and the whole ledger.
#[derive(Debug, PartialEq)]
struct Seen {
    entries: u64,
    email: Option<String>,
    history: Vec<(ConsentAction, Option<String>)>,
    notes: usize,
    promo_email_allowed: bool,
}

fn seen(g: &Gdpr, request: &RequestId) -> Seen {
    let subject = sid("jeanne");
    let crate::Verification::Intact { entries } = g.verify_ledger().unwrap() else {
        panic!("the ledger is broken");
    };
    Seen {
        entries,
        email: g.subject(&subject).unwrap().email,
        history: g.history(&subject).unwrap().into_iter().map(|e| (e.action, e.proof.ip)).collect(),
        notes: g.request(request).unwrap().public_notes.len(),
        promo_email_allowed: g.decide(&subject, &pid("promo"), &Channel::Email, None).unwrap().allowed,
    }
}

/// [`setup_with`] over a [`Faulty`] wrapping the factory's store, disarmed.
fn setup_faulty(
    factory: Factory<'_>,
    configure: impl FnOnce(crate::GdprBuilder) -> crate::GdprBuilder,
) -> (Gdpr, Arc<crate::FixedClock>, Arc<Faulty>) {
    let faulty: std::cell::OnceCell<Arc<Faulty>> = std::cell::OnceCell::new();
    let (g, clock) = setup_with(
        &|| {
            let inner = factory();
            faulty
                .get_or_init(|| {
                    Arc::new(Faulty {
                        inner,
                        fail_at: AtomicUsize::new(usize::MAX),
                        lose_events_of: Default::default(),
                        // Registered by `setup` before anything is armed.
                        existing: Subject {
                            id: sid("b2b"),
                            regime: Regime::B2bOptOut,
                            email: None,
                            phone: None,
                            language: None,
                            registered_at: t("2025-01-01T00:00:00Z"),
                        },
                    })
                })
                .clone()
        },
        configure,
    );
    let faulty = faulty.get().cloned().unwrap();
    (g, clock, faulty)
}

pub fn an_erasure_failing_at_any_step_changes_nothing(factory: Factory<'_>) {
    let crm = Arc::new(MemoryCrm::new());
    let row = crm.insert(
        "contacts",
        "jeanne",
        &[("subject", Value::Text("jeanne".into())), ("first_name", Value::Text("Jeanne".into()))],
    );
    let (g, clock, faulty) = setup_faulty(factory, |b| {
        b.crm(crm.clone())
            .data_map(crate::sample::data_map().unwrap())
            .hmac_key(crate::HmacKey::new(vec![9u8; 32]).unwrap())
    });
    clock.set(t("2025-06-01T00:00:00Z"));
    // Jeanne gave her address, opted in, then objected to all direct marketing: a denial that
    // must outlive any failed erasure.
    let mut jeanne = NewSubject::new(sid("jeanne"), Regime::B2cOptIn);
    jeanne.email = Some("jeanne@example.org".into());
    g.add_subject(jeanne).unwrap();
    let mut opt_in = event("jeanne", ConsentAction::OptIn, "promo", Channel::Email, "2025-02-01T00:00:00Z");
    opt_in.proof.ip = Some("203.0.113.5".into());
    g.record_consent(opt_in).unwrap();
    let mut objection = NewConsent::objection(sid("jeanne"));
    objection.occurred_at = Some(t("2025-03-01T00:00:00Z"));
    g.record_consent(objection).unwrap();
    let opened = g
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("jeanne"),
            kind: RequestKind::Erasure,
            via: ReceivedVia::Email,
            received_at: None,
        })
        .unwrap();
    let request = opened.request.id;
    g.act_noted(&request, Step::Accept, "Claire", Some("called back about the erasure")).unwrap();
    let before = seen(&g, &request);
    assert!(!before.promo_email_allowed, "the objection denies direct marketing");
    assert_eq!(before.history.len(), 2);
    assert_eq!(before.email.as_deref(), Some("jeanne@example.org"));

    // The CRM's own transaction fails: the store is not touched.
    crm.fail_next_apply();
    assert!(g.erase_subject(&sid("jeanne"), false).is_err());
    assert_eq!(seen(&g, &request), before, "a failed CRM step changes nothing in the store");
    assert_eq!(crm.value("contacts", row, "first_name"), Some(Value::Text("Jeanne".into())), "nor in the CRM");

    // The erasure's append holds the erasure entry, the request's erased details and the carried
    // objection: a failure before, between or after any of them leaves everything as it was.
    for position in 0..=3 {
        faulty.arm(position);
        let err = g.erase_subject(&sid("jeanne"), false).unwrap_err();
        assert!(matches!(err, Error::SubjectExists(_)), "failure {position}: {err}");
        assert_eq!(seen(&g, &request), before, "a failure at step {position} of the append changes nothing");
    }

    let report = g.erase_subject(&sid("jeanne"), false).unwrap();
    // The registration, the opt-in, the objection, the request's opening, its receipt notice
    // queued, and its acceptance.
    assert_eq!((report.ledger_entries_erased, report.denials_kept), (6, 1));
    let after = seen(&g, &request);
    assert_eq!(after.email, None);
    assert_eq!(after.notes, 0, "the request's free text is erased");
    assert_eq!(after.history, [(ConsentAction::Object, None)], "only the objection, carried without details");
    assert!(!after.promo_email_allowed, "and it still denies direct marketing");
    assert_eq!(after.entries, before.entries + 3, "the erasure, the request's details and the objection");
    assert_eq!(crm.applied(), 5, "the CRM's rows were changed by each try that reached them");
    assert_eq!(
        crm.value("contacts", row, "first_name"),
        Some(Value::Text(crate::anonymize::operators::REDACTED.into()))
    );
}

/// Decisions read the store's index, not the chain: an index that loses a subject's opt-out, or
/// a prospect's source, changes the decision, and verification, which rebuilds the index from
/// the chain, names it.
pub fn an_index_that_disagrees_with_the_chain_is_named_by_verify(factory: Factory<'_>) {
    let (g, clock, faulty) = setup_faulty(factory, |b| b);
    clock.set(t("2025-06-01T00:00:00Z"));
    g.record_consent(event("b2b", ConsentAction::OptOut, "promo", Channel::Email, "2025-05-01T00:00:00Z")).unwrap();
    assert!(!g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().allowed);
    assert!(g.verify_ledger().unwrap().is_intact());

    *faulty.lose_events_of.lock().unwrap() = Some(sid("b2b"));
    assert!(g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().allowed, "the lost opt-out");
    match g.verify_ledger().unwrap() {
        crate::Verification::Disagrees { table, reason } => {
            assert_eq!(table, "decision index");
            assert!(reason.contains("subject b2b") && reason.contains("opt_out in entry 6"), "{reason}");
        }
        other => panic!("the lost opt-out went unnoticed: {other:?}"),
    }

    // Art. 14(3)(b): an index that loses a prospect's source would let messages go without the
    // notice; verification names that too.
    let mut prospect = NewSubject::new(sid("p1"), Regime::B2bOptOut);
    prospect.origin = Some(crate::information::Origin {
        obtained_at: Some(t("2025-05-20T00:00:00Z")),
        ..crate::information::Origin::new(crate::information::DataSource::TradeFair)
    });
    g.add_subject(prospect).unwrap();
    assert!(g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap().information.is_some());
    *faulty.lose_events_of.lock().unwrap() = Some(sid("p1"));
    assert!(g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap().information.is_none());
    match g.verify_ledger().unwrap() {
        crate::Verification::Disagrees { table, reason } => {
            assert_eq!(table, "decision index");
            assert!(reason.contains("subject p1") && reason.contains("a notice due for data obtained at"), "{reason}");
        }
        other => panic!("the lost source went unnoticed: {other:?}"),
    }
}

/// A chain may hold a consent in a scope that no registry names (written by another version, or
/// by hand through the raw store): verification then asks the index over the chain's own scopes,
/// finds it agrees, and names the subject when the index loses that event (rule C8).
pub fn an_index_over_a_scope_no_registry_names_is_checked_too(factory: Factory<'_>) {
    let (g, clock, faulty) = setup_faulty(factory, |b| b);
    clock.set(t("2025-06-01T00:00:00Z"));
    let fact = crate::raw::ledger::OwnedFact {
        purpose: "unregistered".into(),
        channel: "email".into(),
        action: crate::raw::ledger::FactAction::Consent(ConsentAction::OptIn),
        occurred_at: crate::time::to_micros(t("2025-05-01T00:00:00Z")),
    };
    let body = serde_json::json!({ "recorded_at": crate::time::format(g.now()) }).to_string();
    let entry = NewEntry::about(EntryKind::Consent, sid("b2b"), Some(fact), body, PersonalValues::new()).unwrap();
    g.store().append(g.tenant(), &[Append { entry, effect: None }]).unwrap();
    assert!(g.purpose(&pid("unregistered")).is_err(), "no registry names the scope");
    assert!(g.verify_ledger().unwrap().is_intact(), "the index, asked over the chain's scopes, agrees");

    *faulty.lose_events_of.lock().unwrap() = Some(sid("b2b"));
    match g.verify_ledger().unwrap() {
        crate::Verification::Disagrees { table, reason } => {
            assert_eq!(table, "decision index");
            assert!(reason.contains("subject b2b") && reason.contains("opt_in in entry"), "{reason}");
        }
        other => panic!("the lost event went unnoticed: {other:?}"),
    }
}
