//! `/track`: a submission by its tracking code, and what became of it.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, public::Tracked};
use crate::domain::time::format_local;
use crate::domain::tracking;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    t: Tr,
    nav: Nav,
    title: String,
    tracked: Option<Tracked>,
    received_at: String,
    just_received: bool,
    code: String,
    not_found: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TrackQuery {
    pub code: Option<String>,
    pub received: Option<String>,
}

async fn lookup(
    state: &AppState,
    req: &HttpRequest,
    code: String,
) -> Result<Option<Tracked>, AppError> {
    state.limits.track_ip.check(&state.client_ip(req))?;
    match state
        .with_conn(move |conn| Ok(app::public::track(conn, &code)?))
        .await
    {
        Ok(t) => Ok(Some(t)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /track?code=…`: the look-up form (and where it sends).
pub async fn form(
    session: Session,
    Lang(t): Lang,
    q: web::Query<TrackQuery>,
) -> Result<HttpResponse, AppError> {
    if let Some(code) = q.code.as_deref().filter(|c| !c.trim().is_empty()) {
        let to = tracking::normalise(code).unwrap_or_else(|| code.trim().to_string());
        let enc: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
        return Ok(page::see_other(&format!("/track/{enc}")));
    }
    page::html(&TrackPage {
        title: t.t("track.title"),
        nav: Nav::from_session(&session),
        tracked: None,
        received_at: String::new(),
        just_received: false,
        code: String::new(),
        not_found: false,
        t,
    })
}

/// `GET /track/{code}`
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    code: web::Path<String>,
    q: web::Query<TrackQuery>,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    let tracked = lookup(&state, &req, code.clone()).await?;
    let page_ = TrackPage {
        title: t.t("track.title"),
        nav: Nav::from_session(&session),
        received_at: tracked
            .as_ref()
            .map(|x| format_local(x.received_at, state.config.timezone))
            .unwrap_or_default(),
        just_received: q.received.is_some() && tracked.is_some(),
        not_found: tracked.is_none(),
        tracked,
        code,
        t,
    };
    if page_.not_found {
        page::html_status(actix_web::http::StatusCode::NOT_FOUND, &page_)
    } else {
        page::html(&page_)
    }
}

/// `GET /api/v1/track/{code}`
pub async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tracked = lookup(&state, &req, code.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(tracked))
}
