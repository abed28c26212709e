//! Documents published beside a draft (起草说明, 政策解读 …): which file, under what title,
//! in what order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::consultation_documents as docs;
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = docs)]
pub struct Document {
    pub id: String,
    pub consultation_id: String,
    pub kind: String,
    pub title: String,
    pub attachment_id: String,
    pub position: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, d: &Document) -> Result<(), DbError> {
    diesel::insert_into(docs::table).values(d).execute(conn)?;
    Ok(())
}

/// A consultation's documents in the office's order.
pub fn list(conn: &mut DbConnection, consultation_id: &str) -> Result<Vec<Document>, DbError> {
    Ok(docs::table
        .filter(docs::consultation_id.eq(consultation_id))
        .order((docs::position.asc(), docs::created_at.asc()))
        .select(Document::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Document>, DbError> {
    Ok(docs::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
        .optional()?)
}

/// The position after the last document of the consultation.
pub fn next_position(conn: &mut DbConnection, consultation_id: &str) -> Result<i64, DbError> {
    let max: Option<i64> = docs::table
        .filter(docs::consultation_id.eq(consultation_id))
        .select(diesel::dsl::max(docs::position))
        .first(conn)?;
    Ok(max.map_or(0, |m| m + 1))
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(docs::table.find(id)).execute(conn)? > 0)
}
