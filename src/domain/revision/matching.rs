//! Pairing of clauses: exact texts, similar texts, splits and merges, moves.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::{Alignment, Kind, RevClause, Row, diff, normalise};

/// Deterministic hash maps (no random seed).
type Map<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;

/// Lowest score for a pair of similar clauses.
const THRESHOLD: f64 = 0.5;
/// Lowest Dice coefficient, whatever the bonuses.
const MIN_DICE: f64 = 0.3;
/// Weight of a pair of equal texts when choosing which pairs kept their order (a pair of
/// similar texts weighs 1): when two clauses swap places, the edited one is the one moved.
const EXACT_WEIGHT: u64 = 2;
/// Weight of the overlap of an expanded or shortened clause with its earlier form.
const OVERLAP_WEIGHT: f64 = 0.75;
/// … counted only when the shorter clause has this many bigrams.
const OVERLAP_MIN: usize = 10;
/// Bonus when the labels agree.
const LABEL_BONUS: f64 = 0.1;
/// Bonus when the (non-empty) headings agree.
const HEADING_BONUS: f64 = 0.1;
/// Gaps between ordered pairs up to this many old × new clauses are compared in full.
const GAP_FULL: usize = 4096;
/// In larger gaps, each clause is compared with this many neighbours on either side of its
/// expected place.
const GAP_WINDOW: usize = 12;
/// 4-grams shared by more old clauses than this are too common to propose candidates.
const GRAM_CAP: usize = 24;
/// Candidates kept per clause from shared 4-grams.
const GRAM_TOP: usize = 6;
/// A member of a split or merge must have this share of its bigrams in the whole.
const PART_CONTAINED: f64 = 0.6;
/// A split or merge must reach this Dice coefficient with the whole.
const GROUP_DICE: f64 = 0.6;
/// … and beat the best single pairing by this margin.
const GROUP_MARGIN: f64 = 0.05;
/// Longest run of parts in a split or merge.
const MAX_RUN: usize = 64;
/// Repeated texts with more pairings than this are paired in order instead.
const DUP_COMBOS: usize = 4096;

/// What is compared about a clause.
struct Prep {
    /// Normalised heading and text.
    key: String,
    /// Sorted character bigrams of `key` (a single character counts as one).
    bigrams: Vec<u64>,
    label: String,
    heading: Option<String>,
}

fn prep(c: &RevClause) -> Prep {
    let key = match &c.heading {
        Some(h) => format!("{}\u{1}{}", normalise(h), normalise(&c.text)),
        None => normalise(&c.text),
    };
    let content: Vec<char> = key.chars().filter(|&ch| ch != '\u{1}').collect();
    let mut bigrams: Vec<u64> = if content.len() == 1 {
        content.iter().map(|&ch| u64::from(ch) << 21).collect()
    } else {
        content
            .windows(2)
            .map(|w| match w {
                [x, y] => (u64::from(*x) << 21) | u64::from(*y),
                _ => 0,
            })
            .collect()
    };
    bigrams.sort_unstable();
    let key = if content.is_empty() {
        String::new()
    } else {
        key
    };
    Prep {
        key,
        bigrams,
        label: normalise(&c.label),
        heading: c
            .heading
            .as_deref()
            .map(normalise)
            .filter(|h| !h.is_empty()),
    }
}

/// Size of the multiset intersection of two sorted vectors.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    2.0 * common(a, b) as f64 / (a.len() + b.len()) as f64
}

/// Dice coefficient, or, when one clause was expanded or cut down, the share of the shorter
/// one found in the longer (discounted by [`OVERLAP_WEIGHT`]), whichever is higher.
fn resemblance(a: &[u64], b: &[u64]) -> f64 {
    let c = common(a, b) as f64;
    let d = 2.0 * c / (a.len() + b.len()).max(1) as f64;
    let short = a.len().min(b.len());
    if short < OVERLAP_MIN {
        return d;
    }
    d.max(OVERLAP_WEIGHT * c / short as f64)
}

/// Share of `part`'s bigrams found in `whole`.
fn contained(part: &[u64], whole: &[u64]) -> f64 {
    if part.is_empty() {
        return 0.0;
    }
    common(part, whole) as f64 / part.len() as f64
}

/// Indices (into `seq`) of a heaviest strictly increasing subsequence of `seq` (distinct
/// values), `weight[i]` being the weight of `seq[i]`. Fenwick tree over the values:
/// O(n log n).
fn heaviest_increasing(seq: &[usize], weight: &[u64]) -> Vec<usize> {
    let size = seq.iter().max().map_or(0, |&m| m + 1);
    // tree[v] = (best total, index into seq) over a range of values ending at v.
    let mut tree: Vec<(u64, usize)> = vec![(0, usize::MAX); size + 1];
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    let mut best: (u64, usize) = (0, usize::MAX);
    for (i, &x) in seq.iter().enumerate() {
        // Best chain ending below x.
        let mut q: (u64, usize) = (0, usize::MAX);
        let mut v = x;
        while v > 0 {
            if let Some(&t) = tree.get(v) {
                if t.0 > q.0 {
                    q = t;
                }
            }
            v &= v - 1;
        }
        let total = q.0 + weight.get(i).copied().unwrap_or(1);
        if let Some(p) = prev.get_mut(i) {
            *p = (q.1 != usize::MAX).then_some(q.1);
        }
        if total > best.0 {
            best = (total, i);
        }
        let mut v = x + 1;
        while v <= size {
            if let Some(t) = tree.get_mut(v) {
                if total > t.0 {
                    *t = (total, i);
                }
            }
            v += v & v.wrapping_neg();
        }
    }
    let mut out = Vec::new();
    let mut cur = (best.1 != usize::MAX).then_some(best.1);
    while let Some(i) = cur {
        out.push(i);
        cur = prev.get(i).copied().flatten();
    }
    out.reverse();
    out
}

/// How a one-to-one pair was made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Exact,
    Similar,
}

struct State {
    old_to: Vec<Option<(usize, Via)>>,
    new_to: Vec<Option<(usize, Via)>>,
    /// Split and merge groups: (old clauses, new clauses, kind).
    groups: Vec<(Vec<usize>, Vec<usize>, Kind)>,
    old_group: Vec<Option<usize>>,
    new_group: Vec<Option<usize>>,
}

impl State {
    fn pair(&mut self, o: usize, n: usize, via: Via) {
        if let Some(s) = self.old_to.get_mut(o) {
            *s = Some((n, via));
        }
        if let Some(s) = self.new_to.get_mut(n) {
            *s = Some((o, via));
        }
    }

    fn unpair_old(&mut self, o: usize) {
        if let Some(Some((n, _))) = self.old_to.get(o).copied() {
            if let Some(s) = self.new_to.get_mut(n) {
                *s = None;
            }
        }
        if let Some(s) = self.old_to.get_mut(o) {
            *s = None;
        }
    }

    fn unpair_new(&mut self, n: usize) {
        if let Some(Some((o, _))) = self.new_to.get(n).copied() {
            if let Some(s) = self.old_to.get_mut(o) {
                *s = None;
            }
        }
        if let Some(s) = self.new_to.get_mut(n) {
            *s = None;
        }
    }

    fn old_free(&self, o: usize) -> bool {
        matches!(self.old_to.get(o), Some(None)) && matches!(self.old_group.get(o), Some(None))
    }

    fn new_free(&self, n: usize) -> bool {
        matches!(self.new_to.get(n), Some(None)) && matches!(self.new_group.get(n), Some(None))
    }

    /// One-to-one pairs sorted by new index.
    fn pairs(&self) -> Vec<(usize, usize, Via)> {
        self.new_to
            .iter()
            .enumerate()
            .filter_map(|(n, m)| m.map(|(o, via)| (o, n, via)))
            .collect()
    }
}

pub(super) fn align(old: &[RevClause], new: &[RevClause]) -> Alignment {
    let po: Vec<Prep> = old.iter().map(prep).collect();
    let pn: Vec<Prep> = new.iter().map(prep).collect();
    let mut st = State {
        old_to: vec![None; old.len()],
        new_to: vec![None; new.len()],
        groups: Vec::new(),
        old_group: vec![None; old.len()],
        new_group: vec![None; new.len()],
    };

    exact(&po, &pn, &mut st);
    let skeleton = ordered(&st);
    let cands = candidates(&po, &pn, &st, &skeleton);
    similar(&po, &pn, old, new, &cands, &mut st);
    groups(&po, &pn, &cands, &mut st);
    rows(old, new, &po, &pn, &st)
}

/// Equal texts: unique ones first, repeated ones by the place the unique ones predict.
fn exact(po: &[Prep], pn: &[Prep], st: &mut State) {
    let mut by_key: Map<&str, (Vec<usize>, Vec<usize>)> = Map::default();
    for (i, p) in po.iter().enumerate() {
        if !p.key.is_empty() {
            by_key.entry(p.key.as_str()).or_default().0.push(i);
        }
    }
    for (j, p) in pn.iter().enumerate() {
        if let Some(e) = by_key.get_mut(p.key.as_str()) {
            e.1.push(j);
        }
    }
    let mut repeated: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (os, ns) in by_key.into_values() {
        match (os.as_slice(), ns.as_slice()) {
            (_, []) => {}
            ([o], [n]) => st.pair(*o, *n, Via::Exact),
            _ => repeated.push((os, ns)),
        }
    }
    if repeated.is_empty() {
        return;
    }
    // Unique pairs in order predict where a repeated text should be.
    let anchors = ordered(st);
    let expect = |n: usize| -> isize {
        let k = anchors.partition_point(|&(_, an)| an < n);
        match k.checked_sub(1).and_then(|k| anchors.get(k)) {
            Some(&(ao, an)) => ao as isize + n as isize - an as isize,
            None => match anchors.first() {
                Some(&(ao, an)) => ao as isize + n as isize - an as isize,
                None => n as isize,
            },
        }
    };
    repeated.sort();
    for (os, ns) in repeated {
        if os.len() * ns.len() > DUP_COMBOS {
            for (&o, &n) in os.iter().zip(&ns) {
                st.pair(o, n, Via::Exact);
            }
            continue;
        }
        let mut combos: Vec<(usize, usize, usize)> = Vec::with_capacity(os.len() * ns.len());
        for &n in &ns {
            let e = expect(n);
            for &o in &os {
                combos.push(((o as isize - e).unsigned_abs(), n, o));
            }
        }
        combos.sort_unstable();
        for (_, n, o) in combos {
            if st.old_free(o) && st.new_free(n) {
                st.pair(o, n, Via::Exact);
            }
        }
    }
}

/// The one-to-one pairs that keep their order (a longest increasing subsequence), as
/// (old, new) sorted by both.
fn ordered(st: &State) -> Vec<(usize, usize)> {
    let pairs = st.pairs();
    let seq: Vec<usize> = pairs.iter().map(|&(o, _, _)| o).collect();
    let weight: Vec<u64> = pairs.iter().map(|&(_, _, via)| weight_of(via)).collect();
    heaviest_increasing(&seq, &weight)
        .into_iter()
        .filter_map(|i| pairs.get(i).map(|&(o, n, _)| (o, n)))
        .collect()
}

fn weight_of(via: Via) -> u64 {
    match via {
        Via::Exact => EXACT_WEIGHT,
        Via::Similar => 1,
    }
}

/// Candidate pairs among the clauses left unpaired: `by_new[n]` lists old clauses.
struct Cands {
    by_new: Vec<Vec<usize>>,
    by_old: Vec<Vec<usize>>,
}

fn candidates(po: &[Prep], pn: &[Prep], st: &State, skeleton: &[(usize, usize)]) -> Cands {
    let mut pairs: Vec<(usize, usize)> = Vec::new();

    // Clauses between the same two ordered pairs.
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(skeleton.len() + 2);
    bounds.push((0, 0));
    bounds.extend(skeleton.iter().map(|&(o, n)| (o + 1, n + 1)));
    let mut ends: Vec<(usize, usize)> = skeleton.to_vec();
    ends.push((po.len(), pn.len()));
    for (&(o0, n0), &(o1, n1)) in bounds.iter().zip(&ends) {
        let os: Vec<usize> = (o0..o1.max(o0)).filter(|&o| st.old_free(o)).collect();
        let ns: Vec<usize> = (n0..n1.max(n0)).filter(|&n| st.new_free(n)).collect();
        if os.is_empty() || ns.is_empty() {
            continue;
        }
        if os.len() * ns.len() <= GAP_FULL {
            for &n in &ns {
                pairs.extend(os.iter().map(|&o| (o, n)));
            }
        } else {
            for (k, &n) in ns.iter().enumerate() {
                let centre = k * os.len() / ns.len();
                let lo = centre.saturating_sub(GAP_WINDOW);
                let hi = (centre + GAP_WINDOW + 1).min(os.len());
                pairs.extend(os.get(lo..hi).unwrap_or_default().iter().map(|&o| (o, n)));
            }
        }
    }

    // Clauses sharing rare 4-grams, wherever they are.
    let grams = |key: &str| -> Vec<u64> {
        let chars: Vec<char> = key.chars().filter(|&c| c != '\u{1}').collect();
        let mut g: Vec<u64> = chars
            .windows(4)
            .map(|w| {
                let mut h = DefaultHasher::new();
                w.hash(&mut h);
                h.finish()
            })
            .collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    let mut index: Map<u64, Vec<u32>> = Map::default();
    for (o, p) in po.iter().enumerate() {
        if st.old_free(o) {
            for g in grams(&p.key) {
                index.entry(g).or_default().push(o as u32);
            }
        }
    }
    let mut hits: Vec<u32> = Vec::new();
    for (n, p) in pn.iter().enumerate() {
        if !st.new_free(n) {
            continue;
        }
        hits.clear();
        for g in grams(&p.key) {
            if let Some(list) = index.get(&g) {
                if list.len() <= GRAM_CAP {
                    hits.extend_from_slice(list);
                }
            }
        }
        hits.sort_unstable();
        let mut counts: Vec<(usize, u32)> = Vec::new();
        for chunk in hits.chunk_by(|a, b| a == b) {
            if let Some(&o) = chunk.first() {
                counts.push((chunk.len(), o));
            }
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        pairs.extend(
            counts
                .iter()
                .filter(|&&(c, _)| c >= 2)
                .take(GRAM_TOP)
                .map(|&(_, o)| (o as usize, n)),
        );
    }

    pairs.sort_unstable();
    pairs.dedup();
    let mut by_new = vec![Vec::new(); pn.len()];
    let mut by_old = vec![Vec::new(); po.len()];
    for (o, n) in pairs {
        if let Some(v) = by_new.get_mut(n) {
            v.push(o);
        }
        if let Some(v) = by_old.get_mut(o) {
            v.push(n);
        }
    }
    Cands { by_new, by_old }
}

/// Similar clauses, best pairs first.
fn similar(
    po: &[Prep],
    pn: &[Prep],
    old: &[RevClause],
    new: &[RevClause],
    cands: &Cands,
    st: &mut State,
) {
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for (n, os) in cands.by_new.iter().enumerate() {
        let (Some(b), Some(cn)) = (pn.get(n), new.get(n)) else {
            continue;
        };
        for &o in os {
            let (Some(a), Some(co)) = (po.get(o), old.get(o)) else {
                continue;
            };
            if let (Some(x), Some(y)) = (co.rank, cn.rank) {
                if x != y {
                    continue;
                }
            }
            let d = if a.key.is_empty() || b.key.is_empty() {
                // Clauses without text (a bare number) pair by label only.
                if a.key.is_empty() && b.key.is_empty() && a.label == b.label {
                    THRESHOLD
                } else {
                    0.0
                }
            } else {
                resemblance(&a.bigrams, &b.bigrams)
            };
            if d < MIN_DICE {
                continue;
            }
            let mut score = d;
            if !a.label.is_empty() && a.label == b.label {
                score += LABEL_BONUS;
            }
            if a.heading.is_some() && a.heading == b.heading {
                score += HEADING_BONUS;
            }
            if score >= THRESHOLD {
                scored.push((score, o, n));
            }
        }
    }
    scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(&y.2)).then(x.1.cmp(&y.1)));
    for (_, o, n) in scored {
        if st.old_free(o) && st.new_free(n) {
            st.pair(o, n, Via::Similar);
        }
    }
}

/// Merges (several old → one new), then splits (one old → several new).
fn groups(po: &[Prep], pn: &[Prep], cands: &Cands, st: &mut State) {
    for n in 0..pn.len() {
        let eligible = |st: &State, o: usize| {
            st.old_free(o)
                || (matches!(st.old_to.get(o), Some(Some((m, Via::Similar))) if *m == n)
                    && matches!(st.old_group.get(o), Some(None)))
        };
        if !(st.new_free(n) || matches!(st.new_to.get(n), Some(Some((_, Via::Similar))))) {
            continue;
        }
        let (Some(whole), Some(seeds)) = (pn.get(n), cands.by_new.get(n)) else {
            continue;
        };
        let current = match st.new_to.get(n) {
            Some(Some((o, _))) => po.get(*o).map_or(0.0, |a| dice(&a.bigrams, &whole.bigrams)),
            _ => 0.0,
        };
        let part = |o: usize| po.get(o).map(|p| p.bigrams.as_slice()).unwrap_or_default();
        if let Some(run) = best_run(seeds, po.len(), &whole.bigrams, current, |o| {
            eligible(st, o).then(|| part(o))
        }) {
            st.unpair_new(n);
            for &o in &run {
                st.unpair_old(o);
            }
            let g = st.groups.len();
            for &o in &run {
                if let Some(s) = st.old_group.get_mut(o) {
                    *s = Some(g);
                }
            }
            if let Some(s) = st.new_group.get_mut(n) {
                *s = Some(g);
            }
            st.groups.push((run, vec![n], Kind::Merged));
        }
    }
    for o in 0..po.len() {
        let eligible = |st: &State, n: usize| {
            st.new_free(n)
                || (matches!(st.new_to.get(n), Some(Some((m, Via::Similar))) if *m == o)
                    && matches!(st.new_group.get(n), Some(None)))
        };
        if !(st.old_free(o) || matches!(st.old_to.get(o), Some(Some((_, Via::Similar))))) {
            continue;
        }
        let (Some(whole), Some(seeds)) = (po.get(o), cands.by_old.get(o)) else {
            continue;
        };
        let current = match st.old_to.get(o) {
            Some(Some((n, _))) => pn.get(*n).map_or(0.0, |b| dice(&b.bigrams, &whole.bigrams)),
            _ => 0.0,
        };
        let part = |n: usize| pn.get(n).map(|p| p.bigrams.as_slice()).unwrap_or_default();
        if let Some(run) = best_run(seeds, pn.len(), &whole.bigrams, current, |n| {
            eligible(st, n).then(|| part(n))
        }) {
            st.unpair_old(o);
            for &n in &run {
                st.unpair_new(n);
            }
            let g = st.groups.len();
            for &n in &run {
                if let Some(s) = st.new_group.get_mut(n) {
                    *s = Some(g);
                }
            }
            if let Some(s) = st.old_group.get_mut(o) {
                *s = Some(g);
            }
            st.groups.push((vec![o], run, Kind::Split));
        }
    }
}

/// The best run of two or more consecutive parts, each mostly contained in `whole`, that
/// together resemble `whole` better than `current` does. `part(i)` gives the bigrams of an
/// eligible part, `None` for a part that cannot join.
fn best_run<'a>(
    seeds: &[usize],
    len: usize,
    whole: &[u64],
    current: f64,
    part: impl Fn(usize) -> Option<&'a [u64]>,
) -> Option<Vec<usize>> {
    let fits = |i: usize| part(i).is_some_and(|b| contained(b, whole) >= PART_CONTAINED);
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut tried_until = 0;
    for &s in seeds {
        if s < tried_until || !fits(s) {
            continue;
        }
        let mut lo = s;
        while lo > 0 && s - lo < MAX_RUN && fits(lo - 1) {
            lo -= 1;
        }
        let mut hi = s + 1;
        while hi < len && hi - lo < MAX_RUN && fits(hi) {
            hi += 1;
        }
        tried_until = hi;
        if hi - lo < 2 {
            continue;
        }
        let mut all: Vec<u64> = (lo..hi).filter_map(&part).flatten().copied().collect();
        all.sort_unstable();
        let d = dice(&all, whole);
        if d >= GROUP_DICE && d >= current + GROUP_MARGIN && best.as_ref().is_none_or(|b| d > b.0) {
            best = Some((d, (lo..hi).collect()));
        }
    }
    best.map(|(_, run)| run)
}

/// Rows in the order of the new version, with kinds, moves and character changes.
fn rows(old: &[RevClause], new: &[RevClause], po: &[Prep], pn: &[Prep], st: &State) -> Alignment {
    // Row skeletons: (before, after, kind before moves are known).
    let mut rows: Vec<Row> = Vec::new();
    let mut row_old: Vec<Option<usize>> = vec![None; old.len()];
    let mut row_new: Vec<Option<usize>> = vec![None; new.len()];
    let mut push =
        |row: Row, row_old: &mut Vec<Option<usize>>, row_new: &mut Vec<Option<usize>>| {
            let r = rows.len();
            for &o in &row.before {
                if let Some(s) = row_old.get_mut(o) {
                    *s = Some(r);
                }
            }
            for &n in &row.after {
                if let Some(s) = row_new.get_mut(n) {
                    *s = Some(r);
                }
            }
            rows.push(row);
        };
    let row = |kind, before: Vec<usize>, after: Vec<usize>| Row {
        kind,
        before,
        after,
        renumbered: false,
        changes: Vec::new(),
    };
    let pairs = st.pairs();
    for &(o, n, via) in &pairs {
        let same = match (po.get(o), pn.get(n)) {
            (Some(a), Some(b)) => a.key == b.key,
            _ => false,
        };
        let kind = if via == Via::Exact || same {
            Kind::Unchanged
        } else {
            Kind::Modified
        };
        let mut r = row(kind, vec![o], vec![n]);
        r.renumbered = match (po.get(o), pn.get(n)) {
            (Some(a), Some(b)) => a.label != b.label,
            _ => false,
        };
        push(r, &mut row_old, &mut row_new);
    }
    for (before, after, kind) in &st.groups {
        push(
            row(*kind, before.clone(), after.clone()),
            &mut row_old,
            &mut row_new,
        );
    }
    for o in 0..old.len() {
        if matches!(row_old.get(o), Some(None)) {
            push(
                row(Kind::Deleted, vec![o], Vec::new()),
                &mut row_old,
                &mut row_new,
            );
        }
    }
    for n in 0..new.len() {
        if matches!(row_new.get(n), Some(None)) {
            push(
                row(Kind::Added, Vec::new(), vec![n]),
                &mut row_old,
                &mut row_new,
            );
        }
    }

    // Moves: under another existing parent, or out of order among the rest.
    let paired = |r: Option<usize>, rows: &[Row]| {
        r.and_then(|r| rows.get(r))
            .is_some_and(|r| !r.before.is_empty() && !r.after.is_empty())
    };
    let relocated: Vec<bool> = pairs
        .iter()
        .map(|&(o, n, _)| {
            let op = old.get(o).and_then(|c| c.parent);
            let np = new.get(n).and_then(|c| c.parent);
            let ro = op.and_then(|p| row_old.get(p).copied().flatten());
            let rn = np.and_then(|p| row_new.get(p).copied().flatten());
            match (op, np) {
                (None, None) => false,
                (Some(_), Some(_)) => paired(ro, &rows) && paired(rn, &rows) && ro != rn,
                (Some(_), None) => paired(ro, &rows),
                (None, Some(_)) => paired(rn, &rows),
            }
        })
        .collect();
    let staying: Vec<(usize, usize, Via)> = pairs
        .iter()
        .zip(&relocated)
        .filter(|&(_, &r)| !r)
        .map(|(&p, _)| p)
        .collect();
    let seq: Vec<usize> = staying.iter().map(|&(o, _, _)| o).collect();
    let weight: Vec<u64> = staying.iter().map(|&(_, _, via)| weight_of(via)).collect();
    let mut in_order = vec![false; old.len()];
    for i in heaviest_increasing(&seq, &weight) {
        if let Some(&(o, _, _)) = staying.get(i) {
            if let Some(s) = in_order.get_mut(o) {
                *s = true;
            }
        }
    }
    // Split and merge groups count as in order (their rows keep their kind).
    for (before, _, _) in &st.groups {
        for &o in before {
            if let Some(s) = in_order.get_mut(o) {
                *s = true;
            }
        }
    }
    for &(o, _, _) in &pairs {
        if !in_order.get(o).copied().unwrap_or(true) {
            if let Some(r) = row_old
                .get(o)
                .copied()
                .flatten()
                .and_then(|r| rows.get_mut(r))
            {
                r.kind = Kind::Moved;
            }
        }
    }

    // Character changes.
    let joined = |cs: &[RevClause], ix: &[usize]| -> String {
        ix.iter()
            .filter_map(|&i| cs.get(i).map(RevClause::content))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for r in &mut rows {
        let differs = match (r.before.as_slice(), r.after.as_slice()) {
            ([o], [n]) => match (po.get(*o), pn.get(*n)) {
                (Some(a), Some(b)) => a.key != b.key,
                _ => false,
            },
            ([], _) | (_, []) => false,
            _ => true,
        };
        if differs {
            r.changes = diff(&joined(old, &r.before), &joined(new, &r.after));
        }
    }

    // Order: by first new clause; deleted clauses after the row of the nearest earlier old
    // clause that kept its place.
    let mut keys: Vec<(usize, u8, usize, usize)> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let key = match (r.after.iter().min(), r.before.iter().min()) {
            (Some(&n), _) => (n, 1, 0, i),
            (None, Some(&o)) => {
                let anchor = (0..o).rev().find_map(|p| {
                    if !in_order.get(p).copied().unwrap_or(false) {
                        return None;
                    }
                    row_old
                        .get(p)
                        .copied()
                        .flatten()
                        .and_then(|x| rows.get(x))
                        .and_then(|x| x.after.iter().min().copied())
                });
                match anchor {
                    Some(n) => (n, 2, o, i),
                    None => (0, 0, o, i),
                }
            }
            (None, None) => (usize::MAX, 3, 0, i),
        };
        keys.push(key);
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| keys.get(i).copied());
    let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    let rows = order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect();
    Alignment { rows }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn heaviest_increasing_prefers_weight_then_length() {
        assert!(heaviest_increasing(&[], &[]).is_empty());
        assert_eq!(heaviest_increasing(&[0, 1, 2], &[1, 1, 1]), [0, 1, 2]);
        // Two swapped: the heavier one stays.
        assert_eq!(heaviest_increasing(&[0, 2, 1, 3], &[2, 1, 2, 2]), [0, 2, 3]);
        assert_eq!(heaviest_increasing(&[0, 2, 1, 3], &[2, 2, 1, 2]), [0, 1, 3]);
        // A block of five moved before a block of two: the five stay.
        let seq = [5, 6, 0, 1, 2, 3, 4];
        assert_eq!(heaviest_increasing(&seq, &[1; 7]), [2, 3, 4, 5, 6]);
    }

    #[test]
    fn resemblance_counts_expansions() {
        let bag = |s: &str| {
            prep(&RevClause {
                id: String::new(),
                label: String::new(),
                depth: 0,
                rank: None,
                parent: None,
                path: Vec::new(),
                heading: None,
                text: s.into(),
            })
            .bigrams
        };
        let short = bag("常委会工作机构对制定机关报送规范性文件备案工作进行督促检查。");
        let long = bag(
            "常委会工作机构对制定机关报送规范性文件备案工作进行督促检查，并对瞒报、迟报、漏报等情况适时予以通报，督促整改落实到位。",
        );
        assert!(dice(&short, &long) < 0.75);
        assert!(resemblance(&short, &long) > 0.7);
        assert!(resemblance(&short, &long) > dice(&short, &long));
        assert_eq!(resemblance(&short, &short), 1.0);
    }
}
