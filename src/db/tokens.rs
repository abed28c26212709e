//! API tokens: only the SHA-256 of a token is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{api_tokens, users};
use super::users::User;
use super::{DbConnection, DbError, new_id, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Stores a token hash for `user_id`; returns the token's id.
pub fn insert(
    conn: &mut DbConnection,
    user_id: &str,
    name: &str,
    token_hash: &str,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&id),
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The active user holding a live (not revoked) token with this hash.
pub fn find_user(conn: &mut DbConnection, token_hash: &str) -> Result<Option<User>, DbError> {
    Ok(api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn revoke(conn: &mut DbConnection, token_id: &str) -> Result<bool, DbError> {
    let n = diesel::update(api_tokens::table.find(token_id))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(n == 1)
}

/// A user's tokens, newest first.
pub fn list_for_user(conn: &mut DbConnection, user_id: &str) -> Result<Vec<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(ApiToken::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<ApiToken>, DbError> {
    Ok(api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?)
}
