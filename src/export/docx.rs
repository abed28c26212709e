//! DOCX edition, the one offices edit further. Laid out after GB/T 9704-2012:
//!
//! - A4 (11906 × 16838 twips); margins top 37 mm, left 28 mm, right 26 mm, bottom 35 mm, so the
//!   text block is 156 × 225 mm;
//! - body in 仿宋_GB2312 三号 (16 pt), 22 lines a page (a line grid of 28.95 pt and exact line
//!   spacing) of 28 characters (character spacing tightened by 0.25 pt; a character grid would
//!   do the same in Word and WPS but LibreOffice spreads it over two cells a character);
//! - title in 方正小标宋简体 二号 (22 pt), centred; headings in 黑体;
//! - page numbers in the footer as `— 1 —` in 宋体 四号, odd pages right and even pages left, one
//!   character in from the edge;
//! - the table in 仿宋_GB2312 小四 (12 pt): one table, its header row repeated on every page
//!   (`w:tblHeader`), each section opened by a full-width heading row as in seed 002, merged
//!   submitter cells as `w:vMerge` restart/continue;
//! - every font named with its East Asian attribute (`w:eastAsia`) as well as `w:ascii`/`w:hAnsi`,
//!   so Word and WPS both use it; `fontTable.xml` names fallbacks (仿宋, 宋体, 黑体).
//!
//! The package is written directly (no document object tree): `document.xml` is streamed into
//! the zip in chunks, which keeps a 100k-row report fast and small in memory.

use std::io::{Cursor, Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{ExportError, push_xml_escaped};
use crate::domain::report::Report;

/// Page width and height, twips.
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
/// Margins, twips: 37 mm, 26 mm, 35 mm, 28 mm.
pub const MARGIN_TOP: u32 = 2098;
pub const MARGIN_RIGHT: u32 = 1474;
pub const MARGIN_BOTTOM: u32 = 1984;
pub const MARGIN_LEFT: u32 = 1588;
/// Width of the text block (156 mm), twips.
pub const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Line pitch of the body: 225 mm / 22 lines = 28.95 pt, in twips.
pub const LINE_PITCH: u32 = 579;

pub const BODY_FONT: &str = "仿宋_GB2312";
pub const TITLE_FONT: &str = "方正小标宋简体";
pub const HEADING_FONT: &str = "黑体";
pub const PAGE_NUMBER_FONT: &str = "宋体";

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Column widths in twips, adding up to the text width.
fn column_widths(columns: usize) -> &'static [u32] {
    if columns >= 5 {
        &[720, 1500, 3324, 1200, 2100]
    } else {
        &[720, 1800, 4124, 2200]
    }
}

/// Flush `document.xml` to the zip whenever this much is buffered.
const CHUNK: usize = 1 << 20;

/// The report as DOCX bytes.
pub fn render(model: &Report) -> Result<Vec<u8>, ExportError> {
    let rows: usize = model.sections.iter().map(|s| s.rows.len()).sum();
    let cursor = write(
        model,
        Cursor::new(Vec::with_capacity(16 * 1024 + rows * 160)),
    )?;
    Ok(cursor.into_inner())
}

/// The report as DOCX, written into `out` (a temporary file, for a download that should not
/// sit in memory whole); the same bytes as [`render`]. Returns `out`, positioned at its end.
pub fn write<W: Write + Seek>(model: &Report, out: W) -> Result<W, ExportError> {
    let rows: usize = model.sections.iter().map(|s| s.rows.len()).sum();
    let mut zip = ZipWriter::new(out);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1));

    zip.start_file("[Content_Types].xml", options)?;
    zip.write_all(CONTENT_TYPES.as_bytes())?;
    zip.start_file("_rels/.rels", options)?;
    zip.write_all(PACKAGE_RELS.as_bytes())?;
    zip.start_file("docProps/core.xml", options)?;
    zip.write_all(core_properties(&model.title).as_bytes())?;
    zip.start_file("docProps/app.xml", options)?;
    zip.write_all(APP_PROPERTIES.as_bytes())?;
    zip.start_file("word/_rels/document.xml.rels", options)?;
    zip.write_all(DOCUMENT_RELS.as_bytes())?;
    zip.start_file("word/styles.xml", options)?;
    zip.write_all(styles().as_bytes())?;
    zip.start_file("word/settings.xml", options)?;
    zip.write_all(SETTINGS.as_bytes())?;
    zip.start_file("word/fontTable.xml", options)?;
    zip.write_all(FONT_TABLE.as_bytes())?;
    zip.start_file("word/footer1.xml", options)?;
    zip.write_all(footer("right", "w:right").as_bytes())?;
    zip.start_file("word/footer2.xml", options)?;
    zip.write_all(footer("left", "w:left").as_bytes())?;

    zip.start_file("word/document.xml", options.large_file(rows > 200_000))?;
    write_document(model, &mut zip)?;

    Ok(zip.finish()?)
}

fn write_document<W: Write>(model: &Report, out: &mut W) -> Result<(), ExportError> {
    let mut x = String::with_capacity(CHUNK + 64 * 1024);
    x.push_str(XML_DECL);
    x.push_str("<w:document xmlns:w=\"");
    x.push_str(W_NS);
    x.push_str("\" xmlns:r=\"");
    x.push_str(R_NS);
    x.push_str("\"><w:body>");

    // Title.
    x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportTitle\"/></w:pPr>");
    run(&mut x, Some(TITLE_FONT), &model.title);
    x.push_str("</w:p>");

    if let Some(summary) = &model.summary {
        body_paragraphs(&mut x, summary);
    }

    if !model.is_empty() {
        let columns = model.columns();
        let widths = column_widths(columns.len());
        let span = columns.len();
        x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"");
        push_u32(&mut x, TEXT_WIDTH);
        x.push_str(
            "\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
             <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar>\
             <w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/>\
             </w:tblCellMar><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" \
             w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
        );
        for w in widths {
            x.push_str("<w:gridCol w:w=\"");
            push_u32(&mut x, *w);
            x.push_str("\"/>");
        }
        x.push_str("</w:tblGrid>");

        // Header row, repeated on every page.
        x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (i, label) in columns.iter().enumerate() {
            x.push_str("<w:tc><w:tcPr><w:tcW w:w=\"");
            push_u32(&mut x, widths.get(i).copied().unwrap_or(1000));
            x.push_str("\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>");
            x.push_str("<w:p><w:pPr><w:pStyle w:val=\"TableHeader\"/></w:pPr>");
            run(&mut x, Some(HEADING_FONT), label);
            x.push_str("</w:p></w:tc>");
        }
        x.push_str("</w:tr>");

        for section in &model.sections {
            if section.rows.is_empty() {
                continue;
            }
            if !section.title.is_empty() {
                x.push_str(
                    "<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val=\"",
                );
                push_u32(&mut x, u32::try_from(span).unwrap_or(4));
                x.push_str("\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableSection\"/></w:pPr>");
                run(&mut x, Some(HEADING_FONT), &section.title);
                x.push_str("</w:p></w:tc></w:tr>");
            }
            for row in &section.rows {
                x.push_str("<w:tr><w:tc><w:tcPr><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableCenter\"/></w:pPr><w:r><w:t>");
                push_u32(&mut x, row.number);
                x.push_str("</w:t></w:r></w:p></w:tc>");
                match row.submitter_span {
                    0 => x.push_str(
                        "<w:tc><w:tcPr><w:vMerge w:val=\"continue\"/><w:vAlign w:val=\"center\"/></w:tcPr>\
                         <w:p><w:pPr><w:pStyle w:val=\"TableCenter\"/></w:pPr></w:p></w:tc>",
                    ),
                    1 => {
                        x.push_str("<w:tc><w:tcPr><w:vAlign w:val=\"center\"/></w:tcPr>");
                        cell_paragraphs(&mut x, "TableCenter", &row.submitter);
                        x.push_str("</w:tc>");
                    }
                    _ => {
                        x.push_str("<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/><w:vAlign w:val=\"center\"/></w:tcPr>");
                        cell_paragraphs(&mut x, "TableCenter", &row.submitter);
                        x.push_str("</w:tc>");
                    }
                }
                x.push_str("<w:tc>");
                cell_paragraphs(&mut x, "TableText", &row.opinion_display());
                x.push_str("</w:tc><w:tc>");
                cell_paragraphs(&mut x, "TableText", &row.decision);
                x.push_str("</w:tc>");
                if model.separate_reason_column {
                    x.push_str("<w:tc>");
                    cell_paragraphs(&mut x, "TableText", row.reason.as_deref().unwrap_or(""));
                    x.push_str("</w:tc>");
                }
                x.push_str("</w:tr>");
                if x.len() >= CHUNK {
                    out.write_all(x.as_bytes())?;
                    x.clear();
                }
            }
        }
        x.push_str("</w:tbl>");
    }

    match &model.closing {
        Some(closing) => body_paragraphs(&mut x, closing),
        // A body must not end with a table.
        None => x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportBody\"/></w:pPr></w:p>"),
    }

    document_end(&mut x);
    out.write_all(x.as_bytes())?;
    Ok(())
}

/// The page set-up (GB/T 9704 margins, the line grid, the page-number footers) and the end of
/// `word/document.xml`.
pub(super) fn document_end(x: &mut String) {
    x.push_str(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId4\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rId5\"/>",
    );
    x.push_str("<w:pgSz w:w=\"");
    push_u32(x, PAGE_WIDTH);
    x.push_str("\" w:h=\"");
    push_u32(x, PAGE_HEIGHT);
    x.push_str("\"/><w:pgMar w:top=\"");
    push_u32(x, MARGIN_TOP);
    x.push_str("\" w:right=\"");
    push_u32(x, MARGIN_RIGHT);
    x.push_str("\" w:bottom=\"");
    push_u32(x, MARGIN_BOTTOM);
    x.push_str("\" w:left=\"");
    push_u32(x, MARGIN_LEFT);
    // Page number line 7 mm below the text block.
    x.push_str("\" w:header=\"851\" w:footer=\"1304\" w:gutter=\"0\"/><w:cols w:space=\"425\"/>");
    // 22 lines: a line grid of 28.95 pt. The 28 characters a line come from the body style's
    // character spacing rather than a character grid, which LibreOffice lays out differently
    // from Word and WPS.
    x.push_str("<w:docGrid w:type=\"lines\" w:linePitch=\"");
    push_u32(x, LINE_PITCH);
    x.push_str("\"/></w:sectPr></w:body></w:document>");
}

fn push_u32(x: &mut String, n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        x.push(char::from(b));
    }
}

/// A run; with `font`, the font is named explicitly (East Asian and Latin).
pub(super) fn run(x: &mut String, font: Option<&str>, text: &str) {
    x.push_str("<w:r>");
    if let Some(font) = font {
        x.push_str("<w:rPr>");
        fonts(x, font);
        x.push_str("</w:rPr>");
    }
    x.push_str("<w:t xml:space=\"preserve\">");
    push_xml_escaped(x, text);
    x.push_str("</w:t></w:r>");
}

fn fonts(x: &mut String, font: &str) {
    x.push_str("<w:rFonts w:ascii=\"");
    x.push_str(font);
    x.push_str("\" w:eastAsia=\"");
    x.push_str(font);
    x.push_str("\" w:hAnsi=\"");
    x.push_str(font);
    x.push_str("\" w:hint=\"eastAsia\"/>");
}

/// Body paragraphs (first line indented two characters), one per line of `text`.
fn body_paragraphs(x: &mut String, text: &str) {
    for line in text.split('\n') {
        x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportBody\"/></w:pPr>");
        run(x, Some(BODY_FONT), line.trim_end_matches('\r'));
        x.push_str("</w:p>");
    }
}

/// The paragraphs of a table cell, one per line of `text` (a cell needs at least one).
fn cell_paragraphs(x: &mut String, style: &str, text: &str) {
    for line in text.split('\n') {
        x.push_str("<w:p><w:pPr><w:pStyle w:val=\"");
        x.push_str(style);
        x.push_str("\"/></w:pPr>");
        let line = line.trim_end_matches('\r');
        if !line.is_empty() {
            x.push_str("<w:r><w:t xml:space=\"preserve\">");
            push_xml_escaped(x, line);
            x.push_str("</w:t></w:r>");
        }
        x.push_str("</w:p>");
    }
}

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>",
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>",
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>",
    "<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>",
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>",
    "<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>",
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
    "</Types>"
);

const PACKAGE_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>",
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>",
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>",
    "<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>",
    "</Relationships>"
);

const APP_PROPERTIES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">",
    "<Application>yijian</Application></Properties>"
);

const SETTINGS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>",
    "<w:characterSpacingControl w:val=\"compressPunctuation\"/>",
    "<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>",
    "<w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>",
    "</w:settings>"
);

const FONT_TABLE: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"宋体\"/><w:charset w:val=\"86\"/><w:family w:val=\"script\"/><w:pitch w:val=\"default\"/></w:font>",
    "<w:font w:name=\"黑体\"><w:altName w:val=\"SimHei\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"宋体\"><w:altName w:val=\"SimSun\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
    "</w:fonts>"
);

fn core_properties(title: &str) -> String {
    let mut x = String::with_capacity(512 + title.len());
    x.push_str(XML_DECL);
    x.push_str(
        "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>",
    );
    push_xml_escaped(&mut x, title);
    x.push_str("</dc:title><dc:language>zh-CN</dc:language></cp:coreProperties>");
    x
}

/// Paragraph and character styles; the table styles carry their fonts so the many table cells
/// need no run properties of their own.
fn styles() -> String {
    let mut x = String::with_capacity(4096);
    x.push_str(XML_DECL);
    x.push_str("<w:styles xmlns:w=\"");
    x.push_str(W_NS);
    x.push_str("\"><w:docDefaults><w:rPrDefault><w:rPr>");
    fonts(&mut x, BODY_FONT);
    x.push_str(
        "<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/><w:spacing w:line=\"",
    );
    push_u32(&mut x, LINE_PITCH);
    x.push_str(
        "\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
    );

    // The character grid is measured from the Normal style's font size: name it there.
    x.push_str(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:rPr>",
    );
    fonts(&mut x, BODY_FONT);
    x.push_str("<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>");

    x.push_str(
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"ReportTitle\"><w:name w:val=\"Report Title\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"ReportBody\"/><w:qFormat/><w:pPr><w:spacing w:after=\"",
    );
    push_u32(&mut x, LINE_PITCH);
    x.push_str("\" w:line=\"");
    push_u32(&mut x, LINE_PITCH);
    x.push_str("\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>");
    fonts(&mut x, TITLE_FONT);
    x.push_str("<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>");

    x.push_str(
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"ReportBody\"><w:name w:val=\"Report Body\"/>\
         <w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr><w:rPr>",
    );
    fonts(&mut x, BODY_FONT);
    // 16 pt less 0.25 pt a character: 28 characters (441 pt) fit the 156 mm line, 29 do not.
    x.push_str(
        "<w:spacing w:val=\"-5\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>",
    );

    for (id, name, font, jc) in [
        ("TableHeader", "Report Table Header", HEADING_FONT, "center"),
        ("TableSection", "Report Table Section", HEADING_FONT, "left"),
        ("TableText", "Report Table Text", BODY_FONT, "both"),
        ("TableCenter", "Report Table Centred", BODY_FONT, "center"),
    ] {
        x.push_str("<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"");
        x.push_str(id);
        x.push_str("\"><w:name w:val=\"");
        x.push_str(name);
        x.push_str(
            "\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:snapToGrid w:val=\"0\"/>\
             <w:spacing w:line=\"360\" w:lineRule=\"exact\"/><w:jc w:val=\"",
        );
        x.push_str(jc);
        x.push_str("\"/></w:pPr><w:rPr>");
        fonts(&mut x, font);
        x.push_str("<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>");
    }

    x.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr>",
    );
    fonts(&mut x, PAGE_NUMBER_FONT);
    x.push_str("<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style></w:styles>");
    x
}

/// A footer with the page number as `— N —`, aligned to `jc` and one character (14 pt) in
/// from that edge.
fn footer(jc: &str, indent_attr: &str) -> String {
    let mut x = String::with_capacity(1024);
    x.push_str(XML_DECL);
    x.push_str("<w:ftr xmlns:w=\"");
    x.push_str(W_NS);
    x.push_str("\" xmlns:r=\"");
    x.push_str(R_NS);
    x.push_str("\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:ind ");
    x.push_str(indent_attr);
    x.push_str("=\"280\"/><w:jc w:val=\"");
    x.push_str(jc);
    x.push_str("\"/></w:pPr>");
    let rpr = |x: &mut String| {
        x.push_str("<w:rPr>");
        fonts(x, PAGE_NUMBER_FONT);
        x.push_str("<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>");
    };
    x.push_str("<w:r>");
    rpr(&mut x);
    x.push_str("<w:t xml:space=\"preserve\">— </w:t></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:t>1</w:t></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:fldChar w:fldCharType=\"end\"/></w:r><w:r>");
    rpr(&mut x);
    x.push_str("<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>");
    x
}

/// The comparison table of two versions (修改前后对照表) as DOCX bytes: the same page, fonts
/// and table style as the report; added text bold and underlined, deleted text struck through.
pub fn render_comparison(c: &super::comparison::Comparison) -> Result<Vec<u8>, ExportError> {
    let title = c.heading();
    package(&title, &comparison_document(c, &title))
}

/// A whole DOCX package around `document` (the `word/document.xml` part, written with the
/// styles, fonts and footers of this module): for documents small enough to build in memory.
pub(super) fn package(title: &str, document: &str) -> Result<Vec<u8>, ExportError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(
        16 * 1024 + document.len() / 4,
    )));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1));
    let parts: [(&str, String); 10] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", PACKAGE_RELS.to_string()),
        ("docProps/core.xml", core_properties(title)),
        ("docProps/app.xml", APP_PROPERTIES.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/styles.xml", styles()),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/fontTable.xml", FONT_TABLE.to_string()),
        ("word/footer1.xml", footer("right", "w:right")),
        ("word/footer2.xml", footer("left", "w:left")),
    ];
    for (name, body) in parts {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
    }
    zip.start_file("word/document.xml", options)?;
    zip.write_all(document.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// The opening of `word/document.xml`, up to the body's first paragraph.
pub(super) fn document_start(x: &mut String) {
    x.push_str(XML_DECL);
    x.push_str("<w:document xmlns:w=\"");
    x.push_str(W_NS);
    x.push_str("\" xmlns:r=\"");
    x.push_str(R_NS);
    x.push_str("\"><w:body>");
}

fn comparison_document(c: &super::comparison::Comparison, title: &str) -> String {
    use super::comparison::{COLUMNS, Mark, pieces};
    let widths = [
        TEXT_WIDTH * 2 / 5,
        TEXT_WIDTH * 2 / 5,
        TEXT_WIDTH - TEXT_WIDTH * 4 / 5,
    ];
    let mut x = String::with_capacity(8 * 1024 + c.rows.len() * 512);
    x.push_str(XML_DECL);
    x.push_str("<w:document xmlns:w=\"");
    x.push_str(W_NS);
    x.push_str("\" xmlns:r=\"");
    x.push_str(R_NS);
    x.push_str("\"><w:body>");
    x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportTitle\"/></w:pPr>");
    run(&mut x, Some(TITLE_FONT), title);
    x.push_str("</w:p>");
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"");
    push_u32(&mut x, TEXT_WIDTH);
    x.push_str(
        "\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar>\
         <w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/>\
         </w:tblCellMar></w:tblPr><w:tblGrid>",
    );
    for w in widths {
        x.push_str("<w:gridCol w:w=\"");
        push_u32(&mut x, w);
        x.push_str("\"/>");
    }
    x.push_str("</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (i, label) in COLUMNS.iter().enumerate() {
        x.push_str("<w:tc><w:tcPr><w:tcW w:w=\"");
        push_u32(&mut x, widths[i]);
        x.push_str("\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>");
        x.push_str("<w:p><w:pPr><w:pStyle w:val=\"TableHeader\"/></w:pPr>");
        run(&mut x, Some(HEADING_FONT), label);
        x.push_str("</w:p></w:tc>");
    }
    x.push_str("</w:tr>");
    for row in &c.rows {
        x.push_str("<w:tr>");
        for after in [false, true] {
            x.push_str("<w:tc><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr>");
            for (mark, text) in pieces(row, after) {
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        x.push_str("</w:p><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr>");
                    }
                    if line.is_empty() {
                        continue;
                    }
                    x.push_str("<w:r>");
                    match mark {
                        Mark::Plain => {}
                        Mark::Added => x.push_str("<w:rPr><w:b/><w:u w:val=\"single\"/></w:rPr>"),
                        Mark::Deleted => x.push_str("<w:rPr><w:strike/></w:rPr>"),
                    }
                    x.push_str("<w:t xml:space=\"preserve\">");
                    push_xml_escaped(&mut x, line);
                    x.push_str("</w:t></w:r>");
                }
            }
            x.push_str("</w:p></w:tc>");
        }
        x.push_str("<w:tc>");
        cell_paragraphs(&mut x, "TableText", &row.note);
        x.push_str("</w:tc></w:tr>");
    }
    x.push_str("</w:tbl><w:p><w:pPr><w:pStyle w:val=\"ReportBody\"/></w:pPr></w:p>");
    x.push_str(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId4\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rId5\"/><w:pgSz w:w=\"",
    );
    push_u32(&mut x, PAGE_WIDTH);
    x.push_str("\" w:h=\"");
    push_u32(&mut x, PAGE_HEIGHT);
    x.push_str("\"/><w:pgMar w:top=\"");
    push_u32(&mut x, MARGIN_TOP);
    x.push_str("\" w:right=\"");
    push_u32(&mut x, MARGIN_RIGHT);
    x.push_str("\" w:bottom=\"");
    push_u32(&mut x, MARGIN_BOTTOM);
    x.push_str("\" w:left=\"");
    push_u32(&mut x, MARGIN_LEFT);
    x.push_str("\" w:header=\"851\" w:footer=\"1304\" w:gutter=\"0\"/><w:cols w:space=\"425\"/>");
    x.push_str("<w:docGrid w:type=\"lines\" w:linePitch=\"");
    push_u32(&mut x, LINE_PITCH);
    x.push_str("\"/></w:sectPr></w:body></w:document>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Edition, Row, Section};
    use std::io::Read;

    fn row(number: u32, submitter: &str, span: u32, opinion: &str, decision: &str) -> Row {
        Row {
            number,
            submitter: submitter.into(),
            submitter_span: span,
            opinion: opinion.into(),
            decision: decision.into(),
            reason: None,
            count: 1,
        }
    }

    fn sample() -> Report {
        let columns: Vec<String> = ["序号", "单位/个人", "修改意见", "是否采纳"]
            .map(String::from)
            .to_vec();
        Report {
            title: "关于《武汉建设国家人工智能创新应用先导区实施方案(2023-2025年)(征求意见稿)》公开征求意见情况的报告".into(),
            summary: Some("共收到意见建议5条，其中采纳4条，部分采纳1条，未采纳0条。".into()),
            sections: vec![
                Section {
                    title: "一、公开网站征求意见采纳情况".into(),
                    columns: columns.clone(),
                    rows: vec![
                        row(1, "华中科技大学王*", 2, "缺失清晰的、可视化的示意图。", "已采纳，调整了先导方向和建设内容"),
                        row(2, "华中科技大学王*", 0, "第一段 <a&b>\n第二段", "部分采纳，已对相关内容进行调整。"),
                    ],
                },
                Section {
                    title: "二、相关部门意见采纳情况".into(),
                    columns,
                    rows: vec![
                        row(1, "市卫健委", 1, "意见三", "已采纳"),
                        row(2, "市科技局", 2, "意见四", "已采纳"),
                        row(3, "市科技局", 0, "意见五", "已采纳"),
                    ],
                },
            ],
            closing: Some("市教育局等其他相关单位，江岸区政府等区(开发区)无修改意见。".into()),
            edition: Edition::Internal,
            separate_reason_column: false,
        }
    }

    fn parts(bytes: &[u8]) -> zip::ZipArchive<Cursor<&[u8]>> {
        zip::ZipArchive::new(Cursor::new(bytes)).unwrap()
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = parts(bytes);
        let mut file = zip.by_name(name).unwrap();
        let mut s = String::new();
        file.read_to_string(&mut s).unwrap();
        s
    }

    /// Texts of the `w:t` elements of each table cell (one line per paragraph), in order.
    fn cells(document: &str) -> Vec<String> {
        document
            .split("<w:tc>")
            .skip(1)
            .map(|tc| {
                let tc = tc.split("</w:tc>").next().unwrap();
                tc.split("<w:p>")
                    .skip(1)
                    .map(|p| {
                        let mut text = String::new();
                        let mut rest = p;
                        while let Some(at) = rest.find("<w:t") {
                            let after = &rest[at + 4..];
                            if after.starts_with('>') || after.starts_with(' ') {
                                let start = after.find('>').unwrap() + 1;
                                let end = after.find("</w:t>").unwrap();
                                text.push_str(&after[start..end]);
                                rest = &after[end..];
                            } else {
                                rest = after;
                            }
                        }
                        text
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }

    #[test]
    fn package_is_complete() {
        let bytes = render(&sample()).unwrap();
        let zip = parts(&bytes);
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "docProps/app.xml",
                "docProps/core.xml",
                "word/_rels/document.xml.rels",
                "word/document.xml",
                "word/fontTable.xml",
                "word/footer1.xml",
                "word/footer2.xml",
                "word/settings.xml",
                "word/styles.xml",
            ]
        );
        // Every relationship target exists and every part has a content type.
        let types = part(&bytes, "[Content_Types].xml");
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        for target in [
            "styles.xml",
            "settings.xml",
            "fontTable.xml",
            "footer1.xml",
            "footer2.xml",
        ] {
            assert!(rels.contains(&format!("Target=\"{target}\"")));
            assert!(types.contains(&format!("PartName=\"/word/{target}\"")));
        }
        assert!(part(&bytes, "docProps/core.xml").contains("<dc:title>关于《武汉建设"));
    }

    #[test]
    fn layout_follows_gb_t_9704() {
        let bytes = render(&sample()).unwrap();
        let doc = part(&bytes, "word/document.xml");
        assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
        assert!(doc.contains(
            "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\""
        ));
        assert_eq!(TEXT_WIDTH, 8844); // 156 mm
        assert_eq!(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, 12756); // 225 mm
        assert!(doc.contains("<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/>"));
        // 28 characters of 三号 (16 pt, tightened by 0.25 pt) fill the 156 mm line, 29 do not.
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains("<w:spacing w:val=\"-5\"/><w:sz w:val=\"32\"/>"));
        let line_pt = f64::from(TEXT_WIDTH) / 20.0;
        assert!((28.0 * 15.75..29.0 * 15.75).contains(&line_pt));
        // Fonts named with their East Asian attribute.
        assert!(doc.contains(
            "w:ascii=\"方正小标宋简体\" w:eastAsia=\"方正小标宋简体\" w:hAnsi=\"方正小标宋简体\""
        ));
        assert!(doc.contains(
            "w:ascii=\"仿宋_GB2312\" w:eastAsia=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\""
        ));
        assert!(doc.contains("w:eastAsia=\"黑体\""));
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains("<w:sz w:val=\"44\"/>"), "title 二号");
        assert!(styles.contains("<w:sz w:val=\"32\"/>"), "body 三号");
        assert!(styles.contains("<w:spacing w:line=\"579\" w:lineRule=\"exact\"/>"));
        assert!(styles.contains("<w:sz w:val=\"24\"/>"), "table 小四");
        assert!(styles.contains("w:eastAsia=\"仿宋_GB2312\""));
        // Page numbers in both footers, odd and even pages told apart.
        for f in ["word/footer1.xml", "word/footer2.xml"] {
            let footer = part(&bytes, f);
            assert!(footer.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"));
            assert!(footer.contains("— </w:t>") && footer.contains("> —</w:t>"));
            assert!(footer.contains("w:eastAsia=\"宋体\""));
        }
        assert!(doc.contains("<w:footerReference w:type=\"default\" r:id=\"rId4\"/>"));
        assert!(doc.contains("<w:footerReference w:type=\"even\" r:id=\"rId5\"/>"));
        assert!(part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
    }

    #[test]
    fn table_has_repeated_header_merged_cells_and_texts() {
        let bytes = render(&sample()).unwrap();
        let doc = part(&bytes, "word/document.xml");
        assert_eq!(doc.matches("<w:tblHeader/>").count(), 1);
        assert!(doc.contains("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"));
        assert_eq!(doc.matches("<w:vMerge w:val=\"restart\"/>").count(), 2);
        assert_eq!(doc.matches("<w:vMerge w:val=\"continue\"/>").count(), 2);
        assert_eq!(doc.matches("<w:gridSpan w:val=\"4\"/>").count(), 2);

        let cells = cells(&doc);
        let expected: Vec<&str> = vec![
            "序号",
            "单位/个人",
            "修改意见",
            "是否采纳",
            "一、公开网站征求意见采纳情况",
            "1",
            "华中科技大学王*",
            "缺失清晰的、可视化的示意图。",
            "已采纳，调整了先导方向和建设内容",
            "2",
            "",
            "第一段 &lt;a&amp;b&gt;\n第二段",
            "部分采纳，已对相关内容进行调整。",
            "二、相关部门意见采纳情况",
            "1",
            "市卫健委",
            "意见三",
            "已采纳",
            "2",
            "市科技局",
            "意见四",
            "已采纳",
            "3",
            "",
            "意见五",
            "已采纳",
        ];
        assert_eq!(cells, expected);
        // Title, summary and closing outside the table.
        assert!(doc.contains("<w:pStyle w:val=\"ReportTitle\"/>"));
        assert!(doc.contains("共收到意见建议5条"));
        assert!(doc.contains("市教育局等其他相关单位，江岸区政府等区(开发区)无修改意见。</w:t>"));
    }

    #[test]
    fn reason_column_widths_add_up() {
        assert_eq!(column_widths(4).iter().sum::<u32>(), TEXT_WIDTH);
        assert_eq!(column_widths(5).iter().sum::<u32>(), TEXT_WIDTH);
        let mut report = sample();
        report.separate_reason_column = true;
        for s in &mut report.sections {
            s.columns.push("理由".into());
        }
        report.sections[1].rows[0].reason = Some("理由文字".into());
        let doc = part(&render(&report).unwrap(), "word/document.xml");
        assert_eq!(doc.matches("<w:gridCol ").count(), 5);
        assert!(doc.contains("<w:gridSpan w:val=\"5\"/>"));
        assert!(cells(&doc).contains(&"理由文字".to_string()));
    }

    #[test]
    fn empty_report_and_hostile_text_stay_valid() {
        let report = Report {
            title: "关于《a\u{1}b》的报告".into(),
            summary: Some("征求意见期间，未收到意见建议。".into()),
            sections: vec![],
            closing: None,
            edition: Edition::Public,
            separate_reason_column: false,
        };
        let doc = part(&render(&report).unwrap(), "word/document.xml");
        assert!(!doc.contains("<w:tbl>"));
        assert!(doc.contains("关于《ab》的报告"));
        assert!(doc.contains("征求意见期间，未收到意见建议。"));
        assert!(doc.ends_with("</w:sectPr></w:body></w:document>"));
    }

    #[test]
    fn numbers() {
        for n in [0u32, 7, 10, 4096, u32::MAX] {
            let mut s = String::new();
            push_u32(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
