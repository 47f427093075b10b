//! The request methods of [`Gdpr`]: open, act, track, list (rules R1 to R5, R8, R10).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::deadline::Deadlines;
use super::kind::{ReceivedVia, RequestKind};
use super::machine::{
    RequestAction, RequestState, SideEffect, check_guards, notice_of, side_effects, side_effects_on_receipt,
};
use super::notice::{NoticeDetails, NoticeKind, NoticeText, render};
use super::objection::{ObjectionScope, scope_of};
use super::recipients::{Disclosure, MAX_RECIPIENT_BYTES, RecipientTask, TaskOutcome, TaskStatus};
use super::record::{
    CopyDelivery, Delivered, Extension, ExtensionGround, Kept, MAX_KEPT_BYTES, PublicNote, PublicView, RefusalCode,
    Request, RequestId, StateChange, WaitKind, new_token,
};
use crate::consent::{Collector, NewConsent, Proof, Source};
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{PurposeId, SubjectId};
use crate::mailer::{Attachment, Message};
use crate::raw::bodies::{DisclosureBody, RequestBody, TaskBody, value};
use crate::raw::ledger::{
    EntryKind, FactAction, InformationFact, NewEntry, OwnedFact, PersonalValues, RESTRICTION_SCOPE, body_json,
};
use crate::raw::store::{Append, Effect};
use crate::subject::{Language, Subject};
use crate::text::check_text;
use crate::time;

/// The longest reason or note accepted, in bytes.
pub const MAX_REASON_BYTES: usize = 4096;
/// The longest actor name accepted, in bytes.
pub const MAX_ACTOR_BYTES: usize = 256;
/// Tokens longer than this are not looked up: no token gdprkit issued is that long.
pub(crate) const MAX_TOKEN_BYTES: usize = 128;

/// A request to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The subject who made it.
    pub subject: SubjectId,
    /// The right it exercises.
    pub kind: RequestKind,
    /// The channel it came by.
    pub via: ReceivedVia,
    /// When it reached the controller; now when `None`. Never in the future.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    /// For an objection, the purposes objected to (R11): direct-marketing ones stop at once
    /// (C5), those on `public_task` or `legitimate_interests` are restricted while the objection
    /// is assessed (Art. 21(1)); none means all direct marketing. Other kinds name none.
    #[serde(default)]
    pub purposes: Vec<PurposeId>,
}

/// A request just opened, with its tracking token: shown once, kept only as its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedRequest {
    /// The request.
    pub request: Request,
    /// The tracking token to give the subject.
    pub token: String,
    /// The receipt notice, with the due date and the token.
    pub notice: Notice,
}

/// A request after a step, and the notice the step sent, if it sends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The request after the step.
    pub request: Request,
    /// The notice to the subject: waiting, extension, refusal and completion send one (R7).
    pub notice: Option<Notice>,
}

/// A notice to a subject and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Which notice.
    pub kind: NoticeKind,
    /// The language it is written in: the subject's, else French.
    pub language: Language,
    /// Its text, also for printing and posting.
    pub text: NoticeText,
    /// Whether it was sent.
    pub delivery: Delivery,
    /// Its id in the outbox, when it was queued.
    #[serde(default)]
    pub outbox_id: Option<u64>,
}

/// A notice written before the change that produces it, with the append that queues it.
pub(crate) struct PreparedNotice {
    pub(crate) notice: Notice,
    queued: Option<(Append, Message)>,
}

impl PreparedNotice {
    /// Adds the queuing append to `appends`, returning its index there.
    pub(crate) fn queue_into(&mut self, appends: &mut Vec<Append>) -> Option<(usize, Message)> {
        self.queued.take().map(|(append, message)| {
            appends.push(append);
            (appends.len() - 1, message)
        })
    }
}

/// What became of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    /// Queued with the step and accepted by the mail server right after.
    Sent {
        /// The address it was sent to.
        to: String,
    },
    /// Queued with the step, in the outbox: no mailer is configured here, or the first attempt
    /// failed. [`Gdpr::deliver_pending`] sends it; it is never dropped.
    Queued {
        /// The address it is to.
        to: String,
        /// Why it is not sent yet.
        reason: String,
    },
    /// Not queued: the subject has no e-mail address; print and post it.
    NoAddress,
}

/// An action on a request, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum Step {
    /// Ask the subject for something: their identity, on a reasonable doubt (Art. 12(6)), or a
    /// clarification. The deadline pauses (R4).
    AwaitSubject {
        /// What is waited for.
        kind: WaitKind,
        /// For identity, the reasonable doubt; for a clarification, what is asked. The subject is
        /// told.
        reason: String,
        /// For identity, the method asked for (a reply from the address on record, a call-back);
        /// never a copy of an identity document kept beyond the check.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
    },
    /// The subject answered: the deadline runs again.
    Resume,
    /// Accept the request.
    Accept,
    /// Start carrying it out.
    Start,
    /// Extend the deadline, once, no later than the due date (R3).
    Extend {
        /// The ground.
        ground: ExtensionGround,
        /// The written reason given to the subject.
        reason: String,
    },
    /// Refuse it (R5). An objection cannot be refused.
    Refuse {
        /// The reason code.
        code: RefusalCode,
        /// The reason in words, given to the subject.
        reason: String,
    },
    /// Complete it. Completing an objection confirms it: the consent ledger recorded it when the
    /// request was received (C5). An access or portability request is completed with its copy
    /// delivered (E3): [`Gdpr::complete_with_export`] mails it, or [`Step::CompleteHandedOver`]
    /// records how it was handed over.
    Complete,
    /// Complete the request keeping part of the data (R5, partial refusal): each part kept names
    /// a code of the refusal table that applies to the request's kind, and its period; the
    /// completion notice states them with the right to complain and to a judicial remedy. Not
    /// for access or portability, whose copy is delivered with [`Step::CompleteHandedOver`] or
    /// [`Gdpr::complete_with_export`].
    CompleteKeeping {
        /// What was kept, at least one.
        kept: Vec<Kept>,
    },
    /// Complete an access or portability request whose copy reached the subject otherwise than
    /// by mail from gdprkit (E3): printed and posted, handed over in person, or downloaded.
    CompleteHandedOver {
        /// How (`delivered_by` in JSON, as on the command line).
        #[serde(rename = "delivered_by")]
        by: CopyDelivery,
        /// On which day (in the controller's zone), between receipt and today.
        on: NaiveDate,
    },
    /// The subject withdraws it.
    Withdraw,
}

impl Step {
    /// The action of the transition table this step takes.
    pub fn action(&self) -> RequestAction {
        match self {
            Step::AwaitSubject { .. } => RequestAction::AwaitSubject,
            Step::Resume => RequestAction::Resume,
            Step::Accept => RequestAction::Accept,
            Step::Start => RequestAction::Start,
            Step::Extend { .. } => RequestAction::Extend,
            Step::Refuse { .. } => RequestAction::Refuse,
            Step::Complete | Step::CompleteKeeping { .. } | Step::CompleteHandedOver { .. } => RequestAction::Complete,
            Step::Withdraw => RequestAction::Withdraw,
        }
    }
}

impl Gdpr {
    /// Opens a request: its due dates from the receipt date (R2), a tracking token (R8), and a
    /// ledger entry.
    pub fn open_request(&self, new: NewRequest) -> Result<OpenedRequest> {
        let _span = tracing::info_span!("open_request", tenant = %self.tenant(), kind = %new.kind).entered();
        self.open_request_confirming(new, None, None)
    }

    /// Opens a request with what the person submitted (their message, kept as a personal value of
    /// its first entry, and the language they wrote in, which the receipt is written in),
    /// confirming the pending submission whose code has the SHA-256 `confirms`, if any, in the
    /// same transaction.
    pub(crate) fn open_request_confirming(
        &self,
        new: NewRequest,
        submitted: Option<(&str, Language)>,
        confirms: Option<[u8; 32]>,
    ) -> Result<OpenedRequest> {
        let now = self.now();
        let received_at = new.received_at.map_or(Ok(now), |at| time::check_past("received_at", at, now))?;
        let mut contact = self.subject(&new.subject)?;
        let message = submitted.map(|(m, _)| m).filter(|m| !m.trim().is_empty());
        if let Some((_, language)) = submitted {
            contact.language = Some(language);
        }
        let objection = match new.kind {
            RequestKind::Objection => {
                let purposes = new.purposes.iter().map(|p| self.purpose(p)).collect::<Result<Vec<_>>>()?;
                Some(ObjectionScope::of(&purposes)?)
            }
            _ if !new.purposes.is_empty() => {
                return Err(Error::invalid(
                    "purposes",
                    format!("only an objection names purposes, and this is a {} request", new.kind),
                ));
            }
            _ => None,
        };
        let received_on = self.parts.zone.local_date(received_at);
        let deadlines = Deadlines::for_receipt(received_on, self.parts.calendar.as_ref())?;
        let request = Request {
            id: RequestId::generate()?,
            subject: new.subject,
            kind: new.kind,
            via: new.via,
            received_at,
            received_on,
            state: RequestState::Received,
            initial_due: deadlines.due,
            due: deadlines.due,
            extension: None,
            waiting_since: None,
            paused_days: 0,
            awaiting: None,
            awaiting_kind: None,
            identity_asked: false,
            late: false,
            delivered: None,
            download_until: None,
            objection,
            kept: Vec::new(),
            public_notes: Vec::new(),
            refusal: None,
            closed_at: None,
            history: vec![StateChange { at: received_at, state: RequestState::Received }],
        };
        let (token, token_hash) = new_token()?;
        let mut personal = PersonalValues::new();
        personal.add_opt(value::MESSAGE, message)?;
        let entry = self.request_entry(&request, "open", None, now, &personal)?;
        let effect = Effect::OpenRequest { request: request.clone(), token_hash, confirms };
        let mut appends = vec![Append { entry, effect: Some(effect) }];
        for effect in side_effects_on_receipt(&request) {
            appends.extend(self.side_effect(*effect, &request, now)?);
        }
        let details = NoticeDetails { token: Some(&token), reason: None, on: Some(received_on) };
        let mut prepared =
            self.prepare_notice(NoticeKind::Receipt, &request, details, Some(&contact), Vec::new(), now)?;
        let queued = prepared.queue_into(&mut appends);
        let seqs = self.store().append(self.tenant(), &appends)?;
        tracing::info!(tenant = %self.tenant(), request = %request.id, kind = %request.kind, due = %request.due, "request opened");
        let notice = self.send_notice(prepared.notice, queued, &seqs);
        Ok(OpenedRequest { request, token, notice })
    }

    /// The request with this id, or [`Error::UnknownRequest`].
    pub fn request(&self, id: &RequestId) -> Result<Request> {
        self.store().request(self.tenant(), id)?.ok_or_else(|| Error::UnknownRequest(id.to_string()))
    }

    /// Takes a step in a request's life (R1), done by `actor` (a staff member's name, or
    /// `subject`). A step that does not apply to the request's state fails naming both.
    pub fn act(&self, id: &RequestId, step: Step, actor: &str) -> Result<StepOutcome> {
        self.act_noted(id, step, actor, None)
    }

    /// The same, with a note for the subject, shown with their tracking token and kept in the
    /// ledger entry of the step.
    pub fn act_noted(&self, id: &RequestId, step: Step, actor: &str, public_note: Option<&str>) -> Result<StepOutcome> {
        self.act_inner(id, step, actor, public_note, None, Vec::new())
    }

    /// The same, writing any notice to `contact` as it was before an erasure removed its address,
    /// with `attachments` (an export) on the notice.
    pub(crate) fn act_inner(
        &self,
        id: &RequestId,
        step: Step,
        actor: &str,
        public_note: Option<&str>,
        contact: Option<&Subject>,
        attachments: Vec<Attachment>,
    ) -> Result<StepOutcome> {
        let _span =
            tracing::info_span!("request_step", tenant = %self.tenant(), request = %id, action = %step.action())
                .entered();
        check_text("actor", actor, MAX_ACTOR_BYTES)?;
        if let Some(note) = public_note {
            check_text("note", note, MAX_REASON_BYTES)?;
        }
        let now = self.now();
        let today = self.parts.zone.local_date(now);
        let before = self.request(id)?;
        let mut after = before.clone();
        after.state = before.state.apply(step.action())?;
        check_guards(&before, step.action(), today)?;
        if after.state != before.state {
            after.history.push(StateChange { at: now, state: after.state });
        }
        let mut personal = PersonalValues::new();
        personal.add(value::ACTOR, actor)?;
        if let Some(note) = public_note {
            personal.add(value::NOTE, note)?;
            after.public_notes.push(PublicNote { at: now, text: note.to_owned() });
        }
        let mut also = Vec::new();
        match &step {
            Step::AwaitSubject { kind, reason, method } => {
                check_text("reason", reason, MAX_REASON_BYTES)?;
                let asked = match (kind, method) {
                    (WaitKind::Identity, Some(method)) => {
                        check_text("method", method, MAX_REASON_BYTES)?;
                        format!("{reason} — {method}")
                    }
                    (WaitKind::Identity, None) => {
                        return Err(Error::invalid(
                            "method",
                            "a wait for identity names the method asked for (a reply from the address on \
                             record, a call-back, …) with the doubt (Art. 12(6))",
                        ));
                    }
                    (WaitKind::Clarification, Some(_)) => {
                        return Err(Error::invalid("method", "a method is asked for identity only"));
                    }
                    (WaitKind::Clarification, None) => reason.clone(),
                };
                personal.add(value::REASON, asked.as_str())?;
                after.waiting_since = Some(now);
                after.awaiting = Some(asked);
                after.awaiting_kind = Some(*kind);
                after.identity_asked |= *kind == WaitKind::Identity;
            }
            Step::Resume => {
                let since = before.waiting_since.map_or(today, |t| self.parts.zone.local_date(t));
                after.paused_days += u64::try_from((today - since).num_days()).unwrap_or(0);
                after.waiting_since = None;
                after.awaiting = None;
                after.awaiting_kind = None;
            }
            Step::Extend { ground, reason } => {
                check_text("reason", reason, MAX_REASON_BYTES)?;
                personal.add(value::REASON, reason.as_str())?;
                after.extension = Some(Extension { ground: *ground, reason: reason.clone(), at: now });
            }
            Step::Refuse { code, reason } => {
                code.check(&before)?;
                check_text("reason", reason, MAX_REASON_BYTES)?;
                personal.add(value::REASON, reason.as_str())?;
                after.refusal = Some(*code);
            }
            Step::Complete if before.kind.carries_a_copy() => match attachments.is_empty() {
                true => {
                    return Err(Error::state(
                        "action",
                        format!(
                            "a {} request is completed with its copy delivered (Art. 15(3), 20(1)): mail it with \
                             complete_with_export, or record how it was handed over (complete --delivered-by \
                             post|in_person|download --on DATE)",
                            before.kind
                        ),
                    ));
                }
                false => {
                    // The copy goes with the completion notice: only where there is an address.
                    let address = match contact {
                        Some(c) => c.email.clone(),
                        None => self.subject(&before.subject)?.email,
                    };
                    if address.is_none() {
                        return Err(Error::state(
                            "action",
                            format!(
                                "{} has no e-mail address to mail the copy to: hand it over, then record how \
                                 (complete --delivered-by post|in_person|download --on DATE)",
                                before.subject
                            ),
                        ));
                    }
                    after.delivered = Some(Delivered { by: CopyDelivery::Mail, on: today });
                }
            },
            Step::CompleteKeeping { kept } => {
                if before.kind == RequestKind::Objection {
                    return Err(Error::invalid(
                        "kept",
                        "an objection is upheld whole (complete) or refused with its grounds (refuse); to keep \
                         processing for some purposes, open one objection per purpose",
                    ));
                }
                if before.kind.carries_a_copy() {
                    return Err(Error::invalid(
                        "kept",
                        format!("a {} request is completed with its copy delivered; nothing is kept", before.kind),
                    ));
                }
                if kept.is_empty() {
                    return Err(Error::invalid("kept", "name what was kept, or complete the request in full"));
                }
                for k in kept {
                    check_text("kept", &k.what, MAX_KEPT_BYTES)?;
                    k.code.check(&before)?;
                }
                after.kept = kept.clone();
            }
            Step::CompleteHandedOver { by, on } => {
                if !before.kind.carries_a_copy() {
                    return Err(Error::invalid("delivered_by", format!("a {} request carries no copy", before.kind)));
                }
                if *by == CopyDelivery::Mail {
                    return Err(Error::invalid(
                        "delivered_by",
                        "a copy is mailed by complete_with_export, which sends it",
                    ));
                }
                if *on > today || *on < before.received_on {
                    return Err(Error::invalid(
                        "on",
                        format!(
                            "{on} is not between the request's receipt, {}, and today, {today}",
                            before.received_on
                        ),
                    ));
                }
                after.delivered = Some(Delivered { by: *by, on: *on });
            }
            Step::Accept | Step::Start | Step::Complete | Step::Withdraw => {}
        }
        for effect in side_effects(&before, step.action()) {
            also.extend(self.side_effect(*effect, &before, now)?);
        }
        let notice = notice_of(step.action()).map(|kind| {
            let reason = match &step {
                Step::AwaitSubject { .. } => after.awaiting.clone(),
                Step::Extend { reason, .. } | Step::Refuse { reason, .. } => Some(reason.clone()),
                _ => None,
            };
            (kind, reason)
        });
        if after.state.is_closed() {
            after.closed_at = Some(now);
            // A wait still running when the request closes counts as paused up to today (R4).
            if let Some(since) = after.waiting_since.take() {
                let since = self.parts.zone.local_date(since);
                after.paused_days += u64::try_from((today - since).num_days()).unwrap_or(0);
                after.awaiting = None;
                after.awaiting_kind = None;
            }
        }
        after.due = self.due_of(&after)?;
        if matches!(after.state, RequestState::Refused | RequestState::Completed) {
            // Answered after the due date: late, and listed so (R5). A copy handed over counts
            // from the day it was handed over.
            let answered = match &step {
                Step::CompleteHandedOver { on, .. } => *on,
                _ => today,
            };
            after.late = answered > after.due;
        }
        let entry = self.request_entry(&after, step.action().as_str(), Some(before.state), now, &personal)?;
        let mut appends = vec![Append {
            entry,
            effect: Some(Effect::UpdateRequest { expected: before.state, request: after.clone() }),
        }];
        appends.extend(also);
        let mut prepared = notice
            .map(|(kind, reason)| {
                let details = NoticeDetails { token: None, reason: reason.as_deref(), on: Some(today) };
                self.prepare_notice(kind, &after, details, contact, attachments, now)
            })
            .transpose()?;
        let queued = prepared.as_mut().and_then(|p| p.queue_into(&mut appends));
        let seqs = self.store().append(self.tenant(), &appends)?;
        tracing::info!(
            tenant = %self.tenant(),
            request = %after.id,
            action = step.action().as_str(),
            state = after.state.as_str(),
            "request step"
        );
        let notice = prepared.map(|p| self.send_notice(p.notice, queued, &seqs));
        Ok(StepOutcome { request: after, notice })
    }

    /// The appends of one side effect of a step (see [`SideEffect`]), to go in the step's own
    /// transaction.
    fn side_effect(&self, effect: SideEffect, before: &Request, now: DateTime<Utc>) -> Result<Vec<Append>> {
        Ok(match effect {
            SideEffect::Restrict => {
                vec![self.restriction_append(before, FactAction::Restrict, now, PersonalValues::new())?]
            }
            SideEffect::CheckPortability => {
                if let Some(why) = self.portability_ineligibility(&before.subject)? {
                    return Err(Error::state(
                        "action",
                        format!("{why}; refuse it with the code not_eligible_for_portability (Art. 20(1))"),
                    ));
                }
                Vec::new()
            }
            SideEffect::RecordObjection => {
                // The subject objected through the channel the request came by, when it arrived.
                let mut objection = NewConsent::objection(before.subject.clone());
                objection.occurred_at = Some(before.received_at);
                objection.proof = Proof {
                    source: Some(source_of(before.via)),
                    collected_by: Some(Collector::Subject),
                    ..Proof::default()
                };
                let (append, _) =
                    self.prepare_consent(objection, now, None, &mut HashSet::new(), &mut HashSet::new())?;
                vec![append]
            }
            SideEffect::RecordSituationObjection => {
                let mut appends = Vec::new();
                let mut seen = (HashSet::new(), HashSet::new());
                for purpose in scope_of(before).map(|s| s.particular_situation).unwrap_or_default() {
                    let mut objection = NewConsent::objection(before.subject.clone());
                    objection.purpose = Some(purpose);
                    objection.occurred_at = Some(now);
                    objection.proof = Proof {
                        source: Some(source_of(before.via)),
                        collected_by: Some(Collector::Subject),
                        ..Proof::default()
                    };
                    appends.push(self.prepare_consent(objection, now, None, &mut seen.0, &mut seen.1)?.0);
                }
                appends
            }
            SideEffect::TellRecipients => self.recipient_tasks_append(before, now)?.into_iter().collect(),
        })
    }

    /// Art. 19: a pending task per recipient the subject's data went to, or nothing when there
    /// is none.
    fn recipient_tasks_append(&self, before: &Request, now: DateTime<Utc>) -> Result<Option<Append>> {
        let mut recipients: Vec<String> = self.disclosures(&before.subject)?.into_iter().map(|d| d.recipient).collect();
        recipients.sort();
        recipients.dedup();
        if recipients.is_empty() {
            return Ok(None);
        }
        let tasks: Vec<RecipientTask> = recipients
            .into_iter()
            .map(|recipient| RecipientTask { request: before.id.clone(), recipient, status: TaskStatus::Pending })
            .collect();
        let body = TaskBody {
            recorded_at: time::format(now),
            request: before.id.as_str(),
            action: "recipient_tasks",
            tasks: tasks.len(),
        };
        let entry = NewEntry::about(
            EntryKind::Request,
            before.subject.clone(),
            None,
            body_json(&body)?,
            PersonalValues::new(),
        )?;
        Ok(Some(Append { entry, effect: Some(Effect::CreateTasks(tasks)) }))
    }

    /// Lifts the restriction an accepted `restriction` request put in place (Art. 18(3)):
    /// only once the subject was told, which `subject_told` attests.
    pub fn lift_restriction(&self, id: &RequestId, actor: &str, subject_told: bool) -> Result<()> {
        check_text("actor", actor, MAX_ACTOR_BYTES)?;
        let r = self.request(id)?;
        if r.kind != RequestKind::Restriction {
            return Err(Error::state("request", format!("a {} request restricts nothing", r.kind)));
        }
        let now = self.now();
        let facts = self.store().decision_facts(self.tenant(), std::slice::from_ref(&r.subject), &[], now)?;
        if !matches!(
            facts.first(),
            Some(Some(crate::raw::SubjectFacts { deciding: crate::raw::DecidingFacts::Restricted { .. }, .. }))
        ) {
            return Err(Error::state("request", format!("processing of {}'s data is not restricted", r.subject)));
        }
        if !subject_told {
            return Err(Error::invalid(
                "request",
                "the subject must be told before the restriction is lifted (Art. 18(3))",
            ));
        }
        let mut personal = PersonalValues::new();
        personal.add(value::ACTOR, actor)?;
        let append = self.restriction_append(&r, FactAction::LiftRestriction, now, personal)?;
        self.store().append(self.tenant(), &[append])?;
        Ok(())
    }

    /// A ledger entry restricting, or lifting the restriction of, a subject's processing.
    fn restriction_append(
        &self,
        r: &Request,
        action: FactAction,
        now: DateTime<Utc>,
        personal: PersonalValues,
    ) -> Result<Append> {
        let fact = OwnedFact {
            purpose: RESTRICTION_SCOPE.into(),
            channel: RESTRICTION_SCOPE.into(),
            action,
            occurred_at: time::to_micros(now),
        };
        let body =
            TaskBody { recorded_at: time::format(now), request: r.id.as_str(), action: action.as_str(), tasks: 0 };
        let entry = NewEntry::about(EntryKind::Request, r.subject.clone(), Some(fact), body_json(&body)?, personal)?;
        Ok(Append { entry, effect: None })
    }

    /// Registers that a subject's data was disclosed to `recipient` at `at` (now when `None`).
    pub fn record_disclosure(
        &self,
        subject: &SubjectId,
        recipient: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<Disclosure> {
        check_text("recipient", recipient, MAX_RECIPIENT_BYTES)?;
        let now = self.now();
        let disclosed_at = at.map_or(Ok(now), |at| time::check_past("disclosed_at", at, now))?;
        self.subject(subject)?;
        let body = DisclosureBody { recorded_at: time::format(now), disclosed_at: time::format(disclosed_at) };
        let mut personal = PersonalValues::new();
        personal.add(value::RECIPIENT, recipient)?;
        let fact = OwnedFact::information(InformationFact::Disclosed, disclosed_at);
        let entry = NewEntry::about(EntryKind::Disclosure, subject.clone(), Some(fact), body_json(&body)?, personal)?;
        let disclosure = Disclosure { subject: subject.clone(), recipient: recipient.to_owned(), disclosed_at };
        self.store()
            .append(self.tenant(), &[Append { entry, effect: Some(Effect::Disclosure(disclosure.clone())) }])?;
        Ok(disclosure)
    }

    /// Every disclosure of a subject's data, oldest first.
    pub fn disclosures(&self, subject: &SubjectId) -> Result<Vec<Disclosure>> {
        self.store().disclosures(self.tenant(), subject)
    }

    /// The recipients to tell about a completed rectification, erasure or restriction (R9).
    pub fn recipient_tasks(&self, request: &RequestId) -> Result<Vec<RecipientTask>> {
        self.request(request)?;
        self.store().recipient_tasks(self.tenant(), request)
    }

    /// Marks a recipient as told, or as not told for a reason Art. 19 allows.
    pub fn mark_recipient_task(
        &self,
        request: &RequestId,
        recipient: &str,
        outcome: TaskOutcome,
        actor: &str,
    ) -> Result<RecipientTask> {
        check_text("actor", actor, MAX_ACTOR_BYTES)?;
        let r = self.request(request)?;
        let now = self.now();
        let status = match outcome {
            TaskOutcome::Sent => TaskStatus::Sent { at: now },
            TaskOutcome::Skipped(reason) => TaskStatus::Skipped { reason, at: now },
        };
        let task = RecipientTask { request: request.clone(), recipient: recipient.to_owned(), status };
        let action = if outcome == TaskOutcome::Sent { "recipient_told" } else { "recipient_skipped" };
        let body = TaskBody { recorded_at: time::format(now), request: request.as_str(), action, tasks: 1 };
        let mut personal = PersonalValues::new();
        personal.add(value::ACTOR, actor)?;
        personal.add(value::RECIPIENT, recipient)?;
        let entry = NewEntry::about(EntryKind::Request, r.subject, None, body_json(&body)?, personal)?;
        self.store().append(self.tenant(), &[Append { entry, effect: Some(Effect::UpdateTask(task.clone())) }])?;
        Ok(task)
    }

    /// Writes a notice in the subject's language and, when the subject has an e-mail address,
    /// the append that queues it in the outbox with the change that produces it.
    pub(crate) fn prepare_notice(
        &self,
        kind: NoticeKind,
        r: &Request,
        details: NoticeDetails<'_>,
        contact: Option<&Subject>,
        attachments: Vec<Attachment>,
        now: DateTime<Utc>,
    ) -> Result<PreparedNotice> {
        let subject = match contact {
            Some(s) => s.clone(),
            None => self.subject(&r.subject)?,
        };
        let language = subject.language.unwrap_or(Language::Fr);
        let text = render(kind, r, details, language, &self.parts.controller);
        let queued = match &subject.email {
            None => None,
            Some(to) => {
                let message = Message {
                    to: to.clone(),
                    subject: text.subject.clone(),
                    body: text.body.clone(),
                    attachments,
                    message_id: None,
                };
                Some(self.queue_append(kind.into(), &r.subject, Some(&r.id), message, now)?)
            }
        };
        let notice = Notice { kind, language, text, delivery: Delivery::NoAddress, outbox_id: None };
        Ok(PreparedNotice { notice, queued })
    }

    /// After the commit: tries once to deliver a queued notice (`queued` is its index among the
    /// appends numbered `seqs`), and says what became of it. A failure here leaves the notice in
    /// the outbox; the committed change stands.
    pub(crate) fn send_notice(&self, mut notice: Notice, queued: Option<(usize, Message)>, seqs: &[u64]) -> Notice {
        let Some((id, message)) = queued.and_then(|(i, m)| Some((*seqs.get(i)?, m))) else {
            return notice;
        };
        notice.outbox_id = Some(id);
        let to = message.to.clone();
        notice.delivery = match self.deliver_now(id, &message) {
            Ok(None) => Delivery::Sent { to },
            Ok(Some(reason)) => Delivery::Queued { to, reason },
            Err(e) => Delivery::Queued { to, reason: e.to_string() },
        };
        notice
    }

    /// What the holder of a tracking token may see: the request's public view, or `None` for a
    /// token that matches no request. A wrong token and an unknown one get the same answer.
    pub fn track(&self, token: &str) -> Result<Option<PublicView>> {
        Ok(self.request_tracked_by(token)?.map(|request| self.public_view(&request)))
    }

    /// The public view of `request` now: a download window that has passed is not shown.
    pub(crate) fn public_view(&self, request: &Request) -> PublicView {
        let mut view = request.public_view();
        let now = self.now();
        let open = matches!(request.state, RequestState::InProgress | RequestState::Completed);
        view.download_until = view.download_until.filter(|until| open && *until > now);
        view
    }

    /// The due dates of a request received on `received` (a date in the controller's time
    /// zone), on the configured holiday calendar (R2, R3): to tell a person when to expect an
    /// answer before anything is opened.
    pub fn deadline(&self, received: NaiveDate) -> Result<Deadlines> {
        Deadlines::for_receipt(received, self.parts.calendar.as_ref())
    }

    /// The receipt date of a request that arrived at `at`: its date in the controller's time zone
    /// (R2), from which [`Gdpr::deadline`] counts.
    pub fn receipt_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.parts.zone.local_date(at)
    }

    /// Every request of one subject, oldest first.
    pub fn subject_requests(&self, subject: &SubjectId) -> Result<Vec<Request>> {
        self.subject(subject)?;
        self.store().subject_requests(self.tenant(), subject)
    }

    /// Every request, oldest first.
    pub fn requests(&self) -> Result<Vec<Request>> {
        self.store().requests(self.tenant())
    }

    /// Open requests past their due date today (R10). A request waiting on the subject is
    /// paused, and so never overdue.
    pub fn overdue_requests(&self) -> Result<Vec<Request>> {
        let today = self.parts.zone.local_date(self.now());
        Ok(self
            .requests()?
            .into_iter()
            .filter(|r| r.state != RequestState::AwaitingSubject && r.is_overdue(today))
            .collect())
    }

    /// Requests refused or completed after their due date, oldest first (R5).
    pub fn late_requests(&self) -> Result<Vec<Request>> {
        let mut late: Vec<Request> = self.requests()?.into_iter().filter(|r| r.late).collect();
        late.sort_by_key(|r| r.received_at);
        Ok(late)
    }

    /// Open requests due today or within the next `days` days, and not yet overdue (R10).
    pub fn requests_due_within(&self, days: u64) -> Result<Vec<Request>> {
        let today = self.parts.zone.local_date(self.now());
        let until = super::deadline::add_days(today, days)?;
        Ok(self.requests()?.into_iter().filter(|r| !r.state.is_closed() && r.due >= today && r.due <= until).collect())
    }

    /// The due date of a request as it stands: pauses counted, extension applied (R3, R4).
    fn due_of(&self, r: &Request) -> Result<NaiveDate> {
        let dl = Deadlines::for_receipt(r.received_on, self.parts.calendar.as_ref())?
            .paused(r.paused_days, self.parts.calendar.as_ref())?;
        Ok(if r.extension.is_some() { dl.extended_due } else { dl.due })
    }

    pub(crate) fn request_entry(
        &self,
        r: &Request,
        action: &str,
        from: Option<RequestState>,
        now: DateTime<Utc>,
        personal: &PersonalValues,
    ) -> Result<NewEntry> {
        let body = RequestBody {
            recorded_at: time::format(now),
            request: r.id.as_str(),
            action,
            from,
            to: r.state,
            kind: r.kind,
            via: r.via,
            due: r.due,
            ground: r.extension.as_ref().filter(|_| action == "extend").map(|e| e.ground),
            code: r.refusal,
            objection: r.objection.as_ref().filter(|_| action == "open"),
            kept: if action == "complete" { &r.kept } else { &[] },
        };
        NewEntry::about(EntryKind::Request, r.subject.clone(), None, body_json(&body)?, personal.clone())
    }
}

/// The consent source that matches the channel a request came by.
fn source_of(via: ReceivedVia) -> Source {
    match via {
        ReceivedVia::Email => Source::Email,
        ReceivedVia::Phone => Source::Phone,
        ReceivedVia::Post | ReceivedVia::InPerson => Source::Paper,
        ReceivedVia::Web => Source::WebForm,
    }
}
