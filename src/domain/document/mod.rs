//! Uploaded draft files → plain text for the clause parser.
//!
//! Bytes in, text out, no I/O. Two kinds of upload are accepted:
//!
//! * plain text (`.txt`, `.md`): UTF-8 (with or without a byte-order mark),
//!   UTF-16 with a byte-order mark, or GB18030 (which covers GBK and GB2312);
//! * Word documents (`.docx`): one line per paragraph, in document order,
//!   tables included, with Word's automatic numbering (`一、`, `（一）`, `1.` …)
//!   written out in front of each numbered paragraph, because in a Chinese
//!   draft that numbering *is* the clause structure.
//!
//! The kind of file is decided by its content; the file name's extension only
//! sharpens the error message when the content is not usable.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

mod body;
mod dom;
mod encoding;
mod number_format;
mod numbering;
mod package;
mod styles;

use body::*;
use dom::*;
use encoding::*;
use numbering::*;
use package::*;
use styles::*;

/// Text decoded from an upload, and how it was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    /// The text, with `\n` line ends and no byte-order mark.
    pub text: String,
    /// `"utf-8"`, `"utf-16le"`, `"utf-16be"`, `"gb18030"` or `"docx"`.
    pub encoding: &'static str,
}

/// Why an upload could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large ({size} bytes; the limit is {limit})")]
    TooLarge { size: usize, limit: usize },
    #[error("the file is not text: it looks like binary data")]
    Binary,
    #[error("the text encoding could not be recognised (expected UTF-8 or GB18030)")]
    UnknownEncoding,
    #[error("the Word document could not be read: {0}")]
    BadDocx(String),
    #[error("only .txt, .md and .docx files can be imported")]
    UnsupportedType,
}

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The largest uncompressed `word/document.xml` accepted (zip-bomb guard).
pub const MAX_DOCX_DOCUMENT_XML_BYTES: u64 = 200 * 1024 * 1024;

/// The largest uncompressed size of the other parts read from a `.docx`
/// (relationships, styles, numbering).
const MAX_DOCX_AUX_PART_BYTES: u64 = 32 * 1024 * 1024;

/// Deepest element nesting accepted when a styles or numbering part is read
/// into memory.
const MAX_XML_DEPTH: usize = 256;

/// Magic numbers of formats that are recognisably not importable.
const UNSUPPORTED_MAGIC: &[&[u8]] = &[
    // OLE2 compound file: legacy .doc, .wps, .xls, .ppt, and password-protected .docx.
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    b"%PDF-",
    b"\x89PNG\r\n\x1A\n",
    b"\xFF\xD8\xFF",
    b"GIF87a",
    b"GIF89a",
    b"{\\rtf",
    b"\x1F\x8B",
    b"7z\xBC\xAF\x27\x1C",
    b"Rar!\x1A\x07",
    b"II*\x00",
    b"MM\x00*",
];

/// Extensions of files that are not text, used to word an error when the
/// content itself is not recognised.
const NON_TEXT_EXTENSIONS: &[&str] = &[
    "doc", "dot", "docm", "dotx", "dotm", "wps", "wpt", "rtf", "odt", "ott", "pdf", "ofd", "xls",
    "xlsx", "et", "ppt", "pptx", "dps", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp",
    "zip", "rar", "7z", "gz", "tgz", "epub", "wpd", "pages",
];

/// Decodes an uploaded file: a Word `.docx` package or a plain text file.
///
/// The content decides (a zip package is read as `.docx`; PDF, legacy Word,
/// images and archives are refused); the file name's extension is only a
/// hint used to choose the clearer error when the content is unusable.
pub fn decode_upload(filename: Option<&str>, bytes: &[u8]) -> Result<DecodedText, DecodeError> {
    check_size(bytes)?;
    let extension = filename.and_then(extension_of);
    let ext = extension.as_deref();
    if is_zip(bytes) {
        return match docx_to_text(bytes) {
            Ok(text) if text.trim().is_empty() => Err(DecodeError::Empty),
            Ok(text) => Ok(DecodedText {
                text,
                encoding: "docx",
            }),
            Err(DecodeError::BadDocx(_))
                if ext.is_some_and(|e| e != "docx" && NON_TEXT_EXTENSIONS.contains(&e)) =>
            {
                Err(DecodeError::UnsupportedType)
            }
            Err(e) => Err(e),
        };
    }
    if is_unsupported_format(bytes) {
        return Err(DecodeError::UnsupportedType);
    }
    match decode_text(bytes) {
        Err(DecodeError::Binary | DecodeError::UnknownEncoding) if ext == Some("docx") => {
            Err(DecodeError::BadDocx(
                "the file is not a .docx package (it is not a zip archive)".into(),
            ))
        }
        Err(DecodeError::Binary | DecodeError::UnknownEncoding)
            if ext.is_some_and(|e| NON_TEXT_EXTENSIONS.contains(&e)) =>
        {
            Err(DecodeError::UnsupportedType)
        }
        other => other,
    }
}

/// Decodes a plain text file.
///
/// A byte-order mark decides between UTF-8, UTF-16LE and UTF-16BE; without
/// one the bytes must be valid UTF-8, or else valid GB18030 (no replacement
/// characters are ever produced). Line ends become `\n` and a leading
/// byte-order mark is removed. Text that is only white space is
/// [`DecodeError::Empty`].
pub fn decode_text(bytes: &[u8]) -> Result<DecodedText, DecodeError> {
    check_size(bytes)?;
    let (text, encoding): (Cow<'_, str>, &'static str) = if let Some(rest) =
        bytes.strip_prefix(b"\xEF\xBB\xBF")
    {
        match std::str::from_utf8(rest) {
            Ok(s) => (Cow::Borrowed(s), "utf-8"),
            Err(_) => return Err(undecodable(rest)),
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (decode_strict(UTF_16LE, rest)?, "utf-16le")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (decode_strict(UTF_16BE, rest)?, "utf-16be")
    } else {
        if bytes.contains(&0) {
            return Err(DecodeError::Binary);
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => (Cow::Borrowed(s), "utf-8"),
            Err(_) => match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(s) => (s, "gb18030"),
                None => return Err(undecodable(bytes)),
            },
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    if looks_binary_text(text) {
        return Err(DecodeError::Binary);
    }
    let text = normalize_line_ends(text);
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(DecodedText { text, encoding })
}

/// Extracts the text of a Word `.docx` document: one line per paragraph, in
/// document order, including the paragraphs of tables (cell by cell) and text
/// boxes. `<w:tab/>` becomes a tab, `<w:br/>` and `<w:cr/>` a line break.
/// Tracked deletions are left out and tracked insertions kept. Automatic
/// numbering is written in front of its paragraph, as Word displays it.
pub fn docx_to_text(bytes: &[u8]) -> Result<String, DecodeError> {
    docx_to_text_limited(bytes, MAX_DOCX_DOCUMENT_XML_BYTES)
}

/// [`docx_to_text`] with the limit on the uncompressed main document size as
/// a parameter.
fn docx_to_text_limited(bytes: &[u8], document_limit: u64) -> Result<String, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let mut package = Package::open(bytes)?;
    let main_path = package.main_document_path();
    let document = package
        .read_part(&main_path, document_limit)?
        .ok_or_else(|| {
            DecodeError::BadDocx(format!("it contains no main document ({main_path})"))
        })?;
    let document = xml_str(&document)
        .ok_or_else(|| DecodeError::BadDocx(format!("{main_path} is not valid UTF-8 XML")))?;

    let rels = package.part_relationships(&main_path);
    let styles_path = rels
        .iter()
        .find(|r| r.kind == "styles")
        .map_or_else(|| "word/styles.xml".to_owned(), |r| r.target.clone());
    let numbering_path = rels
        .iter()
        .find(|r| r.kind == "numbering")
        .map_or_else(|| "word/numbering.xml".to_owned(), |r| r.target.clone());
    // Styles and numbering only add the list numbers: a damaged part loses
    // those, not the text.
    let styles = package
        .read_aux_dom(&styles_path)?
        .map(|dom| Styles::from_dom(&dom))
        .unwrap_or_default();
    let numbering = package
        .read_aux_dom(&numbering_path)?
        .map(|dom| Numbering::from_dom(&dom))
        .unwrap_or_default();

    let mut numberer = Numberer::new(numbering, styles);
    extract_document_text(&document, &mut numberer).map_err(|e| match e {
        ExtractError::NotWord => DecodeError::BadDocx("it is not a Word document".to_owned()),
        ExtractError::Xml(e) => {
            DecodeError::BadDocx(format!("{main_path} is not well-formed XML ({e})"))
        }
    })
}

#[cfg(test)]
mod tests;
