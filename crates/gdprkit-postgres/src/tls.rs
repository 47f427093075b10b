//! How gdprkit reaches PostgreSQL: the libpq `sslmode` of the URL (`disable`, `prefer`, the
//! default, `require`, `verify-ca`, `verify-full`) and `sslrootcert`, with rustls.
//!
//! As libpq does: `prefer` tries TLS and falls back to a plain connection when the server offers
//! none; `prefer` and `require` encrypt without checking the certificate (they protect against
//! listening, not against a server that pretends); `verify-ca` checks that a trusted authority
//! signed the certificate; `verify-full` also that it names the host connected to. The authority
//! is `sslrootcert` (a PEM file), else the system's roots.

use std::sync::Arc;

use gdprkit::{Error, Result};
use postgres::config::SslMode;
use postgres::{Client, NoTls};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The `sslmode` values, as libpq names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, without checking its certificate; plain otherwise.
    Prefer,
    /// TLS always, without checking the certificate.
    Require,
    /// TLS always, with a certificate signed by a trusted authority.
    VerifyCa,
    /// TLS always, with a certificate signed by a trusted authority for the host connected to.
    VerifyFull,
}

impl TlsMode {
    fn parse(value: &str) -> Result<TlsMode> {
        Ok(match value {
            "disable" => TlsMode::Disable,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(Error::invalid(
                    "url",
                    format!(
                        "sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full \
                         (allow is not supported: it sends the password in the clear before trying TLS)"
                    ),
                ));
            }
        })
    }
}

/// A PostgreSQL server and how to reach it.
#[derive(Clone)]
pub struct Target {
    /// The connection settings, with the TLS mode the driver understands.
    pub(crate) config: postgres::Config,
    mode: TlsMode,
    tls: Option<MakeRustlsConnect>,
    host: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the password: only the host and the mode are shown.
        f.debug_struct("Target").field("host", &self.host).field("mode", &self.mode).finish_non_exhaustive()
    }
}

impl Target {
    /// Reads a `postgres://` URL (or libpq's `key=value` form), its `sslmode` and `sslrootcert`
    /// included.
    pub fn parse(url: &str) -> Result<Target> {
        let (rest, mode, root) = take_tls_params(url)?;
        let mut config: postgres::Config = rest.parse().map_err(|e| Error::invalid("url", format!("{e}")))?;
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .unwrap_or_default();
        config.ssl_mode(match mode {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        let tls = match mode {
            TlsMode::Disable => None,
            _ => Some(MakeRustlsConnect::new(client_config(mode, root.as_deref())?)),
        };
        Ok(Target { config, mode, tls, host })
    }

    /// The TLS mode.
    pub fn mode(&self) -> TlsMode {
        self.mode
    }

    /// The connection settings, to change those other than TLS (the options, the timeouts).
    pub fn config_mut(&mut self) -> &mut postgres::Config {
        &mut self.config
    }

    /// A new connection; a failure says what went wrong in one line, and what to set.
    pub fn connect(&self) -> std::result::Result<Client, postgres::Error> {
        match &self.tls {
            None => self.config.connect(NoTls),
            Some(tls) => self.config.connect(tls.clone()),
        }
    }

    /// A new connection, its failure as gdprkit's error.
    pub fn client(&self) -> Result<Client> {
        self.connect().map_err(|e| self.connect_error(e))
    }

    /// A failure to connect as gdprkit's error, in one line that names the host and what to set.
    pub fn connect_error(&self, e: postgres::Error) -> Error {
        let host = &self.host;
        let certificate = certificate_error(&e);
        let said = said(&e);
        let hint = match (certificate, self.mode) {
            (Some(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }), _) => {
                Some(format!(
                    "the server's certificate is not valid for the host {host}: connect to a name the certificate \
                     was made for, or set sslmode=verify-ca to check only who signed it"
                ))
            }
            (Some(CertificateError::UnknownIssuer | CertificateError::BadSignature), _) => Some(format!(
                "the certificate of {host} is not signed by an authority trusted here: set sslrootcert to the \
                 PEM file of the authority that signed it"
            )),
            (Some(other), _) => Some(format!("the certificate of {host} was refused ({other:?})")),
            (None, TlsMode::Disable) if said.contains("no encryption") => Some(format!(
                "{host} accepts only encrypted connections, and the URL says sslmode=disable: set sslmode=require, \
                 or verify-full with sslrootcert"
            )),
            (None, TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull)
                if said.contains("server does not support TLS") =>
            {
                Some(format!(
                    "{host} offers no TLS, and the URL asks for it (sslmode={}): turn ssl on in the server, or lower \
                     sslmode",
                    self.mode_name()
                ))
            }
            _ => None,
        };
        match hint {
            Some(hint) => Error::storage(format!("PostgreSQL could not connect: {hint}"), e),
            None => crate::db_err("connect")(e),
        }
    }

    fn mode_name(&self) -> &'static str {
        match self.mode {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }
}

/// The URL without `sslmode` and `sslrootcert`, which gdprkit reads itself, and their values.
fn take_tls_params(url: &str) -> Result<(String, TlsMode, Option<String>)> {
    let mut mode = TlsMode::Prefer;
    let mut root = None;
    let mut read = |key: &str, value: String| -> Result<bool> {
        match key {
            "sslmode" => mode = TlsMode::parse(&value)?,
            "sslrootcert" => root = Some(value),
            _ => return Ok(false),
        }
        Ok(true)
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            None => url.to_owned(),
            Some((base, query)) => {
                let mut kept = Vec::new();
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    if !read(key, percent_decode(value)?)? {
                        kept.push(pair);
                    }
                }
                if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) }
            }
        }
    } else {
        // libpq's `key=value` form: gdprkit's two keys are read when unquoted.
        let mut kept = Vec::new();
        for word in url.split_whitespace() {
            let (key, value) = word.split_once('=').unwrap_or((word, ""));
            let unquoted = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')).unwrap_or(value);
            if !read(key.trim(), unquoted.to_owned())? {
                kept.push(word);
            }
        }
        let rest = kept.join(" ");
        // A value with spaces in quotes, or a key spaced from its `=`, is not read here: refused
        // rather than left for the driver to read differently.
        if rest.contains("sslmode") || rest.contains("sslrootcert") {
            return Err(Error::invalid(
                "url",
                "write sslmode=MODE and sslrootcert=PATH without spaces, or use a postgres:// URL",
            ));
        }
        rest
    };
    Ok((rest, mode, root))
}

/// A URL parameter's value, percent-decoded.
fn percent_decode(s: &str) -> Result<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| Error::invalid("url", "a parameter is not UTF-8 once decoded"))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls settings of a mode.
fn client_config(mode: TlsMode, root: Option<&str>) -> Result<rustls::ClientConfig> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal("set up TLS", e))?;
    if mode == TlsMode::VerifyCa && root.is_none() {
        // The system's authorities sign certificates for anyone's host: checking only that one of
        // them signed would accept any of those. libpq refuses it too.
        return Err(Error::config(
            "sslrootcert",
            "sslmode=verify-ca checks only who signed the server's certificate: name the PEM file of its \
             authority with sslrootcert, or use verify-full to check the host against the system's authorities",
        ));
    }
    let checked = |root: Option<&str>| -> Result<Arc<WebPkiServerVerifier>> {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(root)?), provider.clone())
            .build()
            .map_err(|e| Error::internal("set up certificate verification", e))
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, root) {
        // As libpq: prefer and require with a root certificate file check who signed it.
        (TlsMode::Prefer | TlsMode::Require, Some(_)) | (TlsMode::VerifyCa, _) => Arc::new(AnyName(checked(root)?)),
        // Disable never connects with TLS; its connector is never used.
        (TlsMode::Disable, _) | (TlsMode::Prefer | TlsMode::Require, None) => {
            Arc::new(EncryptOnly(provider.signature_verification_algorithms))
        }
        (TlsMode::VerifyFull, _) => checked(root)?,
    };
    Ok(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth())
}

/// The authorities trusted: the PEM file `sslrootcert`, or the system's.
fn roots(root: Option<&str>) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match root {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| Error::config("sslrootcert", format!("{path} could not be read: {e}")))?;
            for cert in certs {
                let cert = cert.map_err(|e| Error::config("sslrootcert", format!("{path}: {e}")))?;
                store.add(cert).map_err(|e| Error::config("sslrootcert", format!("{path}: {e}")))?;
            }
            if store.is_empty() {
                return Err(Error::config("sslrootcert", format!("{path} holds no certificate")));
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system certificate rustls cannot read is skipped, as libpq's OpenSSL would.
                let _ = store.add(cert);
            }
            if store.is_empty() {
                return Err(Error::config(
                    "sslrootcert",
                    "the system has no trusted authorities to check the server's certificate against: set sslrootcert",
                ));
            }
        }
    }
    Ok(store)
}

/// `prefer` and `require`: the connection is encrypted and the server's signature over the
/// handshake checked, but its certificate is not (libpq does the same).
#[derive(Debug)]
struct EncryptOnly(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `verify-ca`: the certificate's chain is checked, not the name it is for.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// What a connection failure says, the server's message and every cause included.
fn said(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    if let Some(db) = e.as_db_error() {
        text.push_str(": ");
        text.push_str(db.message());
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The certificate error somewhere in a connection failure's causes.
fn certificate_error(e: &postgres::Error) -> Option<CertificateError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(rustls::Error::InvalidCertificate(err)) = c.downcast_ref::<rustls::Error>() {
            return Some(err.clone());
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && let Some(rustls::Error::InvalidCertificate(err)) =
                io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(err.clone());
        }
        cause = c.source();
    }
    None
}
