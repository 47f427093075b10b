//! The CRM's own tables in SQLite, as a data map describes them: the map checked against the
//! live schema before anything runs.

use std::path::Path;
use std::sync::Mutex;

use gdprkit::anonymize::map::EndAction;
use gdprkit::anonymize::map::{DataMap, Entity, Identifier};
use gdprkit::anonymize::operators::{Anonymizer, Generalization, Operator, Value};
use gdprkit::anonymize::plan::{EntityAction, Plan, RowChange};
use gdprkit::crm::{BatchDone, CrmData};
use gdprkit::export::model::Record;
use gdprkit::{Error, Result, SubjectId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ToSql, params_from_iter};

use crate::db_err;

/// The CRM's tables in a SQLite file, read and changed as a data map says. Identifiers come only
/// from a checked map and are quoted; every value is bound as a parameter.
pub struct SqliteCrmData {
    conn: Mutex<Connection>,
}

impl SqliteCrmData {
    /// Opens the CRM's database at `path`. Deleted and overwritten content is zeroed in the file
    /// (`secure_delete`), and after each erasure a write-ahead log is checkpointed and truncated,
    /// so that no erased value stays behind in files gdprkit writes (rule A5).
    ///
    /// Give a file's path: `gdprkit-setup` refuses `file:` URIs, whose options SQLite would read.
    pub fn open(path: &Path) -> Result<Self> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::storage(format!("SQLite could not open {}", path.display()), e))?;
        Self::with_connection(conn)
    }

    /// Works on an open connection.
    pub fn with_connection(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err("set the busy timeout"))?;
        conn.pragma_update(None, "secure_delete", "ON").map_err(db_err("turn secure_delete on"))?;
        Ok(Self { conn: Mutex::new(conn) })
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

fn into_sql(v: Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Integer(i) => V::Integer(i),
        Value::Real(r) => V::Real(r),
        Value::Text(t) => V::Text(t),
        Value::Blob(b) => V::Blob(b),
    }
}

/// The table in the CRM's database where an erasure records, in its own transaction, that it is
/// under way: gdprkit's name, which no data map may use.
const PENDING_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS gdprkit_erasures_pending (subject TEXT PRIMARY KEY) WITHOUT ROWID";

fn has_pending_table(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gdprkit_erasures_pending'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(db_err("look for the erasures under way"))
}

/// The condition selecting a subject's rows, the id bound as `?1`.
///
/// The match is exact: the column's value, as text, must be the id byte for byte. The first
/// comparison (with the column's affinity and collation) finds the rows through the column's
/// index; the second drops those that affinity or a collation made equal without being the same
/// key (`042` against the integer 42, `ann` against `Ann` in a `NOCASE` column).
fn subject_is(entity: &Entity) -> String {
    let c = entity.subject_column.quoted();
    format!("{c} = ?1 AND CAST({c} AS TEXT) = ?1 COLLATE BINARY")
}

/// The instant a row's retention runs from (rule A6), as SQL: the latest non-empty value among
/// the rule's event columns, else the entity's collection column; NULL when the row has none.
/// Text in RFC 3339 or `YYYY-MM-DD` compares in time order.
fn retention_date(entity: &Entity, rule: &gdprkit::anonymize::map::Retention) -> String {
    let cols: Vec<String> = rule.from.iter().map(|c| format!("nullif({}, '')", c.quoted())).collect();
    // The latest non-empty one: each column, else any other, and the greatest of those, since
    // SQLite's max() of several values is NULL when one is.
    let latest = if cols.len() == 1 {
        cols[0].clone()
    } else {
        let rotations: Vec<String> = (0..cols.len())
            .map(|i| {
                let mut order = cols[i..].to_vec();
                order.extend_from_slice(&cols[..i]);
                format!("coalesce({})", order.join(", "))
            })
            .collect();
        format!("max({})", rotations.join(", "))
    };
    match &entity.collected_at {
        Some(c) => format!("coalesce({latest}, nullif({}, ''))", c.quoted()),
        None => latest,
    }
}

impl CrmData for SqliteCrmData {
    fn undated(&self, entity: &Entity, limit: usize) -> Result<(u64, Vec<i64>)> {
        let Some(rule) = &entity.retention else { return Ok((0, Vec::new())) };
        let what = "find the rows a retention rule cannot date";
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let condition = format!("{} IS NULL", retention_date(entity, rule));
        let table = entity.table.quoted();
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table} WHERE {condition}"), [], |r| r.get(0))
            .map_err(db_err(what))?;
        let mut st = conn
            .prepare(&format!("SELECT rowid FROM {table} WHERE {condition} ORDER BY rowid LIMIT ?1"))
            .map_err(db_err(what))?;
        let rows = st
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))
            .map_err(db_err(what))?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .map_err(db_err(what))?;
        Ok((u64::try_from(count).unwrap_or(0), rows))
    }

    fn check(&self, map: &DataMap) -> Result<()> {
        check_map(&self.conn.lock().unwrap_or_else(|e| e.into_inner()), map)
    }

    fn rows(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<(i64, Vec<Value>)>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let what = "read a subject's rows";
        let mut columns = vec!["rowid".to_owned()];
        columns.extend(entity.fields.iter().map(|(c, _)| c.quoted()));
        let sql = format!(
            "SELECT {} FROM {} WHERE {} ORDER BY rowid",
            columns.join(", "),
            entity.table.quoted(),
            subject_is(entity)
        );
        let mut st = conn.prepare(&sql).map_err(db_err(what))?;
        let mut rows = st.query([subject.as_str()]).map_err(db_err(what))?;
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
        tx.execute_batch(PENDING_TABLE).map_err(db_err("record an erasure under way"))?;
        tx.execute("INSERT OR IGNORE INTO gdprkit_erasures_pending (subject) VALUES (?1)", [plan.subject.as_str()])
            .map_err(db_err("record an erasure under way"))?;
        tx.commit().map_err(db_err("commit an erasure"))
    }

    fn pending_erasures(&self) -> Result<Vec<SubjectId>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if !has_pending_table(&conn)? {
            return Ok(Vec::new());
        }
        let mut st = conn
            .prepare("SELECT subject FROM gdprkit_erasures_pending ORDER BY subject")
            .map_err(db_err("read the erasures under way"))?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(db_err("read the erasures under way"))?;
        rows.map(|r| SubjectId::new(r.map_err(db_err("read the erasures under way"))?)).collect()
    }

    fn erasure_done(&self, subject: &SubjectId) -> Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if has_pending_table(&conn)? {
            conn.execute("DELETE FROM gdprkit_erasures_pending WHERE subject = ?1", [subject.as_str()])
                .map_err(db_err("clear an erasure under way"))?;
        }
        Ok(())
    }

    fn records(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<Record>> {
        let what = "read a subject's records";
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let sql = format!("SELECT * FROM {} WHERE {} ORDER BY rowid", entity.table.quoted(), subject_is(entity));
        let mut st = conn.prepare(&sql).map_err(db_err(what))?;
        let names: Vec<String> = st.column_names().map(str::to_owned).collect();
        let mut rows = st.query([subject.as_str()]).map_err(db_err(what))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_err(what))? {
            let mut columns = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                columns.push((name.clone(), row.get_ref(i).map(to_value).map_err(db_err(what))?));
            }
            out.push(Record(columns));
        }
        Ok(out)
    }

    fn columns(&self, entity: &Entity) -> Result<Vec<String>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let mut st = conn
            .prepare("SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(db_err("read the CRM's schema"))?;
        let cols = st
            .query_map([entity.table.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .map_err(db_err("read the CRM's schema"))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db_err("read the CRM's schema"))?;
        // A lone INTEGER PRIMARY KEY is the rowid itself: the key that names the rows.
        let key_columns = cols.iter().filter(|(_, _, pk)| *pk > 0).count();
        Ok(cols
            .into_iter()
            .filter(|(_, ty, pk)| !(key_columns == 1 && *pk == 1 && ty == "INTEGER"))
            .map(|(name, _, _)| name)
            .collect())
    }

    fn count_expired(&self, entity: &Entity, then: EndAction, cutoff: &str, fields: &Anonymizer) -> Result<u64> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let sweep = SweepSql::new(&conn, entity, then, fields, None)?;
        let function = FieldFunction::register(&conn, fields)?;
        let sql = format!("SELECT count(*) FROM {} WHERE {}", entity.table.quoted(), sweep.pending);
        let n: Option<i64> = query_one(&conn, &sql, &sweep.params(&cutoff, &entity.name.as_str(), &None, &0))
            .map_err(|err| function.explain(entity, err))?;
        Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
    }

    fn sweep_batch(
        &self,
        entity: &Entity,
        then: EndAction,
        cutoff: &str,
        after: Option<i64>,
        limit: usize,
        fields: &Anonymizer,
    ) -> Result<Option<BatchDone>> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if then == EndAction::Anonymize && !fields.is_idempotent() {
            conn.execute_batch(SWEPT_TABLE).map_err(db_err("create the sweep's record of rows done"))?;
        }
        let sweep = SweepSql::new(&conn, entity, then, fields, after)?;
        let function = FieldFunction::register(&conn, fields)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let name = entity.name.as_str();
        let mut params = sweep.params(&cutoff, &name, &after, &limit);
        // The batch is the pending rows up to the `limit`-th one; one statement then changes or
        // deletes the pending rows of that range (it checks again that they are pending).
        let last: Option<i64> = query_one(&conn, &sweep.last, &params).map_err(|err| function.explain(entity, err))?;
        let Some(last) = last else { return Ok(None) };
        params.push((":last", &last));
        let rows = match (&sweep.apply, &sweep.mark) {
            (None, _) => 0,
            // One statement is its own transaction.
            (Some(apply), None) => execute(&conn, apply, &params).map_err(|err| function.explain(entity, err))?,
            // Rows changed and rows recorded as done commit together.
            (Some(apply), Some(mark)) => {
                conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err("start a sweep batch"))?;
                let done = execute(&conn, apply, &params)
                    .map_err(|err| function.explain(entity, err))
                    .and_then(|n| execute(&conn, mark, &params).map(|_| n).map_err(db_err("record rows done")));
                match done {
                    Ok(n) => {
                        conn.execute_batch("COMMIT").map_err(db_err("commit a sweep batch"))?;
                        n
                    }
                    Err(err) => {
                        // The error says what failed; a failed rollback leaves SQLite to roll
                        // back when the connection closes.
                        let _ = conn.execute_batch("ROLLBACK");
                        return Err(err);
                    }
                }
            }
        };
        drop(function);
        Ok(Some(BatchDone { rows: rows as u64, last }))
    }

    fn scrub(&self) -> Result<()> {
        crate::scrub::truncate_log(&self.conn.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The name of the SQL function through which a sweep applies the entity's operators:
/// `gdprkit_field(i, value, rowid)` is field `i`'s operator applied to `value` (the row's id only
/// names the row when the operator refuses the value).
const FIELD_FUNCTION: &str = "gdprkit_field";

/// The entity's operators, registered as [`FIELD_FUNCTION`] on the connection while a sweep
/// statement runs, and removed after it. The function is direct-only: no trigger or view in the
/// CRM's schema can call it.
struct FieldFunction<'c> {
    conn: &'c Connection,
    /// The first value an operator refused: its field, its row, and why.
    refused: std::sync::Arc<Mutex<Option<(usize, i64, Error)>>>,
}

impl<'c> FieldFunction<'c> {
    fn register(conn: &'c Connection, fields: &Anonymizer) -> Result<Self> {
        use rusqlite::functions::FunctionFlags;
        let fields = fields.clone();
        let refused = std::sync::Arc::new(Mutex::new(None));
        let slot = refused.clone();
        let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_DIRECTONLY;
        conn.create_scalar_function(FIELD_FUNCTION, 3, flags, move |ctx| {
            let field = usize::try_from(ctx.get::<i64>(0)?).unwrap_or(usize::MAX);
            fields.apply(field, &to_value(ctx.get_raw(1))).map(into_sql).map_err(|e| {
                let message = e.to_string();
                let row = ctx.get::<i64>(2).unwrap_or_default();
                slot.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert((field, row, e));
                rusqlite::Error::UserFunctionError(message.into())
            })
        })
        .map_err(db_err("register the sweep's operators"))?;
        Ok(Self { conn, refused })
    }

    /// The error to report for a failed statement: the operator's refusal, named with its entity,
    /// row and field, when that is what stopped it.
    fn explain(&self, entity: &Entity, err: rusqlite::Error) -> Error {
        match self.refused.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some((field, row, refusal)) => {
                let column = entity.fields.get(field).map_or("?", |(c, _)| c.as_str());
                Error::invalid("crm_value", format!("entity {:?}, row {row}, field {column:?}: {refusal}", entity.name))
            }
            None => Error::storage(format!("SQLite could not sweep a batch of {}", entity.name), err),
        }
    }
}

impl Drop for FieldFunction<'_> {
    fn drop(&mut self) {
        // The function holds the secrets: it does not outlive the statement. Removing it can
        // only fail if it is not there, which leaves nothing to remove.
        let _ = self.conn.remove_function(FIELD_FUNCTION, 3);
    }
}

/// The SQL of a sweep over one entity, with named parameters: `:cutoff`, `:entity` (its name),
/// `:after` (the id after which to start; NULL: from the first row), `:limit` (the batch size),
/// and `:c0`, `:c1`, … (the constants of constant operators, bound like any value).
struct SweepSql {
    /// `WHERE` for the rows still to sweep after `:after`.
    pending: String,
    /// The id of the `:limit`-th pending row, or of the last one when there are fewer.
    last: String,
    /// Changes or deletes the pending rows up to `:last`; `None` when no field changes.
    apply: Option<String>,
    /// Records the pending rows up to `:last` as done, after `apply`, for an anonymized entity
    /// with an operator that is not idempotent.
    mark: Option<String>,
    /// The constants, by parameter name.
    constants: Vec<(String, rusqlite::types::Value)>,
}

impl SweepSql {
    fn new(
        conn: &Connection,
        entity: &Entity,
        then: EndAction,
        fields: &Anonymizer,
        after: Option<i64>,
    ) -> Result<Self> {
        let Some(rule) = &entity.retention else {
            return Err(Error::invalid("data_map", format!("entity {:?} has no retention rule", entity.name)));
        };
        let table = entity.table.quoted();
        // Each changed column and the SQL of its new value: a constant operator's constant is
        // bound as a parameter (NULL kept where the operator keeps it); any other operator is
        // applied by the registered function.
        let mut constants = Vec::new();
        let mut changed: Vec<(String, String)> = Vec::new();
        for (i, (column, op)) in entity.fields.iter().enumerate() {
            let c = column.quoted();
            let new = match op.constant() {
                _ if *op == Operator::Keep => continue,
                Some(constant) if constant.keeps_null => {
                    constants.push((format!(":c{i}"), into_sql(constant.value)));
                    format!("CASE WHEN {c} IS NULL THEN NULL ELSE :c{i} END")
                }
                Some(constant) => {
                    constants.push((format!(":c{i}"), into_sql(constant.value)));
                    format!(":c{i}")
                }
                None => format!("{FIELD_FUNCTION}({i}, {c}, rowid)"),
            };
            changed.push((c, new));
        }
        let records_rows = then == EndAction::Anonymize && !fields.is_idempotent();
        // Without a start, `:after` is NULL and the test is left out, so that no id is too small.
        let start = if after.is_some() { "rowid > :after" } else { ":after IS NULL" };
        let expired = format!("{start} AND {} < :cutoff", retention_date(entity, rule));
        let mut pending = expired.clone();
        match then {
            EndAction::Delete => {}
            EndAction::Anonymize if records_rows => {
                if swept_table_exists(conn)? {
                    pending += " AND NOT EXISTS (SELECT 1 FROM gdprkit_swept WHERE entity = :entity AND row = rowid)";
                }
            }
            // A row is done once its operators leave it as it is. `IS NOT` compares as the column
            // stores, so a value the column's affinity converts back counts as unchanged.
            EndAction::Anonymize if changed.is_empty() => pending += " AND 0",
            EndAction::Anonymize => {
                let differs: Vec<String> = changed.iter().map(|(c, new)| format!("{c} IS NOT {new}")).collect();
                pending += &format!(" AND ({})", differs.join(" OR "));
            }
        }
        let last =
            format!("SELECT max(rowid) FROM (SELECT rowid FROM {table} WHERE {pending} ORDER BY rowid LIMIT :limit)");
        let batch = format!("{pending} AND rowid <= :last");
        let mark = records_rows.then(|| {
            format!(
                // Rows recorded before are skipped by `OR IGNORE`, which looks them up anyway.
                "INSERT OR IGNORE INTO gdprkit_swept (entity, row) SELECT :entity, rowid FROM {table} \
                 WHERE {expired} AND rowid <= :last"
            )
        });
        let apply = match then {
            EndAction::Delete => Some(format!("DELETE FROM {table} WHERE {batch}")),
            // Nothing to change (and `pending` never holds).
            EndAction::Anonymize if changed.is_empty() => None,
            EndAction::Anonymize => {
                let sets: Vec<String> = changed.iter().map(|(c, new)| format!("{c} = {new}")).collect();
                Some(format!("UPDATE {table} SET {} WHERE {batch}", sets.join(", ")))
            }
        };
        Ok(Self { pending, last, apply, mark, constants })
    }

    /// Every parameter a sweep statement may name.
    fn params<'a>(
        &'a self,
        cutoff: &'a &'a str,
        entity: &'a &'a str,
        after: &'a Option<i64>,
        limit: &'a i64,
    ) -> Vec<(&'a str, &'a dyn ToSql)> {
        let mut params: Vec<(&str, &dyn ToSql)> =
            vec![(":cutoff", cutoff), (":entity", entity), (":after", after), (":limit", limit)];
        params.extend(self.constants.iter().map(|(name, value)| (name.as_str(), value as &dyn ToSql)));
        params
    }
}

/// Prepares `sql` and binds those of `params` it names.
fn bind<'c>(
    conn: &'c Connection,
    sql: &str,
    params: &[(&str, &dyn ToSql)],
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    let mut st = conn.prepare_cached(sql)?;
    for (name, value) in params {
        if let Some(i) = st.parameter_index(name)? {
            st.raw_bind_parameter(i, value)?;
        }
    }
    Ok(st)
}

/// Runs a statement that returns no rows, binding those of `params` it names.
fn execute(conn: &Connection, sql: &str, params: &[(&str, &dyn ToSql)]) -> rusqlite::Result<usize> {
    bind(conn, sql, params)?.raw_execute()
}

/// Runs a query of one value (such as `count(*)` or `max(rowid)`), binding those of `params` it
/// names.
fn query_one(conn: &Connection, sql: &str, params: &[(&str, &dyn ToSql)]) -> rusqlite::Result<Option<i64>> {
    let mut st = bind(conn, sql, params)?;
    let mut rows = st.raw_query();
    match rows.next()? {
        Some(row) => row.get(0),
        None => Ok(None),
    }
}

fn swept_table_exists(conn: &Connection) -> Result<bool> {
    conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'gdprkit_swept'", [], |r| r.get(0))
        .map_err(db_err("read the CRM's schema"))
}

/// The rows a sweep has anonymized with an operator that is not idempotent, by entity: such a
/// row still has its old retention date, and `hash` would change it again. Deleted rows, and rows
/// whose operators are all idempotent, need no record.
const SWEPT_TABLE: &str = "CREATE TABLE IF NOT EXISTS gdprkit_swept (entity TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (entity, row)) WITHOUT ROWID";

fn update_rows(tx: &rusqlite::Transaction<'_>, entity: &str, table: &Identifier, rows: &[RowChange]) -> Result<()> {
    for r in rows {
        let sets: Vec<String> =
            r.fields.iter().enumerate().map(|(i, f)| format!("{} = ?{}", f.field.quoted(), i + 1)).collect();
        let sql = format!("UPDATE {} SET {} WHERE rowid = ?{}", table.quoted(), sets.join(", "), r.fields.len() + 1);
        let mut values: Vec<rusqlite::types::Value> = r.fields.iter().map(|f| into_sql(f.value.clone())).collect();
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

/// Checks a data map against the live schema of `conn`, as [`CrmData::check`] does: every table
/// and column exists, and each column's type fits its operator. The first fault is named with its
/// entity and field.
pub fn check_map(conn: &Connection, map: &DataMap) -> Result<()> {
    for entity in &map.entities {
        check_entity(conn, entity)?;
    }
    Ok(())
}

fn check_entity(conn: &Connection, e: &Entity) -> Result<()> {
    let what = format!("entity {:?}", e.name);
    let cols = columns(conn, &e.table)?
        .ok_or_else(|| Error::invalid("data_map", format!("{what}: table {:?} does not exist", e.table.as_str())))?;
    // Rows are read, changed and deleted by their rowid: a WITHOUT ROWID table (or a view) has
    // none, and is refused here rather than mishandled by an erasure.
    if conn.prepare(&format!("SELECT rowid FROM {} LIMIT 0", e.table.quoted())).is_err() {
        return Err(Error::invalid(
            "data_map",
            format!(
                "{what}: table {:?} has no rowid (a WITHOUT ROWID table or a view); gdprkit erases rows by \
                 their rowid, so map a table that has one",
                e.table.as_str()
            ),
        ));
    }
    let find = |c: &Identifier, role: &str| {
        cols.iter().find(|(name, _)| name == c.as_str()).map(|(_, col)| col).ok_or_else(|| {
            Error::invalid(
                "data_map",
                format!("{what}, {role}: column {:?} does not exist in table {:?}", c.as_str(), e.table.as_str()),
            )
        })
    };
    find(&e.subject_column, "subject_column")?;
    if let Some(r) = &e.retention {
        for c in &r.from {
            find(c, "retention")?;
        }
    }
    if let Some(c) = &e.collected_at {
        find(c, "collected_at")?;
    }
    if let Some(c) = &e.event_at {
        find(c, "event_at")?;
    }
    for (field, op) in &e.fields {
        let col = find(field, &format!("field {:?}", field.as_str()))?;
        if field == &e.subject_column && *op != Operator::Keep {
            return Err(Error::invalid(
                "data_map",
                format!(
                    "{what}, field {:?}: the subject column links rows to the subject; it can only be kept",
                    field.as_str()
                ),
            ));
        }
        if let Some(reason) = misfit(op, col) {
            return Err(Error::invalid(
                "data_map",
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

    /// The sample CRM's map, whose invoices entity comes last.
    const MAP: &str = gdprkit::sample::DATA_MAP;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(gdprkit::sample::CRM_TABLES).unwrap();
        c
    }

    fn check(map: &str) -> std::result::Result<(), String> {
        check_map(&conn(), &DataMap::from_toml(map).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_table_without_rowid_is_refused_clearly() {
        let c = conn();
        c.execute_batch("CREATE TABLE tags (subject TEXT PRIMARY KEY, tag TEXT) WITHOUT ROWID").unwrap();
        let map = DataMap::from_toml(
            "[[entity]]\nname = \"tags\"\ntable = \"tags\"\nsubject_column = \"subject\"\ncategory = \"profile\"\n\
             on_erasure = \"delete\"\n[entity.fields]\ntag = \"redact\"\n",
        )
        .unwrap();
        let err = check_map(&c, &map).unwrap_err().to_string();
        assert!(err.contains("entity \"tags\"") && err.contains("no rowid"), "{err}");
    }

    /// A `NOCASE` key column compares `Ann` and `ann` equal; they are two people all the same.
    #[test]
    fn a_case_insensitive_key_column_still_matches_exactly() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, login TEXT COLLATE NOCASE NOT NULL, note TEXT);
             CREATE INDEX people_login ON people (login);
             INSERT INTO people VALUES (1, 'Ann', 'upper'), (2, 'ann', 'lower');",
        )
        .unwrap();
        let data = SqliteCrmData::with_connection(c).unwrap();
        let map = DataMap::from_toml(
            "[[entity]]\nname = \"people\"\ntable = \"people\"\nsubject_column = \"login\"\ncategory = \"identity\"\n\
             on_erasure = \"anonymize\"\n[entity.fields]\nnote = \"redact\"\n",
        )
        .unwrap();
        let rows = |id: &str| data.rows(&map.entities[0], &SubjectId::new(id).unwrap()).unwrap();
        assert_eq!(rows("Ann").iter().map(|r| r.0).collect::<Vec<_>>(), [1]);
        assert_eq!(rows("ann").iter().map(|r| r.0).collect::<Vec<_>>(), [2]);
        assert!(rows("ANN").is_empty());
    }

    #[test]
    fn a_map_that_fits_the_schema_passes() {
        check(MAP).unwrap();
        // An integer generalized to a range, text pseudonymized: each fits its column.
        let other_operators = gdprkit::sample::with_field_line(
            MAP,
            "score",
            "score = { op = \"generalize\", to = \"range\", width = 10 }",
        )
        .replace("email = { op = \"hash\"", "email = { op = \"pseudonymize\"");
        assert!(other_operators.contains("range") && other_operators.contains("pseudonymize"));
        check(&other_operators).unwrap();
    }

    #[test]
    fn unknown_tables_and_columns_and_misfits_are_named() {
        let cases = [
            (
                MAP.replace("table = \"invoices\"", "table = \"bills\""),
                "entity \"invoices\": table \"bills\" does not exist",
            ),
            (
                MAP.replace(
                    "subject_column = \"subject\"\ncategory = \"billing\"",
                    "subject_column = \"customer\"\ncategory = \"billing\"",
                ),
                "entity \"invoices\", subject_column: column \"customer\"",
            ),
            (MAP.replace("from = [\"last_inbound_at\"]", "from = [\"last_seen\"]"), "retention: column \"last_seen\""),
            (
                gdprkit::sample::with_field_line(MAP, "notes", "memo = \"null\""),
                "field \"memo\": column \"memo\" does not exist",
            ),
            (
                gdprkit::sample::with_field_line(MAP, "score", "score = \"redact\""),
                "field \"score\" (INTEGER): this operator writes text",
            ),
            (
                gdprkit::sample::with_field_line(
                    &gdprkit::sample::with_field_line(MAP, "last_name", ""),
                    "notes",
                    "last_name = \"null\"",
                ),
                "field \"last_name\" (TEXT): null needs a column that accepts NULL",
            ),
            (
                gdprkit::sample::with_field_line(MAP, "notes", "notes = \"null\"\nsubject = \"redact\""),
                "the subject column",
            ),
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
