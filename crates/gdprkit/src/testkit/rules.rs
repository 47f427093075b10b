//! Decisions against the rule table (rules C4, C5), on both decision paths of a store: random
//! purposes, channels, regimes and event sequences, each compared with a reference model written
//! here from `domain.md`, independently of `crate::rules`.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::{Factory, event, pid, sid, t};
use crate::{
    Channel, ChannelKind, ConsentAction, DeclaredChannel, Error, FixedClock, Gdpr, LegalBasis, NewConsent, NewSubject,
    Purpose, Regime, TenantId,
};

/// The instants events happen at and decisions are asked for: on both sides of the phone opt-in
/// of 11 August 2026 (00:00 in Paris is 2026-08-10T22:00Z).
const INSTANTS: [&str; 6] = [
    "2026-01-10T00:00:00Z",
    "2026-05-01T00:00:00Z",
    "2026-08-10T21:59:59Z",
    "2026-08-10T22:00:00Z",
    "2026-09-01T00:00:00Z",
    "2026-12-01T00:00:00Z",
];
const CHANNELS: [&str; 5] = ["email", "sms", "phone", "post", "fax"];
const REGIMES: [Regime; 3] = [Regime::B2bOptOut, Regime::B2cOptIn, Regime::SoftOptIn];

/// One random event: who, what, for which purpose (`None`: all direct marketing) and channel
/// (`None`: every channel), and when (an index into [`INSTANTS`]).
#[derive(Debug, Clone)]
struct Ev {
    subject: usize,
    action: ConsentAction,
    purpose: Option<&'static str>,
    channel: Option<&'static str>,
    at: usize,
}

#[derive(Debug, Clone)]
struct Case {
    basis: LegalBasis,
    direct_marketing: bool,
    professional: bool,
    /// The kind declared for the custom channel `fax`, or `None` to leave it undeclared.
    fax: Option<ChannelKind>,
    regimes: Vec<Regime>,
    events: Vec<Ev>,
    /// How many events are recorded one by one before the rest go in one batch.
    split: usize,
}

fn ev(subjects: usize) -> impl Strategy<Value = Ev> {
    let purposes = prop::sample::select(vec![Some("p"), Some("q")]);
    let channels = prop::sample::select(CHANNELS.to_vec());
    let scoped = (
        0..subjects,
        prop::sample::select(vec![
            ConsentAction::OptIn,
            ConsentAction::OptOut,
            ConsentAction::Withdraw,
            ConsentAction::SoftOptInOffered,
            ConsentAction::SoftOptInOffered,
            ConsentAction::ReconfirmRequested,
        ]),
        purposes.clone(),
        channels.clone(),
        0..INSTANTS.len(),
    )
        .prop_map(|(subject, action, purpose, channel, at)| Ev {
            subject,
            action,
            purpose,
            channel: Some(channel),
            at,
        });
    let objection = (
        0..subjects,
        prop::sample::select(vec![None, Some("p"), Some("q")]),
        prop::option::of(prop::sample::select(CHANNELS.to_vec())),
        0..INSTANTS.len(),
    )
        .prop_map(|(subject, purpose, channel, at)| Ev {
            subject,
            action: ConsentAction::Object,
            purpose,
            channel,
            at,
        });
    prop_oneof![4 => scoped, 1 => objection]
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(LegalBasis::ALL.to_vec()),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(ChannelKind::ALL.to_vec())),
        prop::collection::vec(prop::sample::select(REGIMES.to_vec()), 3..5),
    )
        .prop_flat_map(|(basis, direct_marketing, professional, fax, regimes)| {
            let n = regimes.len();
            (prop::collection::vec(ev(n), 0..14), 0..14usize).prop_map(move |(events, split)| Case {
                basis,
                direct_marketing,
                professional,
                fax,
                regimes: regimes.clone(),
                split: split.min(events.len()),
                events,
            })
        })
}

/// The reference: `domain.md`'s C4 and C5, read again and written out plainly.
fn reference(c: &Case, subject: usize, channel: &str, at: usize) -> bool {
    let applies = |e: &Ev| {
        e.subject == subject
            && e.at <= at
            && matches!(
                e.action,
                ConsentAction::OptIn | ConsentAction::OptOut | ConsentAction::Withdraw | ConsentAction::Object
            )
            && match (e.purpose, e.channel) {
                (Some("p"), Some(ch)) => ch == channel,
                (Some("p"), None) => true,
                // Objections to all direct marketing, on this channel or every one (C5).
                (None, ch) => c.direct_marketing && ch.is_none_or(|ch| ch == channel),
                _ => false,
            }
    };
    // The latest by when it happened, then by when it was recorded (its place in the list).
    if let Some((_, e)) = c.events.iter().enumerate().filter(|(_, e)| applies(e)).max_by_key(|(i, e)| (e.at, *i)) {
        return e.action == ConsentAction::OptIn;
    }
    if c.basis == LegalBasis::Consent {
        return false;
    }
    if !c.direct_marketing {
        return true;
    }
    let offered = c.events.iter().any(|e| {
        e.subject == subject
            && e.at <= at
            && e.action == ConsentAction::SoftOptInOffered
            && e.purpose == Some("p")
            && e.channel == Some(channel)
    });
    let kind = match channel {
        "phone" => ChannelKind::Phone,
        "post" => ChannelKind::Post,
        "fax" => c.fax.unwrap_or(ChannelKind::Electronic),
        _ => ChannelKind::Electronic,
    };
    let regime = c.regimes[subject];
    let from_phone_opt_in = INSTANTS[at] >= "2026-08-10T22:00:00Z";
    match (kind, regime) {
        (ChannelKind::Electronic, Regime::B2cOptIn) => false,
        (ChannelKind::Electronic, Regime::B2bOptOut) => c.professional,
        (ChannelKind::Electronic, Regime::SoftOptIn) => offered,
        (ChannelKind::Phone, Regime::B2bOptOut) => true,
        (ChannelKind::Phone, Regime::B2cOptIn) => !from_phone_opt_in,
        (ChannelKind::Phone, Regime::SoftOptIn) => !from_phone_opt_in || offered,
        (ChannelKind::Post, _) => true,
    }
}

fn run_case(store: &Arc<dyn crate::raw::Store>, n: usize, c: &Case) -> Result<(), TestCaseError> {
    let clock = Arc::new(FixedClock::new(t("2025-01-01T00:00:00Z")));
    let tenant = TenantId::new(format!("case-{n}")).unwrap();
    let g = Gdpr::builder(store.clone()).clock(clock.clone()).tenant(tenant).build().unwrap();
    g.add_purpose(Purpose::new(pid("p"), c.basis, c.direct_marketing).professional(c.professional)).unwrap();
    g.add_purpose(Purpose::new(pid("q"), LegalBasis::LegitimateInterests, true)).unwrap();
    if let Some(kind) = c.fax {
        g.add_channel(DeclaredChannel { name: "fax".parse().unwrap(), kind }).unwrap();
    }
    let subjects: Vec<_> = (0..c.regimes.len()).map(|i| sid(&format!("s{i}"))).collect();
    g.add_subjects(subjects.iter().zip(&c.regimes).map(|(id, r)| NewSubject::new(id.clone(), *r)).collect()).unwrap();
    clock.set(t("2027-01-01T00:00:00Z"));
    let events: Vec<NewConsent> = c
        .events
        .iter()
        .map(|e| {
            let mut n = match (e.purpose, e.channel) {
                (Some(p), Some(ch)) => {
                    event(&format!("s{}", e.subject), e.action, p, ch.parse().unwrap(), INSTANTS[e.at])
                }
                _ => NewConsent::objection(sid(&format!("s{}", e.subject))),
            };
            n.purpose = e.purpose.map(pid);
            n.channel = e.channel.map(|ch| ch.parse().unwrap());
            n.occurred_at = Some(t(INSTANTS[e.at]));
            n
        })
        .collect();
    // Some events one by one, the rest in one batch: both ways of recording must agree.
    let mut events = events.into_iter();
    for e in events.by_ref().take(c.split) {
        g.record_consent(e).unwrap();
    }
    let rest: Vec<NewConsent> = events.collect();
    if !rest.is_empty() {
        g.record_consents(rest).unwrap();
    }
    prop_assert!(g.verify_ledger().unwrap().is_intact(), "the chain and the decision index agree");
    // A campaign list long enough, and covering enough of the tenant, for a store's scan path.
    let campaign: Vec<_> = subjects.iter().cycle().take(64 * subjects.len()).cloned().collect();
    for channel in CHANNELS {
        let ch: Channel = channel.parse().unwrap();
        for (at, instant) in INSTANTS.iter().enumerate() {
            let many = g.decide_many(&campaign, &pid("p"), &ch, Some(t(instant))).unwrap();
            for (i, id) in subjects.iter().enumerate() {
                let want = reference(c, i, channel, at);
                let one = g.decide(id, &pid("p"), &ch, Some(t(instant))).unwrap();
                prop_assert_eq!(one.allowed, want, "{} on {} at {}: {}", id, channel, instant, one.reason());
                for d in many.iter().skip(i).step_by(subjects.len()) {
                    prop_assert_eq!(d, &one, "one decision and a campaign's differ");
                    prop_assert_eq!(d.allowed, want, "campaign: {} on {} at {}: {}", id, channel, instant, d.reason());
                }
            }
        }
    }
    Ok(())
}

/// Rules C4 and C5: on random purposes (every legal basis, marketing or not, professional or
/// not), regimes, channels of every kind and event sequences, one decision and a campaign's
/// both give what the reference model gives, before and after the phone opt-in of 2026-08-11.
pub fn decisions_match_the_rule_table_on_random_histories(factory: Factory<'_>) {
    let store = factory();
    let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
    // Each case, shrunk ones included, works in a tenant of its own.
    let n = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&case(), |c| run_case(&store, n.fetch_add(1, std::sync::atomic::Ordering::Relaxed), &c));
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A custom channel's kind is declared once, read back, fixed for built-in channels, and
/// electronic until declared (rule C4).
pub fn custom_channels_are_declared_once_with_their_kind(factory: Factory<'_>) {
    let (g, clock) = super::setup(factory);
    clock.set(t("2025-06-01T00:00:00Z"));
    let fax: Channel = "fax".parse().unwrap();
    assert_eq!(g.channel_kind(&fax).unwrap(), ChannelKind::Electronic, "undeclared: the strictest kind");
    assert!(!g.decide(&sid("b2c"), &pid("promo"), &fax, None).unwrap().allowed);
    g.add_channel(DeclaredChannel { name: fax.clone(), kind: ChannelKind::Post }).unwrap();
    assert_eq!(g.channel_kind(&fax).unwrap(), ChannelKind::Post);
    assert!(g.decide(&sid("b2c"), &pid("promo"), &fax, None).unwrap().allowed, "post: allowed until an opt-out");
    let again = g.add_channel(DeclaredChannel { name: fax.clone(), kind: ChannelKind::Electronic });
    assert!(matches!(again, Err(Error::ChannelExists(ref c)) if c == "fax"), "{again:?}");
    let builtin = g.add_channel(DeclaredChannel { name: Channel::Email, kind: ChannelKind::Post });
    assert_eq!(builtin.unwrap_err().kind(), crate::ErrorKind::InvalidInput);
    assert_eq!(g.channels().unwrap(), vec![DeclaredChannel { name: fax, kind: ChannelKind::Post }]);
    assert!(g.verify_ledger().unwrap().is_intact(), "the declaration is in the chain and agrees with the table");
}
