//! A person in a real browser (Debian's headless Chromium through chromedriver): home page,
//! consultation, comment on a clause, a refused form with its messages, a receipt, the tracking
//! page; axe-core finds no accessibility violation on any of those pages; the same flow works
//! with JavaScript disabled, at 375 px width.
//!
//! CI installs chromium, chromium-driver and axe-core (`.ci/run`); where they are missing outside
//! CI the test says so and passes, in CI it fails.

use crate::support::{BIN, free_port};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const SEED_001: &str = include_str!("../fixtures/seed_001.txt");
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    // Read the head, then exactly the body the head announces.
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(p) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the response head");
        out.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let mut body = out[split..].to_vec();
    if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        while body.len() < len {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        body.truncate(len);
    } else if head.contains("transfer-encoding: chunked") {
        while !body.windows(5).any(|w| w == b"0\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        let mut plain = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            plain.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = plain;
    } else {
        s.read_to_end(&mut body).unwrap();
    }
    (status, body)
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(port: u16, path: &str) {
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", path, &[], b"").0 == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing answered on port {port}");
}

struct Driver {
    port: u16,
    session: String,
}

impl Driver {
    fn new(port: u16, javascript: bool, profile: &std::path::Path) -> Self {
        // A reader in China: Chinese first.
        let mut prefs = json!({"intl.accept_languages": "zh-CN,zh"});
        if !javascript {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=375,812", "--lang=zh-CN",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": prefs,
            }
        }}});
        let (status, body) = http(
            port,
            "POST",
            "/session",
            &[("Content-Type", "application/json")],
            caps.to_string().as_bytes(),
        );
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 200, "{v}");
        Self {
            port,
            session: v["value"]["sessionId"].as_str().unwrap().to_string(),
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let p = format!("/session/{}{path}", self.session);
        let b = if method == "GET" {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let (status, out) = http(
            self.port,
            method,
            &p,
            &[("Content-Type", "application/json")],
            &b,
        );
        let v: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn find(&self, css: &str) -> String {
        self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        )[ELEMENT]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            json!({"text": text}),
        );
    }

    /// Waits (up to 15 s) until the page's source contains `text`, and returns the source.
    fn wait_for_text(&self, text: &str) -> String {
        let mut src = String::new();
        for _ in 0..150 {
            src = self.source();
            if src.contains(text) {
                return src;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        src
    }

    /// Presses keys on whatever has the focus (WebDriver's key actions; `\u{E007}` is Enter).
    fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.cmd(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
        self.cmd("DELETE", "/actions", json!({}));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", json!(null))
            .as_str()
            .unwrap()
            .to_string()
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", json!(null))
            .as_str()
            .unwrap()
            .to_string()
    }

    fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }

    /// axe-core's violations on the current page, as `rule: count` strings.
    fn axe(&self, axe_src: &str) -> Vec<String> {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": format!("{axe_src}\n;return true;"), "args": []}),
        );
        let v = self.cmd(
            "POST",
            "/execute/async",
            json!({"script": "const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))), e => done(['axe failed: ' + e]));", "args": []}),
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap_or("?").to_string())
            .collect()
    }

    /// The page fits the window's width (no sideways scrolling on a phone).
    fn fits_width(&self) -> bool {
        self.script("return document.documentElement.scrollWidth <= window.innerWidth;")
            == json!(true)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            b"",
        );
    }
}

/// The browser test tools, or `None` (and a note) where they are missing outside CI; in CI a
/// missing tool fails the test. Returns axe-core's source.
fn browser_tools() -> Option<String> {
    let have_browser = std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists();
    let axe = axe_source();
    if !have_browser || axe.is_none() {
        crate::support::skip(
            "needs /usr/bin/chromium, /usr/bin/chromedriver and axe-core (YIJIAN_AXE_JS)",
        );
        return None;
    }
    axe
}

/// The real `yijian serve` on a fresh SQLite database in a directory of its own.
struct Site {
    dir: tempfile::TempDir,
    port: u16,
    _process: Killed,
}

impl Site {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let process = Killed(
            Command::new(BIN)
                .current_dir(dir.path())
                .env("YIJIAN_BIND", format!("127.0.0.1:{port}"))
                .env_remove("YIJIAN_DATABASE_URL")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
                .spawn()
                .unwrap(),
        );
        wait_for(port, "/healthz");
        Self {
            dir,
            port,
            _process: process,
        }
    }

    /// What the server wrote to its log so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Runs a `yijian` command against the site's database; returns what it printed.
    fn run(&self, args: &[&str], stdin: &str) -> String {
        let mut c = Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("YIJIAN_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        String::from_utf8(c.wait_with_output().unwrap().stdout).unwrap()
    }
}

/// chromedriver on a free port.
fn chromedriver() -> (Killed, u16) {
    let port = free_port();
    let driver = Killed(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(port, "/status");
    (driver, port)
}

fn axe_source() -> Option<String> {
    let candidates = [
        std::env::var("YIJIAN_AXE_JS").unwrap_or_default(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .to_string(),
    ];
    candidates
        .iter()
        .filter(|p| !p.is_empty())
        .find_map(|p| std::fs::read_to_string(p).ok())
}

#[test]
fn a_person_comments_in_a_real_browser() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let server = Site::start();
    let port = server.port;
    let run = |args: &[&str], stdin: &str| server.run(args, stdin);
    run(
        &[
            "user",
            "create",
            "--email",
            "staff@example.org",
            "--name",
            "经办人",
            "--role",
            "staff",
            "--password-stdin",
        ],
        "a long password 1\n",
    );
    let token = run(&["token", "create", "--email", "staff@example.org"], "")
        .trim()
        .to_string();
    let auth = format!("Bearer {token}");
    let body = json!({"title": "武汉建设国家人工智能创新应用先导区实施方案公开征求意见", "draft_title": "实施方案(征求意见稿)", "opens_at": "2020-01-01", "closes_at": "2099-01-01", "slug": "ai-plan"});
    let (s, out) = http(
        port,
        "POST",
        "/api/v1/consultations",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(s, 201);
    let id = serde_json::from_slice::<Value>(&out).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = http(
        port,
        "POST",
        &format!("/api/v1/consultations/{id}/drafts"),
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        SEED_001.as_bytes(),
    );
    assert_eq!(s, 201);
    let (s, _) = http(
        port,
        "POST",
        &format!("/api/v1/consultations/{id}/open"),
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(s, 200);

    let (_driver, dport) = chromedriver();
    let base = format!("http://127.0.0.1:{port}");

    for javascript in [true, false] {
        let profile = tempfile::tempdir().unwrap();
        let d = Driver::new(dport, javascript, profile.path());
        let js = if javascript {
            "with JavaScript"
        } else {
            "without JavaScript"
        };
        d.go(&format!("{base}/"));
        assert!(
            d.source().contains("武汉建设国家人工智能创新应用先导区"),
            "{js}"
        );
        assert!(d.fits_width(), "home page fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "home page");
        }
        d.click("a[href='/c/ai-plan']");
        d.wait_for_text("clause-label");
        assert!(d.url().ends_with("/c/ai-plan"), "{js}");
        assert!(d.fits_width(), "consultation page fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "consultation page");
        }
        d.click("a[href*='/comment?clause=']");
        d.wait_for_text("idempotency_key");
        let u = d.url();
        assert!(u.contains("/c/ai-plan/comment?clause="), "{js}: {u}");
        // An invalid form: no opinion, a broken email.
        d.type_into("#email", "wang@");
        d.click("form.stack button[type=submit]");
        let page = d.wait_for_text("请填写意见内容");
        assert!(page.contains("请填写意见内容"), "{js}");
        assert!(page.contains("请填写有效的电子邮箱地址"), "{js}");
        assert!(d.fits_width(), "form fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "form with errors");
        }
        // Fix it and send.
        let e = d.find("#email");
        d.cmd("POST", &format!("/element/{e}/clear"), json!({}));
        d.type_into("#email", "wang.hua@example.org");
        let text = format!("建议明确先导区建设的阶段目标（{js}）。");
        d.type_into("#body", &text);
        d.click("form.stack button[type=submit]");
        d.wait_for_text("您的意见已收到");
        let url = d.url();
        assert!(
            url.contains("/track/YJ-") && url.contains("received=1"),
            "{js}: {url}: {}",
            d.source()
                .lines()
                .filter(|l| l.contains("field-error")
                    || l.contains("alert")
                    || l.contains("<title>")
                    || l.contains("<p>"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let page = d.source();
        assert!(page.contains("您的意见已收到"), "{js}");
        assert!(page.contains(&text), "{js}");
        assert!(!page.contains("wang.hua@example.org"), "{js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "tracking page");
        }
    }
    drop(server);
}

/// The report pages in Chromium, with and without JavaScript: the staff report page (readiness,
/// preview, publish button), the public report page and the tracking page with its decisions;
/// axe-core finds nothing, and every page fits 375 px.
#[test]
fn the_report_pages_in_a_real_browser() {
    use crate::report::without_api;
    let Some(axe) = browser_tools() else {
        return;
    };
    let server = Site::start();
    let (dir, port) = (&server.dir, server.port);
    let run = |args: &[&str], stdin: &str| server.run(args, stdin);
    run(
        &[
            "user",
            "create",
            "--email",
            "staff@example.org",
            "--name",
            "经办人",
            "--role",
            "staff",
            "--password-stdin",
        ],
        "a long password 1\n",
    );
    let token = run(&["token", "create", "--email", "staff@example.org"], "")
        .trim()
        .to_string();
    let auth = format!("Bearer {token}");
    let json_post = |path: &str, body: Value| {
        http(
            port,
            "POST",
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
    };
    let (s, out) = json_post(
        "/api/v1/consultations",
        json!({"title": "武汉建设国家人工智能创新应用先导区实施方案公开征求意见", "draft_title": "实施方案(征求意见稿)", "opens_at": "2020-01-01", "closes_at": "2099-01-01", "slug": "ai-report"}),
    );
    assert_eq!(s, 201);
    let id = serde_json::from_slice::<Value>(&out).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        json_post(&format!("/api/v1/consultations/{id}/open"), json!({})).0,
        200
    );
    let mut codes = Vec::new();
    for (body, name) in [
        ("建议明确先导区建设的阶段目标。", "王华"),
        ("建议增加对中小企业的算力补贴。", "李明"),
    ] {
        let (s, out) = http(
            port,
            "POST",
            &format!("/api/v1/consultations/{id}/submissions"),
            &[("Content-Type", "application/json")],
            json!({"body": body, "name": name, "organization": "某大学"})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(s, 201);
        codes.push(
            serde_json::from_slice::<Value>(&out).unwrap()["tracking_code"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        json_post(
            &format!("/api/v1/consultations/{id}/close"),
            json!({"reason": "意见已充分"})
        )
        .0,
        200
    );
    // One decided, one not: the staff page lists the missing one.
    let url = format!("sqlite://{}", dir.path().join("data/yijian.db").display());
    let mut conn = yijian::db::DbTarget::parse(&url)
        .unwrap()
        .establish()
        .unwrap();
    let first = without_api::opinions_of(&mut conn, &codes[0]).remove(0);
    let second = without_api::opinions_of(&mut conn, &codes[1]).remove(0);
    without_api::decide(&mut conn, &first, "adopted", None);
    without_api::approve_all(&mut conn, &id);

    let (_driver, dport) = chromedriver();
    let base = format!("http://127.0.0.1:{port}");
    for javascript in [true, false] {
        let profile = tempfile::tempdir().unwrap();
        let d = Driver::new(dport, javascript, profile.path());
        let js = if javascript {
            "with JavaScript"
        } else {
            "without JavaScript"
        };
        d.go(&format!("{base}/login"));
        d.type_into("#email", "staff@example.org");
        d.type_into("#password", "a long password 1");
        d.click("form button[type=submit]");
        d.wait_for_text("/logout");
        d.go(&format!("{base}/staff/consultations/{id}/report"));
        let page = d.wait_for_text("report-title");
        if javascript {
            assert!(page.contains(&codes[1]), "the missing opinion is listed");
        } else {
            assert!(page.contains("第 1 版"), "the edition published meanwhile");
        }
        assert!(d.fits_width(), "staff report page fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "staff report page");
            // Decided and approved meanwhile: the page offers the publish button.
            without_api::decide(&mut conn, &second, "not_adopted", Some("已有相关政策。"));
            without_api::approve_all(&mut conn, &id);
            d.go(&format!("{base}/staff/consultations/{id}/report"));
            d.wait_for_text("report-title");
            // The button leads to the confirmation step, which says what publishing does.
            d.click("a[href$='/report/publish']");
            let page = d.wait_for_text("确认发布报告");
            assert!(page.contains("报告共 2 行"), "{page}");
            assert!(d.fits_width(), "confirmation step fits 375 px");
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "confirmation step");
            d.click("#publish-form button[type=submit]");
            d.wait_for_text("已发布第 1 版");
        }
        d.go(&format!("{base}/c/ai-report"));
        d.click("a[href='/c/ai-report/report']");
        let page = d.wait_for_text("report-table");
        assert!(page.contains("某大学王*"), "{js}");
        assert!(!page.contains("王华"), "{js}");
        assert!(d.fits_width(), "public report page fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "public report page");
        }
        d.go(&format!("{base}/track/{}", codes[1]));
        let page = d.wait_for_text("已有相关政策。");
        assert!(page.contains("未采纳"), "{js}");
        if javascript {
            assert_eq!(
                d.axe(&axe),
                Vec::<String>::new(),
                "tracking page with decisions"
            );
        }
    }
    drop(server);
}

/// The department portal and the office's new pages in a real browser: a department user signs
/// in, lands on the portal, replies with an opinion on a clause, with and without JavaScript;
/// the board, the units directory, the users page and the account page pass axe-core and fit
/// 375 px.
#[test]
fn the_department_portal_in_a_real_browser() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let server = Site::start();
    let port = server.port;
    let run = |args: &[&str], stdin: &str| server.run(args, stdin);
    run(
        &[
            "user",
            "create",
            "--email",
            "admin@example.org",
            "--name",
            "管理员",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a long password 1\n",
    );
    let token = run(&["token", "create", "--email", "admin@example.org"], "")
        .trim()
        .to_string();
    let auth = format!("Bearer {token}");
    let json_post = |path: &str, body: Value| {
        let (s, out) = http(
            port,
            "POST",
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        );
        (
            s,
            serde_json::from_slice::<Value>(&out).unwrap_or(Value::Null),
        )
    };
    let (s, unit) = json_post(
        "/api/v1/units",
        json!({"name": "市科技局", "kind": "department", "aliases": ["科技局"]}),
    );
    assert_eq!(s, 201);
    let unit_id = unit["id"].as_str().unwrap().to_string();
    run(
        &[
            "user",
            "create",
            "--email",
            "keji@example.org",
            "--name",
            "科技局联络员",
            "--role",
            "department",
            "--unit",
            "科技局",
            "--password-stdin",
        ],
        "a long password 2\n",
    );
    let (s, c) = json_post(
        "/api/v1/consultations",
        json!({"title": "武汉建设国家人工智能创新应用先导区实施方案征求意见", "draft_title": "实施方案(征求意见稿)", "opens_at": "2020-01-01", "closes_at": "2099-01-01", "slug": "ai-dept"}),
    );
    assert_eq!(s, 201);
    let id = c["id"].as_str().unwrap().to_string();
    let (s, _) = http(
        port,
        "POST",
        &format!("/api/v1/consultations/{id}/drafts"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        SEED_001.as_bytes(),
    );
    assert_eq!(s, 201);
    let (s, _) = json_post(
        &format!("/api/v1/consultations/{id}/solicitations"),
        json!({"unit_ids": [unit_id], "deadline": "2099-01-01"}),
    );
    assert_eq!(s, 201);
    assert_eq!(
        json_post(&format!("/api/v1/consultations/{id}/open"), json!({})).0,
        200
    );

    let (_driver, dport) = chromedriver();
    let base = format!("http://127.0.0.1:{port}");
    for javascript in [true, false] {
        let profile = tempfile::tempdir().unwrap();
        let d = Driver::new(dport, javascript, profile.path());
        let js = if javascript {
            "with JavaScript"
        } else {
            "without JavaScript"
        };
        d.go(&format!("{base}/login"));
        d.type_into("#email", "keji@example.org");
        d.type_into("#password", "a long password 2");
        d.click("form button[type=submit]");
        let page = d.wait_for_text("本单位的征求意见");
        assert!(d.url().ends_with("/dept"), "{js}: lands on the portal");
        assert!(page.contains("实施方案(征求意见稿)"));
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "portal");
        }
        d.click(&format!("a[href='/dept/consultations/{id}']"));
        d.wait_for_text("提交本单位意见");
        assert!(d.fits_width(), "reply page fits 375 px {js}");
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "reply page");
        }
        // Two opinions, each on a clause picked from the list: with JavaScript found through
        // the search box (which hides the others), without it ticked in the plain list.
        let text = format!("建议明确算力券的申领流程（{js}）。");
        let second = format!("建议细化保障措施的资金来源（{js}）。");
        if javascript {
            assert_eq!(
                d.script("return document.querySelector('.clause-search').hidden;"),
                json!(false),
                "the search box is shown"
            );
            d.type_into("#clause_search_0", "编制原则");
            let shown = d.script(
                "return document.querySelectorAll('#clause_list_0 li:not([hidden])').length;",
            );
            assert_eq!(shown, json!(1), "the search filters the list");
            d.click("#clause_list_0 li:not([hidden]) input[type=checkbox]");
            d.type_into("#clause_search_1", "保障措施");
            d.click("#clause_list_1 li:not([hidden]) input[type=checkbox]");
            // Another block, added in place.
            d.click("button.add-opinion");
            assert_eq!(
                d.script("return document.querySelectorAll('.opinion-row').length;"),
                json!(4)
            );
            assert_eq!(
                d.script("return document.getElementById('body_3') === document.activeElement;"),
                json!(true)
            );
        } else {
            d.click("#clause_list_0 li:nth-child(2) input[type=checkbox]");
            d.click("#clause_list_1 li:nth-child(3) input[type=checkbox]");
        }
        d.type_into("#body_0", &text);
        d.type_into("#body_1", &second);
        d.click("#opinions button.submit-reply");
        let page = d.wait_for_text("已提交");
        assert!(page.contains(&text), "{js}");
        assert!(page.contains(&second), "{js}");
        assert_eq!(
            d.script("return document.querySelectorAll('.opinion-row input[type=checkbox]:checked').length;"),
            json!(2),
            "{js}: each opinion kept its clause"
        );
        assert!(page.contains("v1") || page.contains("v2"));
        if javascript {
            assert_eq!(d.axe(&axe), Vec::<String>::new(), "reply page after saving");
        }
        // The office's pages, as the administrator.
        d.go(&format!("{base}/logout"));
        let profile2 = tempfile::tempdir().unwrap();
        drop(d);
        let d = Driver::new(dport, javascript, profile2.path());
        d.go(&format!("{base}/login"));
        d.type_into("#email", "admin@example.org");
        d.type_into("#password", "a long password 1");
        d.click("form button[type=submit]");
        d.wait_for_text("/logout");
        for (path, marker) in [
            (
                format!("/staff/consultations/{id}/solicitations"),
                "已反馈意见",
            ),
            ("/admin/units".to_string(), "从 CSV 批量导入"),
            ("/admin/users".to_string(), "keji@example.org"),
            ("/account".to_string(), "API 令牌"),
        ] {
            d.go(&format!("{base}{path}"));
            d.wait_for_text(marker);
            assert!(d.fits_width(), "{path} fits 375 px {js}");
            if javascript {
                assert_eq!(d.axe(&axe), Vec::<String>::new(), "{path}");
            }
        }
    }
    drop(server);
}

/// The triage workbench by keyboard in a real browser: staff move through the inbox with j/k,
/// select with x, open with Enter, step to the next opinion with j, jump to the assignment and
/// decision fields with a and d, and decide; the approver approves with A. axe-core finds no
/// violation on the inbox and opinion pages, which fit 375 px.
#[test]
fn the_triage_keyboard_in_a_real_browser() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let server = Site::start();
    let port = server.port;
    for (email, role) in [
        ("staff@example.org", "staff"),
        ("approver@example.org", "approver"),
    ] {
        server.run(
            &[
                "user",
                "create",
                "--email",
                email,
                "--name",
                role,
                "--role",
                role,
                "--password-stdin",
            ],
            "a long password 1\n",
        );
    }
    let token = server
        .run(&["token", "create", "--email", "staff@example.org"], "")
        .trim()
        .to_string();
    let auth = format!("Bearer {token}");
    let call = |method: &str, path: &str, content_type: &str, body: &[u8]| {
        let (s, out) = http(
            port,
            method,
            path,
            &[("Authorization", &auth), ("Content-Type", content_type)],
            body,
        );
        (
            s,
            serde_json::from_slice::<Value>(&out).unwrap_or(Value::Null),
        )
    };
    let json_post = |path: &str, body: Value| {
        call(
            "POST",
            path,
            "application/json",
            body.to_string().as_bytes(),
        )
    };
    let (s, c) = json_post(
        "/api/v1/consultations",
        json!({"title": "先导区实施方案征求意见", "draft_title": "实施方案(征求意见稿)", "opens_at": "2020-01-01", "closes_at": "2099-01-01", "slug": "ai-keys"}),
    );
    assert_eq!(s, 201);
    let id = c["id"].as_str().unwrap().to_string();
    let (s, _) = call(
        "POST",
        &format!("/api/v1/consultations/{id}/drafts"),
        "text/plain; charset=utf-8",
        SEED_001.as_bytes(),
    );
    assert_eq!(s, 201);
    assert_eq!(
        json_post(&format!("/api/v1/consultations/{id}/open"), json!({})).0,
        200
    );
    for body in [
        "建议明确先导区建设的阶段目标。",
        "建议增加对中小企业的算力补贴。",
        "建议加强人工智能伦理审查。",
    ] {
        let (s, _) = json_post(
            &format!("/api/v1/consultations/{id}/submissions"),
            json!({"body": body}),
        );
        assert_eq!(s, 201);
    }
    let inbox = call(
        "GET",
        &format!("/api/v1/consultations/{id}/opinions"),
        "application/json",
        b"",
    )
    .1;
    // Newest first, as the inbox lists them.
    let ids: Vec<String> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3);

    let (_driver, dport) = chromedriver();
    let base = format!("http://127.0.0.1:{port}");
    let sign_in = |email: &str| {
        let profile = tempfile::tempdir().unwrap();
        let d = Driver::new(dport, true, profile.path());
        d.go(&format!("{base}/login"));
        d.type_into("#email", email);
        d.type_into("#password", "a long password 1");
        d.click("form button[type=submit]");
        d.wait_for_text("/logout");
        (d, profile)
    };
    let (d, _profile) = sign_in("staff@example.org");
    d.go(&format!("{base}/staff/consultations/{id}/opinions"));
    d.wait_for_text("opinion-row");
    assert!(d.fits_width(), "the inbox fits 375 px");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "inbox");
    let current = || {
        d.script(
            "var rows = Array.from(document.querySelectorAll('tr.opinion-row')); \
             var i = rows.findIndex(r => r.classList.contains('current')); \
             return [i, rows[i] ? rows[i].contains(document.activeElement) : false];",
        )
    };
    d.keys("j");
    assert_eq!(
        current(),
        json!([0, true]),
        "j: the first row, its link focused"
    );
    d.keys("j");
    assert_eq!(current(), json!([1, true]), "j: the second row");
    d.keys("k");
    assert_eq!(current(), json!([0, true]), "k: back to the first");
    d.keys("x");
    assert_eq!(
        d.script(
            "return document.querySelector('tr.opinion-row.current input[type=checkbox]').checked;"
        ),
        json!(true),
        "x selects the row"
    );
    d.keys("d");
    assert_eq!(
        d.script("return document.activeElement.id;"),
        json!("b-status"),
        "d: the bulk decision"
    );
    d.script("document.activeElement.blur(); return true;");
    d.keys("a");
    assert_eq!(
        d.script("return document.activeElement.id;"),
        json!("b-unit"),
        "a: the bulk assignment"
    );
    // Back to the rows, and Enter opens the current one.
    d.script("document.activeElement.blur(); return true;");
    d.keys("j");
    d.keys("\u{E007}");
    d.wait_for_text("decide-form");
    assert!(d.url().ends_with(&ids[1]), "{}", d.url());
    assert!(d.fits_width(), "the opinion page fits 375 px");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "opinion page");
    d.keys("j");
    d.wait_for_text(&format!("/staff/opinions/{}/decision", ids[2]));
    assert!(d.url().ends_with(&ids[2]), "j: the next (older) opinion");
    d.keys("k");
    d.wait_for_text(&format!("/staff/opinions/{}/decision", ids[1]));
    assert!(d.url().ends_with(&ids[1]), "k: back");
    d.keys("a");
    assert_eq!(
        d.script("return document.activeElement.id;"),
        json!("a-unit")
    );
    d.script("document.activeElement.blur(); return true;");
    d.keys("d");
    assert_eq!(
        d.script("return document.activeElement.id;"),
        json!("status")
    );
    d.click("#status option[value=not_adopted]");
    d.type_into("#rationale", "已在第三部分统筹考虑。");
    d.click("#decide-form button[type=submit]");
    d.wait_for_text("已在第三部分统筹考虑。");
    drop(d);

    let (d, _profile2) = sign_in("approver@example.org");
    d.go(&format!("{base}/staff/opinions/{}", ids[1]));
    d.wait_for_text("approve-h");
    d.keys("A");
    let opinion = || {
        call(
            "GET",
            &format!("/api/v1/opinions/{}", ids[1]),
            "application/json",
            b"",
        )
        .1
    };
    for _ in 0..100 {
        if opinion()["decision"]["state"] == "approved" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let o = opinion();
    assert_eq!(o["decision"]["state"], "approved", "A approves: {o}");
    assert_eq!(o["decision"]["status"], "not_adopted");
    drop(server);
}

/// A newcomer's first run: the setup link from the server's log, the administrator with the
/// sample consultation, then a citizen on a 375 px phone finds the sample on the home page,
/// comments on it with two clauses ticked, gets the receipt and finds 意见查询 from the home
/// page; axe-core finds nothing on any of those pages.
#[test]
fn first_run_from_the_setup_link_to_a_comment() {
    let Some(axe) = browser_tools() else {
        return;
    };
    let server = Site::start();
    let port = server.port;
    let log = server.log();
    let link = log
        .split_whitespace()
        .find(|w| w.contains("/setup?token="))
        .unwrap_or_else(|| panic!("no setup link in the log: {log}"))
        .to_string();
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/setup?token=yjsetup_")),
        "{link}"
    );
    assert!(log.contains("cargo run -- user create"), "{log}");
    let (_driver, dport) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let d = Driver::new(dport, true, profile.path());
    let base = format!("http://127.0.0.1:{port}");

    d.go(&format!("{base}/"));
    assert!(
        d.source().contains("尚未完成初始设置"),
        "the banner says setup is pending"
    );
    assert_eq!(
        d.axe(&axe),
        Vec::<String>::new(),
        "home page, setup pending"
    );

    d.go(&link);
    d.wait_for_text("初始设置");
    assert!(d.fits_width(), "setup page fits 375 px");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "setup page");
    d.type_into("#name", "管理员");
    d.type_into("#email", "admin@example.org");
    d.type_into("#password", "a long password 1");
    d.click("form.stack button[type=submit]");
    let page = d.wait_for_text("【示例】");
    assert!(page.contains("【示例】"), "the sample's staff page");
    assert!(!page.contains("尚未完成初始设置"), "the banner is gone");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "the sample's staff page");
    // The link is used up.
    assert_eq!(http(port, "GET", &link[base.len()..], &[], b"").0, 404);

    // Signed out, as a citizen.
    d.click("form[action='/logout'] button");
    d.go(&format!("{base}/"));
    let home = d.wait_for_text("【示例】");
    assert!(home.contains("意见查询"));
    d.click("ul.cards a[href^='/c/']");
    d.wait_for_text("clause-label");
    assert!(d.fits_width(), "the sample's page fits 375 px");
    d.click("a[href*='/comment?clause=']");
    d.wait_for_text("idempotency_key");
    assert!(d.fits_width(), "the form fits 375 px");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "comment form");
    let ticked = "return document.querySelectorAll('input[name=clause_ids]:checked').length;";
    assert_eq!(
        d.script(ticked),
        json!(1),
        "the clause from the link is ticked"
    );
    // Open another section and tick one of its clauses by tapping.
    d.click(".clause-tree details:not([open]) > summary");
    d.click(".clause-tree details[open] input[name=clause_ids]:not(:checked)");
    assert_eq!(d.script(ticked), json!(2), "two clauses ticked");
    // Both chosen clauses are shown by the text box, kept current by the script.
    let shown = "return document.querySelectorAll('#chosen-clauses .chosen-list section').length;";
    assert_eq!(
        d.script(shown),
        json!(2),
        "both chosen clauses beside the box"
    );
    // The draft is long: a search narrows the tree.
    assert_eq!(
        d.script("return document.querySelector('.clause-search').hidden;"),
        json!(false),
        "the clause search shows on a long draft"
    );
    d.type_into("#clause-search", "总体要求");
    let visible = "return Array.from(document.querySelectorAll('.clause-tree li, .clause-tree .clause-leaf')).filter(e => e.offsetParent !== null).length;";
    let narrowed = d.script(visible).as_u64().unwrap_or(0);
    assert!(narrowed >= 1, "the search keeps what matches");
    d.script("var i = document.getElementById('clause-search'); i.value = ''; i.dispatchEvent(new Event('input')); return 0;");
    assert!(
        d.script(visible).as_u64().unwrap_or(0) > narrowed,
        "clearing it shows the tree again"
    );
    assert_eq!(d.script(ticked), json!(2), "searching unticks nothing");
    let text = "建议把示例条款中的任务分工写得更具体，并明确完成时限。";
    d.type_into("#body", text);
    let count = d.wait_for_text("/ 10000 字");
    assert!(count.contains("/ 10000 字"), "the live counter");
    d.type_into("#phone", "027-12345678");
    d.click("form.stack button[type=submit]");
    let receipt = d.wait_for_text("您的意见已收到");
    assert!(receipt.contains(text), "{receipt}");
    assert!(d.url().contains("/track/YJ-"));
    assert!(!receipt.contains("027-12345678"));
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "receipt");

    // 意见查询 from the home page.
    d.go(&format!("{base}/"));
    d.click("main a[href='/track']");
    d.wait_for_text("YJ-XXXX-XXXX");
    assert!(d.url().ends_with("/track"), "{}", d.url());
    assert!(d.fits_width(), "tracking page fits 375 px");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "tracking page");
    d.go(&format!("{base}/privacy"));
    d.wait_for_text("个人信息保护说明");
    assert_eq!(d.axe(&axe), Vec::<String>::new(), "privacy notice");
    drop(server);
}
