//! Clause parser for draft documents.
//!
//! Turns the plain text of a draft (a Chinese government work plan, a law, an
//! English regulation, a Markdown file …) into a tree of numbered clauses, so
//! that comments can be attached clause by clause.
//!
//! # What is recognised
//!
//! Numbering is only recognised at the start of a line (after optional
//! whitespace, half- or full-width):
//!
//! * `第X编` / `第X章` / `第X节` / `第X条` (also the traditional `編 節 條`); a
//!   bracketed heading right after an article number (`第一条(立法目的)`,
//!   `第一條【立法目的】`) becomes the article's heading;
//! * `一、`, `(一)` / `（一）`, `1.` / `1、` / `1．`, `(1)` / `（1）`, `①`;
//! * Markdown ATX headings (`#` … `######`);
//! * English `Part N`, `Chapter N`, `Article N`, `Section N` (arabic or roman
//!   numbers), decimal numbering `1.1` / `1.1.1`, and `(a)`.
//!
//! Inside a parenthesis only a Chinese numeral, an arabic number or a single
//! latin letter counts as numbering, so `(以下简称…)` or `（2023-2025年）` at
//! the start of a line stay ordinary text.
//!
//! # Levels
//!
//! Levels come from the order in which numbering families appear in the
//! document: a family never seen before opens a new level below the current
//! clause, a family seen before returns to its level. The only fixed
//! orderings are the structural ones that cannot be read any other way:
//! `编 > 章 > 节 > 条`, `Part > Chapter > Section/Article`, Markdown heading
//! depth, and `1.` above `1.1` above `1.1.1`. Arabic items whose numbering runs
//! on across sections therefore stay children of their section.
//!
//! # Headings and text
//!
//! A marker line that holds only a short title (`一、工作目标`) gives a heading
//! and no text. When the first sentence of the line ends in `。`, is at most
//! 30 characters long and more text follows, that sentence is the heading
//! (`(一)指导思想。全面落实…`). A short line ending in `。` is a heading when the
//! clause goes on (further lines or sub-clauses), otherwise it is text.
//! Chinese articles (`第X条`) only take a bracketed heading. Markdown headings
//! are always headings.
//!
//! The text of a clause is kept verbatim, line by line: a single line break
//! stays `"\n"`, one or more blank lines become a paragraph break `"\n\n"`.
//! Leading and trailing whitespace of each line is dropped.
//!
//! # Duty notes
//!
//! Notes such as `(牵头单位:A、B;责任单位:C)`, `[责任部门:D]` or
//! `(A牵头,B、C配合)` are left in the text as written and also extracted into
//! [`ParsedClause::duties`], each with the sentences it follows.
//!
//! # Front matter and trailer
//!
//! Everything before the first clause is front matter (from which the title
//! is taken). After the last top-level clause, the first line that looks like
//! page furniture (links, QR-code text, `附件`, `打印本页` …) or a member
//! list (`组长:` …, `…名单`) ends the clause tree; it and everything after it
//! is the trailer.
//!
//! # Documents without numbering
//!
//! When no line carries numbering, every paragraph becomes one clause with an
//! empty label, and [`ParseNote::NoNumbering`] is reported. Paragraphs are
//! blocks separated by blank lines; if the text has no blank line at all,
//! every line is a paragraph. A short first paragraph that reads like a title
//! becomes the title and front matter.
//!
//! # Guarantees
//!
//! Parsing never panics and runs in linear time. Nothing is lost:
//! [`ParsedDraft::reassemble`] puts front matter, every clause (raw label,
//! raw heading, text) and trailer back together, and the result equals the
//! input once whitespace is ignored.

use serde::Serialize;

mod front_matter;
mod headings;
mod levels;
mod markers;
mod numbered;
mod unnumbered;

pub use crate::domain::duty_notes::{Duty, extract_duties};
use crate::domain::duty_notes::{find_close, opener_close};

use front_matter::*;
use headings::*;
use levels::*;
use markers::*;
use numbered::*;
use unnumbered::*;

pub(crate) use front_matter::{compact, ends_with_any};
pub(crate) use markers::{first_char, is_space};

/// A parsed draft: the clause tree plus what surrounds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedDraft {
    /// The draft's title, if one can be found in the front matter.
    pub title: Option<String>,
    /// Top-level clauses in document order.
    pub clauses: Vec<ParsedClause>,
    /// Everything before the first clause, verbatim (outer whitespace trimmed).
    pub front_matter: String,
    /// Everything after the clause tree (member lists, page furniture),
    /// verbatim (outer whitespace trimmed).
    pub trailer: String,
    /// Machine-readable remarks about the parse.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<ParseNote>,
}

/// One numbered clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedClause {
    /// Numbering label as a reader writes it, in the form the document uses
    /// most for that family: `一、`, `(一)`, `1.`, `第三条`, `Article 5`, `##`.
    /// Empty for paragraphs of an unnumbered document.
    pub label: String,
    /// The clause's heading, without its closing `。` or brackets.
    pub heading: Option<String>,
    /// The clause body, verbatim; paragraph breaks are `"\n\n"`.
    pub text: String,
    /// Duty notes found in `text`, in order.
    pub duties: Vec<Duty>,
    /// Sub-clauses.
    pub children: Vec<ParsedClause>,
    /// Which numbering family the label belongs to.
    #[serde(skip)]
    pub family: Family,
    /// The label exactly as written, including separators (`（一）`, `1．`,
    /// `Article 5.`).
    #[serde(skip)]
    pub raw_label: String,
    /// The heading exactly as written, including its terminator or brackets
    /// (`指导思想。`, `(立法目的)`); empty when there is no heading.
    #[serde(skip)]
    pub raw_heading: String,
}

/// Numbering families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `第X编`
    Bian,
    /// `第X章`
    Zhang,
    /// `第X节`
    Jie,
    /// `第X条`
    Tiao,
    /// `一、`
    CjkEnum,
    /// `(一)` / `（一）`
    CjkParen,
    /// `1.` / `1、` / `1．`
    ArabicDot,
    /// `(1)` / `（1）`
    ArabicParen,
    /// `①`
    Circled,
    /// `(a)`
    LatinParen,
    /// Markdown heading with this many `#`.
    Markdown(u8),
    /// `Part N`
    EnPart,
    /// `Chapter N`
    EnChapter,
    /// `Section N`
    EnSection,
    /// `Article N`
    EnArticle,
    /// Decimal numbering with this many parts (`1.1` = 2).
    Decimal(u8),
    /// A paragraph of a document without numbering.
    Paragraph,
}

/// Remarks about a parse, serialised as snake_case strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseNote {
    /// No numbering was found; each paragraph is one clause.
    NoNumbering,
    /// The input holds nothing but whitespace.
    EmptyInput,
}

impl ParsedDraft {
    /// Number of clauses at every depth.
    pub fn clause_count(&self) -> usize {
        fn count(cs: &[ParsedClause]) -> usize {
            cs.iter().map(|c| 1 + count(&c.children)).sum()
        }
        count(&self.clauses)
    }

    /// `v[d]` is the number of clauses at depth `d` (0 = top level).
    pub fn counts_by_depth(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for (depth, _) in self.flatten() {
            if out.len() <= depth {
                out.resize(depth + 1, 0);
            }
            if let Some(n) = out.get_mut(depth) {
                *n += 1;
            }
        }
        out
    }

    /// All clauses in document order, each with its depth.
    pub fn flatten(&self) -> Vec<(usize, &ParsedClause)> {
        fn walk<'a>(
            cs: &'a [ParsedClause],
            depth: usize,
            out: &mut Vec<(usize, &'a ParsedClause)>,
        ) {
            for c in cs {
                out.push((depth, c));
                walk(&c.children, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.clauses, 0, &mut out);
        out
    }

    /// Front matter, every clause (raw label, raw heading, text) and the
    /// trailer, in document order, separated by newlines. Equal to the parsed
    /// input once whitespace is ignored.
    pub fn reassemble(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.front_matter);
        for (_, c) in self.flatten() {
            out.push('\n');
            out.push_str(&c.raw_label);
            out.push(' ');
            out.push_str(&c.raw_heading);
            out.push(' ');
            out.push_str(&c.text);
        }
        out.push('\n');
        out.push_str(&self.trailer);
        out
    }
}

/// Parse a draft. Never panics.
pub fn parse_draft(input: &str) -> ParsedDraft {
    let lines = split_lines(input);
    if lines.iter().all(|l| l.text.is_empty()) {
        return ParsedDraft {
            title: None,
            clauses: Vec::new(),
            front_matter: String::new(),
            trailer: String::new(),
            notes: vec![ParseNote::EmptyInput],
        };
    }
    match lines.iter().position(|l| l.marker.is_some()) {
        Some(first) => parse_numbered(input, &lines, first),
        None => parse_unnumbered(input, &lines),
    }
}

/// Indented outline, one line per clause: two spaces per level, the label,
/// the heading (or the start of the text) and a summary of the duties.
pub fn render_outline(d: &ParsedDraft) -> String {
    let mut out = String::new();
    for (depth, c) in d.flatten() {
        for _ in 0..depth {
            out.push_str("  ");
        }
        let mut parts: Vec<String> = Vec::new();
        if !c.label.is_empty() {
            parts.push(c.label.clone());
        }
        if let Some(h) = &c.heading {
            parts.push(h.clone());
        } else if !c.text.is_empty() {
            parts.push(snippet(&c.text, 30));
        }
        let mut line = parts.join(" ");
        if let Some(summary) = duty_summary(&c.duties) {
            line.push(' ');
            line.push_str(&summary);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn snippet(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let mut s: String = flat.chars().take(max).collect();
    if flat.chars().count() > max {
        s.push('…');
    }
    s
}

fn duty_summary(duties: &[Duty]) -> Option<String> {
    let mut lead: Vec<&str> = Vec::new();
    let mut resp: Vec<&str> = Vec::new();
    for d in duties {
        for u in &d.lead {
            if !lead.contains(&u.as_str()) {
                lead.push(u);
            }
        }
        for u in &d.responsible {
            if !resp.contains(&u.as_str()) {
                resp.push(u);
            }
        }
    }
    let mut parts = Vec::new();
    if !lead.is_empty() {
        parts.push(format!("牵头: {}", lead.join("、")));
    }
    if !resp.is_empty() {
        parts.push(format!("责任: {}", resp.join("、")));
    }
    if parts.is_empty() {
        None
    } else {
        Some(format!("[{}]", parts.join("; ")))
    }
}

#[cfg(test)]
mod seed_tests;
#[cfg(test)]
mod tests;
