//! Hostile input and access: formulas in exports, NUL characters, addresses the mailer refuses,
//! invisible comments, another unit's attachment, wrong methods, oversize bodies.

use actix_web::test::TestRequest;

use crate::support::TestApp;

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
