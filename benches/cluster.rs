//! Duplicate clustering of 100,000 comments (target: under 3 s on the 2-core development
//! machine): signatures, LSH and union-find over the whole batch, as a first run over a
//! consultation does.
//!
//! `cargo bench --bench cluster`

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yijian::domain::duplicates::{Params, cluster};

use common::{Rng, quantiles};

/// What people add to a campaign letter they send on.
const ADDITIONS: [&str; 10] = [
    "尊敬的领导：",
    "我认为",
    "作为一名普通市民，",
    "特此建议，",
    "恳请采纳。",
    "谢谢！",
    "希望认真研究，",
    "同时",
    "另外还要注意",
    "此致敬礼。",
];

/// The comments, and for each altered campaign copy its index and the letter it was made from.
pub struct Corpus {
    pub texts: Vec<String>,
    pub copies: Vec<(usize, usize)>,
    pub campaigns: Vec<String>,
}

/// Comments in the seed drafts' vocabulary: distinct ones are 12 to 30 random eight-character
/// stretches of the drafts (so they share words and phrases as real comments on one draft do,
/// but are not copies of one another); one in five is an altered copy of one of 200 campaign
/// letters (twenty such stretches each) with three to six edits: a phrase added, a few
/// characters deleted, a few replaced by others from the drafts, two stretches swapped.
pub fn corpus(n: usize) -> Corpus {
    let seeds = [
        include_str!("../tests/fixtures/seed_000.txt"),
        include_str!("../tests/fixtures/seed_003.txt"),
        include_str!("../tests/fixtures/seed_004.txt"),
    ];
    let chars: Vec<char> = seeds
        .iter()
        .flat_map(|s| s.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let stretch = |rng: &mut Rng, len: usize| -> Vec<char> {
        let at = rng.below(chars.len() - len);
        chars[at..at + len].to_vec()
    };
    let pieces =
        |rng: &mut Rng, k: usize| -> Vec<Vec<char>> { (0..k).map(|_| stretch(rng, 8)).collect() };
    let campaigns: Vec<Vec<Vec<char>>> = (0..200).map(|_| pieces(&mut rng, 20)).collect();
    let mut copies = Vec::new();
    let texts = (0..n)
        .map(|i| {
            if i % 5 != 0 {
                let k = 12 + rng.below(19);
                return pieces(&mut rng, k).concat().into_iter().collect();
            }
            let source = rng.below(campaigns.len());
            let mut parts = campaigns[source].clone();
            // Reorder: two stretches change places.
            let a = rng.below(parts.len());
            let b = (a + 1 + rng.below(parts.len() - 1)) % parts.len();
            parts.swap(a, b);
            let mut text: Vec<char> = parts.concat();
            for _ in 0..2 + rng.below(4) {
                let at = rng.below(text.len());
                match rng.below(3) {
                    // Insert a phrase of one's own.
                    0 => {
                        let add = ADDITIONS[rng.below(ADDITIONS.len())];
                        text.splice(at..at, add.chars());
                    }
                    // Delete two to six characters.
                    1 => {
                        let end = (at + 2 + rng.below(5)).min(text.len());
                        text.drain(at..end);
                    }
                    // Replace two to four characters with others from the drafts.
                    _ => {
                        let len = 2 + rng.below(3);
                        let end = (at + len).min(text.len());
                        let with = stretch(&mut rng, len);
                        text.splice(at..end, with);
                    }
                }
            }
            copies.push((i, source));
            text.into_iter().collect()
        })
        .collect();
    Corpus {
        texts,
        copies,
        campaigns: campaigns
            .into_iter()
            .map(|p| p.concat().into_iter().collect())
            .collect(),
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Every copy differs from its letter; the edit distances, the share of characters changed and
/// how many copies ended up clustered with their letter's other copies.
fn check(corpus: &Corpus, groups: &[Vec<usize>]) {
    let mut distances = Vec::with_capacity(corpus.copies.len());
    let mut percent = Vec::with_capacity(corpus.copies.len());
    for &(i, source) in &corpus.copies {
        let (copy, letter) = (&corpus.texts[i], &corpus.campaigns[source]);
        assert_ne!(
            copy, letter,
            "comment {i} is a verbatim copy of letter {source}"
        );
        let d = edit_distance(copy, letter);
        assert!(d > 0);
        distances.push(d);
        percent.push(d * 100 / letter.chars().count());
    }
    println!(
        "{} altered copies of {} letters, none verbatim; edit distance to the letter in characters: {}; \
         as % of the letter's length: {}",
        corpus.copies.len(),
        corpus.campaigns.len(),
        quantiles(distances),
        quantiles(percent)
    );
    let mut cluster_of = vec![usize::MAX; corpus.texts.len()];
    for (g, members) in groups.iter().enumerate() {
        for &m in members {
            cluster_of[m] = g;
        }
    }
    // A copy counts as found when it shares a cluster with the most common cluster of its letter.
    let mut by_letter: Vec<Vec<usize>> = vec![Vec::new(); corpus.campaigns.len()];
    for &(i, source) in &corpus.copies {
        by_letter[source].push(cluster_of[i]);
    }
    let mut found = 0;
    let mut letters_found = 0;
    for clusters in &by_letter {
        let mut counts = std::collections::HashMap::new();
        for &c in clusters.iter().filter(|&&c| c != usize::MAX) {
            *counts.entry(c).or_insert(0usize) += 1;
        }
        if let Some(&most) = counts.values().max() {
            found += most;
            letters_found += 1;
        }
    }
    let distinct_clustered = (0..corpus.texts.len())
        .filter(|i| i % 5 != 0 && cluster_of[*i] != usize::MAX)
        .count();
    println!(
        "clustered: {found} of {} copies with their letter's copies ({letters_found} letters found); \
         {distinct_clustered} distinct comments clustered",
        corpus.copies.len()
    );
}

fn bench(c: &mut Criterion) {
    let corpus = corpus(100_000);
    let texts = &corpus.texts;
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let groups = cluster(texts, Params::default());
    let members: usize = groups.iter().map(Vec::len).sum();
    println!(
        "100000 comments, {:.0} characters on average: {} clusters holding {} comments",
        chars as f64 / texts.len() as f64,
        groups.len(),
        members
    );
    check(&corpus, &groups);
    let mut g = c.benchmark_group("cluster");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.sample_size(10);
    g.bench_function("100k comments", |b| {
        b.iter(|| cluster(black_box(texts), Params::default()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
