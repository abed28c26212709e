//! One's own account: change the password, keep API tokens; and, signed out, reset a
//! forgotten password through an emailed link.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::admin::links;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::{AppState, csrf};

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    email: String,
    tokens: Vec<TokenLine>,
    /// A token just created, shown this once.
    new_token: Option<String>,
    notice: Option<String>,
    errors: BTreeMap<String, String>,
}

impl AccountPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

async fn render(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    new_token: Option<String>,
    notice: Option<String>,
    errors: BTreeMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let tokens = state
        .with_conn(move |conn| Ok(app::accounts::my_tokens(conn, &actor)?))
        .await?;
    let tz = state.config.timezone;
    let page = AccountPage {
        title: t.t("account.title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        email: user.user.email.clone(),
        tokens: tokens
            .into_iter()
            .map(|k| TokenLine {
                created: format_local(k.created_at, tz),
                last_used: k
                    .last_used_at
                    .map(|t| format_local(t, tz))
                    .unwrap_or_default(),
                id: k.id,
                name: k.name,
                revoked: k.revoked,
            })
            .collect(),
        new_token,
        notice,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        t,
    };
    if page.errors.is_empty() {
        page::html(&page)
    } else {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountQuery {
    changed: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = query
        .changed
        .as_ref()
        .map(|_| t.t("account.password_changed"));
    render(&state, &user, &session, t, None, notice, BTreeMap::new()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let f = form.into_inner();
    let actor = user.actor();
    match state
        .with_conn(move |conn| {
            Ok(app::accounts::change_password(
                conn,
                &f.current_password,
                &f.new_password,
                &actor,
            )?)
        })
        .await
    {
        Ok(()) => Ok(page::see_other("/account?changed=1")),
        Err(AppError::Validation(errors)) => {
            render(&state, &user, &session, t, None, None, errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenForm {
    csrf_token: String,
    name: String,
}

pub async fn create_token(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let name = form.name.clone();
    let actor = user.actor();
    match state
        .with_conn(move |conn| Ok(app::accounts::create_my_token(conn, &name, &actor)?))
        .await
    {
        // Shown on this response only; never stored in clear.
        Ok(secret) => {
            render(
                &state,
                &user,
                &session,
                t,
                Some(secret),
                None,
                BTreeMap::new(),
            )
            .await
        }
        Err(AppError::Validation(errors)) => {
            render(&state, &user, &session, t, None, None, errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf_token: String,
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    id: web::Path<uuid::Uuid>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::accounts::revoke_token(conn, &id, &actor)?))
        .await?;
    Ok(page::see_other("/account"))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    /// `forgot` (ask for a link), `sent`, `reset` (choose a new one), `invalid`.
    step: &'static str,
    secret: String,
    email: String,
    errors: BTreeMap<String, String>,
}

impl PasswordPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn password_page(
    t: Tr,
    session: &Session,
    step: &'static str,
    secret: String,
    email: String,
    errors: BTreeMap<String, String>,
) -> PasswordPage {
    PasswordPage {
        title: t.t("account.forgot_title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        step,
        secret,
        email,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        t,
    }
}

pub async fn forgot_form(session: Session, Lang(t): Lang) -> Result<HttpResponse, AppError> {
    page::html(&password_page(
        t,
        &session,
        "forgot",
        String::new(),
        String::new(),
        BTreeMap::new(),
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    csrf_token: String,
    email: String,
}

/// Sends a link when the address has an account; answers the same either way. Limited per
/// address and per client like signing in.
pub async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let ip = state.client_ip(&req);
    state.limits.login_ip.check(&ip)?;
    let email = form.email.trim().to_lowercase();
    state.limits.login_account.check(&email)?;
    let links = links(&state);
    let e = email.clone();
    state
        .with_conn(move |conn| Ok(app::accounts::request_reset(conn, &e, &links)?))
        .await?;
    page::html(&password_page(
        t,
        &session,
        "sent",
        String::new(),
        email,
        BTreeMap::new(),
    ))
}

pub async fn reset_form(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = secret.into_inner();
    let s = secret.clone();
    let live = state
        .with_conn(move |conn| Ok(app::accounts::reset_is_live(conn, &s)?))
        .await?;
    let page = password_page(
        t,
        &session,
        if live { "reset" } else { "invalid" },
        secret,
        String::new(),
        BTreeMap::new(),
    );
    if live {
        page::html(&page)
    } else {
        page::html_status(StatusCode::NOT_FOUND, &page)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf_token: String,
    new_password: String,
}

pub async fn reset(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
    secret: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let secret = secret.into_inner();
    let (s, p) = (secret.clone(), form.new_password.clone());
    match state
        .with_conn(move |conn| Ok(app::accounts::reset_password(conn, &s, &p)?))
        .await
    {
        Ok(()) => Ok(page::see_other("/login?reset=1")),
        Err(AppError::Validation(errors)) => {
            let step = if errors.contains_key("token") {
                "invalid"
            } else {
                "reset"
            };
            page::html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &password_page(t, &session, step, secret, String::new(), errors),
            )
        }
        Err(e) => Err(e),
    }
}
