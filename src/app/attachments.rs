//! Attached files (a unit's official letter, a scan of a paper reply): content-addressed under
//! `<data dir>/attachments/`, type-checked by their bytes, size-limited.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Actor, Error, Result};
use crate::db::attachments::{self as store, Attachment};
use crate::db::{DbConnection, new_id, now};
use crate::domain::Role;

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// What the bytes are, from their first bytes (the name and the browser's claim are not trusted).
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        return Some(("application/pdf", "pdf"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("image/png", "png"));
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Some(("image/jpeg", "jpg"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let reader = std::io::Cursor::new(bytes);
        if let Ok(mut zip) = zip::ZipArchive::new(reader) {
            if zip.by_name("word/document.xml").is_ok() {
                return Some((
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx",
                ));
            }
        }
    }
    None
}

fn path_of(data_dir: &Path, sha: &str) -> PathBuf {
    data_dir
        .join("attachments")
        .join(sha.get(..2).unwrap_or("00"))
        .join(sha)
}

/// Stores a file and records it. Refuses empty, oversized and unknown types with a field
/// message under `attachment`.
pub fn store(
    conn: &mut DbConnection,
    data_dir: &Path,
    filename: Option<&str>,
    bytes: &[u8],
    actor: &Actor,
) -> Result<Attachment> {
    actor.require(&[Role::Department, Role::Staff, Role::Admin])?;
    if bytes.is_empty() {
        return Err(Error::field("attachment", "attachment.error.empty"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::field("attachment", "attachment.error.too_large"));
    }
    let Some((media_type, ext)) = sniff(bytes) else {
        return Err(Error::field("attachment", "attachment.error.type"));
    };
    let sha = hex::encode(Sha256::digest(bytes));
    let path = path_of(data_dir, &sha);
    if !path.exists() {
        let dir = path.parent().unwrap_or(data_dir);
        std::fs::create_dir_all(dir).map_err(io_error)?;
        let tmp = dir.join(format!("{sha}.{}.tmp", new_id()));
        std::fs::write(&tmp, bytes).map_err(io_error)?;
        std::fs::rename(&tmp, &path).map_err(io_error)?;
    }
    let name: String = filename
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).trim().to_string())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| format!("attachment.{ext}"))
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let a = Attachment {
        id: new_id(),
        sha256: sha,
        size_bytes: bytes.len() as i64,
        media_type: media_type.into(),
        filename: name,
        uploaded_by: actor.user_id.clone(),
        created_at: now(),
    };
    crate::db::write(conn, |conn| {
        store::insert(conn, &a)?;
        Ok::<_, Error>(())
    })?;
    Ok(a)
}

/// The bytes of a stored file, for a caller that has checked who may read it.
pub(crate) fn bytes_of(data_dir: &Path, a: &Attachment) -> Result<Vec<u8>> {
    std::fs::read(path_of(data_dir, &a.sha256)).map_err(io_error)
}

fn io_error(e: std::io::Error) -> Error {
    Error::Storage(e.to_string())
}

/// Whether `actor` may attach the stored file `a` to a reply: the account that uploaded it, or
/// another department user of the uploader's unit. Anyone else would make it readable to the
/// reply's unit.
pub fn may_link(conn: &mut DbConnection, a: &Attachment, actor: &Actor) -> Result<bool> {
    let Some(uploader) = a.uploaded_by.as_deref() else {
        // Stored by the command line: only the command line links it.
        return Ok(actor.user_id.is_none() && actor.role == Some(Role::Admin));
    };
    if actor.user_id.as_deref() == Some(uploader) {
        return Ok(true);
    }
    if actor.role != Some(Role::Department) {
        return Ok(false);
    }
    let Some(unit) = actor.unit_id.as_deref() else {
        return Ok(false);
    };
    Ok(crate::db::users::find(conn, uploader)?
        .is_some_and(|u| u.role() == Some(Role::Department) && u.unit_id.as_deref() == Some(unit)))
}

/// A stored file, for the office and for the unit whose reply carries it.
pub fn open(
    conn: &mut DbConnection,
    data_dir: &Path,
    id: &str,
    actor: &Actor,
) -> Result<(Attachment, Vec<u8>)> {
    let a = store::find(conn, id)?.ok_or(Error::NotFound)?;
    let allowed = match actor.role {
        Some(Role::Staff | Role::Admin | Role::Approver) => true,
        Some(Role::Department) => {
            let units = store::units_of(conn, id)?;
            actor.unit_id.as_ref().is_some_and(|u| units.contains(u))
                || (a.uploaded_by.is_some() && a.uploaded_by == actor.user_id)
        }
        None => false,
    };
    if !allowed {
        return Err(Error::NotFound);
    }
    let bytes = std::fs::read(path_of(data_dir, &a.sha256)).map_err(io_error)?;
    Ok((a, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...").map(|t| t.1), Some("pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.1), Some("png"));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0....").map(|t| t.1), Some("jpg"));
        assert_eq!(sniff(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff(b"PK\x03\x04 not really a zip"), None);
        assert_eq!(sniff(b""), None);
    }
}
