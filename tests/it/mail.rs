//! Email through a real SMTP server: Python's aiosmtpd (`tests/smtp_sink.py`), started by each
//! test on a free port; what it received is read back from its directory and parsed.
//!
//! CI installs aiosmtpd (`.ci/run`); where it is missing outside CI the SMTP tests say so and
//! pass, in CI they fail. The file transport needs no server.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::json;
use yijian::db::outbox::{self, OutboxMessage};
use yijian::db::schema::outbox_messages;
use yijian::domain::Role;
use yijian::i18n::Locale;
use yijian::mail::compose;
use yijian::mail::transport::Transport;
use yijian::mail::{Options, Worker};

use crate::support::{BIN, Browser, TestApp, TestDb, free_port};

const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
const FROM: &str = "意见征集 <noreply@yj.example.org>";

fn aiosmtpd_available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Whether the SMTP tests can run: outside CI a missing aiosmtpd skips them with a note; in CI
/// it fails them.
fn have_aiosmtpd() -> bool {
    if aiosmtpd_available() {
        return true;
    }
    crate::support::skip("needs Python's aiosmtpd (pip install aiosmtpd)");
    false
}

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    /// Without angle brackets, as the parser gives it.
    message_id: String,
    rcpt: Vec<String>,
    from: String,
    to: String,
    subject: String,
    language: String,
    auto_submitted: String,
    text: String,
    html: String,
}

fn parse(raw: &[u8], rcpt: Vec<String>) -> Received {
    let m = mail_parser::MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not a message: {}", String::from_utf8_lossy(raw)));
    Received {
        message_id: m.message_id().unwrap_or_default().to_string(),
        rcpt,
        from: m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        language: m
            .header_raw("Content-Language")
            .unwrap_or_default()
            .trim()
            .to_string(),
        auto_submitted: m
            .header_raw("Auto-Submitted")
            .unwrap_or_default()
            .trim()
            .to_string(),
        text: m.body_text(0).map(|s| s.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|s| s.into_owned()).unwrap_or_default(),
    }
}

/// aiosmtpd on a port of its own, storing what it accepts in a directory.
struct Sink {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    args: Vec<String>,
}

impl Sink {
    fn start(args: &[&str]) -> Sink {
        let mut s = Sink {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        s.up();
        s
    }

    fn up(&mut self) {
        assert!(self.child.is_none());
        let mut child = Command::new("python3")
            .arg(SINK)
            .args(["--port", &self.port.to_string()])
            .arg("--dir")
            .arg(self.dir.path())
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the SMTP sink starts");
        assert_eq!(line.trim(), "ready", "the SMTP sink starts");
        self.child = Some(child);
    }

    /// The server goes away (an outage).
    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn messages(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let rcpt = std::fs::read_to_string(p.with_extension("rcpt"))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect();
                parse(&std::fs::read(p).unwrap(), rcpt)
            })
            .collect()
    }

    fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n || start.elapsed() > within {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.down();
    }
}

/// Quick retries, so a test sees the whole schedule in milliseconds.
fn fast() -> Options {
    Options {
        poll: Duration::from_millis(50),
        lease: Duration::from_secs(4),
        batch: 20,
        max_attempts: 3,
        retry_base: Duration::from_millis(2),
        retry_max: Duration::from_millis(20),
        senders: 1,
        ..Options::default()
    }
}

fn smtp_worker(app: &TestApp, url: &str, options: Options) -> Worker {
    let options = Options {
        base_url: app.config.base_url.clone(),
        ..options
    };
    Worker::new(
        app.db.clone(),
        Transport::smtp(url, Duration::from_secs(5)).unwrap(),
        FROM.parse().unwrap(),
        options,
    )
}

/// A worker that writes `.eml` files into `dir`.
fn file_worker(db: &yijian::db::Database, dir: &Path, options: Options) -> Worker {
    Worker::new(
        db.clone(),
        Transport::file(dir),
        FROM.parse().unwrap(),
        options,
    )
}

/// An open consultation: (id, staff token).
async fn open_consultation(app: &TestApp) -> (String, String) {
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let c = app.consultation(&staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    (id, staff)
}

/// A public comment through the API; returns its tracking code.
async fn comment(app: &TestApp, id: &str, lang: &str, email: Option<&str>, body: &str) -> String {
    let mut b = json!({"body": body});
    if let Some(e) = email {
        b["email"] = json!(e);
    }
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!(
                    "/api/v1/consultations/{id}/submissions?lang={lang}"
                ))
                .set_json(b),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["tracking_code"].as_str().unwrap().to_string()
}

fn rows(app: &TestApp) -> Vec<OutboxMessage> {
    outbox_messages::table
        .select(OutboxMessage::as_select())
        .order(outbox_messages::created_at.asc())
        .load(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_comment_with_an_address_gets_exactly_one_receipt_over_smtp() {
    if !have_aiosmtpd() {
        return;
    }
    for app in TestApp::all().await {
        let sink = Sink::start(&[]);
        let (id, _) = open_consultation(&app).await;
        let code = comment(
            &app,
            &id,
            "en",
            Some("Wang.Hua@Example.org"),
            "Widen the <b>voucher</b> scheme.",
        )
        .await;
        let _silent = comment(&app, &id, "zh-CN", None, "没有留下地址的意见。").await;
        assert_eq!(rows(&app).len(), 1, "no address, no email");

        let w = smtp_worker(&app, &sink.url(), fast());
        let pass = w.run_until_idle(10).unwrap();
        assert_eq!(
            (pass.sent, pass.retried, pass.failed),
            (1, 0, 0),
            "{pass:?}"
        );
        let got = sink.messages();
        assert_eq!(got.len(), 1, "exactly one message: {got:?}");
        let m = &got[0];
        let row = &rows(&app)[0];
        assert_eq!(row.state, "sent");
        assert!(row.sent_at.is_some());
        assert_eq!(row.attempts, 1);
        assert_eq!(row.related_type.as_deref(), Some("submission"));
        assert_eq!(
            format!("<{}>", m.message_id),
            row.message_id,
            "the row's Message-ID"
        );
        assert_eq!(m.rcpt, vec!["wang.hua@example.org".to_string()]);
        assert_eq!(m.to, "wang.hua@example.org");
        assert_eq!(m.from, "noreply@yj.example.org");
        assert_eq!(
            m.subject,
            format!("Receipt for your comment {code}"),
            "in English"
        );
        assert_eq!(m.language, "en");
        assert_eq!(m.auto_submitted, "auto-generated");
        let link = format!("{}/track/{code}", app.config.base_url);
        assert!(m.text.contains(&link), "{}", m.text);
        assert!(m.text.contains("Tracking code"), "{}", m.text);
        assert!(m.text.contains("Widen the <b>voucher</b> scheme."));
        assert!(m.html.contains(&format!("href=\"{link}\"")), "{}", m.html);
        assert!(
            !m.html.contains("<b>voucher"),
            "the comment is escaped in HTML"
        );

        // Nothing more goes out on later passes.
        let again = w.run_until_idle(3).unwrap();
        assert_eq!(again.claimed, 0);
        assert_eq!(sink.messages().len(), 1);

        // A Chinese comment gets a Chinese receipt.
        let code = comment(&app, &id, "zh-CN", Some("li@example.org"), "建议扩大范围。").await;
        w.run_until_idle(10).unwrap();
        let zh = sink
            .messages()
            .into_iter()
            .find(|m| m.to == "li@example.org")
            .expect("the Chinese receipt");
        assert_eq!(zh.subject, format!("意见回执 {code}"));
        assert_eq!(zh.language, "zh-CN");
        assert!(zh.text.contains("回执编号"), "{}", zh.text);
    }
}

#[actix_web::test]
async fn an_smtp_outage_fails_no_comment_and_loses_no_email() {
    if !have_aiosmtpd() {
        return;
    }
    for app in TestApp::all().await {
        let mut sink = Sink::start(&[]);
        sink.down();
        let (id, _) = open_consultation(&app).await;
        let patient = Options {
            max_attempts: 50,
            retry_base: Duration::from_millis(5),
            retry_max: Duration::from_millis(50),
            ..fast()
        };
        let w = smtp_worker(&app, &sink.url(), patient);
        let mut codes = Vec::new();
        for i in 0..6 {
            // Comments are taken while the worker keeps failing to reach the server.
            codes.push(
                comment(
                    &app,
                    &id,
                    "zh-CN",
                    Some(&format!("p{i}@example.org")),
                    "意见",
                )
                .await,
            );
            let p = w.run_once().unwrap();
            assert_eq!(p.sent, 0);
        }
        let waiting = rows(&app);
        assert_eq!(waiting.len(), 6);
        assert!(waiting.iter().all(|r| r.state == "queued"), "{waiting:?}");
        assert!(
            waiting
                .iter()
                .any(|r| r.attempts >= 1 && r.last_error.is_some())
        );

        sink.up();
        let start = Instant::now();
        while rows(&app).iter().any(|r| r.state != "sent")
            && start.elapsed() < Duration::from_secs(20)
        {
            w.run_once().unwrap();
            std::thread::sleep(Duration::from_millis(10));
        }
        let got = sink.messages();
        assert_eq!(got.len(), 6, "each delivered once: {got:?}");
        for (i, code) in codes.iter().enumerate() {
            let to = format!("p{i}@example.org");
            let m: Vec<_> = got.iter().filter(|m| m.to == to).collect();
            assert_eq!(m.len(), 1, "{to}");
            assert!(m[0].subject.contains(code.as_str()));
        }
        assert!(
            rows(&app)
                .iter()
                .all(|r| r.state == "sent" && r.last_error.is_none())
        );
    }
}

#[actix_web::test]
async fn a_refused_address_ends_failed_and_an_admin_sends_it_again() {
    if !have_aiosmtpd() {
        return;
    }
    for app in TestApp::all().await {
        let sink = Sink::start(&[]);
        let (id, _) = open_consultation(&app).await;
        comment(&app, &id, "zh-CN", Some("reject.me@example.org"), "意见").await;
        comment(&app, &id, "zh-CN", Some("fine@example.org"), "意见").await;
        let w = smtp_worker(&app, &sink.url(), fast());
        let start = Instant::now();
        while rows(&app).iter().any(|r| r.state == "queued")
            && start.elapsed() < Duration::from_secs(20)
        {
            w.run_once().unwrap();
            std::thread::sleep(Duration::from_millis(10));
        }
        let all = rows(&app);
        let bad = all
            .iter()
            .find(|r| r.to_address == "reject.me@example.org")
            .unwrap();
        assert_eq!(bad.state, "failed");
        assert_eq!(bad.attempts, 3, "the retry limit");
        let err = bad.last_error.as_deref().unwrap_or_default();
        assert!(err.contains("550"), "{err}");
        assert!(
            !err.contains("reject.me@"),
            "no full address in the stored error: {err}"
        );
        assert!(
            all.iter()
                .any(|r| r.to_address == "fine@example.org" && r.state == "sent")
        );
        assert_eq!(sink.messages().len(), 1);

        // The admin page shows it, masked, with a resend button.
        app.user_with_token("admin@example.org", Role::Admin, None);
        let b = app.browser();
        assert_eq!(
            b.login("admin@example.org", "correct horse battery")
                .await
                .status,
            303
        );
        let page = b.get("/admin/outbox?state=failed").await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("r***@example.org"), "{html}");
        assert!(!html.contains("reject.me@example.org"));
        assert!(
            !html.contains("f***@example.org"),
            "the filter keeps sent mail out"
        );
        assert!(html.contains("失败"));
        assert!(html.contains(&format!("/admin/outbox/{}/resend", bad.id)));
        let csrf = Browser::csrf(&page);

        // Without the CSRF token nothing happens.
        let r = b
            .post_form(
                &format!("/admin/outbox/{}/resend", bad.id),
                &[("back", "state=failed")],
            )
            .await;
        assert_eq!(r.status, 400);
        let r = b
            .post_form(
                &format!("/admin/outbox/{}/resend", bad.id),
                &[("csrf_token", &csrf), ("back", "state=failed")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(
            r.header("location"),
            Some("/admin/outbox?state=failed&done=resent")
        );
        let after = outbox::find(&mut app.conn(), &bad.id).unwrap().unwrap();
        assert_eq!((after.state.as_str(), after.attempts), ("queued", 0));
        assert_eq!(after.message_id, bad.message_id, "the same Message-ID");
        let shown = b.get("/admin/outbox?done=resent").await.text();
        assert!(shown.contains("已重新排队"));

        // The JSON twin: the list, and a second resend of a queued message is a conflict.
        let admin = yijian::app::users::create_token(
            &mut app.conn(),
            "admin@example.org",
            "api",
            &yijian::app::Actor::cli(),
        )
        .unwrap();
        let r = app.get_as("/api/v1/outbox?state=queued", &admin).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let list = r.json();
        assert_eq!(list["messages"].as_array().unwrap().len(), 1);
        assert_eq!(list["messages"][0]["to"], "r***@example.org");
        assert_eq!(list["counts"]["sent"], 1);
        assert!(
            list["messages"][0]["created_at"]
                .as_str()
                .unwrap()
                .ends_with("+08:00"),
            "times in the office's zone: {list}"
        );
        let r = app
            .post_json(
                &format!("/api/v1/outbox/{}/resend", bad.id),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 409);
        let r = app.get_as("/api/v1/outbox?state=lost", &admin).await;
        assert_eq!(r.status, 422);
        assert!(r.json()["fields"]["state"].is_string());
        let r = app
            .post_json("/api/v1/outbox/no-such-id/resend", Some(&admin), json!({}))
            .await;
        assert_eq!(r.status, 404);

        // Failed again, resent through the API.
        let start = Instant::now();
        while outbox::find(&mut app.conn(), &bad.id)
            .unwrap()
            .unwrap()
            .state
            == "queued"
            && start.elapsed() < Duration::from_secs(20)
        {
            w.run_once().unwrap();
            std::thread::sleep(Duration::from_millis(10));
        }
        let r = app
            .post_json(
                &format!("/api/v1/outbox/{}/resend", bad.id),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["state"], "queued");
        let audit =
            yijian::db::audit::for_entity(&mut app.conn(), "outbox_message", &bad.id).unwrap();
        assert_eq!(audit.len(), 2, "each resend is in the audit log");
    }
}

#[actix_web::test]
async fn credentials_are_presented_to_the_server() {
    if !have_aiosmtpd() {
        return;
    }
    let app = TestApp::new(TestDb::sqlite()).await;
    let sink = Sink::start(&["--auth", "yijian:s3cr et"]);
    let (id, _) = open_consultation(&app).await;
    comment(&app, &id, "zh-CN", Some("a@example.org"), "意见").await;
    let wrong = smtp_worker(
        &app,
        &format!("smtp://yijian:wrong@127.0.0.1:{}", sink.port),
        fast(),
    );
    let p = wrong.run_once().unwrap();
    assert_eq!((p.sent, p.retried), (0, 1));
    assert!(sink.messages().is_empty());
    std::thread::sleep(Duration::from_millis(30));
    let right = smtp_worker(
        &app,
        &format!("smtp://yijian:s3cr%20et@127.0.0.1:{}?tls=none", sink.port),
        fast(),
    );
    let p = right.run_until_idle(5).unwrap();
    assert_eq!(p.sent, 1, "{p:?}");
    assert_eq!(sink.messages().len(), 1);
}

#[actix_web::test]
async fn two_workers_never_send_one_message_twice() {
    if !have_aiosmtpd() {
        return;
    }
    for test_db in TestDb::all() {
        let app = TestApp::new(test_db).await;
        let sink = Sink::start(&["--delay", "0.01"]);
        {
            let mut conn = app.conn();
            for i in 0..60 {
                let m = compose::receipt(
                    Locale::ZhCn,
                    &format!("n{i}@example.org"),
                    "https://yj.example.org",
                    &compose::Receipt {
                        tracking_code: format!("YJ-TEST-{i:04}"),
                        consultation_title: "实施方案".into(),
                        comment: "意见".into(),
                    },
                )
                .unwrap();
                outbox::insert(&mut conn, &m).unwrap();
            }
        }
        let small = Options { batch: 5, ..fast() };
        let workers: Vec<Worker> = (0..3)
            .map(|_| smtp_worker(&app, &sink.url(), small.clone()))
            .collect();
        let sent: usize = std::thread::scope(|s| {
            let handles: Vec<_> = workers
                .iter()
                .map(|w| s.spawn(move || w.run_until_idle(100).unwrap().sent))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(sent, 60, "{:?}", app.backend);
        let got = sink.messages();
        assert_eq!(got.len(), 60);
        let mut ids: Vec<_> = got.iter().map(|m| m.message_id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 60, "no message twice");
        assert!(
            rows(&app)
                .iter()
                .all(|r| r.state == "sent" && r.attempts == 1)
        );
    }
}

fn serve(db_url: &str, data_dir: &Path, smtp_url: &str) -> Child {
    Command::new(BIN)
        .arg("serve")
        .env("YIJIAN_DATABASE_URL", db_url)
        .env("YIJIAN_DATA_DIR", data_dir)
        .env("YIJIAN_BIND", format!("127.0.0.1:{}", free_port()))
        .env("YIJIAN_SMTP_URL", smtp_url)
        .env("YIJIAN_MAIL_POLL_SECS", "1")
        .env("YIJIAN_MAIL_LEASE_SECS", "4")
        .env("YIJIAN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("yijian serve starts")
}

#[test]
fn a_node_killed_between_claiming_and_marking_sent_loses_nothing() {
    if !have_aiosmtpd() {
        return;
    }
    for test_db in TestDb::all() {
        let db = test_db.connect();
        db.migrate().unwrap();
        let total = 12;
        {
            let mut conn = db.get().unwrap();
            for i in 0..total {
                let m = compose::receipt(
                    Locale::En,
                    &format!("k{i}@example.org"),
                    "https://yj.example.org",
                    &compose::Receipt {
                        tracking_code: format!("YJ-KILL-{i:04}"),
                        consultation_title: "Plan".into(),
                        comment: "A comment".into(),
                    },
                )
                .unwrap();
                outbox::insert(&mut conn, &m).unwrap();
            }
        }
        // A slow server, so the node is killed with most of its batch claimed and unsent.
        let sink = Sink::start(&["--delay", "0.3"]);
        let data = tempfile::tempdir().unwrap();
        let mut node = serve(&test_db.url, data.path(), &sink.url());
        let first = sink.wait_for(3, Duration::from_secs(30));
        assert!(first.len() >= 3, "the node sends: {}", first.len());
        node.kill().unwrap(); // SIGKILL: no clean-up of any kind
        node.wait().unwrap();

        let load = || -> Vec<OutboxMessage> {
            outbox_messages::table
                .select(OutboxMessage::as_select())
                .load(&mut *db.get().unwrap())
                .unwrap()
        };
        let after_kill = load();
        let stranded = after_kill
            .iter()
            .filter(|r| r.state == "queued" && r.claimed_by.is_some())
            .count();
        assert!(
            stranded > 0,
            "the kill left claimed, unsent rows ({:?})",
            test_db.backend
        );

        // Another node (or the same one restarted) sends them once the lease is over.
        let mut node = serve(&test_db.url, data.path(), &sink.url());
        let start = Instant::now();
        while load().iter().any(|r| r.state != "sent") && start.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        // A graceful stop: SIGTERM, and the node exits cleanly.
        let term = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", node.id())])
            .status()
            .unwrap();
        assert!(term.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = node.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(40),
                "the node stops on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "{status:?}");

        let rows = load();
        assert!(rows.iter().all(|r| r.state == "sent"), "{rows:?}");
        let got = sink.messages();
        let mut by_id = std::collections::HashMap::<String, usize>::new();
        for m in &got {
            *by_id.entry(format!("<{}>", m.message_id)).or_default() += 1;
        }
        for r in &rows {
            assert!(
                by_id.contains_key(&r.message_id),
                "{} was lost",
                r.message_id
            );
        }
        let copies = got.len() - by_id.len();
        assert!(
            copies <= 4,
            "at most the messages in flight at the kill (one per sender) go out twice, with their Message-IDs: {copies}"
        );
        assert_eq!(by_id.len(), total);
    }
}

#[actix_web::test]
async fn without_smtp_messages_become_eml_files_that_parse_back() {
    let app = TestApp::new(TestDb::sqlite()).await;
    let (id, _) = open_consultation(&app).await;
    let code = comment(
        &app,
        &id,
        "zh-CN",
        Some("wang@example.org"),
        "建议增加算力券。",
    )
    .await;
    assert_eq!(app.config.smtp_url, None, "the default has no SMTP server");
    let w = Worker::from_config(app.db.clone(), &app.config).unwrap();
    let dir = app.config.data_dir.join("outbox");
    assert!(matches!(w.transport(), Transport::File { dir: d } if *d == dir));
    let p = w.run_until_idle(5).unwrap();
    assert_eq!(p.sent, 1);
    let row = &rows(&app)[0];
    assert_eq!(row.state, "sent");
    let path = dir.join(format!("{}.eml", row.id));
    let raw = std::fs::read(&path).unwrap();
    let m = parse(&raw, vec![]);
    assert_eq!(format!("<{}>", m.message_id), row.message_id);
    assert_eq!(m.to, "wang@example.org");
    assert_eq!(m.from, format!("noreply@{}", "127.0.0.1"));
    assert_eq!(m.subject, format!("意见回执 {code}"));
    let link = format!("{}/track/{code}", app.config.base_url);
    assert!(m.text.contains(&link));
    assert!(m.text.contains("建议增加算力券。"));
    assert!(m.html.contains(&format!("href=\"{link}\"")));
    // Only the message itself is in the directory: no temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![format!("{}.eml", row.id)]);
}

fn queue_one(conn: &mut yijian::db::DbConnection, to: &str) -> String {
    let m = compose::receipt(
        Locale::ZhCn,
        to,
        "https://yj.example.org",
        &compose::Receipt {
            tracking_code: "YJ-LEAS-E000".into(),
            consultation_title: "实施方案".into(),
            comment: "意见".into(),
        },
    )
    .unwrap();
    outbox::insert(conn, &m).unwrap();
    m.id
}

/// A receipt is written without its body and composed when sent, from its submission; one
/// whose submission cannot be found fails at once, with the reason, instead of going out empty.
#[test]
fn a_receipt_without_its_submission_fails_plainly() {
    for test_db in TestDb::all() {
        let db = test_db.connect();
        db.migrate().unwrap();
        let mut conn = db.get().unwrap();
        let m = compose::receipt_pending(
            Locale::ZhCn,
            "c@example.org",
            "https://yj.example.org",
            "YJ-GONE-0000",
        )
        .related("submission", "0190e1d2-0000-7000-8000-000000000000");
        assert!(compose::is_pending(&m.body_text));
        assert!(m.body_html.is_none());
        assert!(m.subject.contains("YJ-GONE-0000"), "{}", m.subject);
        outbox::insert(&mut conn, &m).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let w = file_worker(&db, dir.path(), fast());
        let p = w.run_until_idle(5).unwrap();
        assert_eq!((p.sent, p.failed), (0, 1), "{:?}", test_db.backend);
        let row = outbox_messages::table
            .filter(outbox_messages::id.eq(&m.id))
            .select(OutboxMessage::as_select())
            .first(&mut conn)
            .unwrap();
        assert_eq!(row.state, "failed");
        assert!(
            row.last_error
                .as_deref()
                .unwrap_or("")
                .contains("no submission"),
            "{:?}",
            row.last_error
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "nothing written"
        );
    }
}

#[test]
fn claims_are_leases_that_run_out() {
    for test_db in TestDb::all() {
        let db = test_db.connect();
        db.migrate().unwrap();
        let mut conn = db.get().unwrap();
        let id = queue_one(&mut conn, "a@example.org");
        let now = yijian::db::now();
        let lease = chrono::Duration::seconds(10);
        let a = outbox::claim_due(&mut conn, "node-a", now, now + lease, 10, 8).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].attempts, a[0].claimed_by.as_deref()),
            (1, Some("node-a"))
        );
        let b = outbox::claim_due(&mut conn, "node-b", now, now + lease, 10, 8).unwrap();
        assert!(
            b.is_empty(),
            "a live claim is not taken: {:?}",
            test_db.backend
        );
        // node-a dies; when its lease is over, node-b takes the row, same Message-ID.
        let later = now + lease + chrono::Duration::seconds(1);
        let b = outbox::claim_due(&mut conn, "node-b", later, later + lease, 10, 8).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].attempts, b[0].claimed_by.as_deref()),
            (2, Some("node-b"))
        );
        assert_eq!(b[0].message_id, a[0].message_id);
        // The dead node's late report changes nothing; the holder's does.
        assert!(!outbox::reschedule(&mut conn, &id, "node-a", later, "x").unwrap());
        assert!(!outbox::mark_failed(&mut conn, &id, "node-a", "x", None).unwrap());
        assert_eq!(
            outbox::release(&mut conn, std::slice::from_ref(&id), "node-b").unwrap(),
            1
        );
        let r = outbox::find(&mut conn, &id).unwrap().unwrap();
        assert_eq!(
            (r.attempts, r.claimed_by),
            (1, None),
            "a release takes the attempt back"
        );
        let c = outbox::claim_due(&mut conn, "node-c", now, now + lease, 10, 8).unwrap();
        assert_eq!(c.len(), 1, "released rows are due at once");
    }
}

#[test]
fn a_message_whose_every_attempt_was_interrupted_ends_failed() {
    for test_db in TestDb::all() {
        let db = test_db.connect();
        db.migrate().unwrap();
        let id = queue_one(&mut db.get().unwrap(), "b@example.org");
        let options = Options {
            max_attempts: 2,
            ..fast()
        };
        let dir = tempfile::tempdir().unwrap();
        let w = file_worker(&db, dir.path(), options);
        // Two workers claimed it and died (leases already over).
        for _ in 0..2 {
            let now = yijian::db::now();
            let got = outbox::claim_due(
                &mut db.get().unwrap(),
                "dead",
                now,
                now + chrono::Duration::milliseconds(1),
                10,
                2,
            )
            .unwrap();
            assert_eq!(got.len(), 1);
            std::thread::sleep(Duration::from_millis(5));
        }
        let now = yijian::db::now();
        let again = outbox::claim_due(
            &mut db.get().unwrap(),
            "other",
            now,
            now + chrono::Duration::seconds(10),
            10,
            2,
        )
        .unwrap();
        assert!(again.is_empty(), "not tried a third time");
        let p = w.run_once().unwrap();
        assert_eq!((p.failed, p.sent), (1, 0), "{p:?}");
        let r = outbox::find(&mut db.get().unwrap(), &id).unwrap().unwrap();
        assert_eq!(r.state, "failed");
        assert!(r.last_error.unwrap().contains("abandoned"));
        assert!(
            std::fs::read_dir(dir.path())
                .map(|d| d.count())
                .unwrap_or(0)
                == 0
        );
    }
}

#[actix_web::test]
async fn a_node_sends_with_several_senders_and_stops_when_told() {
    if !have_aiosmtpd() {
        return;
    }
    for test_db in TestDb::all() {
        let app = TestApp::new(test_db).await;
        let sink = Sink::start(&["--delay", "0.02"]);
        for i in 0..30 {
            queue_one(&mut app.conn(), &format!("s{i}@example.org"));
        }
        let options = Options {
            senders: 3,
            batch: 2,
            ..fast()
        };
        let handle = smtp_worker(&app, &sink.url(), options).spawn().unwrap();
        let got = sink.wait_for(30, Duration::from_secs(30));
        let start = Instant::now();
        while rows(&app).iter().any(|r| r.state != "sent")
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let stopped = Instant::now();
        handle.stop();
        assert!(stopped.elapsed() < Duration::from_secs(5), "stops promptly");
        assert_eq!(got.len(), 30, "{:?}", app.backend);
        let mut ids: Vec<_> = got.iter().map(|m| m.message_id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 30, "no message twice");
        assert!(rows(&app).iter().all(|r| r.state == "sent"));
    }
}

/// An internal certificate authority and a server certificate it signed for 127.0.0.1:
/// (directory, ca.pem, cert.pem, key.pem).
fn internal_ca() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(
        p("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=yijian test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "leaf.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
            "-out",
            "cert.pem",
        ],
    ];
    for args in steps {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs")
            .success();
        assert!(ok, "openssl {args:?}");
    }
    let (ca, cert, key) = (p("ca.pem"), p("cert.pem"), p("key.pem"));
    (dir, ca, cert, key)
}

#[actix_web::test]
async fn starttls_and_implicit_tls_with_a_trusted_certificate() {
    if !have_aiosmtpd() {
        return;
    }
    let have_openssl = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_openssl {
        crate::support::skip("needs the openssl command to make test certificates");
        return;
    }
    let app = TestApp::new(TestDb::sqlite()).await;
    let (_certs, ca_pem, cert, key) = internal_ca();
    let (cert_s, key_s) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let starttls = Sink::start(&["--tls", "starttls", "--cert", cert_s, "--key", key_s]);
    let implicit = Sink::start(&["--tls", "implicit", "--cert", cert_s, "--key", key_s]);
    let (id, _) = open_consultation(&app).await;
    let ca = url::form_urlencoded::byte_serialize(ca_pem.to_str().unwrap().as_bytes())
        .collect::<String>();
    let cases = [
        // Plain text to a server that insists on STARTTLS: refused, so nothing was sent in clear.
        (format!("smtp://127.0.0.1:{}", starttls.port), false),
        // STARTTLS to a certificate no trusted authority signed: refused.
        (
            format!("smtp://127.0.0.1:{}?tls=starttls", starttls.port),
            false,
        ),
        (
            format!("smtp://127.0.0.1:{}?tls=starttls&ca={ca}", starttls.port),
            true,
        ),
        (format!("smtps://127.0.0.1:{}", implicit.port), false),
        (format!("smtps://127.0.0.1:{}?ca={ca}", implicit.port), true),
    ];
    for (url, delivers) in cases {
        diesel::delete(outbox_messages::table)
            .execute(&mut *app.conn())
            .unwrap();
        comment(&app, &id, "zh-CN", Some("tls@example.org"), "意见").await;
        let p = smtp_worker(&app, &url, fast()).run_once().unwrap();
        assert_eq!(p.sent == 1, delivers, "{url}: {p:?} {:?}", rows(&app));
    }
    assert_eq!(starttls.messages().len(), 1);
    assert_eq!(implicit.messages().len(), 1);
}

/// The sender's second chance: receipts that failed through an outage longer than the retry
/// limit go out on their own once the server is back, each once, with two nodes of two
/// senders each looking; a refused address and a failure older than the window stay failed,
/// and `/healthz` counts what is failed.
#[actix_web::test]
async fn receipts_failed_in_an_outage_go_out_on_their_own_once_the_server_is_back() {
    if !have_aiosmtpd() {
        return;
    }
    for app in TestApp::all().await {
        let mut sink = Sink::start(&[]);
        let (id, _) = open_consultation(&app).await;
        let no_redrive = Options {
            redrive_for: Duration::ZERO,
            ..fast()
        };
        let w = smtp_worker(&app, &sink.url(), no_redrive);
        let settle = |w: &Worker| {
            let start = Instant::now();
            while rows(&app).iter().any(|r| r.state == "queued")
                && start.elapsed() < Duration::from_secs(20)
            {
                w.run_once().unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        // Refused by the server: failed, and not the sender's to try again.
        comment(&app, &id, "zh-CN", Some("reject.me@example.org"), "意见").await;
        settle(&w);
        sink.down();
        let mut codes = Vec::new();
        for i in 0..5 {
            let to = format!("p{i}@example.org");
            codes.push(comment(&app, &id, "zh-CN", Some(&to), "意见").await);
        }
        settle(&w);
        let failed = rows(&app);
        assert!(failed.iter().all(|r| r.state == "failed"), "{failed:?}");
        assert!(
            failed.iter().all(|r| r.attempts == 3),
            "past the retry limit"
        );
        let refused = failed
            .iter()
            .find(|r| r.to_address == "reject.me@example.org")
            .unwrap();
        assert_eq!(refused.failed_at, None, "a refusal is not tried again");
        assert!(
            failed
                .iter()
                .filter(|r| r.to_address != "reject.me@example.org")
                .all(|r| r.failed_at.is_some())
        );
        // One failed longer ago than the window: left for an administrator.
        let old = failed
            .iter()
            .find(|r| r.to_address == "p0@example.org")
            .unwrap();
        diesel::update(outbox_messages::table.filter(outbox_messages::id.eq(&old.id)))
            .set(outbox_messages::failed_at.eq(Some(yijian::db::now() - chrono::Duration::days(8))))
            .execute(&mut *app.conn())
            .unwrap();
        let health = app.get("/healthz").await.json();
        assert_eq!(health["mail"]["failed"], 6, "{health}");
        assert_eq!(health["status"], "ok");

        // The server is back; two nodes' senders find out and send the failed receipts.
        sink.up();
        let redrive = Options {
            redrive_every: Duration::from_millis(100),
            senders: 2,
            ..fast()
        };
        let a = smtp_worker(&app, &sink.url(), redrive.clone())
            .spawn()
            .unwrap();
        let b = smtp_worker(&app, &sink.url(), redrive).spawn().unwrap();
        let start = Instant::now();
        while rows(&app).iter().filter(|r| r.state == "sent").count() < 4
            && start.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        a.stop();
        b.stop();
        let got = sink.messages();
        assert_eq!(got.len(), 4, "each delivered once: {got:?}");
        for (i, code) in codes.iter().enumerate().skip(1) {
            let to = format!("p{i}@example.org");
            let m: Vec<_> = got.iter().filter(|m| m.to == to).collect();
            assert_eq!(m.len(), 1, "{to}");
            assert!(m[0].subject.contains(code.as_str()));
        }
        let after = rows(&app);
        let state_of = |to: &str| {
            after
                .iter()
                .find(|r| r.to_address == to)
                .map(|r| r.state.clone())
                .unwrap()
        };
        assert_eq!(state_of("reject.me@example.org"), "failed");
        assert_eq!(state_of("p0@example.org"), "failed", "outside the window");
        let health = app.get("/healthz").await.json();
        assert_eq!(health["mail"]["failed"], 2, "{health}");
        assert_eq!(health["mail"]["queued"], 0, "{health}");
    }
}

/// Failed messages of several kinds and times, written straight into the outbox.
fn failed_rows(conn: &mut yijian::db::DbConnection) -> Vec<(String, &'static str, i64)> {
    let now = yijian::db::now();
    let mut made = Vec::new();
    for (i, (kind, days_ago, state)) in [
        ("receipt", 1, "failed"),
        ("receipt", 3, "failed"),
        ("receipt", 10, "failed"),
        ("invitation", 3, "failed"),
        ("receipt", 2, "sent"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut m = compose::receipt(
            Locale::ZhCn,
            &format!("b{i}@example.org"),
            "https://yj.example.org",
            &compose::Receipt {
                tracking_code: format!("YJ-BULK-{i:04}"),
                consultation_title: "实施方案".into(),
                comment: "意见".into(),
            },
        )
        .unwrap();
        m.kind = kind.into();
        outbox::insert_at(conn, &m, now - chrono::Duration::days(days_ago)).unwrap();
        diesel::update(outbox_messages::table.filter(outbox_messages::id.eq(&m.id)))
            .set((
                outbox_messages::state.eq(state),
                outbox_messages::attempts.eq(8i64),
            ))
            .execute(conn)
            .unwrap();
        made.push((m.id, kind, days_ago));
    }
    made
}

fn state(app: &TestApp, id: &str) -> String {
    outbox::find(&mut app.conn(), id).unwrap().unwrap().state
}

#[actix_web::test]
async fn an_admin_sends_failed_mail_again_by_kind_and_time_through_the_api() {
    for app in TestApp::all().await {
        let made = failed_rows(&mut app.conn());
        let admin = app.user_with_token("admin@example.org", Role::Admin, None);
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        assert_eq!(app.get("/healthz").await.json()["mail"]["failed"], 4);

        // Administrators only.
        let r = app
            .post_json("/api/v1/outbox/resend", None, json!({}))
            .await;
        assert_eq!(r.status, 401);
        let r = app
            .post_json("/api/v1/outbox/resend", Some(&staff), json!({}))
            .await;
        assert_eq!(r.status, 403);
        // Bad input queues nothing.
        for (body, field) in [
            (json!({"kind": "letter"}), "kind"),
            (json!({"from": "last week"}), "from"),
            (json!({"to": "2026-13-01"}), "to"),
            (json!({"from": "2026-12-05", "to": "2026-12-01"}), "to"),
        ] {
            let r = app
                .post_json("/api/v1/outbox/resend", Some(&admin), body.clone())
                .await;
            assert_eq!(r.status, 422, "{body}: {}", r.text());
            assert!(
                r.json()["fields"][field].is_string(),
                "{body}: {}",
                r.text()
            );
        }
        assert_eq!(app.get("/healthz").await.json()["mail"]["failed"], 4);

        // Receipts written in the last five days (to: today, inclusive of the whole day).
        let tz = app.config.timezone;
        let day = |d: i64| {
            (yijian::db::now() + chrono::Duration::days(d))
                .and_utc()
                .with_timezone(&tz)
                .format("%Y-%m-%d")
                .to_string()
        };
        let r = app
            .post_json(
                "/api/v1/outbox/resend",
                Some(&admin),
                json!({"kind": "receipt", "from": day(-5), "to": day(0)}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json(), json!({"queued": 2}));
        let states: Vec<String> = made.iter().map(|(id, _, _)| state(&app, id)).collect();
        assert_eq!(states, ["queued", "queued", "failed", "failed", "sent"]);
        let requeued = outbox::find(&mut app.conn(), &made[0].0).unwrap().unwrap();
        assert_eq!(requeued.attempts, 0, "a fresh set of attempts");

        // By kind alone.
        let r = app
            .post_json(
                "/api/v1/outbox/resend",
                Some(&admin),
                json!({"kind": "invitation"}),
            )
            .await;
        assert_eq!(r.json(), json!({"queued": 1}));
        assert_eq!(state(&app, &made[3].0), "queued");
        // Nothing left of that kind.
        let r = app
            .post_json(
                "/api/v1/outbox/resend",
                Some(&admin),
                json!({"kind": "invitation"}),
            )
            .await;
        assert_eq!(r.json(), json!({"queued": 0}));
        // Everything failed: the old receipt; the sent one is left alone.
        let r = app
            .post_json("/api/v1/outbox/resend", Some(&admin), json!({}))
            .await;
        assert_eq!(r.json(), json!({"queued": 1}));
        assert_eq!(state(&app, &made[2].0), "queued");
        assert_eq!(state(&app, &made[4].0), "sent");
        assert_eq!(app.get("/healthz").await.json()["mail"]["failed"], 0);

        let audit = yijian::db::audit::for_entity(&mut app.conn(), "outbox", "failed").unwrap();
        assert_eq!(audit.len(), 4, "each bulk resend is in the audit log");
    }
}

#[actix_web::test]
async fn the_outbox_page_says_what_failed_and_sends_it_again_at_once() {
    for app in TestApp::all().await {
        let made = failed_rows(&mut app.conn());
        app.user_with_token("admin@example.org", Role::Admin, None);
        let b = app.browser();
        assert_eq!(
            b.login("admin@example.org", "correct horse battery")
                .await
                .status,
            303
        );
        let page = b.get("/admin/outbox").await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("有 4 封邮件发送失败"), "{html}");
        assert!(html.contains("action=\"/admin/outbox/resend\""), "{html}");
        let csrf = Browser::csrf(&page);

        // Without the CSRF token nothing happens.
        let r = b
            .post_form("/admin/outbox/resend", &[("kind", "invitation")])
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(state(&app, &made[3].0), "failed");
        // A date that is not one: back with the reason, nothing queued.
        let r = b
            .post_form(
                "/admin/outbox/resend",
                &[("csrf_token", &csrf), ("from", "yesterday")],
            )
            .await;
        assert_eq!(r.status, 303);
        let back = r.header("location").unwrap().to_string();
        assert!(back.contains("error=outbox.error.time"), "{back}");
        assert!(b.get(&back).await.text().contains("时间格式不正确"));
        assert_eq!(app.get("/healthz").await.json()["mail"]["failed"], 4);

        let r = b
            .post_form(
                "/admin/outbox/resend",
                &[
                    ("csrf_token", &csrf),
                    ("kind", "receipt"),
                    ("from", ""),
                    ("to", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let back = r.header("location").unwrap().to_string();
        assert_eq!(back, "/admin/outbox?state=failed&done=bulk&queued=3");
        let shown = b.get(&back).await.text();
        assert!(shown.contains("已将 3 封失败的邮件重新排队"), "{shown}");
        assert!(shown.contains("有 1 封邮件发送失败"), "{shown}");
        assert_eq!(state(&app, &made[3].0), "failed");
        assert_eq!(app.get("/healthz").await.json()["mail"]["failed"], 1);

        // Not for staff.
        app.user_with_token("staff@example.org", Role::Staff, None);
        let s = app.browser();
        s.login("staff@example.org", "correct horse battery").await;
        assert_eq!(s.get("/admin/outbox").await.status, 403);
    }
}

/// A minimal HTTP/1.1 exchange with a real node: (status, Set-Cookie values, body); None when
/// the node does not answer (it was killed).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, Vec<String>, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let cookies = head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .collect();
    Some((status, cookies, body.to_string()))
}

/// A node of its own on a known port, sharing the database and the secret key.
fn node(db_url: &str, port: u16, smtp_url: &str) -> Child {
    let data = tempfile::tempdir().unwrap().keep();
    Command::new(BIN)
        .arg("serve")
        .env("YIJIAN_DATABASE_URL", db_url)
        .env("YIJIAN_DATA_DIR", data)
        .env("YIJIAN_BIND", format!("127.0.0.1:{port}"))
        .env(
            "YIJIAN_SECRET_KEY",
            "one secret shared by every node of the site, long enough",
        )
        .env("YIJIAN_SMTP_URL", smtp_url)
        .env("YIJIAN_MAIL_POLL_SECS", "1")
        .env("YIJIAN_MAIL_LEASE_SECS", "4")
        .env("YIJIAN_COMMENT_RATE_PER_HOUR", "0")
        .env("YIJIAN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("yijian serve starts")
}

fn wait_up(port: u16) {
    let start = Instant::now();
    while http(port, "GET", "/healthz", &[], "").is_none_or(|(s, ..)| s != 200) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "node on {port} starts"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Two `yijian serve` nodes on one PostgreSQL, with one secret: a session started on one works
/// on the other; the clock's closing of an ended consultation happens once although both
/// clocks run it; comments go to both while one is killed with SIGKILL; every acknowledged
/// comment is stored, and every receipt reaches a real SMTP server (again only for the few in
/// flight at the kill, with the same Message-ID).
#[actix_web::test]
async fn two_nodes_on_one_postgresql_lose_nothing_when_one_is_killed() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use yijian::db::schema::{audit_events, consultations, submissions};
    if !have_aiosmtpd() {
        return;
    }
    let Some(pg) = crate::support::pg_url() else {
        return;
    };
    let app = TestApp::new(TestDb::postgres(&pg)).await;
    let (id, staff) = open_consultation(&app).await;
    // A second consultation whose window has ended: both clocks will find it.
    let c = app.consultation(&staff, 40).await;
    let ended = c["id"].as_str().unwrap().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{ended}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    diesel::update(consultations::table.find(&ended))
        .set(consultations::closes_at.eq(yijian::db::now() - chrono::Duration::hours(1)))
        .execute(&mut *app.conn())
        .unwrap();
    let sink = Sink::start(&[]);
    let (pa, pb) = (free_port(), free_port());
    let mut a = node(&app.test_db.url, pa, &sink.url());
    let mut b = node(&app.test_db.url, pb, &sink.url());
    wait_up(pa);
    wait_up(pb);

    // Signed in on one node, known on the other.
    let (status, cookies, body) = http(
        pa,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        r#"{"email":"staff@example.org","password":"correct horse battery"}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("yijian_session="))
        .expect("a session cookie")
        .clone();
    let (status, _, body) = http(pb, "GET", "/api/v1/me", &[("Cookie", &cookie)], "").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("staff@example.org"), "{body}");

    // Comments to both nodes; node B is killed once it has acknowledged 40.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let on_b = Arc::new(AtomicUsize::new(0));
    let b_dead = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..6)
        .map(|t| {
            let (acked, on_b, b_dead, id) =
                (acked.clone(), on_b.clone(), b_dead.clone(), id.clone());
            std::thread::spawn(move || {
                let port = if t % 2 == 0 { pa } else { pb };
                for i in 0..60 {
                    if port == pb && b_dead.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = json!({
                        "body": format!("第{t}组第{i}条意见：建议加强人工智能人才培养。"),
                        "email": format!("t{t}-{i}@example.org"),
                    })
                    .to_string();
                    let path = format!("/api/v1/consultations/{id}/submissions");
                    let Some((status, _, text)) = http(
                        port,
                        "POST",
                        &path,
                        &[("Content-Type", "application/json")],
                        &body,
                    ) else {
                        continue;
                    };
                    if status == 201 {
                        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push(v["tracking_code"].as_str().unwrap().to_string());
                        if port == pb {
                            on_b.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    let start = Instant::now();
    while on_b.load(Ordering::SeqCst) < 40 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    b.kill().unwrap(); // SIGKILL mid-load
    b.wait().unwrap();
    b_dead.store(true, Ordering::SeqCst);
    for s in senders {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        on_b.load(Ordering::SeqCst) >= 40,
        "node B took comments before the kill"
    );
    assert!(
        acked.len() >= 180 + 40,
        "node A took all of its own: {}",
        acked.len()
    );

    // Every acknowledged comment is stored.
    let stored: std::collections::HashSet<String> = submissions::table
        .filter(submissions::consultation_id.eq(&id))
        .select(submissions::tracking_code)
        .load(&mut *app.conn())
        .unwrap()
        .into_iter()
        .collect();
    for code in &acked {
        assert!(stored.contains(code), "acknowledged {code} was lost");
    }

    // Node A sends every receipt, those B had claimed too once their lease is over.
    let load = || -> Vec<OutboxMessage> {
        outbox_messages::table
            .filter(outbox_messages::kind.eq("receipt"))
            .select(OutboxMessage::as_select())
            .load(&mut *app.conn())
            .unwrap()
    };
    let start = Instant::now();
    while load().iter().any(|r| r.state != "sent") && start.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let rows = load();
    assert_eq!(rows.len(), stored.len(), "one receipt per stored comment");
    assert!(rows.iter().all(|r| r.state == "sent"), "every receipt sent");
    let got = sink.messages();
    let mut by_id = std::collections::HashMap::<String, usize>::new();
    for m in &got {
        *by_id.entry(format!("<{}>", m.message_id)).or_default() += 1;
    }
    for r in &rows {
        assert!(
            by_id.contains_key(&r.message_id),
            "{} never arrived",
            r.message_id
        );
    }
    let copies = got.len() - by_id.len();
    assert!(
        copies <= 20,
        "only those in flight at the kill go out twice: {copies}"
    );

    // The ended consultation was closed once, by one of the two clocks.
    let closes: i64 = audit_events::table
        .filter(audit_events::entity_id.eq(&ended))
        .filter(audit_events::action.eq("consultation.closed"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(closes, 1, "closed once");
    a.kill().unwrap();
    a.wait().unwrap();
}
