//! The JSON API under `/api/v1`.

pub mod consultations;
pub mod drafts;
pub mod submissions;
pub mod units;

use actix_web::{HttpResponse, web};

use super::auth::AuthUser;
use super::errors::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me))
        .route("/session", web::post().to(super::public::login::api_login))
        .route(
            "/session",
            web::delete().to(super::public::login::api_logout),
        )
        .route("/units", web::get().to(units::list))
        .route("/units", web::post().to(units::create))
        .route("/consultations", web::post().to(consultations::create))
        .route("/consultations/{id}", web::get().to(consultations::show))
        .route(
            "/consultations/{id}/open",
            web::post().to(consultations::open),
        )
        .route(
            "/consultations/{id}/close",
            web::post().to(consultations::close),
        )
        .route(
            "/consultations/{id}/submissions",
            web::post().to(submissions::create),
        )
        .route("/track/{code}", web::get().to(super::public::track::api))
        .route("/consultations/{id}/drafts", web::post().to(drafts::import))
        .route(
            "/consultations/{id}/drafts/current",
            web::get().to(drafts::current),
        );
}

/// `GET /api/v1/me`: who the caller is.
async fn me(user: AuthUser) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": user.user.id,
        "email": user.user.email,
        "name": user.user.name,
        "role": user.role,
        "unit_id": user.user.unit_id,
    })))
}
