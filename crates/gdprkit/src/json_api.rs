//! The facade as calls by name with JSON arguments and results: the one surface the Python and
//! Node packages call, so that they hold no logic of their own and a new field reaches them with
//! no binding code. Each method's arguments are the serde form of the facade's own types
//! (`docs/python.md` lists them); results are the serde form of what the facade returns.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::consent::NewConsent;
use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::ids::{Channel, PurposeId, SubjectId};
use crate::request::record::RequestId;
use crate::request::service::{NewRequest, Step};
use crate::subject::NewSubject;

/// Every method [`call`] knows, in the order `docs/python.md` lists them.
pub const METHODS: &[&str] = &[
    "add_purpose",
    "purpose",
    "purposes",
    "add_channel",
    "channels",
    "add_subject",
    "add_subjects",
    "subject",
    "record_consent",
    "record_consents",
    "decide",
    "decide_many",
    "history",
    "verify_ledger",
    "open_request",
    "act",
    "request",
    "requests",
    "subject_requests",
    "track",
    "overdue_requests",
    "late_requests",
    "requests_due_within",
    "deadline",
    "lift_restriction",
    "record_disclosure",
    "disclosures",
    "recipient_tasks",
    "mark_recipient_task",
    "purposes_applying_to",
    "erase_subject",
    "execute_request",
    "finish_interrupted_erasures",
    "check_map",
    "sweep",
    "export",
    "complete_with_export",
    "offer_download",
    "request_message",
    "deliver_pending",
    "outbox",
    "unsubscribe_token",
    "unsubscribe",
    "suppression_list",
    "changes_since",
    "settings",
    "save_settings",
    "consent_receipt",
    "information_notice",
    "information_status",
    "information_due",
    "inform",
    "exempt_from_information",
    "exempt_source_from_information",
    "record_communication",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectArg {
    subject: SubjectId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideArgs {
    subject: Option<SubjectId>,
    #[serde(default)]
    subjects: Vec<SubjectId>,
    purpose: PurposeId,
    channel: Channel,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActArgs {
    request: RequestId,
    step: Step,
    actor: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestArg {
    request: RequestId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenArg {
    token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nothing {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DaysArg {
    days: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceivedArg {
    received: chrono::NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LiftArgs {
    request: RequestId,
    actor: String,
    subject_told: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureArgs {
    subject: SubjectId,
    recipient: String,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EraseArgs {
    subject: SubjectId,
    #[serde(default)]
    dry_run: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecuteArgs {
    request: RequestId,
    actor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportArgs {
    subject: SubjectId,
    #[serde(default)]
    language: Option<crate::subject::Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurposeArg {
    purpose: PurposeId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskArgs {
    request: RequestId,
    recipient: String,
    /// `sent`, or `skipped` with a `reason`.
    outcome: String,
    #[serde(default)]
    reason: Option<crate::request::recipients::SkipReason>,
    actor: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxArgs {
    #[serde(default)]
    filter: crate::outbox::OutboxFilter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsubscribeTokenArgs {
    subject: SubjectId,
    #[serde(default)]
    purpose: Option<PurposeId>,
    #[serde(default)]
    channel: Option<Channel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesArgs {
    #[serde(default)]
    since: u64,
    limit: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeArgs {
    #[serde(default)]
    subject: Option<SubjectId>,
    #[serde(default)]
    language: Option<crate::subject::Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DueArgs {
    #[serde(default)]
    overdue_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InformArgs {
    subject: SubjectId,
    via: crate::information::InformedVia,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExemptArgs {
    subject: SubjectId,
    exemption: crate::information::NewExemption,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExemptSourceArgs {
    source: crate::information::DataSource,
    exemption: crate::information::NewExemption,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommunicationArgs {
    subject: SubjectId,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

/// Calls `method` with `args` (a JSON object) and returns its result as JSON. An unknown method,
/// or arguments that do not read as the method's, is an `invalid_input` error naming what is
/// wrong; the facade's own errors come back as they are.
pub fn call(g: &Gdpr, method: &str, args: Value) -> Result<Value> {
    Ok(match method {
        "add_purpose" => {
            g.add_purpose(read(method, args)?)?;
            Value::Null
        }
        "purpose" => to_value(g.purpose(&read::<PurposeArg>(method, args)?.purpose)?)?,
        "purposes" => {
            read::<Nothing>(method, args)?;
            to_value(g.purposes()?)?
        }
        "add_channel" => {
            g.add_channel(read(method, args)?)?;
            Value::Null
        }
        "channels" => {
            read::<Nothing>(method, args)?;
            to_value(g.channels()?)?
        }
        "add_subject" => to_value(g.add_subject(read::<NewSubject>(method, args)?)?)?,
        "add_subjects" => to_value(g.add_subjects(read::<Vec<NewSubject>>(method, args)?)?)?,
        "subject" => to_value(g.subject(&read::<SubjectArg>(method, args)?.subject)?)?,
        "record_consent" => to_value(g.record_consent(read::<NewConsent>(method, args)?)?)?,
        "record_consents" => to_value(g.record_consents(read::<Vec<NewConsent>>(method, args)?)?)?,
        "decide" | "decide_many" => {
            let a: DecideArgs = read(method, args)?;
            let subjects = match (method, a.subject) {
                ("decide", Some(s)) if a.subjects.is_empty() => vec![s],
                ("decide_many", None) => a.subjects,
                _ => {
                    return Err(Error::invalid(
                        "args",
                        format!("{method} takes {}", if method == "decide" { "`subject`" } else { "`subjects`" }),
                    ));
                }
            };
            let decisions = g.decide_many(&subjects, &a.purpose, &a.channel, a.at)?;
            let with_reasons: Vec<Value> = decisions.iter().map(decision_json).collect::<Result<_>>()?;
            match method {
                "decide" => with_reasons.into_iter().next().unwrap_or(Value::Null),
                _ => Value::Array(with_reasons),
            }
        }
        "history" => to_value(g.history(&read::<SubjectArg>(method, args)?.subject)?)?,
        "verify_ledger" => {
            read::<Nothing>(method, args)?;
            to_value(g.verify_ledger()?)?
        }
        "open_request" => to_value(g.open_request(read::<NewRequest>(method, args)?)?)?,
        "act" => {
            let raw_step = args.get("step").cloned();
            let a: ActArgs = read(method, args)?;
            check_step_keys(raw_step, &a.step)?;
            to_value(g.act_noted(&a.request, a.step, &a.actor, a.note.as_deref())?)?
        }
        "request" => to_value(g.request(&read::<RequestArg>(method, args)?.request)?)?,
        "requests" => {
            read::<Nothing>(method, args)?;
            to_value(g.requests()?)?
        }
        "subject_requests" => to_value(g.subject_requests(&read::<SubjectArg>(method, args)?.subject)?)?,
        "track" => to_value(g.track(&read::<TokenArg>(method, args)?.token)?)?,
        "overdue_requests" => {
            read::<Nothing>(method, args)?;
            to_value(g.overdue_requests()?)?
        }
        "late_requests" => {
            read::<Nothing>(method, args)?;
            to_value(g.late_requests()?)?
        }
        "requests_due_within" => to_value(g.requests_due_within(read::<DaysArg>(method, args)?.days)?)?,
        "deadline" => to_value(g.deadline(read::<ReceivedArg>(method, args)?.received)?)?,
        "lift_restriction" => {
            let a: LiftArgs = read(method, args)?;
            g.lift_restriction(&a.request, &a.actor, a.subject_told)?;
            Value::Null
        }
        "record_disclosure" => {
            let a: DisclosureArgs = read(method, args)?;
            to_value(g.record_disclosure(&a.subject, &a.recipient, a.at)?)?
        }
        "disclosures" => to_value(g.disclosures(&read::<SubjectArg>(method, args)?.subject)?)?,
        "recipient_tasks" => to_value(g.recipient_tasks(&read::<RequestArg>(method, args)?.request)?)?,
        "mark_recipient_task" => {
            let a: TaskArgs = read(method, args)?;
            use crate::request::recipients::TaskOutcome;
            let outcome = match (a.outcome.as_str(), a.reason) {
                ("sent", None) => TaskOutcome::Sent,
                ("skipped", Some(reason)) => TaskOutcome::Skipped(reason),
                _ => {
                    return Err(Error::invalid(
                        "outcome",
                        "is `sent` (with no reason) or `skipped` with a `reason` (impossible, disproportionate_effort)",
                    ));
                }
            };
            to_value(g.mark_recipient_task(&a.request, &a.recipient, outcome, &a.actor)?)?
        }
        "purposes_applying_to" => to_value(g.purposes_applying_to(&read::<SubjectArg>(method, args)?.subject)?)?,
        "erase_subject" => {
            let a: EraseArgs = read(method, args)?;
            to_value(g.erase_subject(&a.subject, a.dry_run)?)?
        }
        "execute_request" => {
            let a: ExecuteArgs = read(method, args)?;
            to_value(g.execute_request(&a.request, &a.actor)?)?
        }
        "finish_interrupted_erasures" => {
            read::<Nothing>(method, args)?;
            to_value(g.finish_interrupted_erasures()?)?
        }
        "check_map" => {
            read::<Nothing>(method, args)?;
            to_value(g.check_map()?)?
        }
        "sweep" => to_value(g.sweep(read(method, args)?, &mut |_| Ok(()))?)?,
        "export" => {
            let a: ExportArgs = read(method, args)?;
            to_value(g.export(&a.subject, a.language)?)?
        }
        "complete_with_export" => {
            let a: ExecuteArgs = read(method, args)?;
            to_value(g.complete_with_export(&a.request, &a.actor)?)?
        }
        "offer_download" => {
            let a: ExecuteArgs = read(method, args)?;
            to_value(g.offer_download(&a.request, &a.actor)?)?
        }
        "request_message" => to_value(g.request_message(&read::<RequestArg>(method, args)?.request)?)?,
        "deliver_pending" => {
            read::<Nothing>(method, args)?;
            to_value(g.deliver_pending()?)?
        }
        "outbox" => to_value(g.outbox(read::<OutboxArgs>(method, args)?.filter)?)?,
        "unsubscribe_token" => {
            let a: UnsubscribeTokenArgs = read(method, args)?;
            let scope = match (&a.purpose, &a.channel) {
                (Some(p), Some(c)) => Some((p, c)),
                (None, None) => None,
                _ => {
                    return Err(Error::invalid(
                        "args",
                        "unsubscribe_token takes both `purpose` and `channel`, or neither",
                    ));
                }
            };
            Value::String(g.unsubscribe_token(&a.subject, scope)?)
        }
        "unsubscribe" => to_value(g.unsubscribe(&read::<TokenArg>(method, args)?.token)?)?,
        "suppression_list" => {
            read::<Nothing>(method, args)?;
            to_value(g.suppression_list()?)?
        }
        "changes_since" => {
            let a: ChangesArgs = read(method, args)?;
            to_value(g.changes_since(a.since, a.limit)?)?
        }
        "settings" => {
            read::<Nothing>(method, args)?;
            to_value(g.settings()?)?
        }
        "save_settings" => {
            read::<Nothing>(method, args)?;
            to_value(g.save_settings()?)?
        }
        "consent_receipt" => to_value(g.consent_receipt(&read::<SubjectArg>(method, args)?.subject)?)?,
        "information_notice" => {
            let a: NoticeArgs = read(method, args)?;
            to_value(g.information_notice(a.subject.as_ref(), a.language)?)?
        }
        "information_status" => to_value(g.information_status(&read::<SubjectArg>(method, args)?.subject)?)?,
        "information_due" => to_value(g.information_due(read::<DueArgs>(method, args)?.overdue_only)?)?,
        "inform" => {
            let a: InformArgs = read(method, args)?;
            to_value(g.inform(&a.subject, a.via, a.at)?)?
        }
        "exempt_from_information" => {
            let a: ExemptArgs = read(method, args)?;
            to_value(g.exempt_from_information(&a.subject, &a.exemption)?)?
        }
        "exempt_source_from_information" => {
            let a: ExemptSourceArgs = read(method, args)?;
            to_value(g.exempt_source_from_information(a.source, &a.exemption)?)?
        }
        "record_communication" => {
            let a: CommunicationArgs = read(method, args)?;
            to_value(g.record_communication(&a.subject, a.at)?)?
        }
        other => {
            return Err(Error::invalid(
                "method",
                format!(
                    "{:?} is not a method; they are: {}",
                    crate::ids::truncate_for_message(other),
                    METHODS.join(", ")
                ),
            ));
        }
    })
}

/// A decision as JSON, with its `reason` in words: what `decide` and `decide_many` return, and
/// what a binding gives for one decision of a campaign it keeps native.
pub fn decision_json(d: &crate::Decision) -> Result<Value> {
    let mut v = to_value(d)?;
    if let Value::Object(fields) = &mut v {
        fields.insert("reason".into(), Value::String(d.reason()));
    }
    Ok(v)
}

/// Refuses a key of a step that the step did not read. Serde refuses unknown keys of a step with
/// fields, but ignores them for a step without any (`accept`); a misspelled key is refused either
/// way, never dropped with what it carried.
fn check_step_keys(raw: Option<Value>, step: &Step) -> Result<()> {
    let (Some(Value::Object(given)), Value::Object(read)) = (raw, to_value(step)?) else { return Ok(()) };
    match given.iter().find(|(k, v)| !v.is_null() && !read.contains_key(k.as_str())) {
        Some((key, _)) => Err(Error::invalid(
            "args",
            format!("act: unknown field `{}` for the step `{}`", crate::ids::truncate_for_message(key), read["action"]),
        )),
        None => Ok(()),
    }
}

/// The arguments of `method`, read from JSON.
fn read<T: DeserializeOwned>(method: &str, args: Value) -> Result<T> {
    serde_json::from_value(args).map_err(|e| Error::invalid("args", format!("{method}: {e}")))
}

fn to_value<T: serde::Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::internal("could not write a result as JSON", e))
}

/// A one-line description of an error for a binding: its code, field, whether to retry, the
/// message, and the chain of underlying errors (the driver's, the mail server's), as JSON.
pub fn error_json(e: &Error) -> Value {
    let mut sources = Vec::new();
    let mut next = std::error::Error::source(e);
    while let Some(source) = next {
        sources.push(source.to_string());
        next = source.source();
    }
    json!({
        "code": e.code(),
        "field": e.field(),
        "retryable": e.is_retryable(),
        "message": e.to_string(),
        "sources": sources,
    })
}
