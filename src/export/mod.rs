//! Report renderers: one model in ([`crate::domain::report::Report`]), one format out.
//!
//! Every renderer is `render(&Report) -> Result<…, ExportError>`; none of them decides what goes
//! in the report (masking, order, wording are settled by the builder), so the editions agree.

pub mod comparison;
pub mod csv;
pub mod docx;
pub mod draft;
pub mod html;
pub mod json;
pub mod xlsx;

use crate::domain::report::Report;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the report failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("packing the document failed: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the spreadsheet failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("serializing the report failed: {0}")]
    Json(#[from] serde_json::Error),
}

/// The formats a report can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Html,
    Docx,
    Xlsx,
    Csv,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Html,
        Format::Docx,
        Format::Xlsx,
        Format::Csv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The format named by a `?format=` value.
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Html => "text/html; charset=utf-8",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// File extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }
}

/// Renders a report in a format (HTML as a full page). The bytes are UTF-8 for the text formats.
pub fn render(model: &Report, format: Format) -> Result<Vec<u8>, ExportError> {
    Ok(match format {
        Format::Json => json::render(model)?.into_bytes(),
        Format::Html => html::render_document(model)?.into_bytes(),
        Format::Docx => docx::render(model)?,
        Format::Xlsx => xlsx::render(model)?,
        Format::Csv => csv::render(model)?,
    })
}

/// Whether a format's rendering of a large report takes much memory and time (a document or
/// spreadsheet of every opinion): such downloads take turns (see `export_concurrency`).
pub fn is_large(format: Format) -> bool {
    matches!(format, Format::Docx | Format::Xlsx | Format::Csv)
}

/// Renders a report into a new temporary file under `dir` (removed when the file is closed),
/// so that a download is not held in memory whole; the same bytes as [`render`]. Returns the
/// file, rewound, and its length.
pub fn render_file(
    model: &Report,
    format: Format,
    dir: &std::path::Path,
) -> Result<(std::fs::File, u64), ExportError> {
    use std::io::{BufWriter, Seek, SeekFrom, Write};
    let file = tempfile::tempfile_in(dir)?;
    let out = BufWriter::with_capacity(256 * 1024, file);
    let mut out = match format {
        Format::Docx => docx::write(model, out)?,
        Format::Xlsx => xlsx::write(model, out)?,
        Format::Csv => csv::write(model, out)?,
        Format::Json | Format::Html => {
            let mut out = out;
            out.write_all(&render(model, format)?)?;
            out
        }
    };
    out.flush()?;
    let mut file = out
        .into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))?;
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, len))
}

/// Hands memory freed after a large rendering back to the system. glibc's allocator keeps
/// what each thread's arena freed for later; a few large exports on blocking threads would
/// otherwise leave the process hundreds of megabytes larger than it needs to be.
pub fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap memory to the system; it takes no pointers
    // and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A download file name for the report: its title, with characters that file systems refuse
/// replaced, and the format's extension.
pub fn file_name(model: &Report, format: Format) -> String {
    file_name_for(&model.title, format)
}

/// A download file name from a report title (see [`file_name`]).
pub fn file_name_for(title: &str, format: Format) -> String {
    let stem: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() { "report" } else { stem };
    format!("{stem}.{}", format.extension())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is below 0x40: every character that needs escaping in HTML or
/// XML (`& < > " '` and the control characters) is.
#[inline]
fn any_below_0x40(word: u64) -> bool {
    word.wrapping_sub(ONES * 0x40) & !word & HIGHS != 0
}

/// Whether any byte of `word` is `byte`.
#[inline]
fn any_equal(word: u64, byte: u8) -> bool {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// Index of the first byte at or after `from` that may need escaping: below 0x40, or 0xEF when
/// `lead_ef` (the lead byte of U+FFFE and U+FFFF). Eight bytes at a time; CJK text, whose
/// bytes are all 0x80 or above, is skipped quickly.
#[inline]
pub(crate) fn next_candidate(bytes: &[u8], mut from: usize, lead_ef: bool) -> usize {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        if any_below_0x40(word) || (lead_ef && any_equal(word, 0xEF)) {
            break;
        }
        from += 8;
    }
    while let Some(&b) = bytes.get(from) {
        if b < 0x40 || (lead_ef && b == 0xEF) {
            return from;
        }
        from += 1;
    }
    bytes.len()
}

/// Escapes text for XML content and attribute values, dropping the characters XML 1.0 cannot
/// carry (control characters other than tab, line feed and carriage return; U+FFFE, U+FFFF).
pub(crate) fn push_xml_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = next_candidate(bytes, 0, true);
    while let Some(&b) = bytes.get(i) {
        let (replacement, width) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F => ("", 1),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("", 3),
            _ => {
                i = next_candidate(bytes, i + 1, true);
                continue;
            }
        };
        // `i` and `i + width` are character boundaries: the bytes matched above are whole
        // characters.
        out.push_str(text.get(last..i).unwrap_or(""));
        out.push_str(replacement);
        last = i + width;
        i = next_candidate(bytes, last, true);
    }
    out.push_str(text.get(last..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape() {
        let mut s = String::new();
        push_xml_escaped(
            &mut s,
            "a<b>&\"c\"'d'\u{1}\u{7F}\u{FFFF}\u{FFFE}\u{FFFD}\t意见\n",
        );
        assert_eq!(
            s,
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\u{7F}\u{FFFD}\t意见\n"
        );
    }

    #[test]
    fn xml_escape_long_texts() {
        // Specials at every offset around the eight-byte steps.
        for pad in 0..20 {
            let prefix = "意".repeat(pad) + &"a".repeat(pad % 3);
            let text = format!("{prefix}<{prefix}\u{FFFE}，{prefix}&\u{2}");
            let mut s = String::new();
            push_xml_escaped(&mut s, &text);
            assert_eq!(s, format!("{prefix}&lt;{prefix}，{prefix}&amp;"));
        }
        for b in 0u8..0x80 {
            let c = char::from(b);
            let expected = match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&apos;".to_string(),
                '\t' | '\n' | '\r' | '\u{7F}' => c.to_string(),
                c if c.is_control() => String::new(),
                c => c.to_string(),
            };
            let mut s = String::new();
            push_xml_escaped(&mut s, &format!("全角文字全角文字{c}全角文字"));
            assert_eq!(s, format!("全角文字全角文字{expected}全角文字"), "{b:#x}");
        }
    }

    #[test]
    fn a_rendering_into_a_file_is_the_same_bytes() {
        use crate::domain::report::{Edition, Row, Section};
        use std::io::Read;
        let rows = (1..=300)
            .map(|n| Row {
                number: n,
                submitter: format!("单位{n}"),
                submitter_span: 1,
                opinion: format!("第{n}条意见：建议将“智慧医疗”改为<智慧医院>&说明。")
                    .repeat(n as usize % 7 + 1),
                decision: "部分采纳".into(),
                reason: (n % 2 == 0).then(|| "已调整。".to_string()),
                count: 1,
            })
            .collect();
        let report = Report {
            title: "关于《实施方案》的意见采纳情况".into(),
            summary: Some("共收到意见300条。".into()),
            sections: vec![Section {
                title: "一、公开网站征求意见采纳情况".into(),
                columns: ["序号", "单位/个人", "修改意见", "是否采纳", "理由"]
                    .map(String::from)
                    .to_vec(),
                rows,
            }],
            closing: None,
            edition: Edition::Internal,
            separate_reason_column: true,
        };
        let dir = tempfile::tempdir().unwrap();
        for f in Format::ALL {
            let (mut file, len) = render_file(&report, f, dir.path()).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            let expected = render(&report, f).unwrap();
            assert_eq!(len, expected.len() as u64, "{f:?}");
            assert!(bytes == expected, "{f:?}");
        }
        release_memory();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the temporary file has no name to leave behind"
        );
    }

    #[test]
    fn formats() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse("pdf"), None);
        let report = Report {
            title: "关于《a/b》的报告".into(),
            summary: None,
            sections: vec![],
            closing: None,
            edition: Default::default(),
            separate_reason_column: false,
        };
        assert_eq!(file_name(&report, Format::Docx), "关于《a_b》的报告.docx");
    }
}
