//! `/api/v1/consultations/{id}/drafts`

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app;
use crate::web::AppState;
use crate::web::auth::{AuthUser, MaybeUser};
use crate::web::errors::AppError;
use crate::web::upload::read_upload;

/// `?label=修改稿`: the name of the version.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LabelQuery {
    pub label: Option<String>,
}

/// `POST /api/v1/consultations/{id}/drafts`: the draft as `text/plain` (or any raw body,
/// `?filename=draft.docx` naming it), or a multipart form with a `file` field; `?label=`
/// names the version (修改稿, 送审稿 …). A draft imported into a consultation that has one
/// is its next version.
pub async fn import(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    actor.require(app::OFFICE)?;
    let id = id.into_inner().to_string();
    let label = web::Query::<LabelQuery>::from_query(req.query_string())
        .map(|q| q.into_inner().label)
        .unwrap_or_default();
    let up = read_upload(&req, payload).await?;
    let tree = state
        .with_conn(move |conn| {
            Ok(app::drafts::import_named(
                conn,
                &id,
                up.filename.as_deref(),
                &up.bytes,
                label.as_deref(),
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(tree))
}

/// `GET /api/v1/consultations/{id}/drafts/current`: the current version's clause tree.
pub async fn current(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let actor = user
        .0
        .map_or_else(|| app::Actor::public(None), |u| u.actor());
    let tree = state
        .with_conn(move |conn| {
            app::public::consultation(conn, &id, &actor)?;
            Ok(app::drafts::current_tree(conn, &id)?)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(tree))
}
