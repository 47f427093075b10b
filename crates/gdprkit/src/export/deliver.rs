//! Completing an access or portability request with the person's export (rule E3): the PDF for
//! access, the JSON for portability, attached to the completion notice and returned to the caller
//! to print and post.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::mailer::{Attachment, Message};
use crate::request::kind::RequestKind;
use crate::request::machine::RequestAction;
use crate::request::record::RequestId;
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
    /// `attachment` (its PDF or JSON) through the configured mailer. Returns the address it went
    /// to.
    pub fn send_export(&self, export: &Export, attachment: Attachment) -> Result<String> {
        let mailer = self.parts.mailer.as_ref().ok_or_else(|| {
            Error::config("mailer", "mailing an export needs a mail server, and none is configured: set smtp")
        })?;
        let to = export.subject.email.clone().ok_or_else(|| {
            Error::invalid(
                "subject",
                format!("{} has no e-mail address; print the export and post it", export.subject.id),
            )
        })?;
        mailer.send(&export_message(export, &to, attachment))?;
        Ok(to)
    }
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
    Message { to: to.to_owned(), subject, body, attachments: vec![attachment] }
}
