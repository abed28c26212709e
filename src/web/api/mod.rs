//! The JSON API under `/api/v1`.

pub mod accounts;
pub mod consultations;
pub mod documents;
pub mod drafts;
pub mod opinions;
pub mod outbox;
pub mod report;
pub mod revisions;
pub mod solicitations;
pub mod submissions;
pub mod units;

use actix_web::HttpResponse;

use super::auth::AuthUser;
use super::errors::AppError;

/// `GET /api/v1/me`: who the caller is.
pub async fn me(user: AuthUser) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": user.user.id,
        "email": user.user.email,
        "name": user.user.name,
        "role": user.role,
        "unit_id": user.user.unit_id,
    })))
}
