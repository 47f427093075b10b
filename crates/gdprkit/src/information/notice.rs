//! The right to information (Arts. 13 and 14, rule I1): the notice a person is given, built from
//! the same processing records the Art. 15 export shows ([`crate::export::model::ProcessingRecord`],
//! read from the registered purposes and the data map's `[[processing]]`) and from the
//! controller's settings, so that the notice and the export never disagree. Written as plain
//! text and as HTML, in French or English; each distinct text has a version and a SHA-256.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::export::model::ProcessingRecord;
use crate::facade::Gdpr;
use crate::ids::SubjectId;
use crate::subject::Language;

use super::document::{NoticeBlock, NoticeDocument};

/// An information notice, ready to give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationNotice {
    /// Its language: `fr` or `en`.
    pub language: String,
    /// Its version: `notice-` and the first 12 hex digits of its text's SHA-256, so that the
    /// same text always has the same version and another text another one.
    pub version: String,
    /// The SHA-256 of [`InformationNotice::text`], in hex (rule I4 records it).
    pub sha256: String,
    /// The notice as plain text, for an e-mail or a letter.
    pub text: String,
    /// The same notice as HTML, every value escaped.
    pub html: String,
}

impl Gdpr {
    /// The information notice (rule I1): who the controller is and how to reach it and its DPO,
    /// each purpose with its legal basis (and the legitimate interest pursued where that is the
    /// basis), the recipients, transfers with their safeguard, how long data are kept, whether
    /// providing them is required, automated decision-making, and where the data did not come
    /// from the person their categories and source (Art. 14); then the rights.
    ///
    /// For `subject`, the processing that applies to them, exactly as their export lists it (and
    /// every purpose the data map describes while none applies yet, as for a prospect just
    /// imported); for `None`, every purpose the data map describes. Written in `language`, else the subject's,
    /// else French. Needs a named controller (`config` error naming `controller`).
    pub fn information_notice(
        &self,
        subject: Option<&SubjectId>,
        language: Option<Language>,
    ) -> Result<InformationNotice> {
        Ok(self.notice_document(subject, language)?.notice())
    }

    /// The same notice as a PDF/A, from the configured renderer, to print and post; with the
    /// notice itself, whose version and SHA-256 [`Gdpr::inform`] records.
    pub fn information_notice_pdf(
        &self,
        subject: Option<&SubjectId>,
        language: Option<Language>,
    ) -> Result<(InformationNotice, Vec<u8>)> {
        let document = self.notice_document(subject, language)?;
        let renderer = self.parts.renderer.as_ref().ok_or_else(|| {
            Error::config(
                "renderer",
                "a notice as PDF needs a renderer, and none is configured: set pdf (or give the builder gdprkit-pdf's renderer)",
            )
        })?;
        let notice = document.notice();
        let pdf = renderer.render_notice_pdf(&document, &notice, self.now())?;
        Ok((notice, pdf))
    }

    /// The notice's parts, in order.
    fn notice_document(&self, subject: Option<&SubjectId>, language: Option<Language>) -> Result<NoticeDocument> {
        let controller = self.controller();
        if !controller.is_named() {
            return Err(Error::config(
                "controller",
                "an information notice says who the controller is (Art. 13(1)(a)): give its name in the \
                 configuration's [controller]",
            ));
        }
        let (processing, language, origin) = match subject {
            Some(s) => {
                let export = self.export(s, language)?;
                let language = Language::from_name(&export.language).unwrap_or(Language::Fr);
                // Nothing applies yet (a prospect just imported, of whom the CRM holds nothing):
                // the person is told every purpose their data may be used for (Art. 14(1)(c)).
                let processing =
                    if export.processing.is_empty() { self.all_processing(language)? } else { export.processing };
                (processing, language, Some(export.information))
            }
            None => {
                let language = language.unwrap_or(Language::Fr);
                (self.all_processing(language)?, language, None)
            }
        };
        let english = language == Language::En;
        let w = if english { &EN } else { &FR };
        let mut blocks: Vec<NoticeBlock> = Vec::new();
        let mut who = vec![controller.name.clone()];
        who.extend(controller.address.clone());
        blocks.push(NoticeBlock::Paragraph { text: format!("{}{}{}.", w.who, w.colon, who.join(", ")) });
        if let Some(dpo) = &controller.dpo {
            blocks.push(NoticeBlock::Paragraph { text: format!("{}{}{dpo}.", w.dpo, w.colon) });
        }
        // Art. 14(2)(f): where the person's data came from, as their export says it.
        if let Some(origin) = origin {
            let source = origin.source.as_deref().and_then(super::DataSource::from_name);
            if let (Some(source), Some(obtained)) = (source.filter(|s| s.is_other_source()), origin.obtained_at) {
                let mut from = source.words(english).to_owned();
                if let Some(r) = &origin.reference {
                    from.push_str(&format!(" ({r})"));
                }
                let when = crate::export::words::date_words(self.parts.zone.local_date(obtained), english);
                let text = format!("{}{}{from}, {} {when}.", w.your_source, w.colon, w.obtained_on);
                blocks.push(NoticeBlock::Paragraph { text });
            }
        }
        blocks.push(NoticeBlock::Heading { text: w.why.into() });
        for p in &processing {
            let mut items = vec![format!("{}{}{}", w.basis, w.colon, basis_words(&p.legal_basis, english))];
            if p.legal_basis == "legitimate_interests" || p.legitimate_interest.is_some() {
                let li = p.legitimate_interest.as_deref().unwrap_or(w.unspecified);
                items.push(format!("{}{}{li}", w.interest, w.colon));
            }
            let list = |v: &[String], none: &str| if v.is_empty() { none.to_owned() } else { v.join(", ") };
            items.push(format!("{}{}{}", w.categories, w.colon, list(&p.categories, w.unspecified)));
            items.push(format!("{}{}{}", w.recipients, w.colon, list(&p.recipients, w.nobody)));
            let transfers: Vec<String> =
                p.transfers.iter().map(|t| format!("{} — {} ({})", t.recipient, t.country, t.safeguard)).collect();
            items.push(format!("{}{}{}", w.transfers, w.colon, list(&transfers, w.none)));
            items.push(format!("{}{}{}", w.retention, w.colon, p.retention.as_deref().unwrap_or(w.unspecified)));
            items.push(format!("{}{}{}", w.source, w.colon, p.source.as_deref().unwrap_or(w.from_you)));
            items.push(format!("{}{}{}", w.required, w.colon, p.requirement.as_deref().unwrap_or(w.unspecified)));
            items.push(format!(
                "{}{}{}",
                w.automated,
                w.colon,
                p.automated_decision.as_deref().unwrap_or(w.no_automated)
            ));
            if p.direct_marketing {
                items.push(w.direct_marketing.into());
            }
            blocks.push(NoticeBlock::Purpose { label: p.label.clone(), lines: items });
        }
        blocks.push(NoticeBlock::Heading { text: w.rights_heading.into() });
        let mut rights: Vec<String> = w.rights.iter().map(|r| (*r).to_owned()).collect();
        rights.push(format!("{} {}.", w.complaint, controller.authority));
        blocks.push(NoticeBlock::List { lines: rights });
        Ok(NoticeDocument { language, title: w.title.to_owned(), blocks })
    }

    /// A processing record for every purpose the data map describes, as exports write them.
    fn all_processing(&self, language: Language) -> Result<Vec<ProcessingRecord>> {
        let map = self.parts.data_map.as_deref().ok_or_else(|| {
            Error::config("data_map", "the information notice reads the data map's [[processing]]: give one")
        })?;
        let purposes = self.purposes()?;
        map.processing
            .iter()
            .map(|described| {
                let p = purposes.iter().find(|p| p.id.as_str() == described.purpose).ok_or_else(|| {
                    Error::invalid(
                        "data_map",
                        format!("processing {:?} names a purpose that is not registered", described.purpose),
                    )
                })?;
                Ok(crate::export::gather::processing_record(p, described, language))
            })
            .collect()
    }
}

/// A legal basis in words, with its article.
fn basis_words(basis: &str, english: bool) -> String {
    let (en, fr, letter) = match basis {
        "consent" => ("your consent", "votre consentement", "a"),
        "contract" => ("a contract with you", "un contrat avec vous", "b"),
        "legal_obligation" => ("a legal obligation", "une obligation légale", "c"),
        "vital_interests" => ("vital interests", "des intérêts vitaux", "d"),
        "public_task" => ("a task in the public interest", "une mission d'intérêt public", "e"),
        "legitimate_interests" => ("our legitimate interests", "notre intérêt légitime", "f"),
        other => (other, other, "?"),
    };
    if english { format!("{en} (GDPR Art. 6(1)({letter}))") } else { format!("{fr} (RGPD art. 6.1.{letter})") }
}

/// The notice's wording in one language.
struct Wording {
    title: &'static str,
    colon: &'static str,
    who: &'static str,
    dpo: &'static str,
    your_source: &'static str,
    obtained_on: &'static str,
    why: &'static str,
    basis: &'static str,
    interest: &'static str,
    categories: &'static str,
    recipients: &'static str,
    transfers: &'static str,
    retention: &'static str,
    source: &'static str,
    required: &'static str,
    automated: &'static str,
    no_automated: &'static str,
    direct_marketing: &'static str,
    unspecified: &'static str,
    nobody: &'static str,
    none: &'static str,
    from_you: &'static str,
    rights_heading: &'static str,
    rights: [&'static str; 7],
    complaint: &'static str,
}

const EN: Wording = Wording {
    title: "How we use your personal data",
    colon: ": ",
    who: "Who holds your data",
    dpo: "Our data protection officer",
    your_source: "Where we obtained your data",
    obtained_on: "on",
    why: "Why we use your data, and on which basis",
    basis: "Legal basis",
    interest: "Legitimate interest pursued",
    categories: "Categories of data",
    recipients: "Recipients",
    transfers: "Transfers outside the European Union",
    retention: "How long we keep them",
    source: "Where they come from",
    required: "Must you provide them",
    automated: "Automated decisions, profiling",
    no_automated: "no decision based solely on automated processing",
    direct_marketing: "Direct marketing: you may object to it at any time, without giving a reason.",
    unspecified: "not stated",
    nobody: "none",
    none: "none",
    from_you: "yourself",
    rights_heading: "Your rights",
    rights: [
        "Access your data and receive a copy (Art. 15).",
        "Have inaccurate data corrected (Art. 16).",
        "Have your data erased (Art. 17).",
        "Have their use restricted (Art. 18).",
        "Receive the data you gave us in a machine-readable format (Art. 20).",
        "Object to their use, and to direct marketing at any time (Art. 21).",
        "Withdraw your consent at any time, without affecting what was done before (Art. 7(3)).",
    ],
    complaint: "Lodge a complaint with the supervisory authority (Art. 77):",
};

const FR: Wording = Wording {
    title: "Comment nous utilisons vos données personnelles",
    colon: " : ",
    who: "Qui détient vos données",
    dpo: "Notre délégué à la protection des données",
    your_source: "Où nous avons obtenu vos données",
    obtained_on: "le",
    why: "Pourquoi nous utilisons vos données, et sur quelle base",
    basis: "Base légale",
    interest: "Intérêt légitime poursuivi",
    categories: "Catégories de données",
    recipients: "Destinataires",
    transfers: "Transferts hors de l'Union européenne",
    retention: "Durée de conservation",
    source: "Origine des données",
    required: "Devez-vous les fournir",
    automated: "Décision automatisée, profilage",
    no_automated: "aucune décision fondée exclusivement sur un traitement automatisé",
    direct_marketing: "Prospection commerciale : vous pouvez vous y opposer à tout moment, sans motif.",
    unspecified: "non précisé",
    nobody: "aucun",
    none: "aucun",
    from_you: "vous-même",
    rights_heading: "Vos droits",
    rights: [
        "Accéder à vos données et en recevoir une copie (art. 15).",
        "Faire corriger des données inexactes (art. 16).",
        "Faire effacer vos données (art. 17).",
        "Faire limiter leur utilisation (art. 18).",
        "Recevoir les données que vous nous avez fournies dans un format lisible par machine (art. 20).",
        "Vous opposer à leur utilisation, et à tout moment à la prospection (art. 21).",
        "Retirer votre consentement à tout moment, sans remettre en cause ce qui a été fait avant (art. 7.3).",
    ],
    complaint: "Introduire une réclamation auprès de l'autorité de contrôle (art. 77) :",
};
