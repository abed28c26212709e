//! Pages and endpoints for everyone, no account needed.

pub mod changes;
pub mod consultation;
pub mod draft;
pub mod health;
pub mod home;
pub mod login;
pub mod privacy;
pub mod report;
pub mod setup;
pub mod track;
