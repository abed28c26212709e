//! XLSX edition: one sheet. The title merged across the table's width, the summary under it, the
//! header row (repeated on every printed page), a merged full-width row per section heading,
//! merged submitter cells, wrapped text, the closing paragraph under the table. Printed on A4
//! portrait, one page wide.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::ExportError;
use crate::domain::report::Report;

/// Name of the sheet.
pub const SHEET_NAME: &str = "征求意见情况";

const FONT: &str = "仿宋_GB2312";
const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";

/// Column widths in Excel character units: 序号, submitter, opinion, decision[, 理由].
/// Five widths even for four columns: the last is used only with a 理由 column.
fn widths(columns: usize) -> &'static [f64; 5] {
    if columns >= 5 {
        &[6.0, 20.0, 52.0, 16.0, 30.0]
    } else {
        &[6.0, 22.0, 60.0, 34.0, 0.0]
    }
}

/// The report as XLSX bytes.
pub fn render(model: &Report) -> Result<Vec<u8>, ExportError> {
    Ok(workbook(model)?.save_to_buffer()?)
}

/// The report as XLSX, written into `out` (a temporary file); the same bytes as [`render`].
pub fn write<W: std::io::Write + std::io::Seek + Send>(
    model: &Report,
    mut out: W,
) -> Result<W, ExportError> {
    workbook(model)?.save_to_writer(&mut out)?;
    Ok(out)
}

fn workbook(model: &Report) -> Result<Workbook, ExportError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&model.title));
    let sheet = workbook.add_worksheet();
    fill(sheet, model)?;
    Ok(workbook)
}

fn fill(sheet: &mut Worksheet, model: &Report) -> Result<(), ExportError> {
    let columns = model.columns();
    let last_col = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);

    let title = Format::new()
        .set_font_name(TITLE_FONT)
        .set_font_size(18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let paragraph = Format::new()
        .set_font_name(FONT)
        .set_font_size(12)
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let header = Format::new()
        .set_font_name(HEADING_FONT)
        .set_font_size(12)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let section = Format::new()
        .set_font_name(HEADING_FONT)
        .set_font_size(12)
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::Top)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let centred = cell
        .clone()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);

    sheet.set_name(SHEET_NAME)?;
    let widths = widths(columns.len());
    for (col, width) in widths.iter().enumerate().take(columns.len()) {
        sheet.set_column_width(u16::try_from(col).unwrap_or(0), *width)?;
    }
    sheet.set_paper_size(9); // A4
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_footer("&C— &P —");

    let mut row: u32 = 0;
    merged(sheet, row, last_col, &model.title, &title)?;
    sheet.set_row_height(row, 48)?;
    row += 1;
    if let Some(summary) = &model.summary {
        merged(sheet, row, last_col, summary, &paragraph)?;
        let lines = line_count(summary, widths.iter().sum::<f64>() * 11.0 / 12.0);
        sheet.set_row_height(row, row_height(lines) * 16.0 / 14.5)?;
        row += 1;
    }

    if !model.is_empty() {
        for (col, label) in columns.iter().enumerate() {
            sheet.write_string_with_format(row, u16::try_from(col).unwrap_or(0), label, &header)?;
        }
        sheet.set_repeat_rows(row, row)?;
        row += 1;

        for s in &model.sections {
            if s.rows.is_empty() {
                continue;
            }
            if !s.title.is_empty() {
                merged(sheet, row, last_col, &s.title, &section)?;
                row += 1;
            }
            for r in &s.rows {
                // Rows are sized for their wrapped text: spreadsheet programs do not all grow
                // a row to fit on opening.
                let mut lines = line_count(&r.opinion_display(), widths[2])
                    .max(line_count(&r.decision, widths[3]));
                if model.separate_reason_column {
                    lines = lines.max(line_count(r.reason.as_deref().unwrap_or(""), widths[4]));
                }
                if r.submitter_span == 1 {
                    lines = lines.max(line_count(&r.submitter, widths[1]));
                }
                sheet.set_row_height(row, row_height(lines))?;
                sheet.write_number_with_format(row, 0, r.number, &centred)?;
                if r.submitter_span > 1 {
                    sheet.merge_range(
                        row,
                        1,
                        row + r.submitter_span - 1,
                        1,
                        &r.submitter,
                        &centred,
                    )?;
                } else if r.submitter_span == 1 {
                    sheet.write_string_with_format(row, 1, &r.submitter, &centred)?;
                }
                sheet.write_string_with_format(row, 2, r.opinion_display(), &cell)?;
                sheet.write_string_with_format(row, 3, &r.decision, &cell)?;
                if model.separate_reason_column {
                    sheet.write_string_with_format(
                        row,
                        4,
                        r.reason.as_deref().unwrap_or(""),
                        &cell,
                    )?;
                }
                row += 1;
            }
        }
    }

    if let Some(closing) = &model.closing {
        row += 1;
        merged(sheet, row, last_col, closing, &paragraph)?;
        // Merged cells do not grow to fit: size the row for the paragraph's length (12 pt).
        let lines = line_count(closing, widths.iter().sum::<f64>() * 11.0 / 12.0);
        sheet.set_row_height(row, row_height(lines) * 16.0 / 14.5)?;
    }
    Ok(())
}

/// Lines `text` takes in a column `width` characters wide (a CJK character counts two).
fn line_count(text: &str, width: f64) -> usize {
    let per_line = (width - 1.0).max(2.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum();
            ((units / per_line).ceil() as usize).max(1)
        })
        .sum()
}

/// Height in points of a row of `lines` lines of 11 pt text (Excel's limit is 409 pt).
fn row_height(lines: usize) -> f64 {
    (lines as f64 * 14.5 + 4.0).min(409.0)
}

/// Writes text into a full-width merged row.
fn merged(
    sheet: &mut Worksheet,
    row: u32,
    last_col: u16,
    text: &str,
    format: &Format,
) -> Result<(), ExportError> {
    if last_col == 0 {
        sheet.write_string_with_format(row, 0, text, format)?;
    } else {
        sheet.merge_range(row, 0, row, last_col, text, format)?;
    }
    Ok(())
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
            title: "关于《某方案》公开征求意见情况的报告".into(),
            summary: Some("共收到意见建议4条，其中采纳3条，部分采纳1条，未采纳0条。".into()),
            sections: vec![
                Section {
                    title: "一、公开网站征求意见采纳情况".into(),
                    columns: columns.clone(),
                    rows: vec![
                        row(
                            1,
                            "华中科技大学王*",
                            2,
                            "意见<一>&",
                            "已采纳，调整了先导方向",
                        ),
                        row(2, "华中科技大学王*", 0, "意见二", "部分采纳，已调整。"),
                    ],
                },
                Section {
                    title: "二、相关部门意见采纳情况".into(),
                    columns,
                    rows: vec![
                        row(1, "市卫健委", 1, "意见三", "已采纳"),
                        row(2, "市科技局", 1, "意见四", "采纳"),
                    ],
                },
            ],
            closing: Some("市教育局等其他相关单位，江岸区政府等区(开发区)无修改意见。".into()),
            edition: Edition::Internal,
            separate_reason_column: false,
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut file = zip.by_name(name).unwrap();
        let mut s = String::new();
        file.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn workbook_holds_texts_and_merges() {
        let bytes = render(&sample()).unwrap();
        let strings = part(&bytes, "xl/sharedStrings.xml");
        for text in [
            "关于《某方案》公开征求意见情况的报告",
            "序号",
            "单位/个人",
            "修改意见",
            "是否采纳",
            "一、公开网站征求意见采纳情况",
            "二、相关部门意见采纳情况",
            "华中科技大学王*",
            "意见&lt;一&gt;&amp;",
            "已采纳，调整了先导方向",
            "市卫健委",
            "市教育局等其他相关单位，江岸区政府等区(开发区)无修改意见。",
        ] {
            assert!(strings.contains(text), "missing {text}");
        }
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<mergeCells"));
        // Title row A1:D1, summary, header on row 3, section one on row 4, rows 5-6 share B5:B6.
        assert!(sheet.contains("<mergeCell ref=\"A1:D1\"/>"));
        assert!(sheet.contains("<mergeCell ref=\"A4:D4\"/>"));
        assert!(sheet.contains("<mergeCell ref=\"B5:B6\"/>"));
        assert!(sheet.contains("<mergeCell ref=\"A7:D7\"/>"));
        assert!(
            sheet.contains("wrapText=\"1\"")
                || part(&bytes, "xl/styles.xml").contains("wrapText=\"1\"")
        );
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(
            workbook.contains("_xlnm.Print_Titles"),
            "header row repeats when printing"
        );
        assert!(workbook.contains(SHEET_NAME));
    }

    #[test]
    fn rows_are_sized_for_their_text() {
        assert_eq!(line_count("", 60.0), 1);
        assert_eq!(line_count("abc", 60.0), 1);
        assert_eq!(line_count(&"意".repeat(29), 60.0), 1);
        assert_eq!(line_count(&"意".repeat(30), 60.0), 2);
        assert_eq!(line_count("一\n二\n三", 60.0), 3);
        assert!(row_height(1000) <= 409.0);
        let mut report = sample();
        report.sections[0].rows[0].opinion = "意".repeat(300);
        let sheet = part(&render(&report).unwrap(), "xl/worksheets/sheet1.xml");
        // 300 CJK characters in a 60-wide column: 11 lines.
        assert!(
            sheet.contains("<row r=\"5\" spans=\"1:4\" ht=\"163.5\" customHeight=\"1\">"),
            "{sheet}"
        );
    }

    #[test]
    fn reason_column_and_empty_report() {
        let mut report = sample();
        report.separate_reason_column = true;
        for s in &mut report.sections {
            s.columns.push("理由".into());
        }
        report.sections[0].rows[1].reason = Some("理由文字".into());
        let bytes = render(&report).unwrap();
        assert!(part(&bytes, "xl/sharedStrings.xml").contains("理由文字"));
        assert!(part(&bytes, "xl/worksheets/sheet1.xml").contains("<mergeCell ref=\"A1:E1\"/>"));

        let empty = Report {
            sections: vec![],
            closing: None,
            summary: Some("征求意见期间，未收到意见建议。".into()),
            ..sample()
        };
        let bytes = render(&empty).unwrap();
        let strings = part(&bytes, "xl/sharedStrings.xml");
        assert!(strings.contains("征求意见期间，未收到意见建议。"));
        assert!(!strings.contains("序号"));
    }
}
