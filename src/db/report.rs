//! What the consultation report is made of, read in a few queries: a consultation's opinions
//! with their submission, unit and decision; the clauses they are linked to; duplicate clusters;
//! the solicited units that replied 无修改意见. And the frozen publications of the report.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    clauses, decision_statuses, decisions, opinion_clauses, opinion_clusters, opinions,
    publication_decisions, publication_snapshots, publications, solicitations, submissions, units,
};
use super::{DbConnection, DbError, new_id};

/// One opinion with everything the report and the readiness check read about it.
#[derive(Debug, Clone)]
pub struct OpinionRow {
    pub opinion_id: String,
    pub position: i64,
    /// The opinion as triage left it (the report prints this).
    pub summary: String,
    pub opinion_state: String,
    pub cluster_id: Option<String>,
    pub submission: SubmitterRow,
    pub decision: Option<DecisionRow>,
}

/// The submission an opinion came in.
#[derive(Debug, Clone)]
pub struct SubmitterRow {
    pub submission_id: String,
    pub tracking_code: String,
    pub channel: String,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub publish_name: bool,
    pub locale: String,
    pub unit_id: Option<String>,
    /// The unit's name, for a department reply.
    pub unit_name: Option<String>,
    pub display_order: Option<i64>,
    pub received_at: NaiveDateTime,
}

/// An opinion's decision with its status as configured.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub status: String,
    pub rationale: Option<String>,
    /// `proposed`, `approved` or `returned`.
    pub state: String,
    pub label_zh: String,
    pub label_en: String,
    pub requires_rationale: bool,
    /// `adopted`, `partially_adopted`, `not_adopted` or `other`.
    pub counts_as: String,
}

type RowTuple = (
    (String, i64, String, String, Option<String>),
    (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        String,
        Option<String>,
        Option<i64>,
        NaiveDateTime,
    ),
    Option<String>,
    (Option<String>, Option<String>, Option<String>),
    (Option<String>, Option<String>, Option<bool>, Option<String>),
);

/// Every opinion of the consultation that counts (spam and withdrawn submissions left out),
/// in order of receipt.
pub fn opinions(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<OpinionRow>, DbError> {
    let rows: Vec<RowTuple> = opinions::table
        .inner_join(submissions::table)
        .left_join(units::table.on(units::id.nullable().eq(submissions::unit_id)))
        .left_join(decisions::table.on(decisions::opinion_id.eq(opinions::id)))
        .left_join(decision_statuses::table.on(decision_statuses::code.eq(decisions::status)))
        .filter(opinions::consultation_id.eq(consultation_id))
        .filter(submissions::state.ne_all(["spam", "withdrawn"]))
        .order((
            submissions::received_at.asc(),
            submissions::id.asc(),
            opinions::position.asc(),
        ))
        .select((
            (
                opinions::id,
                opinions::position,
                opinions::summary,
                opinions::state,
                opinions::cluster_id,
            ),
            (
                submissions::id,
                submissions::tracking_code,
                submissions::channel,
                submissions::name,
                submissions::organization,
                submissions::email,
                submissions::publish_name,
                submissions::locale,
                submissions::unit_id,
                submissions::display_order,
                submissions::received_at,
            ),
            units::name.nullable(),
            (
                decisions::status.nullable(),
                decisions::rationale.nullable(),
                decisions::state.nullable(),
            ),
            (
                decision_statuses::label_zh.nullable(),
                decision_statuses::label_en.nullable(),
                decision_statuses::requires_rationale.nullable(),
                decision_statuses::counts_as.nullable(),
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(o, s, unit_name, d, st)| {
            let decision = match (d, st) {
                (
                    (Some(status), rationale, Some(state)),
                    (Some(label_zh), Some(label_en), Some(requires_rationale), Some(counts_as)),
                ) => Some(DecisionRow {
                    status,
                    rationale,
                    state,
                    label_zh,
                    label_en,
                    requires_rationale,
                    counts_as,
                }),
                _ => None,
            };
            OpinionRow {
                opinion_id: o.0,
                position: o.1,
                summary: o.2,
                opinion_state: o.3,
                cluster_id: o.4,
                submission: SubmitterRow {
                    submission_id: s.0,
                    tracking_code: s.1,
                    channel: s.2,
                    name: s.3,
                    organization: s.4,
                    email: s.5,
                    publish_name: s.6,
                    locale: s.7,
                    unit_id: s.8,
                    unit_name,
                    display_order: s.9,
                    received_at: s.10,
                },
                decision,
            }
        })
        .collect())
}

/// `(opinion id, clause position)` for every clause link of the consultation's opinions.
pub fn clause_positions(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(opinion_clauses::table
        .inner_join(clauses::table)
        .inner_join(opinions::table)
        .filter(opinions::consultation_id.eq(consultation_id))
        .select((opinion_clauses::opinion_id, clauses::position))
        .load(conn)?)
}

/// `(cluster id, representative opinion id)` of the consultation's duplicate clusters.
pub fn clusters(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<(String, Option<String>)>, DbError> {
    Ok(opinion_clusters::table
        .filter(opinion_clusters::consultation_id.eq(consultation_id))
        .select((
            opinion_clusters::id,
            opinion_clusters::representative_opinion_id,
        ))
        .load(conn)?)
}

/// A solicited unit and how it answered.
#[derive(Debug, Clone)]
pub struct SolicitedUnit {
    pub unit_id: String,
    pub name: String,
    pub kind: String,
    pub sort_order: i64,
    /// `pending`, `replied` or `no_comment`.
    pub state: String,
    pub deadline: NaiveDateTime,
}

/// The units solicited for the consultation, in directory order.
pub fn solicited_units(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<SolicitedUnit>, DbError> {
    let rows: Vec<(String, String, String, i64, String, NaiveDateTime)> = solicitations::table
        .inner_join(units::table)
        .filter(solicitations::consultation_id.eq(consultation_id))
        .order((units::sort_order.asc(), units::name.asc()))
        .select((
            units::id,
            units::name,
            units::kind,
            units::sort_order,
            solicitations::state,
            solicitations::deadline,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(unit_id, name, kind, sort_order, state, deadline)| SolicitedUnit {
                unit_id,
                name,
                kind,
                sort_order,
                state,
                deadline,
            },
        )
        .collect())
}

/// A published edition of the report.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = publications)]
pub struct Publication {
    pub id: String,
    pub consultation_id: String,
    pub edition_no: i64,
    pub title: String,
    #[serde(skip)]
    pub model_json: String,
    #[serde(skip)]
    pub public_model_json: String,
    #[serde(skip)]
    pub published_by: Option<String>,
    pub published_at: NaiveDateTime,
}

/// A publication without its snapshots, for lists.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = publications)]
pub struct PublicationInfo {
    pub id: String,
    pub consultation_id: String,
    pub edition_no: i64,
    pub title: String,
    pub published_at: NaiveDateTime,
}

/// The consultation's publications, newest first.
pub fn publications(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<PublicationInfo>, DbError> {
    Ok(publications::table
        .filter(publications::consultation_id.eq(consultation_id))
        .filter(publications::complete.eq(true))
        .order(publications::edition_no.desc())
        .select(PublicationInfo::as_select())
        .load(conn)?)
}

/// One edition (`Some(n)`) or the latest (`None`).
pub fn publication(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition_no: Option<i64>,
) -> Result<Option<Publication>, DbError> {
    let q = publications::table
        .filter(publications::consultation_id.eq(consultation_id))
        .filter(publications::complete.eq(true))
        .select(Publication::as_select());
    let p: Option<Publication> = match edition_no {
        Some(n) => q
            .filter(publications::edition_no.eq(n))
            .first(conn)
            .optional()?,
        None => q
            .order(publications::edition_no.desc())
            .first(conn)
            .optional()?,
    };
    p.map(|p| with_snapshots(conn, p)).transpose()
}

/// One edition (`Some(n)`) or the latest (`None`), without its snapshots.
pub fn publication_info(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition_no: Option<i64>,
) -> Result<Option<PublicationInfo>, DbError> {
    let q = publications::table
        .filter(publications::consultation_id.eq(consultation_id))
        .filter(publications::complete.eq(true))
        .select(PublicationInfo::as_select());
    Ok(match edition_no {
        Some(n) => q
            .filter(publications::edition_no.eq(n))
            .first(conn)
            .optional()?,
        None => q
            .order(publications::edition_no.desc())
            .first(conn)
            .optional()?,
    })
}

/// The number the next edition gets.
pub fn next_edition_no(conn: &mut DbConnection, consultation_id: &str) -> Result<i64, DbError> {
    let max: Option<i64> = publications::table
        .filter(publications::consultation_id.eq(consultation_id))
        .filter(publications::complete.eq(true))
        .select(diesel::dsl::max(publications::edition_no))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// What one opinion's commenter is told an edition decided.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = publication_decisions)]
pub struct PublishedDecision {
    pub submission_id: String,
    pub opinion_id: String,
    pub position: i64,
    pub opinion: String,
    /// The status code (`adopted` …).
    pub status: String,
    pub status_label: String,
    pub rationale: Option<String>,
}

/// Writes an edition hidden from every reader (`complete` false) until [`complete_publication`]
/// shows it; its decisions are added with [`insert_publication_decisions`] meanwhile.
/// Its models are not written with it: they follow in parts ([`add_snapshot_part`]).
pub fn insert_staged_publication(conn: &mut DbConnection, p: &Publication) -> Result<(), DbError> {
    diesel::insert_into(publications::table)
        .values((
            publications::id.eq(&p.id),
            publications::consultation_id.eq(&p.consultation_id),
            publications::edition_no.eq(p.edition_no),
            publications::title.eq(&p.title),
            publications::model_json.eq(""),
            publications::public_model_json.eq(""),
            publications::published_by.eq(&p.published_by),
            publications::published_at.eq(p.published_at),
            publications::complete.eq(false),
            publications::followed_up.eq(false),
        ))
        .execute(conn)?;
    Ok(())
}

/// Which frozen model a snapshot part belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    Internal,
    Public,
}

impl Snapshot {
    fn code(self) -> &'static str {
        match self {
            Snapshot::Internal => "internal",
            Snapshot::Public => "public",
        }
    }
}

/// Writes part `seq` of an edition's frozen model.
pub fn add_snapshot_part(
    conn: &mut DbConnection,
    publication_id: &str,
    which: Snapshot,
    seq: i64,
    part: &str,
) -> Result<(), DbError> {
    diesel::insert_into(publication_snapshots::table)
        .values((
            publication_snapshots::publication_id.eq(publication_id),
            publication_snapshots::edition.eq(which.code()),
            publication_snapshots::seq.eq(seq),
            publication_snapshots::part.eq(part),
        ))
        .execute(conn)?;
    Ok(())
}

/// An edition's frozen model put together from its parts.
fn snapshot(
    conn: &mut DbConnection,
    publication_id: &str,
    which: Snapshot,
) -> Result<String, DbError> {
    let parts: Vec<String> = publication_snapshots::table
        .filter(publication_snapshots::publication_id.eq(publication_id))
        .filter(publication_snapshots::edition.eq(which.code()))
        .order(publication_snapshots::seq.asc())
        .select(publication_snapshots::part)
        .load(conn)?;
    Ok(parts.concat())
}

/// Fills in the models of an edition written in parts.
fn with_snapshots(conn: &mut DbConnection, mut p: Publication) -> Result<Publication, DbError> {
    if p.model_json.is_empty() {
        p.model_json = snapshot(conn, &p.id, Snapshot::Internal)?;
    }
    if p.public_model_json.is_empty() {
        p.public_model_json = snapshot(conn, &p.id, Snapshot::Public)?;
    }
    Ok(p)
}

/// Adds what a hidden edition tells each commenter, 500 rows per statement.
pub fn insert_publication_decisions(
    conn: &mut DbConnection,
    publication_id: &str,
    decided: &[PublishedDecision],
) -> Result<(), DbError> {
    crate::per_backend!(conn, |conn| {
        for chunk in decided.chunks(500) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|d| {
                    (
                        publication_decisions::id.eq(new_id()),
                        publication_decisions::publication_id.eq(publication_id),
                        publication_decisions::submission_id.eq(&d.submission_id),
                        publication_decisions::opinion_id.eq(&d.opinion_id),
                        publication_decisions::position.eq(d.position),
                        publication_decisions::opinion.eq(&d.opinion),
                        publication_decisions::status.eq(&d.status),
                        publication_decisions::status_label.eq(&d.status_label),
                        publication_decisions::rationale.eq(&d.rationale),
                    )
                })
                .collect();
            diesel::insert_into(publication_decisions::table)
                .values(rows)
                .execute(conn)?;
        }
        Ok::<(), DbError>(())
    })
}

/// Shows a hidden edition, as published at `at`. False when it is no longer there (a newer
/// attempt discarded it).
pub fn complete_publication(
    conn: &mut DbConnection,
    publication_id: &str,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        publications::table
            .filter(publications::id.eq(publication_id))
            .filter(publications::complete.eq(false)),
    )
    .set((
        publications::complete.eq(true),
        publications::published_at.eq(at),
    ))
    .execute(conn)?
        == 1)
}

/// Hidden editions (left by an interrupted publish) of a consultation, or of any consultation
/// staged before `staged_before`.
pub fn staged_publications(
    conn: &mut DbConnection,
    consultation_id: Option<&str>,
    staged_before: Option<NaiveDateTime>,
) -> Result<Vec<String>, DbError> {
    let mut q = publications::table
        .filter(publications::complete.eq(false))
        .select(publications::id)
        .into_boxed();
    if let Some(c) = consultation_id {
        q = q.filter(publications::consultation_id.eq(c.to_string()));
    }
    if let Some(t) = staged_before {
        q = q.filter(publications::published_at.lt(t));
    }
    Ok(q.load(conn)?)
}

/// Deletes up to `limit` decisions of a hidden edition, then its model parts (a few at a
/// time), then the edition itself. Returns how many rows went; 0 when nothing is left.
pub fn discard_staged(
    conn: &mut DbConnection,
    publication_id: &str,
    limit: i64,
) -> Result<usize, DbError> {
    let hidden = publications::table
        .filter(publications::id.eq(publication_id))
        .filter(publications::complete.eq(false));
    if hidden
        .select(publications::id)
        .first::<String>(conn)
        .optional()?
        .is_none()
    {
        return Ok(0);
    }
    let ids: Vec<String> = publication_decisions::table
        .filter(publication_decisions::publication_id.eq(publication_id))
        .select(publication_decisions::id)
        .limit(limit)
        .load(conn)?;
    if ids.is_empty() {
        let parts: Vec<(String, i64)> = publication_snapshots::table
            .filter(publication_snapshots::publication_id.eq(publication_id))
            .select((publication_snapshots::edition, publication_snapshots::seq))
            .limit(8)
            .load(conn)?;
        if parts.is_empty() {
            return Ok(diesel::delete(hidden).execute(conn)?);
        }
        let mut n = 0;
        for (edition, seq) in parts {
            n += diesel::delete(
                publication_snapshots::table
                    .filter(publication_snapshots::publication_id.eq(publication_id))
                    .filter(publication_snapshots::edition.eq(edition))
                    .filter(publication_snapshots::seq.eq(seq)),
            )
            .execute(conn)?;
        }
        return Ok(n);
    }
    Ok(
        diesel::delete(publication_decisions::table.filter(publication_decisions::id.eq_any(&ids)))
            .execute(conn)?,
    )
}

/// Visible editions whose follow-up is not finished, published before `before`.
pub fn unfinished_follow_ups(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<Vec<Publication>, DbError> {
    Ok(publications::table
        .filter(publications::complete.eq(true))
        .filter(publications::followed_up.eq(false))
        .filter(publications::published_at.lt(before))
        .select(Publication::as_select())
        .load(conn)?)
}

pub fn set_followed_up(conn: &mut DbConnection, publication_id: &str) -> Result<(), DbError> {
    diesel::update(publications::table.filter(publications::id.eq(publication_id)))
        .set(publications::followed_up.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Adds a `publish` entry to the history of each decision an edition published, skipping
/// those that have it already (a follow-up finished again after an interruption).
pub fn add_publish_history(
    conn: &mut DbConnection,
    p: &Publication,
    decided: &[PublishedDecision],
) -> Result<(), DbError> {
    use super::schema::decision_history;
    let note = format!("edition {}", p.edition_no);
    let ids: Vec<&str> = decided.iter().map(|d| d.opinion_id.as_str()).collect();
    let done: std::collections::HashSet<String> = decision_history::table
        .filter(decision_history::opinion_id.eq_any(&ids))
        .filter(decision_history::action.eq("publish"))
        .filter(decision_history::note.eq(&note))
        .select(decision_history::opinion_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    crate::per_backend!(conn, |conn| {
        for chunk in decided.chunks(500) {
            let history: Vec<_> = chunk
                .iter()
                .filter(|d| !done.contains(&d.opinion_id))
                .map(|d| {
                    (
                        decision_history::id.eq(new_id()),
                        decision_history::opinion_id.eq(&d.opinion_id),
                        decision_history::action.eq("publish"),
                        decision_history::status.eq(&d.status),
                        decision_history::rationale.eq(&d.rationale),
                        decision_history::note.eq(Some(note.clone())),
                        decision_history::actor_user_id.eq(&p.published_by),
                        decision_history::created_at.eq(p.published_at),
                    )
                })
                .collect();
            if !history.is_empty() {
                diesel::insert_into(decision_history::table)
                    .values(history)
                    .execute(conn)?;
            }
        }
        Ok::<(), DbError>(())
    })
}

/// An opinion's state and its own decision: (opinion id, opinion state, status, rationale).
pub type CurrentDecision = (String, String, String, Option<String>);

/// The current state and own decision of some opinions.
pub fn current_decisions(
    conn: &mut DbConnection,
    opinion_ids: &[&str],
) -> Result<Vec<CurrentDecision>, DbError> {
    Ok(opinions::table
        .inner_join(decisions::table.on(decisions::opinion_id.eq(opinions::id)))
        .filter(opinions::id.eq_any(opinion_ids))
        .select((
            opinions::id,
            opinions::state,
            decisions::status,
            decisions::rationale,
        ))
        .load(conn)?)
}

/// Marks opinions published (those still approved).
pub fn set_opinions_published(
    conn: &mut DbConnection,
    opinion_ids: &[&str],
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        opinions::table
            .filter(opinions::id.eq_any(opinion_ids))
            .filter(opinions::state.eq("approved")),
    )
    .set((opinions::state.eq("published"), opinions::updated_at.eq(at)))
    .execute(conn)?)
}

/// The decisions an edition published, in submission and opinion order.
pub fn published_decisions(
    conn: &mut DbConnection,
    publication_id: &str,
) -> Result<Vec<PublishedDecision>, DbError> {
    Ok(publication_decisions::table
        .filter(publication_decisions::publication_id.eq(publication_id))
        .order((
            publication_decisions::submission_id.asc(),
            publication_decisions::position.asc(),
        ))
        .select(PublishedDecision::as_select())
        .load(conn)?)
}

/// What the latest edition of its consultation's report published about one submission;
/// None before the first edition.
pub fn published_for_submission(
    conn: &mut DbConnection,
    consultation_id: &str,
    submission_id: &str,
) -> Result<Option<Vec<PublishedDecision>>, DbError> {
    let Some(latest) = publications::table
        .filter(publications::consultation_id.eq(consultation_id))
        .filter(publications::complete.eq(true))
        .order(publications::edition_no.desc())
        .select(publications::id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(
        publication_decisions::table
            .filter(publication_decisions::publication_id.eq(&latest))
            .filter(publication_decisions::submission_id.eq(submission_id))
            .order(publication_decisions::position.asc())
            .select(PublishedDecision::as_select())
            .load(conn)?,
    ))
}

/// Saves the consultation's report settings (JSON).
pub fn set_config(
    conn: &mut DbConnection,
    consultation_id: &str,
    config_json: &str,
) -> Result<bool, DbError> {
    use super::schema::consultations;
    let n = diesel::update(consultations::table.filter(consultations::id.eq(consultation_id)))
        .set((
            consultations::report_config.eq(config_json),
            consultations::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The enabled decision statuses: `(code, label_zh)`, in their configured order.
pub fn statuses(conn: &mut DbConnection) -> Result<Vec<(String, String)>, DbError> {
    Ok(decision_statuses::table
        .filter(decision_statuses::enabled.eq(true))
        .order(decision_statuses::position.asc())
        .select((decision_statuses::code, decision_statuses::label_zh))
        .load(conn)?)
}
