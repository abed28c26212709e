//! Character diff of two versions of a clause.

use super::Change;

/// Edits beyond which a diff gives up and reports the middle as replaced whole.
const MAX_EDITS: usize = 1500;

/// Marks what changed from `before` to `after`, character by character (a run of latin
/// letters and digits counts as one token). Each group of changes lists what was deleted
/// before what was added; a single letter or digit left between two changes is absorbed into
/// them so that the result reads as words. Concatenating the `Same` and `Deleted` runs gives
/// `before`, the `Same` and `Added` runs give `after`.
pub fn diff(before: &str, after: &str) -> Vec<Change> {
    let a = tokens(before);
    let b = tokens(after);
    let ops = edit_script(&a, &b);
    group(&ops)
}

/// Characters, with runs of ASCII letters and digits kept together.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(s.len());
    let mut iter = s.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        let mut end = start + c.len_utf8();
        if c.is_ascii_alphanumeric() {
            while let Some(&(i, d)) = iter.peek() {
                if !d.is_ascii_alphanumeric() {
                    break;
                }
                end = i + d.len_utf8();
                iter.next();
            }
        }
        if let Some(t) = s.get(start..end) {
            out.push(t);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// Shortest edit script (Myers), after trimming the common prefix and suffix.
fn edit_script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let a_rest = a.get(prefix..).unwrap_or_default();
    let b_rest = b.get(prefix..).unwrap_or_default();
    let suffix = a_rest
        .iter()
        .rev()
        .zip(b_rest.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let a_mid = a_rest.get(..a_rest.len() - suffix).unwrap_or_default();
    let b_mid = b_rest.get(..b_rest.len() - suffix).unwrap_or_default();

    let mut ops: Vec<Op<'a>> = Vec::with_capacity(a.len() + b.len());
    ops.extend(a.iter().take(prefix).map(|t| Op::Same(t)));
    match myers(a_mid, b_mid) {
        Some(mid) => ops.extend(mid),
        None => {
            ops.extend(a_mid.iter().map(|t| Op::Del(t)));
            ops.extend(b_mid.iter().map(|t| Op::Add(t)));
        }
    }
    ops.extend(
        a_rest
            .iter()
            .skip(a_rest.len() - suffix)
            .map(|t| Op::Same(t)),
    );
    ops
}

/// Myers' O((N+M)D) algorithm; `None` when more than [`MAX_EDITS`] edits are needed.
fn myers<'a>(a: &[&'a str], b: &[&'a str]) -> Option<Vec<Op<'a>>> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max_d = (n + m).min(MAX_EDITS as isize);
    let offset = max_d + 1;
    let mut v = vec![0isize; 2 * offset as usize + 1];
    // trace[d] holds v[k] for k in -d..=d as it was before round d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let at = |k: isize| (k + offset) as usize;
    for d in 0..=max_d {
        trace.push(
            (-d..=d)
                .map(|k| v.get(at(k)).copied().unwrap_or(0))
                .collect(),
        );
        let mut k = -d;
        while k <= d {
            let down = k == -d
                || (k != d
                    && v.get(at(k - 1)).copied().unwrap_or(0)
                        < v.get(at(k + 1)).copied().unwrap_or(0));
            let mut x = if down {
                v.get(at(k + 1)).copied().unwrap_or(0)
            } else {
                v.get(at(k - 1)).copied().unwrap_or(0) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a.get(x as usize) == b.get(y as usize) {
                x += 1;
                y += 1;
            }
            if let Some(slot) = v.get_mut(at(k)) {
                *slot = x;
            }
            if x >= n && y >= m {
                return Some(backtrack(a, b, &trace, d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack<'a>(a: &[&'a str], b: &[&'a str], trace: &[Vec<isize>], last: isize) -> Vec<Op<'a>> {
    let mut x = a.len() as isize;
    let mut y = b.len() as isize;
    let mut rev: Vec<Op<'a>> = Vec::new();
    let mut d = last;
    while d > 0 {
        let Some(v) = trace.get(d as usize) else {
            break;
        };
        let get = |k: isize| v.get((k + d) as usize).copied().unwrap_or(0);
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = get(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            if let Some(t) = a.get(x as usize) {
                rev.push(Op::Same(t));
            }
        }
        if x == prev_x {
            if let Some(t) = b.get(prev_y as usize) {
                rev.push(Op::Add(t));
            }
        } else if let Some(t) = a.get(prev_x as usize) {
            rev.push(Op::Del(t));
        }
        x = prev_x;
        y = prev_y;
        d -= 1;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        if let Some(t) = a.get(x as usize) {
            rev.push(Op::Same(t));
        }
    }
    rev.reverse();
    rev
}

/// One group of changes between two runs of unchanged text.
#[derive(Default)]
struct Hunk {
    deleted: String,
    added: String,
}

/// Runs of equal kind, deletions before additions, short unchanged runs absorbed.
fn group(ops: &[Op<'_>]) -> Vec<Change> {
    // Alternating: unchanged text, then a hunk, then unchanged text …
    let mut same: Vec<String> = vec![String::new()];
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut in_hunk = false;
    for op in ops {
        match op {
            Op::Same(t) => {
                if in_hunk {
                    same.push(String::new());
                    in_hunk = false;
                }
                if let Some(s) = same.last_mut() {
                    s.push_str(t);
                }
            }
            Op::Del(t) | Op::Add(t) => {
                if !in_hunk {
                    hunks.push(Hunk::default());
                    in_hunk = true;
                }
                if let Some(h) = hunks.last_mut() {
                    if matches!(op, Op::Del(_)) {
                        h.deleted.push_str(t);
                    } else {
                        h.added.push_str(t);
                    }
                }
            }
        }
    }
    // same[i] precedes hunks[i]; same[i + 1] follows it (may be missing at the end).
    let mut out: Vec<Change> = Vec::new();
    let mut pending: Option<Hunk> = None;
    let mut hunks = hunks.into_iter();
    for (i, s) in same.into_iter().enumerate() {
        let between = i > 0 && pending.is_some();
        let next = hunks.next();
        let short = s.chars().count() == 1 && s.chars().all(|c| c.is_alphanumeric());
        match (pending.take(), next) {
            (Some(mut p), Some(h)) if between && short => {
                p.deleted.push_str(&s);
                p.deleted.push_str(&h.deleted);
                p.added.push_str(&s);
                p.added.push_str(&h.added);
                pending = Some(p);
            }
            (p, h) => {
                if let Some(p) = p {
                    flush(&mut out, p);
                }
                if !s.is_empty() {
                    out.push(Change::Same(s));
                }
                pending = h;
            }
        }
    }
    if let Some(p) = pending {
        flush(&mut out, p);
    }
    out
}

fn flush(out: &mut Vec<Change>, h: Hunk) {
    if !h.deleted.is_empty() {
        out.push(Change::Deleted(h.deleted));
    }
    if !h.added.is_empty() {
        out.push(Change::Added(h.added));
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn rebuild(ch: &[Change]) -> (String, String) {
        let mut a = String::new();
        let mut b = String::new();
        for c in ch {
            match c {
                Change::Same(s) => {
                    a.push_str(s);
                    b.push_str(s);
                }
                Change::Deleted(s) => a.push_str(s),
                Change::Added(s) => b.push_str(s),
            }
        }
        (a, b)
    }

    #[test]
    fn diff_rebuilds_both_sides() {
        for (x, y) in [
            ("", ""),
            ("abc", ""),
            ("", "第一条"),
            ("区、县教育行政部门", "区教育行政部门"),
            ("违反立法法第八条规定", "违反立法法第十一条规定"),
            ("自2021年7月1日起施行", "自2024年7月1日起施行"),
            ("甲乙丙丁戊己庚辛", "辛庚己戊丁丙乙甲"),
        ] {
            let ch = diff(x, y);
            assert_eq!(rebuild(&ch), (x.to_string(), y.to_string()), "{x} → {y}");
        }
    }

    #[test]
    fn numbers_change_whole_and_words_stay_together() {
        assert_eq!(
            diff("自2021年起", "自2024年起"),
            vec![
                Change::Same("自".into()),
                Change::Deleted("2021".into()),
                Change::Added("2024".into()),
                Change::Same("年起".into()),
            ]
        );
        assert_eq!(
            diff("区、县教育行政部门", "区教育行政部门"),
            vec![
                Change::Same("区".into()),
                Change::Deleted("、县".into()),
                Change::Same("教育行政部门".into()),
            ]
        );
        // 八 → 十一: one change, not 十 added and 八 → 一.
        let ch = diff("第八条规定", "第十一条规定");
        assert_eq!(
            ch,
            vec![
                Change::Same("第".into()),
                Change::Deleted("八".into()),
                Change::Added("十一".into()),
                Change::Same("条规定".into()),
            ]
        );
        // A lone shared character between two changes is absorbed.
        let ch = diff("甲乙丙", "丁乙戊");
        assert_eq!(
            ch,
            vec![
                Change::Deleted("甲乙丙".into()),
                Change::Added("丁乙戊".into())
            ]
        );
    }

    #[test]
    fn long_rewrite_falls_back_to_replacement() {
        let a: String = (0..4000)
            .map(|i| if i % 2 == 0 { '甲' } else { '乙' })
            .collect();
        let b: String = (0..4000)
            .map(|i| if i % 3 == 0 { '丙' } else { '乙' })
            .collect();
        let ch = diff(&a, &b);
        assert_eq!(rebuild(&ch), (a, b));
    }
}
