//! The notices a subject receives about their request, in French and English (rules R5, R7).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kind::RequestKind;
use super::record::{RefusalCode, Request};
use crate::subject::Language;

/// Who the controller is, as notices name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Controller {
    /// The controller's name, as the subject knows it.
    pub name: String,
    /// The supervisory authority a subject may complain to, with how to reach it.
    pub authority: String,
    /// The address of the person-facing portal (`https://privacy.example.com`), where known:
    /// receipt notices then carry a link to follow the request, and requests submitted there are
    /// confirmed by a link to it.
    pub portal: Option<String>,
    /// Its postal address, as exports print it (Art. 13(1)(a), 15).
    #[serde(default)]
    pub address: Option<String>,
    /// How to reach its data protection officer, where it has one (Art. 13(1)(b)).
    #[serde(default)]
    pub dpo: Option<String>,
}

/// The name [`Controller::default`] gives: notices sign with it when no controller is
/// configured; exports refuse it.
const UNNAMED: &str = "the data controller";

impl Controller {
    /// Whether a name was given: not empty, and not the placeholder a controller that was never
    /// configured carries. Exports need one (Art. 15: the person is told who holds their data).
    pub fn is_named(&self) -> bool {
        !self.name.trim().is_empty() && self.name != UNNAMED
    }
}

impl Default for Controller {
    /// A French controller, answerable to the CNIL.
    fn default() -> Self {
        Self {
            name: UNNAMED.into(),
            authority: "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr".into(),
            portal: None,
            address: None,
            dpo: None,
        }
    }
}

crate::named_enum::named_enum!(
    /// Which notice.
    NoticeKind, "notice", {
        /// The request was received: its due date and tracking token.
        Receipt => "receipt",
        /// The deadline was extended: the reason and the new due date.
        Extension => "extension",
        /// The request waits on the subject: what is asked.
        AwaitingSubject => "awaiting_subject",
        /// The request was refused: the reason and the subject's remedies.
        Refusal => "refusal",
        /// The request was completed.
        Completion => "completion",
        /// The copy of an access or portability request is ready to download on the portal, until
        /// a date (E3).
        CopyReady => "copy_ready",
    }
);

/// A notice's subject line and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    /// The subject line.
    pub subject: String,
    /// The body.
    pub body: String,
}

/// What a notice may need beyond the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoticeDetails<'a> {
    /// The tracking token, for the receipt.
    pub token: Option<&'a str>,
    /// The reason given: what is asked, why the extension, why the refusal.
    pub reason: Option<&'a str>,
    /// The date of the step, in the controller's time zone.
    pub on: Option<NaiveDate>,
}

pub(crate) fn kind_label(kind: RequestKind, lang: Language) -> &'static str {
    match (lang, kind) {
        (Language::En, RequestKind::Access) => "access to your personal data",
        (Language::En, RequestKind::Rectification) => "rectification of your personal data",
        (Language::En, RequestKind::Erasure) => "erasure of your personal data",
        (Language::En, RequestKind::Restriction) => "restriction of the processing of your personal data",
        (Language::En, RequestKind::Portability) => "portability of your personal data",
        (Language::En, RequestKind::Objection) => "objection to the processing of your personal data",
        (Language::En, RequestKind::Anonymization) => "anonymization of your personal data",
        (Language::Fr, RequestKind::Access) => "d'accès à vos données personnelles",
        (Language::Fr, RequestKind::Rectification) => "de rectification de vos données personnelles",
        (Language::Fr, RequestKind::Erasure) => "d'effacement de vos données personnelles",
        (Language::Fr, RequestKind::Restriction) => "de limitation du traitement de vos données personnelles",
        (Language::Fr, RequestKind::Portability) => "de portabilité de vos données personnelles",
        (Language::Fr, RequestKind::Objection) => "d'opposition au traitement de vos données personnelles",
        (Language::Fr, RequestKind::Anonymization) => "d'anonymisation de vos données personnelles",
    }
}

fn refusal_label(code: RefusalCode, lang: Language) -> &'static str {
    use RefusalCode as C;
    match (lang, code) {
        (Language::En, C::IdentityNotVerified) => "your identity could not be verified (Art. 12(6) GDPR)",
        (Language::En, C::ManifestlyUnfounded) => "the request is manifestly unfounded (Art. 12(5) GDPR)",
        (Language::En, C::Excessive) => "the request is excessive (Art. 12(5) GDPR)",
        (Language::En, C::FreedomOfExpression) => "freedom of expression and information (Art. 17(3)(a) GDPR)",
        (Language::En, C::LegalObligation) => "a legal obligation to keep the data (Art. 17(3)(b) GDPR)",
        (Language::En, C::PublicInterestHealth) => "public interest in public health (Art. 17(3)(c) GDPR)",
        (Language::En, C::ArchivingResearch) => "archiving, research or statistics (Art. 17(3)(d) GDPR)",
        (Language::En, C::LegalClaims) => "the establishment, exercise or defence of legal claims (Art. 17(3)(e) GDPR)",
        (Language::En, C::NotEligibleForPortability) => {
            "the data are not processed on consent or contract by automated means (Art. 20(1) GDPR)"
        }
        (Language::En, C::RightsOfOthers) => {
            "giving the copy would adversely affect the rights and freedoms of others (Art. 15(4) GDPR)"
        }
        (Language::En, C::CompellingLegitimateGrounds) => {
            "compelling legitimate grounds for the processing override your interests, rights and freedoms (Art. 21(1) GDPR)"
        }
        (Language::En, C::Other) => "the reason given below",
        (Language::Fr, C::IdentityNotVerified) => "votre identité n'a pas pu être vérifiée (art. 12.6 du RGPD)",
        (Language::Fr, C::ManifestlyUnfounded) => "la demande est manifestement infondée (art. 12.5 du RGPD)",
        (Language::Fr, C::Excessive) => "la demande est excessive (art. 12.5 du RGPD)",
        (Language::Fr, C::FreedomOfExpression) => "la liberté d'expression et d'information (art. 17.3.a du RGPD)",
        (Language::Fr, C::LegalObligation) => "une obligation légale de conserver les données (art. 17.3.b du RGPD)",
        (Language::Fr, C::PublicInterestHealth) => {
            "un motif d'intérêt public dans le domaine de la santé (art. 17.3.c du RGPD)"
        }
        (Language::Fr, C::ArchivingResearch) => "l'archivage, la recherche ou la statistique (art. 17.3.d du RGPD)",
        (Language::Fr, C::LegalClaims) => {
            "la constatation, l'exercice ou la défense de droits en justice (art. 17.3.e du RGPD)"
        }
        (Language::Fr, C::NotEligibleForPortability) => {
            "les données ne sont pas traitées sur la base du consentement ou d'un contrat par des moyens automatisés (art. 20.1 du RGPD)"
        }
        (Language::Fr, C::RightsOfOthers) => {
            "la communication de la copie porterait atteinte aux droits et libertés d'autrui (art. 15.4 du RGPD)"
        }
        (Language::Fr, C::CompellingLegitimateGrounds) => {
            "des motifs légitimes et impérieux pour le traitement prévalent sur vos intérêts, droits et libertés (art. 21.1 du RGPD)"
        }
        (Language::Fr, C::Other) => "le motif indiqué ci-dessous",
    }
}

/// For a request completed in part: what was kept, why and for how long, and the subject's two
/// remedies, as a refusal states them (R5, Art. 12(4)). Empty for a request completed in full.
fn kept_text(r: &Request, lang: Language, controller: &Controller) -> String {
    if r.kept.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = r
        .kept
        .iter()
        .map(|k| {
            let why = refusal_label(k.code, lang);
            match (lang, k.period) {
                (Language::En, Some(p)) => format!("- {}: kept for {}, because of {why}", k.what, period(p, lang)),
                (Language::En, None) => format!("- {}: kept because of {why}", k.what),
                (Language::Fr, Some(p)) => {
                    format!("- {} : conservé(e)s {}, en raison de : {why}", k.what, period(p, lang))
                }
                (Language::Fr, None) => format!("- {} : conservé(e)s en raison de : {why}", k.what),
            }
        })
        .collect();
    match lang {
        Language::En => format!(
            "\n\nWe did not act on all of it. We kept:\n{}\n\n\
             You have the right to lodge a complaint with the supervisory authority: {}.\n\
             You also have the right to seek a judicial remedy before the competent court.",
            lines.join("\n"),
            controller.authority
        ),
        Language::Fr => format!(
            "\n\nNous n'avons pas pu y donner suite en totalité. Nous avons conservé :\n{}\n\n\
             Vous avez le droit d'introduire une réclamation auprès de l'autorité de contrôle : {}.\n\
             Vous disposez également du droit de former un recours juridictionnel devant la juridiction compétente.",
            lines.join("\n"),
            controller.authority
        ),
    }
}

/// A period in words: `10 years`, `18 mois`.
fn period(p: crate::anonymize::map::Period, lang: Language) -> String {
    let parts = [(p.years, "year", "an"), (p.months, "month", "mois"), (p.days, "day", "jour")];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, en, fr)| match lang {
            Language::En => format!("{n} {en}{}", if *n > 1 { "s" } else { "" }),
            Language::Fr => format!("{n} {fr}{}", if *n > 1 && *fr != "mois" { "s" } else { "" }),
        })
        .collect();
    words.join(match lang {
        Language::En => " and ",
        Language::Fr => " et ",
    })
}

/// A date in words, as exports write them ("7 avril 2025", "7 April 2025").
fn date(d: NaiveDate, lang: Language) -> String {
    crate::export::words::date_words(d, lang == Language::En)
}

/// Checks a portal address: an `https://` (or `http://`) origin, with a path at most, which
/// mailed links are built on.
pub(crate) fn check_portal(portal: &str) -> crate::error::Result<()> {
    let rest = portal.strip_prefix("https://").or_else(|| portal.strip_prefix("http://"));
    let valid = rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && r.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'"' | b'<' | b'>' | b'\\'))
    });
    if valid {
        Ok(())
    } else {
        Err(crate::error::Error::config(
            "controller.portal",
            format!(
                "{:?} is not the address of a web page such as https://privacy.example.com",
                crate::ids::truncate_for_message(portal)
            ),
        ))
    }
}

/// The link to follow a request on the controller's portal, as a paragraph, when there is one.
fn follow_link(controller: &Controller, token: Option<&str>, lang: Language) -> String {
    let (Some(portal), Some(token)) = (controller.portal.as_deref(), token) else { return String::new() };
    let link = format!("{}/r/{token}", portal.trim_end_matches('/'));
    match lang {
        Language::En => format!("\n\nOr follow it on our website: {link}"),
        Language::Fr => format!("\n\nOu suivez-la sur notre site : {link}"),
    }
}

/// Where the person follows their request on the controller's portal, as a paragraph, when there
/// is one.
fn portal_page(controller: &Controller, lang: Language) -> String {
    let Some(portal) = controller.portal.as_deref() else { return String::new() };
    let link = format!("{}/follow", portal.trim_end_matches('/'));
    match lang {
        Language::En => format!("\n\nOpen it with your tracking code at {link}"),
        Language::Fr => format!("\n\nOuvrez-la avec votre code de suivi sur {link}"),
    }
}

/// The text of a notice about `r`, in `lang`, from `controller`.
pub fn render(
    notice: NoticeKind,
    r: &Request,
    details: NoticeDetails<'_>,
    lang: Language,
    controller: &Controller,
) -> NoticeText {
    let what = kind_label(r.kind, lang);
    let due = date(r.due, lang);
    let received = date(r.received_on, lang);
    let reason = details.reason.unwrap_or("");
    let (subject, body) = match (lang, notice) {
        (Language::En, NoticeKind::Receipt) => (
            "We have received your request".to_owned(),
            format!(
                "We received your request for {what} on {received}. We will answer by {due} at the latest.\n\n\
                 You can follow your request with this tracking code: {}\nKeep it: it is not sent again.{}",
                details.token.unwrap_or(""),
                follow_link(controller, details.token, lang)
            ),
        ),
        (Language::En, NoticeKind::Extension) => (
            "We need more time to answer your request".to_owned(),
            format!(
                "Your request for {what}, received on {received}, needs more time: {reason}\n\n\
                 As Article 12(3) of the GDPR allows, we extend the time limit. We will answer by {due} at the latest."
            ),
        ),
        (Language::En, NoticeKind::AwaitingSubject) => (
            "We need something from you to handle your request".to_owned(),
            format!(
                "To handle your request for {what}, received on {received}, we need the following from you: {reason}\n\n\
                 The time limit to answer is suspended until we receive it."
            ),
        ),
        (Language::En, NoticeKind::Refusal) => (
            "We cannot act on your request".to_owned(),
            format!(
                "We cannot act on your request for {what}, received on {received}, because of {}.\n\
                 Reason: {reason}\n\n\
                 You have the right to lodge a complaint with the supervisory authority: {}.\n\
                 You also have the right to seek a judicial remedy before the competent court.",
                r.refusal.map_or("", |c| refusal_label(c, lang)),
                controller.authority
            ),
        ),
        (Language::En, NoticeKind::Completion) => (
            "Your request has been completed".to_owned(),
            format!(
                "Your request for {what}, received on {received}, has been completed on {}.{}",
                date(details.on.unwrap_or(r.due), lang),
                kept_text(r, lang, controller)
            ),
        ),
        (Language::En, NoticeKind::CopyReady) => (
            "Your copy is ready to download".to_owned(),
            format!(
                "The copy of your data, for your request for {what} received on {received}, is ready. \
                 Download it from your request's page until {}.{}",
                date(details.on.unwrap_or(r.due), lang),
                portal_page(controller, lang)
            ),
        ),
        (Language::Fr, NoticeKind::CopyReady) => (
            "La copie de vos données est prête".to_owned(),
            format!(
                "La copie de vos données, pour votre demande {what} reçue le {received}, est prête. \
                 Téléchargez-la depuis la page de votre demande jusqu'au {}.{}",
                date(details.on.unwrap_or(r.due), lang),
                portal_page(controller, lang)
            ),
        ),
        (Language::Fr, NoticeKind::Receipt) => (
            "Nous avons bien reçu votre demande".to_owned(),
            format!(
                "Nous avons reçu le {received} votre demande {what}. Nous y répondrons au plus tard le {due}.\n\n\
                 Vous pouvez suivre votre demande avec ce code de suivi : {}\nConservez-le : il ne vous sera pas renvoyé.{}",
                details.token.unwrap_or(""),
                follow_link(controller, details.token, lang)
            ),
        ),
        (Language::Fr, NoticeKind::Extension) => (
            "Nous avons besoin de plus de temps pour répondre à votre demande".to_owned(),
            format!(
                "Votre demande {what}, reçue le {received}, nécessite un délai supplémentaire : {reason}\n\n\
                 Comme l'article 12.3 du RGPD le permet, nous prolongeons le délai. Nous vous répondrons au plus tard le {due}."
            ),
        ),
        (Language::Fr, NoticeKind::AwaitingSubject) => (
            "Nous avons besoin d'un élément de votre part".to_owned(),
            format!(
                "Pour traiter votre demande {what}, reçue le {received}, nous avons besoin de l'élément suivant : {reason}\n\n\
                 Le délai de réponse est suspendu jusqu'à sa réception."
            ),
        ),
        (Language::Fr, NoticeKind::Refusal) => (
            "Nous ne pouvons pas donner suite à votre demande".to_owned(),
            format!(
                "Nous ne pouvons pas donner suite à votre demande {what}, reçue le {received}, en raison de : {}.\n\
                 Motif : {reason}\n\n\
                 Vous avez le droit d'introduire une réclamation auprès de l'autorité de contrôle : {}.\n\
                 Vous disposez également du droit de former un recours juridictionnel devant la juridiction compétente.",
                r.refusal.map_or("", |c| refusal_label(c, lang)),
                controller.authority
            ),
        ),
        (Language::Fr, NoticeKind::Completion) => (
            "Votre demande a été traitée".to_owned(),
            format!(
                "Votre demande {what}, reçue le {received}, a été traitée le {}.{}",
                date(details.on.unwrap_or(r.due), lang),
                kept_text(r, lang, controller)
            ),
        ),
    };
    let signature = match lang {
        Language::En => format!("\n\n{}", controller.name),
        Language::Fr => {
            format!("\n\n{}", if controller.is_named() { &controller.name } else { "Le responsable du traitement" })
        }
    };
    NoticeText { subject, body: body + &signature }
}
