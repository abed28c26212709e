//! Email: messages composed from templates into the outbox inside the transaction of the
//! change that causes them ([`compose`]), and the worker that sends them ([`worker`]) over SMTP
//! or, with no SMTP server configured, into `.eml` files ([`transport`]).
//!
//! Other workflows enqueue a message by composing it and inserting it in their own
//! transaction:
//!
//! ```ignore
//! let m = mail::compose::invitation(locale, &address, &config.base_url, &invitation)?
//!     .related("solicitation", &solicitation.id);
//! db::outbox::insert(conn, &m)?;
//! ```

pub mod compose;
pub mod transport;
pub mod worker;

pub use worker::{Handle, Options, Pass, Worker};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("rendering the {0} email: {1}")]
    Render(&'static str, String),
    #[error("mail configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}
