//! The drafting office's pages: consultations, their lifecycle, draft import.

pub mod consultations;
pub mod documents;
pub mod imports;
pub mod report;
pub mod revisions;
pub mod solicitations;
pub mod triage;

pub use crate::web::shared::{error_line, field_errors};
