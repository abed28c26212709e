//! The draft for download: `GET /c/{slug}/draft?format=docx|txt`, laid out as the office's
//! document (DOCX) or as plain text, from the clauses the page shows.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpResponse, web};

use crate::app::drafts::{DraftTree, TreeClause};
use crate::export::draft::{DraftItem, DraftText};
use crate::web::AppState;
use crate::web::errors::AppError;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DraftQuery {
    pub format: Option<String>,
}

/// The draft of a consultation the public may see; 404 before it has one.
pub async fn download(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<DraftQuery>,
) -> Result<HttpResponse, AppError> {
    let format = q.format.as_deref().unwrap_or("docx");
    if !matches!(format, "docx" | "txt") {
        return Err(AppError::BadRequest {
            key: "error.bad_request",
            detail: format!("format={format}: docx, txt"),
        });
    }
    let l = super::consultation::load(&state, slug.into_inner(), false).await?;
    let tree = l.tree.ok_or(AppError::NotFound)?;
    let draft = draft_text(&l.c.draft_title, &tree);
    let (bytes, media_type, ext) = if format == "txt" {
        (
            crate::export::draft::text(&draft).into_bytes(),
            "text/plain; charset=utf-8",
            "txt",
        )
    } else {
        let d = web::block(move || crate::export::draft::docx(&draft))
            .await
            .map_err(crate::web::errors::internal)?
            .map_err(crate::web::errors::internal)?;
        (
            d,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    };
    let title = tree
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| l.c.draft_title.clone());
    Ok(HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: format!("{}.{ext}", file_name(&title)).into_bytes(),
            })],
        })
        .insert_header(("Cache-Control", "public, max-age=60"))
        .body(bytes))
}

/// The tree in reading order, as the export writes it.
fn draft_text(draft_title: &str, tree: &DraftTree) -> DraftText {
    fn walk(cs: &[TreeClause], out: &mut Vec<DraftItem>) {
        for c in cs {
            out.push(DraftItem {
                label: c.label.clone(),
                heading: c.heading.clone().unwrap_or_default(),
                text: c.text.clone(),
            });
            walk(&c.children, out);
        }
    }
    let mut items = Vec::new();
    walk(&tree.clauses, &mut items);
    DraftText {
        title: tree
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| draft_title.to_string()),
        front_matter: tree.front_matter.clone(),
        items,
        trailer: tree.trailer.clone(),
    }
}

/// A file name without the characters file systems refuse.
fn file_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| {
            !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') && !c.is_control()
        })
        .take(80)
        .collect();
    if name.trim().is_empty() {
        "draft".into()
    } else {
        name
    }
}

/// `GET /c/{slug}/documents/{document_id}`: a document the office published beside the draft.
pub async fn document(
    state: web::Data<AppState>,
    path: web::Path<(String, uuid::Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let data_dir = state.config.data_dir.clone();
    let (d, bytes) = state
        .with_conn(move |conn| {
            Ok(crate::app::documents::open_public(
                conn,
                &data_dir,
                &slug,
                &id.to_string(),
            )?)
        })
        .await?;
    // PDFs and pictures open in the browser; a DOCX downloads.
    let disposition = if d
        .file
        .media_type
        .starts_with("application/vnd.openxmlformats")
    {
        DispositionType::Attachment
    } else {
        DispositionType::Inline
    };
    Ok(HttpResponse::Ok()
        .content_type(d.file.media_type.clone())
        .insert_header(ContentDisposition {
            disposition,
            parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: d.file.filename.clone().into_bytes(),
            })],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(bytes))
}
