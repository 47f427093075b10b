//! The suppression list (rule C9), through the facade, on every store.

use std::sync::Arc;

use super::memory_crm::MemoryCrm;
use super::{Factory, event, pid, setup_with, sid, t};
use crate::{
    Channel, ConsentAction, DecidedBy, ErrorKind, HmacKey, IdentifierKind, NewConsent, NewSubject, Regime, Source,
};

fn person(id: &str, email: Option<&str>, phone: Option<&str>) -> NewSubject {
    let mut s = NewSubject::new(sid(id), Regime::B2bOptOut);
    s.email = email.map(str::to_owned);
    s.phone = phone.map(str::to_owned);
    s
}

/// CNIL référentiel 2021-131: an opposition is kept so that it can be honoured. A subject who
/// objected and opted out is erased; the same address in other casing, or the same number in
/// another format, registered later inherits the denials, and decisions say why; another address
/// does not. Without the HMAC key such an erasure is refused and changes nothing.
pub fn an_erased_objectors_address_and_number_are_suppressed_on_reimport(factory: Factory<'_>) {
    let crm = Arc::new(MemoryCrm::new());
    let map = crate::sample::data_map().unwrap();
    let (g, clock) =
        setup_with(factory, |b| b.crm(crm.clone()).data_map(map).hmac_key(HmacKey::new(vec![42u8; 32]).unwrap()));
    clock.set(t("2025-03-01T00:00:00Z"));
    g.add_subject(person("jean", Some("Jean.Dupont@Example.fr"), Some("06 12 34 56 78"))).unwrap();
    g.add_subject(person("anne", Some("anne@example.fr"), None)).unwrap();
    let mut objection = NewConsent::objection(sid("jean"));
    objection.occurred_at = Some(t("2025-02-15T00:00:00Z"));
    g.record_consent(objection).unwrap();
    g.record_consent(event("jean", ConsentAction::OptOut, "billing", Channel::Email, "2025-02-16T00:00:00Z")).unwrap();
    g.record_consent(event("anne", ConsentAction::OptOut, "promo", Channel::Sms, "2025-02-16T00:00:00Z")).unwrap();

    // Without the key the denial could not outlive the erasure: refused, nothing changed.
    let keyless = crate::Gdpr::builder(g.store().clone())
        .clock(clock.clone())
        .crm(crm.clone())
        .data_map(crate::sample::data_map().unwrap())
        .build()
        .unwrap();
    let err = keyless.erase_subject(&sid("jean"), false).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Config, Some("hmac_key")), "{err}");
    assert!(g.subject(&sid("jean")).unwrap().email.is_some(), "nothing was erased");

    let report = g.erase_subject(&sid("jean"), false).unwrap();
    assert_eq!(report.suppressed, 2, "the objection under the address and under the number; billing is not marketing");
    g.erase_subject(&sid("anne"), false).unwrap();
    let list = g.suppression_list().unwrap();
    assert_eq!(list.iter().map(|l| l.entries).sum::<u64>(), 3);
    let phone = list.iter().find(|l| l.identifier == IdentifierKind::Phone).unwrap();
    assert_eq!((phone.action, phone.purpose.as_ref(), phone.channel.as_ref()), (ConsentAction::Object, None, None));
    assert_eq!(phone.keep_until, t("2028-03-01T00:00:00Z"), "kept three years at least");

    clock.set(t("2025-09-01T00:00:00Z"));
    g.add_subjects(vec![
        person("jean-again", Some("JEAN.dupont@EXAMPLE.FR"), None),
        person("jean-phone", None, Some("+33 6 12 34 56 78")),
        person("someone-else", Some("jean.dupont@example.com"), Some("06 12 34 56 79")),
        person("anne-again", Some("ANNE@example.fr"), None),
    ])
    .unwrap();
    for id in ["jean-again", "jean-phone"] {
        let d = g.decide(&sid(id), &pid("promo"), &Channel::Post, None).unwrap();
        assert!(!d.allowed, "{id}: {}", d.reason());
        assert!(matches!(d.decided_by, DecidedBy::Event(ref e) if e.inherited && e.action == ConsentAction::Object));
        assert!(d.reason().contains("suppression list"), "{}", d.reason());
        assert_eq!(d.since, Some(t("2025-09-01T00:00:00Z")), "from the registration that inherited it");
        let history = g.history(&sid(id)).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].proof.source, Some(Source::SuppressionList));
        assert!(g.decide(&sid(id), &pid("billing"), &Channel::Email, None).unwrap().allowed, "not marketing");
    }
    assert!(g.decide(&sid("someone-else"), &pid("promo"), &Channel::Email, None).unwrap().allowed, "another person");
    // A campaign's list, long enough for a store's scan path, says the same.
    let campaign: Vec<_> =
        ["jean-again", "jean-phone", "someone-else"].iter().map(|s| sid(s)).cycle().take(96).collect();
    for d in g.decide_many(&campaign, &pid("promo"), &Channel::Post, None).unwrap() {
        let one = g.decide(&d.subject, &pid("promo"), &Channel::Post, None).unwrap();
        assert_eq!(d, one, "one decision and a campaign's");
    }
    // Without the key, the list cannot be read: registering an address is refused.
    let err = keyless.add_subject(person("unknown", Some("unknown@example.fr"), None)).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Config, Some("hmac_key")), "{err}");
    keyless.add_subject(person("no-address", None, None)).unwrap();
    assert!(!g.decide(&sid("anne-again"), &pid("promo"), &Channel::Sms, None).unwrap().allowed, "her opt-out");
    assert!(
        g.decide(&sid("anne-again"), &pid("promo"), &Channel::Email, None).unwrap().allowed,
        "of that channel only"
    );

    // A later, proven opt-in reopens its purpose and channel (rule C5).
    clock.set(t("2025-09-03T00:00:00Z"));
    g.record_consent(event("jean-again", ConsentAction::OptIn, "promo", Channel::Email, "2025-09-02T00:00:00Z"))
        .unwrap();
    let d = g.decide(&sid("jean-again"), &pid("promo"), &Channel::Email, None).unwrap();
    assert!(d.allowed, "{}", d.reason());
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// The list is per tenant and per key: the same address in another tenant, or under another
/// key, is not suppressed.
pub fn the_suppression_list_is_per_tenant_and_key(factory: Factory<'_>) {
    let crm = Arc::new(MemoryCrm::new());
    let map = crate::sample::data_map().unwrap();
    let (g, clock) =
        setup_with(factory, |b| b.crm(crm.clone()).data_map(map).hmac_key(HmacKey::new(vec![42u8; 32]).unwrap()));
    clock.set(t("2025-03-01T00:00:00Z"));
    g.add_subject(person("jean", Some("jean@example.fr"), None)).unwrap();
    let mut objection = NewConsent::objection(sid("jean"));
    objection.occurred_at = Some(t("2025-02-15T00:00:00Z"));
    g.record_consent(objection).unwrap();
    g.erase_subject(&sid("jean"), false).unwrap();

    let other_tenant = g.to_builder().tenant(crate::TenantId::new("other").unwrap()).build().unwrap();
    other_tenant.add_purpose(crate::Purpose::new(pid("promo"), crate::LegalBasis::LegitimateInterests, true)).unwrap();
    other_tenant.add_subject(person("jean", Some("jean@example.fr"), None)).unwrap();
    assert!(other_tenant.decide(&sid("jean"), &pid("promo"), &Channel::Email, None).unwrap().allowed);

    let other_key = g.to_builder().hmac_key(HmacKey::new(vec![7u8; 32]).unwrap()).build().unwrap();
    other_key.add_subject(person("jean-2", Some("jean@example.fr"), None)).unwrap();
    assert!(other_key.decide(&sid("jean-2"), &pid("promo"), &Channel::Email, None).unwrap().allowed);
    assert!(other_key.suppression_list().unwrap().iter().all(|l| l.entries == 1), "the list holds one entry");

    // The same address and scope erased twice, once opted out and once objecting: one entry,
    // which keeps the objection.
    // (The second registration inherits the opt-out; its objection comes after.)
    for (id, action, at) in [
        ("paul", ConsentAction::OptOut, "2025-02-20T00:00:00Z"),
        ("paul-2", ConsentAction::Object, "2025-03-01T00:00:00Z"),
    ] {
        g.add_subject(person(id, Some("paul@example.fr"), None)).unwrap();
        let mut denial = event(id, action, "promo", Channel::Email, at);
        denial.proof = crate::Proof { source: Some(Source::Email), ..crate::Proof::default() };
        g.record_consent(denial).unwrap();
        g.erase_subject(&sid(id), false).unwrap();
    }
    let scoped: Vec<_> = g.suppression_list().unwrap().into_iter().filter(|l| l.purpose.is_some()).collect();
    assert_eq!(scoped.len(), 1);
    assert_eq!((scoped[0].entries, scoped[0].action), (1, ConsentAction::Object));
}
