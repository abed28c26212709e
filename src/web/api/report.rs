//! `/api/v1/consultations/{id}/report` and `/publications`: the report in every format, and
//! publishing it.

use std::collections::VecDeque;
use std::sync::{LazyLock, Mutex};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::report::{self as uc, Missing, PublishOutcome, READERS, Variant};
use crate::db::consultations::Consultation;
use crate::db::report::PublicationInfo;
use crate::domain::report::Edition;
use crate::domain::time::rfc3339;
use crate::export::{self, Format};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::{AuthUser, MaybeUser};
use crate::web::errors::{AppError, internal};
use crate::web::lang::Lang;

/// `?format=json|html|docx|xlsx|csv&edition=internal|public&publication=N` and the variant
/// switches of a live report (`reason_column`, `merge_sections`, `summary`,
/// `feedbacker_column`: `1`/`0`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub format: Option<String>,
    pub edition: Option<String>,
    pub publication: Option<i64>,
    pub reason_column: Option<String>,
    pub merge_sections: Option<String>,
    pub summary: Option<String>,
    pub feedbacker_column: Option<String>,
}

fn switch(v: &Option<String>) -> Result<Option<bool>, AppError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("1" | "true" | "on" | "yes") => Ok(Some(true)),
        Some("0" | "false" | "off" | "no") => Ok(Some(false)),
        Some(other) => Err(AppError::bad_request("report.error.switch", other)),
    }
}

impl ReportQuery {
    pub fn format(&self) -> Result<Format, AppError> {
        match self.format.as_deref() {
            None | Some("") => Ok(Format::Json),
            Some(f) => {
                Format::parse(f).ok_or_else(|| AppError::bad_request("report.error.format", f))
            }
        }
    }

    /// The edition asked for; without one, the internal edition for the office and the public
    /// one for everyone else.
    pub fn edition(&self, office: bool) -> Result<Edition, AppError> {
        match self.edition.as_deref().map(str::trim) {
            None | Some("") => Ok(if office {
                Edition::Internal
            } else {
                Edition::Public
            }),
            Some("internal") => Ok(Edition::Internal),
            Some("public") => Ok(Edition::Public),
            Some(other) => Err(AppError::bad_request("report.error.edition", other)),
        }
    }

    pub fn variant(&self) -> Result<Variant, AppError> {
        Ok(Variant {
            reason_column: switch(&self.reason_column)?,
            merge_sections: switch(&self.merge_sections)?,
            summary: switch(&self.summary)?,
            feedbacker_column: switch(&self.feedbacker_column)?,
        })
    }
}

/// A rendered report as a download: its content type, and a `Content-Disposition` naming the
/// file after the report's title (RFC 6266/5987, with an ASCII fallback).
pub fn download(
    title: &str,
    format: Format,
    ascii_stem: &str,
    bytes: impl Into<web::Bytes>,
) -> HttpResponse {
    download_head(title, format, ascii_stem).body(bytes.into())
}

/// [`download`] of a rendering kept in a temporary file, read out in chunks as the client
/// takes them.
pub fn download_file(
    title: &str,
    format: Format,
    ascii_stem: &str,
    file: std::fs::File,
    len: u64,
) -> HttpResponse {
    use std::io::Read;
    const CHUNK: usize = 256 * 1024;
    let chunks = futures_util::stream::try_unfold(file, |mut f| async move {
        let (f, chunk) = web::block(move || {
            let mut buf = vec![0u8; CHUNK];
            let n = f.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((f, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok::<_, std::io::Error>((!chunk.is_empty()).then(|| (web::Bytes::from(chunk), f)))
    });
    download_head(title, format, ascii_stem)
        .body(actix_web::body::SizedStream::new(len, Box::pin(chunks)))
}

fn download_head(title: &str, format: Format, ascii_stem: &str) -> actix_web::HttpResponseBuilder {
    let disposition = match format {
        Format::Docx | Format::Xlsx | Format::Csv => "attachment",
        Format::Json | Format::Html => "inline",
    };
    let name = export::file_name_for(title, format);
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let mut r = HttpResponse::Ok();
    r.content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!(
                "{disposition}; filename=\"{ascii_stem}.{}\"; filename*=UTF-8''{encoded}",
                format.extension()
            ),
        ))
        .insert_header(("Cache-Control", "no-store"));
    r
}

/// The ASCII file name stem of a report download: `report-{slug}-{edition}[-{n}]`.
pub fn ascii_stem(slug: &str, edition: Edition, publication: Option<i64>) -> String {
    match publication {
        Some(n) => format!("report-{slug}-{}-{n}", edition.as_str()),
        None => format!("report-{slug}-{}", edition.as_str()),
    }
}

/// What a published edition is rendered as: a download, or the fragment the public report
/// page embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rendering {
    File(Format),
    Fragment,
}

type Key = (String, Edition, Rendering);

/// Renderings of published editions, which never change: a busy public report page parses and
/// renders a snapshot once, not once per visitor. Bounded in bytes; the oldest go first.
static RENDERED: LazyLock<Mutex<VecDeque<(Key, web::Bytes)>>> =
    LazyLock::new(|| Mutex::new(VecDeque::new()));
const RENDERED_MAX_BYTES: usize = 64 << 20;

fn cached(key: &Key) -> Option<web::Bytes> {
    let kept = RENDERED.lock().ok()?;
    kept.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
}

fn keep(key: Key, bytes: &web::Bytes) {
    if bytes.len() > RENDERED_MAX_BYTES / 2 {
        return;
    }
    if let Ok(mut kept) = RENDERED.lock() {
        let mut total: usize = kept.iter().map(|(_, b)| b.len()).sum::<usize>() + bytes.len();
        while total > RENDERED_MAX_BYTES {
            match kept.pop_front() {
                Some((_, b)) => total -= b.len(),
                None => break,
            }
        }
        kept.push_back((key, bytes.clone()));
    }
}

/// A published edition, rendered (or taken from the renderings kept).
pub struct PublishedRendering {
    pub consultation: Consultation,
    pub publication: PublicationInfo,
    pub bytes: web::Bytes,
}

/// Renders edition `edition_no` (or the latest) of a consultation's published report.
pub async fn render_published(
    state: &AppState,
    consultation_id: String,
    edition_no: Option<i64>,
    edition: Edition,
    actor: crate::app::Actor,
    rendering: Rendering,
) -> Result<PublishedRendering, AppError> {
    let a = actor.clone();
    let (consultation, publication) = state
        .with_conn(move |conn| {
            Ok(uc::published_info(
                conn,
                &consultation_id,
                edition_no,
                edition,
                &a,
            )?)
        })
        .await?;
    let key = (publication.id.clone(), edition, rendering);
    let bytes = match cached(&key) {
        Some(b) => b,
        None => {
            let (cid, n) = (consultation.id.clone(), publication.edition_no);
            let turn = match rendering {
                Rendering::File(f) => state.export_turn(f).await?,
                Rendering::Fragment => None,
            };
            let bytes = state
                .with_conn(move |conn| {
                    let p = uc::published(conn, &cid, Some(n), edition, &actor)?;
                    let bytes = match rendering {
                        Rendering::File(f) => export::render(&p.report, f),
                        Rendering::Fragment => {
                            export::html::render(&p.report).map(String::into_bytes)
                        }
                    }
                    .map_err(internal)?;
                    drop(p);
                    export::release_memory();
                    Ok(web::Bytes::from(bytes))
                })
                .await?;
            drop(turn);
            keep(key, &bytes);
            bytes
        }
    };
    Ok(PublishedRendering {
        consultation,
        publication,
        bytes,
    })
}

/// `GET /api/v1/consultations/{id}/report`: the live internal edition (or a preview of the
/// public one) for the office; a published edition (`edition=public`, or `publication=N`) from
/// its frozen snapshot, the public one for anyone.
pub async fn show(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<uuid::Uuid>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let format = q.format()?;
    let office = user.0.as_ref().is_some_and(|u| READERS.contains(&u.role));
    let edition = q.edition(office)?;
    let variant = q.variant()?;
    let publication = q.publication;
    let frozen = edition == Edition::Public || publication.is_some();
    if !frozen || edition == Edition::Internal {
        match &user.0 {
            None => return Err(AppError::Unauthorized),
            Some(u) => u.require(READERS)?,
        }
    }
    let actor = match &user.0 {
        Some(u) => u.actor(),
        None => crate::app::Actor::public(None),
    };
    if frozen {
        let r = render_published(
            &state,
            id,
            publication,
            edition,
            actor,
            Rendering::File(format),
        )
        .await?;
        let stem = ascii_stem(
            &r.consultation.slug,
            edition,
            Some(r.publication.edition_no),
        );
        return Ok(download(&r.publication.title, format, &stem, r.bytes));
    }
    // A large download waits for a turn, is written to a temporary file and streamed from
    // it; the report's model is dropped and its memory handed back before the first byte goes.
    let turn = state.export_turn(format).await?;
    let dir = state.config.data_dir.clone();
    let (title, slug, file, len) = state
        .with_conn(move |conn| {
            let c = crate::db::consultations::find(conn, &id)?.ok_or(AppError::NotFound)?;
            let model = uc::load(conn, &id, edition, variant, &actor)?;
            let rendered = export::render_file(&model, format, &dir);
            let title = model.title.clone();
            drop(model);
            export::release_memory();
            let (file, len) = rendered.map_err(internal)?;
            Ok((title, c.slug, file, len))
        })
        .await?;
    drop(turn);
    Ok(download_file(
        &title,
        format,
        &ascii_stem(&slug, edition, None),
        file,
        len,
    ))
}

/// A readiness item for JSON and pages: its message and where to fix it.
pub fn missing_json(t: &Tr, consultation_id: &str, m: &Missing) -> serde_json::Value {
    json!({
        "kind": m.kind,
        "message": m.message(t.locale),
        "opinion_id": m.opinion_id,
        "tracking_code": m.tracking_code,
        "excerpt": m.excerpt,
        "link": missing_link(consultation_id, m),
    })
}

/// Where staff fix a readiness item: the opinion in the triage workbench, or the consultation.
pub fn missing_link(consultation_id: &str, m: &Missing) -> String {
    match &m.opinion_id {
        Some(o) => format!("/staff/opinions/{o}"),
        None => format!("/staff/consultations/{consultation_id}"),
    }
}

fn publication_json(p: &PublicationInfo, slug: &str, tz: chrono::FixedOffset) -> serde_json::Value {
    let links: serde_json::Map<String, serde_json::Value> = Format::ALL
        .iter()
        .map(|f| {
            (
                f.as_str().to_string(),
                json!(format!(
                    "/api/v1/consultations/{}/report?format={}&edition=public&publication={}",
                    p.consultation_id,
                    f.as_str(),
                    p.edition_no
                )),
            )
        })
        .collect();
    json!({
        "id": p.id,
        "edition_no": p.edition_no,
        "title": p.title,
        "published_at": rfc3339(p.published_at, tz),
        "page": format!("/c/{slug}/report?edition_no={}", p.edition_no),
        "downloads": links,
    })
}

/// `POST /api/v1/consultations/{id}/publications`: publish the current report as a frozen,
/// numbered edition; refused with the readiness list (409) while something is missing.
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let base_url = state.config.base_url.clone();
    let cid = id.clone();
    let (outcome, slug) = state
        .with_conn(move |conn| {
            let outcome = uc::publish(conn, &cid, &base_url, &actor)?;
            let c = crate::db::consultations::find(conn, &cid)?.ok_or(AppError::NotFound)?;
            Ok((outcome, c.slug))
        })
        .await?;
    let tz = state.config.timezone;
    Ok(match outcome {
        PublishOutcome::Published {
            publication,
            notices,
        } => {
            let mut body = publication_json(&publication, &slug, tz);
            body["notices"] = json!(notices);
            HttpResponse::Created()
                .insert_header((
                    "Location",
                    format!(
                        "/api/v1/consultations/{id}/report?edition=public&publication={}",
                        publication.edition_no
                    ),
                ))
                .json(body)
        }
        PublishOutcome::Unchanged { publication } => {
            let mut body = publication_json(&publication, &slug, tz);
            body["unchanged"] = json!(true);
            body["notices"] = json!(0);
            HttpResponse::Ok().json(body)
        }
        PublishOutcome::NotReady { missing } => {
            HttpResponse::build(StatusCode::CONFLICT).json(json!({
                "error": "not_ready",
                "message": t.t("report.not_ready"),
                "missing": missing.iter().map(|m| missing_json(&t, &id, m)).collect::<Vec<_>>(),
            }))
        }
    })
}

/// `GET /api/v1/consultations/{id}/publications`: the published editions, newest first.
pub async fn list(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let actor = match &user.0 {
        Some(u) => u.actor(),
        None => crate::app::Actor::public(None),
    };
    let (c, list) = state
        .with_conn(move |conn| Ok(uc::publications(conn, &id, &actor)?))
        .await?;
    let tz = state.config.timezone;
    Ok(HttpResponse::Ok().json(json!({
        "consultation_id": c.id,
        "slug": c.slug,
        "publications": list.iter().map(|p| publication_json(p, &c.slug, tz)).collect::<Vec<_>>(),
    })))
}

/// `POST /api/v1/consultations/{id}/report/settings`: `{summary, reason_column,
/// merge_sections, feedbacker_column}` (booleans; a missing one is false).
pub async fn settings(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<crate::app::report::Settings>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let s = body.into_inner();
    let saved = state
        .with_conn(move |conn| Ok(uc::save_settings(conn, &id, s, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// `GET /api/v1/consultations/{id}/report/readiness`: what is missing before publishing.
pub async fn readiness(
    state: web::Data<AppState>,
    user: AuthUser,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let cid = id.clone();
    let missing = state
        .with_conn(move |conn| Ok(uc::readiness(conn, &cid, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "ready": missing.is_empty(),
        "missing": missing.iter().map(|m| missing_json(&t, &id, m)).collect::<Vec<_>>(),
    })))
}
