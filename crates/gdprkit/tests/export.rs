//! Exports (rules E1 to E3): what is gathered, the JSON against its schema, the round trip, and
//! requests completed with their export.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::operators::Value;
use gdprkit::export::json::{from_json, to_json};
use gdprkit::export::model::Export;
use gdprkit::export::render::Renderer;
use gdprkit::mailer::MemoryMailer;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::service::{Delivery, NewRequest, Step};
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{event, pid, sid, t};
use gdprkit::{
    Channel, ConsentAction, Error, Gdpr, Language, LegalBasis, MemoryStore, NewSubject, Purpose, Regime, Result,
};

const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "id"
category = "identity"
on_erasure = "anonymize"
[entity.fields]
name = "redact"

[[entity]]
name = "invoices"
table = "invoices"
subject_column = "contact_id"
category = "billing"
on_erasure = { retain = "legal-obligation", for = "10y" }

[[entity]]
name = "calls"
table = "calls"
subject_column = "contact_id"
category = "events"
on_erasure = "delete"
event_at = "at"

[[processing]]
purpose = "promo"
categories = ["identity"]
recipients = ["Brevo (e-mail delivery)"]
retention = "3 years after the last contact"
automated_decision = "A score computed from your calls decides which offers we send you."
transfers = [{ recipient = "Brevo (e-mail delivery)", country = "United States", safeguard = "standard contractual clauses (Art. 46(2)(c))" }]

[[processing]]
purpose = "newsletter"
categories = ["identity"]
retention = "until you unsubscribe"

[[processing]]
purpose = "billing"
categories = ["identity", "billing"]
retention = "10 years after the invoice (Code de commerce L.123-22)"
"#;

fn crm() -> MemoryCrm {
    let text = |s: &str| Value::Text(s.into());
    let crm = MemoryCrm::new();
    crm.insert(
        "contacts",
        "jeanne",
        &[("id", text("jeanne")), ("name", text("Jeanne Martin")), ("photo", Value::Blob(vec![1, 2]))],
    );
    crm.insert("contacts", "paul", &[("id", text("paul")), ("name", text("Paul Durand"))]);
    crm.insert("invoices", "jeanne", &[("id", Value::Integer(7)), ("amount", Value::Real(12.5))]);
    crm.insert("calls", "jeanne", &[("at", text("2024-05-02T10:00:00Z")), ("summary", text("second"))]);
    crm.insert("calls", "jeanne", &[("at", text("2024-01-09T10:00:00Z")), ("summary", text("first"))]);
    crm.insert("calls", "paul", &[("at", text("2024-03-01T10:00:00Z")), ("summary", text("not hers"))]);
    crm
}

fn gdpr() -> (Gdpr, Arc<MemoryMailer>) {
    gdpr_with_map(MAP)
}

/// gdprkit with `map` over the CRM's rows of [`crm`], an outbox for mailer, and two subjects.
fn gdpr_with_map(map: &str) -> (Gdpr, Arc<MemoryMailer>) {
    let outbox = Arc::new(MemoryMailer::default());
    let map = DataMap::from_toml(map).unwrap();
    let (gdpr, clock) = gdprkit::testkit::setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        b.mailer(outbox.clone()).crm(Arc::new(crm())).data_map(map)
    });
    let mut jeanne = NewSubject::new(sid("jeanne"), Regime::B2cOptIn);
    jeanne.email = Some("jeanne@example.org".into());
    jeanne.language = Some(Language::En);
    gdpr.add_subject(jeanne).unwrap();
    gdpr.add_subject(NewSubject::new(sid("paul"), Regime::B2bOptOut)).unwrap();
    // An opt-in to a purpose on consent makes her data eligible for portability (Art. 20(1)(a)).
    gdpr.add_purpose(Purpose::new(pid("newsletter"), LegalBasis::Consent, true)).unwrap();
    gdpr.record_consent(event("jeanne", ConsentAction::OptIn, "newsletter", Channel::Email, "2024-06-01T09:00:00Z"))
        .unwrap();
    gdpr.record_consent(event("jeanne", ConsentAction::OptOut, "promo", Channel::Sms, "2024-07-01T09:00:00Z")).unwrap();
    gdpr.record_disclosure(&sid("jeanne"), "Brevo (e-mail delivery)", Some(t("2024-06-02T00:00:00Z"))).unwrap();
    clock.set(t("2025-01-10T12:00:00Z"));
    (gdpr, outbox)
}

fn export() -> Export {
    let (gdpr, _) = gdpr();
    gdpr.export(&sid("jeanne"), None).unwrap()
}

#[test]
fn an_export_holds_the_persons_data_by_category_their_events_consents_and_processing() {
    let e = export();
    assert_eq!(e.subject.id, "jeanne");
    assert_eq!(e.language, "en", "the subject's language");
    let names: Vec<&str> = e.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["identity", "billing"], "events are listed apart");
    let contact = &e.categories[0].entities[0].records;
    assert_eq!(contact.len(), 1, "only her rows");
    assert_eq!(contact[0].0[2], ("photo".into(), Value::Blob(vec![1, 2])), "every column, mapped or not");
    let summaries: Vec<_> = e.events.iter().map(|ev| ev.record.0[1].1.clone()).collect();
    assert_eq!(summaries, [Value::Text("first".into()), Value::Text("second".into())], "by date");
    assert_eq!(e.consents.len(), 2);
    assert_eq!(e.consents[0].occurred_at, t("2024-06-01T09:00:00Z"));
    assert_eq!(e.consents[1].action, "opt_out");
    let promo = e.processing.iter().find(|p| p.purpose == "promo").unwrap();
    assert_eq!((promo.legal_basis.as_str(), promo.recipients.len()), ("legitimate_interests", 1));
    assert!(promo.automated_decision.as_deref().unwrap().contains("score"), "Art. 15(1)(h)");
    assert_eq!(promo.transfers[0].country, "United States", "Art. 15(2)");
    let billing = e.processing.iter().find(|p| p.purpose == "billing").unwrap();
    assert_eq!(billing.legal_basis, "contract");
    assert!(billing.retention.as_deref().unwrap().contains("10 years"), "Art. 15(1)(d)");
    assert_eq!(e.disclosures[0].recipient, "Brevo (e-mail delivery)");
    assert!(e.rights.iter().any(|r| r.right == "complaint" && r.article == "77"));
    assert!(e.controller.authority.contains("CNIL"));
}

/// Art. 15(1)(a)-(d), E1: only the processing that applies to the person: promo (her opt-out and
/// her identity data), newsletter (her opt-in), billing (her invoices, on a contract); Paul, with
/// no invoice and no consent, is told of promo only.
#[test]
fn only_the_processing_that_applies_to_the_person_is_listed() {
    let (gdpr, _) = gdpr();
    let purposes = |id: &str| -> Vec<String> {
        gdpr.export(&sid(id), None).unwrap().processing.into_iter().map(|p| p.purpose).collect()
    };
    assert_eq!(purposes("jeanne"), ["billing", "newsletter", "promo"]);
    assert_eq!(purposes("paul"), ["promo"], "his contact row alone puts him under no billing contract");
    // Art. 20(1), R6: so he, a B2B prospect on legitimate interests, has nothing portable; she has.
    assert!(gdpr.portability_ineligibility(&sid("paul")).unwrap().is_some());
    assert_eq!(gdpr.portability_ineligibility(&sid("jeanne")).unwrap(), None);
    // Her opt-in makes the newsletter apply; a map that does not describe it cannot say how long
    // her data are kept, and the export is refused rather than silent on it.
    let (gdpr, _) = gdpr_with_map(&MAP.replace("purpose = \"newsletter\"", "purpose = \"billing2\""));
    gdpr.add_purpose(Purpose::new(pid("billing2"), LegalBasis::Contract, false)).unwrap();
    let err = gdpr.export(&sid("jeanne"), None).unwrap_err().to_string();
    assert!(err.contains("purpose newsletter applies to jeanne") && err.contains("retention"), "{err}");
}

#[test]
fn the_json_validates_against_its_schema_and_reads_back_whole() {
    let e = export();
    let json = to_json(&e).unwrap();
    let schema: serde_json::Value = serde_json::from_str(include_str!("../../../docs/export-schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(from_json(&json).unwrap(), e, "nothing is lost in a round trip");
    let text = String::from_utf8(json).unwrap();
    assert!(text.contains("\"occurred_at\": \"2024-06-01T09:00:00Z\""), "RFC 3339 instants");

    // The schema is not a formality: it refuses what does not follow it.
    let mut broken = instance.clone();
    broken["consents"][0]["occurred_at"] = "1 June 2024".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn another_format_or_a_newer_version_is_refused() {
    let json = String::from_utf8(to_json(&export()).unwrap()).unwrap();
    let newer = json.replacen("\"version\": 5", "\"version\": 6", 1);
    assert_ne!(newer, json, "the version was found and changed");
    // Version 4 had no information: it still reads, as no source and no notice.
    let mut v4: serde_json::Value = serde_json::from_str(&json).unwrap();
    v4["version"] = 4.into();
    v4.as_object_mut().unwrap().remove("information");
    let read = from_json(v4.to_string().as_bytes()).unwrap();
    assert_eq!((read.version, read.information.source, read.information.notices.len()), (4, None, 0));
    // Version 3 had no labels, technical columns, address or DPO: it still reads.
    let mut v3: serde_json::Value = serde_json::from_str(&json).unwrap();
    v3["version"] = 3.into();
    v3.as_object_mut().unwrap().remove("information");
    v3.as_object_mut().unwrap().remove("entities");
    v3.as_object_mut().unwrap().remove("consent_records");
    v3.as_object_mut().unwrap().remove("time_zone");
    for key in ["address", "dpo"] {
        v3["controller"].as_object_mut().unwrap().remove(key);
    }
    for c in v3["categories"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("label");
    }
    let read = from_json(v3.to_string().as_bytes()).unwrap();
    assert_eq!((read.version, read.entities.len(), read.controller.dpo), (3, 0, None), "version 3 still reads");
    // Version 2 had no automated decisions or transfers either: it still reads.
    let mut v2 = v3;
    v2["version"] = 2.into();
    for p in v2["processing"].as_array_mut().unwrap() {
        let p = p.as_object_mut().unwrap();
        p.remove("automated_decision");
        p.remove("transfers");
    }
    let read = from_json(v2.to_string().as_bytes()).unwrap();
    assert_eq!((read.version, read.processing[2].transfers.len()), (2, 0), "version 2 still reads");
    let older = json.replacen("\"version\": 5", "\"version\": 1", 1);
    assert_eq!(from_json(older.as_bytes()).unwrap().version, 1, "version 1 still reads");
    assert!(from_json(newer.as_bytes()).unwrap_err().to_string().contains("newer"));
    let other = json.replacen("gdprkit-export", "other", 1);
    assert!(from_json(other.as_bytes()).unwrap_err().to_string().contains("not \"gdprkit-export\""));
    assert!(from_json(b"{").is_err());
}

#[test]
fn processing_for_an_unregistered_purpose_is_refused() {
    let (gdpr, _) = gdpr_with_map(&MAP.replace("purpose = \"promo\"", "purpose = \"lottery\""));
    let err = gdpr.export(&sid("jeanne"), None).unwrap_err();
    assert!(err.to_string().contains("\"lottery\" names a purpose that is not registered"), "{err}");
    assert!(matches!(gdpr.export(&sid("nobody"), None), Err(Error::UnknownSubject(_))));
}

/// A renderer that writes the export's subject id: enough to see what reached it.
struct FakePdf;

impl Renderer for FakePdf {
    fn render_pdf(&self, export: &Export) -> Result<Vec<u8>> {
        Ok(format!("%PDF for {}", export.subject.id).into_bytes())
    }
}

fn accepted(gdpr: &Gdpr, kind: RequestKind) -> gdprkit::request::record::RequestId {
    let opened = gdpr
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("jeanne"),
            kind,
            via: ReceivedVia::Email,
            received_at: None,
        })
        .unwrap();
    gdpr.act(&opened.request.id, Step::Accept, "staff").unwrap();
    opened.request.id
}

#[test]
fn an_access_request_is_completed_with_the_pdf_mailed_and_returned() {
    let (gdpr, outbox) = gdpr();
    let id = accepted(&gdpr, RequestKind::Access);
    let err = gdpr.complete_with_export(&id, "staff").unwrap_err();
    assert_eq!((err.code(), err.field()), ("config", Some("renderer")), "{err}");
    assert_eq!(gdpr.request(&id).unwrap().state.as_str(), "accepted", "nothing changed");

    let gdpr = gdpr.to_builder().renderer(Arc::new(FakePdf)).build().unwrap();
    let done = gdpr.complete_with_export(&id, "staff").unwrap();
    assert_eq!(done.outcome.request.state.as_str(), "completed");
    assert_eq!(done.attachment.bytes, b"%PDF for jeanne", "the PDF, to print and post");
    assert_eq!(done.outcome.notice.unwrap().delivery, Delivery::Sent { to: "jeanne@example.org".into() });
    let mail = outbox.messages().pop().unwrap();
    assert_eq!(mail.attachments, std::slice::from_ref(&done.attachment), "and mailed with the completion notice");
    assert_eq!(mail.attachments[0].content_type, "application/pdf");
}

#[test]
fn a_portability_request_sends_the_json_and_other_kinds_carry_no_export() {
    let (gdpr, outbox) = gdpr();
    let id = accepted(&gdpr, RequestKind::Portability);
    let done = gdpr.complete_with_export(&id, "staff").unwrap();
    assert_eq!(done.attachment.filename, "export.json");
    assert_eq!(from_json(&done.attachment.bytes).unwrap().subject.id, "jeanne");
    assert_eq!(outbox.messages().pop().unwrap().attachments[0].content_type, "application/json");

    let id = accepted(&gdpr, RequestKind::Rectification);
    let err = gdpr.complete_with_export(&id, "staff").unwrap_err();
    assert!(err.to_string().contains("a rectification request carries no export"), "{err}");
    let again = gdpr.complete_with_export(&done.outcome.request.id, "staff").unwrap_err();
    assert!(again.to_string().contains("completed"), "a completed request is not completed twice: {again}");
}

/// Art. 12(1): the export carries the data map's labels in the export's language, and says which
/// columns are technical (the subject column, the key naming the rows, a field declared so); the
/// JSON still holds every column.
#[test]
fn the_export_carries_the_maps_labels_and_marks_technical_columns() {
    let labelled = format!(
        "[categories]\nidentity = {{ fr = \"Identité\", en = \"Identity\" }}\n{}",
        MAP.replacen(
            "[entity.fields]\nname = \"redact\"",
            "label = { fr = \"Fiche\", en = \"Record\" }\n[entity.fields]\nname = { op = \"redact\", label = { fr = \"Nom\", en = \"Name\" } }\nphoto = { kind = \"technical\" }",
            1,
        )
    );
    let gdpr = Gdpr::builder(Arc::new(MemoryStore::new()))
        .controller(gdprkit::Controller { name: "Acme SAS".into(), ..gdprkit::Controller::default() })
        .crm(Arc::new(crm()))
        .data_map(DataMap::from_toml(&labelled).unwrap())
        .build()
        .unwrap();
    gdpr.add_purpose(Purpose::new(pid("promo"), LegalBasis::LegitimateInterests, true)).unwrap();
    gdpr.add_purpose(Purpose::new(pid("billing"), LegalBasis::Contract, false)).unwrap();
    gdpr.add_purpose(Purpose::new(pid("newsletter"), LegalBasis::Consent, true)).unwrap();
    gdpr.add_subject(NewSubject::new(sid("jeanne"), Regime::B2bOptOut)).unwrap();
    for (language, category, entity, name) in
        [(Language::Fr, "Identité", "Fiche", "Nom"), (Language::En, "Identity", "Record", "Name")]
    {
        let export = gdpr.export(&sid("jeanne"), Some(language)).unwrap();
        assert_eq!(export.categories[0].label.as_deref(), Some(category));
        assert_eq!(export.categories[1].label, None, "billing has no label");
        let contacts = export.entities.iter().find(|e| e.entity == "contacts").unwrap();
        assert_eq!(contacts.label.as_deref(), Some(entity));
        let column = |c: &str| contacts.columns.iter().find(|x| x.column == c).unwrap();
        assert_eq!((column("name").label.as_deref(), column("name").technical), (Some(name), false));
        assert!(column("id").technical, "the subject column is technical");
        assert!(column("photo").technical, "declared technical");
        let record = &export.categories[0].entities[0].records[0];
        assert!(record.0.iter().any(|(c, _)| c == "photo"), "the JSON keeps technical columns");
    }
}

/// The keys `docs/consent-records.md` lists in its table of keys.
fn documented_keys() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/consent-records.md")).unwrap();
    let table = doc.split("## Keys").nth(1).unwrap().split("## States").next().unwrap();
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(key, _)| key.to_owned()))
        .collect()
}

/// Every key of a JSON value, at every depth.
fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                if k != "@context" {
                    keys(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

/// ISO/IEC TS 27560 with W3C DPV: each consent event is a consent record whose keys are all JSON-LD,
/// DPV, Dublin Core or gdprkit terms listed in `docs/consent-records.md`, with the purpose's Art.
/// 6(1) basis and the state the event left the consent in.
#[test]
fn each_consent_event_is_a_27560_record_in_dpv_terms() {
    let unnamed = Gdpr::builder(Arc::new(MemoryStore::new()))
        .crm(Arc::new(crm()))
        .data_map(DataMap::from_toml(MAP).unwrap())
        .build()
        .unwrap();
    unnamed.add_subject(NewSubject::new(sid("jeanne"), Regime::B2cOptIn)).unwrap();
    let receipt = unnamed.consent_receipt(&sid("jeanne"));
    assert!(
        matches!(&receipt, Err(Error::Config { field: "controller", .. })),
        "a record names the controller: {receipt:?}"
    );
    // Art. 15(1): an export tells the person who holds their data, never "the data controller".
    let refused = unnamed.export(&sid("jeanne"), None);
    assert!(matches!(&refused, Err(Error::Config { field: "controller", .. })), "{refused:?}");
    let export = export();
    assert_eq!(export.consent_records.len(), export.consents.len());
    let documented = documented_keys();
    assert!(documented.len() >= 20, "the doc's table lists the keys: {documented:?}");
    let json = serde_json::to_value(&export.consent_records).unwrap();
    let mut found = Vec::new();
    keys(&json, &mut found);
    for key in &found {
        let vocabulary = key.starts_with('@') || ["dpv:", "dct:", "gdprkit:"].iter().any(|p| key.starts_with(p));
        assert!(vocabulary, "{key} is neither JSON-LD, DPV, Dublin Core nor gdprkit's");
        assert!(documented.contains(key), "{key} is not in docs/consent-records.md");
    }
    let opt_in = &json[0];
    assert_eq!(opt_in["@type"], "dpv:ConsentRecord");
    assert_eq!(opt_in["@context"]["dpv"], "https://w3id.org/dpv#");
    assert_eq!(opt_in["dpv:hasProcess"]["dpv:hasPurpose"]["dct:identifier"], "newsletter");
    assert_eq!(opt_in["dpv:hasProcess"]["dpv:hasLegalBasis"], "eu-gdpr:A6-1-a", "consent, Art. 6(1)(a)");
    assert_eq!(opt_in["dpv:hasConsentStatus"]["@type"], "dpv:ConsentGiven");
    assert_eq!(opt_in["dpv:hasConsentStatus"]["dpv:isIndicatedAtTime"], "2024-06-01T09:00:00Z");
    assert_eq!(opt_in["dpv:hasNotice"]["gdprkit:noticeSha256"], "0".repeat(64));
    assert_eq!(opt_in["gdprkit:ledgerEntry"], export.consents[0].seq);
    let opt_out = &json[1];
    assert_eq!(opt_out["dpv:hasProcess"]["dpv:hasLegalBasis"], "eu-gdpr:A6-1-f", "legitimate interests, 6(1)(f)");
    assert_eq!(opt_out["dpv:hasConsentStatus"]["@type"], "dpv:ConsentRefused");
}

/// The receipt is the export's records, named by the configured controller.
#[test]
fn a_receipt_holds_the_exports_records() {
    let controller = gdprkit::Controller { name: "Acme CRM SAS".into(), ..gdprkit::Controller::default() };
    let (named, _) = gdprkit::testkit::setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        b.controller(controller.clone()).crm(Arc::new(crm())).data_map(DataMap::from_toml(MAP).unwrap())
    });
    named.add_subject(NewSubject::new(sid("jeanne"), Regime::B2cOptIn)).unwrap();
    named.add_purpose(Purpose::new(pid("newsletter"), LegalBasis::Consent, true)).unwrap();
    for action in [ConsentAction::OptIn, ConsentAction::Withdraw] {
        named.record_consent(event("jeanne", action, "newsletter", Channel::Email, "2024-06-01T09:00:00Z")).unwrap();
    }
    let receipt = named.consent_receipt(&sid("jeanne")).unwrap();
    assert_eq!(receipt, named.export(&sid("jeanne"), None).unwrap().consent_records);
    assert_eq!(receipt.len(), 2);
    assert_eq!(receipt[0].controller.name, "Acme CRM SAS");
    assert_eq!(receipt[1].status.kind, "dpv:ConsentWithdrawn");
    assert!(matches!(named.consent_receipt(&sid("nobody")), Err(Error::UnknownSubject(_))));
}
