//! Pages and endpoints for everyone, no account needed.

pub mod consultation;
pub mod health;
pub mod home;
pub mod login;
pub mod report;
pub mod track;
