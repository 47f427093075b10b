//! The boundary the Python and Node packages and the portal stand on: every type a `Gdpr` method
//! takes deserializes, every type it returns serializes, each through JSON and back unchanged,
//! with named fields (no tuples) and `snake_case` values.

#![allow(clippy::unwrap_used)]

use std::fmt::Debug;
use std::sync::Arc;

use gdprkit::anonymize::operators::Value;
use gdprkit::anonymize::sweep::SweepOptions;
use gdprkit::export::render::Renderer;
use gdprkit::mailer::MemoryMailer;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::recipients::{SkipReason, TaskOutcome};
use gdprkit::request::record::{ExtensionGround, RefusalCode};
use gdprkit::request::service::{NewRequest, Step};
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::testkit::{event, pid, setup_with, sid, t};
use gdprkit::{
    Channel, Collector, Config, ConsentAction, DataMap, ErrorKind, Gdpr, Language, LegalBasis, MemoryStore, NewConsent,
    NewSubject, Proof, Purpose, Regime, Result, Source,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

/// Through JSON text and back: the same value (orders kept: a record's columns, a map's fields),
/// and a JSON document without tuples.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(what: &str, value: &T) -> Json {
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
    assert_eq!(&back, value, "{what} changed through JSON");
    let json: Json = serde_json::from_str(&text).unwrap();
    no_tuples(what, &json);
    json
}

/// A tuple serializes as an array; named fields never give an array of arrays.
fn no_tuples(what: &str, json: &Json) {
    match json {
        Json::Array(items) => {
            assert!(!items.iter().any(Json::is_array), "{what} holds a tuple or a list of lists: {json}");
            items.iter().for_each(|i| no_tuples(what, i));
        }
        Json::Object(fields) => fields.values().for_each(|v| no_tuples(what, v)),
        _ => {}
    }
}

/// The sample CRM's map, its `[[processing]]` (which names purposes these tests do not register)
/// replaced by one for `promo`, which applies to Jeanne.
fn map() -> DataMap {
    let mut map = gdprkit::sample::data_map().unwrap();
    map.processing = vec![gdprkit::anonymize::map::Processing {
        label: None,
        purpose: "promo".into(),
        categories: vec!["identity".into()],
        recipients: vec![],
        retention: "3 years after your last contact with us".into(),
        source: None,
        automated_decision: None,
        transfers: vec![],
        legitimate_interest: Some("telling our customers of our products".into()),
        requirement: None,
    }];
    map
}

struct FakePdf;

impl Renderer for FakePdf {
    fn render_pdf(&self, _: &gdprkit::export::model::Export) -> Result<Vec<u8>> {
        Ok(b"%PDF-1.7 fake".to_vec())
    }
}

fn gdpr() -> Gdpr {
    let crm = MemoryCrm::new();
    let text = |s: &str| Value::Text(s.into());
    crm.insert(
        "contacts",
        "jeanne",
        &[
            ("subject", text("jeanne")),
            ("first_name", text("Jeanne")),
            ("email", text("j@example.org")),
            ("birth_date", text("1980-02-03")),
        ],
    );
    crm.insert("calls", "jeanne", &[("subject", text("jeanne")), ("at", text("2024-05-01T10:00:00Z"))]);
    let (g, clock) = setup_with(&|| Arc::new(MemoryStore::new()), |b| {
        b.crm(Arc::new(crm)).data_map(map()).mailer(Arc::new(MemoryMailer::new())).renderer(Arc::new(FakePdf))
    });
    clock.set(t("2025-06-02T09:30:00Z"));
    g
}

#[test]
fn every_input_deserializes_and_reads_back() {
    let mut proof = Proof {
        source: Some(Source::Import),
        collected_by: Some(Collector::ThirdParty("ListCo".into())),
        notice_version: Some("v3".into()),
        notice_sha256: Some("ab".repeat(32)),
        ip: Some("203.0.113.9".into()),
        user_agent: Some("Mozilla/5.0".into()),
        proof_ref: Some("contract 12".into()),
    };
    let mut consent = NewConsent::new(sid("jeanne"), ConsentAction::OptIn, pid("promo"), Channel::Email);
    consent.occurred_at = Some(t("2025-01-01T10:00:00Z"));
    consent.proof = proof.clone();
    round_trip("NewConsent", &consent);
    proof.collected_by = Some(Collector::Staff("Claire".into()));
    round_trip("Proof", &proof);
    let mut subject = NewSubject::new(sid("jeanne"), Regime::SoftOptIn);
    subject.email = Some("j@example.org".into());
    subject.language = Some(Language::En);
    assert_eq!(round_trip("NewSubject", &subject)["regime"], "soft_opt_in");
    let purpose = Purpose::new(pid("promo"), LegalBasis::LegitimateInterests, true);
    assert_eq!(round_trip("Purpose", &purpose)["legal_basis"], "legitimate_interests");
    round_trip(
        "NewRequest",
        &NewRequest {
            purposes: Vec::new(),
            subject: sid("jeanne"),
            kind: RequestKind::Portability,
            via: ReceivedVia::InPerson,
            received_at: Some(t("2025-06-01T08:00:00Z")),
        },
    );
    let steps = [
        Step::AwaitSubject {
            kind: gdprkit::WaitKind::Clarification,
            reason: "a copy of your reply".into(),
            method: None,
        },
        Step::Resume,
        Step::Accept,
        Step::Start,
        Step::Extend { ground: ExtensionGround::Complexity, reason: "three systems".into() },
        Step::Refuse { code: RefusalCode::ManifestlyUnfounded, reason: "the tenth this week".into() },
        Step::Complete,
        Step::Withdraw,
    ];
    for step in &steps {
        let json = round_trip("Step", step);
        assert_eq!(json["action"], step.action().as_str());
    }
    round_trip("TaskOutcome", &TaskOutcome::Sent);
    let skipped = round_trip("TaskOutcome", &TaskOutcome::Skipped(SkipReason::Impossible));
    assert_eq!(skipped, serde_json::json!({"outcome": "skipped", "reason": "impossible"}));
    round_trip("SweepOptions", &SweepOptions { batch_size: 10, dry_run: true });
    let options: SweepOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(options, SweepOptions::default(), "every option has a default");
    round_trip("DataMap", &gdprkit::sample::data_map().unwrap());
    for kind in ErrorKind::ALL {
        round_trip("ErrorKind", &kind);
    }
    let config = Config::from_toml(
        "store = \"g.db\"\ntenant = \"acme\"\ncrm = \"crm.db\"\ndata_map = \"map.toml\"\n\
         hmac_key = { env = \"KEY\" }\n[smtp]\nurl = \"smtp://127.0.0.1:2525\"\nfrom = \"dpo@example.org\"\n",
    )
    .unwrap();
    round_trip("Config", &config);

    // Inputs need only what they need: optional fields may be left out.
    let minimal: NewConsent = serde_json::from_str(r#"{"subject": "jeanne", "action": "object"}"#).unwrap();
    assert_eq!(minimal, NewConsent::objection(sid("jeanne")));
    let minimal: NewSubject = serde_json::from_str(r#"{"id": "paul", "regime": "b2b_opt_out"}"#).unwrap();
    assert_eq!(minimal, NewSubject::new(sid("paul"), Regime::B2bOptOut));
    let bad = serde_json::from_str::<NewSubject>(r#"{"id": "", "regime": "b2b_opt_out"}"#).unwrap_err();
    assert!(bad.to_string().contains("invalid subject"), "ids are checked as they are read: {bad}");
}

#[test]
fn every_output_serializes_and_reads_back() {
    let g = gdpr();
    let jeanne = sid("jeanne");
    let mut new = NewSubject::new(jeanne.clone(), Regime::B2cOptIn);
    new.email = Some("jeanne@example.org".into());
    round_trip("Subject", &g.add_subject(new).unwrap());
    round_trip(
        "ConsentEvent",
        &g.record_consent(event("jeanne", ConsentAction::OptIn, "promo", Channel::Email, "2025-02-01T00:00:00Z"))
            .unwrap(),
    );
    g.record_consent(event("b2b", ConsentAction::OptOut, "promo", Channel::Email, "2025-02-01T00:00:00Z")).unwrap();
    for history in g.history(&jeanne).unwrap() {
        round_trip("ConsentEvent", &history);
    }
    for subject in ["jeanne", "b2b", "b2c", "soft"] {
        round_trip("Decision", &g.decide(&sid(subject), &pid("promo"), &Channel::Email, None).unwrap());
    }
    round_trip("Verification", &g.verify_ledger().unwrap());
    round_trip("Disclosure", &g.record_disclosure(&jeanne, "Acme Logistics", None).unwrap());
    round_trip("Deadlines", &g.deadline(t("2025-04-01T00:00:00Z").date_naive()).unwrap());
    round_trip("MapCheck", &g.check_map().unwrap());

    let open = |kind| {
        g.open_request(NewRequest {
            purposes: Vec::new(),
            subject: jeanne.clone(),
            kind,
            via: ReceivedVia::Web,
            received_at: None,
        })
        .unwrap()
    };
    let access = open(RequestKind::Access);
    let json = round_trip("OpenedRequest", &access);
    assert_eq!(json["notice"]["delivery"]["status"], "sent");
    round_trip("PublicView", &g.track(&access.token).unwrap().unwrap());
    let waiting = g
        .act(
            &access.request.id,
            Step::AwaitSubject {
                kind: gdprkit::WaitKind::Clarification,
                reason: "which address?".into(),
                method: None,
            },
            "Claire",
        )
        .unwrap();
    round_trip("StepOutcome", &waiting);
    g.act(&access.request.id, Step::Resume, "Claire").unwrap();
    g.act(&access.request.id, Step::Accept, "Claire").unwrap();
    let done = g.complete_with_export(&access.request.id, "Claire").unwrap();
    let json = round_trip("CompletedWithExport", &done);
    assert_eq!(json["attachment"]["bytes"].as_array().map(Vec::len), Some(13), "the PDF's bytes are carried");
    round_trip("Export", &g.export(&jeanne, Some(Language::En)).unwrap());
    for r in g.subject_requests(&jeanne).unwrap() {
        round_trip("Request", &r);
    }

    let erasure = open(RequestKind::Erasure);
    g.act(&erasure.request.id, Step::Accept, "Claire").unwrap();
    round_trip("ErasureReport", &g.erase_subject(&jeanne, true).unwrap());
    let executed = g.execute_request(&erasure.request.id, "Claire").unwrap();
    let json = round_trip("ExecutedRequest", &executed);
    let changed = &json["report"]["plan"]["entities"][0]["action"]["rows"][0]["fields"][0];
    assert_eq!(changed["field"], "first_name", "a changed field has named parts: {changed}");
    for task in g.recipient_tasks(&erasure.request.id).unwrap() {
        round_trip("RecipientTask", &task);
        round_trip(
            "RecipientTask",
            &g.mark_recipient_task(&erasure.request.id, &task.recipient, TaskOutcome::Sent, "Claire").unwrap(),
        );
    }
    let mut progress = Vec::new();
    let report = g
        .sweep(SweepOptions::default(), &mut |p| {
            progress.push(p.clone());
            Ok(())
        })
        .unwrap();
    round_trip("SweepReport", &report);
    round_trip(
        "SweepProgress",
        &gdprkit::anonymize::sweep::SweepProgress { entity: "contacts".into(), done: 3, total: 9 },
    );
}
