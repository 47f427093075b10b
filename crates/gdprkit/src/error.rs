//! The one error type of gdprkit, with a stable kind for every error.
//!
//! Every error has an [`ErrorKind`] whose [`code`](ErrorKind::code) is a stable string
//! (`invalid_input`, `not_found`, …) that the Python and Node packages expose as they are; the
//! input it is about ([`Error::field`], an identifier such as `subject` or `received_at`); whether
//! trying again can help ([`Error::is_retryable`]); and the backend's own error as its
//! [`source`](std::error::Error::source) where there is one. `docs/errors.md` lists the kinds.

use std::fmt;

/// The backend error an [`Error`] keeps as its source.
pub type Source = Box<dyn std::error::Error + Send + Sync>;

/// What kind of failure an error is: the stable part a program branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input was refused before anything was written; [`Error::field`] names it.
    InvalidInput,
    /// What an input names (a subject, a purpose, a request) does not exist.
    NotFound,
    /// What an input would register (a subject, a purpose) exists already.
    AlreadyExists,
    /// The action does not apply to the record as it stands (a request's state, a restriction
    /// that is not in place).
    InvalidState,
    /// The record changed between reading it and acting on it; read it again and retry.
    Conflict,
    /// gdprkit was not given what this call needs (a data map, a renderer, a key), or was given
    /// something that cannot work; the message says which builder call or setting provides it.
    Config,
    /// The database failed, or holds a schema newer than this gdprkit.
    Storage,
    /// Stored records could not be read back as gdprkit wrote them.
    Corrupt,
    /// A message could not be sent; the message says what the mail server answered.
    Mail,
    /// An export could not be rendered.
    Render,
    /// Something outside the caller's control failed: no randomness, an encoding that cannot
    /// fail did.
    Internal,
}

impl ErrorKind {
    /// Every kind, in the order `docs/errors.md` lists them.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::InvalidState,
        ErrorKind::Conflict,
        ErrorKind::Config,
        ErrorKind::Storage,
        ErrorKind::Corrupt,
        ErrorKind::Mail,
        ErrorKind::Render,
        ErrorKind::Internal,
    ];

    /// The stable code: `invalid_input`, `not_found`, …
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::InvalidState => "invalid_state",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Config => "config",
            ErrorKind::Storage => "storage",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Mail => "mail",
            ErrorKind::Render => "render",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything that can go wrong in gdprkit. Match on [`Error::kind`] rather than on variants:
/// variants may be added.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input was rejected before anything was written.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The input, as an identifier (`subject`, `received_at`, `data_map`, …).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No subject with this id exists in the tenant.
    #[error("unknown subject {0:?}")]
    UnknownSubject(String),
    /// No purpose with this id is registered in the tenant.
    #[error("unknown purpose {0:?}")]
    UnknownPurpose(String),
    /// No request with this id exists in the tenant.
    #[error("unknown request {0:?}")]
    UnknownRequest(String),
    /// A subject with this id already exists in the tenant.
    #[error("subject {0:?} already exists")]
    SubjectExists(String),
    /// A purpose with this id is already registered in the tenant.
    #[error("purpose {0:?} already exists")]
    PurposeExists(String),
    /// The channel is already declared.
    #[error("channel {0} is already declared; a channel's kind is never changed")]
    ChannelExists(String),
    /// An action that does not apply to the record as it stands.
    #[error("{reason}")]
    InvalidState {
        /// The input the state belongs to (`request`, `action`, …).
        field: &'static str,
        /// What the state is and why the action does not apply.
        reason: String,
    },
    /// The request changed between reading it and acting on it; read it again.
    #[error("request {0} changed meanwhile; read it again and retry")]
    RequestChanged(String),
    /// A submission was confirmed or expired meanwhile: its code confirms nothing now.
    #[error("this submission was confirmed or expired meanwhile")]
    SubmissionGone,
    /// An entry about the subject was written while it was being erased; erase it again.
    #[error("subject {0} changed while it was being erased; erase it again")]
    SubjectChanged(String),
    /// An opt-in lacks part of the proof that Art. 7(1) requires (rule C3).
    #[error("missing proof of consent: {0}")]
    MissingProof(&'static str),
    /// gdprkit lacks a part this call needs, or a setting cannot work.
    #[error("{reason}")]
    Config {
        /// The setting at fault (`data_map`, `renderer`, `hmac_key`, …).
        field: &'static str,
        /// What is missing or wrong, and how to provide it.
        reason: String,
    },
    /// The database was written by a newer gdprkit than this one.
    #[error(
        "database schema version {found} is newer than the newest this gdprkit knows ({supported}); upgrade gdprkit"
    )]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// Stored data could not be read back as gdprkit wrote it.
    #[error("corrupt stored record: {0}")]
    Corrupt(String),
    /// A message could not be sent; the text says what the mail server answered.
    #[error("{message}")]
    Mail {
        /// What went wrong, with the server's answer.
        message: String,
        /// Whether sending again later can succeed (the server was unreachable or answered with
        /// a temporary failure).
        retryable: bool,
        /// The mail library's own error.
        #[source]
        source: Option<Source>,
    },
    /// An export could not be rendered (a template error, for example).
    #[error("could not render the export: {message}")]
    Render {
        /// What went wrong.
        message: String,
        /// The renderer's own error.
        #[source]
        source: Option<Source>,
    },
    /// The storage backend failed.
    #[error("storage error: {message}")]
    Storage {
        /// What the store was doing.
        message: String,
        /// Whether the same call can succeed later (the database was busy or unreachable).
        retryable: bool,
        /// The backend's own error.
        #[source]
        source: Option<Source>,
    },
    /// Something outside the caller's control failed (no randomness, an encoding).
    #[error("{message}")]
    Internal {
        /// What failed.
        message: String,
        /// The cause.
        #[source]
        source: Option<Source>,
    },
}

impl Error {
    /// Builds an [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Error::InvalidInput { field, reason: reason.to_string() }
    }

    /// Builds an [`Error::InvalidState`].
    pub fn state(field: &'static str, reason: impl fmt::Display) -> Self {
        Error::InvalidState { field, reason: reason.to_string() }
    }

    /// For a store reading back its own rows: a value that does not read (a regime, a purpose id
    /// changed behind gdprkit's back) is a [`Error::Corrupt`] record naming `what`, not the
    /// caller's invalid input; other errors pass as they are.
    pub fn unreadable(what: &'static str) -> impl Fn(Error) -> Error {
        move |e| match e {
            Error::InvalidInput { field, reason } => {
                Error::Corrupt(format!("a stored {what} is unreadable: invalid {field}: {reason}"))
            }
            other => other,
        }
    }

    /// Builds an [`Error::Config`].
    pub fn config(field: &'static str, reason: impl fmt::Display) -> Self {
        Error::Config { field, reason: reason.to_string() }
    }

    /// Wraps a backend error with what the store was doing; not retryable.
    pub fn storage(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Storage { message: message.into(), retryable: false, source: Some(Box::new(source)) }
    }

    /// Wraps a backend error that a later try can get past (busy, unreachable).
    pub fn storage_retryable(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Storage { message: message.into(), retryable: true, source: Some(Box::new(source)) }
    }

    /// Builds an [`Error::Internal`] from its cause.
    pub fn internal(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal { message: message.into(), source: Some(Box::new(source)) }
    }

    /// Builds an [`Error::Render`] from the renderer's error.
    pub fn render(message: impl Into<String>, source: Option<Source>) -> Self {
        Error::Render { message: message.into(), source }
    }

    /// Builds an [`Error::Mail`].
    pub fn mail(message: impl Into<String>, retryable: bool, source: Option<Source>) -> Self {
        Error::Mail { message: message.into(), retryable, source }
    }

    /// The kind of failure, stable across versions.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } | Error::MissingProof(_) => ErrorKind::InvalidInput,
            Error::UnknownSubject(_) | Error::UnknownPurpose(_) | Error::UnknownRequest(_) => ErrorKind::NotFound,
            Error::SubjectExists(_) | Error::PurposeExists(_) | Error::ChannelExists(_) => ErrorKind::AlreadyExists,
            Error::InvalidState { .. } => ErrorKind::InvalidState,
            Error::RequestChanged(_) | Error::SubjectChanged(_) | Error::SubmissionGone => ErrorKind::Conflict,
            Error::Config { .. } => ErrorKind::Config,
            Error::SchemaTooNew { .. } | Error::Storage { .. } => ErrorKind::Storage,
            Error::Corrupt(_) => ErrorKind::Corrupt,
            Error::Mail { .. } => ErrorKind::Mail,
            Error::Render { .. } => ErrorKind::Render,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// The kind's stable code: `invalid_input`, `not_found`, …
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The input or setting the error is about, as an identifier (`subject`, `purpose`,
    /// `received_at`, `data_map`), where there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { field, .. } | Error::InvalidState { field, .. } | Error::Config { field, .. } => {
                Some(field)
            }
            Error::UnknownSubject(_) | Error::SubjectExists(_) | Error::SubjectChanged(_) => Some("subject"),
            Error::UnknownPurpose(_) | Error::PurposeExists(_) => Some("purpose"),
            Error::ChannelExists(_) => Some("channel"),
            Error::UnknownRequest(_) | Error::RequestChanged(_) => Some("request"),
            Error::MissingProof(_) => Some("proof"),
            Error::SubmissionGone => Some("code"),
            Error::SchemaTooNew { .. }
            | Error::Corrupt(_)
            | Error::Mail { .. }
            | Error::Render { .. }
            | Error::Storage { .. }
            | Error::Internal { .. } => None,
        }
    }

    /// Whether the same call can succeed if tried again later, unchanged: a conflict, a busy or
    /// unreachable database, a mail server that is down.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RequestChanged(_) | Error::SubjectChanged(_) => true,
            Error::Storage { retryable, .. } | Error::Mail { retryable, .. } => *retryable,
            _ => false,
        }
    }
}

/// The result type of gdprkit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_kind_a_code_and_the_right_field() {
        let cases: Vec<(Error, ErrorKind, Option<&str>, bool)> = vec![
            (Error::invalid("received_at", "is later than now"), ErrorKind::InvalidInput, Some("received_at"), false),
            (Error::UnknownSubject("x".into()), ErrorKind::NotFound, Some("subject"), false),
            (Error::PurposeExists("p".into()), ErrorKind::AlreadyExists, Some("purpose"), false),
            (Error::ChannelExists("fax".into()), ErrorKind::AlreadyExists, Some("channel"), false),
            (Error::state("action", "accept does not apply"), ErrorKind::InvalidState, Some("action"), false),
            (Error::RequestChanged("r".into()), ErrorKind::Conflict, Some("request"), true),
            (Error::SubjectChanged("s".into()), ErrorKind::Conflict, Some("subject"), true),
            (Error::config("data_map", "none configured"), ErrorKind::Config, Some("data_map"), false),
            (Error::mail("421 try later", true, None), ErrorKind::Mail, None, true),
            (Error::mail("550 no such user", false, None), ErrorKind::Mail, None, false),
            (Error::render("bad template", None), ErrorKind::Render, None, false),
            (Error::Corrupt("x".into()), ErrorKind::Corrupt, None, false),
            (Error::storage("read", std::io::Error::other("disk")), ErrorKind::Storage, None, false),
            (Error::storage_retryable("write", std::io::Error::other("busy")), ErrorKind::Storage, None, true),
            (Error::internal("no randomness", std::io::Error::other("getrandom")), ErrorKind::Internal, None, false),
        ];
        let kinds: std::collections::HashSet<ErrorKind> = cases.iter().map(|c| c.1).collect();
        assert_eq!(kinds.len(), ErrorKind::ALL.len(), "every kind has a case here");
        for (e, kind, field, retry) in cases {
            assert!(ErrorKind::ALL.contains(&e.kind()), "{e}: its kind is listed in ALL");
            assert_eq!(e.kind(), kind, "{e}");
            assert_eq!(e.code(), kind.code());
            assert_eq!(e.field(), field, "{e}");
            assert_eq!(e.is_retryable(), retry, "{e}");
        }
    }

    #[test]
    fn the_source_is_kept() {
        let e = Error::storage("read a subject", std::io::Error::other("disk gone"));
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk gone"));
    }

    #[test]
    fn codes_are_snake_case_and_distinct() {
        let codes: std::collections::HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::from(k.code())));
            assert!(k.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{k}");
        }
    }
}
