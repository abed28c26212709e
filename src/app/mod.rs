//! Use cases: each one function that validates, changes the database in one transaction and
//! records what it did. The only layer that coordinates domain, db and mail.

pub mod users;

use std::collections::BTreeMap;

use crate::db::DbError;

/// Who is acting, for permissions and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<String>,
    /// A user's email, or `cli` / `system` / `public`.
    pub label: String,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Self {
            user_id: None,
            label: "cli".into(),
            request_id: None,
        }
    }
}

/// Why a use case refused or failed. Messages are locale keys; the web and CLI layers render them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: field → locale key of the message.
    #[error("invalid input: {}", .0.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; "))]
    Validation(BTreeMap<String, String>),
    #[error("not found")]
    NotFound,
    #[error("not permitted")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        Error::Db(DbError::Query(e))
    }
}

impl Error {
    pub fn field(field: &str, key: &str) -> Self {
        Error::Validation(BTreeMap::from([(field.to_string(), key.to_string())]))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
