//! Aligning two revisions of a 1 MB draft, about 7,500 clauses each (target: under 1 s).
//!
//! The old version is the seed drafts' clauses repeated, each copy's texts tagged with its
//! copy and clause number so that no two clauses are equal. The new version edits it in a
//! fixed pattern:
//!
//! * one clause in 20 is reworded (two characters in the middle of its text replaced);
//! * one clause in 50 is deleted;
//! * after another one in 50 a new clause is inserted;
//! * in every 500 clauses, a run of 5 is moved 300 clauses further down.
//!
//! Before measuring, the bench checks the sizes and that the alignment finds exactly these
//! edits: every untouched clause unchanged, every reworded one modified, and so on.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yijian::domain::clause_parser::parse_draft;
use yijian::domain::revision::{Kind, RevClause, align, from_parsed};

const MEGABYTE: usize = 1024 * 1024;

fn size(cs: &[RevClause]) -> usize {
    cs.iter()
        .map(|c| c.label.len() + c.heading.as_deref().map_or(0, str::len) + c.text.len())
        .sum()
}

/// A seed draft's clauses with every sentence (or part of a sentence ending in a semicolon) after the first of a clause made a clause of
/// its own (labelled `1.1`, `1.2` … after the clause), so that a megabyte holds about
/// 7,500 short clauses.
fn sentences(cs: &[RevClause]) -> Vec<RevClause> {
    let mut out: Vec<RevClause> = Vec::new();
    let mut index = vec![0; cs.len()];
    for (i, c) in cs.iter().enumerate() {
        index[i] = out.len();
        let parent = c.parent.map(|p| index[p]);
        let mut parts: Vec<String> = c
            .text
            .split_inclusive(['。', '；', ';'])
            .map(str::to_string)
            .filter(|p| !p.trim().is_empty())
            .collect();
        if parts.is_empty() {
            parts.push(String::new());
        }
        for (k, text) in parts.into_iter().enumerate() {
            let mut d = c.clone();
            d.parent = parent;
            d.text = text;
            if k > 0 {
                d.label = format!("{}{k}", c.label);
                d.heading = None;
            }
            out.push(d);
        }
    }
    out
}

fn old_version() -> Vec<RevClause> {
    let seeds: Vec<Vec<RevClause>> = [
        include_str!("../tests/fixtures/seed_000.txt"),
        include_str!("../tests/fixtures/seed_001.txt"),
        include_str!("../tests/fixtures/seed_002.txt"),
        include_str!("../tests/fixtures/seed_003.txt"),
        include_str!("../tests/fixtures/seed_004.txt"),
    ]
    .iter()
    .map(|s| sentences(&from_parsed(&parse_draft(s))))
    .collect();
    let mut out: Vec<RevClause> = Vec::new();
    let mut copy = 0;
    // A tenth more than a megabyte, so that the new version, with deletions, is one too.
    while size(&out) < MEGABYTE + MEGABYTE / 10 {
        let seed = &seeds[copy % seeds.len()];
        let base = out.len();
        for (i, c) in seed.iter().enumerate() {
            let mut c = c.clone();
            c.id = format!("c{}", out.len() + 1);
            c.parent = c.parent.map(|p| p + base);
            c.text = format!("{}〔{copy}.{i}〕", c.text);
            out.push(c);
        }
        copy += 1;
    }
    out
}

/// What was done to the old clauses.
#[derive(Default)]
struct Edits {
    reworded: Vec<usize>,
    deleted: Vec<usize>,
    inserted: usize,
    moved: Vec<usize>,
}

fn new_version(old: &[RevClause]) -> (Vec<RevClause>, Edits) {
    let mut edits = Edits::default();
    // Old indices (or None for an inserted clause) in new order.
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut pending_move: Vec<usize> = Vec::new();
    for i in 0..old.len() {
        if i % 500 >= 100 && i % 500 < 105 {
            pending_move.push(i);
            edits.moved.push(i);
            continue;
        }
        if i % 50 == 13 {
            edits.deleted.push(i);
        } else {
            order.push(Some(i));
        }
        if i % 50 == 29 {
            order.push(None);
            edits.inserted += 1;
        }
        if i % 500 == 404 {
            order.extend(pending_move.drain(..).map(Some));
        }
    }
    order.extend(pending_move.drain(..).map(Some));

    let mut new_index = vec![None; old.len()];
    for (j, o) in order.iter().enumerate() {
        if let Some(o) = o {
            new_index[*o] = Some(j);
        }
    }
    let mut new = Vec::with_capacity(order.len());
    for (j, o) in order.iter().enumerate() {
        let c = match o {
            Some(o) => {
                let mut c = old[*o].clone();
                c.parent = c.parent.and_then(|p| new_index[p]);
                let chars: Vec<char> = c.text.chars().collect();
                if o % 20 == 7 && chars.len() >= 12 {
                    let mid = chars.len() / 2;
                    let mut t: String = chars[..mid].iter().collect();
                    t.push_str("调整");
                    t.extend(&chars[mid + 2..]);
                    c.text = t;
                    edits.reworded.push(*o);
                }
                c
            }
            None => RevClause {
                id: String::new(),
                label: "(新)".into(),
                depth: 0,
                rank: None,
                parent: None,
                path: Vec::new(),
                heading: None,
                text: format!(
                    "新增内容{j}:建立季度调度机制,定期通报进展情况,及时协调解决突出问题。"
                ),
            },
        };
        new.push(RevClause {
            id: format!("c{}", j + 1),
            ..c
        });
    }
    (new, edits)
}

fn check(old: &[RevClause], new: &[RevClause], edits: &Edits) {
    assert!(size(old) >= MEGABYTE && size(new) >= MEGABYTE);
    assert!(old.len() >= 7_000, "{} clauses", old.len());
    let al = align(old, new);
    let kind_of = |i: usize| al.row_of_old(i).map(|r| r.kind);
    let mut touched = vec![false; old.len()];
    for &i in &edits.reworded {
        touched[i] = true;
        assert_eq!(kind_of(i), Some(Kind::Modified), "reworded {i}");
    }
    for &i in &edits.deleted {
        touched[i] = true;
        assert_eq!(kind_of(i), Some(Kind::Deleted), "deleted {i}");
    }
    for &i in &edits.moved {
        touched[i] = true;
        assert_eq!(kind_of(i), Some(Kind::Moved), "moved {i}");
    }
    let mut index = std::collections::HashMap::new();
    for (k, r) in al.rows.iter().enumerate() {
        for &i in &r.before {
            index.insert(i, k);
        }
    }
    for (i, t) in touched.iter().enumerate() {
        if !t {
            let kind = index.get(&i).map(|&k| al.rows[k].kind);
            assert_eq!(kind, Some(Kind::Unchanged), "untouched {i}");
        }
    }
    assert_eq!(al.count(Kind::Added), edits.inserted);
    assert_eq!(al.count(Kind::Deleted), edits.deleted.len());
    eprintln!(
        "align bench: {} → {} clauses, {} bytes; {} reworded, {} deleted, {} inserted, {} moved",
        old.len(),
        new.len(),
        size(old),
        edits.reworded.len(),
        edits.deleted.len(),
        edits.inserted,
        edits.moved.len()
    );
}

fn bench(c: &mut Criterion) {
    let old = old_version();
    let (new, edits) = new_version(&old);
    check(&old, &new, &edits);
    let mut g = c.benchmark_group("align");
    g.throughput(Throughput::Bytes(size(&old) as u64));
    g.sample_size(10);
    g.bench_function("1MB revision", |b| {
        b.iter(|| align(black_box(&old), black_box(&new)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
