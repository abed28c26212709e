//! `/api/v1/consultations/{id}/documents`: the files published beside a draft (起草说明,
//! 政策解读 …).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::app;
use crate::app::documents::Listed;
use crate::web::AppState;
use crate::web::auth::{AuthUser, MaybeUser};
use crate::web::errors::AppError;
use crate::web::upload::read_upload;

/// `?kind=explanation&title=…`, for a raw upload (multipart forms carry them as fields).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AddQuery {
    pub kind: Option<String>,
    pub title: Option<String>,
}

fn document_json(l: &Listed, slug: &str, tz: chrono::FixedOffset) -> serde_json::Value {
    json!({
        "id": l.document.id,
        "kind": l.document.kind,
        "title": l.document.title,
        "filename": l.file.filename,
        "media_type": l.file.media_type,
        "size_bytes": l.file.size_bytes,
        "created_at": crate::domain::time::rfc3339(l.document.created_at, tz),
        "href": format!("/c/{slug}/documents/{}", l.document.id),
    })
}

/// `GET /api/v1/consultations/{id}/documents`
pub async fn list(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let actor = user
        .0
        .map_or_else(|| app::Actor::public(None), |u| u.actor());
    let (c, docs) = state
        .with_conn(move |conn| {
            let c = app::public::consultation(conn, &id, &actor)?;
            Ok((c.slug.clone(), app::documents::list(conn, &id, &actor)?))
        })
        .await?;
    let tz = state.config.timezone;
    Ok(HttpResponse::Ok().json(json!({
        "documents": docs.iter().map(|d| document_json(d, &c, tz)).collect::<Vec<_>>(),
    })))
}

/// `POST /api/v1/consultations/{id}/documents`: a multipart form (`kind`, `title`, `file`) or
/// the file as the raw body with `?kind=&title=&filename=`. 201 with the document.
pub async fn add(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    actor.require(app::OFFICE)?;
    let id = id.into_inner().to_string();
    let q = web::Query::<AddQuery>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let up = read_upload(&req, payload).await?;
    let kind = up
        .field("kind")
        .map(str::to_string)
        .or(q.kind)
        .unwrap_or_else(|| "explanation".into());
    let title = up
        .field("title")
        .map(str::to_string)
        .or(q.title)
        .unwrap_or_default();
    let data_dir = state.config.data_dir.clone();
    let (doc, slug) = state
        .with_conn(move |conn| {
            let d = app::documents::add(
                conn,
                &data_dir,
                &id,
                app::documents::NewDocument {
                    kind: &kind,
                    title: &title,
                    filename: up.filename.as_deref(),
                    bytes: &up.bytes,
                },
                &actor,
            )?;
            let c = app::consultations::find(conn, &id, &actor)?;
            let listed = app::documents::list(conn, &id, &actor)?
                .into_iter()
                .find(|l| l.document.id == d.id)
                .ok_or(AppError::NotFound)?;
            Ok((listed, c.slug))
        })
        .await?;
    state.cache.forget_pages();
    Ok(HttpResponse::Created().json(document_json(&doc, &slug, state.config.timezone)))
}

/// `DELETE /api/v1/consultations/{id}/documents/{document_id}`: 204.
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let (id, doc) = path.into_inner();
    let (id, doc) = (id.to_string(), doc.to_string());
    state
        .with_conn(move |conn| Ok(app::documents::remove(conn, &id, &doc, &actor)?))
        .await?;
    state.cache.forget_pages();
    Ok(HttpResponse::NoContent().finish())
}
