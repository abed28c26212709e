//! Work done by the clock: consultations close when their window ends, solicited units are
//! reminded before their deadline and once when it has passed, handlers hear what was
//! assigned to them, expired sessions are deleted, and a report publication interrupted by a
//! stop is finished. Safe to run on every node at
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
    /// Assignment notices queued.
    pub notified: usize,
    /// Expired sessions deleted.
    pub sessions_purged: usize,
    /// Report editions whose interrupted publication was finished.
    pub publications_finished: usize,
}

pub fn run(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    reminder_days: u32,
    mail: &MailContext,
) -> Result<Pass> {
    let closed = super::consultations::close_expired(conn, at)?.len();
    let reminded = super::solicitations::send_reminders(conn, i64::from(reminder_days), mail, at)?;
    let notified = notify_assignments(conn, at, mail)?;
    let sessions_purged = super::sessions::purge_expired(conn, at)?;
    let publications_finished = super::report::finish_interrupted(conn, at, &mail.base_url)?;
    Ok(Pass {
        closed,
        reminded,
        notified,
        sessions_purged,
        publications_finished,
    })
}

const MARK_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// Tells handlers what was assigned to them since the last pass: one email per person and
/// consultation with the number of opinions (a bulk assignment of 500 opinions is one email).
/// A person assigned directly is told; for a unit, its department users are. The first pass
/// only sets the mark: history is not announced.
pub fn notify_assignments(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    mail: &MailContext,
) -> Result<usize> {
    use std::collections::BTreeMap;

    use crate::db;
    let to = at.format(MARK_FORMAT).to_string();
    let Some(seen) = db::notices::mark(conn)? else {
        db::notices::move_mark(conn, None, &to, at)?;
        return Ok(0);
    };
    let Ok(from) = NaiveDateTime::parse_from_str(&seen, MARK_FORMAT) else {
        db::notices::move_mark(conn, Some(&seen), &to, at)?;
        return Ok(0);
    };
    if from >= at {
        return Ok(0);
    }
    db::write::<_, super::Error, _>(conn, |conn| {
        // Whoever moves the mark sends this window's notices; another node finds it moved.
        if !db::notices::move_mark(conn, Some(&seen), &to, at)? {
            return Ok(0);
        }
        // (consultation, email) → (name, locale, count, assigned by)
        let mut notices: BTreeMap<(String, String), (String, String, usize, String)> =
            BTreeMap::new();
        for (consultation, by, after) in db::notices::assignments_between(conn, from, at)? {
            let Some(consultation) = consultation else {
                continue;
            };
            let after: serde_json::Value = after
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            let mut handlers = Vec::new();
            if let Some(uid) = after["user_id"].as_str() {
                if let Some(u) = db::users::find(conn, uid)?.filter(|u| u.is_active()) {
                    handlers.push((u.name, u.email, u.locale));
                }
            } else if let Some(unit) = after["unit_id"].as_str() {
                handlers = db::notices::unit_handlers(conn, unit)?;
            }
            for (name, email, locale) in handlers {
                let e = notices.entry((consultation.clone(), email)).or_insert((
                    name,
                    locale,
                    0,
                    by.clone(),
                ));
                e.2 += 1;
            }
        }
        let mut sent = 0;
        for ((consultation, email), (name, locale, count, by)) in notices {
            let Some(c) = db::consultations::find(conn, &consultation)? else {
                continue;
            };
            let m = crate::mail::compose::assignment(
                crate::i18n::Locale::parse(&locale).unwrap_or_default(),
                &email,
                &mail.base_url,
                &crate::mail::compose::Assignment {
                    handler_name: name,
                    assigned_by: by,
                    consultation_title: c.title,
                    opinion_count: count,
                    path: format!("/staff/consultations/{consultation}/opinions"),
                },
            )?
            .related("consultation", &consultation);
            db::outbox::insert_at(conn, &m, at)?;
            sent += 1;
        }
        Ok(sent)
    })
}
