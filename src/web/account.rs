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
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::links;
use crate::web::{AppState, csrf};

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

/// One signed-in browser, as `/account` lists it.
pub struct SessionLine {
    pub id: String,
    pub created: String,
    pub last_seen: String,
    pub browser: String,
    pub address: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    email: String,
    sessions: Vec<SessionLine>,
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
    let current = user.session_id.clone();
    let (tokens, sessions) = state
        .with_conn(move |conn| {
            Ok((
                app::accounts::my_tokens(conn, &actor)?,
                app::sessions::my_sessions(conn, &actor, current.as_deref())?,
            ))
        })
        .await?;
    let tz = state.config.timezone;
    let page = AccountPage {
        title: t.t("account.title"),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        email: user.user.email.clone(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionLine {
                created: format_local(s.created_at, tz),
                last_seen: format_local(s.last_seen_at, tz),
                browser: s.user_agent,
                address: s.client_address,
                current: s.current,
                id: s.id,
            })
            .collect(),
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
    ended: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match (&query.changed, &query.ended) {
        (Some(_), _) => Some(t.t("account.password_changed")),
        (None, Some(_)) => Some(t.t("account.sessions_ended")),
        (None, None) => None,
    };
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
    let (actor, keep) = (user.actor(), user.session_id.clone());
    match state
        .with_conn(move |conn| {
            Ok(app::accounts::change_password(
                conn,
                &f.current_password,
                &f.new_password,
                &actor,
                keep.as_deref(),
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

/// Ends another of one's sessions (another user's is not found).
pub async fn end_session(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    id: web::Path<uuid::Uuid>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::sessions::end_session(conn, &id, &actor)?))
        .await?;
    Ok(page::see_other("/account?ended=1"))
}

/// Ends every session of one's own but this one.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let (actor, current) = (user.actor(), user.session_id.clone());
    state
        .with_conn(move |conn| {
            Ok(app::sessions::end_other_sessions(
                conn,
                &actor,
                current.as_deref(),
            )?)
        })
        .await?;
    Ok(page::see_other("/account?ended=1"))
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
/// address and per client, apart from signing in.
pub async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let email = form.email.trim().to_lowercase();
    state.limits.reset_request(&state.client_ip(&req), &email)?;
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
