//! Hostile input and access: formulas in exports, NUL characters, addresses the mailer refuses,
//! invisible comments, another unit's attachment, wrong methods, oversize bodies.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::TestApp;

/// A consultation open from yesterday: (id, slug, staff token).
async fn open_consultation(app: &TestApp) -> (String, String, String) {
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
    (id, c["slug"].as_str().unwrap().to_string(), staff)
}

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<N>(&mut *app.conn())
        .unwrap()
        .n
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    for app in TestApp::all().await {
        let r = app.send(TestRequest::delete().uri("/login")).await;
        assert_eq!(r.status, 405, "{}", r.text());
        assert_eq!(r.header("allow"), Some("GET, POST"));
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text().contains("此地址不支持该请求方式"), "{}", r.text());

        let r = app
            .send(TestRequest::get().uri("/c/some-slug/comment"))
            .await;
        assert_eq!(r.status, 404, "a known path, an unknown consultation");
        let r = app
            .send(TestRequest::put().uri("/c/some-slug/comment"))
            .await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET, POST"));

        let id = uuid::Uuid::now_v7();
        let r = app
            .send(TestRequest::put().uri(&format!("/api/v1/consultations/{id}")))
            .await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET, PATCH"));
        assert_eq!(r.json()["error"], "method_not_allowed");
        let r = app.send(TestRequest::get().uri("/api/v1/session")).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("POST, DELETE"));
        let r = app.send(TestRequest::post().uri("/healthz")).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET"));

        // Unknown paths are still 404, whatever the method.
        assert_eq!(
            app.send(TestRequest::delete().uri("/no/such/page"))
                .await
                .status,
            404
        );
    }
}

#[actix_web::test]
async fn oversize_bodies_get_the_localized_413() {
    for app in TestApp::all().await {
        let (id, slug, _staff) = open_consultation(&app).await;
        let big = format!("body={}", "a".repeat(10 * 1024 * 1024));
        for content_type in [
            Some("application/x-www-form-urlencoded"),
            None,
            Some("multipart/form-data; boundary=x"),
            Some("application/octet-stream"),
        ] {
            let mut req = TestRequest::post()
                .uri(&format!("/c/{slug}/comment"))
                .set_payload(big.clone());
            if let Some(ct) = content_type {
                req = req.insert_header(("Content-Type", ct));
            }
            let r = app.send(req).await;
            assert_eq!(r.status, 413, "{content_type:?}");
            assert_eq!(
                r.header("content-type"),
                Some("text/html; charset=utf-8"),
                "{content_type:?}: {}",
                r.text().chars().take(200).collect::<String>()
            );
            assert!(
                r.text().contains("提交的内容超过了大小限制"),
                "{content_type:?}"
            );
        }
        let r = app
            .send(
                TestRequest::post()
                    .uri(&format!("/c/{slug}/comment?lang=en"))
                    .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                    .set_payload(big.clone()),
            )
            .await;
        assert!(r.text().contains("larger than the limit"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "a".repeat(10 * 1024 * 1024)}),
            )
            .await;
        assert_eq!(r.status, 413);
        let j: Value = r.json();
        assert_eq!(j["error"], "payload_too_large");
        assert_eq!(count(&app, "submissions"), 0);
    }
}
