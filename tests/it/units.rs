//! The units directory API.

use serde_json::json;
use yijian::domain::Role;

use crate::support::TestApp;

#[actix_web::test]
async fn units_are_created_listed_and_checked() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "武汉市科学技术局", "kind": "department", "aliases": ["市科技局", "科技局"], "emails": ["KJJ@wuhan.gov.cn"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        // The kind is guessed when left out.
        let r = app
            .post_json("/api/v1/units", Some(&staff), json!({"name": "江岸区"}))
            .await;
        assert_eq!(r.json()["kind"], "district");
        let r = app.get_as("/api/v1/units", &staff).await;
        let list = r.json();
        assert_eq!(list[0]["name"], "武汉市科学技术局", "departments first");
        assert_eq!(list[0]["aliases"], json!(["市科技局", "科技局"]));
        assert_eq!(list[0]["emails"], json!(["kjj@wuhan.gov.cn"]));
        assert_eq!(list[1]["name"], "江岸区");
        // A name that is already a unit's alias, a bad kind, an empty name, a bad email.
        for (body, field) in [
            (json!({"name": "市科技局"}), "name"),
            (json!({"name": "x", "kind": "ministry"}), "kind"),
            (json!({"name": "  "}), "name"),
            (
                json!({"name": "市教育局", "emails": ["not-an-email"]}),
                "emails",
            ),
        ] {
            let r = app
                .post_json("/api/v1/units", Some(&staff), body.clone())
                .await;
            assert_eq!(r.status, 422, "{body}");
            assert!(
                r.json()["fields"][field].is_string(),
                "{body}: {}",
                r.text()
            );
        }
        // Department users and the public may not.
        let dept = app.user_with_token("d@example.org", Role::Department, Some("江岸区"));
        assert_eq!(
            app.post_json("/api/v1/units", Some(&dept), json!({"name": "y"}))
                .await
                .status,
            403
        );
        assert_eq!(app.get_as("/api/v1/units", &dept).await.status, 403);
        assert_eq!(
            app.post_json("/api/v1/units", None, json!({"name": "y"}))
                .await
                .status,
            401
        );
        assert_eq!(app.get("/api/v1/units").await.status, 401);
        let mut conn = app.conn();
        let id = list[0]["id"].as_str().unwrap();
        assert_eq!(
            yijian::db::audit::for_entity(&mut conn, "unit", id).unwrap()[0].action,
            "unit.create"
        );
    }
}
