//! Where the right to information stands for a subject (rules I2 to I4): where their data came
//! from, when they must be told, whether they were told or are exempt. Read from the ledger
//! alone, which is also the proof (Art. 5(2)): the subject's entry says the source, entries of
//! kind `information` say what was given, exempted or sent, and disclosures say when the data
//! first went to another recipient.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::decision::PendingInformation;
use crate::error::Result;
use crate::export::model::{ExemptionRecord, GivenNoticeRecord, InformationRecord};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::raw::bodies::{InformationAction, InformationBody, SubjectBody, value};
use crate::raw::ledger::{EntryKind, StoredEntry, decode_personal};
use crate::request::deadline::Deadlines;

use super::origin::{DataSource, ExemptionGround, InformedVia};

crate::named_enum::named_enum!(
    /// Where a subject stands (rule I2 to I4).
    InformationState, "state", {
        /// Their source was not recorded: gdprkit cannot say when they must be told.
        Unknown => "unknown",
        /// They were given a notice.
        Informed => "informed",
        /// An exemption with its ground is recorded (Art. 14(5)).
        Exempt => "exempt",
        /// They must be told by the due date, which has not passed.
        Due => "due",
        /// Their due date has passed and they were not told (listed like overdue requests, R10).
        Overdue => "overdue",
    }
);

crate::named_enum::named_enum!(
    /// What set the due date: the earliest of these applies (Art. 13(1), 14(3)).
    DueBy, "due_by", {
        /// Data collected from the person: at collection (Art. 13(1)).
        Collection => "collection",
        /// One month after the data was obtained, counted as request deadlines are (Art. 14(3)(a)).
        OneMonth => "one_month",
        /// The first communication with the person (Art. 14(3)(b)).
        FirstCommunication => "first_communication",
        /// The first disclosure to another recipient (Art. 14(3)(c)).
        FirstDisclosure => "first_disclosure",
    }
);

/// A notice given, as its `informed` event records it (rule I4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Informed {
    /// The ledger entry that records it.
    pub seq: u64,
    /// When it was given.
    pub at: DateTime<Utc>,
    /// How.
    pub via: InformedVia,
    /// The notice's version.
    pub notice_version: String,
    /// The SHA-256 of its text.
    pub notice_sha256: String,
}

/// An exemption, as recorded (rule I3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// The ledger entry that records it.
    pub seq: u64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Its ground.
    pub ground: ExemptionGround,
    /// Why, while the subject's values are kept.
    pub reason: Option<String>,
    /// Where the information is made public, for a disproportionate effort.
    pub public_notice: Option<String>,
}

/// Where the right to information stands for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationStatus {
    /// The subject.
    pub subject: SubjectId,
    /// Where it stands.
    pub state: InformationState,
    /// Where their data came from, if recorded.
    pub source: Option<DataSource>,
    /// The source's free reference.
    pub reference: Option<String>,
    /// When their data was obtained.
    pub obtained_at: Option<DateTime<Utc>>,
    /// The date by which they must be told, in the controller's zone, with a recorded source.
    pub due: Option<NaiveDate>,
    /// What set that date.
    pub due_by: Option<DueBy>,
    /// The first notice given, if any.
    pub informed: Option<Informed>,
    /// The exemption recorded, if any.
    pub exemption: Option<Exemption>,
}

impl InformationStatus {
    /// Whether the person must still be told: due or overdue.
    pub fn is_pending(&self) -> bool {
        matches!(self.state, InformationState::Due | InformationState::Overdue)
    }
}

/// What the entries about one subject say, taken in entry order.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    source: Option<DataSource>,
    reference: Option<String>,
    obtained_at: Option<DateTime<Utc>>,
    /// Every notice given, in entry order.
    notices: Vec<Informed>,
    exemption: Option<Exemption>,
    first_contact: Option<DateTime<Utc>>,
    first_disclosure: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct DisclosedAt {
    disclosed_at: String,
}

impl Tracker {
    /// Takes in one entry about the subject. An entry that cannot be read is skipped: the chain
    /// check reports a record changed or cut short (a committed value that is not text, which
    /// gdprkit never writes, reads as no value).
    pub fn add(&mut self, e: &StoredEntry<'_>) {
        let Ok(kind) = EntryKind::parse(e.kind) else { return };
        let personal = |name: &str| {
            e.personal
                .and_then(|p| decode_personal(p).ok())
                .and_then(|values| values.into_iter().find(|v| v.name == name).map(|v| v.value.to_owned()))
        };
        match kind {
            EntryKind::Subject => {
                let Ok(body) = serde_json::from_str::<SubjectBody>(e.body) else { return };
                let Some(source) = body.source else { return };
                let registered = crate::time::parse("recorded_at", &body.recorded_at).ok();
                let obtained = body.obtained_at.and_then(|at| crate::time::parse("obtained_at", &at).ok());
                self.source = Some(source);
                self.obtained_at = obtained.or(registered);
                self.reference = personal(value::SOURCE_REF);
            }
            EntryKind::Information => {
                let Ok(body) = serde_json::from_str::<InformationBody>(e.body) else { return };
                let Ok(at) = crate::time::parse("at", &body.at) else { return };
                match body.action {
                    InformationAction::Informed => {
                        let (Some(via), Some(version), Some(sha256)) =
                            (body.via, body.notice_version, body.notice_sha256)
                        else {
                            return;
                        };
                        self.notices.push(Informed {
                            seq: e.seq,
                            at,
                            via,
                            notice_version: version,
                            notice_sha256: sha256,
                        });
                    }
                    InformationAction::Exempted => {
                        let Some(ground) = body.ground else { return };
                        self.exemption = Some(Exemption {
                            seq: e.seq,
                            at,
                            ground,
                            reason: personal(value::REASON),
                            public_notice: body.public_notice,
                        });
                    }
                    InformationAction::Contacted => {
                        self.first_contact = Some(self.first_contact.map_or(at, |f| f.min(at)));
                    }
                }
            }
            EntryKind::Disclosure => {
                let Ok(body) = serde_json::from_str::<DisclosedAt>(e.body) else { return };
                let Ok(at) = crate::time::parse("disclosed_at", &body.disclosed_at) else { return };
                self.first_disclosure = Some(self.first_disclosure.map_or(at, |f| f.min(at)));
            }
            // What came before an erasure is no longer about the person.
            EntryKind::Erasure => *self = Tracker::default(),
            _ => {}
        }
    }

    /// Where the subject stands on `today` (the controller's date).
    pub fn status(self, gdpr: &Gdpr, subject: SubjectId, today: NaiveDate) -> Result<InformationStatus> {
        let due = match (self.source, self.obtained_at) {
            (Some(source), Some(obtained)) => Some(gdpr.information_due_date(&PendingInformation {
                collected: !source.is_other_source(),
                obtained_at: obtained,
                first_contact: self.first_contact,
                first_disclosure: self.first_disclosure,
            })?),
            _ => None,
        };
        // The first notice given.
        let informed = self.notices.into_iter().min_by_key(|n| (n.at, n.seq));
        let state = match (&informed, &self.exemption, due) {
            (Some(_), _, _) => InformationState::Informed,
            (None, Some(_), _) => InformationState::Exempt,
            (None, None, None) => InformationState::Unknown,
            (None, None, Some((date, _))) if today > date => InformationState::Overdue,
            (None, None, Some(_)) => InformationState::Due,
        };
        Ok(InformationStatus {
            subject,
            state,
            source: self.source,
            reference: self.reference,
            obtained_at: self.obtained_at,
            due: due.map(|d| d.0),
            due_by: due.map(|d| d.1),
            informed,
            exemption: self.exemption,
        })
    }
}

impl Tracker {
    /// What the export tells the person (version 5): their source and every notice given.
    pub fn record(mut self) -> InformationRecord {
        self.notices.sort_by_key(|n| (n.at, n.seq));
        InformationRecord {
            source: self.source.map(|s| s.as_str().to_owned()),
            reference: self.reference,
            obtained_at: self.obtained_at,
            notices: self
                .notices
                .into_iter()
                .map(|n| GivenNoticeRecord {
                    at: n.at,
                    via: n.via.as_str().to_owned(),
                    notice_version: n.notice_version,
                    notice_sha256: n.notice_sha256,
                })
                .collect(),
            exemption: self.exemption.map(|e| ExemptionRecord {
                at: e.at,
                ground: e.ground.as_str().to_owned(),
                reason: e.reason,
                public_notice: e.public_notice,
            }),
        }
    }
}

impl Gdpr {
    /// The date by which a subject must be told, in the controller's zone, and what set it: the
    /// earliest of one month after their data was obtained (counted as request deadlines are,
    /// R2), the first communication and the first disclosure (Art. 14(3)); the day of collection
    /// for data collected from them (Art. 13(1)).
    pub(crate) fn information_due_date(&self, p: &PendingInformation) -> Result<(NaiveDate, DueBy)> {
        let zone = self.parts.zone;
        if p.collected {
            return Ok((zone.local_date(p.obtained_at), DueBy::Collection));
        }
        let month = Deadlines::for_receipt(zone.local_date(p.obtained_at), self.parts.calendar.as_ref())?.due;
        let mut due = (month, DueBy::OneMonth);
        for (at, by) in [(p.first_contact, DueBy::FirstCommunication), (p.first_disclosure, DueBy::FirstDisclosure)] {
            if let Some(date) = at.map(|at| zone.local_date(at)).filter(|date| *date < due.0) {
                due = (date, by);
            }
        }
        Ok(due)
    }

    /// The subject's entries folded.
    pub(crate) fn information_tracker(&self, subject: &SubjectId) -> Result<Tracker> {
        let mut tracker = Tracker::default();
        self.store().subject_entries(self.tenant(), subject, &mut |e| {
            tracker.add(e);
            Ok(())
        })?;
        Ok(tracker)
    }

    /// Where the right to information stands for `subject` (rules I2 to I4): their source, the
    /// date by which they must be told (the earliest of one month after their data was obtained,
    /// the first communication and the first disclosure, Art. 14(3); at collection for data
    /// collected from them, Art. 13(1)), and the notice given or the exemption recorded.
    pub fn information_status(&self, subject: &SubjectId) -> Result<InformationStatus> {
        self.subject(subject)?;
        let tracker = self.information_tracker(subject)?;
        tracker.status(self, subject.clone(), self.parts.zone.local_date(self.now()))
    }

    /// The subjects who must still be told (due or overdue), by due date then id; with
    /// `overdue_only`, those whose due date has passed (listed like overdue requests, R10).
    /// Reads the tenant's chain once.
    pub fn information_due(&self, overdue_only: bool) -> Result<Vec<InformationStatus>> {
        let mut trackers: HashMap<String, Tracker> = HashMap::new();
        self.store().scan_ledger(self.tenant(), &mut |e| {
            if let Some(s) = e.subject {
                if let Some(t) = trackers.get_mut(s) {
                    t.add(e);
                } else if e.kind == EntryKind::Subject.as_str() {
                    let mut t = Tracker::default();
                    t.add(e);
                    if t.source.is_some() {
                        trackers.insert(s.to_owned(), t);
                    }
                }
            }
            true
        })?;
        let today = self.parts.zone.local_date(self.now());
        let mut listed = Vec::new();
        for (id, tracker) in trackers {
            let status = tracker.status(self, SubjectId::new(&id)?, today)?;
            if status.state == InformationState::Overdue || (!overdue_only && status.is_pending()) {
                listed.push(status);
            }
        }
        listed.sort_by(|a, b| (a.due, &a.subject).cmp(&(b.due, &b.subject)));
        Ok(listed)
    }
}
