//! The CRM adapter conformance suite, on PostgreSQL: each check in a fresh schema.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Mutex;

use gdprkit::crm::CrmData;
use gdprkit::testkit::crm::CrmUnderTest;
use gdprkit_postgres::PostgresCrmData;

/// A fresh schema holding the CRM's tables, the adapter on it, and a plain connection to it.
struct PostgresCrm {
    data: PostgresCrmData,
    plain: Mutex<postgres::Client>,
}

impl PostgresCrm {
    fn fresh() -> Self {
        let (data, plain) = common::fresh_crm();
        Self { data, plain: Mutex::new(plain) }
    }
}

impl CrmUnderTest for PostgresCrm {
    fn data(&self) -> &dyn CrmData {
        &self.data
    }
    fn execute(&self, sql: &str) {
        self.plain.lock().unwrap().batch_execute(sql).unwrap();
    }
    fn texts(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let rows = self.plain.lock().unwrap().query(sql, &[]).unwrap();
        rows.iter().map(|r| (0..r.len()).map(|i| r.get::<_, Option<String>>(i)).collect()).collect()
    }
}

gdprkit::crm_conformance!(
    || Box::new(PostgresCrm::fresh()) as Box<dyn CrmUnderTest>,
    skip_unless: crate::common::skip_reason
);
