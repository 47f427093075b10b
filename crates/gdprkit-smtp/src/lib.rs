//! gdprkit's [`Mailer`] over SMTP, with lettre: notices and exports reach the person by e-mail,
//! with the export attached (rule E3).
//!
//! ```no_run
//! use gdprkit_smtp::{SmtpConfig, SmtpMailer, TlsMode};
//! let config = SmtpConfig {
//!     credentials: Some(("crm@example.org".into(), "secret".into())),
//!     ..SmtpConfig::new("smtp.example.org", 465, TlsMode::Tls, "Acme CRM <dpo@example.org>")
//! };
//! let mailer = SmtpMailer::new(&config)?;
//! # Ok::<(), gdprkit::Error>(())
//! ```
//!
//! Every refusal by the server comes back as an error that quotes it; nothing is swallowed.

#[cfg(feature = "test-server")]
pub mod test_server;

use std::time::Duration;

use gdprkit::mailer::{Mailer, Message};
use gdprkit::{Error, Result};
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MailAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: only for a relay on the same host or network (or a test server).
    None,
    /// STARTTLS, required: the server must upgrade the connection (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Where and how to send.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: TlsMode,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The sender, as `Name <address>` or `address`.
    pub from: String,
    /// How long to wait for the server.
    pub timeout: Duration,
    /// With [`TlsMode::None`], whether the server is on this host or a trusted local network,
    /// so that credentials may cross to it in the clear. Without it, credentials and no TLS
    /// are refused.
    pub trusted_local: bool,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from", &self.from)
            .field("trusted_local", &self.trusted_local)
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// A configuration without credentials, waiting 30 seconds for the server.
    pub fn new(host: impl Into<String>, port: u16, tls: TlsMode, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            tls,
            credentials: None,
            from: from.into(),
            timeout: Duration::from_secs(30),
            trusted_local: false,
        }
    }

    /// A configuration from a URL: `smtp://HOST:PORT` (plain), `smtp://HOST:PORT?tls=required`
    /// (STARTTLS) or `smtps://HOST:PORT` (TLS); `smtp://HOST:PORT?trusted=local` is plain to a
    /// relay on this host or a trusted network, to which credentials may go in the clear.
    /// Credentials are not read from the URL; set [`SmtpConfig::credentials`].
    pub fn from_url(url: &str, from: impl Into<String>) -> Result<Self> {
        let bad = |why: &str| {
            Error::invalid(
                "smtp_url",
                format!(
                    "{why} (expected smtp://HOST:PORT, smtp://HOST:PORT?tls=required, smtps://HOST:PORT \
                     or smtp://HOST:PORT?trusted=local)"
                ),
            )
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let address = address.trim_end_matches('/');
        if address.contains('@') {
            return Err(bad("credentials do not belong in the URL"));
        }
        let trusted_local = scheme == "smtp" && query == "trusted=local";
        let tls = match (scheme, query) {
            ("smtps", "") => TlsMode::Tls,
            ("smtp", "") | ("smtp", "tls=none") | ("smtp", "trusted=local") => TlsMode::None,
            ("smtp", "tls=required") => TlsMode::StartTls,
            ("smtp" | "smtps", _) => return Err(bad(&format!("unknown option {query:?}"))),
            _ => return Err(bad(&format!("unknown scheme {scheme:?}"))),
        };
        let default_port = match tls {
            TlsMode::Tls => 465,
            TlsMode::StartTls => 587,
            TlsMode::None => 25,
        };
        let port_of = |port: &str| port.parse::<u16>().map_err(|_| bad(&format!("{port:?} is not a port")));
        // An IPv6 address is written in brackets, as in any URL: smtp://[::1]:2525.
        let (host, port) = if let Some(bracketed) = address.strip_prefix('[') {
            let (ip, after) = bracketed.split_once(']').ok_or_else(|| bad("an IPv6 address without its ]"))?;
            if ip.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad(&format!("{ip:?} is not an IPv6 address")));
            }
            match after {
                "" => (ip, default_port),
                _ => (ip, port_of(after.strip_prefix(':').ok_or_else(|| bad("text after the IPv6 address"))?)?),
            }
        } else {
            match address.split_once(':') {
                Some((host, port)) if !port.contains(':') => (host, port_of(port)?),
                Some(_) => return Err(bad("an IPv6 address must be in brackets, as smtp://[::1]:2525")),
                None => (address, default_port),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Self { trusted_local, ..Self::new(host, port, tls, from) })
    }
}

/// Sends messages through an SMTP server.
pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `config`. Nothing is sent, and the server is not contacted, until a message
    /// is.
    pub fn new(config: &SmtpConfig) -> Result<Self> {
        if config.tls == TlsMode::None && config.credentials.is_some() && !config.trusted_local {
            return Err(Error::config(
                "smtp",
                format!(
                    "the password for {} would cross the network in the clear: use smtps://{}:{} or \
                     ?tls=required, or add ?trusted=local to the URL if the server is on this host or a trusted \
                     network",
                    config.host, config.host, config.port
                ),
            ));
        }
        let from: Mailbox = config.from.parse().map_err(|e| Error::invalid("sender", e))?;
        let builder = match config.tls {
            TlsMode::None => SmtpTransport::builder_dangerous(config.host.as_str()),
            TlsMode::StartTls => SmtpTransport::starttls_relay(&config.host).map_err(|e| Error::invalid("smtp", e))?,
            TlsMode::Tls => SmtpTransport::relay(&config.host).map_err(|e| Error::invalid("smtp", e))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self { transport: builder.build(), from })
    }
}

/// The message as lettre builds it: the text body, then each attachment.
fn mail(from: &Mailbox, message: &Message) -> Result<lettre::Message> {
    let to: Mailbox = message.to.parse().map_err(|e| Error::invalid("recipient", e))?;
    let mut builder = lettre::Message::builder().from(from.clone()).to(to).subject(message.subject.clone());
    if let Some(id) = &message.message_id {
        builder = builder.message_id(Some(id.clone()));
    }
    let body = SinglePart::plain(message.body.clone());
    let built = if message.attachments.is_empty() {
        builder.singlepart(body)
    } else {
        let mut parts = MultiPart::mixed().singlepart(body);
        for a in &message.attachments {
            let content_type = ContentType::parse(&a.content_type).map_err(|e| Error::invalid("content_type", e))?;
            parts = parts.singlepart(MailAttachment::new(a.filename.clone()).body(a.bytes.clone(), content_type));
        }
        builder.multipart(parts)
    };
    built.map_err(|e| Error::invalid("message", e))
}

impl Mailer for SmtpMailer {
    fn send(&self, message: &Message) -> Result<()> {
        let mail = mail(&self.from, message)?;
        self.transport.send(&mail).map(|_| ()).map_err(|e| {
            // A temporary refusal (4xx), a timeout or a server that could not be reached may
            // pass later; a permanent refusal (5xx), a malformed message or a TLS failure
            // will not.
            let retryable = e.is_transient()
                || e.is_timeout()
                || !(e.is_permanent() || e.is_client() || e.is_response() || e.is_tls());
            Error::mail(format!("the SMTP server did not take the message: {e}"), retryable, Some(Box::new(e)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_the_host_port_and_protection() {
        let c = SmtpConfig::from_url("smtp://127.0.0.1:2525", "a@example.org").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.tls), ("127.0.0.1", 2525, TlsMode::None));
        let c = SmtpConfig::from_url("smtp://mail.example.org?tls=required", "a@example.org").unwrap();
        assert_eq!((c.port, c.tls), (587, TlsMode::StartTls));
        assert_eq!(SmtpConfig::from_url("smtps://mail.example.org", "a@example.org").unwrap().tls, TlsMode::Tls);
        let c = SmtpConfig::from_url("smtp://[::1]:2525", "a@example.org").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("::1", 2525), "an IPv6 literal, its brackets dropped");
        let c = SmtpConfig::from_url("smtps://[2001:db8::25]", "a@example.org").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("2001:db8::25", 465));
        for bad in [
            "mail.example.org",
            "http://x",
            "smtp://",
            "smtp://x:port",
            "smtp://u:p@x:25",
            "smtp://x?tls=maybe",
            "smtp://::1:25",
            "smtp://[::1",
            "smtp://[::1]x",
            "smtp://[mail]:25",
        ] {
            let err = SmtpConfig::from_url(bad, "a@example.org").unwrap_err().to_string();
            assert!(err.starts_with("invalid smtp_url"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_bad_sender_or_recipient_is_named() {
        let err = SmtpMailer::new(&SmtpConfig::new("localhost", 25, TlsMode::None, "not an address")).unwrap_err();
        assert!(err.to_string().contains("invalid sender"), "{err}");
        let mailer = SmtpMailer::new(&SmtpConfig::new("localhost", 25, TlsMode::None, "crm@example.org")).unwrap();
        let message = Message {
            to: "nobody".into(),
            subject: "s".into(),
            body: "b".into(),
            attachments: vec![],
            message_id: None,
        };
        assert!(mailer.send(&message).unwrap_err().to_string().contains("invalid recipient"));
    }

    #[test]
    fn credentials_are_never_sent_in_the_clear_unless_the_url_says_the_server_is_local() {
        let with_password = |url: &str| {
            let config = SmtpConfig {
                credentials: Some(("user".into(), "hunter2".into())),
                ..SmtpConfig::from_url(url, "a@example.org").unwrap()
            };
            SmtpMailer::new(&config).map(|_| ())
        };
        let err = with_password("smtp://mail.example.org:25").unwrap_err();
        assert_eq!(err.field(), Some("smtp"));
        let text = err.to_string();
        assert!(text.contains("in the clear") && text.contains("smtps://mail.example.org:25"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(with_password("smtp://127.0.0.1:2525?trusted=local").is_ok());
        assert!(with_password("smtp://mail.example.org?tls=required").is_ok());
        assert!(with_password("smtps://mail.example.org").is_ok());
        // Without credentials, a plain relay is as before.
        assert!(SmtpMailer::new(&SmtpConfig::from_url("smtp://mail.example.org", "a@example.org").unwrap()).is_ok());
    }

    #[test]
    fn credentials_stay_out_of_debug_output() {
        let config = SmtpConfig {
            credentials: Some(("user".into(), "hunter2".into())),
            ..SmtpConfig::new("h", 25, TlsMode::None, "a@example.org")
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
