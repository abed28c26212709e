//! Headings and text of a clause line.

use super::*;

pub(super) struct HeadingSplit<'a> {
    pub(super) raw: &'a str,
    pub(super) heading: Option<String>,
    pub(super) body: &'a str,
}

pub(super) fn split_heading(family: Family, rest: &str, has_more: bool) -> HeadingSplit<'_> {
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

pub(super) fn mentions_duty(s: &str) -> bool {
    ["牵头单位", "责任单位", "责任部门", "配合单位"]
        .iter()
        .any(|k| s.contains(k))
}

/// `(立法目的)为了…` → heading `立法目的`.
pub(super) fn bracket_heading(rest: &str) -> Option<HeadingSplit<'_>> {
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

pub(super) fn cjk_heading(rest: &str, has_more: bool) -> Option<HeadingSplit<'_>> {
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

pub(super) fn latin_heading(rest: &str) -> Option<HeadingSplit<'_>> {
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
pub(super) fn assemble_text(first: &str, body: &[Line<'_>]) -> String {
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
