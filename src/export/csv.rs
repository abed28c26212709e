//! CSV edition: UTF-8 with a byte-order mark (so Excel reads the Chinese text), CRLF line ends,
//! RFC 4180 quoting. A section column first, then the report's columns; one line per opinion with
//! the submitter repeated on every line (no merged cells in CSV). Title, summary and closing
//! paragraph are not part of the table and are left out.

use super::ExportError;
use crate::domain::report::Report;

/// Header of the section column.
pub const SECTION_COLUMN: &str = "类别";

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
    let mut header: Vec<&str> = Vec::with_capacity(columns.len() + 1);
    header.push(SECTION_COLUMN);
    header.extend(columns.iter().map(String::as_str));
    writer.write_record(&header)?;

    let mut number = String::new();
    for section in &model.sections {
        for row in &section.rows {
            number.clear();
            number.push_str(&row.number.to_string());
            let opinion = row.opinion_display();
            let mut record: Vec<&str> = vec![
                section.title.as_str(),
                number.as_str(),
                row.submitter.as_str(),
                &opinion,
                row.decision.as_str(),
            ];
            if model.separate_reason_column {
                record.push(row.reason.as_deref().unwrap_or(""));
            }
            writer.write_record(&record)?;
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
