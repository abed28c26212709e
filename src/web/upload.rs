//! Reading uploads: a raw body (text or a file's bytes) or a multipart form, with a size limit
//! that answers with a clear 413 instead of a dropped connection.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use super::errors::AppError;

/// Largest upload accepted (a little above the decoder's own limit, so that it can say
/// precisely what the limit is).
pub const UPLOAD_LIMIT: usize = crate::domain::document::MAX_UPLOAD_BYTES + 1024 * 1024;

/// An uploaded file or pasted text, and the other text fields of the form.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: Option<String>,
    pub bytes: Vec<u8>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_limited(mut payload: web::Payload) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("error.bad_request", e.to_string()))?;
        if out.len() + chunk.len() > UPLOAD_LIMIT {
            return Err(AppError::PayloadTooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads a multipart form (field `file`, or the pasted text in field `text`) or a raw body
/// (`?filename=` names it).
pub async fn read_upload(req: &HttpRequest, payload: web::Payload) -> Result<Upload, AppError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        if let Some(len) = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
        {
            if len > UPLOAD_LIMIT {
                return Err(AppError::PayloadTooLarge);
            }
        }
        // (A NUL in the query string has been refused already.)
        let filename = url::form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, _)| k == "filename")
            .map(|(_, v)| v.into_owned());
        return Ok(Upload {
            filename,
            bytes: read_limited(payload).await?,
            fields: vec![],
        });
    }
    let mut mp = Multipart::new(req.headers(), payload);
    let mut up = Upload::default();
    let mut total = 0usize;
    while let Some(field) = mp.next().await {
        let mut field =
            field.map_err(|e| AppError::bad_request("error.bad_request", e.to_string()))?;
        let name = field.name().unwrap_or("").to_string();
        // A file's name is text kept with it: control characters (a NUL above all) are dropped.
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(|f| f.chars().filter(|c| !c.is_control()).collect::<String>());
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| AppError::bad_request("error.bad_request", e.to_string()))?;
            total += chunk.len();
            if total > UPLOAD_LIMIT {
                return Err(AppError::PayloadTooLarge);
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            if !data.is_empty() {
                up.filename = filename.filter(|f| !f.is_empty());
                up.bytes = data;
            }
        } else {
            up.fields
                .push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    // The form's text fields pass the same gate as other forms (`input.rs`).
    let with_nul: Vec<String> = up
        .fields
        .iter()
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
        .collect();
    if !with_nul.is_empty() {
        return Err(super::input::nul_error(with_nul));
    }
    // Pasted text stands in for a file when no file was chosen.
    if up.bytes.is_empty() {
        if let Some(t) = up.field("text").filter(|t| !t.trim().is_empty()) {
            up.bytes = t.as_bytes().to_vec();
            up.filename = None;
        }
    }
    Ok(up)
}
