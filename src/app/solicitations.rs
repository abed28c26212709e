//! Solicitation (定向征求): staff invite units, units reply (opinions or 无修改意见) through the
//! department portal or staff record a paper letter, and the board shows where each unit stands.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::solicitations::{self as dbs, BoardRow, NewReply, Reply, Solicitation};
use crate::db::submissions::{NewOutbox, Submission};
use crate::db::{self, DbConnection, audit, new_id, now};
use crate::domain::Role;
use crate::domain::text::is_blank;
use crate::i18n::Locale;

/// Longest opinion a unit may send in one item.
pub const MAX_OPINION_CHARS: usize = 10_000;
/// Most opinions in one reply.
pub const MAX_OPINIONS: usize = 200;
/// Longest note to a 无修改意见 reply.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Who to invite: picked units and/or whole kinds.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Invite {
    pub unit_ids: Vec<String>,
    pub all_departments: bool,
    pub all_districts: bool,
    /// The reply deadline (UTC).
    #[serde(skip)]
    pub deadline: Option<NaiveDateTime>,
    pub note: Option<String>,
}

/// The reply deadline as typed (`YYYY-MM-DD[ HH:MM[:SS]]`, local time `tz`), in UTC: a date
/// alone means the end of that day. `None` when it is not a date.
pub fn deadline_end_of_day(s: &str, tz: chrono::FixedOffset) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.len() == 10 {
        return crate::domain::time::parse_datetime(&format!("{s} 23:59:59"), tz);
    }
    crate::domain::time::parse_datetime(s, tz)
}

/// Invites units; units already invited are left as they are. Each unit's contacts get an
/// invitation email in the same transaction. Returns how many units were newly invited.
pub fn invite(
    conn: &mut DbConnection,
    consultation_id: &str,
    input: Invite,
    mail: &MailContext,
    actor: &Actor,
) -> Result<usize> {
    actor.require(OFFICE)?;
    let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let mut errors = BTreeMap::new();
    let at = now();
    let deadline = match input.deadline {
        Some(d) if d > at => Some(d),
        Some(_) => {
            errors.insert("deadline".into(), "solicit.error.deadline_past".into());
            None
        }
        None => {
            errors.insert("deadline".into(), "solicit.error.deadline".into());
            None
        }
    };
    if matches!(c.status.as_str(), "closed" | "published" | "archived") {
        errors.insert("deadline".into(), "solicit.error.closed".into());
    }
    let mut unit_ids: Vec<String> = input
        .unit_ids
        .iter()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .collect();
    if input.all_departments {
        unit_ids.extend(dbs::unit_ids_of_kind(conn, "department")?);
    }
    if input.all_districts {
        unit_ids.extend(dbs::unit_ids_of_kind(conn, "district")?);
    }
    let mut seen = std::collections::HashSet::new();
    unit_ids.retain(|u| seen.insert(u.clone()));
    if unit_ids.is_empty() {
        errors.insert("unit_ids".into(), "solicit.error.no_units".into());
    }
    let mut units = Vec::new();
    for id in &unit_ids {
        match db::units::find(conn, id)? {
            Some(u) if !u.disabled => units.push(u),
            _ => {
                errors.insert("unit_ids".into(), "solicit.error.unknown_unit".into());
            }
        }
    }
    let (Some(deadline), true) = (deadline, errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let note = input
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(Error::field("note", "solicit.error.note_too_long"));
    }
    let emails = db::units::all_emails(conn)?;
    db::write::<_, Error, _>(conn, |conn| {
        let already = dbs::invited_unit_ids(conn, consultation_id)?;
        let mut added = 0;
        for u in units.iter().filter(|u| !already.contains(&u.id)) {
            let s = Solicitation {
                id: new_id(),
                consultation_id: c.id.clone(),
                unit_id: u.id.clone(),
                state: "pending".into(),
                deadline,
                note: note.clone(),
                invited_by: actor.user_id.clone(),
                invited_at: at,
                replied_by: None,
                replied_at: None,
                last_reminded_at: None,
                closed_early_at: None,
                closed_early_reason: None,
            };
            dbs::insert(conn, &s)?;
            for to in emails.get(&u.id).into_iter().flatten() {
                let m = message("invitation", &c, &s, &u.name, to, mail, at)?
                    .related("solicitation", &s.id);
                db::outbox::insert(conn, &m)?;
            }
            audit::record(
                conn,
                audit::AuditEntry {
                    consultation_id: Some(&c.id),
                    after: Some(json!({
                        "unit": u.name,
                        "deadline": deadline.to_string(),
                        "note": s.note,
                    })),
                    ..actor.audit("solicitation.invite", "solicitation", &s.id)
                },
            )?;
            added += 1;
        }
        Ok(added)
    })
}

/// Where links in mail point and in which zone times are written.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub base_url: String,
    pub timezone: chrono::FixedOffset,
}

/// An invitation, reminder or overdue notice to one contact address of a unit.
fn message(
    kind: &str,
    c: &db::consultations::Consultation,
    s: &Solicitation,
    unit: &str,
    to: &str,
    mail: &MailContext,
    at: NaiveDateTime,
) -> Result<NewOutbox> {
    use crate::mail::compose;
    let deadline = s.deadline;
    let deadline_text = crate::domain::time::format_local(deadline, mail.timezone);
    let reply_path = format!("/dept/consultations/{}", c.id);
    let locale = Locale::ZhCn;
    let m = match kind {
        "invitation" => compose::invitation(
            locale,
            to,
            &mail.base_url,
            &compose::Invitation {
                unit_name: unit.into(),
                consultation_title: c.title.clone(),
                consultation_slug: c.slug.clone(),
                deadline: deadline_text,
                reply_path,
                note: s.note.clone(),
            },
        )?,
        _ => {
            let r = compose::Reminder {
                unit_name: unit.into(),
                consultation_title: c.title.clone(),
                consultation_slug: c.slug.clone(),
                deadline: deadline_text,
                // Days left before the deadline, or days past it.
                days: ((deadline - at).num_hours().abs() + 23) / 24,
                reply_path,
            };
            if kind == "overdue" {
                compose::overdue(locale, to, &mail.base_url, &r)?
            } else {
                compose::reminder(locale, to, &mail.base_url, &r)?
            }
        }
    };
    Ok(m)
}

/// A unit's standing, as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Pending,
    Replied,
    NoComment,
    Overdue,
    /// Closed before its deadline without a reply (the report was published).
    ClosedEarly,
}

impl Standing {
    pub fn of(s: &Solicitation, at: NaiveDateTime) -> Self {
        match s.state.as_str() {
            "replied" => Standing::Replied,
            "no_comment" => Standing::NoComment,
            _ if s.closed_early_at.is_some() => Standing::ClosedEarly,
            _ if s.deadline <= at => Standing::Overdue,
            _ => Standing::Pending,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Standing::Pending => "pending",
            Standing::Replied => "replied",
            Standing::NoComment => "no_comment",
            Standing::Overdue => "overdue",
            Standing::ClosedEarly => "closed_early",
        }
    }
}

/// One line of the board.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BoardLine {
    pub solicitation_id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub standing: Standing,
    pub deadline: NaiveDateTime,
    pub replied_at: Option<NaiveDateTime>,
    pub replied_by: Option<String>,
    pub opinion_count: i64,
    pub versions: i64,
    pub closed_early_at: Option<NaiveDateTime>,
    pub closed_early_reason: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Board {
    pub lines: Vec<BoardLine>,
    pub counts: BTreeMap<&'static str, usize>,
}

/// The solicitation board of a consultation.
pub fn board(conn: &mut DbConnection, consultation_id: &str, actor: &Actor) -> Result<Board> {
    actor.require(&[Role::Staff, Role::Approver, Role::Admin])?;
    db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let at = now();
    let lines: Vec<BoardLine> = dbs::board(conn, consultation_id)?
        .into_iter()
        .map(|r: BoardRow| BoardLine {
            standing: Standing::of(&r.solicitation, at),
            solicitation_id: r.solicitation.id,
            unit_id: r.solicitation.unit_id,
            unit_name: r.unit_name,
            unit_kind: r.unit_kind,
            deadline: r.solicitation.deadline,
            replied_at: r.solicitation.replied_at,
            replied_by: r.replied_by_name,
            opinion_count: r.opinion_count,
            versions: r.versions,
            closed_early_at: r.solicitation.closed_early_at,
            closed_early_reason: r.solicitation.closed_early_reason,
        })
        .collect();
    let mut counts = BTreeMap::new();
    for s in [
        Standing::Pending,
        Standing::Replied,
        Standing::NoComment,
        Standing::Overdue,
        Standing::ClosedEarly,
    ] {
        counts.insert(s.key(), lines.iter().filter(|l| l.standing == s).count());
    }
    Ok(Board { lines, counts })
}

/// What a department user's unit has been asked about.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PortalItem {
    pub consultation_id: String,
    pub title: String,
    pub draft_title: String,
    pub deadline: NaiveDateTime,
    pub standing: Standing,
    pub open: bool,
    /// What the office wrote when inviting the unit.
    pub note: Option<String>,
    pub closed_early_at: Option<NaiveDateTime>,
    pub closed_early_reason: Option<String>,
}

pub fn portal(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<PortalItem>> {
    actor.require(&[Role::Department])?;
    let unit = actor.unit_id.as_deref().ok_or(Error::Forbidden)?;
    let at = now();
    Ok(dbs::for_unit(conn, unit)?
        .into_iter()
        .map(|r| PortalItem {
            standing: Standing::of(&r.solicitation, at),
            open: accepts_replies(&r.solicitation, &r.consultation_status, at),
            consultation_id: r.solicitation.consultation_id,
            title: r.consultation_title,
            draft_title: r.draft_title,
            deadline: r.solicitation.deadline,
            note: r.solicitation.note,
            closed_early_at: r.solicitation.closed_early_at,
            closed_early_reason: r.solicitation.closed_early_reason,
        })
        .collect())
}

/// A unit may reply until its own deadline, also after the public window has closed, until
/// the report is published (which closes every solicitation still waiting, with a reason).
fn accepts_replies(s: &Solicitation, consultation_status: &str, at: NaiveDateTime) -> bool {
    s.deadline > at
        && s.closed_early_at.is_none()
        && matches!(consultation_status, "draft" | "open" | "closed")
}

/// One unit's solicitation on one consultation, with every version of its reply.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitView {
    pub solicitation: Solicitation,
    pub unit_name: String,
    pub consultation: db::consultations::Consultation,
    pub standing: Standing,
    /// Whether the unit itself may still reply or amend.
    pub open: bool,
    pub versions: Vec<Reply>,
    /// The opinions of the current version.
    pub current: Vec<dbs::ReplyOpinion>,
}

/// The solicitation of `unit_id` (a department user's own unit, or any unit for the office).
/// Another unit's solicitation is not found.
pub fn unit_view(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit_id: &str,
    actor: &Actor,
) -> Result<UnitView> {
    may_act_for(actor, unit_id)?;
    let consultation = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let solicitation =
        dbs::find_for_unit(conn, consultation_id, unit_id)?.ok_or(Error::NotFound)?;
    let unit = db::units::find(conn, unit_id)?.ok_or(Error::NotFound)?;
    let versions = dbs::replies(conn, &solicitation.id)?;
    let current = match versions.first().and_then(|v| v.submission_id.as_deref()) {
        Some(sid) => dbs::opinions_of(conn, sid)?,
        None => Vec::new(),
    };
    let at = now();
    Ok(UnitView {
        standing: Standing::of(&solicitation, at),
        open: accepts_replies(&solicitation, &consultation.status, at),
        unit_name: unit.name,
        consultation,
        solicitation,
        versions,
        current,
    })
}

/// Department users act for their own unit only (anything else is "not found", so a unit cannot
/// learn what another was asked); the office acts for any unit.
fn may_act_for(actor: &Actor, unit_id: &str) -> Result<()> {
    match actor.role {
        Some(Role::Department) if actor.unit_id.as_deref() == Some(unit_id) => Ok(()),
        Some(Role::Department) => Err(Error::NotFound),
        Some(Role::Staff | Role::Admin | Role::Approver) => Ok(()),
        None => Err(Error::Forbidden),
    }
}

/// One opinion of a reply.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ReplyOpinionInput {
    pub clause_ids: Vec<String>,
    pub body: String,
}

/// A unit's reply: opinions, or 无修改意见 with an optional note.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReplyInput {
    pub opinions: Vec<ReplyOpinionInput>,
    pub no_comment: bool,
    pub note: Option<String>,
    pub attachment_id: Option<String>,
    /// Staff recording a paper letter: the letter's date or sender note goes in `note`.
    #[serde(skip)]
    pub on_paper: bool,
}

/// Records a new version of a unit's reply. The unit itself may reply until the deadline; the
/// office records letters received on paper at any time before the consultation is closed.
pub fn reply(
    conn: &mut DbConnection,
    consultation_id: &str,
    unit_id: &str,
    input: ReplyInput,
    actor: &Actor,
) -> Result<Reply> {
    may_act_for(actor, unit_id)?;
    let office = actor.require(OFFICE).is_ok();
    let is_department = actor.role == Some(Role::Department);
    if !office && !is_department {
        return Err(Error::Forbidden);
    }
    let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let s = dbs::find_for_unit(conn, consultation_id, unit_id)?.ok_or(Error::NotFound)?;
    let at = now();
    if is_department && !accepts_replies(&s, &c.status, at) {
        let why = if s.closed_early_at.is_some() {
            "solicit.error.closed_early"
        } else if s.deadline <= at {
            "solicit.error.deadline_passed"
        } else {
            "solicit.error.ended"
        };
        return Err(Error::field("opinions", why));
    }
    if office && matches!(c.status.as_str(), "published" | "archived") {
        return Err(Error::field("opinions", "solicit.error.closed"));
    }
    let mut errors = BTreeMap::new();
    let opinions: Vec<(String, Vec<String>)> = input
        .opinions
        .iter()
        .map(|o| {
            let mut ids: Vec<String> = o
                .clause_ids
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            ids.sort();
            ids.dedup();
            (o.body.trim().to_string(), ids)
        })
        .filter(|(b, ids)| !is_blank(b) || !ids.is_empty())
        .collect();
    if input.no_comment && !opinions.is_empty() {
        errors.insert("no_comment".into(), "solicit.error.both".into());
    }
    if !input.no_comment && opinions.is_empty() {
        errors.insert("opinions".into(), "solicit.error.empty".into());
    }
    if opinions.iter().any(|(b, _)| is_blank(b)) {
        errors.insert("opinions".into(), "solicit.error.body_missing".into());
    }
    if opinions
        .iter()
        .any(|(b, _)| b.chars().count() > MAX_OPINION_CHARS)
    {
        errors.insert("opinions".into(), "solicit.error.too_long".into());
    }
    if opinions.len() > MAX_OPINIONS {
        errors.insert("opinions".into(), "solicit.error.too_many".into());
    }
    let note = input
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        errors.insert("note".into(), "solicit.error.note_too_long".into());
    }
    let mut all_clauses: Vec<String> = opinions.iter().flat_map(|(_, c)| c.clone()).collect();
    all_clauses.sort();
    all_clauses.dedup();
    if !all_clauses.is_empty() {
        let ok = match db::drafts::current_version_id(conn, consultation_id)? {
            Some(v) => {
                dbs::count_clauses_in_version(conn, &v, &all_clauses)? == all_clauses.len() as i64
            }
            None => false,
        };
        if !ok {
            errors.insert("opinions".into(), "solicit.error.unknown_clause".into());
        }
    }
    if let Some(a) = &input.attachment_id {
        // Only a file the caller (or, for a department, its unit) uploaded: another unit's
        // letter must not become readable through this reply.
        let linkable = match crate::db::attachments::find(conn, a)? {
            None => false,
            Some(a) => super::attachments::may_link(conn, &a, actor)?,
        };
        if !linkable {
            errors.insert("attachment".into(), "attachment.error.missing".into());
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let unit = db::units::find(conn, unit_id)?.ok_or(Error::NotFound)?;
    let channel = if input.on_paper || !is_department {
        "letter"
    } else {
        "department"
    };
    db::write::<_, Error, _>(conn, |conn| {
        let version = dbs::replies(conn, &s.id)?
            .first()
            .map(|r| r.version + 1)
            .unwrap_or(1);
        let submission = (!input.no_comment).then(|| Submission {
            id: new_id(),
            consultation_id: c.id.clone(),
            tracking_code: crate::domain::tracking::new_code(&mut rand::rng()),
            channel: channel.into(),
            state: "received".into(),
            name: None,
            organization: Some(unit.name.clone()),
            email: None,
            phone: None,
            publish_name: true,
            unit_id: Some(unit.id.clone()),
            solicitation_id: Some(s.id.clone()),
            body: opinions
                .iter()
                .map(|(b, _)| b.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
            locale: "zh-CN".into(),
            idempotency_key: None,
            display_order: Some(unit.sort_order),
            attachment_id: input.attachment_id.clone(),
            recorded_by: actor.user_id.clone(),
            received_at: at,
        });
        let reply = Reply {
            id: new_id(),
            solicitation_id: s.id.clone(),
            version,
            kind: if input.no_comment {
                "no_comment".into()
            } else {
                "opinions".into()
            },
            note: note.clone(),
            channel: channel.into(),
            submission_id: submission.as_ref().map(|s| s.id.clone()),
            attachment_id: input.attachment_id.clone(),
            opinion_count: opinions.len() as i64,
            submitted_by: actor.user_id.clone(),
            submitted_at: at,
        };
        dbs::insert_reply(
            conn,
            &NewReply {
                solicitation: &s,
                reply: reply.clone(),
                submission,
                opinions: opinions.clone(),
            },
        )?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&c.id),
                after: Some(json!({
                    "unit": unit.name,
                    "version": version,
                    "kind": reply.kind,
                    "channel": channel,
                    "opinions": opinions.len(),
                })),
                ..actor.audit("solicitation.reply", "solicitation", &s.id)
            },
        )?;
        Ok(reply)
    })
}

/// Queues reminders: `days_before` the deadline to units that have not replied, and once more
/// when the deadline has passed. Returns how many solicitations were reminded.
pub fn send_reminders(
    conn: &mut DbConnection,
    days_before: i64,
    mail: &MailContext,
    at: NaiveDateTime,
) -> Result<usize> {
    let due = dbs::due_reminders(conn, at, days_before)?;
    let emails = db::units::all_emails(conn)?;
    let mut n = 0;
    for (s, overdue) in due {
        let Some(c) = db::consultations::find(conn, &s.consultation_id)? else {
            continue;
        };
        let Some(unit) = db::units::find(conn, &s.unit_id)? else {
            continue;
        };
        let kind = if overdue { "overdue" } else { "reminder" };
        let won = db::write::<_, Error, _>(conn, |conn| {
            if !dbs::mark_reminded(conn, &s.id, s.last_reminded_at, at)? {
                return Ok(false);
            }
            for to in emails.get(&s.unit_id).into_iter().flatten() {
                let m =
                    message(kind, &c, &s, &unit.name, to, mail, at)?.related("solicitation", &s.id);
                db::outbox::insert(conn, &m)?;
            }
            audit::record(
                conn,
                audit::AuditEntry {
                    consultation_id: Some(&c.id),
                    after: Some(json!({"unit": unit.name, "kind": kind})),
                    ..Actor::system().audit("solicitation.remind", "solicitation", &s.id)
                },
            )?;
            Ok(true)
        })?;
        n += usize::from(won);
    }
    Ok(n)
}

/// A unit that has not replied (and whose solicitation was not closed early).
pub type Outstanding = dbs::Outstanding;

/// Every invited unit of a consultation that has not replied, before or after its deadline.
pub fn unreplied(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<Vec<Outstanding>> {
    actor.require(&[Role::Staff, Role::Approver, Role::Admin])?;
    Ok(dbs::outstanding(conn, consultation_id)?)
}

/// The units of a consultation that still owe a reply before their deadline at `at`.
pub fn pending_before_deadline(
    conn: &mut DbConnection,
    consultation_id: &str,
    at: NaiveDateTime,
) -> Result<Vec<Outstanding>> {
    Ok(dbs::outstanding(conn, consultation_id)?
        .into_iter()
        .filter(|o| o.deadline > at)
        .collect())
}

/// Closes, inside the caller's transaction, the solicitations of units that still owe a reply
/// before their deadline: records the reason and time, queues a notice to each unit's contact
/// addresses and audits each. Returns the units closed.
pub fn close_early_in(
    conn: &mut DbConnection,
    consultation_id: &str,
    reason: &str,
    mail: &MailContext,
    actor: &Actor,
    at: NaiveDateTime,
) -> Result<Vec<Outstanding>> {
    use crate::mail::compose;
    let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let pending = pending_before_deadline(conn, consultation_id, at)?;
    let emails = db::units::all_emails(conn)?;
    let mut closed = Vec::new();
    for o in pending {
        if !dbs::close_early(conn, &o.solicitation_id, at, reason)? {
            continue;
        }
        for to in emails.get(&o.unit_id).into_iter().flatten() {
            let m = compose::solicitation_closed(
                Locale::ZhCn,
                to,
                &mail.base_url,
                &compose::SolicitationClosed {
                    unit_name: o.unit_name.clone(),
                    consultation_title: c.title.clone(),
                    closed_on: day_text(Locale::ZhCn, at, mail.timezone),
                    deadline: day_text(Locale::ZhCn, o.deadline, mail.timezone),
                    reason: reason.to_string(),
                    page_path: format!("/dept/consultations/{}", c.id),
                },
            )?
            .related("solicitation", &o.solicitation_id);
            db::outbox::insert(conn, &m)?;
        }
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&c.id),
                before: Some(json!({"state": "pending", "deadline": o.deadline.to_string()})),
                after: Some(json!({
                    "unit": o.unit_name,
                    "closed_early_at": at.to_string(),
                    "reason": reason,
                })),
                ..actor.audit(
                    "solicitation.close_early",
                    "solicitation",
                    &o.solicitation_id,
                )
            },
        )?;
        closed.push(o);
    }
    Ok(closed)
}

/// A day as people write it (`12月3日`), in the office's time zone.
pub fn day_text(locale: Locale, utc: NaiveDateTime, tz: chrono::FixedOffset) -> String {
    use chrono::Datelike;
    let local = utc.and_utc().with_timezone(&tz);
    crate::i18n::tf(
        locale,
        "solicit.day",
        &[
            ("y", &local.year().to_string()),
            ("m", &local.month().to_string()),
            ("d", &local.day().to_string()),
        ],
    )
}

/// Why a unit's solicitation closed before its deadline, in words consistent with the dates:
/// 征求意见已于 12月3日 提前结束（原定截止 12月10日）：理由. `None` unless it was closed early.
pub fn closed_early_text(
    locale: Locale,
    closed_early_at: Option<NaiveDateTime>,
    deadline: NaiveDateTime,
    reason: Option<&str>,
    tz: chrono::FixedOffset,
) -> Option<String> {
    let at = closed_early_at?;
    Some(crate::i18n::tf(
        locale,
        "solicit.closed_early",
        &[
            ("closed", &day_text(locale, at, tz)),
            ("deadline", &day_text(locale, deadline, tz)),
            ("reason", reason.unwrap_or("")),
        ],
    ))
}
