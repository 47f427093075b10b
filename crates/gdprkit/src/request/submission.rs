//! Requests a person submits themselves, on the portal: received only once the person confirms
//! the address they gave, through a one-time link mailed to it (R1: the request is received, and
//! its time limit runs, from the confirmation).
//!
//! Submitting says the same thing whether or not the address is known: mail goes only to an
//! address a subject of the tenant has, and nothing is kept for one that none has. A submission
//! not confirmed within [`SUBMISSION_HOURS`] expires: its content is dropped and only the hash of
//! its code stays. Confirming opens the request as any other (deadline, receipt notice with its
//! tracking token), with the person's message kept as a personal value of the request's first
//! ledger entry, erased with the subject.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::mailer::Message;
use crate::outbox::MessageKind;
use crate::raw::bodies::value;
use crate::raw::ledger::{EntryKind, decode_personal};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::record::{RequestId, constant_time_eq, new_token, token_hash};
use crate::request::service::{MAX_TOKEN_BYTES, NewRequest, OpenedRequest};
use crate::subject::{Language, Subject};
use crate::text::{check_email, check_text};

/// How long a submission waits for its confirmation, in hours.
pub const SUBMISSION_HOURS: i64 = 24;
/// The longest message accepted with a submission, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4000;

/// A request as the person submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    /// The right it exercises.
    pub kind: RequestKind,
    /// The address the person gave, to which the confirmation link goes if a subject has it.
    pub email: String,
    /// What the person wrote (what to rectify, what they object to); may be empty.
    #[serde(default)]
    pub message: String,
    /// The language the person used: the confirmation is written in it.
    pub language: Language,
}

/// A submission waiting for its confirmation, as a store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The subject whose address was given.
    pub subject: SubjectId,
    /// The right it exercises.
    pub kind: RequestKind,
    /// What the person wrote.
    pub message: String,
    /// The language the person used.
    pub language: Language,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When it expires unconfirmed.
    pub expires_at: DateTime<Utc>,
}

/// What submitting says: the same whether or not the address is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// Until when the link mailed (if the address is known) can be confirmed.
    pub expires_at: DateTime<Utc>,
}

/// What the person sees before confirming: enough to know what they confirm, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSubmission {
    /// The right it exercises.
    pub kind: RequestKind,
    /// When it expires unconfirmed.
    pub expires_at: DateTime<Utc>,
}

impl Gdpr {
    /// Takes a request submitted by a person: when a subject of the tenant has the address given
    /// (compared without regard to case; the first registered when several have it), keeps the
    /// submission and mails a one-time confirmation link to that address through the outbox.
    /// Answers the same whether or not one has it. Bad input (an address that is not one, an
    /// overlong message) is refused either way, before anything is looked up.
    ///
    /// The link is `{portal}/c/{code}`, with the controller's portal address
    /// ([`crate::Controller::portal`]); without one, submissions are refused as a configuration
    /// error.
    pub fn submit_request(&self, new: NewSubmission) -> Result<Submitted> {
        let portal = self.portal_address()?;
        let email = new.email.trim();
        check_email(email).map_err(|_| Error::invalid("email", "is not an e-mail address"))?;
        // A text area sends CR LF; the message keeps its lines, and nothing else that is a control.
        let message = new.message.replace("\r\n", "\n");
        if !message.trim().is_empty() {
            check_text("message", &message.replace('\n', " "), MAX_MESSAGE_BYTES)?;
        }
        let now = self.now();
        let expires_at = now + TimeDelta::hours(SUBMISSION_HOURS);
        self.store().expire_submissions(self.tenant(), now)?;
        let Some(subject) = self.subject_with_email(email)? else { return Ok(Submitted { expires_at }) };
        let (code, code_hash) = new_token()?;
        let submission = Submission {
            subject: subject.id.clone(),
            kind: new.kind,
            message,
            language: new.language,
            submitted_at: now,
            expires_at,
        };
        self.store().put_submission(self.tenant(), &code_hash, &submission)?;
        let message = confirmation(&submission, &subject, portal, &code, &self.parts.controller.name);
        let (append, message) = self.queue_append(MessageKind::Confirmation, &subject.id, None, message, now)?;
        let seqs = self.store().append(self.tenant(), &[append])?;
        if let Some(&id) = seqs.first() {
            // A failure here leaves the message in the outbox, which delivers it later.
            let _ = self.deliver_now(id, &message);
        }
        Ok(Submitted { expires_at })
    }

    /// The submission a confirmation code is for, while it can still be confirmed; `None` for a
    /// code that is unknown, wrong, used or expired (one answer for all).
    pub fn pending_submission(&self, code: &str) -> Result<Option<PendingSubmission>> {
        Ok(self.submission_by_code(code)?.map(|(s, _)| PendingSubmission { kind: s.kind, expires_at: s.expires_at }))
    }

    /// Confirms a submission with the code mailed for it: opens its request, received now, by the
    /// web portal, and sends the receipt notice with the tracking token (R1, R7, R8), in the
    /// language the person submitted in. `None` for a
    /// code that is unknown, wrong, used or expired; a code confirms once.
    pub fn confirm_submission(&self, code: &str) -> Result<Option<OpenedRequest>> {
        let Some((submission, hash)) = self.submission_by_code(code)? else { return Ok(None) };
        let new = NewRequest {
            subject: submission.subject,
            kind: submission.kind,
            via: ReceivedVia::Web,
            received_at: None,
            purposes: Vec::new(),
        };
        match self.open_request_confirming(new, Some((&submission.message, submission.language)), Some(hash)) {
            Ok(opened) => Ok(Some(opened)),
            // Confirmed meanwhile by another call, or expired: the same answer as any used code.
            Err(Error::SubmissionGone) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Expires the submissions not confirmed in time: their content is dropped and only the hash
    /// of their code stays. Submitting does this too; an operator may run it on a schedule
    /// (`gdprkit serve` does, hourly). Returns how many expired.
    pub fn expire_submissions(&self) -> Result<usize> {
        self.store().expire_submissions(self.tenant(), self.now())
    }

    /// What the person wrote with a request they submitted on the portal, for staff to read;
    /// `None` when they wrote nothing, when the request was opened otherwise, or once the subject
    /// is erased.
    pub fn request_message(&self, id: &RequestId) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Opened<'a> {
            request: &'a str,
            action: &'a str,
        }
        let request = self.request(id)?;
        let mut found = None;
        self.store().subject_entries(self.tenant(), &request.subject, &mut |e| {
            if found.is_some() || e.kind != EntryKind::Request.as_str() {
                return Ok(());
            }
            let Ok(body) = serde_json::from_str::<Opened<'_>>(e.body) else { return Ok(()) };
            if body.request != id.as_str() || body.action != "open" {
                return Ok(());
            }
            let Some(bytes) = e.personal else { return Ok(()) };
            let values =
                decode_personal(bytes).map_err(|err| Error::Corrupt(format!("ledger entry {}: {err}", e.seq)))?;
            found = values.iter().find(|v| v.name == value::MESSAGE).map(|v| v.value.to_owned());
            Ok(())
        })?;
        Ok(found)
    }

    fn portal_address(&self) -> Result<&str> {
        self.parts.controller.portal.as_deref().ok_or_else(|| {
            Error::config(
                "controller.portal",
                "requests submitted on the portal are confirmed by a link to it, and no portal address is configured",
            )
        })
    }

    fn subject_with_email(&self, email: &str) -> Result<Option<Subject>> {
        let mut found = self.store().subjects_by_email(self.tenant(), email)?;
        found.retain(|s| s.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)));
        found.sort_by(|a, b| (a.registered_at, &a.id).cmp(&(b.registered_at, &b.id)));
        Ok(found.into_iter().next())
    }

    /// The pending submission of `code`, checked against its hash in constant time and against
    /// the clock.
    fn submission_by_code(&self, code: &str) -> Result<Option<(Submission, [u8; 32])>> {
        let code = code.trim();
        if code.is_empty() || code.len() > MAX_TOKEN_BYTES {
            return Ok(None);
        }
        let hash = token_hash(code);
        let Some((submission, stored)) = self.store().submission(self.tenant(), &hash)? else { return Ok(None) };
        if !constant_time_eq(&stored, &hash) || submission.expires_at <= self.now() {
            return Ok(None);
        }
        Ok(Some((submission, hash)))
    }
}

/// The confirmation message: what was asked, the link, and what to do when it was not the
/// person who asked.
fn confirmation(s: &Submission, to: &Subject, portal: &str, code: &str, controller: &str) -> Message {
    let link = format!("{}/c/{code}", portal.trim_end_matches('/'));
    let what = crate::request::notice::kind_label(s.kind, s.language);
    let (subject, body) = match s.language {
        Language::En => (
            "Confirm your request".to_owned(),
            format!(
                "A request for {what} was made on our website with this address.\n\n\
                 To confirm it, open this link within {SUBMISSION_HOURS} hours and press the button it shows:\n{link}\n\n\
                 Your request is received when you confirm it. If you did not make it, ignore this message: \
                 nothing will happen.\n\n{controller}"
            ),
        ),
        Language::Fr => (
            "Confirmez votre demande".to_owned(),
            format!(
                "Une demande {what} a été faite sur notre site avec cette adresse.\n\n\
                 Pour la confirmer, ouvrez ce lien dans les {SUBMISSION_HOURS} heures et appuyez sur le bouton \
                 qu'il affiche :\n{link}\n\n\
                 Votre demande est reçue quand vous la confirmez. Si vous ne l'avez pas faite, ignorez ce message : \
                 rien ne se passera.\n\n{controller}"
            ),
        ),
    };
    let to = to.email.clone().unwrap_or_default();
    Message { to, subject, body, attachments: Vec::new(), message_id: None }
}
