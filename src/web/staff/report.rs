//! `/staff/consultations/{id}/report`: what is missing before publishing, a preview of the
//! report, its settings, the publish button, and the editions published so far.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::report::{self as uc, Missing, PublishOutcome, READERS, Settings};
use crate::app::{Consultation, PublicationInfo};
use crate::domain::report::Edition;
use crate::domain::time::format_local;
use crate::export::{self, Format};
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::{AppError, internal};
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::report::missing_link;
use crate::web::{AppState, csrf};

pub struct MissingItem {
    pub message: String,
    pub link: String,
}

pub struct PublishedEdition {
    pub edition_no: i64,
    pub published_at: String,
    pub page: String,
}

pub struct StatusWording {
    pub code: String,
    pub label: String,
    pub wording: String,
}

pub struct Download {
    pub label: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "staff/report.html")]
struct ReportPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    c: Consultation,
    missing: Vec<MissingItem>,
    preview: String,
    public_preview: bool,
    settings: Settings,
    title_template: String,
    statuses: Vec<StatusWording>,
    can_edit_settings: bool,
    editions: Vec<PublishedEdition>,
    downloads: Vec<Download>,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub edition: Option<String>,
    pub published: Option<i64>,
    /// Publishing found nothing changed since this edition.
    pub unchanged: Option<i64>,
}

struct Loaded {
    c: Consultation,
    missing: Vec<Missing>,
    preview: String,
    settings: Settings,
    statuses: Vec<(String, String)>,
    editions: Vec<PublicationInfo>,
}

async fn load(
    state: &AppState,
    user: &AuthUser,
    id: String,
    edition: Edition,
) -> Result<Loaded, AppError> {
    let actor = user.actor();
    state
        .with_conn(move |conn| {
            let c = crate::app::consultations::find(conn, &id, &actor)?;
            let (missing, model) = uc::overview(conn, &id, edition, &actor)?;
            let preview = export::html::render(&model).map_err(internal)?;
            let (_, editions) = uc::publications(conn, &id, &actor)?;
            let settings = Settings::of(&uc::config_of(&c));
            let statuses = uc::statuses(conn, &actor)?;
            Ok(Loaded {
                c,
                missing,
                preview,
                settings,
                statuses,
                editions,
            })
        })
        .await
}

async fn render(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    edition: Edition,
    (status, notice): (StatusCode, Option<String>),
) -> Result<HttpResponse, AppError> {
    user.require(READERS)?;
    let l = load(state, user, id, edition).await?;
    let tz = state.config.timezone;
    let cid = l.c.id.clone();
    let page_ = ReportPage {
        title: t.t("report.staff.title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        missing: l
            .missing
            .iter()
            .map(|m| MissingItem {
                message: m.message(t.locale),
                link: missing_link(&cid, m),
            })
            .collect(),
        preview: l.preview,
        public_preview: edition == Edition::Public,
        title_template: l
            .settings
            .title_template
            .clone()
            .unwrap_or_else(|| crate::domain::report::DEFAULT_TITLE_TEMPLATE.to_string()),
        statuses: l
            .statuses
            .iter()
            .map(|(code, label)| StatusWording {
                wording: l
                    .settings
                    .status_labels
                    .get(code)
                    .cloned()
                    .unwrap_or_default(),
                code: code.clone(),
                label: label.clone(),
            })
            .collect(),
        settings: l.settings,
        can_edit_settings: crate::app::OFFICE.contains(&user.role),
        editions: l
            .editions
            .iter()
            .map(|p| PublishedEdition {
                edition_no: p.edition_no,
                published_at: format_local(p.published_at, tz),
                page: format!("/c/{}/report?edition_no={}", l.c.slug, p.edition_no),
            })
            .collect(),
        downloads: Format::ALL
            .iter()
            .map(|f| Download {
                label: f.as_str(),
                href: format!(
                    "/api/v1/consultations/{cid}/report?format={}&edition={}",
                    f.as_str(),
                    edition.as_str()
                ),
            })
            .filter(|_| edition == Edition::Internal)
            .collect(),
        c: l.c,
        notice,
        t,
    };
    page::html_status(status, &page_)
}

/// `GET /staff/consultations/{id}/report`
pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let edition = match q.edition.as_deref() {
        Some("public") => Edition::Public,
        _ => Edition::Internal,
    };
    let notice = match (q.published, q.unchanged) {
        (Some(n), _) => Some(t.tf("report.staff.published", &[("n", &n.to_string())])),
        (None, Some(n)) => Some(t.tf("report.staff.unchanged", &[("n", &n.to_string())])),
        (None, None) => None,
    };
    render(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        edition,
        (StatusCode::OK, notice),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf_token: String,
}

/// `POST /staff/consultations/{id}/report/publish`
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let base_url = state.config.base_url.clone();
    let cid = id.clone();
    let outcome = state
        .with_conn(move |conn| Ok(uc::publish(conn, &cid, &base_url, &actor)?))
        .await?;
    match outcome {
        PublishOutcome::Published { publication, .. } => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/report?published={}",
            publication.edition_no
        ))),
        PublishOutcome::Unchanged { publication } => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/report?unchanged={}",
            publication.edition_no
        ))),
        PublishOutcome::NotReady { .. } => {
            let notice = Some(t.t("report.not_ready"));
            render(
                &state,
                &user,
                &session,
                t,
                id,
                Edition::Internal,
                (StatusCode::CONFLICT, notice),
            )
            .await
        }
    }
}

/// `POST /staff/consultations/{id}/report/settings`
pub async fn settings(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    csrf::verify(&session, f.get("csrf_token").map_or("", String::as_str))?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let s = Settings {
        summary: f.contains_key("summary"),
        reason_column: f.contains_key("reason_column"),
        merge_sections: f.contains_key("merge_sections"),
        feedbacker_column: f.contains_key("feedbacker_column"),
        title_template: f.get("title_template").cloned(),
        status_labels: f
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("label_")?.to_string(), v.clone())))
            .collect(),
    };
    let cid = id.clone();
    match state
        .with_conn(move |conn| Ok(uc::save_settings(conn, &cid, s, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/report"
        ))),
        Err(AppError::Validation(fields)) => {
            let notice = Some(super::error_line(&t, &fields));
            render(
                &state,
                &user,
                &session,
                t,
                id,
                Edition::Internal,
                (StatusCode::UNPROCESSABLE_ENTITY, notice),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
