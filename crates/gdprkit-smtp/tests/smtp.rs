//! Mail over a real SMTP server started on loopback (Python's aiosmtpd, which `.ci/run` installs;
//! `GDPRKIT_PYTHON` names the interpreter that has it, `python3` by default).

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use gdprkit::export::sample::sample_export;
use gdprkit::mailer::{Attachment, Mailer, Message};
use gdprkit::testkit::t;
use gdprkit_pdf::PdfRenderer;
use gdprkit_smtp::{SmtpConfig, SmtpMailer};

/// The server, stopped when dropped (its standard input closes).
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        // A free port, chosen by the system and released for the server to take.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let python = std::env::var("GDPRKIT_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} could not start: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start: is aiosmtpd installed for {python}? (./scripts/test-all.sh installs it)"
        );
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn mailer(server: &Server) -> SmtpMailer {
    let url = format!("smtp://127.0.0.1:{}", server.port);
    SmtpMailer::new(&SmtpConfig::from_url(&url, "Acme CRM <dpo@acme.example>").unwrap()).unwrap()
}

#[test]
fn the_message_arrives_with_the_pdf_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
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
    };
    mailer(&server).send(&message).unwrap();
    // The server wrote the message before it answered, and `send` returned after the answer.
    let eml = std::fs::read_to_string(dir.path().join("1.eml")).unwrap();
    assert!(eml.contains("To: jeanne.martin@example.org"), "{eml}");
    assert!(eml.contains("dpo@acme.example"), "{eml}");
    let attached = std::fs::read(dir.path().join("1-export.pdf")).unwrap();
    assert_eq!(attached, pdf, "the attachment is the rendered PDF, byte for byte");
}

#[test]
fn a_refusal_by_the_server_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let message =
        Message { to: "refuse-me@example.org".into(), subject: "s".into(), body: "b".into(), attachments: vec![] };
    let err = mailer(&server).send(&message).unwrap_err().to_string();
    assert!(err.contains("did not take the message") && err.contains("refused by the test server"), "{err}");
    assert!(!dir.path().join("1.eml").exists(), "nothing was delivered");
}

#[test]
fn a_server_that_is_not_there_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}"), "dpo@acme.example").unwrap();
    let message = Message { to: "a@example.org".into(), subject: "s".into(), body: "b".into(), attachments: vec![] };
    let err = SmtpMailer::new(&config).unwrap().send(&message).unwrap_err().to_string();
    assert!(err.contains("did not take the message"), "{err}");
}
