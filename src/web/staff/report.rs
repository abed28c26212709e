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

/// An invited unit that has not replied, as the readiness list and the confirmation show it.
pub struct UnitLine {
    pub unit: String,
    pub deadline: String,
    pub passed: bool,
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
    /// Only units that still owe a reply stand in the way: publishing is possible with a reason.
    needs_close_reason: bool,
    unreplied: Vec<UnitLine>,
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
    unreplied: Vec<crate::app::solicitations::Outstanding>,
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
            let unreplied = crate::app::solicitations::unreplied(conn, &id, &actor)?;
            Ok(Loaded {
                c,
                missing,
                unreplied,
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
                message: m.message_in(t.locale, tz),
                link: missing_link(&cid, m),
            })
            .collect(),
        needs_close_reason: !l.missing.is_empty()
            && l.missing.iter().all(|m| m.kind == uc::SOLICITATION_PENDING),
        unreplied: unit_lines(&l.unreplied, tz),
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

fn unit_lines(
    units: &[crate::app::solicitations::Outstanding],
    tz: chrono::FixedOffset,
) -> Vec<UnitLine> {
    let now = chrono::Utc::now().naive_utc();
    units
        .iter()
        .map(|u| UnitLine {
            unit: u.unit_name.clone(),
            deadline: format_local(u.deadline, tz),
            passed: u.deadline <= now,
        })
        .collect()
}

/// The confirmation step before publishing.
#[derive(Template)]
#[template(path = "staff/report_publish.html")]
struct ConfirmPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    c: Consultation,
    edition_no: i64,
    report_title: String,
    rows: usize,
    notices: usize,
    blocking: Vec<MissingItem>,
    pending: Vec<UnitLine>,
    reason: String,
    error: Option<String>,
}

async fn render_confirm(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    (status, reason, error): (StatusCode, String, Option<String>),
) -> Result<HttpResponse, AppError> {
    user.require(READERS)?;
    let actor = user.actor();
    let p = state
        .with_conn(move |conn| Ok(uc::publish_preview(conn, &id, &actor)?))
        .await?;
    let tz = state.config.timezone;
    let cid = p.consultation.id.clone();
    let page_ = ConfirmPage {
        title: t.t("report.confirm.title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        edition_no: p.edition_no,
        report_title: p.title,
        rows: p.rows,
        notices: p.notices,
        blocking: p
            .blocking
            .iter()
            .map(|m| MissingItem {
                message: m.message_in(t.locale, tz),
                link: missing_link(&cid, m),
            })
            .collect(),
        pending: unit_lines(&p.pending_units, tz),
        c: p.consultation,
        reason,
        error,
        t,
    };
    page::html_status(status, &page_)
}

/// `GET /staff/consultations/{id}/report/publish`: what publishing will do, and the button.
pub async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    render_confirm(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        (StatusCode::OK, String::new(), None),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PublishForm {
    csrf_token: String,
    close_solicitations_reason: String,
}

/// `POST /staff/consultations/{id}/report/publish` (from the confirmation step), with
/// `close_solicitations_reason` when units still owe a reply.
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<PublishForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let form = form.into_inner();
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let reason = form.close_solicitations_reason;
    let options = uc::PublishOptions {
        mail: crate::web::shared::mail_context(&state),
        close_solicitations_reason: Some(reason.clone()),
    };
    let cid = id.clone();
    let outcome = state
        .with_conn(move |conn| Ok(uc::publish(conn, &cid, &options, &actor)?))
        .await;
    match outcome {
        Ok(PublishOutcome::Published { publication, .. }) => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/report?published={}",
            publication.edition_no
        ))),
        Ok(PublishOutcome::Unchanged { publication }) => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/report?unchanged={}",
            publication.edition_no
        ))),
        Ok(PublishOutcome::NotReady { missing }) => {
            let error = if missing.iter().all(|m| m.kind == uc::SOLICITATION_PENDING) {
                t.t("report.confirm.reason_required")
            } else {
                t.t("report.not_ready")
            };
            render_confirm(
                &state,
                &user,
                &session,
                t,
                id,
                (StatusCode::CONFLICT, reason, Some(error)),
            )
            .await
        }
        Err(AppError::Validation(fields)) => {
            let error = Some(super::error_line(&t, &fields));
            render_confirm(
                &state,
                &user,
                &session,
                t,
                id,
                (StatusCode::UNPROCESSABLE_ENTITY, reason, error),
            )
            .await
        }
        Err(e) => Err(e),
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
        cite_changes: f.contains_key("cite_changes"),
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
