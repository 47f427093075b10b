//! Completing an access or portability request with the person's export (rule E3): the PDF for
//! access, the JSON for portability, attached to the completion notice and returned to the caller
//! to print and post.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::mailer::{Attachment, Message};
use crate::outbox::MessageKind;
use crate::request::kind::RequestKind;
use crate::request::machine::RequestAction;
use crate::request::record::RequestId;
use crate::request::service::Delivery;
use crate::request::service::{Step, StepOutcome};

use super::json::to_json;
use super::model::Export;

/// A request completed with its export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedWithExport {
    /// The step's outcome: the request, and the completion notice with the export attached when
    /// it was mailed.
    pub outcome: StepOutcome,
    /// The export: `export.pdf` for access, `export.json` for portability. Its bytes are here to
    /// download, print and post, whether or not the notice was mailed.
    pub attachment: Attachment,
}

impl Gdpr {
    /// Completes an `access` request (with the PDF of the person's export, from the configured
    /// renderer) or a `portability` request (with its JSON): the export is built from the CRM's
    /// data and attached to the completion notice.
    pub fn complete_with_export(&self, id: &RequestId, actor: &str) -> Result<CompletedWithExport> {
        let request = self.request(id)?;
        // The step is checked before the export is built, which takes longer.
        request.state.apply(RequestAction::Complete)?;
        let export = self.export(&request.subject, None)?;
        let attachment = match request.kind {
            RequestKind::Access => Attachment {
                filename: "export.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: self.render_pdf(&export)?,
            },
            RequestKind::Portability => Attachment {
                filename: "export.json".into(),
                content_type: "application/json".into(),
                bytes: to_json(&export)?,
            },
            other => {
                return Err(Error::state(
                    "action",
                    format!("a {} request carries no export; complete it with `act`", other.as_str()),
                ));
            }
        };
        let outcome = self.act_inner(id, Step::Complete, actor, None, None, vec![attachment.clone()])?;
        Ok(CompletedWithExport { outcome, attachment })
    }
}

impl Gdpr {
    /// The PDF of an export, from the configured renderer.
    pub fn render_pdf(&self, export: &Export) -> Result<Vec<u8>> {
        let renderer = self.parts.renderer.as_ref().ok_or_else(|| {
            Error::config(
                "renderer",
                "a PDF export needs a renderer, and none is configured: set pdf (or give the builder gdprkit-pdf's renderer)",
            )
        })?;
        renderer.render_pdf(export)
    }

    /// Mails an export to the person, outside any request (staff sending it on demand), with
    /// `attachment` (its PDF or JSON): queued in the outbox, with a ledger entry, then tried once
    /// through the configured mailer. A failed attempt leaves it queued for
    /// [`Gdpr::deliver_pending`]; a person without an e-mail address is an error, and nothing is
    /// queued.
    pub fn send_export(&self, export: &Export, attachment: Attachment) -> Result<SentMessage> {
        let to = export.subject.email.clone().ok_or_else(|| {
            Error::invalid(
                "subject",
                format!("{} has no e-mail address; print the export and post it", export.subject.id),
            )
        })?;
        let subject = SubjectId::new(export.subject.id.as_str())?;
        let now = self.now();
        let message = export_message(export, &to, attachment);
        let (append, message) = self.queue_append(MessageKind::Export, &subject, None, message, now)?;
        let seqs = self.store().append(self.tenant(), &[append])?;
        let id =
            seqs.first().copied().ok_or_else(|| Error::internal("the store numbered no entry", std::fmt::Error))?;
        let delivery = match self.deliver_now(id, &message) {
            Ok(None) => Delivery::Sent { to },
            Ok(Some(reason)) => Delivery::Queued { to, reason },
            Err(e) => Delivery::Queued { to, reason: e.to_string() },
        };
        Ok(SentMessage { outbox_id: id, delivery })
    }
}

/// A message queued in the outbox and what became of its first attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// Its id in the outbox.
    pub outbox_id: u64,
    /// Whether it was sent, or waits in the outbox.
    pub delivery: Delivery,
}

/// A message carrying an export to the person at `to`, in the export's language, outside any
/// request (for example when staff send it from the command line).
pub fn export_message(export: &Export, to: &str, attachment: Attachment) -> Message {
    let controller = &export.controller.name;
    let (subject, body) = if export.language == "en" {
        (
            format!("Your personal data held by {controller}"),
            format!(
                "Hello,\n\nAttached is everything {controller} holds on you: your data by category, our \
                 dealings with you, your consent history, your requests, what we do with your data and your \
                 rights.\n\nYou may lodge a complaint with {}.\n",
                export.controller.authority
            ),
        )
    } else {
        (
            format!("Vos données personnelles détenues par {controller}"),
            format!(
                "Bonjour,\n\nVous trouverez en pièce jointe l'ensemble des données que {controller} détient sur \
                 vous : vos données par catégorie, nos échanges, l'historique de vos consentements, vos \
                 demandes, ce que nous faisons de vos données et vos droits.\n\nVous pouvez introduire une \
                 réclamation auprès de {}.\n",
                export.controller.authority
            ),
        )
    };
    Message { to: to.to_owned(), subject, body, attachments: vec![attachment], message_id: None }
}
