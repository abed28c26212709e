//! Lines and the numbering markers at their start.

use super::*;
use crate::domain::numerals::{circled_value, cjk_number, digit_value, is_cjk_digit, roman_value};

/// Whitespace for the parser: Unicode white space plus BOM and zero-width
/// space, which web pages leave behind.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

pub(super) struct Line<'a> {
    /// Byte offset of the line in the input.
    pub(super) start: usize,
    /// The line without surrounding whitespace.
    pub(super) text: &'a str,
    pub(super) marker: Option<Marker<'a>>,
}

pub(super) fn split_lines(input: &str) -> Vec<Line<'_>> {
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
pub(super) enum Form {
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
pub(super) struct Marker<'a> {
    pub(super) family: Family,
    /// The marker as written, separators included.
    pub(super) raw: &'a str,
    /// The label before normalisation.
    pub(super) label: String,
    /// The number part (`一`, `12`, `a`), for normalised labels.
    pub(super) num: &'a str,
    pub(super) form: Form,
    /// What follows the marker on its line, leading whitespace removed.
    pub(super) rest: &'a str,
}

pub(crate) fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

/// Split `s` after its first `n` bytes, if that is a char boundary.
pub(super) fn split_at_checked(s: &str, n: usize) -> Option<(&str, &str)> {
    if s.is_char_boundary(n) {
        Some(s.split_at(n))
    } else {
        None
    }
}

pub(super) fn parse_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn plain<'a>(family: Family, raw: &'a str, label: String, rest: &'a str) -> Marker<'a> {
    Marker {
        family,
        raw,
        label,
        num: "",
        form: Form::Plain,
        rest: rest.trim_start_matches(is_space),
    }
}

pub(super) fn markdown_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn chapter_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn valid_number(num: &str) -> bool {
    if num.chars().all(|c| digit_value(c).is_some()) {
        return num.chars().count() <= 4;
    }
    num.chars().all(is_cjk_digit) && cjk_number(num).is_some()
}

pub(super) fn paren_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn cjk_enum_marker(s: &str) -> Option<Marker<'_>> {
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
pub(super) fn is_unit_char(c: char) -> bool {
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

pub(super) fn digit_run(s: &str) -> usize {
    s.chars()
        .take_while(|&c| digit_value(c).is_some())
        .take(4)
        .map(char::len_utf8)
        .sum()
}

pub(super) fn arabic_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn decimal_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn english_marker(s: &str) -> Option<Marker<'_>> {
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

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ebef}')
}
