//! Validated identifiers: tenants, subjects, purposes and channels.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// The longest subject id accepted, in bytes.
pub const MAX_SUBJECT_ID_BYTES: usize = 256;
/// The longest tenant or purpose id accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 64;

fn check_name(field: &'static str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if s.len() > MAX_NAME_BYTES {
        return Err(Error::invalid(field, format!("is {} bytes long, the limit is {MAX_NAME_BYTES}", s.len())));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(Error::invalid(field, format!("{c:?} is not allowed; use letters, digits, '-', '_' and '.'")));
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        ///
        /// Cloning is cheap: the text is shared, not copied.
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Validates and wraps an id (copied once, into the shared text).
            pub fn new(s: impl AsRef<str>) -> Result<Self> {
                let s = s.as_ref();
                let check: fn(&'static str, &str) -> Result<()> = $check;
                check($field, s)?;
                Ok(Self(s.into()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A tenant: one company served by the CRM. Every record belongs to one, and each tenant has
    /// its own ledger chain. 1 to 64 bytes of letters, digits, `-`, `_` and `.`.
    TenantId,
    "tenant",
    check_name
);

string_id!(
    /// A purpose of processing (`newsletter`, `billing`, …). 1 to 64 bytes of letters, digits,
    /// `-`, `_` and `.`.
    PurposeId,
    "purpose",
    check_name
);

string_id!(
    /// A data subject, identified by the id the CRM gives it: non-empty, at most 256 bytes, no
    /// control or invisible characters (bidirectional controls, zero-width characters, …), in
    /// Unicode normalization form C.
    SubjectId,
    "subject",
    |field, s| {
        if s.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        if s.len() > MAX_SUBJECT_ID_BYTES {
            return Err(Error::invalid(
                field,
                format!("is {} bytes long, the limit is {MAX_SUBJECT_ID_BYTES}", s.len()),
            ));
        }
        crate::text::check_identifier(field, s)
    }
);

impl TenantId {
    /// The tenant used when none is given: `default`.
    pub fn default_tenant() -> Self {
        Self("default".into())
    }
}

/// A channel through which a subject is contacted.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// E-mail.
    Email,
    /// Text messages.
    Sms,
    /// Telephone calls.
    Phone,
    /// Letters by post.
    Post,
    /// Any other channel the CRM names: 1 to 32 bytes of lower-case letters, digits, `-` and `_`.
    Custom(String),
}

impl Channel {
    /// The channel's name as stored and printed.
    pub fn as_str(&self) -> &str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Post => "post",
            Channel::Custom(s) => s,
        }
    }
}

impl FromStr for Channel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "email" => Channel::Email,
            "sms" => Channel::Sms,
            "phone" => Channel::Phone,
            "post" => Channel::Post,
            _ => {
                let ok = !s.is_empty()
                    && s.len() <= 32
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
                if !ok {
                    return Err(Error::invalid(
                        "channel",
                        format!(
                            "{:?} is neither email, sms, phone, post nor a custom name of 1 to 32 lower-case letters, digits, '-' and '_'",
                            truncate_for_message(s)
                        ),
                    ));
                }
                Channel::Custom(s.to_owned())
            }
        })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Shortens a rejected input so that an error message stays one readable line.
pub(crate) fn truncate_for_message(s: &str) -> String {
    const KEEP: usize = 40;
    if s.len() <= KEEP {
        return s.to_owned();
    }
    let mut end = KEEP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_ids_follow_the_rules() {
        assert!(SubjectId::new("contact-42").is_ok());
        assert!(SubjectId::new("jean.dupont@example.fr").is_ok());
        assert!(SubjectId::new("é".repeat(128)).is_ok(), "256 bytes is the limit, inclusive");
        let err = SubjectId::new("").unwrap_err().to_string();
        assert_eq!(err, "invalid subject: must not be empty");
        let err = SubjectId::new("x".repeat(257)).unwrap_err().to_string();
        assert!(err.contains("257 bytes"), "{err}");
        assert!(SubjectId::new("a\nb").is_err());
        assert!(SubjectId::new("a\u{7f}b").is_err());
    }

    /// Keys that print alike must be equal: invisible characters and unnormalized Unicode are
    /// refused, saying why.
    #[test]
    fn subject_ids_that_would_print_alike_are_refused() {
        for (key, what) in [
            ("contact\u{202e}24", "U+202E"),         // right-to-left override
            ("contact\u{2066}42", "U+2066"),         // left-to-right isolate
            ("con\u{200b}tact-42", "U+200B"),        // zero-width space
            ("contact\u{200d}42", "U+200D"),         // zero-width joiner
            ("\u{feff}contact-42", "U+FEFF"),        // byte order mark
            ("contact-42\u{e0041}", "U+E0041"),      // tag letter
            ("Rene\u{301}", "normalization form C"), // e and a combining acute accent
        ] {
            let err = SubjectId::new(key).unwrap_err();
            assert_eq!(err.field(), Some("subject"));
            assert!(err.to_string().contains(what), "{key:?}: {err}");
        }
        assert!(SubjectId::new("Ren\u{e9}").is_ok(), "the same name, composed, is accepted");
        assert!(SubjectId::new("\u{5e9}\u{5dc}\u{5d5}\u{5dd}-42").is_ok(), "right-to-left letters themselves are fine");
    }

    #[test]
    fn tenant_and_purpose_ids_are_plain_names() {
        assert!(TenantId::new("acme-eu").is_ok());
        assert!(PurposeId::new("newsletter").is_ok());
        let err = PurposeId::new("news letter").unwrap_err().to_string();
        assert!(err.starts_with("invalid purpose: ' '"), "{err}");
        assert!(TenantId::new("a".repeat(65)).is_err());
    }

    #[test]
    fn channels_parse_builtins_and_custom_names() {
        assert_eq!("email".parse::<Channel>().unwrap(), Channel::Email);
        assert_eq!("whatsapp".parse::<Channel>().unwrap(), Channel::Custom("whatsapp".into()));
        assert_eq!(Channel::Custom("whatsapp".into()).to_string(), "whatsapp");
        assert!("E-Mail".parse::<Channel>().is_err());
        assert!("".parse::<Channel>().is_err());
        let long = "x".repeat(10_000);
        let err = long.parse::<Channel>().unwrap_err().to_string();
        assert!(err.len() < 300, "error messages stay short: {err}");
    }
}
