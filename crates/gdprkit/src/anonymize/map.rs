//! The data map (rules A1, A2, A6): where a subject's data lives in the CRM's tables and what
//! happens to each field on erasure, read from TOML. `docs/data-map.md` documents the format.
//!
//! Reading checks the map's own shape: plain identifiers, known operators with their
//! parameters, periods. Whether its tables and columns exist, with types that fit their
//! operators, is checked against the live schema by the CRM's adapter ([`crate::CrmData::check`]) when gdprkit is built.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::{Table, Value as Toml};

use super::operators::{Generalization, Operator, Value};
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
}

/// A data map: every entity holding a subject's data. It serializes and deserializes in the
/// format `docs/data-map.md` documents, from TOML, JSON or any serde format.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMap {
    /// The entities, in the order the map gives.
    pub entities: Vec<Entity>,
    /// The processing done for each purpose, for exports (`[[processing]]`).
    pub processing: Vec<Processing>,
}

impl DataMap {
    /// Reads a data map from TOML, naming the entity and field of any fault, and the line and
    /// column of a key no map holds.
    pub fn from_toml(text: &str) -> Result<Self> {
        let table: Table = toml::from_str(text).map_err(|e| Error::invalid("data_map", one_line(&e.to_string())))?;
        super::map_shape::check_keys(text).map_err(|e| Error::invalid("data_map", e))?;
        Self::from_table(&table)
    }

    /// Reads a data map from JSON (the same structure as the TOML).
    pub fn from_json(text: &str) -> Result<Self> {
        let table: Table = serde_json::from_str(text).map_err(|e| Error::invalid("data_map", e))?;
        Self::from_table(&table)
    }

    fn from_table(table: &Table) -> Result<Self> {
        let entities = match table.get("entity") {
            Some(Toml::Array(list)) => list,
            Some(_) => return Err(Error::invalid("data_map", "`entity` must be an array of tables ([[entity]])")),
            None => return Err(Error::invalid("data_map", "no [[entity]] is declared")),
        };
        if let Some(key) = table.keys().find(|k| *k != "entity" && *k != "processing") {
            return Err(Error::invalid("data_map", format!("unknown key {key:?} at the top level")));
        }
        let mut out = Vec::with_capacity(entities.len());
        for (i, e) in entities.iter().enumerate() {
            let Toml::Table(e) = e else {
                return Err(Error::invalid("data_map", format!("entity #{} is not a table", i + 1)));
            };
            let entity = read_entity(e, i)?;
            if out.iter().any(|x: &Entity| x.name == entity.name) {
                return Err(Error::invalid("data_map", format!("entity {:?} is declared twice", entity.name)));
            }
            out.push(entity);
        }
        let mut processing: Vec<Processing> = Vec::new();
        match table.get("processing") {
            None => {}
            Some(Toml::Array(list)) => {
                for (i, p) in list.iter().enumerate() {
                    let Toml::Table(p) = p else {
                        return Err(Error::invalid("data_map", format!("processing #{} is not a table", i + 1)));
                    };
                    let p = Processing::read(p, i)?;
                    if processing.iter().any(|x| x.purpose == p.purpose) {
                        return Err(Error::invalid(
                            "data_map",
                            format!("processing {:?} is declared twice", p.purpose),
                        ));
                    }
                    processing.push(p);
                }
            }
            Some(_) => {
                return Err(Error::invalid("data_map", "`processing` must be an array of tables ([[processing]])"));
            }
        }
        Ok(Self { entities: out, processing })
    }

    /// The map in the documented format, as a TOML table.
    pub fn to_table(&self) -> Table {
        let mut out = Table::new();
        out.insert("entity".into(), Toml::Array(self.entities.iter().map(|e| Toml::Table(e.to_table())).collect()));
        if !self.processing.is_empty() {
            out.insert(
                "processing".into(),
                Toml::Array(self.processing.iter().map(|p| Toml::Table(p.to_table())).collect()),
            );
        }
        out
    }

    /// Whether any field is pseudonymized, which needs a secret key.
    pub fn needs_key(&self) -> bool {
        self.entities.iter().flat_map(|e| &e.fields).any(|(_, op)| *op == Operator::Pseudonymize)
    }
}

impl Serialize for DataMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_table().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for DataMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let table = Table::deserialize(d)?;
        Self::from_table(&table).map_err(serde::de::Error::custom)
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

impl Entity {
    fn to_table(&self) -> Table {
        let mut t = Table::new();
        t.insert("name".into(), Toml::String(self.name.clone()));
        t.insert("table".into(), Toml::String(self.table.as_str().into()));
        t.insert("subject_column".into(), Toml::String(self.subject_column.as_str().into()));
        t.insert("category".into(), Toml::String(self.category.clone()));
        let on_erasure = match &self.on_erasure {
            OnErasure::Anonymize => Toml::String("anonymize".into()),
            OnErasure::Delete => Toml::String("delete".into()),
            OnErasure::Retain { reason, period } => {
                let mut r = Table::new();
                r.insert("retain".into(), Toml::String(reason.clone()));
                r.insert("for".into(), Toml::String(period.to_text()));
                Toml::Table(r)
            }
        };
        t.insert("on_erasure".into(), on_erasure);
        if let Some(r) = &self.retention {
            let mut rt = Table::new();
            rt.insert("keep_for".into(), Toml::String(r.keep_for.to_text()));
            rt.insert("from".into(), Toml::Array(r.from.iter().map(|c| Toml::String(c.as_str().into())).collect()));
            let then = match r.then {
                EndAction::Anonymize => "anonymize",
                EndAction::Delete => "delete",
            };
            rt.insert("then".into(), Toml::String(then.into()));
            t.insert("retention".into(), Toml::Table(rt));
        }
        if let Some(c) = &self.event_at {
            t.insert("event_at".into(), Toml::String(c.as_str().into()));
        }
        if let Some(c) = &self.collected_at {
            t.insert("collected_at".into(), Toml::String(c.as_str().into()));
        }
        if !self.fields.is_empty() {
            let fields = self
                .fields
                .iter()
                .map(|(c, op)| {
                    let spec = match (operator_spec(op), self.kinds.get(c)) {
                        (spec, None) => spec,
                        (Toml::Table(mut t), Some(kind)) => {
                            t.insert("kind".into(), Toml::String(kind.as_str().into()));
                            Toml::Table(t)
                        }
                        (name, Some(kind)) => {
                            let mut t = Table::new();
                            t.insert("op".into(), name);
                            t.insert("kind".into(), Toml::String(kind.as_str().into()));
                            Toml::Table(t)
                        }
                    };
                    (c.as_str().to_owned(), spec)
                })
                .collect();
            t.insert("fields".into(), Toml::Table(fields));
        }
        t
    }
}

/// An operator as the map writes it: its name, or a table with its parameters.
fn operator_spec(op: &Operator) -> Toml {
    let with_params = |name: &str, params: Vec<(&str, Toml)>| {
        let mut t = Table::new();
        t.insert("op".into(), Toml::String(name.into()));
        for (k, v) in params {
            t.insert(k.into(), v);
        }
        Toml::Table(t)
    };
    let int = |n: usize| Toml::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    match op {
        Operator::Keep => Toml::String("keep".into()),
        Operator::Null => Toml::String("null".into()),
        Operator::Redact => Toml::String("redact".into()),
        Operator::Hash => Toml::String("hash".into()),
        Operator::Pseudonymize => Toml::String("pseudonymize".into()),
        Operator::Mask { keep_first, keep_last } => {
            with_params("mask", vec![("keep_first", int(*keep_first)), ("keep_last", int(*keep_last))])
        }
        Operator::Replace { with } => {
            let with = match with {
                Value::Integer(n) => Toml::Integer(*n),
                Value::Real(r) => Toml::Float(*r),
                other => Toml::String(other.as_text().unwrap_or_default()),
            };
            with_params("replace", vec![("with", with)])
        }
        Operator::Generalize(g) => {
            let to = |s: &str| ("to", Toml::String(s.into()));
            with_params(
                "generalize",
                match g {
                    Generalization::Month => vec![to("month")],
                    Generalization::Year => vec![to("year")],
                    Generalization::Range { width } => vec![to("range"), ("width", Toml::Integer(*width))],
                    Generalization::Prefix { keep } => vec![to("prefix"), ("keep", int(*keep))],
                },
            )
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn str_key<'a>(t: &'a Table, key: &str, what: &str) -> Result<&'a str> {
    match t.get(key) {
        Some(Toml::String(s)) => Ok(s),
        Some(_) => Err(Error::invalid("data_map", format!("{what}: `{key}` must be a string"))),
        None => Err(Error::invalid("data_map", format!("{what}: `{key}` is missing"))),
    }
}

fn read_entity(e: &Table, index: usize) -> Result<Entity> {
    let name = str_key(e, "name", &format!("entity #{}", index + 1))?.to_owned();
    let what = format!("entity {name:?}");
    for key in e.keys() {
        if ![
            "name",
            "table",
            "subject_column",
            "category",
            "on_erasure",
            "retention",
            "fields",
            "event_at",
            "collected_at",
        ]
        .contains(&key.as_str())
        {
            return Err(Error::invalid("data_map", format!("{what}: unknown key {key:?}")));
        }
    }
    let table = Identifier::new(str_key(e, "table", &what)?, &format!("{what}, table"))?;
    let lower = table.as_str().to_ascii_lowercase();
    if ["gdprkit_", "sqlite_", "pg_"].iter().any(|p| lower.starts_with(p)) || lower == "information_schema" {
        return Err(Error::invalid(
            "data_map",
            format!(
                "{what}, table: {:?} is gdprkit's own table or the database's catalog, never the CRM's data",
                table.as_str()
            ),
        ));
    }
    let subject_column = Identifier::new(str_key(e, "subject_column", &what)?, &format!("{what}, subject_column"))?;
    let category = str_key(e, "category", &what)?.to_owned();
    let on_erasure = match e.get("on_erasure") {
        Some(Toml::String(s)) if s == "anonymize" => OnErasure::Anonymize,
        Some(Toml::String(s)) if s == "delete" => OnErasure::Delete,
        Some(Toml::Table(t)) if t.contains_key("retain") => OnErasure::Retain {
            reason: str_key(t, "retain", &format!("{what}, on_erasure"))?.to_owned(),
            period: Period::parse(str_key(t, "for", &format!("{what}, on_erasure"))?, &format!("{what}, on_erasure"))?,
        },
        _ => {
            return Err(Error::invalid(
                "data_map",
                format!(
                    "{what}: on_erasure must be \"anonymize\", \"delete\" or {{ retain = \"REASON\", for = \"10y\" }}"
                ),
            ));
        }
    };
    let retention = match e.get("retention") {
        None => None,
        Some(Toml::Table(t)) => {
            let w = format!("{what}, retention");
            Some(Retention {
                keep_for: Period::parse(str_key(t, "keep_for", &w)?, &w)?,
                from: read_from(t, &w)?,
                then: match str_key(t, "then", &w)? {
                    "anonymize" => EndAction::Anonymize,
                    "delete" => EndAction::Delete,
                    other => {
                        return Err(Error::invalid(
                            "data_map",
                            format!("{w}: then = {other:?} is neither anonymize nor delete"),
                        ));
                    }
                },
            })
        }
        Some(_) => return Err(Error::invalid("data_map", format!("{what}: retention must be a table"))),
    };
    let mut fields = Vec::new();
    let mut kinds = BTreeMap::new();
    match e.get("fields") {
        None => {}
        Some(Toml::Table(t)) => {
            for (column, spec) in t {
                let w = format!("{what}, field {column:?}");
                let column = Identifier::new(column, &w)?;
                if let Some(kind) = read_kind(spec, &w)? {
                    kinds.insert(column.clone(), kind);
                }
                fields.push((column, read_operator(spec, &w)?));
            }
        }
        Some(_) => return Err(Error::invalid("data_map", format!("{what}: fields must be a table"))),
    }
    if on_erasure == OnErasure::Anonymize && fields.is_empty() {
        return Err(Error::invalid("data_map", format!("{what}: on_erasure = \"anonymize\" needs [entity.fields]")));
    }
    let event_at = match e.get("event_at") {
        None => None,
        Some(_) => Some(Identifier::new(str_key(e, "event_at", &what)?, &format!("{what}, event_at"))?),
    };
    let collected_at = match e.get("collected_at") {
        None => None,
        Some(_) => Some(Identifier::new(str_key(e, "collected_at", &what)?, &format!("{what}, collected_at"))?),
    };
    Ok(Entity { name, table, subject_column, category, on_erasure, retention, collected_at, fields, kinds, event_at })
}

/// A retention rule's event columns: `from = ["a", "b"]`, or the older `from_column = "a"`.
fn read_from(t: &Table, what: &str) -> Result<Vec<Identifier>> {
    if let Some(key) = t.keys().find(|k| !["keep_for", "from", "from_column", "then"].contains(&k.as_str())) {
        return Err(Error::invalid("data_map", format!("{what}: unknown key {key:?}")));
    }
    let columns = match (t.get("from"), t.get("from_column")) {
        (Some(Toml::Array(list)), None) => list
            .iter()
            .map(|c| match c {
                Toml::String(c) => Identifier::new(c, what),
                _ => Err(Error::invalid("data_map", format!("{what}: `from` must be a list of column names"))),
            })
            .collect::<Result<Vec<_>>>()?,
        (None, Some(_)) => vec![Identifier::new(str_key(t, "from_column", what)?, what)?],
        (Some(_), Some(_)) => {
            return Err(Error::invalid("data_map", format!("{what}: give `from` or `from_column`, not both")));
        }
        (Some(_), None) => {
            return Err(Error::invalid("data_map", format!("{what}: `from` must be a list of column names")));
        }
        (None, None) => {
            return Err(Error::invalid(
                "data_map",
                format!("{what}: `from` is missing: the columns the period runs from, such as [\"last_inbound_at\"]"),
            ));
        }
    };
    if columns.is_empty() {
        return Err(Error::invalid("data_map", format!("{what}: `from` names no column")));
    }
    Ok(columns)
}

/// A field's `kind`, where its table declares one.
fn read_kind(spec: &Toml, what: &str) -> Result<Option<FieldKind>> {
    let Toml::Table(t) = spec else { return Ok(None) };
    match t.get("kind") {
        None => Ok(None),
        Some(Toml::String(k)) => FieldKind::from_name(k).map(Some).ok_or_else(|| {
            Error::invalid(
                "data_map",
                format!("{what}: kind {k:?} is not identifier, quasi, free_text or non_personal"),
            )
        }),
        Some(_) => Err(Error::invalid("data_map", format!("{what}: `kind` must be a string"))),
    }
}

fn read_operator(spec: &Toml, what: &str) -> Result<Operator> {
    let (op, params) = match spec {
        Toml::String(op) => (op.as_str(), None),
        // A field with a kind and no operator is kept as it is.
        Toml::Table(t) if !t.contains_key("op") && t.contains_key("kind") => ("keep", Some(t)),
        Toml::Table(t) => (str_key(t, "op", what)?, Some(t)),
        _ => return Err(Error::invalid("data_map", format!("{what}: an operator is a name or {{ op = \"…\", … }}"))),
    };
    let int = |key: &str| -> Result<Option<i64>> {
        match params.and_then(|p| p.get(key)) {
            None => Ok(None),
            Some(Toml::Integer(n)) => Ok(Some(*n)),
            Some(_) => Err(Error::invalid("data_map", format!("{what}: `{key}` must be an integer"))),
        }
    };
    let count = |key: &str| -> Result<usize> {
        let n = int(key)?.unwrap_or(0);
        usize::try_from(n).map_err(|_| Error::invalid("data_map", format!("{what}: `{key}` must not be negative")))
    };
    let allowed: &[&str] = match op {
        "mask" => &["op", "kind", "keep_first", "keep_last"],
        "replace" => &["op", "kind", "with"],
        "generalize" => &["op", "kind", "to", "width", "keep"],
        _ => &["op", "kind"],
    };
    if let Some(key) = params.and_then(|p| p.keys().find(|k| !allowed.contains(&k.as_str()))) {
        return Err(Error::invalid("data_map", format!("{what}: {op} takes no `{key}`")));
    }
    Ok(match op {
        "keep" => Operator::Keep,
        "null" => Operator::Null,
        "redact" => Operator::Redact,
        "hash" => Operator::Hash,
        "pseudonymize" => Operator::Pseudonymize,
        "mask" => Operator::Mask { keep_first: count("keep_first")?, keep_last: count("keep_last")? },
        "replace" => Operator::Replace {
            with: match params.and_then(|p| p.get("with")) {
                Some(Toml::String(s)) => Value::Text(s.clone()),
                Some(Toml::Integer(n)) => Value::Integer(*n),
                Some(Toml::Float(f)) => Value::Real(*f),
                _ => {
                    return Err(Error::invalid(
                        "data_map",
                        format!("{what}: replace needs `with`, a string or a number"),
                    ));
                }
            },
        },
        "generalize" => Operator::Generalize(match params.and_then(|p| p.get("to")) {
            Some(Toml::String(to)) if to == "month" => Generalization::Month,
            Some(Toml::String(to)) if to == "year" => Generalization::Year,
            Some(Toml::String(to)) if to == "range" => {
                let width = int("width")?.filter(|w| *w >= 2).ok_or_else(|| {
                    Error::invalid("data_map", format!("{what}: generalize to range needs `width` of at least 2"))
                })?;
                Generalization::Range { width }
            }
            Some(Toml::String(to)) if to == "prefix" => {
                let keep = count("keep")?;
                if keep == 0 {
                    return Err(Error::invalid(
                        "data_map",
                        format!("{what}: generalize to prefix needs `keep` of at least 1"),
                    ));
                }
                Generalization::Prefix { keep }
            }
            _ => {
                return Err(Error::invalid(
                    "data_map",
                    format!("{what}: generalize needs `to`: month, year, range (with width) or prefix (with keep)"),
                ));
            }
        }),
        other => {
            return Err(Error::invalid(
                "data_map",
                format!(
                    "{what}: {:?} is not an operator (keep, null, redact, replace, mask, hash, pseudonymize, generalize)",
                    crate::ids::truncate_for_message(other)
                ),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
                categories: vec!["identity".into(), "contact".into()],
                recipients: vec!["Brevo (e-mail delivery)".into()],
                retention: "3 years after the last contact".into(),
                source: None,
                automated_decision: None,
                transfers: vec![],
            }]
        );
        for (bad, expected) in [
            ("recipients = [\"Brevo (e-mail delivery)\"]", "recipients = \"Brevo\"", "must be a list of strings"),
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
            (example.replace("kind = \"quasi\"", "kind = \"secret\""), "kind \"secret\" is not identifier"),
            (example.replace("kind = \"quasi\"", "kind = 3"), "`kind` must be a string"),
            (example.replace("keep_last = 2", "keep_last = -2"), "field \"phone\""),
            (example.replace("keep_last = 2", "keep_lats = 2"), "mask takes no `keep_lats`"),
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
            ("[[entity]]\nname = 1".to_owned(), "`name` must be a string"),
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
}
