//! The store: where gdprkit keeps its own records (ledger, registries, projections).
//!
//! A store appends ledger entries and updates its projections in one transaction, and answers
//! the reads the facade needs. The rules live in the core; a store only keeps and finds. Every
//! store passes the conformance suite of the `testkit` feature (`gdprkit::store_conformance!`).

use chrono::{DateTime, Utc};

use crate::channel::DeclaredChannel;
use crate::decision::{Scope, SubjectFacts};
use crate::error::Result;
use crate::ids::{PurposeId, SubjectId, TenantId};
use crate::mailer::Message;
use crate::outbox::{Attempt, OutboxFilter, OutboxItem, QueuedMessage};
use crate::purpose::Purpose;
use crate::raw::ledger::{NewEntry, StoredEntry};
use crate::request::machine::RequestState;
use crate::request::recipients::{Disclosure, RecipientTask};
use crate::request::record::{Request, RequestId};
use crate::request::submission::Submission;
use crate::subject::Subject;
use crate::suppression::SuppressionEntry;

/// What appending an entry changes besides the chain and its indexes.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Registers a purpose; fails with [`crate::Error::PurposeExists`] when its id is taken.
    Purpose(Purpose),
    /// Registers a subject; fails with [`crate::Error::SubjectExists`] when its id is taken.
    Subject(Subject),
    /// Declares a custom channel; fails with [`crate::Error::ChannelExists`] when it is declared.
    Channel(DeclaredChannel),
    /// Stores the tenant's settings, replacing any stored before.
    Settings(crate::settings::TenantSettings),
    /// Keeps a new request and the SHA-256 of its tracking token. With `confirms`, the request
    /// confirms the pending submission whose code has that SHA-256: the submission's content is
    /// dropped and its hash kept as confirmed; fails with [`crate::Error::SubmissionGone`] unless
    /// it is still pending.
    OpenRequest {
        /// The request.
        request: Request,
        /// The SHA-256 of its tracking token.
        token_hash: [u8; 32],
        /// The SHA-256 of the code of the submission it confirms, if any.
        confirms: Option<[u8; 32]>,
    },
    /// Replaces a request; fails with [`crate::Error::RequestChanged`] unless its state is still
    /// `expected`.
    UpdateRequest {
        /// The state the change was decided from.
        expected: RequestState,
        /// The request after the change.
        request: Request,
    },
    /// Registers a disclosure of a subject's data to a recipient.
    Disclosure(Disclosure),
    /// Creates a pending task for each recipient.
    CreateTasks(Vec<RecipientTask>),
    /// Replaces a task; fails with [`crate::Error::InvalidInput`] unless it exists and is
    /// still pending.
    UpdateTask(RecipientTask),
    /// Erases what the store keeps on a subject (section 4 of the rules): the personal values
    /// and salts of the entries numbered `entries` (those about the subject before this one, which
    /// this entry's body names so that verification can tell a lawful erasure from values removed
    /// outside gdprkit), and the subject id kept in the clear beside them, so that their facts no
    /// longer count in decisions; the subject's e-mail address; and the content of their messages
    /// still pending in the outbox; and its phone number; and their submissions still pending
    /// (deleted whole). The entries and their commitments stay,
    /// and the chain still verifies. The `suppress` entries are added to the suppression list
    /// (an entry with the same key and scope is kept, with the later erasure and keep-until
    /// date). The subject's id and regime stay in the registry, as the CRM keeps the id; so do
    /// the names of the recipients its data went to, which Art. 19 needs to tell them.
    EraseSubject {
        /// The subject.
        subject: SubjectId,
        /// The entries to erase: only those still about the subject are changed.
        entries: Vec<u64>,
        /// The subject's denials of direct marketing, under the keyed hashes of their e-mail
        /// address and phone number, for the suppression list (rule C9).
        suppress: Vec<SuppressionEntry>,
    },
    /// Queues a message in the outbox under this entry's number, pending and due at once. When
    /// the subject is erased later, the content of its messages still pending is dropped and
    /// they are cancelled.
    Enqueue(QueuedMessage),
}

/// An entry to append and what it changes.
#[derive(Debug, Clone)]
pub struct Append {
    /// The ledger entry. A store indexes it by its subject, and, when it has a decisive fact
    /// (see [`crate::ConsentAction::is_decisive`]), by its fact for decisions.
    pub entry: NewEntry,
    /// Its effect on the registries, if any.
    pub effect: Option<Effect>,
}

/// The last entry of a chain: its number and hash.
pub type Head = (u64, [u8; 32]);

/// Storage for gdprkit's own records. Implementations must be safe to share between threads.
pub trait Store: Send + Sync {
    /// Appends entries to the tenant's chain in one transaction: each is sealed with
    /// [`NewEntry::seal`] after the current head, and its effect applied. Either every entry is
    /// appended and every effect applied, or nothing is. Returns the entries' numbers.
    fn append(&self, tenant: &TenantId, entries: &[Append]) -> Result<Vec<u64>>;

    /// The purpose with this id.
    fn purpose(&self, tenant: &TenantId, id: &PurposeId) -> Result<Option<Purpose>>;

    /// Every purpose of the tenant, ordered by id.
    fn purposes(&self, tenant: &TenantId) -> Result<Vec<Purpose>>;

    /// The subject with this id.
    fn subject(&self, tenant: &TenantId, id: &SubjectId) -> Result<Option<Subject>>;

    /// Every custom channel the tenant declared, ordered by name.
    fn channels(&self, tenant: &TenantId) -> Result<Vec<DeclaredChannel>>;

    /// The tenant's stored settings, the latest saved; `None` when none were.
    fn settings(&self, tenant: &TenantId) -> Result<Option<crate::settings::TenantSettings>>;

    /// The suppression list's entries whose key is one of `keys`, or every entry with `None`
    /// (rule C9).
    fn suppressions(&self, tenant: &TenantId, keys: Option<&[[u8; 32]]>) -> Result<Vec<SuppressionEntry>>;

    /// Every subject of the tenant, in any order.
    fn subjects(&self, tenant: &TenantId) -> Result<Vec<Subject>>;

    /// A page of the tenant's subject ids: up to `limit` of them, the first after `after` (from
    /// the start with `None`), in the store's order of ids, the same on every call. Walking
    /// page after page visits every subject once while holding `limit` ids at a time.
    fn subject_ids(&self, tenant: &TenantId, after: Option<&SubjectId>, limit: usize) -> Result<Vec<SubjectId>>;

    /// For each subject, in the order given: its facts for a decision at `at` over `scopes`, or
    /// `None` when the subject does not exist. The event is the entry with a decisive fact (see
    /// [`crate::ConsentAction::is_decisive`]) with the greatest (`occurred_at`, entry number)
    /// among those in one of `scopes` that happened at or before `at`; with no such entry, the
    /// subject's regime and registration, with the earliest `soft_opt_in_offered` entry in the
    /// first scope at or before `at`. Before both: when the latest restriction fact (purpose and
    /// channel [`crate::raw::ledger::RESTRICTION_SCOPE`]) at or before `at` restricts, the
    /// restriction. Beside these, whether a notice is still due: the information facts (purpose
    /// `*`, channel [`crate::raw::ledger::INFORMATION_CHANNEL`]) at or before `at`, folded by
    /// [`crate::raw::InformationFold`]. [`crate::raw::FactsFold`] does all this from rows.
    fn decision_facts(
        &self,
        tenant: &TenantId,
        subjects: &[SubjectId],
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<SubjectFacts>>>;

    /// A page of the tenant's subjects, as [`Store::subject_ids`] gives them, each with its facts
    /// for a decision at `at` over `scopes`, as [`Store::decision_facts`] gives them (`None` for
    /// a subject erased between the two reads). A campaign walks the tenant with it. The default
    /// makes those two calls; a store that can answer both in one read of its subjects does.
    fn decision_page(
        &self,
        tenant: &TenantId,
        after: Option<&SubjectId>,
        limit: usize,
        scopes: &[Scope],
        at: DateTime<Utc>,
    ) -> Result<Vec<(SubjectId, Option<SubjectFacts>)>> {
        let ids = self.subject_ids(tenant, after, limit)?;
        let facts = self.decision_facts(tenant, &ids, scopes, at)?;
        Ok(ids.into_iter().zip(facts).collect())
    }

    /// Visits, in entry order, every entry about this subject whose values are not erased.
    fn subject_entries(
        &self,
        tenant: &TenantId,
        subject: &SubjectId,
        visit: &mut dyn FnMut(&StoredEntry<'_>) -> Result<()>,
    ) -> Result<()>;

    /// Visits the tenant's chain in entry order, holding one entry at a time, until `visit`
    /// returns `false`. Returns the head the store recorded, read in the same snapshot.
    fn scan_ledger(&self, tenant: &TenantId, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<Option<Head>>;

    /// Visits, in entry order, the tenant's entries numbered after `after`, holding one at a time,
    /// until `visit` returns `false`. The default reads the chain from its start; a store with an
    /// index on entry numbers starts at `after`.
    fn scan_after(&self, tenant: &TenantId, after: u64, visit: &mut dyn FnMut(&StoredEntry<'_>) -> bool) -> Result<()> {
        self.scan_ledger(tenant, &mut |e| e.seq <= after || visit(e))?;
        Ok(())
    }

    /// The request with this id.
    fn request(&self, tenant: &TenantId, id: &RequestId) -> Result<Option<Request>>;

    /// The request whose tracking token has this SHA-256, with the hash as stored, for the
    /// caller to compare in constant time.
    fn request_by_token(&self, tenant: &TenantId, token_hash: &[u8; 32]) -> Result<Option<(Request, [u8; 32])>>;

    /// Every request of the tenant, by receipt (oldest first).
    fn requests(&self, tenant: &TenantId) -> Result<Vec<Request>>;

    /// Every request of one subject, by receipt (oldest first).
    fn subject_requests(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Request>>;

    /// Every disclosure of this subject's data, oldest first.
    fn disclosures(&self, tenant: &TenantId, subject: &SubjectId) -> Result<Vec<Disclosure>>;

    /// The recipient tasks of a request, by recipient.
    fn recipient_tasks(&self, tenant: &TenantId, request: &RequestId) -> Result<Vec<RecipientTask>>;

    /// Messages in the outbox, oldest first, at most `limit`.
    fn outbox(&self, tenant: &TenantId, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxItem>>;

    /// Pending messages whose next attempt is due at `now`, oldest first, at most `limit`, each
    /// with its content.
    fn due_messages(&self, tenant: &TenantId, now: DateTime<Utc>, limit: usize) -> Result<Vec<(OutboxItem, Message)>>;

    /// Records a delivery attempt on a pending message: delivered (its content dropped), or
    /// failed (its failures counted, the error kept, the next attempt set). A message no longer
    /// pending is left as it is, and `false` returned.
    fn record_attempt(&self, tenant: &TenantId, id: u64, attempt: &Attempt) -> Result<bool>;

    /// The subjects whose e-mail address is `email`, compared without regard to ASCII case. The
    /// default reads every subject; a store with an index on addresses overrides it.
    fn subjects_by_email(&self, tenant: &TenantId, email: &str) -> Result<Vec<Subject>> {
        let mut all = self.subjects(tenant)?;
        all.retain(|s| s.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)));
        Ok(all)
    }

    /// Keeps a submission pending under the SHA-256 of its code. Outside the chain, as the
    /// outbox's attempts are: the ledger records the confirmation message queued with it, and the
    /// request opened when it is confirmed.
    fn put_submission(&self, tenant: &TenantId, code_hash: &[u8; 32], submission: &Submission) -> Result<()>;

    /// The pending submission whose code has this SHA-256, with the hash as stored, for the
    /// caller to compare in constant time; `None` once it is confirmed, expired or erased.
    fn submission(&self, tenant: &TenantId, code_hash: &[u8; 32]) -> Result<Option<(Submission, [u8; 32])>>;

    /// Expires the pending submissions whose `expires_at` is at or before `now`: their content
    /// (subject, message) is dropped and only their code's hash and times stay. Returns how many.
    fn expire_submissions(&self, tenant: &TenantId, now: DateTime<Utc>) -> Result<usize>;
}
