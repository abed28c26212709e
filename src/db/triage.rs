//! Triage: the inbox of opinions, their clause links, assignments, decisions, duplicate
//! clusters and signatures.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    clauses, decision_history, decision_statuses, decisions, duties, duty_units, opinion_bands,
    opinion_clauses, opinion_clusters, opinion_signatures, opinions, rationale_phrases,
    submissions, units, users,
};
use super::{Backend, DbConnection, DbError, MultiBackend, new_id};

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    opinion_clauses::clause_id,
    opinions::state,
);

diesel::define_sql_function! {
    /// `lower()`, the same on both backends for ASCII.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = opinions)]
pub struct Opinion {
    pub id: String,
    pub consultation_id: String,
    pub submission_id: String,
    pub position: i64,
    pub received_text: String,
    pub summary: String,
    pub state: String,
    pub cluster_id: Option<String>,
    pub assignee_user_id: Option<String>,
    pub assignee_unit_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = decisions)]
pub struct Decision {
    pub id: String,
    pub opinion_id: String,
    pub status: String,
    pub rationale: Option<String>,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: NaiveDateTime,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub return_note: Option<String>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = decision_statuses)]
pub struct DecisionStatus {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
    pub requires_rationale: bool,
    pub counts_as: String,
    pub position: i64,
    pub enabled: bool,
}

/// What arrived, as the inbox shows it beside an opinion.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = submissions)]
pub struct SubmissionBrief {
    pub id: String,
    pub tracking_code: String,
    pub channel: String,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub unit_id: Option<String>,
    pub received_at: NaiveDateTime,
}

/// One row of the inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub opinion: Opinion,
    pub submission: SubmissionBrief,
    pub decision_status: Option<String>,
    pub decision_state: Option<String>,
}

/// Filters of the inbox; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Opinions linked to any of these clauses.
    pub clause_ids: Option<Vec<String>>,
    /// Opinions linked to no clause at all.
    pub unlinked: bool,
    pub state: Option<String>,
    pub decision_status: Option<String>,
    pub channel: Option<String>,
    pub unit_id: Option<String>,
    pub assignee_user_id: Option<String>,
    pub cluster_id: Option<String>,
    /// A substring of the summary or the received text (Chinese or not), case-insensitive for
    /// ASCII.
    pub q: Option<String>,
}

type Boxed<'a> = opinions::BoxedQuery<'a, MultiBackend>;

fn filtered<'a>(backend: Backend, consultation_id: &'a str, f: &'a InboxFilter) -> Boxed<'a> {
    let mut q: Boxed<'a> = opinions::table
        .filter(opinions::consultation_id.eq(consultation_id))
        .into_boxed();
    if let Some(ids) = &f.clause_ids {
        q = q.filter(
            opinions::id.eq_any(
                opinion_clauses::table
                    .filter(opinion_clauses::clause_id.eq_any(ids.clone()))
                    .select(opinion_clauses::opinion_id),
            ),
        );
    }
    if f.unlinked {
        q = q.filter(diesel::dsl::not(diesel::dsl::exists(
            opinion_clauses::table.filter(opinion_clauses::opinion_id.eq(opinions::id)),
        )));
    }
    if let Some(s) = &f.state {
        q = q.filter(opinions::state.eq(s));
    }
    if let Some(s) = &f.decision_status {
        q = q.filter(
            opinions::id.eq_any(
                decisions::table
                    .filter(decisions::status.eq(s))
                    .select(decisions::opinion_id),
            ),
        );
    }
    if let Some(c) = &f.channel {
        q = q.filter(
            opinions::submission_id.eq_any(
                submissions::table
                    .filter(submissions::consultation_id.eq(consultation_id))
                    .filter(submissions::channel.eq(c))
                    .select(submissions::id),
            ),
        );
    }
    if let Some(u) = &f.unit_id {
        q = q.filter(opinions::assignee_unit_id.eq(u));
    }
    if let Some(u) = &f.assignee_user_id {
        q = q.filter(opinions::assignee_user_id.eq(u));
    }
    if let Some(c) = &f.cluster_id {
        q = q.filter(opinions::cluster_id.eq(c));
    }
    if let Some(text) = f.q.as_deref().filter(|t| t.chars().count() >= 3) {
        // Three characters or more: the full-text index. On SQLite an FTS5 table with the
        // trigram tokenizer (kept by triggers on `opinions`); on PostgreSQL the LIKE below,
        // which pg_trgm's GIN indexes on both texts answer.
        if backend == Backend::Sqlite {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            return q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "opinions.rowid IN (SELECT rowid FROM opinion_search WHERE opinion_search MATCH ",
                )
                .bind::<diesel::sql_types::Text, _>(phrase)
                .sql(")"),
            );
        }
    }
    if let Some(text) = &f.q {
        // One or two characters: no index helps; the consultation's texts are scanned.
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        q = q.filter(
            lower(opinions::summary)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(opinions::received_text).like(pattern).escape('\\')),
        );
    }
    q
}

/// `%`, `_` and `\` taken literally in a LIKE pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A page of the inbox, newest first: up to `limit` rows (ask one more to know whether a next
/// page exists).
pub fn inbox_page(
    conn: &mut DbConnection,
    consultation_id: &str,
    f: &InboxFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<InboxRow>, DbError> {
    let ops: Vec<Opinion> = filtered(conn.backend(), consultation_id, f)
        .order((opinions::created_at.desc(), opinions::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Opinion::as_select())
        .load(conn)?;
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    let sub_ids: Vec<&str> = ops.iter().map(|o| o.submission_id.as_str()).collect();
    let subs: Vec<SubmissionBrief> = submissions::table
        .filter(submissions::id.eq_any(&sub_ids))
        .select(SubmissionBrief::as_select())
        .load(conn)?;
    let ids: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
    let decs: Vec<(String, String, String)> = decisions::table
        .filter(decisions::opinion_id.eq_any(&ids))
        .select((decisions::opinion_id, decisions::status, decisions::state))
        .load(conn)?;
    let mut out = Vec::with_capacity(ops.len());
    for o in ops {
        let Some(s) = subs.iter().find(|s| s.id == o.submission_id) else {
            continue;
        };
        let d = decs.iter().find(|d| d.0 == o.id);
        out.push(InboxRow {
            submission: s.clone(),
            decision_status: d.map(|d| d.1.clone()),
            decision_state: d.map(|d| d.2.clone()),
            opinion: o,
        });
    }
    Ok(out)
}

/// How many opinions match, counting no further than `cap` + 1 (a filter matching tens of
/// thousands need not be counted exactly to be shown as "more than `cap`").
pub fn inbox_count(
    conn: &mut DbConnection,
    consultation_id: &str,
    f: &InboxFilter,
    cap: i64,
) -> Result<i64, DbError> {
    let ids: Vec<String> = filtered(conn.backend(), consultation_id, f)
        .select(opinions::id)
        .limit(cap + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}

/// Opinions by state, optionally only those assigned to one unit.
pub fn state_counts(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit_id: Option<&str>,
) -> Result<Vec<(String, i64)>, DbError> {
    let mut q = opinions::table
        .filter(opinions::consultation_id.eq(consultation_id))
        .group_by(opinions::state)
        .select((opinions::state, diesel::dsl::count_star()))
        .into_boxed::<MultiBackend>();
    if let Some(u) = unit_id {
        q = q.filter(opinions::assignee_unit_id.eq(u.to_string()));
    }
    Ok(q.load(conn)?)
}

/// (clause id, opinion state, count) over the linked opinions of a consultation.
pub fn clause_state_counts(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit_id: Option<&str>,
) -> Result<Vec<(String, String, i64)>, DbError> {
    let mut q = opinion_clauses::table
        .inner_join(opinions::table)
        .filter(opinions::consultation_id.eq(consultation_id))
        .group_by((opinion_clauses::clause_id, opinions::state))
        .select((
            opinion_clauses::clause_id,
            opinions::state,
            diesel::dsl::count_star(),
        ))
        .into_boxed::<MultiBackend>();
    if let Some(u) = unit_id {
        q = q.filter(opinions::assignee_unit_id.eq(u.to_string()));
    }
    Ok(q.load(conn)?)
}

/// (opinion id, clause id, clause path, heading).
pub type LinkRow = (String, String, String, Option<String>);

/// The clause links of these opinions, in document order.
pub fn links_of(conn: &mut DbConnection, opinion_ids: &[&str]) -> Result<Vec<LinkRow>, DbError> {
    Ok(opinion_clauses::table
        .inner_join(clauses::table)
        .filter(opinion_clauses::opinion_id.eq_any(opinion_ids))
        .order(clauses::position.asc())
        .select((
            opinion_clauses::opinion_id,
            clauses::id,
            clauses::path,
            clauses::heading,
        ))
        .load(conn)?)
}

/// Members per cluster of a consultation.
pub fn cluster_sizes_of(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<Vec<(String, i64)>, DbError> {
    // Through the consultation's clusters, so only their members are read (from the index on
    // `cluster_id`), not every opinion of the consultation.
    let clusters = opinion_clusters::table
        .filter(opinion_clusters::consultation_id.eq(consultation_id))
        .select(opinion_clusters::id.nullable());
    let v: Vec<(Option<String>, i64)> = opinions::table
        .filter(opinions::cluster_id.eq_any(clusters))
        .group_by(opinions::cluster_id)
        .select((opinions::cluster_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(v.into_iter()
        .filter_map(|(c, n)| c.map(|c| (c, n)))
        .collect())
}

pub fn find_opinion(conn: &mut DbConnection, id: &str) -> Result<Option<Opinion>, DbError> {
    Ok(opinions::table
        .find(id)
        .select(Opinion::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_opinions(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<Opinion>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            opinions::table
                .filter(opinions::id.eq_any(chunk))
                .select(Opinion::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

pub fn submission_of(
    conn: &mut DbConnection,
    submission_id: &str,
) -> Result<(SubmissionBrief, String), DbError> {
    Ok(submissions::table
        .find(submission_id)
        .select((SubmissionBrief::as_select(), submissions::body))
        .first(conn)?)
}

pub fn decision_of(conn: &mut DbConnection, opinion_id: &str) -> Result<Option<Decision>, DbError> {
    Ok(decisions::table
        .filter(decisions::opinion_id.eq(opinion_id))
        .select(Decision::as_select())
        .first(conn)
        .optional()?)
}

pub fn statuses(conn: &mut DbConnection) -> Result<Vec<DecisionStatus>, DbError> {
    Ok(decision_statuses::table
        .order(decision_statuses::position.asc())
        .select(DecisionStatus::as_select())
        .load(conn)?)
}

pub fn set_summary(
    conn: &mut DbConnection,
    opinion_id: &str,
    summary: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(opinions::table.find(opinion_id))
        .set((opinions::summary.eq(summary), opinions::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Links a clause; false when it was linked already.
pub fn link(
    conn: &mut DbConnection,
    opinion_id: &str,
    clause_id: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let exists: i64 = opinion_clauses::table
        .filter(opinion_clauses::opinion_id.eq(opinion_id))
        .filter(opinion_clauses::clause_id.eq(clause_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(opinion_clauses::table)
        .values((
            opinion_clauses::opinion_id.eq(opinion_id),
            opinion_clauses::clause_id.eq(clause_id),
            opinion_clauses::linked_by.eq(by),
            opinion_clauses::linked_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Unlinks a clause; false when it was not linked.
pub fn unlink(conn: &mut DbConnection, opinion_id: &str, clause_id: &str) -> Result<bool, DbError> {
    let n = diesel::delete(
        opinion_clauses::table
            .filter(opinion_clauses::opinion_id.eq(opinion_id))
            .filter(opinion_clauses::clause_id.eq(clause_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The consultation a clause belongs to (through its version).
pub fn clause_consultation(
    conn: &mut DbConnection,
    clause_id: &str,
) -> Result<Option<String>, DbError> {
    use super::schema::draft_versions;
    Ok(clauses::table
        .inner_join(draft_versions::table)
        .filter(clauses::id.eq(clause_id))
        .select(draft_versions::consultation_id)
        .first(conn)
        .optional()?)
}

/// (clause id, parent id, unit id) of every lead unit of the version's duty notes that matched
/// the directory, in document order.
pub fn lead_units(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<(String, Option<String>, String)>, DbError> {
    let v: Vec<(String, Option<String>, Option<String>)> = duty_units::table
        .inner_join(duties::table.inner_join(clauses::table))
        .filter(clauses::version_id.eq(version_id))
        .filter(duty_units::role.eq("lead"))
        .filter(duty_units::unit_id.is_not_null())
        .order((
            clauses::position.asc(),
            duties::position.asc(),
            duty_units::position.asc(),
        ))
        .select((clauses::id, clauses::parent_id, duty_units::unit_id))
        .load(conn)?;
    Ok(v.into_iter()
        .filter_map(|(c, p, u)| u.map(|u| (c, p, u)))
        .collect())
}

pub fn set_assignee(
    conn: &mut DbConnection,
    opinion_id: &str,
    unit_id: Option<&str>,
    user_id: Option<&str>,
    state: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(opinions::table.find(opinion_id))
        .set((
            opinions::assignee_unit_id.eq(unit_id),
            opinions::assignee_user_id.eq(user_id),
            opinions::state.eq(state),
            opinions::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_state(
    conn: &mut DbConnection,
    opinion_id: &str,
    state: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(opinions::table.find(opinion_id))
        .set((opinions::state.eq(state), opinions::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// Writes a proposal: a new decision, or the existing one replaced.
pub fn propose(
    conn: &mut DbConnection,
    opinion_id: &str,
    status: &str,
    rationale: Option<&str>,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let n = diesel::update(decisions::table.filter(decisions::opinion_id.eq(opinion_id)))
        .set((
            decisions::status.eq(status),
            decisions::rationale.eq(rationale),
            decisions::state.eq("proposed"),
            decisions::decided_by.eq(by),
            decisions::decided_at.eq(at),
            decisions::approved_by.eq(None::<String>),
            decisions::approved_at.eq(None::<NaiveDateTime>),
            decisions::return_note.eq(None::<String>),
            decisions::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(decisions::table)
            .values((
                decisions::id.eq(new_id()),
                decisions::opinion_id.eq(opinion_id),
                decisions::status.eq(status),
                decisions::rationale.eq(rationale),
                decisions::state.eq("proposed"),
                decisions::decided_by.eq(by),
                decisions::decided_at.eq(at),
                decisions::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    diesel::update(opinions::table.find(opinion_id))
        .set((opinions::state.eq("proposed"), opinions::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

pub fn set_decision_state(
    conn: &mut DbConnection,
    opinion_id: &str,
    state: &str,
    approved_by: Option<&str>,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let approved_at = (state == "approved").then_some(at);
    diesel::update(decisions::table.filter(decisions::opinion_id.eq(opinion_id)))
        .set((
            decisions::state.eq(state),
            decisions::approved_by.eq(approved_by),
            decisions::approved_at.eq(approved_at),
            decisions::return_note.eq(note),
            decisions::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn add_history(
    conn: &mut DbConnection,
    opinion_id: &str,
    action: &str,
    status: &str,
    rationale: Option<&str>,
    note: Option<&str>,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(decision_history::table)
        .values((
            decision_history::id.eq(new_id()),
            decision_history::opinion_id.eq(opinion_id),
            decision_history::action.eq(action),
            decision_history::status.eq(status),
            decision_history::rationale.eq(rationale),
            decision_history::note.eq(note),
            decision_history::actor_user_id.eq(by),
            decision_history::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The reusable rationale phrases, alphabetically.
pub fn phrases(conn: &mut DbConnection) -> Result<Vec<(String, String)>, DbError> {
    Ok(rationale_phrases::table
        .order(rationale_phrases::text.asc())
        .select((rationale_phrases::id, rationale_phrases::text))
        .load(conn)?)
}

/// Adds a phrase unless it is there already; true when added.
pub fn add_phrase(
    conn: &mut DbConnection,
    text: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let exists: i64 = rationale_phrases::table
        .filter(rationale_phrases::text.eq(text))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(rationale_phrases::table)
        .values((
            rationale_phrases::id.eq(new_id()),
            rationale_phrases::text.eq(text),
            rationale_phrases::created_by.eq(by),
            rationale_phrases::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The next free position for an opinion of a submission.
pub fn next_position(conn: &mut DbConnection, submission_id: &str) -> Result<i64, DbError> {
    let max: Option<i64> = opinions::table
        .filter(opinions::submission_id.eq(submission_id))
        .select(diesel::dsl::max(opinions::position))
        .first(conn)?;
    Ok(max.map_or(0, |m| m + 1))
}

pub fn set_received_text(
    conn: &mut DbConnection,
    opinion_id: &str,
    received_text: &str,
    summary: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(opinions::table.find(opinion_id))
        .set((
            opinions::received_text.eq(received_text),
            opinions::summary.eq(summary),
            opinions::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A new opinion of a submission, a copy of `from`'s assignment and clause links.
pub fn insert_split(
    conn: &mut DbConnection,
    from: &Opinion,
    position: i64,
    text: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(opinions::table)
        .values((
            opinions::id.eq(&id),
            opinions::consultation_id.eq(&from.consultation_id),
            opinions::submission_id.eq(&from.submission_id),
            opinions::position.eq(position),
            opinions::received_text.eq(text),
            opinions::summary.eq(text),
            opinions::state.eq(&from.state),
            opinions::assignee_user_id.eq(&from.assignee_user_id),
            opinions::assignee_unit_id.eq(&from.assignee_unit_id),
            opinions::created_at.eq(at),
            opinions::updated_at.eq(at),
        ))
        .execute(conn)?;
    let links: Vec<String> = opinion_clauses::table
        .filter(opinion_clauses::opinion_id.eq(&from.id))
        .select(opinion_clauses::clause_id)
        .load(conn)?;
    for c in links {
        link(conn, &id, &c, by, at)?;
    }
    Ok(id)
}

/// Units by id → name.
pub fn unit_names(conn: &mut DbConnection) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(units::table
        .filter(units::disabled.eq(false))
        .order((
            units::kind.asc(),
            units::sort_order.asc(),
            units::name.asc(),
        ))
        .select((units::id, units::name, units::kind))
        .load(conn)?)
}

/// (id, name, role, unit id) of a person.
pub type PersonRow = (String, String, String, Option<String>);

/// People who can be given an opinion: active staff, admins and department users.
pub fn assignable_users(conn: &mut DbConnection) -> Result<Vec<PersonRow>, DbError> {
    Ok(users::table
        .filter(users::disabled_at.is_null())
        .filter(users::role.eq_any(["staff", "admin", "department"]))
        .order(users::name.asc())
        .select((users::id, users::name, users::role, users::unit_id))
        .load(conn)?)
}

// ---- duplicate clusters ------------------------------------------------------------------

/// Opinions waiting for their signature (new ones, and those whose text changed), oldest
/// first: (consultation id, opinion id, received text). Of one consultation, or of all.
pub fn pending_signatures(
    conn: &mut DbConnection,
    consultation_id: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, String, String)>, DbError> {
    // `WHERE needs_signature` as the partial index says it, so the index serves the query.
    let mut q = opinions::table
        .filter(opinions::needs_signature)
        .select((
            opinions::consultation_id,
            opinions::id,
            opinions::received_text,
        ))
        .order((opinions::consultation_id.asc(), opinions::created_at.asc()))
        .limit(limit)
        .into_boxed::<MultiBackend>();
    if let Some(c) = consultation_id {
        q = q.filter(opinions::consultation_id.eq(c.to_string()));
    }
    Ok(q.load(conn)?)
}

/// How many of a consultation's opinions wait for their signature.
pub fn pending_signature_count(
    conn: &mut DbConnection,
    consultation_id: &str,
) -> Result<i64, DbError> {
    Ok(opinions::table
        .filter(opinions::needs_signature)
        .filter(opinions::consultation_id.eq(consultation_id))
        .count()
        .get_result(conn)?)
}

/// (band key, opinion id) of the consultation's opinions with any of these band keys
/// (detached ones have none).
pub fn band_members(
    conn: &mut DbConnection,
    consultation_id: &str,
    keys: &[i64],
) -> Result<Vec<(i64, String)>, DbError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        out.extend(
            opinion_bands::table
                .filter(opinion_bands::consultation_id.eq(consultation_id))
                .filter(opinion_bands::band_key.eq_any(chunk))
                .select((opinion_bands::band_key, opinion_bands::opinion_id))
                .load::<(i64, String)>(conn)?,
        );
    }
    Ok(out)
}

/// (opinion id, signature, cluster id) of these opinions, leaving out detached ones.
pub fn signatures_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<(String, String, Option<String>)>, DbError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            opinion_signatures::table
                .inner_join(opinions::table)
                .filter(opinion_signatures::opinion_id.eq_any(chunk))
                .filter(opinion_signatures::detached.eq(false))
                .select((
                    opinion_signatures::opinion_id,
                    opinion_signatures::signature,
                    opinions::cluster_id,
                ))
                .load::<(String, String, Option<String>)>(conn)?,
        );
    }
    Ok(out)
}

/// Stores signatures and band keys: (opinion id, signature hex, band keys).
pub fn insert_signatures(
    conn: &mut DbConnection,
    consultation_id: &str,
    rows: &[(String, String, Vec<i64>)],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    for chunk in rows.chunks(200) {
        let sigs: Vec<_> = chunk
            .iter()
            .map(|(id, sig, _)| {
                (
                    opinion_signatures::opinion_id.eq(id.as_str()),
                    opinion_signatures::consultation_id.eq(consultation_id),
                    opinion_signatures::signature.eq(sig.as_str()),
                    opinion_signatures::detached.eq(false),
                    opinion_signatures::computed_at.eq(at),
                )
            })
            .collect();
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(
            opinion_signatures::table
        )
        .values(&sigs)
        .execute(c))?;
        let bands: Vec<_> = chunk
            .iter()
            .flat_map(|(id, _, keys)| {
                let mut keys = keys.clone();
                keys.sort_unstable();
                keys.dedup();
                keys.into_iter().map(move |k| {
                    (
                        opinion_bands::consultation_id.eq(consultation_id),
                        opinion_bands::band_key.eq(k),
                        opinion_bands::opinion_id.eq(id.clone()),
                    )
                })
            })
            .collect();
        for b in bands.chunks(300) {
            crate::per_backend!(&mut *conn, |c| diesel::insert_into(opinion_bands::table)
                .values(b)
                .execute(c))?;
        }
        let ids: Vec<&str> = chunk.iter().map(|(id, _, _)| id.as_str()).collect();
        diesel::update(opinions::table.filter(opinions::id.eq_any(ids)))
            .set(opinions::needs_signature.eq(false))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets an opinion's signature and band keys (its text changed): it waits for a new one.
pub fn forget_signature(conn: &mut DbConnection, opinion_id: &str) -> Result<(), DbError> {
    diesel::delete(opinion_bands::table.filter(opinion_bands::opinion_id.eq(opinion_id)))
        .execute(conn)?;
    diesel::delete(opinion_signatures::table.find(opinion_id)).execute(conn)?;
    diesel::update(opinions::table.find(opinion_id))
        .set(opinions::needs_signature.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Keeps an opinion out of automatic clustering from now on.
pub fn detach_signature(conn: &mut DbConnection, opinion_id: &str) -> Result<(), DbError> {
    diesel::delete(opinion_bands::table.filter(opinion_bands::opinion_id.eq(opinion_id)))
        .execute(conn)?;
    diesel::update(opinion_signatures::table.find(opinion_id))
        .set(opinion_signatures::detached.eq(true))
        .execute(conn)?;
    Ok(())
}

pub fn create_cluster(
    conn: &mut DbConnection,
    consultation_id: &str,
    representative: &str,
    at: NaiveDateTime,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(opinion_clusters::table)
        .values((
            opinion_clusters::id.eq(&id),
            opinion_clusters::consultation_id.eq(consultation_id),
            opinion_clusters::representative_opinion_id.eq(representative),
            opinion_clusters::created_at.eq(at),
            opinion_clusters::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Puts opinions into a cluster.
pub fn set_cluster(
    conn: &mut DbConnection,
    opinion_ids: &[String],
    cluster_id: Option<&str>,
) -> Result<(), DbError> {
    for chunk in opinion_ids.chunks(500) {
        diesel::update(opinions::table.filter(opinions::id.eq_any(chunk)))
            .set(opinions::cluster_id.eq(cluster_id))
            .execute(conn)?;
    }
    Ok(())
}

/// Records that opinions joined a cluster (one audit event each, written in batches).
pub fn audit_joined(
    conn: &mut DbConnection,
    consultation_id: &str,
    opinion_ids: &[String],
    cluster_id: &str,
    actor_label: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    use super::schema::audit_events;
    let after = serde_json::json!({ "cluster": cluster_id }).to_string();
    for chunk in opinion_ids.chunks(100) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|id| {
                (
                    audit_events::id.eq(new_id()),
                    audit_events::at.eq(at),
                    audit_events::actor_label.eq(actor_label),
                    audit_events::action.eq("opinion.cluster"),
                    audit_events::entity_type.eq("opinion"),
                    audit_events::entity_id.eq(id.as_str()),
                    audit_events::consultation_id.eq(consultation_id),
                    audit_events::after_json.eq(after.as_str()),
                )
            })
            .collect();
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(audit_events::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// Moves every member of `from` into `into` and removes `from`.
pub fn merge_cluster(conn: &mut DbConnection, from: &str, into: &str) -> Result<(), DbError> {
    diesel::update(opinions::table.filter(opinions::cluster_id.eq(from)))
        .set(opinions::cluster_id.eq(into))
        .execute(conn)?;
    diesel::delete(opinion_clusters::table.find(from)).execute(conn)?;
    Ok(())
}

/// The members of a cluster, oldest first.
pub fn cluster_members(conn: &mut DbConnection, cluster_id: &str) -> Result<Vec<Opinion>, DbError> {
    Ok(opinions::table
        .filter(opinions::cluster_id.eq(cluster_id))
        .order((opinions::created_at.asc(), opinions::id.asc()))
        .select(Opinion::as_select())
        .load(conn)?)
}

/// The decisions of a cluster's members (members without one have no row).
pub fn cluster_decisions(
    conn: &mut DbConnection,
    cluster_id: &str,
) -> Result<Vec<Decision>, DbError> {
    Ok(decisions::table
        .inner_join(opinions::table)
        .filter(opinions::cluster_id.eq(cluster_id))
        .select(Decision::as_select())
        .load(conn)?)
}

/// Gives an undecided opinion the decision its cluster agreed on, in `state` (`proposed` or
/// `approved`, then as approved by `approved_by`, who approved the cluster's decision), with
/// history entries that say so (`note`) and name no one as deciding.
#[allow(clippy::too_many_arguments)]
pub fn inherit_decision(
    conn: &mut DbConnection,
    opinion_id: &str,
    status: &str,
    rationale: Option<&str>,
    state: &str,
    approved_by: Option<&str>,
    note: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    propose(conn, opinion_id, status, rationale, None, at)?;
    add_history(
        conn,
        opinion_id,
        "propose",
        status,
        rationale,
        Some(note),
        None,
        at,
    )?;
    if state == "approved" {
        set_decision_state(conn, opinion_id, "approved", approved_by, None, at)?;
        set_state(conn, opinion_id, "approved", at)?;
        add_history(
            conn,
            opinion_id,
            "approve",
            status,
            rationale,
            Some(note),
            None,
            at,
        )?;
    }
    Ok(())
}

/// (representative opinion id) of a cluster.
pub fn cluster_representative(
    conn: &mut DbConnection,
    cluster_id: &str,
) -> Result<Option<String>, DbError> {
    Ok(opinion_clusters::table
        .find(cluster_id)
        .select(opinion_clusters::representative_opinion_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// A cluster left with fewer than two members is dissolved; otherwise its representative is
/// kept a member (the oldest one when it left).
pub fn prune_cluster(
    conn: &mut DbConnection,
    cluster_id: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let members = cluster_members(conn, cluster_id)?;
    if members.len() < 2 {
        diesel::update(opinions::table.filter(opinions::cluster_id.eq(cluster_id)))
            .set(opinions::cluster_id.eq(None::<String>))
            .execute(conn)?;
        diesel::delete(opinion_clusters::table.find(cluster_id)).execute(conn)?;
        return Ok(());
    }
    let rep = cluster_representative(conn, cluster_id)?;
    if !rep.is_some_and(|r| members.iter().any(|m| m.id == r)) {
        diesel::update(opinion_clusters::table.find(cluster_id))
            .set((
                opinion_clusters::representative_opinion_id.eq(&members[0].id),
                opinion_clusters::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The opinions before and after one in the inbox's order (newest first): (previous, next).
pub fn neighbours(
    conn: &mut DbConnection,
    o: &Opinion,
    unit_id: Option<&str>,
) -> Result<(Option<String>, Option<String>), DbError> {
    let base = || {
        let mut q = opinions::table
            .filter(opinions::consultation_id.eq(o.consultation_id.clone()))
            .select(opinions::id)
            .into_boxed::<MultiBackend>();
        if let Some(u) = unit_id {
            q = q.filter(opinions::assignee_unit_id.eq(u.to_string()));
        }
        q
    };
    let newer = base()
        .filter(
            opinions::created_at
                .gt(o.created_at)
                .or(opinions::created_at
                    .eq(o.created_at)
                    .and(opinions::id.gt(o.id.clone()))),
        )
        .order((opinions::created_at.asc(), opinions::id.asc()))
        .first::<String>(conn)
        .optional()?;
    let older = base()
        .filter(
            opinions::created_at
                .lt(o.created_at)
                .or(opinions::created_at
                    .eq(o.created_at)
                    .and(opinions::id.lt(o.id.clone()))),
        )
        .order((opinions::created_at.desc(), opinions::id.desc()))
        .first::<String>(conn)
        .optional()?;
    Ok((newer, older))
}
