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

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub draft_title: String,
    pub description: String,
    pub contact: String,
    pub status: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub short_window_reason: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_early_reason: Option<String>,
    pub require_name: bool,
    pub channels: String,
    pub report_config: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Consultation {
    pub fn status(&self) -> crate::domain::consultation::Status {
        crate::domain::consultation::Status::parse(&self.status)
            .unwrap_or(crate::domain::consultation::Status::Draft)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = consultations)]
pub struct NewConsultation<'a> {
    pub id: &'a str,
    pub slug: &'a str,
    pub title: &'a str,
    pub draft_title: &'a str,
    pub description: &'a str,
    pub contact: &'a str,
    pub status: &'a str,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub short_window_reason: Option<&'a str>,
    pub require_name: bool,
    pub created_by: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, c: &NewConsultation<'_>) -> Result<(), DbError> {
    diesel::insert_into(consultations::table)
        .values(c)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Consultation>, DbError> {
    Ok(consultations::table
        .find(id)
        .select(Consultation::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<Consultation>, DbError> {
    Ok(consultations::table
        .filter(consultations::slug.eq(slug))
        .select(Consultation::as_select())
        .first(conn)
        .optional()?)
}

pub fn slug_taken(conn: &mut DbConnection, slug: &str) -> Result<bool, DbError> {
    Ok(consultations::table
        .filter(consultations::slug.eq(slug))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Sets the status; when closing, also when and why. Returns false if the row was not in
/// `from` any more (a concurrent change).
pub fn set_status(
    conn: &mut DbConnection,
    id: &str,
    from: &str,
    to: &str,
    closed: Option<(NaiveDateTime, Option<&str>)>,
) -> Result<bool, DbError> {
    let now = super::now();
    let q = diesel::update(
        consultations::table
            .filter(consultations::id.eq(id))
            .filter(consultations::status.eq(from)),
    );
    let n = match closed {
        Some((at, reason)) => q
            .set((
                consultations::status.eq(to),
                consultations::closed_at.eq(Some(at)),
                consultations::closed_early_reason.eq(reason),
                consultations::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => q
            .set((
                consultations::status.eq(to),
                consultations::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Every consultation, newest first (staff overview).
pub fn list_all(conn: &mut DbConnection) -> Result<Vec<ConsultationSummary>, DbError> {
    Ok(consultations::table
        .order(consultations::created_at.desc())
        .select(ConsultationSummary::as_select())
        .load(conn)?)
}

/// Open consultations whose window ended before `at`.
pub fn open_past(conn: &mut DbConnection, at: NaiveDateTime) -> Result<Vec<String>, DbError> {
    Ok(consultations::table
        .filter(consultations::status.eq("open"))
        .filter(consultations::closes_at.le(at))
        .select(consultations::id)
        .load(conn)?)
}

/// The editable settings of a consultation.
pub struct ConsultationEdit<'a> {
    pub title: &'a str,
    pub draft_title: &'a str,
    pub description: &'a str,
    pub contact: &'a str,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub short_window_reason: Option<&'a str>,
    pub require_name: bool,
    pub channels: &'a str,
}

pub fn update(conn: &mut DbConnection, id: &str, e: &ConsultationEdit<'_>) -> Result<(), DbError> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::title.eq(e.title),
            consultations::draft_title.eq(e.draft_title),
            consultations::description.eq(e.description),
            consultations::contact.eq(e.contact),
            consultations::opens_at.eq(e.opens_at),
            consultations::closes_at.eq(e.closes_at),
            consultations::short_window_reason.eq(e.short_window_reason),
            consultations::require_name.eq(e.require_name),
            consultations::channels.eq(e.channels),
            consultations::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}
