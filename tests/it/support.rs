//! The test harness: a fresh database per test on every backend, and the real application.

use std::rc::Rc;

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use futures_util::future::LocalBoxFuture;
use yijian::config::{Config, Settings};
use yijian::db::{Backend, Database, DbConnection};
use yijian::web::{AppState, build_app};

pub const PG_ENV: &str = "YIJIAN_TEST_POSTGRES_URL";

/// The `yijian` binary, for tests that run the real process.
pub const BIN: &str = env!("CARGO_BIN_EXE_yijian");

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh, empty database that disappears with this value.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A new database on the PostgreSQL server named by `YIJIAN_TEST_POSTGRES_URL`.
    pub fn postgres(admin_url: &str) -> Self {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("yijian_t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be reached: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let mut url = url::Url::parse(admin_url).expect("YIJIAN_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            backend: Backend::Postgres,
            _dir: None,
            pg: Some((admin_url.to_string(), name)),
        }
    }

    /// SQLite always; PostgreSQL too when `YIJIAN_TEST_POSTGRES_URL` is set.
    pub fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        if let Some(url) = pg_url() {
            v.push(TestDb::postgres(&url));
        }
        v
    }

    pub fn connect(&self) -> Database {
        Database::connect(&self.url, 4).expect("connect to test database")
    }

    pub fn connection(&self) -> DbConnection {
        yijian::db::DbTarget::parse(&self.url)
            .and_then(|t| t.establish())
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Some((admin_url, name)) = &self.pg {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

/// The PostgreSQL server for tests, from `YIJIAN_TEST_POSTGRES_URL`. Unset, the tests run on
/// SQLite only and each says so (see [`skip`]); in CI that fails them.
pub fn pg_url() -> Option<String> {
    let url = std::env::var(PG_ENV).ok().filter(|s| !s.trim().is_empty());
    if url.is_none() {
        skip(&format!(
            "{PG_ENV} is not set, so PostgreSQL is not tested (SQLite only)"
        ));
    }
    url
}

/// Says on stderr that the running test skips what needs `missing` (`SKIPPED <test>: …`), where
/// a tool or a database is missing outside CI. In CI (env `CI` set; `.ci/run` sets it and
/// installs every tool) it fails the test instead: nothing may pass there untested.
#[track_caller]
pub fn skip(missing: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {missing}; CI must have it (see .ci/run)");
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of passing tests.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {missing}");
}

type Call = Rc<
    dyn Fn(
        actix_http::Request,
    ) -> LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, actix_web::Error>>,
>;

/// The real application over a fresh, migrated database.
pub struct TestApp {
    pub db: Database,
    pub backend: Backend,
    #[allow(dead_code)]
    pub config: Config,
    call: Call,
    // Dropped last: the pool must close before the database is dropped.
    _data_dir: tempfile::TempDir,
    #[allow(dead_code)]
    pub test_db: TestDb,
}

/// A response, read whole.
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new(test_db: TestDb) -> Self {
        Self::with_settings(test_db, |_| {}).await
    }

    /// The application with some settings of the test's own.
    pub async fn with_settings(test_db: TestDb, change: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(test_db.url.clone()),
            ..Settings::default()
        };
        change(&mut settings);
        let config = settings.resolve().expect("config");
        let db = test_db.connect();
        db.migrate().expect("migrate");
        let state = web::Data::new(AppState::new(db.clone(), config.clone()).expect("state"));
        let svc = Rc::new(test::init_service(build_app(state)).await);
        let call: Call = Rc::new(move |req| {
            let fut = svc.call(req);
            Box::pin(async move { fut.await.map(|r| r.map_into_boxed_body()) })
        });
        Self {
            backend: db.backend,
            db,
            config,
            call,
            _data_dir: data_dir,
            test_db,
        }
    }

    /// One app per backend under test.
    pub async fn all() -> Vec<TestApp> {
        let mut v = Vec::new();
        for db in TestDb::all() {
            v.push(TestApp::new(db).await);
        }
        v
    }

    pub async fn send(&self, req: TestRequest) -> Resp {
        self.send_request(req.to_request()).await
    }

    pub async fn send_request(&self, req: actix_http::Request) -> Resp {
        let res = (self.call)(req).await;
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                let r = e.error_response();
                panic!("service error: {} {e}", r.status())
            }
        };
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = actix_web::body::to_bytes(res.into_body())
            .await
            .map(|b| b.to_vec())
            .unwrap_or_else(|_| panic!("reading the response body failed"));
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(TestRequest::get().uri(path)).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Resp {
        self.send(
            TestRequest::get()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}"))),
        )
        .await
    }

    pub fn conn(&self) -> yijian::db::PooledConn {
        self.db.get().expect("connection")
    }

    /// How many rows `table` holds.
    #[allow(dead_code)]
    pub fn count_rows(&self, table: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<N>(&mut *self.conn())
            .unwrap()
            .n
    }

    /// Creates a user with this role (and unit for department users) and returns an API token.
    pub fn user_with_token(
        &self,
        email: &str,
        role: yijian::domain::Role,
        unit: Option<&str>,
    ) -> String {
        let mut conn = self.conn();
        let actor = yijian::app::Actor::cli();
        yijian::app::users::create_user(
            &mut conn,
            yijian::app::users::CreateUser {
                email: email.into(),
                name: email.split('@').next().unwrap_or("u").into(),
                role,
                unit: unit.map(str::to_string),
                password: Some("correct horse battery".into()),
            },
            &actor,
        )
        .expect("create user");
        yijian::app::users::create_token(&mut conn, email, "test", &actor).expect("token")
    }
}

impl TestApp {
    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> Resp {
        let mut req = TestRequest::post().uri(path).set_json(body);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.send(req).await
    }

    /// Creates a consultation through the API, open from yesterday for `days` days.
    pub async fn consultation(&self, staff_token: &str, days: i64) -> serde_json::Value {
        let opens = chrono::Utc::now() - chrono::Duration::days(1);
        let closes = opens + chrono::Duration::days(days);
        let r = self
            .post_json(
                "/api/v1/consultations",
                Some(staff_token),
                serde_json::json!({
                    "title": "关于《武汉建设国家人工智能创新应用先导区实施方案》公开征求意见",
                    "draft_title": "武汉建设国家人工智能创新应用先导区实施方案(2023-2025年)(征求意见稿)",
                    "opens_at": opens.to_rfc3339(),
                    "closes_at": closes.to_rfc3339(),
                    "short_window_reason": if days < 30 { Some("时间紧迫") } else { None },
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }
}

/// A browser: keeps cookies across requests and reads CSRF tokens out of pages.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    cookies: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    /// The client's address, for rate limits (none: the test default).
    pub peer: Option<std::net::SocketAddr>,
    /// The `User-Agent` sent with every request (none: no header).
    pub user_agent: Option<&'static str>,
}

impl TestApp {
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: Default::default(),
            peer: None,
            user_agent: None,
        }
    }
}

/// The origin the test application sees itself at (a request without a Host header).
pub const SITE_ORIGIN: &str = "http://localhost:8080";

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Sends a request with the browser's cookies; a state-changing API call carries this
    /// site's `Origin`, as browsers send it from the site's own pages (unless the test set one).
    pub async fn send(&self, req: TestRequest) -> Resp {
        self.send_with_origin(req, true).await
    }

    /// Sends a request with the browser's cookies and only the headers the test set.
    pub async fn send_bare(&self, req: TestRequest) -> Resp {
        self.send_with_origin(req, false).await
    }

    /// Another browser holding a copy of this one's cookies (a stolen cookie).
    pub fn copy(&self) -> Self {
        Browser {
            app: self.app,
            cookies: std::cell::RefCell::new(self.cookies.borrow().clone()),
            peer: self.peer,
            user_agent: self.user_agent,
        }
    }

    async fn send_with_origin(&self, mut req: TestRequest, origin: bool) -> Resp {
        use actix_web::HttpMessage;
        use actix_web::http::{Method, header};
        if let Some(p) = self.peer {
            req = req.peer_addr(p);
        }
        if let Some(ua) = self.user_agent {
            req = req.insert_header((header::USER_AGENT, ua));
        }
        let c = self.cookie_header();
        if !c.is_empty() {
            req = req.insert_header(("Cookie", c));
        }
        let mut req = req.to_request();
        let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if origin
            && changes
            && req.path().starts_with("/api/")
            && !req.headers().contains_key(header::ORIGIN)
        {
            req.headers_mut().insert(
                header::ORIGIN,
                header::HeaderValue::from_static(SITE_ORIGIN),
            );
        }
        let r = self.app.send_request(req).await;
        for v in r.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            if let Some((kv, _)) = v.split_once(';').or(Some((v, ""))) {
                if let Some((k, val)) = kv.split_once('=') {
                    if v.contains("Max-Age=0") || val.is_empty() {
                        self.cookies.borrow_mut().remove(k.trim());
                    } else {
                        self.cookies
                            .borrow_mut()
                            .insert(k.trim().to_string(), val.trim().to_string());
                    }
                }
            }
        }
        r
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(TestRequest::get().uri(path)).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Resp {
        let boundary = "----yijianboundary7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header((
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                ))
                .set_payload(body),
        )
        .await
    }

    /// The CSRF token of the last page that had a form.
    pub fn csrf(page: &Resp) -> String {
        let html = page.text();
        let marker = "name=\"csrf_token\" value=\"";
        let start = html
            .find(marker)
            .expect("page has a form with a CSRF token")
            + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_string()
    }

    /// Signs in through the login form.
    pub async fn login(&self, email: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = Self::csrf(&page);
        self.post_form(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/staff"),
            ],
        )
        .await
    }
}

/// A small .docx built in memory: one paragraph per line.
pub fn docx(lines: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
        );
        for l in lines {
            xml.push_str(&format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{l}</w:t></w:r></w:p>"
            ));
        }
        xml.push_str("</w:body></w:document>");
        z.write_all(xml.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}
