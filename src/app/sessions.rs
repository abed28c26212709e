//! Signing in.

use super::{Actor, Error, Result};
use crate::db::{self, DbConnection, audit};
use crate::domain::password::verify_password;

/// A hash to verify against when the account does not exist, so that a wrong email takes as
/// long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::domain::password::hash_password("no account has this password").unwrap_or_default()
});

/// The active user with this email and password, recorded in the audit log.
pub fn authenticate(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    request_id: Option<&str>,
) -> Result<db::users::User> {
    let user = db::users::find_by_email(conn, email)?;
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.as_deref())
        .unwrap_or(DUMMY_HASH.as_str());
    let ok = verify_password(password, hash);
    match user {
        Some(u) if ok && u.is_active() && u.password_hash.is_some() => {
            db::users::touch_login(conn, &u.id)?;
            let actor = Actor {
                user_id: Some(u.id.clone()),
                label: u.email.clone(),
                role: u.role(),
                unit_id: u.unit_id.clone(),
                request_id: request_id.map(str::to_string),
            };
            audit::record(conn, actor.audit("user.login", "user", &u.id))?;
            Ok(u)
        }
        _ => Err(Error::field("password", "login.error.invalid")),
    }
}
