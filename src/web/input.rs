//! The one gate text passes on its way in: the path, the query string, and form or JSON bodies.
//! A NUL character (U+0000) in any of them is refused here, before a handler or the database
//! sees it (PostgreSQL cannot store one in text): 404 for a path, 400 for a query string, a
//! field error for a form or JSON field. Multipart forms are checked where they are read
//! (`upload.rs`). Bodies this gate reads are size-limited here too, so an oversize body gets the
//! application's own 413 (a page, or JSON under `/api/`).

use std::collections::BTreeMap;

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::BODY_LIMIT;
use super::errors::AppError;

/// Locale key of the message shown beside a field that holds a NUL.
pub const NUL_FIELD_KEY: &str = "error.nul.field";

/// How a request's body is read by the handlers, as far as this gate is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    /// Multipart forms and uploaded files: checked (or stored as bytes) where they are read.
    Other,
}

fn body_kind(req: &ServiceRequest) -> BodyKind {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return BodyKind::Other;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match essence {
        "application/json" => BodyKind::Json,
        e if e.starts_with("application/") && e.ends_with("+json") => BodyKind::Json,
        "application/x-www-form-urlencoded" => BodyKind::Form,
        // Pages read their bodies as forms whatever the browser (or a script) called them:
        // the three encodings an HTML form can send.
        "" | "text/plain" if !req.path().starts_with("/api/") => BodyKind::Form,
        _ => BodyKind::Other,
    }
}

/// Whether percent-encoded text (a path, a query string, a form body) holds a NUL once decoded.
pub fn encodes_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

/// The form fields (by name) whose name or value holds a NUL.
fn form_fields_with_nul(body: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = url::form_urlencoded::parse(body)
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| field_name(&k))
        .collect();
    out.dedup();
    out
}

/// The top-level JSON fields whose name or value (at any depth) holds a NUL. A body that is not
/// JSON is left to the handler's extractor, which refuses it.
fn json_fields_with_nul(body: &[u8]) -> Vec<String> {
    // A NUL can only be written `\u0000` in JSON (a raw one makes the body invalid).
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return vec![];
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return vec![];
    };
    match &value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(k, v)| k.contains('\0') || holds_nul(v))
            .map(|(k, _)| field_name(k))
            .collect(),
        v if holds_nul(v) => vec!["body".to_string()],
        _ => vec![],
    }
}

fn holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(holds_nul),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn field_name(k: &str) -> String {
    let name: String = k.chars().filter(|c| *c != '\0').take(64).collect();
    if name.is_empty() {
        "form".to_string()
    } else {
        name
    }
}

/// A validation error naming each field that holds a NUL.
pub fn nul_error(fields: impl IntoIterator<Item = String>) -> AppError {
    AppError::Validation(
        fields
            .into_iter()
            .map(|f| (f, NUL_FIELD_KEY.to_string()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn declared_length(req: &ServiceRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Reads the whole body (at most `BODY_LIMIT` bytes).
async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    if declared_length(req).is_some_and(|n| n > BODY_LIMIT) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut payload = req.take_payload();
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("error.bad_request", e.to_string()))?;
        if buf.len() + chunk.len() > BODY_LIMIT {
            return Err(AppError::PayloadTooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The middleware: see the module's comment.
pub async fn screen(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refusal = if encodes_nul(req.uri().path().as_bytes()) {
        Some(AppError::NotFound)
    } else if encodes_nul(req.query_string().as_bytes()) {
        Some(AppError::bad_request("error.nul", ""))
    } else {
        let kind = body_kind(&req);
        if kind == BodyKind::Other {
            None
        } else {
            match read_body(&mut req).await {
                Err(e) => Some(e),
                Ok(body) => {
                    let fields = match kind {
                        BodyKind::Json => json_fields_with_nul(&body),
                        _ if encodes_nul(&body) => form_fields_with_nul(&body),
                        _ => vec![],
                    };
                    req.set_payload(Payload::from(body));
                    (!fields.is_empty()).then(|| nul_error(fields))
                }
            }
        }
    };
    if let Some(e) = refusal {
        // A response, not an error, so the application's error pages render it.
        return Ok(req.error_response(e).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_encoded_text() {
        assert!(encodes_nul(b"/c/a%00b"));
        assert!(encodes_nul(b"q=a\0"));
        assert!(
            !encodes_nul(b"q=%2500"),
            "an encoded percent sign is not a NUL"
        );
        assert!(!encodes_nul(b"q=100%25"));
    }

    #[test]
    fn fields_holding_a_nul_are_named() {
        assert_eq!(
            form_fields_with_nul(b"csrf_token=x&body=a%00b&name=ok"),
            vec!["body"]
        );
        assert_eq!(form_fields_with_nul(b"email=a\0@b.cn"), vec!["email"]);
        assert!(form_fields_with_nul(b"body=100%25").is_empty());
        assert_eq!(
            json_fields_with_nul(br#"{"body":"a\u0000b","name":"ok"}"#),
            vec!["body"]
        );
        assert_eq!(
            json_fields_with_nul(br#"{"opinions":[{"body":"\u0000"}]}"#),
            vec!["opinions"]
        );
        assert!(
            json_fields_with_nul(br#"{"body":"a\\u0000b"}"#).is_empty(),
            "an escaped backslash followed by u0000 is text"
        );
        assert!(json_fields_with_nul(br#"{"body":"plain"}"#).is_empty());
    }
}
