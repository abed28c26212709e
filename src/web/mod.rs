//! HTTP: thin actix handlers grouped by audience, plus errors, language, auth and assets.

pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod csrf;
pub mod dept;
pub mod errors;
pub mod input;
pub mod lang;
pub mod page;
pub mod public;
pub mod routes;
pub mod session;
pub mod shared;
pub mod staff;
pub mod throttle;
pub mod upload;

use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite, time::Duration};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpMessage, HttpResponse, web};
use tracing_actix_web::TracingLogger;

use crate::app::Database;
use crate::config::Config;
use errors::AppError;

/// Largest JSON or form body accepted (uploads have their own limit).
pub const BODY_LIMIT: usize = 1024 * 1024;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// What every handler can reach.
pub struct AppState {
    pub db: Database,
    pub config: Arc<Config>,
    pub limits: throttle::Limits,
    pub intake: crate::app::intake::Intake,
    pub cache: cache::Cache,
    /// Turns for large report downloads (DOCX, XLSX, CSV): `export_concurrency` render at once
    /// on a node, the rest wait for a turn.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// Whether the site waits for its first administrator, as last seen.
    pub setup: Arc<SetupWatch>,
    pub site: Arc<crate::config::SiteIdentity>,
}

/// Whether setup is pending: looked up at start, and again at most every few seconds while it
/// is (another node may have finished it); never again once done.
#[derive(Debug, Default)]
pub struct SetupWatch {
    pending: std::sync::atomic::AtomicBool,
    checked_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SetupWatch {
    const RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

    pub fn done(&self) {
        self.pending
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

impl AppState {
    /// The state of one node; starts the intake writer.
    pub fn new(db: Database, config: Config) -> Result<Self, crate::app::DbError> {
        let intake = crate::app::intake::Intake::start(&config.database_url)?;
        let mut conn = db.get()?;
        let pending = crate::app::setup::pending(&mut conn).unwrap_or(false);
        drop(conn);
        Ok(Self {
            site: Arc::new(config.site.clone()),
            limits: throttle::Limits::new(&config),
            exports: Arc::new(tokio::sync::Semaphore::new(
                config.export_concurrency.max(1),
            )),
            db,
            config: Arc::new(config),
            intake,
            cache: cache::Cache::default(),
            setup: Arc::new(SetupWatch {
                pending: std::sync::atomic::AtomicBool::new(pending),
                checked_at: std::sync::Mutex::new(Some(std::time::Instant::now())),
            }),
        })
    }

    /// Whether the site waits for its first administrator.
    pub async fn setup_pending(&self) -> bool {
        use std::sync::atomic::Ordering;
        if !self.setup.pending.load(Ordering::Relaxed) {
            return false;
        }
        let due = {
            let mut at = self
                .setup
                .checked_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let due = at.is_none_or(|t| t.elapsed() >= SetupWatch::RECHECK);
            if due {
                *at = Some(std::time::Instant::now());
            }
            due
        };
        if due {
            let still = self
                .with_conn(|conn| Ok(crate::app::setup::pending(conn)?))
                .await
                .unwrap_or(true);
            if !still {
                self.setup.done();
            }
            return still;
        }
        true
    }

    /// What every page's header and footer show.
    pub async fn chrome(&self) -> session::Chrome {
        session::Chrome {
            site: self.site.clone(),
            setup_pending: self.setup_pending().await,
        }
    }

    /// The client's address, for rate limits (the proxy's header only when trusted).
    pub fn client_ip(&self, req: &actix_web::HttpRequest) -> String {
        let info = req.connection_info();
        let ip = if self.config.trust_proxy {
            info.realip_remote_addr()
        } else {
            info.peer_addr()
        };
        ip.unwrap_or("unknown").to_string()
    }

    /// Runs blocking database work on the blocking pool with a pooled connection.
    /// A turn for a large report download (see [`AppState::exports`]); `None` for a format
    /// that needs none. Waits while every turn is taken.
    pub async fn export_turn(
        &self,
        format: crate::export::Format,
    ) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, AppError> {
        if !crate::export::is_large(format) {
            return Ok(None);
        }
        self.exports
            .clone()
            .acquire_owned()
            .await
            .map(Some)
            .map_err(|_| AppError::Unavailable)
    }

    pub async fn with_conn<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::app::DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.get()?;
            f(&mut conn)
        })
        .await?
    }
}

/// Sets the language cookie when `?lang=` chose one, and echoes the request id.
async fn lang_and_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = lang::query_locale(req.query_string());
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string());
    let mut res = next.call(req).await?;
    if let Some(l) = chosen {
        let _ = res.response_mut().add_cookie(&lang::lang_cookie(l));
    }
    if let Some(id) = request_id {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&id) {
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("x-request-id"),
                v,
            );
        }
    }
    Ok(res)
}

/// Every request runs with its page chrome (the site's identity, whether setup is pending).
async fn with_chrome(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chrome = match req.app_data::<web::Data<AppState>>().cloned() {
        Some(state) => state.chrome().await,
        None => session::Chrome::default(),
    };
    session::CHROME.scope(chrome, next.call(req)).await
}

/// The whole application, as served and as tested.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let key = Key::derive_from(&state.config.secret_key);
    let secure = state.config.secure_cookies();
    let session = SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("yijian_session".into())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(Duration::hours(12)))
        .build();
    App::new()
        .app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(errors::json_error),
        )
        .app_data(
            web::FormConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(errors::form_error),
        )
        .app_data(web::PathConfig::default().error_handler(errors::path_error))
        .app_data(web::QueryConfig::default().error_handler(errors::query_error))
        .app_data(web::PayloadConfig::default().limit(BODY_LIMIT))
        .wrap(from_fn(csrf::same_site_api))
        // Inside the error handlers, so that its refusals render as pages or JSON.
        .wrap(from_fn(input::screen))
        .wrap(ErrorHandlers::new().default_handler(errors::render_error))
        .wrap(from_fn(lang_and_request_id))
        .wrap(session)
        .wrap(
            DefaultHeaders::new()
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "same-origin"))
                .add((
                    "Permissions-Policy",
                    "camera=(), microphone=(), geolocation=(), interest-cohort=()",
                )),
        )
        .wrap(from_fn(with_chrome))
        .wrap(TracingLogger::default())
        .configure(routes::routes)
        .default_service(web::to(not_found))
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Runs the clock's work (closing ended consultations, reminders) every half minute on its own
/// thread for the life of the process.
fn start_clock(db: Database, config: &Config) {
    let mail = crate::app::solicitations::MailContext {
        base_url: config.base_url.clone(),
        timezone: config.timezone,
    };
    let reminder_days = config.reminder_days;
    let spawned = std::thread::Builder::new()
        .name("yijian-clock".into())
        .spawn(move || {
            loop {
                let pass = db
                    .get()
                    .map_err(crate::app::Error::from)
                    .and_then(|mut conn| {
                        crate::app::schedule::run(
                            &mut conn,
                            crate::app::now(),
                            reminder_days,
                            &mail,
                        )
                    });
                match pass {
                    Ok(p) if p.closed + p.reminded + p.notified > 0 => {
                        tracing::info!(
                            closed = p.closed,
                            reminded = p.reminded,
                            notified = p.notified,
                            "scheduled work done"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "scheduled work failed; retrying later"),
                }
                std::thread::sleep(std::time::Duration::from_secs(30));
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the scheduler thread");
    }
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
pub async fn serve(config: Config, db: Database) -> std::io::Result<()> {
    let bind = config.bind.clone();
    let workers = if config.workers == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        config.workers
    };
    let blocking_threads = (config.pool_size as usize).div_ceil(workers).max(2);
    start_clock(db.clone(), &config);
    // Duplicate detection as opinions arrive, on a thread of its own.
    {
        let db = db.clone();
        if let Err(e) = std::thread::Builder::new()
            .name("yijian-duplicates".into())
            .spawn(move || crate::app::triage::run_worker(db))
        {
            tracing::error!(error = %e, "cannot start the duplicates thread");
        }
    }
    // The outbox's sender: a thread of its own beside the server, stopped after it.
    let mailer = crate::mail::Worker::from_config(db.clone(), &config)
        .and_then(crate::mail::Worker::spawn)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let state = web::Data::new(
        AppState::new(db, config).map_err(|e| std::io::Error::other(e.to_string()))?,
    );
    let server = actix_web::HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .backlog(4096)
        .max_connections(100_000)
        .shutdown_timeout(30)
        // Blocking work (the database) queues here instead of crowding the connection pool.
        .worker_max_blocking_threads(blocking_threads)
        .bind(&bind)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {bind}: {e}")))?;
    tracing::info!(%bind, workers, "yijian is serving");
    let served = server.run().await;
    // Finishes the email being sent; the rest of its batch is handed back to the outbox.
    let _ = tokio::task::spawn_blocking(move || mailer.stop()).await;
    served
}
