//! Requests from data subjects (section 2 of the rules): what they ask for, their life, their
//! legal deadlines and the holiday calendars those deadlines roll over.

pub mod by_subject;
pub mod calendar;
pub mod calendar_file;
pub mod deadline;
pub mod download;
pub mod kind;
pub mod machine;
pub mod notice;
pub mod objection;
pub mod recipients;
pub mod record;
pub mod service;
pub mod submission;
