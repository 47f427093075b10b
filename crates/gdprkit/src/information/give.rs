//! Giving the notice and proving it (rule I4), recording exemptions (I3) and communications
//! (I2): each is a ledger entry of kind `information` about the subject.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decision::PendingInformation;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::mailer::Message;
use crate::outbox::MessageKind;
use crate::raw::bodies::{InformationAction, InformationBody, value};
use crate::raw::ledger::{EntryKind, InformationFact, NewEntry, OwnedFact, PersonalValues, body_json};
use crate::raw::store::Append;
use crate::request::service::Delivery;
use crate::time;

use super::InformationNotice;
use super::NoticeToCarry;
use super::origin::{DataSource, GivenNotice, InformedVia, NewExemption};

/// A notice given: which, how and when, and for an e-mail what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenInformation {
    /// The `informed` ledger entry.
    pub seq: u64,
    /// The notice given, to print and post when it went by post.
    pub notice: InformationNotice,
    /// How it was given.
    pub via: InformedVia,
    /// When.
    pub at: DateTime<Utc>,
    /// For an e-mail: sent, or waiting in the outbox under `outbox_id`.
    pub delivery: Option<Delivery>,
    /// For an e-mail: its id in the outbox.
    pub outbox_id: Option<u64>,
}

/// The `informed` entry for a notice given to `subject`.
pub(crate) fn informed_entry(
    subject: &SubjectId,
    notice: &GivenNotice,
    via: InformedVia,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Append> {
    let body = InformationBody {
        recorded_at: time::format(now),
        action: InformationAction::Informed,
        at: time::format(at),
        via: Some(via),
        notice_version: Some(notice.version.clone()),
        notice_sha256: Some(notice.sha256.clone()),
        ground: None,
        public_notice: None,
    };
    let fact = OwnedFact::information(InformationFact::Informed, at);
    let entry =
        NewEntry::about(EntryKind::Information, subject.clone(), Some(fact), body_json(&body)?, PersonalValues::new())?;
    Ok(Append { entry, effect: None })
}

impl Gdpr {
    /// Gives `subject` the information notice ([`Gdpr::information_notice`], in their language)
    /// and records it as an `informed` ledger event with the notice's version and SHA-256, the
    /// channel and the instant (rule I4, Art. 5(2)).
    ///
    /// By `email`, gdprkit mails it through the outbox, in the same transaction as the event,
    /// then tries once to deliver it; a subject without an address is an error. By `post` or
    /// `with_message`, it records the notice as given at `at` (now when `None`): print
    /// [`GivenInformation::notice`] and post it, or carry it in the message. A notice given at
    /// collection is recorded with the subject ([`crate::information::origin::Origin::notice`]),
    /// so `at_collection` is refused here.
    pub fn inform(&self, subject: &SubjectId, via: InformedVia, at: Option<DateTime<Utc>>) -> Result<GivenInformation> {
        let now = self.now();
        let s = self.subject(subject)?;
        if via == InformedVia::AtCollection {
            return Err(Error::invalid(
                "via",
                "a notice given at collection is recorded with the subject (its origin's notice), not as a second step",
            ));
        }
        let at = match (via, at) {
            (InformedVia::Email, Some(_)) => {
                return Err(Error::invalid("at", "a notice by e-mail is given when it is queued: give no instant"));
            }
            (_, Some(at)) => time::check_past("at", at, now)?,
            (_, None) => now,
        };
        let notice = self.information_notice(Some(subject), None)?;
        let given = GivenNotice { version: notice.version.clone(), sha256: notice.sha256.clone() };
        let informed = informed_entry(subject, &given, via, at, now)?;
        if via != InformedVia::Email {
            let seqs = self.store().append(self.tenant(), &[informed])?;
            let seq = first(&seqs)?;
            return Ok(GivenInformation { seq, notice, via, at, delivery: None, outbox_id: None });
        }
        let to = s.email.ok_or_else(|| {
            Error::invalid("subject", format!("{subject} has no e-mail address; give the notice by post"))
        })?;
        let message = Message {
            to: to.clone(),
            subject: notice_subject(&notice, &self.controller().name),
            body: notice.text.clone(),
            attachments: Vec::new(),
            message_id: None,
        };
        let (queued, message) = self.queue_append(MessageKind::Information, subject, None, message, now)?;
        let seqs = self.store().append(self.tenant(), &[queued, informed])?;
        let outbox_id = first(&seqs)?;
        let seq =
            seqs.get(1).copied().ok_or_else(|| Error::internal("the store numbered no entry", std::fmt::Error))?;
        let delivery = match self.deliver_now(outbox_id, &message) {
            Ok(None) => Delivery::Sent { to },
            Ok(Some(reason)) => Delivery::Queued { to, reason },
            Err(e) => Delivery::Queued { to, reason: e.to_string() },
        };
        Ok(GivenInformation { seq, notice, via, at, delivery: Some(delivery), outbox_id: Some(outbox_id) })
    }

    /// Records that `subject` need not be given the notice, on a ground of Art. 14(5) with its
    /// reason (rule I3): never assumed, and refused for data collected from the person, to whom
    /// Art. 14(5) does not apply. Returns the ledger entry's number.
    pub fn exempt_from_information(&self, subject: &SubjectId, exemption: &NewExemption) -> Result<u64> {
        exemption.check()?;
        let status = self.information_status(subject)?;
        if status.source == Some(DataSource::Collected) {
            return Err(Error::invalid(
                "ground",
                format!("{subject}'s data were collected from them: Art. 14(5)'s exemptions do not apply (Art. 13)"),
            ));
        }
        let now = self.now();
        let seqs = self.store().append(self.tenant(), &[exemption_entry(subject, exemption, now)?])?;
        first(&seqs)
    }

    /// Records the exemption for every subject from `source` who must still be told, in one
    /// transaction per 100,000 subjects (rule I3 per source). Subjects added from that source later are not covered:
    /// an exemption is never assumed. Returns the subjects exempted.
    pub fn exempt_source_from_information(
        &self,
        source: DataSource,
        exemption: &NewExemption,
    ) -> Result<Vec<SubjectId>> {
        exemption.check()?;
        if !source.is_other_source() {
            return Err(Error::invalid("source", "Art. 14(5)'s exemptions apply to data from another source only"));
        }
        let now = self.now();
        let subjects: Vec<SubjectId> =
            self.information_due(false)?.into_iter().filter(|s| s.source == Some(source)).map(|s| s.subject).collect();
        let appends = subjects.iter().map(|s| exemption_entry(s, exemption, now)).collect::<Result<Vec<_>>>()?;
        for chunk in appends.chunks(crate::facade::MAX_BATCH) {
            self.store().append(self.tenant(), chunk)?;
        }
        Ok(subjects)
    }

    /// Records that the CRM communicated with `subject` at `at` (now when `None`): for data from
    /// another source, the notice is due at the latest then (Art. 14(3)(b)). Returns the ledger
    /// entry's number.
    pub fn record_communication(&self, subject: &SubjectId, at: Option<DateTime<Utc>>) -> Result<u64> {
        let now = self.now();
        let at = at.map_or(Ok(now), |at| time::check_past("at", at, now))?;
        self.subject(subject)?;
        let body = InformationBody {
            recorded_at: time::format(now),
            action: InformationAction::Contacted,
            at: time::format(at),
            via: None,
            notice_version: None,
            notice_sha256: None,
            ground: None,
            public_notice: None,
        };
        let fact = OwnedFact::information(InformationFact::Contacted, at);
        let entry = NewEntry::about(
            EntryKind::Information,
            subject.clone(),
            Some(fact),
            body_json(&body)?,
            PersonalValues::new(),
        )?;
        let seqs = self.store().append(self.tenant(), &[Append { entry, effect: None }])?;
        first(&seqs)
    }

    /// The notice a message must carry, for a decision at `at` allowing contact with a person
    /// whose facts say they must still be told: the due date and whether it passed (rule I2);
    /// the notice itself is named by [`Gdpr::name_notice`].
    pub(crate) fn notice_to_carry(&self, pending: &PendingInformation, at: DateTime<Utc>) -> Result<NoticeToCarry> {
        let (due, due_by) = self.information_due_date(pending)?;
        let overdue = self.parts.zone.local_date(at) > due;
        Ok(NoticeToCarry { due, due_by, overdue, version: None, sha256: None })
    }

    /// Names the version and SHA-256 of `subject`'s notice in `carry`. A decision does not fail
    /// for want of the parts a notice is built from: without them it still says that one is due.
    pub(crate) fn name_notice(&self, subject: &SubjectId, carry: &mut NoticeToCarry) -> Result<()> {
        match self.information_notice(Some(subject), None) {
            Ok(notice) => {
                carry.version = Some(notice.version);
                carry.sha256 = Some(notice.sha256);
                Ok(())
            }
            Err(e) if e.kind() == crate::ErrorKind::Config => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn exemption_entry(subject: &SubjectId, exemption: &NewExemption, now: DateTime<Utc>) -> Result<Append> {
    let body = InformationBody {
        recorded_at: time::format(now),
        action: InformationAction::Exempted,
        at: time::format(now),
        via: None,
        notice_version: None,
        notice_sha256: None,
        ground: Some(exemption.ground),
        public_notice: exemption.public_notice.clone(),
    };
    let mut personal = PersonalValues::new();
    personal.add(value::REASON, exemption.reason.as_str())?;
    let fact = OwnedFact::information(InformationFact::Exempted, now);
    let entry = NewEntry::about(EntryKind::Information, subject.clone(), Some(fact), body_json(&body)?, personal)?;
    Ok(Append { entry, effect: None })
}

fn first(seqs: &[u64]) -> Result<u64> {
    seqs.first().copied().ok_or_else(|| Error::internal("the store numbered no entry", std::fmt::Error))
}

/// The e-mail's subject line for a notice.
fn notice_subject(notice: &InformationNotice, controller: &str) -> String {
    if notice.language == "en" {
        format!("How {controller} uses your personal data")
    } else {
        format!("Comment {controller} utilise vos données personnelles")
    }
}
