//! The data map as a file holds it (TOML, or JSON of the same structure), read and written by
//! serde: a misspelled key or a value of the wrong type is refused with its line and column. What
//! the values mean (plain names, periods, operators and their parameters) is checked when the file
//! becomes a [`DataMap`], naming the entity and field at fault. `docs/data-map.md` documents the
//! format.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::label::Label;
use super::map::{DataMap, EndAction, Entity, Identifier, OnErasure, Period, Retention};
use super::operators::{Generalization, Operator, Value};
use super::processing::{Processing, Transfer};
use super::verdict::FieldKind;
use crate::error::{Error, Result};

/// A data map's top level.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapFile {
    #[serde(default)]
    entity: Vec<EntityFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    processing: Vec<ProcessingFile>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    categories: BTreeMap<String, Label>,
}

/// An `[[entity]]`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityFile {
    name: String,
    table: String,
    subject_column: String,
    category: String,
    on_erasure: NameOr<RetainFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retention: Option<RetentionFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    collected_at: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    fields: IndexMap<String, NameOr<FieldFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<Label>,
}

/// `on_erasure = { retain = "legal-obligation", for = "10y" }`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetainFile {
    retain: String,
    #[serde(rename = "for")]
    period: String,
}

/// An entity's `retention`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionFile {
    keep_for: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<Vec<String>>,
    /// The older spelling of `from` with one column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_column: Option<String>,
    then: EndAction,
}

/// A field written as a table: its operator with its parameters, and its kind.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    op: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keep_first: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keep_last: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    with: Option<ReplaceWith>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keep: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<FieldKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    boolean: Option<bool>,
}

/// A field read from the map: its operator, and what else the map says of it.
struct ReadField {
    op: Operator,
    kind: Option<FieldKind>,
    label: Option<Label>,
    currency: Option<String>,
    boolean: bool,
}

/// The constant of `replace`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum ReplaceWith {
    Integer(i64),
    Real(f64),
    Text(String),
}

/// A `[[processing]]`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcessingFile {
    purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<Label>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retention: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    automated_decision: Option<Label>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    transfers: Vec<Transfer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legitimate_interest: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    requirement: Option<Label>,
}

/// A value written either as a name (`"delete"`, `"redact"`) or as a table of settings.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum NameOr<T> {
    Name(String),
    Table(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NameOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Either<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Either<T> {
            type Value = NameOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a table")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Self::Value, E> {
                Ok(NameOr::Name(s.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(NameOr::Table)
            }
        }
        d.deserialize_any(Either(PhantomData))
    }
}

/// Reads a map's TOML text; `Err` holds one line, with the line and column of a fault of shape.
pub(crate) fn read_toml(text: &str) -> Result<DataMap> {
    let file: MapFile = toml::from_str(text).map_err(|e| Error::invalid("data_map", toml_error(text, &e)))?;
    file.into_map()
}

/// Reads a map's JSON text.
pub(crate) fn read_json(text: &str) -> Result<DataMap> {
    let file: MapFile = serde_json::from_str(text).map_err(|e| Error::invalid("data_map", e))?;
    file.into_map()
}

/// `line L, column C: message`, on one line.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

impl<'de> Deserialize<'de> for DataMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        MapFile::deserialize(d)?.into_map().map_err(de::Error::custom)
    }
}

impl Serialize for DataMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        MapFile::from(self).serialize(s)
    }
}

fn invalid(message: String) -> Error {
    Error::invalid("data_map", message)
}

impl MapFile {
    /// Checks what the values mean and builds the map.
    fn into_map(self) -> Result<DataMap> {
        if self.entity.is_empty() {
            return Err(invalid("no [[entity]] is declared".into()));
        }
        let mut entities: Vec<Entity> = Vec::with_capacity(self.entity.len());
        for e in self.entity {
            let entity = e.into_entity()?;
            if entities.iter().any(|x| x.name == entity.name) {
                return Err(invalid(format!("entity {:?} is declared twice", entity.name)));
            }
            entities.push(entity);
        }
        let mut processing: Vec<Processing> = Vec::with_capacity(self.processing.len());
        for p in self.processing {
            let p = p.into_processing()?;
            if processing.iter().any(|x| x.purpose == p.purpose) {
                return Err(invalid(format!("processing {:?} is declared twice", p.purpose)));
            }
            processing.push(p);
        }
        for (name, label) in &self.categories {
            label.check().map_err(|why| invalid(format!("category {name:?}: {why}")))?;
        }
        Ok(DataMap { entities, processing, categories: self.categories })
    }
}

impl EntityFile {
    fn into_entity(self) -> Result<Entity> {
        let what = format!("entity {:?}", self.name);
        let table = Identifier::new(&self.table, &format!("{what}, table"))?;
        let lower = table.as_str().to_ascii_lowercase();
        if ["gdprkit_", "sqlite_", "pg_"].iter().any(|p| lower.starts_with(p)) || lower == "information_schema" {
            return Err(invalid(format!(
                "{what}, table: {:?} is gdprkit's own table or the database's catalog, never the CRM's data",
                table.as_str()
            )));
        }
        let subject_column = Identifier::new(&self.subject_column, &format!("{what}, subject_column"))?;
        let on_erasure = match self.on_erasure {
            NameOr::Name(s) if s == "anonymize" => OnErasure::Anonymize,
            NameOr::Name(s) if s == "delete" => OnErasure::Delete,
            NameOr::Table(RetainFile { retain, period }) => {
                OnErasure::Retain { period: Period::parse(&period, &format!("{what}, on_erasure"))?, reason: retain }
            }
            NameOr::Name(_) => {
                return Err(invalid(format!(
                    "{what}: on_erasure must be \"anonymize\", \"delete\" or {{ retain = \"REASON\", for = \"10y\" }}"
                )));
            }
        };
        let retention = self.retention.map(|r| r.into_retention(&format!("{what}, retention"))).transpose()?;
        let mut fields = Vec::with_capacity(self.fields.len());
        let mut kinds = BTreeMap::new();
        let mut labels = BTreeMap::new();
        let mut currencies = BTreeMap::new();
        let mut booleans = std::collections::BTreeSet::new();
        for (column, spec) in self.fields {
            let w = format!("{what}, field {column:?}");
            let column = Identifier::new(&column, &w)?;
            let ReadField { op, kind, label, currency, boolean } = spec.into_operator(&w)?;
            if boolean {
                if currency.is_some() {
                    return Err(invalid(format!("{w}: a field is a boolean or an amount with a currency, not both")));
                }
                booleans.insert(column.clone());
            }
            if let Some(currency) = currency {
                let iso = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
                if !iso {
                    return Err(invalid(format!("{w}: currency {currency:?} is not an ISO 4217 code (EUR, USD, …)")));
                }
                currencies.insert(column.clone(), currency);
            }
            if let Some(kind) = kind {
                kinds.insert(column.clone(), kind);
            }
            if let Some(label) = label {
                label.check().map_err(|why| invalid(format!("{w}: {why}")))?;
                labels.insert(column.clone(), label);
            }
            fields.push((column, op));
        }
        if let Some(label) = &self.label {
            label.check().map_err(|why| invalid(format!("{what}: {why}")))?;
        }
        if on_erasure == OnErasure::Anonymize && fields.is_empty() {
            return Err(invalid(format!("{what}: on_erasure = \"anonymize\" needs [entity.fields]")));
        }
        let column =
            |c: Option<String>, key: &str| c.map(|c| Identifier::new(&c, &format!("{what}, {key}"))).transpose();
        Ok(Entity {
            event_at: column(self.event_at, "event_at")?,
            collected_at: column(self.collected_at, "collected_at")?,
            name: self.name,
            table,
            subject_column,
            category: self.category,
            on_erasure,
            retention,
            fields,
            kinds,
            label: self.label,
            labels,
            currencies,
            booleans,
        })
    }
}

impl RetentionFile {
    fn into_retention(self, what: &str) -> Result<Retention> {
        let from = match (self.from, self.from_column) {
            (Some(list), None) => list.iter().map(|c| Identifier::new(c, what)).collect::<Result<Vec<_>>>()?,
            (None, Some(c)) => vec![Identifier::new(&c, what)?],
            (Some(_), Some(_)) => return Err(invalid(format!("{what}: give `from` or `from_column`, not both"))),
            (None, None) => {
                return Err(invalid(format!(
                    "{what}: `from` is missing: the columns the period runs from, such as [\"last_inbound_at\"]"
                )));
            }
        };
        if from.is_empty() {
            return Err(invalid(format!("{what}: `from` names no column")));
        }
        Ok(Retention { keep_for: Period::parse(&self.keep_for, what)?, from, then: self.then })
    }
}

impl NameOr<FieldFile> {
    /// The field's operator, declared kind, label and currency. A field with a kind, a label or a
    /// currency and no operator is kept.
    fn into_operator(self, what: &str) -> Result<ReadField> {
        let (op, mut f) = match self {
            NameOr::Name(op) => (op, FieldFile::default()),
            NameOr::Table(f) => match (&f.op, f.kind, f.label.is_some() || f.currency.is_some() || f.boolean.is_some())
            {
                (Some(op), _, _) => (op.clone(), f),
                (None, Some(_), _) | (None, None, true) => ("keep".to_owned(), f),
                (None, None, false) => return Err(invalid(format!("{what}: `op` is missing"))),
            },
        };
        let label = f.label.take();
        let currency = f.currency.take();
        let boolean = f.boolean.take().unwrap_or(false);
        let given: [(&str, bool); 6] = [
            ("keep_first", f.keep_first.is_some()),
            ("keep_last", f.keep_last.is_some()),
            ("with", f.with.is_some()),
            ("to", f.to.is_some()),
            ("width", f.width.is_some()),
            ("keep", f.keep.is_some()),
        ];
        let takes: &[&str] = match op.as_str() {
            "mask" => &["keep_first", "keep_last"],
            "replace" => &["with"],
            "generalize" => &["to", "width", "keep"],
            _ => &[],
        };
        if let Some((key, _)) = given.iter().find(|(key, set)| *set && !takes.contains(key)) {
            return Err(invalid(format!("{what}: {} takes no `{key}`", crate::ids::truncate_for_message(&op))));
        }
        let count = |key: &str, n: Option<i64>| -> Result<usize> {
            usize::try_from(n.unwrap_or(0)).map_err(|_| invalid(format!("{what}: `{key}` must not be negative")))
        };
        let operator = match op.as_str() {
            "keep" => Operator::Keep,
            "null" => Operator::Null,
            "redact" => Operator::Redact,
            "hash" => Operator::Hash,
            "pseudonymize" => Operator::Pseudonymize,
            "mask" => Operator::Mask {
                keep_first: count("keep_first", f.keep_first)?,
                keep_last: count("keep_last", f.keep_last)?,
            },
            "replace" => Operator::Replace {
                with: match f.with {
                    Some(ReplaceWith::Text(s)) => Value::Text(s),
                    Some(ReplaceWith::Integer(n)) => Value::Integer(n),
                    Some(ReplaceWith::Real(r)) => Value::Real(r),
                    None => return Err(invalid(format!("{what}: replace needs `with`, a string or a number"))),
                },
            },
            "generalize" => Operator::Generalize(match f.to.as_deref() {
                Some("month") => Generalization::Month,
                Some("year") => Generalization::Year,
                Some("range") => Generalization::Range {
                    width: f
                        .width
                        .filter(|w| *w >= 2)
                        .ok_or_else(|| invalid(format!("{what}: generalize to range needs `width` of at least 2")))?,
                },
                Some("prefix") => match count("keep", f.keep)? {
                    0 => return Err(invalid(format!("{what}: generalize to prefix needs `keep` of at least 1"))),
                    keep => Generalization::Prefix { keep },
                },
                _ => {
                    return Err(invalid(format!(
                        "{what}: generalize needs `to`: month, year, range (with width) or prefix (with keep)"
                    )));
                }
            }),
            other => {
                return Err(invalid(format!(
                    "{what}: {:?} is not an operator (keep, null, redact, replace, mask, hash, pseudonymize, generalize)",
                    crate::ids::truncate_for_message(other)
                )));
            }
        };
        Ok(ReadField { op: operator, kind: f.kind, label, currency, boolean })
    }
}

impl ProcessingFile {
    fn into_processing(self) -> Result<Processing> {
        let what = format!("processing {:?}", self.purpose);
        let text = |key: &str, value: Option<Label>| match value {
            Some(l) if l.check().is_err() => Err(invalid(format!("{what}: `{key}` is empty"))),
            other => Ok(other),
        };
        if self.purpose.trim().is_empty() {
            return Err(invalid("processing: `purpose` is empty".into()));
        }
        let retention = text("retention", self.retention)?.ok_or_else(|| {
            invalid(format!(
                "{what}: `retention` is missing: how long the data are kept, or the criteria that decide it, \
                 is told to the person (Art. 13(2)(a), 15(1)(d))"
            ))
        })?;
        for t in &self.transfers {
            if !self.recipients.contains(&t.recipient) {
                return Err(invalid(format!(
                    "{what}, transfer: {:?} is not one of the processing's recipients",
                    t.recipient
                )));
            }
            for (key, value) in [("recipient", &t.recipient), ("country", &t.country), ("safeguard", &t.safeguard)] {
                if value.trim().is_empty() {
                    return Err(invalid(format!("{what}, transfer: `{key}` is empty")));
                }
            }
        }
        Ok(Processing {
            label: text("label", self.label)?,
            source: text("source", self.source)?,
            automated_decision: text("automated_decision", self.automated_decision)?,
            legitimate_interest: text("legitimate_interest", self.legitimate_interest)?,
            requirement: text("requirement", self.requirement)?,
            purpose: self.purpose,
            categories: self.categories,
            recipients: self.recipients,
            retention,
            transfers: self.transfers,
        })
    }
}

impl From<&DataMap> for MapFile {
    fn from(map: &DataMap) -> Self {
        MapFile {
            entity: map.entities.iter().map(EntityFile::from).collect(),
            processing: map
                .processing
                .iter()
                .map(|p| ProcessingFile {
                    purpose: p.purpose.clone(),
                    label: p.label.clone(),
                    categories: p.categories.clone(),
                    recipients: p.recipients.clone(),
                    retention: Some(p.retention.clone()),
                    source: p.source.clone(),
                    automated_decision: p.automated_decision.clone(),
                    transfers: p.transfers.clone(),
                    legitimate_interest: p.legitimate_interest.clone(),
                    requirement: p.requirement.clone(),
                })
                .collect(),
            categories: map.categories.clone(),
        }
    }
}

impl From<&Entity> for EntityFile {
    fn from(e: &Entity) -> Self {
        let name = |c: &Identifier| c.as_str().to_owned();
        EntityFile {
            name: e.name.clone(),
            table: name(&e.table),
            subject_column: name(&e.subject_column),
            category: e.category.clone(),
            on_erasure: match &e.on_erasure {
                OnErasure::Anonymize => NameOr::Name("anonymize".into()),
                OnErasure::Delete => NameOr::Name("delete".into()),
                OnErasure::Retain { reason, period } => {
                    NameOr::Table(RetainFile { retain: reason.clone(), period: period.to_text() })
                }
            },
            retention: e.retention.as_ref().map(|r| RetentionFile {
                keep_for: r.keep_for.to_text(),
                from: Some(r.from.iter().map(name).collect()),
                from_column: None,
                then: r.then,
            }),
            event_at: e.event_at.as_ref().map(name),
            collected_at: e.collected_at.as_ref().map(name),
            fields: e
                .fields
                .iter()
                .map(|(c, op)| {
                    let (kind, label, currency) =
                        (e.kinds.get(c).copied(), e.labels.get(c).cloned(), e.currencies.get(c));
                    (name(c), field_file(op, kind, label, currency.cloned(), e.booleans.contains(c)))
                })
                .collect(),
            label: e.label.clone(),
        }
    }
}

/// A field as the map writes it: its operator's name alone when it has no parameter, kind, label,
/// currency or boolean flag.
fn field_file(
    op: &Operator,
    kind: Option<FieldKind>,
    label: Option<Label>,
    currency: Option<String>,
    boolean: bool,
) -> NameOr<FieldFile> {
    let int = |n: usize| Some(i64::try_from(n).unwrap_or(i64::MAX));
    let plain_name = kind.is_none() && label.is_none() && currency.is_none() && !boolean;
    let mut f = FieldFile { kind, label, currency, boolean: boolean.then_some(true), ..FieldFile::default() };
    let name = match op {
        Operator::Keep => "keep",
        Operator::Null => "null",
        Operator::Redact => "redact",
        Operator::Hash => "hash",
        Operator::Pseudonymize => "pseudonymize",
        Operator::Mask { keep_first, keep_last } => {
            (f.keep_first, f.keep_last) = (int(*keep_first), int(*keep_last));
            "mask"
        }
        Operator::Replace { with } => {
            f.with = Some(match with {
                Value::Integer(n) => ReplaceWith::Integer(*n),
                Value::Real(r) => ReplaceWith::Real(*r),
                other => ReplaceWith::Text(other.as_text().unwrap_or_default()),
            });
            "replace"
        }
        Operator::Generalize(g) => {
            f.to = Some(
                match g {
                    Generalization::Month => "month",
                    Generalization::Year => "year",
                    Generalization::Range { width } => {
                        f.width = Some(*width);
                        "range"
                    }
                    Generalization::Prefix { keep } => {
                        f.keep = int(*keep);
                        "prefix"
                    }
                }
                .to_owned(),
            );
            "generalize"
        }
    };
    let plain =
        matches!(op, Operator::Keep | Operator::Null | Operator::Redact | Operator::Hash | Operator::Pseudonymize);
    if plain && plain_name {
        NameOr::Name(name.to_owned())
    } else {
        f.op = Some(name.to_owned());
        NameOr::Table(f)
    }
}
