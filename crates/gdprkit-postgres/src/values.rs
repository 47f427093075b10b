//! How a CRM column's values travel between PostgreSQL and gdprkit's [`Value`]: integers as
//! `int8`, floating-point numbers as `float8`, bytes as `bytea`, and everything else (text,
//! dates, instants, numerics, enums, …) as text that the server converts with the column's own
//! type. Values are always bound as parameters, never written into SQL.

use gdprkit::anonymize::operators::Value;
use gdprkit::{Error, Result};
use postgres::Row;
use postgres::types::ToSql;

use crate::catalog::Column;

/// How a column's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `smallint`, `integer`, `bigint`: as `int8`.
    Integer,
    /// `real`, `double precision`: as `float8`.
    Real,
    /// `bytea`.
    Blob,
    /// The string types (`text`, `varchar`, `char`, `citext`, …): as text.
    Text,
    /// Any other type: as text, converted by the server.
    Other,
}

impl Kind {
    /// The kind of a type, from its name and category in `pg_type`.
    pub fn of(typname: &str, category: &str) -> Self {
        match typname {
            "int2" | "int4" | "int8" => Kind::Integer,
            "float4" | "float8" => Kind::Real,
            "bytea" => Kind::Blob,
            _ if category == "S" => Kind::Text,
            _ => Kind::Other,
        }
    }

    /// The type a value of this kind is bound as.
    pub fn wire(self) -> &'static str {
        match self {
            Kind::Integer => "int8",
            Kind::Real => "float8",
            Kind::Blob => "bytea",
            Kind::Text | Kind::Other => "text",
        }
    }

    /// SQL reading `column` (quoted) as this kind.
    pub fn read(self, column: &str) -> String {
        match self {
            Kind::Blob => column.to_owned(),
            kind => format!("{column}::{}", kind.wire()),
        }
    }

    /// The value in position `i` of `row`, read as this kind.
    pub fn get(self, row: &Row, i: usize) -> std::result::Result<Value, postgres::Error> {
        Ok(match self {
            Kind::Integer => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Integer),
            Kind::Real => row.try_get::<_, Option<f64>>(i)?.map_or(Value::Null, Value::Real),
            Kind::Blob => row.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Value::Null, Value::Blob),
            Kind::Text | Kind::Other => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
        })
    }
}

/// A value converted for a column, ready to bind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Wire {
    Integer(Option<i64>),
    Real(Option<f64>),
    Blob(Option<Vec<u8>>),
    Text(Option<String>),
}

impl Wire {
    /// The value for a column, or why it cannot go there.
    pub fn of(column: &Column, value: &Value) -> Result<Self> {
        let refuse = || {
            Error::invalid(
                "crm_value",
                format!("{} does not fit column {:?} ({})", describe(value), column.name, column.sql_type),
            )
        };
        Ok(match (column.kind, value) {
            (Kind::Integer, Value::Null) => Wire::Integer(None),
            (Kind::Real, Value::Null) => Wire::Real(None),
            (Kind::Blob, Value::Null) => Wire::Blob(None),
            (Kind::Text | Kind::Other, Value::Null) => Wire::Text(None),
            (Kind::Integer, Value::Integer(i)) => Wire::Integer(Some(*i)),
            (Kind::Integer, Value::Real(r)) if r.fract() == 0.0 && r.abs() < 9.0e15 => Wire::Integer(Some(*r as i64)),
            (Kind::Integer, Value::Text(s)) => Wire::Integer(Some(s.trim().parse().map_err(|_| refuse())?)),
            (Kind::Real, Value::Integer(i)) => Wire::Real(Some(*i as f64)),
            (Kind::Real, Value::Real(r)) => Wire::Real(Some(*r)),
            (Kind::Real, Value::Text(s)) => Wire::Real(Some(s.trim().parse().map_err(|_| refuse())?)),
            (Kind::Blob, Value::Blob(b)) => Wire::Blob(Some(b.clone())),
            (Kind::Blob, Value::Text(s)) => Wire::Blob(Some(s.clone().into_bytes())),
            (Kind::Text | Kind::Other, v) => Wire::Text(Some(v.as_text().ok_or_else(refuse)?)),
            _ => return Err(refuse()),
        })
    }

    /// The type it is bound as.
    pub fn wire(&self) -> &'static str {
        match self {
            Wire::Integer(_) => Kind::Integer.wire(),
            Wire::Real(_) => Kind::Real.wire(),
            Wire::Blob(_) => Kind::Blob.wire(),
            Wire::Text(_) => Kind::Text.wire(),
        }
    }

    /// The value to bind.
    pub fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Wire::Integer(v) => v,
            Wire::Real(v) => v,
            Wire::Blob(v) => v,
            Wire::Text(v) => v,
        }
    }
}

/// A value's type, for an error that must not quote the value itself.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Integer(_) => "an integer",
        Value::Real(_) => "a number",
        Value::Text(_) => "a text",
        Value::Blob(_) => "bytes",
    }
}

/// SQL for parameter `$n` (bound as the column's wire type) converted to the column's type.
pub(crate) fn cast(n: usize, column: &Column) -> String {
    format!("CAST(${n}::{} AS {})", column.kind.wire(), column.sql_type)
}

/// One column's new values for a batch of rows, bound as one array.
#[derive(Debug)]
pub(crate) enum Array {
    Integer(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Blob(Vec<Option<Vec<u8>>>),
    Text(Vec<Option<String>>),
}

impl Array {
    /// An empty array for a column.
    pub fn of(column: &Column) -> Self {
        match column.kind {
            Kind::Integer => Array::Integer(Vec::new()),
            Kind::Real => Array::Real(Vec::new()),
            Kind::Blob => Array::Blob(Vec::new()),
            Kind::Text | Kind::Other => Array::Text(Vec::new()),
        }
    }

    /// Adds a value for `column`, the column the array was made for.
    pub fn push(&mut self, column: &Column, value: &Value) -> Result<()> {
        match (self, Wire::of(column, value)?) {
            (Array::Integer(a), Wire::Integer(v)) => a.push(v),
            (Array::Real(a), Wire::Real(v)) => a.push(v),
            (Array::Blob(a), Wire::Blob(v)) => a.push(v),
            (Array::Text(a), Wire::Text(v)) => a.push(v),
            _ => {
                return Err(Error::invalid(
                    "crm_value",
                    format!("a value for column {:?} went to another column's array", column.name),
                ));
            }
        }
        Ok(())
    }

    /// The array to bind.
    pub fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Array::Integer(v) => v,
            Array::Real(v) => v,
            Array::Blob(v) => v,
            Array::Text(v) => v,
        }
    }
}
