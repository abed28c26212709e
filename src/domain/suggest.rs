//! Which clauses an opinion is about: suggestions for staff to confirm (nothing is linked
//! without them).
//!
//! First, references the opinion makes itself. Departments write
//! `"第三部分建设内容""(五)实施人工智能场景应用计划-推进智慧医疗多场景协同"中，…`: a chain of
//! steps down the clause tree, each a number (`第三部分`, `(五)`, `3.`), a heading, or both.
//! The chain is read from the text before the first `中，` and from every quoted span; each
//! step is looked for below the clause the previous step found, so `(五)` means the `(五)` of
//! part three. Quotation marks in real letters are often unbalanced or missing, so steps are
//! cut at any quotation mark, dash or space, and compared without punctuation.
//!
//! Otherwise clauses are ranked by the similarity of their text to the opinion's: cosine of
//! character-bigram vectors weighted by how rare a bigram is among the draft's clauses.

use std::collections::HashMap;

use super::duplicates::normalise;
use super::numerals::cjk_number;

/// A clause of the tree, in document order; `parent` is an index into the same slice.
#[derive(Debug, Clone, Copy)]
pub struct ClauseRef<'a> {
    pub parent: Option<usize>,
    pub label: &'a str,
    pub heading: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The opinion names the clause.
    Reference,
    /// The clause's text resembles the opinion's.
    Similarity,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Suggestion {
    /// Index into the clause slice.
    pub index: usize,
    /// 1.0 for a reference; the cosine similarity otherwise.
    pub score: f64,
    pub reason: Reason,
}

/// How a numbering label counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `第X部分`, `第X章`…: the n-th part at the next level, whatever its numbering.
    Ordinal,
    /// `三、`
    Cjk,
    /// `(五)`
    ParenCjk,
    /// `3.` / `3、`
    Arabic,
    /// `(3)`
    ParenArabic,
}

fn fold(c: char) -> char {
    match c {
        '（' => '(',
        '）' => ')',
        '．' => '.',
        '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The number at the start of `s` and what follows it.
fn leading_number(s: &str) -> Option<(Kind, u32, String)> {
    let s: String = s.trim().chars().map(fold).collect();
    let is_cjk_digit = |c: char| "零〇一二三四五六七八九十百两".contains(c);
    if let Some(rest) = s.strip_prefix('第') {
        let num: String = rest.chars().take_while(|c| is_cjk_digit(*c)).collect();
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        let (n, after) = if !num.is_empty() {
            (cjk_number(&num)?, &rest[num.len()..])
        } else if !digits.is_empty() {
            (digits.parse().ok()?, &rest[digits.len()..])
        } else {
            return None;
        };
        for unit in ["部分", "章", "节", "条", "编", "项", "款", "点"] {
            if let Some(tail) = after.strip_prefix(unit) {
                return Some((Kind::Ordinal, n, tail.to_string()));
            }
        }
        return None;
    }
    if let Some(rest) = s.strip_prefix('(') {
        let close = rest.find(')')?;
        let inner = &rest[..close];
        let tail = rest[close + 1..].to_string();
        if !inner.is_empty() && inner.chars().all(is_cjk_digit) {
            return Some((Kind::ParenCjk, cjk_number(inner)?, tail));
        }
        if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
            return Some((Kind::ParenArabic, inner.parse().ok()?, tail));
        }
        return None;
    }
    let num: String = s.chars().take_while(|c| is_cjk_digit(*c)).collect();
    if !num.is_empty() {
        let after = &s[num.len()..];
        if let Some(tail) = after.strip_prefix('、') {
            return Some((Kind::Cjk, cjk_number(&num)?, tail.to_string()));
        }
        return None;
    }
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        let after = &s[digits.len()..];
        for sep in ['.', '、'] {
            if let Some(tail) = after.strip_prefix(sep) {
                if tail.starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                return Some((Kind::Arabic, digits.parse().ok()?, tail.to_string()));
            }
        }
    }
    None
}

fn text_of(chars: Vec<char>) -> String {
    chars.into_iter().collect()
}

/// The clause tree, with what matching needs precomputed.
struct Tree {
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    depth: Vec<usize>,
    heading: Vec<String>,
    head_and_text: Vec<String>,
    number: Vec<Option<(Kind, u32)>>,
}

impl Tree {
    fn new(clauses: &[ClauseRef<'_>]) -> Self {
        let mut children = vec![Vec::new(); clauses.len()];
        let mut roots = Vec::new();
        let mut depth = vec![0usize; clauses.len()];
        for (i, c) in clauses.iter().enumerate() {
            match c.parent.filter(|p| *p < i) {
                Some(p) => {
                    children[p].push(i);
                    depth[i] = depth[p] + 1;
                }
                None => roots.push(i),
            }
        }
        let heading = clauses
            .iter()
            .map(|c| text_of(normalise(c.heading.unwrap_or(""))))
            .collect();
        let head_and_text = clauses
            .iter()
            .map(|c| text_of(normalise(&format!("{}{}", c.heading.unwrap_or(""), c.text))))
            .collect();
        let number = clauses
            .iter()
            .map(|c| leading_number(c.label).map(|(k, n, _)| (k, n)))
            .collect();
        Self {
            children,
            roots,
            depth,
            heading,
            head_and_text,
            number,
        }
    }

    /// Clauses below `scope` (the whole tree for `None`), nearest levels first, then in
    /// document order.
    fn below(&self, scope: Option<usize>) -> Vec<usize> {
        let mut out = Vec::new();
        let mut level: Vec<usize> = match scope {
            Some(s) => self.children[s].clone(),
            None => self.roots.clone(),
        };
        while !level.is_empty() {
            out.extend(&level);
            level = level
                .iter()
                .flat_map(|i| self.children[*i].iter().copied())
                .collect();
        }
        out
    }

    /// How well a clause's heading (or text) matches a step's words: 3 the same heading,
    /// 2 one heading contains the other, 1 the text starts with or contains the words.
    fn words_match(&self, i: usize, words: &str) -> u8 {
        let h = &self.heading[i];
        let wlen = words.chars().count();
        if wlen < 2 {
            return 0;
        }
        if !h.is_empty() && h == words {
            return 3;
        }
        if !h.is_empty() && h.chars().count() >= 2 && (h.contains(words) || words.contains(h)) {
            return 2;
        }
        if wlen >= 4 && self.head_and_text[i].contains(words) {
            return 1;
        }
        0
    }

    /// One step of a reference, below `scope`.
    fn step(&self, scope: Option<usize>, seg: &str) -> Option<usize> {
        let below = self.below(scope);
        match leading_number(seg) {
            Some((kind, n, rest)) => {
                let words = text_of(normalise(&rest));
                let numbered: Vec<usize> = match kind {
                    Kind::Ordinal => {
                        let level: &[usize] = match scope {
                            Some(s) => &self.children[s],
                            None => &self.roots,
                        };
                        level
                            .iter()
                            .copied()
                            .filter(|i| self.number[*i].is_some_and(|(_, m)| m == n))
                            .chain(level.get((n as usize).wrapping_sub(1)).copied())
                            .collect()
                    }
                    _ => below
                        .iter()
                        .copied()
                        .filter(|i| self.number[*i] == Some((kind, n)))
                        .collect(),
                };
                if words.is_empty() {
                    return numbered.first().copied();
                }
                // The number and the words agree: best; the words alone beat a number alone
                // (a mistyped number is more common than a mistyped heading).
                if let Some(i) = numbered
                    .iter()
                    .copied()
                    .find(|i| self.words_match(*i, &words) > 0)
                {
                    return Some(i);
                }
                self.by_words(&below, &words)
                    .or_else(|| numbered.first().copied())
            }
            None => {
                let words = text_of(normalise(seg));
                self.by_words(&below, &words)
            }
        }
    }

    fn by_words(&self, below: &[usize], words: &str) -> Option<usize> {
        let mut best: Option<(u8, usize, usize)> = None;
        for &i in below {
            let m = self.words_match(i, words);
            if m == 0 {
                continue;
            }
            let key = (m, usize::MAX - self.depth[i], usize::MAX - i);
            if best.is_none_or(|(bm, bd, bi)| key > (bm, bd, bi)) {
                best = Some((key.0, key.1, key.2));
            }
        }
        best.map(|(_, _, i)| usize::MAX - i)
    }

    /// Follows a chain of steps; the deepest clause reached, if any.
    fn resolve(&self, steps: &[String]) -> Option<usize> {
        let mut scope = None;
        let mut found = None;
        for s in steps {
            if let Some(i) = self.step(scope, s) {
                scope = Some(i);
                found = Some(i);
            }
        }
        found
    }
}

const QUOTES: &[char] = &[
    '“', '”', '"', '‘', '’', '\'', '「', '」', '『', '』', '《', '》',
];
const STEP_BREAKS: &[char] = &[
    '“', '”', '"', '‘', '’', '\'', '「', '」', '『', '』', '-', '－', '—', '–', '>', '→', ' ',
    '\u{3000}', '\t', '\n',
];

/// Steps of a chain of references: cut at quotation marks, dashes and spaces.
fn steps(zone: &str) -> Vec<String> {
    zone.split(STEP_BREAKS)
        .map(str::trim)
        .filter(|s| !normalise(s).is_empty() || leading_number(s).is_some())
        .map(str::to_string)
        .collect()
}

/// Where an opinion names clauses: the text before the first `中，` (when it is short and
/// holds a quotation mark or a numbered part), then each quoted span.
fn zones(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, w) in chars.windows(2).enumerate() {
        if w[0] == '中' && matches!(w[1], '，' | ',' | '：' | ':' | '。') {
            if i <= 160 {
                let zone: String = chars[..i].iter().collect();
                if zone.contains(QUOTES) || zone.contains('第') || zone.contains('(') {
                    out.push(zone);
                }
            }
            break;
        }
    }
    // Quoted spans: from an opening mark to the next closing one.
    let mut i = 0;
    while i < chars.len() {
        let close = match chars[i] {
            '“' => Some('”'),
            '‘' => Some('’'),
            '「' => Some('」'),
            '『' => Some('』'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(len) = chars[i + 1..].iter().position(|c| *c == close) {
                let span: String = chars[i + 1..i + 1 + len].iter().collect();
                if span.chars().count() >= 2 {
                    out.push(span);
                }
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Clauses the opinion names itself, most specific first, without repeats.
pub fn references(text: &str, clauses: &[ClauseRef<'_>]) -> Vec<usize> {
    let tree = Tree::new(clauses);
    let mut out: Vec<usize> = Vec::new();
    for z in zones(text) {
        if let Some(i) = tree.resolve(&steps(&z)) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

fn bigrams(s: &str) -> HashMap<(char, char), f64> {
    let chars = normalise(s);
    let mut m = HashMap::new();
    for w in chars.windows(2) {
        *m.entry((w[0], w[1])).or_insert(0.0) += 1.0;
    }
    m
}

/// Clauses ranked by text similarity (best first, score above zero), at most `limit`.
pub fn similar(text: &str, clauses: &[ClauseRef<'_>], limit: usize) -> Vec<Suggestion> {
    let docs: Vec<HashMap<(char, char), f64>> = clauses
        .iter()
        .map(|c| bigrams(&format!("{}{}", c.heading.unwrap_or(""), c.text)))
        .collect();
    let n = docs.len() as f64;
    let mut df: HashMap<(char, char), f64> = HashMap::new();
    for d in &docs {
        for k in d.keys() {
            *df.entry(*k).or_insert(0.0) += 1.0;
        }
    }
    let idf = |k: &(char, char)| (1.0 + n / (1.0 + df.get(k).copied().unwrap_or(0.0))).ln();
    let weigh = |d: &HashMap<(char, char), f64>| -> HashMap<(char, char), f64> {
        d.iter().map(|(k, tf)| (*k, tf.sqrt() * idf(k))).collect()
    };
    let q = weigh(&bigrams(text));
    let qn = q.values().map(|v| v * v).sum::<f64>().sqrt();
    if qn == 0.0 {
        return Vec::new();
    }
    let mut scored: Vec<Suggestion> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let w = weigh(d);
            let dn = w.values().map(|v| v * v).sum::<f64>().sqrt();
            if dn == 0.0 {
                return None;
            }
            let dot: f64 = q.iter().filter_map(|(k, v)| w.get(k).map(|x| x * v)).sum();
            let score = dot / (qn * dn);
            (score > 0.0).then_some(Suggestion {
                index: i,
                score,
                reason: Reason::Similarity,
            })
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    scored.truncate(limit);
    scored
}

/// References first (score 1), then the most similar clauses, `limit` in all.
pub fn suggest(text: &str, clauses: &[ClauseRef<'_>], limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = references(text, clauses)
        .into_iter()
        .map(|index| Suggestion {
            index,
            score: 1.0,
            reason: Reason::Reference,
        })
        .collect();
    for s in similar(text, clauses, limit) {
        if out.len() >= limit {
            break;
        }
        if !out.iter().any(|o| o.index == s.index) {
            out.push(s);
        }
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (parent, label, heading, text)
    fn tree() -> Vec<(
        Option<usize>,
        &'static str,
        Option<&'static str>,
        &'static str,
    )> {
        vec![
            (None, "一、", Some("总体要求"), "贯彻落实人工智能发展部署。"),
            (None, "二、", Some("建设内容"), ""),
            (Some(1), "（一）", Some("实施人工智能技术突破计划"), ""),
            (
                Some(2),
                "1.",
                Some("加强人工智能技术创新"),
                "每年组织实施人工智能创新专项项目不少于20项。",
            ),
            (Some(1), "（二）", Some("实施人工智能场景应用计划"), ""),
            (
                Some(4),
                "1.",
                Some("推进智慧医疗“多场景协同”"),
                "建设智慧医疗服务平台，开展远程会诊。",
            ),
            (
                Some(4),
                "2.",
                Some("推进智慧城市“数智治理”"),
                "在水务、城管、交通等领域形成应用场景。",
            ),
            (
                None,
                "三、",
                Some("保障措施"),
                "加大资金支持力度，设立人工智能专项基金。",
            ),
        ]
    }

    fn refs(
        rows: &[(
            Option<usize>,
            &'static str,
            Option<&'static str>,
            &'static str,
        )],
    ) -> Vec<ClauseRef<'static>> {
        rows.iter()
            .map(|(p, l, h, t)| ClauseRef {
                parent: *p,
                label: l,
                heading: *h,
                text: t,
            })
            .collect()
    }

    #[test]
    fn numbers_at_the_start() {
        assert_eq!(
            leading_number("第三部分建设内容"),
            Some((Kind::Ordinal, 3, "建设内容".into()))
        );
        assert_eq!(
            leading_number("（五）实施"),
            Some((Kind::ParenCjk, 5, "实施".into()))
        );
        assert_eq!(
            leading_number("12.条"),
            Some((Kind::Arabic, 12, "条".into()))
        );
        assert_eq!(
            leading_number("(3)"),
            Some((Kind::ParenArabic, 3, "".into()))
        );
        assert_eq!(leading_number("十一、"), Some((Kind::Cjk, 11, "".into())));
        assert_eq!(leading_number("1.5亿元"), None);
        assert_eq!(leading_number("建设内容"), None);
    }

    #[test]
    fn a_chain_of_references_with_broken_quotes_resolves_to_the_named_clause() {
        let rows = tree();
        let cs = refs(&rows);
        let text = "第二部分建设内容”“(二)实施人工智能场景应用计划-推进智慧医疗多场景协同’”中,建设智慧医疗服务平台修改为推进智慧医院建设。";
        assert_eq!(references(text, &cs), vec![5]);
        // Headings alone, without numbers, and a space before the dash.
        let text =
            "第二部分建设内容”“实施人工智能场景应用计划 -推进智慧城市数智治理中,建议不作数量要求。";
        assert_eq!(references(text, &cs), vec![6]);
        // A quoted heading anywhere in the text.
        let text = "我认为“加强人工智能技术创新”一节的目标偏低。";
        assert_eq!(references(text, &cs), vec![3]);
    }

    #[test]
    fn a_number_below_the_named_part_wins_over_the_same_number_elsewhere() {
        let rows = tree();
        let cs = refs(&rows);
        // `1.` exists under both (一) and (二); the chain says (二).
        assert_eq!(
            references("第二部分”“（二）-1.”中，建议修改。", &cs),
            vec![5]
        );
        assert_eq!(
            references("第二部分”“（一）-1.”中，建议修改。", &cs),
            vec![3]
        );
    }

    #[test]
    fn without_references_clauses_rank_by_similarity() {
        let rows = tree();
        let cs = refs(&rows);
        assert!(references("建议加大远程会诊的投入。", &cs).is_empty());
        let s = suggest("建议加大远程会诊和智慧医疗服务平台的投入。", &cs, 3);
        assert_eq!(s[0].index, 5);
        assert_eq!(s[0].reason, Reason::Similarity);
        assert!(s.len() <= 3);
        assert!(s.windows(2).all(|w| w[0].score >= w[1].score));
        let s = suggest("建议设立更大规模的人工智能专项基金。", &cs, 1);
        assert_eq!(s[0].index, 7);
        assert!(suggest("。。。", &cs, 5).is_empty());
    }

    #[test]
    fn references_come_first() {
        let rows = tree();
        let cs = refs(&rows);
        let s = suggest(
            "“推进智慧城市数智治理”中，建议建设智慧医疗服务平台。",
            &cs,
            3,
        );
        assert_eq!(s[0].index, 6);
        assert_eq!(s[0].reason, Reason::Reference);
        assert!(
            s[1..]
                .iter()
                .all(|x| x.reason == Reason::Similarity && x.index != 6)
        );
    }
}
