//! The CRM's own tables in PostgreSQL, as a data map describes them: a subject's rows read,
//! erasure plans applied in one transaction, and retention sweeps in batches.
//!
//! Rows are named by their table's primary key, which must be one integer column. Identifiers
//! come only from a data map checked against the catalog, and are quoted; every value is bound
//! as a parameter and converted by the server to the column's type.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use gdprkit::anonymize::map::{DataMap, EndAction, Entity, Identifier};
use gdprkit::anonymize::operators::{Anonymizer, Operator, Value};
use gdprkit::anonymize::plan::{EntityAction, FieldChange, Plan, RowChange};
use gdprkit::crm::{BatchDone, CrmData};
use gdprkit::export::model::Record;
use gdprkit::{Error, Result, SubjectId};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Statement};

use crate::catalog::{Column, Table, check_map};
use crate::db_err;
use crate::values::{Array, Wire};

/// The rows a sweep has anonymized with an operator that is not idempotent (`hash`,
/// `pseudonymize`), by entity: such a row keeps its old retention date, and `hash` would change
/// it again. Created in the connection's schema when first needed.
const SWEPT_TABLE: &str = "CREATE TABLE IF NOT EXISTS gdprkit_swept \
     (entity TEXT NOT NULL, row_id BIGINT NOT NULL, PRIMARY KEY (entity, row_id))";

/// The CRM's tables in a PostgreSQL database, read and changed as a data map says. It holds one
/// connection, which one operation uses at a time; erasures and sweeps are rare enough for that.
pub struct PostgresCrmData {
    client: Mutex<Client>,
}

impl std::fmt::Debug for PostgresCrmData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCrmData").finish_non_exhaustive()
    }
}

impl PostgresCrmData {
    /// Connects to the CRM's database at `url`; tables are found through the connection's
    /// `search_path`.
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_in_schema(url, None)
    }

    /// The same, finding the CRM's tables in the PostgreSQL schema `schema` (created if missing).
    pub fn connect_in_schema(url: &str, schema: Option<&str>) -> Result<Self> {
        Self::with_client(crate::config(url, schema)?.client()?)
    }

    /// Works on an open connection. The session is set to UTC and ISO dates, so that instants
    /// read as text are the same whatever the server's defaults.
    pub fn with_client(mut client: Client) -> Result<Self> {
        client
            .batch_execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'")
            .map_err(db_err("set the session's time zone"))?;
        Ok(Self { client: Mutex::new(client) })
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The table of an entity, which must exist.
fn table_of(client: &mut impl GenericClient, entity: &str, table: &Identifier) -> Result<Table> {
    Table::read(client, table)?.ok_or_else(|| {
        Error::invalid("data_map", format!("entity {entity:?}: table {:?} does not exist", table.as_str()))
    })
}

/// A statement being written, with its parameters numbered as they are added.
#[derive(Default)]
struct Sql {
    params: Vec<Wire>,
}

impl Sql {
    /// Adds a parameter; returns its placeholder, typed as the value is bound.
    fn param(&mut self, value: Wire) -> String {
        let wire = value.wire();
        self.params.push(value);
        format!("${}::{wire}", self.params.len())
    }

    /// Adds a value for `column`; returns SQL converting it to the column's type.
    fn value(&mut self, column: &Column, value: &Value) -> Result<String> {
        let n = self.param(Wire::of(column, value)?);
        Ok(format!("CAST({n} AS {})", column.sql_type))
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(Wire::as_sql).collect()
    }
}

/// The condition selecting a subject's rows, or `None` when the id cannot be a value of the
/// subject column (a text id against an integer column): then the subject has no rows.
///
/// The match is exact: the column's value, written as text, must be the id byte for byte. The
/// first comparison (in the column's type) finds the rows through the column's index; the second
/// drops those the type or collation made equal without being the same key (`042` against the
/// integer 42, `ann` against `Ann` in a `citext` or case-insensitive column).
fn subject_is(sql: &mut Sql, table: &Table, entity: &Entity, subject: &SubjectId) -> Result<Option<String>> {
    let column = table.find(entity, &entity.subject_column, "subject_column")?;
    let Ok(typed) = sql.value(column, &Value::Text(subject.as_str().to_owned())) else { return Ok(None) };
    let exact = sql.param(Wire::Text(Some(subject.as_str().to_owned())));
    let c = column.quoted();
    Ok(Some(format!("{c} = {typed} AND {c}::text = {exact} COLLATE \"C\"")))
}

/// Whether the CRM's schema holds the table of erasures under way.
fn has_pending_table(client: &mut impl GenericClient) -> Result<bool> {
    let row = client
        .query_one("SELECT to_regclass('gdprkit_erasures_pending') IS NOT NULL", &[])
        .map_err(db_err("look for the erasures under way"))?;
    Ok(row.get(0))
}

impl CrmData for PostgresCrmData {
    /// Checks the tables, columns and primary keys in the catalog, and that each column's type
    /// takes what its operator writes.
    fn check(&self, map: &DataMap) -> Result<()> {
        check_map(&mut *self.client(), map)
    }

    fn rows(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<(i64, Vec<Value>)>> {
        let what = "read a subject's rows";
        let mut client = self.client();
        let table = table_of(&mut *client, &entity.name, &entity.table)?;
        let fields = table.fields(entity)?;
        let mut sql = Sql::default();
        let Some(condition) = subject_is(&mut sql, &table, entity, subject)? else { return Ok(vec![]) };
        let key = table.key().quoted();
        let reads: Vec<String> =
            std::iter::once(format!("{key}::int8")).chain(fields.iter().map(|c| c.read())).collect();
        let text = format!("SELECT {} FROM {} WHERE {condition} ORDER BY {key}", reads.join(", "), table.quoted);
        let rows = client.query(&text, &sql.refs()).map_err(db_err(what))?;
        rows.iter()
            .map(|r| {
                let values =
                    fields.iter().enumerate().map(|(i, c)| c.kind.get(r, i + 1)).collect::<Result<Vec<_>, _>>();
                Ok((r.try_get(0).map_err(db_err(what))?, values.map_err(db_err(what))?))
            })
            .collect()
    }

    fn apply(&self, plan: &Plan) -> Result<()> {
        let mut client = self.client();
        let mut tx = client.transaction().map_err(db_err("start an erasure"))?;
        // Rows of an entity mostly change the same fields: each statement is prepared once.
        let mut prepared: HashMap<String, Statement> = HashMap::new();
        for e in &plan.entities {
            match &e.action {
                EntityAction::Anonymize { rows } if !rows.is_empty() => {
                    let table = table_of(&mut tx, &e.entity, &e.table)?;
                    for row in rows {
                        let (text, sql) = update_row(&table, &e.entity, row)?;
                        let statement = match prepared.get(&text) {
                            Some(s) => s.clone(),
                            None => {
                                let s = tx.prepare(&text).map_err(db_err("prepare an erasure"))?;
                                prepared.insert(text, s.clone());
                                s
                            }
                        };
                        tx.execute(&statement, &sql.refs()).map_err(|err| {
                            Error::storage(format!("PostgreSQL could not anonymize a row of {}", e.entity), err)
                        })?;
                    }
                }
                EntityAction::Delete { rows } if !rows.is_empty() => {
                    let table = table_of(&mut tx, &e.entity, &e.table)?;
                    let key = table.key().quoted();
                    tx.execute(&format!("DELETE FROM {} WHERE {key} = ANY ($1::int8[])", table.quoted), &[rows])
                        .map_err(|err| {
                            Error::storage(format!("PostgreSQL could not delete rows of {}", e.entity), err)
                        })?;
                }
                _ => {}
            }
        }
        tx.batch_execute("CREATE TABLE IF NOT EXISTS gdprkit_erasures_pending (subject TEXT PRIMARY KEY)")
            .map_err(db_err("record an erasure under way"))?;
        tx.execute(
            "INSERT INTO gdprkit_erasures_pending (subject) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&plan.subject.as_str()],
        )
        .map_err(db_err("record an erasure under way"))?;
        tx.commit().map_err(db_err("commit an erasure"))
    }

    fn columns(&self, entity: &Entity) -> Result<Vec<String>> {
        let table = table_of(&mut *self.client(), &entity.name, &entity.table)?;
        let key = table.key().name.clone();
        Ok(table.columns.iter().map(|c| c.name.clone()).filter(|name| *name != key).collect())
    }

    fn records(&self, entity: &Entity, subject: &SubjectId) -> Result<Vec<Record>> {
        let what = "read a subject's records";
        let mut client = self.client();
        let table = table_of(&mut *client, &entity.name, &entity.table)?;
        let mut sql = Sql::default();
        let Some(condition) = subject_is(&mut sql, &table, entity, subject)? else { return Ok(vec![]) };
        let reads: Vec<String> = table.columns.iter().map(Column::read).collect();
        let text = format!(
            "SELECT {} FROM {} WHERE {condition} ORDER BY {}",
            reads.join(", "),
            table.quoted,
            table.key().quoted()
        );
        let rows = client.query(&text, &sql.refs()).map_err(db_err(what))?;
        rows.iter()
            .map(|r| {
                let columns = table.columns.iter().enumerate().map(|(i, c)| Ok((c.name.clone(), c.kind.get(r, i)?)));
                Ok(Record(columns.collect::<Result<Vec<_>, postgres::Error>>().map_err(db_err(what))?))
            })
            .collect()
    }

    fn undated(&self, entity: &Entity, limit: usize) -> Result<(u64, Vec<i64>)> {
        let Some(rule) = &entity.retention else { return Ok((0, Vec::new())) };
        let what = "find the rows a retention rule cannot date";
        let mut client = self.client();
        let table = table_of(&mut *client, &entity.name, &entity.table)?;
        let condition = format!("{} IS NULL", table.retention_date(entity, rule)?);
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM {} WHERE {condition}", table.quoted), &[])
            .map_err(db_err(what))?
            .get(0);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let key = table.key().quoted();
        let rows = client
            .query(
                &format!("SELECT {key}::int8 FROM {} WHERE {condition} ORDER BY {key} LIMIT $1", table.quoted),
                &[&limit],
            )
            .map_err(db_err(what))?;
        Ok((u64::try_from(count).unwrap_or(0), rows.iter().map(|r| r.get(0)).collect()))
    }

    fn count_expired(&self, entity: &Entity, then: EndAction, cutoff: &str, fields: &Anonymizer) -> Result<u64> {
        let what = "count the rows to sweep";
        let mut client = self.client();
        let mut sweep = Sweep::new(&mut *client, entity, then, cutoff, None, fields)?;
        let swept_table = matches!(sweep.way, Way::Rows { marks: true }) && swept_table_exists(&mut *client)?;
        if let Some(pending) = sweep.pending(swept_table) {
            let text = format!("SELECT count(*) FROM {} WHERE {pending}", sweep.table.quoted);
            let n: i64 = client.query_one(&text, &sweep.sql.refs()).map_err(db_err(what))?.get(0);
            return Ok(u64::try_from(n).unwrap_or(0));
        }
        // Whether the operators change a row is known once they have run on it.
        let expired = sweep.expired.clone();
        let text = sweep.select_rows(&expired, None, false);
        let mut rows = client.query_raw(&text, sweep.sql.refs()).map_err(db_err(what))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(db_err(what))? {
            n += u64::from(sweep.change(&row, fields)?.1.is_some());
        }
        Ok(n)
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
        let mut client = self.client();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut sweep = Sweep::new(&mut *client, entity, then, cutoff, after, fields)?;
        let marks = matches!(sweep.way, Way::Rows { marks: true });
        if marks {
            client.batch_execute(SWEPT_TABLE).map_err(db_err("create the sweep's record of rows done"))?;
        }
        // The record of rows done exists now, if the entity needs one.
        let pending = sweep.pending(marks);
        let key = sweep.table.key().quoted();
        let table = sweep.table.quoted.clone();
        let failed = |err| Error::storage(format!("PostgreSQL could not sweep a batch of {}", entity.name), err);
        // Delete or constants: one statement changes the batch and returns its size and last key.
        let change = match &sweep.way {
            Way::Nothing => return Ok(None),
            Way::Delete => Some(format!("DELETE FROM {table} AS t USING batch WHERE t.{key} = batch.gdprkit_row")),
            Way::Constants(changed) => {
                let sets: Vec<String> = changed.iter().map(|(c, new)| format!("{c} = {new}")).collect();
                Some(format!(
                    "UPDATE {table} AS t SET {} FROM batch WHERE t.{key} = batch.gdprkit_row",
                    sets.join(", ")
                ))
            }
            Way::Rows { .. } => None,
        };
        if let (Some(change), Some(pending)) = (change, &pending) {
            let limit = sweep.sql.param(Wire::Integer(Some(limit)));
            let text = format!(
                "WITH batch AS (SELECT {key} AS gdprkit_row FROM {table} WHERE {pending} ORDER BY {key} LIMIT {limit} FOR UPDATE), \
                 done AS ({change} RETURNING t.{key} AS gdprkit_row) \
                 SELECT count(*)::int8, max(gdprkit_row)::int8 FROM done"
            );
            let row = client.query_one(&text, &sweep.sql.refs()).map_err(failed)?;
            let (rows, last): (i64, Option<i64>) = (row.get(0), row.get(1));
            return Ok(last.map(|last| BatchDone { rows: rows as u64, last }));
        }
        // Computed operators: read the batch, change it in memory, write it back.
        let condition = pending.unwrap_or_else(|| sweep.expired.clone());
        let text = sweep.select_rows(&condition, Some(limit), true);
        let mut tx = client.transaction().map_err(db_err("start a sweep batch"))?;
        let rows = tx.query(&text, &sweep.sql.refs()).map_err(failed)?;
        let Some(last) = rows.last().map(|r| r.try_get::<_, i64>(0)).transpose().map_err(failed)? else {
            return Ok(None);
        };
        let columns: Vec<&Column> = entity
            .fields
            .iter()
            .zip(&sweep.fields)
            .filter(|((_, op), _)| *op != Operator::Keep)
            .map(|(_, column)| column)
            .collect();
        let mut keys: Vec<i64> = Vec::new();
        let mut arrays: Vec<Array> = columns.iter().map(|c| Array::of(c)).collect();
        for row in &rows {
            let (row_key, new) = sweep.change(row, fields)?;
            let Some(new) = new else { continue };
            keys.push(row_key);
            for ((array, column), value) in arrays.iter_mut().zip(&columns).zip(&new) {
                array.push(column, value)?;
            }
        }
        if !keys.is_empty() {
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{} = CAST(v.f{i} AS {})", c.quoted(), c.sql_type))
                .collect();
            let arrays_in: Vec<String> =
                columns.iter().enumerate().map(|(i, c)| format!("${}::{}[]", i + 2, c.kind.wire())).collect();
            let names: Vec<String> = (0..columns.len()).map(|i| format!("f{i}")).collect();
            let text = format!(
                "UPDATE {table} AS t SET {} FROM unnest($1::int8[], {}) AS v(gdprkit_row, {}) WHERE t.{key} = v.gdprkit_row",
                sets.join(", "),
                arrays_in.join(", "),
                names.join(", ")
            );
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&keys];
            params.extend(arrays.iter().map(Array::as_sql));
            tx.execute(&text, &params).map_err(failed)?;
        }
        if marks {
            let all: Vec<i64> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>().map_err(failed)?;
            tx.execute(
                "INSERT INTO gdprkit_swept (entity, row_id) SELECT $1, unnest($2::int8[]) ON CONFLICT DO NOTHING",
                &[&entity.name, &all],
            )
            .map_err(db_err("record rows done"))?;
        }
        tx.commit().map_err(db_err("commit a sweep batch"))?;
        Ok(Some(BatchDone { rows: keys.len() as u64, last }))
    }

    /// PostgreSQL keeps the old versions of changed rows until `VACUUM` reclaims them (autovacuum
    /// does, in time); see `docs/postgres.md`. Nothing is left to do here.
    fn pending_erasures(&self) -> Result<Vec<SubjectId>> {
        let mut client = self.client();
        if !has_pending_table(&mut *client)? {
            return Ok(Vec::new());
        }
        client
            .query("SELECT subject FROM gdprkit_erasures_pending ORDER BY subject", &[])
            .map_err(db_err("read the erasures under way"))?
            .iter()
            .map(|r| SubjectId::new(r.get::<_, String>(0)))
            .collect()
    }

    fn erasure_done(&self, subject: &SubjectId) -> Result<()> {
        let mut client = self.client();
        if has_pending_table(&mut *client)? {
            client
                .execute("DELETE FROM gdprkit_erasures_pending WHERE subject = $1", &[&subject.as_str()])
                .map_err(db_err("clear an erasure under way"))?;
        }
        Ok(())
    }

    fn scrub(&self) -> Result<()> {
        Ok(())
    }
}

/// The statement changing one row as an erasure plan says, with its parameters.
fn update_row(table: &Table, entity: &str, row: &RowChange) -> Result<(String, Sql)> {
    let mut sql = Sql::default();
    let mut sets = Vec::with_capacity(row.fields.len());
    for FieldChange { field, value, .. } in &row.fields {
        let column = table.column(field).ok_or_else(|| {
            Error::invalid("data_map", format!("entity {entity:?}: column {:?} does not exist", field.as_str()))
        })?;
        sets.push(format!("{} = {}", column.quoted(), sql.value(column, value)?));
    }
    let key = sql.param(Wire::Integer(Some(row.row)));
    Ok((format!("UPDATE {} SET {} WHERE {} = {key}", table.quoted, sets.join(", "), table.key().quoted()), sql))
}

/// How a sweep changes an entity's expired rows.
enum Way {
    /// Delete them, with one statement per batch.
    Delete,
    /// Nothing to change: every field is kept.
    Nothing,
    /// Every changed field takes a constant: one `UPDATE` per batch, on the rows it would
    /// change. Each changed column, with SQL for its new value.
    Constants(Vec<(String, String)>),
    /// Some operator is computed by gdprkit: each batch's rows are read, changed in memory and
    /// written back by one `UPDATE` from arrays. `marks` when rows done must be recorded.
    Rows { marks: bool },
}

/// One sweep statement's start: the table, the columns of the entity's fields (in the map's
/// order), the way, and the condition on expired rows after `after`, with the parameters so far.
struct Sweep<'e> {
    entity: &'e Entity,
    table: Table,
    fields: Vec<Column>,
    way: Way,
    expired: String,
    sql: Sql,
}

impl<'e> Sweep<'e> {
    fn new(
        client: &mut impl GenericClient,
        entity: &'e Entity,
        then: EndAction,
        cutoff: &str,
        after: Option<i64>,
        fields: &Anonymizer,
    ) -> Result<Self> {
        let Some(rule) = &entity.retention else {
            return Err(Error::invalid("data_map", format!("entity {:?} has no retention rule", entity.name)));
        };
        let table = table_of(client, &entity.name, &entity.table)?;
        let columns: Vec<Column> = table.fields(entity)?.into_iter().cloned().collect();
        let mut sql = Sql::default();
        let key = table.key().quoted();
        let first = table.find(entity, &rule.from[0], "retention")?;
        let cutoff = sql.value(first, &Value::Text(cutoff.to_owned()))?;
        let mut expired = format!("{} < {cutoff}", table.retention_date(entity, rule)?);
        if let Some(after) = after {
            expired += &format!(" AND {key} > {}", sql.param(Wire::Integer(Some(after))));
        }
        let way = match then {
            EndAction::Delete => Way::Delete,
            EndAction::Anonymize => {
                let changed: Vec<(&Operator, &Column)> = entity
                    .fields
                    .iter()
                    .map(|(_, op)| op)
                    .zip(&columns)
                    .filter(|(op, _)| **op != Operator::Keep)
                    .collect();
                if changed.is_empty() {
                    Way::Nothing
                } else if changed.iter().any(|(op, _)| op.constant().is_none()) {
                    Way::Rows { marks: !fields.is_idempotent() }
                } else {
                    let mut constants = Vec::with_capacity(changed.len());
                    for (op, column) in changed {
                        let Some(constant) = op.constant() else { continue };
                        let value = sql.value(column, &constant.value)?;
                        let c = column.quoted();
                        let new = if constant.keeps_null {
                            format!("CASE WHEN {c} IS NULL THEN NULL ELSE {value} END")
                        } else {
                            value
                        };
                        constants.push((c, new));
                    }
                    Way::Constants(constants)
                }
            }
        };
        Ok(Self { entity, table, fields: columns, way, expired, sql })
    }

    /// The condition on rows still to sweep, where SQL can tell; `None` for [`Way::Rows`] without
    /// marks, whose rows must be read to tell. `swept_table`: whether `gdprkit_swept` exists.
    fn pending(&mut self, swept_table: bool) -> Option<String> {
        match &self.way {
            Way::Delete => Some(self.expired.clone()),
            Way::Nothing => Some("false".to_owned()),
            Way::Constants(changed) => {
                let differs: Vec<String> =
                    changed.iter().map(|(c, new)| format!("{c} IS DISTINCT FROM {new}")).collect();
                Some(format!("{} AND ({})", self.expired, differs.join(" OR ")))
            }
            Way::Rows { marks: true } if swept_table => {
                let entity = self.sql.param(Wire::Text(Some(self.entity.name.clone())));
                Some(format!(
                    "{} AND NOT EXISTS (SELECT 1 FROM gdprkit_swept s WHERE s.entity = {entity} AND s.row_id = {}.{})",
                    self.expired,
                    self.table.quoted,
                    self.table.key().quoted()
                ))
            }
            Way::Rows { marks: true } => Some(self.expired.clone()),
            Way::Rows { marks: false } => None,
        }
    }

    /// The expired rows' keys and mapped fields, by key, up to `limit` (all when `None`),
    /// locked when `lock`.
    fn select_rows(&mut self, condition: &str, limit: Option<i64>, lock: bool) -> String {
        let key = self.table.key().quoted();
        let mut reads = vec![format!("{key}::int8")];
        reads.extend(self.fields.iter().map(Column::read));
        let limit = limit.map(|l| format!(" LIMIT {}", self.sql.param(Wire::Integer(Some(l))))).unwrap_or_default();
        let lock = if lock { " FOR UPDATE" } else { "" };
        format!("SELECT {} FROM {} WHERE {condition} ORDER BY {key}{limit}{lock}", reads.join(", "), self.table.quoted)
    }

    /// The new values of a row read by [`Self::select_rows`], or `None` when the operators leave it
    /// as it is. A value an operator refuses is named with its entity, row and field.
    fn change(&self, row: &postgres::Row, fields: &Anonymizer) -> Result<(i64, Option<Vec<Value>>)> {
        let what = "read a row to sweep";
        let key: i64 = row.try_get(0).map_err(db_err(what))?;
        let mut new = Vec::new();
        let mut differs = false;
        for (i, ((field, op), column)) in self.entity.fields.iter().zip(&self.fields).enumerate() {
            let old = column.kind.get(row, i + 1).map_err(db_err(what))?;
            if *op == Operator::Keep {
                continue;
            }
            let value = fields.apply(i, &old).map_err(|refusal| {
                Error::invalid(
                    "crm_value",
                    format!("entity {:?}, row {key}, field {:?}: {refusal}", self.entity.name, field.as_str()),
                )
            })?;
            differs |= value != old;
            new.push(value);
        }
        Ok((key, differs.then_some(new)))
    }
}

fn swept_table_exists(client: &mut impl GenericClient) -> Result<bool> {
    let row = client
        .query_one("SELECT to_regclass('gdprkit_swept') IS NOT NULL", &[])
        .map_err(db_err("read the CRM's schema"))?;
    Ok(row.get(0))
}
