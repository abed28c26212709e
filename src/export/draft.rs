//! The draft as the public downloads it: plain text, and DOCX laid out as a government
//! document with the report's writer (GB/T 9704 page, fonts and page numbers). Both are made
//! from the clauses as imported, so they say what the page says.

use super::docx::{self, BODY_FONT, HEADING_FONT, TITLE_FONT};
use super::{ExportError, push_xml_escaped};

/// A draft in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftText {
    pub title: String,
    /// What precedes the first clause (a preamble, a 印发 line), as imported.
    pub front_matter: String,
    pub items: Vec<DraftItem>,
    /// What follows the last clause (附件, 附表 …).
    pub trailer: String,
}

/// One clause: its label (第五条, 一、, （二）…), heading and own words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftItem {
    pub label: String,
    pub heading: String,
    pub text: String,
}

impl DraftItem {
    /// A division of the text (编, 章, 节): a centred heading line in documents.
    fn is_division(&self) -> bool {
        self.text.trim().is_empty()
            && ['编', '章', '节']
                .iter()
                .any(|c| self.label.trim_end().ends_with(*c))
    }

    /// The heading line: label and heading, with the ideographic space regulations put between
    /// an article's number and its words.
    fn head(&self) -> String {
        let label = self.label.trim();
        let heading = self.heading.trim();
        if self.is_division() && !heading.is_empty() {
            format!("{label}　{heading}")
        } else {
            format!("{label}{heading}")
        }
    }
}

/// The draft as plain text, one paragraph a line (CRLF, as Windows editors expect).
pub fn text(d: &DraftText) -> String {
    let mut out = String::with_capacity(d.items.iter().map(|i| i.text.len() + 32).sum());
    let mut line = |s: &str| {
        out.push_str(s.trim_end());
        out.push_str("\r\n");
    };
    line(&d.title);
    line("");
    for l in d.front_matter.lines().filter(|l| !l.trim().is_empty()) {
        line(l);
    }
    for item in &d.items {
        let head = item.head();
        let mut lines = item.text.lines().filter(|l| !l.trim().is_empty());
        match lines.next() {
            Some(first) if item.is_division() => {
                line(&head);
                line(first);
            }
            Some(first) => {
                let sep = if item.heading.trim().is_empty() && item.label.ends_with('条') {
                    "　"
                } else {
                    ""
                };
                line(&format!("{head}{sep}{}", first.trim()));
            }
            None => line(&head),
        }
        for l in lines {
            line(l.trim());
        }
    }
    for l in d.trailer.lines().filter(|l| !l.trim().is_empty()) {
        line(l);
    }
    out
}

/// The draft as DOCX bytes.
pub fn docx(d: &DraftText) -> Result<Vec<u8>, ExportError> {
    let mut x = String::with_capacity(
        16 * 1024
            + d.items
                .iter()
                .map(|i| i.text.len() * 2 + 400)
                .sum::<usize>(),
    );
    docx::document_start(&mut x);
    x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportTitle\"/></w:pPr>");
    docx::run(&mut x, Some(TITLE_FONT), &d.title);
    x.push_str("</w:p>");
    for l in d.front_matter.lines().filter(|l| !l.trim().is_empty()) {
        body(&mut x, None, l.trim());
    }
    for item in &d.items {
        let mut lines = item.text.lines().map(str::trim).filter(|l| !l.is_empty());
        if item.is_division() {
            x.push_str(
                "<w:p><w:pPr><w:pStyle w:val=\"ReportBody\"/><w:keepNext/>\
                 <w:ind w:firstLine=\"0\" w:firstLineChars=\"0\"/><w:jc w:val=\"center\"/></w:pPr>",
            );
            docx::run(&mut x, Some(HEADING_FONT), &item.head());
            x.push_str("</w:p>");
        } else {
            let first = lines.next().unwrap_or("");
            let sep = if item.heading.trim().is_empty() && item.label.ends_with('条') {
                "　"
            } else {
                ""
            };
            body(&mut x, Some(&format!("{}{sep}", item.head())), first);
        }
        for l in lines {
            body(&mut x, None, l);
        }
    }
    for l in d.trailer.lines().filter(|l| !l.trim().is_empty()) {
        body(&mut x, None, l.trim());
    }
    docx::document_end(&mut x);
    docx::package(&d.title, &x)
}

/// A body paragraph (first line indented two characters); `lead` in 黑体 before the words.
fn body(x: &mut String, lead: Option<&str>, words: &str) {
    x.push_str("<w:p><w:pPr><w:pStyle w:val=\"ReportBody\"/></w:pPr>");
    if let Some(lead) = lead.filter(|l| !l.is_empty()) {
        docx::run(x, Some(HEADING_FONT), lead);
    }
    if !words.is_empty() {
        x.push_str("<w:r><w:rPr><w:rFonts w:ascii=\"");
        x.push_str(BODY_FONT);
        x.push_str("\" w:eastAsia=\"");
        x.push_str(BODY_FONT);
        x.push_str("\" w:hAnsi=\"");
        x.push_str(BODY_FONT);
        x.push_str("\" w:hint=\"eastAsia\"/></w:rPr><w:t xml:space=\"preserve\">");
        push_xml_escaped(x, words);
        x.push_str("</w:t></w:r>");
    }
    x.push_str("</w:p>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample() -> DraftText {
        DraftText {
            title: "武汉市某某条例（征求意见稿）".into(),
            front_matter: "（2026年12月1日）".into(),
            items: vec![
                DraftItem {
                    label: "第一章".into(),
                    heading: "总则".into(),
                    text: String::new(),
                },
                DraftItem {
                    label: "第一条".into(),
                    heading: String::new(),
                    text: "为了规范<管理>，制定本条例。\n第二款的文字。".into(),
                },
                DraftItem {
                    label: "一、".into(),
                    heading: "总体要求".into(),
                    text: String::new(),
                },
            ],
            trailer: "附件：名单".into(),
        }
    }

    #[test]
    fn text_reads_as_the_document_numbers_it() {
        let t = text(&sample());
        assert_eq!(
            t,
            "武汉市某某条例（征求意见稿）\r\n\r\n（2026年12月1日）\r\n第一章　总则\r\n\
             第一条　为了规范<管理>，制定本条例。\r\n第二款的文字。\r\n一、总体要求\r\n附件：名单\r\n"
        );
    }

    #[test]
    fn docx_is_a_word_document_with_every_clause_escaped() {
        let bytes = docx(&sample()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("武汉市某某条例（征求意见稿）"));
        assert!(xml.contains("第一章　总则"));
        assert!(
            xml.contains("<w:jc w:val=\"center\"/>"),
            "a chapter is centred"
        );
        assert!(xml.contains("第一条　"));
        assert!(xml.contains("为了规范&lt;管理&gt;，制定本条例。"));
        assert!(xml.contains("第二款的文字。"));
        assert!(xml.contains("附件：名单"));
        assert!(xml.ends_with("</w:body></w:document>"));
        assert!(zip.by_name("word/styles.xml").is_ok());
        assert!(zip.by_name("word/footer1.xml").is_ok());
    }

    #[test]
    fn an_empty_draft_still_makes_a_document() {
        let d = DraftText {
            title: "标题".into(),
            ..Default::default()
        };
        assert_eq!(text(&d), "标题\r\n\r\n");
        assert!(docx(&d).is_ok());
    }
}
