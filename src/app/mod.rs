//! Use cases: each one function that validates, changes the database in one transaction and
//! records what it did. The only layer that coordinates domain, db and mail.

pub mod accounts;
pub mod attachments;
pub mod consultations;
pub mod documents;
pub mod drafts;
pub mod intake;
pub mod outbox;
pub mod public;
pub mod report;
pub mod revisions;
pub mod schedule;
pub mod sessions;
pub mod setup;
pub mod solicitations;
pub mod triage;
pub mod units;
pub mod users;

use std::collections::BTreeMap;

use crate::domain::Role;

/// The database as the outer layers hold it: a pool to take connections from, a connection to
/// hand to the use cases, its errors, and the clock the stored times use; and the records the
/// use cases answer with. Handlers name these from here and never reach into `db` themselves.
pub use crate::db::consultations::{Consultation, ConsultationSummary};
pub use crate::db::report::PublicationInfo;
pub use crate::db::triage::DecisionStatus;
pub use crate::db::users::User;
pub use crate::db::{Database, DbConnection, DbError, now};

/// Who is acting, for permissions and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<String>,
    /// A user's email, or `cli` / `system` / `public`.
    pub label: String,
    /// `None` for the public; the command line acts as an administrator.
    pub role: Option<Role>,
    pub unit_id: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Self {
            user_id: None,
            label: "cli".into(),
            role: Some(Role::Admin),
            unit_id: None,
            request_id: None,
        }
    }

    pub fn system() -> Self {
        Self {
            label: "system".into(),
            ..Self::cli()
        }
    }

    pub fn public(request_id: Option<String>) -> Self {
        Self {
            user_id: None,
            label: "public".into(),
            role: None,
            unit_id: None,
            request_id,
        }
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        match self.role {
            Some(r) if roles.contains(&r) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// An audit entry by this actor; fill in what happened.
    pub fn audit<'a>(
        &'a self,
        action: &'a str,
        entity_type: &'a str,
        entity_id: &'a str,
    ) -> crate::db::audit::AuditEntry<'a> {
        crate::db::audit::AuditEntry {
            actor_user_id: self.user_id.as_deref(),
            actor_label: &self.label,
            action,
            entity_type,
            entity_id,
            request_id: self.request_id.as_deref(),
            ..Default::default()
        }
    }
}

/// Staff who run consultations: drafting-office staff and administrators.
pub const OFFICE: &[Role] = &[Role::Staff, Role::Admin];

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
    /// Files under the data directory could not be read or written.
    #[error("storage: {0}")]
    Storage(String),
    /// An email could not be composed (a template failed to render).
    #[error(transparent)]
    Mail(#[from] crate::mail::Error),
    /// A broken invariant: a fault of the program, not of the request.
    #[error("internal: {0}")]
    Internal(String),
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
