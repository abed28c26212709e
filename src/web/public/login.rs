//! Signing in and out, by form and by JSON.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, User};
use crate::i18n::Tr;
use crate::web::auth::{client_of, session_secret};
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::session::{SESSION_NAME_KEY, SESSION_ROLE_KEY, SESSION_SECRET_KEY};
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

pub async fn form(
    session: Session,
    Lang(t): Lang,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    page::html(&LoginPage {
        title: t.t("login.title"),
        nav: Nav::from_session(&session),
        csrf: csrf::token(&session),
        // Empty when none was asked for: the user's own start page then.
        next: q
            .next
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| page::safe_next(Some(n)))
            .unwrap_or_default(),
        email: String::new(),
        error: None,
        t,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub csrf_token: String,
    pub email: String,
    pub password: String,
    pub next: Option<String>,
}

/// Checks the rate limits, then the password; opens a server-side session and puts its secret
/// in the cookie. Only failed attempts count against the limits.
pub(super) async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    email: &str,
    password: &str,
) -> Result<User, AppError> {
    let ip = state.client_ip(req);
    let email_key = email.trim().to_lowercase();
    let attempt = state.limits.login_attempt(&ip, &email_key)?;
    let (email, password) = (email.to_string(), password.to_string());
    let client = client_of(state, req);
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string());
    let signed_in = state
        .with_conn(move |conn| {
            Ok(app::sessions::sign_in(
                conn,
                &email,
                &password,
                &client,
                request_id.as_deref(),
            )?)
        })
        .await;
    let signed_in = match signed_in {
        Ok(s) => {
            attempt.succeeded();
            s
        }
        // A wrong password keeps the attempt counted; a failure of ours does not.
        Err(e @ AppError::Validation(_)) => return Err(e),
        Err(e) => {
            attempt.succeeded();
            return Err(e);
        }
    };
    // A session cookie that named another session: that one ends with this sign-in.
    if let Some(old) = session_secret(session) {
        let _ = state
            .with_conn(move |conn| Ok(app::sessions::sign_out(conn, &old)?))
            .await;
    }
    session.renew();
    let user = signed_in.user;
    session
        .insert(SESSION_SECRET_KEY, &signed_in.secret)
        .and_then(|_| session.insert(SESSION_NAME_KEY, &user.name))
        .and_then(|_| session.insert(SESSION_ROLE_KEY, &user.role))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(user)
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    Lang(t): Lang,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    let next = page::safe_next(form.next.as_deref());
    match sign_in(&state, &req, &session, &form.email, &form.password).await {
        Ok(user) => match page::local_path(form.next.as_deref()) {
            Some(next) => Ok(page::see_other(&next)),
            // Without a page to return to (or with one off this site), people land on their
            // own start page: the portal for department users, the workbench for the office.
            None => Ok(page::see_other(if user.role == "department" {
                "/dept"
            } else {
                "/staff"
            })),
        },
        Err(e @ (AppError::Validation(_) | AppError::TooManyRequests { .. })) => {
            let (status, error) = match &e {
                AppError::TooManyRequests { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    t.tf(
                        "error.too_many_requests.message",
                        &[("minutes", &retry_after_secs.div_ceil(60).max(1).to_string())],
                    ),
                ),
                _ => (StatusCode::UNAUTHORIZED, t.t("login.error.invalid")),
            };
            page::html_status(
                status,
                &LoginPage {
                    title: t.t("login.title"),
                    nav: Nav::default(),
                    csrf: csrf::token(&session),
                    next,
                    email: form.email.clone(),
                    error: Some(error),
                    t,
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    pub csrf_token: String,
}

pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, &form.csrf_token)?;
    end_session(&state, &session).await?;
    Ok(page::see_other("/"))
}

/// Ends the server-side session this browser's cookie names, and empties the cookie.
async fn end_session(state: &AppState, session: &Session) -> Result<(), AppError> {
    if let Some(secret) = session_secret(session) {
        state
            .with_conn(move |conn| Ok(app::sessions::sign_out(conn, &secret)?))
            .await?;
    }
    session.purge();
    Ok(())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionBody {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/session`: signs in with `{email, password}`; the session cookie is set.
pub async fn api_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<SessionBody>,
) -> Result<HttpResponse, AppError> {
    let user = sign_in(&state, &req, &session, &body.email, &body.password).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": user.id, "email": user.email, "name": user.name, "role": user.role, "unit_id": user.unit_id,
    })))
}

/// `DELETE /api/v1/session`: signs out.
pub async fn api_logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    end_session(&state, &session).await?;
    Ok(HttpResponse::NoContent().finish())
}
