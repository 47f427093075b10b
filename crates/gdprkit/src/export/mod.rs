//! Exports for the person (rules E1 to E3): one model gathered from the CRM's data, the ledger
//! and the requests ([`model`], [`gather`]), written as JSON for portability ([`json`]) or as a
//! PDF through a [`render::Renderer`], and delivered with a completed request ([`deliver`]). Its
//! consent events are also given as ISO/IEC TS 27560 consent records ([`consent_records`]).

pub mod consent_records;
pub mod deliver;
pub mod gather;
pub mod json;
pub mod model;
pub mod render;
#[cfg(feature = "testkit")]
pub mod sample;
pub mod words;
