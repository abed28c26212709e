use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, ConsultationSummary};
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
    closed: Vec<Item>,
}

fn item(t: &Tr, c: ConsultationSummary, now: chrono::NaiveDateTime, comments: i64) -> Item {
    let fmt = |d: chrono::NaiveDateTime| d.format("%Y-%m-%d").to_string();
    let days_left = (c.status == "open").then(|| (c.closes_at - now).num_days().max(0));
    Item {
        window: t.tf(
            "home.window",
            &[("opens", &fmt(c.opens_at)), ("closes", &fmt(c.closes_at))],
        ),
        status_label: t.t(&format!("status.{}", c.status)),
        has_report: matches!(c.status.as_str(), "published" | "archived"),
        slug: c.slug,
        title: c.title,
        days_left,
        comments,
    }
}

/// `GET /`: open consultations first, then the closed and published ones.
pub async fn home(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    let (rows, counts) = state
        .with_conn(|conn| Ok(app::public::listed(conn)?))
        .await?;
    let now = app::now();
    let (open, closed): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|c| {
            let n = counts.get(&c.id).copied().unwrap_or(0);
            item(&t, c, now, n)
        })
        .partition(|i| i.days_left.is_some());
    let page = HomePage {
        nav: Nav::from_session(&session),
        title: t.t("home.title"),
        t,
        open,
        closed,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render().map_err(internal)?))
}
