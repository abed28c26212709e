//! `/api/v1/units`: the units directory.

use actix_web::{HttpResponse, web};

use crate::app::{self, units::CreateUnit};
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;

/// `GET /api/v1/units`
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let units = state
        .with_conn(move |conn| Ok(app::units::list(conn, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(units))
}

/// `POST /api/v1/units` with `{name, kind, aliases?, emails?}`
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateUnit>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let u = state
        .with_conn(move |conn| Ok(app::units::create(conn, body.into_inner(), &actor)?))
        .await?;
    Ok(HttpResponse::Created().json(u))
}

/// `POST /api/v1/units/{id}` with `{name?, kind?, aliases?, emails?, disabled?}` (lists replace)
pub async fn change(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<app::units::ChangeUnit>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let u = state
        .with_conn(move |conn| Ok(app::units::change(conn, &id, body.into_inner(), &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(u))
}
