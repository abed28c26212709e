//! Signed-in browsers: one row per session, found by the SHA-256 of the secret its cookie
//! carries. Every node reads the same rows, so ending a session ends it everywhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{sessions, users};
use super::users::User;
use super::{DbConnection, DbError, new_id};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: String,
    pub client_address: String,
}

pub struct NewSession<'a> {
    pub user_id: &'a str,
    pub secret_hash: &'a str,
    pub at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: &'a str,
    pub client_address: &'a str,
}

/// Stores a session; returns its id.
pub fn insert(conn: &mut DbConnection, s: &NewSession<'_>) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::user_id.eq(s.user_id),
            sessions::secret_hash.eq(s.secret_hash),
            sessions::created_at.eq(s.at),
            sessions::last_seen_at.eq(s.at),
            sessions::expires_at.eq(s.expires_at),
            sessions::user_agent.eq(s.user_agent),
            sessions::client_address.eq(s.client_address),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The live session with this secret's hash and its active user: (session id, last seen, user).
pub fn find_live(
    conn: &mut DbConnection,
    secret_hash: &str,
    at: NaiveDateTime,
) -> Result<Option<(String, NaiveDateTime, User)>, DbError> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::secret_hash.eq(secret_hash))
        .filter(sessions::expires_at.gt(at))
        .filter(users::disabled_at.is_null())
        .select((sessions::id, sessions::last_seen_at, User::as_select()))
        .first(conn)
        .optional()?)
}

/// Moves a session's last-seen time to `at` unless another request did since `older_than`.
pub fn touch(
    conn: &mut DbConnection,
    id: &str,
    at: NaiveDateTime,
    older_than: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::last_seen_at.lt(older_than)),
    )
    .set(sessions::last_seen_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// A user's live sessions, the most recently seen first.
pub fn list_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    at: NaiveDateTime,
) -> Result<Vec<SessionRow>, DbError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(at))
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Ends the session with this secret's hash; false when there was none.
pub fn delete_by_secret(conn: &mut DbConnection, secret_hash: &str) -> Result<bool, DbError> {
    let n = diesel::delete(sessions::table.filter(sessions::secret_hash.eq(secret_hash)))
        .execute(conn)?;
    Ok(n > 0)
}

/// Ends one of a user's sessions; false when the user has no session with this id.
pub fn delete_of_user(conn: &mut DbConnection, user_id: &str, id: &str) -> Result<bool, DbError> {
    let n = diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Ends every session of a user but `keep` (all of them without one); returns how many.
pub fn delete_all_of_user(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize, DbError> {
    let n = match keep {
        Some(keep) => diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::id.ne(keep)),
        )
        .execute(conn)?,
        None => {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?
        }
    };
    Ok(n)
}

/// Deletes sessions that expired before `at` (of one user, or of everyone); returns how many.
pub fn delete_expired(
    conn: &mut DbConnection,
    at: NaiveDateTime,
    user_id: Option<&str>,
) -> Result<usize, DbError> {
    let n = match user_id {
        Some(uid) => diesel::delete(
            sessions::table
                .filter(sessions::expires_at.le(at))
                .filter(sessions::user_id.eq(uid)),
        )
        .execute(conn)?,
        None => {
            diesel::delete(sessions::table.filter(sessions::expires_at.le(at))).execute(conn)?
        }
    };
    Ok(n)
}

/// Whether any session expired before `at` (read first, so the clock takes the write lock only
/// when there is something to delete).
pub fn any_expired(conn: &mut DbConnection, at: NaiveDateTime) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        sessions::table.filter(sessions::expires_at.le(at)),
    ))
    .get_result(conn)?)
}
