//! `/setup`: the first administrator, once, with the token from the server's log.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::i18n::Tr;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    token: String,
    name: String,
    email: String,
    sample: bool,
    errors: BTreeMap<String, String>,
}

impl SetupPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|k| self.t.t(k))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    pub token: String,
}

async fn token_valid(state: &AppState, token: String) -> Result<bool, AppError> {
    state
        .with_conn(move |conn| Ok(app::setup::token_valid(conn, &token)?))
        .await
}

/// `GET /setup?token=`: the form, only with a valid token while no administrator exists.
pub async fn form(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    q: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    if !token_valid(&state, q.token.clone()).await? {
        return Err(AppError::NotFound);
    }
    page::html(&SetupPage {
        title: t.t("setup.title"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        token: q.token.clone(),
        name: String::new(),
        email: String::new(),
        sample: true,
        errors: BTreeMap::new(),
        t,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SetupForm {
    pub csrf_token: String,
    pub token: String,
    pub name: String,
    pub email: String,
    pub password: String,
    pub sample: Option<String>,
}

/// Creates the administrator (and the sample), then signs them in; the sessions are the same
/// as after `/login`.
async fn run(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    input: app::setup::SetupInput,
) -> Result<(app::User, Option<app::Consultation>), AppError> {
    let tz = state.config.timezone;
    let (email, password) = (input.email.clone(), input.password.clone());
    let done = state
        .with_conn(move |conn| Ok(app::setup::complete(conn, input, tz)?))
        .await?;
    state.setup.done();
    tracing::info!(admin = %done.admin.email, sample = done.sample.is_some(), "setup done");
    let user = super::login::sign_in(state, req, session, &email, &password).await?;
    Ok((user, done.sample))
}

/// `POST /setup`
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let form = form.into_inner();
    let input = app::setup::SetupInput {
        token: form.token.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password,
        sample: form.sample.is_some(),
    };
    match run(&state, &req, &session, input).await {
        Ok((_, Some(sample))) => Ok(page::see_other(&format!(
            "/staff/consultations/{}",
            sample.id
        ))),
        Ok((_, None)) => Ok(page::see_other("/staff")),
        Err(AppError::Validation(errors)) => page::html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                title: t.t("setup.title"),
                nav: Nav::from_session(&session),
                csrf: csrf::token(&session),
                token: form.token,
                name: form.name,
                email: form.email,
                sample: form.sample.is_some(),
                errors,
                t,
            },
        ),
        Err(e) => Err(e),
    }
}

/// `POST /api/v1/setup {token, name, email, password, sample}`: the same, by JSON; answers
/// 201 with the administrator (and the sample's id and slug), the session cookie set.
pub async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<app::setup::SetupInput>,
) -> Result<HttpResponse, AppError> {
    let (user, sample) = run(&state, &req, &session, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "id": user.id, "email": user.email, "name": user.name, "role": user.role,
        "sample": sample.map(|c| serde_json::json!({"id": c.id, "slug": c.slug})),
    })))
}
