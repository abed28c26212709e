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
