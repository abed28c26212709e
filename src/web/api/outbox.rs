//! `/api/v1/outbox`: the JSON twin of `/admin/outbox`.

use actix_web::{HttpResponse, web};

use crate::app::{self, outbox::BulkResend, outbox::Query, outbox::Row};
use crate::domain::time::rfc3339;
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
    let tz = state.config.timezone;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "messages": listing.messages.iter().map(|m| row_json(m, tz)).collect::<Vec<_>>(),
        "counts": listing.counts,
        "page": listing.page,
        "has_more": listing.has_more,
    })))
}

/// A message with its times in the office's time zone, as every time in the API.
fn row_json(m: &Row, tz: chrono::FixedOffset) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "kind": m.kind,
        "to": m.to,
        "locale": m.locale,
        "subject": m.subject,
        "state": m.state,
        "attempts": m.attempts,
        "last_error": m.last_error,
        "message_id": m.message_id,
        "related_type": m.related_type,
        "related_id": m.related_id,
        "created_at": rfc3339(m.created_at, tz),
        "next_attempt_at": m.next_attempt_at.map(|t| rfc3339(t, tz)),
        "sent_at": m.sent_at.map(|t| rfc3339(t, tz)),
    })
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
    Ok(HttpResponse::Ok().json(row_json(&row, state.config.timezone)))
}

/// `POST /api/v1/outbox/resend` `{kind?, from?, to?}` → `{"queued": N}`: every failed message
/// of a kind and/or written in a time range, queued again.
pub async fn resend_failed(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkResend>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let b = body.into_inner();
    let tz = state.config.timezone;
    let queued = state
        .with_conn(move |conn| Ok(app::outbox::resend_failed(conn, &b, tz, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "queued": queued })))
}
