//! Anonymization and erasure of a subject's data in the CRM's own tables (section 3 of the
//! rules): the field operators.

pub mod label;
pub mod map;
mod map_file;
pub mod operators;
pub mod plan;
pub mod processing;
pub mod service;
pub mod sweep;
pub mod verdict;
