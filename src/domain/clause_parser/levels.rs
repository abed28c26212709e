//! Levels: which numbering family nests inside which.

use super::*;

/// Orderings that are fixed by the kind of numbering itself. `Some(true)`
/// when `outer` can contain `inner`, `None` when the kinds are unrelated.
pub(super) fn structural_contains(outer: Family, inner: Family) -> Option<bool> {
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
pub(super) fn conventional_rank(f: Family) -> Option<u8> {
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
pub(super) struct LevelTracker {
    /// Families of the open clauses, outermost first.
    pub(super) stack: Vec<Family>,
    /// Level at which each family was first seen.
    pub(super) known: Vec<(Family, usize)>,
}

impl LevelTracker {
    pub(super) fn new() -> Self {
        LevelTracker {
            stack: Vec::new(),
            known: Vec::new(),
        }
    }

    pub(super) fn level_of(&self, f: Family) -> Option<usize> {
        self.known.iter().find(|(k, _)| *k == f).map(|(_, l)| *l)
    }

    pub(super) fn can_contain(&self, outer: Family, inner: Family) -> bool {
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

    pub(super) fn depth_for(&mut self, f: Family) -> usize {
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
