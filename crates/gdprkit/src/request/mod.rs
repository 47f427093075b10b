//! Requests from data subjects (section 2 of the rules): their legal deadlines and the holiday
//! calendars those deadlines roll over.

pub mod calendar;
pub mod deadline;
