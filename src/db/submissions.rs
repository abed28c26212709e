//! Submissions (来件) and the opinions they hold, the outbox rows they cause, and the public
//! counts by clause.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    audit_events, clauses, consultations, draft_versions, opinion_clauses, opinions,
    submission_clauses, submissions,
};
use super::{DbConnection, DbError, new_id};

/// The receipt email written with a submission (the outbox's row type).
pub use super::outbox::NewOutbox;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = submissions)]
// `None` is NULL (as the column's default is), so many rows go in one multi-row statement.
#[diesel(treat_none_as_default_value = false)]
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
    insert_many(conn, &[n])
}

/// Rows per multi-row `INSERT` (SQLite allows 32,766 parameters in one statement; a
/// submission has 19 columns).
const ROWS_PER_STATEMENT: usize = 500;

/// [`insert`] for many submissions at once: one multi-row `INSERT` per table instead of six
/// statements per submission. Run inside a transaction; all or nothing.
pub fn insert_many(conn: &mut DbConnection, items: &[&NewSubmission]) -> Result<(), DbError> {
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        let opinion_ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
        let audit_ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
        let audit_after: Vec<String> = chunk
            .iter()
            .map(|n| {
                serde_json::json!({
                    "tracking_code": n.submission.tracking_code,
                    "channel": n.submission.channel,
                    "clauses": n.clause_ids.len(),
                })
                .to_string()
            })
            .collect();
        let subs: Vec<&Submission> = chunk.iter().map(|n| &n.submission).collect();
        let ops: Vec<_> = chunk
            .iter()
            .zip(&opinion_ids)
            .map(|(n, oid)| {
                let s = &n.submission;
                (
                    opinions::id.eq(oid),
                    opinions::consultation_id.eq(&s.consultation_id),
                    opinions::submission_id.eq(&s.id),
                    opinions::position.eq(0i64),
                    opinions::received_text.eq(&s.body),
                    opinions::summary.eq(&s.body),
                    opinions::state.eq("new"),
                    opinions::created_at.eq(s.received_at),
                    opinions::updated_at.eq(s.received_at),
                )
            })
            .collect();
        let sub_clauses: Vec<_> = chunk
            .iter()
            .flat_map(|n| {
                n.clause_ids.iter().map(move |c| {
                    (
                        submission_clauses::submission_id.eq(&n.submission.id),
                        submission_clauses::clause_id.eq(c),
                    )
                })
            })
            .collect();
        let op_clauses: Vec<_> = chunk
            .iter()
            .zip(&opinion_ids)
            .flat_map(|(n, oid)| {
                n.clause_ids.iter().map(move |c| {
                    (
                        opinion_clauses::opinion_id.eq(oid),
                        opinion_clauses::clause_id.eq(c),
                        opinion_clauses::linked_at.eq(n.submission.received_at),
                    )
                })
            })
            .collect();
        let audits: Vec<_> = chunk
            .iter()
            .zip(audit_ids.iter().zip(&audit_after))
            .map(|(n, (id, after))| {
                let s = &n.submission;
                (
                    audit_events::id.eq(id),
                    audit_events::at.eq(s.received_at),
                    audit_events::actor_user_id.eq(&n.actor_user_id),
                    audit_events::actor_label.eq(&n.actor_label),
                    audit_events::action.eq("submission.receive"),
                    audit_events::entity_type.eq("submission"),
                    audit_events::entity_id.eq(&s.id),
                    audit_events::consultation_id.eq(&s.consultation_id),
                    audit_events::after_json.eq(after),
                )
            })
            .collect();
        crate::per_backend!(&mut *conn, |c| {
            diesel::insert_into(submissions::table)
                .values(subs)
                .execute(c)?;
            diesel::insert_into(opinions::table)
                .values(ops)
                .execute(c)?;
            // Clause links: at most a few per submission, but a chunk of them may hold more
            // parameters than one statement takes.
            for part in sub_clauses.chunks(ROWS_PER_STATEMENT * 4) {
                diesel::insert_into(submission_clauses::table)
                    .values(part)
                    .execute(c)?;
            }
            for part in op_clauses.chunks(ROWS_PER_STATEMENT * 4) {
                diesel::insert_into(opinion_clauses::table)
                    .values(part)
                    .execute(c)?;
            }
            diesel::insert_into(audit_events::table)
                .values(audits)
                .execute(c)?;
            Ok::<(), DbError>(())
        })?;
        let mails: Vec<(&NewOutbox, NaiveDateTime)> = chunk
            .iter()
            .filter_map(|n| n.outbox.as_ref().map(|m| (m, n.submission.received_at)))
            .collect();
        super::outbox::insert_many(conn, &mails)?;
    }
    Ok(())
}

/// Of these tracking codes, the ones already taken.
pub fn taken_codes(conn: &mut DbConnection, codes: &[&str]) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for chunk in codes.chunks(ROWS_PER_STATEMENT) {
        out.extend(
            submissions::table
                .filter(submissions::tracking_code.eq_any(chunk))
                .select(submissions::tracking_code)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// The submissions already made with any of these idempotency keys.
pub fn find_by_idempotency_keys(
    conn: &mut DbConnection,
    keys: &[&str],
) -> Result<Vec<Submission>, DbError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        out.extend(
            submissions::table
                .filter(submissions::idempotency_key.eq_any(chunk))
                .select(Submission::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<Submission>, DbError> {
    Ok(submissions::table
        .filter(submissions::tracking_code.eq(code))
        .select(Submission::as_select())
        .first(conn)
        .optional()?)
}

/// What a receipt email says: the tracking code, the comment as received and the title of its
/// consultation.
pub fn receipt_facts(
    conn: &mut DbConnection,
    submission_id: &str,
) -> Result<Option<(String, String, String)>, DbError> {
    Ok(submissions::table
        .inner_join(consultations::table)
        .filter(submissions::id.eq(submission_id))
        .select((
            submissions::tracking_code,
            submissions::body,
            consultations::title,
        ))
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
