//! Reports as the pages and the API serve them: downloads named after the report, published
//! editions rendered once and kept, and where staff fix what a readiness list names.

use std::collections::VecDeque;
use std::sync::{LazyLock, Mutex};

use actix_web::{HttpResponse, web};

use crate::app::report::{self as uc, Missing};
use crate::app::{Consultation, PublicationInfo};
use crate::domain::report::Edition;
use crate::export::{self, Format};
use crate::web::AppState;
use crate::web::errors::{AppError, internal};

/// A rendered report as a download: its content type, and a `Content-Disposition` naming the
/// file after the report's title (RFC 6266/5987, with an ASCII fallback).
pub fn download(
    title: &str,
    format: Format,
    ascii_stem: &str,
    bytes: impl Into<web::Bytes>,
) -> HttpResponse {
    download_head(title, format, ascii_stem).body(bytes.into())
}

/// [`download`] of a rendering kept in a temporary file, read out in chunks as the client
/// takes them.
pub fn download_file(
    title: &str,
    format: Format,
    ascii_stem: &str,
    file: std::fs::File,
    len: u64,
) -> HttpResponse {
    use std::io::Read;
    const CHUNK: usize = 256 * 1024;
    let chunks = futures_util::stream::try_unfold(file, |mut f| async move {
        let (f, chunk) = web::block(move || {
            let mut buf = vec![0u8; CHUNK];
            let n = f.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((f, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok::<_, std::io::Error>((!chunk.is_empty()).then(|| (web::Bytes::from(chunk), f)))
    });
    download_head(title, format, ascii_stem)
        .body(actix_web::body::SizedStream::new(len, Box::pin(chunks)))
}

fn download_head(title: &str, format: Format, ascii_stem: &str) -> actix_web::HttpResponseBuilder {
    let disposition = match format {
        Format::Docx | Format::Xlsx | Format::Csv => "attachment",
        Format::Json | Format::Html => "inline",
    };
    let name = export::file_name_for(title, format);
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let mut r = HttpResponse::Ok();
    r.content_type(format.content_type())
        .insert_header((
            "Content-Disposition",
            format!(
                "{disposition}; filename=\"{ascii_stem}.{}\"; filename*=UTF-8''{encoded}",
                format.extension()
            ),
        ))
        .insert_header(("Cache-Control", "no-store"));
    r
}

/// The ASCII file name stem of a report download: `report-{slug}-{edition}[-{n}]`.
pub fn ascii_stem(slug: &str, edition: Edition, publication: Option<i64>) -> String {
    match publication {
        Some(n) => format!("report-{slug}-{}-{n}", edition.as_str()),
        None => format!("report-{slug}-{}", edition.as_str()),
    }
}

/// What a published edition is rendered as: a download, or the fragment the public report
/// page embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rendering {
    File(Format),
    Fragment,
}

type Key = (String, Edition, Rendering);

/// Renderings of published editions, which never change: a busy public report page parses and
/// renders a snapshot once, not once per visitor. Bounded in bytes; the oldest go first.
static RENDERED: LazyLock<Mutex<VecDeque<(Key, web::Bytes)>>> =
    LazyLock::new(|| Mutex::new(VecDeque::new()));
const RENDERED_MAX_BYTES: usize = 64 << 20;

fn cached(key: &Key) -> Option<web::Bytes> {
    let kept = RENDERED.lock().ok()?;
    kept.iter().find(|(k, _)| k == key).map(|(_, b)| b.clone())
}

fn keep(key: Key, bytes: &web::Bytes) {
    if bytes.len() > RENDERED_MAX_BYTES / 2 {
        return;
    }
    if let Ok(mut kept) = RENDERED.lock() {
        let mut total: usize = kept.iter().map(|(_, b)| b.len()).sum::<usize>() + bytes.len();
        while total > RENDERED_MAX_BYTES {
            match kept.pop_front() {
                Some((_, b)) => total -= b.len(),
                None => break,
            }
        }
        kept.push_back((key, bytes.clone()));
    }
}

/// A published edition, rendered (or taken from the renderings kept).
pub struct PublishedRendering {
    pub consultation: Consultation,
    pub publication: PublicationInfo,
    pub bytes: web::Bytes,
}

/// Renders edition `edition_no` (or the latest) of a consultation's published report.
pub async fn render_published(
    state: &AppState,
    consultation_id: String,
    edition_no: Option<i64>,
    edition: Edition,
    actor: crate::app::Actor,
    rendering: Rendering,
) -> Result<PublishedRendering, AppError> {
    let a = actor.clone();
    let (consultation, publication) = state
        .with_conn(move |conn| {
            Ok(uc::published_info(
                conn,
                &consultation_id,
                edition_no,
                edition,
                &a,
            )?)
        })
        .await?;
    let key = (publication.id.clone(), edition, rendering);
    let bytes = match cached(&key) {
        Some(b) => b,
        None => {
            let (cid, n) = (consultation.id.clone(), publication.edition_no);
            let turn = match rendering {
                Rendering::File(f) => state.export_turn(f).await?,
                Rendering::Fragment => None,
            };
            let bytes = state
                .with_conn(move |conn| {
                    let p = uc::published(conn, &cid, Some(n), edition, &actor)?;
                    let bytes = match rendering {
                        Rendering::File(f) => export::render(&p.report, f),
                        Rendering::Fragment => {
                            export::html::render(&p.report).map(String::into_bytes)
                        }
                    }
                    .map_err(internal)?;
                    drop(p);
                    export::release_memory();
                    Ok(web::Bytes::from(bytes))
                })
                .await?;
            drop(turn);
            keep(key, &bytes);
            bytes
        }
    };
    Ok(PublishedRendering {
        consultation,
        publication,
        bytes,
    })
}

/// Where staff fix a readiness item: the opinion in the triage workbench, or the consultation.
pub fn missing_link(consultation_id: &str, m: &Missing) -> String {
    match &m.opinion_id {
        Some(o) => format!("/staff/opinions/{o}"),
        None if m.kind == uc::SOLICITATION_PENDING => {
            format!("/staff/consultations/{consultation_id}/solicitations")
        }
        None => format!("/staff/consultations/{consultation_id}"),
    }
}
