//! The data map (rules A1, A2, A6): where a subject's data lives in the CRM's tables and what
//! happens to each field on erasure, read from TOML. `docs/data-map.md` documents the format.
//!
//! Reading checks the map's own shape: plain identifiers, known operators with their
//! parameters, periods. Whether its tables and columns exist, with types that fit their
//! operators, is checked against the live schema by the CRM's adapter ([`crate::CrmData::check`]) when gdprkit is built.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::label::Label;
use super::operators::Operator;
pub use super::processing::{Processing, Transfer};
use super::verdict::FieldKind;
use crate::error::{Error, Result};

/// A table or column name: a letter or `_`, then letters, digits or `_`, 64 bytes at most. Only
/// such names reach SQL, quoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Identifier(String);

impl<'de> serde::Deserialize<'de> for Identifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Identifier::new(&name, "identifier").map_err(serde::de::Error::custom)
    }
}

impl Identifier {
    /// Checks a name; `what` says where it was found, for the error.
    pub fn new(name: &str, what: &str) -> Result<Self> {
        let mut chars = name.chars();
        let plain = name.len() <= 64
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return Err(Error::invalid(
                "data_map",
                format!(
                    "{what}: {:?} is not a plain name (a letter or '_', then letters, digits or '_')",
                    crate::ids::truncate_for_message(name)
                ),
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name quoted for SQL: safe, since only plain names are accepted.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

/// A duration in calendar units, such as `3y`, `18m` or `30d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Years.
    pub years: u32,
    /// Months.
    pub months: u32,
    /// Days.
    pub days: u32,
}

impl Period {
    /// The longest period accepted: 100 years (in each unit: `100y`, `1200m`, `36525d`).
    pub const MAX_YEARS: u32 = 100;

    /// Reads `3y`, `18m`, `30d` (one unit), from one day to 100 years.
    pub fn parse(s: &str, what: &str) -> Result<Self> {
        let bad = || Error::invalid("data_map", format!("{what}: {s:?} is not a period such as 3y, 18m or 30d"));
        let Some((last, _)) = s.char_indices().last() else { return Err(bad()) };
        let (n, unit) = s.split_at(last);
        let n: u32 = n.parse().map_err(|_| bad())?;
        let (period, max) = match unit {
            "y" => (Self { years: n, months: 0, days: 0 }, Self::MAX_YEARS),
            "m" => (Self { years: 0, months: n, days: 0 }, Self::MAX_YEARS * 12),
            "d" => (Self { years: 0, months: 0, days: n }, Self::MAX_YEARS * 365 + Self::MAX_YEARS / 4),
            _ => return Err(bad()),
        };
        if n == 0 || n > max {
            return Err(Error::invalid(
                "data_map",
                format!("{what}: {s:?} is outside the periods accepted, from 1d to {}y", Self::MAX_YEARS),
            ));
        }
        Ok(period)
    }
}

/// What an erasure does to an entity's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum OnErasure {
    /// Apply the field operators.
    Anonymize,
    /// Delete the rows.
    Delete,
    /// Keep the rows under a legal obligation (Art. 17(3)(b)), for a period.
    Retain {
        /// Why they are kept (`legal-obligation`, …).
        reason: String,
        /// For how long.
        period: Period,
    },
}

/// What a retention rule does when it runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndAction {
    /// Apply the field operators.
    Anonymize,
    /// Delete the rows.
    Delete,
}

/// How long an entity's rows are kept (rule A6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// How long.
    pub keep_for: Period,
    /// The columns holding the events the period runs from: the latest non-empty one counts (a
    /// reply, a click, an order). A row where all are empty runs from the entity's
    /// [`Entity::collected_at`].
    pub from: Vec<Identifier>,
    /// What happens when it runs out.
    pub then: EndAction,
}

/// One table holding a subject's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Its name in the map.
    pub name: String,
    /// Its table.
    pub table: Identifier,
    /// The column linking a row to the subject's id.
    pub subject_column: Identifier,
    /// The category of its data (`identity`, `billing`, …).
    pub category: String,
    /// What an erasure does to its rows.
    pub on_erasure: OnErasure,
    /// Its retention rule, if any.
    pub retention: Option<Retention>,
    /// The column holding when each row was collected: where a row's retention runs from when
    /// none of its retention events happened (rule A6).
    pub collected_at: Option<Identifier>,
    /// Its fields and their operators, in the order the map gives. Fields not named are left
    /// untouched.
    pub fields: Vec<(Identifier, Operator)>,
    /// The kind each field declares (rule A1); a field absent here declares none, which the
    /// anonymization verdict counts against it (rule A3).
    pub kinds: BTreeMap<Identifier, FieldKind>,
    /// For an entity whose rows are events (calls, e-mails, meetings, orders): the column holding
    /// each event's date. An export lists such rows with the person's events, by date.
    pub event_at: Option<Identifier>,
    /// What the entity is called in front of the person, if the map says.
    pub label: Option<Label>,
    /// What each field is called in front of the person, for the fields whose label the map
    /// gives.
    pub labels: BTreeMap<Identifier, Label>,
    /// The currency of each field holding an amount (ISO 4217: `EUR`, `USD`, …), for the fields
    /// whose currency the map declares: exports write the amount with it.
    pub currencies: BTreeMap<Identifier, String>,
    /// The fields holding a yes or no (`boolean = true`, stored as 0 and 1, or `true` and
    /// `false`): exports write them as yes or no in the person's language.
    pub booleans: std::collections::BTreeSet<Identifier>,
}

impl Entity {
    /// Whether `column` is technical: the subject column, or a field declared
    /// `kind = "technical"` (keys, row ids, foreign keys). An export's PDF leaves technical
    /// columns out; its JSON keeps them.
    pub fn is_technical(&self, column: &str) -> bool {
        column == self.subject_column.as_str()
            || self.kinds.iter().any(|(c, k)| c.as_str() == column && *k == FieldKind::Technical)
    }
}

/// A data map: every entity holding a subject's data. It serializes and deserializes in the
/// format `docs/data-map.md` documents, from TOML, JSON or any serde format.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMap {
    /// The entities, in the order the map gives.
    pub entities: Vec<Entity>,
    /// The processing done for each purpose, for exports (`[[processing]]`).
    pub processing: Vec<Processing>,
    /// What each category is called in front of the person (`[categories]`), for the categories
    /// the map labels.
    pub categories: BTreeMap<String, Label>,
}

impl DataMap {
    /// Reads a data map from TOML, naming the entity and field of any fault, and the line and
    /// column of a key no map holds or a value of the wrong type.
    pub fn from_toml(text: &str) -> Result<Self> {
        super::map_file::read_toml(text)
    }

    /// Reads a data map from JSON (the same structure as the TOML).
    pub fn from_json(text: &str) -> Result<Self> {
        super::map_file::read_json(text)
    }

    /// Whether any field is pseudonymized, which needs a secret key.
    pub fn needs_key(&self) -> bool {
        self.entities.iter().flat_map(|e| &e.fields).any(|(_, op)| *op == Operator::Pseudonymize)
    }
}

impl Period {
    /// The period as the map writes it: `3y`, `18m`, `30d`.
    pub fn to_text(self) -> String {
        match (self.years, self.months, self.days) {
            (y, 0, 0) if y > 0 => format!("{y}y"),
            (0, m, 0) if m > 0 => format!("{m}m"),
            (0, 0, d) => format!("{d}d"),
            // Not written by `parse`, which reads one unit; kept in whole days' worth of units.
            (y, m, 0) => format!("{}m", y * 12 + m),
            (y, m, d) => format!("{}d", y * 365 + m * 30 + d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::operators::Generalization;
    use crate::subject::Language;

    /// The TOML examples of `docs/data-map.md`, in order.
    fn documented_examples() -> Vec<String> {
        let doc = include_str!("../../../../docs/data-map.md");
        doc.split("```toml\n")
            .skip(1)
            .filter_map(|block| block.split_once("```").map(|(toml, _)| toml.to_owned()))
            .collect()
    }

    #[test]
    fn every_example_of_the_documentation_reads() {
        let examples = documented_examples();
        assert!(examples.len() >= 2, "the page shows its examples in ```toml blocks");
        for example in examples.iter().filter(|e| e.contains("[[entity]]")) {
            DataMap::from_toml(example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        }
        let whole = DataMap::from_toml(&examples.concat()).unwrap();
        assert!(!whole.processing.is_empty(), "the processing example reads with the entities");
        DataMap::from_toml(crate::sample::DATA_MAP).unwrap();
    }

    #[test]
    fn a_map_written_out_as_json_reads_back_the_same() {
        let map = DataMap::from_toml(&documented_examples()[0]).unwrap();
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(DataMap::from_json(&json).unwrap(), map);
        assert_eq!(serde_json::from_str::<DataMap>(&json).unwrap(), map);
        let err = DataMap::from_json(r#"{"entity": 3}"#).unwrap_err();
        assert_eq!(err.field(), Some("data_map"), "{err}");
    }

    #[test]
    fn the_documented_example_reads_as_written() {
        let map = DataMap::from_toml(&documented_examples()[0]).unwrap();
        assert_eq!(map.entities.len(), 2);
        let contacts = &map.entities[0];
        assert_eq!(contacts.subject_column.as_str(), "id");
        let names: Vec<&str> = contacts.fields.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            names,
            ["first_name", "last_name", "email", "phone", "birth_date", "notes", "plan"],
            "the map's order"
        );
        assert_eq!(contacts.fields[6].1, Operator::Keep, "a kind and no operator keeps the field");
        assert_eq!(contacts.kinds.get(&contacts.fields[5].0), Some(&FieldKind::FreeText));
        assert_eq!(contacts.kinds.len(), 7, "every field declares its kind");
        assert_eq!(contacts.fields[3].1, Operator::Mask { keep_first: 0, keep_last: 2 });
        assert_eq!(contacts.fields[4].1, Operator::Generalize(Generalization::Year));
        let retention = contacts.retention.as_ref().unwrap();
        assert_eq!(
            (retention.keep_for.years, retention.from[0].as_str(), retention.then),
            (3, "last_inbound_at", EndAction::Anonymize)
        );
        assert_eq!(
            map.entities[1].on_erasure,
            OnErasure::Retain { reason: "legal-obligation".into(), period: Period { years: 10, months: 0, days: 0 } }
        );
        assert!(map.needs_key(), "email is pseudonymized");
        assert!(map.processing.is_empty() && contacts.event_at.is_none());
    }

    #[test]
    fn events_and_processing_are_read_for_exports() {
        let example = &documented_examples()[0];
        let text = format!(
            "{example}
[[entity]]
name = \"calls\"
table = \"calls\"
subject_column = \"contact_id\"
category = \"events\"
on_erasure = \"delete\"
event_at = \"called_at\"

[[processing]]
purpose = \"newsletter\"
categories = [\"identity\", \"contact\"]
recipients = [\"Brevo (e-mail delivery)\"]
retention = \"3 years after the last contact\"
"
        );
        let map = DataMap::from_toml(&text).unwrap();
        assert_eq!(map.entities[2].event_at.as_ref().unwrap().as_str(), "called_at");
        assert_eq!(
            map.processing,
            [Processing {
                purpose: "newsletter".into(),
                label: None,
                categories: vec!["identity".into(), "contact".into()],
                recipients: vec!["Brevo (e-mail delivery)".into()],
                retention: "3 years after the last contact".into(),
                source: None,
                automated_decision: None,
                transfers: vec![],
                legitimate_interest: None,
                requirement: None,
            }]
        );
        for (bad, expected) in [
            (
                "recipients = [\"Brevo (e-mail delivery)\"]",
                "recipients = \"Brevo\"",
                "column 14: invalid type: string \"Brevo\", expected a sequence",
            ),
            ("retention = \"3 years", "retenion = \"3 years", "unknown field `retenion`"),
            ("event_at = \"called_at\"", "event_at = \"called at\"", "entity \"calls\", event_at"),
        ]
        .map(|(from, to, expected)| (text.replace(from, to), expected))
        {
            let err = DataMap::from_toml(&bad).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[test]
    fn faults_name_the_entity_and_the_field() {
        let example = &documented_examples()[0];
        let cases = [
            (
                example.replace("table = \"contacts\"", "table = \"contacts; DROP TABLE x\""),
                "entity \"contacts\", table",
            ),
            (
                example
                    .replace("phone = { op = \"mask\", keep_last = 2, kind = \"identifier\" }", "phone = \"scramble\""),
                "field \"phone\"",
            ),
            (
                example.replace("kind = \"quasi\"", "kind = \"secret\""),
                "unknown variant `secret`, expected one of `identifier`, `quasi`, `free_text`, `non_personal`",
            ),
            (example.replace("kind = \"quasi\"", "kind = 3"), "line 14, column 55: wanted string or table"),
            (example.replace("keep_last = 2", "keep_last = -2"), "field \"phone\""),
            (example.replace("keep_last = 2", "keep_lats = 2"), "unknown field `keep_lats`, expected one of"),
            (example.replace("to = \"year\"", "to = \"decade\""), "field \"birth_date\""),
            (example.replace("keep_for = \"3y\"", "keep_for = \"three years\""), "entity \"contacts\", retention"),
            (example.replace("\"10y\"", "\"10\""), "entity \"invoices\", on_erasure"),
            (example.replace("keep_for = \"3y\"", "keep_for = \"0d\""), "from 1d to 100y"),
            (example.replace("keep_for = \"3y\"", "keep_for = \"999999y\""), "from 1d to 100y"),
            (example.replace("keep_for = \"3y\"", "keep_for = \"1201m\""), "from 1d to 100y"),
            (example.replace("\"10y\"", "\"0y\""), "entity \"invoices\", on_erasure"),
            (example.replace("table = \"contacts\"", "table = \"gdprkit_ledger\""), "gdprkit's own table"),
            (example.replace("table = \"contacts\"", "table = \"sqlite_master\""), "the database's catalog"),
            (example.replace("table = \"contacts\"", "table = \"GDPRKIT_subjects\""), "gdprkit's own table"),
            (
                example.replace("on_erasure = \"anonymize\"", "on_erasure = \"shred\""),
                "entity \"contacts\": on_erasure",
            ),
            (example.replace("name = \"invoices\"", "name = \"contacts\""), "declared twice"),
            (example.replace("category = \"billing\"", "categry = \"billing\""), "unknown field `categry`"),
            ("[[entity]]\nname = 1".to_owned(), "line 2, column 8: invalid type: integer `1`, expected a string"),
            ("title = \"x\"".to_owned(), "line 1, column 1: unknown field `title`"),
            ("[[entity".to_owned(), "invalid data_map"),
        ];
        for (text, expected) in cases {
            let err = DataMap::from_toml(&text).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
            assert!(!err.contains('\n'), "one line: {err:?}");
        }
    }

    #[test]
    fn a_misspelled_key_is_named_with_its_line_and_column() {
        let text = "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"id\"\n\
                    category = \"identity\"\non_erasure = \"delete\"\nretention = { keep_fro = \"3y\" }\n";
        let err = DataMap::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("line 7, column 15: unknown field `keep_fro`, expected one of"), "{err}");
        let text = "[[entity]]\nname = \"contacts\"\ntabel = \"contacts\"\n";
        let err = DataMap::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("line 3, column 1: unknown field `tabel`"), "{err}");
        let text = "[[processing]]\npurpose = \"x\"\ntransfers = [{ recipient = \"a\", contry = \"US\" }]\n";
        let err = DataMap::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("line 3, column 33: unknown field `contry`"), "{err}");
        let text = "[[entity]]\nname = \"c\"\ntable = \"c\"\nsubject_column = \"id\"\ncategory = \"identity\"\n\
                    on_erasure = \"anonymize\"\nfields = { phone = { op = \"mask\", keep_last = \"2\" } }\n";
        let err = DataMap::from_toml(text).unwrap_err().to_string();
        assert!(
            err.contains("line 7, column 47: invalid type: string \"2\", expected i64"),
            "a value of the wrong type too: {err}"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panicking(cut in 0usize..600, junk in ".{0,20}") {
            let mut text: String = documented_examples()[0].chars().take(cut).collect();
            text.push_str(&junk);
            let _ = DataMap::from_toml(&text);
        }
    }

    #[test]
    fn periods_read_one_unit() {
        assert_eq!(Period::parse("18m", "t").unwrap(), Period { years: 0, months: 18, days: 0 });
        assert_eq!(Period::parse("30d", "t").unwrap().days, 30);
        for bad in ["", "y", "3", "3w", "3é", "-3y", "3 y"] {
            assert!(Period::parse(bad, "t").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn identifiers_are_plain_names() {
        for good in ["contacts", "_x", "Contact_2"] {
            assert!(Identifier::new(good, "t").is_ok(), "{good}");
        }
        for bad in ["", "2fast", "a-b", "a b", "a\"b", "é", &"a".repeat(65)] {
            assert!(Identifier::new(bad, "t").is_err(), "{bad}");
        }
        assert_eq!(Identifier::new("contacts", "t").unwrap().quoted(), "\"contacts\"");
    }

    #[test]
    fn labels_and_technical_fields_read_and_write_back() {
        let map = DataMap::from_toml(crate::sample::DATA_MAP).unwrap();
        let contacts = &map.entities[0];
        assert_eq!(contacts.label.as_ref().and_then(|l| l.get(Language::En)), Some("Contact record"));
        let first = Identifier::new("first_name", "t").unwrap();
        assert_eq!(contacts.labels.get(&first).and_then(|l| l.get(Language::Fr)), Some("Prénom"));
        assert!(contacts.is_technical("subject"), "the subject column is technical");
        assert!(!contacts.is_technical("first_name"));
        assert_eq!(map.categories.get("billing").and_then(|l| l.get(Language::En)), Some("Billing"));
        let calls = &map.entities[1];
        assert_eq!(calls.fields[1].1, Operator::Keep, "a label alone keeps the field");
        let amount = Identifier::new("amount", "t").unwrap();
        assert_eq!(map.entities[2].currencies.get(&amount).map(String::as_str), Some("EUR"));
        let bad = crate::sample::DATA_MAP.replace("currency = \"EUR\"", "currency = \"euro\"");
        assert!(DataMap::from_toml(&bad).unwrap_err().to_string().contains("ISO 4217"));
        let paid = "amount = { kind = \"non_personal\", boolean = true, label = { fr = \"Payée\", en = \"Paid\" } }";
        let with_boolean = DataMap::from_toml(&crate::sample::with_field_line(crate::sample::DATA_MAP, "amount", paid));
        let with_boolean = with_boolean.unwrap();
        assert!(with_boolean.entities[2].booleans.contains(&amount), "a boolean field reads");
        let both = paid.replace("boolean = true", "boolean = true, currency = \"EUR\"");
        let both = DataMap::from_toml(&crate::sample::with_field_line(crate::sample::DATA_MAP, "amount", &both));
        assert!(both.unwrap_err().to_string().contains("not both"));
        let written = serde_json::to_string(&with_boolean).unwrap();
        assert_eq!(serde_json::from_str::<DataMap>(&written).unwrap(), with_boolean, "a boolean survives a round trip");

        let written = serde_json::to_string(&map).unwrap();
        assert_eq!(serde_json::from_str::<DataMap>(&written).unwrap(), map, "labels survive a round trip");

        let technical = "[[entity]]\nname = \"a\"\ntable = \"a\"\nsubject_column = \"s\"\ncategory = \"c\"\n\
                         on_erasure = \"delete\"\n[entity.fields]\naccount_id = { kind = \"technical\" }\n";
        let entity = DataMap::from_toml(technical).unwrap().entities.remove(0);
        assert!(entity.is_technical("account_id"));
        for bad in ["label = \"\"", "label = {}", "label = { de = \"Konto\" }"] {
            let text = technical.replace("kind = \"technical\"", bad);
            assert!(DataMap::from_toml(&text).is_err(), "{bad} is refused");
        }
    }
}
