//! The store conformance suite, on PostgreSQL.

mod common;

gdprkit::store_conformance!(
    || std::sync::Arc::new(crate::common::fresh_store(4).0),
    skip_unless: crate::common::skip_reason
);
