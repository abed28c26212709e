//! Acting on opinions: assigning, deciding, approving and sending back, one at a time or in
//! bulk.

use super::*;
/// Whom to give an opinion: a unit, a person, or neither (then the lead unit of its clause).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignInput {
    pub unit_id: Option<String>,
    pub user_id: Option<String>,
}

fn assign_one(
    conn: &mut DbConnection,
    o: &Opinion,
    input: &AssignInput,
    actor: &Actor,
    tree: &[ClauseRow],
) -> Result<()> {
    let (unit, user) = assign_target(conn, o, input, tree)?;
    let state = if o.state == "new" {
        "assigned"
    } else {
        o.state.as_str()
    };
    store::set_assignee(
        conn,
        &o.id,
        unit.as_deref(),
        user.as_deref(),
        state,
        db::now(),
    )?;
    record(
        conn,
        actor,
        "opinion.assign",
        o,
        Some(json!({ "unit_id": o.assignee_unit_id, "user_id": o.assignee_user_id })),
        json!({ "unit_id": unit, "user_id": user }),
    )
}

/// To whom an assignment gives the opinion: (unit, user), checked.
fn assign_target(
    conn: &mut DbConnection,
    o: &Opinion,
    input: &AssignInput,
    tree: &[ClauseRow],
) -> Result<(Option<String>, Option<String>)> {
    let mut unit = some_text(input.unit_id.clone());
    let user = some_text(input.user_id.clone());
    if let Some(uid) = &user {
        let u = db::users::find(conn, uid)?
            .filter(|u| u.is_active())
            .filter(|u| matches!(u.role.as_str(), "staff" | "admin" | "department"))
            .ok_or_else(|| Error::field("user_id", "triage.error.user_unknown"))?;
        if u.role == "department" {
            if unit.is_some() && unit != u.unit_id {
                return Err(Error::field("user_id", "triage.error.user_unit_mismatch"));
            }
            unit = u.unit_id.clone();
        }
    }
    if let Some(id) = &unit {
        db::units::find(conn, id)?
            .filter(|u| !u.disabled)
            .ok_or_else(|| Error::field("unit_id", "triage.error.unit_unknown"))?;
    }
    if unit.is_none() && user.is_none() {
        unit = Some(
            default_unit(conn, o, tree)?
                .ok_or_else(|| Error::field("unit_id", "triage.error.no_default_unit"))?,
        );
    }
    Ok((unit, user))
}

/// Why a bulk action would refuse an opinion, checked before anything is saved.
fn bulk_check(
    conn: &mut DbConnection,
    o: &Opinion,
    action: &BulkAction,
    tree: &[ClauseRow],
) -> Result<()> {
    match action {
        BulkAction::Assign(a) => assign_target(conn, o, a, tree).map(|_| ()),
        BulkAction::Decide(_) if matches!(o.state.as_str(), "approved" | "published") => {
            Err(Error::field("status", "triage.error.already_approved"))
        }
        BulkAction::Decide(_) => Ok(()),
        BulkAction::Approve => store::decision_of(conn, &o.id)?
            .filter(|d| d.state == "proposed")
            .map(|_| ())
            .ok_or_else(|| Error::field("decision", "triage.error.not_proposed")),
    }
}

pub fn assign(
    conn: &mut DbConnection,
    opinion_id: &str,
    input: &AssignInput,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let tree = current_clauses(conn, &o.consultation_id)?;
        assign_one(conn, &o, input, actor, &tree)?;
        invalidate(&o.consultation_id);
        Ok(())
    })
}

/// A decision: its status and rationale (required unless the status says otherwise).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecideInput {
    pub status: String,
    pub rationale: Option<String>,
    /// Decide every member of the opinion's duplicate cluster the same way.
    pub whole_cluster: bool,
    /// Keep the rationale in the library of phrases.
    pub save_phrase: bool,
    /// Reopen an approved or published decision (staff and admins; a correction for a new
    /// edition of the report).
    pub reopen: bool,
}

fn checked_decision(
    conn: &mut DbConnection,
    input: &DecideInput,
) -> Result<(DecisionStatus, Option<String>)> {
    let status = store::statuses(conn)?
        .into_iter()
        .find(|s| s.enabled && s.code == input.status.trim())
        .ok_or_else(|| Error::field("status", "triage.error.status_unknown"))?;
    let rationale = some_text(input.rationale.clone());
    if status.requires_rationale && rationale.is_none() {
        return Err(Error::field("rationale", "triage.error.rationale_required"));
    }
    if rationale
        .as_ref()
        .is_some_and(|r| r.chars().count() > RATIONALE_MAX)
    {
        return Err(Error::field("rationale", "triage.error.rationale_long"));
    }
    Ok((status, rationale))
}

fn decide_one(
    conn: &mut DbConnection,
    o: &Opinion,
    status: &DecisionStatus,
    rationale: Option<&str>,
    reopen: bool,
    actor: &Actor,
) -> Result<()> {
    // An approved or published decision stays, unless the office reopens it on purpose (a
    // correction): it then goes back to proposed, needs approving again, and reaches the public
    // only in a new edition.
    if matches!(o.state.as_str(), "approved" | "published")
        && !(reopen && actor.require(OFFICE).is_ok())
    {
        return Err(Error::field("status", "triage.error.already_approved"));
    }
    let at = db::now();
    let before = store::decision_of(conn, &o.id)?;
    store::propose(
        conn,
        &o.id,
        &status.code,
        rationale,
        actor.user_id.as_deref(),
        at,
    )?;
    store::add_history(
        conn,
        &o.id,
        "propose",
        &status.code,
        rationale,
        None,
        actor.user_id.as_deref(),
        at,
    )?;
    record(
        conn,
        actor,
        "opinion.decide",
        o,
        before.map(|d| json!({ "status": d.status, "rationale": d.rationale, "state": d.state })),
        json!({ "status": status.code, "rationale": rationale }),
    )
}

/// Proposes a decision on an opinion (and on the rest of its cluster when asked). Returns how
/// many opinions were decided. Nothing is saved when the input is refused.
pub fn decide(
    conn: &mut DbConnection,
    opinion_id: &str,
    input: &DecideInput,
    actor: &Actor,
) -> Result<usize> {
    actor.require(DECIDERS)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let (status, rationale) = checked_decision(conn, input)?;
        decide_one(conn, &o, &status, rationale.as_deref(), input.reopen, actor)?;
        let mut n = 1;
        if input.whole_cluster {
            if let Some(cl) = &o.cluster_id {
                let unit = scope(actor)?;
                for m in store::cluster_members(conn, cl)? {
                    let theirs = unit
                        .as_ref()
                        .is_none_or(|u| m.assignee_unit_id.as_ref() == Some(u));
                    if m.id == o.id
                        || !theirs
                        || matches!(m.state.as_str(), "approved" | "published")
                    {
                        continue;
                    }
                    decide_one(conn, &m, &status, rationale.as_deref(), false, actor)?;
                    n += 1;
                }
            }
        }
        if input.save_phrase {
            if let Some(r) = &rationale {
                store::add_phrase(conn, r, actor.user_id.as_deref(), db::now())?;
            }
        }
        invalidate(&o.consultation_id);
        Ok(n)
    })
}

fn approve_one(conn: &mut DbConnection, o: &Opinion, actor: &Actor) -> Result<()> {
    let d = store::decision_of(conn, &o.id)?
        .filter(|d| d.state == "proposed")
        .ok_or_else(|| Error::field("decision", "triage.error.not_proposed"))?;
    let at = db::now();
    store::set_decision_state(conn, &o.id, "approved", actor.user_id.as_deref(), None, at)?;
    store::set_state(conn, &o.id, "approved", at)?;
    store::add_history(
        conn,
        &o.id,
        "approve",
        &d.status,
        d.rationale.as_deref(),
        None,
        actor.user_id.as_deref(),
        at,
    )?;
    record(
        conn,
        actor,
        "opinion.approve",
        o,
        None,
        json!({ "status": d.status, "rationale": d.rationale }),
    )
}

pub fn approve(conn: &mut DbConnection, opinion_id: &str, actor: &Actor) -> Result<()> {
    actor.require(APPROVERS)?;
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        approve_one(conn, &o, actor)?;
        invalidate(&o.consultation_id);
        Ok(())
    })
}

/// Sends a proposed decision back with a note; the opinion returns to its assignee.
pub fn send_back(
    conn: &mut DbConnection,
    opinion_id: &str,
    note: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(APPROVERS)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::field("note", "triage.error.note_required"));
    }
    db::write(conn, |conn| {
        let o = visible(conn, opinion_id, actor)?;
        let d = store::decision_of(conn, &o.id)?
            .filter(|d| d.state == "proposed")
            .ok_or_else(|| Error::field("note", "triage.error.not_proposed"))?;
        let at = db::now();
        store::set_decision_state(conn, &o.id, "returned", None, Some(note), at)?;
        let state = if o.assignee_unit_id.is_some() || o.assignee_user_id.is_some() {
            "assigned"
        } else {
            "new"
        };
        store::set_state(conn, &o.id, state, at)?;
        store::add_history(
            conn,
            &o.id,
            "return",
            &d.status,
            d.rationale.as_deref(),
            Some(note),
            actor.user_id.as_deref(),
            at,
        )?;
        record(
            conn,
            actor,
            "opinion.return",
            &o,
            Some(json!({ "status": d.status, "rationale": d.rationale })),
            json!({ "note": note }),
        )?;
        invalidate(&o.consultation_id);
        Ok(())
    })
}

/// What to do to a selection of opinions.
#[derive(Debug, Clone)]
pub enum BulkAction {
    Assign(AssignInput),
    Decide(DecideInput),
    Approve,
}

/// Applies one action to every selected opinion of a consultation. The selection is checked as
/// a whole first: when one is refused, none is changed. It is then saved in chunks of
/// [`BULK_CHUNK`] (each opinion checked again); should another user change one of them in
/// between, the chunks before it stay saved and the refusal names it. Returns how many were
/// changed.
pub fn bulk(
    conn: &mut DbConnection,
    consultation_id: &str,
    opinion_ids: &[String],
    action: &BulkAction,
    actor: &Actor,
) -> Result<usize> {
    match action {
        BulkAction::Assign(_) => actor.require(OFFICE)?,
        BulkAction::Decide(_) => actor.require(DECIDERS)?,
        BulkAction::Approve => actor.require(APPROVERS)?,
    }
    let ids: BTreeSet<String> = opinion_ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(Error::field("opinion_ids", "triage.error.selection_empty"));
    }
    if ids.len() > 1000 {
        return Err(Error::field("opinion_ids", "triage.error.selection_large"));
    }
    // Checked as a whole first, without the write lock: an opinion that is not there (or not
    // this user's to see) refuses the action before anything is saved.
    let (tree, decision) = db::read::<_, Error, _>(conn, |conn| {
        consultation(conn, consultation_id)?;
        let tree = current_clauses(conn, consultation_id)?;
        for id in &ids {
            let o = visible(conn, id, actor)?;
            if o.consultation_id != consultation_id {
                return Err(Error::NotFound);
            }
            bulk_check(conn, &o, action, &tree)?;
        }
        let decision = match action {
            BulkAction::Decide(d) => Some(checked_decision(conn, d)?),
            _ => None,
        };
        Ok((tree, decision))
    })?;
    // Then saved [`BULK_CHUNK`] opinions per transaction, so the intake never waits for a
    // whole page of decisions; each opinion is read again under the lock.
    let ids: Vec<&String> = ids.iter().collect();
    let mut n = 0;
    for chunk in ids.chunks(BULK_CHUNK) {
        n += db::write::<_, Error, _>(conn, |conn| {
            for id in chunk {
                let o = visible(conn, id, actor)?;
                match action {
                    BulkAction::Assign(a) => assign_one(conn, &o, a, actor, &tree)?,
                    BulkAction::Decide(_) => {
                        if let Some((s, r)) = &decision {
                            decide_one(conn, &o, s, r.as_deref(), false, actor)?;
                        }
                    }
                    BulkAction::Approve => approve_one(conn, &o, actor)?,
                }
            }
            Ok(chunk.len())
        })?;
        invalidate(consultation_id);
    }
    if let (BulkAction::Decide(d), Some((_, Some(r)))) = (action, &decision) {
        if d.save_phrase {
            db::write::<_, Error, _>(conn, |conn| {
                Ok(store::add_phrase(
                    conn,
                    r,
                    actor.user_id.as_deref(),
                    db::now(),
                )?)
            })?;
        }
    }
    Ok(n)
}

/// Opinions saved per transaction by a bulk action.
const BULK_CHUNK: usize = 100;
