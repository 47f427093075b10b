//! A person's choices of contact, per purpose and channel, seen and changed from the signed
//! reference of a message (the unsubscribe references of rule C6): what they agreed to and when,
//! and an agreement or a withdrawal recorded with its proof (C3: the wording shown, its version
//! and SHA-256, collected by the subject through a web form, their IP address and user agent).

use serde::{Deserialize, Serialize};

use crate::consent::{Collector, ConsentAction, ConsentEvent, NewConsent, Proof, Source};
use crate::decision::DecidedBy;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{Channel, PurposeId, SubjectId};
use crate::purpose::{LegalBasis, Purpose};
use crate::raw::ledger::sha256_hex;
use crate::subject::Language;

/// The channels a person chooses on, in the order they are shown.
pub const PREFERENCE_CHANNELS: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Phone, Channel::Post];

/// The version of the wording an agreement is given on; raised whenever the wording changes.
pub const WORDING_VERSION: &str = "gdprkit-preferences-1";

/// One purpose on one channel, as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its label, as the person reads it.
    pub label: String,
    /// The channel.
    pub channel: Channel,
    /// Whether the controller may contact the person for it on this channel now.
    pub allowed: bool,
    /// Whether the person's own choice decides it (rather than the rule that applies without one).
    pub chosen: bool,
    /// The person's last choice on it, if any: what and when.
    pub last: Option<PreferenceEvent>,
    /// The sentence the person agrees to, in their language: what a `give` records as shown.
    pub wording: String,
    /// The SHA-256 of `wording`, as 64 hexadecimal digits.
    pub wording_sha256: String,
}

/// A past choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceEvent {
    /// What was recorded.
    pub action: ConsentAction,
    /// When it happened.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A person's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// The person.
    pub subject: SubjectId,
    /// Each purpose a person chooses on (direct marketing, and those resting on consent), on each
    /// channel, by purpose then channel.
    pub choices: Vec<Preference>,
}

/// A change the person makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChange {
    /// The purpose.
    pub purpose: PurposeId,
    /// The channel.
    pub channel: Channel,
    /// `true` to agree, `false` to withdraw or refuse.
    pub agree: bool,
    /// For an agreement, the SHA-256 of the wording the page showed: refused when the wording
    /// has changed since.
    #[serde(default)]
    pub wording_sha256: Option<String>,
    /// The person's IP address.
    #[serde(default)]
    pub ip: Option<String>,
    /// The person's user agent.
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl Gdpr {
    /// The choices of the person a signed reference names, in `language`; `None` for a reference
    /// this tenant did not give (one answer for all). Reading records nothing.
    pub fn preferences(&self, reference: &str, language: Language) -> Result<Option<Preferences>> {
        let Some((subject, _, _)) = self.read_reference(reference)? else { return Ok(None) };
        let history = self.history(&subject)?;
        let mut choices = Vec::new();
        for purpose in self.purposes()?.into_iter().filter(chooses_on) {
            for channel in PREFERENCE_CHANNELS {
                let decision = self.decide(&subject, &purpose.id, &channel, None)?;
                let last = history
                    .iter()
                    .rev()
                    .find(|e| {
                        e.action.is_decisive()
                            && e.purpose.as_ref().is_some_and(|p| p == &purpose.id)
                            && e.channel.as_ref().is_some_and(|c| c == &channel)
                    })
                    .map(|e| PreferenceEvent { action: e.action, at: e.occurred_at });
                let wording = self.wording(&purpose, &channel, language);
                choices.push(Preference {
                    purpose: purpose.id.clone(),
                    label: purpose.label.clone(),
                    channel,
                    allowed: decision.allowed,
                    chosen: matches!(decision.decided_by, DecidedBy::Event(_)),
                    last,
                    wording_sha256: sha256_hex(wording.as_bytes()),
                    wording,
                });
            }
        }
        Ok(Some(Preferences { subject, choices }))
    }

    /// Records the person's change, now, collected by them through the web form, with their IP
    /// address and user agent; an agreement also with the wording shown ([`WORDING_VERSION`] in
    /// `language`, and its SHA-256, which must be the one the page showed). `None` for a
    /// reference this tenant did not give.
    pub fn change_preference(
        &self,
        reference: &str,
        change: PreferenceChange,
        language: Language,
    ) -> Result<Option<ConsentEvent>> {
        let Some((subject, _, _)) = self.read_reference(reference)? else { return Ok(None) };
        let not_offered = || Error::invalid("purpose", "is not a choice offered to the person");
        let purpose = match self.purpose(&change.purpose) {
            Err(Error::UnknownPurpose(_)) => return Err(not_offered()),
            other => other?,
        };
        if !chooses_on(&purpose) || !PREFERENCE_CHANNELS.contains(&change.channel) {
            return Err(not_offered());
        }
        let action = if change.agree { ConsentAction::OptIn } else { ConsentAction::OptOut };
        let mut consent = NewConsent::new(subject, action, change.purpose.clone(), change.channel.clone());
        consent.proof = Proof {
            source: Some(Source::WebForm),
            collected_by: Some(Collector::Subject),
            ip: change.ip,
            user_agent: change.user_agent,
            ..Proof::default()
        };
        if change.agree {
            let wording = self.wording(&purpose, &change.channel, language);
            let shown = sha256_hex(wording.as_bytes());
            if change.wording_sha256.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(shown.as_str()) {
                return Err(Error::invalid(
                    "wording_sha256",
                    "is not the SHA-256 of the wording offered now: show the page again",
                ));
            }
            consent.proof.notice_version = Some(format!("{WORDING_VERSION}/{}", language.as_str()));
            consent.proof.notice_sha256 = Some(shown);
        }
        self.record_consent(consent).map(Some)
    }

    /// The sentence a person agrees to for `purpose` on `channel`, in `language`.
    fn wording(&self, purpose: &Purpose, channel: &Channel, language: Language) -> String {
        let controller = &self.parts.controller.name;
        let label = &purpose.label;
        match language {
            Language::En => {
                let by = match channel {
                    Channel::Email => "e-mail",
                    Channel::Sms => "text message",
                    Channel::Phone => "telephone",
                    Channel::Post => "post",
                    Channel::Custom(name) => name,
                };
                format!(
                    "I agree that {controller} contacts me by {by} for: {label}. I can withdraw this agreement at \
                     any time, on this page or through the link in each message."
                )
            }
            Language::Fr => {
                let by = match channel {
                    Channel::Email => "courriel",
                    Channel::Sms => "SMS",
                    Channel::Phone => "téléphone",
                    Channel::Post => "courrier postal",
                    Channel::Custom(name) => name,
                };
                format!(
                    "J'accepte que {controller} me contacte par {by} pour : {label}. Je peux retirer cet accord à \
                     tout moment, sur cette page ou par le lien de chaque message."
                )
            }
        }
    }
}

/// Whether a person chooses on `purpose`: direct marketing, or processing resting on consent.
fn chooses_on(purpose: &Purpose) -> bool {
    purpose.direct_marketing || purpose.legal_basis == LegalBasis::Consent
}
