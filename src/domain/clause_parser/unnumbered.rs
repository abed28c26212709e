//! Documents without numbering: one clause per paragraph.

use super::*;
use crate::domain::duty_notes::extract_duties;

pub(super) fn parse_unnumbered(input: &str, lines: &[Line<'_>]) -> ParsedDraft {
    let first = lines.iter().position(|l| !l.text.is_empty()).unwrap_or(0);
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(first + 1) {
        if is_trailer_start(line.text) {
            end = pull_back(lines, i, first);
            break;
        }
    }
    let content = lines.get(first..end).unwrap_or(&[]);
    let last_nonblank = content
        .iter()
        .rposition(|l| !l.text.is_empty())
        .unwrap_or(0);
    let has_blank = content
        .iter()
        .take(last_nonblank)
        .any(|l| l.text.is_empty());

    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in content {
        if line.text.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else if has_blank {
            current.push(line.text);
        } else {
            paragraphs.push(vec![line.text]);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }

    let mut title = None;
    let mut front_matter = String::new();
    let title_line = match paragraphs.first().map(Vec::as_slice) {
        Some([only]) if paragraphs.len() >= 2 && is_title_ish(only) => Some(*only),
        _ => None,
    };
    if let Some(t) = title_line {
        title = Some(t.to_string());
        front_matter = t.to_string();
        paragraphs.remove(0);
    }

    let clauses = paragraphs
        .into_iter()
        .map(|p| {
            let text = p.join("\n");
            let duties = extract_duties(&text);
            ParsedClause {
                label: String::new(),
                heading: None,
                text,
                duties,
                children: Vec::new(),
                family: Family::Paragraph,
                raw_label: String::new(),
                raw_heading: String::new(),
            }
        })
        .collect();

    ParsedDraft {
        title,
        clauses,
        front_matter,
        trailer: trailer_text(input, lines, end),
        notes: vec![ParseNote::NoNumbering],
    }
}
