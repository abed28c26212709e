//! The outbox as administrators see it: what was sent, what waits, what failed; and sending a
//! message, or every failed one of a kind or a time, again.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{Actor, Error, Result};
use crate::db::{self, DbConnection, outbox};
use crate::domain::Role;
use crate::domain::mail::{KINDS, STATES, mask_address};
use crate::domain::time::parse_datetime;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The list's filters, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Query {
    /// `queued`, `sent` or `failed`; empty for all.
    pub state: Option<String>,
    pub kind: Option<String>,
    /// From 1.
    pub page: Option<i64>,
}

/// One message as the list shows it. The address is masked: the list is for seeing that mail
/// flows, not for reading who wrote in.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub locale: String,
    pub subject: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub message_id: String,
    pub related_type: Option<String>,
    pub related_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
}

impl From<outbox::OutboxMessage> for Row {
    fn from(m: outbox::OutboxMessage) -> Self {
        Self {
            to: mask_address(&m.to_address),
            next_attempt_at: (m.state == "queued").then_some(m.next_attempt_at),
            id: m.id,
            kind: m.kind,
            locale: m.locale,
            subject: m.subject,
            state: m.state,
            attempts: m.attempts,
            last_error: m.last_error,
            message_id: m.message_id,
            related_type: m.related_type,
            related_id: m.related_id,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// One page of the list.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub messages: Vec<Row>,
    /// Rows per state over the whole outbox.
    pub counts: BTreeMap<String, i64>,
    pub page: i64,
    pub has_more: bool,
}

fn chosen(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The outbox, newest first, filtered.
pub fn list(conn: &mut DbConnection, q: &Query, actor: &Actor) -> Result<Listing> {
    actor.require(&[Role::Admin])?;
    let mut errors = BTreeMap::new();
    let state = chosen(&q.state);
    if state.as_deref().is_some_and(|s| !STATES.contains(&s)) {
        errors.insert("state".to_string(), "outbox.error.state".to_string());
    }
    let kind = chosen(&q.kind);
    if kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
        errors.insert("kind".to_string(), "outbox.error.kind".to_string());
    }
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        errors.insert("page".to_string(), "outbox.error.page".to_string());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut rows = outbox::list(
        conn,
        &outbox::Filter {
            state,
            kind,
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE + 1,
        },
    )?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let mut counts: BTreeMap<String, i64> = STATES.iter().map(|s| (s.to_string(), 0)).collect();
    counts.extend(outbox::counts_by_state(conn)?);
    Ok(Listing {
        messages: rows.into_iter().map(Row::from).collect(),
        counts,
        page,
        has_more,
    })
}

/// Emails waiting and emails that gave up, for `/healthz`: `(queued, failed)`, after a real
/// round trip to the database.
pub fn health(conn: &mut DbConnection) -> Result<(i64, i64)> {
    db::ping(conn)?;
    let counts = outbox::counts_by_state(conn)?;
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok((count("queued"), count("failed")))
}

/// Queues a sent or failed message again, with its attempts reset and its Message-ID kept;
/// recorded in the audit log.
pub fn resend(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<Row> {
    actor.require(&[Role::Admin])?;
    db::write(conn, |conn| {
        let before = outbox::find(conn, id)?.ok_or(Error::NotFound)?;
        if before.state == "queued" {
            return Err(Error::Conflict("already queued".into()));
        }
        outbox::resend(conn, id, db::now())?.ok_or(Error::Conflict("already queued".into()))?;
        db::audit::record(
            conn,
            db::audit::AuditEntry {
                before: Some(serde_json::json!({
                    "state": before.state,
                    "attempts": before.attempts,
                    "last_error": before.last_error,
                })),
                after: Some(serde_json::json!({"state": "queued"})),
                ..actor.audit("outbox.resend", "outbox_message", id)
            },
        )?;
        let after = outbox::find(conn, id)?.ok_or(Error::NotFound)?;
        Ok(Row::from(after))
    })
}

/// Which failed messages to queue again at once, as typed: a kind, and the times they were
/// written, from (inclusive) and to (exclusive; a date alone means up to the end of that
/// day), each RFC 3339 or a local `YYYY-MM-DD[ HH:MM]`. Empty: any.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BulkResend {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl BulkResend {
    /// The filter it stands for, or which fields are wrong.
    pub fn filter(&self, tz: chrono::FixedOffset) -> Result<outbox::FailedFilter> {
        let mut errors = BTreeMap::new();
        let kind = chosen(&self.kind);
        if kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
            errors.insert("kind".to_string(), "outbox.error.kind".to_string());
        }
        let mut time = |field: &str, v: &Option<String>, end_of_day: bool| {
            let v = chosen(v)?;
            let Some(t) = parse_datetime(&v, tz) else {
                errors.insert(field.to_string(), "outbox.error.time".to_string());
                return None;
            };
            let date_only = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_ok();
            Some(if end_of_day && date_only {
                t + chrono::Duration::days(1)
            } else {
                t
            })
        };
        let from = time("from", &self.from, false);
        let to = time("to", &self.to, true);
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                errors.insert("to".to_string(), "outbox.error.range".to_string());
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(outbox::FailedFilter { kind, from, to })
    }
}

/// Failed messages over the whole outbox: what the admin page and `/healthz` report.
pub fn failed_count(conn: &mut DbConnection) -> Result<i64> {
    Ok(outbox::count_failed(
        conn,
        &outbox::FailedFilter::default(),
    )?)
}

/// Queues every failed message of a kind and/or written in a time range again, as [`resend`]
/// does one; returns how many. One entry in the audit log says what was asked and how many.
pub fn resend_failed(
    conn: &mut DbConnection,
    b: &BulkResend,
    tz: chrono::FixedOffset,
    actor: &Actor,
) -> Result<usize> {
    actor.require(&[Role::Admin])?;
    let f = b.filter(tz)?;
    db::write(conn, |conn| {
        let queued = outbox::resend_failed(conn, &f, db::now())?;
        db::audit::record(
            conn,
            db::audit::AuditEntry {
                after: Some(serde_json::json!({
                    "kind": f.kind,
                    "from": f.from,
                    "to": f.to,
                    "queued": queued,
                })),
                ..actor.audit("outbox.resend_failed", "outbox", "failed")
            },
        )?;
        Ok(queued)
    })
}
