//! The outbox's conformance checks: every store keeps queued messages through failures, delivers
//! each once with one `Message-ID`, and cancels a subject's pending messages on erasure.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;

use super::{Factory, erase, setup, setup_with, sid};
use crate::mailer::{Mailer, Message};
use crate::outbox::{OutboxFilter, OutboxState};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::service::{Delivery, NewRequest};
use crate::{Error, ErrorKind, Gdpr, NewSubject, Regime};

/// A mail server that can be taken down and brought back, keeping what it accepted.
#[derive(Debug, Default)]
pub struct SwitchableMailer {
    down: AtomicBool,
    accepted: Mutex<Vec<Message>>,
}

impl SwitchableMailer {
    /// A server that is up.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the server down (`true`) or brings it back (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Every message accepted so far, oldest first.
    pub fn accepted(&self) -> Vec<Message> {
        self.accepted.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Mailer for SwitchableMailer {
    fn send(&self, message: &Message) -> crate::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            return Err(Error::mail("421 4.3.2 service not available, closing channel", true, None));
        }
        self.accepted.lock().unwrap_or_else(|e| e.into_inner()).push(message.clone());
        Ok(())
    }
}

fn with_address(g: &Gdpr, id: &str) {
    let mut s = NewSubject::new(sid(id), Regime::B2cOptIn);
    s.email = Some(format!("{id}@example.org"));
    g.add_subject(s).unwrap();
}

fn open(g: &Gdpr, subject: &str) -> crate::OpenedRequest {
    let new = NewRequest {
        purposes: Vec::new(),
        subject: sid(subject),
        kind: RequestKind::Access,
        via: ReceivedVia::Email,
        received_at: None,
    };
    g.open_request(new).unwrap()
}

/// Art. 12(3) and R7: a notice produced while the mail server is down is not lost; it waits,
/// is retried with backoff, and reaches the person once, with one `Message-ID`.
pub fn a_notice_waits_in_the_outbox_until_the_server_takes_it(factory: Factory<'_>) {
    let mailer = Arc::new(SwitchableMailer::new());
    let (g, clock) = setup_with(factory, |b| b.mailer(mailer.clone()));
    with_address(&g, "ines");
    mailer.set_down(true);
    let opened = open(&g, "ines");
    let Delivery::Queued { to, reason } = &opened.notice.delivery else {
        panic!("the server is down, yet {:?}", opened.notice.delivery);
    };
    assert_eq!(to, "ines@example.org");
    assert!(reason.contains("421"), "the server's answer is given: {reason}");
    let id = opened.notice.outbox_id.expect("the notice is in the outbox");
    let pending = g.outbox(OutboxFilter::Pending).unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let item = &pending[0];
    assert_eq!((item.id, item.state, item.failed_attempts), (id, OutboxState::Pending, 1));
    assert!(item.last_error.as_deref().is_some_and(|e| e.contains("421")), "{item:?}");
    assert_eq!(item.next_attempt_at, Some(g.now() + TimeDelta::minutes(1)), "the first retry waits a minute");
    assert_eq!(item.request.as_ref(), Some(&opened.request.id));

    let report = g.deliver_pending().unwrap();
    assert!(report.delivered.is_empty() && report.failed.is_empty(), "nothing is due yet: {report:?}");
    assert_eq!(report.waiting, 1);

    clock.advance(TimeDelta::minutes(1));
    let report = g.deliver_pending().unwrap();
    assert_eq!(report.failed.len(), 1, "still down: {report:?}");
    let item = g.outbox(OutboxFilter::Pending).unwrap().remove(0);
    assert_eq!(item.failed_attempts, 2);
    assert_eq!(item.next_attempt_at, Some(g.now() + TimeDelta::minutes(2)), "the wait doubles");

    mailer.set_down(false);
    clock.advance(TimeDelta::minutes(2));
    let report = g.deliver_pending().unwrap();
    assert_eq!(report.delivered, [id]);
    assert!(g.outbox(OutboxFilter::Pending).unwrap().is_empty());
    let all = g.outbox(OutboxFilter::All).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].state, all[0].delivered_at), (OutboxState::Delivered, Some(g.now())));
    let accepted = mailer.accepted();
    assert_eq!(accepted.len(), 1, "delivered once");
    assert_eq!(accepted[0].message_id.as_deref(), Some(all[0].message_id.as_str()), "with the id it was queued with");
    assert!(accepted[0].body.contains(&opened.token), "the receipt carries the tracking token");

    clock.advance(TimeDelta::hours(7));
    assert_eq!(g.deliver_pending().unwrap(), crate::DeliveryReport::default(), "nothing is sent twice");
    assert_eq!(mailer.accepted().len(), 1);
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// Without a mail server configured, notices are queued for a later delivery, never dropped;
/// delivering then asks for a server.
pub fn without_a_mailer_notices_are_queued_for_later(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    with_address(&g, "ines");
    let opened = open(&g, "ines");
    assert!(matches!(opened.notice.delivery, Delivery::Queued { .. }), "{:?}", opened.notice.delivery);
    assert_eq!(g.outbox(OutboxFilter::Pending).unwrap().len(), 1);
    let err = g.deliver_pending().unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Config, Some("mailer")));

    let mailer = Arc::new(SwitchableMailer::new());
    let later = g.to_builder().mailer(mailer.clone()).build().unwrap();
    assert_eq!(later.deliver_pending().unwrap().delivered.len(), 1, "a later process with a server sends it");
    assert_eq!(mailer.accepted()[0].to, "ines@example.org");
}

/// Erasure (Art. 17): a message still pending for the person is cancelled and its content (their
/// address, the text) dropped with the rest of their data.
pub fn erasing_a_subject_cancels_its_pending_messages(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    with_address(&g, "ines");
    with_address(&g, "omar");
    open(&g, "ines");
    open(&g, "omar");
    erase(&g, "ines");
    let all = g.outbox(OutboxFilter::All).unwrap();
    let states: Vec<_> = all.iter().map(|m| (m.subject.as_str().to_owned(), m.state)).collect();
    assert_eq!(states, [("ines".to_owned(), OutboxState::Cancelled), ("omar".to_owned(), OutboxState::Pending)]);
    let due = g.store().due_messages(g.tenant(), g.now() + TimeDelta::days(1), 10).unwrap();
    assert_eq!(due.len(), 1, "only omar's message is still to go");
    assert_eq!(due[0].1.to, "omar@example.org");
    assert_eq!(g.outbox(OutboxFilter::Pending).unwrap().len(), 1);
}

/// Two deliverers never send one message at once: a deliverer takes a message before sending it,
/// and another finds it taken.
pub fn a_message_taken_by_one_deliverer_is_not_sent_by_another(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    with_address(&g, "ines");
    let opened = open(&g, "ines");
    let id = opened.notice.outbox_id.unwrap();
    let now = g.now();
    let claim = crate::outbox::Attempt::Claim { now, until: now + TimeDelta::minutes(5) };
    assert!(g.store().record_attempt(g.tenant(), id, &claim).unwrap(), "the first deliverer takes it");
    assert!(!g.store().record_attempt(g.tenant(), id, &claim).unwrap(), "a second finds it taken");
    let mailer = Arc::new(SwitchableMailer::new());
    let other = g.to_builder().mailer(mailer.clone()).build().unwrap();
    let report = other.deliver_pending().unwrap();
    assert!(report.delivered.is_empty() && report.failed.is_empty(), "{report:?}");
    assert!(mailer.accepted().is_empty(), "not sent while taken");
}
