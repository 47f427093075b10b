//! The change feed: the ledger read as a stream of typed changes without personal values, with a
//! cursor, for a CRM that keeps its own tables in step (a `consents` table, a request's state on
//! its contact screen) or sends webhooks.
//!
//! A change carries the subject's id (the CRM's own key) while the ledger still links the entry to
//! them; once the subject is erased, their earlier changes read with no subject. No change carries
//! a personal value: no address, IP, name, reason or note.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::consent::ConsentAction;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::information::{ExemptionGround, InformedVia};
use crate::outbox::MessageKind;
use crate::raw::bodies::{InformationAction, InformationBody};
use crate::raw::ledger::{EntryKind, FactAction, StoredEntry};
use crate::request::kind::RequestKind;
use crate::request::machine::RequestState;
use crate::time;

/// The most changes one call returns.
pub const MAX_CHANGES: usize = 10_000;

/// One change: a ledger entry, as a CRM reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Its position in the feed: the ledger entry's number. Pass the last one read as the next
    /// cursor.
    pub seq: u64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The subject it is about, while the ledger still links it to them.
    #[serde(default)]
    pub subject: Option<SubjectId>,
    /// What changed.
    #[serde(flatten)]
    pub what: ChangeKind,
}

/// What a change is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A purpose was registered.
    PurposeRegistered {
        /// Its id.
        purpose: String,
    },
    /// A custom channel was declared with its kind.
    ChannelDeclared {
        /// Its name.
        channel: String,
        /// Its kind.
        kind: ChannelKind,
    },
    /// A subject was registered.
    SubjectRegistered,
    /// The tenant's settings were saved (rule R2).
    SettingsSaved {
        /// The time zone.
        time_zone: String,
        /// The holiday calendar's name.
        calendar: String,
    },
    /// A consent event: an opt-in, opt-out, withdrawal or objection.
    Consent {
        /// What the subject did.
        action: ConsentAction,
        /// The purpose, or none for all direct marketing.
        #[serde(default)]
        purpose: Option<String>,
        /// The channel, or none for every channel.
        #[serde(default)]
        channel: Option<String>,
        /// When it happened.
        occurred_at: DateTime<Utc>,
    },
    /// Processing of the subject's data was restricted (Art. 18), or the restriction lifted.
    Restriction {
        /// Whether processing is restricted from now on.
        restricted: bool,
        /// From when.
        occurred_at: DateTime<Utc>,
    },
    /// A request was opened, or took a step.
    Request {
        /// The request's id.
        request: String,
        /// The step: `open`, `accept`, `complete`, `recipient_tasks`, …
        action: String,
        /// Its state after the step, for a step of its life.
        #[serde(default)]
        state: Option<RequestState>,
        /// The right it exercises, for a step of its life.
        #[serde(default)]
        kind: Option<RequestKind>,
        /// Its due date after the step, for a step of its life.
        #[serde(default)]
        due: Option<NaiveDate>,
    },
    /// The subject's data was disclosed to a recipient (named only in the ledger's values).
    Disclosure,
    /// The subject's data was erased.
    Erasure,
    /// A message to the subject was queued in the outbox.
    Message {
        /// What it is.
        message: MessageKind,
        /// The request it is about, if any.
        #[serde(default)]
        request: Option<String>,
    },
    /// The subject was given the information notice (rule I4).
    Informed {
        /// How.
        via: InformedVia,
        /// The notice's version.
        notice_version: String,
        /// When it was given.
        at: DateTime<Utc>,
    },
    /// The subject was exempted from being given the notice (rule I3); the reason is a personal
    /// value and stays in the ledger.
    InformationExempted {
        /// The ground.
        ground: ExemptionGround,
    },
    /// The CRM recorded a communication with the subject (Art. 14(3)(b)).
    Contacted {
        /// When.
        at: DateTime<Utc>,
    },
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePage {
    /// The changes after the cursor given, oldest first.
    pub changes: Vec<Change>,
    /// The cursor to pass next: the last change's `seq`, or the cursor given when there was none.
    pub next_cursor: u64,
}

/// The fields of an entry's body a change reads; the rest is not read.
#[derive(Deserialize)]
struct Body {
    recorded_at: String,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    calendar: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    to: Option<RequestState>,
    #[serde(default)]
    kind: Option<RequestKind>,
    #[serde(default)]
    due: Option<NaiveDate>,
    #[serde(default)]
    message: Option<MessageKind>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    channel_kind: Option<ChannelKind>,
}

impl Gdpr {
    /// The changes recorded after `cursor` (0 for the start), oldest first, at most `limit`
    /// (at most [`MAX_CHANGES`]).
    pub fn changes_since(&self, cursor: u64, limit: usize) -> Result<ChangePage> {
        if limit == 0 || limit > MAX_CHANGES {
            return Err(Error::invalid("limit", format!("must be between 1 and {MAX_CHANGES}, not {limit}")));
        }
        let mut changes = Vec::new();
        let mut failed = None;
        self.store().scan_after(self.tenant(), cursor, &mut |e| match change_of(e) {
            Ok(c) => {
                changes.push(c);
                changes.len() < limit
            }
            Err(err) => {
                failed = Some(err);
                false
            }
        })?;
        if let Some(err) = failed {
            return Err(err);
        }
        let next_cursor = changes.last().map_or(cursor, |c| c.seq);
        Ok(ChangePage { changes, next_cursor })
    }
}

/// The change an entry records.
fn change_of(e: &StoredEntry<'_>) -> Result<Change> {
    let corrupt = |what: &str| Error::Corrupt(format!("ledger entry {} has an unreadable {what}", e.seq));
    let body: Body = serde_json::from_str(e.body).map_err(|_| corrupt("body"))?;
    let kind = EntryKind::parse(e.kind)?;
    let fact_time = || -> Result<DateTime<Utc>> {
        e.fact.ok_or_else(|| corrupt("fact")).and_then(|f| time::from_micros(f.occurred_at))
    };
    let what = match kind {
        EntryKind::Purpose => ChangeKind::PurposeRegistered { purpose: body.id.unwrap_or_default() },
        EntryKind::Subject => ChangeKind::SubjectRegistered,
        EntryKind::Channel => ChangeKind::ChannelDeclared {
            channel: body.name.ok_or_else(|| corrupt("name"))?,
            kind: body.channel_kind.ok_or_else(|| corrupt("channel kind"))?,
        },
        EntryKind::Consent => {
            let fact = e.fact.ok_or_else(|| corrupt("fact"))?;
            let (action, _) =
                FactAction::from_name(fact.action).and_then(FactAction::consent).ok_or_else(|| corrupt("action"))?;
            let named = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            ChangeKind::Consent {
                action,
                purpose: named(fact.purpose),
                channel: named(fact.channel),
                occurred_at: fact_time()?,
            }
        }
        EntryKind::Request => match e.fact.map(|f| FactAction::from_name(f.action)) {
            Some(Some(action @ (FactAction::Restrict | FactAction::LiftRestriction))) => {
                ChangeKind::Restriction { restricted: action == FactAction::Restrict, occurred_at: fact_time()? }
            }
            _ => ChangeKind::Request {
                request: body.request.unwrap_or_default(),
                action: body.action.unwrap_or_default(),
                state: body.to,
                kind: body.kind,
                due: body.due,
            },
        },
        EntryKind::Disclosure => ChangeKind::Disclosure,
        EntryKind::Settings => ChangeKind::SettingsSaved {
            time_zone: body.time_zone.ok_or_else(|| corrupt("time zone"))?,
            calendar: body.calendar.ok_or_else(|| corrupt("calendar"))?,
        },
        EntryKind::Erasure => ChangeKind::Erasure,
        EntryKind::Message => {
            ChangeKind::Message { message: body.message.ok_or_else(|| corrupt("message"))?, request: body.request }
        }
        EntryKind::Information => {
            let info: InformationBody = serde_json::from_str(e.body).map_err(|_| corrupt("body"))?;
            let at = time::parse("at", &info.at).map_err(|_| corrupt("instant"))?;
            match info.action {
                InformationAction::Informed => ChangeKind::Informed {
                    via: info.via.ok_or_else(|| corrupt("channel"))?,
                    notice_version: info.notice_version.ok_or_else(|| corrupt("notice version"))?,
                    at,
                },
                InformationAction::Exempted => {
                    ChangeKind::InformationExempted { ground: info.ground.ok_or_else(|| corrupt("ground"))? }
                }
                InformationAction::Contacted => ChangeKind::Contacted { at },
            }
        }
    };
    Ok(Change {
        seq: e.seq,
        recorded_at: time::parse("recorded_at", &body.recorded_at).map_err(|_| corrupt("recorded_at"))?,
        subject: e.subject.map(SubjectId::new).transpose()?,
        what,
    })
}
