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

// ---------------------------------------------------------------------------
// Plain text helpers
// ---------------------------------------------------------------------------

fn check_size(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            limit: MAX_UPLOAD_BYTES,
        });
    }
    Ok(())
}

fn extension_of(filename: &str) -> Option<String> {
    let name = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn is_unsupported_format(bytes: &[u8]) -> bool {
    UNSUPPORTED_MAGIC.iter().any(|m| bytes.starts_with(m))
        || (bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP")
}

fn decode_strict<'b>(
    encoding: &'static Encoding,
    bytes: &'b [u8],
) -> Result<Cow<'b, str>, DecodeError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(DecodeError::UnknownEncoding)
}

/// The error for bytes that are neither UTF-8 nor GB18030: binary data when
/// control bytes are common, otherwise text in some other encoding.
fn undecodable(bytes: &[u8]) -> DecodeError {
    let controls = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if controls * 20 > bytes.len() {
        DecodeError::Binary
    } else {
        DecodeError::UnknownEncoding
    }
}

/// Whether decoded text is really binary data: it holds NULs, or more than one
/// character in ten is a control character other than white space.
fn looks_binary_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        if c == '\0' {
            return true;
        }
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}') {
            controls += 1;
        }
    }
    controls * 10 > total
}

/// `\r\n` and lone `\r` → `\n`.
fn normalize_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The .docx package
// ---------------------------------------------------------------------------

/// A relationship of a package part, reduced to what is needed here.
struct Relationship {
    /// The last segment of the relationship type URI (`officeDocument`, `styles` …).
    kind: String,
    /// The target's path inside the package, without a leading `/`.
    target: String,
}

struct Package<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| DecodeError::BadDocx(format!("it is not a valid zip package ({e})")))?;
        Ok(Self { archive })
    }

    /// The index of the entry at `path`, compared case-insensitively as the
    /// package format requires.
    fn index_of(&self, path: &str) -> Option<usize> {
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
    fn read_part(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, DecodeError> {
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
    fn read_aux_dom(&mut self, path: &str) -> Result<Option<Node>, DecodeError> {
        let Some(bytes) = self.read_part(path, MAX_DOCX_AUX_PART_BYTES)? else {
            return Ok(None);
        };
        Ok(xml_str(&bytes).and_then(|xml| parse_dom(&xml).ok()))
    }

    /// The relationships of the part at `path` (from `dir/_rels/name.rels`).
    fn part_relationships(&mut self, path: &str) -> Vec<Relationship> {
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
    fn main_document_path(&mut self) -> String {
        self.part_relationships("")
            .into_iter()
            .find(|r| r.kind == "officeDocument" && self.index_of(&r.target).is_some())
            .map_or_else(|| "word/document.xml".to_owned(), |r| r.target)
    }
}

/// Resolves a relationship target against the directory of its source part.
fn resolve_target(base_dir: &str, target: &str) -> String {
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
fn xml_str(bytes: &[u8]) -> Option<Cow<'_, str>> {
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

// ---------------------------------------------------------------------------
// XML helpers
// ---------------------------------------------------------------------------

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_NS_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const MATH_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
const MATH_NS_STRICT: &str = "http://purl.oclc.org/ooxml/officeDocument/math";

/// The namespaces that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// WordprocessingML.
    W,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// Office Math.
    Math,
    Other,
}

fn ns_of(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => match ns.as_ref() {
            W_NS | W_NS_STRICT => Ns::W,
            MC_NS => Ns::Mc,
            MATH_NS | MATH_NS_STRICT => Ns::Math,
            _ => Ns::Other,
        },
        _ => Ns::Other,
    }
}

/// The value of the attribute with local name `local` (any prefix).
fn attr_of(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// The character an entity or character reference stands for.
fn resolve_reference(r: &BytesRef<'_>) -> Option<Cow<'static, str>> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(Cow::Owned(c.to_string()));
    }
    quick_xml::escape::resolve_predefined_entity(r).map(Cow::Borrowed)
}

/// A small in-memory element tree, used for the relationships, styles and
/// numbering parts. Text content is not kept.
#[derive(Debug, Default)]
struct Node {
    ns: Option<Ns>,
    local: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Node {
    fn from_start(ns: Ns, e: &BytesStart<'_>) -> Self {
        let attrs = e
            .attributes()
            .with_checks(false)
            .flatten()
            .filter_map(|a| {
                let key = a.key.local_name().as_ref().to_owned();
                let value = a.normalized_value(XmlVersion::Implicit1_0).ok()?;
                Some((key, value.into_owned()))
            })
            .collect();
        Self {
            ns: Some(ns),
            local: e.local_name().into_inner().to_owned(),
            attrs,
            children: Vec::new(),
        }
    }

    fn is_w(&self, local: &str) -> bool {
        self.ns == Some(Ns::W) && self.local == local
    }

    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `w:val` (or any `val`) of this element.
    fn val(&self) -> Option<&str> {
        self.attr("val")
    }

    fn child_w(&self, local: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is_w(local))
    }

    fn children_w<'s>(&'s self, local: &'s str) -> impl Iterator<Item = &'s Node> + 's {
        self.children.iter().filter(move |c| c.is_w(local))
    }

    /// The integer `w:val` of the child element `local`.
    fn child_val_int(&self, local: &str) -> Option<i64> {
        self.child_w(local)?.val()?.trim().parse().ok()
    }

    /// Whether an on/off child element such as `<w:isLgl/>` is on.
    fn child_flag(&self, local: &str) -> bool {
        self.child_w(local)
            .is_some_and(|c| !matches!(c.val(), Some("0" | "false" | "off")))
    }
}

/// Reads a whole XML part into a [`Node`] tree whose root is a synthetic
/// element holding the document element. `mc:AlternateContent` is resolved
/// on the way: its `mc:Fallback` is used if present, else its first
/// `mc:Choice`.
fn parse_dom(xml: &str) -> Result<Node, String> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let ns = ns_of(&resolved);
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err("elements nested too deeply".to_owned());
                }
                stack.push(Node::from_start(ns, &e));
            }
            Event::Empty(e) => {
                let node = Node::from_start(ns, &e);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    continue;
                }
                let Some(node) = stack.pop() else { break };
                let Some(parent) = stack.last_mut() else {
                    break;
                };
                if node.ns == Some(Ns::Mc) && node.local == "AlternateContent" {
                    let mut choices = node.children.into_iter();
                    let mut first_choice = None;
                    let mut fallback = None;
                    for child in choices.by_ref() {
                        if child.ns == Some(Ns::Mc) && child.local == "Fallback" {
                            fallback = Some(child);
                            break;
                        }
                        if first_choice.is_none() && child.ns == Some(Ns::Mc) {
                            first_choice = Some(child);
                        }
                    }
                    if let Some(chosen) = fallback.or(first_choice) {
                        parent.children.extend(chosen.children);
                    }
                } else {
                    parent.children.push(node);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(stack.into_iter().next().unwrap_or_default())
}

// ---------------------------------------------------------------------------
// Styles and numbering definitions
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Style {
    based_on: Option<String>,
    num_id: Option<i64>,
    ilvl: Option<u8>,
}

#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, Style>,
    default_paragraph: Option<String>,
}

impl Styles {
    fn from_dom(root: &Node) -> Self {
        let mut out = Styles::default();
        let Some(styles) = root.child_w("styles") else {
            return out;
        };
        for style in styles.children_w("style") {
            let Some(id) = style.attr("styleId") else {
                continue;
            };
            let kind = style.attr("type").unwrap_or("paragraph");
            if kind == "paragraph" && matches!(style.attr("default"), Some("1" | "true" | "on")) {
                out.default_paragraph = Some(id.to_owned());
            }
            let num_pr = style.child_w("pPr").and_then(|p| p.child_w("numPr"));
            out.styles.insert(
                id.to_owned(),
                Style {
                    based_on: style
                        .child_w("basedOn")
                        .and_then(Node::val)
                        .map(str::to_owned),
                    num_id: num_pr.and_then(|n| n.child_val_int("numId")),
                    ilvl: num_pr
                        .and_then(|n| n.child_val_int("ilvl"))
                        .and_then(|l| u8::try_from(l).ok()),
                },
            );
        }
        out
    }

    /// The numbering a style gives its paragraphs, following `w:basedOn`:
    /// the nearest `numId` and the nearest `ilvl`.
    fn numbering_of(&self, style_id: &str) -> (Option<i64>, Option<u8>) {
        let mut num_id = None;
        let mut ilvl = None;
        let mut current = Some(style_id);
        let mut hops = 0;
        while let Some(id) = current {
            let Some(style) = self.styles.get(id) else {
                break;
            };
            num_id = num_id.or(style.num_id);
            ilvl = ilvl.or(style.ilvl);
            if num_id.is_some() && ilvl.is_some() {
                break;
            }
            hops += 1;
            if hops > 32 {
                break;
            }
            current = style.based_on.as_deref();
        }
        (num_id, ilvl)
    }
}

/// One level of a list definition (`w:lvl`).
#[derive(Debug, Clone, Default)]
struct Level {
    start: Option<u32>,
    format: String,
    text: String,
    restart: Option<u32>,
    paragraph_style: Option<String>,
    legal: bool,
}

impl Level {
    fn from_dom(lvl: &Node) -> Self {
        Level {
            start: lvl
                .child_val_int("start")
                .and_then(|s| u32::try_from(s).ok()),
            format: lvl
                .child_w("numFmt")
                .and_then(Node::val)
                .unwrap_or("decimal")
                .to_owned(),
            text: lvl
                .child_w("lvlText")
                .and_then(Node::val)
                .unwrap_or_default()
                .to_owned(),
            restart: lvl
                .child_val_int("lvlRestart")
                .and_then(|s| u32::try_from(s).ok()),
            paragraph_style: lvl.child_w("pStyle").and_then(Node::val).map(str::to_owned),
            legal: lvl.child_flag("isLgl"),
        }
    }
}

fn level_index(node: &Node) -> Option<usize> {
    let i: usize = node.attr("ilvl")?.trim().parse().ok()?;
    (i < 9).then_some(i)
}

#[derive(Debug, Default)]
struct AbstractNum {
    levels: [Option<Level>; 9],
    num_style_link: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct LevelOverride {
    start: Option<u32>,
    level: Option<Level>,
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: i64,
    overrides: [Option<LevelOverride>; 9],
}

#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<i64, AbstractNum>,
    nums: HashMap<i64, Num>,
}

impl Numbering {
    fn from_dom(root: &Node) -> Self {
        let mut out = Numbering::default();
        let Some(numbering) = root.child_w("numbering") else {
            return out;
        };
        for abs in numbering.children_w("abstractNum") {
            let Some(id) = abs
                .attr("abstractNumId")
                .and_then(|v| v.trim().parse().ok())
            else {
                continue;
            };
            let mut def = AbstractNum {
                num_style_link: abs
                    .child_w("numStyleLink")
                    .and_then(Node::val)
                    .map(str::to_owned),
                ..AbstractNum::default()
            };
            for lvl in abs.children_w("lvl") {
                if let Some(i) = level_index(lvl) {
                    def.levels[i] = Some(Level::from_dom(lvl));
                }
            }
            out.abstracts.insert(id, def);
        }
        for num in numbering.children_w("num") {
            let Some(id) = num.attr("numId").and_then(|v| v.trim().parse().ok()) else {
                continue;
            };
            let Some(abstract_id) = num.child_val_int("abstractNumId") else {
                continue;
            };
            let mut def = Num {
                abstract_id,
                ..Num::default()
            };
            for o in num.children_w("lvlOverride") {
                let Some(i) = level_index(o) else { continue };
                def.overrides[i] = Some(LevelOverride {
                    start: o
                        .child_val_int("startOverride")
                        .and_then(|s| u32::try_from(s).ok()),
                    level: o.child_w("lvl").map(Level::from_dom),
                });
            }
            out.nums.insert(id, def);
        }
        out
    }
}

/// Computes the numbering text of numbered paragraphs, in document order.
///
/// As in Word, the running counters belong to the list definition
/// (`w:abstractNum`), so several `w:num` instances of one definition continue
/// one sequence; an instance with a `w:lvlOverride` restarts the overridden
/// level the first time it is used there.
struct Numberer {
    numbering: Numbering,
    styles: Styles,
    counters: HashMap<i64, [Option<u32>; 9]>,
    seen: HashSet<(i64, usize)>,
}

impl Numberer {
    fn new(numbering: Numbering, styles: Styles) -> Self {
        Self {
            numbering,
            styles,
            counters: HashMap::new(),
            seen: HashSet::new(),
        }
    }

    /// The abstract definition a `w:num` uses, following `w:numStyleLink`.
    fn resolve_abstract(&self, num: &Num) -> Option<i64> {
        let mut id = num.abstract_id;
        for _ in 0..8 {
            let abs = self.numbering.abstracts.get(&id)?;
            let Some(link) = &abs.num_style_link else {
                return Some(id);
            };
            let (linked_num, _) = self.styles.numbering_of(link);
            id = self.numbering.nums.get(&linked_num?)?.abstract_id;
        }
        None
    }

    /// The numbering text of a paragraph with style `style` and direct
    /// numbering properties `num_id` / `ilvl`; `None` if it is not numbered
    /// or shows no number (bullets, empty text).
    fn label(
        &mut self,
        style: Option<&str>,
        num_id: Option<i64>,
        ilvl: Option<u8>,
    ) -> Option<String> {
        let style = style.or(self.styles.default_paragraph.as_deref());
        let (style_num, style_ilvl) = style.map_or((None, None), |s| self.styles.numbering_of(s));
        let num_id = num_id.or(style_num)?;
        if num_id == 0 {
            return None;
        }
        let num = self.numbering.nums.get(&num_id)?;
        let abstract_id = self.resolve_abstract(num)?;
        let abs = self.numbering.abstracts.get(&abstract_id)?;
        let levels: [Option<&Level>; 9] = std::array::from_fn(|i| {
            num.overrides[i]
                .as_ref()
                .and_then(|o| o.level.as_ref())
                .or(abs.levels[i].as_ref())
        });
        let starts: [u32; 9] = std::array::from_fn(|i| {
            num.overrides[i]
                .as_ref()
                .and_then(|o| o.start)
                .or_else(|| levels[i].and_then(|l| l.start))
                .unwrap_or(0)
        });
        let ilvl = match ilvl.or(style_ilvl) {
            Some(l) => usize::from(l),
            None => style
                .and_then(|s| {
                    levels
                        .iter()
                        .position(|l| l.is_some_and(|l| l.paragraph_style.as_deref() == Some(s)))
                })
                .unwrap_or(0),
        };
        let level = (*levels.get(ilvl)?)?;

        let counters = self.counters.entry(abstract_id).or_default();
        let first_use = self.seen.insert((num_id, ilvl));
        counters[ilvl] = match counters[ilvl] {
            _ if first_use && num.overrides[ilvl].is_some() => Some(starts[ilvl]),
            Some(n) => Some(n.saturating_add(1)),
            None => Some(starts[ilvl]),
        };
        for deeper in ilvl + 1..9 {
            let restarts = match levels[deeper].and_then(|l| l.restart) {
                None => true,
                Some(0) => false,
                Some(after) => (ilvl as u32) < after,
            };
            if restarts {
                counters[deeper] = None;
            }
        }

        if level.format == "bullet" {
            return None;
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let slot = match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d @ 1..=9)) => d as usize - 1,
                _ => {
                    out.push(c);
                    continue;
                }
            };
            chars.next();
            let value = counters[slot].unwrap_or(starts[slot]);
            let format = if level.legal {
                "decimal"
            } else {
                levels[slot].map_or("decimal", |l| l.format.as_str())
            };
            out.push_str(&format_number(value, format));
        }
        (!out.trim().is_empty()).then_some(out)
    }
}

// ---------------------------------------------------------------------------
// Number formats
// ---------------------------------------------------------------------------

/// Writes `n` in a Word number format (`w:numFmt`). Unknown formats fall back
/// to decimal.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "none" | "bullet" => String::new(),
        "decimalZero" => format!("{n:02}"),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "lowerLetter" => letters(n).to_lowercase(),
        "upperLetter" => letters(n),
        "ordinal" => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "koreanCounting" => chinese_counting(n, &CHINESE_COUNTING),
        "chineseLegalSimplified" => chinese_counting(n, &CHINESE_LEGAL_SIMPLIFIED),
        "ideographLegalTraditional" | "japaneseLegal" => {
            chinese_counting(n, &CHINESE_LEGAL_TRADITIONAL)
        }
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => n
            .to_string()
            .chars()
            .map(|c| CHINESE_COUNTING.digits[c as usize - '0' as usize])
            .collect(),
        "ideographTraditional" => cyclic(
            n,
            &['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'],
        ),
        "ideographZodiac" => cyclic(
            n,
            &[
                '子', '丑', '寅', '卯', '辰', '巳', '午', '未', '申', '酉', '戌', '亥',
            ],
        ),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => match n {
            0 => "⓪".to_owned(),
            1..=20 => char_at(0x2460, n - 1),
            21..=35 => char_at(0x3251, n - 21),
            36..=50 => char_at(0x32B1, n - 36),
            _ => n.to_string(),
        },
        "decimalEnclosedFullstop" => match n {
            1..=20 => char_at(0x2488, n - 1),
            _ => format!("{n}."),
        },
        "decimalEnclosedParen" => match n {
            1..=20 => char_at(0x2474, n - 1),
            _ => format!("({n})"),
        },
        "ideographEnclosedCircle" => match n {
            1..=10 => char_at(0x3280, n - 1),
            _ => n.to_string(),
        },
        _ => n.to_string(),
    }
}

fn char_at(base: u32, offset: u32) -> String {
    char::from_u32(base + offset).map_or_else(String::new, String::from)
}

fn cyclic(n: u32, symbols: &[char]) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let len = symbols.len() as u32;
    symbols[((n - 1) % len) as usize].to_string()
}

fn roman(n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut out = String::new();
    for (value, symbol) in TABLE {
        while n >= value {
            out.push_str(symbol);
            n -= value;
        }
    }
    out
}

/// Word's letter numbering: A … Z, AA … ZZ, AAA …
fn letters(n: u32) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let letter = char::from(b'A' + ((n - 1) % 26) as u8);
    let count = ((n - 1) / 26 + 1).min(100) as usize;
    std::iter::repeat_n(letter, count).collect()
}

struct ChineseNumerals {
    digits: [char; 10],
    /// 十, 百, 千.
    units: [char; 3],
    /// Whether a leading 一十 is written 十 (counting style, not legal style).
    short_ten: bool,
}

const CHINESE_COUNTING: ChineseNumerals = ChineseNumerals {
    digits: ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
    units: ['十', '百', '千'],
    short_ten: true,
};

const CHINESE_LEGAL_SIMPLIFIED: ChineseNumerals = ChineseNumerals {
    digits: ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'],
    units: ['拾', '佰', '仟'],
    short_ten: false,
};

const CHINESE_LEGAL_TRADITIONAL: ChineseNumerals = ChineseNumerals {
    digits: ['零', '壹', '貳', '參', '肆', '伍', '陸', '柒', '捌', '玖'],
    units: ['拾', '佰', '仟'],
    short_ten: false,
};

/// Chinese counting numerals: 1 一, 10 十, 11 十一, 20 二十, 101 一百零一,
/// 10001 一万零一 (legal style: 壹拾, 壹佰零壹 …).
fn chinese_counting(n: u32, numerals: &ChineseNumerals) -> String {
    if n == 0 {
        return numerals.digits[0].to_string();
    }
    let zero = if numerals.short_ten {
        '零'
    } else {
        numerals.digits[0]
    };
    // Groups of four digits, most significant first.
    let groups = [
        (n / 100_000_000, Some('亿')),
        ((n / 10_000) % 10_000, Some('万')),
        (n % 10_000, None),
    ];
    let mut out = String::new();
    let mut need_zero = false;
    for (value, big_unit) in groups {
        if value == 0 {
            need_zero = !out.is_empty();
            continue;
        }
        if need_zero || (!out.is_empty() && value < 1000) {
            out.push(zero);
        }
        need_zero = false;
        let digits = [
            value / 1000,
            (value / 100) % 10,
            (value / 10) % 10,
            value % 10,
        ];
        let mut started = false;
        let mut inner_zero = false;
        for (i, d) in digits.into_iter().enumerate() {
            if d == 0 {
                inner_zero = started;
                continue;
            }
            if inner_zero {
                out.push(zero);
                inner_zero = false;
            }
            started = true;
            out.push(numerals.digits[d as usize]);
            if i < 3 {
                out.push(numerals.units[2 - i]);
            }
        }
        if let Some(unit) = big_unit {
            out.push(unit);
        }
    }
    if numerals.short_ten {
        let one_ten: String = [numerals.digits[1], numerals.units[0]].iter().collect();
        if let Some(rest) = out.strip_prefix(one_ten.as_str()) {
            return format!("{}{rest}", numerals.units[0]);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// document.xml → lines
// ---------------------------------------------------------------------------

/// The elements whose position matters while walking `document.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Paragraph,
    ParagraphProps,
    TableRow,
    TableRowProps,
    NumberingProps,
    Run,
    RunProps,
    Text,
    Other,
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct ParagraphState {
    text: String,
    style: Option<String>,
    num_id: Option<i64>,
    ilvl: Option<u8>,
    /// The paragraph mark is a tracked deletion: the text joins the next paragraph.
    mark_deleted: bool,
}

/// Elements left out together with everything inside them: tracked
/// deletions, the old properties recorded by tracked formatting changes, and
/// the fallback copy of alternate content (its `mc:Choice` is read instead).
fn is_skipped(ns: Ns, local: &str) -> bool {
    match ns {
        Ns::W => matches!(
            local,
            "del"
                | "moveFrom"
                | "pPrChange"
                | "rPrChange"
                | "sectPrChange"
                | "tblPrChange"
                | "tblPrExChange"
                | "trPrChange"
                | "tcPrChange"
                | "tblGridChange"
                | "numberingChange"
                | "delText"
                | "delInstrText"
                | "instrText"
        ),
        Ns::Mc => local == "Fallback",
        _ => false,
    }
}

struct DocumentWalker<'n> {
    numberer: &'n mut Numberer,
    out: String,
    lines: usize,
    tags: Vec<Tag>,
    paragraphs: Vec<ParagraphState>,
    /// Whether each open run is hidden (`<w:vanish/>`).
    runs_hidden: Vec<bool>,
    /// Text of paragraphs whose mark was deleted, waiting for the next paragraph.
    carry: String,
}

impl DocumentWalker<'_> {
    fn parent(&self, depth: usize) -> Option<Tag> {
        self.tags.len().checked_sub(depth + 1).map(|i| self.tags[i])
    }

    fn run_hidden(&self) -> bool {
        self.runs_hidden.last().copied().unwrap_or(false)
    }

    fn push_text(&mut self, s: &str) {
        if self.run_hidden() {
            return;
        }
        if let Some(p) = self.paragraphs.last_mut() {
            p.text.push_str(s);
        }
    }

    /// An element that starts (`Start` or `Empty`) outside skipped content.
    /// Returns the tag to keep on the stack for a `Start`.
    fn open(&mut self, ns: Ns, e: &BytesStart<'_>) -> Tag {
        let local = e.local_name();
        let local = local.as_ref();
        if ns == Ns::Math {
            return if local == "t" { Tag::Text } else { Tag::Other };
        }
        if ns != Ns::W {
            return Tag::Other;
        }
        let parent = self.parent(0);
        match local {
            "p" => {
                self.paragraphs.push(ParagraphState::default());
                Tag::Paragraph
            }
            "pPr" => Tag::ParagraphProps,
            "tr" => Tag::TableRow,
            "trPr" => Tag::TableRowProps,
            "numPr" => Tag::NumberingProps,
            "r" => {
                self.runs_hidden.push(false);
                Tag::Run
            }
            "rPr" => Tag::RunProps,
            "t" => Tag::Text,
            "pStyle" if parent == Some(Tag::ParagraphProps) => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.style = attr_of(e, "val");
                }
                Tag::Other
            }
            "numId" | "ilvl"
                if parent == Some(Tag::NumberingProps)
                    && self.parent(1) == Some(Tag::ParagraphProps) =>
            {
                let value = attr_of(e, "val").and_then(|v| v.trim().parse::<i64>().ok());
                if let Some(p) = self.paragraphs.last_mut() {
                    if local == "numId" {
                        p.num_id = value;
                    } else {
                        p.ilvl = value.and_then(|v| u8::try_from(v).ok());
                    }
                }
                Tag::Other
            }
            "vanish" if parent == Some(Tag::RunProps) && self.parent(1) == Some(Tag::Run) => {
                let off = matches!(attr_of(e, "val").as_deref(), Some("0" | "false" | "off"));
                if let Some(hidden) = self.runs_hidden.last_mut() {
                    *hidden = !off;
                }
                Tag::Other
            }
            "tab" | "ptab" if parent == Some(Tag::Run) => {
                self.push_text("\t");
                Tag::Other
            }
            "cr" if parent == Some(Tag::Run) => {
                self.push_text("\n");
                Tag::Other
            }
            "br" if parent == Some(Tag::Run) => {
                let kind = attr_of(e, "type");
                let page_or_column = matches!(kind.as_deref(), Some("page" | "column"));
                let at_start = self.paragraphs.last().is_none_or(|p| p.text.is_empty());
                // A page break that opens a paragraph does not start a line.
                if !(page_or_column && at_start) {
                    self.push_text("\n");
                }
                Tag::Other
            }
            "noBreakHyphen" if parent == Some(Tag::Run) => {
                self.push_text("-");
                Tag::Other
            }
            _ => Tag::Other,
        }
    }

    /// Notes a tracked deletion that is not a container of deleted content:
    /// of a paragraph mark (`w:pPr/w:rPr/w:del`), whose text then joins the
    /// next paragraph, or of a table row (`w:tr/w:trPr/w:del`). For a row,
    /// returns the depth of the `w:tr` element, to be skipped as a whole.
    fn note_deletion(&mut self, ns: Ns, local: &str) -> Option<usize> {
        if ns != Ns::W || !matches!(local, "del" | "moveFrom") {
            return None;
        }
        match (self.parent(0), self.parent(1)) {
            (Some(Tag::RunProps), Some(Tag::ParagraphProps)) => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.mark_deleted = true;
                }
                None
            }
            (Some(Tag::TableRowProps), Some(Tag::TableRow)) if local == "del" => {
                Some(self.tags.len() - 2)
            }
            _ => None,
        }
    }

    fn close(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.finish_paragraph(),
            Tag::Run => {
                self.runs_hidden.pop();
            }
            _ => {}
        }
    }

    fn finish_paragraph(&mut self) {
        let Some(p) = self.paragraphs.pop() else {
            return;
        };
        if p.mark_deleted {
            self.carry.push_str(&p.text);
            return;
        }
        let label = self
            .numberer
            .label(p.style.as_deref(), p.num_id, p.ilvl)
            .unwrap_or_default();
        let carry = std::mem::take(&mut self.carry);
        self.push_line(&format!("{label}{carry}{}", p.text));
    }

    fn push_line(&mut self, line: &str) {
        if self.lines > 0 {
            self.out.push('\n');
        }
        self.out.push_str(line);
        self.lines += 1;
    }
}

enum ExtractError {
    /// The main part's document element is not `w:document`.
    NotWord,
    Xml(quick_xml::Error),
}

/// Walks `document.xml` and returns its text, one line per paragraph.
fn extract_document_text(xml: &str, numberer: &mut Numberer) -> Result<String, ExtractError> {
    let mut reader = NsReader::from_str(xml);
    let mut seen_root = false;
    let mut walker = DocumentWalker {
        numberer,
        out: String::new(),
        lines: 0,
        tags: Vec::new(),
        paragraphs: Vec::new(),
        runs_hidden: Vec::new(),
        carry: String::new(),
    };
    // The depth of the skipped element being passed over, if any.
    let mut skipping: Option<usize> = None;
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(ExtractError::Xml)?;
        let ns = ns_of(&resolved);
        if !seen_root {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    if ns != Ns::W || e.local_name().as_ref() != "document" {
                        return Err(ExtractError::NotWord);
                    }
                    seen_root = true;
                }
                Event::Eof => return Err(ExtractError::NotWord),
                _ => {}
            }
        }
        match event {
            Event::Start(e) => {
                if skipping.is_some() {
                    walker.tags.push(Tag::Other);
                    continue;
                }
                let local = e.local_name();
                if is_skipped(ns, local.as_ref()) {
                    let row = walker.note_deletion(ns, local.as_ref());
                    skipping = Some(row.unwrap_or(walker.tags.len()));
                    walker.tags.push(Tag::Other);
                    continue;
                }
                let tag = walker.open(ns, &e);
                walker.tags.push(tag);
            }
            Event::Empty(e) => {
                if skipping.is_some() {
                    continue;
                }
                let local = e.local_name();
                if is_skipped(ns, local.as_ref()) {
                    skipping = walker.note_deletion(ns, local.as_ref());
                    continue;
                }
                let tag = walker.open(ns, &e);
                walker.close(tag);
            }
            Event::End(_) => {
                let tag = walker.tags.pop().unwrap_or(Tag::Other);
                if let Some(depth) = skipping {
                    if walker.tags.len() == depth {
                        skipping = None;
                    }
                    continue;
                }
                walker.close(tag);
            }
            Event::Text(t) if skipping.is_none() && walker.parent(0) == Some(Tag::Text) => {
                walker.push_text(&t.xml10_content());
            }
            Event::CData(t) if skipping.is_none() && walker.parent(0) == Some(Tag::Text) => {
                walker.push_text(&t.xml10_content());
            }
            Event::GeneralRef(r) if skipping.is_none() && walker.parent(0) == Some(Tag::Text) => {
                if let Some(s) = resolve_reference(&r) {
                    walker.push_text(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !walker.carry.is_empty() {
        let carry = std::mem::take(&mut walker.carry);
        walker.push_line(&carry);
    }
    Ok(walker.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    // ----- plain text -------------------------------------------------------

    const GOV_TEXT: &str = "一、总体要求\r\n（一）指导思想。全面落实……";

    #[test]
    fn utf8_without_bom() {
        let d = decode_text("第一条 为了规范\n第二条".as_bytes()).unwrap();
        assert_eq!(d.text, "第一条 为了规范\n第二条");
        assert_eq!(d.encoding, "utf-8");
    }

    #[test]
    fn utf8_with_bom_and_crlf() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(GOV_TEXT.as_bytes());
        bytes.extend_from_slice(b"\rlast\r\n");
        let d = decode_text(&bytes).unwrap();
        assert_eq!(d.text, "一、总体要求\n（一）指导思想。全面落实……\nlast\n");
        assert_eq!(d.encoding, "utf-8");
        assert!(!d.text.contains('\u{FEFF}'));
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in GOV_TEXT.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        let expected = "一、总体要求\n（一）指导思想。全面落实……";
        let d = decode_text(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16le"));
        let d = decode_text(&be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16be"));
        // The same through the upload entry point.
        let d = decode_upload(Some("草案.txt"), &le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16le"));
    }

    #[test]
    fn gb18030_text() {
        let (bytes, _, unmappable) = GB18030.encode(GOV_TEXT);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode_text(&bytes).unwrap();
        assert_eq!(d.text, "一、总体要求\n（一）指导思想。全面落实……");
        assert_eq!(d.encoding, "gb18030");
        let d = decode_upload(Some("方案.md"), &bytes).unwrap();
        assert_eq!(d.encoding, "gb18030");
    }

    #[test]
    fn empty_input() {
        assert_eq!(decode_text(b""), Err(DecodeError::Empty));
        assert_eq!(decode_text(b"\xEF\xBB\xBF"), Err(DecodeError::Empty));
        assert_eq!(decode_text(b" \r\n\r\n"), Err(DecodeError::Empty));
        assert_eq!(decode_upload(Some("a.txt"), b""), Err(DecodeError::Empty));
        assert_eq!(docx_to_text(b""), Err(DecodeError::Empty));
    }

    /// Deterministic pseudo-random bytes.
    fn noise(len: usize) -> Vec<u8> {
        let mut state: u32 = 0x1234_5678;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn binary_input() {
        assert_eq!(decode_text(&noise(4096)), Err(DecodeError::Binary));
        assert_eq!(decode_text(b"text\0with a NUL"), Err(DecodeError::Binary));
        let controls: Vec<u8> = (1u8..0x20).cycle().take(200).collect();
        assert_eq!(decode_text(&controls), Err(DecodeError::Binary));
        // Random bytes without any NUL are still binary.
        let no_nul: Vec<u8> = noise(4096).into_iter().map(|b| b.max(1)).collect();
        assert_eq!(decode_text(&no_nul), Err(DecodeError::Binary));
        assert_eq!(
            decode_upload(Some("x.txt"), &noise(512)),
            Err(DecodeError::Binary)
        );
    }

    #[test]
    fn unknown_encoding() {
        // 0x81 opens a GB18030 sequence that 0x20 cannot continue.
        assert_eq!(
            decode_text(b"plain words \x81 and more words"),
            Err(DecodeError::UnknownEncoding)
        );
        // An odd number of bytes after a UTF-16 byte-order mark.
        assert_eq!(
            decode_text(b"\xFF\xFEa\x00b"),
            Err(DecodeError::UnknownEncoding)
        );
    }

    #[test]
    fn unsupported_formats() {
        let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec();
        let ole2 = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00".to_vec();
        let png = b"\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR".to_vec();
        let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF".to_vec();
        for (name, bytes) in [
            (Some("draft.pdf"), &pdf),
            (Some("draft.txt"), &pdf),
            (None, &pdf),
            (Some("draft.doc"), &ole2),
            (Some("draft.docx"), &ole2),
            (Some("scan.png"), &png),
            (Some("scan.jpg"), &jpeg),
        ] {
            assert_eq!(
                decode_upload(name, bytes),
                Err(DecodeError::UnsupportedType),
                "{name:?}"
            );
        }
        // Unrecognised binary content named like a non-text file.
        assert_eq!(
            decode_upload(Some("sheet.XLS"), &noise(256)),
            Err(DecodeError::UnsupportedType)
        );
        // A .docx that is neither a zip package nor text.
        assert!(matches!(
            decode_upload(Some("draft.docx"), &noise(256)),
            Err(DecodeError::BadDocx(_))
        ));
    }

    #[test]
    fn extension_is_only_a_hint() {
        // Text content wins over a misleading name.
        let d = decode_upload(Some("draft.docx"), "第一条 内容".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("第一条 内容", "utf-8"));
        // A zip package is read as a Word document whatever its name.
        let bytes = docx_with(&para("正文"), None, None);
        let d = decode_upload(Some("draft.txt"), &bytes).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("正文", "docx"));
        let d = decode_upload(None, &bytes).unwrap();
        assert_eq!(d.encoding, "docx");
    }

    #[test]
    fn too_large() {
        let big = vec![b'a'; MAX_UPLOAD_BYTES + 1];
        let err = DecodeError::TooLarge {
            size: MAX_UPLOAD_BYTES + 1,
            limit: MAX_UPLOAD_BYTES,
        };
        assert_eq!(decode_upload(Some("a.txt"), &big), Err(err.clone()));
        assert_eq!(decode_text(&big), Err(err));
        assert!(decode_text(&big[..MAX_UPLOAD_BYTES]).is_ok());
    }

    #[test]
    fn file_extensions() {
        assert_eq!(
            extension_of("C:\\drafts\\方案.DOCX").as_deref(),
            Some("docx")
        );
        assert_eq!(extension_of("a/b.c/readme").as_deref(), None);
        assert_eq!(extension_of(".bashrc").as_deref(), None);
        assert_eq!(extension_of("x.tar.gz").as_deref(), Some("gz"));
    }

    // ----- number formats --------------------------------------------------

    #[test]
    fn chinese_counting_numbers() {
        let cases = [
            (0, "〇"),
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (19, "十九"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (10_000, "一万"),
            (10_001, "一万零一"),
            (100_000, "十万"),
            (120_034, "十二万零三十四"),
            (1_000_500, "一百万零五百"),
            (100_000_005, "一亿零五"),
        ];
        for (n, text) in cases {
            assert_eq!(format_number(n, "chineseCounting"), text, "{n}");
        }
        assert_eq!(format_number(11, "chineseCountingThousand"), "十一");
        assert_eq!(format_number(21, "japaneseCounting"), "二十一");
        assert_eq!(format_number(10, "chineseLegalSimplified"), "壹拾");
        assert_eq!(format_number(101, "chineseLegalSimplified"), "壹佰零壹");
        assert_eq!(format_number(105, "ideographDigital"), "一〇五");
    }

    #[test]
    fn other_number_formats() {
        let cases = [
            (7, "decimal", "7"),
            (12, "decimalFullWidth", "１２"),
            (3, "decimalZero", "03"),
            (1, "ideographTraditional", "甲"),
            (10, "ideographTraditional", "癸"),
            (11, "ideographTraditional", "甲"),
            (1, "decimalEnclosedCircle", "①"),
            (20, "decimalEnclosedCircleChinese", "⑳"),
            (21, "decimalEnclosedCircle", "㉑"),
            (50, "decimalEnclosedCircle", "㊿"),
            (51, "decimalEnclosedCircle", "51"),
            (2, "decimalEnclosedParen", "⑵"),
            (1, "lowerLetter", "a"),
            (26, "upperLetter", "Z"),
            (27, "lowerLetter", "aa"),
            (4, "lowerRoman", "iv"),
            (1994, "upperRoman", "MCMXCIV"),
            (2, "ordinal", "2nd"),
            (12, "ordinal", "12th"),
            (5, "none", ""),
            (5, "somethingNew", "5"),
        ];
        for (n, format, text) in cases {
            assert_eq!(format_number(n, format), text, "{n} {format}");
        }
    }

    // ----- .docx -----------------------------------------------------------

    const W_DECL: &str =
        r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in parts {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn document_xml(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W_DECL} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
        )
    }

    /// A minimal package: content types, package relationships, the main
    /// document and, when given, numbering and styles parts.
    fn docx_with(body: &str, numbering: Option<&str>, styles: Option<&str>) -> Vec<u8> {
        let content_types = r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
        let rels = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
        let document = document_xml(body);
        let mut parts = vec![
            ("[Content_Types].xml", content_types.to_owned()),
            ("_rels/.rels", rels.to_owned()),
            ("word/document.xml", document),
        ];
        if let Some(n) = numbering {
            parts.push((
                "word/numbering.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W_DECL} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">{n}</w:numbering>"#),
            ));
        }
        if let Some(s) = styles {
            parts.push((
                "word/styles.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W_DECL}>{s}</w:styles>"#
                ),
            ));
        }
        let borrowed: Vec<(&str, &str)> = parts.iter().map(|(n, c)| (*n, c.as_str())).collect();
        zip_of(&borrowed)
    }

    fn para(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    fn numbered(num_id: u32, ilvl: u32, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr><w:ind w:firstLineChars="200"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    }

    fn lines_of(bytes: &[u8]) -> Vec<String> {
        docx_to_text(bytes)
            .unwrap()
            .split('\n')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn docx_plain_paragraphs_and_runs() {
        let body = format!(
            r#"{}<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>指导</w:t></w:r><w:r><w:t>思想</w:t></w:r><w:proofErr w:type="gramStart"/><w:r><w:t>。</w:t></w:r></w:p><w:p/><w:p><w:r><w:t xml:space="preserve">Article </w:t></w:r><w:r><w:t>1</w:t></w:r><w:r><w:t xml:space="preserve">  two spaces</w:t></w:r></w:p><w:p><w:r><w:t>A &amp; B &lt;C&gt; &#x4E00;&#19968;</w:t></w:r></w:p>"#,
            para("关于推进数字政府建设的实施方案（征求意见稿）")
        );
        let bytes = docx_with(&body, None, None);
        assert_eq!(
            lines_of(&bytes),
            [
                "关于推进数字政府建设的实施方案（征求意见稿）",
                "指导思想。",
                "",
                "Article 1  two spaces",
                "A & B <C> 一一",
            ]
        );
    }

    #[test]
    fn docx_tabs_and_breaks() {
        let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:cr/><w:t>丁</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r><w:r><w:t>第二章</w:t></w:r></w:p>"#;
        let bytes = docx_with(body, None, None);
        assert_eq!(docx_to_text(&bytes).unwrap(), "甲\t乙\n丙\n丁\n第二章");
    }

    #[test]
    fn docx_tables() {
        let cell = |paras: &[&str]| {
            let inner: String = paras.iter().map(|t| para(t)).collect();
            format!("<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>{inner}</w:tc>")
        };
        let tracked_rows = format!(
            "<w:tr><w:trPr><w:del w:id=\"1\" w:author=\"a\"/></w:trPr>{}{}</w:tr><w:tr><w:trPr><w:ins w:id=\"2\" w:author=\"a\"/></w:trPr>{}{}</w:tr>",
            cell(&["2"]),
            cell(&["删除的行"]),
            cell(&["3"]),
            cell(&["插入的行"])
        );
        let body = format!(
            "{}<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2000\"/><w:gridCol w:w=\"2000\"/></w:tblGrid><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr>{}</w:tbl>{}",
            para("附表"),
            cell(&["序号"]),
            cell(&["任务", "（牵头单位）"]),
            cell(&["1"]),
            cell(&["建设统一平台"]),
            tracked_rows,
            para("表后正文")
        );
        let bytes = docx_with(&body, None, None);
        assert_eq!(
            lines_of(&bytes),
            [
                "附表",
                "序号",
                "任务",
                "（牵头单位）",
                "1",
                "建设统一平台",
                "3",
                "插入的行",
                "表后正文"
            ]
        );
    }

    #[test]
    fn docx_tracked_changes() {
        let body = r#"<w:p><w:r><w:t>加快</w:t></w:r><w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>推进</w:delText></w:r><w:r><w:tab/></w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>建设</w:t></w:r></w:ins><w:r><w:t>数字政府</w:t></w:r><w:moveFrom w:id="3" w:author="a"><w:r><w:t>挪走</w:t></w:r></w:moveFrom></w:p><w:p><w:pPr><w:rPr><w:del w:id="4" w:author="a"/></w:rPr></w:pPr><w:del w:id="5" w:author="a"><w:r><w:delText>整段删除</w:delText></w:r></w:del></w:p><w:p><w:pPr><w:pPrChange w:id="6" w:author="a"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:rPr><w:rPrChange w:id="7" w:author="a"><w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>下一段</w:t></w:r></w:p>"#;
        let bytes = docx_with(body, None, None);
        assert_eq!(lines_of(&bytes), ["加快建设数字政府", "下一段"]);
    }

    #[test]
    fn docx_hidden_text_and_alternate_content() {
        let body = r#"<w:p><w:r><w:t>可见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>也可见</w:t></w:r></w:p><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>正文</w:t></w:r></w:p>"#;
        let bytes = docx_with(body, None, None);
        assert_eq!(lines_of(&bytes), ["可见也可见", "文本框", "正文"]);
    }

    /// Three levels as in a Chinese work plan: 一、 / （一） / 1.
    const WORK_PLAN_NUMBERING: &str = r#"<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="420" w:hanging="420"/></w:pPr></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;

    #[test]
    fn docx_numbering_three_levels() {
        let body = [
            para("关于加快发展的实施意见"),
            numbered(1, 0, "总体要求"),
            numbered(1, 1, "指导思想。全面落实……"),
            numbered(1, 2, "创新驱动。坚持创新在现代化建设全局中的核心地位。"),
            numbered(1, 2, "协调发展。"),
            numbered(1, 1, "基本原则。"),
            para("未编号的说明段落。"),
            numbered(1, 2, "坚持人民至上。"),
            numbered(1, 2, "坚持系统观念。"),
            numbered(1, 0, "主要任务"),
            numbered(1, 1, "加强基础设施建设。"),
            numbered(1, 2, "推进网络建设。"),
        ]
        .concat();
        let bytes = docx_with(&body, Some(WORK_PLAN_NUMBERING), None);
        assert_eq!(
            lines_of(&bytes),
            [
                "关于加快发展的实施意见",
                "一、总体要求",
                "（一）指导思想。全面落实……",
                "1.创新驱动。坚持创新在现代化建设全局中的核心地位。",
                "2.协调发展。",
                "（二）基本原则。",
                "未编号的说明段落。",
                "1.坚持人民至上。",
                "2.坚持系统观念。",
                "二、主要任务",
                "（一）加强基础设施建设。",
                "1.推进网络建设。",
            ]
        );
        // Through the upload entry point as well.
        let d = decode_upload(Some("实施意见.docx"), &bytes).unwrap();
        assert_eq!(d.encoding, "docx");
        assert!(d.text.contains("\n二、主要任务\n"));
    }

    #[test]
    fn docx_numbering_many_items_and_deleted_item() {
        let mut body = String::new();
        for i in 1..=12 {
            body.push_str(&numbered(1, 0, &format!("任务{i}")));
        }
        // A numbered paragraph deleted as a tracked change takes no number.
        body.push_str(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:rPr><w:del w:id="9" w:author="a"/></w:rPr></w:pPr><w:del w:id="10" w:author="a"><w:r><w:delText>删掉的任务</w:delText></w:r></w:del></w:p>"#);
        body.push_str(&numbered(1, 0, "最后"));
        let bytes = docx_with(&body, Some(WORK_PLAN_NUMBERING), None);
        let lines = lines_of(&bytes);
        assert_eq!(lines[9], "十、任务10");
        assert_eq!(lines[10], "十一、任务11");
        assert_eq!(lines[11], "十二、任务12");
        assert_eq!(lines[12], "十三、最后");
        assert_eq!(lines.len(), 13);
    }

    #[test]
    fn docx_numbering_overrides_and_shared_definitions() {
        let numbering = format!(
            r#"{WORK_PLAN_NUMBERING}<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#
        );
        let body = [
            numbered(1, 0, "甲"),
            numbered(1, 2, "子"),
            numbered(1, 2, "丑"),
            // Another instance of the same list continues it …
            numbered(3, 0, "乙"),
            numbered(3, 2, "寅"),
            // … unless it overrides the start: restart at 5 (五).
            numbered(2, 0, "丙"),
            numbered(2, 0, "丁"),
            numbered(1, 2, "卯"),
            numbered(1, 2, "辰"),
            numbered(4, 2, "巳"),
            // Direct numId 0 switches numbering off.
            numbered(0, 0, "无编号"),
            // Unknown instance: no number.
            numbered(99, 0, "未知"),
        ]
        .concat();
        let bytes = docx_with(&body, Some(&numbering), None);
        assert_eq!(
            lines_of(&bytes),
            [
                "一、甲",
                "1.子",
                "2.丑",
                "二、乙",
                "1.寅",
                "五、丙",
                "六、丁",
                "1.卯",
                "2.辰",
                "1.巳",
                "无编号",
                "未知",
            ]
        );
    }

    #[test]
    fn docx_numbering_formats_and_multi_level_text() {
        let numbering = r#"<w:abstractNum w:abstractNumId="7"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl><w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="ideographTraditional"/><w:lvlText w:val="%4．"/></w:lvl><w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl><w:lvl w:ilvl="5"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%6)"/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="8"/></w:num>"#;
        let body = [
            numbered(1, 0, "总则"),
            numbered(1, 1, "目的"),
            numbered(1, 1, "范围"),
            numbered(1, 2, "甲项"),
            numbered(1, 2, "乙项"),
            numbered(1, 3, "细目"),
            numbered(1, 4, "要点"),
            numbered(1, 5, "小项"),
            numbered(1, 0, "职责"),
            numbered(1, 1, "分工"),
            numbered(2, 0, "为了规范……，制定本办法。"),
            numbered(2, 0, "本办法适用于……"),
        ]
        .concat();
        let bytes = docx_with(&body, Some(numbering), None);
        assert_eq!(
            lines_of(&bytes),
            [
                "1总则",
                "1.1目的",
                "1.2范围",
                "①甲项",
                "②乙项",
                "甲．细目",
                "要点",
                "(a)小项",
                "2职责",
                "2.1分工",
                "第一条为了规范……，制定本办法。",
                "第二条本办法适用于……",
            ]
        );
    }

    #[test]
    fn docx_numbering_from_paragraph_style() {
        let numbering = r#"<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="Heading1"/><w:lvlText w:val="第%1章"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="第%2条"/><w:lvlRestart w:val="0"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>"#;
        let styles = r#"<w:docDefaults/><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="5"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="ArticleBody"><w:basedOn w:val="Heading2"/></w:style>"#;
        let styled = |style: &str, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let body = [
            styled("Heading1", "总则"),
            styled("Heading2", "为了规范管理，制定本条例。"),
            styled("Normal", "普通段落"),
            styled("ArticleBody", "本条例适用于本市。"),
            styled("Heading1", "管理"),
            // lvlRestart 0: articles are numbered on across chapters.
            styled("Heading2", "市人民政府负责……"),
            // Direct numId 0 turns the style's numbering off.
            r#"<w:p><w:pPr><w:pStyle w:val="Heading2"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>不编号</w:t></w:r></w:p>"#.to_owned(),
        ]
        .concat();
        let bytes = docx_with(&body, Some(numbering), Some(styles));
        assert_eq!(
            lines_of(&bytes),
            [
                "第一章总则",
                "第一条为了规范管理，制定本条例。",
                "普通段落",
                "第二条本条例适用于本市。",
                "第二章管理",
                "第三条市人民政府负责……",
                "不编号",
            ]
        );
    }

    #[test]
    fn docx_numbering_alternate_content_uses_fallback() {
        let numbering = r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;
        let bytes = docx_with(&numbered(1, 0, "项"), Some(numbering), None);
        assert_eq!(lines_of(&bytes), ["01.项"]);
    }

    #[test]
    fn docx_parts_found_through_relationships() {
        let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>"#;
        let doc_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="../word/lists.xml"/></Relationships>"#;
        let numbering = format!(r#"<w:numbering {W_DECL}>{WORK_PLAN_NUMBERING}</w:numbering>"#);
        let document = document_xml(&numbered(1, 0, "总体要求"));
        let bytes = zip_of(&[
            ("_rels/.rels", rels),
            ("word/_rels/main.xml.rels", doc_rels),
            ("word/main.xml", &document),
            ("word/lists.xml", &numbering),
        ]);
        assert_eq!(lines_of(&bytes), ["一、总体要求"]);
    }

    #[test]
    fn docx_errors() {
        assert!(matches!(
            docx_to_text(b"PK\x03\x04 this is not really a zip file"),
            Err(DecodeError::BadDocx(_))
        ));
        assert!(matches!(
            decode_upload(Some("a.docx"), b"PK\x03\x04\x14\x00\x00\x00garbage"),
            Err(DecodeError::BadDocx(_))
        ));
        let no_document = zip_of(&[("word/styles.xml", "<w:styles/>"), ("readme.txt", "hi")]);
        let err = docx_to_text(&no_document).unwrap_err();
        assert!(matches!(&err, DecodeError::BadDocx(m) if m.contains("word/document.xml")));
        // The same package named as a spreadsheet is simply not supported.
        assert_eq!(
            decode_upload(Some("book.xlsx"), &no_document),
            Err(DecodeError::UnsupportedType)
        );
        let not_word = zip_of(&[(
            "word/document.xml",
            r#"<x:workbook xmlns:x="urn:other"><x:p>no</x:p></x:workbook>"#,
        )]);
        assert!(matches!(
            docx_to_text(&not_word),
            Err(DecodeError::BadDocx(_))
        ));
        let broken_xml = zip_of(&[(
            "word/document.xml",
            &document_xml("<w:p><w:r><w:t>unclosed</w:r></w:p>"),
        )]);
        assert!(matches!(
            docx_to_text(&broken_xml),
            Err(DecodeError::BadDocx(_))
        ));
        // A document without any text is an empty upload.
        let blank = docx_with("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>", None, None);
        assert_eq!(docx_to_text(&blank).unwrap(), "\n ");
        assert_eq!(
            decode_upload(Some("a.docx"), &blank),
            Err(DecodeError::Empty)
        );
    }

    #[test]
    fn docx_size_limit_on_main_document() {
        let body = para(&"长".repeat(1000));
        let bytes = docx_with(&body, None, None);
        let err = docx_to_text_limited(&bytes, 1024).unwrap_err();
        assert!(matches!(&err, DecodeError::BadDocx(m) if m.contains("too large")));
        assert!(docx_to_text_limited(&bytes, 10_000).is_ok());
    }

    #[test]
    fn damaged_numbering_part_keeps_the_text() {
        let bytes = docx_with(&numbered(1, 0, "总体要求"), Some("<w:abstractNum"), None);
        assert_eq!(lines_of(&bytes), ["总体要求"]);
    }
}
