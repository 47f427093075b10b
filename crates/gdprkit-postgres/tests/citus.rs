//! The preconditions for distributing gdprkit's schema by tenant on Citus that can be checked
//! without Citus (`docs/scaling.md`):
//!
//! - every gdprkit table but `gdprkit_schema` (one row: the schema's version, a reference table
//!   on Citus) carries the tenant in its primary key and in every unique index or constraint, as
//!   Citus requires of a table distributed by `tenant`;
//! - every statement gdprkit issues on its tables names the tenant, and joins only rows of the
//!   same tenant (`a.tenant = b.tenant`), so that each statement runs on one shard.
//!
//! The first is read from the migrations and, where a PostgreSQL is configured, from the catalog
//! of a migrated store; the second from the statements in the store's source.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

/// The table that holds no tenant's data.
const UNDISTRIBUTED: &str = "gdprkit_schema";

fn dir(sub: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(sub)
}

/// Each file of `sub` with the given extension, with its text.
fn files(sub: &str, ext: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// The column list in `(…)` after each occurrence of `marker` in `text`: right after it (a key
/// or constraint, `PRIMARY KEY (…)`), or after the table it names (`CREATE UNIQUE INDEX x ON t (…)`).
fn column_lists<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &text[i + marker.len()..];
            let open = if marker.starts_with("CREATE") { rest.find('(')? } else { rest.find(|c: char| c != ' ')? };
            let close = rest[open..].find(')')?;
            rest[open..].starts_with('(').then(|| &rest[open + 1..open + close])
        })
        .collect()
}

fn has_tenant(columns: &str) -> bool {
    columns.split(',').any(|c| c.trim() == "tenant")
}

/// The tables a migration creates (but `gdprkit_schema`), and what in it Citus would refuse of a
/// table distributed by tenant.
fn schema_faults(sql: &str) -> (usize, Vec<String>) {
    let mut tables = 0;
    let mut faults = Vec::new();
    for block in sql.split("CREATE TABLE ").skip(1) {
        let Some((name, body)) = block.split_once('(') else { continue };
        let name = name.trim().trim_start_matches("IF NOT EXISTS ").trim();
        let body = &body[..body.find(");").unwrap_or(body.len())];
        if name == UNDISTRIBUTED {
            continue;
        }
        tables += 1;
        let inline = body.lines().any(|l| l.trim_start().starts_with("tenant ") && l.contains("PRIMARY KEY"));
        if !inline && !column_lists(body, "PRIMARY KEY").iter().any(|k| has_tenant(k)) {
            faults.push(format!("{name}'s primary key does not hold the tenant"));
        }
        for unique in column_lists(body, "UNIQUE").into_iter().filter(|u| !has_tenant(u)) {
            faults.push(format!("{name}'s UNIQUE ({unique}) does not hold the tenant"));
        }
    }
    for index in column_lists(sql, "CREATE UNIQUE INDEX").into_iter().filter(|i| !has_tenant(i)) {
        faults.push(format!("a unique index on ({index}) does not hold the tenant"));
    }
    if sql.contains("REFERENCES") {
        faults.push("a foreign key, which would have to hold the tenant too".into());
    }
    (tables, faults)
}

#[test]
fn every_key_and_unique_index_of_the_migrations_holds_the_tenant() {
    let migrations = files("migrations", "sql");
    assert!(migrations.len() >= 6, "the migrations are read");
    let mut tables = 0;
    for (file, sql) in &migrations {
        let (created, faults) = schema_faults(sql);
        assert_eq!(faults, Vec::<String>::new(), "{file}");
        tables += created;
    }
    assert!(tables >= 11, "every table is checked: {tables}");
}

#[test]
fn the_schema_check_refuses_what_citus_would_refuse() {
    let sql = "CREATE TABLE gdprkit_a (\n    id TEXT NOT NULL,\n    PRIMARY KEY (id),\n    UNIQUE (id, x)\n);\n\
               CREATE TABLE gdprkit_b (\n    tenant TEXT NOT NULL PRIMARY KEY\n);\n\
               CREATE UNIQUE INDEX gdprkit_a_x ON gdprkit_a (x);\n";
    let (tables, faults) = schema_faults(sql);
    assert_eq!(tables, 2);
    assert_eq!(
        faults,
        [
            "gdprkit_a's primary key does not hold the tenant",
            "gdprkit_a's UNIQUE (id, x) does not hold the tenant",
            "a unique index on (x) does not hold the tenant",
        ]
    );
}

#[test]
fn every_key_and_unique_index_of_a_migrated_store_holds_the_tenant() {
    if let Some(why) = common::skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let (_store, schema) = common::fresh_store(1);
    let mut client = gdprkit_postgres::Target::parse(&common::url()).unwrap().connect().unwrap();
    let indexes = client
        .query(
            "SELECT c.relname, i.relname, x.indisprimary, \
                    array_agg(a.attname::TEXT ORDER BY a.attnum) \
             FROM pg_index x \
             JOIN pg_class c ON c.oid = x.indrelid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(x.indkey) \
             WHERE x.indisunique AND n.nspname = $1 AND c.relname <> $2 \
             GROUP BY 1, 2, 3",
            &[&schema, &UNDISTRIBUTED],
        )
        .unwrap();
    let tables = client
        .query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = $1 AND c.relname <> $2",
            &[&schema, &UNDISTRIBUTED],
        )
        .unwrap();
    assert!(tables.len() >= 11, "the store's tables are read: {}", tables.len());
    for table in &tables {
        let table: String = table.get(0);
        assert!(
            indexes.iter().any(|i| i.get::<_, String>(0) == table && i.get::<_, bool>(2)),
            "{table} has a primary key"
        );
    }
    for index in &indexes {
        let (table, name, columns): (String, String, Vec<String>) = (index.get(0), index.get(1), index.get(3));
        assert!(columns.iter().any(|c| c == "tenant"), "{table}'s unique index {name} ({columns:?}) holds the tenant");
    }
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
}

/// The string literals of a Rust source that are SQL statements on gdprkit's tables, on one line.
fn statements(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find('"') {
        let body = &rest[start + 1..];
        let mut end = 0;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let literal = &body[..end];
        rest = &body[end + 1..];
        let flat = literal.replace("\\\n", " ").split_whitespace().collect::<Vec<_>>().join(" ");
        let is_sql = ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH "].iter().any(|k| flat.contains(k));
        let tables: Vec<&str> = flat
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("gdprkit_") && *w != UNDISTRIBUTED)
            .collect();
        if is_sql && !tables.is_empty() {
            out.push(flat);
        }
    }
    out
}

/// What makes a statement run on more than one shard, if anything.
fn fault(statement: &str) -> Option<&'static str> {
    if !statement.contains("tenant") {
        return Some("it does not name the tenant");
    }
    for join in statement.split(" JOIN ").skip(1) {
        let on = join.split(" WHERE ").next().unwrap_or(join);
        let within = on.split(" AND ").any(|c| {
            let sides: Vec<&str> = c.trim().trim_start_matches("ON ").split(" = ").map(str::trim).collect();
            sides.len() == 2 && sides.iter().all(|s| s.ends_with(".tenant"))
        });
        if !within {
            return Some("it joins rows of different tenants");
        }
    }
    None
}

#[test]
fn every_statement_names_the_tenant_and_joins_within_it() {
    let mut checked = 0;
    for (file, source) in files("src", "rs") {
        // The CRM adapter's statements are on the CRM's own tables; the catalog's on PostgreSQL's.
        if ["crm_data.rs", "catalog.rs"].contains(&file.as_str()) {
            continue;
        }
        for statement in statements(&source) {
            checked += 1;
            assert_eq!(fault(&statement), None, "{file}: {statement}");
        }
    }
    assert!(checked >= 40, "the store's statements are read: {checked}");
}

#[test]
fn the_statement_check_refuses_what_citus_would_spread() {
    let source = r#"
        let a = "SELECT id FROM gdprkit_subjects WHERE id = $1";
        let b = "SELECT s.id FROM gdprkit_subjects s JOIN gdprkit_ledger l ON l.subject = s.id \
                 WHERE s.tenant = $1";
        let c = "SELECT s.id FROM gdprkit_subjects s JOIN gdprkit_ledger l ON l.tenant = s.tenant \
                 AND l.subject = s.id WHERE s.tenant = $1";
        let d = "SELECT version FROM gdprkit_schema";
        let e = "no statement on gdprkit_ledger";
    "#;
    let found = statements(source);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(fault(&found[0]), Some("it does not name the tenant"));
    assert_eq!(fault(&found[1]), Some("it joins rows of different tenants"));
    assert_eq!(fault(&found[2]), None);
}
