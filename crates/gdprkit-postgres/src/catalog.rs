//! The CRM's tables as PostgreSQL's catalog describes them, and the check of a data map against
//! them: every table, column and key exists, and each column's type takes what its operator
//! writes.

use gdprkit::anonymize::map::{DataMap, Entity, Identifier, Retention};
use gdprkit::anonymize::operators::{Operator, Value};
use gdprkit::{Error, Result};
use postgres::GenericClient;

use crate::db_err;
use crate::values::{Kind, Wire, cast};

/// A column of a CRM table.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name, as the catalog spells it.
    pub name: String,
    /// Its type as SQL (`character varying(20)`, `date`, …), from `format_type`.
    pub sql_type: String,
    /// How its values travel to and from gdprkit.
    pub kind: Kind,
    /// Whether it refuses NULL.
    pub not_null: bool,
}

impl Column {
    /// The column's name quoted for SQL.
    pub fn quoted(&self) -> String {
        quote(&self.name)
    }

    /// The SQL reading the column as its [`Kind`] reads it.
    pub fn read(&self) -> String {
        self.kind.read(&self.quoted())
    }
}

/// A CRM table: its columns in order and the integer key that names its rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The table's name quoted for SQL, found through the connection's `search_path`.
    pub quoted: String,
    /// Every column, in the table's order.
    pub columns: Vec<Column>,
    /// The position in `columns` of the primary key, one integer column.
    key: usize,
}

impl Table {
    /// Reads a table's description from the catalog; `None` when there is no such table.
    pub fn read(client: &mut impl GenericClient, table: &Identifier) -> Result<Option<Self>> {
        let what = "read the CRM's schema";
        let quoted = table.quoted();
        let rows = client
            .query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, t.typname::text, \
                        t.typcategory::text, coalesce(a.attnum = ANY (i.indkey), false) \
                 FROM pg_attribute a \
                 JOIN pg_type t ON t.oid = a.atttypid \
                 LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary \
                 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attnum",
                &[&quoted],
            )
            .map_err(db_err(what))?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut columns = Vec::with_capacity(rows.len());
        let mut keys = Vec::new();
        for r in &rows {
            let (typname, category): (&str, &str) = (r.get(3), r.get(4));
            if r.get::<_, bool>(5) {
                keys.push(columns.len());
            }
            columns.push(Column {
                name: r.get(0),
                sql_type: r.get(1),
                kind: Kind::of(typname, category),
                not_null: r.get(2),
            });
        }
        let key = match keys[..] {
            [k] if columns[k].kind == Kind::Integer => k,
            _ => {
                let found = if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.iter()
                        .map(|&k| format!("{} ({})", columns[k].name, columns[k].sql_type))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return Err(Error::invalid(
                    "data_map",
                    format!(
                        "table {:?} needs a primary key of one integer column to name its rows in PostgreSQL; its primary key: {found}",
                        table.as_str()
                    ),
                ));
            }
        };
        Ok(Some(Self { quoted, columns, key }))
    }

    /// The key column.
    pub fn key(&self) -> &Column {
        &self.columns[self.key]
    }

    /// The column named `name`.
    pub fn column(&self, name: &Identifier) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name.as_str())
    }

    /// The column named `name`, or an error naming the entity and the role of the column.
    pub fn find(&self, entity: &Entity, name: &Identifier, role: &str) -> Result<&Column> {
        self.column(name).ok_or_else(|| {
            Error::invalid(
                "data_map",
                format!(
                    "entity {:?}, {role}: column {:?} does not exist in table {:?}",
                    entity.name,
                    name.as_str(),
                    entity.table.as_str()
                ),
            )
        })
    }

    /// The columns of an entity's fields, in the map's order.
    /// A retention rule's event columns, then the entity's collection column if it names one.
    pub fn retention_columns(&self, entity: &Entity, rule: &Retention) -> Result<Vec<&Column>> {
        let mut out = rule.from.iter().map(|c| self.find(entity, c, "retention")).collect::<Result<Vec<_>>>()?;
        if let Some(c) = &entity.collected_at {
            out.push(self.find(entity, c, "collected_at")?);
        }
        Ok(out)
    }

    /// The instant a row's retention runs from (rule A6), as SQL: the latest non-empty event
    /// column (`greatest` passes over NULLs), else the collection column; NULL when none is set.
    pub fn retention_date(&self, entity: &Entity, rule: &Retention) -> Result<String> {
        let value = |c: &Column| match c.kind {
            Kind::Text => format!("nullif({}, '')", c.quoted()),
            _ => c.quoted(),
        };
        let from =
            rule.from.iter().map(|c| self.find(entity, c, "retention").map(value)).collect::<Result<Vec<_>>>()?;
        let latest = format!("greatest({})", from.join(", "));
        Ok(match &entity.collected_at {
            Some(c) => format!("coalesce({latest}, {})", value(self.find(entity, c, "collected_at")?)),
            None => latest,
        })
    }

    pub fn fields(&self, entity: &Entity) -> Result<Vec<&Column>> {
        entity.fields.iter().map(|(f, _)| self.find(entity, f, &format!("field {:?}", f.as_str()))).collect()
    }
}

/// A name quoted for SQL, with any double quote doubled.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Checks a data map against the live schema: every table, column and primary key exists, and
/// each column's type takes what its operator writes. The first fault is named with its entity
/// and field.
pub(crate) fn check_map(client: &mut impl GenericClient, map: &DataMap) -> Result<()> {
    for entity in &map.entities {
        let table = Table::read(client, &entity.table)?.ok_or_else(|| {
            Error::invalid(
                "data_map",
                format!("entity {:?}: table {:?} does not exist", entity.name, entity.table.as_str()),
            )
        })?;
        check_entity(client, &table, entity)?;
    }
    Ok(())
}

fn check_entity(client: &mut impl GenericClient, table: &Table, e: &Entity) -> Result<()> {
    let what = format!("entity {:?}", e.name);
    table.find(e, &e.subject_column, "subject_column")?;
    if let Some(r) = &e.retention {
        let columns = table.retention_columns(e, r)?;
        for column in &columns {
            // The cutoff is an RFC 3339 instant, compared in the columns' own type.
            if !casts(client, &Value::Text("2000-01-01T00:00:00Z".into()), column)? {
                return Err(Error::invalid(
                    "data_map",
                    format!(
                        "{what}, retention: column {:?} ({}) holds no dates or instants",
                        column.name, column.sql_type
                    ),
                ));
            }
        }
        if let Some(other) = columns.iter().find(|c| c.sql_type != columns[0].sql_type) {
            return Err(Error::invalid(
                "data_map",
                format!(
                    "{what}, retention: column {:?} ({}) and column {:?} ({}) must hold the same type, to be compared",
                    columns[0].name, columns[0].sql_type, other.name, other.sql_type
                ),
            ));
        }
    } else if let Some(c) = &e.collected_at {
        table.find(e, c, "collected_at")?;
    }
    if let Some(c) = &e.event_at {
        table.find(e, c, "event_at")?;
    }
    for (field, op) in &e.fields {
        let column = table.find(e, field, &format!("field {:?}", field.as_str()))?;
        let role = if field == &e.subject_column {
            Some("the subject column links rows to the subject")
        } else if column.name == table.key().name {
            Some("the primary key names the rows")
        } else {
            None
        };
        if let Some(role) = role.filter(|_| *op != Operator::Keep) {
            return Err(Error::invalid(
                "data_map",
                format!("{what}, field {:?}: {role}; it can only be kept", field.as_str()),
            ));
        }
        if let Some(reason) = misfit(client, op, column)? {
            return Err(Error::invalid(
                "data_map",
                format!("{what}, field {:?} ({}): {reason}", field.as_str(), column.sql_type),
            ));
        }
    }
    Ok(())
}

/// Why an operator does not fit a column, if it does not.
fn misfit(client: &mut impl GenericClient, op: &Operator, column: &Column) -> Result<Option<&'static str>> {
    Ok(match op {
        Operator::Keep => None,
        Operator::Null if column.not_null => Some("null needs a column that accepts NULL"),
        Operator::Null => None,
        Operator::Replace { with } => {
            (!casts(client, with, column)?).then_some("the constant is not a value of the column's type")
        }
        // Every other operator writes text: `[redacted]`, a masked value, a token, `1980`, `30-39`.
        _ if column.kind != Kind::Text => Some("this operator writes text, and the column does not hold text"),
        _ => None,
    })
}

/// Whether `value` converts to the column's type: asked of the server, which knows every type.
fn casts(client: &mut impl GenericClient, value: &Value, column: &Column) -> Result<bool> {
    let Ok(wire) = Wire::of(column, value) else { return Ok(false) };
    let sql = format!("SELECT {} IS NULL", cast(1, column));
    let mut tx = client.transaction().map_err(db_err("check a value's type"))?;
    // A failed cast is an answer, not a fault; the transaction keeps the connection usable.
    let fits = tx.query_one(&sql, &[wire.as_sql()]).is_ok();
    tx.rollback().map_err(db_err("check a value's type"))?;
    Ok(fits)
}
