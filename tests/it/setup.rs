//! First run: the one-time setup link, the first administrator, the sample consultation and
//! deleting it; on every database.

use crate::support::{Browser, TestApp};
use actix_web::test::TestRequest;
use serde_json::json;

const BANNER: &str = "尚未完成初始设置";

fn issue_token(app: &TestApp) -> String {
    yijian::app::setup::issue_token(&mut app.conn())
        .expect("issue token")
        .expect("no administrator yet")
}

#[actix_web::test]
async fn setup_creates_the_first_administrator_once() {
    for app in TestApp::all().await {
        let token = issue_token(&app);
        let b = app.browser();
        // Setup is pending: every page says so.
        let home = b.get("/").await;
        assert!(home.text().contains(BANNER), "{:?}", app.backend);
        assert!(b.get("/track").await.text().contains(BANNER));

        // No token, or a wrong one: nothing there.
        assert_eq!(b.get("/setup").await.status, 404);
        assert_eq!(b.get("/setup?token=yjsetup_wrong").await.status, 404);
        let page = b.get(&format!("/setup?token={token}")).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let csrf = Browser::csrf(&page);
        let wrong = b
            .post_form(
                "/setup",
                &[
                    ("csrf_token", &csrf),
                    ("token", "yjsetup_wrong"),
                    ("name", "管理员"),
                    ("email", "admin@example.org"),
                    ("password", "a long password 1"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 404);
        // A short password is refused and the token still works.
        let short = b
            .post_form(
                "/setup",
                &[
                    ("csrf_token", &csrf),
                    ("token", &token),
                    ("name", "管理员"),
                    ("email", "admin@example.org"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(short.status, 422, "{}", short.text());
        assert!(short.text().contains("密码至少需要"), "{}", short.text());
        assert_eq!(app.count_rows("users"), 0);

        let done = b
            .post_form(
                "/setup",
                &[
                    ("csrf_token", &csrf),
                    ("token", &token),
                    ("name", "管理员"),
                    ("email", "admin@example.org"),
                    ("password", "a long password 1"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.text());
        assert_eq!(done.header("location"), Some("/staff"));
        // Signed in as the new administrator, with a server-side session.
        let me = b.get("/api/v1/me").await;
        assert_eq!(me.status, 200, "{}", me.text());
        assert_eq!(me.json()["role"], "admin");
        assert_eq!(app.count_rows("sessions"), 1);
        // No sample was asked for.
        assert_eq!(app.count_rows("consultations"), 0);

        // Used: the link is gone, and so is the banner.
        assert_eq!(b.get(&format!("/setup?token={token}")).await.status, 404);
        let again = b
            .post_form(
                "/setup",
                &[
                    ("csrf_token", &csrf),
                    ("token", &token),
                    ("name", "x"),
                    ("email", "other@example.org"),
                    ("password", "a long password 1"),
                ],
            )
            .await;
        assert!(matches!(again.status, 403 | 404), "{}", again.status);
        let api_again = app
            .post_json(
                "/api/v1/setup",
                None,
                json!({"token": token, "name": "x", "email": "x@example.org", "password": "a long password 1"}),
            )
            .await;
        assert_eq!(api_again.status, 404);
        assert!(!app.get("/").await.text().contains(BANNER));
        assert!(
            yijian::app::setup::issue_token(&mut app.conn())
                .unwrap()
                .is_none()
        );
    }
}

#[actix_web::test]
async fn api_setup_with_the_sample_and_deleting_it() {
    for app in TestApp::all().await {
        let token = issue_token(&app);
        let b = app.browser();
        let wrong = b
            .send(TestRequest::post().uri("/api/v1/setup").set_json(json!({
                "token": "nope", "name": "管理员", "email": "admin@example.org",
                "password": "a long password 1", "sample": true,
            })))
            .await;
        assert_eq!(wrong.status, 404);
        let r = b
            .send(TestRequest::post().uri("/api/v1/setup").set_json(json!({
                "token": token, "name": "管理员", "email": "admin@example.org",
                "password": "a long password 1", "sample": true,
            })))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let body = r.json();
        assert_eq!(body["role"], "admin");
        let sample_id = body["sample"]["id"].as_str().unwrap().to_string();
        let slug = body["sample"]["slug"].as_str().unwrap().to_string();

        // Open for comment, marked 示例, on the home page, with its clauses and units.
        let home = app.get("/").await.text();
        assert!(home.contains("【示例】"), "{home}");
        assert!(home.contains(&format!("/c/{slug}")));
        assert!(home.contains("/track"));
        let c = app.get(&format!("/api/v1/consultations/{sample_id}")).await;
        assert_eq!(c.json()["status"], "open");
        assert_eq!(c.json()["sample"], true);
        assert!(app.count_rows("clauses") > 10);
        assert!(app.count_rows("units") > 0);
        let page = app.get(&format!("/c/{slug}")).await;
        assert_eq!(page.status, 200);
        let staff = b.get(&format!("/staff/consultations/{sample_id}")).await;
        assert!(staff.text().contains("/delete"), "{}", staff.text());

        // A comment on it, then one action deletes it all.
        let clause = app
            .get(&format!("/api/v1/consultations/{sample_id}/drafts/current"))
            .await
            .json();
        let clause_id = clause["clauses"][0]["id"].as_str().unwrap().to_string();
        let sub = app
            .post_json(
                &format!("/api/v1/consultations/{sample_id}/submissions"),
                None,
                json!({"body": "建议把这一条写得更具体一些。", "clause_ids": [clause_id]}),
            )
            .await;
        assert!(matches!(sub.status, 201 | 202), "{}", sub.text());
        let del = b
            .send(TestRequest::delete().uri(&format!("/api/v1/consultations/{sample_id}")))
            .await;
        assert_eq!(del.status, 204, "{}", del.text());
        assert_eq!(app.count_rows("consultations"), 0);
        assert_eq!(app.count_rows("submissions"), 0);
        assert_eq!(app.count_rows("clauses"), 0);
        assert!(!app.get("/").await.text().contains("【示例】"));
        assert_eq!(app.get(&format!("/c/{slug}")).await.status, 404);
    }
}

#[actix_web::test]
async fn only_a_sample_or_an_unopened_draft_is_deleted() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", yijian::domain::Role::Staff, None);
        let opened = app.consultation(&staff, 30).await;
        let id = opened["id"].as_str().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let del = |id: String| {
            let staff = staff.clone();
            let app = &app;
            async move {
                app.send(
                    TestRequest::delete()
                        .uri(&format!("/api/v1/consultations/{id}"))
                        .insert_header(("Authorization", format!("Bearer {staff}"))),
                )
                .await
            }
        };
        assert_eq!(del(id.to_string()).await.status, 409);
        assert_eq!(app.count_rows("consultations"), 1);

        let draft = app.consultation(&staff, 30).await;
        let draft_id = draft["id"].as_str().unwrap().to_string();
        assert_eq!(del(draft_id.clone()).await.status, 204);
        assert_eq!(del(draft_id).await.status, 404);
        assert_eq!(app.count_rows("consultations"), 1);
        // The public may not.
        let anon = app
            .send(TestRequest::delete().uri(&format!("/api/v1/consultations/{id}")))
            .await;
        assert_eq!(anon.status, 401);
    }
}

#[actix_web::test]
async fn the_site_says_who_runs_it_and_how_personal_information_is_handled() {
    let app = TestApp::with_settings(crate::support::TestDb::sqlite(), |s| {
        s.site_name = Some("武汉市人民政府意见征集".into());
        s.site_owner = Some("武汉市人民政府办公厅".into());
        s.site_icp = Some("鄂ICP备00000000号".into());
        s.site_psb = Some("鄂公网安备42010202000000号".into());
        s.site_code = Some("4201000000".into());
        s.site_contact = Some("027-12345678".into());
        s.privacy_text =
            Some("本站个人信息保护说明的第一段。\n\n第二段：联系 027-12345678。".into());
    })
    .await;
    let home = app.get("/").await.text();
    for part in [
        "武汉市人民政府意见征集",
        "主办单位：武汉市人民政府办公厅",
        "鄂ICP备00000000号",
        "鄂公网安备42010202000000号",
        "网站标识码：4201000000",
        "联系方式：027-12345678",
        "href=\"/track\"",
        "href=\"/privacy\"",
    ] {
        assert!(home.contains(part), "{part}: {home}");
    }
    let privacy = app.get("/privacy").await.text();
    assert!(
        privacy.contains("<p>本站个人信息保护说明的第一段。</p>"),
        "{privacy}"
    );
    assert!(privacy.contains("<p>第二段：联系 027-12345678。</p>"));

    // The default notice, in both languages, with the organiser filled in.
    let plain = TestApp::new(crate::support::TestDb::sqlite()).await;
    let zh = plain.get("/privacy").await.text();
    assert!(zh.contains("个人信息保护说明"), "{zh}");
    assert!(zh.contains("个人信息保护法"));
    assert!(zh.contains("收集哪些信息"));
    let en = plain.get("/privacy?lang=en").await.text();
    assert!(en.contains("Personal Information Protection Law"), "{en}");
    assert!(plain.get("/").await.text().contains("意见征集"));
}

#[actix_web::test]
async fn the_comment_form_ticks_clauses_and_says_how_long_is_too_long() {
    for app in TestApp::all().await {
        let token = issue_token(&app);
        let admin = app.browser();
        let r = admin
            .send(TestRequest::post().uri("/api/v1/setup").set_json(json!({
                "token": token, "name": "管理员", "email": "admin@example.org",
                "password": "a long password 1", "sample": true,
            })))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json()["sample"]["id"].as_str().unwrap().to_string();
        let slug = r.json()["sample"]["slug"].as_str().unwrap().to_string();
        let tree = app
            .get(&format!("/api/v1/consultations/{id}/drafts/current"))
            .await
            .json();
        let first = tree["clauses"][0]["id"].as_str().unwrap().to_string();
        let second = tree["clauses"][1]["id"].as_str().unwrap().to_string();

        let b = app.browser();
        let form = b.get(&format!("/c/{slug}/comment?clause={first}")).await;
        let html = form.text();
        assert!(html.contains("<fieldset class=\"clause-tree\""), "{html}");
        assert!(html.contains(&format!(
            "type=\"checkbox\" name=\"clause_ids\" value=\"{first}\" checked"
        )));
        assert!(
            html.contains(&format!("value=\"{second}\" data-label=")),
            "not ticked"
        );
        assert!(html.contains("<details"));
        assert!(!html.contains("<select"));
        assert!(!html.contains("maxlength=\"10000\""), "nothing is cut");
        assert!(html.contains("data-max=\"10000\""));
        assert!(html.contains("个人信息保护说明"));
        assert!(html.contains("href=\"/privacy\""));
        assert!(html.contains("type=\"tel\""));
        let csrf = Browser::csrf(&form);

        // 10,500 characters: refused with its length and the limit, and kept whole.
        let long = "意".repeat(10_500);
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_ids", &first),
                    ("clause_ids", &second),
                    ("body", &long),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        let t = r.text();
        assert!(
            t.contains("意见内容有 10500 字，超过了 10000 字的上限"),
            "{t}"
        );
        assert!(t.contains(&long), "the text is kept whole");
        assert!(t.contains(&format!("value=\"{second}\" checked")));

        // Two clauses ticked.
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_ids", &first),
                    ("clause_ids", &second),
                    ("body", "两条都要写明牵头单位和完成时限。"),
                    ("phone", "027-12345678"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let code = r
            .header("location")
            .unwrap()
            .trim_start_matches("/track/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let tracked = app.get(&format!("/api/v1/track/{code}")).await.json();
        assert_eq!(
            tracked["clauses"].as_array().map(Vec::len),
            Some(2),
            "{tracked}"
        );
    }
}

#[actix_web::test]
async fn the_sample_is_deleted_from_its_staff_page() {
    let app = TestApp::new(crate::support::TestDb::sqlite()).await;
    let token = issue_token(&app);
    let b = app.browser();
    let page = b.get(&format!("/setup?token={token}")).await;
    let csrf = Browser::csrf(&page);
    let done = b
        .post_form(
            "/setup",
            &[
                ("csrf_token", &csrf),
                ("token", &token),
                ("name", "管理员"),
                ("email", "admin@example.org"),
                ("password", "a long password 1"),
                ("sample", "1"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text());
    let at = done.header("location").unwrap().to_string();
    assert!(at.starts_with("/staff/consultations/"), "{at}");
    let staff = b.get(&at).await;
    let html = staff.text();
    assert!(
        html.contains("【示例】") && html.contains("示例</span>"),
        "{html}"
    );
    let csrf = Browser::csrf(&staff);
    let r = b
        .post_form(&format!("{at}/delete"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/staff"));
    assert_eq!(app.count_rows("consultations"), 0);
    assert_eq!(b.get(&at).await.status, 404);
}
