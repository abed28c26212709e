//! Who is calling: a session cookie (browser) or `Authorization: Bearer <token>` (API).

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::AppState;
use super::errors::AppError;
use crate::app::Actor;
use crate::db::{self, users::User};
use crate::domain::{Role, token};

pub const SESSION_USER_KEY: &str = "uid";

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
            let uid = req
                .get_session()
                .get::<String>(SESSION_USER_KEY)
                .ok()
                .flatten();
            match uid {
                Some(uid) => (Lookup::Session(uid), AuthVia::Session),
                None => return Ok(None),
            }
        }
    };
    let user = web::block(move || -> Result<Option<User>, AppError> {
        let mut conn = state.db.get()?;
        Ok(match lookup {
            Lookup::Token(hash) => db::tokens::find_user(&mut conn, &hash)?,
            Lookup::Session(uid) => db::users::find(&mut conn, &uid)?.filter(User::is_active),
        })
    })
    .await??;
    match user {
        Some(user) => {
            let role = user
                .role()
                .ok_or_else(|| AppError::Internal(format!("user {} has no valid role", user.id)))?;
            Ok(Some(AuthUser {
                user,
                role,
                via,
                request_id,
            }))
        }
        // A token that matches nothing is an error; a stale session is just anonymous.
        None if via == AuthVia::Token => Err(AppError::Unauthorized),
        None => {
            req.get_session().purge();
            Ok(None)
        }
    }
}

enum Lookup {
    Token(String),
    Session(String),
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
