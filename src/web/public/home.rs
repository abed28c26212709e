use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, ConsultationSummary};
use crate::domain::consultation::{Status, WindowState, window_state};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::errors::{AppError, internal};
use crate::web::lang::Lang;
use crate::web::page::Nav;

pub struct Item {
    pub slug: String,
    pub title: String,
    pub status_label: String,
    pub window: String,
    pub days_left: Option<i64>,
    /// Open, but its window has not begun: when it will.
    pub starts: Option<String>,
    pub comments: i64,
    /// The consultation report is published.
    pub has_report: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    nav: Nav,
    title: String,
    open: Vec<Item>,
    upcoming: Vec<Item>,
    closed: Vec<Item>,
}

fn item(
    t: &Tr,
    c: ConsultationSummary,
    now: chrono::NaiveDateTime,
    tz: chrono::FixedOffset,
    comments: i64,
) -> (WindowState, Item) {
    let day = |d: chrono::NaiveDateTime| format_local(d, tz).chars().take(10).collect::<String>();
    let status = Status::parse(&c.status).unwrap_or(Status::Closed);
    let window = window_state(status, c.opens_at, c.closes_at, now);
    let open = window == WindowState::Open;
    let upcoming = status == Status::Open && window == WindowState::NotYetOpen;
    let ended = c
        .closed_at
        .filter(|at| *at < c.closes_at)
        .unwrap_or(c.closes_at);
    let item = Item {
        window: t.tf(
            "home.window",
            &[("opens", &day(c.opens_at)), ("closes", &day(ended))],
        ),
        status_label: t.t(&format!("status.{}", c.status)),
        has_report: matches!(c.status.as_str(), "published" | "archived"),
        days_left: open.then(|| (c.closes_at - now).num_days().max(0)),
        starts: upcoming.then(|| day(c.opens_at)),
        slug: c.slug,
        title: c.title,
        comments,
    };
    (window, item)
}

/// `GET /`: open consultations first, then those about to open, then the closed and published
/// ones.
pub async fn home(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    let (rows, counts) = state
        .with_conn(|conn| Ok(app::public::listed(conn)?))
        .await?;
    let now = app::now();
    let tz = state.config.timezone;
    let (mut open, mut upcoming, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for c in rows {
        let n = counts.get(&c.id).copied().unwrap_or(0);
        match item(&t, c, now, tz, n) {
            (WindowState::Open, i) => open.push(i),
            (_, i) if i.starts.is_some() => upcoming.push(i),
            (_, i) => closed.push(i),
        }
    }
    let page = HomePage {
        nav: Nav::from_session(&session),
        title: t.t("home.title"),
        t,
        open,
        upcoming,
        closed,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render().map_err(internal)?))
}
