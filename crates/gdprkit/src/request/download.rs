//! The copy of an access or portability request downloaded by the person from the portal (E3):
//! staff offer it for a limited time, the person downloads the PDF or the JSON with their
//! tracking token, and the first download is the delivery that completes the request.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::export::json::to_json;
use crate::facade::Gdpr;
use crate::raw::ledger::PersonalValues;
use crate::raw::store::{Append, Effect};
use crate::request::by_subject::SUBJECT_ACTOR;
use crate::request::machine::RequestState;
use crate::request::notice::{NoticeDetails, NoticeKind};
use crate::request::record::{CopyDelivery, RequestId};
use crate::request::service::{MAX_ACTOR_BYTES, Step, StepOutcome};
use crate::text::check_text;

/// Days a copy stays downloadable unless the integrator sets another number.
pub const DEFAULT_DOWNLOAD_DAYS: u32 = 7;
/// The most days a copy may stay downloadable: a copy of personal data is not left out longer.
pub const MAX_DOWNLOAD_DAYS: u32 = 90;

/// The format of a copy to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyFormat {
    /// The PDF, to read and print (E2).
    Pdf,
    /// The JSON, for portability (E2, Art. 20).
    Json,
}

/// A copy downloaded by the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedCopy {
    /// The name to save it under.
    pub filename: String,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Whether this download completed the request (the first one does).
    pub completed: bool,
}

impl Gdpr {
    /// Offers the copy of an access or portability request in progress for download on the
    /// portal, for the configured number of days ([`crate::GdprBuilder::download_days`]), and
    /// tells the person (a `copy_ready` notice). The request stays in progress: it is completed
    /// when the person first downloads the copy (E3), or as staff complete it otherwise. Offering
    /// again starts the time over.
    pub fn offer_download(&self, id: &RequestId, actor: &str) -> Result<StepOutcome> {
        check_text("actor", actor, MAX_ACTOR_BYTES)?;
        let before = self.request(id)?;
        if !before.kind.carries_a_copy() {
            return Err(Error::state("action", format!("a {} request carries no copy to download", before.kind)));
        }
        if before.state != RequestState::InProgress {
            return Err(Error::state(
                "action",
                format!("a copy is offered for a request in progress, and this one is {}", before.state),
            ));
        }
        let now = self.now();
        let until = now + TimeDelta::days(i64::from(self.parts.download_days));
        let mut after = before.clone();
        after.download_until = Some(until);
        let mut personal = PersonalValues::new();
        personal.add(crate::raw::bodies::value::ACTOR, actor)?;
        let entry = self.request_entry(&after, "offer_download", Some(before.state), now, &personal)?;
        let mut appends = vec![Append {
            entry,
            effect: Some(Effect::UpdateRequest { expected: before.state, request: after.clone() }),
        }];
        let details = NoticeDetails { token: None, reason: None, on: Some(self.parts.zone.local_date(until)) };
        let mut prepared = self.prepare_notice(NoticeKind::CopyReady, &after, details, None, Vec::new(), now)?;
        let queued = prepared.queue_into(&mut appends);
        let seqs = self.store().append(self.tenant(), &appends)?;
        let notice = self.send_notice(prepared.notice, queued, &seqs);
        Ok(StepOutcome { request: after, notice: Some(notice) })
    }

    /// The copy of the request `token` tracks, in `format`, while it is offered for download;
    /// `None` for a token that matches no request, or whose request has no copy offered or no
    /// longer (one answer for all). The first download completes a request still in progress,
    /// recorded as delivered by download on that day (E3), as the person (actor `subject`).
    pub fn download_copy(&self, token: &str, format: CopyFormat) -> Result<Option<DownloadedCopy>> {
        let Some(request) = self.request_tracked_by(token)? else { return Ok(None) };
        let now = self.now();
        // A request refused or withdrawn since the copy was offered hands nothing over.
        let open = matches!(request.state, RequestState::InProgress | RequestState::Completed);
        if !open || request.download_until.is_none_or(|until| until <= now) {
            return Ok(None);
        }
        let export = self.export(&request.subject, None)?;
        let day = self.parts.zone.local_date(now);
        let (filename, content_type, bytes) = match format {
            CopyFormat::Pdf => (format!("personal-data-{day}.pdf"), "application/pdf", self.render_pdf(&export)?),
            CopyFormat::Json => (format!("personal-data-{day}.json"), "application/json", to_json(&export)?),
        };
        let mut completed = false;
        if request.state == RequestState::InProgress {
            let step = Step::CompleteHandedOver { by: CopyDelivery::Download, on: day };
            match self.act(&request.id, step, SUBJECT_ACTOR) {
                Ok(_) => completed = true,
                // Downloaded meanwhile by another call (the PDF and the JSON at once), which
                // completed it: this copy is delivered all the same.
                Err(Error::RequestChanged(_)) => {}
                Err(e) if self.request(&request.id)?.state == RequestState::Completed => drop(e),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(DownloadedCopy { filename, content_type: content_type.to_owned(), bytes, completed }))
    }
}
