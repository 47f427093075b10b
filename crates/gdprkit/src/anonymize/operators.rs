//! Field operators (rule A2): each a pure function from a stored value to its replacement.
//!
//! `keep`, `null`, `redact` (fixed text), `replace` (a constant), `mask` (keep the first or last
//! characters), `hash` (salted SHA-256), `pseudonymize` (HMAC-SHA256 under a secret key: the same
//! input and key give the same token, so counts and joins survive), and `generalize` (a date to
//! its month or year, a number to a range, a postcode to its prefix). Entity-level `delete` and
//! `retain` act on whole rows and live with the data map.

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::text::hex;

/// The text `redact` writes.
pub const REDACTED: &str = "[redacted]";

/// A value as the CRM's database stores it. In JSON: null, a number, a string, or (bytes) an
/// array of numbers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The value as text (a date, a label): `None` for NULL and bytes.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Text(s) => Some(s.clone()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Real(r) => Some(r.to_string()),
            Value::Null | Value::Blob(_) => None,
        }
    }
}

/// How `generalize` coarsens a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to")]
pub enum Generalization {
    /// A date or date-time to its month: `1980-06-15` → `1980-06`.
    Month,
    /// A date or date-time to its year: `1980-06-15` → `1980`.
    Year,
    /// A number to the range of `width` that holds it: 37 with width 10 → `30-39`.
    Range {
        /// The width of each range; at least 2.
        width: i64,
    },
    /// A postcode to its first `keep` characters: `75011` with 2 → `75`.
    Prefix {
        /// How many characters to keep; at least 1.
        keep: usize,
    },
}

/// What to do with one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Operator {
    /// Leave it as it is.
    Keep,
    /// Set it to NULL.
    Null,
    /// Replace it with the fixed text [`REDACTED`].
    Redact,
    /// Replace it with a constant.
    Replace {
        /// The constant.
        with: Value,
    },
    /// Keep the first `keep_first` and last `keep_last` characters and mask the rest with `*`.
    Mask {
        /// Characters kept at the start.
        keep_first: usize,
        /// Characters kept at the end.
        keep_last: usize,
    },
    /// Salted SHA-256, in hex: no one can recover the value, and the same value hashes
    /// differently under another salt.
    Hash,
    /// HMAC-SHA256 under the secret key, in hex: stable for the same value and key.
    Pseudonymize,
    /// Coarsen it.
    Generalize(Generalization),
}

/// A fresh random salt for `hash`: hashes made under it cannot be linked to any other erasure's.
pub fn random_salt() -> Result<[u8; 32]> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| Error::internal("no randomness for a salt", e))?;
    Ok(salt)
}

/// The secrets some operators need.
#[derive(Clone, Copy)]
pub struct Secrets<'a> {
    /// The salt of `hash`.
    pub salt: &'a [u8],
    /// The key of `pseudonymize`, which never comes from the database it protects.
    pub hmac_key: Option<&'a [u8]>,
}

impl std::fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

impl Operator {
    /// Whether the result can still be linked to the person or single them out: the value kept,
    /// keyed (`pseudonymize`), hashed or partly kept (`mask`). On a personal field such outcomes
    /// are pseudonymized, not anonymized (rule A3; WP29 Opinion 05/2014, section 4).
    pub fn keeps_a_link(&self) -> bool {
        matches!(self, Operator::Keep | Operator::Pseudonymize | Operator::Hash | Operator::Mask { .. })
    }

    /// Whether applying the operator to its own output gives that output again. Every operator
    /// is, except `hash` and `pseudonymize`: a row they changed cannot be told from one they did
    /// not, so whoever applies them more than once must remember which rows are done.
    pub fn is_idempotent(&self) -> bool {
        !matches!(self, Operator::Hash | Operator::Pseudonymize)
    }

    /// What the operator writes when it writes the same thing whatever it is given: `null`,
    /// `redact` and `replace`. An adapter can then write the constant itself instead of calling
    /// [`Operator::apply`] on every value; both give the same result.
    pub fn constant(&self) -> Option<Constant> {
        match self {
            Operator::Null => Some(Constant { value: Value::Null, keeps_null: true }),
            Operator::Redact => Some(Constant { value: Value::Text(REDACTED.into()), keeps_null: true }),
            Operator::Replace { with } => Some(Constant { value: with.clone(), keeps_null: false }),
            _ => None,
        }
    }

    /// Applies the operator to `value`. NULL stays NULL, except under `replace`.
    pub fn apply(&self, value: &Value, secrets: Secrets<'_>) -> Result<Value> {
        if let Some(Constant { value: constant, keeps_null }) = self.constant() {
            return Ok(if keeps_null && *value == Value::Null { Value::Null } else { constant });
        }
        if *value == Value::Null {
            return Ok(Value::Null);
        }
        Ok(match self {
            // `keep` leaves the value; the constant operators returned above.
            Operator::Keep | Operator::Null | Operator::Redact | Operator::Replace { .. } => value.clone(),
            Operator::Mask { keep_first, keep_last } => Value::Text(mask(&text_of(value)?, *keep_first, *keep_last)),
            Operator::Hash => {
                let mut h = Sha256::new();
                h.update(secrets.salt);
                h.update(bytes_of(value));
                Value::Text(hex(&h.finalize()))
            }
            Operator::Pseudonymize => {
                let key = secrets.hmac_key.ok_or_else(|| {
                    Error::config("hmac_key", "the data map pseudonymizes fields, and no HMAC key is configured (the builder's hmac_key, or hmac_key in the configuration)")
                })?;
                let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key)
                    .map_err(|e| Error::invalid("pseudonymize", format!("the key is not usable: {e}")))?;
                mac.update(&bytes_of(value));
                Value::Text(hex(&mac.finalize().into_bytes()))
            }
            Operator::Generalize(g) => generalize(*g, value)?,
        })
    }
}

/// The value a constant operator writes (see [`Operator::constant`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// The value written.
    pub value: Value,
    /// Whether NULL stays NULL instead.
    pub keeps_null: bool,
}

/// An entity's field operators with the secrets they need, owned, for adapters that apply the
/// operators inside the database (for example as a SQL function called by one `UPDATE`).
#[derive(Clone)]
pub struct Anonymizer {
    operators: Vec<Operator>,
    salt: Vec<u8>,
    hmac_key: Option<Vec<u8>>,
}

impl std::fmt::Debug for Anonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anonymizer").field("operators", &self.operators).finish_non_exhaustive()
    }
}

impl Anonymizer {
    /// The operators, in the order of the fields they apply to, with copies of the secrets.
    pub fn new(operators: Vec<Operator>, secrets: Secrets<'_>) -> Self {
        Self { operators, salt: secrets.salt.to_vec(), hmac_key: secrets.hmac_key.map(<[u8]>::to_vec) }
    }

    /// Applies the operator of field `field` (its position in the map) to `value`.
    pub fn apply(&self, field: usize, value: &Value) -> Result<Value> {
        let op = self
            .operators
            .get(field)
            .ok_or_else(|| Error::invalid("field", format!("there is no field {field} in this entity")))?;
        op.apply(value, Secrets { salt: &self.salt, hmac_key: self.hmac_key.as_deref() })
    }

    /// The operators, in order.
    pub fn operators(&self) -> &[Operator] {
        &self.operators
    }

    /// Whether every operator is idempotent: then a row is done exactly when applying the
    /// operators leaves it as it is, and no record of rows done is needed.
    pub fn is_idempotent(&self) -> bool {
        self.operators.iter().all(Operator::is_idempotent)
    }
}

/// The value's characters, for `mask` and `generalize`: NULL has none, and a blob is refused.
fn text_of(value: &Value) -> Result<String> {
    match value {
        Value::Null => Ok(String::new()),
        v => v.as_text().ok_or_else(|| Error::invalid("operator", "a blob has no characters to mask or generalize")),
    }
}

/// The bytes a hash covers: a value's type and content, so that 1 and "1" differ.
fn bytes_of(value: &Value) -> Vec<u8> {
    let (tag, body): (u8, Vec<u8>) = match value {
        Value::Null => (0, vec![]),
        Value::Integer(i) => (1, i.to_be_bytes().to_vec()),
        Value::Real(r) => (2, r.to_be_bytes().to_vec()),
        Value::Text(s) => (3, s.as_bytes().to_vec()),
        Value::Blob(b) => (4, b.clone()),
    };
    let mut out = vec![tag];
    out.extend(body);
    out
}

fn mask(s: &str, keep_first: usize, keep_last: usize) -> String {
    let n = s.chars().count();
    if keep_first.saturating_add(keep_last) >= n {
        // Keeping every character would reveal the value: mask it all.
        return "*".repeat(n);
    }
    s.chars().enumerate().map(|(i, c)| if i < keep_first || i >= n - keep_last { c } else { '*' }).collect()
}

fn generalize(g: Generalization, value: &Value) -> Result<Value> {
    match g {
        Generalization::Month | Generalization::Year => {
            let s = text_of(value)?;
            // Already a year, or a month when a month is asked: generalized before, left as is.
            if already_generalized_date(&s, g) {
                return Ok(Value::Text(s));
            }
            let date =
                s.get(..10).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).ok_or_else(|| {
                    Error::invalid(
                        "generalize",
                        format!(
                            "{:?} is not a date (YYYY-MM-DD, optionally with a time)",
                            crate::ids::truncate_for_message(&s)
                        ),
                    )
                })?;
            Ok(Value::Text(match g {
                Generalization::Month => date.format("%Y-%m").to_string(),
                _ => date.format("%Y").to_string(),
            }))
        }
        Generalization::Range { width } => {
            if width < 2 {
                return Err(Error::invalid("generalize", "a range must be at least 2 wide"));
            }
            let n = match value {
                Value::Integer(i) => *i,
                Value::Real(r) if r.is_finite() => r.floor() as i64,
                Value::Text(s) if is_range(s) => return Ok(Value::Text(s.clone())),
                Value::Text(s) => s.trim().parse::<i64>().map_err(|_| Error::invalid("generalize", "not a number"))?,
                _ => return Err(Error::invalid("generalize", "a range needs a number")),
            };
            let low = n.div_euclid(width) * width;
            Ok(Value::Text(format!("{low}-{}", low.saturating_add(width - 1))))
        }
        Generalization::Prefix { keep } => {
            if keep == 0 {
                return Err(Error::invalid("generalize", "a prefix keeps at least 1 character"));
            }
            // A value no longer than the prefix is already generalized, and left as is.
            Ok(Value::Text(text_of(value)?.chars().take(keep).collect()))
        }
    }
}

/// Whether `s` is already a year (`YYYY`), or a month (`YYYY-MM`) when a month is asked.
fn already_generalized_date(s: &str, g: Generalization) -> bool {
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('-') {
        None => digits(s, 4),
        Some((year, month)) => g == Generalization::Month && digits(year, 4) && digits(month, 2),
    }
}

/// Whether `s` is a range written by `generalize`, such as `30-39` or `-10--1`.
fn is_range(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.split_once('-').is_some_and(|(low, high)| {
        !low.is_empty()
            && low.bytes().all(|b| b.is_ascii_digit())
            && high.trim_start_matches('-').parse::<u64>().is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRETS: Secrets<'static> = Secrets { salt: b"salt-1", hmac_key: Some(b"key-1") };

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn keep_null_redact_and_replace() {
        assert_eq!(Operator::Keep.apply(&text("Jean"), SECRETS).unwrap(), text("Jean"));
        assert_eq!(Operator::Null.apply(&text("Jean"), SECRETS).unwrap(), Value::Null);
        assert_eq!(Operator::Redact.apply(&text("Jean"), SECRETS).unwrap(), text(REDACTED));
        let replace = Operator::Replace { with: text("Anonyme") };
        assert_eq!(replace.apply(&text("Jean"), SECRETS).unwrap(), text("Anonyme"));
        assert_eq!(replace.apply(&Value::Null, SECRETS).unwrap(), text("Anonyme"), "replace fills NULL too");
        assert_eq!(Operator::Redact.apply(&Value::Null, SECRETS).unwrap(), Value::Null, "NULL stays NULL");
    }

    #[test]
    fn constant_operators_write_their_constant_whatever_the_value() {
        let inputs = [Value::Null, Value::Integer(7), Value::Real(1.5), text("Jean"), Value::Blob(vec![1, 2])];
        for op in [Operator::Null, Operator::Redact, Operator::Replace { with: Value::Integer(0) }] {
            let c = op.constant().unwrap();
            for input in &inputs {
                let expected = if c.keeps_null && *input == Value::Null { Value::Null } else { c.value.clone() };
                assert_eq!(op.apply(input, SECRETS).unwrap(), expected, "{op:?} on {input:?}");
            }
        }
        assert!(Operator::Mask { keep_first: 0, keep_last: 2 }.constant().is_none());
        assert!(Operator::Keep.constant().is_none() && Operator::Hash.constant().is_none());
    }

    #[test]
    fn mask_keeps_the_asked_characters_only() {
        let last2 = Operator::Mask { keep_first: 0, keep_last: 2 };
        assert_eq!(last2.apply(&text("0612345678"), SECRETS).unwrap(), text("********78"));
        let first1 = Operator::Mask { keep_first: 1, keep_last: 0 };
        assert_eq!(first1.apply(&text("Dupont"), SECRETS).unwrap(), text("D*****"));
        assert_eq!(first1.apply(&text("Zoé"), SECRETS).unwrap(), text("Z**"), "characters, not bytes");
        assert_eq!(last2.apply(&text("42"), SECRETS).unwrap(), text("**"), "keeping all would reveal it");
        assert_eq!(last2.apply(&Value::Integer(612345678), SECRETS).unwrap(), text("*******78"));
    }

    #[test]
    fn hash_is_salted_and_irreversible() {
        let a = Operator::Hash.apply(&text("jean@example.fr"), SECRETS).unwrap();
        let b = Operator::Hash.apply(&text("jean@example.fr"), Secrets { salt: b"salt-2", ..SECRETS }).unwrap();
        assert_ne!(a, b, "another salt, another hash");
        assert_eq!(a, Operator::Hash.apply(&text("jean@example.fr"), SECRETS).unwrap());
        let Value::Text(h) = a else { panic!("hex text") };
        assert_eq!(h.len(), 64);
        assert_ne!(
            Operator::Hash.apply(&Value::Integer(1), SECRETS).unwrap(),
            Operator::Hash.apply(&text("1"), SECRETS).unwrap(),
            "the type counts"
        );
    }

    #[test]
    fn pseudonymize_is_stable_under_a_key_and_differs_under_another() {
        let op = Operator::Pseudonymize;
        let a = op.apply(&text("jean@example.fr"), SECRETS).unwrap();
        assert_eq!(a, op.apply(&text("jean@example.fr"), Secrets { salt: b"other salt", ..SECRETS }).unwrap());
        let other_key = op.apply(&text("jean@example.fr"), Secrets { hmac_key: Some(b"key-2"), ..SECRETS }).unwrap();
        assert_ne!(a, other_key);
        assert_ne!(a, op.apply(&text("marie@example.fr"), SECRETS).unwrap());
        let err = op.apply(&text("x"), Secrets { hmac_key: None, ..SECRETS }).unwrap_err().to_string();
        assert!(err.contains("no HMAC key is configured"), "{err}");
        assert!(op.keeps_a_link() && Operator::Hash.keeps_a_link() && !Operator::Redact.keeps_a_link());
        assert!(!op.is_idempotent() && !Operator::Hash.is_idempotent(), "a sweep must record rows done");
    }

    #[test]
    fn an_anonymizer_applies_each_fields_operator_with_its_secrets() {
        let a = Anonymizer::new(vec![Operator::Redact, Operator::Pseudonymize], SECRETS);
        assert_eq!(a.apply(0, &text("Jean")).unwrap(), text(REDACTED));
        assert_eq!(a.apply(1, &text("x")).unwrap(), Operator::Pseudonymize.apply(&text("x"), SECRETS).unwrap());
        assert!(a.apply(2, &text("x")).unwrap_err().to_string().contains("no field 2"));
        assert!(!a.is_idempotent());
        assert!(Anonymizer::new(vec![Operator::Null], SECRETS).is_idempotent());
        assert!(!format!("{a:?}").contains("key-1"), "secrets stay out of debug output");
    }

    #[test]
    fn generalize_coarsens_dates_numbers_and_postcodes() {
        let g = |to| Operator::Generalize(to);
        assert_eq!(g(Generalization::Month).apply(&text("1980-06-15"), SECRETS).unwrap(), text("1980-06"));
        assert_eq!(g(Generalization::Year).apply(&text("1980-06-15T10:30:00Z"), SECRETS).unwrap(), text("1980"));
        assert!(g(Generalization::Year).apply(&text("June 1980"), SECRETS).is_err());
        let range = g(Generalization::Range { width: 10 });
        assert_eq!(range.apply(&Value::Integer(37), SECRETS).unwrap(), text("30-39"));
        assert_eq!(range.apply(&Value::Integer(-3), SECRETS).unwrap(), text("-10--1"));
        assert_eq!(range.apply(&Value::Real(40.5), SECRETS).unwrap(), text("40-49"));
        let prefix = g(Generalization::Prefix { keep: 2 });
        assert_eq!(prefix.apply(&text("75011"), SECRETS).unwrap(), text("75"));
        assert_eq!(prefix.apply(&text("75"), SECRETS).unwrap(), text("75"), "already a prefix");
        assert!(g(Generalization::Range { width: 1 }).apply(&Value::Integer(3), SECRETS).is_err());
    }

    #[test]
    fn generalizing_again_changes_nothing() {
        for (to, value) in [
            (Generalization::Year, "1980-06-15"),
            (Generalization::Month, "1980-06-15T10:00:00Z"),
            (Generalization::Range { width: 10 }, "37"),
            (Generalization::Range { width: 10 }, "-3"),
            (Generalization::Prefix { keep: 2 }, "75011"),
        ] {
            let op = Operator::Generalize(to);
            let once = op.apply(&text(value), SECRETS).unwrap();
            assert_eq!(op.apply(&once, SECRETS).unwrap(), once, "{to:?} on {value}");
        }
        assert_eq!(Operator::Generalize(Generalization::Month).apply(&text("1980"), SECRETS).unwrap(), text("1980"));
        for op in [Operator::Redact, Operator::Null, Operator::Mask { keep_first: 0, keep_last: 2 }] {
            let once = op.apply(&text("0612345678"), SECRETS).unwrap();
            assert_eq!(op.apply(&once, SECRETS).unwrap(), once, "{op:?}");
        }
    }

    proptest! {
        #[test]
        fn generalizing_a_date_never_returns_it(days in 0i64..80_000, month in prop::bool::ANY, time in prop::bool::ANY) {
            let date = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let s = if time { format!("{date}T12:34:56Z") } else { date.to_string() };
            let to = if month { Generalization::Month } else { Generalization::Year };
            let out = Operator::Generalize(to).apply(&Value::Text(s.clone()), SECRETS).unwrap();
            prop_assert_ne!(out, Value::Text(s));
        }

        #[test]
        fn idempotent_operators_change_their_output_no_further(
            pick in 0usize..9,
            input in prop_oneof![
                ".{0,24}".prop_map(Value::Text),
                any::<i64>().prop_map(Value::Integer),
                Just(Value::Null),
                (0i64..80_000).prop_map(|d| Value::Text(
                    (chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(d as u64)).to_string()
                )),
            ],
        ) {
            let ops = [
                Operator::Keep,
                Operator::Null,
                Operator::Redact,
                Operator::Replace { with: Value::Integer(0) },
                Operator::Mask { keep_first: 1, keep_last: 2 },
                Operator::Generalize(Generalization::Month),
                Operator::Generalize(Generalization::Year),
                Operator::Generalize(Generalization::Range { width: 10 }),
                Operator::Generalize(Generalization::Prefix { keep: 3 }),
            ];
            let op = &ops[pick];
            prop_assert!(op.is_idempotent());
            // An input the operator refuses is refused again by a sweep, never half-changed.
            if let Ok(once) = op.apply(&input, SECRETS) {
                prop_assert_eq!(op.apply(&once, SECRETS).unwrap(), once);
            }
        }

        #[test]
        fn pseudonyms_are_stable(input in ".{0,40}", key in prop::collection::vec(any::<u8>(), 1..64)) {
            let secrets = Secrets { salt: b"", hmac_key: Some(&key) };
            let a = Operator::Pseudonymize.apply(&Value::Text(input.clone()), secrets).unwrap();
            prop_assert_eq!(a, Operator::Pseudonymize.apply(&Value::Text(input), secrets).unwrap());
        }
    }
}
