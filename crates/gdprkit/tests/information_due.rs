//! When a person must be told, and the proof that they were (rules I2 to I4, Arts. 13 and 14):
//! due dates, exemptions, notices given by e-mail or post, decisions that say a message must
//! carry the notice, and the listing of those not told.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Days, NaiveDate, TimeDelta};
use gdprkit::anonymize::map::DataMap;
use gdprkit::information::{
    DataSource, DueBy, ExemptionGround, GivenNotice, InformationState, InformedVia, NewExemption, Origin,
};
use gdprkit::mailer::MemoryMailer;
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{pid, setup_with, sid, t};
use gdprkit::{
    ChangeKind, Channel, ErrorKind, FixedClock, Gdpr, Language, MemoryStore, MessageKind, NewSubject, OutboxFilter,
    Regime, sha256_hex,
};
use gdprkit::{France, HolidayCalendar};
use proptest::prelude::*;

const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "id"
category = "identity"
on_erasure = "delete"

[[processing]]
purpose = "promo"
categories = ["identity"]
retention = "3 years after your last reply"
legitimate_interest = "telling companies like yours about our software"
"#;

/// A tenant in Paris (France's holidays) on 1 February 2025, with a mailer.
fn gdpr() -> (Gdpr, Arc<FixedClock>, Arc<MemoryMailer>) {
    let mailer = Arc::new(MemoryMailer::new());
    let m = mailer.clone();
    let (g, clock) = setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        b.crm(Arc::new(MemoryCrm::new())).data_map(DataMap::from_toml(MAP).unwrap()).mailer(m)
    });
    clock.set(t("2025-02-01T09:00:00Z"));
    (g, clock, mailer)
}

fn prospect(g: &Gdpr, id: &str, source: DataSource, obtained: &str) {
    let mut n = NewSubject::new(sid(id), Regime::B2bOptOut);
    n.email = Some(format!("{id}@example.com"));
    n.language = Some(Language::En);
    n.origin = Some(Origin {
        reference: Some("Salon Pro 2025".into()),
        obtained_at: Some(t(obtained)),
        ..Origin::new(source)
    });
    g.add_subject(n).unwrap();
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn exemption(ground: ExemptionGround, public_notice: Option<&str>) -> NewExemption {
    NewExemption {
        ground,
        reason: "10,000 postal addresses without any other contact detail".into(),
        public_notice: public_notice.map(str::to_owned),
    }
}

/// Art. 14(3)(a) and rule R2: data obtained on 31 January is due on 28 February (no 31st), and
/// overdue the day after; `information_due` lists it, with `overdue_only` once passed.
#[test]
fn data_obtained_on_the_31st_is_due_on_the_last_day_of_next_month() {
    let (g, clock, _) = gdpr();
    prospect(&g, "p1", DataSource::PurchasedList, "2025-01-31T10:00:00Z");
    let s = g.information_status(&sid("p1")).unwrap();
    assert_eq!((s.state, s.due, s.due_by), (InformationState::Due, Some(date("2025-02-28")), Some(DueBy::OneMonth)));
    assert_eq!(s.reference.as_deref(), Some("Salon Pro 2025"));
    assert_eq!(g.information_due(false).unwrap().len(), 1);
    assert!(g.information_due(true).unwrap().is_empty(), "not overdue before its date");
    clock.set(t("2025-02-28T22:00:00Z")); // 23:00 in Paris: still the 28th
    assert_eq!(g.information_status(&sid("p1")).unwrap().state, InformationState::Due);
    clock.set(t("2025-02-28T23:30:00Z")); // 1 March in Paris
    assert_eq!(g.information_status(&sid("p1")).unwrap().state, InformationState::Overdue);
    let overdue = g.information_due(true).unwrap();
    assert_eq!(overdue.iter().map(|s| s.subject.as_str()).collect::<Vec<_>>(), ["p1"]);
}

/// Art. 14(3)(a) and rule R2: a due date on a Saturday rolls to the next working day.
#[test]
fn a_due_date_on_a_saturday_rolls_to_monday() {
    let (g, clock, _) = gdpr();
    clock.set(t("2025-09-20T09:00:00Z"));
    prospect(&g, "p1", DataSource::TradeFair, "2025-09-11T09:00:00Z");
    assert_eq!(g.information_status(&sid("p1")).unwrap().due, Some(date("2025-10-13")));
}

/// Art. 14(3)(b): a first message sent before the month is out brings the due date forward to
/// that message.
#[test]
fn a_first_message_before_the_month_is_out_is_the_due_date() {
    let (g, clock, _) = gdpr();
    prospect(&g, "p1", DataSource::PurchasedList, "2025-01-31T10:00:00Z");
    clock.set(t("2025-02-12T09:00:00Z"));
    g.record_communication(&sid("p1"), Some(t("2025-02-10T15:00:00Z"))).unwrap();
    let s = g.information_status(&sid("p1")).unwrap();
    assert_eq!((s.due, s.due_by), (Some(date("2025-02-10")), Some(DueBy::FirstCommunication)));
    assert_eq!(s.state, InformationState::Overdue, "messaged on the 10th without the notice");
    let feed = g.changes_since(0, 100).unwrap().changes;
    assert!(feed.iter().any(|c| matches!(c.what, ChangeKind::Contacted { .. })));
}

/// Art. 14(3)(c): a first disclosure to another recipient brings the due date forward.
#[test]
fn a_first_disclosure_is_the_due_date() {
    let (g, clock, _) = gdpr();
    prospect(&g, "p1", DataSource::Partner, "2025-01-20T10:00:00Z");
    g.record_disclosure(&sid("p1"), "Reseller SARL", Some(t("2025-01-25T10:00:00Z"))).unwrap();
    let s = g.information_status(&sid("p1")).unwrap();
    assert_eq!((s.due, s.due_by), (Some(date("2025-01-25")), Some(DueBy::FirstDisclosure)));
    clock.set(t("2025-03-01T09:00:00Z"));
    assert_eq!(g.information_status(&sid("p1")).unwrap().state, InformationState::Overdue);
}

/// Art. 13(1): data collected from the person are due at collection; a notice given then is
/// recorded with the subject, as an `informed` event, not as a second step.
#[test]
fn collected_data_are_told_at_collection() {
    let (g, _, _) = gdpr();
    prospect(&g, "c1", DataSource::Collected, "2025-01-31T10:00:00Z");
    let s = g.information_status(&sid("c1")).unwrap();
    assert_eq!(
        (s.state, s.due, s.due_by),
        (InformationState::Overdue, Some(date("2025-01-31")), Some(DueBy::Collection))
    );

    let notice = g.information_notice(None, Some(Language::En)).unwrap();
    let mut n = NewSubject::new(sid("c2"), Regime::B2cOptIn);
    n.origin = Some(Origin {
        notice: Some(GivenNotice { version: notice.version.clone(), sha256: notice.sha256.clone() }),
        ..Origin::new(DataSource::Collected)
    });
    g.add_subject(n).unwrap();
    let s = g.information_status(&sid("c2")).unwrap();
    assert_eq!(s.state, InformationState::Informed);
    let informed = s.informed.unwrap();
    assert_eq!((informed.via, informed.notice_version), (InformedVia::AtCollection, notice.version));
    assert_eq!(g.inform(&sid("c2"), InformedVia::AtCollection, None).unwrap_err().kind(), ErrorKind::InvalidInput);
}

/// Art. 5(2), rule I4: a notice mailed through the outbox is an `informed` event with its
/// version, SHA-256, channel and instant; the mail carries the very text hashed; the change
/// feed shows it; the person is no longer due.
#[test]
fn a_notice_by_email_is_sent_and_proven() {
    let (g, _, mailer) = gdpr();
    prospect(&g, "p1", DataSource::TradeFair, "2025-01-20T10:00:00Z");
    let given = g.inform(&sid("p1"), InformedVia::Email, None).unwrap();
    assert_eq!(given.notice.sha256, sha256_hex(given.notice.text.as_bytes()));
    assert!(
        given.notice.text.contains("Where we obtained your data: a trade fair (Salon Pro 2025), on 20 January 2025.")
    );
    // The CRM holds nothing on the prospect yet: they are told every purpose the map describes.
    assert!(
        given.notice.text.contains("Legal basis: our legitimate interests (GDPR Art. 6(1)(f))"),
        "{}",
        given.notice.text
    );
    let sent = mailer.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].to.as_str(), sent[0].body.as_str()), ("p1@example.com", given.notice.text.as_str()));
    let outbox = g.outbox(OutboxFilter::All).unwrap();
    assert_eq!(outbox.iter().filter(|m| m.kind == MessageKind::Information).count(), 1);

    let s = g.information_status(&sid("p1")).unwrap();
    assert_eq!(s.state, InformationState::Informed);
    let informed = s.informed.unwrap();
    assert_eq!(
        (informed.seq, informed.via, informed.notice_version.as_str(), informed.notice_sha256.as_str(), informed.at),
        (given.seq, InformedVia::Email, given.notice.version.as_str(), given.notice.sha256.as_str(), g.now())
    );
    let feed = g.changes_since(0, 100).unwrap().changes;
    assert!(
        feed.iter().any(|c| matches!(&c.what, ChangeKind::Informed { via: InformedVia::Email, notice_version, .. }
        if *notice_version == given.notice.version))
    );
    assert!(g.information_due(false).unwrap().is_empty());
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// Rule I4: a notice posted is recorded at the instant given; a person without an address cannot
/// be mailed it, and nothing is written.
#[test]
fn a_notice_by_post_is_recorded_when_posted() {
    let (g, _, mailer) = gdpr();
    let mut n = NewSubject::new(sid("p1"), Regime::B2bOptOut);
    n.origin =
        Some(Origin { obtained_at: Some(t("2025-01-20T10:00:00Z")), ..Origin::new(DataSource::PublicDirectory) });
    g.add_subject(n).unwrap();
    let before = g.changes_since(0, 100).unwrap().changes.len();
    assert_eq!(g.inform(&sid("p1"), InformedVia::Email, None).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(g.changes_since(0, 100).unwrap().changes.len(), before, "nothing written");
    let given = g.inform(&sid("p1"), InformedVia::Post, Some(t("2025-01-30T08:00:00Z"))).unwrap();
    assert!(mailer.messages().is_empty());
    let informed = g.information_status(&sid("p1")).unwrap().informed.unwrap();
    assert_eq!((informed.via, informed.at), (InformedVia::Post, t("2025-01-30T08:00:00Z")));
    assert_eq!(informed.notice_version, given.notice.version);
    assert_eq!(
        g.inform(&sid("p1"), InformedVia::Post, Some(t("2030-01-01T00:00:00Z"))).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

/// Art. 14(5), rule I3: an exemption is honoured only with its ground and what the ground needs
/// (a reason; for a disproportionate effort, the public notice's address), never for data
/// collected from the person, and never assumed for subjects added after a source's exemption.
#[test]
fn an_exemption_is_honoured_only_with_its_ground() {
    let (g, _, _) = gdpr();
    prospect(&g, "p1", DataSource::PublicDirectory, "2025-01-20T10:00:00Z");
    let no_address = g.exempt_from_information(&sid("p1"), &exemption(ExemptionGround::DisproportionateEffort, None));
    assert_eq!(no_address.unwrap_err().field(), Some("public_notice"));
    let http = exemption(ExemptionGround::DisproportionateEffort, Some("http://acme.example/notice"));
    assert_eq!(g.exempt_from_information(&sid("p1"), &http).unwrap_err().field(), Some("public_notice"));
    let mut no_reason = exemption(ExemptionGround::RequiredByLaw, None);
    no_reason.reason = " ".into();
    assert_eq!(g.exempt_from_information(&sid("p1"), &no_reason).unwrap_err().field(), Some("reason"));
    assert_eq!(g.information_status(&sid("p1")).unwrap().state, InformationState::Due, "nothing recorded");

    let ok = exemption(ExemptionGround::DisproportionateEffort, Some("https://acme.example/notice"));
    g.exempt_from_information(&sid("p1"), &ok).unwrap();
    let s = g.information_status(&sid("p1")).unwrap();
    assert_eq!(s.state, InformationState::Exempt);
    let e = s.exemption.unwrap();
    assert_eq!(
        (e.ground, e.public_notice.as_deref()),
        (ExemptionGround::DisproportionateEffort, Some("https://acme.example/notice"))
    );
    assert_eq!(e.reason.as_deref(), Some("10,000 postal addresses without any other contact detail"));

    prospect(&g, "c1", DataSource::Collected, "2025-01-20T10:00:00Z");
    let law = exemption(ExemptionGround::RequiredByLaw, None);
    assert_eq!(g.exempt_from_information(&sid("c1"), &law).unwrap_err().kind(), ErrorKind::InvalidInput);
}

/// Art. 14(5), rule I3 per source: every subject of the source still due is exempted, others are
/// not, and a subject added later is due again.
#[test]
fn a_source_exemption_covers_its_subjects_at_the_time() {
    let (g, _, _) = gdpr();
    prospect(&g, "d1", DataSource::PublicDirectory, "2025-01-20T10:00:00Z");
    prospect(&g, "d2", DataSource::PublicDirectory, "2025-01-21T10:00:00Z");
    prospect(&g, "f1", DataSource::TradeFair, "2025-01-21T10:00:00Z");
    let ok = exemption(ExemptionGround::DisproportionateEffort, Some("https://acme.example/notice"));
    let exempted = g.exempt_source_from_information(DataSource::PublicDirectory, &ok).unwrap();
    assert_eq!(exempted, [sid("d1"), sid("d2")]);
    prospect(&g, "d3", DataSource::PublicDirectory, "2025-01-22T10:00:00Z");
    let due: Vec<String> = g.information_due(false).unwrap().into_iter().map(|s| s.subject.to_string()).collect();
    assert_eq!(due, ["f1", "d3"], "by due date");
    assert!(g.exempt_source_from_information(DataSource::Collected, &ok).is_err());
}

/// Art. 14(3)(b): a decision allowing contact with a person from another source not yet told
/// says the message must carry the notice, and names its version; once told, it does not.
#[test]
fn a_decision_to_contact_an_uninformed_prospect_names_the_notice() {
    let (g, _, _) = gdpr();
    prospect(&g, "p1", DataSource::PurchasedList, "2025-01-20T10:00:00Z");
    let d = g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap();
    assert!(d.allowed);
    let carry = d.information.unwrap();
    let notice = g.information_notice(Some(&sid("p1")), None).unwrap();
    assert_eq!(
        (carry.version, carry.sha256, carry.due),
        (Some(notice.version), Some(notice.sha256), date("2025-02-20"))
    );
    assert!(
        g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().information.is_none(),
        "source unknown"
    );
    g.inform(&sid("p1"), InformedVia::WithMessage, None).unwrap();
    assert!(g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap().information.is_none());
}

/// Rule I2: an origin is checked before anything is written.
#[test]
fn a_bad_origin_is_refused() {
    let (g, _, _) = gdpr();
    let add = |origin: Origin| {
        let mut n = NewSubject::new(sid("x"), Regime::B2bOptOut);
        n.origin = Some(origin);
        g.add_subject(n).unwrap_err()
    };
    let future = Origin { obtained_at: Some(t("2026-01-01T00:00:00Z")), ..Origin::new(DataSource::TradeFair) };
    assert_eq!(add(future).field(), Some("obtained_at"));
    let long = Origin { reference: Some("x".repeat(300)), ..Origin::new(DataSource::TradeFair) };
    assert_eq!(add(long).field(), Some("reference"));
    let given = GivenNotice { version: "notice-1".into(), sha256: "0".repeat(64) };
    let not_collected = Origin { notice: Some(given), ..Origin::new(DataSource::TradeFair) };
    assert_eq!(add(not_collected).field(), Some("notice"));
    assert!(g.subject(&sid("x")).is_err(), "nothing written");
}

/// Art. 14(3)(b): without the data map a notice is built from, a decision still says one is due.
#[test]
fn a_decision_without_a_map_still_says_a_notice_is_due() {
    let (g, clock) = gdprkit::testkit::setup(&|| Arc::new(MemoryStore::new()));
    clock.set(t("2025-02-01T09:00:00Z"));
    prospect(&g, "p1", DataSource::TradeFair, "2025-01-20T10:00:00Z");
    let carry = g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap().information.unwrap();
    assert_eq!((carry.due, carry.version, carry.overdue), (date("2025-02-20"), None, false));
}

/// Art. 15(1)(g) and rule I4: the person's export says where their data came from and lists each
/// notice given, with its version and SHA-256, and the JSON still follows the schema.
#[test]
fn the_export_shows_the_source_and_each_notice_given() {
    let (g, _, _) = gdpr();
    prospect(&g, "p1", DataSource::TradeFair, "2025-01-20T10:00:00Z");
    let given = g.inform(&sid("p1"), InformedVia::Email, None).unwrap();
    let export = g.export(&sid("p1"), None).unwrap();
    let info = &export.information;
    assert_eq!((info.source.as_deref(), info.reference.as_deref()), (Some("trade_fair"), Some("Salon Pro 2025")));
    assert_eq!(info.notices.len(), 1);
    assert_eq!((info.notices[0].via.as_str(), &info.notices[0].notice_sha256), ("email", &given.notice.sha256));
    let said = gdprkit::export::words::words(&export);
    assert_eq!(
        said.information_sentences[0],
        "We obtained your data from a trade fair (Salon Pro 2025) on 20 January 2025."
    );
    let schema: serde_json::Value = serde_json::from_str(include_str!("../../../docs/export-schema.json")).unwrap();
    let instance: serde_json::Value =
        serde_json::from_slice(&gdprkit::export::json::to_json(&export).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Art. 14(3) and rule R2, on random histories: the due date is the earliest of one month
    /// after obtaining (a working day in France, on or after the same day next month, or that
    /// month's last day), the first communication and the first disclosure; the person is due
    /// until that date and overdue from the day after; a notice given ends it, whatever the date.
    #[test]
    fn the_due_date_is_the_earliest_of_its_three_limits(
        obtained in 0u64..700,
        hour in 0u32..24,
        contact in proptest::option::of(0u64..40),
        disclosure in proptest::option::of(0u64..40),
        today in 0u64..80,
        informed in any::<bool>(),
    ) {
        let (g, clock, _) = gdpr();
        let start = t("2024-01-01T00:00:00Z") + TimeDelta::days(obtained as i64) + TimeDelta::hours(hour as i64);
        clock.set(start + TimeDelta::days(45));
        prospect(&g, "p", DataSource::PurchasedList, &gdprkit::time::format(start));
        let zone = gdprkit::ControllerZone::default();
        let local = |at: chrono::DateTime<chrono::Utc>| zone.local_date(at);
        let month = gdprkit::Deadlines::for_receipt(local(start), &France).unwrap().due;
        prop_assert!(France.is_working_day(month));
        prop_assert!(month > local(start) && month <= local(start) + Days::new(35));
        let contact_at = contact.map(|d| start + TimeDelta::days(d as i64));
        let disclosure_at = disclosure.map(|d| start + TimeDelta::days(d as i64) + TimeDelta::minutes(1));
        // The due date from the facts recorded by `at`.
        let due_at = |at: chrono::DateTime<chrono::Utc>| {
            let mut due = (month, DueBy::OneMonth);
            for (when, by) in [(contact_at, DueBy::FirstCommunication), (disclosure_at, DueBy::FirstDisclosure)] {
                if let Some(when) = when.filter(|w| *w <= at && local(*w) < due.0) {
                    due = (local(when), by);
                }
            }
            due
        };
        if let Some(at) = contact_at {
            g.record_communication(&sid("p"), Some(at)).unwrap();
        }
        if let Some(at) = disclosure_at {
            g.record_disclosure(&sid("p"), "Reseller SARL", Some(at)).unwrap();
        }
        let expected = due_at(start + TimeDelta::days(45));
        let now = start + TimeDelta::days(today as i64);
        let later = now.max(start + TimeDelta::days(45));
        clock.set(later);
        if informed {
            g.inform(&sid("p"), InformedVia::Post, None).unwrap();
        }
        // Art. 14(3)(b): a decision allowing contact carries the same date, from the facts
        // recorded by the instant it is asked about, until a notice was given by then.
        for at in [now.max(start), later] {
            let carried = |d: gdprkit::Decision| d.information.map(|c| (c.due, c.overdue, c.version.is_some()));
            let pending = !(informed && at >= later);
            let due = due_at(at).0;
            let d = g.decide(&sid("p"), &pid("promo"), &Channel::Email, Some(at)).unwrap();
            prop_assert!(d.allowed);
            prop_assert_eq!(carried(d), pending.then_some((due, local(at) > due, true)));
            let listed = g.decide_many(&[sid("p")], &pid("promo"), &Channel::Email, Some(at)).unwrap().remove(0);
            prop_assert_eq!(carried(listed), pending.then_some((due, local(at) > due, false)), "no version in lists");
        }
        clock.set(now.max(start));
        let s = g.information_status(&sid("p")).unwrap();
        prop_assert_eq!((s.due, s.due_by), (Some(expected.0), Some(expected.1)));
        let state = if informed {
            InformationState::Informed
        } else if local(g.now()) > expected.0 {
            InformationState::Overdue
        } else {
            InformationState::Due
        };
        prop_assert_eq!(s.state, state);
        let listed = g.information_due(false).unwrap().iter().any(|l| l.subject.as_str() == "p");
        prop_assert_eq!(listed, !informed);
    }
}

/// Art. 13(1), rule I2: a notice given with an opt-in collected from the person is recorded with
/// it, in the same transaction, as an `informed` event at the opt-in's instant; given with
/// anything but an opt-in it is refused and nothing is written.
#[test]
fn an_opt_in_records_the_notice_given_with_it() {
    let (g, _, _) = gdpr();
    let mut n = NewSubject::new(sid("c1"), Regime::B2cOptIn);
    n.origin = Some(Origin::new(DataSource::Collected));
    g.add_subject(n).unwrap();
    let notice = g.information_notice(Some(&sid("c1")), Some(Language::En)).unwrap();
    let given = GivenNotice { version: notice.version.clone(), sha256: notice.sha256.clone() };
    let mut opt_in =
        gdprkit::testkit::event("c1", gdprkit::ConsentAction::OptIn, "promo", Channel::Email, "2025-01-31T12:00:00Z");
    opt_in.information = Some(given.clone());
    let mut opt_out = opt_in.clone();
    opt_out.action = gdprkit::ConsentAction::OptOut;
    let before = g.changes_since(0, 1000).unwrap().changes.len();
    assert_eq!(g.record_consent(opt_out).unwrap_err().field(), Some("information"));
    assert_eq!(g.changes_since(0, 1000).unwrap().changes.len(), before, "nothing written");
    let seqs = g.record_consents(vec![opt_in]).unwrap();
    assert_eq!(seqs.len(), 1, "the consent events' numbers only");
    let informed = g.information_status(&sid("c1")).unwrap().informed.unwrap();
    assert_eq!(
        (informed.via, informed.at, informed.notice_version),
        (InformedVia::AtCollection, t("2025-01-31T12:00:00Z"), notice.version)
    );
    assert!(informed.seq > seqs[0], "recorded with the opt-in, after it");
}
