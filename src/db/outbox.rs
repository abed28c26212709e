//! The outbox (待发邮件): emails written in the same transaction as the change that causes
//! them, claimed by the sending workers of any number of nodes, marked sent, rescheduled or
//! failed.
//!
//! Claims are leases: a row claimed by a worker that dies is claimed again once its
//! `claimed_until` has passed. On PostgreSQL the claim locks its rows with `FOR UPDATE SKIP
//! LOCKED`, so workers of several nodes never claim the same row; on SQLite the claim is one
//! `UPDATE … RETURNING` statement, which the database runs alone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::outbox_messages;
use super::{DbConnection, DbError};

/// An email to write inside the transaction of the change that causes it. Built by
/// `crate::mail::compose`; written by [`insert`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    pub id: String,
    /// `receipt`, `invitation`, `reminder`, `overdue`, `assignment`, `decision`,
    /// `password_reset`.
    pub kind: String,
    pub to_address: String,
    pub locale: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Stable across retries and resends: `<id@host>`.
    pub message_id: String,
    pub related_type: Option<String>,
    pub related_id: Option<String>,
}

impl NewOutbox {
    /// What the message is about (`submission`, `solicitation`, `opinion`, `user`…), for the
    /// admin page.
    pub fn related(mut self, entity_type: &str, entity_id: &str) -> Self {
        self.related_type = Some(entity_type.to_string());
        self.related_id = Some(entity_id.to_string());
        self
    }
}

/// One row of the outbox.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, serde::Serialize)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub to_address: String,
    pub locale: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub message_id: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub related_type: Option<String>,
    pub related_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// When a failed message first failed in a way a later delivery may mend (see
    /// [`redrive`]), kept while such a message is queued again by the sender; `None` when it
    /// never failed, was refused or could not be composed, or was resent by an administrator.
    pub failed_at: Option<NaiveDateTime>,
}

/// Writes a queued email, due now. Run it inside the transaction of the change that causes it.
pub fn insert(conn: &mut DbConnection, m: &NewOutbox) -> Result<(), DbError> {
    insert_at(conn, m, super::now())
}

/// [`insert`] with the time of the change (the same instant as its other rows).
pub fn insert_at(conn: &mut DbConnection, m: &NewOutbox, at: NaiveDateTime) -> Result<(), DbError> {
    insert_many(conn, &[(m, at)])
}

/// Of `related_ids`, those that already have a message of `kind` written at or after `since`.
pub fn related_since(
    conn: &mut DbConnection,
    kind: &str,
    related_ids: &[&str],
    since: NaiveDateTime,
) -> Result<std::collections::HashSet<String>, DbError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::kind.eq(kind))
        .filter(outbox_messages::related_id.eq_any(related_ids))
        .filter(outbox_messages::created_at.ge(since))
        .select(outbox_messages::related_id.assume_not_null())
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Writes several queued emails, each due at the time of its change, in one statement per
/// 500 (the intake path writes a batch's receipts together).
pub fn insert_many(
    conn: &mut DbConnection,
    messages: &[(&NewOutbox, NaiveDateTime)],
) -> Result<(), DbError> {
    for chunk in messages.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(m, at)| {
                (
                    outbox_messages::id.eq(&m.id),
                    outbox_messages::kind.eq(&m.kind),
                    outbox_messages::to_address.eq(&m.to_address),
                    outbox_messages::locale.eq(&m.locale),
                    outbox_messages::subject.eq(&m.subject),
                    outbox_messages::body_text.eq(&m.body_text),
                    outbox_messages::body_html.eq(&m.body_html),
                    outbox_messages::message_id.eq(&m.message_id),
                    outbox_messages::state.eq("queued"),
                    outbox_messages::attempts.eq(0i64),
                    outbox_messages::next_attempt_at.eq(*at),
                    outbox_messages::related_type.eq(&m.related_type),
                    outbox_messages::related_id.eq(&m.related_id),
                    outbox_messages::created_at.eq(*at),
                )
            })
            .collect();
        crate::per_backend!(&mut *conn, |c| diesel::insert_into(outbox_messages::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(())
}

const CLAIM_SQLITE: &str = "UPDATE outbox_messages \
     SET claimed_until = ?, claimed_by = ?, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox_messages \
         WHERE state = 'queued' AND next_attempt_at <= ? \
           AND (claimed_until IS NULL OR claimed_until <= ?) AND attempts < ? \
         ORDER BY next_attempt_at, id LIMIT ?) \
     RETURNING *";

const CLAIM_POSTGRES: &str = "UPDATE outbox_messages \
     SET claimed_until = $1, claimed_by = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox_messages \
         WHERE state = 'queued' AND next_attempt_at <= $3 \
           AND (claimed_until IS NULL OR claimed_until <= $4) AND attempts < $5 \
         ORDER BY next_attempt_at, id LIMIT $6 \
         FOR UPDATE SKIP LOCKED) \
     RETURNING *";

/// Claims up to `limit` due rows for `worker` until `lease_until`, counting the attempt.
/// Rows another worker holds (a live lease, or a PostgreSQL row lock) are skipped, and so are
/// rows that already had `max_attempts` (their claims ran out: see [`fail_abandoned`]).
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<OutboxMessage>, DbError> {
    let mut rows: Vec<OutboxMessage> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(CLAIM_SQLITE)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(max_attempts)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        DbConnection::Postgresql(c) => diesel::sql_query(CLAIM_POSTGRES)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(max_attempts)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    // RETURNING gives no order.
    rows.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    Ok(rows)
}

/// Marks a row sent. Whoever holds the claim, a message that went out is sent.
pub fn mark_sent(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::state.eq("queued")),
    )
    .set((
        outbox_messages::state.eq("sent"),
        outbox_messages::sent_at.eq(Some(at)),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
        outbox_messages::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// After a failed attempt: try again at `next_attempt_at`. Only the claim's holder may.
pub fn reschedule(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::state.eq("queued"))
            .filter(outbox_messages::claimed_by.eq(worker)),
    )
    .set((
        outbox_messages::next_attempt_at.eq(next_attempt_at),
        outbox_messages::last_error.eq(Some(error)),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// After the last allowed attempt, or an error no retry can mend: failed, for an admin to see
/// and resend. Only the claim's holder may. `failed_at` is when it first failed in a way a
/// later delivery may mend (the sender queues such messages again on its own for a while:
/// see [`redrive`]); `None` for a refusal or a message that could not be composed.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    error: &str,
    failed_at: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::state.eq("queued"))
            .filter(outbox_messages::claimed_by.eq(worker)),
    )
    .set((
        outbox_messages::state.eq("failed"),
        outbox_messages::last_error.eq(Some(error)),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
        outbox_messages::failed_at.eq(failed_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Hands claimed rows back unsent (a stopping worker, a lease running out): due again at once,
/// the attempt their claim counted taken back.
pub fn release(conn: &mut DbConnection, ids: &[String], worker: &str) -> Result<usize, DbError> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(ids))
            .filter(outbox_messages::state.eq("queued"))
            .filter(outbox_messages::claimed_by.eq(worker)),
    )
    .set((
        outbox_messages::attempts.eq(outbox_messages::attempts - 1i64),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Rows whose every allowed attempt was claimed by workers that died before finishing (their
/// leases ran out): failed, so a message that kills its worker is not tried for ever.
pub fn fail_abandoned(
    conn: &mut DbConnection,
    max_attempts: i64,
    now: NaiveDateTime,
    error: &str,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::state.eq("queued"))
            .filter(outbox_messages::attempts.ge(max_attempts))
            .filter(outbox_messages::claimed_until.le(now)),
    )
    .set((
        outbox_messages::state.eq("failed"),
        outbox_messages::last_error.eq(Some(error)),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
        outbox_messages::failed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// Queues a sent or failed message again, due now, with its attempts reset and its
/// Message-ID kept. Returns the row as it was, or `None` when there is no such row or it is
/// already queued.
pub fn resend(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> Result<Option<OutboxMessage>, DbError> {
    let Some(before) = find(conn, id)? else {
        return Ok(None);
    };
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::state.ne("queued")),
    )
    .set((
        outbox_messages::state.eq("queued"),
        outbox_messages::attempts.eq(0i64),
        outbox_messages::next_attempt_at.eq(now),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
        outbox_messages::sent_at.eq(None::<NaiveDateTime>),
        outbox_messages::failed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok((n == 1).then_some(before))
}

/// Which failed messages a bulk resend takes: of a kind, written in `[from, to)`; `None` for
/// any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedFilter {
    pub kind: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Failed messages matching `f`, counted.
pub fn count_failed(conn: &mut DbConnection, f: &FailedFilter) -> Result<i64, DbError> {
    let mut q = outbox_messages::table
        .filter(outbox_messages::state.eq("failed"))
        .into_boxed();
    if let Some(k) = &f.kind {
        q = q.filter(outbox_messages::kind.eq(k.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(outbox_messages::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(outbox_messages::created_at.lt(to));
    }
    Ok(q.count().get_result(conn)?)
}

/// Queues every failed message matching `f` again, due now, as [`resend`] does one; returns
/// how many. One statement: a message that is queued or sent meanwhile is not touched.
pub fn resend_failed(
    conn: &mut DbConnection,
    f: &FailedFilter,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut q = diesel::update(outbox_messages::table)
        .filter(outbox_messages::state.eq("failed"))
        .into_boxed();
    if let Some(k) = &f.kind {
        q = q.filter(outbox_messages::kind.eq(k.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(outbox_messages::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(outbox_messages::created_at.lt(to));
    }
    Ok(q.set((
        outbox_messages::state.eq("queued"),
        outbox_messages::attempts.eq(0i64),
        outbox_messages::next_attempt_at.eq(now),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
        outbox_messages::sent_at.eq(None::<NaiveDateTime>),
        outbox_messages::failed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// The sender's own second chance: up to `limit` messages that failed at or after `since` in
/// a way a later delivery may mend, oldest failure first, queued again due now with
/// `attempts` counted (so the claim gives them the attempts left before the limit). Their
/// `failed_at` is kept: the window runs from the first failure. Each row moves from failed to
/// queued in a statement that checks it is still failed, so of several nodes doing this at
/// once one takes each row; sending then goes through the ordinary claim.
pub fn redrive(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
    attempts: i64,
) -> Result<usize, DbError> {
    let ids: Vec<String> = outbox_messages::table
        .filter(outbox_messages::state.eq("failed"))
        .filter(outbox_messages::failed_at.ge(since))
        .order((outbox_messages::failed_at.asc(), outbox_messages::id.asc()))
        .select(outbox_messages::id)
        .limit(limit.max(1))
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(&ids))
            .filter(outbox_messages::state.eq("failed")),
    )
    .set((
        outbox_messages::state.eq("queued"),
        outbox_messages::attempts.eq(attempts.max(0)),
        outbox_messages::next_attempt_at.eq(now),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::claimed_by.eq(None::<String>),
    ))
    .execute(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<OutboxMessage>, DbError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::id.eq(id))
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()?)
}

/// What the admin list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<String>,
    pub kind: Option<String>,
    /// Rows to skip (newest first).
    pub offset: i64,
    pub limit: i64,
}

/// Rows matching `f`, newest first.
pub fn list(conn: &mut DbConnection, f: &Filter) -> Result<Vec<OutboxMessage>, DbError> {
    let mut q = outbox_messages::table
        .select(OutboxMessage::as_select())
        .into_boxed();
    if let Some(s) = &f.state {
        q = q.filter(outbox_messages::state.eq(s.clone()));
    }
    if let Some(k) = &f.kind {
        q = q.filter(outbox_messages::kind.eq(k.clone()));
    }
    Ok(q.order((
        outbox_messages::created_at.desc(),
        outbox_messages::id.desc(),
    ))
    .offset(f.offset.max(0))
    .limit(f.limit.clamp(1, 500))
    .load(conn)?)
}

/// Rows per state, over the whole outbox.
pub fn counts_by_state(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, DbError> {
    Ok(outbox_messages::table
        .group_by(outbox_messages::state)
        .select((outbox_messages::state, diesel::dsl::count_star()))
        .load(conn)?)
}
