//! What only a store or an adapter author needs: the ledger's encoding and its verifier, the
//! [`Store`] trait with the effects an append applies, and the facts a decision is folded from.
//! A CRM developer uses the root of the crate; a new store implements [`Store`] and runs
//! `gdprkit::store_conformance!`, a new CRM adapter implements [`crate::CrmData`] and runs
//! `gdprkit::crm_conformance!` (feature `testkit`).

pub mod bodies;
pub mod ledger;
pub mod store;

pub use crate::crm::BatchDone;
pub use crate::decision::{
    DecidingFacts, EventRef, FactsFold, InformationFold, PendingInformation, Scope, SubjectFacts,
};
pub use store::{Append, Effect, Head, Store};

/// An append slower than this is logged as a warning.
pub const SLOW_APPEND: std::time::Duration = std::time::Duration::from_millis(250);

/// Logs an append a store made: its tenant, how many entries, their numbers and how long it took
/// (a `debug` event; a `warn` past [`SLOW_APPEND`]). Stores call it; nothing personal is logged.
pub fn log_append(tenant: &crate::TenantId, seqs: &[u64], took: std::time::Duration) {
    let (first, last) = (seqs.first().copied().unwrap_or(0), seqs.last().copied().unwrap_or(0));
    let ms = took.as_secs_f64() * 1e3;
    if took > SLOW_APPEND {
        tracing::warn!(%tenant, entries = seqs.len(), first, last, ms, "slow append");
    } else {
        tracing::debug!(%tenant, entries = seqs.len(), first, last, ms, "append");
    }
}
