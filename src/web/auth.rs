//! Who is calling: a session cookie (browser) or `Authorization: Bearer <token>` (API).

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::AppState;
use super::errors::AppError;
use super::session::SESSION_SECRET_KEY;
use crate::app::{self, Actor, User};
use crate::domain::{Role, token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    Session,
    Token,
}

/// A signed-in, active user with a known role.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub role: Role,
    pub via: AuthVia,
    /// The server-side session the request came with (none for API tokens).
    pub session_id: Option<String>,
    pub request_id: Option<String>,
}

impl AuthUser {
    /// Refuses unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id.clone()),
            label: self.user.email.clone(),
            role: Some(self.role),
            unit_id: self.user.unit_id.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// The caller, if signed in. A Bearer header that does not name a live token is refused
/// outright rather than treated as anonymous.
pub struct MaybeUser(pub Option<AuthUser>);

fn bearer(req: &HttpRequest) -> Option<Result<String, AppError>> {
    let v = req.headers().get(header::AUTHORIZATION)?;
    let s = match v.to_str() {
        Ok(s) => s.trim(),
        Err(_) => return Some(Err(AppError::Unauthorized)),
    };
    let Some(tok) = s
        .strip_prefix("Bearer ")
        .or_else(|| s.strip_prefix("bearer "))
    else {
        return Some(Err(AppError::Unauthorized));
    };
    let tok = tok.trim();
    if !token::looks_like_api_token(tok) {
        return Some(Err(AppError::Unauthorized));
    }
    Some(Ok(token::hash_secret(tok)))
}

/// Who the request's caller is, looked up once per request (the route's access guard and the
/// handler's extractor share the answer).
pub async fn identify(req: HttpRequest) -> Result<Option<AuthUser>, AppError> {
    if let Some(Identified(known)) = req.extensions().get::<Identified>() {
        return Ok(known.clone());
    }
    let found = lookup_caller(&req).await?;
    req.extensions_mut().insert(Identified(found.clone()));
    Ok(found)
}

#[derive(Clone)]
struct Identified(Option<AuthUser>);

async fn lookup_caller(req: &HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?
        .clone();
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string());
    let (lookup, via) = match bearer(req) {
        Some(hash) => (Lookup::Token(hash?), AuthVia::Token),
        None => {
            let secret = req
                .get_session()
                .get::<String>(SESSION_SECRET_KEY)
                .ok()
                .flatten();
            match secret {
                Some(secret) => (Lookup::Session(secret), AuthVia::Session),
                None => return Ok(None),
            }
        }
    };
    let found = web::block(
        move || -> Result<Option<(Option<String>, User)>, AppError> {
            let mut conn = state.db.get()?;
            Ok(match lookup {
                Lookup::Token(hash) => {
                    app::sessions::by_token(&mut conn, &hash)?.map(|u| (None, u))
                }
                Lookup::Session(secret) => app::sessions::resume(&mut conn, &secret)?
                    .map(|(session_id, user)| (Some(session_id), user)),
            })
        },
    )
    .await??;
    match found {
        Some((session_id, user)) => {
            let role = user
                .role()
                .ok_or_else(|| AppError::Internal(format!("user {} has no valid role", user.id)))?;
            Ok(Some(AuthUser {
                user,
                role,
                via,
                session_id,
                request_id,
            }))
        }
        // A token that matches nothing is an error; an ended or expired session is just
        // anonymous, and its cookie is cleared.
        None if via == AuthVia::Token => Err(AppError::Unauthorized),
        None => {
            req.get_session().purge();
            Ok(None)
        }
    }
}

enum Lookup {
    /// The hash of an API token.
    Token(String),
    /// The secret a session cookie carries.
    Session(String),
}

/// The secret of the server-side session this browser's cookie names, if any.
pub fn session_secret(session: &actix_session::Session) -> Option<String> {
    session.get::<String>(SESSION_SECRET_KEY).ok().flatten()
}

/// Where a request comes from, kept with a session opened by it.
pub fn client_of(state: &AppState, req: &HttpRequest) -> app::sessions::Client {
    app::sessions::Client {
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default(),
        address: state.client_ip(req),
    }
}

impl FromRequest for MaybeUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(identify(req).await?)) })
    }
}

impl FromRequest for AuthUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(identify(req).await?.ok_or(AppError::Unauthorized)?) })
    }
}
