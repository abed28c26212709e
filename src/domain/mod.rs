//! Pure logic, no I/O: vocabulary types, state machines, parsers, the report model.

pub mod clause_parser;
pub mod comment;
pub mod consultation;
pub mod document;
pub mod draft_edit;
pub mod duplicates;
pub mod duty_notes;
pub mod mail;
pub mod numerals;
pub mod password;
pub mod report;
pub mod revision;
pub mod role;
pub mod suggest;
pub mod text;
pub mod time;
pub mod token;
pub mod tracking;
pub mod unit;

pub use role::Role;
