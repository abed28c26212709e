//! Accounts: creating users and API tokens.

use serde_json::json;

use super::{Actor, Error, Result};
use crate::db::{self, DbConnection, audit};
use crate::domain::{Role, password, token};

pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A unit's id, name or alias; required for department users.
    pub unit: Option<String>,
    pub password: Option<String>,
}

pub fn create_user(
    conn: &mut DbConnection,
    input: CreateUser,
    actor: &Actor,
) -> Result<db::users::User> {
    let email = input.email.trim().to_lowercase();
    let name = input.name.trim().to_string();
    let mut errors = std::collections::BTreeMap::new();
    if !crate::domain::mail::is_deliverable_address(&email) {
        errors.insert("email".into(), "user.error.email".into());
    }
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("name".into(), "user.error.name".into());
    }
    let hash = match input.password.as_deref() {
        Some(p) => match password::hash_password(p, &mut rand::rng()) {
            Ok(h) => Some(h),
            Err(password::PasswordError::TooShort) => {
                errors.insert("password".into(), "user.error.password_short".into());
                None
            }
            Err(password::PasswordError::TooLong) => {
                errors.insert("password".into(), "user.error.password_long".into());
                None
            }
            Err(password::PasswordError::Hash) => {
                errors.insert("password".into(), "user.error.password_hash".into());
                None
            }
        },
        None => None,
    };
    if input.role.needs_unit() && input.unit.is_none() {
        errors.insert("unit".into(), "user.error.unit_required".into());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    db::write(conn, |conn| {
        let unit = match input.unit.as_deref() {
            Some(key) => Some(
                db::units::resolve(conn, key)?
                    .ok_or_else(|| Error::field("unit", "user.error.unit_unknown"))?,
            ),
            None => None,
        };
        if db::users::find_by_email(conn, &email)?.is_some() {
            return Err(Error::field("email", "user.error.email_taken"));
        }
        let user = db::users::insert(
            conn,
            &db::users::NewUser {
                email: &email,
                name: &name,
                role: input.role,
                unit_id: unit.as_ref().map(|u| u.id.as_str()),
                password_hash: hash.as_deref(),
                locale: "zh-CN",
            },
        )?;
        audit::record(
            conn,
            audit::AuditEntry {
                actor_user_id: actor.user_id.as_deref(),
                actor_label: &actor.label,
                action: "user.create",
                entity_type: "user",
                entity_id: &user.id,
                after: Some(
                    json!({"email": user.email, "name": user.name, "role": user.role, "unit_id": user.unit_id}),
                ),
                request_id: actor.request_id.as_deref(),
                ..Default::default()
            },
        )?;
        Ok(user)
    })
}

/// Creates an API token for the user with this email; returns the token (shown once).
pub fn create_token(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    actor: &Actor,
) -> Result<String> {
    db::write(conn, |conn| {
        let user = db::users::find_by_email(conn, email)?
            .ok_or_else(|| Error::field("email", "user.error.no_such_user"))?;
        if !user.is_active() {
            return Err(Error::field("email", "user.error.disabled"));
        }
        let secret = token::new_secret(token::API_TOKEN_PREFIX, &mut rand::rng());
        let id = db::tokens::insert(conn, &user.id, name, &token::hash_secret(&secret))?;
        audit::record(
            conn,
            audit::AuditEntry {
                actor_user_id: actor.user_id.as_deref(),
                actor_label: &actor.label,
                action: "token.create",
                entity_type: "api_token",
                entity_id: &id,
                after: Some(json!({"user_id": user.id, "name": name})),
                request_id: actor.request_id.as_deref(),
                ..Default::default()
            },
        )?;
        Ok(secret)
    })
}
