//! The documents published beside a draft (起草说明, 政策解读 …): the office adds and removes
//! them; the public page lists them for download.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::app::documents::Listed;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::upload::read_upload;
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "staff/documents.html")]
struct DocumentsPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    consultation_title: String,
    slug: String,
    public: bool,
    may_edit: bool,
    documents: Vec<Listed>,
    kinds: Vec<(&'static str, String)>,
    form_kind: String,
    form_title: String,
    errors: BTreeMap<String, String>,
    done: Option<String>,
}

impl DocumentsPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    fn size(&self, bytes: &i64) -> String {
        crate::web::shared::size_text(*bytes)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    status: StatusCode,
    form: (String, String),
    errors: BTreeMap<String, String>,
    done: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let id2 = id.clone();
    let (c, documents) = state
        .with_conn(move |conn| {
            let c = app::consultations::find(conn, &id2, &actor)?;
            let docs = app::documents::list(conn, &id2, &actor)?;
            Ok((c, docs))
        })
        .await?;
    let kinds = app::documents::KINDS
        .iter()
        .map(|k| (*k, t.t(&format!("document.kind.{k}"))))
        .collect();
    let errors = errors.into_iter().map(|(f, k)| (f, t.t(&k))).collect();
    page::html_status(
        status,
        &DocumentsPage {
            title: t.t("document.title"),
            nav: Nav::from_session(session),
            csrf: csrf::token(session),
            consultation_id: id,
            consultation_title: c.title.clone(),
            public: c.status != "draft",
            slug: c.slug,
            may_edit: user.require(app::OFFICE).is_ok(),
            documents,
            kinds,
            form_kind: form.0,
            form_title: form.1,
            errors,
            done: done.map(|d| t.tf("document.added", &[("title", &d)])),
            t,
        },
    )
}

/// `GET /staff/consultations/{id}/documents`
pub async fn index(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let done = q.into_inner().done;
    render(
        &state,
        &user,
        &session,
        t,
        id,
        StatusCode::OK,
        ("explanation".into(), String::new()),
        BTreeMap::new(),
        done,
    )
    .await
}

/// `POST /staff/consultations/{id}/documents` (multipart: kind, title, file)
pub async fn add(
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
    let kind = up.field("kind").unwrap_or("").to_string();
    let title = up.field("title").unwrap_or("").trim().to_string();
    let title = if title.is_empty() && app::documents::KINDS.contains(&kind.as_str()) {
        t.t(&format!("document.kind.{kind}"))
    } else {
        title
    };
    let (actor, cid, data_dir) = (user.actor(), id.clone(), state.config.data_dir.clone());
    let (k2, t2) = (kind.clone(), title.clone());
    let result = state
        .with_conn(move |conn| {
            Ok(app::documents::add(
                conn,
                &data_dir,
                &cid,
                app::documents::NewDocument {
                    kind: &k2,
                    title: &t2,
                    filename: up.filename.as_deref(),
                    bytes: &up.bytes,
                },
                &actor,
            ))
        })
        .await?;
    match result {
        Ok(d) => {
            state.cache.forget_pages();
            let done: String = url::form_urlencoded::byte_serialize(d.title.as_bytes()).collect();
            Ok(page::see_other(&format!(
                "/staff/consultations/{id}/documents?done={done}"
            )))
        }
        Err(app::Error::Validation(errors)) => {
            let errors = errors
                .into_iter()
                .map(|(f, k)| (if f == "attachment" { "file".into() } else { f }, k))
                .collect();
            render(
                &state,
                &user,
                &session,
                t,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                (kind, title),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    pub csrf_token: String,
}

/// `POST /staff/consultations/{id}/documents/{document_id}/delete`
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (id, doc) = path.into_inner();
    let (id, doc) = (id.to_string(), doc.to_string());
    let (actor, cid) = (user.actor(), id.clone());
    state
        .with_conn(move |conn| Ok(app::documents::remove(conn, &cid, &doc, &actor)?))
        .await?;
    state.cache.forget_pages();
    Ok(page::see_other(&format!(
        "/staff/consultations/{id}/documents"
    )))
}
