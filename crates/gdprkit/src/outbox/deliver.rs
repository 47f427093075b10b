//! Queuing a message with the change that produces it, and delivering the outbox after the
//! commit.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Attempt, MessageKind, OutboxFilter, OutboxItem, QueuedMessage};
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::mailer::Message;
use crate::raw::bodies::MessageBody;
use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues, body_json};
use crate::raw::store::{Append, Effect};
use crate::request::record::{RequestId, random};
use crate::text::hex;
use crate::time;

/// How many pending messages one call of [`Gdpr::deliver_pending`] reads at a time.
const BATCH: usize = 100;

/// How long a deliverer holds a message it is sending before another may take it.
const CLAIM_MINUTES: i64 = 5;

/// The longest wait between two attempts.
const MAX_RETRY_DELAY_MINUTES: i64 = 6 * 60;

/// How long to wait after the `failures`-th failed attempt in a row before the next: one minute,
/// doubling with each failure, at most six hours.
pub fn retry_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    Duration::minutes((1i64 << doublings).min(MAX_RETRY_DELAY_MINUTES))
}

/// What one call of [`Gdpr::deliver_pending`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// Messages the server accepted.
    pub delivered: Vec<u64>,
    /// Messages whose attempt failed, kept for a later attempt, each with the error.
    pub failed: Vec<(u64, String)>,
    /// Messages still pending whose next attempt is not due yet.
    pub waiting: usize,
}

impl Gdpr {
    /// The append that queues `message` (its `Message-ID` set here) for `subject`, to go in the
    /// same transaction as the change that produces it, with a ledger entry recording that it
    /// was queued: its kind, request and `Message-ID`, and no personal value.
    pub(crate) fn queue_append(
        &self,
        kind: MessageKind,
        subject: &SubjectId,
        request: Option<&RequestId>,
        mut message: Message,
        now: DateTime<Utc>,
    ) -> Result<(Append, Message)> {
        let message_id = format!("<{}@gdprkit>", hex(&random::<16>()?));
        message.message_id = Some(message_id.clone());
        let body = MessageBody {
            recorded_at: time::format(now),
            message: kind,
            request: request.map(RequestId::as_str),
            message_id: &message_id,
        };
        let entry =
            NewEntry::about(EntryKind::Message, subject.clone(), None, body_json(&body)?, PersonalValues::new())?;
        let queued = QueuedMessage {
            kind,
            subject: subject.clone(),
            request: request.cloned(),
            message: message.clone(),
            queued_at: now,
        };
        Ok((Append { entry, effect: Some(Effect::Enqueue(queued)) }, message))
    }

    /// Tries, once, to deliver a message just queued as `id`, when a mailer is configured;
    /// records the attempt. Returns the error when it failed, or `None` when it was delivered
    /// or no mailer is configured (then it waits in the outbox).
    pub(crate) fn deliver_now(&self, id: u64, message: &Message) -> Result<Option<String>> {
        if self.parts.mailer.is_none() {
            return Ok(Some("no mail server is configured here: it waits in the outbox".into()));
        }
        Ok(match self.attempt(id, message, 0)? {
            Sent::Delivered => None,
            Sent::Failed(error) => Some(error),
            Sent::Taken => Some("another deliverer is sending it".into()),
        })
    }

    /// Takes the message, sends it and records the outcome.
    fn attempt(&self, id: u64, message: &Message, failures: u32) -> Result<Sent> {
        let mailer = self.parts.mailer.as_ref().ok_or_else(no_mailer)?;
        let now = self.now();
        let claim = Attempt::Claim { now, until: now + Duration::minutes(CLAIM_MINUTES) };
        if !self.store().record_attempt(self.tenant(), id, &claim)? {
            return Ok(Sent::Taken);
        }
        let result = mailer.send(message);
        let now = self.now();
        let (attempt, sent) = match result {
            Ok(()) => (Attempt::Delivered(now), Sent::Delivered),
            Err(e) => {
                let error = without_addresses(&e.to_string());
                (
                    Attempt::Failed { error: error.clone(), retry_at: now + retry_delay(failures + 1) },
                    Sent::Failed(error),
                )
            }
        };
        self.store().record_attempt(self.tenant(), id, &attempt)?;
        match (&attempt, &sent) {
            (_, Sent::Delivered) => tracing::info!(tenant = %self.tenant(), outbox_id = id, "message delivered"),
            (Attempt::Failed { retry_at, .. }, Sent::Failed(error)) => tracing::warn!(
                tenant = %self.tenant(),
                outbox_id = id,
                failures = failures + 1,
                retry_at = %crate::time::format(*retry_at),
                error = %error,
                "delivery failed; tried again later"
            ),
            _ => {}
        }
        Ok(sent)
    }

    /// Delivers every pending message whose attempt is due, oldest first, through the configured
    /// mailer: a message the server accepts is marked delivered (and its content dropped); one it
    /// refuses, or that cannot reach it, is kept with the error and tried again later (one minute
    /// after the first failure, doubling up to six hours). Nothing is ever dropped.
    pub fn deliver_pending(&self) -> Result<DeliveryReport> {
        let _span = tracing::info_span!("deliver", tenant = %self.tenant()).entered();
        if self.parts.mailer.is_none() {
            return Err(no_mailer());
        }
        let mut report = DeliveryReport::default();
        let started = self.now();
        loop {
            let due = self.store().due_messages(self.tenant(), started, BATCH)?;
            let tried = due.len();
            for (item, message) in due {
                match self.attempt(item.id, &message, item.failed_attempts)? {
                    Sent::Delivered => report.delivered.push(item.id),
                    Sent::Failed(error) => report.failed.push((item.id, error)),
                    Sent::Taken => {}
                }
            }
            if tried < BATCH {
                break;
            }
        }
        report.waiting = self
            .store()
            .outbox(self.tenant(), OutboxFilter::Pending, usize::MAX)?
            .iter()
            .filter(|m| m.next_attempt_at.is_some_and(|at| at > started))
            .count();
        Ok(report)
    }

    /// The messages in the outbox, oldest first: pending ones, or all.
    pub fn outbox(&self, filter: OutboxFilter) -> Result<Vec<OutboxItem>> {
        self.store().outbox(self.tenant(), filter, usize::MAX)
    }
}

/// What one attempt came to.
enum Sent {
    Delivered,
    Failed(String),
    /// Another deliverer took the message first.
    Taken,
}

/// A mail server's answer without the addresses it may quote ("550 <ines@example.org>: no such
/// user"): kept in the outbox and listed, it must not hold a person's address.
fn without_addresses(text: &str) -> String {
    text.split(' ').map(|word| if word.contains('@') { "[address]" } else { word }).collect::<Vec<_>>().join(" ")
}

fn no_mailer() -> Error {
    Error::config("mailer", "delivering messages needs a mail server, and none is configured: set smtp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_answer_is_kept_without_the_addresses_it_quotes() {
        assert_eq!(
            without_addresses("550 5.1.1 <ines@example.org>: recipient rejected"),
            "550 5.1.1 [address] recipient rejected"
        );
        assert_eq!(without_addresses("421 service not available"), "421 service not available");
    }

    #[test]
    fn retries_back_off_from_a_minute_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(5), Duration::minutes(16));
        assert_eq!(retry_delay(9), Duration::minutes(256));
        assert_eq!(retry_delay(10), Duration::hours(6));
        assert_eq!(retry_delay(u32::MAX), Duration::hours(6));
        assert_eq!(retry_delay(0), Duration::minutes(1), "no failure yet waits as the first");
    }
}
