//! Duty notes: who leads and who is responsible, written into a clause.
//!
//! Notes such as `(牵头单位:A、B;责任单位:C)`, `[责任部门:D]` or `(A牵头,B、C配合)` stay in the
//! clause text as written; [`extract_duties`] reads them out, each with the sentences it follows.

use serde::Serialize;

use crate::domain::clause_parser::{compact, ends_with_any, first_char, is_space};

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

pub(crate) fn opener_close(c: char) -> Option<char> {
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
pub(crate) fn find_close(s: &str, limit: usize) -> Option<usize> {
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
mod tests;
