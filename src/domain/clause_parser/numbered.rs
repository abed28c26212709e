//! Documents with numbering: the clause tree, its labels, front matter and trailer.

use super::*;
use crate::domain::duty_notes::extract_duties;

pub(super) struct Item<'a> {
    pub(super) line: usize,
    pub(super) marker: &'a Marker<'a>,
    pub(super) depth: usize,
    /// Lines after the marker line that belong to this clause.
    pub(super) body: std::ops::Range<usize>,
}

pub(super) fn parse_numbered(input: &str, lines: &[Line<'_>], first: usize) -> ParsedDraft {
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

pub(super) fn trailer_text(input: &str, lines: &[Line<'_>], end: usize) -> String {
    lines
        .get(end)
        .and_then(|l| input.get(l.start..))
        .unwrap_or("")
        .trim_matches(is_space)
        .to_string()
}

pub(super) fn nest(flat: Vec<(usize, ParsedClause)>) -> Vec<ParsedClause> {
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

pub(super) fn dominant_forms(items: &[Item<'_>]) -> Vec<(Family, Form)> {
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

pub(super) fn render_label(m: &Marker<'_>, form: Form) -> String {
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
