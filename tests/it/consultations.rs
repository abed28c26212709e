//! Creating consultations and their lifecycle through the API.

use serde_json::json;
use yijian::domain::Role;

use crate::support::TestApp;

#[actix_web::test]
async fn staff_create_a_consultation_and_it_is_audited() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({
                    "title": "人工智能先导区实施方案征求意见",
                    "draft_title": "实施方案(征求意见稿)",
                    "description": "欢迎提出意见。",
                    "opens_at": "2026-12-01",
                    "closes_at": "2026-12-31 18:00",
                    "slug": "ai-plan-2026",
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let c = r.json();
        assert_eq!(c["slug"], "ai-plan-2026");
        assert_eq!(c["status"], "draft");
        assert_eq!(c["opens_at"], "2026-12-01T00:00:00+08:00");
        assert_eq!(c["closes_at"], "2026-12-31T18:00:00+08:00");
        let id = c["id"].as_str().unwrap().to_string();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert_eq!(
            r.header("location"),
            Some(format!("/api/v1/consultations/{id}").as_str())
        );

        let mut conn = app.conn();
        let h = yijian::db::audit::for_entity(&mut conn, "consultation", &id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].action, "consultation.create");
        assert_eq!(h[0].actor_label, "staff@example.org");

        // The same slug again is refused.
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "x", "draft_title": "y", "opens_at": "2026-12-01", "closes_at": "2027-01-31", "slug": "ai-plan-2026"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["fields"]["slug"], "该网址标识已被使用。");
    }
}

#[actix_web::test]
async fn bad_input_is_refused_field_by_field_and_saves_nothing() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app
            .post_json("/api/v1/consultations?lang=en", Some(&staff), json!({}))
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        let j = r.json();
        assert_eq!(j["error"], "validation");
        for f in ["title", "draft_title", "opens_at", "closes_at"] {
            assert!(j["fields"][f].is_string(), "{f}: {j}");
        }
        // Window shorter than 30 days without a reason.
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "t", "draft_title": "d", "opens_at": "2026-12-01", "closes_at": "2026-12-15"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.json()["fields"]["short_window_reason"]
                .as_str()
                .unwrap()
                .contains("第十五条")
        );
        // Closing before opening, unparseable time, bad slug.
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "t", "draft_title": "d", "opens_at": "2026-12-01", "closes_at": "2026-11-01", "slug": "Bad Slug"}),
            )
            .await;
        let j = r.json();
        assert!(
            j["fields"]["closes_at"].is_string() && j["fields"]["slug"].is_string(),
            "{j}"
        );
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "t", "draft_title": "d", "opens_at": "soon", "closes_at": "2026-11-01"}),
            )
            .await;
        assert!(r.json()["fields"]["opens_at"].is_string());
        // Not JSON at all, and wrong types.
        let r = app
            .send(
                actix_web::test::TestRequest::post()
                    .uri("/api/v1/consultations")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload("{not json"),
            )
            .await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["error"], "bad_request");
        let r = app
            .post_json("/api/v1/consultations", Some(&staff), json!({"title": 5}))
            .await;
        assert_eq!(r.status, 400);
        // Too large.
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "x".repeat(yijian::web::BODY_LIMIT)}),
            )
            .await;
        assert_eq!(r.status, 413);
        assert_eq!(r.json()["error"], "payload_too_large");

        use diesel::prelude::*;
        let n: i64 = yijian::db::schema::consultations::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(n, 0, "nothing saved");
    }
}

#[actix_web::test]
async fn only_office_roles_create_and_change_consultations() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let admin = app.user_with_token("admin@example.org", Role::Admin, None);
        let approver = app.user_with_token("approver@example.org", Role::Approver, None);
        let body = json!({"title": "t", "draft_title": "d", "opens_at": "2026-12-01", "closes_at": "2027-01-31"});
        assert_eq!(
            app.post_json("/api/v1/consultations", None, body.clone())
                .await
                .status,
            401
        );
        assert_eq!(
            app.post_json("/api/v1/consultations", Some(&approver), body.clone())
                .await
                .status,
            403
        );
        assert_eq!(
            app.post_json("/api/v1/consultations", Some(&admin), body.clone())
                .await
                .status,
            201
        );
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        for path in [
            format!("/api/v1/consultations/{id}/open"),
            format!("/api/v1/consultations/{id}/close"),
        ] {
            assert_eq!(app.post_json(&path, None, json!({})).await.status, 401);
            assert_eq!(
                app.post_json(&path, Some(&approver), json!({}))
                    .await
                    .status,
                403
            );
        }
        // A draft is invisible to the public, visible to staff.
        assert_eq!(
            app.get(&format!("/api/v1/consultations/{id}")).await.status,
            404
        );
        assert_eq!(
            app.get_as(&format!("/api/v1/consultations/{id}"), &staff)
                .await
                .status,
            200
        );
        // Ids that do not parse, and ids that do not exist, are 404s.
        assert_eq!(
            app.get("/api/v1/consultations/not-a-uuid").await.status,
            404
        );
        assert_eq!(
            app.post_json(
                "/api/v1/consultations/not-a-uuid/open",
                Some(&staff),
                json!({})
            )
            .await
            .status,
            404
        );
        let missing = uuid::Uuid::now_v7();
        assert_eq!(
            app.post_json(
                &format!("/api/v1/consultations/{missing}/open"),
                Some(&staff),
                json!({})
            )
            .await
            .status,
            404
        );
    }
}

#[actix_web::test]
async fn lifecycle_open_then_close_early_with_a_reason() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        // Cannot close a draft.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/close"),
                Some(&staff),
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["status"], "open");
        assert_eq!(r.json()["window"], "open");
        assert_eq!(
            app.get(&format!("/api/v1/consultations/{id}")).await.status,
            200,
            "public once open"
        );
        // Early close needs a reason.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/close"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.json()["fields"]["reason"].is_string());
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/close"),
                Some(&staff),
                json!({"reason": "上级要求提前完成"}),
            )
            .await;
        assert_eq!(r.status, 200);
        let j = r.json();
        assert_eq!(j["status"], "closed");
        assert_eq!(j["window"], "closed");
        assert_eq!(j["closed_early_reason"], "上级要求提前完成");
        let mut conn = app.conn();
        let actions: Vec<String> = yijian::db::audit::for_entity(&mut conn, "consultation", id)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "consultation.create",
                "consultation.open",
                "consultation.closed"
            ]
        );
    }
}

#[actix_web::test]
async fn staff_edit_settings_with_the_window_rule_and_channels() {
    use crate::support::Browser;
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let b = app.browser();
        b.login("staff@example.org", "correct horse battery").await;
        let form = b.get(&format!("/staff/consultations/{id}/edit")).await;
        assert_eq!(form.status, 200);
        let csrf = Browser::csrf(&form);
        // Shortened to 10 days without a reason: refused, nothing changed.
        let opens = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
        let closes = (chrono::Utc::now() + chrono::Duration::days(10))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let fields = |reason: &'static str, channels: &[&'static str]| {
            let mut f: Vec<(&str, String)> = vec![
                ("csrf_token", csrf.clone()),
                ("title", "新标题".into()),
                ("draft_title", "新的征求意见稿".into()),
                ("opens_at", opens.clone()),
                ("closes_at", closes.clone()),
                ("short_window_reason", reason.into()),
                ("description", "".into()),
                ("contact", "".into()),
            ];
            for c in channels {
                f.push(("channel", (*c).into()));
            }
            f
        };
        let f = fields("", &["public_web"]);
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b
            .post_form(&format!("/staff/consultations/{id}/edit"), &refs)
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("新标题"), "input kept");
        let f = fields("", &[]);
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b
            .post_form(&format!("/staff/consultations/{id}/edit"), &refs)
            .await;
        assert!(r.text().contains("请至少选择一个渠道"));
        // With the reason, and letters only: saved and audited.
        let f = fields("上级要求年底前印发", &["letter", "meeting"]);
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b
            .post_form(&format!("/staff/consultations/{id}/edit"), &refs)
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let c = app
            .get_as(&format!("/api/v1/consultations/{id}"), &staff)
            .await
            .json();
        assert_eq!(c["title"], "新标题");
        assert_eq!(c["channels"], json!(["letter", "meeting"]));
        assert_eq!(c["short_window_reason"], "上级要求年底前印发");
        // The public no longer comments on it.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "一条意见"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("不通过这个渠道"));
        // The API twin, partial.
        let r = app
            .send(
                actix_web::test::TestRequest::patch()
                    .uri(&format!("/api/v1/consultations/{id}"))
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_json(json!({"channels": ["public_web", "letter"], "contact": "027-1"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["contact"], "027-1");
        assert_eq!(r.json()["title"], "新标题");
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "一条意见"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        use diesel::prelude::*;
        use yijian::db::schema::audit_events;
        let n: i64 = audit_events::table
            .filter(audit_events::action.eq("consultation.update"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(n, 2);
    }
}
