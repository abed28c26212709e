//! Near-duplicate detection for opinions: form letters, campaigns and edited copies.
//!
//! Text is normalised (full-width folded to half-width, ASCII lower-cased, everything that is
//! not a letter or digit dropped: punctuation, spaces and quotation marks do not count), cut
//! into overlapping character shingles (three characters: no word segmentation is needed for
//! Chinese), and summarised by a MinHash signature of [`HASHES`] values (one-permutation
//! hashing with densification). Locality-sensitive
//! hashing over [`BANDS`] bands of [`ROWS`] values proposes candidate pairs; a pair is linked
//! when the signatures agree on at least [`Params::threshold`] of their values (an estimate of
//! the Jaccard similarity of the shingle sets) with the first member of the candidate's
//! cluster. Linked opinions form clusters through a union-find; comparing with the first
//! member keeps a cluster from drifting along a chain of texts that each resemble the last.
//!
//! [`Index`] is incremental: opinions are added one at a time, each compared only with the
//! candidates its bands collide with, so a new comment costs the same whether the consultation
//! holds ten opinions or a hundred thousand.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Values in a signature.
pub const HASHES: usize = 64;
/// LSH bands and values per band (`BANDS * ROWS == HASHES`): a pair with Jaccard similarity
/// `s` becomes a candidate with probability `1 - (1 - s^4)^16`: 0.99 at 0.7, 0.63 at 0.5,
/// 0.03 at 0.2.
pub const BANDS: usize = 16;
pub const ROWS: usize = HASHES / BANDS;
/// Characters per shingle.
pub const SHINGLE: usize = 3;

/// How similar two texts must be to be called duplicates.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Share of agreeing signature values needed to link a candidate pair (0..=1).
    pub threshold: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self { threshold: 0.5 }
    }
}

/// A MinHash signature. All `u32::MAX` for a text without letters or digits (never linked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u32; HASHES]);

impl Signature {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|v| *v == u32::MAX)
    }

    /// Share of positions where two signatures agree: an estimate of the Jaccard similarity.
    pub fn similarity(&self, other: &Signature) -> f64 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    /// The key of one band: the band's number and values, hashed. Fits a `BIGINT`.
    pub fn band_key(&self, band: usize) -> i64 {
        let mut h = 0x9e37_79b9_7f4a_7c15u64 ^ (band as u64);
        for v in &self.0[band * ROWS..(band + 1) * ROWS] {
            h = mix64(h ^ u64::from(*v));
        }
        h as i64
    }

    /// Every band key, in band order.
    pub fn band_keys(&self) -> [i64; BANDS] {
        let mut out = [0i64; BANDS];
        for (b, k) in out.iter_mut().enumerate() {
            *k = self.band_key(b);
        }
        out
    }

    /// 512 hexadecimal digits, for storage.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(HASHES * 8);
        for v in &self.0 {
            s.push_str(&format!("{v:08x}"));
        }
        s
    }

    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != HASHES * 8 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u32; HASHES];
        for (i, v) in out.iter_mut().enumerate() {
            *v = u32::from_str_radix(&s[i * 8..i * 8 + 8], 16).ok()?;
        }
        Some(Self(out))
    }
}

/// splitmix64's finaliser: a good 64-bit mix.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The characters that count: letters and digits, full-width folded, ASCII lower-cased.
pub fn normalise(text: &str) -> Vec<char> {
    normalised(text).collect()
}

fn normalised(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
}

/// The MinHash signature of a text, by one-permutation hashing: each shingle is hashed once;
/// the hash's top six bits choose one of the [`HASHES`] bins and the bin keeps the smallest of
/// its low 32 bits. Bins no shingle fell into borrow from the next filled bin to their right
/// (circularly), shifted by the distance, so that two texts agree on an empty bin about as
/// often as on a filled one ("densification"). One hash per shingle instead of 64 keeps
/// 100,000 comments well under a second.
pub fn signature(text: &str) -> Signature {
    let mut sig = [u32::MAX; HASHES];
    let mut filled = 0u64;
    let mut add = |x: u64| {
        let h = mix64(x);
        let bin = (h >> 58) as usize;
        let v = h as u32;
        if v < sig[bin] {
            sig[bin] = v;
        }
        filled |= 1 << bin;
    };
    // The last characters seen, for a rolling window of `SHINGLE` (no allocation).
    let (mut a, mut b, mut n) = (0u64, 0u64, 0usize);
    for c in normalised(text) {
        let c = u64::from(c as u32);
        if n >= SHINGLE - 1 {
            add((a << 42) ^ (b << 21) ^ c);
        }
        a = b;
        b = c;
        n += 1;
    }
    match n {
        0 => return Signature(sig),
        // A text shorter than a shingle is one shingle.
        1 => add(mix64(b)),
        2 => add(mix64(mix64(a) ^ b)),
        _ => {}
    }
    let donor = sig;
    for (i, v) in sig.iter_mut().enumerate() {
        if filled & (1 << i) != 0 {
            continue;
        }
        let mut d = 1;
        while filled & (1 << ((i + d) % HASHES)) == 0 {
            d += 1;
        }
        *v = donor[(i + d) % HASHES].wrapping_add((d as u32).wrapping_mul(0x9e37_79b9));
    }
    Signature(sig)
}

/// Union-find with path halving and union by size; each set remembers its first member.
#[derive(Debug, Default, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    first: Vec<u32>,
}

impl UnionFind {
    pub fn push(&mut self) -> usize {
        let i = self.parent.len();
        self.parent.push(i as u32);
        self.size.push(1);
        self.first.push(i as u32);
        i
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            let p = self.parent[i] as usize;
            self.parent[i] = self.parent[p];
            i = self.parent[i] as usize;
        }
        i
    }

    /// Joins the sets of `a` and `b`; true when they were apart.
    pub fn union(&mut self, a: usize, b: usize) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra] < self.size[rb] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb] = ra as u32;
        self.size[ra] += self.size[rb];
        self.first[ra] = self.first[ra].min(self.first[rb]);
        true
    }

    /// The first member (smallest number) of `i`'s set.
    pub fn first(&mut self, i: usize) -> usize {
        let r = self.find(i);
        self.first[r] as usize
    }
}

/// Band keys are hashes already: use them as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_i64(&mut self, v: i64) {
        self.0 = v as u64;
    }
}

/// Band key → the newest entry of its chain; `next` links an entry to the one before it.
type Buckets = HashMap<i64, u32, BuildHasherDefault<KeyHasher>>;

const NONE: u32 = u32::MAX;

/// Opinions added so far, their LSH buckets and their clusters.
pub struct Index {
    params: Params,
    sigs: Vec<Signature>,
    buckets: Buckets,
    /// Per bucket entry (opinion × band, `i * BANDS + band`): the entry before it in its
    /// bucket, or `NONE`.
    next: Vec<u32>,
    uf: UnionFind,
}

impl Index {
    pub fn new(params: Params) -> Self {
        Self::with_capacity(params, 0)
    }

    pub fn with_capacity(params: Params, n: usize) -> Self {
        let mut buckets = Buckets::default();
        buckets.reserve(n * BANDS);
        Self {
            params,
            sigs: Vec::with_capacity(n),
            buckets,
            next: Vec::with_capacity(n * BANDS),
            uf: UnionFind::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// Adds a text; returns its number (0, 1, 2… in order of addition).
    pub fn add(&mut self, text: &str) -> usize {
        self.add_signature(signature(text))
    }

    /// Adds a signature computed earlier (e.g. read back from the database).
    pub fn add_signature(&mut self, sig: Signature) -> usize {
        let i = self.uf.push();
        self.sigs.push(sig);
        self.next.extend([NONE; BANDS]);
        if sig.is_empty() {
            return i;
        }
        for band in 0..BANDS {
            let key = sig.band_key(band);
            let head = self.buckets.get(&key).copied().unwrap_or(NONE);
            let mut joined = false;
            let mut at = head;
            while at != NONE {
                let j = at as usize / BANDS;
                if self.uf.find(j) == self.uf.find(i) {
                    joined = true;
                } else {
                    // Compared with the cluster's first member, not with whichever member the
                    // bucket holds: a cluster does not drift along a chain of texts that each
                    // resemble the one before.
                    let rep = self.uf.first(j);
                    if self.sigs[rep].similarity(&sig) >= self.params.threshold {
                        self.uf.union(i, j);
                        joined = true;
                    }
                }
                at = self.next[at as usize];
            }
            // A bucket keeps one member per cluster: a member joined to a cluster already in
            // it adds nothing new to compare against.
            if !joined {
                let entry = (i * BANDS + band) as u32;
                self.next[entry as usize] = head;
                self.buckets.insert(key, entry);
            }
        }
        i
    }

    /// Declares `a` and `b` to be in one cluster (e.g. a cluster read back from the database).
    pub fn join(&mut self, a: usize, b: usize) {
        self.uf.union(a, b);
    }

    /// The cluster (its root) of `i`.
    pub fn root(&mut self, i: usize) -> usize {
        self.uf.find(i)
    }

    /// Groups of two or more, each in order of addition; groups ordered by first member.
    pub fn clusters(&mut self) -> Vec<Vec<usize>> {
        let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..self.uf.len() {
            let r = self.uf.find(i);
            by_root.entry(r).or_default().push(i);
        }
        let mut out: Vec<Vec<usize>> = by_root.into_values().filter(|g| g.len() > 1).collect();
        out.sort_by_key(|g| g[0]);
        out
    }
}

/// Signatures of many texts, computed on every core.
pub fn signatures<S: AsRef<str> + Sync>(texts: &[S]) -> Vec<Signature> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(texts.len().div_ceil(1000).max(1));
    if threads <= 1 {
        return texts.iter().map(|t| signature(t.as_ref())).collect();
    }
    let chunk = texts.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = texts
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|t| signature(t.as_ref())).collect()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| Vec::new()))
            .collect()
    })
}

/// Clusters a batch of texts at once: groups of near-duplicates (two or more), by index.
pub fn cluster<S: AsRef<str> + Sync>(texts: &[S], params: Params) -> Vec<Vec<usize>> {
    let sigs = signatures(texts);
    let mut idx = Index::with_capacity(params, texts.len());
    for s in sigs {
        idx.add_signature(s);
    }
    idx.clusters()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "建议将每年组织实施人工智能创新专项项目不少于20项修改为组织实施人工智能领域创新专项和关键核心技术攻关项目，形成不少于40项共性技术创新成果，攻克不少于5项关键核心技术。此外，考虑到创新专项需要产业主管部门参与，建议责任单位增加市经信局、市发改委。";

    #[test]
    fn normalising_drops_punctuation_and_folds_width() {
        assert_eq!(
            normalise("“Ａ，b”　1２。"),
            vec!['a', 'b', '1', '2'],
            "full-width letters and digits fold, punctuation and spaces go"
        );
    }

    #[test]
    fn identical_and_punctuated_copies_have_equal_signatures() {
        let a = signature(BASE);
        let b = signature(&BASE.replace('，', ",").replace('。', "!!! "));
        assert_eq!(a, b);
        assert!((a.similarity(&b) - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn edited_and_reordered_copies_are_similar_distinct_texts_are_not() {
        let a = signature(BASE);
        let edited = BASE
            .replace("不少于40项", "不少于五十项")
            .replace("市发改委", "市财政局");
        assert!(a.similarity(&signature(&edited)) >= 0.5);
        let mut sentences: Vec<&str> = BASE.split_inclusive('。').collect();
        sentences.reverse();
        let reordered = sentences.concat();
        assert!(a.similarity(&signature(&reordered)) >= 0.5);
        let other = "建议加大对智慧医疗领域的投入，推进远程会诊和电子健康档案的共享应用，并明确卫生健康部门的牵头责任。";
        assert!(a.similarity(&signature(other)) < 0.3);
    }

    #[test]
    fn hex_round_trip_and_band_keys_are_stable() {
        let a = signature(BASE);
        let back = Signature::from_hex(&a.to_hex()).unwrap();
        assert_eq!(a, back);
        assert_eq!(a.band_keys(), back.band_keys());
        assert!(Signature::from_hex("zz").is_none());
        let keys = a.band_keys();
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), BANDS, "band number is part of the key");
    }

    #[test]
    fn empty_text_is_never_clustered() {
        let groups = cluster(&["。。。", "！！", BASE], Params::default());
        assert!(groups.is_empty());
        assert!(signature("，。").is_empty());
    }

    #[test]
    fn clusters_campaign_copies_and_keeps_distinct_opinions_apart() {
        let campaign = "坚决反对在居民区附近建设垃圾焚烧厂，请政府重新选址，保障周边居民的身体健康和生活环境。";
        let texts = vec![
            campaign.to_string(),
            "关于第三条，建议明确数据共享的安全责任主体。".to_string(),
            format!("{campaign}谢谢！"),
            campaign.replace("坚决反对", "强烈反对"),
            "关于第三条，建议增加对中小企业的算力补贴。".to_string(),
            campaign.replace('，', " "),
            BASE.to_string(),
        ];
        let groups = cluster(&texts, Params::default());
        assert_eq!(groups, vec![vec![0, 2, 3, 5]]);
    }

    #[test]
    fn incremental_adds_match_the_batch() {
        let texts = [BASE, "另一条完全不同的意见，关于人才政策的建议内容。", BASE];
        let mut idx = Index::new(Params::default());
        let a = idx.add(texts[0]);
        let b = idx.add(texts[1]);
        assert_ne!(idx.root(a), idx.root(b));
        let c = idx.add(texts[2]);
        assert_eq!(idx.root(a), idx.root(c));
        assert_eq!(idx.clusters(), cluster(&texts, Params::default()));
        // A join from outside (a stored cluster) is kept.
        idx.join(a, b);
        assert_eq!(idx.clusters(), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_chain_of_small_edits_does_not_drift_into_one_cluster() {
        // Each text shares most of its sentences with the one before, little with the first.
        let sentences: Vec<String> = include_str!("../../tests/fixtures/seed_000.txt")
            .split('。')
            .map(str::trim)
            .filter(|s| s.chars().count() > 30)
            .take(12)
            .map(|s| format!("{s}。"))
            .collect();
        assert_eq!(sentences.len(), 12);
        let texts: Vec<String> = (0..9).map(|i| sentences[i..i + 4].concat()).collect();
        let mut idx = Index::new(Params::default());
        for t in &texts {
            idx.add(t);
        }
        let r0 = idx.root(0);
        assert_ne!(r0, idx.root(8), "the last is not a copy of the first");
        let groups = idx.clusters();
        assert!(groups.iter().all(|g| g.len() < texts.len()));
    }

    #[test]
    fn union_find_merges_by_size() {
        let mut uf = UnionFind::default();
        for _ in 0..5 {
            uf.push();
        }
        assert!(uf.union(0, 1));
        assert!(uf.union(2, 3));
        assert!(!uf.union(1, 0));
        assert!(uf.union(3, 1));
        assert_eq!(uf.find(2), uf.find(0));
        assert_ne!(uf.find(4), uf.find(0));
        assert_eq!(uf.len(), 5);
        assert_eq!(uf.first(3), 0);
        assert_eq!(uf.first(4), 4);
    }
}
