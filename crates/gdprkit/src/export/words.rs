//! The export in the person's words (Art. 12(1): clear and plain language), for the readable
//! forms: every instant and date written out in the export's language and the controller's time
//! zone ("3 février 2026 à 14:30", "3 February 2026, 14:30"), dates the CRM stores as text
//! included, and the consent history told as one sentence per purpose and channel. The JSON
//! export keeps its RFC 3339 values; a renderer looks each one up here.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Serialize;

use super::model::{ConsentRecord, Export};
use crate::anonymize::operators::Value;
use crate::request::deadline::ControllerZone;

/// What a readable form shows in place of the export's values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Words {
    /// Each instant and date of the export, as serialized in its JSON (and each text value of a
    /// CRM row that reads as one), written out.
    pub when: BTreeMap<String, String>,
    /// The consent history, one sentence per purpose and channel, in the order each began.
    pub consent_sentences: Vec<String>,
    /// Each amount of a column whose currency the map declares, by `CURRENCY NUMBER` (the number
    /// as its JSON writes it): "1 250,50 €", "€1,250.50".
    pub amounts: BTreeMap<String, String>,
    /// Where the person's data came from and each notice given to them, one sentence each
    /// (Arts. 13 and 14).
    pub information_sentences: Vec<String>,
    /// For each CRM event, in the export's order, its details in one line: each field the
    /// person reads (`label: value`, technical fields left out) but the one its date was read
    /// from, joined by `; `.
    pub event_details: Vec<String>,
}

/// The export's values in its language and in `zone` (the export's own zone when it names one,
/// else Paris).
pub fn words(export: &Export) -> Words {
    let zone = export.time_zone.as_deref().and_then(|z| ControllerZone::from_name(z).ok()).unwrap_or_default();
    let english = export.language == "en";
    let mut when = BTreeMap::new();
    let mut instant = |t: DateTime<Utc>| {
        when.entry(json_text(&t)).or_insert_with(|| instant_words(t, zone, english));
    };
    instant(export.generated_at);
    instant(export.subject.registered_at);
    for c in &export.consents {
        instant(c.occurred_at);
        instant(c.recorded_at);
    }
    for r in &export.requests {
        instant(r.received_at);
        if let Some(t) = r.closed_at {
            instant(t);
        }
        for n in &r.notes {
            instant(n.at);
        }
    }
    for d in &export.disclosures {
        instant(d.disclosed_at);
    }
    for r in &export.requests {
        when.entry(json_text(&r.due)).or_insert_with(|| date_words(r.due, english));
    }
    let texts = export
        .categories
        .iter()
        .flat_map(|c| c.entities.iter().flat_map(|e| e.records.iter()))
        .chain(export.events.iter().map(|e| &e.record))
        .flat_map(|r| r.0.iter().map(|(_, v)| v));
    for v in texts {
        if let Value::Text(s) = v
            && !when.contains_key(s)
            && let Some(w) = text_words(s, zone, english)
        {
            when.insert(s.clone(), w);
        }
    }
    let mut amounts = BTreeMap::new();
    for info in &export.entities {
        for column in info.columns.iter().filter(|c| c.currency.is_some()) {
            let currency = column.currency.as_deref().unwrap_or_default();
            let rows = export
                .categories
                .iter()
                .flat_map(|c| c.entities.iter().filter(|e| e.entity == info.entity).flat_map(|e| e.records.iter()))
                .chain(export.events.iter().filter(|e| e.entity == info.entity).map(|e| &e.record));
            for row in rows {
                let value = row.0.iter().find(|(c, _)| *c == column.column).and_then(|(_, v)| match v {
                    Value::Integer(n) => Some(*n as f64),
                    Value::Real(r) => Some(*r),
                    _ => None,
                });
                if let Some(v) = value {
                    let key = format!("{currency} {}", json_text(&row_value(v)));
                    amounts.entry(key).or_insert_with(|| amount_words(v, currency, english));
                }
            }
        }
    }
    Words {
        consent_sentences: sentences(export, zone, english),
        event_details: event_details(export, &when, english),
        when,
        amounts,
        information_sentences: information_sentences(export, zone, english),
    }
}

/// Each CRM event's details, as [`Words::event_details`] says.
fn event_details(export: &Export, when: &BTreeMap<String, String>, english: bool) -> Vec<String> {
    let (yes, no, not_recorded) =
        if english { ("yes", "no", "not recorded") } else { ("oui", "non", "non renseigné") };
    export
        .events
        .iter()
        .map(|e| {
            let info = export.entities.iter().find(|i| i.entity == e.entity);
            // The first field holding the event's date is shown in the date column already.
            let mut dated = e.at.is_none();
            let mut parts = Vec::with_capacity(e.record.0.len());
            for (column, value) in &e.record.0 {
                if !dated && matches!(value, Value::Text(s) if Some(s) == e.at.as_ref()) {
                    dated = true;
                    continue;
                }
                let described = info.and_then(|i| i.columns.iter().find(|c| &c.column == column));
                if described.is_some_and(|c| c.technical) {
                    continue;
                }
                let name = described.and_then(|c| c.label.as_deref()).unwrap_or(column);
                let boolean = described.is_some_and(|c| c.boolean);
                let shown = match value {
                    _ if boolean && let Some(said) = yes_or_no(value) => (if said { yes } else { no }).to_owned(),
                    Value::Null => not_recorded.to_owned(),
                    Value::Text(s) => when.get(s).cloned().unwrap_or_else(|| s.clone()),
                    Value::Blob(b) => format!("({} bytes)", b.len()),
                    Value::Integer(i) => i.to_string(),
                    Value::Real(r) => r.to_string(),
                };
                parts.push(format!("{name}: {shown}"));
            }
            parts.join("; ")
        })
        .collect()
}

/// What a yes-or-no column's value says: yes for 1 or "true", no for 0 or "false", else nothing.
fn yes_or_no(v: &Value) -> Option<bool> {
    match v {
        Value::Integer(1) | Value::Real(1.0) => Some(true),
        Value::Integer(0) | Value::Real(0.0) => Some(false),
        Value::Text(s) if s == "1" || s == "true" => Some(true),
        Value::Text(s) if s == "0" || s == "false" => Some(false),
        _ => None,
    }
}

/// Where the data came from, each notice given and any exemption, one sentence each.
fn information_sentences(export: &Export, zone: ControllerZone, english: bool) -> Vec<String> {
    use crate::information::{DataSource, ExemptionGround, InformedVia};
    let info = &export.information;
    let mut out = Vec::new();
    if let (Some(source), Some(at)) = (info.source.as_deref().and_then(DataSource::from_name), info.obtained_at) {
        let day = date_words(zone.local_date(at), english);
        let reference = info.reference.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
        out.push(match (source, english) {
            (DataSource::Collected, true) => format!("You gave us your data on {day}."),
            (DataSource::Collected, false) => format!("Vous nous avez transmis vos données le {day}."),
            (s, true) => format!("We obtained your data from {}{reference} on {day}.", s.words(true)),
            (s, false) => format!("Nous avons obtenu vos données auprès d'{}{reference} le {day}.", s.words(false)),
        });
    }
    for n in &info.notices {
        let day = date_words(zone.local_date(n.at), english);
        let how = InformedVia::from_name(&n.via).map_or(n.via.as_str(), |v| v.words(english));
        out.push(if english {
            format!("We told you how we use your data on {day}, {how} (version {}).", n.notice_version)
        } else {
            format!("Nous vous avons informé de l'usage de vos données le {day}, {how} (version {}).", n.notice_version)
        });
    }
    if let Some(e) = &info.exemption {
        let why = match ExemptionGround::from_name(&e.ground) {
            Some(ExemptionGround::AlreadyInformed) if english => "you already had this information",
            Some(ExemptionGround::AlreadyInformed) => "vous disposiez déjà de ces informations",
            Some(ExemptionGround::DisproportionateEffort) if english => {
                "informing you individually would have needed a disproportionate effort"
            }
            Some(ExemptionGround::DisproportionateEffort) => {
                "vous informer individuellement aurait exigé des efforts disproportionnés"
            }
            Some(ExemptionGround::RequiredByLaw) if english => "the law provides for obtaining your data",
            Some(ExemptionGround::RequiredByLaw) => "la loi prévoit l'obtention de vos données",
            Some(ExemptionGround::ProfessionalSecrecy) if english => "your data are covered by professional secrecy",
            Some(ExemptionGround::ProfessionalSecrecy) => "vos données relèvent du secret professionnel",
            None => e.ground.as_str(),
        };
        let public = e
            .public_notice
            .as_deref()
            .map(|u| {
                if english {
                    format!("; it is public at {u}")
                } else {
                    format!(" ; elles sont publiques à l'adresse {u}")
                }
            })
            .unwrap_or_default();
        out.push(if english {
            format!("We did not send you this information individually (Art. 14(5)): {why}{public}.")
        } else {
            format!(
                "Nous ne vous avons pas adressé ces informations individuellement (art. 14.5 du RGPD) : {why}{public}."
            )
        });
    }
    out
}

/// A number as its CRM row holds it, for the key the template looks it up by: an integral amount
/// as an integer.
fn row_value(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9e15 { serde_json::Value::from(v as i64) } else { serde_json::Value::from(v) }
}

/// "1 250,50 €" in French, "€1,250.50" in English; a currency without a symbol here by its code.
pub fn amount_words(v: f64, currency: &str, english: bool) -> String {
    let cents = (v.abs() * 100.0).round() as u64;
    let (whole, fraction) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let separator = if english { ',' } else { ' ' };
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(d);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let symbol = match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    };
    match (english, symbol) {
        (true, Some(s)) => format!("{sign}{s}{grouped}.{fraction:02}"),
        (true, None) => format!("{sign}{currency} {grouped}.{fraction:02}"),
        (false, Some(s)) => format!("{sign}{grouped},{fraction:02} {s}"),
        (false, None) => format!("{sign}{grouped},{fraction:02} {currency}"),
    }
}

/// A value as its JSON form writes it, without the quotes.
fn json_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "3 février 2026", "3 February 2026"; the 1st of a month is "1er" in French.
pub fn date_words(d: NaiveDate, english: bool) -> String {
    let month = d.month0() as usize % 12;
    if english {
        format!("{} {} {}", d.day(), MONTHS_EN[month], d.year())
    } else {
        let day = if d.day() == 1 { "1er".to_owned() } else { d.day().to_string() };
        format!("{day} {} {}", MONTHS_FR[month], d.year())
    }
}

/// "3 février 2026 à 14:30", "3 February 2026, 14:30", in `zone`.
pub fn instant_words(t: DateTime<Utc>, zone: ControllerZone, english: bool) -> String {
    let local = t.with_timezone(&zone.tz());
    let date = date_words(local.date_naive(), english);
    let (h, m) = (local.hour(), local.minute());
    if english { format!("{date}, {h:02}:{m:02}") } else { format!("{date} à {h:02}:{m:02}") }
}

/// A CRM text value that reads as a date (`2020-01-15`) or an instant (RFC 3339), written out.
fn text_words(s: &str, zone: ControllerZone, english: bool) -> Option<String> {
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| date_words(d, english));
    }
    if (20..=35).contains(&s.len()) {
        return DateTime::parse_from_rfc3339(s).ok().map(|t| instant_words(t.with_timezone(&Utc), zone, english));
    }
    None
}

/// One sentence per purpose and channel: each event of the history in order, by date.
/// The events a consent sentence tells one by one; a longer history is told by its first event,
/// how many followed, and its last two, so that the sentence stays one a person reads.
const TOLD_EVENTS: usize = 4;

fn sentences(export: &Export, zone: ControllerZone, english: bool) -> Vec<String> {
    let mut order: Vec<(Option<&str>, Option<&str>)> = Vec::new();
    for c in &export.consents {
        let key = (c.purpose.as_deref(), c.channel.as_deref());
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let label = |purpose: Option<&str>| -> String {
        match purpose {
            None => if english { "any direct marketing" } else { "toute prospection" }.to_owned(),
            Some(id) => export
                .processing
                .iter()
                .find(|p| p.purpose == id)
                .map(|p| p.label.clone())
                .unwrap_or_else(|| id.to_owned()),
        }
    };
    order
        .into_iter()
        .map(|(purpose, channel)| {
            let events: Vec<&ConsentRecord> = export
                .consents
                .iter()
                .filter(|c| (c.purpose.as_deref(), c.channel.as_deref()) == (purpose, channel))
                .collect();
            let what = if purpose.is_none() {
                label(purpose)
            } else if english {
                format!("“{}”", label(purpose))
            } else {
                format!("« {} »", label(purpose))
            };
            let by = channel_words(channel, english);
            let told = |i: usize, c: &ConsentRecord| clause(c, i == 0, &what, &by, zone, english);
            let parts: Vec<String> = if events.len() <= TOLD_EVENTS {
                events.iter().enumerate().map(|(i, c)| told(i, c)).collect()
            } else {
                // A long history is told by its start and its end; the table lists every event.
                let last = events.len() - 2;
                let skipped = last - 1;
                let between = if english {
                    format!("{skipped} more changes followed, each in the table below")
                } else {
                    format!("{skipped} autres changements ont suivi, chacun dans le tableau ci-dessous")
                };
                let mut parts = vec![told(0, events[0]), between];
                parts.extend(events[last..].iter().map(|c| told(1, c)));
                parts
            };
            // French puts a space before a semicolon.
            let mut sentence = parts.join(if english { "; " } else { " ; " });
            sentence.push('.');
            sentence
        })
        .collect()
}

/// "by e-mail", "par courriel"; nothing for every channel.
fn channel_words(channel: Option<&str>, english: bool) -> String {
    let name = match (channel, english) {
        (None, true) => return " on every channel".into(),
        (None, false) => return " sur tous les canaux".into(),
        (Some("email"), true) => "e-mail",
        (Some("email"), false) => "courriel",
        (Some("sms"), _) => "SMS",
        (Some("phone"), true) => "phone",
        (Some("phone"), false) => "téléphone",
        (Some("post"), true) => "post",
        (Some("post"), false) => "courrier",
        (Some(other), _) => other,
    };
    if english { format!(" by {name}") } else { format!(" par {name}") }
}

/// How a consent was collected, as a phrase: "through our web form".
fn source_words(source: Option<&str>, english: bool) -> Option<&'static str> {
    Some(match (source?, english) {
        ("web_form", true) => "through our web form",
        ("web_form", false) => "via notre formulaire en ligne",
        ("phone", true) => "on the phone",
        ("phone", false) => "par téléphone",
        ("email", true) => "by e-mail",
        ("email", false) => "par courriel",
        ("paper", true) => "on paper",
        ("paper", false) => "sur papier",
        ("import", true) => "in a list we imported",
        ("import", false) => "dans une liste que nous avons importée",
        ("api", true) => "through one of our applications",
        ("api", false) => "via l'une de nos applications",
        _ => return None,
    })
}

/// The verbs of an action: the first clause's (before the purpose) and a later one's, in English
/// and in French (after "Vous" or "vous").
fn verbs(action: &str) -> [&'static str; 4] {
    match action {
        "opt_in" => ["agreed to receive", "agreed", "avez accepté de recevoir", "avez accepté"],
        "opt_out" | "inherited_opt_out" => ["refused", "refused", "avez refusé", "avez refusé"],
        "withdraw" => [
            "withdrew your consent to",
            "withdrew your consent",
            "avez retiré votre consentement à",
            "avez retiré votre consentement",
        ],
        "object" | "inherited_object" => ["objected to", "objected", "vous êtes opposé(e) à", "vous êtes opposé(e)"],
        "soft_opt_in_offered" => [
            "were offered to refuse",
            "were offered to refuse",
            "avez reçu la possibilité de refuser",
            "avez reçu la possibilité de refuser",
        ],
        "reconfirm_requested" => [
            "were asked to confirm your consent to",
            "were asked to confirm your consent",
            "avez été invité(e) à confirmer votre consentement à",
            "avez été invité(e) à confirmer votre consentement",
        ],
        _ => [
            "had an event recorded about",
            "had an event recorded",
            "avez un événement enregistré pour",
            "avez un événement enregistré",
        ],
    }
}

/// One event as a clause; the first names the purpose and channel.
fn clause(c: &ConsentRecord, first: bool, what: &str, by: &str, zone: ControllerZone, english: bool) -> String {
    let on = date_words(c.occurred_at.with_timezone(&zone.tz()).date_naive(), english);
    let how = source_words(c.source.as_deref(), english).map(|s| format!(" {s}")).unwrap_or_default();
    let [en_first, en_then, fr_first, fr_then] = verbs(&c.action);
    match (english, first) {
        (true, true) => format!("You {en_first} {what}{by} on {on}{how}"),
        (true, false) => format!("you {en_then} on {on}{how}"),
        // "vous vous êtes opposé(e)": the reflexive verb carries its own pronoun.
        (false, true) => format!("Vous {fr_first} {what}{by} le {on}{how}"),
        (false, false) => format!("vous {fr_then} le {on}{how}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::t;

    #[test]
    fn instants_are_written_in_the_language_and_the_controllers_zone() {
        let paris = ControllerZone::default();
        // 13:30 UTC is 14:30 in Paris in winter.
        assert_eq!(instant_words(t("2026-02-03T13:30:00Z"), paris, false), "3 février 2026 à 14:30");
        assert_eq!(instant_words(t("2026-02-03T13:30:00Z"), paris, true), "3 February 2026, 14:30");
        // Late in the evening in UTC is the next day in Paris, in summer time.
        assert_eq!(instant_words(t("2026-07-31T22:30:00Z"), paris, true), "1 August 2026, 00:30");
        let d = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap_or_default();
        assert_eq!(date_words(d, false), "1er août 2026");
        assert_eq!(text_words("2020-01-15", paris, true).as_deref(), Some("15 January 2020"));
        assert_eq!(text_words("124", paris, true), None);
        assert_eq!(text_words("2020-13-45", paris, true), None, "not a date");
        assert_eq!(amount_words(1250.5, "EUR", false), "1 250,50 €");
        assert_eq!(amount_words(1250.5, "EUR", true), "€1,250.50");
        assert_eq!(amount_words(124.0, "CHF", true), "CHF 124.00");
        assert_eq!(amount_words(-3.0, "USD", false), "-3,00 $");
        assert_eq!(amount_words(1_000_000.0, "GBP", true), "£1,000,000.00");
    }

    /// The issue's own example, in both languages: one sentence for the newsletter by e-mail.
    #[test]
    fn the_consent_history_reads_as_one_sentence_per_purpose_and_channel() {
        let mut export =
            crate::export::sample::sample_export("Jeanne", "Martin", "", 0, 0, t("2026-11-29T09:30:00Z"), "en");
        let event = |seq: u64, action: &str, at: &str| ConsentRecord {
            seq,
            action: action.into(),
            purpose: Some("newsletter".into()),
            channel: Some("email".into()),
            occurred_at: t(at),
            recorded_at: t(at),
            source: Some("web_form".into()),
            collected_by: Some("subject".into()),
            notice_version: None,
            notice_sha256: None,
            ip: None,
            user_agent: None,
            proof_ref: None,
        };
        export.consents =
            vec![event(1, "opt_in", "2026-02-04T10:00:00Z"), event(2, "withdraw", "2026-10-13T10:00:00Z")];
        assert_eq!(
            words(&export).consent_sentences,
            ["You agreed to receive “Monthly newsletter” by e-mail on 4 February 2026 through our web form; you \
              withdrew your consent on 13 October 2026 through our web form."]
        );
        export.language = "fr".into();
        assert_eq!(
            words(&export).consent_sentences,
            [
                "Vous avez accepté de recevoir « Monthly newsletter » par courriel le 4 février 2026 via notre formulaire \
              en ligne ; vous avez retiré votre consentement le 13 octobre 2026 via notre formulaire en ligne."
            ]
        );
        // Art. 12(1), plain language: a long history is told by its start and its end.
        export.language = "en".into();
        export.consents = (1..=10)
            .map(|i| {
                let action = if i % 2 == 1 { "opt_in" } else { "withdraw" };
                event(i, action, &format!("2026-02-{:02}T10:00:00Z", i + 1))
            })
            .collect();
        assert_eq!(
            words(&export).consent_sentences,
            ["You agreed to receive “Monthly newsletter” by e-mail on 2 February 2026 through our web form; 7 more \
              changes followed, each in the table below; you agreed on 10 February 2026 through our web form; you \
              withdrew your consent on 11 February 2026 through our web form."]
        );
    }
    /// Art. 12(1): an event's details read as labelled values in words, without its keys.
    #[test]
    fn an_events_details_are_its_fields_in_words_without_technical_ones() {
        use super::super::model::{ColumnInfo, CrmEvent, EntityInfo, Record};
        let mut export =
            crate::export::sample::sample_export("Jeanne", "Martin", "", 0, 0, t("2026-11-29T09:30:00Z"), "en");
        let column = |name: &str, label: Option<&str>, technical: bool, boolean: bool| ColumnInfo {
            column: name.into(),
            label: label.map(Into::into),
            technical,
            currency: None,
            boolean,
        };
        export.entities = vec![EntityInfo {
            entity: "calls".into(),
            label: Some("Calls".into()),
            columns: vec![
                column("id", None, true, false),
                column("called_at", Some("Called on"), false, false),
                column("answered", Some("Answered"), false, true),
                column("notes", Some("Notes"), false, false),
                column("follow_up", Some("Follow-up"), false, false),
            ],
        }];
        let record = |answered: Value| {
            Record(vec![
                ("id".into(), Value::Integer(7)),
                ("called_at".into(), Value::Text("2026-02-03".into())),
                ("answered".into(), answered),
                ("notes".into(), Value::Null),
                ("follow_up".into(), Value::Text("2026-02-10".into())),
                ("duration".into(), Value::Real(1.5)),
                ("audio".into(), Value::Blob(vec![1, 2, 3])),
            ])
        };
        let event = |answered| CrmEvent {
            entity: "calls".into(),
            category: "contact".into(),
            at: Some("2026-02-03".into()),
            record: record(answered),
        };
        export.events = vec![event(Value::Integer(1)), event(Value::Text("false".into())), event(Value::Integer(5))];
        let details = words(&export).event_details;
        assert_eq!(
            details[0],
            "Answered: yes; Notes: not recorded; Follow-up: 10 February 2026; duration: 1.5; audio: (3 bytes)",
            "the id is technical, the date is in its own column, an undescribed column keeps its name"
        );
        assert!(details[1].starts_with("Answered: no; "));
        assert!(details[2].starts_with("Answered: 5; "), "neither yes nor no: the value as it is");
        export.language = "fr".into();
        assert!(
            words(&export).event_details[0]
                .starts_with("Answered: oui; Notes: non renseigné; Follow-up: 10 février 2026")
        );
    }
}
