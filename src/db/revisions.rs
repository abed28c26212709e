//! Revised versions: which changes of a later version enact an opinion (`opinion_changes`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    clauses, decision_statuses, decisions, draft_versions, opinion_changes, opinion_clauses,
    opinions, submissions,
};
use super::{DbConnection, DbError};

/// A link between an opinion and a clause of a later version.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = opinion_changes)]
pub struct OpinionChange {
    pub opinion_id: String,
    pub clause_id: String,
    /// `suggested` or `confirmed`.
    pub state: String,
    pub linked_by: Option<String>,
    pub linked_at: NaiveDateTime,
}

/// The version (id, number) each of these clauses belongs to, with its consultation:
/// (clause id, version id, version number, consultation id).
pub fn clause_versions(
    conn: &mut DbConnection,
    clause_ids: &[String],
) -> Result<Vec<(String, String, i64, String)>, DbError> {
    let mut out = Vec::new();
    for chunk in clause_ids.chunks(500) {
        out.extend(
            clauses::table
                .inner_join(draft_versions::table)
                .filter(clauses::id.eq_any(chunk))
                .select((
                    clauses::id,
                    draft_versions::id,
                    draft_versions::version_no,
                    draft_versions::consultation_id,
                ))
                .load::<(String, String, i64, String)>(conn)?,
        );
    }
    Ok(out)
}

/// The clauses an opinion was linked to when triaged.
pub fn opinion_clause_ids(
    conn: &mut DbConnection,
    opinion_id: &str,
) -> Result<Vec<String>, DbError> {
    Ok(opinion_clauses::table
        .filter(opinion_clauses::opinion_id.eq(opinion_id))
        .select(opinion_clauses::clause_id)
        .load(conn)?)
}

/// How an opinion's decision counts (`adopted`, `partially_adopted` …), if decided.
pub fn decision_bucket(
    conn: &mut DbConnection,
    opinion_id: &str,
) -> Result<Option<String>, DbError> {
    Ok(decisions::table
        .inner_join(decision_statuses::table)
        .filter(decisions::opinion_id.eq(opinion_id))
        .select(decision_statuses::counts_as)
        .first(conn)
        .optional()?)
}

/// An opinion's links to changes.
pub fn changes_of(
    conn: &mut DbConnection,
    opinion_id: &str,
) -> Result<Vec<OpinionChange>, DbError> {
    Ok(opinion_changes::table
        .filter(opinion_changes::opinion_id.eq(opinion_id))
        .select(OpinionChange::as_select())
        .load(conn)?)
}

/// The confirmed links onto these clauses.
pub fn confirmed_on(
    conn: &mut DbConnection,
    clause_ids: &[String],
) -> Result<Vec<OpinionChange>, DbError> {
    let mut out = Vec::new();
    for chunk in clause_ids.chunks(500) {
        out.extend(
            opinion_changes::table
                .filter(opinion_changes::clause_id.eq_any(chunk))
                .filter(opinion_changes::state.eq("confirmed"))
                .select(OpinionChange::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Records a link (replacing a suggestion of the same pair).
pub fn put(conn: &mut DbConnection, c: &OpinionChange) -> Result<(), DbError> {
    remove(conn, &c.opinion_id, &c.clause_id)?;
    diesel::insert_into(opinion_changes::table)
        .values(c)
        .execute(conn)?;
    Ok(())
}

/// Removes a link; false when there was none.
pub fn remove(conn: &mut DbConnection, opinion_id: &str, clause_id: &str) -> Result<bool, DbError> {
    let n = diesel::delete(
        opinion_changes::table
            .filter(opinion_changes::opinion_id.eq(opinion_id))
            .filter(opinion_changes::clause_id.eq(clause_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// (opinion id, tracking code of its submission, position in the submission).
pub fn opinion_refs(
    conn: &mut DbConnection,
    opinion_ids: &[String],
) -> Result<Vec<(String, String, i64)>, DbError> {
    let mut out = Vec::new();
    for chunk in opinion_ids.chunks(500) {
        out.extend(
            opinions::table
                .inner_join(submissions::table)
                .filter(opinions::id.eq_any(chunk))
                .select((opinions::id, submissions::tracking_code, opinions::position))
                .load::<(String, String, i64)>(conn)?,
        );
    }
    Ok(out)
}

/// The opinions of a submission with their confirmed changes: (opinion id, clause id).
pub fn confirmed_of_submission(
    conn: &mut DbConnection,
    submission_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(opinion_changes::table
        .inner_join(opinions::table)
        .filter(opinions::submission_id.eq(submission_id))
        .filter(opinion_changes::state.eq("confirmed"))
        .order((opinions::position.asc(), opinion_changes::linked_at.asc()))
        .select((opinion_changes::opinion_id, opinion_changes::clause_id))
        .load(conn)?)
}

/// The clauses of a consultation's adopted and partially adopted opinions:
/// (opinion id, tracking code, clause id).
pub fn adopted_clauses(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(opinions::table
        .inner_join(submissions::table)
        .inner_join(decisions::table.inner_join(decision_statuses::table))
        .inner_join(opinion_clauses::table)
        .filter(opinions::consultation_id.eq(consultation_id))
        .filter(decision_statuses::counts_as.eq_any(["adopted", "partially_adopted"]))
        .order((submissions::received_at.asc(), opinions::position.asc()))
        .select((
            opinions::id,
            submissions::tracking_code,
            opinion_clauses::clause_id,
        ))
        .load(conn)?)
}

/// The opinions of a consultation with at least one confirmed link.
pub fn linked_opinions(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<String>, DbError> {
    Ok(opinion_changes::table
        .inner_join(opinions::table)
        .filter(opinions::consultation_id.eq(consultation_id))
        .filter(opinion_changes::state.eq("confirmed"))
        .select(opinion_changes::opinion_id)
        .distinct()
        .load(conn)?)
}

/// A confirmed link onto a published version: (opinion id, version number, version label,
/// clause label, clause path).
pub type TakenUp = (String, i64, String, String, String);

/// Where the opinions of a consultation were taken up: for each confirmed link onto a clause of
/// a published version, (opinion id, version number, version label, clause label, clause
/// path), in document order.
pub fn taken_up(conn: &mut DbConnection, consultation_id: &str) -> Result<Vec<TakenUp>, DbError> {
    Ok(opinion_changes::table
        .inner_join(clauses::table.inner_join(draft_versions::table))
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::published_at.is_not_null())
        .filter(opinion_changes::state.eq("confirmed"))
        .order((draft_versions::version_no.asc(), clauses::position.asc()))
        .select((
            opinion_changes::opinion_id,
            draft_versions::version_no,
            draft_versions::label,
            clauses::label,
            clauses::path,
        ))
        .load(conn)?)
}

/// The office's notes (修改说明) on these clauses: clause id → note.
pub fn notes_on(
    conn: &mut DbConnection,
    clause_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    use super::schema::change_notes;
    let mut out = std::collections::HashMap::new();
    for chunk in clause_ids.chunks(500) {
        out.extend(
            change_notes::table
                .filter(change_notes::clause_id.eq_any(chunk))
                .select((change_notes::clause_id, change_notes::note))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}

/// Sets (or, with `None`, removes) the office's note on a changed clause.
pub fn set_note(
    conn: &mut DbConnection,
    clause_id: &str,
    note: Option<&str>,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    use super::schema::change_notes;
    diesel::delete(change_notes::table.find(clause_id)).execute(conn)?;
    if let Some(note) = note {
        diesel::insert_into(change_notes::table)
            .values((
                change_notes::clause_id.eq(clause_id),
                change_notes::note.eq(note),
                change_notes::noted_by.eq(by),
                change_notes::noted_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The consultation a clause (of any version) belongs to.
pub fn clause_consultation(
    conn: &mut DbConnection,
    clause_id: &str,
) -> Result<Option<String>, DbError> {
    Ok(clauses::table
        .inner_join(draft_versions::table)
        .filter(clauses::id.eq(clause_id))
        .select(draft_versions::consultation_id)
        .first(conn)
        .optional()?)
}
