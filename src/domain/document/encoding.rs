//! Plain text uploads: size, kind and encoding sniffing (UTF-8, UTF-16, GB18030), line ends.

use super::*;

pub(super) fn check_size(bytes: &[u8]) -> Result<(), DecodeError> {
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

pub(super) fn extension_of(filename: &str) -> Option<String> {
    let name = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

pub(super) fn is_unsupported_format(bytes: &[u8]) -> bool {
    UNSUPPORTED_MAGIC.iter().any(|m| bytes.starts_with(m))
        || (bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP")
}

pub(super) fn decode_strict<'b>(
    encoding: &'static Encoding,
    bytes: &'b [u8],
) -> Result<Cow<'b, str>, DecodeError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(DecodeError::UnknownEncoding)
}

/// The error for bytes that are neither UTF-8 nor GB18030: binary data when
/// control bytes are common, otherwise text in some other encoding.
pub(super) fn undecodable(bytes: &[u8]) -> DecodeError {
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
pub(super) fn looks_binary_text(text: &str) -> bool {
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
pub(super) fn normalize_line_ends(text: &str) -> String {
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
