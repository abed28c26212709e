//! Users.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{DbConnection, DbError, new_id, now};
use crate::domain::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub password_hash: Option<String>,
    pub locale: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The role; a value the schema's CHECK would not admit reads as `None`.
    pub fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }

    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    unit_id: Option<&'a str>,
    password_hash: Option<&'a str>,
    locale: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub unit_id: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub locale: &'a str,
}

pub fn insert(conn: &mut DbConnection, u: &NewUser<'_>) -> Result<User, DbError> {
    let id = new_id();
    let t = now();
    diesel::insert_into(users::table)
        .values(NewUserRow {
            id: &id,
            email: u.email,
            name: u.name,
            role: u.role.as_str(),
            unit_id: u.unit_id,
            password_hash: u.password_hash,
            locale: u.locale,
            created_at: t,
            updated_at: t,
        })
        .execute(conn)?;
    Ok(users::table
        .find(&id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Looks a user up by email, case-insensitively (emails are stored lower-cased).
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn count_active_admins(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled_at.is_null())
        .count()
        .get_result(conn)?)
}

pub fn touch_login(conn: &mut DbConnection, id: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(Some(now())))
        .execute(conn)?;
    Ok(())
}

/// Every user with their unit's name, admins first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<(User, Option<String>)>, DbError> {
    use super::schema::units;
    Ok(users::table
        .left_join(units::table)
        .order((users::role, users::email))
        .select((User::as_select(), units::name.nullable()))
        .load(conn)?)
}

/// What an administrator may change on an account (never deleted: its history stays).
pub struct UserChange<'a> {
    pub name: &'a str,
    pub role: Role,
    pub unit_id: Option<&'a str>,
    pub disabled_at: Option<NaiveDateTime>,
}

pub fn update(conn: &mut DbConnection, id: &str, c: &UserChange<'_>) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::name.eq(c.name),
            users::role.eq(c.role.as_str()),
            users::unit_id.eq(c.unit_id),
            users::disabled_at.eq(c.disabled_at),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_password_hash(conn: &mut DbConnection, id: &str, hash: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(Some(hash)),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A single-use password reset, stored by its hash.
pub fn insert_reset(
    conn: &mut DbConnection,
    user_id: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<String, DbError> {
    use super::schema::password_resets;
    let id = new_id();
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(&id),
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::expires_at.eq(expires_at),
            password_resets::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The user of a live reset (unused, unexpired, account active).
pub fn find_reset(
    conn: &mut DbConnection,
    token_hash: &str,
    at: NaiveDateTime,
) -> Result<Option<(String, User)>, DbError> {
    use super::schema::password_resets;
    Ok(password_resets::table
        .inner_join(users::table)
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(at))
        .filter(users::disabled_at.is_null())
        .select((password_resets::id, User::as_select()))
        .first(conn)
        .optional()?)
}

/// Uses a reset; false when it was used meanwhile.
pub fn use_reset(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<bool, DbError> {
    use super::schema::password_resets;
    let n = diesel::update(
        password_resets::table
            .filter(password_resets::id.eq(id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Uses every outstanding reset of a user (after one of them set a new password); returns how
/// many.
pub fn use_all_resets(
    conn: &mut DbConnection,
    user_id: &str,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    use super::schema::password_resets;
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(at)))
    .execute(conn)?)
}
