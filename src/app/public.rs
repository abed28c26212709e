//! What the public reads: a consultation with its draft and counts, a submission by its code.

use std::collections::HashMap;

use serde::Serialize;

use super::{Actor, Error, OFFICE, Result};
use crate::db::consultations::{Consultation, ConsultationSummary};
use crate::db::{self, DbConnection};
use crate::domain::consultation::Status;
use crate::domain::tracking;

/// Whether `actor` may see consultation `c`: a draft is the office's alone; for everyone else
/// it is not found.
pub fn may_see(c: &Consultation, actor: &Actor) -> bool {
    c.status() != Status::Draft || actor.require(OFFICE).is_ok()
}

/// A consultation the public may see (not a draft), by its slug.
pub fn visible_consultation(conn: &mut DbConnection, slug: &str) -> Result<Consultation> {
    db::consultations::find_by_slug(conn, slug)?
        .filter(|c| may_see(c, &Actor::public(None)))
        .ok_or(Error::NotFound)
}

/// A consultation by id as `actor` may see it ([`may_see`]).
pub fn consultation(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<Consultation> {
    db::consultations::find(conn, id)?
        .filter(|c| may_see(c, actor))
        .ok_or(Error::NotFound)
}

/// What the home page lists: every consultation but drafts, and the comment count of each by
/// its id.
pub fn listed(conn: &mut DbConnection) -> Result<(Vec<ConsultationSummary>, HashMap<String, i64>)> {
    Ok((
        db::consultations::list_public(conn)?,
        db::submissions::counts_by_consultation(conn)?,
    ))
}

/// The id of a consultation's current draft version, if it has one.
pub fn current_version(conn: &mut DbConnection, consultation_id: &str) -> Result<Option<String>> {
    Ok(db::drafts::current_version_id(conn, consultation_id)?)
}

/// Comment counts of a draft version: by clause id, and the consultation's total.
pub fn comment_counts(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<(Vec<(String, i64)>, i64)> {
    let by_clause = db::submissions::counts_by_clause(conn, version_id)?;
    let consultation_id = db::drafts::find_version_consultation(conn, version_id)?;
    let total = db::submissions::count_for_consultation(conn, &consultation_id)?;
    Ok((by_clause, total))
}

/// A submission as its tracking page shows it: no email, phone or name.
#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    pub tracking_code: String,
    pub consultation_id: String,
    pub consultation_slug: String,
    pub consultation_title: String,
    pub channel: String,
    pub body: String,
    pub received_at: chrono::NaiveDateTime,
    /// `(path, heading)` of the clauses commented on; empty for the whole text.
    pub clauses: Vec<(String, Option<String>)>,
    /// Whether the report is out (and decisions are shown).
    pub published: bool,
    pub decisions: Vec<TrackedDecision>,
    /// The changes of a published later version that enact this submission's opinions.
    pub changes: Vec<super::revisions::TrackedChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackedDecision {
    pub opinion: String,
    /// The status as the published report words it.
    pub status: String,
    /// Its code (`adopted` …), and its name in English for English pages.
    pub status_code: String,
    pub status_en: String,
    pub rationale: Option<String>,
}

pub fn track(conn: &mut DbConnection, code: &str) -> Result<Tracked> {
    let code = tracking::normalise(code).ok_or(Error::NotFound)?;
    let s = db::submissions::find_by_code(conn, &code)?.ok_or(Error::NotFound)?;
    let c = db::consultations::find(conn, &s.consultation_id)?.ok_or(Error::NotFound)?;
    // What the latest published edition told this commenter: frozen with the publication,
    // so later edits show only once a corrected edition is published.
    let frozen = db::report::published_for_submission(conn, &c.id, &s.id)?;
    let published = frozen.is_some();
    let english: HashMap<String, String> = db::triage::statuses(conn)?
        .into_iter()
        .map(|s| (s.code, s.label_en))
        .collect();
    let decisions = frozen
        .unwrap_or_default()
        .into_iter()
        .map(|d| TrackedDecision {
            status_en: english
                .get(&d.status)
                .cloned()
                .unwrap_or_else(|| d.status.clone()),
            opinion: d.opinion,
            status: d.status_label,
            status_code: d.status,
            rationale: d.rationale,
        })
        .collect();
    Ok(Tracked {
        changes: super::revisions::tracked_changes(conn, &s.id)?,
        clauses: db::submissions::clauses_of(conn, &s.id)?,
        tracking_code: s.tracking_code,
        consultation_id: c.id,
        consultation_slug: c.slug,
        consultation_title: c.title,
        channel: s.channel,
        body: s.body,
        received_at: s.received_at,
        published,
        decisions,
    })
}
