//! Importing a draft through the browser: upload or paste, preview and adjust, save.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::domain::clause_parser::ParseNote;
use crate::domain::draft_edit::EditOp;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::upload::read_upload;
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "staff/draft_new.html")]
struct NewPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    consultation_title: String,
    text: String,
    error: Option<String>,
}

async fn consultation_title(
    state: &AppState,
    user: &AuthUser,
    id: &str,
) -> Result<String, AppError> {
    let (actor, id) = (user.actor(), id.to_string());
    Ok(state
        .with_conn(move |conn| Ok(app::consultations::find(conn, &id, &actor)?))
        .await?
        .title)
}

pub async fn new_form(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    user.require(app::OFFICE)?;
    let id = id.into_inner().to_string();
    page::html(&NewPage {
        title: t.t("import.title"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        consultation_title: consultation_title(&state, &user, &id).await?,
        consultation_id: id,
        text: String::new(),
        error: None,
        t,
    })
}

/// Upload or paste → a staged import → its preview.
pub async fn stage(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(app::OFFICE)?;
    let id = id.into_inner().to_string();
    let up = read_upload(&req, payload).await?;
    csrf::verify(&session, up.field("csrf_token").unwrap_or(""))?;
    let pasted = up.field("text").unwrap_or("").to_string();
    let result = if up.bytes.is_empty() {
        Err(AppError::Validation(
            [("file".to_string(), "draft.error.no_file".to_string())].into(),
        ))
    } else {
        let (actor, cid) = (user.actor(), id.clone());
        state
            .with_conn(move |conn| {
                Ok(app::drafts::stage(
                    conn,
                    &cid,
                    up.filename.as_deref(),
                    &up.bytes,
                    &actor,
                )?)
            })
            .await
    };
    match result {
        Ok(import) => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/imports/{}",
            import.id
        ))),
        Err(AppError::Validation(fields)) => page::html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                title: t.t("import.title"),
                nav: Nav::from_session(&session),
                csrf: csrf::token(&session),
                consultation_title: consultation_title(&state, &user, &id).await?,
                consultation_id: id,
                text: pasted,
                error: Some(super::error_line(&t, &fields)),
                t,
            },
        ),
        Err(e) => Err(e),
    }
}

pub struct Item {
    pub index: usize,
    pub depth: usize,
    pub label: String,
    pub heading: String,
    pub text: String,
    pub paragraphs: usize,
    pub duties: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/import_preview.html")]
struct PreviewPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    import_id: String,
    filename: String,
    encoding: String,
    front_matter: String,
    trailer: String,
    items: Vec<Item>,
    counts: String,
    no_numbering: bool,
    unmatched: Vec<(String, &'static str)>,
    ops: usize,
    saved: bool,
    error: Option<String>,
}

async fn render_preview(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    cid: String,
    iid: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let (c2, i2) = (cid.clone(), iid.clone());
    let p = state
        .with_conn(move |conn| Ok(app::drafts::preview(conn, &c2, &i2, &actor)?))
        .await?;
    let parsed = p.draft.to_parsed();
    let items = p
        .draft
        .clauses
        .iter()
        .enumerate()
        .map(|(i, c)| Item {
            index: i,
            depth: c.depth.min(4),
            label: c.label.clone(),
            heading: c.heading.clone().unwrap_or_default(),
            paragraphs: c.text.split("\n\n").count(),
            text: c.text.clone(),
            duties: p
                .draft
                .duties(i)
                .iter()
                .map(|d| crate::web::shared::clauses::duty_text(&t, &d.lead, &d.responsible))
                .collect(),
        })
        .collect();
    let counts = parsed
        .counts_by_depth()
        .iter()
        .enumerate()
        .map(|(d, n)| {
            t.tf(
                "import.level_count",
                &[("level", &(d + 1).to_string()), ("n", &n.to_string())],
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let page = PreviewPage {
        title: t.t("import.preview_title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        consultation_id: cid,
        import_id: iid,
        filename: p.import.filename.clone().unwrap_or_default(),
        encoding: p.import.encoding.clone(),
        front_matter: p.draft.front_matter.clone(),
        trailer: p.draft.trailer.clone(),
        items,
        counts,
        no_numbering: p.draft.notes.contains(&ParseNote::NoNumbering),
        unmatched: p
            .unmatched_units
            .into_iter()
            .map(|n| {
                let k = crate::domain::unit::UnitKind::guess(&n).as_str();
                (n, k)
            })
            .collect(),
        ops: p.ops.len(),
        saved: p.import.saved_version_id.is_some(),
        error,
        t,
    };
    if page.error.is_some() {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        page::html(&page)
    }
}

pub async fn preview(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (c, i) = path.into_inner();
    render_preview(
        &state,
        &user,
        &session,
        t,
        c.to_string(),
        i.to_string(),
        None,
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OpForm {
    csrf_token: String,
    op: String,
    at: usize,
    paragraph: Option<usize>,
}

pub async fn adjust(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: web::Form<OpForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (c, i) = path.into_inner();
    let (cid, iid) = (c.to_string(), i.to_string());
    let at = form.at;
    let op = match form.op.as_str() {
        "start" => EditOp::Start { at },
        "end" => EditOp::End { at },
        "merge" => EditOp::Merge { at },
        "indent" => EditOp::Indent { at },
        "outdent" => EditOp::Outdent { at },
        // The form counts paragraphs from 1 and splits before the one named.
        "split" => EditOp::Split {
            at,
            paragraph: form.paragraph.unwrap_or(0).saturating_sub(1),
        },
        _ => return Err(AppError::bad_request("error.bad_request", "unknown op")),
    };
    let (actor, c2, i2) = (user.actor(), cid.clone(), iid.clone());
    match state
        .with_conn(move |conn| Ok(app::drafts::adjust(conn, &c2, &i2, op, &actor)?))
        .await
    {
        Ok(()) => Ok(page::see_other(&format!(
            "/staff/consultations/{cid}/imports/{iid}#c{at}"
        ))),
        Err(AppError::Validation(f)) => {
            let msg = super::error_line(&t, &f);
            render_preview(&state, &user, &session, t, cid, iid, Some(msg)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlainForm {
    csrf_token: String,
    /// The name of the version being saved (修改稿, 送审稿 …); empty for the default.
    label: String,
}

pub async fn undo(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: web::Form<PlainForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (c, i) = path.into_inner();
    let (cid, iid) = (c.to_string(), i.to_string());
    let (actor, c2, i2) = (user.actor(), cid.clone(), iid.clone());
    state
        .with_conn(move |conn| Ok(app::drafts::undo(conn, &c2, &i2, &actor)?))
        .await?;
    Ok(page::see_other(&format!(
        "/staff/consultations/{cid}/imports/{iid}"
    )))
}

pub async fn save(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: web::Form<PlainForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (c, i) = path.into_inner();
    let (cid, iid) = (c.to_string(), i.to_string());
    let (actor, c2, label) = (user.actor(), cid.clone(), form.label.clone());
    state
        .with_conn(move |conn| {
            Ok(app::drafts::save_named(
                conn,
                &c2,
                &iid,
                Some(label.as_str()),
                &actor,
            )?)
        })
        .await?;
    Ok(page::see_other(&format!(
        "/staff/consultations/{cid}#draft"
    )))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AddUnitForm {
    csrf_token: String,
    name: String,
    kind: String,
}

/// Adds a unit named in a duty note to the directory, from the preview.
pub async fn add_unit(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: web::Form<AddUnitForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (c, i) = path.into_inner();
    let (cid, iid) = (c.to_string(), i.to_string());
    let f = form.into_inner();
    let actor = user.actor();
    let input = app::units::CreateUnit {
        name: f.name,
        kind: f.kind,
        ..Default::default()
    };
    match state
        .with_conn(move |conn| Ok(app::units::create(conn, input, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other(&format!(
            "/staff/consultations/{cid}/imports/{iid}"
        ))),
        Err(AppError::Validation(f)) => {
            let msg = super::error_line(&t, &f);
            render_preview(&state, &user, &session, t, cid, iid, Some(msg)).await
        }
        Err(e) => Err(e),
    }
}
