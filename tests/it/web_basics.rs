//! The web skeleton: health, pages, errors, language, security headers, API auth.

use actix_web::test::TestRequest;
use yijian::domain::Role;

use crate::support::TestApp;

#[actix_web::test]
async fn healthz_reports_the_backend_after_a_real_query() {
    for app in TestApp::all().await {
        let r = app.get("/healthz").await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            serde_json::json!({
                "status": "ok",
                "database": app.backend.as_str(),
                "mail": {"queued": 0, "failed": 0},
            })
        );
    }
}

#[actix_web::test]
async fn security_headers_on_every_response() {
    for app in TestApp::all().await {
        for path in [
            "/",
            "/healthz",
            "/static/app.css",
            "/no/such/page",
            "/api/v1/me",
        ] {
            let r = app.get(path).await;
            let csp = r.header("content-security-policy").unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
            assert_eq!(
                r.header("x-content-type-options"),
                Some("nosniff"),
                "{path}"
            );
            assert!(r.header("referrer-policy").is_some(), "{path}");
            assert!(
                r.header("x-request-id").is_some_and(|v| v.len() >= 32),
                "{path}"
            );
        }
    }
}

#[actix_web::test]
async fn home_page_is_chinese_by_default_and_english_on_request() {
    for app in TestApp::all().await {
        let r = app.get("/").await;
        assert_eq!(r.status, 200);
        let html = r.text();
        assert!(html.contains(r#"<html lang="zh-CN">"#));
        assert!(html.contains("公开征求意见"));
        assert!(html.contains("目前没有正在征求意见的事项"));

        let r = app.get("/?lang=en").await;
        assert!(r.text().contains(r#"<html lang="en">"#));
        assert!(r.text().contains("No consultation is open"));
        let cookie = r.header("set-cookie").unwrap_or_default().to_string();
        assert!(cookie.starts_with("lang=en"), "{cookie}");

        // The cookie keeps the choice; Accept-Language is the fallback.
        let r = app
            .send(
                TestRequest::get()
                    .uri("/")
                    .insert_header(("Cookie", "lang=en")),
            )
            .await;
        assert!(r.text().contains(r#"<html lang="en">"#));
        let r = app
            .send(
                TestRequest::get()
                    .uri("/")
                    .insert_header(("Accept-Language", "en-GB,en;q=0.9")),
            )
            .await;
        assert!(r.text().contains(r#"<html lang="en">"#));
        let r = app.get("/?lang=xx").await;
        assert!(r.text().contains(r#"<html lang="zh-CN">"#));
        assert!(r.header("set-cookie").is_none());
    }
}

#[actix_web::test]
async fn error_pages_are_localized_with_a_request_id() {
    for app in TestApp::all().await {
        let r = app.get("/no/such/page").await;
        assert_eq!(r.status, 404);
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("text/html")
        );
        let html = r.text();
        assert!(html.contains("页面不存在"), "{html}");
        let id = r.header("x-request-id").unwrap().to_string();
        assert!(html.contains(&id), "the page shows the request id");

        let r = app.get("/no/such/page?lang=en").await;
        assert!(r.text().contains("Page not found"));

        let r = app.get("/static/nothing.css").await;
        assert_eq!(r.status, 404);
        let r = app.send(TestRequest::delete().uri("/healthz")).await;
        assert!(r.status == 404 || r.status == 405, "{}", r.status);
    }
}

#[actix_web::test]
async fn api_errors_are_json_with_code_message_fields() {
    for app in TestApp::all().await {
        let r = app.get("/api/v1/nothing-here").await;
        assert_eq!(r.status, 404);
        let j = r.json();
        assert_eq!(j["error"], "not_found");
        assert_eq!(j["message"], "您要找的页面不存在或已被移除。");
        assert!(j["fields"].is_object());

        let r = app.get("/api/v1/nothing-here?lang=en").await;
        assert_eq!(
            r.json()["message"],
            "The page you asked for does not exist or has been removed."
        );

        let r = app.get("/api/v1/me").await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error"], "unauthorized");
    }
}

#[actix_web::test]
async fn bearer_tokens_authenticate_and_bad_ones_are_refused() {
    for app in TestApp::all().await {
        let token = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app.get_as("/api/v1/me", &token).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["email"], "staff@example.org");
        assert_eq!(j["role"], "staff");

        for bad in [
            "nonsense",
            &format!("yj_{}", "0".repeat(64)),
            &token[..token.len() - 1],
        ] {
            let r = app.get_as("/api/v1/me", bad).await;
            assert_eq!(r.status, 401, "{bad}");
            assert_eq!(r.json()["error"], "unauthorized");
        }
        let r = app
            .send(
                TestRequest::get()
                    .uri("/api/v1/me")
                    .insert_header(("Authorization", format!("Basic {token}"))),
            )
            .await;
        assert_eq!(r.status, 401);

        // Revoked tokens and disabled users stop working at once.
        {
            use diesel::prelude::*;
            use yijian::db::schema::{api_tokens, users};
            let mut conn = app.conn();
            let id: String = api_tokens::table
                .select(api_tokens::id)
                .first(&mut *conn)
                .unwrap();
            assert!(yijian::db::tokens::revoke(&mut conn, &id).unwrap());
            let r = app.get_as("/api/v1/me", &token).await;
            assert_eq!(r.status, 401);

            let token2 = app.user_with_token("dept@example.org", Role::Admin, None);
            assert_eq!(app.get_as("/api/v1/me", &token2).await.status, 200);
            diesel::update(users::table.filter(users::email.eq("dept@example.org")))
                .set(users::disabled_at.eq(Some(yijian::db::now())))
                .execute(&mut *conn)
                .unwrap();
            assert_eq!(app.get_as("/api/v1/me", &token2).await.status, 401);
        }
    }
}

#[actix_web::test]
async fn static_files_are_embedded_with_types() {
    for app in TestApp::all().await {
        let r = app.get("/static/app.css").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
        assert!(r.text().contains("@media print"));
        let r = app.get("/static/app.js").await;
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("text/javascript")
        );
    }
}
