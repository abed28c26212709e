//! The units directory: departments, districts and other organisations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{unit_aliases, unit_emails, units};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub sort_order: i64,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = units)]
pub struct NewUnit<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub sort_order: i64,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, u: &NewUnit<'_>) -> Result<(), DbError> {
    diesel::insert_into(units::table).values(u).execute(conn)?;
    Ok(())
}

pub fn add_alias(conn: &mut DbConnection, unit_id: &str, alias: &str) -> Result<(), DbError> {
    diesel::insert_into(unit_aliases::table)
        .values((
            unit_aliases::id.eq(super::new_id()),
            unit_aliases::unit_id.eq(unit_id),
            unit_aliases::alias.eq(alias),
        ))
        .execute(conn)?;
    Ok(())
}

/// Finds a unit by id, exact name or alias.
pub fn resolve(conn: &mut DbConnection, key: &str) -> Result<Option<Unit>, DbError> {
    let key = key.trim();
    if let Some(u) = units::table
        .filter(units::id.eq(key).or(units::name.eq(key)))
        .select(Unit::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(Some(u));
    }
    Ok(unit_aliases::table
        .inner_join(units::table)
        .filter(unit_aliases::alias.eq(key))
        .select(Unit::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<Unit>, DbError> {
    Ok(units::table
        .find(id)
        .select(Unit::as_select())
        .first(conn)
        .optional()?)
}

pub fn add_email(conn: &mut DbConnection, unit_id: &str, email: &str) -> Result<(), DbError> {
    diesel::insert_into(unit_emails::table)
        .values((
            unit_emails::id.eq(super::new_id()),
            unit_emails::unit_id.eq(unit_id),
            unit_emails::email.eq(email),
        ))
        .execute(conn)?;
    Ok(())
}

/// A unit's contact addresses.
pub fn emails_of(conn: &mut DbConnection, unit_id: &str) -> Result<Vec<String>, DbError> {
    Ok(unit_emails::table
        .filter(unit_emails::unit_id.eq(unit_id))
        .select(unit_emails::email)
        .load(conn)?)
}

/// The next position at the end of the directory's order.
pub fn next_sort_order(conn: &mut DbConnection) -> Result<i64, DbError> {
    let max: Option<i64> = units::table
        .select(diesel::dsl::max(units::sort_order))
        .first(conn)?;
    Ok(max.map_or(0, |m| m + 1))
}

/// Departments, then districts, then others, each in directory order.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Unit>, DbError> {
    let mut v: Vec<Unit> = units::table
        .order((units::sort_order.asc(), units::name.asc()))
        .select(Unit::as_select())
        .load(conn)?;
    v.sort_by_key(|u| match u.kind.as_str() {
        "department" => 0,
        "district" => 1,
        _ => 2,
    });
    Ok(v)
}

pub fn all_aliases(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, Vec<String>>, DbError> {
    let rows: Vec<(String, String)> = unit_aliases::table
        .order(unit_aliases::alias.asc())
        .select((unit_aliases::unit_id, unit_aliases::alias))
        .load(conn)?;
    let mut m: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (u, a) in rows {
        m.entry(u).or_default().push(a);
    }
    Ok(m)
}

pub fn all_emails(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, Vec<String>>, DbError> {
    let rows: Vec<(String, String)> = unit_emails::table
        .order(unit_emails::email.asc())
        .select((unit_emails::unit_id, unit_emails::email))
        .load(conn)?;
    let mut m: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (u, e) in rows {
        m.entry(u).or_default().push(e);
    }
    Ok(m)
}

pub fn set_kind(conn: &mut DbConnection, id: &str, kind: &str) -> Result<(), DbError> {
    diesel::update(units::table.find(id))
        .set((units::kind.eq(kind), units::updated_at.eq(super::now())))
        .execute(conn)?;
    Ok(())
}

/// Replaces a unit's name, kind, state, aliases and addresses.
pub fn replace(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    kind: &str,
    disabled: bool,
    aliases: &[String],
    emails: &[String],
) -> Result<(), DbError> {
    diesel::update(units::table.find(id))
        .set((
            units::name.eq(name),
            units::kind.eq(kind),
            units::disabled.eq(disabled),
            units::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    diesel::delete(unit_aliases::table.filter(unit_aliases::unit_id.eq(id))).execute(conn)?;
    diesel::delete(unit_emails::table.filter(unit_emails::unit_id.eq(id))).execute(conn)?;
    for a in aliases {
        add_alias(conn, id, a)?;
    }
    for e in emails {
        add_email(conn, id, e)?;
    }
    Ok(())
}
