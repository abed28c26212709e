//! Administrators' pages.

pub mod outbox;
