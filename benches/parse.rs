//! Clause parsing of a 1 MB draft (target: under 50 ms on the 2-core development machine).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yijian::domain::clause_parser::parse_draft;

/// About 1 MB of real drafts: the seed documents repeated, each copy with its own numbering.
fn one_megabyte() -> String {
    let seeds = [
        include_str!("../tests/fixtures/seed_000.txt"),
        include_str!("../tests/fixtures/seed_003.txt"),
        include_str!("../tests/fixtures/seed_004.txt"),
    ];
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 1024 * 1024 {
        s.push_str(seeds[i % seeds.len()]);
        s.push('\n');
        i += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = one_megabyte();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(30);
    g.bench_function("1MB draft", |b| b.iter(|| parse_draft(black_box(&text))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
