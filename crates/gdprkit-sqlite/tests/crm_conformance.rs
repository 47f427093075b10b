//! The CRM adapter conformance suite, on SQLite.

#![allow(clippy::unwrap_used)]

use gdprkit::crm::CrmData;
use gdprkit::testkit::crm::CrmUnderTest;
use gdprkit_sqlite::crm_data::SqliteCrmData;
use rusqlite::Connection;

/// A CRM file in a temporary directory, and the adapter on it.
struct SqliteCrm {
    data: SqliteCrmData,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SqliteCrm {
    fn fresh() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        Connection::open(&path).unwrap().execute_batch("PRAGMA journal_mode = WAL").unwrap();
        Self { data: SqliteCrmData::open(&path).unwrap(), path, _dir: dir }
    }
}

impl CrmUnderTest for SqliteCrm {
    fn data(&self) -> &dyn CrmData {
        &self.data
    }
    fn execute(&self, sql: &str) {
        Connection::open(&self.path).unwrap().execute_batch(sql).unwrap();
    }
    fn texts(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let c = Connection::open(&self.path).unwrap();
        let mut st = c.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| (0..n).map(|i| r.get::<_, Option<String>>(i)).collect())
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }
}

gdprkit::crm_conformance!(|| Box::new(SqliteCrm::fresh()) as Box<dyn CrmUnderTest>);
