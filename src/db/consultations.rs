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
    pub closed_at: Option<NaiveDateTime>,
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

/// Whether a consultation is the sample created at setup (deletable in one action).
pub fn is_sample(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    Ok(consultations::table
        .find(id)
        .select(consultations::sample)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// Marks a consultation as the sample created at setup.
pub fn set_sample(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    diesel::update(consultations::table.find(id))
        .set(consultations::sample.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Deletes a consultation and everything recorded under it: its drafts and clauses, comments,
/// opinions and decisions, solicitations and publications. The audit log keeps its lines,
/// unlinked. Run inside a write transaction.
pub fn delete_all(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    use super::schema::{
        audit_events, clauses, decision_history, decisions, draft_imports, draft_versions, duties,
        duty_units, opinion_bands, opinion_clauses, opinion_clusters, opinion_signatures, opinions,
        publication_decisions, publication_snapshots, publications, solicitation_replies,
        solicitations, submission_clauses, submissions,
    };
    diesel::delete(
        super::schema::consultation_documents::table
            .filter(super::schema::consultation_documents::consultation_id.eq(id)),
    )
    .execute(conn)?;
    let pubs: Vec<String> = publications::table
        .filter(publications::consultation_id.eq(id))
        .select(publications::id)
        .load(conn)?;
    diesel::delete(
        publication_decisions::table.filter(publication_decisions::publication_id.eq_any(&pubs)),
    )
    .execute(conn)?;
    diesel::delete(
        publication_snapshots::table.filter(publication_snapshots::publication_id.eq_any(&pubs)),
    )
    .execute(conn)?;
    diesel::delete(publications::table.filter(publications::consultation_id.eq(id)))
        .execute(conn)?;
    let ops = opinions::table
        .filter(opinions::consultation_id.eq(id))
        .select(opinions::id);
    diesel::delete(decision_history::table.filter(decision_history::opinion_id.eq_any(ops)))
        .execute(conn)?;
    diesel::delete(decisions::table.filter(decisions::opinion_id.eq_any(ops))).execute(conn)?;
    diesel::delete(opinion_clauses::table.filter(opinion_clauses::opinion_id.eq_any(ops)))
        .execute(conn)?;
    diesel::delete(opinion_signatures::table.filter(opinion_signatures::consultation_id.eq(id)))
        .execute(conn)?;
    diesel::delete(opinion_bands::table.filter(opinion_bands::consultation_id.eq(id)))
        .execute(conn)?;
    diesel::update(opinions::table.filter(opinions::consultation_id.eq(id)))
        .set(opinions::cluster_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(opinion_clusters::table.filter(opinion_clusters::consultation_id.eq(id)))
        .execute(conn)?;
    diesel::delete(opinions::table.filter(opinions::consultation_id.eq(id))).execute(conn)?;
    let subs = submissions::table
        .filter(submissions::consultation_id.eq(id))
        .select(submissions::id);
    let sols = solicitations::table
        .filter(solicitations::consultation_id.eq(id))
        .select(solicitations::id);
    diesel::delete(
        solicitation_replies::table.filter(
            solicitation_replies::solicitation_id
                .eq_any(sols)
                .or(solicitation_replies::submission_id.eq_any(subs.nullable())),
        ),
    )
    .execute(conn)?;
    diesel::delete(
        submission_clauses::table.filter(submission_clauses::submission_id.eq_any(subs)),
    )
    .execute(conn)?;
    diesel::delete(submissions::table.filter(submissions::consultation_id.eq(id))).execute(conn)?;
    diesel::delete(solicitations::table.filter(solicitations::consultation_id.eq(id)))
        .execute(conn)?;
    diesel::delete(draft_imports::table.filter(draft_imports::consultation_id.eq(id)))
        .execute(conn)?;
    let versions = draft_versions::table
        .filter(draft_versions::consultation_id.eq(id))
        .select(draft_versions::id);
    let cls = clauses::table
        .filter(clauses::version_id.eq_any(versions))
        .select(clauses::id);
    let dts = duties::table
        .filter(duties::clause_id.eq_any(cls))
        .select(duties::id);
    diesel::delete(duty_units::table.filter(duty_units::duty_id.eq_any(dts))).execute(conn)?;
    diesel::delete(duties::table.filter(duties::clause_id.eq_any(cls))).execute(conn)?;
    diesel::update(clauses::table.filter(clauses::version_id.eq_any(versions)))
        .set(clauses::parent_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(clauses::table.filter(clauses::version_id.eq_any(versions))).execute(conn)?;
    diesel::delete(draft_versions::table.filter(draft_versions::consultation_id.eq(id)))
        .execute(conn)?;
    diesel::update(audit_events::table.filter(audit_events::consultation_id.eq(id)))
        .set(audit_events::consultation_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(consultations::table.find(id)).execute(conn)?;
    Ok(())
}
