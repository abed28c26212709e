//! CSV edition: UTF-8 with a byte-order mark (so Excel reads the Chinese text), CRLF line ends,
//! RFC 4180 quoting. A section column first, then the report's columns; one line per opinion with
//! the submitter repeated on every line (no merged cells in CSV). Title, summary and closing
//! paragraph are not part of the table and are left out.
//!
//! The public edition can be downloaded by anyone once published and opened in a spreadsheet, so
//! every cell that a spreadsheet would read as a formula (one beginning with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) gets a leading `'`, as OWASP recommends against CSV injection.

use super::ExportError;
use crate::domain::report::Report;

/// Header of the section column.
pub const SECTION_COLUMN: &str = "类别";

/// The cell as written: text a spreadsheet would take for a formula gets a leading `'`.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The report's table as CSV bytes.
pub fn render(model: &Report) -> Result<Vec<u8>, ExportError> {
    let rows: usize = model.sections.iter().map(|s| s.rows.len()).sum();
    write(model, Vec::with_capacity(rows * 256 + 64))
}

/// The report's table as CSV, written into `out` (a temporary file, buffered); the same bytes
/// as [`render`]. Returns `out`.
pub fn write<W: std::io::Write>(model: &Report, mut out: W) -> Result<W, ExportError> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);

    let columns = model.columns();
    let mut header: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(columns.len() + 1);
    header.push(SECTION_COLUMN.into());
    header.extend(columns.iter().map(|c| neutralise(c)));
    writer.write_record(header.iter().map(|c| c.as_bytes()))?;

    let mut number = String::new();
    for section in &model.sections {
        for row in &section.rows {
            number.clear();
            number.push_str(&row.number.to_string());
            let opinion = row.opinion_display();
            let mut record: Vec<std::borrow::Cow<'_, str>> = vec![
                neutralise(&section.title),
                number.as_str().into(),
                neutralise(&row.submitter),
                neutralise(&opinion),
                neutralise(&row.decision),
            ];
            if model.separate_reason_column {
                record.push(neutralise(row.reason.as_deref().unwrap_or("")));
            }
            writer.write_record(record.iter().map(|c| c.as_bytes()))?;
        }
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Edition, Row, Section};

    fn report(separate_reason_column: bool) -> Report {
        let mut columns: Vec<String> = ["序号", "单位/个人", "修改意见", "是否采纳"]
            .map(String::from)
            .to_vec();
        if separate_reason_column {
            columns.push("理由".into());
        }
        Report {
            title: "t".into(),
            summary: None,
            sections: vec![Section {
                title: "一、公开网站征求意见采纳情况".into(),
                columns,
                rows: vec![
                    Row {
                        number: 1,
                        submitter: "王*".into(),
                        submitter_span: 2,
                        opinion: "建议将\"智慧医疗\"改为“智慧医院”, 并增加说明\n第二段".into(),
                        decision: "部分采纳，已调整。".into(),
                        reason: Some("已调整。".into()),
                        count: 1,
                    },
                    Row {
                        number: 2,
                        submitter: "王*".into(),
                        submitter_span: 0,
                        opinion: "plain".into(),
                        decision: "已采纳".into(),
                        reason: None,
                        count: 4,
                    },
                ],
            }],
            closing: None,
            edition: Edition::Public,
            separate_reason_column,
        }
    }

    #[test]
    fn bom_header_and_quoting() {
        let bytes = render(&report(false)).unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next(), Some("类别,序号,单位/个人,修改意见,是否采纳"));
        assert_eq!(
            text,
            "类别,序号,单位/个人,修改意见,是否采纳\r\n\
             一、公开网站征求意见采纳情况,1,王*,\"建议将\"\"智慧医疗\"\"改为“智慧医院”, 并增加说明\n第二段\",部分采纳，已调整。\r\n\
             一、公开网站征求意见采纳情况,2,王*,plain（共4条相同意见）,已采纳\r\n"
        );
        // A CSV reader gets the cells back, submitter on every line.
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(
            &records[0][3],
            "建议将\"智慧医疗\"改为“智慧医院”, 并增加说明\n第二段"
        );
        assert_eq!(&records[1][2], "王*");
    }

    #[test]
    fn reason_column() {
        let bytes = render(&report(true)).unwrap();
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(text.starts_with("类别,序号,单位/个人,修改意见,是否采纳,理由\r\n"));
        assert!(text.contains(",部分采纳，已调整。,已调整。\r\n"));
        assert!(text.ends_with(",已采纳,\r\n"));
    }

    #[test]
    fn formulas_are_neutralised() {
        let mut r = report(true);
        let rows = &mut r.sections[0].rows;
        rows[0].submitter = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
        rows[0].opinion = "+1+cmd|' /C calc'!A0".into();
        rows[0].decision = "-2+3".into();
        rows[0].reason = Some("@SUM(A1:A2)".into());
        rows[1].submitter = "\t=1+1".into();
        rows[1].opinion = "\r=1+1".into();
        rows[1].decision = "已采纳 =1+1".into();
        let bytes = render(&r).unwrap();
        let mut reader = ::csv::Reader::from_reader(&bytes[3..]);
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&records[0][2], "'=HYPERLINK(\"http://evil.example\",\"x\")");
        assert_eq!(&records[0][3], "'+1+cmd|' /C calc'!A0");
        assert_eq!(&records[0][4], "'-2+3");
        assert_eq!(&records[0][5], "'@SUM(A1:A2)");
        assert_eq!(&records[1][2], "'\t=1+1");
        assert!(records[1][3].starts_with("'\r=1+1"));
        assert_eq!(
            &records[1][4], "已采纳 =1+1",
            "only the first character counts"
        );
        assert_eq!(&records[1][5], "");
        for record in &records {
            for cell in record.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
    }

    #[test]
    fn empty_report_is_the_header() {
        let mut r = report(false);
        r.sections.clear();
        let bytes = render(&r).unwrap();
        assert_eq!(
            &bytes[3..],
            "类别,序号,单位/个人,修改意见,是否采纳\r\n".as_bytes()
        );
    }
}
