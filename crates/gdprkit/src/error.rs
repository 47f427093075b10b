//! The one error type of gdprkit.

use std::fmt;

/// Everything that can go wrong in gdprkit, each variant naming the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input was rejected before anything was written.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The name of the input, as a user would know it (`subject id`, `purpose`, …).
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
    /// A subject with this id already exists in the tenant.
    #[error("subject {0:?} already exists")]
    SubjectExists(String),
    /// A purpose with this id is already registered in the tenant.
    #[error("purpose {0:?} already exists")]
    PurposeExists(String),
    /// No request with this id exists in the tenant.
    #[error("unknown request {0:?}")]
    UnknownRequest(String),
    /// The request changed between reading it and acting on it; read it again.
    #[error("request {0} changed meanwhile; read it again and retry")]
    RequestChanged(String),
    /// An opt-in lacks part of the proof that Art. 7(1) requires (rule C3).
    #[error("missing proof of consent: {0}")]
    MissingProof(&'static str),
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
    #[error("{0}")]
    Mail(String),
    /// An export could not be rendered (a template error, for example).
    #[error("could not render the export: {0}")]
    Render(String),
    /// The storage backend failed.
    #[error("storage error: {message}")]
    Storage {
        /// What the store was doing.
        message: String,
        /// The backend's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// Builds an [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Error::InvalidInput { field, reason: reason.to_string() }
    }

    /// Wraps a backend error with what the store was doing.
    pub fn storage(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Storage { message: message.into(), source: Some(Box::new(source)) }
    }
}

/// The result type of gdprkit.
pub type Result<T, E = Error> = std::result::Result<T, E>;
