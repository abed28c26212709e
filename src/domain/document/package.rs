//! The `.docx` package (OOXML): a zip of parts found through their relationships.

use super::*;

/// A relationship of a package part, reduced to what is needed here.
pub(super) struct Relationship {
    /// The last segment of the relationship type URI (`officeDocument`, `styles` …).
    pub(super) kind: String,
    /// The target's path inside the package, without a leading `/`.
    pub(super) target: String,
}

pub(super) struct Package<'a> {
    pub(super) archive: zip::ZipArchive<Cursor<&'a [u8]>>,
}

impl<'a> Package<'a> {
    pub(super) fn open(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| DecodeError::BadDocx(format!("it is not a valid zip package ({e})")))?;
        Ok(Self { archive })
    }

    /// The index of the entry at `path`, compared case-insensitively as the
    /// package format requires.
    pub(super) fn index_of(&self, path: &str) -> Option<usize> {
        let path = path.trim_start_matches('/');
        if let Some(i) = self.archive.index_for_name(path) {
            return Some(i);
        }
        self.archive.file_names_raw().position(|name| {
            let name = name.strip_prefix(b"/").unwrap_or(name);
            name.eq_ignore_ascii_case(path.as_bytes())
        })
    }

    /// Reads a part, refusing one whose uncompressed size is over `limit`.
    /// `Ok(None)` when the package has no such part.
    pub(super) fn read_part(
        &mut self,
        path: &str,
        limit: u64,
    ) -> Result<Option<Vec<u8>>, DecodeError> {
        let Some(index) = self.index_of(path) else {
            return Ok(None);
        };
        let file = self
            .archive
            .by_index(index)
            .map_err(|e| DecodeError::BadDocx(format!("{path} cannot be read ({e})")))?;
        let too_large = || {
            DecodeError::BadDocx(format!(
                "{path} is too large when uncompressed (over {} MB)",
                limit / (1024 * 1024)
            ))
        };
        if file.size() > limit {
            return Err(too_large());
        }
        let capacity = usize::try_from(file.size().min(16 * 1024 * 1024)).unwrap_or(0);
        let mut buf = Vec::with_capacity(capacity);
        // The declared size may lie: read at most one byte past the limit.
        file.take(limit.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| DecodeError::BadDocx(format!("{path} cannot be read ({e})")))?;
        if buf.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(Some(buf))
    }

    /// Reads a relationships, styles or numbering part into memory; `Ok(None)`
    /// when it is missing or not well-formed.
    pub(super) fn read_aux_dom(&mut self, path: &str) -> Result<Option<Node>, DecodeError> {
        let Some(bytes) = self.read_part(path, MAX_DOCX_AUX_PART_BYTES)? else {
            return Ok(None);
        };
        Ok(xml_str(&bytes).and_then(|xml| parse_dom(&xml).ok()))
    }

    /// The relationships of the part at `path` (from `dir/_rels/name.rels`).
    pub(super) fn part_relationships(&mut self, path: &str) -> Vec<Relationship> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", path),
        };
        let rels_path = if dir.is_empty() {
            format!("_rels/{name}.rels")
        } else {
            format!("{dir}/_rels/{name}.rels")
        };
        let Ok(Some(dom)) = self.read_aux_dom(&rels_path) else {
            return Vec::new();
        };
        dom.children
            .iter()
            .filter(|n| n.local == "Relationships")
            .flat_map(|n| n.children.iter())
            .filter(|n| n.local == "Relationship")
            .filter(|n| n.attr("TargetMode") != Some("External"))
            .filter_map(|n| {
                let kind = n.attr("Type")?.rsplit('/').next()?.to_owned();
                let target = resolve_target(dir, n.attr("Target")?);
                Some(Relationship { kind, target })
            })
            .collect()
    }

    /// The main document part named by the package relationships, or the
    /// conventional `word/document.xml`.
    pub(super) fn main_document_path(&mut self) -> String {
        self.part_relationships("")
            .into_iter()
            .find(|r| r.kind == "officeDocument" && self.index_of(&r.target).is_some())
            .map_or_else(|| "word/document.xml".to_owned(), |r| r.target)
    }
}

/// Resolves a relationship target against the directory of its source part.
pub(super) fn resolve_target(base_dir: &str, target: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let target = match target.strip_prefix('/') {
        Some(absolute) => absolute,
        None => {
            segments.extend(base_dir.split('/').filter(|s| !s.is_empty()));
            target
        }
    };
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// The text of an XML part: UTF-8 (a byte-order mark allowed) or UTF-16 with
/// a byte-order mark.
pub(super) fn xml_str(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        std::str::from_utf8(rest).ok().map(Cow::Borrowed)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        UTF_16LE.decode_without_bom_handling_and_without_replacement(rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        UTF_16BE.decode_without_bom_handling_and_without_replacement(rest)
    } else {
        std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
    }
}
