//! The store conformance suite: every store runs it with one line.
//!
//! ```text
//! gdprkit::store_conformance!(|| std::sync::Arc::new(MyStore::open_temporary().unwrap()));
//! ```
//!
//! The macro expands to one `#[test]` per check below; each check gets a fresh, empty store from
//! the factory and panics with a message naming what the store got wrong.

#![allow(clippy::unwrap_used, clippy::manual_is_multiple_of, missing_docs)]

mod campaign;
pub mod crm;
mod faults;
mod feed;
mod information;
pub mod memory_crm;
mod objections;
mod outbox;
mod rules;
mod settings;
mod submissions;
mod suppression;

pub use campaign::{a_campaign_walks_every_subject_page_by_page, a_decision_page_answers_as_its_two_reads};
pub use faults::{
    an_erasure_failing_at_any_step_changes_nothing, an_index_over_a_scope_no_registry_names_is_checked_too,
    an_index_that_disagrees_with_the_chain_is_named_by_verify,
};
pub use feed::{
    an_erasure_missing_an_entry_written_meanwhile_is_refused_whole,
    the_change_feed_pages_through_the_ledger_without_personal_values,
};
pub use information::information_is_read_from_the_subjects_entries;
pub use objections::an_objection_on_grounds_of_the_persons_situation_restricts_then_decides;
pub use outbox::{
    SwitchableMailer, a_message_taken_by_one_deliverer_is_not_sent_by_another,
    a_notice_waits_in_the_outbox_until_the_server_takes_it, erasing_a_subject_cancels_its_pending_messages,
    without_a_mailer_notices_are_queued_for_later,
};
pub use rules::{
    custom_channels_are_declared_once_with_their_kind, decisions_match_the_rule_table_on_random_histories,
};
pub use settings::the_tenants_settings_are_stored_and_every_later_gdpr_reads_them;
pub use submissions::{
    a_bad_submission_is_refused_alike_and_needs_a_portal, a_submitted_request_opens_when_its_address_is_confirmed,
    an_unconfirmed_submission_expires_and_erasure_removes_a_pending_one,
};
pub use suppression::{
    an_erased_objectors_address_and_number_are_suppressed_on_reimport, the_suppression_list_is_per_tenant_and_key,
};

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues, Verification};
use crate::raw::{Append, Effect, Store};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::machine::RequestState;
use crate::request::record::{ExtensionGround, RefusalCode};
use crate::request::service::{NewRequest, Step};
use crate::{
    Channel, Clock, Collector, ConsentAction, DecidedBy, Error, FixedClock, Gdpr, LegalBasis, NewConsent, NewSubject,
    Proof, Purpose, PurposeId, Regime, Source, SubjectId, TenantId,
};

/// A factory of fresh, empty stores.
pub type Factory<'a> = &'a dyn Fn() -> Arc<dyn Store>;

/// Expands to the conformance suite's tests for the stores that `$factory` makes. With
/// `skip_unless: F`, each test first calls `F` (returning `Option<&str>`, a reason to skip) and,
/// given a reason, prints that it was skipped and why, and passes: for stores that need a server
/// the machine may not have.
#[macro_export]
macro_rules! store_conformance {
    ($factory:expr) => {
        $crate::store_conformance!($factory, skip_unless: || None::<&str>);
    };
    ($factory:expr, skip_unless: $skip:expr) => {
        mod store_conformance {
            #[allow(unused_imports)]
            use super::*;

            fn factory() -> ::std::sync::Arc<dyn $crate::raw::Store> {
                ($factory)()
            }

            fn skipped(test: &str) -> bool {
                let reason: Option<&str> = ($skip)();
                if let Some(reason) = reason {
                    eprintln!("{test}: skipped: {reason}");
                }
                reason.is_some()
            }

            $crate::store_conformance!(@tests
                appends_form_one_verifiable_chain,
                a_failed_batch_leaves_nothing,
                purposes_are_listed_by_id,
                decisions_follow_the_latest_event_at_the_instant,
                objections_block_direct_marketing_until_a_later_opt_in,
                campaign_decisions_keep_the_input_order,
                a_campaign_walks_every_subject_page_by_page,
                a_decision_page_answers_as_its_two_reads,
                history_keeps_both_dates_and_the_proof,
                erasing_values_keeps_the_chain_verifiable,
                an_erasure_failing_at_any_step_changes_nothing,
                an_index_that_disagrees_with_the_chain_is_named_by_verify,
                an_index_over_a_scope_no_registry_names_is_checked_too,
                tenants_are_kept_apart,
                concurrent_appends_keep_one_chain,
                requests_follow_their_life_and_are_tracked_by_token,
                waiting_pauses_and_an_extension_moves_the_deadline,
                an_extension_is_decided_by_the_initial_due_date_even_after_a_pause,
                an_objection_takes_effect_on_receipt,
                overdue_and_due_soon_requests_are_listed,
                a_stale_request_update_is_refused,
                wrong_tokens_all_get_the_answer_of_an_unknown_one,
                recipients_are_told_of_an_erasure,
                portability_needs_consent_or_a_contract,
                a_restriction_stops_every_decision_until_lifted,
                a_notice_waits_in_the_outbox_until_the_server_takes_it,
                without_a_mailer_notices_are_queued_for_later,
                erasing_a_subject_cancels_its_pending_messages,
                a_message_taken_by_one_deliverer_is_not_sent_by_another,
                the_change_feed_pages_through_the_ledger_without_personal_values,
                an_erasure_missing_an_entry_written_meanwhile_is_refused_whole,
                decisions_match_the_rule_table_on_random_histories,
                custom_channels_are_declared_once_with_their_kind,
                an_erased_objectors_address_and_number_are_suppressed_on_reimport,
                the_suppression_list_is_per_tenant_and_key,
                an_objection_on_grounds_of_the_persons_situation_restricts_then_decides,
                the_tenants_settings_are_stored_and_every_later_gdpr_reads_them,
                a_submitted_request_opens_when_its_address_is_confirmed,
                an_unconfirmed_submission_expires_and_erasure_removes_a_pending_one,
                a_bad_submission_is_refused_alike_and_needs_a_portal,
                information_is_read_from_the_subjects_entries,
            );
        }
    };
    (@tests $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if skipped(stringify!($name)) {
                    return;
                }
                $crate::testkit::$name(&factory);
            }
        )*
    };
}

pub fn t(s: &str) -> DateTime<Utc> {
    crate::time::parse("instant", s).unwrap()
}

pub fn sid(s: &str) -> SubjectId {
    SubjectId::new(s).unwrap()
}

pub fn pid(s: &str) -> PurposeId {
    PurposeId::new(s).unwrap()
}

/// A facade over a fresh store from `factory`, with a clock at 2025-01-01, two purposes
/// (`promo`, direct marketing; `billing`, not) and subjects `b2b`, `b2c` and `soft`.
pub fn setup(factory: Factory<'_>) -> (Gdpr, Arc<FixedClock>) {
    setup_with(factory, |b| b)
}

/// The same, with the builder's other parts (a mailer, the CRM's data) set by `configure`.
pub fn setup_with(
    factory: Factory<'_>,
    configure: impl FnOnce(crate::GdprBuilder) -> crate::GdprBuilder,
) -> (Gdpr, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(t("2025-01-01T00:00:00Z")));
    // A named controller, as exports and consent records need (`configure` may give another).
    let controller = crate::Controller { name: "Acme SAS".into(), ..crate::Controller::default() };
    let gdpr = configure(Gdpr::builder(factory()).clock(clock.clone()).controller(controller)).build().unwrap();
    // Marketing on the controller's legitimate interests, where the regimes decide (rule C4).
    gdpr.add_purpose(Purpose::new(pid("promo"), LegalBasis::LegitimateInterests, true)).unwrap();
    gdpr.add_purpose(Purpose::new(pid("billing"), LegalBasis::Contract, false)).unwrap();
    for (id, regime) in [("b2b", Regime::B2bOptOut), ("b2c", Regime::B2cOptIn), ("soft", Regime::SoftOptIn)] {
        gdpr.add_subject(NewSubject::new(sid(id), regime)).unwrap();
    }
    (gdpr, clock)
}

/// A fully proven consent event.
pub fn event(subject: &str, action: ConsentAction, purpose: &str, channel: Channel, at: &str) -> NewConsent {
    let mut c = NewConsent::new(sid(subject), action, pid(purpose), channel);
    c.occurred_at = Some(t(at));
    c.proof = Proof {
        source: Some(Source::WebForm),
        collected_by: Some(Collector::Subject),
        notice_version: Some("v1".into()),
        notice_sha256: Some("0".repeat(64)),
        ip: Some("192.0.2.7".into()),
        user_agent: Some("Mozilla/5.0".into()),
        proof_ref: None,
    };
    c
}

fn allowed(g: &Gdpr, subject: &str, purpose: &str, channel: Channel, at: Option<&str>) -> bool {
    g.decide(&sid(subject), &pid(purpose), &channel, at.map(t)).unwrap().allowed
}

pub fn appends_form_one_verifiable_chain(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 5 }, "2 purposes and 3 subjects");
    clock.advance(TimeDelta::days(1));
    let seqs = g
        .record_consents(
            (0..10)
                .map(|i| {
                    event("b2c", ConsentAction::OptIn, "promo", Channel::Email, &format!("2025-01-01T00:00:{i:02}Z"))
                })
                .collect(),
        )
        .unwrap();
    assert_eq!(seqs, (6..16).collect::<Vec<u64>>(), "entries are numbered on from the head");
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 15 });
}

pub fn a_failed_batch_leaves_nothing(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    let err = g.add_subjects(vec![
        NewSubject::new(sid("new"), Regime::B2cOptIn),
        NewSubject::new(sid("b2b"), Regime::B2cOptIn),
    ]);
    assert!(matches!(err, Err(Error::SubjectExists(ref s)) if s == "b2b"), "{err:?}");
    assert!(matches!(g.subject(&sid("new")), Err(Error::UnknownSubject(_))), "the batch must not be half applied");
    let err = g.add_purpose(Purpose::new(pid("promo"), LegalBasis::Consent, false));
    assert!(matches!(err, Err(Error::PurposeExists(_))), "{err:?}");
    let err = g.record_consents(vec![
        event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2024-12-01T00:00:00Z"),
        event("ghost", ConsentAction::OptIn, "promo", Channel::Email, "2024-12-01T00:00:00Z"),
    ]);
    assert!(matches!(err, Err(Error::UnknownSubject(_))), "{err:?}");
    assert!(g.history(&sid("b2c")).unwrap().is_empty());
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 5 }, "nothing was appended");
}

pub fn purposes_are_listed_by_id(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    let mut p = Purpose::new(pid("analytics"), LegalBasis::LegitimateInterests, false);
    p.label = "Mesure d'audience".into();
    g.add_purpose(p.clone()).unwrap();
    let all = g.purposes().unwrap();
    assert_eq!(all.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["analytics", "billing", "promo"]);
    assert_eq!(all[0], p, "every field reads back");
    assert_eq!(g.purpose(&pid("promo")).unwrap().legal_basis, LegalBasis::LegitimateInterests);
}

pub fn decisions_follow_the_latest_event_at_the_instant(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-06-01T00:00:00Z"));
    assert!(allowed(&g, "b2b", "promo", Channel::Email, None), "b2b defaults to allowed");
    assert!(!allowed(&g, "b2c", "promo", Channel::Email, None), "b2c defaults to denied");
    assert!(!allowed(&g, "soft", "promo", Channel::Email, None), "soft opt-in needs its offer on record");
    g.record_consent(event("soft", ConsentAction::SoftOptInOffered, "promo", Channel::Email, "2025-03-01T00:00:00Z"))
        .unwrap();
    assert!(allowed(&g, "soft", "promo", Channel::Email, None), "soft opt-in, offered: allowed");
    assert!(!allowed(&g, "soft", "promo", Channel::Email, Some("2025-02-01T00:00:00Z")), "not before the offer");
    assert!(!allowed(&g, "soft", "promo", Channel::Sms, None), "an offer covers its own channel only");

    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-02-01T00:00:00Z")).unwrap();
    g.record_consent(event("b2c", ConsentAction::Withdraw, "promo", Channel::Email, "2025-04-01T00:00:00Z")).unwrap();
    // Recorded last, but happened in between: it does not override the later withdrawal.
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-03-01T00:00:00Z")).unwrap();
    let d = g.decide(&sid("b2c"), &pid("promo"), &Channel::Email, None).unwrap();
    assert!(!d.allowed);
    assert_eq!(d.since, Some(t("2025-04-01T00:00:00Z")));
    assert!(matches!(d.decided_by, DecidedBy::Event(ref e) if e.action == ConsentAction::Withdraw));
    assert!(allowed(&g, "b2c", "promo", Channel::Email, Some("2025-03-15T00:00:00Z")), "withdrawal is not retroactive");
    assert!(!allowed(&g, "b2c", "promo", Channel::Email, Some("2025-01-15T00:00:00Z")));
    assert!(!allowed(&g, "b2c", "promo", Channel::Sms, None), "another channel keeps its default");

    // Two events at the same instant: the one recorded later wins.
    g.record_consent(event("b2b", ConsentAction::OptOut, "promo", Channel::Sms, "2025-05-01T00:00:00Z")).unwrap();
    g.record_consent(event("b2b", ConsentAction::OptIn, "promo", Channel::Sms, "2025-05-01T00:00:00Z")).unwrap();
    assert!(allowed(&g, "b2b", "promo", Channel::Sms, None));

    // Informational events decide nothing.
    g.record_consent(event("b2c", ConsentAction::ReconfirmRequested, "promo", Channel::Sms, "2025-05-01T00:00:00Z"))
        .unwrap();
    assert!(!allowed(&g, "b2c", "promo", Channel::Sms, None));
}

pub fn objections_block_direct_marketing_until_a_later_opt_in(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-06-01T00:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-01-10T00:00:00Z")).unwrap();
    let mut objection = NewConsent::objection(sid("b2c"));
    objection.occurred_at = Some(t("2025-02-01T00:00:00Z"));
    g.record_consent(objection).unwrap();
    let mut soft_objection = NewConsent::objection(sid("soft"));
    soft_objection.occurred_at = Some(t("2025-02-01T00:00:00Z"));
    g.record_consent(soft_objection).unwrap();

    for ch in [Channel::Email, Channel::Sms, Channel::Custom("whatsapp".into())] {
        assert!(!allowed(&g, "b2c", "promo", ch.clone(), None), "objection blocks promo on {ch}");
        assert!(!allowed(&g, "soft", "promo", ch, None), "whatever the regime");
    }
    assert!(allowed(&g, "soft", "billing", Channel::Email, None), "a purpose that is not marketing is untouched");
    assert!(allowed(&g, "b2c", "promo", Channel::Email, Some("2025-01-20T00:00:00Z")), "not retroactive");

    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Sms, "2025-03-01T00:00:00Z")).unwrap();
    assert!(allowed(&g, "b2c", "promo", Channel::Sms, None), "a later opt-in reopens its purpose and channel");
    assert!(!allowed(&g, "b2c", "promo", Channel::Email, None), "and only that one");

    // An objection scoped to one purpose blocks it on every channel, even when not marketing.
    let mut scoped = NewConsent::objection(sid("b2b"));
    scoped.purpose = Some(pid("billing"));
    scoped.occurred_at = Some(t("2025-02-01T00:00:00Z"));
    g.record_consent(scoped).unwrap();
    assert!(!allowed(&g, "b2b", "billing", Channel::Post, None));
    assert!(allowed(&g, "b2b", "promo", Channel::Post, None));
}

pub fn campaign_decisions_keep_the_input_order(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    let n = 600;
    let new: Vec<_> = (0..n)
        .map(|i| {
            NewSubject::new(sid(&format!("c{i:04}")), if i % 2 == 0 { Regime::B2cOptIn } else { Regime::B2bOptOut })
        })
        .collect();
    g.add_subjects(new).unwrap();
    clock.set(t("2025-06-01T00:00:00Z"));
    let mut events = Vec::new();
    for i in (0..n).filter(|i| i % 3 == 0) {
        let action = if i % 2 == 0 { ConsentAction::OptIn } else { ConsentAction::OptOut };
        events.push(event(&format!("c{i:04}"), action, "promo", Channel::Email, "2025-02-01T00:00:00Z"));
    }
    g.record_consents(events).unwrap();
    let expect = |i: usize| if i % 3 == 0 { i % 2 == 0 } else { i % 2 == 1 };

    // Reverse order, a repeated subject: large lists and small ones must answer alike.
    for size in [3usize, n] {
        let ids: Vec<usize> = (0..size).rev().chain([0]).collect();
        let subjects: Vec<SubjectId> = ids.iter().map(|i| sid(&format!("c{i:04}"))).collect();
        let decisions = g.decide_many(&subjects, &pid("promo"), &Channel::Email, None).unwrap();
        assert_eq!(decisions.len(), ids.len());
        for (d, &i) in decisions.iter().zip(&ids) {
            assert_eq!(d.subject, sid(&format!("c{i:04}")));
            assert_eq!(d.allowed, expect(i), "subject {i} in a list of {size}");
        }
    }
    let before =
        g.decide_many(&[sid("c0000")], &pid("promo"), &Channel::Email, Some(t("2025-01-15T00:00:00Z"))).unwrap();
    assert!(!before[0].allowed, "at an earlier instant, the opt-in had not happened");
    let err = g.decide_many(&[sid("c0000"), sid("nobody")], &pid("promo"), &Channel::Email, None);
    assert!(matches!(err, Err(Error::UnknownSubject(ref s)) if s == "nobody"), "{err:?}");
}

pub fn history_keeps_both_dates_and_the_proof(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-06-01T00:00:00Z"));
    let mut late = event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-03-01T10:00:00Z");
    late.proof.collected_by = Some(Collector::ThirdParty("ListCo".into()));
    late.proof.source = Some(Source::Import);
    late.proof.proof_ref = Some("listco/2025/17".into());
    g.record_consent(late.clone()).unwrap();
    clock.set(t("2025-06-02T00:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptOut, "promo", Channel::Sms, "2025-01-01T09:00:00.123456Z"))
        .unwrap();

    let h = g.history(&sid("b2c")).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].occurred_at, t("2025-01-01T09:00:00.123456Z"), "oldest first, by when it happened");
    assert_eq!(h[0].recorded_at, t("2025-06-02T00:00:00Z"));
    assert_eq!(h[1].recorded_at, t("2025-06-01T00:00:00Z"));
    assert_eq!(h[1].proof, late.proof, "the whole proof reads back");
    assert_eq!(h[1].subject, Some(sid("b2c")));
    assert!(g.history(&sid("b2b")).unwrap().is_empty());
    assert!(matches!(g.history(&sid("nobody")), Err(Error::UnknownSubject(_))));
}

/// How many entries about `subject` still hold their values.
fn entries_about(g: &Gdpr, subject: &str) -> usize {
    let mut n = 0;
    g.store()
        .subject_entries(g.tenant(), &sid(subject), &mut |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
    n
}

/// Appends an erasure entry whose effect erases what the store keeps on `subject`.
pub fn erase(g: &Gdpr, subject: &str) {
    let mut entries = Vec::new();
    g.store()
        .subject_entries(g.tenant(), &sid(subject), &mut |e| {
            entries.push(e.seq);
            Ok(())
        })
        .unwrap();
    let body = serde_json::json!({ "recorded_at": crate::time::format(g.now()), "entries": entries }).to_string();
    let entry = NewEntry::about(EntryKind::Erasure, sid(subject), None, body, PersonalValues::new()).unwrap();
    let effect = Effect::EraseSubject { subject: sid(subject), entries, suppress: Vec::new() };
    g.store().append(g.tenant(), &[Append { entry, effect: Some(effect) }]).unwrap();
}

pub fn erasing_values_keeps_the_chain_verifiable(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-06-01T00:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-03-01T00:00:00Z")).unwrap();
    g.record_consent(event("b2b", ConsentAction::OptIn, "promo", Channel::Email, "2025-03-01T00:00:00Z")).unwrap();
    assert_eq!(entries_about(&g, "b2c"), 2, "the registration and the consent event");
    erase(&g, "b2c");
    assert_eq!(entries_about(&g, "b2c"), 1, "only the erasure entry names the subject");
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 8 }, "every entry stays");
    assert!(g.history(&sid("b2c")).unwrap().is_empty(), "nothing links the entries to the subject any more");
    let mut erased_entries = Vec::new();
    g.store()
        .scan_ledger(g.tenant(), &mut |e| {
            if e.kind == "consent" && e.subject.is_none() {
                assert!(e.personal.is_none(), "entry {} lost its subject but kept its values", e.seq);
                erased_entries.push((e.seq, e.fact.map(|f| f.action.to_owned())));
            }
            true
        })
        .unwrap();
    assert_eq!(erased_entries, [(6, Some("opt_in".to_owned()))], "the event itself stays, without who");
    assert_eq!(g.history(&sid("b2b")).unwrap()[0].proof.ip.as_deref(), Some("192.0.2.7"), "others keep theirs");
    erase(&g, "b2c");
    assert_eq!(entries_about(&g, "b2c"), 1, "a second erasure leaves only itself");
    assert!(g.verify_ledger().unwrap().is_intact());

    let mut with_email = NewSubject::new(sid("mail"), Regime::B2cOptIn);
    with_email.email = Some("mail@example.org".into());
    g.add_subject(with_email).unwrap();
    erase(&g, "mail");
    let after = g.subject(&sid("mail")).unwrap();
    assert_eq!((after.email, after.regime), (None, Regime::B2cOptIn), "the e-mail goes, the subject stays");
}

pub fn tenants_are_kept_apart(factory: Factory<'_>) {
    let store = factory();
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(t("2025-01-01T00:00:00Z")));
    let a = Gdpr::builder(store.clone()).clock(clock.clone()).tenant(TenantId::new("a").unwrap()).build().unwrap();
    let b = Gdpr::builder(store).clock(clock).tenant(TenantId::new("b").unwrap()).build().unwrap();
    for g in [&a, &b] {
        g.add_purpose(Purpose::new(pid("promo"), LegalBasis::Consent, true)).unwrap();
        g.add_subject(NewSubject::new(sid("same-id"), Regime::B2cOptIn)).unwrap();
    }
    a.record_consent(event("same-id", ConsentAction::OptIn, "promo", Channel::Email, "2024-12-01T00:00:00Z")).unwrap();
    assert!(allowed(&a, "same-id", "promo", Channel::Email, None));
    assert!(!allowed(&b, "same-id", "promo", Channel::Email, None), "tenant b has no opt-in");
    assert_eq!(a.verify_ledger().unwrap(), Verification::Intact { entries: 3 });
    assert_eq!(b.verify_ledger().unwrap(), Verification::Intact { entries: 2 });
    assert!(b.history(&sid("same-id")).unwrap().is_empty());
}

pub fn concurrent_appends_keep_one_chain(factory: Factory<'_>) {
    let (g, _) = setup(factory);
    let threads = 4;
    let per_thread = 25;
    std::thread::scope(|s| {
        for th in 0..threads {
            let g = g.clone();
            s.spawn(move || {
                for i in 0..per_thread {
                    let at = format!("2024-12-{:02}T00:00:00Z", 1 + (th * per_thread + i) % 28);
                    g.record_consent(event("b2b", ConsentAction::OptOut, "promo", Channel::Email, &at)).unwrap();
                }
            });
        }
    });
    let total = (threads * per_thread) as u64;
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 5 + total });
    assert_eq!(g.history(&sid("b2b")).unwrap().len() as u64, total);
}

fn open(g: &Gdpr, subject: &str, kind: RequestKind, received: &str) -> crate::request::service::OpenedRequest {
    g.open_request(NewRequest {
        purposes: Vec::new(),
        subject: sid(subject),
        kind,
        via: ReceivedVia::Email,
        received_at: Some(t(received)),
    })
    .unwrap()
}

pub fn requests_follow_their_life_and_are_tracked_by_token(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-04-01T09:00:00Z"));
    let opened = open(&g, "b2c", RequestKind::Access, "2025-04-01T08:00:00Z");
    let id = opened.request.id.clone();
    assert_eq!(opened.request.state, RequestState::Received);
    assert_eq!(opened.request.initial_due.to_string(), "2025-05-02", "1 May is a holiday");
    assert_eq!(g.request(&id).unwrap(), opened.request, "every field reads back");
    assert!(g.act_noted(&id, Step::Accept, "Marie", Some("")).is_err(), "an empty note is refused");

    g.act_noted(
        &id,
        Step::Extend { ground: ExtensionGround::Complexity, reason: "Three systems.".into() },
        "Marie",
        Some("We are gathering your data from three systems."),
    )
    .unwrap();
    let view = g.track(&opened.token).unwrap().expect("the token opens its request");
    assert_eq!(
        view.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["We are gathering your data from three systems."]
    );
    assert_eq!(
        // Extended: the earlier of receipt plus three months and 1 May plus two months.
        (view.kind, view.state, view.due.to_string()),
        (RequestKind::Access, RequestState::Received, "2025-07-01".into())
    );
    let other = open(&g, "b2b", RequestKind::Erasure, "2025-04-01T08:30:00Z");
    assert_eq!(g.track(&other.token).unwrap().unwrap().kind, RequestKind::Erasure, "each token opens its own");
    let mut wrong = opened.token.clone();
    wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
    assert_eq!(g.track(&wrong).unwrap(), None);
    assert_eq!(g.track("no-such-token").unwrap(), None);
    assert_eq!(g.track(&"x".repeat(10_000)).unwrap(), None);

    let err = g.act(&id, Step::Complete, "Marie").unwrap_err().to_string();
    assert!(err.contains("complete") && err.contains("received"), "{err}");
    clock.set(t("2025-04-02T09:00:00Z"));
    assert_eq!(g.act(&id, Step::Accept, "Marie").unwrap().request.state, RequestState::Accepted);
    assert_eq!(g.act(&id, Step::Start, "Marie").unwrap().request.state, RequestState::InProgress);
    let handed_over =
        Step::CompleteHandedOver { by: crate::request::record::CopyDelivery::Post, on: "2025-04-02".parse().unwrap() };
    let done = g.act(&id, handed_over, "Marie").unwrap().request;
    assert_eq!((done.state, done.closed_at), (RequestState::Completed, Some(t("2025-04-02T09:00:00Z"))));
    assert_eq!(g.track(&opened.token).unwrap().unwrap().state, RequestState::Completed);
    let refused = g
        .act(
            &other.request.id,
            Step::Refuse { code: RefusalCode::LegalObligation, reason: "Invoices are kept 10 years.".into() },
            "Marie",
        )
        .unwrap();
    assert_eq!(
        (refused.request.state, refused.request.refusal),
        (RequestState::Refused, Some(RefusalCode::LegalObligation))
    );
    assert!(g.act(&other.request.id, Step::Withdraw, "subject").is_err(), "refused is final");
    assert_eq!(g.requests().unwrap().len(), 2);
    let of_b2b = g.store().subject_requests(g.tenant(), &sid("b2b")).unwrap();
    assert_eq!(of_b2b.iter().map(|r| &r.id).collect::<Vec<_>>(), [&other.request.id], "one subject's requests only");
    assert_eq!(g.verify_ledger().unwrap(), Verification::Intact { entries: 5 + 2 + 5 }, "every step is an entry");
    assert!(matches!(
        g.request(&crate::request::record::RequestId::generate().unwrap()),
        Err(Error::UnknownRequest(_))
    ));
    assert!(matches!(
        g.open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("ghost"),
            kind: RequestKind::Access,
            via: ReceivedVia::Post,
            received_at: None
        }),
        Err(Error::UnknownSubject(_))
    ));
}

pub fn waiting_pauses_and_an_extension_moves_the_deadline(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2024-03-05T10:00:00Z"));
    let id = open(&g, "b2c", RequestKind::Rectification, "2024-03-05T10:00:00Z").request.id;
    clock.set(t("2024-03-10T10:00:00Z"));
    let waiting = g
        .act(
            &id,
            Step::AwaitSubject {
                kind: crate::WaitKind::Clarification,
                reason: "Please confirm your postal address.".into(),
                method: None,
            },
            "Marie",
        )
        .unwrap();
    assert_eq!(waiting.request.state, RequestState::AwaitingSubject);
    clock.set(t("2024-03-20T10:00:00Z"));
    let resumed = g.act_noted(&id, Step::Resume, "Marie", Some("Thank you, we have your address.")).unwrap();
    assert_eq!(resumed.request.awaiting, None);
    assert_eq!(resumed.request.paused_days, 10);
    assert_eq!(resumed.request.due.to_string(), "2024-04-15", "5 April plus 10 days waited");
    assert_eq!(resumed.request.initial_due.to_string(), "2024-04-05", "the initial due date is kept");
    let extended = g
        .act(
            &id,
            Step::Extend { ground: ExtensionGround::Complexity, reason: "Records in three systems.".into() },
            "Marie",
        )
        .unwrap();
    assert_eq!(extended.request.due.to_string(), "2024-06-17", "5 June plus 10 days is a Saturday, rolled to Monday");
    let again = g.act(&id, Step::Extend { ground: ExtensionGround::Complexity, reason: "Again.".into() }, "Marie");
    assert!(again.unwrap_err().to_string().contains("already extended"));

    let late = open(&g, "b2b", RequestKind::Access, "2024-03-05T10:00:00Z").request.id;
    clock.set(t("2024-04-06T10:00:00Z"));
    let err = g.act(
        &late,
        Step::Extend { ground: ExtensionGround::NumberOfRequests, reason: "Many requests.".into() },
        "Marie",
    );
    assert!(err.unwrap_err().to_string().contains("by the initial due date, 2024-04-05"), "too late to extend");
    assert!(
        g.act(
            &late,
            Step::AwaitSubject { kind: crate::WaitKind::Clarification, reason: " ".into(), method: None },
            "Marie"
        )
        .is_err(),
        "a reason is required"
    );
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// Art. 12(3) (rule R3): the subject is told of an extension within one month of receipt, so it is
/// decided by the initial due date, even when a pause on the subject moved the current one later.
pub fn an_extension_is_decided_by_the_initial_due_date_even_after_a_pause(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2024-03-05T10:00:00Z"));
    let id = open(&g, "b2c", RequestKind::Access, "2024-03-05T10:00:00Z").request.id;
    clock.set(t("2024-03-10T10:00:00Z"));
    g.act(
        &id,
        Step::AwaitSubject { kind: crate::WaitKind::Clarification, reason: "Which account?".into(), method: None },
        "Marie",
    )
    .unwrap();
    clock.set(t("2024-03-20T10:00:00Z"));
    let resumed = g.act(&id, Step::Resume, "Marie").unwrap().request;
    assert_eq!((resumed.initial_due.to_string(), resumed.due.to_string()), ("2024-04-05".into(), "2024-04-15".into()));
    clock.set(t("2024-04-08T10:00:00Z"));
    let extend = Step::Extend { ground: ExtensionGround::Complexity, reason: "Three systems.".into() };
    let err = g.act(&id, extend.clone(), "Marie").unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidState, "{err}");
    assert!(err.to_string().contains("initial due date, 2024-04-05"), "{err}");
    assert_eq!(g.request(&id).unwrap().extension, None, "nothing was recorded");
    assert_eq!(g.request(&id).unwrap().due.to_string(), "2024-04-15", "the paused due date still runs");
}

/// Art. 21(3): "the personal data shall no longer be processed for such purposes" once the
/// person objects; the objection takes effect when it is received (rule C5).
pub fn an_objection_takes_effect_on_receipt(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-06-01T10:00:00Z"));
    assert!(allowed(&g, "b2b", "promo", Channel::Email, None));
    let id = open(&g, "b2b", RequestKind::Objection, "2025-06-01T09:00:00Z").request.id;
    let received = t("2025-06-01T09:00:00Z");
    assert!(!allowed(&g, "b2b", "promo", Channel::Email, None), "denied as soon as it is received");
    assert!(!allowed(&g, "b2b", "promo", Channel::Post, Some("2025-06-01T09:00:00Z")), "from receipt, every channel");
    assert!(allowed(&g, "b2b", "promo", Channel::Email, Some("2025-06-01T08:59:59Z")), "not before");
    assert!(allowed(&g, "b2b", "billing", Channel::Email, None), "a purpose that is not direct marketing goes on");
    let history = g.history(&sid("b2b")).unwrap();
    let objection = history.last().unwrap();
    assert_eq!((objection.action, objection.occurred_at), (ConsentAction::Object, received));
    assert_eq!(objection.proof.collected_by, Some(Collector::Subject), "the subject objected");
    assert_eq!(objection.proof.source, Some(Source::Email), "through the channel the request came by");

    let refusal = g.act(&id, Step::Refuse { code: RefusalCode::Other, reason: "No.".into() }, "Marie");
    assert!(refusal.unwrap_err().to_string().contains("cannot be refused"));
    g.act(&id, Step::Accept, "Marie").unwrap();
    g.act(&id, Step::Complete, "Marie").unwrap();
    assert_eq!(g.history(&sid("b2b")).unwrap().len(), history.len(), "completing confirms it; no second event");
    assert!(!allowed(&g, "b2b", "promo", Channel::Email, None));
}

pub fn overdue_and_due_soon_requests_are_listed(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    let old = open(&g, "b2c", RequestKind::Access, "2025-01-02T10:00:00Z").request.id; // due 2025-02-03
    let recent = open(&g, "b2b", RequestKind::Access, "2025-01-10T10:00:00Z").request.id; // due 2025-02-10
    let closed = open(&g, "soft", RequestKind::Access, "2025-01-02T10:00:00Z").request.id;
    g.act(&closed, Step::Withdraw, "subject").unwrap();
    clock.set(t("2025-02-04T10:00:00Z"));
    let ids = |v: Vec<crate::request::record::Request>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(g.overdue_requests().unwrap()), std::slice::from_ref(&old));
    assert_eq!(ids(g.requests_due_within(7).unwrap()), std::slice::from_ref(&recent));
    assert!(g.requests_due_within(3).unwrap().is_empty());
    g.act(
        &old,
        Step::AwaitSubject { kind: crate::WaitKind::Clarification, reason: "Which account?".into(), method: None },
        "Marie",
    )
    .unwrap();
    assert!(g.overdue_requests().unwrap().is_empty(), "a request waiting on the subject is paused");
}

pub fn a_stale_request_update_is_refused(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    let id = open(&g, "b2c", RequestKind::Access, "2025-01-10T09:00:00Z").request.id;
    let before = g.verify_ledger().unwrap();
    let mut stale = g.request(&id).unwrap();
    stale.state = RequestState::Accepted;
    let entry = crate::raw::ledger::NewEntry::new(
        crate::raw::ledger::EntryKind::Request,
        "{}".into(),
        &crate::raw::ledger::PersonalValues::new(),
    );
    let effect = crate::raw::store::Effect::UpdateRequest { expected: RequestState::AwaitingSubject, request: stale };
    let err = g.store().append(g.tenant(), &[crate::raw::store::Append { entry, effect: Some(effect) }]);
    assert!(matches!(err, Err(Error::RequestChanged(_))), "{err:?}");
    assert_eq!(g.verify_ledger().unwrap(), before, "nothing was appended");
    assert_eq!(g.request(&id).unwrap().state, RequestState::Received);
}

pub fn wrong_tokens_all_get_the_answer_of_an_unknown_one(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    let tokens: Vec<String> =
        ["b2c", "b2b", "soft"].iter().map(|s| open(&g, s, RequestKind::Access, "2025-01-10T09:00:00Z").token).collect();
    let unknown = g.track("unknown").unwrap();
    assert_eq!(unknown, None);
    // A deterministic stream of 10,000 well-formed tokens, none of them issued.
    let mut state = 0x853c_49e6_748f_ea9bu64;
    for _ in 0..10_000 {
        let token: String = (0..5)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                format!("{:08x}", (state >> 32) as u32)
            })
            .collect();
        assert!(!tokens.contains(&token));
        assert_eq!(g.track(&token).unwrap(), unknown, "a wrong token got another answer");
    }
    for token in &tokens {
        assert!(g.track(token).unwrap().is_some(), "issued tokens still work");
    }
}

pub fn recipients_are_told_of_an_erasure(factory: Factory<'_>) {
    use crate::request::recipients::{SkipReason, TaskOutcome, TaskStatus};
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    for recipient in ["Beta Payments", "Acme Logistics", "Beta Payments"] {
        g.record_disclosure(&sid("b2c"), recipient, Some(t("2024-06-01T00:00:00Z"))).unwrap();
    }
    assert_eq!(g.disclosures(&sid("b2c")).unwrap().len(), 3);
    assert!(g.disclosures(&sid("b2b")).unwrap().is_empty());
    assert!(g.record_disclosure(&sid("b2c"), "", None).is_err());

    let access = open(&g, "b2c", RequestKind::Access, "2025-01-10T09:00:00Z").request.id;
    g.act(&access, Step::Complete, "Marie").unwrap_err();
    g.act(&access, Step::Accept, "Marie").unwrap();
    let handed_over =
        Step::CompleteHandedOver { by: crate::request::record::CopyDelivery::InPerson, on: g.receipt_date(g.now()) };
    g.act(&access, handed_over, "Marie").unwrap();
    assert!(g.recipient_tasks(&access).unwrap().is_empty(), "access owes recipients nothing");

    let erasure = open(&g, "b2c", RequestKind::Erasure, "2025-01-10T09:00:00Z").request.id;
    g.act(&erasure, Step::Accept, "Marie").unwrap();
    g.act(&erasure, Step::Complete, "Marie").unwrap();
    let tasks = g.recipient_tasks(&erasure).unwrap();
    assert_eq!(tasks.iter().map(|t| t.recipient.as_str()).collect::<Vec<_>>(), ["Acme Logistics", "Beta Payments"]);
    assert!(tasks.iter().all(|t| t.status == TaskStatus::Pending));

    clock.set(t("2025-01-11T10:00:00Z"));
    g.mark_recipient_task(&erasure, "Acme Logistics", TaskOutcome::Sent, "Marie").unwrap();
    g.mark_recipient_task(&erasure, "Beta Payments", TaskOutcome::Skipped(SkipReason::DisproportionateEffort), "Marie")
        .unwrap();
    let tasks = g.recipient_tasks(&erasure).unwrap();
    assert_eq!(tasks[0].status, TaskStatus::Sent { at: t("2025-01-11T10:00:00Z") });
    assert_eq!(
        tasks[1].status,
        TaskStatus::Skipped { reason: SkipReason::DisproportionateEffort, at: t("2025-01-11T10:00:00Z") }
    );
    let before = g.verify_ledger().unwrap();
    assert!(g.mark_recipient_task(&erasure, "Acme Logistics", TaskOutcome::Sent, "Marie").is_err(), "only once");
    assert!(g.mark_recipient_task(&erasure, "Gamma", TaskOutcome::Sent, "Marie").is_err(), "an unknown recipient");
    assert_eq!(g.verify_ledger().unwrap(), before, "refused marks append nothing");
    assert!(before.is_intact());
}

pub fn portability_needs_consent_or_a_contract(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    let prospect = open(&g, "b2b", RequestKind::Portability, "2025-01-10T09:00:00Z").request.id;
    let err = g.act(&prospect, Step::Accept, "Marie").unwrap_err().to_string();
    assert!(
        err.contains("rests on consent they gave or on a contract") && err.contains("not_eligible_for_portability"),
        "{err}"
    );
    let refused = g
        .act(
            &prospect,
            Step::Refuse { code: RefusalCode::NotEligibleForPortability, reason: "Prospect data.".into() },
            "Marie",
        )
        .unwrap();
    assert_eq!(refused.request.state, RequestState::Refused);

    let customer = open(&g, "soft", RequestKind::Portability, "2025-01-10T09:00:00Z").request.id;
    assert_eq!(g.act(&customer, Step::Accept, "Marie").unwrap().request.state, RequestState::Accepted, "a contract");

    let consumer = open(&g, "b2c", RequestKind::Portability, "2025-01-10T09:00:00Z").request.id;
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-01-02T00:00:00Z")).unwrap();
    assert!(g.act(&consumer, Step::Accept, "Marie").is_err(), "an opt-in to a purpose on legitimate interests");
    g.add_purpose(Purpose::new(pid("newsletter"), LegalBasis::Consent, true)).unwrap();
    g.record_consent(event("b2c", ConsentAction::OptIn, "newsletter", Channel::Email, "2025-01-02T00:00:00Z")).unwrap();
    assert_eq!(g.act(&consumer, Step::Accept, "Marie").unwrap().request.state, RequestState::Accepted, "consent");

    // Art. 20(1)(a), R6: a consent withdrawn since still makes the data it covered portable.
    g.record_consent(event("b2b", ConsentAction::OptIn, "newsletter", Channel::Email, "2025-01-03T00:00:00Z")).unwrap();
    g.record_consent(event("b2b", ConsentAction::Withdraw, "newsletter", Channel::Email, "2025-01-04T00:00:00Z"))
        .unwrap();
    assert_eq!(g.portability_ineligibility(&sid("b2b")).unwrap(), None, "withdrawn, still portable");
    let applied = g.purposes_applying_to(&sid("b2b")).unwrap();
    assert_eq!(applied.iter().map(|a| a.purpose.id.as_str()).collect::<Vec<_>>(), ["newsletter"]);
}

pub fn a_restriction_stops_every_decision_until_lifted(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-01-02T00:00:00Z")).unwrap();
    let id = open(&g, "b2c", RequestKind::Restriction, "2025-01-10T09:00:00Z").request.id;
    assert!(allowed(&g, "b2c", "promo", Channel::Email, None), "received, not yet accepted");
    assert!(g.lift_restriction(&id, "Marie", true).is_err(), "nothing to lift yet");
    clock.set(t("2025-01-11T10:00:00Z"));
    g.act(&id, Step::Accept, "Marie").unwrap();
    let d = g.decide(&sid("b2c"), &pid("promo"), &Channel::Email, None).unwrap();
    assert!(!d.allowed);
    assert!(matches!(d.decided_by, DecidedBy::Restriction { .. }), "{:?}", d.decided_by);
    assert!(d.reason().contains("restricted at the subject's request (Art. 18)"), "{}", d.reason());
    assert_eq!(d.since, Some(t("2025-01-11T10:00:00Z")));
    assert!(!allowed(&g, "b2c", "billing", Channel::Post, None), "every purpose, every channel");
    assert!(allowed(&g, "b2c", "promo", Channel::Email, Some("2025-01-10T12:00:00Z")), "not before it started");
    assert!(allowed(&g, "b2b", "promo", Channel::Email, None), "others are untouched");
    let campaign: Vec<SubjectId> = ["b2c", "b2b", "soft"].iter().map(|s| sid(s)).cycle().take(90).collect();
    let decisions = g.decide_many(&campaign, &pid("promo"), &Channel::Email, None).unwrap();
    assert!(decisions.iter().filter(|d| d.subject == sid("b2c")).all(|d| !d.allowed), "a campaign sees it too");

    let err = g.lift_restriction(&id, "Marie", false).unwrap_err().to_string();
    assert!(err.contains("told before the restriction is lifted"), "{err}");
    clock.set(t("2025-02-01T10:00:00Z"));
    g.lift_restriction(&id, "Marie", true).unwrap();
    assert!(allowed(&g, "b2c", "promo", Channel::Email, None), "the opt-in decides again");
    assert!(!allowed(&g, "b2c", "promo", Channel::Email, Some("2025-01-20T00:00:00Z")), "it held in between");
    assert!(g.verify_ledger().unwrap().is_intact());
}
