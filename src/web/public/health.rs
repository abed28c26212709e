use actix_web::{HttpResponse, web};

use crate::app;
use crate::web::AppState;
use crate::web::errors::AppError;

/// `GET /healthz`: `{"status":"ok","database":"sqlite"|"postgres","mail":{"queued":N,"failed":N}}`
/// after a real query. `mail.failed` counts the emails that gave up (an administrator can send
/// them again; the sender queues those the server may yet take again by itself), so no
/// acknowledged email is left unsent without it showing.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let backend = state.db.backend;
    let (queued, failed) = state
        .with_conn(|conn| app::outbox::health(conn).map_err(|_| AppError::Unavailable))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "status": "ok",
            "database": backend.as_str(),
            "mail": {"queued": queued, "failed": failed},
        })))
}
