//! Submissions (来件) and the opinions they hold, the outbox rows they cause, and the public
//! counts by clause.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    audit_events, clauses, draft_versions, opinion_clauses, opinions, submission_clauses,
    submissions,
};
use super::{DbConnection, DbError, new_id};

/// The receipt email written with a submission (the outbox's row type).
pub use super::outbox::NewOutbox;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = submissions)]
pub struct Submission {
    pub id: String,
    pub consultation_id: String,
    pub tracking_code: String,
    pub channel: String,
    pub state: String,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub publish_name: bool,
    pub unit_id: Option<String>,
    pub solicitation_id: Option<String>,
    pub body: String,
    pub locale: String,
    pub idempotency_key: Option<String>,
    pub display_order: Option<i64>,
    pub attachment_id: Option<String>,
    pub recorded_by: Option<String>,
    pub received_at: NaiveDateTime,
}

/// Everything one submission writes.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub submission: Submission,
    pub clause_ids: Vec<String>,
    pub outbox: Option<NewOutbox>,
    pub actor_label: String,
    pub actor_user_id: Option<String>,
}

/// Inserts the submission, its one opinion (the whole text, to be split in triage), the clause
/// links, the audit event and the receipt email. Run inside a transaction.
pub fn insert(conn: &mut DbConnection, n: &NewSubmission) -> Result<(), DbError> {
    // On the concrete connection, where diesel keeps its prepared statements: this runs
    // thousands of times a second on the intake path.
    crate::per_backend!(conn, |conn| {
        let s = &n.submission;
        diesel::insert_into(submissions::table)
            .values(s)
            .execute(conn)?;
        let opinion_id = new_id();
        diesel::insert_into(opinions::table)
            .values((
                opinions::id.eq(&opinion_id),
                opinions::consultation_id.eq(&s.consultation_id),
                opinions::submission_id.eq(&s.id),
                opinions::position.eq(0i64),
                opinions::received_text.eq(&s.body),
                opinions::summary.eq(&s.body),
                opinions::state.eq("new"),
                opinions::created_at.eq(s.received_at),
                opinions::updated_at.eq(s.received_at),
            ))
            .execute(conn)?;
        for c in &n.clause_ids {
            diesel::insert_into(submission_clauses::table)
                .values((
                    submission_clauses::submission_id.eq(&s.id),
                    submission_clauses::clause_id.eq(c),
                ))
                .execute(conn)?;
            diesel::insert_into(opinion_clauses::table)
                .values((
                    opinion_clauses::opinion_id.eq(&opinion_id),
                    opinion_clauses::clause_id.eq(c),
                    opinion_clauses::linked_at.eq(s.received_at),
                ))
                .execute(conn)?;
        }
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::id.eq(new_id()),
                audit_events::at.eq(s.received_at),
                audit_events::actor_user_id.eq(&n.actor_user_id),
                audit_events::actor_label.eq(&n.actor_label),
                audit_events::action.eq("submission.receive"),
                audit_events::entity_type.eq("submission"),
                audit_events::entity_id.eq(&s.id),
                audit_events::consultation_id.eq(&s.consultation_id),
                audit_events::after_json.eq(serde_json::json!({
                    "tracking_code": s.tracking_code,
                    "channel": s.channel,
                    "clauses": n.clause_ids.len(),
                })
                .to_string()),
            ))
            .execute(conn)?;
        Ok::<(), DbError>(())
    })?;
    if let Some(m) = &n.outbox {
        super::outbox::insert_at(conn, m, n.submission.received_at)?;
    }
    Ok(())
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Submission>, DbError> {
    Ok(submissions::table
        .filter(submissions::tracking_code.eq(code))
        .select(Submission::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_idempotency_key(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<Submission>, DbError> {
    Ok(submissions::table
        .filter(submissions::idempotency_key.eq(key))
        .select(Submission::as_select())
        .first(conn)
        .optional()?)
}

/// The clauses a submission is about: (path, heading) in document order.
pub fn clauses_of(
    conn: &mut DbConnection,
    submission_id: &str,
) -> Result<Vec<(String, Option<String>)>, DbError> {
    Ok(submission_clauses::table
        .inner_join(clauses::table)
        .filter(submission_clauses::submission_id.eq(submission_id))
        .order(clauses::position.asc())
        .select((clauses::path, clauses::heading))
        .load(conn)?)
}

/// Public comments per clause of a version (spam and withdrawn submissions left out).
pub fn counts_by_clause(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(submission_clauses::table
        .inner_join(clauses::table)
        .inner_join(submissions::table)
        .filter(clauses::version_id.eq(version_id))
        .filter(submissions::state.ne_all(["spam", "withdrawn"]))
        .group_by(submission_clauses::clause_id)
        .select((submission_clauses::clause_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Submissions of a consultation that count (spam and withdrawn left out).
pub fn count_for_consultation(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<i64, DbError> {
    Ok(submissions::table
        .filter(submissions::consultation_id.eq(consultation_id))
        .filter(submissions::state.ne_all(["spam", "withdrawn"]))
        .count()
        .get_result(conn)?)
}

/// Every clause id of the consultation's current version.
pub fn current_clause_ids(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<String>, DbError> {
    Ok(clauses::table
        .inner_join(draft_versions::table)
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::is_current.eq(true))
        .select(clauses::id)
        .load(conn)?)
}

/// Submissions that count, per consultation (spam and withdrawn left out).
pub fn counts_by_consultation(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, i64>, DbError> {
    Ok(submissions::table
        .filter(submissions::state.ne_all(["spam", "withdrawn"]))
        .group_by(submissions::consultation_id)
        .select((submissions::consultation_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}
