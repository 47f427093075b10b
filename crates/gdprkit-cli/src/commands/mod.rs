//! One module per command group.

pub mod changes;
pub mod channel;
pub mod consent;
pub mod deadline;
pub mod disclosure;
pub mod erase;
pub mod erasures;
pub mod export;
pub mod information;
pub mod ledger;
pub mod map;
pub mod outbox;
pub mod purpose;
pub mod request;
pub mod serve;
pub mod settings;
pub mod subject;
pub mod sweep;
