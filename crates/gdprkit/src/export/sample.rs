//! A sample export of any size, for the tests and benchmarks of renderers (feature `testkit`).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::model::{
    Category, ColumnInfo, ConsentRecord, ControllerInfo, CrmEvent, DisclosureRecord, EntityInfo, EntityRecords, Export,
    FORMAT, Note, ProcessingRecord, Record, RequestRecord, Right, SubjectInfo, VERSION,
};
use crate::anonymize::operators::Value;

/// An export of a person named `first_name last_name` with `notes`, holding `consents` consent
/// events and `events` CRM events (calls), two requests, one processing and one disclosure, made
/// at `at` in `language`.
pub fn sample_export(
    first_name: &str,
    last_name: &str,
    notes: &str,
    consents: usize,
    events: usize,
    at: DateTime<Utc>,
    language: &str,
) -> Export {
    let english = language == "en";
    let text = |s: &str| Value::Text(s.to_owned());
    let contact = Record(vec![
        ("id".into(), text("contact-42")),
        ("first_name".into(), text(first_name)),
        ("last_name".into(), text(last_name)),
        ("email".into(), text("jeanne.martin@example.org")),
        ("phone".into(), text("+33 6 12 34 56 78")),
        ("notes".into(), text(notes)),
        ("score".into(), Value::Integer(87)),
    ]);
    let invoice = Record(vec![
        ("id".into(), Value::Integer(7)),
        ("contact_id".into(), text("contact-42")),
        ("amount".into(), Value::Real(1250.5)),
        ("issued_on".into(), text("2025-03-14")),
        ("paid".into(), Value::Integer(1)),
    ]);
    let start = at - Duration::days(2000);
    let consent = |i: usize| {
        let when = start + Duration::minutes(i as i64 * 97);
        ConsentRecord {
            seq: i as u64 + 1,
            action: ["opt_in", "opt_out", "withdraw", "opt_in"][i % 4].into(),
            purpose: Some(["newsletter", "events", "product-news"][i % 3].into()),
            channel: Some(["email", "sms", "phone"][i % 3].into()),
            occurred_at: when,
            recorded_at: when + Duration::seconds(30),
            source: Some("web_form".into()),
            collected_by: Some("subject".into()),
            notice_version: Some("newsletter-v3".into()),
            notice_sha256: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
            ip: Some(format!("198.51.100.{}", i % 250)),
            user_agent: None,
            proof_ref: None,
        }
    };
    let event = |i: usize| {
        let when = start + Duration::minutes(i as i64 * 131);
        let day = when.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        CrmEvent {
            entity: "calls".into(),
            category: "events".into(),
            at: Some(day.clone()),
            record: Record(vec![
                ("id".into(), Value::Integer(i as i64 + 1)),
                ("called_at".into(), text(&day)),
                ("summary".into(), text(&format!("Call {} about the renewal", i + 1))),
            ]),
        }
    };
    let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
    Export {
        format: FORMAT.into(),
        version: VERSION,
        generated_at: at,
        language: language.into(),
        time_zone: Some("Europe/Paris".into()),
        controller: ControllerInfo {
            name: "Acme CRM SAS".into(),
            authority: "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr".into(),
            address: Some("12 rue des Lilas, 69003 Lyon".into()),
            dpo: Some("dpo@acme.example".into()),
        },
        subject: SubjectInfo {
            id: "contact-42".into(),
            regime: "b2c_opt_in".into(),
            email: Some("jeanne.martin@example.org".into()),
            language: Some(language.into()),
            registered_at: start,
        },
        categories: vec![
            Category {
                name: "identity".into(),
                label: Some(if english { "Identity" } else { "Identité" }.into()),
                entities: vec![EntityRecords { entity: "contacts".into(), records: vec![contact] }],
            },
            Category {
                name: "billing".into(),
                label: Some(if english { "Billing" } else { "Facturation" }.into()),
                entities: vec![EntityRecords { entity: "invoices".into(), records: vec![invoice] }],
            },
        ],
        events: (0..events).map(event).collect(),
        consent_records: {
            let described = |_: &str| Some(("Monthly newsletter".to_owned(), "consent".to_owned()));
            let cx = super::consent_records::RecordContext {
                tenant: "default",
                controller: "Acme CRM SAS",
                subject: "contact-42",
                purpose: &described,
            };
            (0..consents).map(|i| super::consent_records::record(&consent(i), &cx)).collect()
        },
        consents: (0..consents).map(consent).collect(),
        information: super::model::InformationRecord {
            source: Some("trade_fair".into()),
            reference: Some("Salon Bâtir Lyon".into()),
            obtained_at: Some(at - Duration::days(400)),
            notices: vec![super::model::GivenNoticeRecord {
                at: at - Duration::days(390),
                via: "email".into(),
                notice_version: "notice-7b6e5589a451".into(),
                notice_sha256: "7b6e5589a451".chars().cycle().take(64).collect(),
            }],
            exemption: None,
        },
        requests: vec![
            RequestRecord {
                id: "5f0c2a9b8e7d6c5b4a392817".into(),
                kind: "rectification".into(),
                received_via: "post".into(),
                received_at: at - Duration::days(90),
                state: "completed".into(),
                due,
                extended: false,
                refusal: None,
                closed_at: Some(at - Duration::days(80)),
                notes: vec![Note { at: at - Duration::days(80), text: "Your address was corrected.".into() }],
            },
            RequestRecord {
                id: "6a1d3b0c9f8e7d6c5b4a3928".into(),
                kind: "access".into(),
                received_via: "email".into(),
                received_at: at - Duration::days(2),
                state: "in_progress".into(),
                due,
                extended: false,
                refusal: None,
                closed_at: None,
                notes: vec![],
            },
        ],
        processing: vec![ProcessingRecord {
            purpose: "newsletter".into(),
            label: "Monthly newsletter".into(),
            legal_basis: "consent".into(),
            direct_marketing: true,
            categories: vec!["identity".into()],
            recipients: vec!["Brevo (e-mail delivery)".into()],
            retention: Some("3 years after the last contact".into()),
            source: None,
            automated_decision: None,
            transfers: vec![crate::anonymize::processing::Transfer {
                recipient: "Brevo (e-mail delivery)".into(),
                country: "United States (support staff)".into(),
                safeguard: "standard contractual clauses (Art. 46(2)(c))".into(),
            }],
            legitimate_interest: None,
            requirement: Some(
                "You need not give your e-mail address; without it we cannot send the newsletter.".into(),
            ),
        }],
        disclosures: vec![DisclosureRecord { recipient: "Brevo (e-mail delivery)".into(), disclosed_at: start }],
        rights: Right::all(),
        entities: sample_entities(english),
    }
}

/// The labels of the sample's entities and columns, in English or French; the ids and keys
/// technical.
fn sample_entities(english: bool) -> Vec<EntityInfo> {
    let column = |column: &str, en: &str, fr: &str| ColumnInfo {
        column: column.into(),
        label: (!en.is_empty()).then(|| if english { en } else { fr }.to_owned()),
        technical: en.is_empty(),
        currency: (column == "amount").then(|| "EUR".into()),
        boolean: column == "paid",
    };
    let entity = |entity: &str, en: &str, fr: &str, columns| EntityInfo {
        entity: entity.into(),
        label: Some(if english { en } else { fr }.into()),
        columns,
    };
    vec![
        entity(
            "contacts",
            "Contact details",
            "Coordonnées",
            vec![
                column("id", "", ""),
                column("first_name", "First name", "Prénom"),
                column("last_name", "Last name", "Nom"),
                column("email", "E-mail address", "Adresse électronique"),
                column("phone", "Phone number", "Téléphone"),
                column("notes", "Notes", "Notes"),
                column("score", "Interest score", "Score d'intérêt"),
            ],
        ),
        entity(
            "invoices",
            "Invoices",
            "Factures",
            vec![
                column("id", "", ""),
                column("contact_id", "", ""),
                column("amount", "Amount", "Montant"),
                column("issued_on", "Issued on", "Émise le"),
                column("paid", "Paid", "Payée"),
            ],
        ),
        entity(
            "calls",
            "Calls",
            "Appels",
            vec![column("id", "", ""), column("called_at", "Date", "Date"), column("summary", "Summary", "Résumé")],
        ),
    ]
}
