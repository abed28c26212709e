//! Storage: one diesel codebase over SQLite and PostgreSQL. Knows nothing of HTTP.

pub mod attachments;
pub mod audit;
pub mod consultations;
pub mod documents;
pub mod drafts;
pub mod notices;
pub mod outbox;
pub mod report;
pub mod revisions;
pub mod schema;
pub mod sessions;
pub mod setup;
pub mod solicitations;
pub mod submissions;
pub mod tokens;
pub mod triage;
pub mod tx;
pub mod units;
pub mod users;

use std::time::Duration;

pub use tx::{read, write};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock held while migrations run, so that several nodes
/// starting together migrate one after the other.
const MIGRATION_LOCK_KEY: i64 = 0x7969_6a69_616e_0001;

/// Runs the same diesel expression on the concrete connection of either backend: for the
/// statements the `MultiConnection` cannot express (batch inserts, upserts).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// One connection to either backend; the backend is chosen by the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH for the embedded database or postgres://USER@HOST/DB for PostgreSQL"
    )]
    UnsupportedUrl(String),
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database connection pool: {0}")]
    Pool(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("the database is busy, please try again")]
    Unavailable,
}

impl DbError {
    /// True for a unique-constraint violation (a duplicate key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// Where a URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A file path (or `:memory:`).
    Sqlite(String),
    Postgres(String),
}

impl DbTarget {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if rest.is_empty() {
                return Err(DbError::UnsupportedUrl(url.to_string()));
            }
            Ok(DbTarget::Sqlite(rest.to_string()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbTarget::Postgres(url.to_string()))
        } else {
            Err(DbError::UnsupportedUrl(crate::config::redact_url(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbTarget::Sqlite(_) => Backend::Sqlite,
            DbTarget::Postgres(_) => Backend::Postgres,
        }
    }

    /// Opens one connection, with the SQLite pragmas applied.
    pub fn establish(&self) -> Result<DbConnection, DbError> {
        let conn = match self {
            DbTarget::Sqlite(path) => {
                if path != ":memory:" {
                    if let Some(parent) = std::path::Path::new(path).parent() {
                        if !parent.as_os_str().is_empty() {
                            std::fs::create_dir_all(parent).map_err(|e| DbError::Connect {
                                url: format!("sqlite://{path}"),
                                message: e.to_string(),
                            })?;
                        }
                    }
                }
                let mut c =
                    diesel::SqliteConnection::establish(path).map_err(|e| DbError::Connect {
                        url: format!("sqlite://{path}"),
                        message: one_line(&e.to_string()),
                    })?;
                apply_sqlite_pragmas(&mut c).map_err(|e| DbError::Connect {
                    url: format!("sqlite://{path}"),
                    message: one_line(&e.to_string()),
                })?;
                DbConnection::Sqlite(c)
            }
            DbTarget::Postgres(url) => {
                DbConnection::Postgresql(diesel::PgConnection::establish(url).map_err(|e| {
                    DbError::Connect {
                        url: crate::config::redact_url(url),
                        message: one_line(&e.to_string()),
                    }
                })?)
            }
        };
        Ok(conn)
    }

    fn diesel_url(&self) -> &str {
        match self {
            DbTarget::Sqlite(p) | DbTarget::Postgres(p) => p,
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every SQLite connection: WAL, `synchronous=FULL` (a commit is on disk), foreign keys and a
/// 16 MB page cache (the default 2 MB makes the pages of a database with 100,000 comments
/// come back from the operating system again and again).
fn apply_sqlite_pragmas(c: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    c.batch_execute(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384;",
    )
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            apply_sqlite_pragmas(c).map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConnection>>;

/// The pool and what it is connected to.
#[derive(Clone)]
pub struct Database {
    pub pool: DbPool,
    pub backend: Backend,
}

impl Database {
    /// Connects (failing fast with a clear message when the database cannot be reached),
    /// and builds the pool. Does not migrate.
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, DbError> {
        Self::build(url, pool_size, 1)
    }

    /// For a command that runs and exits: at most two connections, none opened in the
    /// background. (A pool keeping one idle connection opens a new one behind a taken one;
    /// a process that exits while that connection is being opened can crash in libpq's
    /// clean-up.)
    pub fn connect_for_command(url: &str) -> Result<Self, DbError> {
        Self::build(url, 2, 0)
    }

    fn build(url: &str, pool_size: u32, min_idle: u32) -> Result<Self, DbError> {
        let target = DbTarget::parse(url)?;
        // One direct connection first: a clear error at once instead of a pool time-out.
        drop(target.establish()?);
        let manager = ConnectionManager::<DbConnection>::new(target.diesel_url());
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(min_idle))
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| DbError::Pool(one_line(&e.to_string())))?;
        Ok(Self {
            pool,
            backend: target.backend(),
        })
    }

    pub fn get(&self) -> Result<PooledConn, DbError> {
        self.pool.get().map_err(|_| DbError::Unavailable)
    }

    /// Runs the pending migrations (on PostgreSQL under an advisory lock).
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        run_migrations(&mut conn)
    }
}

/// Runs the pending migrations of this connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let mig = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Sqlite(c) => Ok(c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(mig)?
            .iter()
            .map(|v| v.to_string())
            .collect()),
        DbConnection::Postgresql(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(|v| v.to_string()).collect())
                .map_err(mig);
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(c)?;
            result
        }
    }
}

/// Reverts every migration (tests and `yijian migrate --revert-all`).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), DbError> {
    let mig = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    match conn {
        DbConnection::Sqlite(c) => {
            c.revert_all_migrations(SQLITE_MIGRATIONS).map_err(mig)?;
        }
        DbConnection::Postgresql(c) => {
            c.revert_all_migrations(POSTGRES_MIGRATIONS).map_err(mig)?;
        }
    }
    Ok(())
}

/// A real round trip to the database, for `/healthz`.
pub fn ping(conn: &mut DbConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// A new UUIDv7 as text: ids are made in Rust so inserts need no `RETURNING`.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, UTC, to the microsecond (both backends keep microseconds).
pub fn now() -> chrono::NaiveDateTime {
    let n = chrono::Utc::now().naive_utc();
    chrono::SubsecRound::trunc_subsecs(n, 6)
}
