//! What a host-language package (Python, Node) calls: gdprkit opened from a JSON configuration,
//! each facade method called by name with JSON in and out, at the host's own instant when it has
//! a clock, a sweep reporting progress as JSON, an export as PDF bytes, and a campaign kept native
//! so that a host reads only what it needs of many decisions. The packages add only their
//! language's glue.

use std::sync::Arc;

use gdprkit::{Channel, Config, Decision, Error, FixedClock, Gdpr, Language, PurposeId, Result, SubjectId};

/// Opens gdprkit as a JSON configuration (the keys of [`Config`]) says.
pub fn open_json(config_json: &str) -> Result<Gdpr> {
    crate::open(&Config::from_json(config_json)?)
}

/// `g`, or `g` reading the time from a clock stopped at `now` (RFC 3339): how the host's own
/// clock, read once before the call, reaches the core.
pub fn at(g: &Gdpr, now: Option<&str>) -> Result<Gdpr> {
    let Some(now) = now else { return Ok(g.clone()) };
    let parsed = chrono::DateTime::parse_from_rfc3339(now)
        .map_err(|e| Error::invalid("now", format!("the host's clock gave no RFC 3339 instant: {e}")))?;
    Ok(g.with_clock(Arc::new(FixedClock::new(parsed.to_utc()))))
}

/// Calls `method` with JSON arguments and returns its JSON result ([`gdprkit::json_api::call`]).
pub fn call(g: &Gdpr, method: &str, args_json: &str) -> Result<String> {
    let args = serde_json::from_str(args_json).map_err(|e| Error::invalid("args", format!("{method}: {e}")))?;
    Ok(gdprkit::json_api::call(g, method, args)?.to_string())
}

/// Sweeps as the JSON options say (`batch_size`, `dry_run`), handing `progress` each batch's
/// progress as JSON; an error from `progress` stops the sweep there.
pub fn sweep(g: &Gdpr, options_json: &str, progress: &mut dyn FnMut(String) -> Result<()>) -> Result<String> {
    let options = serde_json::from_str(options_json).map_err(|e| Error::invalid("args", format!("sweep: {e}")))?;
    let report = g.sweep(options, &mut |p| progress(json(p)?))?;
    json(&report)
}

/// The subject's export rendered as PDF/A (the configured renderer), to read, print and post.
pub fn export_pdf(g: &Gdpr, subject: &str, language: Option<&str>) -> Result<Vec<u8>> {
    let subject = SubjectId::new(subject)?;
    let language = language.map(str::parse::<Language>).transpose()?;
    g.render_pdf(&g.export(&subject, language)?)
}

/// The information notice (Arts. 13 and 14) for `subject`, or for every purpose of the map,
/// rendered as PDF/A (the configured renderer), to print and post.
pub fn information_notice_pdf(g: &Gdpr, subject: Option<&str>, language: Option<&str>) -> Result<Vec<u8>> {
    let subject = subject.map(SubjectId::new).transpose()?;
    let language = language.map(str::parse::<Language>).transpose()?;
    Ok(g.information_notice_pdf(subject.as_ref(), language)?.1)
}

/// The decisions of a campaign, kept native: the subjects who may be contacted read at once, any
/// one decision read as JSON when asked for.
#[derive(Debug)]
pub struct Campaign(Vec<Decision>);

impl Campaign {
    /// Decides for every subject of `subjects` (ids) for `purpose` on `channel`, at `at` (RFC
    /// 3339) or now, in one call ([`Gdpr::decide_many`]).
    pub fn decide(g: &Gdpr, subjects: Vec<String>, purpose: &str, channel: &str, at: Option<&str>) -> Result<Self> {
        let subjects = subjects.into_iter().map(SubjectId::new).collect::<Result<Vec<_>>>()?;
        let purpose: PurposeId = purpose.parse()?;
        let channel: Channel = channel.parse()?;
        let at = at
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).map(|t| t.to_utc()))
            .transpose()
            .map_err(|e| Error::invalid("at", format!("not an RFC 3339 instant: {e}")))?;
        Ok(Campaign(g.decide_many(&subjects, &purpose, &channel, at)?))
    }

    /// How many decisions: one per subject asked about, in their order.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no subject was asked about.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The subjects who may be contacted, in the order asked.
    pub fn allowed(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter(|d| d.allowed).map(|d| d.subject.as_str())
    }

    /// Decision `i` as JSON, with its reason ([`gdprkit::json_api::decision_json`]).
    pub fn decision_json(&self, i: usize) -> Result<String> {
        let d = self
            .0
            .get(i)
            .ok_or_else(|| Error::invalid("index", format!("{i} is past the {} decisions", self.0.len())))?;
        Ok(gdprkit::json_api::decision_json(d)?.to_string())
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal("could not write a result as JSON", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Gdpr {
        open_json(r#"{"store": ":memory:", "pdf": false, "now": "2025-06-01T12:00:00Z"}"#).unwrap()
    }

    #[test]
    fn a_store_in_memory_answers_calls_by_name() {
        let g = memory();
        let purpose = r#"{"id": "news", "label": "News", "legal_basis": "consent", "direct_marketing": true}"#;
        call(&g, "add_purpose", purpose).unwrap();
        assert!(call(&g, "purposes", "{}").unwrap().contains("\"news\""));
        let err = call(&g, "purposes", "{not json").unwrap_err();
        assert_eq!(err.field(), Some("args"));
    }

    #[test]
    fn a_call_reads_the_hosts_instant_when_given_one() {
        let g = memory();
        assert_eq!(at(&g, Some("2030-01-02T03:04:05Z")).unwrap().now().to_rfc3339(), "2030-01-02T03:04:05+00:00");
        assert_eq!(at(&g, Some("tomorrow")).unwrap_err().field(), Some("now"));
    }

    #[test]
    fn sweep_options_are_read_strictly() {
        let g = memory();
        let err = sweep(&g, r#"{"batch": 3}"#, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.field(), Some("args"), "a misspelled option is refused: {err}");
        let err = sweep(&g, r#"{"batch_size": 10}"#, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.field(), Some("crm"), "no CRM configured: {err}");
    }

    #[test]
    fn a_campaign_lists_who_may_be_contacted_and_reads_one_decision_on_demand() {
        let g = memory();
        let purpose =
            r#"{"id": "news", "label": "News", "legal_basis": "legitimate_interests", "direct_marketing": true}"#;
        call(&g, "add_purpose", purpose).unwrap();
        call(&g, "add_subject", r#"{"id": "acme", "regime": "b2b_opt_out"}"#).unwrap();
        call(&g, "add_subject", r#"{"id": "jeanne", "regime": "b2c_opt_in"}"#).unwrap();
        let subjects = vec!["jeanne".to_owned(), "acme".to_owned()];
        let c = Campaign::decide(&g, subjects, "news", "email", None).unwrap();
        // CPCE L.34-5: a consumer needs an opt-in; a professional may be mailed until they object.
        assert_eq!(c.allowed().collect::<Vec<_>>(), ["acme"]);
        assert_eq!(c.len(), 2);
        assert!(c.decision_json(0).unwrap().contains("\"reason\""));
        assert_eq!(c.decision_json(2).unwrap_err().field(), Some("index"));
        let bad = Campaign::decide(&g, vec![String::new()], "news", "email", None).unwrap_err();
        assert_eq!(bad.field(), Some("subject"));
    }
}
