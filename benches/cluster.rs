//! Duplicate clustering of 100,000 comments (target: under 3 s on the 2-core development
//! machine): signatures, LSH and union-find over the whole batch, as a first run over a
//! consultation does.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yijian::domain::duplicates::{Params, cluster};

/// Comments in the seed drafts' vocabulary: distinct ones are 12 to 30 random eight-character
/// stretches of the drafts (so they share words and phrases as real comments on one draft do,
/// but are not copies of one another); one in five is a copy of one of 200 campaign letters,
/// with a word changed, punctuation altered or a greeting added.
pub fn corpus(n: usize) -> Vec<String> {
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
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let piece = |k: usize, next: &mut dyn FnMut(usize) -> usize| -> String {
        (0..k)
            .map(|_| {
                let at = next(chars.len() - 8);
                chars[at..at + 8].iter().collect::<String>()
            })
            .collect()
    };
    let campaigns: Vec<String> = (0..200).map(|_| piece(20, &mut next)).collect();
    (0..n)
        .map(|i| {
            if i % 5 == 0 {
                let base = &campaigns[next(campaigns.len())];
                match next(3) {
                    0 => format!("{base}谢谢！"),
                    1 => base.replace('，', ","),
                    _ => base.replacen("建设", "推进", 1),
                }
            } else {
                let k = 12 + next(19);
                piece(k, &mut next)
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus(100_000);
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let groups = cluster(&texts, Params::default());
    let members: usize = groups.iter().map(Vec::len).sum();
    eprintln!(
        "100000 comments, {:.0} characters on average: {} clusters holding {} comments",
        chars as f64 / texts.len() as f64,
        groups.len(),
        members
    );
    let mut g = c.benchmark_group("cluster");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.sample_size(10);
    g.bench_function("100k comments", |b| {
        b.iter(|| cluster(black_box(&texts), Params::default()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
