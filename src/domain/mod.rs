//! Pure logic, no I/O: vocabulary types, state machines, parsers, the report model.

// pub mod clause_parser;
pub mod password;
pub mod role;
pub mod token;

pub use role::Role;
