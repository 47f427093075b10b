//! `gdprkit export`

use std::path::Path;
use std::process::ExitCode;

use gdprkit::export::json::to_json;
use gdprkit::mailer::Attachment;
use gdprkit::{Language, SecretSource, SmtpSettings, SubjectId};
use serde::Serialize;

use crate::context::{CliResult, Context, Refusal};

/// The sender of mailed exports.
const FROM_VAR: &str = "GDPRKIT_SMTP_FROM";

#[derive(Serialize)]
struct Exported<'a> {
    subject: &'a str,
    format: &'a str,
    out: String,
    bytes: usize,
    mailed_to: Option<String>,
}

pub fn run(
    ctx: &Context,
    subject: &str,
    map_file: &Path,
    format: &str,
    out: &Path,
    lang: Option<&str>,
    smtp: Option<String>,
) -> CliResult<ExitCode> {
    // Every argument is checked before anything is read or written.
    let subject = SubjectId::new(subject)?;
    let language = lang.map(str::parse::<Language>).transpose()?;
    if format != "pdf" && format != "json" {
        return Err(Box::new(Refusal(format!("--format: {format:?} is neither pdf nor json"))));
    }
    let mut config = ctx.config();
    ctx.add_crm(&mut config, map_file)?;
    config.pdf = Some(format == "pdf");
    if let Some(url) = smtp {
        let from = std::env::var(FROM_VAR)
            .ok()
            .filter(|f| !f.is_empty())
            .ok_or_else(|| Refusal(format!("--mail: {FROM_VAR} gives no sender address")))?;
        let user = std::env::var("GDPRKIT_SMTP_USER").ok();
        let password = user.as_ref().map(|_| SecretSource::Env { env: "GDPRKIT_SMTP_PASSWORD".into() });
        config.smtp = Some(SmtpSettings { url, from, user, password });
    }
    let mail = config.smtp.is_some();
    let g = ctx.open(&config)?;
    let export = g.export(&subject, language)?;
    let (bytes, content_type) = match format {
        "pdf" => (g.render_pdf(&export)?, "application/pdf"),
        _ => (to_json(&export)?, "application/json"),
    };
    if mail && export.subject.email.is_none() {
        return Err(Box::new(Refusal(format!(
            "--mail: {subject} has no e-mail address; print the export and post it"
        ))));
    }
    write_replacing(out, &bytes)?;
    let to = if mail {
        let filename = format!("export.{format}");
        let attachment = Attachment { filename, content_type: content_type.into(), bytes: bytes.clone() };
        Some(g.send_export(&export, attachment)?)
    } else {
        None
    };
    let done = Exported {
        subject: subject.as_str(),
        format,
        out: out.display().to_string(),
        bytes: bytes.len(),
        mailed_to: to,
    };
    ctx.emit(&done, || {
        let mut text = format!("wrote {} ({} bytes): everything held on {}", done.out, done.bytes, done.subject);
        if let Some(to) = &done.mailed_to {
            text.push_str(&format!("\nmailed to {to}"));
        }
        text
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` through a file beside it, renamed into place: a reader never sees
/// half an export.
fn write_replacing(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .map_err(|e| Refusal(format!("--out: could not write {}: {e}", partial.display())))?;
    std::fs::rename(&partial, path).map_err(|e| Refusal(format!("--out: could not write {}: {e}", path.display())))?;
    Ok(())
}
