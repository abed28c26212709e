//! CSRF tokens: one random token per session, in a hidden field of every form, checked on
//! every form POST. The JSON API, which takes no form tokens, checks where a call made with the
//! session cookie comes from instead (`same_site_api`).

use actix_session::{Session, SessionExt};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web};

use super::AppState;
use super::errors::AppError;
use super::session::{CSRF_KEY, SESSION_SECRET_KEY};

/// The session's token, created on first use.
pub use super::session::csrf_token as token;

/// Refuses a form whose token does not match the session's.
pub fn verify(session: &Session, submitted: &str) -> Result<(), AppError> {
    let expected = session
        .get::<String>(CSRF_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let a = expected.as_bytes();
    let b = submitted.trim().as_bytes();
    let same = !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same {
        Ok(())
    } else {
        Err(AppError::bad_request("error.csrf", ""))
    }
}

/// Refuses a state-changing API call (any method but GET, HEAD and OPTIONS under `/api/v1/`)
/// made with a signed-in session cookie unless its `Origin` (or, without one, its `Referer`) is
/// this site: another site's page cannot act with a visitor's session. Calls with an
/// `Authorization` header, signing in (`POST /api/v1/session`) and anonymous calls pass.
pub async fn same_site_api(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if needs_origin_check(&req) && !from_this_site(req.request()) {
        return Ok(req
            .error_response(AppError::CrossSite)
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn needs_origin_check(req: &ServiceRequest) -> bool {
    let path = req.path();
    if !path.starts_with("/api/v1/") {
        return false;
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if path == "/api/v1/session" && req.method() == Method::POST {
        return false;
    }
    if req.headers().contains_key(header::AUTHORIZATION) {
        return false;
    }
    req.get_session()
        .get::<String>(SESSION_SECRET_KEY)
        .ok()
        .flatten()
        .is_some()
}

/// The serialized origin (`scheme://host[:port]`, default ports left out) of a URL.
fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

/// Whether the request's `Origin`, or without one its `Referer`, is this site: the scheme and
/// host the request was made to, or the configured public base URL.
pub fn from_this_site(req: &HttpRequest) -> bool {
    let claimed = match req.headers().get(header::ORIGIN) {
        Some(o) => o.to_str().ok().and_then(origin_of),
        None => req
            .headers()
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(origin_of),
    };
    let Some(claimed) = claimed else {
        return false;
    };
    let own = {
        let info = req.connection_info();
        origin_of(&format!("{}://{}", info.scheme(), info.host()))
    };
    if own.as_deref() == Some(claimed.as_str()) {
        return true;
    }
    req.app_data::<web::Data<AppState>>()
        .and_then(|s| origin_of(&s.config.base_url))
        .is_some_and(|base| base == claimed)
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_are_normalized() {
        assert_eq!(
            origin_of("https://YiJian.example:443/x?y").as_deref(),
            Some("https://yijian.example")
        );
        assert_eq!(
            origin_of("http://localhost:8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("file:///etc/passwd"), None);
        assert_ne!(
            origin_of("http://yijian.example"),
            origin_of("https://yijian.example")
        );
    }
}
