//! `POST /api/v1/consultations/{id}/submissions`

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::comment::CommentInput;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::shared::submit::submit_input;

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Json<CommentInput>,
) -> Result<HttpResponse, AppError> {
    let receipt = submit_input(
        &state,
        &req,
        &id.into_inner().to_string(),
        body.into_inner(),
        t,
    )
    .await?;
    let status = if receipt.duplicate {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(serde_json::json!({
        "tracking_code": receipt.tracking_code,
        "received_at": crate::domain::time::rfc3339(receipt.received_at, state.config.timezone),
        "duplicate": receipt.duplicate,
        "track_url": format!("{}/track/{}", state.config.base_url, receipt.tracking_code),
    })))
}
