//! Stored files (附件): official letters and scans, by content hash, and who may read them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attachments, solicitation_replies, solicitations, submissions};
use super::{DbConnection, DbError};

/// A stored file's record.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub filename: String,
    pub uploaded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, a: &Attachment) -> Result<(), DbError> {
    diesel::insert_into(attachments::table)
        .values(a)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Attachment>, DbError> {
    Ok(attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()?)
}

/// The units whose replies carry this attachment (who may download it besides the office).
pub fn units_of(conn: &mut DbConnection, id: &str) -> Result<Vec<String>, DbError> {
    Ok(submissions::table
        .filter(submissions::attachment_id.eq(id))
        .filter(submissions::unit_id.is_not_null())
        .select(submissions::unit_id.assume_not_null())
        .load(conn)?
        .into_iter()
        .chain(
            solicitation_replies::table
                .inner_join(solicitations::table)
                .filter(solicitation_replies::attachment_id.eq(id))
                .select(solicitations::unit_id)
                .load::<String>(conn)?,
        )
        .collect())
}
