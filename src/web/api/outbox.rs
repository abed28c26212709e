//! `/api/v1/outbox`: the JSON twin of `/admin/outbox`.

use actix_web::{HttpResponse, web};

use crate::app::{self, outbox::Query};
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;

/// `GET /api/v1/outbox?state=queued|sent|failed&kind=&to=&page=`
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let q = q.into_inner();
    let listing = state
        .with_conn(move |conn| Ok(app::outbox::list(conn, &q, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(listing))
}

/// `POST /api/v1/outbox/{outbox_id}/resend`
pub async fn resend(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let id = path.into_inner();
    let row = state
        .with_conn(move |conn| Ok(app::outbox::resend(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}
