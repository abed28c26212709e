//! Composing a comment's receipt email, text and HTML. The intake writes the email's row
//! addressed but without a body; the mail sender composes it from the submission when it sends
//! it (`src/mail/worker.rs`), once per comment that leaves an address.
//!
//! `cargo bench --bench mail`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use yijian::i18n::Locale;
use yijian::mail::compose::{self, Receipt};

fn bench(c: &mut Criterion) {
    // A typical public comment (about 300 characters) and a long one (about 3,000).
    let short = "建议在第三条中明确算力券的申领条件和发放范围，并对中小企业给予倾斜。".repeat(9);
    let long = short.repeat(10);
    let mut g = c.benchmark_group("mail");
    for (name, comment) in [
        ("receipt, 300 chars", &short),
        ("receipt, 3000 chars", &long),
    ] {
        let r = Receipt {
            tracking_code: "YJ-7K3F-92QD".into(),
            consultation_title: "关于《武汉建设国家人工智能创新应用先导区实施方案》公开征求意见"
                .into(),
            comment: comment.clone(),
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                compose::receipt(
                    black_box(Locale::ZhCn),
                    "wang.hua@example.org",
                    "https://yijian.example.gov.cn",
                    black_box(&r),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
