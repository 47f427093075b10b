//! A campaign's filter over every subject of a tenant, streamed page by page so that memory stays
//! bounded by the page whatever the number of subjects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decision::Decision;
use crate::error::{Error, Result};
use crate::facade::{Gdpr, Objections, Question};
use crate::ids::{Channel, PurposeId, SubjectId};
use crate::time;

/// The most subjects a page may hold.
pub const MAX_PAGE: usize = 100_000;

/// What a campaign's walk decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// Subjects decided.
    pub subjects: u64,
    /// Of those, the subjects that may be contacted.
    pub allowed: u64,
}

impl Gdpr {
    /// The decision for every subject of the tenant, for `purpose` on `channel` at `at` (now by
    /// default, the same instant for all), the same as [`Gdpr::decide_many`] would give each.
    /// Subjects are read and decided `page` at a time (1 to [`MAX_PAGE`]), in the store's order
    /// of ids, and `visit` gets each page's decisions; an error it returns stops the walk there
    /// and is returned. At most one page of ids and decisions is held at once.
    pub fn campaign(
        &self,
        purpose: &PurposeId,
        channel: &Channel,
        at: Option<DateTime<Utc>>,
        page: usize,
        visit: &mut dyn FnMut(&[Decision]) -> Result<()>,
    ) -> Result<CampaignReport> {
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(Error::invalid("page", format!("{page} is not between 1 and {MAX_PAGE}")));
        }
        let purpose = self.purpose(purpose)?;
        let kind = self.channel_kind(channel)?;
        let at = at.map_or_else(|| self.now(), time::truncate);
        let _span = tracing::info_span!("campaign", tenant = %self.tenant(), purpose = %purpose.id).entered();
        // Objections being assessed (R11) are requests, few beside the subjects: read once.
        let requests =
            if purpose.objectable_on_situation() { self.store().requests(self.tenant())? } else { Vec::new() };
        let question = Question { purpose: &purpose, kind, channel, at, objections: &Objections::of(&requests) };
        let scopes = question.scopes();
        let mut report = CampaignReport::default();
        let mut after: Option<SubjectId> = None;
        // One buffer for every page's decisions.
        let mut decisions: Vec<Decision> = Vec::new();
        loop {
            let subjects = self.store().decision_page(self.tenant(), after.as_ref(), page, &scopes, at)?;
            let Some(last) = subjects.last().map(|(id, _)| id.clone()) else { break };
            let full = subjects.len() == page;
            decisions.clear();
            for (id, facts) in subjects {
                // A subject erased since its id was read is gone from the page.
                decisions.extend(self.decide_one(&question, id, facts)?);
            }
            report.subjects += decisions.len() as u64;
            report.allowed += decisions.iter().filter(|d| d.allowed).count() as u64;
            visit(&decisions)?;
            if !full {
                break;
            }
            after = Some(last);
        }
        tracing::info!(tenant = %self.tenant(), subjects = report.subjects, allowed = report.allowed, "campaign decided");
        Ok(report)
    }
}
