//! The append-only audit log (操作记录). Rows are inserted, never updated or deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_events;
use super::{DbConnection, DbError, new_id, now};

/// What happened, by whom, before and after.
#[derive(Debug, Default)]
pub struct AuditEntry<'a> {
    pub actor_user_id: Option<&'a str>,
    /// Human label of the actor: a user's email, `cli`, `system`, `public`.
    pub actor_label: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub consultation_id: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub consultation_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
}

pub fn record(conn: &mut DbConnection, e: AuditEntry<'_>) -> Result<(), DbError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(new_id()),
            audit_events::at.eq(now()),
            audit_events::actor_user_id.eq(e.actor_user_id),
            audit_events::actor_label.eq(e.actor_label),
            audit_events::action.eq(e.action),
            audit_events::entity_type.eq(e.entity_type),
            audit_events::entity_id.eq(e.entity_id),
            audit_events::consultation_id.eq(e.consultation_id),
            audit_events::before_json.eq(e.before.map(|v| v.to_string())),
            audit_events::after_json.eq(e.after.map(|v| v.to_string())),
            audit_events::request_id.eq(e.request_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The history of one entity, oldest first.
pub fn for_entity(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<AuditEvent>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::entity_type.eq(entity_type))
        .filter(audit_events::entity_id.eq(entity_id))
        .order((audit_events::at.asc(), audit_events::id.asc()))
        .select(AuditEvent::as_select())
        .load(conn)?)
}
