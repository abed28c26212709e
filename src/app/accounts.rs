//! Accounts as people manage them: administrators create, change and disable users (never
//! delete them); everyone changes their own password, resets a forgotten one by an emailed
//! single-use link, and keeps their own API tokens.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::json;

use super::users::{CreateUser, create_user};
use super::{Actor, Error, Result};
use crate::db::users::{User, UserChange};
use crate::db::{self, DbConnection, audit, now};
use crate::domain::{Role, password, token};
use crate::i18n::Locale;

/// How long a reset link works.
pub const RESET_VALID_MINUTES: i64 = 60;
const RESET_PREFIX: &str = "yjr_";

/// A user as the admin pages show them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub unit: Option<String>,
    pub disabled: bool,
    pub last_login_at: Option<NaiveDateTime>,
}

impl UserView {
    fn of(u: User, unit: Option<String>) -> Self {
        Self {
            disabled: !u.is_active(),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            unit_id: u.unit_id,
            unit,
            last_login_at: u.last_login_at,
        }
    }
}

pub fn list_users(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<UserView>> {
    actor.require(&[Role::Admin])?;
    Ok(db::users::list(conn)?
        .into_iter()
        .map(|(u, unit)| UserView::of(u, unit))
        .collect())
}

/// Where password links point and the product's name in mail.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

/// An administrator creates an account. Without a password, the person gets a link to set
/// their own.
pub fn add_user(
    conn: &mut DbConnection,
    input: CreateUser,
    links: &Links,
    actor: &Actor,
) -> Result<UserView> {
    actor.require(&[Role::Admin])?;
    let no_password = input.password.as_deref().is_none_or(str::is_empty);
    let input = CreateUser {
        password: input.password.filter(|p| !p.is_empty()),
        ..input
    };
    db::write(conn, |conn| {
        let u = create_user(conn, input, actor)?;
        if no_password {
            queue_reset(conn, &u, links, "welcome")?;
        }
        let unit = match &u.unit_id {
            Some(id) => db::units::find(conn, id)?.map(|u| u.name),
            None => None,
        };
        Ok(UserView::of(u, unit))
    })
}

/// What an administrator sends to change an account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeUser {
    pub name: Option<String>,
    pub role: Option<String>,
    /// A unit's id, name or alias; empty clears it.
    pub unit: Option<String>,
    pub disabled: Option<bool>,
}

/// Disabling an account ends all of its sessions.
pub fn change_user(
    conn: &mut DbConnection,
    id: &str,
    change: ChangeUser,
    actor: &Actor,
) -> Result<UserView> {
    actor.require(&[Role::Admin])?;
    db::write(conn, |conn| {
        let before = db::users::find(conn, id)?.ok_or(Error::NotFound)?;
        let mut errors = BTreeMap::new();
        let role = match change.role.as_deref() {
            Some(r) => r.parse::<Role>().unwrap_or_else(|_| {
                errors.insert("role".into(), "user.error.role".into());
                Role::Staff
            }),
            None => before.role().unwrap_or(Role::Staff),
        };
        let name = change
            .name
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| before.name.clone());
        if name.is_empty() || name.chars().count() > 100 {
            errors.insert("name".into(), "user.error.name".into());
        }
        let unit_id = match change.unit.as_deref().map(str::trim) {
            Some("") => None,
            Some(key) => match db::units::resolve(conn, key)? {
                Some(u) => Some(u.id),
                None => {
                    errors.insert("unit".into(), "user.error.unit_unknown".into());
                    None
                }
            },
            None => before.unit_id.clone(),
        };
        // Only department users belong to a unit.
        let unit_id = if role == Role::Department {
            unit_id
        } else {
            None
        };
        if role == Role::Department && unit_id.is_none() && !errors.contains_key("unit") {
            errors.insert("unit".into(), "user.error.unit_required".into());
        }
        let disabled_at = match change.disabled {
            Some(true) => before.disabled_at.or(Some(now())),
            Some(false) => None,
            None => before.disabled_at,
        };
        let was_admin = before.role() == Some(Role::Admin) && before.is_active();
        let stays_admin = role == Role::Admin && disabled_at.is_none();
        if was_admin && !stays_admin && db::users::count_active_admins(conn)? <= 1 {
            errors.insert("role".into(), "user.error.last_admin".into());
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        db::users::update(
            conn,
            id,
            &UserChange {
                name: &name,
                role,
                unit_id: unit_id.as_deref(),
                disabled_at,
            },
        )?;
        let after = db::users::find(conn, id)?.ok_or(Error::NotFound)?;
        if before.is_active() && !after.is_active() {
            // A disabled account is signed out everywhere.
            db::sessions::delete_all_of_user(conn, id, None)?;
        }
        audit::record(
            conn,
            audit::AuditEntry {
                before: Some(
                    json!({"name": before.name, "role": before.role, "unit_id": before.unit_id, "disabled": !before.is_active()}),
                ),
                after: Some(
                    json!({"name": after.name, "role": after.role, "unit_id": after.unit_id, "disabled": !after.is_active()}),
                ),
                ..actor.audit("user.change", "user", id)
            },
        )?;
        let unit = match &after.unit_id {
            Some(u) => db::units::find(conn, u)?.map(|u| u.name),
            None => None,
        };
        Ok(UserView::of(after, unit))
    })
}

fn password_error(e: password::PasswordError) -> &'static str {
    match e {
        password::PasswordError::TooShort => "user.error.password_short",
        password::PasswordError::TooLong => "user.error.password_long",
        password::PasswordError::Hash => "user.error.password_hash",
    }
}

/// Changes the signed-in user's password after checking the current one. Every other session
/// of the user ends (`keep` is the one the change came from) and outstanding reset links stop
/// working.
pub fn change_password(
    conn: &mut DbConnection,
    current: &str,
    new: &str,
    actor: &Actor,
    keep: Option<&str>,
) -> Result<()> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    let user = db::users::find(conn, uid)?.ok_or(Error::NotFound)?;
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| password::verify_password(current, h));
    if !ok {
        return Err(Error::field("current_password", "account.error.current"));
    }
    let hash = password::hash_password(new, &mut rand::rng())
        .map_err(|e| Error::field("new_password", password_error(e)))?;
    db::write(conn, |conn| {
        db::users::set_password_hash(conn, uid, &hash)?;
        db::users::use_all_resets(conn, uid, now())?;
        db::sessions::delete_all_of_user(conn, uid, keep)?;
        audit::record(conn, actor.audit("user.password_change", "user", uid))?;
        Ok(())
    })
}

fn queue_reset(conn: &mut DbConnection, user: &User, links: &Links, kind: &str) -> Result<()> {
    let secret = token::new_secret(RESET_PREFIX, &mut rand::rng());
    let at = now();
    let id = db::users::insert_reset(
        conn,
        &user.id,
        &token::hash_secret(&secret),
        at + chrono::Duration::minutes(RESET_VALID_MINUTES),
    )?;
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let m = crate::mail::compose::password_reset(
        locale,
        &user.email,
        &links.base_url,
        &crate::mail::compose::PasswordReset {
            name: user.name.clone(),
            reset_path: format!("/password/reset/{secret}"),
            valid_minutes: RESET_VALID_MINUTES,
        },
    )?
    .related("password_reset", &id);
    db::outbox::insert(conn, &m)?;
    audit::record(
        conn,
        audit::AuditEntry {
            after: Some(json!({"kind": kind})),
            ..Actor::system().audit("user.password_reset_request", "user", &user.id)
        },
    )?;
    Ok(())
}

/// Sends a reset link to an active account with this address. Says nothing about whether the
/// address has an account (the page answers the same either way).
pub fn request_reset(conn: &mut DbConnection, email: &str, links: &Links) -> Result<()> {
    let Some(user) = db::users::find_by_email(conn, email)?.filter(User::is_active) else {
        return Ok(());
    };
    db::write(conn, |conn| queue_reset(conn, &user, links, "reset"))
}

/// Whether a reset link still works (for showing its form).
pub fn reset_is_live(conn: &mut DbConnection, secret: &str) -> Result<bool> {
    Ok(db::users::find_reset(conn, &token::hash_secret(secret.trim()), now())?.is_some())
}

/// Sets a new password through a reset link; that link and the user's other outstanding links
/// then stop working, and every session of the user ends.
pub fn reset_password(conn: &mut DbConnection, secret: &str, new: &str) -> Result<()> {
    let hash = password::hash_password(new, &mut rand::rng())
        .map_err(|e| Error::field("new_password", password_error(e)))?;
    db::write(conn, |conn| {
        let at = now();
        let (reset_id, user) = db::users::find_reset(conn, &token::hash_secret(secret.trim()), at)?
            .ok_or_else(|| Error::field("token", "account.error.reset_invalid"))?;
        if !db::users::use_reset(conn, &reset_id, at)? {
            return Err(Error::field("token", "account.error.reset_invalid"));
        }
        db::users::use_all_resets(conn, &user.id, at)?;
        db::users::set_password_hash(conn, &user.id, &hash)?;
        db::sessions::delete_all_of_user(conn, &user.id, None)?;
        audit::record(
            conn,
            Actor::system().audit("user.password_reset", "user", &user.id),
        )?;
        Ok(())
    })
}

/// One of the caller's API tokens (never the secret, which is shown once).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked: bool,
}

pub fn my_tokens(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<TokenView>> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    Ok(db::tokens::list_for_user(conn, uid)?
        .into_iter()
        .map(|t| TokenView {
            revoked: t.revoked_at.is_some(),
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        })
        .collect())
}

/// Creates a token for the caller; returns the secret (shown once).
pub fn create_my_token(conn: &mut DbConnection, name: &str, actor: &Actor) -> Result<String> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::field("name", "account.error.token_name"));
    }
    let user = db::users::find(conn, uid)?.ok_or(Error::NotFound)?;
    super::users::create_token(conn, &user.email, name, actor)
}

/// Revokes one of the caller's tokens (an administrator may revoke anyone's).
pub fn revoke_token(conn: &mut DbConnection, id: &str, actor: &Actor) -> Result<()> {
    let uid = actor.user_id.as_deref().ok_or(Error::Forbidden)?;
    let t = db::tokens::find(conn, id)?.ok_or(Error::NotFound)?;
    if t.user_id != uid && actor.role != Some(Role::Admin) {
        return Err(Error::NotFound);
    }
    db::write(conn, |conn| {
        db::tokens::revoke(conn, id)?;
        audit::record(conn, actor.audit("token.revoke", "api_token", id))?;
        Ok(())
    })
}
