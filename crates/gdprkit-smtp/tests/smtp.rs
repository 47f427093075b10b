//! Mail over a real SMTP server started on loopback (`test_server`: Python's aiosmtpd, which
//! `scripts/test-all.sh` installs).

#![allow(clippy::unwrap_used)]

use gdprkit::export::sample::sample_export;
use gdprkit::mailer::{Attachment, Mailer, Message};
use gdprkit::testkit::t;
use gdprkit_pdf::PdfRenderer;
use gdprkit_smtp::test_server::TestServer;
use gdprkit_smtp::{SmtpConfig, SmtpMailer};

fn mailer(server: &TestServer) -> SmtpMailer {
    SmtpMailer::new(&SmtpConfig::from_url(&server.url(), "Acme CRM <dpo@acme.example>").unwrap()).unwrap()
}

#[test]
fn the_message_arrives_with_the_pdf_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let export = sample_export("Jeanne", "Martin", "", 20, 5, t("2026-11-29T09:30:00Z"), "fr");
    let pdf = PdfRenderer::new().render(&export).unwrap();
    let message = Message {
        to: "jeanne.martin@example.org".into(),
        subject: "Votre demande d'accès".into(),
        body: "Vous trouverez vos données en pièce jointe.".into(),
        attachments: vec![Attachment {
            filename: "export.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf.clone(),
        }],
        message_id: Some("<test-1@gdprkit>".into()),
    };
    mailer(&server).send(&message).unwrap();
    // The server wrote the message before it answered, and `send` returned after the answer.
    let eml = std::fs::read_to_string(dir.path().join("1.eml")).unwrap();
    assert!(eml.contains("To: jeanne.martin@example.org"), "{eml}");
    assert!(eml.contains("dpo@acme.example"), "{eml}");
    assert!(eml.contains("Message-ID: <test-1@gdprkit>"), "the message keeps the outbox's Message-ID: {eml}");
    let attached = std::fs::read(dir.path().join("1-export.pdf")).unwrap();
    assert_eq!(attached, pdf, "the attachment is the rendered PDF, byte for byte");
}

#[test]
fn a_refusal_by_the_server_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path());
    let message = Message {
        to: "refuse-me@example.org".into(),
        subject: "s".into(),
        body: "b".into(),
        attachments: vec![],
        message_id: None,
    };
    let err = mailer(&server).send(&message).unwrap_err().to_string();
    assert!(err.contains("did not take the message") && err.contains("refused by the test server"), "{err}");
    assert!(!dir.path().join("1.eml").exists(), "nothing was delivered");
}

#[test]
fn a_server_that_is_not_there_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}"), "dpo@acme.example").unwrap();
    let message = Message {
        to: "a@example.org".into(),
        subject: "s".into(),
        body: "b".into(),
        attachments: vec![],
        message_id: None,
    };
    let err = SmtpMailer::new(&config).unwrap().send(&message).unwrap_err().to_string();
    assert!(err.contains("did not take the message"), "{err}");
}
