use actix_web::{HttpResponse, web};

use crate::db;
use crate::web::AppState;
use crate::web::errors::AppError;

/// `GET /healthz`: `{"status":"ok","database":"sqlite"|"postgres"}` after a real query.
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let backend = state.db.backend;
    state
        .with_conn(|conn| db::ping(conn).map_err(|_| AppError::Unavailable))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({"status": "ok", "database": backend.as_str()})))
}
