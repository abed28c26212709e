//! Documents the office publishes beside a draft: its 起草说明 (why and how it was drafted), a
//! 政策解读 (the policy explained for the public), or another file. They are public with the
//! consultation; the office adds and removes them.

use std::path::Path;

use serde_json::json;

use super::{Actor, Error, OFFICE, Result};
use crate::db::attachments::Attachment;
use crate::db::documents::Document;
use crate::db::{self, DbConnection, audit};

/// The kinds of document, as stored.
pub const KINDS: [&str; 3] = ["explanation", "interpretation", "other"];

/// The longest title, in characters.
const TITLE_MAX: usize = 200;

/// A document as uploaded.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// One of [`KINDS`].
    pub kind: &'a str,
    pub title: &'a str,
    pub filename: Option<&'a str>,
    pub bytes: &'a [u8],
}

/// Adds a document to a consultation: the file is checked and stored, then listed last.
pub fn add(
    conn: &mut DbConnection,
    data_dir: &Path,
    consultation_id: &str,
    new: NewDocument<'_>,
    actor: &Actor,
) -> Result<Document> {
    let NewDocument {
        kind,
        title,
        filename,
        bytes,
    } = new;
    actor.require(OFFICE)?;
    db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let mut errors = std::collections::BTreeMap::new();
    if !KINDS.contains(&kind) {
        errors.insert("kind".to_string(), "document.error.kind".to_string());
    }
    let title = title.trim();
    if title.chars().count() > TITLE_MAX || title.contains('\0') {
        errors.insert("title".to_string(), "document.error.title".to_string());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let a = super::attachments::store(conn, data_dir, filename, bytes, actor)?;
    db::write(conn, |conn| {
        db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
        let d = Document {
            id: db::new_id(),
            consultation_id: consultation_id.to_string(),
            kind: kind.to_string(),
            title: title.to_string(),
            attachment_id: a.id.clone(),
            position: db::documents::next_position(conn, consultation_id)?,
            created_by: actor.user_id.clone(),
            created_at: db::now(),
        };
        db::documents::insert(conn, &d)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(consultation_id),
                after: Some(json!({
                    "kind": d.kind, "title": d.title, "file": a.filename, "bytes": a.size_bytes,
                })),
                ..actor.audit("document.add", "consultation_document", &d.id)
            },
        )?;
        Ok(d)
    })
}

/// Removes a document from its consultation (the stored file stays, as every attachment does).
pub fn remove(
    conn: &mut DbConnection,
    consultation_id: &str,
    document_id: &str,
    actor: &Actor,
) -> Result<()> {
    actor.require(OFFICE)?;
    db::write(conn, |conn| {
        let d = db::documents::find(conn, document_id)?
            .filter(|d| d.consultation_id == consultation_id)
            .ok_or(Error::NotFound)?;
        db::documents::delete(conn, &d.id)?;
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(consultation_id),
                before: Some(json!({"kind": d.kind, "title": d.title})),
                ..actor.audit("document.remove", "consultation_document", &d.id)
            },
        )?;
        Ok(())
    })
}

/// A document with its file's record, as lists show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub document: Document,
    pub file: Attachment,
}

/// A consultation's documents, for the office (any consultation it may see).
pub fn list(conn: &mut DbConnection, consultation_id: &str, actor: &Actor) -> Result<Vec<Listed>> {
    super::public::consultation(conn, consultation_id, actor)?;
    listed(conn, consultation_id)
}

/// The documents of a consultation the public may see.
pub fn list_public(conn: &mut DbConnection, slug: &str) -> Result<Vec<Listed>> {
    let c = super::public::visible_consultation(conn, slug)?;
    listed(conn, &c.id)
}

fn listed(conn: &mut DbConnection, consultation_id: &str) -> Result<Vec<Listed>> {
    db::documents::list(conn, consultation_id)?
        .into_iter()
        .map(|document| {
            let file = db::attachments::find(conn, &document.attachment_id)?
                .ok_or_else(|| Error::Internal("a document's file is missing".into()))?;
            Ok(Listed { document, file })
        })
        .collect()
}

/// One document of a consultation the public may see, with its bytes.
pub fn open_public(
    conn: &mut DbConnection,
    data_dir: &Path,
    slug: &str,
    document_id: &str,
) -> Result<(Listed, Vec<u8>)> {
    let c = super::public::visible_consultation(conn, slug)?;
    let document = db::documents::find(conn, document_id)?
        .filter(|d| d.consultation_id == c.id)
        .ok_or(Error::NotFound)?;
    let file = db::attachments::find(conn, &document.attachment_id)?.ok_or(Error::NotFound)?;
    let bytes = super::attachments::bytes_of(data_dir, &file)?;
    Ok((Listed { document, file }, bytes))
}
