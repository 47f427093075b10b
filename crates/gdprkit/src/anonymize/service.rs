//! Erasing a subject (rules A3 to A5, section 4): the CRM's rows by the data map, then what
//! gdprkit keeps itself, with a ledger entry saying what was erased and when.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::map::OnErasure;
use super::operators::random_salt;
use super::plan::{EntityAction, Plan};
use crate::consent::{ConsentEvent, NewConsent, Proof};
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::journal::JournalKind;
use crate::raw::bodies::{DetailsErasedBody, ErasedEntity, ErasureBody};
use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues, body_json};
use crate::raw::store::{Append, Effect};
use crate::request::kind::RequestKind;
use crate::request::machine::RequestState;
use crate::request::record::{Kept, RefusalCode, RequestId};
use crate::request::service::{Step, StepOutcome};
use crate::suppression::{KeyedIdentifier, SuppressionEntry, keep_until};
use crate::time;

/// What an erasure did, or would do in a dry run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasureReport {
    /// The plan: every row and field changed, deleted or retained, per entity.
    pub plan: Plan,
    /// Whether it was applied (false for a dry run).
    pub applied: bool,
    /// Ledger entries whose personal values and salts were erased.
    pub ledger_entries_erased: u64,
    /// Denials (opt-outs, withdrawals, objections) carried over the erasure, so that the subject
    /// is still not contacted against their will (A6: an objection is kept, minimally).
    pub denials_kept: usize,
    /// Entries added to the suppression list: one per denial of direct marketing and per keyed
    /// hash of the subject's e-mail address and phone number (rule C9).
    #[serde(default)]
    pub suppressed: usize,
    /// What went wrong after the erasure was committed, which does not undo it but needs doing
    /// again (the erasure journal could not be written, the database's log could not be
    /// cleared of the old values): each says what to do.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Gdpr {
    /// Erases a subject: applies the data map's plan to the CRM's rows in one transaction, then
    /// erases the personal values and salts of the subject's ledger entries, its e-mail address
    /// and the free text of its requests, keeps its current denials as fresh minimal entries, keeps
    /// its denials of direct marketing on the suppression list under keyed hashes of its e-mail
    /// address and phone number (rule C9), and records what was erased. With `dry_run`, only
    /// builds the plan and changes nothing.
    ///
    /// A subject who opted out of or objected to direct marketing, and has an address or number,
    /// is erased only with the tenant's HMAC key configured, so that the denial outlives the
    /// erasure: without it, nothing is changed and a `config` error says so.
    pub fn erase_subject(&self, subject: &SubjectId, dry_run: bool) -> Result<ErasureReport> {
        let _span = tracing::info_span!("erase", tenant = %self.tenant(), dry_run).entered();
        let registered = self.subject(subject)?;
        let regime = registered.regime;
        let (data, map) = self.crm_data()?;
        let salt = random_salt()?;
        let plan = Plan::build(map, subject, data, self.secrets(&salt))?;
        if dry_run {
            return Ok(ErasureReport {
                plan,
                applied: false,
                ledger_entries_erased: 0,
                denials_kept: 0,
                suppressed: 0,
                warnings: Vec::new(),
            });
        }
        // A denial of direct marketing outlives the erasure on the suppression list, which needs
        // the HMAC key: checked before anything changes, and again with the denials the erasure
        // finally reads.
        let keys = self.identifier_keys(registered.email.as_deref(), registered.phone.as_deref())?;
        if keys.is_none() && !self.marketing_denials(current_denials(self.history(subject)?))?.is_empty() {
            return Err(no_key_for_suppression(subject));
        }
        data.apply(&plan)?;
        // The store's part, in one append. Another writer may add an entry about the subject
        // between reading its entries and appending: the store then refuses, and it is done again.
        let mut tries = 0;
        let (ledger_entries_erased, denials_kept, suppressed, now) = loop {
            tries += 1;
            match self.store_erasure(subject, regime, &plan, &keys) {
                Err(Error::SubjectChanged(_)) if tries < 5 => continue,
                other => break other?,
            }
        };
        let mut warnings = Vec::new();
        if let Err(e) = self.journal(JournalKind::Erasure, Some(subject), now) {
            warnings.push(e.to_string());
        }
        if let Err(e) = data.erasure_done(subject).and_then(|()| data.scrub()) {
            warnings.push(format!(
                "the erasure of {subject} is committed, but the CRM database's log still holds the old values and \
                 could not be cleared ({e}); erase {subject} again to clear it"
            ));
        }
        tracing::info!(
            tenant = %self.tenant(),
            crm_rows = plan.rows_touched(),
            ledger_entries_erased,
            denials_kept,
            suppressed,
            warnings = warnings.len(),
            "subject erased"
        );
        Ok(ErasureReport { plan, applied: true, ledger_entries_erased, denials_kept, suppressed, warnings })
    }

    /// The denials among `denials` that are of direct marketing: of all of it, or of a purpose
    /// that is.
    fn marketing_denials(&self, denials: Vec<ConsentEvent>) -> Result<Vec<ConsentEvent>> {
        let mut out = Vec::new();
        for d in denials {
            let marketing = match &d.purpose {
                None => true,
                Some(p) => self.purpose(p)?.direct_marketing,
            };
            if marketing {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// gdprkit's part of an erasure, in one append: returns how many entries it erased, how many
    /// denials it carried over, how many suppression entries it kept under `keys`, and its
    /// instant.
    fn store_erasure(
        &self,
        subject: &SubjectId,
        regime: crate::Regime,
        plan: &Plan,
        keys: &Option<Vec<KeyedIdentifier>>,
    ) -> Result<(u64, usize, usize, chrono::DateTime<chrono::Utc>)> {
        let denials = current_denials(self.history(subject)?);
        let now = self.now();
        let mut suppress = Vec::new();
        let marketing = self.marketing_denials(denials.clone())?;
        let keys = match keys {
            Some(keys) => keys.as_slice(),
            // A denial recorded since the check above: the erasure waits for the key.
            None if !marketing.is_empty() => return Err(no_key_for_suppression(subject)),
            None => &[],
        };
        for d in marketing {
            for (identifier, key) in keys {
                suppress.push(SuppressionEntry {
                    key: *key,
                    identifier: *identifier,
                    purpose: d.purpose.clone(),
                    channel: d.channel.clone(),
                    action: d.action,
                    denied_at: d.occurred_at,
                    erased_at: now,
                    keep_until: keep_until(now),
                });
            }
        }
        let suppressed = suppress.len();
        // The entries whose values the erasure removes: every entry about the subject so far.
        let mut erased_entries = Vec::new();
        self.store().subject_entries(self.tenant(), subject, &mut |e| {
            erased_entries.push(e.seq);
            Ok(())
        })?;
        let ledger_entries_erased = erased_entries.len() as u64;

        let mut appends = Vec::new();
        for mut request in self.store().subject_requests(self.tenant(), subject)? {
            let expected = request.state;
            let had_text = request.awaiting.is_some() || !request.public_notes.is_empty();
            request.awaiting = None;
            request.public_notes.clear();
            if let Some(e) = request.extension.as_mut() {
                e.reason = "[erased]".into();
            }
            if had_text || request.extension.is_some() {
                let body = DetailsErasedBody {
                    recorded_at: time::format(now),
                    request: request.id.as_str(),
                    action: "details_erased",
                };
                let entry = NewEntry::about(
                    EntryKind::Request,
                    subject.clone(),
                    None,
                    body_json(&body)?,
                    PersonalValues::new(),
                )?;
                appends.push((entry, Effect::UpdateRequest { expected, request }));
            }
        }
        // One append, one transaction: the erasure entry first, whose effect erases the values
        // of every entry before it, then the requests' erased details and the denials carried
        // over, which keep the subject's id so that decisions still find them.
        let denials_kept = denials.len();
        let body = ErasureBody {
            recorded_at: time::format(now),
            entities: plan
                .entities
                .iter()
                .map(|e| {
                    let (action, rows) = match &e.action {
                        EntityAction::Anonymize { rows } => ("anonymize", rows.len()),
                        EntityAction::Delete { rows } => ("delete", rows.len()),
                        EntityAction::Retain { rows, .. } => ("retain", *rows),
                    };
                    ErasedEntity { entity: &e.entity, action, rows, outcome: e.outcome }
                })
                .collect(),
            ledger_entries_erased,
            denials_kept,
            entries: &erased_entries,
            regime,
            suppressed,
        };
        let entry =
            NewEntry::about(EntryKind::Erasure, subject.clone(), None, body_json(&body)?, PersonalValues::new())?;
        let mut all = vec![Append {
            entry,
            effect: Some(Effect::EraseSubject { subject: subject.clone(), entries: erased_entries.clone(), suppress }),
        }];
        all.extend(appends.into_iter().map(|(entry, effect)| Append { entry, effect: Some(effect) }));
        for event in denials {
            let carried = NewConsent {
                subject: subject.clone(),
                action: event.action,
                purpose: event.purpose,
                channel: event.channel,
                occurred_at: Some(event.occurred_at),
                proof: Proof::default(),
                information: None,
            };
            let (append, _) =
                self.prepare_consent(carried, now, Some(event.seq), &mut HashSet::new(), &mut HashSet::new())?;
            all.push(append);
        }
        self.store().append(self.tenant(), &all)?;
        Ok((ledger_entries_erased, denials_kept, suppressed, now))
    }
}

impl Gdpr {
    /// Finishes the erasures that a crash interrupted after the CRM's rows were changed and
    /// before gdprkit's own records were (see [`crate::CrmData::apply`]): each such subject is erased
    /// again, which changes nothing more in the CRM's rows and erases gdprkit's records. Returns
    /// the subjects. [`crate::GdprBuilder::build`] calls it when the CRM's tables are configured.
    pub fn finish_interrupted_erasures(&self) -> Result<Vec<SubjectId>> {
        let _span = tracing::info_span!("finish_interrupted_erasures", tenant = %self.tenant()).entered();
        let (data, _) = self.crm_data()?;
        let mut finished = Vec::new();
        for subject in data.pending_erasures()? {
            // A subject this store does not know was erased from the CRM's rows only (an erasure
            // re-applied after a restore) or belongs to another store: left for that one.
            if self.store().subject(self.tenant(), &subject)?.is_some() {
                self.erase_subject(&subject, false)?;
                finished.push(subject);
            }
        }
        Ok(finished)
    }
}

/// The error of an erasure that would lose a denial of direct marketing for want of the key
/// that keeps it on the suppression list (rule C9).
fn no_key_for_suppression(subject: &SubjectId) -> Error {
    Error::config(
        "hmac_key",
        format!(
            "{subject} opted out of or objected to direct marketing; keeping that denial past the erasure, on the \
             suppression list (rule C9), needs the HMAC key: set hmac_key (GDPRKIT_HMAC_KEY)"
        ),
    )
}

/// What the data map covers, once checked against the CRM's live schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapCheck {
    /// How many entities it declares.
    pub entities: usize,
    /// How many fields, with their operators, across them.
    pub fields: usize,
    /// What keeps an anonymized entity's rows only pseudonymized after an erasure, per entity:
    /// columns the map does not name, fields with no kind, identifiers kept, hashed or masked
    /// (rule A3). The map works; these are what an erasure report will say.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Gdpr {
    /// Checks the configured data map against the CRM's live schema again (the builder checked
    /// it once): every table and column exists, with a type that fits its operator (rule A1);
    /// says what would leave an anonymized entity pseudonymized (rule A3); and names, for each
    /// language exports are written in (French and English), the categories, entities and
    /// columns an export would show by the CRM's own name for want of a label (Art. 12(1)).
    pub fn check_map(&self) -> Result<MapCheck> {
        let (crm, map) = self.crm_data()?;
        crm.check(map)?;
        let mut warnings = Vec::new();
        // E1: an export names the retention of every processing that applies to the person.
        for p in self.purposes()? {
            let described = map.processing.iter().find(|d| d.purpose == p.id.as_str());
            if p.legal_basis == crate::LegalBasis::LegitimateInterests
                && described.is_some_and(|d| d.legitimate_interest.is_none())
            {
                warnings.push(format!(
                    "purpose {} rests on legitimate interests and its [[processing]] does not say which interest is \
                     pursued (legitimate_interest): the information notice and the export say \"not stated\" \
                     (Art. 13(1)(d))",
                    p.id
                ));
            }
            if described.is_none() {
                warnings.push(format!(
                    "purpose {} has no [[processing]]: the export of anyone it applies to is refused until the map \
                     says how long their data are kept",
                    p.id
                ));
            }
        }
        // Art. 12(1): what each processing says, in each language exports are written in.
        for d in &map.processing {
            for (key, text) in d.texts() {
                let Some(super::label::Label::PerLanguage(by)) = text else { continue };
                let missing: Vec<&str> =
                    crate::Language::ALL.iter().filter(|l| !by.contains_key(l)).map(|l| l.as_str()).collect();
                if !missing.is_empty() {
                    warnings.push(format!(
                        "processing {:?}: `{key}` has no wording in {}: exports in it show another language's",
                        d.purpose,
                        missing.join(", ")
                    ));
                }
            }
        }
        let anonymized = |e: &&super::map::Entity| {
            e.on_erasure == super::map::OnErasure::Anonymize
                || e.retention.as_ref().is_some_and(|r| r.then == super::map::EndAction::Anonymize)
        };
        for entity in map.entities.iter().filter(anonymized) {
            let (_, why) = super::verdict::verdict(entity, &crm.columns(entity)?);
            warnings.extend(why.into_iter().map(|w| format!("entity {:?}: {w}", entity.name)));
        }
        let columns = map.entities.iter().map(|e| crm.columns(e)).collect::<Result<Vec<_>>>()?;
        warnings.extend(super::label::unlabelled(map, &columns));
        for name in map.categories.keys().filter(|c| !map.entities.iter().any(|e| &e.category == *c)) {
            warnings.push(format!("[categories] labels {name:?}, which no entity has as its category"));
        }
        Ok(MapCheck {
            entities: map.entities.len(),
            fields: map.entities.iter().map(|e| e.fields.len()).sum(),
            warnings,
        })
    }
}

/// An erasure request carried out: the erasure's report and the completed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutedRequest {
    /// What the erasure did.
    pub report: ErasureReport,
    /// The completed request, with its completion notice and recipient tasks created.
    pub outcome: StepOutcome,
}

impl Gdpr {
    /// Carries out an accepted `erasure` or `anonymization` request: starts it, erases the
    /// subject by the data map, and completes it, which creates one task per recipient and sends
    /// the completion notice to the address the subject had before the erasure.
    pub fn execute_request(&self, id: &RequestId, actor: &str) -> Result<ExecutedRequest> {
        let _span = tracing::info_span!("execute_request", tenant = %self.tenant(), request = %id).entered();
        let request = self.request(id)?;
        if !matches!(request.kind, RequestKind::Erasure | RequestKind::Anonymization) {
            return Err(Error::state(
                "request",
                format!(
                    "a {} request is not carried out with a data map; only erasure and anonymization are",
                    request.kind
                ),
            ));
        }
        // What the map retains is kept in part, and the completion says so (R5): checked before
        // anything is erased, so that a completion refused afterwards cannot strand the request.
        let retained = retained_parts(self.crm_data()?.1);
        for part in &retained {
            crate::text::check_text("kept", &part.what, crate::request::record::MAX_KEPT_BYTES)?;
            part.code.check(&request)?;
        }
        if request.state == RequestState::Accepted {
            self.act(id, Step::Start, actor)?;
        } else if request.state != RequestState::InProgress {
            return Err(Error::state(
                "request",
                format!("a request that is {} cannot be carried out; accept it first", request.state),
            ));
        }
        let contact = self.subject(&request.subject)?;
        let report = self.erase_subject(&request.subject, false)?;
        let kept: Vec<Kept> =
            retained
                .into_iter()
                .filter(|k| {
                    report.plan.entities.iter().any(|e| {
                        e.entity == k.what && matches!(e.action, EntityAction::Retain { rows, .. } if rows > 0)
                    })
                })
                .collect();
        let step = if kept.is_empty() { Step::Complete } else { Step::CompleteKeeping { kept } };
        let outcome = self.act_inner(id, step, actor, None, Some(&contact), Vec::new())?;
        Ok(ExecutedRequest { report, outcome })
    }
}

/// The entities the data map retains on erasure, as parts kept (R5): the map's reason read as a
/// refusal code (`legal-obligation` is `legal_obligation`; a reason that is no code is `other`),
/// with the map's period.
fn retained_parts(map: &crate::anonymize::map::DataMap) -> Vec<Kept> {
    map.entities
        .iter()
        .filter_map(|m| match &m.on_erasure {
            OnErasure::Retain { reason, period } => Some(Kept {
                what: m.name.clone(),
                code: reason.replace('-', "_").parse().unwrap_or(RefusalCode::Other),
                period: Some(*period),
            }),
            _ => None,
        })
        .collect()
}

/// The latest decisive event per scope, where it denies contact.
fn current_denials(history: Vec<ConsentEvent>) -> Vec<ConsentEvent> {
    // History is ordered by (occurred_at, seq): the last decisive event per scope wins.
    let mut latest: BTreeMap<(Option<String>, Option<String>), ConsentEvent> = BTreeMap::new();
    for e in history.into_iter().filter(|e| e.action.is_decisive()) {
        let scope = (e.purpose.as_ref().map(|p| p.to_string()), e.channel.as_ref().map(|c| c.to_string()));
        latest.insert(scope, e);
    }
    latest.into_values().filter(|e| !e.action.allows()).collect()
}
