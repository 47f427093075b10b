//! The default rule table (rule C4): what decides contact for a purpose on a channel when no
//! opt-in, opt-out, withdrawal, objection or restriction applies.
//!
//! The purpose's legal basis comes first: a purpose on consent is denied until a proven opt-in,
//! whatever the regime, and a purpose that is not direct marketing is allowed. For direct
//! marketing on another basis, the subject's regime decides by the kind of channel. This module
//! is the one place the table lives: [`default_rule`] picks a row, [`RuleId::rule`] says what
//! each row is, and `docs/rules.md` prints [`table_markdown`] (a test keeps the two the same).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::channel::ChannelKind;
use crate::named_enum::named_enum;
use crate::purpose::{LegalBasis, Purpose};
use crate::subject::Regime;

/// 11 August 2026, 00:00 in Paris (22:00 UTC the day before): from then, consumers may be called
/// for marketing only with their consent (C. consom. L.223-1 as amended by loi 2025-594).
pub const PHONE_OPT_IN_FROM_SECS: i64 = 1_786_399_200;

/// The instant of [`PHONE_OPT_IN_FROM_SECS`].
pub fn phone_opt_in_from() -> DateTime<Utc> {
    DateTime::from_timestamp(PHONE_OPT_IN_FROM_SECS, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

named_enum!(
    /// A row of the default rule table.
    RuleId, "rule", {
        /// A purpose on consent, with no opt-in: denied.
        ConsentRequired => "consent_required",
        /// A purpose on another basis that is not direct marketing (invoices, service messages):
        /// allowed.
        NotDirectMarketing => "not_direct_marketing",
        /// Direct marketing by an electronic channel to a consumer: denied without an opt-in.
        ElectronicConsumer => "electronic_consumer",
        /// Direct marketing by an electronic channel to a professional contact, about something
        /// unrelated to their profession: denied without an opt-in, as for a consumer.
        ElectronicB2bNotProfessional => "electronic_b2b_not_professional",
        /// Direct marketing by an electronic channel to a professional contact about their
        /// profession: allowed until they opt out or object.
        ElectronicB2b => "electronic_b2b",
        /// Direct marketing by an electronic channel to an existing customer who was offered the
        /// chance to refuse: allowed until they opt out or object.
        ElectronicSoftOptIn => "electronic_soft_opt_in",
        /// Direct marketing by an electronic channel to an existing customer with no offer to refuse
        /// on record: denied.
        ElectronicSoftOptInNotOffered => "electronic_soft_opt_in_not_offered",
        /// A marketing call to a professional contact: allowed until they opt out or object.
        PhoneB2b => "phone_b2b",
        /// A marketing call to a consumer before 11 August 2026: allowed until they opt out or
        /// object.
        PhoneConsumerBeforeOptIn => "phone_consumer_before_opt_in",
        /// A marketing call from 11 August 2026 to an existing customer who was offered the chance
        /// to refuse: allowed until they opt out or object.
        PhoneSoftOptIn => "phone_soft_opt_in",
        /// A marketing call from 11 August 2026 to a consumer without an opt-in: denied.
        PhoneConsumer => "phone_consumer",
        /// Marketing by post: allowed until the person opts out or objects.
        Post => "post",
    }
);

/// What a row of the table says, for people: when it applies, what it decides, and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The row.
    pub id: RuleId,
    /// The purpose's legal basis it applies to.
    pub legal_basis: &'static str,
    /// Whether it applies to direct marketing.
    pub direct_marketing: &'static str,
    /// The kinds of channel it applies to.
    pub channel: &'static str,
    /// The regimes it applies to.
    pub regime: &'static str,
    /// Anything else it looks at.
    pub condition: &'static str,
    /// Whether it allows contact.
    pub allows: bool,
    /// Its legal source.
    pub source: &'static str,
}

impl RuleId {
    /// Whether the row allows contact.
    pub fn allows(self) -> bool {
        self.rule().allows
    }

    /// What the row says.
    pub fn rule(self) -> Rule {
        const NOT_CONSENT: &str = "any but consent";
        const ELECTRONIC: &str = "electronic";
        const CONSUMERS: &str = "b2c_opt_in, soft_opt_in";
        let (legal_basis, direct_marketing, channel, regime, condition, allows, source) = match self {
            RuleId::ConsentRequired => (
                "consent",
                "any",
                "any",
                "any",
                "",
                false,
                "GDPR Art. 6(1)(a) and 7(1): no processing without proven consent",
            ),
            RuleId::NotDirectMarketing => {
                (NOT_CONSENT, "no", "any", "any", "", true, "GDPR Art. 6(1)(b) to (f): the basis itself allows it")
            }
            RuleId::ElectronicConsumer => (
                NOT_CONSENT,
                "yes",
                ELECTRONIC,
                "b2c_opt_in",
                "",
                false,
                "CPCE L.34-5 al. 1; Directive 2002/58/EC Art. 13(1)",
            ),
            RuleId::ElectronicB2bNotProfessional => (
                NOT_CONSENT,
                "yes",
                ELECTRONIC,
                "b2b_opt_out",
                "the purpose does not relate to the recipient's profession",
                false,
                "CPCE L.34-5 al. 1; CNIL, prospection commerciale par courrier électronique (B2B rule)",
            ),
            RuleId::ElectronicB2b => (
                NOT_CONSENT,
                "yes",
                ELECTRONIC,
                "b2b_opt_out",
                "the purpose relates to the recipient's profession",
                true,
                "CNIL, prospection commerciale par courrier électronique (B2B rule)",
            ),
            RuleId::ElectronicSoftOptIn => (
                NOT_CONSENT,
                "yes",
                ELECTRONIC,
                "soft_opt_in",
                "a soft_opt_in_offered event for the purpose and channel is on record",
                true,
                "CPCE L.34-5 al. 2; Directive 2002/58/EC Art. 13(2)",
            ),
            RuleId::ElectronicSoftOptInNotOffered => (
                NOT_CONSENT,
                "yes",
                ELECTRONIC,
                "soft_opt_in",
                "no soft_opt_in_offered event for the purpose and channel is on record",
                false,
                "CPCE L.34-5 al. 2: the chance to refuse must be offered at collection",
            ),
            RuleId::PhoneB2b => (
                NOT_CONSENT,
                "yes",
                "phone",
                "b2b_opt_out",
                "",
                true,
                "C. consom. L.223-1 protects consumers only; GDPR Art. 21(2)",
            ),
            RuleId::PhoneConsumerBeforeOptIn => (
                NOT_CONSENT,
                "yes",
                "phone",
                CONSUMERS,
                "asked for an instant before 2026-08-11 (Paris)",
                true,
                "C. consom. L.223-1 before loi 2025-594 (opposition)",
            ),
            RuleId::PhoneSoftOptIn => (
                NOT_CONSENT,
                "yes",
                "phone",
                "soft_opt_in",
                "from 2026-08-11 (Paris), with a soft_opt_in_offered event for the purpose and channel on record",
                true,
                "C. consom. L.223-1 as amended by loi 2025-594 (ongoing contract)",
            ),
            RuleId::PhoneConsumer => (
                NOT_CONSENT,
                "yes",
                "phone",
                CONSUMERS,
                "from 2026-08-11 (Paris), and for soft_opt_in without the offer on record",
                false,
                "C. consom. L.223-1 as amended by loi 2025-594",
            ),
            RuleId::Post => (NOT_CONSENT, "yes", "post", "any", "", true, "GDPR Art. 6(1)(f) and 21(2)"),
        };
        Rule { id: self, legal_basis, direct_marketing, channel, regime, condition, allows, source }
    }
}

/// What the default rules look at.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput<'a> {
    /// The purpose, with its legal basis, whether it is direct marketing and whether it relates
    /// to the recipient's profession.
    pub purpose: &'a Purpose,
    /// The channel's kind.
    pub channel_kind: ChannelKind,
    /// The subject's regime.
    pub regime: Regime,
    /// The instant asked about.
    pub at: DateTime<Utc>,
    /// Whether a `soft_opt_in_offered` event for the purpose and channel is on record at `at`.
    pub offered: bool,
}

/// The row of the table that decides for `input` (rule C4).
pub fn default_rule(input: RuleInput<'_>) -> RuleId {
    let p = input.purpose;
    if p.legal_basis == LegalBasis::Consent {
        return RuleId::ConsentRequired;
    }
    if !p.direct_marketing {
        return RuleId::NotDirectMarketing;
    }
    match (input.channel_kind, input.regime) {
        (ChannelKind::Electronic, Regime::B2cOptIn) => RuleId::ElectronicConsumer,
        (ChannelKind::Electronic, Regime::B2bOptOut) if p.professional => RuleId::ElectronicB2b,
        (ChannelKind::Electronic, Regime::B2bOptOut) => RuleId::ElectronicB2bNotProfessional,
        (ChannelKind::Electronic, Regime::SoftOptIn) if input.offered => RuleId::ElectronicSoftOptIn,
        (ChannelKind::Electronic, Regime::SoftOptIn) => RuleId::ElectronicSoftOptInNotOffered,
        (ChannelKind::Phone, Regime::B2bOptOut) => RuleId::PhoneB2b,
        (ChannelKind::Phone, _) if input.at < phone_opt_in_from() => RuleId::PhoneConsumerBeforeOptIn,
        (ChannelKind::Phone, Regime::SoftOptIn) if input.offered => RuleId::PhoneSoftOptIn,
        (ChannelKind::Phone, _) => RuleId::PhoneConsumer,
        (ChannelKind::Post, _) => RuleId::Post,
    }
}

/// The table as Markdown, as `docs/rules.md` prints it.
pub fn table_markdown() -> String {
    let mut out = String::from(
        "| rule | legal basis | direct marketing | channel | regime | when | decides | source |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for &id in RuleId::ALL {
        let r = id.rule();
        let condition = if r.condition.is_empty() { "" } else { r.condition };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            id,
            r.legal_basis,
            r.direct_marketing,
            r.channel,
            r.regime,
            condition,
            if r.allows { "allowed" } else { "denied" },
            r.source
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_opt_in_starts_at_midnight_in_paris_on_11_august_2026() {
        assert_eq!(crate::time::format(phone_opt_in_from()), "2026-08-10T22:00:00.000000Z");
    }

    #[test]
    fn every_row_is_reachable_and_named_once() {
        let names: std::collections::HashSet<_> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), RuleId::ALL.len());
        assert_eq!(table_markdown().lines().count(), RuleId::ALL.len() + 2);
        let mut reached = std::collections::HashSet::new();
        let (before, after) = (phone_opt_in_from() - chrono::TimeDelta::seconds(1), phone_opt_in_from());
        for &basis in LegalBasis::ALL {
            for (dm, professional) in [(false, true), (true, true), (true, false)] {
                let id = crate::ids::PurposeId::new("p").unwrap();
                let purpose = Purpose::new(id, basis, dm).professional(professional);
                for channel_kind in ChannelKind::ALL.iter().copied() {
                    for regime in [Regime::B2bOptOut, Regime::B2cOptIn, Regime::SoftOptIn] {
                        for at in [before, after] {
                            for offered in [false, true] {
                                let input = RuleInput { purpose: &purpose, channel_kind, regime, at, offered };
                                reached.insert(default_rule(input));
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(
            reached.len(),
            RuleId::ALL.len(),
            "rows never chosen: {:?}",
            RuleId::ALL.iter().filter(|r| !reached.contains(r)).collect::<Vec<_>>()
        );
    }
}
