//! Where the demo runs: a fresh SQLite file in --dir, or, with a PostgreSQL --db, a fresh schema
//! `gdprkit_demo` in that database; each with the sample CRM's own tables beside gdprkit's.

use std::path::Path;

use std::sync::Arc;

use gdprkit::raw::Store;
use gdprkit::{CrmData, Gdpr, HmacKey};
use gdprkit_pdf::PdfRenderer;
use gdprkit_postgres::{PostgresCrmData, PostgresStore};
use gdprkit_sqlite::SqliteStore;
use gdprkit_sqlite::crm_data::SqliteCrmData;

use super::{CONTACTS, contact};
use crate::context::{CliResult, Context, Refusal};

/// The PostgreSQL schema the demo fills, dropped first if it is there.
pub const DEMO_SCHEMA: &str = "gdprkit_demo";

const INSERT_CONTACT: [&str; 2] = [
    "INSERT INTO contacts (id, subject, first_name, last_name, email, phone, birth_date, notes, last_inbound_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT INTO contacts (id, subject, first_name, last_name, email, phone, birth_date, notes, last_inbound_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
];
const INSERT_CALL: [&str; 2] = [
    "INSERT INTO calls (id, subject, at, summary) VALUES (?1, ?2, ?3, 'Discovery call')",
    "INSERT INTO calls (id, subject, at, summary) VALUES ($1, $2, $3, 'Discovery call')",
];
const INSERT_INVOICE: [&str; 2] = [
    "INSERT INTO invoices (id, subject, amount) VALUES (?1, ?2, ?3)",
    "INSERT INTO invoices (id, subject, amount) VALUES ($1, $2, $3)",
];

/// One sample contact's row.
struct Contact {
    row: i64,
    id: String,
    first_name: &'static str,
    last_name: &'static str,
    email: String,
    phone: String,
    birth_date: String,
    notes: Option<&'static str>,
    last_inbound_at: String,
}

/// The sample rows: a contact each, a call for every third, an invoice for every fourth.
struct Sample {
    contacts: Vec<Contact>,
    calls: Vec<(i64, String, String)>,
    invoices: Vec<(i64, String, f64)>,
}

fn sample() -> Sample {
    const FIRST: [&str; 8] = ["Camille", "Louis", "Inès", "Hugo", "Léa", "Jules", "Chloé", "Nathan"];
    const LAST: [&str; 8] = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"];
    let mut sample = Sample { contacts: Vec::new(), calls: Vec::new(), invoices: Vec::new() };
    for i in 0..CONTACTS {
        let id = contact(i).to_string();
        sample.contacts.push(Contact {
            row: i as i64 + 1,
            id: id.clone(),
            first_name: FIRST[i % 8],
            last_name: LAST[(i / 8) % 8],
            email: format!("contact-{i:04}@example.com"),
            phone: format!("06{:08}", 10_000_000 + i * 7919 % 90_000_000),
            birth_date: format!("{}-{:02}-{:02}", 1950 + i % 50, 1 + i % 12, 1 + i % 28),
            notes: (i % 10 == 0).then_some("prefers calls in the morning"),
            last_inbound_at: format!("{}-{:02}-15", 2020 + i % 6, 1 + i % 12),
        });
        if i % 3 == 0 {
            let at = format!("{}-{:02}-10T14:30:00Z", 2020 + i % 6, 1 + i % 12);
            sample.calls.push((sample.calls.len() as i64 + 1, id.clone(), at));
        }
        if i % 4 == 0 {
            sample.invoices.push((sample.invoices.len() as i64 + 1, id, 100.0 + i as f64));
        }
    }
    sample
}

/// The demo's database: gdprkit on it, the CRM's tables, and how to name it.
pub struct DemoDb {
    /// gdprkit on the demo's store, with its CRM's tables, its data map and the PDF renderer.
    pub gdpr: Gdpr,
    /// What it is, in words.
    pub described: String,
    /// The --db argument of the commands the demo suggests.
    pub db_arg: String,
}

/// A fresh SQLite file `gdprkit.db` in `dir`, replacing one left by an earlier demo.
pub fn sqlite(ctx: &Context, dir: &Path) -> CliResult<DemoDb> {
    let db = dir.join("gdprkit.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", db.display());
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Box::new(Refusal(format!("--dir: cannot replace {file}: {e}")))),
        }
    }
    let store = SqliteStore::open(&db)?;
    store.with_raw_connection(|conn| {
        let fail = |e: rusqlite::Error| gdprkit::Error::storage("the demo could not build its CRM tables", e);
        let tx = conn.unchecked_transaction().map_err(fail)?;
        tx.execute_batch(gdprkit::sample::CRM_TABLES).map_err(fail)?;
        let s = sample();
        for c in &s.contacts {
            let values = rusqlite::params![
                c.row,
                c.id,
                c.first_name,
                c.last_name,
                c.email,
                c.phone,
                c.birth_date,
                c.notes,
                c.last_inbound_at
            ];
            tx.execute(INSERT_CONTACT[0], values).map_err(fail)?;
        }
        for (row, id, at) in &s.calls {
            tx.execute(INSERT_CALL[0], rusqlite::params![row, id, at]).map_err(fail)?;
        }
        for (row, id, amount) in &s.invoices {
            tx.execute(INSERT_INVOICE[0], rusqlite::params![row, id, amount]).map_err(fail)?;
        }
        tx.commit().map_err(fail)
    })?;
    Ok(DemoDb {
        gdpr: demo_gdpr(ctx, Arc::new(store), Arc::new(SqliteCrmData::open(&db)?))?,
        described: format!("{} (a fresh SQLite file)", db.display()),
        db_arg: db.display().to_string(),
    })
}

/// A fresh schema [`DEMO_SCHEMA`] in the PostgreSQL database at `url`, replacing one left by an
/// earlier demo.
pub fn postgres(ctx: &Context, url: &str) -> CliResult<DemoDb> {
    let fail = |e: postgres::Error| Refusal(format!("the demo could not build its CRM tables in PostgreSQL: {e}"));
    // Connecting creates the schema; it is then dropped with whatever an earlier demo left, and
    // created afresh by the store.
    PostgresStore::connect_in_schema(url, Some(DEMO_SCHEMA), 1)?
        .with_raw_client(|c| c.batch_execute(&format!("DROP SCHEMA {DEMO_SCHEMA} CASCADE")))?
        .map_err(fail)?;
    let store = PostgresStore::connect_in_schema(url, Some(DEMO_SCHEMA), 2)?;
    store
        .with_raw_client(|c| -> Result<(), postgres::Error> {
            let mut tx = c.transaction()?;
            tx.batch_execute(gdprkit::sample::CRM_TABLES)?;
            let s = sample();
            let insert = tx.prepare(INSERT_CONTACT[1])?;
            for c in &s.contacts {
                tx.execute(
                    &insert,
                    &[
                        &(c.row as i32),
                        &c.id,
                        &c.first_name,
                        &c.last_name,
                        &c.email,
                        &c.phone,
                        &c.birth_date,
                        &c.notes,
                        &c.last_inbound_at,
                    ],
                )?;
            }
            let insert = tx.prepare(INSERT_CALL[1])?;
            for (row, id, at) in &s.calls {
                tx.execute(&insert, &[&(*row as i32), id, at])?;
            }
            let insert = tx.prepare(INSERT_INVOICE[1])?;
            for (row, id, amount) in &s.invoices {
                tx.execute(&insert, &[&(*row as i32), id, &(*amount as f32)])?;
            }
            tx.commit()
        })?
        .map_err(fail)?;
    let crm = PostgresCrmData::connect_in_schema(url, Some(DEMO_SCHEMA))?;
    Ok(DemoDb {
        gdpr: demo_gdpr(ctx, Arc::new(store), Arc::new(crm))?,
        described: format!("the PostgreSQL schema {DEMO_SCHEMA} (fresh)"),
        db_arg: format!("\"$URL?options=-csearch_path%3D{DEMO_SCHEMA}\""),
    })
}

/// The name of the demo's controller.
pub const DEMO_CONTROLLER: &str = "Acme CRM SAS";

/// gdprkit on the demo's store and CRM, with the demo's data map (checked against the CRM's
/// tables), the PDF renderer, and the HMAC key of GDPRKIT_HMAC_KEY, or a random one for this run
/// (the suppression list needs one, and a key is never kept in the database).
fn demo_gdpr(ctx: &Context, store: Arc<dyn Store>, crm: Arc<dyn CrmData>) -> CliResult<Gdpr> {
    let key = match std::env::var(crate::context::HMAC_KEY_VAR) {
        Ok(key) if !key.is_empty() => HmacKey::new(key.into_bytes())?,
        _ => HmacKey::new(gdprkit::anonymize::operators::random_salt()?.to_vec())?,
    };
    // The controller the demo's export and notices name: --controller's name if given.
    let controller = gdprkit::Controller {
        name: ctx.controller.clone().unwrap_or_else(|| DEMO_CONTROLLER.into()),
        address: Some("12 rue des Lilas, 69003 Lyon, France".into()),
        dpo: Some("dpo@acme-crm.example".into()),
        portal: ctx.portal.clone(),
        ..gdprkit::Controller::default()
    };
    Ok(ctx
        .builder_on(store)
        .controller(controller)
        .crm(crm)
        .data_map(gdprkit::sample::data_map()?)
        .renderer(Arc::new(PdfRenderer::new().with_json_attached(true)))
        .hmac_key(key)
        .build()?)
}
