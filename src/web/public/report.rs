//! `/c/{slug}/report`: the published report (public edition, from its frozen snapshot), with
//! the earlier editions listed by date and downloads in every format.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, Consultation, report as uc};
use crate::domain::report::Edition;
use crate::domain::time::format_local;
use crate::export::Format;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::report::{Rendering, render_published};

pub struct EditionLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct Download {
    pub label: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    t: Tr,
    nav: Nav,
    title: String,
    c: Consultation,
    edition_no: i64,
    latest: bool,
    published_at: String,
    editions: Vec<EditionLink>,
    downloads: Vec<Download>,
    json_href: String,
    body: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub edition_no: Option<i64>,
}

/// `GET /c/{slug}/report[?edition_no=N]`
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let wanted = q.edition_no;
    let actor = app::Actor::public(None);
    let a = actor.clone();
    let (c, list) = state
        .with_conn(move |conn| {
            let c = app::public::visible_consultation(conn, &slug)?;
            let (_, list) = uc::publications(conn, &c.id, &a)?;
            Ok((c, list))
        })
        .await?;
    let p = render_published(
        &state,
        c.id,
        wanted,
        Edition::Public,
        actor,
        Rendering::Fragment,
    )
    .await?;
    let tz = state.config.timezone;
    let c = p.consultation;
    let shown = p.publication.edition_no;
    let latest = list.first().is_none_or(|l| l.edition_no == shown);
    let page_ = ReportPage {
        title: p.publication.title.clone(),
        nav: Nav::from_session(&session),
        edition_no: shown,
        latest,
        published_at: format_local(p.publication.published_at, tz),
        editions: list
            .iter()
            .map(|e| EditionLink {
                label: t.tf(
                    "report.edition_label",
                    &[
                        ("n", &e.edition_no.to_string()),
                        ("date", &format_local(e.published_at, tz)),
                    ],
                ),
                href: format!("/c/{}/report?edition_no={}", c.slug, e.edition_no),
                current: e.edition_no == shown,
            })
            .collect(),
        // People first: the document formats; the JSON goes to a line for developers.
        downloads: [Format::Html, Format::Docx, Format::Xlsx, Format::Csv]
            .iter()
            .map(|f| Download {
                label: f.as_str(),
                href: download_href(&c.id, *f, shown),
            })
            .collect(),
        json_href: download_href(&c.id, Format::Json, shown),
        body: String::from_utf8_lossy(&p.bytes).into_owned(),
        c,
        t,
    };
    page::html(&page_)
}

/// Where one format of a published public edition is downloaded.
fn download_href(consultation_id: &str, f: Format, edition_no: i64) -> String {
    format!(
        "/api/v1/consultations/{consultation_id}/report?format={}&edition=public&publication={edition_no}",
        f.as_str()
    )
}
