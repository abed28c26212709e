//! `/api/v1/consultations/{id}/versions`, `/comparison` and `/api/v1/opinions/{opinion_id}/changes`:
//! later versions of a draft, the comparison table, and links from opinions to changes.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::{self, revisions};
use crate::export::{self, Format};
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::{AppError, internal};
use crate::web::shared::report::download;
use crate::web::shared::revisions::ComparisonParams;

/// `GET /api/v1/consultations/{id}/versions`: the versions, oldest first.
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let vs = state
        .with_conn(move |conn| Ok(revisions::versions(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(vs))
}

/// `POST /api/v1/consultations/{id}/versions/{version_no}/publish`: the public page shows
/// this version from now on.
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(uuid::Uuid, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, no) = path.into_inner();
    let (actor, id) = (user.actor(), id.to_string());
    let v = state
        .with_conn(move |conn| Ok(app::drafts::publish_version(conn, &id, no, &actor)?))
        .await?;
    // The public page shows the current version.
    state.cache.forget_pages();
    Ok(HttpResponse::Ok().json(v))
}

/// `GET /api/v1/consultations/{id}/comparison`: the comparison table of two versions.
pub async fn comparison(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    params: web::Query<ComparisonParams>,
) -> Result<HttpResponse, AppError> {
    let (q, format) = (params.query()?, params.format()?);
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let c = state
        .with_conn(move |conn| Ok(revisions::comparison(conn, &id, q, &actor)?))
        .await?;
    let stem = format!("comparison-{}-{}", c.from, c.to);
    let title = c.heading();
    match format {
        Format::Html => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(export::comparison::html_document(&c))),
        Format::Docx => {
            let bytes = export::docx::render_comparison(&c).map_err(internal)?;
            Ok(download(&title, format, &stem, bytes))
        }
        Format::Xlsx => {
            let bytes = export::comparison::xlsx(&c).map_err(internal)?;
            Ok(download(&title, format, &stem, bytes))
        }
        _ => Ok(HttpResponse::Ok().json(c)),
    }
}

/// `GET /api/v1/opinions/{opinion_id}/changes`: the changes an opinion is linked to, and
/// those suggested.
pub async fn changes(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let v = state
        .with_conn(move |conn| Ok(revisions::changes(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkBody {
    pub link: Vec<String>,
    pub unlink: Vec<String>,
}

/// `POST /api/v1/opinions/{opinion_id}/changes` `{link: [clause ids of a later version],
/// unlink: [...]}`: confirms (or removes) links from the opinion to changes.
pub async fn link(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<LinkBody>>,
) -> Result<HttpResponse, AppError> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    if b.link.is_empty() && b.unlink.is_empty() {
        return Err(AppError::from(app::Error::field(
            "link",
            "revision.error.empty",
        )));
    }
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let v = state
        .with_conn(move |conn| Ok(revisions::link(conn, &id, &b.link, &b.unlink, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `{clause_id, note}`: the office's 修改说明 on a changed clause; an empty note removes it.
#[derive(Debug, serde::Deserialize)]
pub struct NoteBody {
    pub clause_id: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/consultations/{id}/comparison/notes`
pub async fn note(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<NoteBody>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let b = body.into_inner();
    let out = serde_json::json!({"clause_id": b.clause_id, "note": b.note.trim()});
    state
        .with_conn(move |conn| {
            Ok(revisions::set_note(
                conn,
                &id,
                &b.clause_id,
                &b.note,
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
