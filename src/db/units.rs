//! The units directory: departments, districts and other organisations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{unit_aliases, units};
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
