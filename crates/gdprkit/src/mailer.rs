//! The mailer seam: how gdprkit sends a message to a subject, and a mailer that keeps messages in
//! memory for tests.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name the subject sees.
    pub filename: String,
    /// Its MIME type, such as `application/pdf`.
    pub content_type: String,
    /// Its bytes (in JSON, an array of numbers).
    pub bytes: Vec<u8>,
}

/// A message to a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// Its `Message-ID` (with the angle brackets), set when it is queued in the outbox and the
    /// same on every attempt; a mailer sends it as the `Message-ID` header when present.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// Sends messages. An implementation reports a refusal by the server as an error, never
/// silently.
pub trait Mailer: Send + Sync {
    /// Sends one message.
    fn send(&self, message: &Message) -> Result<()>;
}

/// A mailer that keeps messages in memory instead of sending them: for tests and dry runs.
#[derive(Debug, Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<Message>>,
}

impl MemoryMailer {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message sent so far, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Mailer for MemoryMailer {
    fn send(&self, message: &Message) -> Result<()> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(message.clone());
        Ok(())
    }
}
