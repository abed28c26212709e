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

/// A duty note: who leads and who is responsible for the sentences before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    /// Lead units (`牵头单位`, `X牵头`).
    pub lead: Vec<String>,
    /// Responsible / supporting units (`责任单位`, `责任部门`, `配合`).
    pub responsible: Vec<String>,
    /// The note as written, brackets included.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub raw: String,
    /// The sentences the note is attached to: the clause text between the
    /// previous note (or the start of the text) and this note.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub applies_to: String,
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

// ---------------------------------------------------------------------------
// Lines and markers
// ---------------------------------------------------------------------------

/// Whitespace for the parser: Unicode white space plus BOM and zero-width
/// space, which web pages leave behind.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

struct Line<'a> {
    /// Byte offset of the line in the input.
    start: usize,
    /// The line without surrounding whitespace.
    text: &'a str,
    marker: Option<Marker<'a>>,
}

fn split_lines(input: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(input.bytes().filter(|&b| b == b'\n').count() + 1);
    let mut start = 0;
    for raw in input.split('\n') {
        let text = raw.trim_matches(is_space);
        let marker = if text.is_empty() {
            None
        } else {
            parse_marker(text)
        };
        out.push(Line {
            start,
            text,
            marker,
        });
        start += raw.len() + 1;
    }
    out
}

/// Punctuation style of a label, used to normalise labels to the form the
/// document uses most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `.` or `(…)`
    Half,
    /// `．` or `（…）`
    Full,
    /// `、`
    Ideo,
    /// Not normalised.
    Plain,
}

#[derive(Debug, Clone)]
struct Marker<'a> {
    family: Family,
    /// The marker as written, separators included.
    raw: &'a str,
    /// The label before normalisation.
    label: String,
    /// The number part (`一`, `12`, `a`), for normalised labels.
    num: &'a str,
    form: Form,
    /// What follows the marker on its line, leading whitespace removed.
    rest: &'a str,
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

/// Split `s` after its first `n` bytes, if that is a char boundary.
fn split_at_checked(s: &str, n: usize) -> Option<(&str, &str)> {
    if s.is_char_boundary(n) {
        Some(s.split_at(n))
    } else {
        None
    }
}

fn parse_marker(s: &str) -> Option<Marker<'_>> {
    let c = first_char(s)?;
    match c {
        '#' => markdown_marker(s),
        '第' => chapter_marker(s),
        '(' | '（' => paren_marker(s),
        _ if circled_value(c).is_some() => {
            let (raw, rest) = split_at_checked(s, c.len_utf8())?;
            Some(plain(Family::Circled, raw, raw.to_string(), rest))
        }
        _ if is_cjk_digit(c) => cjk_enum_marker(s),
        _ if digit_value(c).is_some() => arabic_marker(s),
        _ if c.is_ascii_alphabetic() => english_marker(s),
        _ => None,
    }
}

fn plain<'a>(family: Family, raw: &'a str, label: String, rest: &'a str) -> Marker<'a> {
    Marker {
        family,
        raw,
        label,
        num: "",
        form: Form::Plain,
        rest: rest.trim_start_matches(is_space),
    }
}

fn markdown_marker(s: &str) -> Option<Marker<'_>> {
    let hashes = s.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let (raw, rest) = split_at_checked(s, hashes)?;
    if !first_char(rest).is_some_and(is_space) {
        return None;
    }
    let rest = rest.trim_start_matches(is_space);
    if rest.is_empty() {
        return None;
    }
    let level = u8::try_from(hashes).ok()?;
    Some(plain(Family::Markdown(level), raw, raw.to_string(), rest))
}

fn chapter_marker(s: &str) -> Option<Marker<'_>> {
    let after = s.strip_prefix('第')?;
    let num_len: usize = after
        .chars()
        .take_while(|&c| is_cjk_digit(c) || digit_value(c).is_some())
        .take(10)
        .map(char::len_utf8)
        .sum();
    let (num, tail) = split_at_checked(after, num_len)?;
    if num.is_empty() || !valid_number(num) {
        return None;
    }
    let kind = first_char(tail)?;
    let family = match kind {
        '编' | '編' => Family::Bian,
        '章' => Family::Zhang,
        '节' | '節' => Family::Jie,
        '条' | '條' => Family::Tiao,
        _ => return None,
    };
    let raw_len = '第'.len_utf8() + num_len + kind.len_utf8();
    let (raw, rest) = split_at_checked(s, raw_len)?;
    Some(plain(family, raw, raw.to_string(), rest))
}

fn valid_number(num: &str) -> bool {
    if num.chars().all(|c| digit_value(c).is_some()) {
        return num.chars().count() <= 4;
    }
    num.chars().all(is_cjk_digit) && cjk_number(num).is_some()
}

fn paren_marker(s: &str) -> Option<Marker<'_>> {
    let open = first_char(s)?;
    let inner_start = open.len_utf8();
    let body = s.get(inner_start..)?;
    // The number is at most four characters long.
    let (close_at, close) = body
        .char_indices()
        .take(5)
        .find(|&(_, c)| c == ')' || c == '）')?;
    let num = body.get(..close_at)?;
    let count = num.chars().count();
    let family = if count == 0 {
        return None;
    } else if count <= 3 && num.chars().all(is_cjk_digit) && cjk_number(num).is_some() {
        Family::CjkParen
    } else if count <= 3 && num.chars().all(|c| digit_value(c).is_some()) {
        Family::ArabicParen
    } else if count == 1 && num.chars().all(|c| c.is_ascii_alphabetic()) {
        Family::LatinParen
    } else {
        return None;
    };
    let raw_len = inner_start + close_at + close.len_utf8();
    let (raw, rest) = split_at_checked(s, raw_len)?;
    Some(Marker {
        family,
        raw,
        label: raw.to_string(),
        num,
        form: if open == '(' { Form::Half } else { Form::Full },
        rest: rest.trim_start_matches(is_space),
    })
}

fn cjk_enum_marker(s: &str) -> Option<Marker<'_>> {
    let num_len: usize = s
        .chars()
        .take_while(|&c| is_cjk_digit(c))
        .take(4)
        .map(char::len_utf8)
        .sum();
    let (num, tail) = split_at_checked(s, num_len)?;
    if num.chars().count() > 3 || cjk_number(num).is_none() {
        return None;
    }
    let sep = first_char(tail)?;
    let form = match sep {
        '、' => Form::Ideo,
        '.' => Form::Half,
        '．' => Form::Full,
        _ => return None,
    };
    let after = tail.get(sep.len_utf8()..)?;
    if form != Form::Ideo && first_char(after).is_some_and(|c| digit_value(c).is_some()) {
        return None;
    }
    let (raw, rest) = split_at_checked(s, num_len + sep.len_utf8())?;
    Some(Marker {
        family: Family::CjkEnum,
        raw,
        label: raw.to_string(),
        num,
        form,
        rest: rest.trim_start_matches(is_space),
    })
}

/// Characters after which a decimal number is an amount, not numbering.
fn is_unit_char(c: char) -> bool {
    matches!(
        c,
        '万' | '亿'
            | '千'
            | '百'
            | '元'
            | '倍'
            | '个'
            | '年'
            | '月'
            | '日'
            | '米'
            | '吨'
            | '公'
            | '%'
            | '％'
            | '余'
    )
}

fn digit_run(s: &str) -> usize {
    s.chars()
        .take_while(|&c| digit_value(c).is_some())
        .take(4)
        .map(char::len_utf8)
        .sum()
}

fn arabic_marker(s: &str) -> Option<Marker<'_>> {
    let n = digit_run(s);
    let (num, tail) = split_at_checked(s, n)?;
    if num.chars().count() > 3 {
        return None;
    }
    let sep = first_char(tail)?;
    let after = tail.get(sep.len_utf8()..)?;
    let next_is_digit = first_char(after).is_some_and(|c| digit_value(c).is_some());
    match sep {
        '.' | '．' if next_is_digit => decimal_marker(s),
        '.' | '．' | '、' => {
            let (raw, rest) = split_at_checked(s, n + sep.len_utf8())?;
            let form = match sep {
                '.' => Form::Half,
                '．' => Form::Full,
                _ => Form::Ideo,
            };
            Some(Marker {
                family: Family::ArabicDot,
                raw,
                label: raw.to_string(),
                num,
                form,
                rest: rest.trim_start_matches(is_space),
            })
        }
        _ => None,
    }
}

fn decimal_marker(s: &str) -> Option<Marker<'_>> {
    // digits ( [.．] digits )+ [.．]?
    let mut pos = 0;
    let mut parts = 0u8;
    loop {
        let n = digit_run(s.get(pos..)?);
        if n == 0 || s.get(pos..pos + n)?.chars().count() > 3 {
            return None;
        }
        pos += n;
        parts = parts.saturating_add(1);
        match s.get(pos..).and_then(first_char) {
            Some(c @ ('.' | '．'))
                if s.get(pos + c.len_utf8()..)
                    .and_then(first_char)
                    .is_some_and(|d| digit_value(d).is_some()) =>
            {
                pos += c.len_utf8();
            }
            _ => break,
        }
    }
    if parts < 2 {
        return None;
    }
    let number_end = pos;
    if let Some(c @ ('.' | '．')) = s.get(pos..).and_then(first_char) {
        pos += c.len_utf8();
    }
    let (raw, rest) = split_at_checked(s, pos)?;
    match first_char(rest) {
        None => {}
        Some(c) if is_space(c) => {}
        Some(c) if is_cjk(c) && !is_unit_char(c) => {}
        Some(_) => return None,
    }
    let label = s.get(..number_end)?.to_string();
    Some(plain(Family::Decimal(parts.min(9)), raw, label, rest))
}

fn english_marker(s: &str) -> Option<Marker<'_>> {
    const WORDS: [(&str, Family); 4] = [
        ("chapter", Family::EnChapter),
        ("article", Family::EnArticle),
        ("section", Family::EnSection),
        ("part", Family::EnPart),
    ];
    let (word_len, family) = WORDS.iter().find_map(|(w, f)| {
        s.get(..w.len())
            .filter(|p| p.eq_ignore_ascii_case(w))
            .map(|_| (w.len(), *f))
    })?;
    let after_word = s.get(word_len..)?;
    let gap: usize = after_word
        .chars()
        .take_while(|&c| c == ' ' || c == '\t' || c == '\u{a0}')
        .map(char::len_utf8)
        .sum();
    if gap == 0 {
        return None;
    }
    let num_start = word_len + gap;
    let tail = s.get(num_start..)?;
    let num_len: usize = tail
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .take(12)
        .map(char::len_utf8)
        .sum();
    let num = tail.get(..num_len)?;
    let is_number = (num.chars().all(|c| c.is_ascii_digit()) && (1..=4).contains(&num.len()))
        || roman_value(num).is_some();
    if !is_number {
        return None;
    }
    let mut end = num_start + num_len;
    let after_num = s.get(end..)?;
    match first_char(after_num) {
        None => {}
        Some(c) if is_space(c) => {}
        Some('.' | ':' | '-' | '–' | '—' | ')') => {}
        Some(_) => return None,
    }
    // Take a separator (`.`, `:`, ` - `) into the raw label.
    let sep_ws: usize = after_num
        .chars()
        .take_while(|&c| is_space(c))
        .map(char::len_utf8)
        .sum();
    if let Some(c @ ('.' | ':' | '-' | '–' | '—')) = after_num.get(sep_ws..).and_then(first_char)
    {
        end += sep_ws + c.len_utf8();
    }
    let (raw, rest) = split_at_checked(s, end)?;
    let label = format!("{} {}", s.get(..word_len)?, num);
    Some(plain(family, raw, label, rest))
}

fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let upper = s.chars().all(|c| c.is_ascii_uppercase());
    let lower = s.chars().all(|c| c.is_ascii_lowercase());
    if !upper && !lower {
        return None;
    }
    let vals: Vec<u32> = s
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' => Some(1),
            'V' => Some(5),
            'X' => Some(10),
            'L' => Some(50),
            'C' => Some(100),
            'D' => Some(500),
            'M' => Some(1000),
            _ => None,
        })
        .collect::<Option<Vec<u32>>>()?;
    let mut total = 0u32;
    for (i, v) in vals.iter().enumerate() {
        match vals.get(i + 1) {
            Some(next) if next > v => total = total.checked_sub(*v)?,
            _ => total += v,
        }
    }
    // Accept only the canonical spelling, so that words such as "did" or
    // "mix" are not taken for numbers.
    (to_roman(total).eq_ignore_ascii_case(s) && total > 0).then_some(total)
}

fn to_roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_cjk_digit(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '两'
    )
}

/// Value of a Chinese numeral such as `二十三` or `一百零五`.
pub(crate) fn cjk_number(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    for c in s.chars() {
        let digit = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = digit {
            if pending.is_some_and(|p| p != 0) {
                return None;
            }
            pending = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total = total.checked_add(pending.unwrap_or(1).checked_mul(unit)?)?;
        pending = None;
    }
    total = total.checked_add(pending.unwrap_or(0))?;
    (total > 0).then_some(total)
}

fn circled_value(c: char) -> Option<u32> {
    let v = c as u32;
    match v {
        0x2460..=0x2473 => Some(v - 0x2460 + 1),
        0x3251..=0x325F => Some(v - 0x3251 + 21),
        0x32B1..=0x32BF => Some(v - 0x32B1 + 36),
        _ => None,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ebef}')
}

// ---------------------------------------------------------------------------
// Levels
// ---------------------------------------------------------------------------

/// Orderings that are fixed by the kind of numbering itself. `Some(true)`
/// when `outer` can contain `inner`, `None` when the kinds are unrelated.
fn structural_contains(outer: Family, inner: Family) -> Option<bool> {
    fn law(f: Family) -> Option<u8> {
        match f {
            Family::Bian => Some(0),
            Family::Zhang => Some(1),
            Family::Jie => Some(2),
            Family::Tiao => Some(3),
            _ => None,
        }
    }
    fn english(f: Family) -> Option<u8> {
        match f {
            Family::EnPart => Some(0),
            Family::EnChapter => Some(1),
            Family::EnSection | Family::EnArticle => Some(2),
            _ => None,
        }
    }
    fn decimal(f: Family) -> Option<u8> {
        match f {
            Family::ArabicDot => Some(1),
            Family::Decimal(n) => Some(n),
            _ => None,
        }
    }
    if let (Family::Markdown(a), Family::Markdown(b)) = (outer, inner) {
        return Some(a < b);
    }
    for rank in [law, english, decimal] {
        if let (Some(a), Some(b)) = (rank(outer), rank(inner)) {
            if outer == Family::EnSection && inner == Family::EnArticle
                || outer == Family::EnArticle && inner == Family::EnSection
            {
                return None;
            }
            return Some(a < b);
        }
    }
    None
}

/// Conventional order of Chinese enumerations, only used to break ties
/// between families first seen at the same level.
fn conventional_rank(f: Family) -> Option<u8> {
    match f {
        Family::CjkEnum => Some(0),
        Family::CjkParen => Some(1),
        Family::ArabicDot => Some(2),
        Family::ArabicParen => Some(3),
        Family::Circled => Some(4),
        _ => None,
    }
}

/// Assigns depths from the order in which families appear.
struct LevelTracker {
    /// Families of the open clauses, outermost first.
    stack: Vec<Family>,
    /// Level at which each family was first seen.
    known: Vec<(Family, usize)>,
}

impl LevelTracker {
    fn new() -> Self {
        LevelTracker {
            stack: Vec::new(),
            known: Vec::new(),
        }
    }

    fn level_of(&self, f: Family) -> Option<usize> {
        self.known.iter().find(|(k, _)| *k == f).map(|(_, l)| *l)
    }

    fn can_contain(&self, outer: Family, inner: Family) -> bool {
        if let Some(b) = structural_contains(outer, inner) {
            return b;
        }
        let (Some(lo), Some(li)) = (self.level_of(outer), self.level_of(inner)) else {
            // A family never seen before opens a new level.
            return true;
        };
        if lo != li {
            return lo < li;
        }
        matches!(
            (conventional_rank(outer), conventional_rank(inner)),
            (Some(a), Some(b)) if a < b
        )
    }

    fn depth_for(&mut self, f: Family) -> usize {
        let depth = if let Some(pos) = self.stack.iter().position(|&s| s == f) {
            pos
        } else {
            let mut d = self.stack.len();
            while d > 0 {
                match self.stack.get(d - 1) {
                    Some(&outer) if !self.can_contain(outer, f) => d -= 1,
                    _ => break,
                }
            }
            d
        };
        if self.level_of(f).is_none() {
            self.known.push((f, depth));
        }
        self.stack.truncate(depth);
        self.stack.push(f);
        depth
    }
}

// ---------------------------------------------------------------------------
// Numbered documents
// ---------------------------------------------------------------------------

struct Item<'a> {
    line: usize,
    marker: &'a Marker<'a>,
    depth: usize,
    /// Lines after the marker line that belong to this clause.
    body: std::ops::Range<usize>,
}

fn parse_numbered(input: &str, lines: &[Line<'_>], first: usize) -> ParsedDraft {
    let top = lines
        .get(first)
        .and_then(|l| l.marker.as_ref())
        .map(|m| m.family);
    let last_top = lines
        .iter()
        .rposition(|l| l.marker.as_ref().map(|m| m.family) == top)
        .unwrap_or(first);

    // Where the clause tree ends.
    let mut end = lines.len();
    let mut last_marker = last_top;
    for (i, line) in lines.iter().enumerate().skip(last_top + 1) {
        if line.marker.is_some() {
            last_marker = i;
            continue;
        }
        if is_trailer_start(line.text) {
            end = pull_back(lines, i, last_marker);
            break;
        }
    }

    // Clause starts and their depths.
    let mut tracker = LevelTracker::new();
    let mut items: Vec<Item<'_>> = Vec::new();
    for (i, line) in lines.iter().enumerate().take(end).skip(first) {
        if let Some(m) = &line.marker {
            if let Some(prev) = items.last_mut() {
                prev.body = prev.line + 1..i;
            }
            let depth = tracker.depth_for(m.family);
            items.push(Item {
                line: i,
                marker: m,
                depth,
                body: i + 1..end,
            });
        }
    }

    let forms = dominant_forms(&items);

    // Build the clauses, then nest them.
    let mut flat: Vec<(usize, ParsedClause)> = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        let body_lines = lines.get(item.body.clone()).unwrap_or(&[]);
        let has_children = items.get(k + 1).is_some_and(|n| n.depth > item.depth);
        let has_more = has_children || body_lines.iter().any(|l| !l.text.is_empty());
        let m = item.marker;
        let split = split_heading(m.family, m.rest, has_more);
        let text = assemble_text(split.body, body_lines);
        let duties = extract_duties(&text);
        let form = forms
            .iter()
            .find(|(f, _)| *f == m.family)
            .map_or(m.form, |(_, form)| *form);
        flat.push((
            item.depth,
            ParsedClause {
                label: render_label(m, form),
                heading: split.heading,
                text,
                duties,
                children: Vec::new(),
                family: m.family,
                raw_label: m.raw.to_string(),
                raw_heading: split.raw.to_string(),
            },
        ));
    }

    let front_lines = lines.get(..first).unwrap_or(&[]);
    let front_start = lines.get(first).map_or(input.len(), |l| l.start);
    let front_matter = input
        .get(..front_start)
        .unwrap_or("")
        .trim_matches(is_space)
        .to_string();
    let trailer = trailer_text(input, lines, end);

    ParsedDraft {
        title: detect_title(front_lines),
        clauses: nest(flat),
        front_matter,
        trailer,
        notes: Vec::new(),
    }
}

fn trailer_text(input: &str, lines: &[Line<'_>], end: usize) -> String {
    lines
        .get(end)
        .and_then(|l| input.get(l.start..))
        .unwrap_or("")
        .trim_matches(is_space)
        .to_string()
}

fn nest(flat: Vec<(usize, ParsedClause)>) -> Vec<ParsedClause> {
    let mut roots: Vec<ParsedClause> = Vec::new();
    let mut stack: Vec<(usize, ParsedClause)> = Vec::new();
    fn close(stack: &mut Vec<(usize, ParsedClause)>, roots: &mut Vec<ParsedClause>) {
        if let Some((_, done)) = stack.pop() {
            match stack.last_mut() {
                Some((_, parent)) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
    for (depth, clause) in flat {
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            close(&mut stack, &mut roots);
        }
        stack.push((depth, clause));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

fn dominant_forms(items: &[Item<'_>]) -> Vec<(Family, Form)> {
    // family, counts [half, full, ideo], first form seen
    let mut seen: Vec<(Family, [usize; 3], Form)> = Vec::new();
    for item in items {
        let m = item.marker;
        let idx = match m.form {
            Form::Half => 0,
            Form::Full => 1,
            Form::Ideo => 2,
            Form::Plain => continue,
        };
        match seen.iter_mut().find(|(f, _, _)| *f == m.family) {
            Some((_, counts, _)) => {
                if let Some(c) = counts.get_mut(idx) {
                    *c += 1;
                }
            }
            None => {
                let mut counts = [0; 3];
                if let Some(c) = counts.get_mut(idx) {
                    *c = 1;
                }
                seen.push((m.family, counts, m.form));
            }
        }
    }
    seen.into_iter()
        .map(|(family, counts, first)| {
            let first_idx = match first {
                Form::Full => 1,
                Form::Ideo => 2,
                _ => 0,
            };
            let best = counts.iter().max().copied().unwrap_or(0);
            let form = if counts.get(first_idx) == Some(&best) {
                first
            } else {
                match counts.iter().position(|&c| c == best) {
                    Some(1) => Form::Full,
                    Some(2) => Form::Ideo,
                    _ => Form::Half,
                }
            };
            (family, form)
        })
        .collect()
}

fn render_label(m: &Marker<'_>, form: Form) -> String {
    match m.family {
        Family::CjkEnum | Family::ArabicDot => {
            let sep = match form {
                Form::Half => '.',
                Form::Full => '．',
                Form::Ideo => '、',
                Form::Plain => return m.label.clone(),
            };
            format!("{}{}", m.num, sep)
        }
        Family::CjkParen | Family::ArabicParen | Family::LatinParen => match form {
            Form::Full => format!("（{}）", m.num),
            Form::Half => format!("({})", m.num),
            _ => m.label.clone(),
        },
        _ => m.label.clone(),
    }
}

// ---------------------------------------------------------------------------
// Headings and text
// ---------------------------------------------------------------------------

struct HeadingSplit<'a> {
    raw: &'a str,
    heading: Option<String>,
    body: &'a str,
}

fn split_heading(family: Family, rest: &str, has_more: bool) -> HeadingSplit<'_> {
    let none = HeadingSplit {
        raw: "",
        heading: None,
        body: rest,
    };
    if rest.is_empty() {
        return none;
    }
    match family {
        Family::Markdown(_) => {
            let h = rest.trim_end_matches(|c: char| c == '#' || is_space(c));
            let h = if h.is_empty() { rest } else { h };
            HeadingSplit {
                raw: rest,
                heading: Some(h.to_string()),
                body: "",
            }
        }
        Family::Tiao => bracket_heading(rest).unwrap_or(none),
        _ if rest.chars().any(is_cjk) => cjk_heading(rest, has_more).unwrap_or(none),
        _ => latin_heading(rest).unwrap_or(none),
    }
}

fn mentions_duty(s: &str) -> bool {
    ["牵头单位", "责任单位", "责任部门", "配合单位"]
        .iter()
        .any(|k| s.contains(k))
}

/// `(立法目的)为了…` → heading `立法目的`.
fn bracket_heading(rest: &str) -> Option<HeadingSplit<'_>> {
    let open = first_char(rest)?;
    if !matches!(open, '(' | '（' | '【' | '[' | '［' | '〔') {
        return None;
    }
    let end = find_close(rest, 40)?;
    let raw = rest.get(..end)?;
    let close = raw.chars().next_back()?;
    let inner = raw
        .get(open.len_utf8()..raw.len() - close.len_utf8())?
        .trim_matches(is_space);
    let n = inner.chars().count();
    if n == 0 || n > 20 || inner.contains('。') {
        return None;
    }
    Some(HeadingSplit {
        raw,
        heading: Some(inner.to_string()),
        body: rest.get(end..)?.trim_start_matches(is_space),
    })
}

fn cjk_heading(rest: &str, has_more: bool) -> Option<HeadingSplit<'_>> {
    if let Some(p) = rest.find('。') {
        let first = rest.get(..p)?.trim_end_matches(is_space);
        let end = p + '。'.len_utf8();
        let after = rest.get(end..)?.trim_start_matches(is_space);
        if first.is_empty() || mentions_duty(first) {
            return None;
        }
        let n = first.chars().count();
        let is_heading = if after.is_empty() {
            n <= 40 && has_more
        } else {
            n <= 30
        };
        return is_heading.then(|| HeadingSplit {
            raw: rest.get(..end).unwrap_or(rest),
            heading: Some(first.to_string()),
            body: after,
        });
    }
    if rest.chars().count() > 40 || mentions_duty(rest) {
        return None;
    }
    let is_heading = match rest.chars().next_back() {
        Some('；' | ';' | '，' | ',' | '：' | ':' | '、') => false,
        Some('？' | '?' | '！' | '!') => has_more,
        _ => true,
    };
    is_heading.then(|| HeadingSplit {
        raw: rest,
        heading: Some(rest.to_string()),
        body: "",
    })
}

fn latin_heading(rest: &str) -> Option<HeadingSplit<'_>> {
    // "Scope. This Act applies …" → heading "Scope".
    let mut prev_is_dot = false;
    for (i, c) in rest.char_indices() {
        if prev_is_dot && is_space(c) {
            let first = rest.get(..i - 1)?;
            let after = rest.get(i..)?.trim_start_matches(is_space);
            let words = first.split_whitespace().count();
            let starts_upper = first_char(first).is_some_and(|c| c.is_uppercase());
            if !after.is_empty() && words <= 4 && first.chars().count() <= 40 && starts_upper {
                return Some(HeadingSplit {
                    raw: rest.get(..i)?,
                    heading: Some(first.to_string()),
                    body: after,
                });
            }
            break;
        }
        prev_is_dot = c == '.';
    }
    let ends_sentence = matches!(
        rest.chars().next_back(),
        Some('.' | ';' | ',' | ':' | '?' | '!')
    );
    (rest.chars().count() <= 80 && !ends_sentence).then(|| HeadingSplit {
        raw: rest,
        heading: Some(rest.to_string()),
        body: "",
    })
}

/// The first line's remainder plus the following lines: a line break stays
/// `\n`, blank lines become one paragraph break `\n\n`.
fn assemble_text(first: &str, body: &[Line<'_>]) -> String {
    let mut out = String::new();
    let mut blank = false;
    let push = |out: &mut String, s: &str, blank: &mut bool| {
        if !out.is_empty() {
            out.push_str(if *blank { "\n\n" } else { "\n" });
        }
        out.push_str(s);
        *blank = false;
    };
    if !first.is_empty() {
        push(&mut out, first, &mut blank);
    }
    for line in body {
        if line.text.is_empty() {
            blank = true;
        } else {
            push(&mut out, line.text, &mut blank);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Front matter, title, trailer
// ---------------------------------------------------------------------------

fn ends_with_any(s: &str, chars: &str) -> bool {
    s.chars().next_back().is_some_and(|c| chars.contains(c))
}

fn is_date_line(t: &str) -> bool {
    let n = t.chars().count();
    let has_digit = t
        .chars()
        .any(|c| digit_value(c).is_some() || matches!(c, '〇' | '一' | '二'));
    if has_digit && n <= 20 && t.contains('年') && (t.contains('月') || t.contains('日')) {
        return true;
    }
    n <= 12
        && t.chars().any(|c| digit_value(c).is_some())
        && t.chars()
            .all(|c| digit_value(c).is_some() || matches!(c, '-' | '.' | '/' | '．' | '／'))
}

fn is_bracketed_line(t: &str) -> bool {
    first_char(t).is_some_and(|c| opener_close(c).is_some()) && find_close(t, 200) == Some(t.len())
}

fn is_doc_number(t: &str) -> bool {
    t.ends_with('号')
        && t.chars().any(|c| digit_value(c).is_some())
        && t.chars()
            .any(|c| matches!(c, '〔' | '[' | '［' | '【' | '(' | '（'))
        && t.chars().count() <= 30
}

fn is_title_ish(t: &str) -> bool {
    if t.is_empty() || t.contains('。') || ends_with_any(t, "；;：:，,、！!？?") {
        return false;
    }
    let limit = if t.chars().any(is_cjk) { 60 } else { 100 };
    t.chars().count() <= limit
        && !is_date_line(t)
        && !is_bracketed_line(t)
        && !is_doc_number(t)
        && !is_trailer_start(t)
}

fn is_stopper(t: &str) -> bool {
    is_date_line(t) || is_bracketed_line(t) || is_doc_number(t) || ends_with_any(t, ":：")
}

/// The title: the title-like line(s) just above the first clause, skipping a
/// preamble paragraph; failing that, the first line if it reads like a title.
fn detect_title(front: &[Line<'_>]) -> Option<String> {
    let mut i = front.len();
    // Skip blank lines and preamble paragraphs.
    while i > 0 {
        let t = front.get(i - 1).map_or("", |l| l.text);
        if t.is_empty() || (!is_title_ish(t) && !is_stopper(t)) {
            i -= 1;
        } else {
            break;
        }
    }
    let mut parts: Vec<&str> = Vec::new();
    while i > 0 && parts.len() < 3 {
        let t = front.get(i - 1).map_or("", |l| l.text);
        if t.is_empty() {
            i -= 1;
            continue;
        }
        if !is_title_ish(t) {
            break;
        }
        parts.push(t);
        i -= 1;
    }
    if parts.is_empty() {
        let first = front.iter().map(|l| l.text).find(|t| !t.is_empty())?;
        return is_title_ish(first).then(|| first.to_string());
    }
    parts.reverse();
    let mut title = String::new();
    for p in parts {
        let join_with_space = title
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && first_char(p).is_some_and(|c| c.is_ascii_alphanumeric());
        if join_with_space {
            title.push(' ');
        }
        title.push_str(p);
    }
    Some(title)
}

fn compact(t: &str) -> String {
    t.chars().filter(|&c| !is_space(c)).collect()
}

fn is_member_header(t: &str) -> bool {
    let c = compact(t);
    (c.ends_with("名单")
        || c.ends_with("名单如下")
        || c.ends_with("名单如下:")
        || c.ends_with("名单如下："))
        && !c.contains('。')
        && c.chars().count() <= 50
}

/// A line that starts the trailer: a member list or page furniture.
fn is_trailer_start(t: &str) -> bool {
    let c = compact(t);
    if c.is_empty() {
        return false;
    }
    const MEMBER: [&str; 7] = [
        "组长",
        "副组长",
        "成员",
        "组员",
        "召集人",
        "副召集人",
        "联络员",
    ];
    for m in MEMBER {
        if c.strip_prefix(m)
            .is_some_and(|after| after.starts_with([':', '：']))
        {
            return true;
        }
    }
    if is_member_header(t) {
        return true;
    }
    const STARTS: [&str; 30] = [
        "扫一扫",
        "扫描二维码",
        "手机扫",
        "微信扫",
        "打印本页",
        "关闭窗口",
        "【打印",
        "[打印",
        "【关闭",
        "[关闭",
        "本文链接",
        "文件链接",
        "原文链接",
        "相关链接",
        "相关文件",
        "相关阅读",
        "相关新闻",
        "本文关键词",
        "关键词:",
        "关键词：",
        "分享到",
        "责任编辑",
        "http://",
        "https://",
        "www.",
        "返回顶部",
        "上一篇",
        "下一篇",
        "【字体",
        "附:",
    ];
    if STARTS.iter().any(|s| c.starts_with(s)) || c.starts_with("附：") {
        return true;
    }
    if let Some(after) = c.strip_prefix("附件") {
        match first_char(after) {
            None => return true,
            Some(':' | '：' | '.' | '、') => return true,
            Some(ch) if digit_value(ch).is_some() || is_cjk_digit(ch) => return true,
            _ => {}
        }
    }
    let n = c.chars().count();
    if n <= 40
        && ["二维码", "微信公众号", "打印本页", "关闭窗口", "扫一扫"]
            .iter()
            .any(|k| c.contains(k))
    {
        return true;
    }
    c.contains("://") && !c.contains('。') && n <= 200
}

/// A member-list heading may run over two short lines (`…1号建议案` /
/// `办理工作领导小组组成人员名单`): take those lines into the trailer too.
fn pull_back(lines: &[Line<'_>], t: usize, floor: usize) -> usize {
    if !lines.get(t).is_some_and(|l| is_member_header(l.text)) {
        return t;
    }
    let mut start = t;
    let mut j = t;
    let mut taken = 0;
    while j > floor + 1 && taken < 2 {
        j -= 1;
        let Some(line) = lines.get(j) else { break };
        if line.text.is_empty() {
            continue;
        }
        if line.marker.is_none() && is_title_ish(line.text) && line.text.chars().count() <= 40 {
            start = j;
            taken += 1;
        } else {
            break;
        }
    }
    start
}

// ---------------------------------------------------------------------------
// Unnumbered documents
// ---------------------------------------------------------------------------

fn parse_unnumbered(input: &str, lines: &[Line<'_>]) -> ParsedDraft {
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

// ---------------------------------------------------------------------------
// Duty notes
// ---------------------------------------------------------------------------

fn opener_close(c: char) -> Option<char> {
    Some(match c {
        '(' => ')',
        '（' => '）',
        '[' => ']',
        '［' => '］',
        '【' => '】',
        '〔' => '〕',
        '〈' => '〉',
        '《' => '》',
        '{' => '}',
        '｛' => '｝',
        '「' => '」',
        '『' => '』',
        '<' => '>',
        '＜' => '＞',
        _ => return None,
    })
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        ')' | '）' | ']' | '］' | '】' | '〕' | '〉' | '》' | '}' | '｝' | '」' | '』' | '>' | '＞'
    )
}

/// `s` starts with an opening bracket: byte offset just past its matching
/// closing bracket (any bracket kind counts for nesting). Gives up after
/// `limit` characters, at the end of the line, or when nesting gets deeper
/// than four levels.
fn find_close(s: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices().take(limit) {
        if c == '\n' {
            return None;
        }
        if opener_close(c).is_some() {
            depth += 1;
            if depth > 4 {
                return None;
            }
        } else if is_closer(c) {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i + c.len_utf8());
            }
        }
    }
    None
}

/// Split at any of `seps` outside brackets; each piece with the separator
/// that ended it.
fn split_top<'a>(s: &'a str, seps: &[char]) -> Vec<(&'a str, Option<char>)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if opener_close(c).is_some() {
            depth += 1;
        } else if is_closer(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && seps.contains(&c) {
            out.push((s.get(start..i).unwrap_or(""), Some(c)));
            start = i + c.len_utf8();
        }
    }
    out.push((s.get(start..).unwrap_or(""), None));
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Lead,
    Responsible,
}

fn classify_key(key: &str) -> Option<Role> {
    if ["牵头", "主办", "主责"].iter().any(|k| key.contains(k)) {
        Some(Role::Lead)
    } else if ["责任", "配合", "协办", "协助", "参与", "承办"]
        .iter()
        .any(|k| key.contains(k))
    {
        Some(Role::Responsible)
    } else {
        None
    }
}

/// Split a unit list on `、 , ， ; ；`, keeping bracketed remarks with their
/// unit. A bare area name (`各区`) followed by `、` belongs to the next unit
/// (`各区、县(市)政府`).
fn split_units(list: &str) -> Vec<String> {
    let pieces = split_top(list, &['、', ',', '，', ';', '；']);
    let mut out: Vec<String> = Vec::new();
    let mut carry = String::new();
    for (piece, sep) in pieces {
        let unit = piece
            .trim_matches(is_space)
            .trim_end_matches(['。', '.'])
            .trim_matches(is_space);
        if unit.is_empty() {
            continue;
        }
        let mut unit_s = std::mem::take(&mut carry);
        unit_s.push_str(unit);
        let bare_area = unit.chars().count() <= 3
            && ends_with_any(unit, "区县市省镇乡街")
            && !unit.ends_with("新区");
        if bare_area && sep == Some('、') {
            unit_s.push('、');
            carry = unit_s;
        } else {
            out.push(unit_s);
        }
    }
    if !carry.is_empty() {
        let trimmed = carry.trim_end_matches('、').to_string();
        out.push(trimmed);
    }
    out
}

fn top_level_colon(seg: &str) -> Option<(usize, char)> {
    let mut depth = 0usize;
    for (i, c) in seg.char_indices() {
        if opener_close(c).is_some() {
            depth += 1;
        } else if is_closer(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && (c == ':' || c == '：') {
            return Some((i, c));
        }
    }
    None
}

/// The units named by a note's content, or `None` if it is not a duty note.
fn parse_note(inner: &str) -> Option<(Vec<String>, Vec<String>)> {
    let inner = inner.trim_matches(is_space);
    if inner.is_empty() || inner.contains('。') {
        return None;
    }
    let mut lead = Vec::new();
    let mut resp = Vec::new();
    let segments = split_top(inner, &[';', '；']);
    let mut any_colon = false;
    for (seg, _) in &segments {
        let Some((ci, colon)) = top_level_colon(seg) else {
            continue;
        };
        any_colon = true;
        let key = compact(seg.get(..ci).unwrap_or(""));
        let value = seg.get(ci + colon.len_utf8()..).unwrap_or("");
        if key.chars().count() > 10 {
            continue;
        }
        match classify_key(&key) {
            Some(Role::Lead) => lead.extend(split_units(value)),
            Some(Role::Responsible) => resp.extend(split_units(value)),
            None => {}
        }
    }
    if !any_colon {
        // `X牵头,Y、Z配合`
        for (part, _) in split_top(inner, &[';', '；', ',', '，']) {
            let part = part.trim_matches(is_space);
            if part.is_empty() {
                continue;
            }
            let (units, role) = if let Some(u) = part.strip_suffix("牵头") {
                (u, Role::Lead)
            } else if let Some(u) = ["配合", "协办", "协助", "参与", "负责"]
                .iter()
                .find_map(|s| part.strip_suffix(s))
            {
                (u, Role::Responsible)
            } else {
                return None;
            };
            let units = units.strip_prefix('由').unwrap_or(units);
            let units = split_units(units);
            if units.is_empty() || units.iter().any(|u| u.chars().count() > 20) {
                return None;
            }
            match role {
                Role::Lead => lead.extend(units),
                Role::Responsible => resp.extend(units),
            }
        }
    }
    (!lead.is_empty() || !resp.is_empty()).then_some((lead, resp))
}

/// The duty note opening with `open` at byte `i` of `text`: its length, its
/// raw text and its units.
#[allow(clippy::type_complexity)]
fn note_at(text: &str, i: usize, open: char) -> Option<(usize, &str, (Vec<String>, Vec<String>))> {
    let len = find_close(text.get(i..)?, 300)?;
    let raw = text.get(i..i + len)?;
    let close = raw.chars().next_back()?;
    let inner = raw.get(open.len_utf8()..raw.len() - close.len_utf8())?;
    Some((len, raw, parse_note(inner)?))
}

/// Duty notes in a clause text, each with the sentences before it.
pub fn extract_duties(text: &str) -> Vec<Duty> {
    const HINTS: [&str; 7] = ["牵头", "责任", "配合", "协办", "协助", "参与", "负责"];
    if !HINTS.iter().any(|h| text.contains(h)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut last_end = 0usize;
    let mut i = 0usize;
    while let Some(c) = text.get(i..).and_then(first_char) {
        let note = if matches!(c, '(' | '（' | '[' | '［' | '【' | '〔') {
            note_at(text, i, c)
        } else {
            None
        };
        if let Some((len, raw, (lead, responsible))) = note {
            let applies_to = text
                .get(last_end..i)
                .unwrap_or("")
                .trim_matches(is_space)
                .to_string();
            out.push(Duty {
                lead,
                responsible,
                raw: raw.to_string(),
                applies_to,
            });
            i += len;
            last_end = i;
            continue;
        }
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEED_000: &str = include_str!("../../tests/fixtures/seed_000.txt");
    const SEED_001: &str = include_str!("../../tests/fixtures/seed_001.txt");
    const SEED_003: &str = include_str!("../../tests/fixtures/seed_003.txt");
    const SEED_004: &str = include_str!("../../tests/fixtures/seed_004.txt");

    fn strip(s: &str) -> String {
        s.chars().filter(|&c| !is_space(c)).collect()
    }

    fn assert_lossless(input: &str) {
        let d = parse_draft(input);
        assert_eq!(
            strip(&d.reassemble()),
            strip(input),
            "lost text for {input:?}"
        );
    }

    /// Label and heading of each clause in `cs`.
    fn heads(cs: &[ParsedClause]) -> Vec<(&str, Option<&str>)> {
        cs.iter()
            .map(|c| (c.label.as_str(), c.heading.as_deref()))
            .collect()
    }

    fn units(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn duty_units(c: &ParsedClause) -> Vec<(Vec<String>, Vec<String>)> {
        c.duties
            .iter()
            .map(|d| (d.lead.clone(), d.responsible.clone()))
            .collect()
    }

    // ---------------------------------------------------------------- seed 000

    #[test]
    fn seed_000_tree() {
        let d = parse_draft(SEED_000);
        assert_eq!(d.counts_by_depth(), vec![4, 15, 16]);
        assert_eq!(d.clause_count(), 35);
        assert!(d.notes.is_empty());
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("一、", Some("工作目标")),
                ("二、", Some("工作任务")),
                ("三、", Some("工作安排")),
                ("四、", Some("工作措施")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![
                ("(一)", Some("实施一批人工智能技术攻关项目")),
                ("(二)", Some("打造一批人工智能应用示范场景")),
                ("(三)", Some("集聚一批人工智能高精尖缺人才")),
                ("(四)", Some("有力推动数字经济高质量发展")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[1].children),
            vec![
                (
                    "(一)",
                    Some("加强政策和机制创新,营造有利于人工智能发展的良好生态")
                ),
                (
                    "(二)",
                    Some("强化技术研发和创新应用,促进人工智能与经济社会发展深度融合")
                ),
                (
                    "(三)",
                    Some("加强产业空间布局统筹,推动人工智能产业集聚发展")
                ),
                (
                    "(四)",
                    Some("充分发挥武汉科教优势,为人工智能产业发展提供坚实的人才保障")
                ),
            ]
        );
        assert_eq!(
            heads(&d.clauses[2].children),
            vec![
                ("(一)", Some("工作部署阶段(2021年3月底之前)")),
                ("(二)", Some("工作办理阶段(2021年4—10月)")),
                ("(三)", Some("检查督办阶段(2021年11月)")),
                ("(四)", Some("总结汇报阶段(2021年12月)")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[3].children),
            vec![
                ("(一)", Some("加强组织领导")),
                ("(二)", Some("明确工作责任")),
                ("(三)", Some("完善工作机制")),
            ]
        );
        // Every task group holds items 1.–4.
        for group in &d.clauses[1].children {
            let labels: Vec<&str> = group.children.iter().map(|c| c.label.as_str()).collect();
            assert_eq!(labels, vec!["1.", "2.", "3.", "4."]);
        }
        assert_eq!(
            heads(&d.clauses[1].children[0].children),
            vec![
                ("1.", Some("进一步强化顶层设计")),
                ("2.", Some("加快推进新一代人工智能产业发展的扶持政策")),
                ("3.", Some("加大科技成果转化支持力度")),
                // The first sentence is longer than 30 characters.
                ("4.", None),
            ]
        );
        let goal = &d.clauses[0].children[0];
        assert!(
            goal.text
                .starts_with("聚焦人工智能“硬件、算法、数据”等关键领域")
        );
        assert!(goal.children.is_empty());
        assert_eq!(d.clauses[0].text, "");
        let item = &d.clauses[1].children[0].children[0];
        assert!(item.text.starts_with("成立市人工智能发展工作领导小组"));
        let item4 = &d.clauses[1].children[0].children[3];
        assert!(
            item4
                .text
                .starts_with("加快出台本市公共数据开放管理办法,实现")
        );
        // Notes stay in the text as written.
        assert!(item.text.contains("(责任单位:市科技局)进一步摸清"));
    }

    #[test]
    fn seed_000_duties() {
        let d = parse_draft(SEED_000);
        let tasks = &d.clauses[1].children;
        // 二、(一)1.: two notes.
        assert_eq!(
            duty_units(&tasks[0].children[0]),
            vec![
                (vec![], units(&["市科技局"])),
                (
                    units(&["市经济和信息化局"]),
                    units(&["市发展改革委", "市科技局"])
                ),
            ]
        );
        // 二、(一)2.: three notes, one per sentence group.
        let item = &tasks[0].children[1];
        assert_eq!(
            duty_units(item),
            vec![
                (
                    units(&["市经济和信息化局"]),
                    units(&["市财政局", "各区人民政府〈含开发区管委会,下同〉"])
                ),
                (
                    units(&["市科技局"]),
                    units(&["市发展改革委", "市经济和信息化局"])
                ),
                (units(&["市地方金融工作局"]), units(&["各区人民政府"])),
            ]
        );
        assert!(
            item.duties[0]
                .applies_to
                .starts_with("加大支持人工智能产品及服务")
        );
        assert!(item.duties[0].applies_to.ends_with("拓展市场资源。"));
        assert!(item.duties[1].applies_to.starts_with("引导在汉大型企业"));
        assert_eq!(
            item.duties[2].raw,
            "(牵头单位:市地方金融工作局;责任单位:各区人民政府)"
        );
        // 二、(一)4.: responsible unit only.
        assert_eq!(
            duty_units(&tasks[0].children[3]),
            vec![(vec![], units(&["市政务服务和大数据管理局"]))]
        );
        // 二、(二)1.: three notes; a bracketed remark stays with its unit.
        assert_eq!(
            duty_units(&tasks[1].children[0]),
            vec![
                (vec![], units(&["市科技局"])),
                (
                    units(&["市地方金融工作局"]),
                    units(&["市国资委", "市财政局"])
                ),
                (
                    units(&["市经济和信息化局"]),
                    units(&[
                        "武汉东湖新技术开发区管委会",
                        "武汉经济技术开发区管委会〈汉南区人民政府〉"
                    ])
                ),
            ]
        );
        // 二、(二)3.: nine responsible units in the second note.
        let scenes = &tasks[1].children[2];
        assert_eq!(scenes.duties.len(), 2);
        assert_eq!(
            scenes.duties[1].responsible,
            units(&[
                "市科技局",
                "市教育局",
                "市公安局",
                "市公安局交通管理局",
                "市民政局",
                "市自然资源和规划局",
                "市城乡建设局",
                "市卫生健康委",
                "各区人民政府"
            ])
        );
        // 二、(四)4.
        assert_eq!(
            duty_units(&tasks[3].children[3]),
            vec![(
                units(&["市招才局"]),
                units(&["市住房保障房管局", "市教育局", "各区人民政府"])
            )]
        );
        // Bracketed remarks that are not duty notes are ignored.
        assert!(d.clauses[3].children[0].duties.is_empty());
        assert!(d.clauses[2].children[0].duties.is_empty());
    }

    #[test]
    fn seed_000_front_matter_and_trailer() {
        let d = parse_draft(SEED_000);
        assert_eq!(
            d.title.as_deref(),
            Some("市政协第十三届五次会议1号建议案办理工作方案")
        );
        assert!(d.front_matter.starts_with("市人民政府办公厅关于印发"));
        assert!(d.front_matter.contains("各区人民政府,市人民政府各部门:"));
        assert!(d.front_matter.ends_with("结合工作实际,特制订本方案。"));
        assert!(
            d.trailer
                .starts_with("市政协第十三届五次会议1号建议案办理工作领导小组组成人员名单")
        );
        assert!(d.trailer.contains("胡亚波"));
        assert!(d.trailer.contains("舒贵传"));
        assert!(d.trailer.ends_with("武汉市人民政府微信公众号"));
        let last = &d.clauses[3].children[2];
        assert!(last.text.ends_with("接受群众监督。"));
        for (_, c) in d.flatten() {
            assert!(
                !c.text.contains("胡亚波") && !c.text.contains("扫一扫"),
                "{c:?}"
            );
        }
    }

    // ---------------------------------------------------------------- seed 003

    #[test]
    fn seed_003_tree_and_duties() {
        let d = parse_draft(SEED_003);
        assert_eq!(d.counts_by_depth(), vec![4, 11, 15]);
        assert_eq!(d.clause_count(), 30);
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("一、", Some("总体要求")),
                ("二、", Some("工作任务")),
                ("三、", Some("工作安排")),
                ("四、", Some("保障措施")),
            ]
        );
        assert!(d.clauses[0].children.is_empty());
        assert!(
            d.clauses[0]
                .text
                .starts_with("坚持以习近平新时代中国特色社会主义思想为指导")
        );
        assert_eq!(
            heads(&d.clauses[1].children),
            vec![
                ("(一)", Some("强化科技创新策源功能")),
                ("(二)", Some("提升科技成果转化效能")),
                ("(三)", Some("支持创新型企业发展壮大")),
                ("(四)", Some("推动重点产业集聚发展")),
                ("(五)", Some("加快培育高水平科技人才队伍")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[2].children),
            vec![
                ("(一)", Some("工作部署阶段(2023年3月底之前)")),
                ("(二)", Some("具体办理阶段(2023年4—11月)")),
                ("(三)", Some("总结汇报阶段(2023年12月)")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[3].children),
            vec![
                ("(一)", Some("加强组织领导")),
                ("(二)", Some("明确工作责任")),
                ("(三)", Some("完善工作机制")),
            ]
        );
        let tasks = &d.clauses[1].children;
        assert_eq!(
            heads(&tasks[0].children),
            vec![
                ("1.", Some("加快形成重大原创性突破成果")),
                ("2.", Some("加快突破核心技术")),
                ("3.", Some("发挥企业创新主体作用")),
            ]
        );
        assert_eq!(
            duty_units(&tasks[0].children[0]),
            vec![(
                units(&["市发改委", "市科技局"]),
                units(&[
                    "市人才工作局",
                    "市人社局",
                    "市商务局",
                    "市财政局",
                    "市委外办",
                    "各区人民政府〈含开发区、长江新区、风景区管委会,下同〉"
                ])
            )]
        );
        assert_eq!(
            duty_units(&tasks[0].children[1]),
            vec![(
                units(&["市科技局", "市发改委", "市经信局"]),
                units(&["各区人民政府"])
            )]
        );
        assert_eq!(
            duty_units(&tasks[1].children[1]),
            vec![(
                units(&["市科技局"]),
                units(&["市市场监管局", "各区人民政府"])
            )]
        );
        assert_eq!(
            duty_units(&tasks[2].children[2]),
            vec![(
                units(&["市地方金融局", "市政府国资委", "市科技局", "市财政局"]),
                units(&["市发改委", "市市场监管局", "各区人民政府"])
            )]
        );
        assert_eq!(
            duty_units(&tasks[3].children[2]),
            vec![(
                units(&["市发改委"]),
                units(&[
                    "市经信局",
                    "市科技局",
                    "市商务局",
                    "市市场监管局",
                    "各区人民政府"
                ])
            )]
        );
        assert_eq!(
            duty_units(&tasks[4].children[0]),
            vec![(
                units(&["市人才工作局"]),
                units(&[
                    "市人社局",
                    "市科技局",
                    "市市场监管局",
                    "市教育局",
                    "各区人民政府"
                ])
            )]
        );
    }

    #[test]
    fn seed_003_title_and_trailer() {
        let d = parse_draft(SEED_003);
        // The title runs over two lines.
        assert_eq!(
            d.title.as_deref(),
            Some("市政协十四届二次会议1号建议案办理工作方案")
        );
        assert!(d.front_matter.starts_with("各区人民政府,市人民政府各部门:"));
        // So does the member-list heading: both lines belong to the trailer.
        assert!(d.trailer.starts_with("市政协第十四届二次会议1号建议案"));
        assert!(d.trailer.contains("办理工作领导小组组成人员名单"));
        assert!(d.trailer.contains("陈劲超"));
        assert!(d.trailer.ends_with("不另行发文调整。"));
        let last = &d.clauses[3].children[2];
        assert!(last.text.ends_with("接受群众监督。"));
        assert!(!last.text.contains("建议案\n"));
    }

    // ---------------------------------------------------------------- seed 004

    #[test]
    fn seed_004_tree_and_duties() {
        let d = parse_draft(SEED_004);
        assert_eq!(d.counts_by_depth(), vec![4, 17, 16]);
        assert_eq!(d.clause_count(), 37);
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("一、", Some("总体要求")),
                ("二、", Some("重点任务")),
                ("三、", Some("工作措施")),
                ("四、", Some("组织实施")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![
                ("(一)", Some("指导思想")),
                ("(二)", Some("基本原则")),
                ("(三)", Some("行动目标")),
            ]
        );
        assert!(
            d.clauses[0].children[0]
                .text
                .starts_with("全面落实习近平总书记")
        );
        assert_eq!(
            heads(&d.clauses[0].children[1].children),
            vec![
                ("1.", Some("创新驱动")),
                ("2.", Some("融合发展")),
                ("3.", Some("开放合作")),
                ("4.", Some("统筹推进")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[1].children),
            vec![
                ("(一)", Some("构建新一代人工智能科技创新体系")),
                ("(二)", Some("培育四大新一代人工智能核心产业")),
                ("(三)", Some("做大做强六大人工智能相关产业")),
                ("(四)", Some("打造新型智慧城市新标杆")),
                ("(五)", Some("优化人工智能产业空间布局")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[2].children),
            vec![
                ("(一)", Some("制定人工智能财税金融新政策")),
                ("(二)", Some("建设人工智能人才聚集新高地")),
                ("(三)", Some("营造人工智能创新创业新生态")),
                ("(四)", Some("构建知识产权创造保护新体系")),
                ("(五)", Some("打造人工智能城市特色新品牌")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[3].children),
            vec![
                ("(一)", Some("细化组织领导工作机制")),
                ("(二)", Some("形成高效协同的任务推进机制")),
                ("(三)", Some("开展行之有效的社会舆论引导")),
                ("(四)", Some("完善相关配套服务保障体系")),
            ]
        );
        // Numbering 1.–12. runs on across the sections of 二、.
        let per_section: Vec<Vec<&str>> = d.clauses[1]
            .children
            .iter()
            .map(|s| s.children.iter().map(|c| c.label.as_str()).collect())
            .collect();
        assert_eq!(
            per_section,
            vec![
                vec!["1.", "2.", "3.", "4."],
                vec!["5.", "6."],
                vec!["7.", "8.", "9."],
                vec!["10.", "11."],
                vec!["12."],
            ]
        );
        assert!(
            d.clauses[2]
                .text
                .starts_with("全面落实建设国家自主创新示范区")
        );

        let tasks = &d.clauses[1].children;
        assert_eq!(
            duty_units(&tasks[0].children[0]),
            vec![(
                vec![],
                units(&["市科技局", "经济和信息化委", "各区、县(市)政府"])
            )]
        );
        assert_eq!(
            duty_units(&tasks[0].children[2]),
            vec![(
                vec![],
                units(&["市委组织部(市人才办)", "市发展改革委", "人力资源社会保障局"])
            )]
        );
        // 7.: the note stands on the line after its item.
        let seven = &tasks[2].children[0];
        assert_eq!(seven.label, "7.");
        assert!(
            seven
                .text
                .ends_with("产业集群。\n[责任部门:市经济和信息化委、发展改革委]")
        );
        assert_eq!(
            duty_units(seven),
            vec![(vec![], units(&["市经济和信息化委", "发展改革委"]))]
        );
        assert!(
            seven.duties[0]
                .applies_to
                .ends_with("打造具有国际竞争力的产业集群。")
        );
        assert_eq!(
            duty_units(&tasks[3].children[0]),
            vec![(vec![], units(&["市大数据局", "经济和信息化委", "信息中心"]))]
        );
        let measures = &d.clauses[2].children;
        assert_eq!(
            duty_units(&measures[3]),
            vec![(vec![], units(&["市科技局(市知识产权局)"]))]
        );
        assert_eq!(
            duty_units(&measures[4]),
            vec![(vec![], units(&["沈阳广播电视台", "沈阳日报社"]))]
        );
    }

    #[test]
    fn seed_004_front_matter_and_trailer() {
        let d = parse_draft(SEED_004);
        assert_eq!(
            d.title.as_deref(),
            Some("沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)")
        );
        assert!(d.front_matter.starts_with("沈政办发〔2018〕144号"));
        assert!(d.front_matter.contains("(此件公开发布)"));
        assert!(d.front_matter.ends_with("结合我市实际,制定本计划。"));
        assert!(d.trailer.starts_with("文件链接:"));
        assert!(d.trailer.contains("扫描二维码 关注我们"));
        assert!(
            d.trailer
                .contains("本文链接://www.0798ci.com/rule/73866.html")
        );
        assert!(d.trailer.ends_with("本文关键词: 沈阳市"));
        let last = &d.clauses[3].children[3];
        assert!(last.text.ends_with("[责任部门:市科技局]"));
        for (_, c) in d.flatten() {
            assert!(!c.text.contains("0798ci") && !c.text.contains("二维码"));
        }
    }

    // ---------------------------------------------------------------- seed 001

    #[test]
    fn seed_001_prose_enumerations_stay_text() {
        let d = parse_draft(SEED_001);
        assert_eq!(d.counts_by_depth(), vec![3, 3]);
        assert_eq!(d.title, None);
        assert_eq!(d.front_matter, "");
        assert_eq!(d.trailer, "");
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("一、", Some("编制过程")),
                ("二、", Some("编制原则")),
                ("三、", Some("主要内容")),
            ]
        );
        assert_eq!(
            heads(&d.clauses[2].children),
            vec![
                ("(一)", Some("总体要求")),
                ("(二)", Some("主要任务")),
                ("(三)", Some("保障措施")),
            ]
        );
        // Two paragraphs on consecutive lines.
        let process = &d.clauses[0].text;
        assert!(process.starts_with("去年9月工信部正式批复"));
        assert!(process.contains("开展《方案》编制工作。\n编制过程中"));
        let principles = &d.clauses[1];
        assert!(principles.children.is_empty());
        assert!(principles.text.starts_with("一是突出双区联动。"));
        assert!(principles.text.contains("\n二是突出产业导向。"));
        assert!(principles.text.contains("\n三是突出应用先导。"));
        assert_eq!(
            d.clauses[2].text,
            "《方案》总共分为总体要求、主要任务和保障措施三个部分。"
        );
        let tasks = &d.clauses[2].children[1];
        assert!(tasks.children.is_empty());
        assert!(
            tasks
                .text
                .starts_with("《方案》提出了6个计划和20项具体工作任务。\n一是")
        );
        assert!(tasks.text.contains("\n六是实施人工智能生态营造计划。"));
        assert!(d.clauses[2].children[2].text.ends_with("四是持续宣传推广。强化对全市人工智能的宣传推广力度,策划举办国际国内人工智能领域各类重大活动。"));
        assert!(d.flatten().iter().all(|(_, c)| c.duties.is_empty()));
    }

    #[test]
    fn seeds_are_lossless() {
        for seed in [SEED_000, SEED_001, SEED_003, SEED_004] {
            assert_lossless(seed);
            let d = parse_draft(seed);
            // Clause texts are verbatim slices of the input.
            let flat = strip(seed);
            for (_, c) in d.flatten() {
                for para in c.text.split('\n') {
                    assert!(flat.contains(&strip(para)), "{para:?}");
                }
            }
        }
    }

    #[test]
    fn json_shape() {
        let d = parse_draft(SEED_000);
        let v = serde_json::to_value(&d).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(
            keys(&v),
            vec!["clauses", "front_matter", "title", "trailer"]
        );
        assert_eq!(v["title"], "市政协第十三届五次会议1号建议案办理工作方案");
        let clause = &v["clauses"][1];
        assert_eq!(
            keys(clause),
            vec!["children", "duties", "heading", "label", "text"]
        );
        assert_eq!(clause["label"], "二、");
        assert_eq!(clause["heading"], "工作任务");
        let item = &clause["children"][0]["children"][0];
        assert_eq!(item["label"], "1.");
        assert_eq!(item["duties"][1]["lead"][0], "市经济和信息化局");
        assert_eq!(item["duties"][1]["responsible"][1], "市科技局");
        let dk = keys(&item["duties"][1]);
        assert!(dk.contains(&"lead".to_string()) && dk.contains(&"responsible".to_string()));
        assert!(clause["children"][0]["children"][3]["heading"].is_null());

        let empty = serde_json::to_value(parse_draft("")).unwrap();
        assert_eq!(
            empty,
            serde_json::json!({
                "title": null, "clauses": [], "front_matter": "", "trailer": "",
                "notes": ["empty_input"]
            })
        );
        let plain = serde_json::to_value(parse_draft("甲。\n乙。")).unwrap();
        assert_eq!(plain["notes"], serde_json::json!(["no_numbering"]));
    }

    #[test]
    fn outline() {
        let d = parse_draft(SEED_000);
        let out = render_outline(&d);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 35);
        assert_eq!(lines[0], "一、 工作目标");
        assert_eq!(lines[1], "  (一) 实施一批人工智能技术攻关项目");
        assert_eq!(lines[5], "二、 工作任务");
        assert_eq!(
            lines[7],
            "    1. 进一步强化顶层设计 [牵头: 市经济和信息化局; 责任: 市科技局、市发展改革委]"
        );
        assert_eq!(
            lines[10],
            "    4. 加快出台本市公共数据开放管理办法,实现公共数据的规范采集、共… [责任: 市政务服务和大数据管理局]"
        );
        assert_eq!(lines[34], "  (三) 完善工作机制");
        // Without heading the outline shows the start of the text.
        let p = render_outline(&parse_draft("甲乙丙。\n丁戊。"));
        assert_eq!(p, "甲乙丙。\n丁戊。\n");
    }

    // ------------------------------------------------------- written variants

    #[test]
    fn law_with_chapters_sections_and_articles() {
        let law = "中华人民共和国示例法\n\n第一章　总则\n\n\
            第一条(立法目的)为了规范示例活动，保护当事人合法权益，制定本法。\n\
            第二条　本法适用于中华人民共和国境内的示例活动。\n\
            第二章 管理\n第一节 一般规定\n\
            第三条【主管部门】国务院示例主管部门负责全国示例工作。\n\
            县级以上地方人民政府示例主管部门负责本行政区域内的示例工作。\n\
            第四条 示例单位应当依法开展活动：\n（一）建立制度；\n（二）定期报告。\n\
            第二节 监督\n第五条 监督检查。\n\
            第三章 附则\n第六条 本法自2025年1月1日起施行。\n";
        let d = parse_draft(law);
        assert_eq!(d.title.as_deref(), Some("中华人民共和国示例法"));
        assert_eq!(d.counts_by_depth(), vec![3, 5, 3, 2]);
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("第一章", Some("总则")),
                ("第二章", Some("管理")),
                ("第三章", Some("附则"))
            ]
        );
        let ch1 = &d.clauses[0];
        assert_eq!(
            heads(&ch1.children),
            vec![("第一条", Some("立法目的")), ("第二条", None)]
        );
        assert_eq!(
            ch1.children[0].text,
            "为了规范示例活动，保护当事人合法权益，制定本法。"
        );
        assert_eq!(ch1.children[0].raw_heading, "(立法目的)");
        assert_eq!(
            ch1.children[1].text,
            "本法适用于中华人民共和国境内的示例活动。"
        );
        // Sections only appear in chapter 2; articles still nest under them.
        let ch2 = &d.clauses[1];
        assert_eq!(
            heads(&ch2.children),
            vec![("第一节", Some("一般规定")), ("第二节", Some("监督"))]
        );
        let s1 = &ch2.children[0];
        assert_eq!(
            heads(&s1.children),
            vec![("第三条", Some("主管部门")), ("第四条", None)]
        );
        assert_eq!(
            s1.children[0].text,
            "国务院示例主管部门负责全国示例工作。\n县级以上地方人民政府示例主管部门负责本行政区域内的示例工作。"
        );
        let items = &s1.children[1].children;
        assert_eq!(heads(items), vec![("（一）", None), ("（二）", None)]);
        assert_eq!(items[0].text, "建立制度；");
        assert_eq!(items[1].text, "定期报告。");
        // An article's first sentence is never taken for a heading.
        assert_eq!(heads(&ch2.children[1].children), vec![("第五条", None)]);
        assert_eq!(ch2.children[1].children[0].text, "监督检查。");
        assert_eq!(heads(&d.clauses[2].children), vec![("第六条", None)]);
        assert_lossless(law);

        let trad = "第一章 總則\n第一條【立法目的】為規範示例活動，特制定本法。\n第二條（適用範圍）本法適用於示例活動。\n第二章 附則\n第三條 本法自公布日施行。";
        let d = parse_draft(trad);
        assert_eq!(d.counts_by_depth(), vec![2, 3]);
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![("第一條", Some("立法目的")), ("第二條", Some("適用範圍"))]
        );
        assert_eq!(
            d.clauses[0].children[0].text,
            "為規範示例活動，特制定本法。"
        );
        assert_eq!(d.clauses[0].children[0].family, Family::Tiao);
        assert_eq!(d.clauses[0].family, Family::Zhang);
        assert_lossless(trad);

        // Chapters that appear after articles still contain them.
        let odd =
            "第一条 甲。\n第一编 总则\n第一章 一般规定\n第二条 乙。\n第二编 分则\n第三条 丙。";
        let d = parse_draft(odd);
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("第一条", None),
                ("第一编", Some("总则")),
                ("第二编", Some("分则"))
            ]
        );
        assert_eq!(d.counts_by_depth(), vec![3, 2, 1]);
        assert_eq!(d.clauses[2].children[0].label, "第三条");
    }

    #[test]
    fn english_document() {
        let doc = "Data Protection Act\n\nChapter 1 General Provisions\n\n\
            Article 1. Scope. This Act applies to the processing of personal data.\n\
            Article 2 Definitions\nFor the purposes of this Act:\n\
            (a) \"data\" means any information;\n(b) \"controller\" means the person who decides.\n\n\
            CHAPTER II PRINCIPLES\n\nSection 1 Lawfulness\n1. Processing shall be lawful.\n\
            1.1 Consent\nConsent must be freely given.\n1.2 Contract\n2. Processing shall be fair.\n\
            Section 2 Transparency\n";
        let d = parse_draft(doc);
        assert_eq!(d.title.as_deref(), Some("Data Protection Act"));
        assert_eq!(d.counts_by_depth(), vec![2, 4, 4, 2]);
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("Chapter 1", Some("General Provisions")),
                ("CHAPTER II", Some("PRINCIPLES"))
            ]
        );
        let ch1 = &d.clauses[0];
        assert_eq!(
            heads(&ch1.children),
            vec![
                ("Article 1", Some("Scope")),
                ("Article 2", Some("Definitions"))
            ]
        );
        assert_eq!(ch1.children[0].raw_label, "Article 1.");
        assert_eq!(
            ch1.children[0].text,
            "This Act applies to the processing of personal data."
        );
        assert_eq!(ch1.children[1].text, "For the purposes of this Act:");
        assert_eq!(
            heads(&ch1.children[1].children),
            vec![("(a)", None), ("(b)", None)]
        );
        assert_eq!(
            ch1.children[1].children[0].text,
            "\"data\" means any information;"
        );
        let ch2 = &d.clauses[1];
        assert_eq!(
            heads(&ch2.children),
            vec![
                ("Section 1", Some("Lawfulness")),
                ("Section 2", Some("Transparency"))
            ]
        );
        let s1 = &ch2.children[0];
        assert_eq!(heads(&s1.children), vec![("1.", None), ("2.", None)]);
        assert_eq!(s1.children[0].text, "Processing shall be lawful.");
        assert_eq!(
            heads(&s1.children[0].children),
            vec![("1.1", Some("Consent")), ("1.2", Some("Contract"))]
        );
        assert_eq!(
            s1.children[0].children[0].text,
            "Consent must be freely given."
        );
        assert_eq!(s1.children[0].children[0].family, Family::Decimal(2));
        assert_lossless(doc);

        // Words that merely look like numbers are not numbering.
        let d = parse_draft("Section did not apply.\nPartnership 2 is fine.");
        assert_eq!(d.notes, vec![ParseNote::NoNumbering]);
    }

    #[test]
    fn markdown_headings() {
        let doc = "# 示例方案\n\n前言段落。\n\n## 一、总体要求\n内容甲。\n### 细则\n细则内容\n## 二、保障措施 ##\n- 列表项\n#标签不是标题\n";
        let d = parse_draft(doc);
        assert_eq!(d.counts_by_depth(), vec![1, 2, 1]);
        assert_eq!(heads(&d.clauses), vec![("#", Some("示例方案"))]);
        assert_eq!(d.clauses[0].text, "前言段落。");
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![("##", Some("一、总体要求")), ("##", Some("二、保障措施"))]
        );
        assert_eq!(d.clauses[0].children[0].text, "内容甲。");
        assert_eq!(
            heads(&d.clauses[0].children[0].children),
            vec![("###", Some("细则"))]
        );
        assert_eq!(d.clauses[0].children[1].text, "- 列表项\n#标签不是标题");
        assert_eq!(d.clauses[0].family, Family::Markdown(1));
        assert_lossless(doc);

        // A deeper heading first, then a shallower one: depth follows the #s.
        let d = parse_draft("# A\n### B\n## C\n### D\n");
        assert_eq!(d.counts_by_depth(), vec![1, 2, 1]);
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![("###", Some("B")), ("##", Some("C"))]
        );
    }

    #[test]
    fn circled_numbers() {
        let doc = "一、主要目标\n①到2025年，建成示范区。\n②到2030年，全面建成。\n二、保障措施\n③ 不在开头的①不是编号。";
        let d = parse_draft(doc);
        assert_eq!(d.counts_by_depth(), vec![2, 3]);
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![("①", None), ("②", None)]
        );
        assert_eq!(d.clauses[0].children[0].text, "到2025年，建成示范区。");
        assert_eq!(d.clauses[1].children[0].text, "不在开头的①不是编号。");
        assert_eq!(d.clauses[1].children[0].family, Family::Circled);
        assert_lossless(doc);
    }

    #[test]
    fn width_mixes_and_duty_note_forms() {
        let doc = "一、 提高服务水平\n\
            （一）优化流程。全面推行一网通办。\n\
            (二)加强监督\n\
            1. 精简审批事项。减少审批环节。（责任单位：市政务服务局）\n\
            2．压缩办理时限。缩短时限。【责任部门：甲局、乙局，丙委】\n\
            3、完善制度\n\
            （1）建立台账；\n\
            (2)定期通报。\n\
            (三)强化保障。(区政务服务局牵头,区发改局、区审改办配合)\n\
            二、其他";
        let d = parse_draft(doc);
        assert_eq!(d.counts_by_depth(), vec![2, 3, 3, 2]);
        // Labels take the form the document uses most; ties go to the first.
        assert_eq!(
            heads(&d.clauses[0].children),
            vec![
                ("(一)", Some("优化流程")),
                ("(二)", Some("加强监督")),
                ("(三)", Some("强化保障"))
            ]
        );
        assert_eq!(d.clauses[0].children[0].raw_label, "（一）");
        let supervise = &d.clauses[0].children[1];
        assert_eq!(
            heads(&supervise.children),
            vec![
                ("1.", Some("精简审批事项")),
                ("2.", Some("压缩办理时限")),
                ("3.", Some("完善制度"))
            ]
        );
        assert_eq!(supervise.children[1].raw_label, "2．");
        assert_eq!(
            supervise.children[0].text,
            "减少审批环节。（责任单位：市政务服务局）"
        );
        assert_eq!(
            duty_units(&supervise.children[0]),
            vec![(vec![], units(&["市政务服务局"]))]
        );
        assert_eq!(
            duty_units(&supervise.children[1]),
            vec![(vec![], units(&["甲局", "乙局", "丙委"]))]
        );
        assert_eq!(
            supervise.children[1].duties[0].raw,
            "【责任部门：甲局、乙局，丙委】"
        );
        assert_eq!(
            heads(&supervise.children[2].children),
            vec![("（1）", None), ("（2）", None)]
        );
        assert_eq!(supervise.children[2].children[0].text, "建立台账；");
        let support = &d.clauses[0].children[2];
        assert_eq!(support.text, "(区政务服务局牵头,区发改局、区审改办配合)");
        assert_eq!(
            duty_units(support),
            vec![(units(&["区政务服务局"]), units(&["区发改局", "区审改办"]))]
        );
        assert_eq!(
            heads(&d.clauses),
            vec![("一、", Some("提高服务水平")), ("二、", Some("其他"))]
        );
        assert_lossless(doc);

        // Full-width numbering with the majority full-width.
        let d = parse_draft("（一）甲\n（二）乙\n(三)丙\n１．丁\n");
        assert_eq!(
            heads(&d.clauses),
            vec![
                ("（一）", Some("甲")),
                ("（二）", Some("乙")),
                ("（三）", Some("丙"))
            ]
        );
        assert_eq!(d.clauses[2].children[0].label, "１．");
    }

    #[test]
    fn duty_note_parsing() {
        assert_eq!(
            parse_note("牵头单位:A、B;责任单位:C,各区人民政府〈含开发区管委会,下同〉"),
            Some((
                units(&["A", "B"]),
                units(&["C", "各区人民政府〈含开发区管委会,下同〉"])
            ))
        );
        assert_eq!(
            parse_note("牵头单位：市科技局；配合单位：市财政局"),
            Some((units(&["市科技局"]), units(&["市财政局"])))
        );
        assert_eq!(
            parse_note("市科技局牵头，市财政局配合"),
            Some((units(&["市科技局"]), units(&["市财政局"])))
        );
        assert_eq!(
            split_units("市科技局、经济和信息化委,各区、县(市)政府"),
            units(&["市科技局", "经济和信息化委", "各区、县(市)政府"])
        );
        assert_eq!(
            split_units("东湖高新区、长江新区"),
            units(&["东湖高新区", "长江新区"])
        );
        for not_duty in [
            "以下简称领导小组,具体组成人员名单附后",
            "2021年3月底之前",
            "含开发区管委会,下同",
            "以下简称1号建议案",
            "由企业负责组织实施。",
            "",
        ] {
            assert_eq!(parse_note(not_duty), None, "{not_duty}");
        }
        // Several notes in one clause, each with the sentences before it.
        let duties =
            extract_duties("甲事项。(责任单位:A)乙事项。丙事项。(牵头单位:B;责任单位:C、D)");
        assert_eq!(duties.len(), 2);
        assert_eq!(duties[0].applies_to, "甲事项。");
        assert_eq!(duties[1].applies_to, "乙事项。丙事项。");
        assert_eq!(duties[1].lead, units(&["B"]));
        assert_eq!(duties[1].responsible, units(&["C", "D"]));
    }

    #[test]
    fn parentheses_that_are_not_numbering() {
        let doc = "一、总体要求\n(以下简称《方案》)是本市的重要文件。\n（2023-2025年）期间完成。\n經(jīng)濟發展(一)不是编号。\n2021年3月16日\n1.5亿元投入。\n一是加强领导。\n(此件公开发布)";
        let d = parse_draft(doc);
        assert_eq!(d.counts_by_depth(), vec![1]);
        let text = &d.clauses[0].text;
        assert!(text.starts_with("(以下简称《方案》)是本市的重要文件。\n（2023-2025年）"));
        assert!(text.ends_with("一是加强领导。\n(此件公开发布)"));
        assert!(parse_marker("(以下简称)").is_none());
        assert!(parse_marker("（2023-2025年）").is_none());
        assert!(parse_marker("(1号建议案)").is_none());
        assert!(parse_marker("2021年3月16日").is_none());
        assert!(parse_marker("2018.12.6").is_none());
        assert!(parse_marker("一是加强").is_none());
        assert!(parse_marker("第一次会议").is_none());
        assert!(parse_marker("(十二)甲").is_some_and(|m| m.family == Family::CjkParen));
        assert!(parse_marker("(12)甲").is_some_and(|m| m.family == Family::ArabicParen));
        assert!(parse_marker("(b) x").is_some_and(|m| m.family == Family::LatinParen));
        assert!(parse_marker("第一百二十三条 甲").is_some_and(|m| m.family == Family::Tiao));
        assert!(parse_marker("1.2.3 甲").is_some_and(|m| m.family == Family::Decimal(3)));
    }

    #[test]
    fn heading_rules() {
        let d = parse_draft(
            "(一)工作要求。\n(二)总结。\n\
             (三)这是一个超过三十个字的很长很长的句子用来测试标题识别规则是否正确的。后面还有内容。\n\
             (四)短标题。后文。\n(五)有下列情形之一的：\n(六)为什么制定本方案？\n因为需要。\n(七)为什么？",
        );
        let hs = heads(&d.clauses);
        assert_eq!(
            hs,
            vec![
                ("(一)", None),
                ("(二)", None),
                ("(三)", None),
                ("(四)", Some("短标题")),
                ("(五)", None),
                ("(六)", Some("为什么制定本方案？")),
                ("(七)", None),
            ]
        );
        assert_eq!(d.clauses[0].text, "工作要求。");
        assert_eq!(d.clauses[3].text, "后文。");
        assert!(d.clauses[2].text.starts_with("这是一个超过"));
        // A short line ending in 。 is a heading when the clause goes on.
        let d = parse_draft("(一)基本原则。\n1.创新驱动。以创新为先。\n");
        assert_eq!(heads(&d.clauses), vec![("(一)", Some("基本原则"))]);
        assert_eq!(d.clauses[0].raw_heading, "基本原则。");
        // Blank lines inside a clause become paragraph breaks.
        let d = parse_draft("一、甲\n\n第一段。\n\n\n第二段，\n接着写。\n\n二、乙");
        assert_eq!(d.clauses[0].text, "第一段。\n\n第二段，\n接着写。");
    }

    #[test]
    fn levels_follow_order_of_appearance() {
        let doc = "一、甲\n（一）乙\n1.丙\n二、丁\n1.戊\n（一）己\n1.庚\n(1)辛\n三、壬\n(1)癸";
        let d = parse_draft(doc);
        assert_eq!(d.counts_by_depth(), vec![3, 4, 2, 1]);
        let second = &d.clauses[1];
        assert_eq!(
            heads(&second.children),
            vec![("1.", Some("戊")), ("（一）", Some("己"))]
        );
        assert_eq!(
            heads(&second.children[1].children),
            vec![("1.", Some("庚"))]
        );
        assert_eq!(
            heads(&second.children[1].children[0].children),
            vec![("(1)", Some("辛"))]
        );
        // A family seen deeper before attaches directly when nothing is between.
        assert_eq!(heads(&d.clauses[2].children), vec![("(1)", Some("癸"))]);

        // An unconventional order is kept: 1. above (一).
        let d = parse_draft("1.甲\n（一）乙\n（二）丙\n2.丁\n（一）戊");
        assert_eq!(d.counts_by_depth(), vec![2, 3]);
        assert_eq!(d.clauses[1].children[0].heading.as_deref(), Some("戊"));
    }

    #[test]
    fn no_numbering() {
        let doc = "关于示例的说明\n\n这是第一段。\n\n这是第二段，\n仍是第二段。\n\n扫一扫在手机上查看当前页面";
        let d = parse_draft(doc);
        assert_eq!(d.notes, vec![ParseNote::NoNumbering]);
        assert_eq!(d.title.as_deref(), Some("关于示例的说明"));
        assert_eq!(d.front_matter, "关于示例的说明");
        assert_eq!(d.clause_count(), 2);
        assert_eq!(d.clauses[0].label, "");
        assert_eq!(d.clauses[0].family, Family::Paragraph);
        assert_eq!(d.clauses[0].text, "这是第一段。");
        assert_eq!(d.clauses[1].text, "这是第二段，\n仍是第二段。");
        assert_eq!(d.trailer, "扫一扫在手机上查看当前页面");
        assert_lossless(doc);

        // Without blank lines, every line is a paragraph.
        let d = parse_draft("甲事项。(责任单位:市科技局)\n乙事项。\n丙事项。");
        assert_eq!(d.clause_count(), 3);
        assert_eq!(d.title, None);
        assert_eq!(d.clauses[0].duties[0].responsible, units(&["市科技局"]));
    }

    #[test]
    fn empty_input() {
        for input in ["", "   ", "\n\n\t\u{3000}\n", "\u{feff}"] {
            let d = parse_draft(input);
            assert!(d.clauses.is_empty());
            assert_eq!(d.title, None);
            assert_eq!(d.front_matter, "");
            assert_eq!(d.trailer, "");
            assert_eq!(d.notes, vec![ParseNote::EmptyInput]);
            assert_eq!(d.clause_count(), 0);
            assert!(d.counts_by_depth().is_empty());
            assert_eq!(render_outline(&d), "");
        }
    }

    #[test]
    fn one_megabyte_parses_quickly() {
        let mut big = String::new();
        while big.len() < 1_000_000 {
            big.push_str(SEED_000);
            big.push('\n');
            big.push_str(SEED_004);
            big.push('\n');
        }
        let t = std::time::Instant::now();
        let d = parse_draft(&big);
        let elapsed = t.elapsed();
        assert!(d.clause_count() > 2000);
        // Generous bound: the test also runs unoptimised on a busy machine.
        assert!(elapsed.as_secs() < 5, "{elapsed:?}");
        assert_lossless(&big);

        // Pathological inputs stay linear.
        for unit in [
            "(",
            "((牵头",
            "(牵头单位:a",
            "第",
            "一",
            "1",
            "#",
            "（一",
            "1.1.",
            "Chapter ",
        ] {
            let s = unit.repeat(1_000_000 / unit.len());
            let t = std::time::Instant::now();
            let _ = parse_draft(&s);
            let with_lines = format!("{unit}\n").repeat(200_000 / unit.len());
            let _ = parse_draft(&with_lines);
            assert!(t.elapsed().as_secs() < 5, "{unit}: {:?}", t.elapsed());
        }
    }

    const FRAGMENTS: &[&str] = &[
        "\n",
        "\n\n",
        " ",
        "\u{3000}",
        "\t",
        "一、",
        "二、",
        "(一)",
        "（二）",
        "(三）",
        "1.",
        "2、",
        "3．",
        "1.1",
        "1.2.3 ",
        "(1)",
        "（2）",
        "①",
        "②",
        "第一条",
        "第二條",
        "第三章",
        "第一节",
        "第二编",
        "# ",
        "## ",
        "Chapter 1",
        "Article 2.",
        "Section III",
        "(a)",
        "(以下简称",
        "（2023-2025年）",
        "(牵头单位:",
        "（责任单位：",
        "[责任部门:",
        "【",
        "】",
        "〈",
        "〉",
        "(",
        ")",
        "（",
        "）",
        "[",
        "]",
        "、",
        ",",
        "，",
        ";",
        "；",
        ":",
        "：",
        "。",
        ".",
        "牵头",
        "配合",
        "组  长:",
        "成员：",
        "名单",
        "扫一扫",
        "附件",
        "http://x.cn",
        "市科技局",
        "各区",
        "县(市)政府",
        "2021年3月16日",
        "\u{feff}",
        "\r\n",
        "经(jīng)济",
        "是",
        "为",
        "?",
        "工作目标",
        "Scope. ",
        "#",
        "第",
        "條",
        "〔2018〕",
    ];

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
            2 => "[\u{4e00}-\u{4e2f}]{1,6}",
            1 => "[a-zA-Z0-9 .]{1,6}",
            1 => any::<char>().prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn nothing_is_lost(parts in prop::collection::vec(fragment(), 0..120)) {
            let input = parts.concat();
            let d = parse_draft(&input);
            prop_assert_eq!(strip(&d.reassemble()), strip(&input));
            prop_assert_eq!(d.counts_by_depth().iter().sum::<usize>(), d.clause_count());
            prop_assert_eq!(render_outline(&d).lines().count(), d.clause_count());
        }

        #[test]
        fn never_panics(input in any::<String>()) {
            let d = parse_draft(&input);
            let _ = render_outline(&d);
            prop_assert!(serde_json::to_string(&d).is_ok());
            prop_assert_eq!(strip(&d.reassemble()), strip(&input));
        }

        #[test]
        fn never_panics_on_lines(lines in prop::collection::vec("\\PC{0,12}", 0..30)) {
            let input = lines.join("\n");
            let d = parse_draft(&input);
            prop_assert_eq!(strip(&d.reassemble()), strip(&input));
        }
    }
}
