//! Creating consultations and moving them through their lifecycle.

use std::collections::BTreeMap;

use chrono::FixedOffset;
use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::consultations::{Consultation, ConsultationSummary};
use crate::db::{self, DbConnection, audit};
use crate::domain::consultation::{self as rules, Status};
use crate::domain::time::parse_datetime;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateConsultation {
    pub title: String,
    pub draft_title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact: String,
    pub opens_at: String,
    pub closes_at: String,
    pub short_window_reason: Option<String>,
    pub slug: Option<String>,
    #[serde(default)]
    pub require_name: bool,
}

fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn create(
    conn: &mut DbConnection,
    input: CreateConsultation,
    tz: FixedOffset,
    actor: &Actor,
) -> Result<Consultation> {
    actor.require(OFFICE)?;
    let window = validate(&input, tz);
    let mut errors = window.clone().err().unwrap_or_default();
    let slug = trimmed(&input.slug).map(str::to_string);
    if let Some(s) = &slug {
        if !rules::is_valid_slug(s) {
            errors.insert("slug".into(), "consultation.error.slug".into());
        }
    }
    let (Ok((opens_at, closes_at, short_reason)), true) = (window, errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let (title, draft_title) = (input.title.trim(), input.draft_title.trim());
    db::write(conn, |conn| {
        let slug = match slug {
            Some(s) => {
                if db::consultations::slug_taken(conn, &s)? {
                    return Err(Error::field("slug", "consultation.error.slug_taken"));
                }
                s
            }
            None => loop {
                let s = rules::default_slug(opens_at, rand::random());
                if !db::consultations::slug_taken(conn, &s)? {
                    break s;
                }
            },
        };
        let id = db::new_id();
        let now = db::now();
        db::consultations::insert(
            conn,
            &db::consultations::NewConsultation {
                id: &id,
                slug: &slug,
                title,
                draft_title,
                description: input.description.trim(),
                contact: input.contact.trim(),
                status: Status::Draft.as_str(),
                opens_at,
                closes_at,
                short_window_reason: short_reason.as_deref(),
                require_name: input.require_name,
                created_by: actor.user_id.as_deref(),
                created_at: now,
                updated_at: now,
            },
        )?;
        let c = db::consultations::find(conn, &id)?.ok_or(Error::NotFound)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&id),
                after: Some(json!(c)),
                ..actor.audit("consultation.create", "consultation", &id)
            },
        )?;
        Ok(c)
    })
}

/// Opens a draft consultation for comment (comments are accepted from `opens_at`).
pub fn open(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<Consultation> {
    transition(conn, id, Status::Open, None, actor, db::now())
}

/// Closes an open consultation. Before `closes_at` this is an early close and needs a reason.
pub fn close(
    conn: &mut DbConnection,
    id: &str,
    reason: Option<&str>,
    actor: &Actor,
) -> Result<Consultation> {
    transition(conn, id, Status::Closed, reason, actor, db::now())
}

fn transition(
    conn: &mut DbConnection,
    id: &str,
    to: Status,
    reason: Option<&str>,
    actor: &Actor,
    now: chrono::NaiveDateTime,
) -> Result<Consultation> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let c = db::consultations::find(conn, id)?.ok_or(Error::NotFound)?;
        let from = c.status();
        if !from.can_become(to) {
            return Err(Error::Validation(BTreeMap::from([(
                "status".to_string(),
                format!("consultation.error.cannot_{}", to.as_str()),
            )])));
        }
        let closed = if to == Status::Closed {
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            let early = now < c.closes_at;
            if early && reason.is_none() {
                return Err(Error::field(
                    "reason",
                    "consultation.error.early_close_reason",
                ));
            }
            Some((now, if early { reason } else { None }))
        } else {
            None
        };
        if !db::consultations::set_status(conn, id, from.as_str(), to.as_str(), closed)? {
            return Err(Error::Conflict("status changed meanwhile".into()));
        }
        let after = db::consultations::find(conn, id)?.ok_or(Error::NotFound)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(id),
                before: Some(json!({"status": from.as_str()})),
                after: Some(
                    json!({"status": to.as_str(), "closed_early_reason": after.closed_early_reason}),
                ),
                ..actor.audit(&format!("consultation.{}", to.as_str()), "consultation", id)
            },
        )?;
        Ok(after)
    })
}

/// A consultation, for the office's own pages.
pub fn find(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<Consultation> {
    actor.require(&[
        crate::domain::Role::Staff,
        crate::domain::Role::Approver,
        crate::domain::Role::Admin,
    ])?;
    db::consultations::find(conn, id)?.ok_or(Error::NotFound)
}

/// Every consultation, newest first, for the office's list.
pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<ConsultationSummary>> {
    actor.require(&[
        crate::domain::Role::Staff,
        crate::domain::Role::Approver,
        crate::domain::Role::Admin,
    ])?;
    Ok(db::consultations::list_all(conn)?)
}

/// Closes, as the system, every open consultation whose window has ended. Returns their ids.
pub fn close_expired(conn: &mut DbConnection, at: chrono::NaiveDateTime) -> Result<Vec<String>> {
    let due = db::consultations::open_past(conn, at)?;
    let system = Actor::system();
    let mut closed = Vec::new();
    for id in due {
        match transition(conn, &id, Status::Closed, None, &system, at) {
            Ok(_) => closed.push(id),
            // Closed by someone else meanwhile.
            Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

/// Every channel a consultation can take.
pub const CHANNELS: [&str; 6] = [
    "public_web",
    "department",
    "letter",
    "email",
    "meeting",
    "other",
];

/// What staff may change after creating a consultation (the address stays: it has been shared).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EditConsultation {
    pub title: String,
    pub draft_title: String,
    pub description: String,
    pub contact: String,
    pub opens_at: String,
    pub closes_at: String,
    pub short_window_reason: Option<String>,
    pub require_name: bool,
    /// The channels it takes; at least one.
    pub channels: Vec<String>,
}

impl EditConsultation {
    /// The form pre-filled from a consultation.
    pub fn of(c: &Consultation, tz: FixedOffset) -> Self {
        let local = |t: chrono::NaiveDateTime| {
            chrono::TimeZone::from_utc_datetime(&tz, &t)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        };
        Self {
            title: c.title.clone(),
            draft_title: c.draft_title.clone(),
            description: c.description.clone(),
            contact: c.contact.clone(),
            opens_at: local(c.opens_at),
            closes_at: local(c.closes_at),
            short_window_reason: c.short_window_reason.clone(),
            require_name: c.require_name,
            channels: c
                .channels
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        }
    }
}

/// Changes a consultation's settings, with the same rules as creating one (a window under 30
/// days needs its reason). Published and archived consultations are frozen.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: EditConsultation,
    tz: FixedOffset,
    actor: &Actor,
) -> Result<Consultation> {
    actor.require(OFFICE)?;
    // The same checks as a new consultation, on the same fields.
    let as_new = CreateConsultation {
        title: input.title.clone(),
        draft_title: input.draft_title.clone(),
        description: input.description.clone(),
        contact: input.contact.clone(),
        opens_at: input.opens_at.clone(),
        closes_at: input.closes_at.clone(),
        short_window_reason: input.short_window_reason.clone(),
        slug: None,
        require_name: input.require_name,
    };
    let mut errors = validate(&as_new, tz).err().unwrap_or_default();
    let mut channels: Vec<&str> = CHANNELS
        .iter()
        .copied()
        .filter(|c| input.channels.iter().any(|x| x.trim() == *c))
        .collect();
    channels.dedup();
    if channels.is_empty() || input.channels.iter().any(|x| !CHANNELS.contains(&x.trim())) {
        errors.insert("channels".into(), "consultation.error.channels".into());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (opens_at, closes_at, reason) = validate(&as_new, tz).map_err(Error::Validation)?;
    db::write(conn, |conn| {
        let before = db::consultations::find(conn, id)?.ok_or(Error::NotFound)?;
        if matches!(before.status(), Status::Published | Status::Archived) {
            return Err(Error::field("status", "consultation.error.frozen"));
        }
        db::consultations::update(
            conn,
            id,
            &db::consultations::ConsultationEdit {
                title: input.title.trim(),
                draft_title: input.draft_title.trim(),
                description: input.description.trim(),
                contact: input.contact.trim(),
                opens_at,
                closes_at,
                short_window_reason: reason.as_deref(),
                require_name: input.require_name,
                channels: &channels.join(","),
            },
        )?;
        let after = db::consultations::find(conn, id)?.ok_or(Error::NotFound)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(id),
                before: Some(json!(before)),
                after: Some(json!(after)),
                ..actor.audit("consultation.update", "consultation", id)
            },
        )?;
        Ok(after)
    })
}

/// The field checks shared by creating and editing: the window and its reason.
type Window = (chrono::NaiveDateTime, chrono::NaiveDateTime, Option<String>);

fn validate(
    input: &CreateConsultation,
    tz: FixedOffset,
) -> Result<Window, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let title = input.title.trim();
    let draft_title = input.draft_title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        errors.insert("title".into(), "consultation.error.title".into());
    }
    if draft_title.is_empty() || draft_title.chars().count() > 300 {
        errors.insert(
            "draft_title".into(),
            "consultation.error.draft_title".into(),
        );
    }
    if input.description.chars().count() > 20_000 {
        errors.insert(
            "description".into(),
            "consultation.error.description".into(),
        );
    }
    if input.contact.chars().count() > 1_000 {
        errors.insert("contact".into(), "consultation.error.contact".into());
    }
    let opens = parse_datetime(&input.opens_at, tz);
    let closes = parse_datetime(&input.closes_at, tz);
    if opens.is_none() {
        errors.insert("opens_at".into(), "consultation.error.datetime".into());
    }
    if closes.is_none() {
        errors.insert("closes_at".into(), "consultation.error.datetime".into());
    }
    let reason = trimmed(&input.short_window_reason);
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            errors.insert(
                "closes_at".into(),
                "consultation.error.closes_before_opens".into(),
            );
        } else if rules::window_needs_reason(o, c) && reason.is_none() {
            errors.insert(
                "short_window_reason".into(),
                "consultation.error.short_window_reason".into(),
            );
        }
    }
    match (opens, closes) {
        (Some(o), Some(c)) if errors.is_empty() => Ok((
            o,
            c,
            rules::window_needs_reason(o, c)
                .then(|| reason.map(str::to_string))
                .flatten(),
        )),
        _ => Err(errors),
    }
}

/// Whether a consultation is the sample created at setup.
pub fn is_sample(conn: &mut DbConnection, id: &str) -> Result<bool> {
    Ok(db::consultations::is_sample(conn, id)?)
}

/// Deletes a consultation in one action: the sample created at setup, or a draft that was
/// never opened. Anything the public has seen is kept (`Conflict`).
pub fn delete(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let c = db::consultations::find(conn, id)?.ok_or(Error::NotFound)?;
        let sample = db::consultations::is_sample(conn, id)?;
        if !sample && c.status() != Status::Draft {
            return Err(Error::Conflict(
                "only a sample or a draft never opened can be deleted".into(),
            ));
        }
        db::consultations::delete_all(conn, id)?;
        audit::record(
            conn,
            audit::AuditEntry {
                before: Some(
                    json!({"slug": c.slug, "title": c.title, "status": c.status, "sample": sample}),
                ),
                ..actor.audit("consultation.delete", "consultation", id)
            },
        )?;
        Ok(())
    })
}
