//! Each row of the default rule table (rule C4 of `docs/rules.md`), through the facade: the
//! decision, the row it names, and since when it holds. Each test names its legal source.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdprkit::testkit::{event, pid, sid, t};
use gdprkit::{
    Channel, ChannelKind, ConsentAction, DecidedBy, Decision, DeclaredChannel, FixedClock, Gdpr, LegalBasis,
    MemoryStore, NewSubject, Purpose, Regime, RuleId,
};

const REGISTERED: &str = "2026-01-01T00:00:00Z";

/// A tenant with one purpose of each kind the table tells apart, and one subject per regime.
fn gdpr() -> Gdpr {
    let clock = Arc::new(FixedClock::new(t(REGISTERED)));
    let g = Gdpr::builder(Arc::new(MemoryStore::new())).clock(clock.clone()).build().unwrap();
    g.add_purpose(Purpose::new(pid("newsletter"), LegalBasis::Consent, true)).unwrap();
    g.add_purpose(Purpose::new(pid("invoices"), LegalBasis::Contract, false)).unwrap();
    g.add_purpose(Purpose::new(pid("offers"), LegalBasis::LegitimateInterests, true)).unwrap();
    g.add_purpose(Purpose::new(pid("gifts"), LegalBasis::LegitimateInterests, true).professional(false)).unwrap();
    for (id, regime) in [("pro", Regime::B2bOptOut), ("consumer", Regime::B2cOptIn), ("customer", Regime::SoftOptIn)] {
        g.add_subject(NewSubject::new(sid(id), regime)).unwrap();
    }
    g.add_channel(DeclaredChannel { name: "robocall".parse().unwrap(), kind: ChannelKind::Electronic }).unwrap();
    clock.set(t("2027-01-01T00:00:00Z"));
    g
}

fn decide(g: &Gdpr, subject: &str, purpose: &str, channel: &str, at: &str) -> Decision {
    g.decide(&sid(subject), &pid(purpose), &channel.parse::<Channel>().unwrap(), Some(t(at))).unwrap()
}

/// Asserts the decision, the row named, and the instant it holds from.
fn check(d: &Decision, allowed: bool, rule: RuleId, since: Option<DateTime<Utc>>) {
    assert_eq!(d.allowed, allowed, "{}", d.reason());
    match &d.decided_by {
        DecidedBy::Rule { rule: found, .. } => assert_eq!(*found, rule, "{}", d.reason()),
        other => panic!("decided by {other:?}, not by a row of the table"),
    }
    assert_eq!(d.since, since, "{}", d.reason());
    assert!(d.reason().contains(rule.as_str()) && d.reason().contains(rule.rule().source), "{}", d.reason());
}

/// GDPR Art. 6(1)(a) and 7(1): a purpose on consent needs a proven opt-in, whatever the regime.
#[test]
fn consent_required_for_every_regime_and_channel() {
    let g = gdpr();
    for subject in ["pro", "consumer", "customer"] {
        for channel in ["email", "phone", "post", "robocall"] {
            let d = decide(&g, subject, "newsletter", channel, "2026-06-01T00:00:00Z");
            check(&d, false, RuleId::ConsentRequired, Some(t(REGISTERED)));
        }
    }
    g.record_consent(event("consumer", ConsentAction::OptIn, "newsletter", Channel::Email, "2026-03-01T00:00:00Z"))
        .unwrap();
    assert!(decide(&g, "consumer", "newsletter", "email", "2026-06-01T00:00:00Z").allowed, "a proven opt-in allows");
}

/// GDPR Art. 6(1)(b) to (f): invoices on a contract need no opt-in, even from a consumer.
#[test]
fn not_direct_marketing_is_allowed() {
    let g = gdpr();
    for subject in ["pro", "consumer", "customer"] {
        let d = decide(&g, subject, "invoices", "email", "2026-06-01T00:00:00Z");
        check(&d, true, RuleId::NotDirectMarketing, Some(t(REGISTERED)));
    }
}

/// CPCE L.34-5 al. 1; Directive 2002/58/EC Art. 13(1): electronic marketing to a consumer needs
/// an opt-in, on a custom channel declared electronic too.
#[test]
fn electronic_consumer_is_denied() {
    let g = gdpr();
    for channel in ["email", "sms", "robocall"] {
        check(
            &decide(&g, "consumer", "offers", channel, "2026-06-01T00:00:00Z"),
            false,
            RuleId::ElectronicConsumer,
            Some(t(REGISTERED)),
        );
    }
}

/// CNIL, B2B rule: a professional may be written to about their profession until they object.
#[test]
fn electronic_b2b_is_allowed_for_a_professional_purpose() {
    let g = gdpr();
    check(
        &decide(&g, "pro", "offers", "email", "2026-06-01T00:00:00Z"),
        true,
        RuleId::ElectronicB2b,
        Some(t(REGISTERED)),
    );
    g.record_consent(event("pro", ConsentAction::OptOut, "offers", Channel::Email, "2026-07-01T00:00:00Z")).unwrap();
    assert!(!decide(&g, "pro", "offers", "email", "2026-07-02T00:00:00Z").allowed, "until they opt out");
}

/// CPCE L.34-5 al. 1 and the CNIL's B2B rule: about something unrelated to their profession, a
/// professional is written to as a consumer is.
#[test]
fn electronic_b2b_not_professional_is_denied() {
    let g = gdpr();
    let d = decide(&g, "pro", "gifts", "email", "2026-06-01T00:00:00Z");
    check(&d, false, RuleId::ElectronicB2bNotProfessional, Some(t(REGISTERED)));
}

/// CPCE L.34-5 al. 2; Directive 2002/58/EC Art. 13(2): an existing customer may be written to
/// once offered the chance to refuse when their details were collected, until they refuse.
#[test]
fn electronic_soft_opt_in_needs_its_offer_on_record() {
    let g = gdpr();
    let d = decide(&g, "customer", "offers", "email", "2026-06-01T00:00:00Z");
    check(&d, false, RuleId::ElectronicSoftOptInNotOffered, Some(t(REGISTERED)));
    g.record_consent(event(
        "customer",
        ConsentAction::SoftOptInOffered,
        "offers",
        Channel::Email,
        "2026-03-01T00:00:00Z",
    ))
    .unwrap();
    let d = decide(&g, "customer", "offers", "email", "2026-06-01T00:00:00Z");
    check(&d, true, RuleId::ElectronicSoftOptIn, Some(t("2026-03-01T00:00:00Z")));
    assert!(
        matches!(d.decided_by, DecidedBy::Rule { offer: Some(ref o), .. } if o.action == ConsentAction::SoftOptInOffered)
    );
    let before = decide(&g, "customer", "offers", "email", "2026-02-01T00:00:00Z");
    check(&before, false, RuleId::ElectronicSoftOptInNotOffered, Some(t(REGISTERED)));
    let other = decide(&g, "customer", "offers", "sms", "2026-06-01T00:00:00Z");
    check(&other, false, RuleId::ElectronicSoftOptInNotOffered, Some(t(REGISTERED)));
    g.record_consent(event("customer", ConsentAction::OptOut, "offers", Channel::Email, "2026-05-01T00:00:00Z"))
        .unwrap();
    assert!(!decide(&g, "customer", "offers", "email", "2026-06-01T00:00:00Z").allowed, "no opt-out came later");
}

/// C. consom. L.223-1 protects consumers: a professional may be called until they object.
#[test]
fn phone_b2b_is_allowed_before_and_after_the_consumer_opt_in() {
    let g = gdpr();
    for at in ["2026-06-01T00:00:00Z", "2026-09-01T00:00:00Z"] {
        check(&decide(&g, "pro", "offers", "phone", at), true, RuleId::PhoneB2b, Some(t(REGISTERED)));
    }
}

/// C. consom. L.223-1 before loi 2025-594: consumers could be called until they objected.
#[test]
fn phone_consumer_before_the_opt_in_law_is_allowed() {
    let g = gdpr();
    for subject in ["consumer", "customer"] {
        let d = decide(&g, subject, "offers", "phone", "2026-08-10T21:59:59Z");
        check(&d, true, RuleId::PhoneConsumerBeforeOptIn, Some(t(REGISTERED)));
    }
}

/// C. consom. L.223-1 as amended by loi 2025-594: from 11 August 2026 (Paris), consumers are
/// called only with their consent; the instant asked decides.
#[test]
fn phone_consumer_from_11_august_2026_is_denied() {
    let g = gdpr();
    let from = t("2026-08-10T22:00:00Z");
    for subject in ["consumer", "customer"] {
        check(
            &decide(&g, subject, "offers", "phone", "2026-08-10T22:00:00Z"),
            false,
            RuleId::PhoneConsumer,
            Some(from),
        );
    }
    let d = decide(&g, "consumer", "offers", "phone", "2026-08-10T21:00:00Z");
    assert!(d.allowed, "an hour before midnight in Paris: {}", d.reason());
}

/// C. consom. L.223-1 as amended by loi 2025-594, ongoing contract: a customer offered the chance
/// to refuse may still be called.
#[test]
fn phone_soft_opt_in_with_its_offer_is_allowed() {
    let g = gdpr();
    g.record_consent(event(
        "customer",
        ConsentAction::SoftOptInOffered,
        "offers",
        Channel::Phone,
        "2026-09-05T00:00:00Z",
    ))
    .unwrap();
    let d = decide(&g, "customer", "offers", "phone", "2026-10-01T00:00:00Z");
    check(&d, true, RuleId::PhoneSoftOptIn, Some(t("2026-09-05T00:00:00Z")));
    check(
        &decide(&g, "customer", "offers", "phone", "2026-09-01T00:00:00Z"),
        false,
        RuleId::PhoneConsumer,
        Some(t("2026-08-10T22:00:00Z")),
    );
}

/// GDPR Art. 6(1)(f) and 21(2): marketing by post is allowed for every regime until the person
/// opts out or objects.
#[test]
fn post_is_allowed_for_every_regime_until_an_opt_out() {
    let g = gdpr();
    for subject in ["pro", "consumer", "customer"] {
        check(&decide(&g, subject, "offers", "post", "2026-06-01T00:00:00Z"), true, RuleId::Post, Some(t(REGISTERED)));
    }
    let mut objection = gdprkit::NewConsent::objection(sid("consumer"));
    objection.occurred_at = Some(t("2026-07-01T00:00:00Z"));
    g.record_consent(objection).unwrap();
    assert!(!decide(&g, "consumer", "offers", "post", "2026-07-02T00:00:00Z").allowed, "GDPR Art. 21(3)");
}

/// Asked about an instant before the subject was registered, a default holds from no known
/// instant.
#[test]
fn a_default_before_registration_holds_from_no_instant() {
    let g = gdpr();
    let d = decide(&g, "pro", "offers", "email", "2025-06-01T00:00:00Z");
    assert_eq!(d.since, None);
}

/// The table `docs/rules.md` prints is the table the code decides with.
#[test]
fn the_docs_print_the_table_the_code_uses() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md")).unwrap();
    assert!(
        docs.contains(&gdprkit::rules::table_markdown()),
        "docs/rules.md must hold `gdprkit rules`' table as printed"
    );
}
