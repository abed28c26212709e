//! `/api/v1/consultations…`

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::{self, Actor, Consultation, consultations::CreateConsultation};
use crate::domain::consultation::window_state;
use crate::domain::time::rfc3339;
use crate::web::AppState;
use crate::web::auth::{AuthUser, MaybeUser};
use crate::web::errors::AppError;

pub fn consultation_json(c: &Consultation, tz: chrono::FixedOffset) -> serde_json::Value {
    json!({
        "id": c.id,
        "slug": c.slug,
        "status": c.status,
        "window": window_state(c.status(), c.opens_at, c.closes_at, app::now()),
        "title": c.title,
        "draft_title": c.draft_title,
        "description": c.description,
        "contact": c.contact,
        "opens_at": rfc3339(c.opens_at, tz),
        "closes_at": rfc3339(c.closes_at, tz),
        "short_window_reason": c.short_window_reason,
        "closed_at": c.closed_at.map(|t| rfc3339(t, tz)),
        "closed_early_reason": c.closed_early_reason,
        "require_name": c.require_name,
        "channels": c.channels.split(',').collect::<Vec<_>>(),
    })
}

/// `POST /api/v1/consultations`
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateConsultation>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let tz = state.config.timezone;
    let c = state
        .with_conn(move |conn| {
            Ok(app::consultations::create(
                conn,
                body.into_inner(),
                tz,
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/consultations/{}", c.id)))
        .json(consultation_json(&c, tz)))
}

/// `GET /api/v1/consultations/{id}`: staff see every consultation, others all but drafts.
pub async fn show(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let actor = user.0.map_or_else(|| Actor::public(None), |u| u.actor());
    let (c, sample) = state
        .with_conn(move |conn| {
            let c = app::public::consultation(conn, &id, &actor)?;
            let sample = app::consultations::is_sample(conn, &id)?;
            Ok((c, sample))
        })
        .await?;
    let mut body = consultation_json(&c, state.config.timezone);
    // The sample made at setup says so.
    body["sample"] = json!(sample);
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CloseBody {
    pub reason: Option<String>,
}

/// `POST /api/v1/consultations/{id}/open`
pub async fn open(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let c = state
        .with_conn(move |conn| Ok(app::consultations::open(conn, &id, &actor)?))
        .await?;
    // The public page shows the window and state: anonymous copies must not outlive them.
    state.cache.forget_pages();
    Ok(HttpResponse::Ok().json(consultation_json(&c, state.config.timezone)))
}

/// `POST /api/v1/consultations/{id}/close` with `{reason}` when early.
pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<CloseBody>>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let reason = body.and_then(|b| b.into_inner().reason);
    let c = state
        .with_conn(move |conn| {
            Ok(app::consultations::close(
                conn,
                &id,
                reason.as_deref(),
                &actor,
            )?)
        })
        .await?;
    // The public page shows the window and state: anonymous copies must not outlive them.
    state.cache.forget_pages();
    Ok(HttpResponse::Ok().json(consultation_json(&c, state.config.timezone)))
}

/// `PATCH /api/v1/consultations/{id}`: any of the editable fields; the rest stay.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PatchBody {
    title: Option<String>,
    draft_title: Option<String>,
    description: Option<String>,
    contact: Option<String>,
    opens_at: Option<String>,
    closes_at: Option<String>,
    short_window_reason: Option<String>,
    require_name: Option<bool>,
    channels: Option<Vec<String>>,
}

pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<PatchBody>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let tz = state.config.timezone;
    let p = body.into_inner();
    let c = state
        .with_conn(move |conn| {
            let c = app::consultations::find(conn, &id, &actor)?;
            let mut e = app::consultations::EditConsultation::of(&c, tz);
            if let Some(v) = p.title {
                e.title = v;
            }
            if let Some(v) = p.draft_title {
                e.draft_title = v;
            }
            if let Some(v) = p.description {
                e.description = v;
            }
            if let Some(v) = p.contact {
                e.contact = v;
            }
            if let Some(v) = p.opens_at {
                e.opens_at = v;
            }
            if let Some(v) = p.closes_at {
                e.closes_at = v;
            }
            if p.short_window_reason.is_some() {
                e.short_window_reason = p.short_window_reason;
            }
            if let Some(v) = p.require_name {
                e.require_name = v;
            }
            if let Some(v) = p.channels {
                e.channels = v;
            }
            Ok(app::consultations::update(conn, &id, e, tz, &actor)?)
        })
        .await?;
    state.cache.forget_pages();
    Ok(HttpResponse::Ok().json(consultation_json(&c, tz)))
}

/// `DELETE /api/v1/consultations/{id}`: the sample, or a draft never opened (409 otherwise).
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::consultations::delete(conn, &id, &actor)?))
        .await?;
    state.cache.forget_pages();
    Ok(HttpResponse::NoContent().finish())
}
