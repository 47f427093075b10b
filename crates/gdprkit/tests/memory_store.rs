//! The conformance suite on the in-memory store.

gdprkit::store_conformance!(|| std::sync::Arc::new(gdprkit::MemoryStore::new()));
