//! Phone numbers: checked and kept in E.164 (`+33612345678`), read in the tenant's country when
//! given without their country code (rule C9 compares them in this form).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::truncate_for_message;

/// The longest phone number accepted as typed, in bytes.
pub const MAX_PHONE_BYTES: usize = 64;

/// The country a phone number without its country code is read in: an ISO 3166-1 alpha-2 code
/// (`FR` unless the tenant sets another).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneCountry(phonenumber::country::Id);

impl PhoneCountry {
    /// France.
    pub fn france() -> Self {
        Self(phonenumber::country::Id::FR)
    }

    /// The ISO 3166-1 alpha-2 code.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// `number` in E.164, read in this country when it has no country code; refused when it is
    /// not a valid number there.
    pub fn normalize(&self, number: &str) -> Result<String> {
        let bad = |why: &str| {
            Error::invalid("phone", format!("{:?} is not a valid phone number: {why}", truncate_for_message(number)))
        };
        if number.len() > MAX_PHONE_BYTES {
            return Err(bad("too long"));
        }
        crate::text::check_text("phone", number, MAX_PHONE_BYTES)?;
        let parsed = phonenumber::parse(Some(self.0), number).map_err(|e| bad(&e.to_string()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(bad(&format!("no such number in its country (read in {} without a + prefix)", self.as_str())));
        }
        Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
    }
}

impl Default for PhoneCountry {
    fn default() -> Self {
        Self::france()
    }
}

impl FromStr for PhoneCountry {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let upper = s.to_ascii_uppercase();
        if upper.len() != 2 {
            return Err(Error::invalid(
                "country",
                format!("{:?} is not an ISO 3166-1 alpha-2 country code (FR, BE, DE, …)", truncate_for_message(s)),
            ));
        }
        upper.parse::<phonenumber::country::Id>().map(Self).map_err(|_| {
            Error::invalid("country", format!("{:?} is not a country with phone numbers", truncate_for_message(s)))
        })
    }
}

impl fmt::Display for PhoneCountry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PhoneCountry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PhoneCountry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_usual_format_give_one_e164_form() {
        let fr = PhoneCountry::france();
        for typed in ["06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678", "+33 (0)6 12 34 56 78"]
        {
            assert_eq!(fr.normalize(typed).unwrap(), "+33612345678", "{typed}");
        }
        let be: PhoneCountry = "be".parse().unwrap();
        assert_eq!(be.normalize("0470 12 34 56").unwrap(), "+32470123456");
        assert_eq!(be.normalize("+33 6 12 34 56 78").unwrap(), "+33612345678", "a + prefix wins over the country");
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        let fr = PhoneCountry::france();
        for bad in ["612", "abc", "", "+999 123", &"1".repeat(80)] {
            assert_eq!(fr.normalize(bad).unwrap_err().kind(), crate::ErrorKind::InvalidInput, "{bad}");
        }
        assert!("FRA".parse::<PhoneCountry>().is_err());
        assert!("ZZ".parse::<PhoneCountry>().is_err());
    }
}
