//! Consent events and their proof (rules C1 to C3, C6).

use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{Channel, PurposeId, SubjectId, truncate_for_message};
use crate::named_enum::named_enum;
use crate::text::check_text;

/// The longest collector name accepted, in bytes.
pub const MAX_COLLECTOR_BYTES: usize = 256;
/// The longest proof reference accepted, in bytes.
pub const MAX_PROOF_REF_BYTES: usize = 512;
/// The longest user agent accepted, in bytes.
pub const MAX_USER_AGENT_BYTES: usize = 1024;
/// The longest notice version accepted, in bytes.
pub const MAX_NOTICE_VERSION_BYTES: usize = 64;

named_enum!(
    /// What a consent event says (rule C1).
    ConsentAction, "action", {
        /// The subject agreed to the purpose on the channel.
        OptIn => "opt_in",
        /// The subject refused, or unsubscribed from, the purpose on the channel (rule C6).
        OptOut => "opt_out",
        /// The subject withdrew an earlier opt-in; not retroactive (Art. 7(3)).
        Withdraw => "withdraw",
        /// The subject objected (Art. 21). Without a purpose, to all direct marketing (rule C5).
        Object => "object",
        /// The subject was offered the chance to refuse at collection (soft opt-in). Informational.
        SoftOptInOffered => "soft_opt_in_offered",
        /// The subject was asked to confirm their consent again. Informational.
        ReconfirmRequested => "reconfirm_requested",
    }
);

impl ConsentAction {
    /// Whether the action changes what is allowed. The two informational actions do not.
    pub fn is_decisive(self) -> bool {
        matches!(self, ConsentAction::OptIn | ConsentAction::OptOut | ConsentAction::Withdraw | ConsentAction::Object)
    }

    /// Whether the action, when it is the latest that applies, allows contact.
    pub fn allows(self) -> bool {
        self == ConsentAction::OptIn
    }
}

named_enum!(
    /// Where a consent event came from.
    Source, "source", {
        /// A form on a web site.
        WebForm => "web_form",
        /// A telephone call.
        Phone => "phone",
        /// An e-mail.
        Email => "email",
        /// A paper form or letter.
        Paper => "paper",
        /// An import of records, typically from a third party.
        Import => "import",
        /// A call to the CRM's API.
        Api => "api",
        /// The suppression list (rule C9): a denial a subject inherited at registration. Recorded by
        /// gdprkit only; refused from callers.
        SuppressionList => "suppression_list",
    }
);

/// Who collected a consent event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "name", rename_all = "snake_case")]
pub enum Collector {
    /// The subject acted themself (a form, a link).
    Subject,
    /// A staff member, by name.
    Staff(String),
    /// A third party (a list broker, a partner), by name; needs a proof reference.
    ThirdParty(String),
}

impl Collector {
    /// The collector's kind: `subject`, `staff` or `third_party`.
    pub fn kind(&self) -> &'static str {
        match self {
            Collector::Subject => "subject",
            Collector::Staff(_) => "staff",
            Collector::ThirdParty(_) => "third_party",
        }
    }

    /// The collector's name, for staff and third parties.
    pub fn name(&self) -> Option<&str> {
        match self {
            Collector::Subject => None,
            Collector::Staff(n) | Collector::ThirdParty(n) => Some(n),
        }
    }

    /// Rebuilds a collector from its stored kind and (possibly erased) name.
    pub(crate) fn from_parts(kind: &str, name: Option<String>) -> Result<Self> {
        let name = name.unwrap_or_default();
        match kind {
            "subject" => Ok(Collector::Subject),
            "staff" => Ok(Collector::Staff(name)),
            "third_party" => Ok(Collector::ThirdParty(name)),
            _ => Err(Error::Corrupt(format!("unknown collector kind {kind:?}"))),
        }
    }
}

impl FromStr for Collector {
    type Err = Error;
    /// Reads `subject`, `staff:NAME` or `third-party:NAME`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "collected_by",
                format!("{:?} is not one of subject, staff:NAME, third-party:NAME", truncate_for_message(s)),
            )
        };
        if s == "subject" {
            return Ok(Collector::Subject);
        }
        let (kind, name) = s.split_once(':').ok_or_else(bad)?;
        check_text("collected_by", name, MAX_COLLECTOR_BYTES)?;
        match kind {
            "staff" => Ok(Collector::Staff(name.to_owned())),
            "third-party" | "third_party" => Ok(Collector::ThirdParty(name.to_owned())),
            _ => Err(bad()),
        }
    }
}

/// What proves a consent event (rule C3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// Where the event came from. Required for an opt-in.
    pub source: Option<Source>,
    /// Who collected it. Required for an opt-in.
    pub collected_by: Option<Collector>,
    /// The version of the consent wording shown. Required for an opt-in.
    pub notice_version: Option<String>,
    /// The SHA-256 of that wording, as 64 hex digits. Required for an opt-in.
    pub notice_sha256: Option<String>,
    /// The subject's IP address, where given.
    pub ip: Option<String>,
    /// The subject's user agent, where given.
    pub user_agent: Option<String>,
    /// The reference of the proof a third party holds (a record id, a document). Required when a
    /// third party collected an opt-in.
    pub proof_ref: Option<String>,
}

impl Proof {
    fn validate(&mut self, action: ConsentAction) -> Result<()> {
        if self.source == Some(Source::SuppressionList) {
            return Err(Error::invalid("source", "suppression_list is recorded by gdprkit only, at registration"));
        }
        if let Some(Collector::Staff(n) | Collector::ThirdParty(n)) = &self.collected_by {
            check_text("collected_by", n, MAX_COLLECTOR_BYTES)?;
        }
        if let Some(v) = &self.notice_version {
            check_text("notice_version", v, MAX_NOTICE_VERSION_BYTES)?;
        }
        if let Some(h) = &mut self.notice_sha256 {
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::invalid(
                    "notice_sha256",
                    format!("{:?} is not 64 hexadecimal digits", truncate_for_message(h)),
                ));
            }
            h.make_ascii_lowercase();
        }
        if let Some(ip) = &mut self.ip {
            let parsed: IpAddr = ip.parse().map_err(|_| {
                Error::invalid("ip", format!("{:?} is not an IPv4 or IPv6 address", truncate_for_message(ip)))
            })?;
            *ip = parsed.to_string();
        }
        if let Some(ua) = &self.user_agent {
            check_text("user_agent", ua, MAX_USER_AGENT_BYTES)?;
        }
        if let Some(r) = &self.proof_ref {
            check_text("proof_ref", r, MAX_PROOF_REF_BYTES)?;
        }
        if action == ConsentAction::OptIn {
            if self.source.is_none() {
                return Err(Error::MissingProof("an opt-in needs its source"));
            }
            if self.collected_by.is_none() {
                return Err(Error::MissingProof("an opt-in needs who collected it"));
            }
            if self.notice_version.is_none() || self.notice_sha256.is_none() {
                return Err(Error::MissingProof("an opt-in needs the version and SHA-256 of the consent wording"));
            }
            if matches!(self.collected_by, Some(Collector::ThirdParty(_))) && self.proof_ref.is_none() {
                return Err(Error::MissingProof("an opt-in collected by a third party needs its proof reference"));
            }
        }
        Ok(())
    }
}

/// A consent event to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    /// The subject it is about.
    pub subject: SubjectId,
    /// What happened.
    pub action: ConsentAction,
    /// The purpose. Required except for an objection, where none means all direct marketing.
    #[serde(default)]
    pub purpose: Option<PurposeId>,
    /// The channel. Required except for an objection, where none means every channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// When it happened; the time of recording when `None`. Never in the future.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// What proves it.
    #[serde(default)]
    pub proof: Proof,
    /// For an opt-in collected from the person: the information notice given with it (Art. 13,
    /// rule I2), recorded as an `informed` event in the same transaction, not as a second step.
    #[serde(default)]
    pub information: Option<crate::information::GivenNotice>,
}

impl NewConsent {
    /// An event for one purpose and channel, happening now, with no proof yet.
    pub fn new(subject: SubjectId, action: ConsentAction, purpose: PurposeId, channel: Channel) -> Self {
        Self {
            subject,
            action,
            purpose: Some(purpose),
            channel: Some(channel),
            occurred_at: None,
            proof: Proof::default(),
            information: None,
        }
    }

    /// An objection to all direct marketing on every channel (rule C5), happening now.
    pub fn objection(subject: SubjectId) -> Self {
        Self {
            subject,
            action: ConsentAction::Object,
            purpose: None,
            channel: None,
            occurred_at: None,
            proof: Proof::default(),
            information: None,
        }
    }

    /// Checks the event and normalizes its proof (lower-case hash, canonical IP address). The
    /// facade calls this; callers may call it first to refuse bad input before any I/O.
    pub fn validate(&mut self, now: DateTime<Utc>) -> Result<()> {
        if self.action != ConsentAction::Object {
            if self.purpose.is_none() {
                return Err(Error::invalid("purpose", format!("is required for {}", self.action)));
            }
            if self.channel.is_none() {
                return Err(Error::invalid("channel", format!("is required for {}", self.action)));
            }
        }
        if let Some(at) = self.occurred_at {
            self.occurred_at = Some(crate::time::check_past("occurred_at", at, now)?);
        }
        self.proof.validate(self.action)
    }
}

/// A recorded consent event, as the history shows it (rule C2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    /// Its entry number in the tenant's ledger.
    pub seq: u64,
    /// The subject, or `None` once erased.
    pub subject: Option<SubjectId>,
    /// What happened.
    pub action: ConsentAction,
    /// The purpose, or `None` for an objection to all direct marketing.
    pub purpose: Option<PurposeId>,
    /// The channel, or `None` for an objection on every channel.
    pub channel: Option<Channel>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// What proves it; personal parts are `None` once erased.
    pub proof: Proof,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt_in() -> NewConsent {
        let mut c = NewConsent::new(
            SubjectId::new("s").unwrap(),
            ConsentAction::OptIn,
            PurposeId::new("newsletter").unwrap(),
            Channel::Email,
        );
        c.proof = Proof {
            source: Some(Source::WebForm),
            collected_by: Some(Collector::Subject),
            notice_version: Some("v1".into()),
            notice_sha256: Some("AB".repeat(32)),
            ip: Some("2001:DB8::1".into()),
            ..Proof::default()
        };
        c
    }

    #[test]
    fn an_opt_in_with_full_proof_is_accepted_and_normalized() {
        let mut c = opt_in();
        c.validate(Utc::now()).unwrap();
        assert_eq!(c.proof.notice_sha256.as_deref(), Some("ab".repeat(32).as_str()));
        assert_eq!(c.proof.ip.as_deref(), Some("2001:db8::1"));
    }

    #[test]
    fn an_opt_in_without_proof_is_refused() {
        for strip in 0..3 {
            let mut c = opt_in();
            match strip {
                0 => c.proof.source = None,
                1 => c.proof.collected_by = None,
                _ => c.proof.notice_sha256 = None,
            }
            assert!(matches!(c.validate(Utc::now()), Err(Error::MissingProof(_))), "case {strip}");
        }
    }

    #[test]
    fn a_third_party_import_needs_its_proof_reference() {
        let mut c = opt_in();
        c.proof.source = Some(Source::Import);
        c.proof.collected_by = Some(Collector::ThirdParty("ListCo".into()));
        let err = c.clone().validate(Utc::now()).unwrap_err().to_string();
        assert!(err.contains("proof reference"), "{err}");
        c.proof.proof_ref = Some("listco-batch-7/row-12".into());
        c.validate(Utc::now()).unwrap();
    }

    #[test]
    fn an_opt_out_needs_no_proof_but_needs_purpose_and_channel() {
        let mut c = opt_in();
        c.action = ConsentAction::OptOut;
        c.proof = Proof::default();
        c.validate(Utc::now()).unwrap();
        c.channel = None;
        assert!(c.validate(Utc::now()).unwrap_err().to_string().starts_with("invalid channel"));
        let mut o = NewConsent::objection(SubjectId::new("s").unwrap());
        o.validate(Utc::now()).unwrap();
    }

    #[test]
    fn bad_proof_fields_and_future_events_are_refused() {
        let mut c = opt_in();
        c.proof.ip = Some("999.1.1.1".into());
        assert!(c.validate(Utc::now()).unwrap_err().to_string().starts_with("invalid ip:"));
        let mut c = opt_in();
        c.proof.notice_sha256 = Some("zz".into());
        assert!(c.validate(Utc::now()).is_err());
        let mut c = opt_in();
        let now = Utc::now();
        c.occurred_at = Some(now + chrono::TimeDelta::seconds(5));
        assert!(c.validate(now).unwrap_err().to_string().contains("later than now"));
    }

    /// Year 0, 1969 and year 9999 are no consent times: refused, naming the field.
    #[test]
    fn instants_outside_1970_to_2199_are_refused() {
        let now = crate::time::parse("now", "2026-12-03T10:00:00Z").unwrap();
        for at in ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "2200-01-01T00:00:00Z"] {
            let mut c = opt_in();
            c.occurred_at = Some(crate::time::parse("at", at).unwrap());
            let err = c.validate(now).unwrap_err();
            assert_eq!(err.field(), Some("occurred_at"), "{at}");
            assert!(err.to_string().contains("1970 to 2199"), "{at}: {err}");
        }
        let mut c = opt_in();
        c.occurred_at = Some(crate::time::parse("at", "1970-01-01T00:00:00Z").unwrap());
        assert!(c.validate(now).is_ok(), "the epoch itself is accepted");
        assert!(crate::time::check_plausible("now", crate::time::parse("at", "2199-12-31T23:59:59Z").unwrap()).is_ok());
    }

    #[test]
    fn collectors_and_actions_parse_from_their_names() {
        assert_eq!("staff:Marie".parse::<Collector>().unwrap(), Collector::Staff("Marie".into()));
        assert_eq!("third-party:ListCo".parse::<Collector>().unwrap(), Collector::ThirdParty("ListCo".into()));
        assert!("boss:Marie".parse::<Collector>().is_err());
        assert_eq!("opt-in".parse::<ConsentAction>().unwrap(), ConsentAction::OptIn);
        assert_eq!("web-form".parse::<Source>().unwrap(), Source::WebForm);
        assert!("maybe".parse::<ConsentAction>().is_err());
    }
}
