//! What only a store or an adapter author needs: the ledger's encoding and its verifier, the
//! [`Store`] trait with the effects an append applies, and the facts a decision is folded from.
//! A CRM developer uses the root of the crate; a new store implements [`Store`] and runs
//! `gdprkit::store_conformance!`, a new CRM adapter implements [`crate::CrmData`] and runs
//! `gdprkit::crm_conformance!` (feature `testkit`).

pub mod bodies;
pub mod ledger;
pub mod store;

pub use crate::crm::BatchDone;
pub use crate::decision::{EventRef, FactsFold, Scope, SubjectFacts};
pub use store::{Append, Effect, Head, Store};
