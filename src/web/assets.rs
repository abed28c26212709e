//! Static files, embedded in the binary.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::errors::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/app.css"),
    },
    Asset {
        name: "report.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/report.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/app.js"),
    },
    Asset {
        name: "triage.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/triage.css"),
    },
    Asset {
        name: "triage.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/triage.js"),
    },
    Asset {
        name: "dept.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../frontend/static/dept.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../frontend/static/favicon.svg"),
    },
];

pub async fn serve(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(asset.bytes))
}
