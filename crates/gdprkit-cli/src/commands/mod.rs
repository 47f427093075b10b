//! One module per command group.

pub mod consent;
pub mod ledger;
pub mod purpose;
pub mod subject;
