//! `gdprkit request …`

use std::process::ExitCode;

use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::machine::RequestState;
use gdprkit::request::recipients::{SkipReason, TaskOutcome, TaskStatus};
use gdprkit::request::record::{ExtensionGround, RefusalCode, Request, RequestId};
use gdprkit::request::service::{Delivery, NewRequest, Notice, Step};
use gdprkit::{PurposeId, SubjectId};
use serde::Serialize;

use crate::args::RequestCommand;
use crate::context::{CliResult, Context, Refusal, instant};

pub fn run(ctx: &Context, command: RequestCommand) -> CliResult<ExitCode> {
    let (id, step, by) = match command {
        RequestCommand::Open { subject, kind, via, received_at, purposes } => {
            let new = NewRequest {
                purposes: purposes.into_iter().map(PurposeId::new).collect::<gdprkit::Result<_>>()?,
                subject: SubjectId::new(subject)?,
                kind: kind.parse::<RequestKind>()?,
                via: via.parse::<ReceivedVia>()?,
                received_at: instant("--received-at", received_at.as_deref())?,
            };
            let opened = ctx.gdpr(false)?.open_request(new)?;
            #[derive(Serialize)]
            struct Out<'a> {
                id: &'a str,
                token: &'a str,
                due: String,
                notice: &'a Notice,
            }
            let out = Out {
                id: opened.request.id.as_str(),
                token: &opened.token,
                due: opened.request.due.to_string(),
                notice: &opened.notice,
            };
            ctx.emit(&out, || {
                format!(
                    "opened {} request {} for {}\ndue {}\ntracking token (give it to the subject; it is not shown again): {}\n{}",
                    opened.request.kind,
                    out.id,
                    opened.request.subject,
                    out.due,
                    out.token,
                    notice_line(&opened.notice)
                )
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::Show { id } => {
            let request = ctx.reader()?.request(&RequestId::new(id)?)?;
            ctx.emit(&request, || describe(&request))?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::Track { token } => {
            let view = ctx.reader()?.track(&token)?;
            ctx.emit(&view, || match &view {
                Some(v) => {
                    let mut text = format!(
                        "{} request received {}: {}, due {}{}",
                        v.kind,
                        v.received_on,
                        v.state,
                        v.due,
                        if v.extended { " (extended)" } else { "" }
                    );
                    for note in &v.notes {
                        text.push_str(&format!("\n{}: {}", gdprkit::time::format(note.at), note.text));
                    }
                    text
                }
                None => "no request matches this token".into(),
            })?;
            return Ok(if view.is_some() { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        RequestCommand::List { overdue, due_within, state, late } => {
            let state = state.map(|s| s.parse::<RequestState>()).transpose()?;
            let g = ctx.reader()?;
            // Filters together list each group in turn: what was answered late, what is overdue,
            // then what is due soon.
            let mut requests = match (overdue, due_within, late) {
                (false, None, false) => g.requests()?,
                _ => Vec::new(),
            };
            if late {
                requests.extend(g.late_requests()?);
            }
            if overdue {
                requests.extend(g.overdue_requests()?);
            }
            if let Some(days) = due_within {
                requests.extend(g.requests_due_within(days)?);
            }
            requests.retain(|r| state.is_none_or(|s| r.state == s));
            ctx.emit(&requests, || {
                if requests.is_empty() {
                    return "no requests".into();
                }
                requests
                    .iter()
                    .map(|r| {
                        format!(
                            "{}  {:<14} {:<17} received {}  due {}  {}{}",
                            r.id,
                            r.kind.as_str(),
                            r.state.as_str(),
                            r.received_on,
                            r.due,
                            r.subject,
                            if r.late { "  (answered late)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::Execute { id, map, by } => {
            let g = ctx.gdpr_with_crm(&map)?;
            let done = g.execute_request(&RequestId::new(id)?, &by.who)?;
            ctx.emit(&done, || {
                let mut text = format!(
                    "carried out: {} row(s) of the CRM changed or deleted\n{}",
                    done.report.plan.rows_touched(),
                    describe(&done.outcome.request)
                );
                if let Some(n) = &done.outcome.notice {
                    text.push('\n');
                    text.push_str(&notice_line(n));
                }
                text
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::LiftRestriction { id, subject_told, by } => {
            let id = RequestId::new(id)?;
            let g = ctx.gdpr(false)?;
            g.lift_restriction(&id, &by.who, subject_told)?;
            let request = g.request(&id)?;
            ctx.emit(&request, || format!("restriction lifted for {}", request.subject))?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::Tasks { id } => {
            let tasks = ctx.reader()?.recipient_tasks(&RequestId::new(id)?)?;
            ctx.emit(&tasks, || {
                if tasks.is_empty() {
                    return "no recipients to tell".into();
                }
                tasks
                    .iter()
                    .map(|t| format!("{}: {}", t.recipient, task_status(&t.status)))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::TellRecipient { id, recipient, sent, skip, by } => {
            let outcome = match (sent, skip) {
                (_, Some(reason)) => TaskOutcome::Skipped(reason.parse::<SkipReason>()?),
                (true, None) => TaskOutcome::Sent,
                (false, None) => return Err(Box::new(Refusal("give --sent or --skip REASON".into()))),
            };
            let task = ctx.gdpr(false)?.mark_recipient_task(&RequestId::new(id)?, &recipient, outcome, &by.who)?;
            ctx.emit(&task, || format!("{}: {}", task.recipient, task_status(&task.status)))?;
            return Ok(ExitCode::SUCCESS);
        }
        RequestCommand::AwaitSubject { id, kind, reason, method, by } => {
            (id, Step::AwaitSubject { kind: kind.parse::<gdprkit::WaitKind>()?, reason, method }, by)
        }
        RequestCommand::Resume { id, by } => (id, Step::Resume, by),
        RequestCommand::Accept { id, by } => (id, Step::Accept, by),
        RequestCommand::Start { id, by } => (id, Step::Start, by),
        RequestCommand::Extend { id, ground, reason, by } => {
            (id, Step::Extend { ground: ground.parse::<ExtensionGround>()?, reason }, by)
        }
        RequestCommand::Refuse { id, code, reason, by } => {
            (id, Step::Refuse { code: code.parse::<RefusalCode>()?, reason }, by)
        }
        RequestCommand::Complete { id, delivered_by, on, kept, by } => match (delivered_by, on) {
            _ if !kept.is_empty() => {
                let kept = kept.iter().map(|k| kept_part(k)).collect::<CliResult<Vec<_>>>()?;
                (id, Step::CompleteKeeping { kept }, by)
            }
            (Some(how), Some(on)) => {
                let step = Step::CompleteHandedOver {
                    by: how.replace('-', "_").parse::<gdprkit::request::record::CopyDelivery>()?,
                    on: gdprkit::time::parse_date("--on", &on)?,
                };
                (id, step, by)
            }
            _ => (id, Step::Complete, by),
        },
        RequestCommand::Withdraw { id, by } => (id, Step::Withdraw, by),
        RequestCommand::OfferDownload { id, by } => {
            let outcome = ctx.gdpr(false)?.offer_download(&RequestId::new(id)?, &by.who)?;
            return emit_outcome(ctx, &outcome);
        }
        RequestCommand::Message { id } => {
            let message = ctx.reader()?.request_message(&RequestId::new(id)?)?;
            ctx.emit(&message, || message.clone().unwrap_or_else(|| "(no message)".into()))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let id = RequestId::new(id)?;
    let outcome = ctx.gdpr(false)?.act_noted(&id, step, &by.who, by.public_note.as_deref())?;
    emit_outcome(ctx, &outcome)
}

/// Prints a request after a step, with what became of its notice.
fn emit_outcome(ctx: &Context, outcome: &gdprkit::StepOutcome) -> CliResult<ExitCode> {
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(flatten)]
        request: &'a Request,
        notice: Option<&'a Notice>,
    }
    let out = Out { request: &outcome.request, notice: outcome.notice.as_ref() };
    ctx.emit(&out, || {
        let mut text = describe(&outcome.request);
        if let Some(n) = &outcome.notice {
            text.push('\n');
            text.push_str(&notice_line(n));
        }
        text
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One line on what became of a notice; its text is in the `--json` output.
fn notice_line(n: &Notice) -> String {
    let what = match &n.delivery {
        Delivery::Sent { to } => format!("sent to {to}"),
        Delivery::NoAddress => "not sent: the subject has no e-mail address; print and post it".into(),
        Delivery::Queued { to, reason } => {
            format!("queued for {to}, not sent yet ({reason}); `gdprkit outbox deliver` sends it")
        }
    };
    format!("{} notice, in {}: {what}; its text is in the --json output", n.kind.as_str(), n.language)
}

fn task_status(s: &TaskStatus) -> String {
    match s {
        TaskStatus::Pending => "to tell".into(),
        TaskStatus::Sent { at } => format!("told on {}", gdprkit::time::format(*at)),
        TaskStatus::Skipped { reason, at } => format!("not told ({reason}), decided {}", gdprkit::time::format(*at)),
    }
}

fn describe(r: &Request) -> String {
    let mut out = format!(
        "request {}: {} by {} for {}\nstate: {}\nreceived: {} ({})\ndue: {} (initially {})",
        r.id,
        r.kind,
        r.via,
        r.subject,
        r.state,
        gdprkit::time::format(r.received_at),
        r.received_on,
        r.due,
        r.initial_due
    );
    if let Some(e) = &r.extension {
        out.push_str(&format!("\nextended for {}: {}", e.ground, e.reason));
    }
    if r.paused_days > 0 {
        out.push_str(&format!("\nwaited on the subject: {} days", r.paused_days));
    }
    if let Some(asked) = &r.awaiting {
        out.push_str(&format!("\nwaiting on the subject for: {asked}"));
    }
    if let Some(code) = r.refusal {
        out.push_str(&format!("\nrefused: {code}"));
    }
    out
}

/// Reads `WHAT:CODE[:PERIOD]` (`invoices:legal_obligation:10y`) as a part kept.
fn kept_part(text: &str) -> CliResult<gdprkit::request::record::Kept> {
    let mut parts = text.splitn(3, ':');
    let (Some(what), Some(code)) = (parts.next(), parts.next()) else {
        return Err(Box::new(Refusal(format!("--kept {text:?}: give WHAT:CODE or WHAT:CODE:PERIOD"))));
    };
    let period = parts.next().map(|p| gdprkit::anonymize::map::Period::parse(p, "--kept")).transpose()?;
    Ok(gdprkit::request::record::Kept { what: what.to_owned(), code: code.parse::<RefusalCode>()?, period })
}
