//! Recipients of a subject's data, and the notifications owed to them (rule R9, Art. 19).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::record::RequestId;
use crate::ids::SubjectId;
use crate::named_enum::named_enum;

/// The longest recipient name accepted, in bytes.
pub const MAX_RECIPIENT_BYTES: usize = 256;

/// A disclosure of a subject's data to a recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The subject.
    pub subject: SubjectId,
    /// Who received the data, by name.
    pub recipient: String,
    /// When.
    pub disclosed_at: DateTime<Utc>,
}

named_enum!(
    /// Why a recipient was not told of a rectification, erasure or restriction (Art. 19).
    SkipReason, "reason", {
        /// Telling the recipient proves impossible.
        Impossible => "impossible",
        /// Telling the recipient involves disproportionate effort.
        DisproportionateEffort => "disproportionate_effort",
    }
);

/// Where a recipient's notification stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not yet done.
    Pending,
    /// The recipient was told.
    Sent {
        /// When.
        at: DateTime<Utc>,
    },
    /// The recipient was not told, for a reason Art. 19 allows.
    Skipped {
        /// Why.
        reason: SkipReason,
        /// When it was decided.
        at: DateTime<Utc>,
    },
}

/// One recipient to tell about a completed rectification, erasure or restriction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientTask {
    /// The request.
    pub request: RequestId,
    /// The recipient, by name.
    pub recipient: String,
    /// Where it stands.
    pub status: TaskStatus,
}

/// What became of a recipient's notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum TaskOutcome {
    /// The recipient was told.
    Sent,
    /// The recipient was not told, for this reason.
    Skipped(SkipReason),
}
