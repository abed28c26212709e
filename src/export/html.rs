//! HTML edition: a printable fragment (`<section class="report">`) to embed in a page, and a
//! standalone page around it. One table: a `<thead>` header row (browsers repeat it on every
//! printed page), one `<tbody>` per section opened by a full-width heading row, merged submitter
//! cells as `rowspan`. No inline style or script (the Content-Security-Policy forbids them): the
//! page links `/static/report.css`. Every string from the model is escaped.

use super::ExportError;
use crate::domain::report::Report;

/// Where the standalone page finds its stylesheet.
pub const STYLESHEET_HREF: &str = "/static/report.css";

const COLUMN_CLASSES: [&str; 5] = ["number", "submitter", "opinion", "decision", "reason"];

/// The report as an HTML fragment.
pub fn render(model: &Report) -> Result<String, ExportError> {
    let mut out = String::with_capacity(estimate(model));
    push_fragment(&mut out, model);
    Ok(out)
}

/// The report as a complete HTML page linking the report stylesheet.
pub fn render_document(model: &Report) -> Result<String, ExportError> {
    let mut out = String::with_capacity(estimate(model) + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    push_escaped(&mut out, &model.title);
    out.push_str("</title>\n<link rel=\"stylesheet\" href=\"");
    out.push_str(STYLESHEET_HREF);
    out.push_str("\">\n</head>\n<body class=\"report-page\">\n<main>\n");
    push_fragment(&mut out, model);
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(out)
}

fn estimate(model: &Report) -> usize {
    let text: usize = model
        .sections
        .iter()
        .flat_map(|s| s.rows.iter())
        .map(|r| r.opinion.len() + r.decision.len() + r.submitter.len() + 160)
        .sum();
    text + 4096
}

fn push_fragment(out: &mut String, model: &Report) {
    out.push_str("<section class=\"report\" data-edition=\"");
    out.push_str(model.edition.as_str());
    out.push_str("\">\n<h1 class=\"report-title\">");
    push_escaped(out, &model.title);
    out.push_str("</h1>\n");
    if let Some(summary) = &model.summary {
        out.push_str("<p class=\"report-summary\">");
        push_multiline(out, summary);
        out.push_str("</p>\n");
    }
    if !model.is_empty() {
        let columns = model.columns();
        let width = columns.len();
        out.push_str("<table class=\"report-table");
        if model.separate_reason_column {
            out.push_str(" report-table-reason");
        }
        out.push_str("\">\n<colgroup>");
        for i in 0..width {
            out.push_str("<col class=\"report-col-");
            out.push_str(COLUMN_CLASSES.get(i).copied().unwrap_or("extra"));
            out.push_str("\">");
        }
        out.push_str("</colgroup>\n<thead>\n<tr>");
        for (i, label) in columns.iter().enumerate() {
            out.push_str("<th scope=\"col\" class=\"report-");
            out.push_str(COLUMN_CLASSES.get(i).copied().unwrap_or("extra"));
            out.push_str("\">");
            push_escaped(out, label);
            out.push_str("</th>");
        }
        out.push_str("</tr>\n</thead>\n");
        for section in &model.sections {
            if section.rows.is_empty() {
                continue;
            }
            out.push_str("<tbody>\n");
            if !section.title.is_empty() {
                out.push_str("<tr class=\"report-section\"><th scope=\"rowgroup\" colspan=\"");
                push_number(out, width as u64);
                out.push_str("\">");
                push_escaped(out, &section.title);
                out.push_str("</th></tr>\n");
            }
            for row in &section.rows {
                // Only the submitter cell has a class: its position varies with the rowspans;
                // the others are styled through <colgroup> and their position.
                out.push_str("<tr><td>");
                push_number(out, u64::from(row.number));
                out.push_str("</td>");
                if row.submitter_span > 0 {
                    out.push_str("<td class=\"report-submitter\"");
                    if row.submitter_span > 1 {
                        out.push_str(" rowspan=\"");
                        push_number(out, u64::from(row.submitter_span));
                        out.push('"');
                    }
                    out.push('>');
                    push_escaped(out, &row.submitter);
                    out.push_str("</td>");
                }
                out.push_str("<td>");
                push_multiline(out, &row.opinion_display());
                out.push_str("</td><td>");
                push_multiline(out, &row.decision);
                out.push_str("</td>");
                if model.separate_reason_column {
                    out.push_str("<td>");
                    push_multiline(out, row.reason.as_deref().unwrap_or(""));
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n");
    }
    if let Some(closing) = &model.closing {
        out.push_str("<p class=\"report-closing\">");
        push_multiline(out, closing);
        out.push_str("</p>\n");
    }
    out.push_str("</section>\n");
}

fn push_number(out: &mut String, n: u64) {
    use std::fmt::Write as _;
    let _ = write!(out, "{n}");
}

/// Escapes text and turns line breaks into `<br>` (a carriage return before one is dropped).
fn push_multiline(out: &mut String, text: &str) {
    push_escaped_inner(out, text, true);
}

/// HTML-escapes `text` onto `out`: `& < > " '`, safe in element content and quoted attributes.
pub fn push_escaped(out: &mut String, text: &str) {
    push_escaped_inner(out, text, false);
}

/// One pass over the text: escapes, and with `breaks` turns `\n` (or `\r\n`) into `<br>`.
fn push_escaped_inner(out: &mut String, text: &str, breaks: bool) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = super::next_candidate(bytes, 0, false);
    while let Some(&b) = bytes.get(i) {
        let (replacement, width) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'\n' if breaks => ("<br>", 1),
            b'\r' if breaks && bytes.get(i + 1) == Some(&b'\n') => ("<br>", 2),
            _ => {
                i = super::next_candidate(bytes, i + 1, false);
                continue;
            }
        };
        out.push_str(text.get(last..i).unwrap_or(""));
        out.push_str(replacement);
        last = i + width;
        i = super::next_candidate(bytes, last, false);
    }
    out.push_str(text.get(last..).unwrap_or(""));
}

/// HTML-escapes a string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    push_escaped(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Edition, Row, Section};

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

    fn columns() -> Vec<String> {
        ["序号", "单位/个人", "修改意见", "是否采纳"]
            .map(String::from)
            .to_vec()
    }

    fn sample() -> Report {
        Report {
            title: "关于《<b>方案</b>》的报告".into(),
            summary: Some("共收到意见建议3条。".into()),
            sections: vec![
                Section {
                    title: "一、公开网站征求意见采纳情况".into(),
                    columns: columns(),
                    rows: vec![
                        row(
                            1,
                            "<script>alert(1)</script>",
                            2,
                            "第一段\n第二段 & \"引号\" 'x'",
                            "已采纳",
                        ),
                        row(
                            2,
                            "<script>alert(1)</script>",
                            0,
                            "意见二",
                            "部分采纳，已调整。",
                        ),
                    ],
                },
                Section {
                    title: "二、相关部门意见采纳情况".into(),
                    columns: columns(),
                    rows: vec![row(1, "市卫健委", 1, "意见三", "采纳")],
                },
            ],
            closing: Some("市教育局等其他相关单位无修改意见。".into()),
            edition: Edition::Public,
            separate_reason_column: false,
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(
            escape("a & b \"c\" 'd'"),
            "a &amp; b &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(escape("意见&amp;"), "意见&amp;amp;");
        assert_eq!(escape(""), "");
        let long = "全角文字，全角文字".repeat(3);
        for pad in 0..17 {
            let prefix = "x".repeat(pad);
            assert_eq!(
                escape(&format!("{prefix}{long}<{long}'")),
                format!("{prefix}{long}&lt;{long}&#39;")
            );
        }
    }

    #[test]
    fn fragment_escapes_and_merges_cells() {
        let html = render(&sample()).unwrap();
        assert!(html.starts_with("<section class=\"report\" data-edition=\"public\">"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("关于《&lt;b&gt;方案&lt;/b&gt;》的报告"));
        assert!(html.contains("<td class=\"report-submitter\" rowspan=\"2\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        assert_eq!(
            html.matches("alert(1)").count(),
            1,
            "covered rows carry no submitter cell"
        );
        assert!(html.contains("第一段<br>第二段 &amp; &quot;引号&quot; &#39;x&#39;"));
        let mut out = String::new();
        push_multiline(&mut out, "一\r\n二\n\n三<");
        assert_eq!(out, "一<br>二<br><br>三&lt;");
        assert!(html.contains("<td class=\"report-submitter\">市卫健委</td>"));
        assert!(html.contains("<thead>\n<tr><th scope=\"col\" class=\"report-number\">序号</th>"));
        assert!(html.contains("<colgroup><col class=\"report-col-number\"><col class=\"report-col-submitter\"><col class=\"report-col-opinion\"><col class=\"report-col-decision\"></colgroup>"));
        assert!(html.contains("<tr><td>2</td><td>意见二</td><td>部分采纳，已调整。</td></tr>"));
        assert!(html.contains("<tr class=\"report-section\"><th scope=\"rowgroup\" colspan=\"4\">一、公开网站征求意见采纳情况</th></tr>"));
        assert_eq!(html.matches("<tbody>").count(), 2);
        assert!(
            html.contains("<p class=\"report-closing\">市教育局等其他相关单位无修改意见。</p>")
        );
        assert!(html.contains("<p class=\"report-summary\">共收到意见建议3条。</p>"));
        // Every row has as many cells as columns once the rowspans are counted.
        let rows: Vec<&str> = html.split("<tr>").skip(2).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].matches("<td").count(), 4);
        assert_eq!(rows[1].matches("<td").count(), 3);
    }

    #[test]
    fn reason_column_and_clusters() {
        let mut report = sample();
        report.separate_reason_column = true;
        for s in &mut report.sections {
            s.columns.push("理由".into());
        }
        report.sections[0].rows[1].reason = Some("已调整。".into());
        report.sections[0].rows[1].count = 7;
        let html = render(&report).unwrap();
        assert!(html.contains("<th scope=\"col\" class=\"report-reason\">理由</th>"));
        assert!(html.contains("<td>部分采纳，已调整。</td><td>已调整。</td></tr>"));
        assert!(html.contains("<col class=\"report-col-reason\">"));
        assert!(html.contains("意见二（共7条相同意见）"));
        assert!(html.contains("colspan=\"5\""));
    }

    #[test]
    fn empty_report_has_no_table() {
        let report = Report {
            title: "关于《某方案》公开征求意见情况的报告".into(),
            summary: Some("征求意见期间，未收到意见建议。".into()),
            sections: vec![],
            closing: None,
            edition: Edition::Internal,
            separate_reason_column: false,
        };
        let html = render(&report).unwrap();
        assert!(!html.contains("<table"));
        assert!(html.contains("征求意见期间，未收到意见建议。"));
    }

    #[test]
    fn document_links_the_stylesheet_and_has_no_inline_style() {
        let page = render_document(&sample()).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/report.css\">"));
        assert!(page.contains("<title>关于《&lt;b&gt;方案&lt;/b&gt;》的报告</title>"));
        assert!(!page.contains("<style"));
        assert!(!page.contains("style="));
        assert!(!page.contains("<script"));
    }
}
