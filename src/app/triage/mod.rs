//! Triage (the workbench): the inbox of opinions with its clause heat map, splitting, summaries,
//! clause links and suggestions, assignment, decisions, approval, bulk actions and duplicate
//! clusters.
//!
//! Who may do what: the office (staff, admins) does everything but approve; approvers and
//! admins approve or send back; department users see only the opinions assigned to their unit
//! (any other is "not found") and may propose decisions on them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::audit::{self, AuditEvent};
use crate::db::consultations::Consultation;
use crate::db::drafts::ClauseRow;
use crate::db::triage::{self as store, Decision, DecisionStatus, InboxFilter, Opinion};
use crate::db::{self, DbConnection};
use crate::domain::Role;
use crate::domain::duplicates::{self, Index, Params, Signature};
use crate::domain::suggest::{self, ClauseRef, Reason};

mod clusters;
mod decisions;
use clusters::cluster_new;
pub use clusters::{detach, refresh_clusters, run_worker, sign_pending};
pub use decisions::{
    AssignInput, BulkAction, DecideInput, approve, assign, bulk, decide, send_back,
};

/// Who proposes decisions: the office and department users (on their unit's opinions).
pub const DECIDERS: &[Role] = &[Role::Staff, Role::Admin, Role::Department];
/// Who approves decisions or sends them back.
pub const APPROVERS: &[Role] = &[Role::Approver, Role::Admin];
/// Who reads the inbox.
pub const READERS: &[Role] = &[Role::Staff, Role::Admin, Role::Approver, Role::Department];

pub const PER_PAGE: i64 = 50;
/// Filtered lists are counted up to this many.
pub const COUNT_CAP: i64 = 1000;
const SUMMARY_MAX: usize = 10_000;
const RATIONALE_MAX: usize = 2_000;
/// How long the heat map's counts may be served from memory (changes made on this node clear
/// them at once; recounting 100,000 opinions takes about a second).
const COUNTS_TTL: Duration = Duration::from_secs(30);
/// Most opinions the duplicates worker signs in one transaction: its transactions stay short,
/// so comments arriving meanwhile wait for the write lock a few milliseconds at most.
pub const SIGN_BATCH: i64 = 200;
/// The inbox brings its consultation's clusters up to date itself when at most this many
/// opinions wait; a larger backlog (a bulk import, the first run after an upgrade) is left to
/// the worker, and the inbox says how many are still waiting.
const INLINE_SIGN: i64 = 500;

pub const STATES: &[&str] = &["new", "assigned", "proposed", "approved", "published"];
pub const CHANNELS: &[&str] = &[
    "public_web",
    "department",
    "letter",
    "email",
    "meeting",
    "other",
];

// ---- caches -------------------------------------------------------------------------------

/// Counts of a consultation (for one unit, or all): by state, and by clause (new, decided).
#[derive(Debug, Default)]
struct Aggregates {
    states: Vec<(String, i64)>,
    by_clause: HashMap<String, (i64, i64)>,
    /// Members per duplicate cluster.
    cluster_sizes: HashMap<String, i64>,
}

type CountCache = Mutex<HashMap<String, (Instant, Arc<Aggregates>)>>;
static COUNTS: LazyLock<CountCache> = LazyLock::new(Default::default);
static REFRESHING: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);
static TREES: LazyLock<Mutex<HashMap<String, Arc<Vec<ClauseRow>>>>> =
    LazyLock::new(Default::default);

/// Forgets the cached counts of a consultation (after a change on this node).
fn invalidate(consultation_id: &str) {
    if let Ok(mut m) = COUNTS.lock() {
        m.retain(|k, _| !k.starts_with(consultation_id));
    }
}

fn aggregates(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit: Option<&str>,
) -> Result<Arc<Aggregates>> {
    let key = format!("{consultation_id}|{}", unit.unwrap_or(""));
    let stale = match COUNTS.lock() {
        Ok(m) => match m.get(&key) {
            Some((at, a)) if at.elapsed() < COUNTS_TTL => return Ok(a.clone()),
            Some((_, a)) => Some(a.clone()),
            None => None,
        },
        Err(_) => None,
    };
    // One request recounts; the others meanwhile keep the counts of a few seconds ago.
    let recounting = REFRESHING
        .lock()
        .map(|mut r| !r.insert(key.clone()))
        .unwrap_or(false);
    if let (true, Some(a)) = (recounting, &stale) {
        return Ok(a.clone());
    }
    let result = count_all(conn, consultation_id, unit);
    if let Ok(mut r) = REFRESHING.lock() {
        r.remove(&key);
    }
    let a = result?;
    if let Ok(mut m) = COUNTS.lock() {
        if m.len() > 256 {
            m.clear();
        }
        m.insert(key, (Instant::now(), a.clone()));
    }
    Ok(a)
}

fn count_all(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit: Option<&str>,
) -> Result<Arc<Aggregates>> {
    let states = store::state_counts(conn, consultation_id, unit)?;
    let mut by_clause: HashMap<String, (i64, i64)> = HashMap::new();
    for (clause, state, n) in store::clause_state_counts(conn, consultation_id, unit)? {
        let e = by_clause.entry(clause).or_default();
        if is_decided(&state) {
            e.1 += n;
        } else {
            e.0 += n;
        }
    }
    let cluster_sizes = store::cluster_sizes_of(conn, consultation_id)?
        .into_iter()
        .collect();
    Ok(Arc::new(Aggregates {
        states,
        by_clause,
        cluster_sizes,
    }))
}

fn is_decided(state: &str) -> bool {
    matches!(state, "proposed" | "approved" | "published")
}

/// The clauses of the consultation's current version (a saved version never changes).
fn current_clauses(conn: &mut DbConnection, consultation_id: &str) -> Result<Arc<Vec<ClauseRow>>> {
    let Some(vid) = db::drafts::current_version_id(conn, consultation_id)? else {
        return Ok(Arc::new(Vec::new()));
    };
    if let Ok(m) = TREES.lock() {
        if let Some(t) = m.get(&vid) {
            return Ok(t.clone());
        }
    }
    let (rows, _, _) = db::drafts::load_tree_rows(conn, &vid)?;
    let rows = Arc::new(rows);
    if let Ok(mut m) = TREES.lock() {
        if m.len() > 64 {
            m.clear();
        }
        m.insert(vid, rows.clone());
    }
    Ok(rows)
}

// ---- who sees what ------------------------------------------------------------------------

/// The unit a department user is limited to; `None` for the office and approvers.
fn scope(actor: &Actor) -> Result<Option<String>> {
    actor.require(READERS)?;
    if actor.role == Some(Role::Department) {
        return actor.unit_id.clone().map(Some).ok_or(Error::Forbidden);
    }
    Ok(None)
}

/// An opinion the actor may see; any other is "not found".
fn visible(conn: &mut DbConnection, opinion_id: &str, actor: &Actor) -> Result<Opinion> {
    let unit = scope(actor)?;
    let o = store::find_opinion(conn, opinion_id)?.ok_or(Error::NotFound)?;
    match unit {
        Some(u) if o.assignee_unit_id.as_deref() != Some(u.as_str()) => Err(Error::NotFound),
        _ => Ok(o),
    }
}

fn consultation(conn: &mut DbConnection, id: &str) -> Result<Consultation> {
    db::consultations::find(conn, id)?.ok_or(Error::NotFound)
}

fn some_text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

// ---- the inbox ----------------------------------------------------------------------------

/// The inbox's filters as they come from a form or a query string.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    /// A clause id (its sub-clauses included), or `none` for opinions on no clause.
    pub clause: Option<String>,
    /// An opinion state (`new`, `assigned`…) or a decision status (`adopted`…).
    pub status: Option<String>,
    pub channel: Option<String>,
    pub unit: Option<String>,
    pub assignee: Option<String>,
    pub cluster: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
}

impl InboxQuery {
    fn clean(mut self) -> Self {
        self.clause = some_text(self.clause);
        self.status = some_text(self.status);
        self.channel = some_text(self.channel);
        self.unit = some_text(self.unit);
        self.assignee = some_text(self.assignee);
        self.cluster = some_text(self.cluster);
        self.q = some_text(self.q).map(|q| q.chars().take(200).collect());
        self
    }

    pub fn is_filtered(&self) -> bool {
        self.clause.is_some()
            || self.status.is_some()
            || self.channel.is_some()
            || self.unit.is_some()
            || self.assignee.is_some()
            || self.cluster.is_some()
            || self.q.is_some()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseBrief {
    pub id: String,
    pub path: String,
    pub heading: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub id: String,
    pub summary: String,
    pub state: String,
    pub channel: String,
    pub submitter: String,
    pub tracking_code: String,
    pub received_at: NaiveDateTime,
    pub clauses: Vec<ClauseBrief>,
    pub cluster_id: Option<String>,
    pub cluster_size: i64,
    pub assignee_unit_id: Option<String>,
    pub assignee_unit: Option<String>,
    pub assignee_user_id: Option<String>,
    pub assignee_user: Option<String>,
    pub decision_status: Option<String>,
    pub decision_state: Option<String>,
}

/// A clause of the heat map: counts of its own opinions and of its whole branch.
#[derive(Debug, Clone, Serialize)]
pub struct HeatClause {
    pub id: String,
    pub parent_id: Option<String>,
    pub depth: i64,
    pub label: String,
    pub heading: Option<String>,
    pub path: String,
    pub new: i64,
    pub decided: i64,
    pub branch_new: i64,
    pub branch_decided: i64,
    /// 0–4: how busy the branch is compared with the busiest clause.
    pub heat: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub consultation_id: String,
    pub consultation_title: String,
    pub filter: InboxQuery,
    pub items: Vec<InboxItem>,
    pub page: i64,
    pub per_page: i64,
    pub has_next: bool,
    /// Opinions matching the filter (at most `COUNT_CAP` when `total_capped`).
    pub total: i64,
    /// More than `total` match: a filtered list is counted only up to `COUNT_CAP`.
    pub total_capped: bool,
    pub states: Vec<(String, i64)>,
    pub clauses: Vec<HeatClause>,
    /// Set for a department user: the inbox holds only that unit's opinions.
    pub unit_scope: Option<String>,
    /// Opinions not yet compared for duplicates (the worker is on them).
    pub unsigned: i64,
}

/// Brings the duplicate clusters up to date (unless a large backlog waits for the worker),
/// then lists a page of the inbox.
pub fn inbox(
    conn: &mut DbConnection,
    consultation_id: &str,
    query: InboxQuery,
    actor: &Actor,
) -> Result<Inbox> {
    let unit = scope(actor)?;
    let c = consultation(conn, consultation_id)?;
    let mut unsigned = store::pending_signature_count(conn, consultation_id)?;
    if unsigned > 0 && unsigned <= INLINE_SIGN {
        refresh_clusters(conn, consultation_id, actor)?;
        unsigned = store::pending_signature_count(conn, consultation_id)?;
    }
    let query = query.clean();
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let tree = current_clauses(conn, consultation_id)?;
    let mut filter = InboxFilter::default();
    if let Some(cl) = &query.clause {
        if cl == "none" {
            filter.unlinked = true;
        } else {
            filter.clause_ids = Some(branch(&tree, cl));
        }
    }
    if let Some(s) = &query.status {
        if STATES.contains(&s.as_str()) {
            filter.state = Some(s.clone());
        } else {
            filter.decision_status = Some(s.clone());
        }
    }
    filter.channel = query.channel.clone();
    filter.unit_id = unit.clone().or_else(|| query.unit.clone());
    filter.assignee_user_id = query.assignee.clone();
    filter.cluster_id = query.cluster.clone();
    filter.q = query.q.clone();
    let rows = store::inbox_page(
        conn,
        consultation_id,
        &filter,
        (page - 1) * PER_PAGE,
        PER_PAGE + 1,
    )?;
    let has_next = rows.len() as i64 > PER_PAGE;
    let rows: Vec<_> = rows.into_iter().take(PER_PAGE as usize).collect();
    let agg = aggregates(conn, consultation_id, unit.as_deref())?;
    let (total, total_capped) = if query.is_filtered() {
        let n = store::inbox_count(conn, consultation_id, &filter, COUNT_CAP)?;
        (n.min(COUNT_CAP), n > COUNT_CAP)
    } else {
        (agg.states.iter().map(|(_, n)| n).sum(), false)
    };
    let ids: Vec<&str> = rows.iter().map(|r| r.opinion.id.as_str()).collect();
    let mut links: HashMap<String, Vec<ClauseBrief>> = HashMap::new();
    for (oid, cid, path, heading) in store::links_of(conn, &ids)? {
        links.entry(oid).or_default().push(ClauseBrief {
            id: cid,
            path,
            heading,
        });
    }
    let sizes = &agg.cluster_sizes;
    let names = Names::load(conn)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let o = r.opinion;
            InboxItem {
                summary: o.summary.clone(),
                state: o.state.clone(),
                channel: r.submission.channel.clone(),
                submitter: names.submitter(&r.submission),
                tracking_code: r.submission.tracking_code.clone(),
                received_at: r.submission.received_at,
                clauses: links.remove(&o.id).unwrap_or_default(),
                cluster_size: o
                    .cluster_id
                    .as_ref()
                    .and_then(|c| sizes.get(c))
                    .copied()
                    .unwrap_or(0),
                cluster_id: o.cluster_id,
                assignee_unit: o.assignee_unit_id.as_ref().and_then(|u| names.unit(u)),
                assignee_unit_id: o.assignee_unit_id,
                assignee_user: o.assignee_user_id.as_ref().and_then(|u| names.user(u)),
                assignee_user_id: o.assignee_user_id,
                decision_status: r.decision_status,
                decision_state: r.decision_state,
                id: o.id,
            }
        })
        .collect();
    Ok(Inbox {
        consultation_id: c.id,
        consultation_title: c.title,
        items,
        page,
        per_page: PER_PAGE,
        has_next,
        total,
        total_capped,
        states: agg.states.clone(),
        clauses: heat_map(&tree, &agg.by_clause),
        unit_scope: unit.as_ref().and_then(|u| names.unit(u)),
        unsigned,
        filter: query,
    })
}

/// A clause and everything below it.
fn branch(tree: &[ClauseRow], clause_id: &str) -> Vec<String> {
    let mut out = vec![clause_id.to_string()];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].clone();
        out.extend(
            tree.iter()
                .filter(|c| c.parent_id.as_deref() == Some(parent.as_str()))
                .map(|c| c.id.clone()),
        );
        i += 1;
    }
    out
}

fn heat_map(tree: &[ClauseRow], counts: &HashMap<String, (i64, i64)>) -> Vec<HeatClause> {
    let mut out: Vec<HeatClause> = tree
        .iter()
        .map(|c| {
            let (new, decided) = counts.get(&c.id).copied().unwrap_or((0, 0));
            HeatClause {
                id: c.id.clone(),
                parent_id: c.parent_id.clone(),
                depth: c.depth,
                label: c.label.clone(),
                heading: c.heading.clone(),
                path: c.path.clone(),
                new,
                decided,
                branch_new: new,
                branch_decided: decided,
                heat: 0,
            }
        })
        .collect();
    // Children follow their parents in document order: add each branch up from the end.
    let index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for i in (0..out.len()).rev() {
        if let Some(p) = out[i]
            .parent_id
            .as_ref()
            .and_then(|p| index.get(p))
            .copied()
        {
            out[p].branch_new += out[i].branch_new;
            out[p].branch_decided += out[i].branch_decided;
        }
    }
    let max = out
        .iter()
        .map(|c| c.new + c.decided)
        .max()
        .unwrap_or(0)
        .max(1);
    for c in &mut out {
        let n = c.new + c.decided;
        c.heat = if n == 0 {
            0
        } else {
            (1 + (n * 3) / max).min(4) as u8
        };
    }
    out
}

/// Unit and user names, for display.
struct Names {
    units: HashMap<String, String>,
    users: HashMap<String, String>,
}

impl Names {
    fn load(conn: &mut DbConnection) -> Result<Self> {
        Ok(Self {
            units: store::unit_names(conn)?
                .into_iter()
                .map(|(id, name, _)| (id, name))
                .collect(),
            users: store::assignable_users(conn)?
                .into_iter()
                .map(|(id, name, _, _)| (id, name))
                .collect(),
        })
    }
    fn unit(&self, id: &str) -> Option<String> {
        self.units.get(id).cloned()
    }
    fn user(&self, id: &str) -> Option<String> {
        self.users.get(id).cloned()
    }
    fn submitter(&self, s: &store::SubmissionBrief) -> String {
        if let Some(u) = s.unit_id.as_ref().and_then(|u| self.unit(u)) {
            return u;
        }
        let parts: Vec<&str> = [s.organization.as_deref(), s.name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(" ")
    }
}

// ---- one opinion ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct SuggestionView {
    pub clause_id: String,
    pub path: String,
    pub heading: Option<String>,
    pub score: f64,
    pub reason: Reason,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    pub id: String,
    pub size: usize,
    pub representative_id: Option<String>,
    pub representative_text: String,
    /// Up to 20 members: (opinion id, summary, state).
    pub members: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpinionDetail {
    pub opinion: Opinion,
    pub consultation_id: String,
    pub consultation_title: String,
    pub submission: store::SubmissionBrief,
    pub submitter: String,
    /// What arrived, exactly (the submission's whole text).
    pub submission_body: String,
    pub links: Vec<ClauseBrief>,
    pub suggestions: Vec<SuggestionView>,
    /// Every clause of the current version, for the link picker: (id, path, heading, depth).
    pub clauses: Vec<(String, String, Option<String>, i64)>,
    pub decision: Option<Decision>,
    pub statuses: Vec<DecisionStatus>,
    pub phrases: Vec<(String, String)>,
    pub cluster: Option<ClusterView>,
    pub history: Vec<AuditEvent>,
    pub units: Vec<(String, String, String)>,
    pub users: Vec<(String, String, String, Option<String>)>,
    /// The lead unit of the first linked clause that has one (by its duty note).
    pub default_unit_id: Option<String>,
    pub assignee_unit: Option<String>,
    pub assignee_user: Option<String>,
    /// Newer and older neighbours in the inbox's order.
    pub newer: Option<String>,
    pub older: Option<String>,
}

pub fn detail(conn: &mut DbConnection, opinion_id: &str, actor: &Actor) -> Result<OpinionDetail> {
    let o = visible(conn, opinion_id, actor)?;
    let unit = scope(actor)?;
    let c = consultation(conn, &o.consultation_id)?;
    let (sub, body) = store::submission_of(conn, &o.submission_id)?;
    let tree = current_clauses(conn, &o.consultation_id)?;
    let links: Vec<ClauseBrief> = store::links_of(conn, &[o.id.as_str()])?
        .into_iter()
        .map(|(_, id, path, heading)| ClauseBrief { id, path, heading })
        .collect();
    let suggestions = suggestions_for(&tree, &o.received_text, &links);
    let cluster = match &o.cluster_id {
        Some(cid) => {
            let members = store::cluster_members(conn, cid)?;
            let rep = store::cluster_representative(conn, cid)?;
            let rep_text = members
                .iter()
                .find(|m| Some(&m.id) == rep.as_ref())
                .or(members.first())
                .map(|m| m.received_text.clone())
                .unwrap_or_default();
            Some(ClusterView {
                id: cid.clone(),
                size: members.len(),
                representative_id: rep,
                representative_text: rep_text,
                members: members
                    .iter()
                    .take(20)
                    .map(|m| (m.id.clone(), m.summary.clone(), m.state.clone()))
                    .collect(),
            })
        }
        None => None,
    };
    let names = Names::load(conn)?;
    let (newer, older) = store::neighbours(conn, &o, unit.as_deref())?;
    Ok(OpinionDetail {
        consultation_id: c.id,
        consultation_title: c.title,
        submitter: names.submitter(&sub),
        submission: sub,
        submission_body: body,
        clauses: tree
            .iter()
            .map(|c| (c.id.clone(), c.path.clone(), c.heading.clone(), c.depth))
            .collect(),
        default_unit_id: default_unit(conn, &o, &tree)?,
        decision: store::decision_of(conn, &o.id)?,
        statuses: store::statuses(conn)?
            .into_iter()
            .filter(|s| s.enabled)
            .collect(),
        phrases: store::phrases(conn)?,
        cluster,
        history: audit::for_entity(conn, "opinion", &o.id)?,
        units: store::unit_names(conn)?,
        users: store::assignable_users(conn)?,
        assignee_unit: o.assignee_unit_id.as_ref().and_then(|u| names.unit(u)),
        assignee_user: o.assignee_user_id.as_ref().and_then(|u| names.user(u)),
        links,
        suggestions,
        newer,
        older,
        opinion: o,
    })
}

fn suggestions_for(tree: &[ClauseRow], text: &str, links: &[ClauseBrief]) -> Vec<SuggestionView> {
    let index: HashMap<&str, usize> = tree
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let refs: Vec<ClauseRef<'_>> = tree
        .iter()
        .map(|c| ClauseRef {
            parent: c.parent_id.as_deref().and_then(|p| index.get(p)).copied(),
            label: &c.label,
            heading: c.heading.as_deref(),
            text: &c.body,
        })
        .collect();
    suggest::suggest(text, &refs, 5 + links.len())
        .into_iter()
        .filter(|s| !links.iter().any(|l| l.id == tree[s.index].id))
        .take(5)
        .map(|s| SuggestionView {
            clause_id: tree[s.index].id.clone(),
            path: tree[s.index].path.clone(),
            heading: tree[s.index].heading.clone(),
            score: s.score,
            reason: s.reason,
        })
        .collect()
}

/// Suggested clauses for a text against the consultation's current draft (for tests and the
/// API): (clause id, path, reason).
pub fn suggest_clauses(
    conn: &mut DbConnection,
    consultation_id: &str,
    text: &str,
    actor: &Actor,
) -> Result<Vec<SuggestionView>> {
    scope(actor)?;
    let tree = current_clauses(conn, consultation_id)?;
    Ok(suggestions_for(&tree, text, &[]))
}

/// The lead unit of the first linked clause (or its nearest ancestor) with a duty note.
fn default_unit(
    conn: &mut DbConnection,
    o: &Opinion,
    tree: &[ClauseRow],
) -> Result<Option<String>> {
    let links = store::links_of(conn, &[o.id.as_str()])?;
    if links.is_empty() || tree.is_empty() {
        return Ok(None);
    }
    let leads: HashMap<String, String> = {
        let mut m = HashMap::new();
        for (clause, _, unit) in store::lead_units(conn, &tree[0].version_id)? {
            m.entry(clause).or_insert(unit);
        }
        m
    };
    let parent: HashMap<&str, Option<&str>> = tree
        .iter()
        .map(|c| (c.id.as_str(), c.parent_id.as_deref()))
        .collect();
    for (_, clause, _, _) in &links {
        let mut at = Some(clause.as_str());
        while let Some(c) = at {
            if let Some(u) = leads.get(c) {
                return Ok(Some(u.clone()));
            }
            at = parent.get(c).copied().flatten();
        }
    }
    Ok(None)
}

// ---- changes --------------------------------------------------------------------------------

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    o: &Opinion,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        conn,
        audit::AuditEntry {
            consultation_id: Some(&o.consultation_id),
            before,
            after: Some(after),
            ..actor.audit(action, "opinion", &o.id)
        },
    )?;
    Ok(())
}

/// Replaces an opinion's summary; the received text stays as it came.
pub fn edit_summary(
    conn: &mut DbConnection,
    opinion_id: &str,
    summary: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(Error::field("summary", "triage.error.summary_empty"));
    }
    if summary.chars().count() > SUMMARY_MAX {
        return Err(Error::field("summary", "triage.error.summary_long"));
    }
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        if o.summary == summary {
            return Ok(());
        }
        store::set_summary(conn, &o.id, summary, db::now())?;
        record(
            conn,
            actor,
            "opinion.summary",
            &o,
            Some(json!({ "summary": o.summary })),
            json!({ "summary": summary }),
        )
    })
}

/// Links the opinion to a clause of its consultation.
pub fn link_clause(
    conn: &mut DbConnection,
    opinion_id: &str,
    clause_id: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        if store::clause_consultation(conn, clause_id)?.as_deref() != Some(&o.consultation_id) {
            return Err(Error::field("clause_id", "triage.error.clause_unknown"));
        }
        if store::link(conn, &o.id, clause_id, actor.user_id.as_deref(), db::now())? {
            let path = clause_path(conn, clause_id)?;
            record(
                conn,
                actor,
                "opinion.link",
                &o,
                None,
                json!({ "clause": path }),
            )?;
            invalidate(&o.consultation_id);
        }
        Ok(())
    })
}

pub fn unlink_clause(
    conn: &mut DbConnection,
    opinion_id: &str,
    clause_id: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let path = clause_path(conn, clause_id)?;
        if store::unlink(conn, &o.id, clause_id)? {
            record(
                conn,
                actor,
                "opinion.unlink",
                &o,
                Some(json!({ "clause": path })),
                json!({}),
            )?;
            invalidate(&o.consultation_id);
        }
        Ok(())
    })
}

fn clause_path(conn: &mut DbConnection, clause_id: &str) -> Result<String> {
    use crate::db::schema::clauses;
    use diesel::prelude::*;
    Ok(clauses::table
        .find(clause_id)
        .select(clauses::path)
        .first::<String>(conn)
        .optional()?
        .unwrap_or_default())
}

/// Splits an opinion into one opinion per passage (each a verbatim part of its text). The
/// first passage stays with the opinion; the others become new opinions of the same
/// submission with the same clauses and assignee.
pub fn split(
    conn: &mut DbConnection,
    opinion_id: &str,
    passages: &[String],
    actor: &Actor,
) -> Result<Vec<String>> {
    actor.require(OFFICE)?;
    let passages: Vec<String> = passages
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if passages.len() < 2 {
        return Err(Error::field("passages", "triage.error.passages_few"));
    }
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        if !matches!(o.state.as_str(), "new" | "assigned") {
            return Err(Error::field("passages", "triage.error.split_decided"));
        }
        if passages
            .iter()
            .any(|p| !o.received_text.contains(p.as_str()))
        {
            return Err(Error::field("passages", "triage.error.passage_not_found"));
        }
        let at = db::now();
        let summary = if o.summary == o.received_text {
            passages[0].clone()
        } else {
            o.summary.clone()
        };
        store::set_received_text(conn, &o.id, &passages[0], &summary, at)?;
        let mut ids = vec![o.id.clone()];
        let first = store::next_position(conn, &o.submission_id)?;
        for (pos, p) in (first..).zip(&passages[1..]) {
            ids.push(store::insert_split(
                conn,
                &o,
                pos,
                p,
                actor.user_id.as_deref(),
                at,
            )?);
        }
        // The texts changed: the old signature goes, and the parts are compared afresh.
        store::forget_signature(conn, &o.id)?;
        if let Some(cl) = &o.cluster_id {
            store::set_cluster(conn, std::slice::from_ref(&o.id), None)?;
            store::prune_cluster(conn, cl, at)?;
        }
        record(
            conn,
            actor,
            "opinion.split",
            &o,
            Some(json!({ "received_text": o.received_text })),
            json!({ "passages": passages.len(), "opinions": ids }),
        )?;
        for (id, p) in ids.iter().zip(&passages).skip(1) {
            audit::record(
                conn,
                audit::AuditEntry {
                    consultation_id: Some(&o.consultation_id),
                    after: Some(json!({ "from": o.id, "received_text": p })),
                    ..actor.audit("opinion.split_from", "opinion", id)
                },
            )?;
        }
        let items: Vec<(String, String)> = ids.iter().cloned().zip(passages.clone()).collect();
        cluster_new(conn, &o.consultation_id, &items, at)?;
        invalidate(&o.consultation_id);
        Ok(ids)
    })
}

/// The library of rationale phrases: (id, text).
pub fn phrases(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<(String, String)>> {
    scope(actor)?;
    Ok(store::phrases(conn)?)
}

pub fn add_phrase(conn: &mut DbConnection, text: &str, actor: &Actor) -> Result<()> {
    actor.require(DECIDERS)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::field("text", "triage.error.phrase_empty"));
    }
    if text.chars().count() > RATIONALE_MAX {
        return Err(Error::field("text", "triage.error.rationale_long"));
    }
    db::write(conn, |conn| {
        if store::add_phrase(conn, text, actor.user_id.as_deref(), db::now())? {
            audit::record(
                conn,
                audit::AuditEntry {
                    after: Some(json!({ "text": text })),
                    ..actor.audit("phrase.add", "rationale_phrase", text)
                },
            )?;
        }
        Ok(())
    })
}

/// What the inbox offers to filter and assign by, besides the inbox itself.
pub struct Choices {
    pub statuses: Vec<DecisionStatus>,
    /// (id, name, kind) of the active units.
    pub units: Vec<(String, String, String)>,
    /// (id, name, role, unit id) of the people opinions can be assigned to.
    pub users: Vec<store::PersonRow>,
}

/// The [`Choices`] of the inbox, for those who may read it.
pub fn choices(conn: &mut DbConnection, actor: &Actor) -> Result<Choices> {
    scope(actor)?;
    Ok(Choices {
        statuses: store::statuses(conn)?,
        units: store::unit_names(conn)?,
        users: store::assignable_users(conn)?,
    })
}
