//! `gdprkit consent record|check|campaign|history|unsubscribe-token|unsubscribe`

use std::process::ExitCode;

use gdprkit::{Channel, Collector, ConsentAction, ConsentEvent, NewConsent, Proof, PurposeId, Source, SubjectId};
use serde::Serialize;

use crate::args::{ConsentCommand, DecideFor, RecordArgs};
use crate::context::{CliResult, Context, instant};

/// gdprkit on the database with the HMAC key of GDPRKIT_HMAC_KEY, which signs unsubscribe
/// references.
fn keyed(ctx: &Context) -> CliResult<gdprkit::Gdpr> {
    let var = crate::context::HMAC_KEY_VAR;
    if std::env::var_os(var).is_none_or(|k| k.is_empty()) {
        return Err(Box::new(crate::context::Refusal(format!(
            "{var} is not set: unsubscribe references are signed with the HMAC key"
        ))));
    }
    let mut config = ctx.config();
    config.hmac_key = Some(gdprkit::SecretSource::Env { env: var.into() });
    ctx.gdpr(false)?;
    ctx.open(&config)
}

/// The purpose, channel and instant of a decision, read from their options.
fn decide_for(what: &DecideFor) -> CliResult<(PurposeId, Channel, Option<chrono::DateTime<chrono::Utc>>)> {
    Ok((PurposeId::new(what.purpose.as_str())?, what.channel.parse()?, instant("--at", what.at.as_deref())?))
}

pub fn run(ctx: &Context, command: ConsentCommand) -> CliResult<ExitCode> {
    match command {
        ConsentCommand::Record(args) => record(ctx, args),
        ConsentCommand::UnsubscribeToken { subject, purpose, channel } => {
            let subject = SubjectId::new(subject)?;
            let scope = match (purpose, channel) {
                (Some(p), Some(c)) => Some((PurposeId::new(p)?, c.parse::<Channel>()?)),
                _ => None,
            };
            let token = keyed(ctx)?.unsubscribe_token(&subject, scope.as_ref().map(|(p, c)| (p, c)))?;
            #[derive(Serialize)]
            struct Out<'a> {
                token: &'a str,
            }
            ctx.emit(&Out { token: &token }, || token.clone())?;
            Ok(ExitCode::SUCCESS)
        }
        ConsentCommand::Unsubscribe { token } => {
            let done = keyed(ctx)?.unsubscribe(&token)?;
            ctx.emit(&done, || {
                let what = if done.recorded { "recorded" } else { "already recorded; nothing more" };
                format!("{} for {}: {what}", done.event.action, done.subject)
            })?;
            Ok(ExitCode::SUCCESS)
        }
        ConsentCommand::Check { subject, what } => {
            let subject = SubjectId::new(subject)?;
            let (purpose, channel, at) = decide_for(&what)?;
            let decision = ctx.reader()?.decide(&subject, &purpose, &channel, at)?;
            #[derive(Serialize)]
            struct Out<'a> {
                allowed: bool,
                reason: String,
                since: Option<String>,
                decision: &'a gdprkit::Decision,
            }
            let out = Out {
                allowed: decision.allowed,
                reason: decision.reason(),
                since: decision.since.map(gdprkit::time::format),
                decision: &decision,
            };
            ctx.emit(&out, || {
                let verdict = if out.allowed { "allowed" } else { "not allowed" };
                let since = out.since.as_deref().map(|s| format!(" (since {s})")).unwrap_or_default();
                let mut line = format!("{verdict}: {}{since}", out.reason);
                if let Some(carry) = &decision.information {
                    let notice = carry.version.as_deref().unwrap_or("the information notice");
                    let when = if carry.overdue { "overdue since" } else { "due by" };
                    let why = if carry.due_by == gdprkit::information::DueBy::Collection {
                        "this person's data were collected from them and no notice was recorded (Art. 13(1))"
                    } else {
                        "this person's data came from another source and they were not told (Art. 14(3))"
                    };
                    line.push_str(&format!("\nthe message must carry {notice}: {why}; {when} {}", carry.due));
                }
                line
            })?;
            Ok(if decision.allowed { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        ConsentCommand::Campaign { what, all, page } => {
            let (purpose, channel, at) = decide_for(&what)?;
            // A write that fails (a reader gone, as with `| head`) stops the walk; its error is
            // returned as it is, so that main ends quietly on a closed pipe.
            let mut failed: Option<std::io::Error> = None;
            let walked = ctx.reader()?.campaign(&purpose, &channel, at, page, &mut |decisions| {
                for d in decisions.iter().filter(|d| all || d.allowed) {
                    let line = if ctx.json {
                        serde_json::to_string(d).map_err(|e| gdprkit::Error::internal("write a decision", e))?
                    } else if all {
                        let verdict = if d.allowed { "allowed" } else { "not allowed" };
                        let notice = d.information.as_ref().map_or_else(String::new, |c| {
                            format!("; the message must carry the information notice, due by {}", c.due)
                        });
                        format!("{}\t{verdict}\t{}{notice}", d.subject, d.reason())
                    } else {
                        d.subject.to_string()
                    };
                    if let Err(e) = crate::context::print_line(&line) {
                        failed = Some(e);
                        return Err(gdprkit::Error::invalid("stdout", "closed"));
                    }
                }
                Ok(())
            });
            if let Some(e) = failed {
                return Err(Box::new(e));
            }
            let report = walked?;
            eprintln!("{} subjects decided, {} allowed", report.subjects, report.allowed);
            Ok(ExitCode::SUCCESS)
        }
        ConsentCommand::Receipt { subject } => {
            let subject = SubjectId::new(subject)?;
            let records = ctx.reader()?.consent_receipt(&subject)?;
            ctx.emit(&records, || receipt_text(&subject, &records))?;
            Ok(ExitCode::SUCCESS)
        }
        ConsentCommand::History { subject } => {
            let subject = SubjectId::new(subject)?;
            let events = ctx.reader()?.history(&subject)?;
            ctx.emit(&events, || history_text(&subject, &events))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One line per consent record: its identifier, what it is about, its status and when.
fn receipt_text(subject: &SubjectId, records: &[gdprkit::export::consent_records::ConsentRecordLd]) -> String {
    if records.is_empty() {
        return format!("{subject} has no consent record");
    }
    records
        .iter()
        .map(|r| {
            format!(
                "{}: {} on {}, {} at {} (ledger entry {})",
                r.identifier,
                r.process.purpose.identifier,
                r.process.channel.as_deref().unwrap_or("every channel"),
                r.status.kind,
                r.status.at.format("%Y-%m-%d %H:%M UTC"),
                r.ledger_entry
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn record(ctx: &Context, a: RecordArgs) -> CliResult<ExitCode> {
    let action: ConsentAction = a.action.parse()?;
    let mut consent = NewConsent {
        subject: SubjectId::new(a.subject)?,
        action,
        purpose: a.purpose.map(PurposeId::new).transpose()?,
        channel: a.channel.map(|c| c.parse::<Channel>()).transpose()?,
        occurred_at: instant("--at", a.at.as_deref())?,
        proof: Proof {
            source: a.source.map(|s| s.parse::<Source>()).transpose()?,
            collected_by: a.collected_by.map(|c| c.parse::<Collector>()).transpose()?,
            notice_version: a.notice_version,
            notice_sha256: a.notice_sha256,
            ip: a.ip,
            user_agent: a.user_agent,
            proof_ref: a.proof_ref,
        },
        information: None,
    };
    consent.validate(ctx.now())?;
    let event = ctx.gdpr(false)?.record_consent(consent)?;
    ctx.emit(&event, || {
        format!(
            "recorded {} for {}: {} on {}, happened {} (ledger entry {})",
            event.action,
            event.subject.as_ref().map_or("an erased subject", |s| s.as_str()),
            event.purpose.as_ref().map_or("all direct marketing", |p| p.as_str()),
            event.channel.as_ref().map_or("every channel", |c| c.as_str()),
            gdprkit::time::format(event.occurred_at),
            event.seq
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

fn history_text(subject: &SubjectId, events: &[ConsentEvent]) -> String {
    if events.is_empty() {
        return format!("no consent events for {subject}");
    }
    let mut out = format!(
        "{:<28} {:<28} {:<20} {:<20} {:<10} {}",
        "happened", "recorded", "action", "purpose", "channel", "source"
    );
    for e in events {
        out.push_str(&format!(
            "\n{:<28} {:<28} {:<20} {:<20} {:<10} {}",
            gdprkit::time::format(e.occurred_at),
            gdprkit::time::format(e.recorded_at),
            e.action.as_str(),
            e.purpose.as_ref().map_or("(all marketing)", |p| p.as_str()),
            e.channel.as_ref().map_or("(all)", |c| c.as_str()),
            e.proof.source.map_or("-", |s| s.as_str()),
        ));
    }
    out
}
