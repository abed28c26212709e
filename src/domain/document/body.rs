//! `document.xml` → lines: paragraphs and tables in document order, numbering written out.

use super::dom::*;
use super::numbering::Numberer;
use super::*;

/// The elements whose position matters while walking `document.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
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
pub(super) struct ParagraphState {
    pub(super) text: String,
    pub(super) style: Option<String>,
    pub(super) num_id: Option<i64>,
    pub(super) ilvl: Option<u8>,
    /// The paragraph mark is a tracked deletion: the text joins the next paragraph.
    pub(super) mark_deleted: bool,
}

/// Elements left out together with everything inside them: tracked
/// deletions, the old properties recorded by tracked formatting changes, and
/// the fallback copy of alternate content (its `mc:Choice` is read instead).
pub(super) fn is_skipped(ns: Ns, local: &str) -> bool {
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

pub(super) struct DocumentWalker<'n> {
    pub(super) numberer: &'n mut Numberer,
    pub(super) out: String,
    pub(super) lines: usize,
    pub(super) tags: Vec<Tag>,
    pub(super) paragraphs: Vec<ParagraphState>,
    /// Whether each open run is hidden (`<w:vanish/>`).
    pub(super) runs_hidden: Vec<bool>,
    /// Text of paragraphs whose mark was deleted, waiting for the next paragraph.
    pub(super) carry: String,
}

impl DocumentWalker<'_> {
    pub(super) fn parent(&self, depth: usize) -> Option<Tag> {
        self.tags.len().checked_sub(depth + 1).map(|i| self.tags[i])
    }

    pub(super) fn run_hidden(&self) -> bool {
        self.runs_hidden.last().copied().unwrap_or(false)
    }

    pub(super) fn push_text(&mut self, s: &str) {
        if self.run_hidden() {
            return;
        }
        if let Some(p) = self.paragraphs.last_mut() {
            p.text.push_str(s);
        }
    }

    /// An element that starts (`Start` or `Empty`) outside skipped content.
    /// Returns the tag to keep on the stack for a `Start`.
    pub(super) fn open(&mut self, ns: Ns, e: &BytesStart<'_>) -> Tag {
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
    pub(super) fn note_deletion(&mut self, ns: Ns, local: &str) -> Option<usize> {
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

    pub(super) fn close(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.finish_paragraph(),
            Tag::Run => {
                self.runs_hidden.pop();
            }
            _ => {}
        }
    }

    pub(super) fn finish_paragraph(&mut self) {
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

    pub(super) fn push_line(&mut self, line: &str) {
        if self.lines > 0 {
            self.out.push('\n');
        }
        self.out.push_str(line);
        self.lines += 1;
    }
}

pub(super) enum ExtractError {
    /// The main part's document element is not `w:document`.
    NotWord,
    Xml(quick_xml::Error),
}

/// Walks `document.xml` and returns its text, one line per paragraph.
pub(super) fn extract_document_text(
    xml: &str,
    numberer: &mut Numberer,
) -> Result<String, ExtractError> {
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
