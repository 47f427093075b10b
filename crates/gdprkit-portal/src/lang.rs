//! The language of a page: French or English, from the `lang` query parameter (the switch on
//! every page), then the `Accept-Language` header; and the words of each.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use gdprkit::Language;
use minijinja::Value;

/// The language a page is written in: one of the core's languages ([`Language`]), read from a
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub Language);

impl Lang {
    /// Its code, as `lang` attributes and the switch give it.
    pub fn code(self) -> &'static str {
        self.0.as_str()
    }

    /// The language of a tag such as `en-GB`, when the core speaks it.
    fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        primary.parse().ok().map(Lang)
    }

    /// The language a request asks for: `?lang=`, else the best of `Accept-Language` by its
    /// weights, else French.
    pub fn of(parts: &Parts) -> Lang {
        let asked = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::from_code));
        asked
            .or_else(|| parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(accept_language))
            .unwrap_or(Lang(Language::Fr))
    }

    /// The words of the pages in this language, for the templates (`t.follow_title`).
    pub fn words(self) -> Value {
        let table = match self.0 {
            Language::Fr => FR,
            Language::En => EN,
        };
        Value::from(table.iter().copied().collect::<std::collections::BTreeMap<&str, &str>>())
    }
}

/// The best language of an `Accept-Language` header that the pages are written in.
fn accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut fields = item.split(';');
        let Some(lang) = fields.next().and_then(Lang::from_code) else { continue };
        let weight =
            fields.find_map(|f| f.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, l)| l)
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(parts))
    }
}

/// The French words of the pages.
const FR: &[(&str, &str)] = &[
    ("skip", "Aller au contenu"),
    ("language", "Langue"),
    ("home_title", "Vos données personnelles"),
    ("home_intro", "Faites une demande sur vos données, suivez une demande faite, ou gérez vos abonnements."),
    ("follow_link", "Suivre une demande"),
    ("submit_link", "Faire une demande"),
    ("submit_title", "Faire une demande sur vos données"),
    (
        "submit_intro",
        "Choisissez le droit que vous exercez et donnez l'adresse électronique que nous connaissons. Nous vous envoyons un lien pour confirmer : votre demande est reçue quand vous la confirmez.",
    ),
    (
        "submit_unavailable",
        "Les demandes ne peuvent pas être faites sur ce site pour l'instant. Écrivez-nous par courrier ou par e-mail.",
    ),
    ("submit_kind", "Le droit que vous exercez"),
    ("submit_email", "Votre adresse électronique"),
    ("submit_message", "Votre message (facultatif) : ce que vous demandez précisément"),
    ("submit_button", "Envoyer ma demande"),
    ("submit_invalid.kind", "Choisissez le droit que vous exercez."),
    ("submit_invalid.email", "Cette adresse électronique n'est pas valable."),
    ("submit_invalid.message", "Votre message est trop long ou contient des caractères refusés."),
    ("kind_hint.access", "recevoir une copie de vos données"),
    ("kind_hint.rectification", "corriger des données inexactes"),
    ("kind_hint.erasure", "faire effacer vos données"),
    ("kind_hint.restriction", "geler l'utilisation de vos données"),
    ("kind_hint.portability", "recevoir vos données dans un format réutilisable"),
    ("kind_hint.objection", "vous opposer à un traitement, dont la prospection"),
    ("kind_hint.anonymization", "faire anonymiser vos données"),
    ("submitted_title", "Consultez votre messagerie"),
    (
        "submitted_intro",
        "Si cette adresse est connue de nous, nous venons d'y envoyer un lien pour confirmer votre demande. Il est valable 24 heures. Votre demande est reçue quand vous la confirmez.",
    ),
    ("confirm_title", "Confirmer votre demande"),
    ("confirm_intro", "Vous confirmez votre demande :"),
    ("confirm_button", "Je confirme ma demande"),
    (
        "confirm_invalid",
        "Ce lien de confirmation n'est pas valable : il a déjà servi, il a expiré ou il est incomplet.",
    ),
    ("follow_title", "Suivre une demande"),
    ("follow_intro", "Saisissez la référence de suivi que nous vous avons envoyée avec l'accusé de réception."),
    ("token_label", "Référence de suivi"),
    ("follow_button", "Voir ma demande"),
    ("not_found", "Aucune demande ne correspond à cette référence, ou elle n'est plus valable."),
    ("opening", "Ouverture de votre demande…"),
    ("continue", "Continuer"),
    ("request_title", "Votre demande"),
    ("kind", "Droit exercé"),
    ("state", "Où elle en est"),
    ("received_on", "Reçue le"),
    ("due", "Réponse au plus tard le"),
    ("extended", "Délai prolongé"),
    ("closed_at", "Close le"),
    ("notes", "Messages"),
    ("no_notes", "Aucun message pour l'instant."),
    ("history", "Historique"),
    ("copy_title", "La copie de vos données"),
    ("copy_intro", "Votre copie est prête. Vous pouvez la télécharger jusqu'au"),
    ("copy_pdf", "Télécharger la copie (PDF, à lire et imprimer)"),
    ("copy_json", "Télécharger les données (JSON, à réutiliser ailleurs)"),
    ("kind.access", "Accès"),
    ("kind.rectification", "Rectification"),
    ("kind.erasure", "Effacement"),
    ("kind.restriction", "Limitation"),
    ("kind.portability", "Portabilité"),
    ("kind.objection", "Opposition"),
    ("kind.anonymization", "Anonymisation"),
    ("state.received", "Reçue"),
    ("state.awaiting_subject", "En attente de votre réponse"),
    ("state.accepted", "Acceptée"),
    ("state.in_progress", "En cours"),
    ("state.completed", "Traitée"),
    ("state.refused", "Refusée"),
    ("state.withdrawn", "Retirée"),
    ("yes", "Oui"),
    ("answer_title", "Votre réponse"),
    ("answer_label", "Votre réponse à notre question"),
    ("answer_button", "Envoyer ma réponse"),
    ("withdraw_title", "Retirer la demande"),
    ("withdraw_intro", "Si vous ne souhaitez plus que nous traitions cette demande, vous pouvez la retirer."),
    ("withdraw_button", "Retirer ma demande"),
    ("no_longer", "Cette étape ne s'applique plus à votre demande."),
    ("answer_invalid", "Votre réponse n'a pas pu être enregistrée : elle est vide ou trop longue."),
    ("unsubscribe_title", "Se désabonner"),
    ("unsubscribe_intro", "Confirmez que vous ne souhaitez plus recevoir ces messages."),
    ("unsubscribe_button", "Me désabonner"),
    ("unsubscribed_title", "Vous êtes désabonné"),
    ("unsubscribed_intro", "Nous ne vous enverrons plus ces messages. Votre choix est enregistré avec sa date."),
    ("invalid_link", "Ce lien n'est pas valable."),
    ("choices_link", "Gérer tous mes choix de contact"),
    ("choices_title", "Vos choix de contact"),
    (
        "choices_intro",
        "Pour chaque sujet et chaque moyen de contact : ce que vous avez choisi et quand. Vous pouvez changer d'avis à tout moment.",
    ),
    ("choice_allowed", "Nous pouvons vous contacter"),
    ("choice_denied", "Nous ne vous contactons pas"),
    ("choice_since", "votre choix du"),
    ("choice_agree", "J'accepte"),
    ("choice_withdraw", "Je refuse"),
    ("choice_invalid", "Ce choix n'a pas pu être enregistré : la page n'est plus à jour. Rechargez-la et recommencez."),
    ("channel.email", "Courriel"),
    ("channel.sms", "SMS"),
    ("channel.phone", "Téléphone"),
    ("channel.post", "Courrier postal"),
    ("too_many", "Trop de tentatives. Réessayez dans quelques minutes."),
    ("forbidden", "Cette demande vient d'une autre page que la nôtre ; elle est refusée."),
    ("error", "Une erreur est survenue de notre côté. Réessayez plus tard."),
    ("page_not_found", "Cette page n'existe pas."),
];

/// The English words of the pages.
const EN: &[(&str, &str)] = &[
    ("skip", "Skip to content"),
    ("language", "Language"),
    ("home_title", "Your personal data"),
    ("home_intro", "Make a request about your data, follow one you made, or manage your subscriptions."),
    ("follow_link", "Follow a request"),
    ("submit_link", "Make a request"),
    ("submit_title", "Make a request about your data"),
    (
        "submit_intro",
        "Choose the right you exercise and give the e-mail address we know you by. We send you a link to confirm: your request is received when you confirm it.",
    ),
    ("submit_unavailable", "Requests cannot be made on this site for now. Write to us by post or e-mail."),
    ("submit_kind", "The right you exercise"),
    ("submit_email", "Your e-mail address"),
    ("submit_message", "Your message (optional): what exactly you ask for"),
    ("submit_button", "Send my request"),
    ("submit_invalid.kind", "Choose the right you exercise."),
    ("submit_invalid.email", "This e-mail address is not valid."),
    ("submit_invalid.message", "Your message is too long or holds characters that are not accepted."),
    ("kind_hint.access", "receive a copy of your data"),
    ("kind_hint.rectification", "correct inaccurate data"),
    ("kind_hint.erasure", "have your data erased"),
    ("kind_hint.restriction", "freeze the use of your data"),
    ("kind_hint.portability", "receive your data in a reusable format"),
    ("kind_hint.objection", "object to a processing, including marketing"),
    ("kind_hint.anonymization", "have your data anonymized"),
    ("submitted_title", "Check your mailbox"),
    (
        "submitted_intro",
        "If we know this address, we have just sent it a link to confirm your request. It is valid for 24 hours. Your request is received when you confirm it.",
    ),
    ("confirm_title", "Confirm your request"),
    ("confirm_intro", "You are confirming your request:"),
    ("confirm_button", "I confirm my request"),
    ("confirm_invalid", "This confirmation link is not valid: it was used already, it expired, or it is incomplete."),
    ("follow_title", "Follow a request"),
    ("follow_intro", "Enter the tracking reference we sent you with the acknowledgement of your request."),
    ("token_label", "Tracking reference"),
    ("follow_button", "See my request"),
    ("not_found", "No request matches this reference, or it is no longer valid."),
    ("opening", "Opening your request…"),
    ("continue", "Continue"),
    ("request_title", "Your request"),
    ("kind", "Right exercised"),
    ("state", "Where it stands"),
    ("received_on", "Received on"),
    ("due", "Answer due by"),
    ("extended", "Deadline extended"),
    ("closed_at", "Closed on"),
    ("notes", "Messages"),
    ("no_notes", "No message yet."),
    ("history", "History"),
    ("copy_title", "The copy of your data"),
    ("copy_intro", "Your copy is ready. You can download it until"),
    ("copy_pdf", "Download the copy (PDF, to read and print)"),
    ("copy_json", "Download the data (JSON, to reuse elsewhere)"),
    ("kind.access", "Access"),
    ("kind.rectification", "Rectification"),
    ("kind.erasure", "Erasure"),
    ("kind.restriction", "Restriction"),
    ("kind.portability", "Portability"),
    ("kind.objection", "Objection"),
    ("kind.anonymization", "Anonymization"),
    ("state.received", "Received"),
    ("state.awaiting_subject", "Waiting for your answer"),
    ("state.accepted", "Accepted"),
    ("state.in_progress", "In progress"),
    ("state.completed", "Completed"),
    ("state.refused", "Refused"),
    ("state.withdrawn", "Withdrawn"),
    ("yes", "Yes"),
    ("answer_title", "Your answer"),
    ("answer_label", "Your answer to our question"),
    ("answer_button", "Send my answer"),
    ("withdraw_title", "Withdraw the request"),
    ("withdraw_intro", "If you no longer want us to handle this request, you can withdraw it."),
    ("withdraw_button", "Withdraw my request"),
    ("no_longer", "This step no longer applies to your request."),
    ("answer_invalid", "Your answer could not be recorded: it is empty or too long."),
    ("unsubscribe_title", "Unsubscribe"),
    ("unsubscribe_intro", "Confirm that you no longer wish to receive these messages."),
    ("unsubscribe_button", "Unsubscribe me"),
    ("unsubscribed_title", "You are unsubscribed"),
    ("unsubscribed_intro", "We will no longer send you these messages. Your choice is recorded with its date."),
    ("invalid_link", "This link is not valid."),
    ("choices_link", "Manage all my contact choices"),
    ("choices_title", "Your contact choices"),
    (
        "choices_intro",
        "For each subject and each way to reach you: what you chose and when. You can change your mind at any time.",
    ),
    ("choice_allowed", "We may contact you"),
    ("choice_denied", "We do not contact you"),
    ("choice_since", "your choice of"),
    ("choice_agree", "I agree"),
    ("choice_withdraw", "I refuse"),
    ("choice_invalid", "This choice could not be recorded: the page is out of date. Reload it and try again."),
    ("channel.email", "E-mail"),
    ("channel.sms", "Text message"),
    ("channel.phone", "Telephone"),
    ("channel.post", "Post"),
    ("too_many", "Too many attempts. Try again in a few minutes."),
    ("forbidden", "This request comes from a page other than ours; it is refused."),
    ("error", "Something went wrong on our side. Try again later."),
    ("page_not_found", "This page does not exist."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_known_language() {
        assert_eq!(accept_language("de-DE, en;q=0.8, fr;q=0.9"), Some(Lang(Language::Fr)));
        assert_eq!(accept_language("en-GB,en;q=0.9"), Some(Lang(Language::En)));
        assert_eq!(accept_language("de, es;q=0.5"), None);
        assert_eq!(accept_language("fr;q=0, en;q=0.1"), Some(Lang(Language::En)));
    }

    #[test]
    fn both_languages_have_the_same_words() {
        fn keys(t: &'static [(&'static str, &'static str)]) -> Vec<&'static str> {
            t.iter().map(|(k, _)| *k).collect()
        }
        assert_eq!(keys(FR), keys(EN));
    }
}
