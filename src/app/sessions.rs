//! Signing in and out, and the sessions of signed-in browsers: kept in the database (only the
//! hash of the secret the cookie carries), ended by signing out, by a password change (the
//! others), by a password reset or by disabling the account (all of them).

use chrono::NaiveDateTime;

use super::{Actor, Error, Result};
use crate::db::users::User;
use crate::db::{self, DbConnection, audit, now};
use crate::domain::password::verify_password;
use crate::domain::token;

/// A hash to verify against when the account does not exist, so that a wrong email takes as
/// long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::domain::password::hash_password("no account has this password", &mut rand::rng())
        .unwrap_or_default()
});

/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 12;
/// A session's last-seen time is written at most this often.
pub const LAST_SEEN_EVERY_MINUTES: i64 = 5;
/// The longest user agent kept with a session.
pub const USER_AGENT_CHARS: usize = 200;
const SESSION_PREFIX: &str = "yjs_";

/// The active user with this email and password (nothing is written).
fn check_password(conn: &mut DbConnection, email: &str, password: &str) -> Result<db::users::User> {
    let user = db::users::find_by_email(conn, email)?;
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.as_deref())
        .unwrap_or(DUMMY_HASH.as_str());
    let ok = verify_password(password, hash);
    match user {
        Some(u) if ok && u.is_active() && u.password_hash.is_some() => Ok(u),
        _ => Err(Error::field("password", "login.error.invalid")),
    }
}

/// Where a browser signs in from, kept with its session.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub user_agent: String,
    pub address: String,
}

/// A browser that just signed in: its user and the secret its cookie is to carry.
pub struct SignedIn {
    pub user: db::users::User,
    pub session_id: String,
    pub secret: String,
}

/// Checks the password and opens a session, recorded in the audit log; the user's expired
/// sessions are cleared away.
pub fn sign_in(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    client: &Client,
    request_id: Option<&str>,
) -> Result<SignedIn> {
    let user = check_password(conn, email, password)?;
    let secret = token::new_secret(SESSION_PREFIX, &mut rand::rng());
    let at = now();
    let user_agent: String = client.user_agent.chars().take(USER_AGENT_CHARS).collect();
    let address: String = client.address.chars().take(64).collect();
    let actor = Actor {
        user_id: Some(user.id.clone()),
        label: user.email.clone(),
        role: user.role(),
        unit_id: user.unit_id.clone(),
        request_id: request_id.map(str::to_string),
    };
    let session_id = db::write::<_, Error, _>(conn, |conn| {
        db::users::touch_login(conn, &user.id)?;
        audit::record(conn, actor.audit("user.login", "user", &user.id))?;
        db::sessions::delete_expired(conn, at, Some(&user.id))?;
        Ok(db::sessions::insert(
            conn,
            &db::sessions::NewSession {
                user_id: &user.id,
                secret_hash: &token::hash_secret(&secret),
                at,
                expires_at: at + chrono::Duration::hours(SESSION_HOURS),
                user_agent: &user_agent,
                client_address: &address,
            },
        )?)
    })?;
    Ok(SignedIn {
        user,
        session_id,
        secret,
    })
}

/// The live session a cookie's secret names, with its active user; its last-seen time moves
/// at most every few minutes.
pub fn resume(conn: &mut DbConnection, secret: &str) -> Result<Option<(String, db::users::User)>> {
    let at = now();
    let Some((id, last_seen, user)) =
        db::sessions::find_live(conn, &token::hash_secret(secret), at)?
    else {
        return Ok(None);
    };
    let stale = at - chrono::Duration::minutes(LAST_SEEN_EVERY_MINUTES);
    if last_seen < stale {
        db::sessions::touch(conn, &id, at, stale)?;
    }
    Ok(Some((id, user)))
}

/// The active user an API token belongs to, by the token's hash; `None` for a revoked token or
/// a disabled user.
pub fn by_token(conn: &mut DbConnection, token_hash: &str) -> Result<Option<User>> {
    Ok(db::tokens::find_user(conn, token_hash)?)
}

/// Signing out: the session with this secret ends.
pub fn sign_out(conn: &mut DbConnection, secret: &str) -> Result<()> {
    db::sessions::delete_by_secret(conn, &token::hash_secret(secret))?;
    Ok(())
}

/// One of one's sessions, as `/account` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionView {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: String,
    pub client_address: String,
    /// The session this request came with.
    pub current: bool,
}

/// The caller's live sessions, the most recently seen first.
pub fn my_sessions(
    conn: &mut DbConnection,
    actor: &Actor,
    current: Option<&str>,
) -> Result<Vec<SessionView>> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    Ok(db::sessions::list_for_user(conn, uid, now())?
        .into_iter()
        .map(|s| SessionView {
            current: current == Some(s.id.as_str()),
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            client_address: s.client_address,
        })
        .collect())
}

/// Ends one of the caller's sessions (another user's is not found).
pub fn end_session(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<()> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    db::write(conn, |conn| {
        if !db::sessions::delete_of_user(conn, uid, id)? {
            return Err(Error::NotFound);
        }
        audit::record(conn, actor.audit("session.end", "session", id))?;
        Ok(())
    })
}

/// Ends every session of the caller but `current`; returns how many ended.
pub fn end_other_sessions(
    conn: &mut DbConnection,
    actor: &Actor,
    current: Option<&str>,
) -> Result<usize> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    db::write(conn, |conn| {
        let n = db::sessions::delete_all_of_user(conn, uid, current)?;
        audit::record(
            conn,
            audit::AuditEntry {
                after: Some(serde_json::json!({"ended": n})),
                ..actor.audit("session.end_others", "user", uid)
            },
        )?;
        Ok(n)
    })
}

/// Deletes the sessions that have expired (the clock calls this now and then).
pub fn purge_expired(conn: &mut DbConnection, at: NaiveDateTime) -> Result<usize> {
    if !db::sessions::any_expired(conn, at)? {
        return Ok(0);
    }
    Ok(db::sessions::delete_expired(conn, at, None)?)
}
