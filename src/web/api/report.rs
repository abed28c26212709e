//! `/api/v1/consultations/{id}/report` and `/publications`: the report in every format, and
//! publishing it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::report::{self as uc, Missing, PublishOutcome, Variant};
use crate::app::{self, PublicationInfo};
use crate::domain::report::Edition;
use crate::domain::time::rfc3339;
use crate::export::{self, Format};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::{AuthUser, MaybeUser};
use crate::web::errors::{AppError, internal};
use crate::web::lang::Lang;
use crate::web::shared::report::{
    Rendering, ascii_stem, download, download_file, missing_link, render_published,
};

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

    /// The edition asked for, if any ([`uc::report_request`] chooses one otherwise).
    pub fn edition(&self) -> Result<Option<Edition>, AppError> {
        match self.edition.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("internal") => Ok(Some(Edition::Internal)),
            Some("public") => Ok(Some(Edition::Public)),
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
    let asked = q.edition()?;
    let variant = q.variant()?;
    let publication = q.publication;
    let actor = match &user.0 {
        Some(u) => u.actor(),
        None => app::Actor::public(None),
    };
    let uc::ReportRequest { edition, frozen } = match uc::report_request(&actor, asked, publication)
    {
        // Signing in may help the anonymous.
        Err(app::Error::Forbidden) if user.0.is_none() => return Err(AppError::Unauthorized),
        r => r?,
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
            let c = app::consultations::find(conn, &id, &actor)?;
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

/// A readiness item for JSON and pages: its message and where to fix it (and, for a unit that
/// still owes a reply, the unit and its deadline).
pub fn missing_json(
    t: &Tr,
    tz: chrono::FixedOffset,
    consultation_id: &str,
    m: &Missing,
) -> serde_json::Value {
    let mut v = json!({
        "kind": m.kind,
        "message": m.message_in(t.locale, tz),
        "opinion_id": m.opinion_id,
        "tracking_code": m.tracking_code,
        "excerpt": m.excerpt,
        "link": missing_link(consultation_id, m),
    });
    if m.kind == uc::SOLICITATION_PENDING {
        v["unit_id"] = json!(m.unit_id);
        v["unit"] = json!(m.unit);
        v["deadline"] = json!(m.deadline.map(|d| rfc3339(d, tz)));
    }
    v
}

/// The body of a publication request: `{close_solicitations_reason?}`; an empty body is `{}`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PublishBody {
    pub close_solicitations_reason: Option<String>,
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

/// `POST /api/v1/consultations/{id}/publications` with `{close_solicitations_reason?}`:
/// publish the current report as a frozen, numbered edition; refused with the readiness list
/// (409) while something is missing. Invited units that still owe a reply before their deadline
/// are each a `solicitation_pending` item unless a reason is given; with one, their
/// solicitations are closed early and the units told.
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let body: PublishBody = if body.iter().all(u8::is_ascii_whitespace) {
        PublishBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::bad_request("error.invalid_json", e.to_string()))?
    };
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let options = uc::PublishOptions {
        mail: crate::web::shared::mail_context(&state),
        close_solicitations_reason: body.close_solicitations_reason,
    };
    let cid = id.clone();
    let (outcome, slug) = state
        .with_conn(move |conn| {
            let outcome = uc::publish(conn, &cid, &options, &actor)?;
            let c = app::consultations::find(conn, &cid, &actor)?;
            Ok((outcome, c.slug))
        })
        .await?;
    let tz = state.config.timezone;
    Ok(match outcome {
        PublishOutcome::Published {
            publication,
            notices,
            closed_solicitations,
        } => {
            let mut body = publication_json(&publication, &slug, tz);
            body["notices"] = json!(notices);
            body["closed_solicitations"] = json!(closed_solicitations);
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
                "missing": missing.iter().map(|m| missing_json(&t, tz, &id, m)).collect::<Vec<_>>(),
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
/// merge_sections, feedbacker_column, cite_changes}` (booleans; a missing one is false),
/// `title_template`, `status_labels`.
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

/// `GET /api/v1/consultations/{id}/report/readiness`: what is missing before publishing
/// (`ready`), whether a reason for not waiting for units would be the only thing missing
/// (`needs_close_reason`), and every invited unit that has not replied (`unreplied`, with its
/// deadline and whether it has passed).
pub async fn readiness(
    state: web::Data<AppState>,
    user: AuthUser,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let cid = id.clone();
    let (missing, warnings, unreplied) = state
        .with_conn(move |conn| {
            Ok((
                uc::readiness(conn, &cid, &actor)?,
                app::revisions::warnings(conn, &cid, &actor)?,
                app::solicitations::unreplied(conn, &cid, &actor)?,
            ))
        })
        .await?;
    let tz = state.config.timezone;
    let now = chrono::Utc::now().naive_utc();
    let mut body = json!({
        "ready": missing.is_empty(),
        "needs_close_reason": !missing.is_empty()
            && missing.iter().all(|m| m.kind == uc::SOLICITATION_PENDING),
        "missing": missing.iter().map(|m| missing_json(&t, tz, &id, m)).collect::<Vec<_>>(),
        "unreplied": unreplied.iter().map(|u| json!({
            "unit_id": u.unit_id,
            "unit": u.unit_name,
            "deadline": rfc3339(u.deadline, tz),
            "deadline_passed": u.deadline <= now,
        })).collect::<Vec<_>>(),
    });
    // About the revised version, present only when there are some; they never block
    // publishing.
    if !warnings.is_empty() {
        body["warnings"] = warnings
            .iter()
            .map(|w| {
                json!({
                    "kind": w.kind,
                    "message": w.message(t.locale),
                    "opinion_id": w.opinion_id,
                    "tracking_code": w.tracking_code,
                    "label": w.label,
                })
            })
            .collect();
    }
    Ok(HttpResponse::Ok().json(body))
}
