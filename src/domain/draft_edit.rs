//! Staff adjustments to a parsed draft before it is saved: where the draft starts and ends,
//! merging and splitting clauses, changing a clause's level. The parse is kept as a flat list
//! of clauses with depths; the tree is rebuilt from the depths.

use serde::{Deserialize, Serialize};

use super::clause_parser::{Duty, ParseNote, ParsedClause, ParsedDraft, extract_duties};

/// One clause of the flat list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlatClause {
    pub depth: usize,
    pub label: String,
    pub heading: Option<String>,
    pub text: String,
}

/// A draft as staff see it in the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableDraft {
    pub title: Option<String>,
    pub front_matter: String,
    pub trailer: String,
    pub clauses: Vec<FlatClause>,
    pub notes: Vec<ParseNote>,
}

/// One adjustment. Indexes are positions in the flat list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum EditOp {
    /// The draft starts at clause `at`: earlier clauses become front matter.
    Start { at: usize },
    /// The draft ends with clause `at`: later clauses become trailer.
    End { at: usize },
    /// Clause `at` is merged into the clause before it.
    Merge { at: usize },
    /// Clause `at` is split before its paragraph `paragraph` (1-based; 0 is its first).
    Split { at: usize, paragraph: usize },
    /// Clause `at` moves one level deeper.
    Indent { at: usize },
    /// Clause `at` moves one level up.
    Outdent { at: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("there is no clause at that position")]
    NoSuchClause,
    #[error("this change is not possible here")]
    NotPossible,
}

fn whole_text(c: &FlatClause) -> String {
    let mut s = c.label.clone();
    if let Some(h) = &c.heading {
        s.push_str(h);
    }
    if !c.text.is_empty() {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&c.text);
    }
    s
}

fn join(a: &str, b: &str) -> String {
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (true, _) => b.trim().to_string(),
        (_, true) => a.trim().to_string(),
        _ => format!("{}\n\n{}", a.trim_end(), b.trim_start()),
    }
}

impl EditableDraft {
    pub fn from_parsed(p: &ParsedDraft) -> Self {
        fn walk(cs: &[ParsedClause], depth: usize, out: &mut Vec<FlatClause>) {
            for c in cs {
                out.push(FlatClause {
                    depth,
                    label: c.label.clone(),
                    heading: c.heading.clone(),
                    text: c.text.clone(),
                });
                walk(&c.children, depth + 1, out);
            }
        }
        let mut clauses = Vec::new();
        walk(&p.clauses, 0, &mut clauses);
        Self {
            title: p.title.clone(),
            front_matter: p.front_matter.clone(),
            trailer: p.trailer.clone(),
            clauses,
            notes: p.notes.clone(),
        }
    }

    pub fn apply(&mut self, op: EditOp) -> Result<(), EditError> {
        let n = self.clauses.len();
        let check = |at: usize| {
            if at < n {
                Ok(())
            } else {
                Err(EditError::NoSuchClause)
            }
        };
        match op {
            EditOp::Start { at } => {
                check(at)?;
                let moved: Vec<String> = self.clauses.drain(..at).map(|c| whole_text(&c)).collect();
                for t in moved {
                    self.front_matter = join(&self.front_matter, &t);
                }
                self.normalise_depths();
            }
            EditOp::End { at } => {
                check(at)?;
                let moved: Vec<String> = self
                    .clauses
                    .drain(at + 1..)
                    .map(|c| whole_text(&c))
                    .collect();
                let tail = moved.join("\n\n");
                self.trailer = join(&tail, &self.trailer);
            }
            EditOp::Merge { at } => {
                check(at)?;
                if at == 0 {
                    return Err(EditError::NotPossible);
                }
                let c = self.clauses.remove(at);
                let prev = &mut self.clauses[at - 1];
                prev.text = join(&prev.text, &whole_text(&c));
                self.normalise_depths();
            }
            EditOp::Split { at, paragraph } => {
                check(at)?;
                let c = &self.clauses[at];
                let paras: Vec<&str> = c.text.split("\n\n").collect();
                if paragraph == 0 || paragraph >= paras.len() {
                    return Err(EditError::NotPossible);
                }
                let (head, tail) = paras.split_at(paragraph);
                let new = FlatClause {
                    depth: c.depth,
                    label: String::new(),
                    heading: None,
                    text: tail.join("\n\n"),
                };
                self.clauses[at].text = head.join("\n\n");
                self.clauses.insert(at + 1, new);
            }
            EditOp::Indent { at } => {
                check(at)?;
                if at == 0 || self.clauses[at].depth > self.clauses[at - 1].depth {
                    return Err(EditError::NotPossible);
                }
                let range = self.subtree(at);
                for c in &mut self.clauses[range] {
                    c.depth += 1;
                }
            }
            EditOp::Outdent { at } => {
                check(at)?;
                if self.clauses[at].depth == 0 {
                    return Err(EditError::NotPossible);
                }
                let range = self.subtree(at);
                for c in &mut self.clauses[range] {
                    c.depth -= 1;
                }
            }
        }
        Ok(())
    }

    /// Clause `at` and its descendants: the clauses after it that are deeper than it.
    fn subtree(&self, at: usize) -> std::ops::Range<usize> {
        let d = self.clauses[at].depth;
        let end = self.clauses[at + 1..]
            .iter()
            .position(|c| c.depth <= d)
            .map_or(self.clauses.len(), |p| at + 1 + p);
        at..end
    }

    /// A clause is at most one level deeper than the one before it; the first is at the top.
    fn normalise_depths(&mut self) {
        let mut prev: Option<usize> = None;
        for c in &mut self.clauses {
            let max = prev.map_or(0, |p| p + 1);
            if c.depth > max {
                c.depth = max;
            }
            prev = Some(c.depth);
        }
    }

    /// The tree, with duty notes read again from each clause's text.
    pub fn to_parsed(&self) -> ParsedDraft {
        fn node(c: &FlatClause) -> ParsedClause {
            ParsedClause {
                label: c.label.clone(),
                heading: c.heading.clone(),
                text: c.text.clone(),
                duties: extract_duties(&c.text),
                children: Vec::new(),
                family: super::clause_parser::Family::Paragraph,
                raw_label: c.label.clone(),
                raw_heading: c.heading.clone().unwrap_or_default(),
            }
        }
        // Build bottom-up with a stack of (depth, clause).
        let mut roots: Vec<ParsedClause> = Vec::new();
        let mut stack: Vec<(usize, ParsedClause)> = Vec::new();
        fn pop_into(stack: &mut Vec<(usize, ParsedClause)>, roots: &mut Vec<ParsedClause>) {
            if let Some((_, c)) = stack.pop() {
                match stack.last_mut() {
                    Some((_, parent)) => parent.children.push(c),
                    None => roots.push(c),
                }
            }
        }
        for c in &self.clauses {
            while stack.last().is_some_and(|(d, _)| *d >= c.depth) {
                pop_into(&mut stack, &mut roots);
            }
            stack.push((c.depth, node(c)));
        }
        while !stack.is_empty() {
            pop_into(&mut stack, &mut roots);
        }
        ParsedDraft {
            title: self.title.clone(),
            clauses: roots,
            front_matter: self.front_matter.clone(),
            trailer: self.trailer.clone(),
            notes: self.notes.clone(),
        }
    }

    /// All duty notes of clause `at`, for the preview.
    pub fn duties(&self, at: usize) -> Vec<Duty> {
        self.clauses
            .get(at)
            .map(|c| extract_duties(&c.text))
            .unwrap_or_default()
    }
}

/// Applies `ops` in order to the parse of `source`; an op that no longer fits is skipped.
pub fn replay(parsed: &ParsedDraft, ops: &[EditOp]) -> EditableDraft {
    let mut d = EditableDraft::from_parsed(parsed);
    for op in ops {
        let _ = d.apply(*op);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clause_parser::parse_draft;

    const SRC: &str = "通知\n\n一、总体要求\n(一)指导思想。全面落实。\n\n第二段。(牵头单位:市科技局)\n(二)基本原则\n1.创新驱动。内容。\n二、重点任务\n(一)任务一\n组长:张三";

    fn flat(d: &EditableDraft) -> Vec<(usize, String)> {
        d.clauses
            .iter()
            .map(|c| (c.depth, c.label.clone()))
            .collect()
    }

    #[test]
    fn round_trip_without_ops_keeps_the_tree() {
        let p = parse_draft(SRC);
        let d = EditableDraft::from_parsed(&p);
        let back = d.to_parsed();
        assert_eq!(back.counts_by_depth(), p.counts_by_depth());
        assert_eq!(
            serde_json::to_value(&back.clauses).unwrap(),
            serde_json::to_value(&p.clauses).unwrap()
        );
    }

    #[test]
    fn start_end_merge_split_indent_outdent() {
        let p = parse_draft(SRC);
        let mut d = EditableDraft::from_parsed(&p);
        let before = flat(&d);
        assert_eq!(before[0], (0, "一、".to_string()));
        // Split (一) at its second paragraph; the duty note follows its sentence.
        d.apply(EditOp::Split {
            at: 1,
            paragraph: 1,
        })
        .unwrap();
        assert_eq!(d.clauses[2].depth, 1);
        assert!(d.clauses[2].text.contains("第二段"));
        assert!(d.duties(1).is_empty());
        assert_eq!(d.duties(2)[0].lead, ["市科技局"]);
        // Merge it back.
        d.apply(EditOp::Merge { at: 2 }).unwrap();
        assert_eq!(flat(&d), before);
        assert_eq!(d.duties(1).len(), 1);
        // Outdent (二) to the top level, then indent it again.
        d.apply(EditOp::Outdent { at: 2 }).unwrap();
        assert_eq!(d.clauses[2].depth, 0);
        assert_eq!(d.to_parsed().clauses.len(), 3);
        d.apply(EditOp::Indent { at: 2 }).unwrap();
        assert_eq!(flat(&d), before);
        // (二) can go under (一), but no deeper than one level below it.
        d.apply(EditOp::Indent { at: 2 }).unwrap();
        assert_eq!(d.clauses[3].depth, 3, "its children move with it");
        assert_eq!(
            d.apply(EditOp::Indent { at: 2 }),
            Err(EditError::NotPossible)
        );
        d.apply(EditOp::Outdent { at: 2 }).unwrap();
        assert_eq!(flat(&d), before);
        assert_eq!(
            d.apply(EditOp::Merge { at: 0 }),
            Err(EditError::NotPossible)
        );
        assert_eq!(
            d.apply(EditOp::Merge { at: 99 }),
            Err(EditError::NoSuchClause)
        );
        // End the draft after 二、: (一)任务一 goes to the trailer.
        let last = d.clauses.len() - 2;
        d.apply(EditOp::End { at: last }).unwrap();
        assert!(d.trailer.starts_with("(一)任务一"), "{}", d.trailer);
        // Start at (一): 一、总体要求 goes to the front matter, depths renormalised.
        d.apply(EditOp::Start { at: 1 }).unwrap();
        assert!(
            d.front_matter.ends_with("一、总体要求"),
            "{}",
            d.front_matter
        );
        assert_eq!(d.clauses[0].depth, 0);
    }

    #[test]
    fn replay_skips_ops_that_no_longer_fit() {
        let p = parse_draft(SRC);
        let d = replay(&p, &[EditOp::Merge { at: 1 }, EditOp::Merge { at: 50 }]);
        assert_eq!(
            d.clauses.len(),
            EditableDraft::from_parsed(&p).clauses.len() - 1
        );
    }
}
