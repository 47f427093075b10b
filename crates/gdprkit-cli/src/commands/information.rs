//! `gdprkit information`

use std::process::ExitCode;

use gdprkit::information::{DataSource, ExemptionGround, InformationStatus, InformedVia, NewExemption};
use gdprkit::{Language, SubjectId};

use crate::args::InformationCommand;
use crate::context::{CliResult, Context, Refusal, instant};

pub fn run(ctx: &Context, command: InformationCommand) -> CliResult<ExitCode> {
    match command {
        InformationCommand::Notice { subject, map, lang, html, pdf } => {
            // Every argument is checked before anything is read.
            let subject = subject.map(SubjectId::new).transpose()?;
            let language = lang.as_deref().map(str::parse::<Language>).transpose()?;
            let mut config = ctx.config();
            config.pdf = Some(pdf.is_some());
            ctx.add_crm(&mut config, &map)?;
            let gdpr = ctx.open(&config)?;
            if let Some(path) = pdf {
                let (notice, bytes) = gdpr.information_notice_pdf(subject.as_ref(), language)?;
                std::fs::write(&path, bytes)
                    .map_err(|e| Refusal(format!("--pdf: cannot write {}: {e}", path.display())))?;
                ctx.emit(&notice, || {
                    format!("wrote {} ({}, sha256 {})", path.display(), notice.version, notice.sha256)
                })?;
                return Ok(ExitCode::SUCCESS);
            }
            let notice = gdpr.information_notice(subject.as_ref(), language)?;
            ctx.emit(&notice, || {
                if html { notice.html.trim_end().to_owned() } else { notice.text.trim_end().to_owned() }
            })?;
        }
        InformationCommand::Status { subject } => {
            let subject = SubjectId::new(subject)?;
            let status = ctx.reader()?.information_status(&subject)?;
            ctx.emit(&status, || status_line(&status))?;
        }
        InformationCommand::Due { overdue } => {
            let listed = ctx.reader()?.information_due(overdue)?;
            ctx.emit(&listed, || {
                if listed.is_empty() {
                    let what = if overdue { "overdue" } else { "due" };
                    return format!("no subject's information is {what}");
                }
                listed.iter().map(status_line).collect::<Vec<_>>().join("\n")
            })?;
        }
        InformationCommand::Give { subject, via, at, map } => {
            let subject = SubjectId::new(subject)?;
            let via = via.parse::<InformedVia>()?;
            let at = instant("at", at.as_deref())?;
            let mut config = ctx.config();
            config.pdf = Some(false);
            ctx.add_crm(&mut config, &map)?;
            let given = ctx.open(&config)?.inform(&subject, via, at)?;
            ctx.emit(&given, || {
                let how = match &given.delivery {
                    Some(gdprkit::Delivery::Sent { to }) => format!("mailed to {to}"),
                    Some(gdprkit::Delivery::Queued { to, reason }) => format!("queued for {to}: {reason}"),
                    Some(gdprkit::Delivery::NoAddress) | None => format!("recorded as given by {via}"),
                };
                format!(
                    "informed {subject} with {} (sha256 {}), {how}; ledger entry {}",
                    given.notice.version, given.notice.sha256, given.seq
                )
            })?;
        }
        InformationCommand::Exempt { subject, source, ground, reason, public_notice } => {
            let subject = subject.map(SubjectId::new).transpose()?;
            let source = source.as_deref().map(str::parse::<DataSource>).transpose()?;
            let exemption = NewExemption { ground: ground.parse::<ExemptionGround>()?, reason, public_notice };
            let gdpr = ctx.gdpr(false)?;
            let exempted = match (subject, source) {
                (Some(subject), _) => {
                    gdpr.exempt_from_information(&subject, &exemption)?;
                    vec![subject]
                }
                (None, Some(source)) => gdpr.exempt_source_from_information(source, &exemption)?,
                (None, None) => return Err(gdprkit::Error::invalid("subject", "give --subject or --source").into()),
            };
            ctx.emit(&exempted, || {
                format!("exempted {} subject(s) on the ground {}", exempted.len(), exemption.ground)
            })?;
        }
        InformationCommand::Contacted { subject, at } => {
            let subject = SubjectId::new(subject)?;
            let at = instant("at", at.as_deref())?;
            let seq = ctx.gdpr(false)?.record_communication(&subject, at)?;
            ctx.emit(&serde_json::json!({ "seq": seq }), || format!("recorded a communication with {subject}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line: the subject, where it stands, its source and due date.
fn status_line(s: &InformationStatus) -> String {
    let mut line = format!("{:<20} {:<8}", s.subject.as_str(), s.state.as_str());
    if let Some(source) = s.source {
        line.push_str(&format!(" from {source}"));
        if let Some(r) = &s.reference {
            line.push_str(&format!(" ({r})"));
        }
    }
    if let Some(at) = s.obtained_at {
        line.push_str(&format!(", obtained {}", &gdprkit::time::format(at)[..10]));
    }
    if let (Some(due), Some(by)) = (s.due, s.due_by) {
        line.push_str(&format!(", due {due} ({by})"));
    }
    if let Some(i) = &s.informed {
        line.push_str(&format!(
            ", informed {} by {} with {}",
            &gdprkit::time::format(i.at)[..10],
            i.via,
            i.notice_version
        ));
    }
    if let Some(e) = &s.exemption {
        line.push_str(&format!(", exempt: {}", e.ground));
    }
    line
}
