//! What the public reads: a consultation with its draft and counts, a submission by its code.

use serde::Serialize;

use super::{Error, Result};
use crate::db::{self, DbConnection, consultations::Consultation};
use crate::domain::tracking;

/// A consultation the public may see (not a draft).
pub fn visible_consultation(conn: &mut DbConnection, slug: &str) -> Result<Consultation> {
    db::consultations::find_by_slug(conn, slug)?
        .filter(|c| c.status != "draft")
        .ok_or(Error::NotFound)
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
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackedDecision {
    pub opinion: String,
    pub status: String,
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
    let decisions = frozen
        .unwrap_or_default()
        .into_iter()
        .map(|d| TrackedDecision {
            opinion: d.opinion,
            status: d.status_label,
            rationale: d.rationale,
        })
        .collect();
    Ok(Tracked {
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
