//! The route × role walk: every route of `yijian::web::routes::ROUTES`, called by every kind of
//! caller, must refuse those its access rule excludes and let the others through to the
//! handler. The table is the input: a new route is walked without touching this file, unless
//! it has a path parameter the walk cannot fill yet (then the walk says so).

use actix_web::test::TestRequest;
use diesel::prelude::*;
use yijian::domain::Role;
use yijian::web::routes::{Access, ROUTES, RouteInfo};

use crate::support::{Browser, Resp, TestApp};

const PASSWORD: &str = "correct horse battery";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    DepartmentA,
    DepartmentB,
    Staff,
    Approver,
    Admin,
    RevokedToken,
}

impl Caller {
    const ALL: [Caller; 7] = [
        Caller::Anonymous,
        Caller::DepartmentA,
        Caller::DepartmentB,
        Caller::Staff,
        Caller::Approver,
        Caller::Admin,
        Caller::RevokedToken,
    ];

    fn role(self) -> Option<Role> {
        match self {
            Caller::Anonymous | Caller::RevokedToken => None,
            Caller::DepartmentA | Caller::DepartmentB => Some(Role::Department),
            Caller::Staff => Some(Role::Staff),
            Caller::Approver => Some(Role::Approver),
            Caller::Admin => Some(Role::Admin),
        }
    }

    fn email(self) -> &'static str {
        match self {
            Caller::Anonymous => "",
            Caller::DepartmentA => "dept-a@example.org",
            Caller::DepartmentB => "dept-b@example.org",
            Caller::Staff => "staff@example.org",
            Caller::Approver => "approver@example.org",
            Caller::Admin => "admin@example.org",
            Caller::RevokedToken => "revoked@example.org",
        }
    }
}

/// What the walk needs to fill path parameters.
struct Fixture {
    values: Vec<(&'static str, String)>,
}

impl Fixture {
    fn fill(&self, route: &RouteInfo) -> String {
        let mut path = route.path.to_string();
        while let Some(start) = path.find('{') {
            let end = start + path[start..].find('}').expect("closing brace");
            let name = &path[start + 1..end];
            let value = self
                .values
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| {
                    panic!(
                        "the route walk has no value for {{{name}}} in {} {}: add one to its fixture",
                        route.method, route.path
                    )
                });
            path.replace_range(start..=end, &value);
        }
        path
    }
}

/// A signed-in caller: a browser session for pages, a token for the API.
struct Session<'a> {
    browser: Browser<'a>,
    token: Option<String>,
    csrf: String,
    /// The revoked token is presented on pages too.
    bearer_on_pages: bool,
}

async fn session<'a>(app: &'a TestApp, caller: Caller, tokens: &[(Caller, String)]) -> Session<'a> {
    let mut browser = app.browser();
    // Each caller from its own address: the walk must not trip the login rate limit.
    let n = Caller::ALL.iter().position(|c| *c == caller).unwrap_or(0) as u8;
    browser.peer = Some(std::net::SocketAddr::from(([10, 0, 0, n + 1], 40000)));
    let token = tokens
        .iter()
        .find(|(c, _)| *c == caller)
        .map(|(_, t)| t.clone());
    if caller.role().is_some() {
        let r = browser.login(caller.email(), PASSWORD).await;
        assert_eq!(r.status, 303, "{caller:?} signs in: {}", r.text());
    }
    let page = browser.get("/login").await;
    let csrf = if page.text().contains("name=\"csrf_token\"") {
        Browser::csrf(&page)
    } else {
        String::new()
    };
    Session {
        browser,
        token,
        csrf,
        bearer_on_pages: caller == Caller::RevokedToken,
    }
}

async fn call(s: &Session<'_>, route: &RouteInfo, path: &str) -> Resp {
    let api = path.starts_with("/api/");
    let mut req = match route.method {
        "GET" => TestRequest::get(),
        "POST" => TestRequest::post(),
        "DELETE" => TestRequest::delete(),
        "PUT" => TestRequest::put(),
        "PATCH" => TestRequest::patch(),
        other => panic!("the walk cannot send {other}"),
    }
    .uri(path);
    if api {
        if let Some(t) = &s.token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        if route.method != "GET" && route.method != "DELETE" {
            req = req.set_json(serde_json::json!({}));
        }
        // A bare app call: the API is driven by tokens, not cookies.
        if let Some(p) = s.browser.peer {
            req = req.peer_addr(p);
        }
        s.browser.app.send(req).await
    } else {
        if route.method == "POST" {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("csrf_token", &s.csrf)
                .finish();
            req = req
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body);
        }
        if s.bearer_on_pages {
            if let Some(t) = &s.token {
                req = req.insert_header(("Authorization", format!("Bearer {t}")));
            }
        }
        s.browser.send(req).await
    }
}

fn refused_as_anonymous(r: &Resp, path: &str) -> bool {
    if path.starts_with("/api/") {
        r.status == 401
    } else {
        r.status == 401
            || (r.status == 303
                && r.header("location")
                    .is_some_and(|l| l.starts_with("/login")))
    }
}

/// Routes that end the session run last, so the walk keeps its callers signed in (ending "all
/// other sessions" with a token ends the browser's too).
fn ends_session(route: &RouteInfo) -> bool {
    route.path == "/logout"
        || (route.method == "DELETE"
            && (route.path == "/api/v1/session" || route.path == "/api/v1/me/sessions"))
}

#[actix_web::test]
async fn every_route_with_every_role() {
    for app in TestApp::all().await {
        let mut conn = app.conn();
        let actor = yijian::app::Actor::cli();
        for (name, kind) in [("市科技局", "department"), ("江岸区人民政府", "district")]
        {
            yijian::app::units::create(
                &mut conn,
                yijian::app::units::CreateUnit {
                    name: name.into(),
                    kind: kind.into(),
                    ..Default::default()
                },
                &actor,
            )
            .expect("unit");
        }
        drop(conn);
        let mut tokens = Vec::new();
        for caller in Caller::ALL {
            let unit = match caller {
                Caller::DepartmentA => Some("市科技局"),
                Caller::DepartmentB => Some("江岸区人民政府"),
                _ => None,
            };
            let role = caller.role().unwrap_or(Role::Staff);
            if caller == Caller::Anonymous {
                continue;
            }
            let t = app.user_with_token(caller.email(), role, unit);
            tokens.push((caller, t));
        }
        {
            use yijian::db::schema::{api_tokens, users};
            let mut conn = app.conn();
            let uid: String = users::table
                .filter(users::email.eq(Caller::RevokedToken.email()))
                .select(users::id)
                .first(&mut *conn)
                .unwrap();
            diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(uid)))
                .set(api_tokens::revoked_at.eq(chrono::Utc::now().naive_utc()))
                .execute(&mut *conn)
                .unwrap();
        }
        let staff = &tokens.iter().find(|(c, _)| *c == Caller::Staff).unwrap().1;
        let dept_a = &tokens
            .iter()
            .find(|(c, _)| *c == Caller::DepartmentA)
            .unwrap()
            .1;
        let fixture = fixture(&app, staff, dept_a).await;

        let mut routes: Vec<&RouteInfo> = ROUTES.iter().collect();
        routes.sort_by_key(|r| ends_session(r));
        let mut failures = Vec::new();
        for caller in Caller::ALL {
            let s = session(&app, caller, &tokens).await;
            for route in &routes {
                let path = fixture.fill(route);
                let r = call(&s, route, &path).await;
                let verdict = judge(caller, route, &path, &r);
                if let Err(why) = verdict {
                    failures.push(format!(
                        "{:?} {caller:?} {} {path}: {} ({why}) {}",
                        app.backend,
                        route.method,
                        r.status,
                        r.text().chars().take(160).collect::<String>()
                    ));
                }
                if ends_session(route) && caller.role().is_some() {
                    // Signed out by that route: sign in again for the next.
                    let r = s.browser.login(caller.email(), PASSWORD).await;
                    assert_eq!(r.status, 303);
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} calls broke the access rules:\n{}",
            failures.len(),
            routes.len() * Caller::ALL.len(),
            failures.join("\n")
        );
    }
}

fn judge(caller: Caller, route: &RouteInfo, path: &str, r: &Resp) -> Result<(), &'static str> {
    if r.status >= 500 {
        return Err("server error");
    }
    match (route.access, caller.role()) {
        (Access::Public, _) => {
            if caller == Caller::RevokedToken || r.status != 403 {
                Ok(())
            } else {
                Err("a public route refused")
            }
        }
        (_, None) => {
            if refused_as_anonymous(r, path) {
                Ok(())
            } else {
                Err("expected to be sent to sign in")
            }
        }
        (access, Some(role)) if !access.allows(role) => {
            if r.status == 403 || r.status == 404 {
                Ok(())
            } else {
                Err("expected 403")
            }
        }
        (_, Some(_)) => {
            if r.status == 403 || refused_as_anonymous(r, path) {
                Err("an allowed caller was refused")
            } else {
                Ok(())
            }
        }
    }
}

/// A consultation with a draft, an opening, a submission and a staged import.
async fn fixture(app: &TestApp, staff: &str, dept_a: &str) -> Fixture {
    let c = app.consultation(staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let slug = c["slug"].as_str().unwrap().to_string();
    let draft = include_str!("../fixtures/seed_000.txt");
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain; charset=utf-8"))
                .set_payload(draft.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(staff),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/submissions"),
            None,
            serde_json::json!({"body": "建议增加算力券的发放范围。", "email": "w@example.org"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["tracking_code"].as_str().unwrap().to_string();
    let outbox_id: String = {
        use yijian::db::schema::outbox_messages;
        outbox_messages::table
            .select(outbox_messages::id)
            .first(&mut *app.conn())
            .expect("the submission's receipt is in the outbox")
    };
    let opinion_id: String = {
        use yijian::db::schema::{opinions, submissions};
        let mut conn = app.conn();
        opinions::table
            .inner_join(submissions::table)
            .filter(submissions::tracking_code.eq(&code))
            .select(opinions::id)
            .first(&mut *conn)
            .unwrap()
    };
    let b = app.browser();
    let r = b.login("staff@example.org", PASSWORD).await;
    assert_eq!(r.status, 303);
    // A session of the staff user's (the walk's callers may end only their own).
    let session_id = {
        use yijian::db::schema::{sessions, users};
        sessions::table
            .inner_join(users::table)
            .filter(users::email.eq("staff@example.org"))
            .select(sessions::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let form = b
        .get(&format!("/staff/consultations/{id}/drafts/new"))
        .await;
    let csrf = Browser::csrf(&form);
    let r = b
        .post_multipart(
            &format!("/staff/consultations/{id}/drafts"),
            &[
                ("csrf_token", &csrf),
                ("text", "一、总体要求\n（一）目标。加快发展。"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let location = r.header("location").unwrap().to_string();
    let import_id = location.rsplit('/').next().unwrap().to_string();
    // Unit A is asked for its views and attaches a letter.
    let unit_a = app.get_as("/api/v1/units", staff).await.json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/solicitations"),
            Some(staff),
            serde_json::json!({"unit_ids": [unit_a], "deadline": "2099-12-31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app
        .send(
            TestRequest::post()
                .uri("/api/v1/attachments?filename=letter.pdf")
                .insert_header(("Authorization", format!("Bearer {dept_a}")))
                .set_payload(b"%PDF-1.4 a letter".to_vec()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let attachment_id = r.json()["id"].as_str().unwrap().to_string();
    // A token of the staff user and a user to change (the department user of unit B).
    // A spare token of unit B's user, which the walk may revoke without locking anyone out.
    yijian::app::users::create_token(
        &mut app.conn(),
        Caller::DepartmentB.email(),
        "spare",
        &yijian::app::Actor::cli(),
    )
    .unwrap();
    let token_id = {
        use yijian::db::schema::api_tokens;
        api_tokens::table
            .filter(api_tokens::name.eq("spare"))
            .select(api_tokens::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let user_id = {
        use yijian::db::schema::users;
        users::table
            .filter(users::email.eq(Caller::DepartmentB.email()))
            .select(users::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let document_id = yijian::app::documents::add(
        &mut app.conn(),
        &app.config.data_dir,
        &id,
        yijian::app::documents::NewDocument {
            kind: "explanation",
            title: "起草说明",
            filename: Some("explanation.pdf"),
            bytes: b"%PDF-1.4 an explanation",
        },
        &yijian::app::Actor::cli(),
    )
    .unwrap()
    .id;
    Fixture {
        values: vec![
            ("secret", "yjr_not-a-live-link".into()),
            ("document_id", document_id),
            ("token_id", token_id),
            ("session_id", session_id),
            ("user_id", user_id),
            ("unit_id", unit_a),
            ("attachment_id", attachment_id),
            ("id", id),
            ("slug", slug),
            ("code", code),
            ("import_id", import_id),
            ("outbox_id", outbox_id),
            ("opinion_id", opinion_id),
            ("version_no", "1".into()),
            ("name", "app.css".into()),
        ],
    }
}
