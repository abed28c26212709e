//! Staff pages for consultations.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::{self, Consultation, consultations::CreateConsultation, drafts::DraftTree};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::clauses::{FlatClause, flatten};
use crate::web::{AppState, csrf};

pub struct Row {
    pub id: String,
    pub title: String,
    pub status_label: String,
    pub window: String,
}

#[derive(Template)]
#[template(path = "staff/index.html")]
struct IndexPage {
    t: Tr,
    nav: Nav,
    title: String,
    rows: Vec<Row>,
    can_create: bool,
}

pub async fn index(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    user.require(&[
        crate::domain::Role::Staff,
        crate::domain::Role::Admin,
        crate::domain::Role::Approver,
    ])?;
    let tz = state.config.timezone;
    let actor = user.actor();
    let all = state
        .with_conn(move |conn| Ok(app::consultations::list(conn, &actor)?))
        .await?;
    let rows = all
        .into_iter()
        .map(|c| Row {
            window: format!(
                "{} — {}",
                format_local(c.opens_at, tz),
                format_local(c.closes_at, tz)
            ),
            status_label: t.t(&format!("status.{}", c.status)),
            id: c.id,
            title: c.title,
        })
        .collect();
    page::html(&IndexPage {
        title: t.t("staff.title"),
        nav: Nav::from_session(&session),
        rows,
        can_create: app::OFFICE.contains(&user.role),
        t,
    })
}

#[derive(Template)]
#[template(path = "staff/consultation_new.html")]
struct NewPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    form: CreateConsultation,
    errors: BTreeMap<String, String>,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

pub async fn new_form(
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    user.require(app::OFFICE)?;
    page::html(&NewPage {
        title: t.t("staff.new_consultation"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        form: CreateConsultation::default(),
        errors: BTreeMap::new(),
        t,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf_token: String,
    title: String,
    draft_title: String,
    description: String,
    contact: String,
    opens_at: String,
    closes_at: String,
    short_window_reason: String,
    slug: String,
    require_name: Option<String>,
}

pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let f = form.into_inner();
    let input = CreateConsultation {
        title: f.title,
        draft_title: f.draft_title,
        description: f.description,
        contact: f.contact,
        opens_at: f.opens_at,
        closes_at: f.closes_at,
        short_window_reason: Some(f.short_window_reason).filter(|s| !s.trim().is_empty()),
        slug: Some(f.slug).filter(|s| !s.trim().is_empty()),
        require_name: f.require_name.is_some(),
    };
    let (actor, tz, kept) = (user.actor(), state.config.timezone, input.clone());
    match state
        .with_conn(move |conn| Ok(app::consultations::create(conn, input, tz, &actor)?))
        .await
    {
        Ok(c) => Ok(page::see_other(&format!("/staff/consultations/{}", c.id))),
        Err(AppError::Validation(fields)) => page::html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                title: t.t("staff.new_consultation"),
                nav: Nav::from_session(&session),
                csrf: csrf::token(&session),
                form: kept,
                errors: super::field_errors(&t, &fields),
                t,
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "staff/consultation.html")]
struct ShowPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    c: Consultation,
    /// The sample created at setup.
    sample: bool,
    opens: String,
    closes: String,
    tree: Option<DraftTree>,
    clauses: Vec<FlatClause>,
    clause_count: usize,
    error: Option<String>,
}

impl ShowPage {
    /// The sample, or a draft never opened, can be deleted in one action.
    fn deletable(&self) -> bool {
        self.sample || self.c.status == "draft"
    }

    fn status_label(&self) -> String {
        self.t.t(&format!("status.{}", self.c.status))
    }
}

async fn render_show(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[
        crate::domain::Role::Staff,
        crate::domain::Role::Admin,
        crate::domain::Role::Approver,
    ])?;
    let actor = user.actor();
    let (c, tree, sample) = state
        .with_conn(move |conn| {
            let c = app::consultations::find(conn, &id, &actor)?;
            let tree = app::drafts::current_tree(conn, &id)?;
            let sample = app::consultations::is_sample(conn, &id)?;
            Ok((c, tree, sample))
        })
        .await?;
    fn count(cs: &[app::drafts::TreeClause]) -> usize {
        cs.iter().map(|c| 1 + count(&c.children)).sum()
    }
    let tz = state.config.timezone;
    let page = ShowPage {
        title: c.title.clone(),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        opens: format_local(c.opens_at, tz),
        closes: format_local(c.closes_at, tz),
        clause_count: tree.as_ref().map_or(0, |t| count(&t.clauses)),
        clauses: tree
            .as_ref()
            .map(|tr| flatten(&t, &tr.clauses))
            .unwrap_or_default(),
        c,
        sample,
        tree,
        error,
        t,
    };
    if page.error.is_some() {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        page::html(&page)
    }
}

pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    render_show(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        None,
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LifecycleForm {
    csrf_token: String,
    reason: String,
}

async fn lifecycle(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    t: Tr,
    id: String,
    form: LifecycleForm,
    opening: bool,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, cid) = (user.actor(), id.clone());
    let result = state
        .with_conn(move |conn| {
            if opening {
                Ok(app::consultations::open(conn, &cid, &actor)?)
            } else {
                let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
                Ok(app::consultations::close(conn, &cid, reason, &actor)?)
            }
        })
        .await;
    match result {
        Ok(_) => Ok(page::see_other(&format!("/staff/consultations/{id}"))),
        Err(AppError::Validation(fields)) => {
            let msg = super::error_line(&t, &fields);
            render_show(&state, &user, &session, t, id, Some(msg)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn open(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<LifecycleForm>,
) -> Result<HttpResponse, AppError> {
    lifecycle(
        state,
        user,
        session,
        t,
        id.into_inner().to_string(),
        form.into_inner(),
        true,
    )
    .await
}

/// `POST /staff/consultations/{id}/delete`: the sample, or a draft never opened.
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    id: web::Path<uuid::Uuid>,
    form: web::Form<LifecycleForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::consultations::delete(conn, &id, &actor)?))
        .await?;
    state.cache.forget_pages();
    Ok(page::see_other("/staff"))
}

pub async fn close(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    form: web::Form<LifecycleForm>,
) -> Result<HttpResponse, AppError> {
    lifecycle(
        state,
        user,
        session,
        t,
        id.into_inner().to_string(),
        form.into_inner(),
        false,
    )
    .await
}

#[derive(Template)]
#[template(path = "staff/consultation_edit.html")]
struct EditPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    id: String,
    form: app::consultations::EditConsultation,
    channels: Vec<&'static str>,
    errors: BTreeMap<String, String>,
}

impl EditPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
    fn has_channel(&self, c: &str) -> bool {
        self.form.channels.iter().any(|x| x == c)
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let cid = id.clone();
    let c = state
        .with_conn(move |conn| Ok(app::consultations::find(conn, &cid, &actor)?))
        .await?;
    page::html(&EditPage {
        title: t.t("staff.edit"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        form: app::consultations::EditConsultation::of(&c, state.config.timezone),
        channels: app::consultations::CHANNELS.to_vec(),
        errors: BTreeMap::new(),
        id,
        t,
    })
}

pub async fn edit(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let f = crate::web::page::Pairs::parse(&body);
    csrf::verify(&session, &f.text("csrf_token"))?;
    let form = app::consultations::EditConsultation {
        title: f.text("title"),
        draft_title: f.text("draft_title"),
        description: f.text("description"),
        contact: f.text("contact"),
        opens_at: f.text("opens_at"),
        closes_at: f.text("closes_at"),
        short_window_reason: Some(f.text("short_window_reason")),
        require_name: f.checked("require_name"),
        channels: f.all("channel"),
    };
    let id = id.into_inner().to_string();
    let (actor, cid, input, tz) = (
        user.actor(),
        id.clone(),
        form.clone(),
        state.config.timezone,
    );
    match state
        .with_conn(move |conn| Ok(app::consultations::update(conn, &cid, input, tz, &actor)?))
        .await
    {
        Ok(_) => Ok(page::see_other(&format!("/staff/consultations/{id}"))),
        Err(AppError::Validation(errors)) => page::html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EditPage {
                title: t.t("staff.edit"),
                nav: Nav::from_session(&session),
                csrf: csrf::token(&session),
                form,
                channels: app::consultations::CHANNELS.to_vec(),
                errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
                id,
                t,
            },
        ),
        Err(e) => Err(e),
    }
}
