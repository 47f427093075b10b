//! Checks for free-text inputs: length limits and control characters.

use crate::error::{Error, Result};
use crate::ids::truncate_for_message;

/// Checks a free-text input: not empty, at most `max` bytes, no control characters.
pub(crate) fn check_text(field: &'static str, s: &str, max: usize) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if s.len() > max {
        return Err(Error::invalid(field, format!("is {} bytes long, the limit is {max}", s.len())));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks an e-mail address: one `@` with text on both sides, at most 254 bytes, no spaces.
pub(crate) fn check_email(s: &str) -> Result<()> {
    check_text("email", s, 254)?;
    let valid = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && domain.contains('.')
        }
        None => false,
    };
    if !valid || s.contains(char::is_whitespace) {
        return Err(Error::invalid(
            "email",
            format!("{:?} is not an address of the form name@domain.tld", truncate_for_message(s)),
        ));
    }
    Ok(())
}

/// Bytes as lowercase hex digits, two per byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked() {
        assert!(check_email("jean@example.fr").is_ok());
        for bad in ["", "jean", "jean@", "@example.fr", "jean@example", "je an@example.fr", "a@b@c.fr"] {
            assert!(check_email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn text_limits_are_enforced() {
        assert!(check_text("label", "Newsletter", 10).is_ok());
        assert!(check_text("label", "Newsletters", 10).is_err());
        assert!(check_text("label", "  ", 10).is_err());
        assert!(check_text("label", "a\tb", 10).is_err());
    }
}
