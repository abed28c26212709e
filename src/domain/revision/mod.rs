//! Revisions of a draft: which clause of the new version is which clause of the old one, and
//! what changed inside it.
//!
//! The input is two sequences of clauses in document order ([`RevClause`]; [`from_parsed`]
//! flattens a parsed draft). [`align`] pairs them and returns one [`Row`] per pairing, in the
//! order of the new version, deleted clauses placed where they stood:
//!
//! * [`Kind::Unchanged`]: same text (heading and body, once [`normalise`]d). A clause that was
//!   only renumbered is unchanged, with [`Row::renumbered`] set: inserting an article does not
//!   make every following article read as changed, and an unchanged clause is never reported
//!   as deleted and added.
//! * [`Kind::Modified`]: a clause whose text changed; [`Row::changes`] marks the characters.
//! * [`Kind::Moved`]: a paired clause that left its place: out of order with the clauses
//!   around it, or now under another (still existing) parent. Its text may also have changed,
//!   in which case [`Row::changes`] is not empty.
//! * [`Kind::Split`]: one old clause became two or more consecutive new ones.
//! * [`Kind::Merged`]: two or more consecutive old clauses became one.
//! * [`Kind::Added`], [`Kind::Deleted`].
//!
//! # How clauses are paired
//!
//! 1. Texts are normalised (full-width forms folded to half-width, quotation marks unified,
//!    white space and invisible characters dropped). Equal texts pair first: texts that occur
//!    once on each side directly, repeated texts (`（一）申请表；`) by the position the
//!    unique pairs around them predict.
//! 2. A heaviest increasing subsequence over these pairs (in new order, increasing in old
//!    order) gives the skeleton of clauses that kept their order. Between two consecutive skeleton pairs the remaining old and new clauses
//!    are candidates for each other; further candidates come from rare character 4-grams they
//!    share (a clause moved and reworded). Only candidates are compared, so the cost grows
//!    with the size of the documents, not with its square.
//! 3. Candidates are scored by the Dice coefficient of their character bigrams (or, for a
//!    clause that was expanded or cut down, by the share of the shorter one found in the
//!    longer, discounted to three quarters), plus a bonus when label or heading agree; pairs
//!    scoring at least 0.5 are taken best first.
//! 4. Splits and merges: a clause whose text is mostly made of a run of two or more
//!    consecutive clauses of the other version (each largely contained in it, together
//!    covering it better than any single clause) is paired with the whole run.
//! 5. A pair whose old parent is paired with another clause than its new parent has been
//!    relocated (moved). Among the other one-to-one pairs, a second heaviest increasing
//!    subsequence tells which are out of order (moved); pairs of equal texts weigh twice as
//!    much as pairs of similar ones, so that when two clauses swap places the edited one is
//!    the one reported moved. The rest is added or deleted.
//!
//! Legislative numbering has a fixed order, 编 > 章 > 节 > 条 > 款 > 项 > 目, whatever family a
//! document shows first; [`RevClause::rank`] records it and clauses of different ranks are
//! never paired by similarity.
//!
//! Inside a modified clause, [`diff`] marks the changed characters: a Myers diff over
//! characters (runs of latin letters and digits count as one token, so `2021` → `2024` reads
//! as a changed number), with single characters left between two changes absorbed into them
//! so that the result reads as words.

mod diff;
mod matching;
#[cfg(test)]
mod tests;

pub use diff::diff;

use serde::Serialize;

use crate::domain::clause_parser::{Family, ParsedClause, ParsedDraft};

/// One clause of a version, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevClause {
    /// Identifier of the clause within its version (`c1`, `c2` … from [`from_parsed`]).
    pub id: String,
    /// Numbering label as shown (`第三条`, `（一）`, `1.`); empty when unnumbered.
    pub label: String,
    /// Depth in the clause tree, 0 for top level.
    pub depth: usize,
    /// Fixed legislative rank of the numbering (see [`rank_of`]), `None` for other
    /// numbering.
    pub rank: Option<u8>,
    /// Index of the parent clause in the same sequence.
    pub parent: Option<usize>,
    /// Labels of the ancestors, outermost first.
    pub path: Vec<String>,
    /// Heading, if any.
    pub heading: Option<String>,
    /// Body text (without the text of sub-clauses).
    pub text: String,
}

impl RevClause {
    /// Heading and body as one string: the heading, a line break, the body.
    pub fn content(&self) -> String {
        match &self.heading {
            Some(h) if !self.text.is_empty() => format!("{h}\n{}", self.text),
            Some(h) => h.clone(),
            None => self.text.clone(),
        }
    }
}

/// Rank of 编 in [`RevClause::rank`].
pub const RANK_BIAN: u8 = 0;
/// Rank of 章.
pub const RANK_ZHANG: u8 = 1;
/// Rank of 节.
pub const RANK_JIE: u8 = 2;
/// Rank of 条.
pub const RANK_TIAO: u8 = 3;
/// Rank of 款 (the unnumbered paragraphs of an article; kept in the article's text).
pub const RANK_KUAN: u8 = 4;
/// Rank of 项 (`（一）` inside an article).
pub const RANK_XIANG: u8 = 5;
/// Rank of 目 (`1.` inside an item).
pub const RANK_MU: u8 = 6;

/// The fixed legislative rank of a numbering family: 编 0, 章 1, 节 2, 条 3, 款 4, 项 5, 目 6.
/// `（一）` is an item (项) and `1.`, `(1)`, `①` a sub-item (目) only inside an article;
/// elsewhere (work plans) they have no fixed rank and `None` is returned.
pub fn rank_of(family: Family, inside_article: bool) -> Option<u8> {
    match family {
        Family::Bian => Some(RANK_BIAN),
        Family::Zhang => Some(RANK_ZHANG),
        Family::Jie => Some(RANK_JIE),
        Family::Tiao => Some(RANK_TIAO),
        Family::CjkParen if inside_article => Some(RANK_XIANG),
        Family::ArabicDot | Family::ArabicParen | Family::Circled if inside_article => {
            Some(RANK_MU)
        }
        _ => None,
    }
}

/// Flattens a parsed draft into clauses in document order, with ids `c1`, `c2` …
pub fn from_parsed(d: &ParsedDraft) -> Vec<RevClause> {
    fn walk(
        cs: &[ParsedClause],
        depth: usize,
        parent: Option<usize>,
        path: &mut Vec<String>,
        inside_article: bool,
        out: &mut Vec<RevClause>,
    ) {
        for c in cs {
            let index = out.len();
            out.push(RevClause {
                id: format!("c{}", index + 1),
                label: c.label.clone(),
                depth,
                rank: rank_of(c.family, inside_article),
                parent,
                path: path.clone(),
                heading: c.heading.clone(),
                text: c.text.clone(),
            });
            path.push(c.label.clone());
            walk(
                &c.children,
                depth + 1,
                Some(index),
                path,
                inside_article || c.family == Family::Tiao,
                out,
            );
            path.pop();
        }
    }
    let mut out = Vec::with_capacity(d.clause_count());
    walk(&d.clauses, 0, None, &mut Vec::new(), false, &mut out);
    out
}

/// One stored clause, in document order, as [`from_stored`] takes it.
#[derive(Debug, Clone, Copy)]
pub struct StoredClause<'a> {
    pub id: &'a str,
    pub label: &'a str,
    /// Index of the parent among the clauses given (parents precede their children).
    pub parent: Option<usize>,
    pub heading: Option<&'a str>,
    pub text: &'a str,
}

/// The numbering family of a stored label, for the families that have a legislative rank
/// (编 章 节 条, `（一）`, `1.`, `(1)`, `①`); `None` for any other.
fn family_of_label(label: &str) -> Option<Family> {
    let l = label.trim();
    if l.starts_with('第') {
        return match l.chars().last() {
            Some('编') => Some(Family::Bian),
            Some('章') => Some(Family::Zhang),
            Some('节') => Some(Family::Jie),
            Some('条') => Some(Family::Tiao),
            _ => None,
        };
    }
    let inner = l
        .strip_prefix(['（', '('])
        .and_then(|r| r.strip_suffix(['）', ')']));
    if let Some(inner) = inner {
        if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
            return Some(Family::ArabicParen);
        }
        if !inner.is_empty()
            && inner
                .chars()
                .all(|c| "一二三四五六七八九十百零〇".contains(c))
        {
            return Some(Family::CjkParen);
        }
        return None;
    }
    if l.chars().next().is_some_and(|c| ('①'..='⑳').contains(&c)) {
        return Some(Family::Circled);
    }
    let digits = l.trim_end_matches(['.', '、', '．']);
    if digits.len() < l.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(Family::ArabicDot);
    }
    None
}

/// Clauses read back from storage (label, parent, heading, text) as [`RevClause`]s, keeping
/// their ids; depth, path and rank are derived as [`from_parsed`] derives them.
pub fn from_stored(rows: &[StoredClause<'_>]) -> Vec<RevClause> {
    let mut out: Vec<RevClause> = Vec::with_capacity(rows.len());
    let mut in_article: Vec<bool> = Vec::with_capacity(rows.len());
    for r in rows {
        let parent = r.parent.filter(|&p| p < out.len());
        let (depth, path, inside) = match parent {
            Some(p) => {
                let mut path = out[p].path.clone();
                path.push(out[p].label.clone());
                (out[p].depth + 1, path, in_article[p])
            }
            None => (0, Vec::new(), false),
        };
        let family = family_of_label(r.label);
        out.push(RevClause {
            id: r.id.to_string(),
            label: r.label.to_string(),
            depth,
            rank: family.and_then(|f| rank_of(f, inside)),
            parent,
            path,
            heading: r.heading.map(str::to_string),
            text: r.text.to_string(),
        });
        in_article.push(inside || family == Some(Family::Tiao));
    }
    out
}

/// What happened to a clause between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Unchanged,
    Modified,
    Added,
    Deleted,
    Moved,
    Split,
    Merged,
}

/// A run of characters in a character diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same(String),
    Added(String),
    Deleted(String),
}

/// One pairing of clauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub kind: Kind,
    /// Indices into the old clauses (empty for added clauses).
    pub before: Vec<usize>,
    /// Indices into the new clauses (empty for deleted clauses).
    pub after: Vec<usize>,
    /// The label changed (one old and one new clause only).
    pub renumbered: bool,
    /// Character changes from the old content to the new ([`RevClause::content`], joined by
    /// line breaks for splits and merges); empty when the text is the same.
    pub changes: Vec<Change>,
}

/// The pairing of two versions: rows in the order of the new version, deleted clauses where
/// they stood in the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alignment {
    pub rows: Vec<Row>,
}

impl Alignment {
    /// The row that holds old clause `i`.
    pub fn row_of_old(&self, i: usize) -> Option<&Row> {
        self.rows.iter().find(|r| r.before.contains(&i))
    }

    /// The row that holds new clause `j`.
    pub fn row_of_new(&self, j: usize) -> Option<&Row> {
        self.rows.iter().find(|r| r.after.contains(&j))
    }

    /// Number of rows of each kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.rows.iter().filter(|r| r.kind == kind).count()
    }
}

/// Folds a text for comparison: full-width ASCII forms to half-width, quotation marks to
/// `"` and `'`, white space and invisible characters dropped.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() || crate::domain::text::is_invisible(c) {
            continue;
        }
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '“' | '”' | '„' | '〝' | '〞' => '"',
            '‘' | '’' => '\'',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            _ => c,
        };
        out.push(c);
    }
    out
}

/// Pairs the clauses of two versions. Pure and deterministic; about linear in the size of the
/// documents.
pub fn align(old: &[RevClause], new: &[RevClause]) -> Alignment {
    matching::align(old, new)
}
