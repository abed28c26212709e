//! A consultation's published versions for the public: any of them to read, and what changed
//! between two of them and why (the comparison table, the changed clauses only).

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, revisions};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::clauses::{FlatClause, flatten};

/// A published version as the public lists it.
pub struct VersionLink {
    pub no: i64,
    pub name: String,
    pub href: String,
}

fn links(
    t: &Tr,
    slug: &str,
    vs: &[revisions::VersionSummary],
    tz: chrono::FixedOffset,
) -> Vec<VersionLink> {
    vs.iter()
        .map(|v| VersionLink {
            no: v.version_no,
            name: t.tf(
                "public.version_name",
                &[
                    ("n", &v.version_no.to_string()),
                    ("label", &v.label),
                    (
                        "date",
                        &v.published_at
                            .map(|d| format_local(d, tz).chars().take(10).collect::<String>())
                            .unwrap_or_default(),
                    ),
                ],
            ),
            href: format!("/c/{slug}/versions/{}", v.version_no),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    t: Tr,
    nav: Nav,
    title: String,
    c: app::Consultation,
    versions: Vec<VersionLink>,
    from: i64,
    to: i64,
    rows: usize,
    /// The table, rendered and escaped by the exporter.
    table: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangesQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

fn version_no(v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("revision.error.version_no", s)),
    }
}

/// `GET /c/{slug}/changes?from=N&to=M`: what changed between two published versions, and why.
pub async fn changes(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    slug: web::Path<String>,
    q: web::Query<ChangesQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, to) = (version_no(q.from.as_deref())?, version_no(q.to.as_deref())?);
    let slug = slug.into_inner();
    let s2 = slug.clone();
    let (c, vs, cmp) = state
        .with_conn(
            move |conn| match revisions::public_comparison(conn, &s2, from, to) {
                Err(app::Error::Validation(_)) => Err(AppError::NotFound),
                r => Ok(r?),
            },
        )
        .await?;
    page::html(&ChangesPage {
        title: t.t("public.changes_title"),
        nav: Nav::from_session(&session),
        versions: links(&t, &slug, &vs, state.config.timezone),
        from: cmp.from,
        to: cmp.to,
        rows: cmp.rows.len(),
        table: crate::export::comparison::html_table(&cmp),
        c,
        t,
    })
}

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    t: Tr,
    nav: Nav,
    title: String,
    c: app::Consultation,
    version: VersionLink,
    current: bool,
    versions: Vec<VersionLink>,
    clauses: Vec<FlatClause>,
}

/// `GET /c/{slug}/versions/{version_no}`: a published version of the draft, to read.
pub async fn version(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, no) = path.into_inner();
    let s2 = slug.clone();
    let (c, vs, tree) = state
        .with_conn(move |conn| {
            let (c, vs) = revisions::public_versions(conn, &s2)?;
            let v = vs
                .iter()
                .find(|v| v.version_no == no)
                .ok_or(AppError::NotFound)?;
            let tree = app::drafts::load_tree(conn, &v.id)?;
            Ok((c, vs, tree))
        })
        .await?;
    let current = vs
        .iter()
        .find(|v| v.version_no == no)
        .is_some_and(|v| v.is_current);
    let versions = links(&t, &slug, &vs, state.config.timezone);
    let version = versions
        .iter()
        .find(|v| v.no == no)
        .map(|v| VersionLink {
            no: v.no,
            name: v.name.clone(),
            href: v.href.clone(),
        })
        .ok_or(AppError::NotFound)?;
    page::html(&VersionPage {
        title: format!("{} · {}", c.draft_title, version.name),
        nav: Nav::from_session(&session),
        clauses: flatten(&t, &tree.clauses),
        current,
        version,
        versions,
        c,
        t,
    })
}
