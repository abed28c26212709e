//! Solicitations (定向征求): the units a consultation formally asks, and every version of each
//! unit's reply.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    clauses, consultations, opinion_clauses, opinions, solicitation_replies, solicitations,
    submission_clauses, submissions, units, users,
};
use super::{DbConnection, DbError, new_id};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = solicitations)]
pub struct Solicitation {
    pub id: String,
    pub consultation_id: String,
    pub unit_id: String,
    pub state: String,
    pub deadline: NaiveDateTime,
    pub note: Option<String>,
    pub invited_by: Option<String>,
    pub invited_at: NaiveDateTime,
    pub replied_by: Option<String>,
    pub replied_at: Option<NaiveDateTime>,
    pub last_reminded_at: Option<NaiveDateTime>,
    /// Closed before its deadline, without the unit's reply (see [`close_early`]).
    pub closed_early_at: Option<NaiveDateTime>,
    pub closed_early_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = solicitation_replies)]
pub struct Reply {
    pub id: String,
    pub solicitation_id: String,
    pub version: i64,
    pub kind: String,
    pub note: Option<String>,
    pub channel: String,
    pub submission_id: Option<String>,
    pub attachment_id: Option<String>,
    pub opinion_count: i64,
    pub submitted_by: Option<String>,
    pub submitted_at: NaiveDateTime,
}

/// A solicitation with its unit, for the board.
#[derive(Debug, Clone)]
pub struct BoardRow {
    pub solicitation: Solicitation,
    pub unit_name: String,
    pub unit_kind: String,
    pub replied_by_name: Option<String>,
    /// Opinions in the current reply.
    pub opinion_count: i64,
    pub versions: i64,
}

/// A solicitation seen from its unit's portal.
#[derive(Debug, Clone)]
pub struct PortalRow {
    pub solicitation: Solicitation,
    pub consultation_title: String,
    pub draft_title: String,
    pub consultation_status: String,
}

pub fn insert(conn: &mut DbConnection, s: &Solicitation) -> Result<(), DbError> {
    diesel::insert_into(solicitations::table)
        .values(s)
        .execute(conn)?;
    Ok(())
}

/// Unit ids already invited to this consultation.
pub fn invited_unit_ids(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<String>, DbError> {
    Ok(solicitations::table
        .filter(solicitations::consultation_id.eq(consultation_id))
        .select(solicitations::unit_id)
        .load(conn)?)
}

pub fn find_for_unit(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit_id: &str,
) -> Result<Option<Solicitation>, DbError> {
    Ok(solicitations::table
        .filter(solicitations::consultation_id.eq(consultation_id))
        .filter(solicitations::unit_id.eq(unit_id))
        .select(Solicitation::as_select())
        .first(conn)
        .optional()?)
}

/// The board of one consultation, in the units directory's order.
pub fn board(conn: &mut DbConnection, consultation_id: &str) -> Result<Vec<BoardRow>, DbError> {
    let rows: Vec<(Solicitation, String, String, Option<String>)> = solicitations::table
        .inner_join(units::table)
        .left_join(users::table.on(users::id.nullable().eq(solicitations::replied_by)))
        .filter(solicitations::consultation_id.eq(consultation_id))
        .order((units::kind, units::sort_order, units::name))
        .select((
            Solicitation::as_select(),
            units::name,
            units::kind,
            users::name.nullable(),
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.id.as_str()).collect();
    let replies: Vec<(String, i64, i64)> = solicitation_replies::table
        .filter(solicitation_replies::solicitation_id.eq_any(&ids))
        .select((
            solicitation_replies::solicitation_id,
            solicitation_replies::version,
            solicitation_replies::opinion_count,
        ))
        .load(conn)?;
    let mut latest: std::collections::HashMap<String, (i64, i64)> = Default::default();
    for (sid, version, count) in replies {
        let e = latest.entry(sid).or_insert((0, 0));
        if version > e.0 {
            *e = (version, count);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(s, unit_name, unit_kind, replied_by_name)| {
            let (versions, opinion_count) = latest.get(&s.id).copied().unwrap_or((0, 0));
            BoardRow {
                solicitation: s,
                unit_name,
                unit_kind,
                replied_by_name,
                opinion_count,
                versions,
            }
        })
        .collect())
}

/// What a unit has been asked about, newest deadline first.
pub fn for_unit(conn: &mut DbConnection, unit_id: &str) -> Result<Vec<PortalRow>, DbError> {
    let rows: Vec<(Solicitation, String, String, String)> = solicitations::table
        .inner_join(consultations::table)
        .filter(solicitations::unit_id.eq(unit_id))
        .order(solicitations::deadline.desc())
        .select((
            Solicitation::as_select(),
            consultations::title,
            consultations::draft_title,
            consultations::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(solicitation, consultation_title, draft_title, consultation_status)| PortalRow {
                solicitation,
                consultation_title,
                draft_title,
                consultation_status,
            },
        )
        .collect())
}

pub fn replies(conn: &mut DbConnection, solicitation_id: &str) -> Result<Vec<Reply>, DbError> {
    Ok(solicitation_replies::table
        .filter(solicitation_replies::solicitation_id.eq(solicitation_id))
        .order(solicitation_replies::version.desc())
        .select(Reply::as_select())
        .load(conn)?)
}

/// One opinion of a reply, with its clause ids.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplyOpinion {
    pub id: String,
    pub body: String,
    pub clause_ids: Vec<String>,
}

/// The opinions of a submission in order, with their clauses.
pub fn opinions_of(
    conn: &mut DbConnection,
    submission_id: &str,
) -> Result<Vec<ReplyOpinion>, DbError> {
    let ops: Vec<(String, String)> = opinions::table
        .filter(opinions::submission_id.eq(submission_id))
        .order(opinions::position)
        .select((opinions::id, opinions::received_text))
        .load(conn)?;
    let ids: Vec<&str> = ops.iter().map(|o| o.0.as_str()).collect();
    let links: Vec<(String, String)> = opinion_clauses::table
        .inner_join(clauses::table)
        .filter(opinion_clauses::opinion_id.eq_any(&ids))
        .order(clauses::position)
        .select((opinion_clauses::opinion_id, opinion_clauses::clause_id))
        .load(conn)?;
    Ok(ops
        .into_iter()
        .map(|(id, body)| ReplyOpinion {
            clause_ids: links
                .iter()
                .filter(|(o, _)| *o == id)
                .map(|(_, c)| c.clone())
                .collect(),
            id,
            body,
        })
        .collect())
}

/// How many of these clause ids belong to this draft version.
pub fn count_clauses_in_version(
    conn: &mut DbConnection,
    version_id: &str,
    clause_ids: &[String],
) -> Result<i64, DbError> {
    Ok(clauses::table
        .filter(clauses::version_id.eq(version_id))
        .filter(clauses::id.eq_any(clause_ids))
        .count()
        .get_result(conn)?)
}

/// Everything one version of a reply writes.
pub struct NewReply<'a> {
    pub solicitation: &'a Solicitation,
    pub reply: Reply,
    /// The unit's submission (none for 无修改意见).
    pub submission: Option<super::submissions::Submission>,
    /// Opinion texts with their clause ids.
    pub opinions: Vec<(String, Vec<String>)>,
}

/// Writes a reply version: withdraws the previous version's submission, writes the new one with
/// its opinions and clause links, and moves the solicitation's state. Run in a transaction.
pub fn insert_reply(conn: &mut DbConnection, n: &NewReply<'_>) -> Result<(), DbError> {
    let at = n.reply.submitted_at;
    diesel::update(
        submissions::table
            .filter(submissions::solicitation_id.eq(&n.solicitation.id))
            .filter(submissions::state.ne("withdrawn")),
    )
    .set(submissions::state.eq("withdrawn"))
    .execute(conn)?;
    if let Some(s) = &n.submission {
        diesel::insert_into(submissions::table)
            .values(s)
            .execute(conn)?;
        for (i, (body, clause_ids)) in n.opinions.iter().enumerate() {
            let opinion_id = new_id();
            diesel::insert_into(opinions::table)
                .values((
                    opinions::id.eq(&opinion_id),
                    opinions::consultation_id.eq(&s.consultation_id),
                    opinions::submission_id.eq(&s.id),
                    opinions::position.eq(i as i64),
                    opinions::received_text.eq(body),
                    opinions::summary.eq(body),
                    opinions::state.eq("new"),
                    opinions::assignee_unit_id.eq(None::<String>),
                    opinions::created_at.eq(at),
                    opinions::updated_at.eq(at),
                ))
                .execute(conn)?;
            for c in clause_ids {
                diesel::insert_into(opinion_clauses::table)
                    .values((
                        opinion_clauses::opinion_id.eq(&opinion_id),
                        opinion_clauses::clause_id.eq(c),
                        opinion_clauses::linked_by.eq(&n.reply.submitted_by),
                        opinion_clauses::linked_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
        let mut all: Vec<&String> = n.opinions.iter().flat_map(|(_, c)| c).collect();
        all.sort();
        all.dedup();
        for c in all {
            diesel::insert_into(submission_clauses::table)
                .values((
                    submission_clauses::submission_id.eq(&s.id),
                    submission_clauses::clause_id.eq(c),
                ))
                .execute(conn)?;
        }
    }
    diesel::insert_into(solicitation_replies::table)
        .values(&n.reply)
        .execute(conn)?;
    let state = if n.reply.kind == "no_comment" {
        "no_comment"
    } else {
        "replied"
    };
    diesel::update(solicitations::table.find(&n.solicitation.id))
        .set((
            solicitations::state.eq(state),
            solicitations::replied_by.eq(&n.reply.submitted_by),
            solicitations::replied_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Pending solicitations whose reminder is due: `days_before` the deadline (once), and once
/// more after the deadline has passed. Returns each with whether it is overdue.
pub fn due_reminders(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    days_before: i64,
) -> Result<Vec<(Solicitation, bool)>, DbError> {
    let soon = now + chrono::Duration::days(days_before);
    let pending: Vec<Solicitation> = solicitations::table
        .inner_join(consultations::table)
        .filter(solicitations::state.eq("pending"))
        .filter(solicitations::closed_early_at.is_null())
        .filter(solicitations::deadline.le(soon))
        .filter(consultations::status.eq_any(["draft", "open", "closed"]))
        .select(Solicitation::as_select())
        .load(conn)?;
    Ok(pending
        .into_iter()
        .filter_map(|s| {
            let overdue = s.deadline <= now;
            let reminded_after = |t: NaiveDateTime| s.last_reminded_at.is_some_and(|r| r >= t);
            let due = if overdue {
                !reminded_after(s.deadline)
            } else {
                !reminded_after(s.deadline - chrono::Duration::days(days_before))
                    && s.last_reminded_at.is_none()
            };
            due.then_some((s, overdue))
        })
        .collect())
}

/// Marks a reminder as sent, unless another node did since `seen` was read. Returns whether
/// this caller won (and so sends the mail).
pub fn mark_reminded(
    conn: &mut DbConnection,
    id: &str,
    seen: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let q = solicitations::table.filter(solicitations::id.eq(id));
    let n = match seen {
        Some(t) => diesel::update(q.filter(solicitations::last_reminded_at.eq(t)))
            .set(solicitations::last_reminded_at.eq(Some(at)))
            .execute(conn)?,
        None => diesel::update(q.filter(solicitations::last_reminded_at.is_null()))
            .set(solicitations::last_reminded_at.eq(Some(at)))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Units by kind (for "all districts" / "all departments"), enabled only.
pub fn unit_ids_of_kind(conn: &mut DbConnection, kind: &str) -> Result<Vec<String>, DbError> {
    Ok(units::table
        .filter(units::kind.eq(kind))
        .filter(units::disabled.eq(false))
        .order((units::sort_order, units::name))
        .select(units::id)
        .load(conn)?)
}

/// A unit that has not replied and whose solicitation is not closed, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outstanding {
    pub solicitation_id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub deadline: NaiveDateTime,
}

/// The units of a consultation that have not replied (and were not closed early), in the units
/// directory's order.
pub fn outstanding(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<Outstanding>, DbError> {
    let rows: Vec<(String, String, String, NaiveDateTime)> = solicitations::table
        .inner_join(units::table)
        .filter(solicitations::consultation_id.eq(consultation_id))
        .filter(solicitations::state.eq("pending"))
        .filter(solicitations::closed_early_at.is_null())
        .order((units::kind, units::sort_order, units::name))
        .select((
            solicitations::id,
            units::id,
            units::name,
            solicitations::deadline,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(solicitation_id, unit_id, unit_name, deadline)| Outstanding {
                solicitation_id,
                unit_id,
                unit_name,
                deadline,
            },
        )
        .collect())
}

/// Closes a solicitation early, unless the unit replied or it was closed meanwhile. Returns
/// whether it was closed by this call.
pub fn close_early(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(
        solicitations::table
            .filter(solicitations::id.eq(id))
            .filter(solicitations::state.eq("pending"))
            .filter(solicitations::closed_early_at.is_null()),
    )
    .set((
        solicitations::closed_early_at.eq(Some(at)),
        solicitations::closed_early_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
