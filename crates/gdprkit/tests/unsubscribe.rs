//! One-click unsubscribe references (rule C6; Art. 21(2)-(3); CPCE L.34-5): one valid reference
//! records exactly one opt-out; anything else is refused alike.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::testkit::{event, pid, setup_with, sid};
use gdprkit::{Channel, ConsentAction, ErrorKind, Gdpr, HmacKey, MemoryStore, TenantId};

fn gdpr() -> Gdpr {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, clock) = setup_with(&|| store.clone(), |b| b.hmac_key(HmacKey::new(vec![7u8; 32]).unwrap()));
    clock.set(gdprkit::testkit::t("2025-06-01T00:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-05-01T00:00:00Z")).unwrap();
    g
}

#[test]
fn a_reference_records_one_opt_out_and_a_second_use_changes_nothing() {
    let g = gdpr();
    let allowed = || g.decide(&sid("b2c"), &pid("promo"), &Channel::Email, None).unwrap().allowed;
    assert!(allowed());
    let token = g.unsubscribe_token(&sid("b2c"), Some((&pid("promo"), &Channel::Email))).unwrap();
    assert!(token.len() >= 2 * 32, "at least a nonce and a 128-bit tag");
    let subject_hex: String = b"b2c".iter().map(|b| format!("{b:02x}")).collect();
    assert!(!token.contains(&subject_hex), "the reference does not show who it is for");

    let first = g.unsubscribe(&token).unwrap();
    assert!(first.recorded);
    assert_eq!((first.event.action, first.event.purpose.as_ref()), (ConsentAction::OptOut, Some(&pid("promo"))));
    assert_eq!(first.event.proof.source, Some(gdprkit::Source::Email));
    assert!(!allowed(), "the opt-out holds");
    let events = g.history(&sid("b2c")).unwrap().len();

    assert!(g.unsubscribe(&token.to_uppercase()).is_err(), "one reference, one spelling");
    let second = g.unsubscribe(&token).unwrap();
    assert!(!second.recorded, "the same reference again records nothing more, and says so");
    assert_eq!(second.event.seq, first.event.seq);
    assert_eq!(g.history(&sid("b2c")).unwrap().len(), events);
}

#[test]
fn a_reference_for_all_marketing_records_an_objection() {
    let g = gdpr();
    let token = g.unsubscribe_token(&sid("b2c"), None).unwrap();
    let done = g.unsubscribe(&token).unwrap();
    assert_eq!((done.event.action, done.event.purpose.as_ref()), (ConsentAction::Object, None));
    assert!(!g.decide(&sid("b2c"), &pid("promo"), &Channel::Sms, None).unwrap().allowed);
}

#[test]
fn ten_thousand_forged_or_altered_references_are_all_refused_alike() {
    let g = gdpr();
    let token = g.unsubscribe_token(&sid("b2c"), Some((&pid("promo"), &Channel::Email))).unwrap();
    let expected = g.unsubscribe("00").unwrap_err().to_string();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let hex = b"0123456789abcdef";
    let mut tried = 0;
    for i in 0..10_000 {
        let forged: String = match i % 4 {
            // One hex digit of a valid reference changed.
            0 => {
                let mut t = token.clone().into_bytes();
                let at = (next() as usize) % t.len();
                let was = t[at];
                t[at] = hex[((next() as usize) % 15 + hex.iter().position(|&h| h == was).unwrap() + 1) % 16];
                String::from_utf8(t).unwrap()
            }
            // Cut short or lengthened.
            1 => token[..(next() as usize) % token.len()].to_owned(),
            2 => format!("{token}{:02x}", next() as u8),
            // Random digits of the right length.
            _ => (0..token.len()).map(|_| char::from(hex[(next() % 16) as usize])).collect(),
        };
        let err = g.unsubscribe(&forged).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), expected, "every refusal reads the same: {forged}");
        tried += 1;
    }
    assert_eq!(tried, 10_000);
    assert_eq!(g.history(&sid("b2c")).unwrap().len(), 1, "nothing was recorded");

    // A reference made for another tenant, with the same key, is refused alike.
    let other = g.to_builder().tenant(TenantId::new("other").unwrap()).build().unwrap();
    other.add_subject(gdprkit::NewSubject::new(sid("b2c"), gdprkit::Regime::B2cOptIn)).unwrap();
    other.add_purpose(gdprkit::Purpose::new(pid("promo"), gdprkit::LegalBasis::Consent, true)).unwrap();
    let theirs = other.unsubscribe_token(&sid("b2c"), Some((&pid("promo"), &Channel::Email))).unwrap();
    assert_eq!(g.unsubscribe(&theirs).unwrap_err().to_string(), expected);
}

#[test]
fn without_the_hmac_key_no_reference_is_made() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (g, _) = setup_with(&|| store.clone(), |b| b);
    let err = g.unsubscribe_token(&sid("b2c"), None).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Config, Some("hmac_key")));
}
