//! The CRM's own tables in SQLite, as a data map describes them: the map checked against the
//! live schema before anything runs.

use std::path::Path;
use std::sync::Mutex;

use gdprkit::anonymize::map::{DataMap, Entity, Identifier};
use gdprkit::anonymize::operators::{Generalization, Operator, Value};
use gdprkit::anonymize::plan::{EntityAction, Plan, RowChange, SubjectData};
use gdprkit::anonymize::sweep::{RetentionData, SweepBatch};
use gdprkit::{Error, Result, SubjectId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params_from_iter};

use crate::db_err;

/// The CRM's tables in a SQLite file, read and changed as a data map says. Identifiers come only
/// from a checked map and are quoted; every value is bound as a parameter.
pub struct SqliteSubjectData {
    conn: Mutex<Connection>,
}

impl SqliteSubjectData {
    /// Opens the CRM's database at `path`. Deleted and overwritten content is zeroed in the file
    /// (`secure_delete`), and after each erasure a write-ahead log is checkpointed and truncated,
    /// so that no erased value stays behind in files gdprkit writes (rule A5).
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)
            .map_err(|e| Error::storage(format!("SQLite could not open {}", path.display()), e))?;
        Self::with_connection(conn)
    }

    /// Works on an open connection.
    pub fn with_connection(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err("set the busy timeout"))?;
        conn.pragma_update(None, "secure_delete", "ON").map_err(db_err("turn secure_delete on"))?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// Checks a data map against this database's schema.
    pub fn check(&self, map: &DataMap) -> Result<()> {
        check_map(&self.conn.lock().unwrap_or_else(|e| e.into_inner()), map)
    }
}

fn to_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Integer(i) => V::Integer(*i),
        Value::Real(r) => V::Real(*r),
        Value::Text(t) => V::Text(t.clone()),
        Value::Blob(b) => V::Blob(b.clone()),
    }
}

impl SubjectData for SqliteSubjectData {
    fn rows(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<(i64, Vec<Value>)>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let condition = format!("{} = ?1 ORDER BY rowid", entity.subject_column.quoted());
        read_rows(&conn, entity, &condition, rusqlite::params![subject.as_str()], "read a subject's rows")
    }

    fn apply(&self, plan: &Plan) -> Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err("start an erasure"))?;
        for e in &plan.entities {
            match &e.action {
                EntityAction::Anonymize { rows } => update_rows(&tx, &e.entity, &e.table, rows)?,
                EntityAction::Delete { rows } => delete_rows(&tx, &e.entity, &e.table, rows)?,
                EntityAction::Retain { .. } => {}
            }
        }
        tx.commit().map_err(db_err("commit an erasure"))?;
        checkpoint(&conn)
    }
}

impl RetentionData for SqliteSubjectData {
    fn expired_rows(&self, entity: &Entity, cutoff: &str, after: i64, limit: usize) -> Result<Vec<(i64, Vec<Value>)>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let condition = expired_condition(&conn, entity)? + " AND rowid > ?4 ORDER BY rowid LIMIT ?3";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        read_rows(&conn, entity, &condition, rusqlite::params![cutoff, entity.name, limit, after], "find expired rows")
    }

    fn count_expired(&self, entity: &Entity, cutoff: &str) -> Result<u64> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let sql = format!("SELECT count(*) FROM {} WHERE {}", entity.table.quoted(), expired_condition(&conn, entity)?);
        let n: i64 = conn
            .query_row(&sql, rusqlite::params![cutoff, entity.name], |r| r.get(0))
            .map_err(db_err("count expired rows"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn apply_batch(&self, entity: &Entity, batch: &SweepBatch) -> Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute_batch(SWEPT_TABLE).map_err(db_err("create the sweep's record of rows done"))?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err("start a sweep batch"))?;
        match batch {
            SweepBatch::Anonymize { changes, rows } => {
                update_rows(&tx, &entity.name, &entity.table, changes)?;
                let mut st = tx
                    .prepare("INSERT OR IGNORE INTO gdprkit_swept (entity, row) VALUES (?1, ?2)")
                    .map_err(db_err("record rows done"))?;
                for row in rows {
                    st.execute(rusqlite::params![entity.name, row]).map_err(db_err("record rows done"))?;
                }
            }
            SweepBatch::Delete { rows } => delete_rows(&tx, &entity.name, &entity.table, rows)?,
        }
        tx.commit().map_err(db_err("commit a sweep batch"))
    }

    fn finish(&self) -> Result<()> {
        checkpoint(&self.conn.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Each row of `entity` meeting `condition` (SQL after `WHERE`, with its parameters bound): its
/// id and the values of the entity's fields, in the map's order.
fn read_rows(
    conn: &Connection,
    entity: &Entity,
    condition: &str,
    params: impl rusqlite::Params,
    what: &'static str,
) -> Result<Vec<(i64, Vec<Value>)>> {
    let mut columns = vec!["rowid".to_owned()];
    columns.extend(entity.fields.iter().map(|(c, _)| c.quoted()));
    let sql = format!("SELECT {} FROM {} WHERE {condition}", columns.join(", "), entity.table.quoted());
    let mut st = conn.prepare(&sql).map_err(db_err(what))?;
    let mut rows = st.query(params).map_err(db_err(what))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_err(what))? {
        let id: i64 = row.get(0).map_err(db_err(what))?;
        let values = (1..=entity.fields.len())
            .map(|i| row.get_ref(i).map(to_value))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err(what))?;
        out.push((id, values));
    }
    Ok(out)
}

/// The rows a sweep has anonymized, by entity: an anonymized row still has its old retention
/// date, and `hash` would change it again. Deleted rows need no record.
const SWEPT_TABLE: &str = "CREATE TABLE IF NOT EXISTS gdprkit_swept (entity TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (entity, row)) WITHOUT ROWID";

/// `WHERE` for the expired rows of an entity not yet done: `?1` is the cutoff, `?2` the entity.
fn expired_condition(conn: &Connection, entity: &Entity) -> Result<String> {
    let Some(rule) = &entity.retention else {
        return Err(Error::invalid("data map", format!("entity {:?} has no retention rule", entity.name)));
    };
    let swept: bool = conn
        .query_row("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'gdprkit_swept'", [], |r| r.get(0))
        .map_err(db_err("read the CRM's schema"))?;
    let done = if swept { "rowid NOT IN (SELECT row FROM gdprkit_swept WHERE entity = ?2)" } else { "?2 IS NOT NULL" };
    Ok(format!("{} < ?1 AND {done}", rule.from_column.quoted()))
}

fn update_rows(tx: &rusqlite::Transaction<'_>, entity: &str, table: &Identifier, rows: &[RowChange]) -> Result<()> {
    for r in rows {
        let sets: Vec<String> =
            r.fields.iter().enumerate().map(|(i, (c, _, _))| format!("{} = ?{}", c.quoted(), i + 1)).collect();
        let sql = format!("UPDATE {} SET {} WHERE rowid = ?{}", table.quoted(), sets.join(", "), r.fields.len() + 1);
        let mut values: Vec<rusqlite::types::Value> = r.fields.iter().map(|(_, _, v)| to_sql(v)).collect();
        values.push(rusqlite::types::Value::Integer(r.row));
        // Rows of an entity mostly change the same fields: the statement is prepared once.
        tx.prepare_cached(&sql)
            .and_then(|mut st| st.execute(params_from_iter(values)))
            .map_err(|err| Error::storage(format!("SQLite could not anonymize a row of {entity}"), err))?;
    }
    Ok(())
}

fn delete_rows(tx: &rusqlite::Transaction<'_>, entity: &str, table: &Identifier, rows: &[i64]) -> Result<()> {
    let sql = format!("DELETE FROM {} WHERE rowid = ?1", table.quoted());
    for row in rows {
        tx.execute(&sql, [row])
            .map_err(|err| Error::storage(format!("SQLite could not delete a row of {entity}"), err))?;
    }
    Ok(())
}

/// In WAL mode, copies the log into the file and truncates it, so that old page images holding
/// erased values do not stay in the log.
fn checkpoint(conn: &Connection) -> Result<()> {
    let journal: String =
        conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(db_err("read the journal mode"))?;
    if journal.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(db_err("checkpoint the write-ahead log"))?;
    }
    Ok(())
}

/// A column as the live schema declares it.
struct Column {
    declared_type: String,
    not_null: bool,
}

/// SQLite's type affinity of a declared column type (section 3.1 of SQLite's datatype rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

fn affinity(declared: &str) -> Affinity {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.contains("BLOB") || t.is_empty() {
        Affinity::Blob
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

fn columns(conn: &Connection, table: &Identifier) -> Result<Option<Vec<(String, Column)>>> {
    let mut st = conn
        .prepare("SELECT name, type, \"notnull\" FROM pragma_table_info(?1)")
        .map_err(db_err("read the CRM's schema"))?;
    let rows = st
        .query_map([table.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, Column { declared_type: r.get(1)?, not_null: r.get::<_, i64>(2)? != 0 }))
        })
        .map_err(db_err("read the CRM's schema"))?;
    let cols = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_err("read the CRM's schema"))?;
    Ok((!cols.is_empty()).then_some(cols))
}

/// Checks a data map against the schema of the SQLite file at `path`, opened read-only.
pub fn check_map_at(path: &std::path::Path, map: &DataMap) -> Result<()> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::storage(format!("SQLite could not open {} to read", path.display()), e))?;
    check_map(&conn, map)
}

/// Checks a data map against the live schema: every table and column exists, and each column's
/// type fits its operator. The first fault is named with its entity and field.
pub fn check_map(conn: &Connection, map: &DataMap) -> Result<()> {
    for entity in &map.entities {
        check_entity(conn, entity)?;
    }
    Ok(())
}

fn check_entity(conn: &Connection, e: &Entity) -> Result<()> {
    let what = format!("entity {:?}", e.name);
    let cols = columns(conn, &e.table)?
        .ok_or_else(|| Error::invalid("data map", format!("{what}: table {:?} does not exist", e.table.as_str())))?;
    let find = |c: &Identifier, role: &str| {
        cols.iter().find(|(name, _)| name == c.as_str()).map(|(_, col)| col).ok_or_else(|| {
            Error::invalid(
                "data map",
                format!("{what}, {role}: column {:?} does not exist in table {:?}", c.as_str(), e.table.as_str()),
            )
        })
    };
    find(&e.subject_column, "subject_column")?;
    if let Some(r) = &e.retention {
        find(&r.from_column, "retention")?;
    }
    for (field, op) in &e.fields {
        let col = find(field, &format!("field {:?}", field.as_str()))?;
        if field == &e.subject_column && *op != Operator::Keep {
            return Err(Error::invalid(
                "data map",
                format!(
                    "{what}, field {:?}: the subject column links rows to the subject; it can only be kept",
                    field.as_str()
                ),
            ));
        }
        if let Some(reason) = misfit(op, col) {
            return Err(Error::invalid(
                "data map",
                format!("{what}, field {:?} ({}): {reason}", field.as_str(), col.declared_type),
            ));
        }
    }
    Ok(())
}

/// Why an operator does not fit a column, if it does not.
fn misfit(op: &Operator, col: &Column) -> Option<&'static str> {
    let a = affinity(&col.declared_type);
    let texty = matches!(a, Affinity::Text | Affinity::Blob | Affinity::Numeric);
    match op {
        Operator::Keep => None,
        Operator::Null if col.not_null => Some("null needs a column that accepts NULL"),
        Operator::Null => None,
        Operator::Redact | Operator::Mask { .. } | Operator::Hash | Operator::Pseudonymize if !texty => {
            Some("this operator writes text, and the column holds numbers")
        }
        Operator::Generalize(Generalization::Month | Generalization::Year | Generalization::Prefix { .. })
            if !texty =>
        {
            Some("this generalization writes text, and the column holds numbers")
        }
        Operator::Generalize(Generalization::Range { .. }) if a == Affinity::Blob => {
            Some("a range needs a column of numbers")
        }
        Operator::Replace { with: Value::Text(_) } if !texty => {
            Some("the constant is text, and the column holds numbers")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "
        CREATE TABLE contacts (id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT NOT NULL, email TEXT,
            phone VARCHAR(20), birth_date DATE, age INTEGER, notes TEXT, last_inbound_at TEXT);
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, contact_id TEXT, amount REAL);";

    const MAP: &str = r#"
[[entity]]
name = "contacts"
table = "contacts"
subject_column = "id"
category = "identity"
on_erasure = "anonymize"
retention = { keep_for = "3y", from_column = "last_inbound_at", then = "anonymize" }
[entity.fields]
first_name = "redact"
last_name = "redact"
email = { op = "pseudonymize" }
phone = { op = "mask", keep_last = 2 }
birth_date = { op = "generalize", to = "year" }
age = { op = "generalize", to = "range", width = 10 }
notes = "null"

[[entity]]
name = "invoices"
table = "invoices"
subject_column = "contact_id"
category = "billing"
on_erasure = { retain = "legal-obligation", for = "10y" }
"#;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
        c
    }

    fn check(map: &str) -> std::result::Result<(), String> {
        check_map(&conn(), &DataMap::from_toml(map).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_map_that_fits_the_schema_passes() {
        check(MAP).unwrap();
    }

    #[test]
    fn unknown_tables_and_columns_and_misfits_are_named() {
        let cases = [
            (
                MAP.replace("table = \"invoices\"", "table = \"bills\""),
                "entity \"invoices\": table \"bills\" does not exist",
            ),
            (
                MAP.replace("subject_column = \"contact_id\"", "subject_column = \"customer\""),
                "subject_column: column \"customer\"",
            ),
            (
                MAP.replace("from_column = \"last_inbound_at\"", "from_column = \"last_seen\""),
                "retention: column \"last_seen\"",
            ),
            (MAP.replace("notes = \"null\"", "memo = \"null\""), "field \"memo\": column \"memo\" does not exist"),
            (
                MAP.replace("first_name = \"redact\"", "first_name = \"redact\"\nage = \"redact\"")
                    .replace("age = { op = \"generalize\", to = \"range\", width = 10 }\n", ""),
                "field \"age\" (INTEGER): this operator writes text",
            ),
            (
                MAP.replace("notes = \"null\"", "last_name = \"null\"").replace("last_name = \"redact\"\n", ""),
                "field \"last_name\" (TEXT): null needs a column that accepts NULL",
            ),
            (MAP.replace("notes = \"null\"", "notes = \"null\"\nid = \"redact\""), "the subject column"),
        ];
        for (map, expected) in cases {
            let err = check(&map).unwrap_err();
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[test]
    fn affinities_follow_sqlites_rules() {
        assert_eq!(affinity("VARCHAR(20)"), Affinity::Text);
        assert_eq!(affinity("BIGINT"), Affinity::Integer);
        assert_eq!(affinity("DOUBLE PRECISION"), Affinity::Real);
        assert_eq!(affinity("DATE"), Affinity::Numeric);
        assert_eq!(affinity(""), Affinity::Blob);
    }
}
