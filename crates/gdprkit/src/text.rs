//! Checks for free-text inputs: length limits, control and invisible characters.

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
    // Joiners and other invisible characters are part of some scripts and of emoji in free text;
    // the embedding, override and isolate controls reorder what a reader sees, and are refused.
    if let Some(c) = s.chars().find(|&c| matches!(u32::from(c), 0x202A..=0x202E | 0x2066..=0x2069)) {
        return Err(Error::invalid(
            field,
            format!(
                "holds the bidirectional control U+{:04X}, which reorders the text a reader sees; remove it",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// Whether `c` changes how text reads without showing itself: bidirectional controls, zero-width
/// characters and joiners, variation selectors, tags, fillers and other invisible formatting
/// (Unicode's `Cf` category and the default-ignorable code points), and line or paragraph
/// separators. Two strings that differ only by these print alike.
pub(crate) fn invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

fn invisible_reason(c: char) -> String {
    format!(
        "holds the invisible character U+{:04X}, which would make two values that print alike differ; remove it",
        u32::from(c)
    )
}

/// Checks an identifier a person reads and compares (a subject's key): no control or invisible
/// character, and in Unicode normalization form C, so that two keys that print alike are equal.
pub(crate) fn check_identifier(field: &'static str, s: &str) -> Result<()> {
    // Printable ASCII, most keys, holds no control or invisible character and is always in NFC.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(());
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    if let Some(c) = s.chars().find(|&c| invisible(c)) {
        return Err(Error::invalid(field, invisible_reason(c)));
    }
    if !unicode_normalization::is_nfc(s) {
        return Err(Error::invalid(
            field,
            "is not in Unicode normalization form C (an accent typed as a separate mark, say); \
             normalize it to NFC, as the CRM should store it",
        ));
    }
    Ok(())
}

/// Checks an e-mail address as the mailer will read it: one `@`, a local part and a domain
/// each valid by the `email_address` crate that lettre parses addresses with (a domain outside
/// ASCII, which lettre turns to punycode first, is checked for its shape only), a dot in the
/// domain, at most 254 bytes, no spaces.
pub(crate) fn check_email(s: &str) -> Result<()> {
    check_text("email", s, 254)?;
    let valid = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && email_address::EmailAddress::is_valid_local_part(local)
                && (!domain.is_ascii() || email_address::EmailAddress::is_valid_domain(domain))
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

/// `s` with the five characters HTML gives a meaning to written as entities: text placed in HTML
/// is never read as markup.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Free text may hold joiners (scripts, emoji) but not the controls that reorder it.
    #[test]
    fn free_text_refuses_bidirectional_controls_and_keeps_joiners() {
        assert!(check_text("note", "Called back \u{1f468}\u{200d}\u{1f469}", 100).is_ok());
        assert!(check_text("note", "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}", 100).is_ok());
        let err = check_text("note", "invoice \u{202e}fdp.exe", 100).unwrap_err().to_string();
        assert!(err.contains("U+202E"), "{err}");
        assert!(check_text("label", "News\u{2067}letter", 100).is_err());
    }

    #[test]
    fn email_addresses_are_checked() {
        assert!(check_email("jean@example.fr").is_ok());
        assert!(check_email("jean.dupont+crm@sub.example.fr").is_ok());
        assert!(check_email("jean@exemple-é.fr").is_ok(), "lettre sends to an IDN domain in punycode");
        for bad in [
            "",
            "jean",
            "jean@",
            "@example.fr",
            "jean@example",
            "je an@example.fr",
            "a@b@c.fr",
            "a;b@example.fr",
            "jean..dupont@example.fr",
            "jean@-example.fr",
        ] {
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

    #[test]
    fn html_sees_text_as_text() {
        assert_eq!(escape_html("<a href='x'>\"T&C\"</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;T&amp;C&quot;&lt;/a&gt;");
    }
}
