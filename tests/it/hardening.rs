//! Hostile input and access: formulas in exports, NUL characters, addresses the mailer refuses,
//! invisible comments, another unit's attachment, wrong methods, oversize bodies.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery";

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

fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = zip.by_name(name).unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    s
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
        assert_eq!(r.header("allow"), Some("GET, PATCH, DELETE"));
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
        assert_eq!(app.count_rows("submissions"), 0);
    }
}

/// The message shown beside a field holding a NUL, in Chinese.
const NUL_ZH: &str = "此项含有空字符（U+0000），请删除后重新提交。";

#[actix_web::test]
async fn nul_characters_are_refused_wherever_text_comes_in() {
    for app in TestApp::all().await {
        let (id, slug, staff) = open_consultation(&app).await;
        app.user_with_token("office@example.org", Role::Staff, None);
        let submissions = app.count_rows("submissions");

        // The comment form: a field error on the localized page; nothing stored.
        let b = app.browser();
        let form = b.get(&format!("/c/{slug}/comment")).await;
        let csrf = Browser::csrf(&form);
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("body", "建议增加\0伦理审查"),
                    ("name", "王某"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(NUL_ZH), "{}", r.text());
        assert!(r.text().contains("body"));
        // The same body sent as text/plain is read as the same form.
        let r = b
            .send(
                TestRequest::post()
                    .uri(&format!("/c/{slug}/comment"))
                    .insert_header(("Content-Type", "text/plain"))
                    .set_payload(format!("csrf_token={csrf}&body=%E5%BB%BA%E8%AE%AE%00x")),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());

        // The comment API: the JSON error shape, in the caller's language.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions?lang=en"),
                None,
                json!({"body": "建议增加\u{0}伦理审查", "name": "王某"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        let j = r.json();
        assert_eq!(j["error"], "validation");
        assert_eq!(
            j["fields"]["body"],
            "This field contains a NUL character (U+0000); remove it and submit again."
        );
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "建议增加伦理审查", "name": "王\u{0}某"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["fields"]["name"], NUL_ZH);
        assert_eq!(app.count_rows("submissions"), submissions);

        // Signing in, by the form and by the API.
        let login = b.get("/login").await;
        let csrf = Browser::csrf(&login);
        let r = b
            .post_form(
                "/login",
                &[
                    ("csrf_token", &csrf),
                    ("email", "office@example.org\0"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(NUL_ZH));
        let r = app
            .post_json(
                "/api/v1/session",
                None,
                json!({"email": "office@example.org\u{0}", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["fields"]["email"], NUL_ZH);

        // A search in the triage inbox: a 400, on the page and in the API.
        let s = app.browser();
        assert_eq!(s.login("office@example.org", PASSWORD).await.status, 303);
        let inbox = format!("/staff/consultations/{id}/opinions");
        assert_eq!(s.get(&format!("{inbox}?q=ok")).await.status, 200);
        let r = s.get(&format!("{inbox}?q=a%00b")).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(r.text().contains("空字符"));
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{id}/opinions?q=%00"),
                &staff,
            )
            .await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.json()["error"], "bad_request");

        // A path segment is a page that does not exist.
        for path in [
            "/c/a%00b".to_string(),
            format!("/c/{slug}%00"),
            "/track/ABCD%00EFGH".to_string(),
            "/api/v1/track/ABCD%00EFGH".to_string(),
            "/static/a%00.css".to_string(),
        ] {
            let r = app.get(&path).await;
            assert_eq!(r.status, 404, "{path}: {}", r.text());
        }

        // A unit's name, by the form and by the API.
        let units = app.count_rows("units");
        let page = s.get("/admin/units").await;
        let csrf = Browser::csrf(&page);
        let r = s
            .post_form(
                "/admin/units",
                &[
                    ("csrf_token", &csrf),
                    ("name", "市科技\0局"),
                    ("kind", ""),
                    ("aliases", ""),
                    ("emails", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "市科技\u{0}局", "kind": "department"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["fields"]["name"], NUL_ZH);
        // A file of units (a body the gate does not read as a form) is checked where it is read.
        let r = app
            .send(
                TestRequest::post()
                    .uri("/api/v1/units/import")
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload("名称,类别\n市科技\0局,部门\n"),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["fields"]["file"], NUL_ZH);
        assert_eq!(app.count_rows("units"), units);

        // A consultation's title, by the form, the API, and a multipart form's text field.
        let consultations = app.count_rows("consultations");
        let new = s.get("/staff/consultations/new").await;
        let csrf = Browser::csrf(&new);
        let r = s
            .post_form(
                "/staff/consultations",
                &[
                    ("csrf_token", &csrf),
                    ("title", "关于\0征求意见"),
                    ("draft_title", "方案"),
                    ("slug", ""),
                    ("opens_at", "2099-01-01T09:00"),
                    ("closes_at", "2099-03-01T09:00"),
                    ("short_window_reason", ""),
                    ("description", ""),
                    ("contact", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("title"));
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "关于\u{0}征求意见", "draft_title": "方案",
                       "opens_at": "2099-01-01T09:00:00+08:00", "closes_at": "2099-03-01T09:00:00+08:00"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(r.json()["fields"]["title"], NUL_ZH);
        let r = app
            .send(
                TestRequest::patch()
                    .uri(&format!("/api/v1/consultations/{id}"))
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_json(json!({"title": "新\u{0}标题"})),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(app.count_rows("consultations"), consultations);
        let imports = s
            .get(&format!("/staff/consultations/{id}/drafts/new"))
            .await;
        let csrf = Browser::csrf(&imports);
        let r = s
            .post_multipart(
                &format!("/staff/consultations/{id}/drafts"),
                &[("csrf_token", &csrf), ("text", "第一条\0 内容")],
                None,
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(NUL_ZH));

        // Nothing of it reached the database as a failure: the application still answers.
        assert_eq!(app.get("/healthz").await.status, 200);
    }
}

#[actix_web::test]
async fn a_comment_of_invisible_characters_is_empty() {
    for app in TestApp::all().await {
        let (id, slug, _staff) = open_consultation(&app).await;
        let invisible = "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}\u{200B}\u{200B}";
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": invisible}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.json()["fields"]["body"].is_string());
        let b = app.browser();
        let form = b.get(&format!("/c/{slug}/comment")).await;
        let csrf = Browser::csrf(&form);
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("body", &format!(" {invisible}\u{3000}")),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("请填写意见内容"), "{}", r.text());
        assert_eq!(app.count_rows("submissions"), 0);
        // Visible text with a zero-width space inside is a comment.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "\u{200B}建议增加\u{200B}伦理审查"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
}

#[actix_web::test]
async fn addresses_the_mailer_refuses_are_refused_when_entered() {
    for app in TestApp::all().await {
        let (id, slug, staff) = open_consultation(&app).await;
        let admin = app.user_with_token("admin@example.org", Role::Admin, None);
        let bad = "user@[127.0.0.1]";
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "建议增加伦理审查", "email": bad}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.json()["fields"]["email"].is_string());
        let b = app.browser();
        let form = b.get(&format!("/c/{slug}/comment")).await;
        let csrf = Browser::csrf(&form);
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("body", "建议增加伦理审查"),
                    ("email", "Wang <wang@example.org>"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(app.count_rows("submissions"), 0);
        let r = app
            .post_json(
                "/api/v1/users",
                Some(&admin),
                json!({"email": bad, "name": "某", "role": "staff"}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.json()["fields"]["email"].is_string());
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "市科技局", "kind": "department", "emails": [bad]}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.json()["fields"]["emails"].is_string());
        // An address the mailer reads is taken, and its receipt is queued.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "建议增加伦理审查", "email": "wang.hua+yj@example.org"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
}

/// A PDF uploaded through the API by `token`: its id.
async fn upload(app: &TestApp, token: &str, text: &str) -> String {
    let r = app
        .send(
            TestRequest::post()
                .uri("/api/v1/attachments?filename=letter.pdf")
                .insert_header(("Authorization", format!("Bearer {token}")))
                .set_payload(format!("%PDF-1.4 {text}").into_bytes()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn a_unit_cannot_link_or_read_another_units_attachment() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let mut units = Vec::new();
        for name in ["市经信局", "市科技局"] {
            let r = app
                .post_json(
                    "/api/v1/units",
                    Some(&staff),
                    json!({"name": name, "kind": "department"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            units.push(r.json()["id"].as_str().unwrap().to_string());
        }
        let (unit_a, unit_b) = (&units[0], &units[1]);
        let a = app.user_with_token("a@example.org", Role::Department, Some("市经信局"));
        let a2 = app.user_with_token("a2@example.org", Role::Department, Some("市经信局"));
        let b = app.user_with_token("b@example.org", Role::Department, Some("市科技局"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations"),
                Some(&staff),
                json!({"unit_ids": units, "deadline": "2099-01-31"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());

        let letter_a = upload(&app, &a, "unit A's letter").await;
        // Unit B replies naming A's upload: refused, nothing recorded, and still unreadable.
        let reply_b = format!("/api/v1/consultations/{id}/solicitations/{unit_b}/reply");
        let r = app
            .post_json(
                &reply_b,
                Some(&b),
                json!({"opinions": [{"body": "建议一"}], "attachment_id": letter_a}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(
            r.json()["fields"]["attachment"],
            "附件不存在，或不是本单位上传的。"
        );
        assert_eq!(app.count_rows("solicitation_replies"), 0);
        let download = format!("/attachments/{letter_a}");
        assert_eq!(app.get_as(&download, &b).await.status, 404);
        // The office may not hand it to unit B either.
        let r = app
            .post_json(
                &reply_b,
                Some(&staff),
                json!({"opinions": [{"body": "来函意见"}], "attachment_id": letter_a}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert_eq!(app.get_as(&download, &b).await.status, 404);

        // Unit A links its own upload (any of its users may); it stays A's.
        let reply_a = format!("/api/v1/consultations/{id}/solicitations/{unit_a}/reply");
        let r = app
            .post_json(
                &reply_a,
                Some(&a2),
                json!({"opinions": [{"body": "建议一"}], "attachment_id": letter_a}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(app.get_as(&download, &a2).await.status, 200);
        assert_eq!(app.get_as(&download, &a).await.status, 200);
        assert_eq!(app.get_as(&download, &b).await.status, 404);

        // B's own upload, and the office's paper letter for B with the office's own scan.
        let letter_b = upload(&app, &b, "unit B's letter").await;
        let r = app
            .post_json(
                &reply_b,
                Some(&b),
                json!({"opinions": [{"body": "建议二"}], "attachment_id": letter_b}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let scan = upload(&app, &staff, "a scan").await;
        let r = app
            .post_json(
                &reply_b,
                Some(&staff),
                json!({"opinions": [{"body": "来函意见"}], "attachment_id": scan}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(
            app.get_as(&format!("/attachments/{scan}"), &b).await.status,
            200
        );
        assert_eq!(
            app.get_as(&format!("/attachments/{letter_b}"), &a)
                .await
                .status,
            404
        );
    }
}

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"点击查看\")";

#[actix_web::test]
async fn exported_cells_that_look_like_formulas_stay_text() {
    for app in TestApp::all().await {
        let (id, _slug, staff) = open_consultation(&app).await;
        for body in [
            FORMULA,
            "+1+cmd|' /C calc'!A0",
            "-2+3 建议",
            "@SUM(A1:A2) 建议",
        ] {
            let r = app
                .post_json(
                    &format!("/api/v1/consultations/{id}/submissions"),
                    None,
                    json!({"body": body, "name": "=1+1", "publish_name": true}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
        }

        // CSV: every cell read back; none begins like a formula; the texts are all there.
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{id}/report?format=csv&edition=internal"),
                &staff,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let mut reader = csv::Reader::from_reader(&r.body[3..]);
        let cells: Vec<String> = reader
            .records()
            .flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .collect();
        for cell in &cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
        for expected in [
            format!("'{FORMULA}"),
            "'+1+cmd|' /C calc'!A0".to_string(),
            "'-2+3 建议".to_string(),
            "'@SUM(A1:A2) 建议".to_string(),
        ] {
            assert!(cells.contains(&expected), "{expected} in {cells:?}");
        }
        assert!(cells.iter().any(|c| c.starts_with("'=1+1")), "{cells:?}");

        // XLSX: the text is a shared string, and its cell is a string cell, not a formula.
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{id}/report?format=xlsx&edition=internal"),
                &staff,
            )
            .await;
        assert_eq!(r.status, 200);
        let strings = zip_part(&r.body, "xl/sharedStrings.xml");
        let sheet = zip_part(&r.body, "xl/worksheets/sheet1.xml");
        assert!(
            !sheet.contains("<f>") && !sheet.contains("<f "),
            "no formula"
        );
        let escaped = FORMULA.replace('&', "&amp;").replace('"', "&quot;");
        let items: Vec<&str> = strings.split("<si>").skip(1).collect();
        let index = items
            .iter()
            .position(|si| si.contains(FORMULA) || si.contains(&escaped))
            .unwrap_or_else(|| panic!("{FORMULA} is a shared string: {strings}"));
        let cell = sheet
            .split("<c ")
            .skip(1)
            .find(|c| c.contains(&format!("<v>{index}</v>")))
            .expect("a cell shows it");
        assert!(cell.contains("t=\"s\""), "a shared-string cell: {cell}");
    }
}
