//! The consultation report at scale: 100k opinions from about 20k submitters.
//! Targets: build + DOCX < 2 s, build + HTML < 0.5 s on the 2-core machine.
//! The opinions are made of the sentences of the seed drafts in `tests/fixtures/`, 20 to about
//! 2,000 characters long (see `benches/common`); the bench prints how varied they are.
//! Prints the peak resident set size (VmHWM) after the run.
//!
//! `cargo bench --bench report`

use std::hint::black_box;
use std::time::Duration;

mod common;

use criterion::{BatchSize, Criterion};
use yijian::domain::report::{
    ChannelGroup, Edition, OpinionIn, ReportConfig, ReportInput, StatusBucket, StatusLabel,
    SubmitterIn, UnitIn, UnitKind, build,
};
use yijian::export::{docx, html};

use common::Rng;

const OPINIONS: usize = 100_000;
const PEOPLE: usize = 19_940;
const UNITS: usize = 60;

fn input() -> ReportInput {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pieces = common::fragments();
    let statuses = [
        StatusLabel::new("adopted", "已采纳", StatusBucket::Adopted),
        StatusLabel::new(
            "partially_adopted",
            "部分采纳",
            StatusBucket::PartiallyAdopted,
        ),
        StatusLabel::new("not_adopted", "未采纳", StatusBucket::NotAdopted),
        StatusLabel::new("already_reflected", "已有体现", StatusBucket::Adopted),
    ];
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    let given = [
        "华", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "明月",
    ];
    let submitters: Vec<SubmitterIn> = (0..PEOPLE + UNITS)
        .map(|i| {
            if i < PEOPLE {
                let person = format!(
                    "{}{}",
                    surnames[rng.below(surnames.len())],
                    given[rng.below(given.len())]
                );
                let organization = (i % 3 == 0).then(|| format!("武汉某某大学第{}研究所", i % 97));
                SubmitterIn {
                    key: format!("s{i}"),
                    display_name: format!("{}{person}", organization.as_deref().unwrap_or("")),
                    person_name: Some(person),
                    organization,
                    is_unit: false,
                    consented_to_publish_name: i % 10 == 0,
                    first_received_seq: i as i64 * 5,
                    manual_order: None,
                }
            } else {
                let name = format!("市第{}局", i - PEOPLE + 1);
                SubmitterIn {
                    key: format!("u{i}"),
                    display_name: name.clone(),
                    person_name: None,
                    organization: Some(name),
                    is_unit: true,
                    consented_to_publish_name: false,
                    first_received_seq: i as i64 * 5,
                    manual_order: None,
                }
            }
        })
        .collect();
    let opinions = (0..OPINIONS)
        .map(|i| {
            // Every submitter has at least one opinion; the rest are spread at random.
            let who = if i < submitters.len() {
                i
            } else {
                rng.below(submitters.len())
            };
            let submitter = submitters[who].clone();
            let status = statuses[rng.below(statuses.len())].clone();
            let rationale = (status.code != "adopted" || rng.below(2) == 0)
                .then(|| "已对相关内容进行调整，并与相关部门协商一致。".to_string());
            OpinionIn {
                channel_group: if submitter.is_unit {
                    ChannelGroup::Departments
                } else {
                    ChannelGroup::Public
                },
                submitter,
                text: common::comment(&mut rng, &pieces),
                clause_order: (rng.below(5) != 0).then(|| rng.below(300) as i64),
                received_seq: i as i64,
                status,
                rationale,
                count: if rng.below(50) == 0 {
                    2 + rng.below(30) as i64
                } else {
                    1
                },
                taken_up: None,
            }
        })
        .collect();
    let no_comment_units = (0..30)
        .map(|i| UnitIn {
            name: format!("无意见单位{i}"),
            kind: if i % 2 == 0 {
                UnitKind::Department
            } else {
                UnitKind::District
            },
            order: i,
        })
        .collect();
    ReportInput {
        draft_title: "武汉建设国家人工智能创新应用先导区实施方案(2023-2025年)(征求意见稿)".into(),
        opinions,
        no_comment_units,
        config: ReportConfig {
            summary: true,
            ..ReportConfig::default()
        },
        edition: Edition::Public,
    }
}

/// A memory figure of this process from /proc/self/status (`VmHWM` is the peak RSS).
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn benches(c: &mut Criterion) {
    let input = input();
    let (n, distinct, lengths) = common::variety(input.opinions.iter().map(|o| o.text.as_str()));
    println!("{n} opinions, {distinct} distinct texts; length in characters: {lengths}");
    assert!(distinct * 10 >= n * 9, "too few distinct texts");
    println!("input generated: RSS {}", memory("VmRSS:"));
    {
        let report = build(input.clone());
        let rows: usize = report.sections.iter().map(|s| s.rows.len()).sum();
        let docx_bytes = docx::render(&report).map(|b| b.len()).unwrap_or(0);
        let html_bytes = html::render(&report).map(|s| s.len()).unwrap_or(0);
        println!(
            "report: {rows} rows in {} sections; DOCX {:.1} MB, HTML {:.1} MB",
            report.sections.len(),
            docx_bytes as f64 / 1e6,
            html_bytes as f64 / 1e6
        );
    }
    println!(
        "peak RSS after one build+DOCX and one build+HTML (input kept): {}",
        memory("VmHWM:")
    );

    let mut group = c.benchmark_group("report_100k");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("build", |b| {
        b.iter_batched(
            || input.clone(),
            |i| black_box(build(i)),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("build+docx", |b| {
        b.iter_batched(
            || input.clone(),
            |i| black_box(docx::render(&build(i)).map(|bytes| bytes.len())),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("build+html", |b| {
        b.iter_batched(
            || input.clone(),
            |i| black_box(html::render(&build(i)).map(|s| s.len())),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    println!("peak RSS after the run (VmHWM): {}", memory("VmHWM:"));
}
