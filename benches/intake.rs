//! The intake writer's own cost: what one comment costs the single SQLite writer thread
//! (checking it against its consultation, writing its rows and the row of its receipt email,
//! addressed but without a body, which the mail sender composes when it sends it, and its share
//! of the batch's durable commit), measured apart from HTTP and the load generator.
//! The writer is what bounds durable submissions per second on SQLite (see `benches/load.sh`).
//!
//! The comments are made of the sentences of the seed drafts in `tests/fixtures/`, 20 to about
//! 2,000 characters long (log-uniform, median about 200), each on one clause (seven in ten), two or
//! three, drawn from the whole draft; the bench prints how varied they are before it measures.
//!
//! `cargo bench --bench intake`

mod common;

use std::time::{Duration, Instant};

use yijian::app::consultations::{self, CreateConsultation};
use yijian::app::intake::{self, Request};
use yijian::app::{Actor, drafts};
use yijian::db::{Database, DbTarget};
use yijian::domain::comment::CommentInput;
use yijian::i18n::Locale;

use common::Rng;

/// Comments committed together, about what the writer gathers under load.
const BATCH: usize = 500;
/// Batches per run: about what `benches/load.sh` writes in ten seconds.
const BATCHES: usize = 120;
/// Runs, each on a fresh database; the median is reported.
const RUNS: usize = 5;

/// Clauses of the draft: 12 sections, 48 subsections, 240 items.
const CLAUSES: usize = 300;

/// A 300-clause draft: 12 sections × 4 subsections × 5 items (as `benches/load.sh` imports).
fn draft() -> String {
    let cn = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    let mut out = vec![
        "武汉市人工智能发展实施方案（征求意见稿）".to_string(),
        String::new(),
    ];
    for (i, n) in cn.iter().enumerate() {
        out.push(format!("{n}、第{}部分任务", i + 1));
        for (j, m) in cn.iter().take(4).enumerate() {
            out.push(format!(
                "({m})第{}项重点工作。推进人工智能与实体经济深度融合，形成一批示范应用。",
                j + 1
            ));
            for k in 1..=5 {
                out.push(format!(
                    "{k}.具体措施{k}。加强统筹协调，完善政策体系，落实工作责任。(牵头单位:市科技局;责任单位:市经济和信息化局)"
                ));
            }
        }
    }
    out.join("\n")
}

/// A comment to send: its text and the clauses it is on (indices into the draft's clauses).
struct Comment {
    body: String,
    clauses: Vec<usize>,
}

/// `n` comments in the seed drafts' words (see [`common::comment`]), each on one clause (seven
/// in ten), two or three.
fn comments(n: usize, clause_count: usize) -> Vec<Comment> {
    let pieces = common::fragments();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| {
            let body = common::comment(&mut rng, &pieces);
            let on = match rng.below(10) {
                0 => 3,
                1 | 2 => 2,
                _ => 1,
            };
            let clauses = (0..on).map(|_| rng.below(clause_count)).collect();
            Comment { body, clauses }
        })
        .collect()
}

/// Prints how varied the comments are, and stops the bench if they are not.
fn describe(comments: &[Comment], clause_count: usize) {
    let (n, distinct, lengths) = common::variety(comments.iter().map(|c| c.body.as_str()));
    let clauses: std::collections::HashSet<usize> = comments
        .iter()
        .flat_map(|c| c.clauses.iter().copied())
        .collect();
    let per_comment: Vec<usize> = comments.iter().map(|c| c.clauses.len()).collect();
    println!(
        "{n} comments, {distinct} distinct texts; length in characters: {lengths}; \
         on {} of the draft's {clause_count} clauses, per comment: {}",
        clauses.len(),
        common::quantiles(per_comment)
    );
    assert!(distinct * 10 >= n * 9, "too few distinct texts");
    assert!(
        clauses.len() * 10 >= clause_count * 9,
        "too few clauses commented on"
    );
}

/// Every clause of the tree, depth first.
fn flatten(clauses: &[drafts::TreeClause], out: &mut Vec<String>) {
    for c in clauses {
        out.push(c.id.clone());
        flatten(&c.children, out);
    }
}

/// CPU time this thread has used so far (user + system), from `/proc` on Linux.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel reports in clock ticks of 1/100 s on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// One run: a fresh database with the consultation, then `BATCHES` batches; returns the
/// writer's wall time and CPU time per comment in microseconds.
fn run(
    dir: &std::path::Path,
    comments: &[Comment],
) -> Result<(f64, Option<f64>), Box<dyn std::error::Error>> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let url = format!("sqlite://{}", dir.join("yijian.db").display());
    let db = Database::connect(&url, 2)?;
    db.migrate()?;
    let cli = Actor::cli();
    let (slug, clauses) = {
        let mut conn = db.get()?;
        let c = consultations::create(
            &mut conn,
            CreateConsultation {
                title: "负载测量".into(),
                draft_title: "实施方案(征求意见稿)".into(),
                description: String::new(),
                contact: String::new(),
                opens_at: "2020-01-01".into(),
                closes_at: "2099-01-01".into(),
                short_window_reason: None,
                slug: Some("load-test".into()),
                require_name: false,
            },
            chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?,
            &cli,
        )?;
        let tree = drafts::import(&mut conn, &c.id, None, draft().as_bytes(), &cli)?;
        consultations::open(&mut conn, &c.id, &cli)?;
        let mut clauses = Vec::new();
        flatten(&tree.clauses, &mut clauses);
        if clauses.len() != CLAUSES {
            return Err(format!("the draft has {} clauses", clauses.len()).into());
        }
        (c.slug, clauses)
    };
    let target = DbTarget::parse(&url)?;
    let mut writer = intake::open_writer(&target)?;
    let mut checkpointer = target.establish()?;
    let mut spent = Duration::ZERO;
    let mut cpu = Some(Duration::ZERO);
    let mut serial = 0u64;
    for _ in 0..BATCHES {
        let requests: Vec<Request> = (0..BATCH)
            .map(|_| {
                let comment = &comments[serial as usize % comments.len()];
                serial += 1;
                Request {
                    consultation: slug.clone(),
                    input: CommentInput {
                        clause_ids: comment
                            .clauses
                            .iter()
                            .map(|&i| clauses[i].clone())
                            .collect(),
                        body: comment.body.clone(),
                        email: std::env::var("NO_EMAIL")
                            .is_err()
                            .then(|| "load@example.org".into()),
                        idempotency_key: Some(format!("bench-{serial}")),
                        ..CommentInput::default()
                    },
                    locale: Locale::ZhCn,
                    base_url: "http://127.0.0.1:8080".into(),
                    actor: Actor::public(None),
                }
            })
            .collect();
        let (started, cpu_before) = (Instant::now(), thread_cpu());
        let results = intake::commit_batch(&mut writer, requests)?;
        spent += started.elapsed();
        cpu = match (cpu, cpu_before, thread_cpu()) {
            (Some(c), Some(a), Some(b)) => Some(c + (b - a)),
            _ => None,
        };
        if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
            return Err(format!("a comment was refused: {e}").into());
        }
        // The server checkpoints on a thread of its own; here, between batches.
        intake::checkpoint(&mut checkpointer)?;
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / (BATCHES * BATCH) as f64;
    Ok((per(spent), cpu.map(per)))
}

fn median(mut xs: Vec<f64>) -> (f64, String) {
    xs.sort_by(f64::total_cmp);
    let shown: Vec<String> = xs.iter().map(|x| format!("{x:.1}")).collect();
    (xs[xs.len() / 2], shown.join(", "))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("yijian-bench-intake-{}", std::process::id()));
    let comments = comments(BATCHES * BATCH, CLAUSES);
    describe(&comments, CLAUSES);
    let runs = (0..RUNS)
        .map(|_| run(&dir, &comments))
        .collect::<Result<Vec<_>, _>>()?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "intake writer, {RUNS} runs of {} comments in batches of {BATCH} (synchronous=FULL)",
        BATCHES * BATCH
    );
    let (wall, wall_runs) = median(runs.iter().map(|r| r.0).collect());
    println!("  wall time: median {wall:.1} µs per comment (runs: {wall_runs})");
    if let Some(cpu) = runs.iter().map(|r| r.1).collect::<Option<Vec<f64>>>() {
        let (cpu, cpu_runs) = median(cpu);
        println!("  CPU time:  median {cpu:.1} µs per comment (runs: {cpu_runs})");
    }
    Ok(())
}
