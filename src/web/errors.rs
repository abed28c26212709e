//! One error type for handlers, rendered as JSON under `/api/` and as a localized page elsewhere.

use std::collections::BTreeMap;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::lang::locale_of;
use crate::app;
use crate::app::DbError;
use crate::i18n::{Locale, Tr, t, tf};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {key}")]
    BadRequest { key: &'static str, detail: String },
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A state-changing API call with the session cookie from another site's page.
    #[error("cross-site request refused")]
    CrossSite,
    #[error("conflict")]
    Conflict,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// What the error renderer needs, carried from `error_response` to the renderer in the
/// response's extensions.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    /// Locale key of the page title / message prefix.
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub fields: BTreeMap<String, String>,
}

impl AppError {
    fn info(&self) -> ErrorInfo {
        let (code, key) = match self {
            AppError::NotFound => ("not_found", "error.not_found"),
            AppError::BadRequest { key, .. } => ("bad_request", *key),
            AppError::Validation(_) => ("validation", "error.validation"),
            AppError::Unauthorized => ("unauthorized", "error.unauthorized"),
            AppError::Forbidden => ("forbidden", "error.forbidden"),
            AppError::CrossSite => ("cross_site", "error.cross_site"),
            AppError::Conflict => ("conflict", "error.conflict"),
            AppError::TooManyRequests { .. } => ("too_many_requests", "error.too_many_requests"),
            AppError::PayloadTooLarge => ("payload_too_large", "error.payload_too_large"),
            AppError::Unavailable => ("unavailable", "error.unavailable"),
            AppError::Internal(_) => ("internal", "error.internal"),
        };
        let args = match self {
            AppError::BadRequest { detail, .. } => vec![("detail", detail.clone())],
            AppError::TooManyRequests { retry_after_secs } => {
                vec![("minutes", retry_after_secs.div_ceil(60).max(1).to_string())]
            }
            _ => vec![],
        };
        let fields = match self {
            AppError::Validation(f) => f.clone(),
            _ => BTreeMap::new(),
        };
        ErrorInfo {
            code,
            key,
            args,
            fields,
        }
    }

    pub fn bad_request(key: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            key,
            detail: detail.into(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            // Inside the request's span, so the log line carries the request id.
            tracing::error!(%cause, "internal error");
        }
        let mut res = HttpResponse::new(self.status_code());
        if let AppError::TooManyRequests { retry_after_secs } = self {
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res.extensions_mut().insert(self.info());
        res
    }
}

impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::Validation(f) => AppError::Validation(f),
            app::Error::NotFound => AppError::NotFound,
            app::Error::Forbidden => AppError::Forbidden,
            app::Error::Conflict(_) => AppError::Conflict,
            app::Error::Db(e) => e.into(),
            app::Error::Storage(e) | app::Error::Internal(e) => AppError::Internal(e),
            app::Error::Mail(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable => AppError::Unavailable,
            e if e.is_unique_violation() => AppError::Conflict,
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Errors of actix's own extractors, turned into ours so they render the same way.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => AppError::PayloadTooLarge,
        E::ContentType => AppError::bad_request("error.bad_request", ""),
        other => AppError::bad_request("error.invalid_json", other.to_string()),
    }
    .into()
}

pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::NotFound.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    AppError::bad_request("error.bad_request", err.to_string()).into()
}

pub fn form_error(err: actix_web::error::UrlencodedError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    match err {
        E::Overflow { .. } => AppError::PayloadTooLarge,
        other => AppError::bad_request("error.bad_request", other.to_string()),
    }
    .into()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    nav: crate::web::session::Nav,
    title: String,
    message: String,
    fields: Vec<(String, String)>,
    request_id: &'a str,
    status: u16,
}

fn info_for_status(status: StatusCode) -> ErrorInfo {
    let (code, key) = match status.as_u16() {
        404 => ("not_found", "error.not_found"),
        405 => ("method_not_allowed", "error.method_not_allowed"),
        413 => ("payload_too_large", "error.payload_too_large"),
        401 => ("unauthorized", "error.unauthorized"),
        403 => ("forbidden", "error.forbidden"),
        409 => ("conflict", "error.conflict"),
        503 => ("unavailable", "error.unavailable"),
        s if s >= 500 => ("internal", "error.internal"),
        _ => ("bad_request", "error.bad_request"),
    };
    ErrorInfo {
        code,
        key,
        args: vec![],
        fields: BTreeMap::new(),
    }
}

/// Whether a request wants JSON errors.
pub fn wants_json(req: &HttpRequest) -> bool {
    let p = req.path();
    p.starts_with("/api/") || p == "/healthz"
}

/// Renders every 4xx/5xx response that has no body of its own (or carries an `ErrorInfo`):
/// JSON under `/api/`, a localized HTML page elsewhere, both with the request id.
pub fn render_error<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    // A body of the handler's own (a form shown again with its errors) is kept; the framework's
    // own errors (an extractor's "payload reached size limit") carry their error and are
    // rendered like ours.
    let has_own_body =
        res.headers().contains_key(header::CONTENT_TYPE) && res.response().error().is_none();
    let info = match info {
        Some(i) => i,
        None if has_own_body => {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        None => info_for_status(res.status()),
    };
    let (req, old) = res.into_parts();
    let status = old.status();
    if status == StatusCode::UNAUTHORIZED && !wants_json(&req) {
        // A page that needs an account: sign in, then come back.
        let here = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        let to = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        );
        let new = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .finish();
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, new).map_into_right_body(),
        ));
    }
    let locale = locale_of(&req);
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let args: Vec<(&str, &str)> = info.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let message = tf(locale, &format!("{}.message", info.key), &args);
    let fields: BTreeMap<String, String> = info
        .fields
        .iter()
        .map(|(f, key)| (f.clone(), t(locale, key)))
        .collect();
    let mut builder = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    builder.insert_header(("X-Request-Id", request_id.clone()));
    let new: HttpResponse<BoxBody> = if wants_json(&req) {
        builder.json(serde_json::json!({
            "error": info.code,
            "message": message,
            "fields": fields,
        }))
    } else {
        let page = ErrorPage {
            t: Tr::new(locale),
            nav: crate::web::session::Nav::default(),
            title: t(locale, &format!("{}.title", info.key)),
            message,
            fields: fields.into_iter().collect(),
            request_id: &request_id,
            status: status.as_u16(),
        };
        match page.render() {
            Ok(html) => builder.content_type("text/html; charset=utf-8").body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page template failed");
                builder
                    .content_type("text/plain; charset=utf-8")
                    .body(format!(
                        "{} ({})",
                        t(Locale::En, &format!("{}.title", info.key)),
                        request_id
                    ))
            }
        }
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

/// Maps any displayable failure to an internal error (the cause is logged, never shown).
pub fn internal<E: std::fmt::Display>(e: E) -> AppError {
    AppError::Internal(e.to_string())
}
