//! The life of a request (rule R1): its states, the actions on it, and the one table of which
//! action applies in which state.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::kind::RequestKind;
use super::notice::NoticeKind;
use super::record::Request;
use crate::error::{Error, Result};
use crate::named_enum::named_enum;

named_enum!(
    /// Where a request stands.
    RequestState, "state", {
        /// Received, not yet decided on.
        Received => "received",
        /// Waiting for the subject (identity on reasonable doubt, or clarification); the deadline
        /// is paused.
        AwaitingSubject => "awaiting_subject",
        /// Accepted, to be carried out.
        Accepted => "accepted",
        /// Being carried out.
        InProgress => "in_progress",
        /// Done; the subject was told.
        Completed => "completed",
        /// Refused with a reason; the subject was told of the reason and of their remedies.
        Refused => "refused",
        /// Withdrawn by the subject.
        Withdrawn => "withdrawn",
    }
);

named_enum!(
    /// What staff (or the subject, for a withdrawal) do to a request.
    RequestAction, "action", {
        /// Ask the subject for something and pause the deadline.
        AwaitSubject => "await_subject",
        /// The subject answered: the deadline runs again.
        Resume => "resume",
        /// Accept the request.
        Accept => "accept",
        /// Start carrying it out.
        Start => "start",
        /// Extend the deadline, once (R3). The state does not change.
        Extend => "extend",
        /// Refuse, with a reason code and a text (R5).
        Refuse => "refuse",
        /// Complete it.
        Complete => "complete",
        /// The subject withdraws it.
        Withdraw => "withdraw",
    }
);

use RequestAction as A;
use RequestState as S;

/// Every transition: in this state, this action leads to that state. Nothing else applies.
pub const TRANSITIONS: &[(RequestState, RequestAction, RequestState)] = &[
    (S::Received, A::AwaitSubject, S::AwaitingSubject),
    (S::Received, A::Accept, S::Accepted),
    (S::Received, A::Extend, S::Received),
    (S::Received, A::Refuse, S::Refused),
    (S::Received, A::Withdraw, S::Withdrawn),
    (S::AwaitingSubject, A::Resume, S::Received),
    (S::AwaitingSubject, A::Extend, S::AwaitingSubject),
    (S::AwaitingSubject, A::Refuse, S::Refused),
    (S::AwaitingSubject, A::Withdraw, S::Withdrawn),
    (S::Accepted, A::Start, S::InProgress),
    (S::Accepted, A::Extend, S::Accepted),
    (S::Accepted, A::Complete, S::Completed),
    (S::Accepted, A::Refuse, S::Refused),
    (S::Accepted, A::Withdraw, S::Withdrawn),
    (S::InProgress, A::Extend, S::InProgress),
    (S::InProgress, A::Complete, S::Completed),
    (S::InProgress, A::Refuse, S::Refused),
    (S::InProgress, A::Withdraw, S::Withdrawn),
];

impl RequestState {
    /// Whether the request is over: completed, refused or withdrawn.
    pub fn is_closed(self) -> bool {
        matches!(self, S::Completed | S::Refused | S::Withdrawn)
    }

    /// The state `action` leads to from this one, or an error naming both.
    pub fn apply(self, action: RequestAction) -> Result<RequestState> {
        TRANSITIONS.iter().find(|(from, a, _)| *from == self && *a == action).map(|(_, _, to)| *to).ok_or_else(|| {
            Error::state("action", format!("{} does not apply to a request that is {}", action.as_str(), self.as_str()))
        })
    }
}

/// The guards beside the table: what must also hold for `action` to apply to `request` on
/// `today` (the controller's date), beyond its state.
///
/// - An extension is granted once, and decided no later than the initial due date, the one stored
///   at receipt, even when waiting on the subject moved the current one later (Art. 12(3): the
///   controller informs the subject of an extension "within one month of receipt"; R3).
/// - An objection to direct marketing alone cannot be refused (Art. 21(3), C5); one that also
///   objects under Art. 21(1) can, in that part (R11).
pub fn check_guards(request: &Request, action: RequestAction, today: NaiveDate) -> Result<()> {
    match action {
        A::Extend if request.extension.is_some() => {
            Err(Error::state("action", "the deadline was already extended once"))
        }
        A::Extend if today > request.initial_due => Err(Error::state(
            "action",
            format!(
                "an extension must be decided by the initial due date, {}, and today is {today}",
                request.initial_due
            ),
        )),
        A::Refuse if super::objection::scope_of(request).is_some_and(|s| !s.refusable()) => {
            Err(Error::state("action", "an objection to direct marketing cannot be refused (Art. 21(3)); complete it"))
        }
        _ => Ok(()),
    }
}

/// What a step does besides moving the request to its next state, which the request service
/// carries out in the same transaction as the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideEffect {
    /// Accepting a restriction restricts processing at once (Art. 18(1)): every decision denies
    /// until it is lifted.
    Restrict,
    /// Accepting a portability request needs data processed on consent or a contract
    /// (Art. 20(1), R6); otherwise the request is refused, not accepted.
    CheckPortability,
    /// Receiving an objection records an `object` event in the consent ledger at once, as of the
    /// receipt (Art. 21(3), C5): the objection takes effect when it is received, not when staff
    /// complete the request, which then only confirms it.
    RecordObjection,
    /// Completing an objection under Art. 21(1) records an `object` event for each of its
    /// purposes, on every channel, as of the completion (R11): decisions deny them from then.
    RecordSituationObjection,
    /// Completing a rectification, erasure, restriction or anonymization creates a task per
    /// recipient the data went to (Art. 19, R9).
    TellRecipients,
}

/// The side effects of receiving `request`, in the transaction that opens it: an objection to
/// direct marketing takes effect at once (C5).
pub fn side_effects_on_receipt(request: &Request) -> &'static [SideEffect] {
    match super::objection::scope_of(request) {
        Some(scope) if scope.direct_marketing => &[SideEffect::RecordObjection],
        _ => &[],
    }
}

/// The side effects of `action` on `request`.
pub fn side_effects(request: &Request, action: RequestAction) -> &'static [SideEffect] {
    use RequestKind as K;
    match (action, request.kind) {
        (A::Accept, K::Restriction) => &[SideEffect::Restrict],
        (A::Accept, K::Portability) => &[SideEffect::CheckPortability],
        (A::Complete, K::Rectification | K::Erasure | K::Restriction | K::Anonymization) => {
            &[SideEffect::TellRecipients]
        }
        (A::Complete, K::Objection) if super::objection::scope_of(request).is_some_and(|s| s.refusable()) => {
            &[SideEffect::RecordSituationObjection]
        }
        _ => &[],
    }
}

/// The notice a step sends the subject (R7): waiting, extension, refusal and completion; the
/// receipt is sent when the request is opened.
pub fn notice_of(action: RequestAction) -> Option<NoticeKind> {
    match action {
        A::AwaitSubject => Some(NoticeKind::AwaitingSubject),
        A::Extend => Some(NoticeKind::Extension),
        A::Refuse => Some(NoticeKind::Refusal),
        A::Complete => Some(NoticeKind::Completion),
        A::Resume | A::Accept | A::Start | A::Withdraw => None,
    }
}

/// The transition table as a Markdown table, as `docs/requests.md` prints it.
pub fn transitions_markdown() -> String {
    let mut out = String::from("| state | action | next state |\n|---|---|---|\n");
    for (from, action, to) in TRANSITIONS {
        out.push_str(&format!("| `{from}` | `{}` | `{to}` |\n", action.as_str()));
    }
    out
}

/// A step of a request's life, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The state before.
    pub from: RequestState,
    /// The action.
    pub action: RequestAction,
    /// The state after.
    pub to: RequestState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_its_branches() {
        let s = S::Received.apply(A::AwaitSubject).unwrap();
        let s = s.apply(A::Resume).unwrap().apply(A::Accept).unwrap().apply(A::Start).unwrap();
        assert_eq!(s.apply(A::Extend).unwrap(), S::InProgress, "an extension keeps the state");
        assert_eq!(s.apply(A::Complete).unwrap(), S::Completed);
        assert_eq!(S::Received.apply(A::Refuse).unwrap(), S::Refused);
        assert_eq!(S::AwaitingSubject.apply(A::Withdraw).unwrap(), S::Withdrawn);
    }

    #[test]
    fn an_action_that_does_not_apply_names_the_state_and_the_action() {
        let err = S::Completed.apply(A::Accept).unwrap_err().to_string();
        assert_eq!(err, "accept does not apply to a request that is completed");
        let err = S::Received.apply(A::Complete).unwrap_err().to_string();
        assert!(err.contains("complete") && err.contains("received"), "{err}");
        for closed in [S::Completed, S::Refused, S::Withdrawn] {
            assert!(closed.is_closed());
            assert!(A::ALL.iter().all(|a| closed.apply(*a).is_err()), "{closed} is final");
        }
    }

    #[test]
    fn the_table_has_one_entry_per_state_and_action() {
        for (i, (from, action, _)) in TRANSITIONS.iter().enumerate() {
            assert!(
                !TRANSITIONS[i + 1..].iter().any(|(f, a, _)| f == from && a == action),
                "{from} {action} appears twice"
            );
        }
    }
}
