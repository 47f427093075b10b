//! A person's choices per purpose and channel, seen and changed from a message's signed reference
//! (rules C3 and C6; Art. 7(1), 7(3), 21(2)-(3); EDPB Guidelines 05/2020 on consent, §108-§111 on
//! demonstrating consent).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{pid, setup_with, sid, t};
use gdprkit::{
    Channel, Collector, ConsentAction, Gdpr, HmacKey, Language, MemoryStore, PreferenceChange, Source, WORDING_VERSION,
};

fn gdpr() -> Gdpr {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, clock) = setup_with(&|| store.clone(), |b| b.hmac_key(HmacKey::new(vec![7u8; 32]).unwrap()));
    clock.set(t("2025-06-01T00:00:00Z"));
    g
}

fn agree(purpose: &str, channel: Channel, sha: Option<String>) -> PreferenceChange {
    PreferenceChange {
        purpose: pid(purpose),
        channel,
        agree: true,
        wording_sha256: sha,
        ip: Some("203.0.113.9".into()),
        user_agent: Some("Mozilla/5.0 (X11)".into()),
    }
}

/// C3 (Art. 7(1)): an agreement given on the page is recorded with the wording shown, its version
/// and SHA-256, collected by the subject through the web form, with IP and user agent; the
/// decision follows it, and a withdrawal (Art. 7(3)) as easily.
#[test]
fn an_agreement_on_the_page_is_recorded_with_its_proof_and_decides() {
    let g = gdpr();
    let reference = g.unsubscribe_token(&sid("b2c"), None).unwrap();
    let page = g.preferences(&reference, Language::En).unwrap().unwrap();
    assert_eq!(page.subject, sid("b2c"));
    let purposes: Vec<&str> = page.choices.iter().map(|c| c.purpose.as_str()).collect();
    assert_eq!(purposes, ["promo"; 4], "only the direct-marketing purpose, on each channel");
    let email = page.choices.iter().find(|c| c.channel == Channel::Email).unwrap();
    assert!(!email.allowed && !email.chosen && email.last.is_none(), "B2C needs an opt-in by e-mail: {email:?}");
    assert!(email.wording.contains("by e-mail for: promo"), "{}", email.wording);

    let event = g
        .change_preference(&reference, agree("promo", Channel::Email, Some(email.wording_sha256.clone())), Language::En)
        .unwrap()
        .unwrap();
    assert_eq!(event.action, ConsentAction::OptIn);
    let proof = &event.proof;
    assert_eq!((proof.source, proof.collected_by.clone()), (Some(Source::WebForm), Some(Collector::Subject)));
    assert_eq!(proof.notice_version.as_deref(), Some(format!("{WORDING_VERSION}/en").as_str()));
    assert_eq!(proof.notice_sha256.as_ref(), Some(&email.wording_sha256));
    assert_eq!((proof.ip.as_deref(), proof.user_agent.as_deref()), (Some("203.0.113.9"), Some("Mozilla/5.0 (X11)")));
    assert!(g.decide(&sid("b2c"), &pid("promo"), &Channel::Email, None).unwrap().allowed);

    let page = g.preferences(&reference, Language::En).unwrap().unwrap();
    let email = page.choices.iter().find(|c| c.channel == Channel::Email).unwrap();
    assert!(email.allowed && email.chosen);
    assert_eq!(email.last.as_ref().map(|l| (l.action, l.at)), Some((ConsentAction::OptIn, t("2025-06-01T00:00:00Z"))));

    let withdraw = PreferenceChange { agree: false, wording_sha256: None, ..agree("promo", Channel::Email, None) };
    assert_eq!(g.change_preference(&reference, withdraw, Language::En).unwrap().unwrap().action, ConsentAction::OptOut);
    assert!(!g.decide(&sid("b2c"), &pid("promo"), &Channel::Email, None).unwrap().allowed);
    assert!(g.verify_ledger().unwrap().is_intact());
}

/// C3: an agreement to a wording other than the one offered now (a stale page, a forged form) is
/// refused and records nothing; a purpose not offered likewise; a forged reference gets `None`.
#[test]
fn an_agreement_to_another_wording_or_purpose_records_nothing() {
    let g = gdpr();
    let reference = g.unsubscribe_token(&sid("b2c"), Some((&pid("promo"), &Channel::Email))).unwrap();
    let before = g.history(&sid("b2c")).unwrap().len();
    for sha in [None, Some("0".repeat(64))] {
        let err = g.change_preference(&reference, agree("promo", Channel::Sms, sha), Language::Fr).unwrap_err();
        assert_eq!(err.field(), Some("wording_sha256"), "{err}");
    }
    let french = g.preferences(&reference, Language::Fr).unwrap().unwrap();
    let sms = french.choices.iter().find(|c| c.channel == Channel::Sms).unwrap();
    assert!(sms.wording.starts_with("J'accepte que"), "{}", sms.wording);
    let in_english = g.preferences(&reference, Language::En).unwrap().unwrap();
    let err = g
        .change_preference(&reference, agree("promo", Channel::Sms, Some(sms.wording_sha256.clone())), Language::En)
        .unwrap_err();
    assert_eq!(err.field(), Some("wording_sha256"), "the French wording is not the English one: {err}");
    assert_ne!(in_english.choices[1].wording_sha256, sms.wording_sha256);
    let err = g.change_preference(&reference, agree("billing", Channel::Email, None), Language::Fr).unwrap_err();
    assert_eq!(err.field(), Some("purpose"), "{err}");
    assert_eq!(g.history(&sid("b2c")).unwrap().len(), before, "nothing recorded");

    let mut forged = reference.clone();
    forged.replace_range(0..2, if &reference[0..2] == "00" { "01" } else { "00" });
    assert_eq!(g.preferences(&forged, Language::Fr).unwrap(), None);
    assert_eq!(g.change_preference(&forged, agree("promo", Channel::Sms, None), Language::Fr).unwrap(), None);
}
