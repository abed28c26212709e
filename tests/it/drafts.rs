//! Draft import: API (text, file, multipart), command line, browser flow with preview, bad input.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, TestApp, docx};

const SEED_000: &str = include_str!("../fixtures/seed_000.txt");
const SEED_004: &str = include_str!("../fixtures/seed_004.txt");

fn count(cs: &Value) -> usize {
    cs.as_array()
        .unwrap()
        .iter()
        .map(|c| 1 + count(&c["children"]))
        .sum()
}

fn add_unit(app: &TestApp, name: &str, kind: &str, aliases: &[&str]) -> String {
    let mut conn = app.conn();
    let id = yijian::db::new_id();
    let now = yijian::db::now();
    yijian::db::units::insert(
        &mut conn,
        &yijian::db::units::NewUnit {
            id: &id,
            name,
            kind,
            sort_order: 0,
            disabled: false,
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    for a in aliases {
        yijian::db::units::add_alias(&mut conn, &id, a).unwrap();
    }
    id
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> crate::support::Resp {
    app.send(
        TestRequest::post()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", content_type.to_string()))
            .set_payload(body),
    )
    .await
}

#[actix_web::test]
async fn seed_000_imports_as_a_clause_tree_with_duties_matched_to_units() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let keji = add_unit(&app, "武汉市科学技术局", "department", &["市科技局"]);
        let jingxin = add_unit(&app, "市经济和信息化局", "department", &[]);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let r = post_raw(
            &app,
            &format!("/api/v1/consultations/{id}/drafts"),
            &staff,
            "text/plain; charset=utf-8",
            SEED_000.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let tree = r.json();
        assert_eq!(tree["version"]["version_no"], 1);
        assert_eq!(tree["version"]["label"], "征求意见稿");
        assert_eq!(tree["title"], "市政协第十三届五次会议1号建议案办理工作方案");
        let top = tree["clauses"].as_array().unwrap();
        assert_eq!(top.len(), 4);
        assert_eq!(count(&tree["clauses"]), 35);
        assert_eq!(top[1]["label"], "二、");
        assert_eq!(top[1]["heading"], "工作任务");
        // 二、(一)2. has three duty notes led by 市经济和信息化局, 市科技局, 市地方金融工作局.
        let c2 = &top[1]["children"][0]["children"][1];
        assert_eq!(c2["path"], "二、(一)2.");
        let duties = c2["duties"].as_array().unwrap();
        assert_eq!(duties.len(), 3, "{c2}");
        assert_eq!(duties[0]["lead"], json!(["市经济和信息化局"]));
        assert_eq!(duties[1]["lead"], json!(["市科技局"]));
        assert_eq!(duties[2]["lead"], json!(["市地方金融工作局"]));
        // Units matched by name and by alias; the others reported.
        assert_eq!(duties[0]["units"][0]["unit_id"], json!(jingxin));
        assert_eq!(duties[1]["units"][0]["unit_id"], json!(keji));
        let unmatched: Vec<&str> = tree["unmatched_units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(unmatched.contains(&"市地方金融工作局"));
        assert!(!unmatched.contains(&"市科技局"));
        // The member list is not a clause.
        assert!(tree["trailer"].as_str().unwrap().contains("组长"));
        assert!(
            !serde_json::to_string(&tree["clauses"])
                .unwrap()
                .contains("组  长")
        );
        // Every clause has an id; the current version reads back the same.
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{id}/drafts/current"),
                &staff,
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["clauses"], tree["clauses"]);
        // The public sees it once the consultation is open, not before.
        assert_eq!(
            app.get(&format!("/api/v1/consultations/{id}/drafts/current"))
                .await
                .status,
            404
        );
        // A second import is version 2, the current one.
        let r = post_raw(
            &app,
            &format!("/api/v1/consultations/{id}/drafts?filename=seed.txt"),
            &staff,
            "text/plain",
            SEED_000.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.json()["version"]["version_no"], 2);
        assert_eq!(r.json()["version"]["label"], "修改稿");
        let cur = app
            .get_as(
                &format!("/api/v1/consultations/{id}/drafts/current"),
                &staff,
            )
            .await
            .json();
        assert_eq!(cur["version"]["version_no"], 2);
        let mut conn = app.conn();
        let h = yijian::db::audit::for_entity(
            &mut conn,
            "draft_version",
            cur["version"]["id"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(h[0].action, "draft.import");
    }
}

#[actix_web::test]
async fn word_gb18030_and_multipart_uploads() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let path = format!("/api/v1/consultations/{id}/drafts");
        // Word.
        let doc = docx(&[
            "一、总体要求",
            "（一）指导思想。全面落实。",
            "（二）基本原则",
            "二、重点任务",
            "1.提升能力。(责任单位:市科技局)",
        ]);
        let r = post_raw(
            &app,
            &format!("{path}?filename=plan.docx"),
            &staff,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            doc.clone(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let t = r.json();
        assert_eq!(count(&t["clauses"]), 5);
        assert_eq!(t["clauses"][0]["children"][0]["heading"], "指导思想");
        assert_eq!(
            t["clauses"][1]["children"][0]["duties"][0]["responsible"],
            json!(["市科技局"])
        );
        assert_eq!(t["version"]["source_filename"], "plan.docx");
        // GB18030 text.
        let (gbk, _, _) = encoding_rs::GB18030
            .encode("一、总体要求\r\n（一）指导思想。全面落实新发展理念。\r\n二、保障措施\r\n");
        let r = post_raw(&app, &path, &staff, "text/plain", gbk.into_owned()).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["clauses"][0]["heading"], "总体要求");
        // Multipart with a file field.
        let b = app.browser();
        let r = b
            .send(
                TestRequest::post()
                    .uri(&path)
                    .insert_header(("Authorization", format!("Bearer {staff}"))),
            )
            .await;
        assert_eq!(r.status, 422, "an empty body is refused");
        // No numbering at all: one clause per paragraph, said plainly.
        let r = post_raw(
            &app,
            &path,
            &staff,
            "text/plain",
            "第一段话。\n\n第二段话。\n\n第三段话。".as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, 201);
        let j = r.json();
        assert_eq!(j["notes"], json!(["no_numbering"]));
        assert_eq!(count(&j["clauses"]), 3);
    }
}

#[actix_web::test]
async fn bad_uploads_get_clear_messages_and_save_nothing() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let path = format!("/api/v1/consultations/{id}/drafts?lang=en");
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "empty"),
            (b"   \n\n  ".to_vec(), "empty"),
            (
                vec![0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0, 7],
                "not a text file",
            ),
            (b"%PDF-1.7\n%binary".to_vec(), "Only .txt, .md and .docx"),
            (
                b"PK\x03\x04garbage that is not a zip".to_vec(),
                "Word file could not be read",
            ),
        ];
        for (body, needle) in cases {
            let r = post_raw(&app, &path, &staff, "application/octet-stream", body).await;
            assert_eq!(r.status, 422, "{needle}: {}", r.text());
            let j = r.json();
            assert!(
                j["fields"]["file"].as_str().unwrap().contains(needle),
                "{needle}: {j}"
            );
        }
        // 50 MB: refused before it is read whole.
        let r = post_raw(
            &app,
            &path,
            &staff,
            "text/plain",
            vec![b'a'; 50 * 1024 * 1024],
        )
        .await;
        assert_eq!(r.status, 413);
        assert_eq!(r.json()["error"], "payload_too_large");
        // Permissions and unknown consultations.
        let approver = app.user_with_token("approver@example.org", Role::Approver, None);
        let r = post_raw(
            &app,
            &path,
            &approver,
            "text/plain",
            SEED_004.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, 403);
        let r = app
            .send(TestRequest::post().uri(&path).set_payload(SEED_004))
            .await;
        assert_eq!(r.status, 401);
        let missing = uuid::Uuid::now_v7();
        let r = post_raw(
            &app,
            &format!("/api/v1/consultations/{missing}/drafts"),
            &staff,
            "text/plain",
            SEED_004.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, 404);
        use diesel::prelude::*;
        let n: i64 = yijian::db::schema::draft_versions::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(n, 0, "nothing saved half-done");
    }
}

#[actix_web::test]
async fn staff_import_through_the_browser_with_preview_adjustments() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let b = app.browser();
        // Not signed in: the page sends to the login form and back.
        let r = b
            .get(&format!("/staff/consultations/{id}/drafts/new"))
            .await;
        assert_eq!(r.status, 303);
        assert!(
            r.header("location")
                .unwrap()
                .starts_with("/login?next=%2Fstaff%2Fconsultations%2F")
        );
        let r = b.login("staff@example.org", "wrong password").await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("邮箱或密码不正确"));
        let r = b.login("staff@example.org", "correct horse battery").await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(r.header("location"), Some("/staff"));

        let form = b
            .get(&format!("/staff/consultations/{id}/drafts/new"))
            .await;
        assert_eq!(form.status, 200);
        let csrf = Browser::csrf(&form);
        // Without the CSRF token: refused.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/drafts"),
                &[("text", "一、甲")],
                None,
            )
            .await;
        assert_eq!(r.status, 400);
        // Nothing chosen: the form again, with the message.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/drafts"),
                &[("csrf_token", &csrf), ("text", "")],
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("请选择文件或粘贴文本"));
        // Upload seed 004 as a file.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/drafts"),
                &[("csrf_token", &csrf)],
                Some(("seed_004.txt", SEED_004.as_bytes())),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let preview_url = r.header("location").unwrap().to_string();
        let p = b.get(&preview_url).await;
        assert_eq!(p.status, 200);
        let html = p.text();
        assert!(html.contains("第1级 4 条"), "counts by level shown");
        assert!(html.contains("文件链接"), "the trailer is shown apart");
        // Units named in duty notes but not in the directory are offered to be added.
        assert!(html.contains("以下单位未在单位目录中找到"));
        assert!(html.contains("市经济和信息化委"), "seed 004 names it");
        let csrf = Browser::csrf(&p);
        let r = b
            .post_form(
                &format!("{preview_url}/units"),
                &[
                    ("csrf_token", &csrf),
                    ("name", "市经济和信息化委"),
                    ("kind", "department"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let html = b.get(&preview_url).await.text();
        assert!(
            !html.contains("value=\"市经济和信息化委\""),
            "no longer offered"
        );
        // Merge the second clause into the first, then undo it.
        let r = b
            .post_form(
                &format!("{preview_url}/ops"),
                &[("csrf_token", &csrf), ("op", "merge"), ("at", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        let p2 = b.get(&preview_url).await.text();
        assert!(
            p2.contains("第1级 4 条，第2级 16 条") || p2.contains("第2级 16 条"),
            "one fewer clause at level 2"
        );
        let r = b
            .post_form(&format!("{preview_url}/undo"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(r.status, 303);
        assert!(b.get(&preview_url).await.text().contains("第2级 17 条"));
        // An impossible adjustment is refused with a message.
        let r = b
            .post_form(
                &format!("{preview_url}/ops"),
                &[("csrf_token", &csrf), ("op", "merge"), ("at", "0")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("这一调整在这里无法进行"));
        // End the draft after the last top-level section's first clause… simply save.
        let r = b
            .post_form(&format!("{preview_url}/save"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(r.status, 303);
        let page = b.get(&format!("/staff/consultations/{id}")).await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("共 37 条"), "the saved tree is shown");
        let tree = app
            .get_as(
                &format!("/api/v1/consultations/{id}/drafts/current"),
                &staff,
            )
            .await
            .json();
        let js = tree.to_string();
        assert!(
            js.contains("\"name\":\"市经济和信息化委\",\"role\":\"responsible\",\"unit_id\":\""),
            "linked on saving"
        );
        assert!(html.contains("市科技局") || html.contains("责任"));
        // Saving twice makes no second version.
        let r = b
            .post_form(&format!("{preview_url}/save"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(r.status, 303);
        use diesel::prelude::*;
        let n: i64 = yijian::db::schema::draft_versions::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(n, 1);
        // A department user cannot reach these pages.
        add_unit(&app, "市教育局", "department", &[]);
        let _ = app.user_with_token("dept@example.org", Role::Department, Some("市教育局"));
        let d = app.browser();
        assert_eq!(
            d.login("dept@example.org", "correct horse battery")
                .await
                .status,
            303
        );
        assert_eq!(
            d.get(&format!("/staff/consultations/{id}/drafts/new"))
                .await
                .status,
            403
        );
        assert_eq!(d.get(&preview_url).await.status, 403);
    }
}

#[test]
fn parse_command_prints_json_and_tree_without_a_database() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed_004.txt");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .args(["parse", fixture])
        .current_dir(dir.path())
        .env("YIJIAN_DATABASE_URL", "mysql://not-used")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["title", "clauses", "front_matter", "trailer"] {
        assert!(j.get(k).is_some(), "{k}");
    }
    assert_eq!(j["clauses"].as_array().unwrap().len(), 4);
    assert!(!dir.path().join("data").exists(), "no database touched");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .args(["parse", fixture, "--format", "tree"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().any(|l| l.starts_with("一、")), "{tree}");
    assert!(tree.lines().any(|l| l.starts_with("  (一)")), "{tree}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .args(["parse", "/no/such/file.txt"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn import_command_saves_a_version() {
    for tdb in crate::support::TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = tdb.connection();
        yijian::db::run_migrations(&mut conn).unwrap();
        let c = yijian::app::consultations::create(
            &mut conn,
            yijian::app::consultations::CreateConsultation {
                title: "t".into(),
                draft_title: "d".into(),
                opens_at: "2026-12-01".into(),
                closes_at: "2027-01-31".into(),
                slug: Some("seed-four".into()),
                ..Default::default()
            },
            chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
            &yijian::app::Actor::cli(),
        )
        .unwrap();
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed_004.txt");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
            .args(["import", fixture, "--consultation", "seed-four"])
            .current_dir(dir.path())
            .env("YIJIAN_DATABASE_URL", &tdb.url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("37 clauses"));
        let tree = yijian::app::drafts::current_tree(&mut conn, &c.id)
            .unwrap()
            .unwrap();
        assert_eq!(tree.clauses.len(), 4);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
            .args(["import", fixture, "--consultation", "nope"])
            .env("YIJIAN_DATABASE_URL", &tdb.url)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no consultation"));
    }
}
