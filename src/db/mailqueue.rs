//! Queuing an email in the caller's transaction (the outbox row is sent later by the worker).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::outbox_messages;
use super::{DbConnection, DbError, new_id};

/// Queues an email in the caller's transaction.
pub fn queue(
    conn: &mut DbConnection,
    m: &super::submissions::NewOutbox,
    related_id: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let id = new_id();
    diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::id.eq(&id),
            outbox_messages::kind.eq(&m.kind),
            outbox_messages::to_address.eq(&m.to_address),
            outbox_messages::locale.eq(&m.locale),
            outbox_messages::subject.eq(&m.subject),
            outbox_messages::body_text.eq(&m.body_text),
            outbox_messages::message_id.eq(format!("<{id}@yijian>")),
            outbox_messages::state.eq("queued"),
            outbox_messages::next_attempt_at.eq(at),
            outbox_messages::related_type.eq(&m.related_type),
            outbox_messages::related_id.eq(related_id),
            outbox_messages::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
