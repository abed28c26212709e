//! The revision loop: later versions of a draft, the comparison table of two versions, and
//! which changes enact each adopted opinion.
//!
//! A version is *published* when the public may see it: the first version (the consultation
//! draft) at once, a later one (修改稿, 送审稿 …) when the office publishes it
//! ([`super::drafts::publish_version`]). The public page shows the latest published version.
//! Opinions stay linked to the clauses of the version they were made on; a link to a change
//! (`opinion_changes`) points at a clause of a later version.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::json;

use super::triage::{DECIDERS, READERS};
use super::{Actor, Consultation, Error, Result};
use crate::db::drafts::ClauseRow;
use crate::db::revisions::OpinionChange;
use crate::db::{self, DbConnection, audit};
use crate::domain::Role;
use crate::domain::revision::{self, Alignment, Change, Kind, RevClause, StoredClause};
use crate::export::comparison::{ClauseCell, Comparison, ComparisonRow, kind_label};

pub use crate::db::drafts::VersionSummary;

/// Who reads comparisons: the office and its approvers.
pub const INTERNAL: &[Role] = &[Role::Staff, Role::Approver, Role::Admin];

/// A consultation's versions, oldest first.
pub fn versions(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<Vec<VersionSummary>> {
    actor.require(INTERNAL)?;
    db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    Ok(db::drafts::versions(conn, consultation_id)?)
}

fn rev_clauses(rows: &[ClauseRow]) -> Vec<RevClause> {
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let stored: Vec<StoredClause<'_>> = rows
        .iter()
        .map(|r| StoredClause {
            id: &r.id,
            label: &r.label,
            parent: r.parent_id.as_deref().and_then(|p| index.get(p).copied()),
            heading: r.heading.as_deref(),
            text: &r.body,
        })
        .collect();
    revision::from_stored(&stored)
}

fn cell(c: &RevClause) -> ClauseCell {
    ClauseCell {
        clause_id: c.id.clone(),
        label: c.label.clone(),
        text: c.content(),
    }
}

/// Two versions of a consultation, their clauses and their alignment.
struct Pair {
    from: VersionSummary,
    to: VersionSummary,
    old: Vec<RevClause>,
    new: Vec<RevClause>,
    alignment: Alignment,
}

fn pair(conn: &mut DbConnection, from: &VersionSummary, to: &VersionSummary) -> Result<Pair> {
    let old = rev_clauses(&db::drafts::clause_rows(conn, &from.id)?);
    let new = rev_clauses(&db::drafts::clause_rows(conn, &to.id)?);
    let alignment = revision::align(&old, &new);
    Ok(Pair {
        from: from.clone(),
        to: to.clone(),
        old,
        new,
        alignment,
    })
}

/// Whether a row changed the text (what an opinion can have caused).
fn is_change(kind: Kind, changes: &[Change]) -> bool {
    match kind {
        Kind::Modified | Kind::Split | Kind::Merged | Kind::Added => true,
        Kind::Moved => changes.iter().any(|c| !matches!(c, Change::Same(_))),
        Kind::Unchanged | Kind::Deleted => false,
    }
}

/// How an opinion is cited: `#` and its tracking code, with its number in the submission
/// when it is not the first.
fn opinion_refs(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, String>> {
    Ok(db::revisions::opinion_refs(conn, ids)?
        .into_iter()
        .map(|(id, code, pos)| {
            let r = if pos == 0 {
                format!("#{code}")
            } else {
                format!("#{code}-{}", pos + 1)
            };
            (id, r)
        })
        .collect())
}

/// `?from=N&to=M&unchanged=false`: version numbers (defaults: the one before `to`, and the
/// latest), and whether unchanged clauses are listed.
#[derive(Debug, Clone, Copy)]
pub struct ComparisonQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub unchanged: bool,
}

/// The comparison table of two versions, the note of each row citing the opinions whose
/// confirmed links point at its clauses.
pub fn comparison(
    conn: &mut DbConnection,
    consultation_id: &str,
    q: ComparisonQuery,
    actor: &Actor,
) -> Result<Comparison> {
    actor.require(INTERNAL)?;
    db::read(conn, |conn| {
        let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
        let vs = db::drafts::versions(conn, consultation_id)?;
        compare(conn, c, vs, q, Citation::Codes)
    })
}

/// How a comparison's notes cite the opinions behind a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Citation {
    /// By tracking code, for the office.
    Codes,
    /// By their number alone, for the public (a tracking code is its commenter's receipt).
    Count,
}

/// The published versions of a consultation the public may see, oldest first.
pub fn public_versions(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<(Consultation, Vec<VersionSummary>)> {
    let c = super::public::visible_consultation(conn, slug)?;
    let vs = db::drafts::versions(conn, &c.id)?
        .into_iter()
        .filter(|v| v.published_at.is_some())
        .collect();
    Ok((c, vs))
}

/// What changed between two published versions and why, for the public: the changed clauses
/// only, each note saying how many adopted opinions led to it.
pub fn public_comparison(
    conn: &mut DbConnection,
    slug: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(Consultation, Vec<VersionSummary>, Comparison)> {
    db::read(conn, |conn| {
        let (c, vs) = public_versions(conn, slug)?;
        if vs.len() < 2 {
            return Err(Error::NotFound);
        }
        let q = ComparisonQuery {
            from,
            to,
            unchanged: false,
        };
        let cmp = compare(conn, c.clone(), vs.clone(), q, Citation::Count)?;
        Ok((c, vs, cmp))
    })
}

fn compare(
    conn: &mut DbConnection,
    c: Consultation,
    vs: Vec<VersionSummary>,
    q: ComparisonQuery,
    citation: Citation,
) -> Result<Comparison> {
    {
        let last = vs.last().ok_or(Error::NotFound)?.version_no;
        let to_no = q.to.unwrap_or(last);
        let from_no = q.from.unwrap_or(to_no - 1);
        let find = |n: i64, field: &str| {
            vs.iter()
                .find(|v| v.version_no == n)
                .cloned()
                .ok_or_else(|| Error::field(field, "revision.error.version"))
        };
        let to = find(to_no, "to")?;
        let from = find(from_no, "from")?;
        if from.version_no == to.version_no {
            return Err(Error::field("from", "revision.error.same"));
        }
        let p = pair(conn, &from, &to)?;
        let after_ids: Vec<String> = p.new.iter().map(|c| c.id.clone()).collect();
        let links = db::revisions::confirmed_on(conn, &after_ids)?;
        let mut by_clause: HashMap<&str, Vec<&OpinionChange>> = HashMap::new();
        for l in &links {
            by_clause.entry(l.clause_id.as_str()).or_default().push(l);
        }
        let mut opinion_ids: Vec<String> = links.iter().map(|l| l.opinion_id.clone()).collect();
        opinion_ids.sort();
        opinion_ids.dedup();
        let refs = opinion_refs(conn, &opinion_ids)?;
        let keys: Vec<String> = p
            .alignment
            .rows
            .iter()
            .filter_map(|r| match (r.after.first(), r.before.first()) {
                (Some(&j), _) => Some(p.new[j].id.clone()),
                (None, Some(&i)) => Some(p.old[i].id.clone()),
                (None, None) => None,
            })
            .collect();
        let office_notes = db::revisions::notes_on(conn, &keys)?;
        let mut rows = Vec::with_capacity(p.alignment.rows.len());
        for r in &p.alignment.rows {
            if !q.unchanged && r.kind == Kind::Unchanged {
                continue;
            }
            let mut ops: Vec<&OpinionChange> = r
                .after
                .iter()
                .flat_map(|&j| {
                    by_clause
                        .get(p.new[j].id.as_str())
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            ops.sort_by(|a, b| (a.linked_at, &a.opinion_id).cmp(&(b.linked_at, &b.opinion_id)));
            let mut ids: Vec<String> = Vec::new();
            for o in ops {
                if !ids.contains(&o.opinion_id) {
                    ids.push(o.opinion_id.clone());
                }
            }
            let key = match (r.after.first(), r.before.first()) {
                (Some(&j), _) => Some(p.new[j].id.as_str()),
                (None, Some(&i)) => Some(p.old[i].id.as_str()),
                (None, None) => None,
            };
            let office_note = key.and_then(|k| office_notes.get(k)).cloned();
            let mut note = kind_label(r.kind, r.renumbered).to_string();
            if let Some(n) = &office_note {
                note.push('。');
                note.push_str(n.trim_end_matches('。'));
            }
            if !ids.is_empty() && citation == Citation::Codes {
                let cited: Vec<&str> = ids
                    .iter()
                    .map(|i| refs.get(i).map_or(i.as_str(), String::as_str))
                    .collect();
                note.push_str("。采纳意见：");
                note.push_str(&cited.join("、"));
            } else if !ids.is_empty() {
                note.push_str(&format!("。根据 {} 条采纳的意见修改", ids.len()));
            }
            rows.push(ComparisonRow {
                kind: r.kind,
                renumbered: r.renumbered,
                before: r.before.iter().map(|&i| cell(&p.old[i])).collect(),
                after: r.after.iter().map(|&j| cell(&p.new[j])).collect(),
                changes: r.changes.clone(),
                opinion_ids: ids,
                note,
                office_note,
            });
        }
        Ok(Comparison {
            consultation_id: c.id,
            title: c.title,
            from: p.from.version_no,
            to: p.to.version_no,
            from_label: p.from.label,
            to_label: p.to.label,
            rows,
        })
    }
}

/// A change an opinion is (or may be) linked to: a clause of a later version.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub clause_id: String,
    pub version_no: i64,
    pub kind: Kind,
    pub before: Vec<ClauseCell>,
    pub after: ClauseCell,
    pub changes: Vec<Change>,
    /// `suggested` or `confirmed`.
    pub state: String,
}

/// An opinion's links to the changes of the latest version.
#[derive(Debug, Clone, Serialize)]
pub struct OpinionChanges {
    pub opinion_id: String,
    /// Whether the decision counts as adopted or partially adopted.
    pub adopted: bool,
    /// The version the opinion's clauses belong to, and the latest version.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub confirmed: Vec<ChangeView>,
    pub suggested: Vec<ChangeView>,
}

fn visible(
    conn: &mut DbConnection,
    opinion_id: &str,
    actor: &Actor,
) -> Result<db::triage::Opinion> {
    actor.require(READERS)?;
    let o = db::triage::find_opinion(conn, opinion_id)?.ok_or(Error::NotFound)?;
    if actor.role == Some(Role::Department) {
        let unit = actor.unit_id.as_deref().ok_or(Error::Forbidden)?;
        if o.assignee_unit_id.as_deref() != Some(unit) {
            return Err(Error::NotFound);
        }
    }
    Ok(o)
}

/// The version an opinion was made on (that of its clauses; the first when it has none).
fn base_version(
    conn: &mut DbConnection,
    opinion: &db::triage::Opinion,
    versions: &[VersionSummary],
) -> Result<Option<(VersionSummary, Vec<String>)>> {
    let clause_ids = db::revisions::opinion_clause_ids(conn, &opinion.id)?;
    let located = db::revisions::clause_versions(conn, &clause_ids)?;
    let no = located.iter().map(|(_, _, n, _)| *n).max();
    let v = match no {
        Some(n) => versions.iter().find(|v| v.version_no == n),
        None => versions.first(),
    };
    Ok(v.cloned().map(|v| (v, clause_ids)))
}

fn change_view(p: &Pair, j: usize, state: &str) -> Option<ChangeView> {
    let r = p.alignment.row_of_new(j)?;
    Some(ChangeView {
        clause_id: p.new[j].id.clone(),
        version_no: p.to.version_no,
        kind: r.kind,
        before: r.before.iter().map(|&i| cell(&p.old[i])).collect(),
        after: cell(&p.new[j]),
        changes: r.changes.clone(),
        state: state.to_string(),
    })
}

/// The changes an opinion is linked to, and those suggested: for an adopted or partially
/// adopted opinion, the counterparts in the latest version of its clauses, when they changed.
pub fn changes(conn: &mut DbConnection, opinion_id: &str, actor: &Actor) -> Result<OpinionChanges> {
    db::read(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let bucket = db::revisions::decision_bucket(conn, &o.id)?;
        let adopted = matches!(bucket.as_deref(), Some("adopted" | "partially_adopted"));
        let links = db::revisions::changes_of(conn, &o.id)?;
        let vs = db::drafts::versions(conn, &o.consultation_id)?;
        let mut out = OpinionChanges {
            opinion_id: o.id.clone(),
            adopted,
            from: None,
            to: vs.last().map(|v| v.version_no),
            confirmed: Vec::new(),
            suggested: Vec::new(),
        };
        let Some((base, clause_ids)) = base_version(conn, &o, &vs)? else {
            return Ok(out);
        };
        out.from = Some(base.version_no);
        let confirmed: HashSet<&str> = links
            .iter()
            .filter(|l| l.state == "confirmed")
            .map(|l| l.clause_id.as_str())
            .collect();
        // Confirmed links, grouped by the version they point into.
        let link_ids: Vec<String> = confirmed.iter().map(|s| s.to_string()).collect();
        let mut by_version: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (cid, _, n, _) in db::revisions::clause_versions(conn, &link_ids)? {
            by_version.entry(n).or_default().push(cid);
        }
        for (n, ids) in &by_version {
            let Some(to) = vs.iter().find(|v| v.version_no == *n) else {
                continue;
            };
            let from = vs.iter().rev().find(|v| v.version_no < *n).unwrap_or(&base);
            let p = pair(conn, from, to)?;
            for (j, c) in p.new.iter().enumerate() {
                if ids.contains(&c.id) {
                    out.confirmed.extend(change_view(&p, j, "confirmed"));
                }
            }
        }
        let Some(last) = vs.last() else {
            return Ok(out);
        };
        if !adopted || last.version_no <= base.version_no || clause_ids.is_empty() {
            return Ok(out);
        }
        let p = pair(conn, &base, last)?;
        let mut seen: HashSet<usize> = HashSet::new();
        for (i, c) in p.old.iter().enumerate() {
            if !clause_ids.contains(&c.id) {
                continue;
            }
            let Some(r) = p.alignment.row_of_old(i) else {
                continue;
            };
            if !is_change(r.kind, &r.changes) {
                continue;
            }
            for &j in &r.after {
                if seen.insert(j) && !confirmed.contains(p.new[j].id.as_str()) {
                    out.suggested.extend(change_view(&p, j, "suggested"));
                }
            }
        }
        Ok(out)
    })
}

/// Confirms links from an opinion to changes (clauses of a later version) and removes others.
pub fn link(
    conn: &mut DbConnection,
    opinion_id: &str,
    link: &[String],
    unlink: &[String],
    actor: &Actor,
) -> Result<OpinionChanges> {
    actor.require(DECIDERS)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let vs = db::drafts::versions(conn, &o.consultation_id)?;
        let base = base_version(conn, &o, &vs)?.map_or(1, |(v, _)| v.version_no);
        let located = db::revisions::clause_versions(conn, link)?;
        for id in link {
            let ok = located
                .iter()
                .any(|(c, _, n, cons)| c == id && cons == &o.consultation_id && *n > base);
            if !ok {
                return Err(Error::field("link", "revision.error.clause"));
            }
        }
        let now = db::now();
        for id in link {
            db::revisions::put(
                conn,
                &OpinionChange {
                    opinion_id: o.id.clone(),
                    clause_id: id.clone(),
                    state: "confirmed".into(),
                    linked_by: actor.user_id.clone(),
                    linked_at: now,
                },
            )?;
        }
        let mut removed = Vec::new();
        for id in unlink {
            if db::revisions::remove(conn, &o.id, id)? {
                removed.push(id.clone());
            }
        }
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&o.consultation_id),
                after: Some(json!({ "linked": link, "unlinked": removed })),
                ..actor.audit("opinion.changes", "opinion", &o.id)
            },
        )?;
        changes(conn, &o.id, actor)
    })
}

/// What a commenter is shown on the tracking page: for each of their opinions linked to a
/// change, the clause before and after.
#[derive(Debug, Clone, Serialize)]
pub struct TrackedChange {
    pub opinion_id: String,
    pub version_label: String,
    pub before: Vec<ClauseCell>,
    pub after: ClauseCell,
    pub changes: Vec<Change>,
    /// The before and after text in pieces `(same|deleted|added, text)`, for marking.
    pub before_parts: Parts,
    pub after_parts: Parts,
}

/// Pieces of a text, `(same|deleted|added, text)`.
type Parts = Vec<(String, String)>;

fn parts(v: &ChangeView) -> (Parts, Parts) {
    if v.changes.is_empty() {
        let before = v
            .before
            .iter()
            .map(|c| ("same".to_string(), format!("{} {}", c.label, c.text)))
            .collect();
        let kind = if v.kind == Kind::Added {
            "added"
        } else {
            "same"
        };
        let after = vec![(
            kind.to_string(),
            format!("{} {}", v.after.label, v.after.text),
        )];
        return (before, after);
    }
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let labels: Vec<&str> = v.before.iter().map(|c| c.label.as_str()).collect();
    before.push(("same".to_string(), format!("{} ", labels.join("、"))));
    after.push(("same".to_string(), format!("{} ", v.after.label)));
    for c in &v.changes {
        match c {
            Change::Same(s) => {
                before.push(("same".into(), s.clone()));
                after.push(("same".into(), s.clone()));
            }
            Change::Deleted(s) => before.push(("deleted".into(), s.clone())),
            Change::Added(s) => after.push(("added".into(), s.clone())),
        }
    }
    (before, after)
}

/// The confirmed changes of a submission's opinions, in published versions only.
pub fn tracked_changes(conn: &mut DbConnection, submission_id: &str) -> Result<Vec<TrackedChange>> {
    db::read(conn, |conn| {
        let links = db::revisions::confirmed_of_submission(conn, submission_id)?;
        if links.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = links.iter().map(|(_, c)| c.clone()).collect();
        let located = db::revisions::clause_versions(conn, &ids)?;
        let mut out = Vec::new();
        let mut pairs: HashMap<String, Pair> = HashMap::new();
        for (opinion_id, clause_id) in &links {
            let Some((_, vid, n, cons)) = located.iter().find(|(c, ..)| c == clause_id) else {
                continue;
            };
            if !pairs.contains_key(vid) {
                let vs = db::drafts::versions(conn, cons)?;
                let Some(to) = vs.iter().find(|v| &v.id == vid) else {
                    continue;
                };
                if to.published_at.is_none() {
                    continue;
                }
                let Some(from) = vs.iter().rev().find(|v| v.version_no < *n) else {
                    continue;
                };
                let p = pair(conn, from, to)?;
                pairs.insert(vid.clone(), p);
            }
            let Some(p) = pairs.get(vid) else {
                continue;
            };
            let Some(j) = p.new.iter().position(|c| &c.id == clause_id) else {
                continue;
            };
            if let Some(v) = change_view(p, j, "confirmed") {
                let (before_parts, after_parts) = parts(&v);
                out.push(TrackedChange {
                    before_parts,
                    after_parts,
                    opinion_id: opinion_id.clone(),
                    version_label: p.to.label.clone(),
                    before: v.before,
                    after: v.after,
                    changes: v.changes,
                });
            }
        }
        Ok(out)
    })
}

/// Something the office may want to look at before publishing the report (never blocking):
/// an adopted opinion whose clauses did not change in the latest version
/// (`adopted_unchanged`), or a change of the latest version that no opinion explains
/// (`unexplained_change`; the office may note 根据工作需要调整).
#[derive(Debug, Clone, Serialize)]
pub struct RevisionWarning {
    pub kind: &'static str,
    pub opinion_id: Option<String>,
    pub tracking_code: Option<String>,
    /// The clause's label (the new one; the old one for a deleted clause).
    pub label: Option<String>,
}

impl RevisionWarning {
    /// The warning as a sentence in `locale`.
    pub fn message(&self, locale: crate::i18n::Locale) -> String {
        crate::i18n::tf(
            locale,
            &format!("revision.warning.{}", self.kind),
            &[
                ("code", self.tracking_code.as_deref().unwrap_or("")),
                ("label", self.label.as_deref().unwrap_or("")),
            ],
        )
    }
}

/// The warnings about the latest version against the one before it; none with one version.
pub fn warnings(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<Vec<RevisionWarning>> {
    actor.require(READERS)?;
    db::read(conn, |conn| {
        let vs = db::drafts::versions(conn, consultation_id)?;
        let [.., prev, last] = vs.as_slice() else {
            return Ok(Vec::new());
        };
        let p = pair(conn, prev, last)?;
        let mut out = Vec::new();
        let linked: HashSet<String> = db::revisions::linked_opinions(conn, consultation_id)?
            .into_iter()
            .collect();
        let old_index: HashMap<&str, usize> = p
            .old
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        // Per opinion (in order): whether any of its clauses of the previous version changed.
        let mut opinions: Vec<(String, String, bool)> = Vec::new();
        for (oid, code, clause) in db::revisions::adopted_clauses(conn, consultation_id)? {
            let Some(&i) = old_index.get(clause.as_str()) else {
                continue;
            };
            let changed = p
                .alignment
                .row_of_old(i)
                .is_some_and(|r| is_change(r.kind, &r.changes) || r.kind == Kind::Deleted);
            match opinions.iter_mut().find(|(o, ..)| *o == oid) {
                Some(e) => e.2 |= changed,
                None => opinions.push((oid, code, changed)),
            }
        }
        for (oid, code, changed) in opinions {
            if !changed && !linked.contains(&oid) {
                out.push(RevisionWarning {
                    kind: "adopted_unchanged",
                    opinion_id: Some(oid),
                    tracking_code: Some(code),
                    label: None,
                });
            }
        }
        let after_ids: Vec<String> = p.new.iter().map(|c| c.id.clone()).collect();
        let all_ids: Vec<String> = p.new.iter().chain(&p.old).map(|c| c.id.clone()).collect();
        let noted = db::revisions::notes_on(conn, &all_ids)?;
        let explained: HashSet<String> = db::revisions::confirmed_on(conn, &after_ids)?
            .into_iter()
            .map(|l| l.clause_id)
            .collect();
        for r in &p.alignment.rows {
            if !is_change(r.kind, &r.changes) && r.kind != Kind::Deleted {
                continue;
            }
            if r.after.iter().any(|&j| explained.contains(&p.new[j].id)) {
                continue;
            }
            let key = match (r.after.first(), r.before.first()) {
                (Some(&j), _) => p.new[j].id.clone(),
                (None, Some(&i)) => p.old[i].id.clone(),
                (None, None) => continue,
            };
            if noted.contains_key(&key) {
                continue;
            }
            let label = match (r.after.first(), r.before.first()) {
                (Some(&j), _) => p.new[j].path.concat() + &p.new[j].label,
                (None, Some(&i)) => p.old[i].path.concat() + &p.old[i].label,
                (None, None) => continue,
            };
            out.push(RevisionWarning {
                kind: "unexplained_change",
                opinion_id: None,
                tracking_code: None,
                label: Some(label),
            });
        }
        Ok(out)
    })
}

/// The longest office note on a change, in characters.
const NOTE_MAX: usize = 500;

/// Writes the office's 修改说明 on a changed clause (the clause of the later version, or of the
/// earlier one when it was deleted); an empty note removes it. It explains the change: the
/// readiness warning about a change no opinion explains goes away.
pub fn set_note(
    conn: &mut DbConnection,
    consultation_id: &str,
    clause_id: &str,
    note: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(super::OFFICE)?;
    let note = note.trim();
    if note.chars().count() > NOTE_MAX || note.contains('\0') {
        return Err(Error::field("note", "revision.error.note"));
    }
    db::write(conn, |conn| {
        if db::revisions::clause_consultation(conn, clause_id)?.as_deref() != Some(consultation_id)
        {
            return Err(Error::field("clause_id", "revision.error.note_clause"));
        }
        let before = db::revisions::notes_on(conn, &[clause_id.to_string()])?.remove(clause_id);
        let after = (!note.is_empty()).then_some(note);
        db::revisions::set_note(conn, clause_id, after, actor.user_id.as_deref(), db::now())?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(consultation_id),
                before: Some(json!({"note": before})),
                after: Some(json!({"note": after})),
                ..actor.audit("revision.note", "clause", clause_id)
            },
        )?;
        Ok(())
    })
}
