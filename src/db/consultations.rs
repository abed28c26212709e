//! Consultations (征求意见事项).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::consultations;
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = consultations)]
pub struct ConsultationSummary {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
}

/// Consultations the public may see (everything but drafts), open ones first, then by closing
/// time, newest first.
pub fn list_public(conn: &mut DbConnection) -> Result<Vec<ConsultationSummary>, DbError> {
    let mut rows: Vec<ConsultationSummary> = consultations::table
        .filter(consultations::status.ne("draft"))
        .order(consultations::closes_at.desc())
        .select(ConsultationSummary::as_select())
        .load(conn)?;
    rows.sort_by_key(|c| c.status != "open");
    Ok(rows)
}
