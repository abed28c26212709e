//! What the clock's assignment notices read: the assignments recorded in the audit log since the
//! last notice, and a mark in `settings` that says how far notices have gone.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{audit_events, settings, units, users};
use super::{DbConnection, DbError};

const MARK: &str = "assignment_notices_until";

/// How far assignment notices have gone (`None`: never run).
pub fn mark(conn: &mut DbConnection) -> Result<Option<String>, DbError> {
    Ok(settings::table
        .find(MARK)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Moves the mark from `seen` to `to`; false when another node moved it first.
pub fn move_mark(
    conn: &mut DbConnection,
    seen: Option<&str>,
    to: &str,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = match seen {
        Some(v) => diesel::update(
            settings::table
                .filter(settings::key.eq(MARK))
                .filter(settings::value.eq(v)),
        )
        .set((settings::value.eq(to), settings::updated_at.eq(at)))
        .execute(conn)?,
        None => match diesel::insert_into(settings::table)
            .values((
                settings::key.eq(MARK),
                settings::value.eq(to),
                settings::updated_at.eq(at),
            ))
            .execute(conn)
        {
            Ok(n) => n,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => 0,
            Err(e) => return Err(e.into()),
        },
    };
    Ok(n == 1)
}

/// One recorded assignment: (consultation id, who assigned, the new assignee as JSON).
pub type Assignment = (Option<String>, String, Option<String>);

pub fn assignments_between(
    conn: &mut DbConnection,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<Assignment>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::action.eq("opinion.assign"))
        .filter(audit_events::at.gt(after))
        .filter(audit_events::at.le(until))
        .order(audit_events::at)
        .select((
            audit_events::consultation_id,
            audit_events::actor_label,
            audit_events::after_json,
        ))
        .load(conn)?)
}

/// The active department users of a unit: (name, email, locale).
pub fn unit_handlers(
    conn: &mut DbConnection,
    unit_id: &str,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(users::table
        .filter(users::unit_id.eq(unit_id))
        .filter(users::role.eq("department"))
        .filter(users::disabled_at.is_null())
        .select((users::name, users::email, users::locale))
        .load(conn)?)
}

pub fn unit_name(conn: &mut DbConnection, unit_id: &str) -> Result<Option<String>, DbError> {
    Ok(units::table
        .find(unit_id)
        .select(units::name)
        .first(conn)
        .optional()?)
}
