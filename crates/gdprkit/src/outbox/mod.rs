//! The outbox: every message to a person (a request's notices, an export) is written in the same
//! transaction as the change that produces it, and delivered after the commit, with retries and
//! backoff, until the mail server accepts it.
//!
//! A message keeps one `Message-ID` from the moment it is queued, so a delivery repeated after a
//! crash between the server's acceptance and the delivered mark reaches the person with the same
//! id, which mail clients and servers recognise as the same message. A message that keeps failing
//! is kept, with the server's last answer, and listed; it is never dropped. Once delivered, its
//! content (address, text, attachments) is dropped and only its metadata stays.

mod deliver;

pub use deliver::{DeliveryReport, retry_delay};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::SubjectId;
use crate::mailer::Message;
use crate::request::notice::NoticeKind;
use crate::request::record::RequestId;

crate::named_enum::named_enum!(
    /// What a queued message is.
    MessageKind, "kind", {
        /// A request's receipt notice (R7).
        Receipt => "receipt",
        /// A request's extension notice.
        Extension => "extension",
        /// A request waiting on the person: what is asked.
        AwaitingSubject => "awaiting_subject",
        /// A refusal, with the remedies.
        Refusal => "refusal",
        /// A completion, with the export attached for access and portability.
        Completion => "completion",
        /// An export mailed outside any request.
        Export => "export",
        /// The link to confirm a request submitted on the portal.
        Confirmation => "confirmation",
        /// A request's copy is ready to download on the portal.
        CopyReady => "copy_ready",
        /// The information notice (rule I4).
        Information => "information",
    }
);

impl From<NoticeKind> for MessageKind {
    fn from(kind: NoticeKind) -> Self {
        match kind {
            NoticeKind::Receipt => MessageKind::Receipt,
            NoticeKind::Extension => MessageKind::Extension,
            NoticeKind::AwaitingSubject => MessageKind::AwaitingSubject,
            NoticeKind::Refusal => MessageKind::Refusal,
            NoticeKind::Completion => MessageKind::Completion,
            NoticeKind::CopyReady => MessageKind::CopyReady,
        }
    }
}

crate::named_enum::named_enum!(
    /// Where a queued message stands.
    OutboxState, "state", {
        /// Waiting for delivery, or for its next attempt after a failure.
        Pending => "pending",
        /// Accepted by the mail server; its content is dropped.
        Delivered => "delivered",
        /// Not to be delivered: the person was erased before it went out, and its content with them.
        Cancelled => "cancelled",
    }
);

/// A message to queue, written with the change that produces it ([`crate::raw::Effect::Enqueue`]).
/// Its id in the outbox is the number of the ledger entry it comes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    /// What it is.
    pub kind: MessageKind,
    /// The person it is to.
    pub subject: SubjectId,
    /// The request it is about, if any.
    pub request: Option<RequestId>,
    /// The message, with its `Message-ID` set.
    pub message: Message,
    /// When it was queued: its first attempt is due then.
    pub queued_at: DateTime<Utc>,
}

/// A message in the outbox, as listed: no address, text or attachment, which only delivery reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Its id: the number of the ledger entry recording it.
    pub id: u64,
    /// Its `Message-ID`, the same on every attempt.
    pub message_id: String,
    /// What it is.
    pub kind: MessageKind,
    /// The person it is to.
    pub subject: SubjectId,
    /// The request it is about, if any.
    #[serde(default)]
    pub request: Option<RequestId>,
    /// Where it stands.
    pub state: OutboxState,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// How many delivery attempts failed so far.
    pub failed_attempts: u32,
    /// The mail server's (or the connection's) last answer, after a failure.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the next attempt is due, while pending.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the server accepted it.
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What a delivery attempt came to, for [`crate::raw::Store::record_attempt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Before sending: takes the message for this deliverer if it is still due at `now`, by
    /// moving its next attempt to `until`, so that another deliverer does not send it meanwhile.
    /// `record_attempt` returns `false` when another took it first.
    Claim {
        /// The instant the message must be due at.
        now: DateTime<Utc>,
        /// Until when it is taken.
        until: DateTime<Utc>,
    },
    /// The server accepted the message at this instant: mark it delivered and drop its content.
    Delivered(DateTime<Utc>),
    /// The attempt failed with this error; try again at `retry_at`.
    Failed {
        /// The server's answer or the connection's error.
        error: String,
        /// When the next attempt is due.
        retry_at: DateTime<Utc>,
    },
}

/// Which messages [`crate::Gdpr::outbox`] lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxFilter {
    /// Messages not delivered yet (the default).
    #[default]
    Pending,
    /// Every message, delivered and cancelled ones included.
    All,
}
