//! What the benches share: a deterministic generator, comment texts made of the seed drafts'
//! sentences, and quantiles to show how varied the generated data is.
#![allow(dead_code)]

/// A small deterministic generator (xorshift), so every run measures the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.below(1 << 30) as f64 / f64::from(1u32 << 30)
    }
}

/// The seed drafts in `tests/fixtures/`.
pub const SEEDS: [&str; 5] = [
    include_str!("../../tests/fixtures/seed_000.txt"),
    include_str!("../../tests/fixtures/seed_001.txt"),
    include_str!("../../tests/fixtures/seed_002.txt"),
    include_str!("../../tests/fixtures/seed_003.txt"),
    include_str!("../../tests/fixtures/seed_004.txt"),
];

/// The seed drafts cut after each `。！？；，：` and at line ends: quotable pieces of real drafts,
/// in document order.
pub fn fragments() -> Vec<String> {
    let mut out = Vec::new();
    for seed in SEEDS {
        let mut piece = String::new();
        for c in seed.chars() {
            if c == '\n' || c == '\r' {
                if !piece.trim().is_empty() {
                    out.push(piece.trim().to_string());
                }
                piece.clear();
                continue;
            }
            piece.push(c);
            if "。！？；，：".contains(c) {
                if !piece.trim().is_empty() {
                    out.push(piece.trim().to_string());
                }
                piece.clear();
            }
        }
        if !piece.trim().is_empty() {
            out.push(piece.trim().to_string());
        }
    }
    out
}

/// How commenters open: nothing, or words of their own.
const OPENINGS: [&str; 8] = [
    "",
    "建议",
    "我认为",
    "关于这一条，",
    "建议修改为：",
    "对此有不同意见：",
    "作为企业代表，",
    "希望进一步明确：",
];

/// How commenters close: nothing, or words of their own.
const CLOSINGS: [&str; 8] = [
    "",
    "",
    "谢谢！",
    "请予考虑。",
    "以上建议供参考。",
    "望采纳。",
    "特此建议。",
    "建议删除此句。",
];

/// A comment: an opening, then pieces of the seed drafts, in order from a random place (one
/// time in three jumping to another place), until the drawn length is reached, then a closing.
/// The length drawn is 20 × 100^u characters with u uniform, so 20 to about 2,000, median about
/// 200 (log-uniform: short comments are common, long ones rare).
pub fn comment(rng: &mut Rng, pieces: &[String]) -> String {
    let target = (20.0 * 100f64.powf(rng.unit())) as usize;
    let mut body = OPENINGS[rng.below(OPENINGS.len())].to_string();
    let mut at = rng.below(pieces.len());
    while body.chars().count() < target {
        body.push_str(&pieces[at]);
        at = if rng.below(3) == 0 {
            rng.below(pieces.len())
        } else {
            (at + 1) % pieces.len()
        };
    }
    if !body.ends_with(['。', '！', '？']) {
        body.push('。');
    }
    body.push_str(CLOSINGS[rng.below(CLOSINGS.len())]);
    body
}

/// `min, 10%, median, 90%, max` of `xs`.
pub fn quantiles(mut xs: Vec<usize>) -> String {
    xs.sort_unstable();
    let at = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    format!(
        "min {}, 10% {}, median {}, 90% {}, max {}",
        at(0.0),
        at(0.1),
        at(0.5),
        at(0.9),
        at(1.0)
    )
}

/// Distinct texts and the quantiles of their lengths in characters, as a line to print.
pub fn variety<'a>(texts: impl Iterator<Item = &'a str>) -> (usize, usize, String) {
    let mut distinct = std::collections::HashSet::new();
    let mut lengths = Vec::new();
    for t in texts {
        distinct.insert(t);
        lengths.push(t.chars().count());
    }
    (lengths.len(), distinct.len(), quantiles(lengths))
}
