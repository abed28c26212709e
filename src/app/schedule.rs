//! Work done by the clock: consultations close when their window ends, and solicited units are
//! reminded before their deadline and once when it has passed. Safe to run on every node at
//! once: each change is a conditional update, and a reminder is marked in the same transaction
//! as its mail.

use chrono::NaiveDateTime;

use super::Result;
use super::solicitations::MailContext;
use crate::db::DbConnection;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub closed: usize,
    pub reminded: usize,
}

pub fn run(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    reminder_days: u32,
    mail: &MailContext,
) -> Result<Pass> {
    let closed = super::consultations::close_expired(conn, at)?.len();
    let reminded = super::solicitations::send_reminders(conn, i64::from(reminder_days), mail, at)?;
    Ok(Pass { closed, reminded })
}
