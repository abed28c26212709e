//! First run: the one-time setup tokens, kept hashed in `settings` (one per node that started
//! without an administrator; any of them works, once).

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConnection, DbError};

const PREFIX: &str = "setup_token:";

pub fn insert_token(conn: &mut DbConnection, hash: &str) -> Result<(), DbError> {
    diesel::insert_into(settings::table)
        .values((
            settings::key.eq(format!("{PREFIX}{hash}")),
            settings::value.eq(""),
            settings::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn token_exists(conn: &mut DbConnection, hash: &str) -> Result<bool, DbError> {
    Ok(settings::table
        .filter(settings::key.eq(format!("{PREFIX}{hash}")))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Deletes every setup token; true when the one with `hash` was among them.
pub fn use_tokens(conn: &mut DbConnection, hash: &str) -> Result<bool, DbError> {
    let mine = diesel::delete(settings::table.filter(settings::key.eq(format!("{PREFIX}{hash}"))))
        .execute(conn)?;
    diesel::delete(settings::table.filter(settings::key.like(format!("{PREFIX}%"))))
        .execute(conn)?;
    Ok(mine == 1)
}
