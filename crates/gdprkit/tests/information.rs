//! The information notice (rule I1, Arts. 13 and 14): what it states, read from its text, and
//! that it never disagrees with the Art. 15 export of the same person.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::operators::Value;
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{setup_with, sid};
use gdprkit::{Controller, Error, Gdpr, Language, MemoryStore};

/// Prospects bought from a list, marketed to on legitimate interests; billing on a contract.
const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "id"
category = "identity"
on_erasure = "delete"

[[entity]]
name = "invoices"
table = "invoices"
subject_column = "contact_id"
category = "billing"
on_erasure = { retain = "legal-obligation", for = "10y" }

[[processing]]
purpose = "promo"
categories = ["identity"]
recipients = ["Brevo SAS (e-mail delivery)", "<script>Evil</script>"]
retention = "3 years after your last reply"
source = "a list bought from DataCorp SA in March 2026"
legitimate_interest = "telling companies like yours about our software"
requirement = "you need not give us anything; without your address we cannot write to you"
automated_decision = "a score from your replies decides when we call you back"
transfers = [{ recipient = "Brevo SAS (e-mail delivery)", country = "United States", safeguard = "EU-US Data Privacy Framework (Art. 45)" }]

[[processing]]
purpose = "billing"
categories = ["billing"]
retention = "10 years after each invoice"
"#;

fn gdpr(controller: Option<Controller>) -> Gdpr {
    gdpr_with(controller, MAP)
}

fn gdpr_with(controller: Option<Controller>, map: &str) -> Gdpr {
    let crm = MemoryCrm::new();
    crm.insert("contacts", "b2b", &[("id", Value::Text("b2b".into())), ("name", Value::Text("Jean".into()))]);
    let map = DataMap::from_toml(map).unwrap();
    let (g, _) = setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        let b = b.crm(Arc::new(crm)).data_map(map);
        match controller {
            Some(c) => b.controller(c),
            None => b.controller(Controller::default()),
        }
    });
    g
}

fn acme() -> Controller {
    Controller {
        name: "Acme SAS".into(),
        address: Some("12 rue des Lilas, 69003 Lyon".into()),
        dpo: Some("dpo@acme.example".into()),
        ..Controller::default()
    }
}

/// Arts. 13(1), 13(2), 14(1), 14(2): every item, for a purpose on legitimate interests whose data
/// came from a purchased list, read from the rendered text.
#[test]
fn the_notice_states_every_item_of_i1() {
    let g = gdpr(Some(acme()));
    let notice = g.information_notice(Some(&sid("b2b")), Some(Language::En)).unwrap();
    for item in [
        "Acme SAS, 12 rue des Lilas, 69003 Lyon",                    // 13(1)(a)
        "Our data protection officer: dpo@acme.example",             // 13(1)(b)
        "promo",                                                     // 13(1)(c)
        "Legal basis: our legitimate interests (GDPR Art. 6(1)(f))", // 13(1)(c)
        "Legitimate interest pursued: telling companies like yours about our software", // 13(1)(d)
        "Recipients: Brevo SAS (e-mail delivery)",                   // 13(1)(e)
        "United States (EU-US Data Privacy Framework (Art. 45))",    // 13(1)(f)
        "How long we keep them: 3 years after your last reply",      // 13(2)(a)
        "Access your data",                                          // 13(2)(b)
        "Have your data erased",
        "Have their use restricted",
        "Object to their use, and to direct marketing at any time",
        "machine-readable format",
        "Withdraw your consent at any time", // 13(2)(c)
        "Lodge a complaint with the supervisory authority (Art. 77): CNIL", // 13(2)(d)
        "Must you provide them: you need not give us anything", // 13(2)(e)
        "Automated decisions, profiling: a score from your replies", // 13(2)(f)
        "Categories of data: identity",      // 14(1)(d)
        "Where they come from: a list bought from DataCorp SA in March 2026", // 14(2)(f)
    ] {
        assert!(notice.text.contains(item), "{item:?} is not in the notice:\n{}", notice.text);
    }
    assert!(!notice.text.contains("10 years after each invoice"), "billing does not apply to b2b");
    assert_eq!(notice.sha256, gdprkit::raw::ledger::sha256_hex(notice.text.as_bytes()));
    assert_eq!(notice.version, format!("notice-{}", &notice.sha256[..12]));
    assert!(notice.html.contains("&lt;script&gt;Evil&lt;/script&gt;") && !notice.html.contains("<script>"));

    let again = g.information_notice(Some(&sid("b2b")), Some(Language::En)).unwrap();
    assert_eq!(again.version, notice.version, "the same text has the same version");
    let french = g.information_notice(Some(&sid("b2b")), Some(Language::Fr)).unwrap();
    assert_ne!(french.version, notice.version, "each distinct text has its own version");
    assert!(french.text.contains("Base légale : notre intérêt légitime (RGPD art. 6.1.f)"), "{}", french.text);
    let everyone = g.information_notice(None, None).unwrap();
    assert!(everyone.text.contains("10 years after each invoice"), "every purpose the map describes");
    assert_eq!(everyone.language, "fr");
}

/// I1: the notice and the export of the same person state the same purposes, bases, retention and
/// recipients, being written from the same processing records.
#[test]
fn the_notice_and_the_export_agree() {
    let g = gdpr(Some(acme()));
    let notice = g.information_notice(Some(&sid("b2b")), Some(Language::En)).unwrap();
    let export = g.export(&sid("b2b"), Some(Language::En)).unwrap();
    assert!(!export.processing.is_empty());
    for p in &export.processing {
        assert!(notice.text.contains(&format!("\n{}\n", p.label)), "purpose {}", p.label);
        assert!(notice.text.contains(p.retention.as_deref().unwrap()), "retention of {}", p.label);
        for r in &p.recipients {
            assert!(notice.text.contains(r.as_str()), "recipient {r}");
        }
    }
    let stated = notice.text.matches("Legal basis: ").count();
    assert_eq!(stated, export.processing.len(), "one basis per purpose, no purpose the export lacks");
}

/// Art. 13(1)(a): a notice says who the controller is; without its name, a config error.
#[test]
fn a_notice_needs_the_controllers_name() {
    let g = gdpr(None);
    let err = g.information_notice(None, None).unwrap_err();
    assert!(matches!(err, Error::Config { field: "controller", .. }), "{err:?}");
}

/// Art. 13(1)(d): a purpose on legitimate interests whose map does not say which interest is
/// pursued is stated as "not stated", and `check_map` says so.
#[test]
fn an_unstated_legitimate_interest_is_said_and_warned_of() {
    let map = MAP.replace("legitimate_interest = \"telling companies like yours about our software\"\n", "");
    let g = gdpr_with(Some(acme()), &map);
    let notice = g.information_notice(Some(&sid("b2b")), Some(Language::En)).unwrap();
    assert!(notice.text.contains("Legitimate interest pursued: not stated"), "{}", notice.text);
    let check = g.check_map().unwrap();
    assert!(
        check.warnings.iter().any(|w| w.contains("purpose promo rests on legitimate interests")),
        "{:?}",
        check.warnings
    );
}

/// Art. 12(1): a processing's texts may be written per language; the notice and the export in
/// each language say them in it, and a text lacking a language is shown in another rather than
/// left out, with a warning from `map check`.
#[test]
fn processing_texts_are_told_in_the_persons_language() {
    let map = MAP
        .replace(
            r#"retention = "3 years after your last reply""#,
            r#"retention = { fr = "3 ans après votre dernière réponse", en = "3 years after your last reply" }"#,
        )
        .replace(
            r#"requirement = "you need not give us anything; without your address we cannot write to you""#,
            r#"requirement = { fr = "rien n'est obligatoire" }"#,
        )
        .replace(
            "purpose = \"promo\"\n",
            "purpose = \"promo\"\nlabel = { fr = \"Nos offres\", en = \"Our offers\" }\n",
        );
    assert_ne!(map.matches("fr = ").count(), 0);
    let g = gdpr_with(Some(acme()), &map);
    for (language, retention, requirement, label) in [
        (Language::Fr, "3 ans après votre dernière réponse", "rien n'est obligatoire", "Nos offres"),
        (Language::En, "3 years after your last reply", "rien n'est obligatoire", "Our offers"),
    ] {
        let notice = g.information_notice(Some(&sid("b2b")), Some(language)).unwrap();
        assert!(notice.text.contains(retention), "{language:?}: {retention:?} in\n{}", notice.text);
        assert!(notice.text.contains(requirement), "{language:?}: the only wording is shown");
        let export = g.export(&sid("b2b"), Some(language)).unwrap();
        let promo = export.processing.iter().find(|p| p.purpose == "promo").unwrap();
        assert_eq!(promo.retention.as_deref(), Some(retention));
        assert_eq!(promo.label, label, "the purpose is named in the person's language");
        assert!(notice.text.contains(&format!("\n{label}\n")), "{language:?}: the notice names it so");
    }
    let warnings = g.check_map().unwrap().warnings;
    assert!(
        warnings.iter().any(|w| w.contains("`requirement` has no wording in en")),
        "map check names the missing language: {warnings:?}"
    );
}
