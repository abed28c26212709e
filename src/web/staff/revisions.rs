//! The comparison of two versions for the office: the versions, publishing a later one, and
//! the table with `<ins>`/`<del>` marking the changes.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, revisions};
use crate::export;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav, Pairs};
use crate::web::shared::revisions::ComparisonParams;
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "staff/comparison.html")]
struct ComparisonPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    versions: Vec<revisions::VersionSummary>,
    from: i64,
    to: i64,
    unchanged: bool,
    /// The table, rendered and escaped by the exporter.
    table: Option<String>,
    error: Option<String>,
    can_publish: bool,
    /// Adopted opinions left unchanged, changes no opinion explains: (message, link).
    warnings: Vec<(String, Option<String>)>,
    /// The changed rows the office may note: (clause id, which clause and what happened, note).
    note_rows: Vec<(String, String, String)>,
}

/// `GET /staff/consultations/{id}/comparison?from=&to=&unchanged=`
pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    params: web::Query<ComparisonParams>,
) -> Result<HttpResponse, AppError> {
    let mut q = params.query()?;
    if params.unchanged.is_none() {
        q.unchanged = false;
    }
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let cid = id.clone();
    let (c, versions, cmp, warnings) = state
        .with_conn(move |conn| {
            let c = app::consultations::find(conn, &cid, &actor)?;
            let vs = revisions::versions(conn, &cid, &actor)?;
            let cmp = if vs.len() >= 2 {
                Some(revisions::comparison(conn, &cid, q, &actor))
            } else {
                None
            };
            let warnings = revisions::warnings(conn, &cid, &actor)?;
            Ok((c, vs, cmp, warnings))
        })
        .await?;
    let warnings = warnings
        .iter()
        .map(|w| {
            (
                w.message(t.locale),
                w.opinion_id
                    .as_ref()
                    .map(|o| format!("/staff/opinions/{o}")),
            )
        })
        .collect();
    let note_rows: Vec<(String, String, String)> = match &cmp {
        Some(Ok(cmp)) => cmp
            .rows
            .iter()
            .filter(|r| r.kind != crate::domain::revision::Kind::Unchanged)
            .filter_map(|r| {
                let key = r.key()?.to_string();
                let cell = r.after.first().or(r.before.first())?;
                Some((
                    key,
                    format!(
                        "{}（{}）",
                        cell.label,
                        export::comparison::kind_label(r.kind, r.renumbered)
                    ),
                    r.office_note.clone().unwrap_or_default(),
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    let (table, error, from, to) = match cmp {
        Some(Ok(cmp)) => (
            Some(export::comparison::html_table(&cmp)),
            None,
            cmp.from,
            cmp.to,
        ),
        Some(Err(app::Error::Validation(_))) => (
            None,
            Some(t.t("revision.error.version")),
            q.from.unwrap_or(0),
            q.to.unwrap_or(0),
        ),
        Some(Err(e)) => return Err(e.into()),
        None => (None, Some(t.t("revision.single")), 0, 0),
    };
    let page = ComparisonPage {
        title: format!("{} · {}", c.title, t.t("revision.title")),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        consultation_id: id,
        versions,
        from,
        to,
        unchanged: q.unchanged,
        table,
        error,
        can_publish: app::OFFICE.contains(&user.role),
        warnings,
        note_rows,
        t,
    };
    page::html(&page)
}

/// `POST /staff/consultations/{id}/versions/{version_no}/publish`
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    path: web::Path<(uuid::Uuid, i64)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = Pairs::parse(&body);
    csrf::verify(&session, &form.text("csrf_token"))?;
    let (id, no) = path.into_inner();
    let (actor, id) = (user.actor(), id.to_string());
    let cid = id.clone();
    state
        .with_conn(move |conn| Ok(app::drafts::publish_version(conn, &cid, no, &actor)?))
        .await?;
    state.cache.forget_pages();
    Ok(page::see_other(&format!(
        "/staff/consultations/{id}/comparison"
    )))
}

/// `POST /staff/consultations/{id}/comparison/notes`: the 修改说明 form of the comparison page,
/// one `note:{clause_id}` field per changed clause; back to the same comparison.
pub async fn notes(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = Pairs::parse(&body);
    csrf::verify(&session, &form.text("csrf_token"))?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let (from, to) = (form.text("from"), form.text("to"));
    let notes = form.prefixed("note:");
    let cid = id.clone();
    state
        .with_conn(move |conn| {
            for (clause, note) in &notes {
                revisions::set_note(conn, &cid, clause, note, &actor)?;
            }
            Ok(())
        })
        .await?;
    let num = |s: &str| s.trim().parse::<i64>().ok();
    let mut to_page = format!("/staff/consultations/{id}/comparison");
    if let (Some(f), Some(t)) = (num(&from), num(&to)) {
        to_page.push_str(&format!("?from={f}&to={t}"));
    }
    Ok(page::see_other(&to_page))
}
