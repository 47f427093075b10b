//! `gdprkit export`

use std::path::Path;
use std::process::ExitCode;

use gdprkit::export::json::to_json;
use gdprkit::mailer::Attachment;
use gdprkit::{Delivery, Language, PdfStandard, SecretSource, SentMessage, SmtpSettings, SubjectId};
use serde::Serialize;

use crate::args::ExportArgs;
use crate::context::{CliResult, Context, Refusal};

/// The sender of mailed messages.
const FROM_VAR: &str = "GDPRKIT_SMTP_FROM";

/// The SMTP settings for `url` given to `option`: the sender from GDPRKIT_SMTP_FROM, credentials
/// from GDPRKIT_SMTP_USER and GDPRKIT_SMTP_PASSWORD.
pub fn smtp_settings(option: &str, url: String) -> CliResult<SmtpSettings> {
    let from = std::env::var(FROM_VAR)
        .ok()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Refusal(format!("{option}: {FROM_VAR} gives no sender address")))?;
    let user = std::env::var("GDPRKIT_SMTP_USER").ok();
    let password = user.as_ref().map(|_| SecretSource::Env { env: "GDPRKIT_SMTP_PASSWORD".into() });
    Ok(SmtpSettings { url, from, user, password })
}

#[derive(Serialize)]
struct Exported<'a> {
    subject: &'a str,
    format: &'a str,
    out: String,
    bytes: usize,
    mail: Option<SentMessage>,
}

pub fn run(ctx: &Context, args: ExportArgs) -> CliResult<ExitCode> {
    let (format, out, map_file) = (args.format.as_str(), args.out.as_path(), args.map.as_path());
    let smtp = args.mail.then_some(args.smtp).flatten();
    // Every argument is checked before anything is read or written.
    let subject = SubjectId::new(args.subject)?;
    let language = args.lang.as_deref().map(str::parse::<Language>).transpose()?;
    if format != "pdf" && format != "json" {
        return Err(Box::new(Refusal(format!("--format: {format:?} is neither pdf nor json"))));
    }
    let standard = args.pdf_standard.as_deref().map(str::parse::<PdfStandard>).transpose()?;
    if standard.is_some() && format != "pdf" {
        return Err(Box::new(Refusal("--pdf-standard: only for --format pdf".into())));
    }
    let mut config = ctx.config();
    ctx.add_crm(&mut config, map_file)?;
    config.pdf = Some(format == "pdf");
    config.pdf_standard = standard;
    if let Some(url) = smtp {
        config.smtp = Some(smtp_settings("--mail", url)?);
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
    let sent = if mail {
        let filename = format!("export.{format}");
        let attachment = Attachment { filename, content_type: content_type.into(), bytes: bytes.clone() };
        Some(g.send_export(&export, attachment)?)
    } else {
        None
    };
    let done =
        Exported { subject: subject.as_str(), format, out: out.display().to_string(), bytes: bytes.len(), mail: sent };
    ctx.emit(&done, || {
        let mut text = format!("wrote {} ({} bytes): everything held on {}", done.out, done.bytes, done.subject);
        match done.mail.as_ref().map(|m| (&m.delivery, m.outbox_id)) {
            Some((Delivery::Sent { to }, _)) => text.push_str(&format!("\nmailed to {to}")),
            Some((Delivery::Queued { to, reason }, id)) => text.push_str(&format!(
                "\nqueued for {to} as message {id} (not sent yet: {reason}); `gdprkit outbox deliver` sends it"
            )),
            Some((Delivery::NoAddress, _)) | None => {}
        }
        text
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` through a file beside it, renamed into place: a reader never sees
/// half an export. The file beside it is created afresh (never through a file or link already
/// there) and readable by its owner only, as the export then is.
fn write_replacing(path: &Path, bytes: &[u8]) -> CliResult<()> {
    use std::io::Write;
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{}.partial", std::process::id()));
    let partial = path.with_file_name(name);
    let failed = |p: &Path, e: std::io::Error| Refusal(format!("--out: could not write {}: {e}", p.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial).map_err(|e| failed(&partial, e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&partial, path)) {
        let _ = std::fs::remove_file(&partial);
        return Err(Box::new(failed(path, e)));
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_link_planted_at_the_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "untouched").unwrap();
        let out = dir.path().join("export.json");
        let planted = dir.path().join(format!("export.json.{}.partial", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let err = write_replacing(&out, b"personal data").unwrap_err().to_string();
        assert!(err.contains("--out") && err.contains("exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(!out.exists(), "nothing written");
        std::fs::remove_file(&planted).unwrap();
        write_replacing(&out, b"personal data").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"personal data");
    }
}
