//! Gathering an export (rule E1): the CRM's rows through the data map and the subject-data
//! adapter, the consent history, the requests, the disclosures and the processing information.

use crate::applies::applied;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::subject::Language;

use super::consent_records::{ConsentRecordLd, RecordContext, record};
use super::model::{
    Category, ColumnInfo, ConsentRecord, ControllerInfo, CrmEvent, DisclosureRecord, EntityInfo, EntityRecords, Export,
    FORMAT, Note, ProcessingRecord, RequestRecord, Right, SubjectInfo, VERSION,
};

impl Gdpr {
    /// Everything held on `subject`: their rows in every entity of the data map (read through the
    /// CRM's data, with every column), grouped by category, with the entities the map marks as events listed
    /// by date; their consent history; their requests; to whom their data went; what is done with
    /// the data for each purpose that applies to them ([`crate::applies`]), with its retention,
    /// automated decision-making and transfers; and their rights. Written in `language`, else the
    /// subject's, else French.
    ///
    /// A `[[processing]]` entry of the map that names a purpose not registered is refused: the
    /// person would be told of a processing the ledger does not know.
    pub fn export(&self, subject: &SubjectId, language: Option<Language>) -> Result<Export> {
        let controller = &self.parts.controller;
        let person = self.subject(subject)?;
        let language = language.or(person.language).unwrap_or(Language::Fr);
        let (data, map) = self.crm_data()?;
        if !controller.is_named() {
            return Err(Error::config(
                "controller",
                "an export tells the person who holds their data (Art. 15(1)): give the controller's name in the \
                 configuration's [controller]",
            ));
        }
        let purposes = self.purposes()?;
        if let Some(p) = map.processing.iter().find(|p| !purposes.iter().any(|r| r.id.as_str() == p.purpose)) {
            return Err(Error::invalid(
                "data_map",
                format!("processing {:?} names a purpose that is not registered", p.purpose),
            ));
        }

        let mut categories: Vec<Category> = Vec::new();
        let mut events = Vec::new();
        let mut entities = Vec::with_capacity(map.entities.len());
        for entity in &map.entities {
            let records = data.records(entity, subject)?;
            entities.push(entity_info(entity, &data.columns(entity)?, records.first(), language));
            if let Some(column) = &entity.event_at {
                for record in records {
                    let at = record.0.iter().find(|(c, _)| c == column.as_str()).and_then(|(_, v)| v.as_text());
                    events.push(CrmEvent {
                        entity: entity.name.clone(),
                        category: entity.category.clone(),
                        at,
                        record,
                    });
                }
                continue;
            }
            let rows = EntityRecords { entity: entity.name.clone(), records };
            match categories.iter_mut().find(|c| c.name == entity.category) {
                Some(c) => c.entities.push(rows),
                None => categories.push(Category {
                    name: entity.category.clone(),
                    label: map.categories.get(&entity.category).and_then(|l| l.get(language)).map(str::to_owned),
                    entities: vec![rows],
                }),
            }
        }
        // Oldest first; events without a date last, in the map's order.
        events.sort_by(|a, b| match (&a.at, &b.at) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });

        // One read of the subject's entries: the consent history, and the information given.
        let mut information = crate::information::status::Tracker::default();
        let history = self.history_visiting(subject, &mut |e| information.add(e))?;
        let consents: Vec<ConsentRecord> = history.iter().cloned().map(consent_record).collect();

        let requests = self
            .store()
            .subject_requests(self.tenant(), subject)?
            .into_iter()
            .map(|r| RequestRecord {
                id: r.id.as_str().to_owned(),
                kind: r.kind.as_str().into(),
                received_via: r.via.as_str().into(),
                received_at: r.received_at,
                state: r.state.as_str().into(),
                due: r.due,
                extended: r.extension.is_some(),
                refusal: r.refusal.map(|c| c.as_str().to_owned()),
                closed_at: r.closed_at,
                notes: r.public_notes.into_iter().map(|n| Note { at: n.at, text: n.text }).collect(),
            })
            .collect();

        // Only the processing that applies to the person (E1), each with its retention.
        let held: Vec<String> = categories
            .iter()
            .filter(|c| c.entities.iter().any(|e| !e.records.is_empty()))
            .map(|c| c.name.clone())
            .chain(events.iter().map(|e| e.category.clone()))
            .collect();
        let mut processing = Vec::new();
        let purposes_described = purposes.clone();
        for applied in applied(&person, purposes, &history, Some(map), &held) {
            let p = applied.purpose;
            let Some(described) = map.processing.iter().find(|d| d.purpose == p.id.as_str()) else {
                return Err(Error::invalid(
                    "data_map",
                    format!(
                        "purpose {} applies to {subject}, and the data map describes no [[processing]] for it: the \
                         person is told how long their data are kept (Art. 15(1)(d)); add one with its retention",
                        p.id
                    ),
                ));
            };
            processing.push(processing_record(&p, described, language));
        }

        let disclosures = self
            .disclosures(subject)?
            .into_iter()
            .map(|d| DisclosureRecord { recipient: d.recipient, disclosed_at: d.disclosed_at })
            .collect();

        let consent_records = self.records_of(subject, &consents, &purposes_described)?;
        let information = information.record();
        Ok(Export {
            format: FORMAT.into(),
            version: VERSION,
            generated_at: self.now(),
            language: language.as_str().into(),
            time_zone: Some(self.parts.zone.name().to_owned()),
            controller: ControllerInfo {
                name: controller.name.clone(),
                authority: controller.authority.clone(),
                address: controller.address.clone(),
                dpo: controller.dpo.clone(),
            },
            subject: SubjectInfo {
                id: person.id.as_str().to_owned(),
                regime: person.regime.as_str().into(),
                email: person.email,
                language: person.language.map(|l| l.as_str().to_owned()),
                registered_at: person.registered_at,
            },
            categories,
            events,
            consents,
            requests,
            processing,
            disclosures,
            rights: Right::all(),
            entities,
            consent_records,
            information,
        })
    }

    /// Every consent event of `subject`, oldest first, as a consent record in the structure of
    /// ISO/IEC TS 27560, serialized as JSON-LD with W3C DPV terms (`docs/consent-records.md`):
    /// the same records the JSON export carries, for a receipt.
    ///
    /// A record names the controller: without a configured controller name this is a `config`
    /// error naming `controller`.
    pub fn consent_receipt(&self, subject: &SubjectId) -> Result<Vec<ConsentRecordLd>> {
        if !self.parts.controller.is_named() {
            return Err(Error::config(
                "controller",
                "a consent record names the controller (ISO/IEC TS 27560): give its name in the configuration's \
                 [controller]",
            ));
        }
        // The history refuses a subject gdprkit does not know.
        let consents: Vec<ConsentRecord> = self.history(subject)?.into_iter().map(consent_record).collect();
        let purposes = self.purposes()?;
        self.records_of(subject, &consents, &purposes)
    }

    fn records_of(
        &self,
        subject: &SubjectId,
        consents: &[ConsentRecord],
        purposes: &[crate::Purpose],
    ) -> Result<Vec<ConsentRecordLd>> {
        let described = |id: &str| {
            purposes.iter().find(|p| p.id.as_str() == id).map(|p| (p.label.clone(), p.legal_basis.as_str().to_owned()))
        };
        let cx = RecordContext {
            tenant: self.tenant().as_str(),
            controller: &self.parts.controller.name,
            subject: subject.as_str(),
            purpose: &described,
        };
        Ok(consents.iter().map(|c| record(c, &cx)).collect())
    }
}

/// A consent event as the export lists it.
fn consent_record(e: crate::consent::ConsentEvent) -> ConsentRecord {
    ConsentRecord {
        seq: e.seq,
        action: e.action.as_str().into(),
        purpose: e.purpose.map(|p| p.as_str().to_owned()),
        channel: e.channel.map(|c| c.as_str().to_owned()),
        occurred_at: e.occurred_at,
        recorded_at: e.recorded_at,
        source: e.proof.source.map(|s| s.as_str().to_owned()),
        collected_by: e.proof.collected_by.map(|c| match c.name() {
            Some(name) => format!("{} ({name})", c.kind()),
            None => c.kind().to_owned(),
        }),
        notice_version: e.proof.notice_version,
        notice_sha256: e.proof.notice_sha256,
        ip: e.proof.ip,
        user_agent: e.proof.user_agent,
        proof_ref: e.proof.proof_ref,
    }
}

/// The entity's label and its columns' in `language`, the columns read from `first` (every row
/// of an entity has the same). A column is technical when the map says so, when it links the row
/// to the subject, or when it is the key naming the rows (absent from `named`, the columns but
/// the key).
fn entity_info(
    entity: &crate::anonymize::map::Entity,
    named: &[String],
    first: Option<&super::model::Record>,
    language: Language,
) -> EntityInfo {
    let columns = first
        .map(|r| {
            r.0.iter()
                .map(|(column, _)| ColumnInfo {
                    column: column.clone(),
                    label: entity
                        .labels
                        .iter()
                        .find(|(c, _)| c.as_str() == column)
                        .and_then(|(_, l)| l.get(language))
                        .map(str::to_owned),
                    technical: entity.is_technical(column) || !named.contains(column),
                    currency: entity
                        .currencies
                        .iter()
                        .find(|(c, _)| c.as_str() == column)
                        .map(|(_, currency)| currency.clone()),
                    boolean: entity.booleans.iter().any(|c| c.as_str() == column),
                })
                .collect()
        })
        .unwrap_or_default();
    EntityInfo {
        entity: entity.name.clone(),
        label: entity.label.as_ref().and_then(|l| l.get(language)).map(str::to_owned),
        columns,
    }
}

/// What an export (and an information notice) says of `purpose`, from the data map's
/// `described` processing for it.
pub(crate) fn processing_record(
    p: &crate::Purpose,
    described: &crate::anonymize::map::Processing,
    language: Language,
) -> ProcessingRecord {
    let text = |l: &Option<crate::anonymize::label::Label>| l.as_ref().map(|l| l.get_or_any(language).to_owned());
    ProcessingRecord {
        purpose: p.id.as_str().to_owned(),
        label: described.label.as_ref().map_or_else(|| p.label.clone(), |l| l.get_or_any(language).to_owned()),
        legal_basis: p.legal_basis.as_str().into(),
        direct_marketing: p.direct_marketing,
        categories: described.categories.clone(),
        recipients: described.recipients.clone(),
        retention: Some(described.retention.get_or_any(language).to_owned()),
        source: text(&described.source),
        automated_decision: text(&described.automated_decision),
        transfers: described.transfers.clone(),
        legitimate_interest: text(&described.legitimate_interest),
        requirement: text(&described.requirement),
    }
}
