//! The conformance suite on the SQLite store, in memory and in a file.

#![allow(clippy::unwrap_used)]

gdprkit::store_conformance!(|| std::sync::Arc::new(gdprkit_sqlite::SqliteStore::open_in_memory().unwrap()));

mod on_file {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh file under cargo's scratch directory for integration tests.
    fn fresh_file() -> std::path::PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{}.db", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        path
    }

    gdprkit::store_conformance!(|| std::sync::Arc::new(gdprkit_sqlite::SqliteStore::open(fresh_file()).unwrap()));
}
