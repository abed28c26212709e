//! The comparison table of two versions (修改前后对照表): 原条文 | 修改后条文 | 修改说明, in
//! JSON, HTML (`<ins>`/`<del>`), DOCX (GB/T 9704 page, added text bold and underlined,
//! deleted text struck through) and XLSX (the same marks as rich text).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, FormatUnderline, Workbook};
use serde::Serialize;

use super::{ExportError, push_xml_escaped};
use crate::domain::revision::{Change, Kind};

/// The three column headings.
pub const COLUMNS: [&str; 3] = ["原条文", "修改后条文", "修改说明"];

/// One clause in a cell of the table.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseCell {
    pub clause_id: String,
    pub label: String,
    pub text: String,
}

/// One row: the clauses before and after, the character changes, the opinions that led to
/// the change and the note that cites them.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub kind: Kind,
    pub renumbered: bool,
    pub before: Vec<ClauseCell>,
    pub after: Vec<ClauseCell>,
    pub changes: Vec<Change>,
    pub opinion_ids: Vec<String>,
    pub note: String,
    /// What the office wrote about this change (修改说明), part of `note`.
    pub office_note: Option<String>,
}

impl ComparisonRow {
    /// The clause an office note on this row is kept under: the first clause after, or before
    /// for a deleted one.
    pub fn key(&self) -> Option<&str> {
        self.after
            .first()
            .or(self.before.first())
            .map(|c| c.clause_id.as_str())
    }
}

/// The comparison of version `from` with version `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub consultation_id: String,
    pub title: String,
    pub from: i64,
    pub to: i64,
    pub from_label: String,
    pub to_label: String,
    pub rows: Vec<ComparisonRow>,
}

impl Comparison {
    /// The document title: `{title}（{from_label}与{to_label}）修改前后对照表`.
    pub fn heading(&self) -> String {
        format!(
            "{}修改前后对照表（{}与{}）",
            self.title, self.from_label, self.to_label
        )
    }
}

/// The word for a kind of change, as the note column starts.
pub fn kind_label(kind: Kind, renumbered: bool) -> &'static str {
    match kind {
        Kind::Unchanged if renumbered => "条序调整",
        Kind::Unchanged => "未修改",
        Kind::Modified => "修改",
        Kind::Added => "新增",
        Kind::Deleted => "删除",
        Kind::Moved => "移动",
        Kind::Split => "拆分",
        Kind::Merged => "合并",
    }
}

/// A piece of a cell: plain, added or deleted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    Added,
    Deleted,
}

/// The pieces of the before (`after == false`) or after cell of a row, labels first.
pub fn pieces(row: &ComparisonRow, after: bool) -> Vec<(Mark, String)> {
    let cells = if after { &row.after } else { &row.before };
    let mut out: Vec<(Mark, String)> = Vec::new();
    let labels: Vec<&str> = cells
        .iter()
        .map(|c| c.label.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    let whole = match (row.kind, after) {
        (Kind::Added, true) => Mark::Added,
        (Kind::Deleted, false) => Mark::Deleted,
        _ => Mark::Plain,
    };
    if !row.changes.is_empty() && !cells.is_empty() {
        if !labels.is_empty() {
            out.push((Mark::Plain, format!("{} ", labels.join("、"))));
        }
        for c in &row.changes {
            match (c, after) {
                (Change::Same(s), _) => out.push((Mark::Plain, s.clone())),
                (Change::Added(s), true) => out.push((Mark::Added, s.clone())),
                (Change::Deleted(s), false) => out.push((Mark::Deleted, s.clone())),
                _ => {}
            }
        }
        return out;
    }
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push((Mark::Plain, "\n".into()));
        }
        if !c.label.is_empty() {
            out.push((whole, format!("{} ", c.label)));
        }
        out.push((whole, c.text.clone()));
    }
    out
}

fn push_html_text(x: &mut String, s: &str) {
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            x.push_str("<br>");
        }
        push_xml_escaped(x, line);
    }
}

/// The table as an HTML fragment, `<ins>` and `<del>` marking the changes.
pub fn html_table(c: &Comparison) -> String {
    let mut x = String::with_capacity(1024 + c.rows.len() * 256);
    x.push_str("<table class=\"comparison\"><thead><tr>");
    for h in COLUMNS {
        x.push_str("<th scope=\"col\">");
        x.push_str(h);
        x.push_str("</th>");
    }
    x.push_str("</tr></thead><tbody>");
    for row in &c.rows {
        x.push_str("<tr class=\"");
        x.push_str(match row.kind {
            Kind::Unchanged => "unchanged",
            Kind::Modified => "modified",
            Kind::Added => "added",
            Kind::Deleted => "deleted",
            Kind::Moved => "moved",
            Kind::Split => "split",
            Kind::Merged => "merged",
        });
        x.push_str("\">");
        for after in [false, true] {
            x.push_str("<td>");
            for (m, s) in pieces(row, after) {
                match m {
                    Mark::Plain => push_html_text(&mut x, &s),
                    Mark::Added => {
                        x.push_str("<ins>");
                        push_html_text(&mut x, &s);
                        x.push_str("</ins>");
                    }
                    Mark::Deleted => {
                        x.push_str("<del>");
                        push_html_text(&mut x, &s);
                        x.push_str("</del>");
                    }
                }
            }
            x.push_str("</td>");
        }
        x.push_str("<td>");
        push_html_text(&mut x, &row.note);
        x.push_str("</td></tr>");
    }
    x.push_str("</tbody></table>");
    x
}

/// A whole HTML document of the table.
pub fn html_document(c: &Comparison) -> String {
    let mut x =
        String::from("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
    push_xml_escaped(&mut x, &c.heading());
    x.push_str(
        "</title><style>table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;\
         padding:4px;vertical-align:top}ins{font-weight:bold;text-decoration:underline}\
         del{text-decoration:line-through}</style></head><body><h1>",
    );
    push_xml_escaped(&mut x, &c.heading());
    x.push_str("</h1>");
    x.push_str(&html_table(c));
    x.push_str("</body></html>");
    x
}

/// The table as XLSX: the title, the header row and one row per change, the changes marked in
/// rich text.
pub fn xlsx(c: &Comparison) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(c.heading()));
    let sheet = workbook.add_worksheet();
    sheet.set_name("修改前后对照表")?;
    let title = Format::new()
        .set_font_name(super::docx::TITLE_FONT)
        .set_font_size(18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let header = Format::new()
        .set_font_name(super::docx::HEADING_FONT)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_font_name(super::docx::BODY_FONT)
        .set_align(FormatAlign::Top)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let plain = Format::new().set_font_name(super::docx::BODY_FONT);
    let added = Format::new()
        .set_font_name(super::docx::BODY_FONT)
        .set_bold()
        .set_underline(FormatUnderline::Single);
    let deleted = Format::new()
        .set_font_name(super::docx::BODY_FONT)
        .set_font_strikethrough();
    sheet.set_column_width(0, 50.0)?;
    sheet.set_column_width(1, 50.0)?;
    sheet.set_column_width(2, 30.0)?;
    sheet.merge_range(0, 0, 0, 2, &c.heading(), &title)?;
    sheet.set_row_height(0, 40.0)?;
    for (i, h) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, i as u16, *h, &header)?;
    }
    sheet.set_repeat_rows(1, 1)?;
    for (i, row) in c.rows.iter().enumerate() {
        let r = u32::try_from(i + 2).unwrap_or(u32::MAX);
        for (col, after) in [(0u16, false), (1u16, true)] {
            let ps: Vec<(Mark, String)> = pieces(row, after)
                .into_iter()
                .filter(|(_, s)| !s.is_empty())
                .collect();
            if ps.is_empty() {
                sheet.write_blank(r, col, &cell)?;
                continue;
            }
            if ps.iter().all(|(m, _)| *m == Mark::Plain) {
                let s: String = ps.into_iter().map(|(_, s)| s).collect();
                sheet.write_string_with_format(r, col, s, &cell)?;
                continue;
            }
            let segs: Vec<(&Format, &str)> = ps
                .iter()
                .map(|(m, s)| {
                    let f = match m {
                        Mark::Plain => &plain,
                        Mark::Added => &added,
                        Mark::Deleted => &deleted,
                    };
                    (f, s.as_str())
                })
                .collect();
            sheet.write_rich_string_with_format(r, col, &segs, &cell)?;
        }
        sheet.write_string_with_format(r, 2, &row.note, &cell)?;
    }
    Ok(workbook.save_to_buffer()?)
}
