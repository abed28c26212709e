//! The public site around a consultation: what is upcoming, an early close told as it was, the
//! draft to download, the chosen clauses beside the comment box.

use std::io::Read;

use actix_web::test::TestRequest;
use serde_json::json;
use yijian::domain::Role;

use crate::support::TestApp;

const SEED_003: &str = include_str!("../fixtures/seed_003.txt");

/// A consultation with seed 003 as its draft, opened; `opens_in_days` from now (negative:
/// already open). Returns (id, slug, staff token).
async fn consultation(app: &TestApp, opens_in_days: i64) -> (String, String, String) {
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let opens = chrono::Utc::now() + chrono::Duration::days(opens_in_days);
    let r = app
        .post_json(
            "/api/v1/consultations",
            Some(&staff),
            json!({
                "title": "关于征求《示例条例》意见的公告",
                "draft_title": "示例条例（征求意见稿）",
                "opens_at": opens.to_rfc3339(),
                "closes_at": (opens + chrono::Duration::days(40)).to_rfc3339(),
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let slug = r.json()["slug"].as_str().unwrap().to_string();
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(SEED_003),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    (id, slug, staff)
}

/// The part of `html` from the heading with `id` to the next section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let Some(at) = html.find(&format!("id=\"{id}\"")) else {
        return "";
    };
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[actix_web::test]
async fn a_consultation_opened_before_its_window_is_listed_as_upcoming() {
    for app in TestApp::all().await {
        let (_, now_slug, _) = consultation(&app, -1).await;
        let staff2 = app.user_with_token("staff2@example.org", Role::Staff, None);
        let opens = chrono::Utc::now() + chrono::Duration::days(5);
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff2),
                json!({
                    "title": "下周开始的征求意见",
                    "draft_title": "另一个方案（征求意见稿）",
                    "opens_at": opens.to_rfc3339(),
                    "closes_at": (opens + chrono::Duration::days(35)).to_rfc3339(),
                }),
            )
            .await;
        let later = r.json()["id"].as_str().unwrap().to_string();
        let later_slug = r.json()["slug"].as_str().unwrap().to_string();
        app.send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{later}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff2}")))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(SEED_003),
        )
        .await;
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{later}/open"),
                Some(&staff2),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());

        let home = app.get("/").await.text();
        let open = section(&home, "open-h");
        let upcoming = section(&home, "upcoming-h");
        assert!(open.contains(&now_slug), "the open one is open");
        assert!(
            !open.contains(&later_slug),
            "not yet open is not under 正在征求意见"
        );
        assert!(upcoming.contains("即将开始"));
        assert!(upcoming.contains(&later_slug));
        let day = (opens + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string();
        assert!(
            upcoming.contains(&format!("{day} 开始征求意见")),
            "{upcoming}"
        );
        // Without one, there is no empty section.
        let english = app.get("/?lang=en").await.text();
        assert!(english.contains("Opening soon"));
    }
}

#[actix_web::test]
async fn an_early_close_shows_when_it_ended_and_why() {
    for app in TestApp::all().await {
        let (id, slug, staff) = consultation(&app, -1).await;
        let page = app.get(&format!("/c/{slug}")).await.text();
        assert!(!page.contains("提前结束"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/close"),
                Some(&staff),
                json!({"reason": "上位法已修订，需重新起草"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let page = app.get(&format!("/c/{slug}")).await.text();
        let today = (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string();
        assert!(
            page.contains(&format!("本次征求意见已于 {today}")),
            "{page}"
        );
        assert!(page.contains("提前结束（原定 "));
        assert!(page.contains("理由：上位法已修订，需重新起草"));
        // The window says when it really ended.
        let meta = &page[page.find("class=\"meta\"").unwrap()..];
        let meta = &meta[..meta.find("</p>").unwrap()];
        assert!(meta.contains(&format!("至 {today}")), "{meta}");
        let en = app.get(&format!("/c/{slug}?lang=en")).await.text();
        assert!(en.contains("This consultation closed early"));
        assert!(en.contains("Reason: 上位法已修订"));
    }
}

#[actix_web::test]
async fn the_draft_downloads_as_docx_and_plain_text() {
    for app in TestApp::all().await {
        let (_, slug, _) = consultation(&app, -1).await;
        let page = app.get(&format!("/c/{slug}")).await.text();
        assert!(page.contains(&format!("href=\"/c/{slug}/draft?format=docx\"")));
        assert!(page.contains(&format!("href=\"/c/{slug}/draft?format=txt\"")));

        let txt = app.get(&format!("/c/{slug}/draft?format=txt")).await;
        assert_eq!(txt.status, 200);
        assert_eq!(
            txt.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(
            txt.header("content-disposition")
                .unwrap()
                .contains("attachment")
        );
        let text = txt.text();
        // The articles as the page shows them, in order.
        let lines = ["一、总体要求", "二、工作任务", "加快形成重大原创性突破成果"];
        let mut from = 0;
        for l in lines {
            let at = text[from..]
                .find(l)
                .unwrap_or_else(|| panic!("{l} after byte {from} in {text}"));
            from += at;
        }
        assert!(text.contains("坚持以习近平新时代中国特色社会主义思想为指导"));

        let docx = app.get(&format!("/c/{slug}/draft?format=docx")).await;
        assert_eq!(docx.status, 200);
        assert_eq!(
            docx.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.body.clone())).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains("方正小标宋简体"),
            "the title in the document font"
        );
        for l in lines {
            assert!(xml.contains(l), "{l}");
        }

        let bad = app.get(&format!("/c/{slug}/draft?format=pdf")).await;
        assert_eq!(bad.status, 400);
        assert_eq!(app.get("/c/no-such-thing/draft").await.status, 404);
    }
}

#[actix_web::test]
async fn a_draft_that_was_never_opened_cannot_be_downloaded() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let (id, slug) = (c["id"].as_str().unwrap(), c["slug"].as_str().unwrap());
        app.send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(SEED_003),
        )
        .await;
        assert_eq!(
            app.get(&format!("/c/{slug}/draft?format=txt")).await.status,
            404
        );
        // Nor its documents; deleting the consultation takes them with it.
        let doc = yijian::app::documents::add(
            &mut app.conn(),
            &app.config.data_dir,
            id,
            yijian::app::documents::NewDocument {
                kind: "explanation",
                title: "起草说明",
                filename: Some("a.pdf"),
                bytes: b"%PDF-1.4 x",
            },
            &yijian::app::Actor::cli(),
        )
        .unwrap();
        assert_eq!(
            app.get(&format!("/c/{slug}/documents/{}", doc.id))
                .await
                .status,
            404
        );
        let r = app
            .send(
                TestRequest::delete()
                    .uri(&format!("/api/v1/consultations/{id}"))
                    .insert_header(("Authorization", format!("Bearer {staff}"))),
            )
            .await;
        assert!(r.status < 300, "{} {}", r.status, r.text());
        assert_eq!(app.count_rows("consultation_documents"), 0);
    }
}

#[actix_web::test]
async fn the_comment_form_shows_the_chosen_clause_beside_the_box() {
    for app in TestApp::all().await {
        let (id, slug, _) = consultation(&app, -1).await;
        let tree = app
            .get(&format!("/api/v1/consultations/{id}/drafts/current"))
            .await
            .json();
        let clause = tree["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| !c["text"].as_str().unwrap_or("").is_empty())
            .expect("a clause with words")
            .clone();
        let words: String = clause["text"].as_str().unwrap().chars().take(20).collect();
        let none = app.get(&format!("/c/{slug}/comment")).await.text();
        let panel = &none[none.find("class=\"chosen-list\"").unwrap()..];
        let panel = &panel[..panel.find("</aside>").unwrap()];
        assert!(panel.contains("尚未选择条款"));
        assert!(!panel.contains(&words));

        let form = app
            .get(&format!(
                "/c/{slug}/comment?clause={}",
                clause["id"].as_str().unwrap()
            ))
            .await
            .text();
        let panel = &form[form.find("class=\"chosen-list\"").unwrap()..];
        let panel = &panel[..panel.find("</aside>").unwrap()];
        assert!(panel.contains(clause["label"].as_str().unwrap()), "{panel}");
        assert!(panel.contains(&words), "the clause's own words: {panel}");
        assert!(!panel.contains("尚未选择条款"));
        // Every box carries its words for the script that keeps the panel current.
        assert!(form.contains("data-excerpt="));
        assert!(form.contains("class=\"clause-search\" hidden"));
    }
}

#[actix_web::test]
async fn the_office_publishes_a_drafting_explanation_beside_the_draft() {
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    for app in TestApp::all().await {
        let (id, slug, staff) = consultation(&app, -1).await;
        let approver = app.user_with_token("approver@example.org", Role::Approver, None);
        let _ = approver;
        let b = app.browser();
        assert_eq!(
            b.login("staff@example.org", "correct horse battery")
                .await
                .status,
            303
        );
        let page = b.get(&format!("/staff/consultations/{id}/documents")).await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains("尚未上传文件"));
        let csrf = crate::support::Browser::csrf(&page);

        // A file that is not a document is refused, in words, and nothing is listed.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/documents"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "explanation"),
                    ("title", ""),
                ],
                Some(("说明.exe", b"MZ\x90\x00 not a document")),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.text().contains("只接受 PDF、DOCX、PNG 或 JPEG 文件。"),
            "{}",
            r.text()
        );
        // Without a CSRF token, nothing.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/documents"),
                &[("kind", "explanation")],
                Some(("起草说明.pdf", PDF)),
            )
            .await;
        assert_eq!(r.status, 400, "refused without the form's token");

        // The drafting explanation, its title left to the kind's name.
        let r = b
            .post_multipart(
                &format!("/staff/consultations/{id}/documents"),
                &[
                    ("csrf_token", &csrf),
                    ("kind", "explanation"),
                    ("title", ""),
                ],
                Some(("起草说明.pdf", PDF)),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let back = b.get(r.header("location").unwrap()).await.text();
        assert!(back.contains("已上传《起草说明》"), "{back}");
        // A policy interpretation through the API, as a raw body.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&format!(
                        "/api/v1/consultations/{id}/documents?kind=interpretation&title=%E4%B8%80%E5%9B%BE%E8%AF%BB%E6%87%82&filename=jiedu.png"
                    ))
                    .insert_header(("Authorization", format!("Bearer {staff}")))
                    .set_payload(b"\x89PNG\r\n\x1a\n0000 a picture".to_vec()),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let picture = r.json();
        assert_eq!(picture["kind"], "interpretation");
        assert_eq!(picture["title"], "一图读懂");
        assert_eq!(picture["media_type"], "image/png");

        // The public page lists both, in order, and serves them.
        let public = app.get(&format!("/c/{slug}")).await.text();
        let listed = section(&public, "documents-h");
        let first = listed.find("起草说明").unwrap();
        let second = listed.find("一图读懂").unwrap();
        assert!(first < second, "{listed}");
        assert!(listed.contains("PDF · 1 KB"));
        let href = {
            let at = listed.find("href=\"").unwrap() + 6;
            listed[at..at + listed[at..].find('"').unwrap()].to_string()
        };
        let file = app.get(&href).await;
        assert_eq!(file.status, 200);
        assert_eq!(file.header("content-type"), Some("application/pdf"));
        assert_eq!(file.body, PDF);
        let list = app
            .get(&format!("/api/v1/consultations/{id}/documents"))
            .await
            .json();
        assert_eq!(list["documents"].as_array().unwrap().len(), 2);
        // Another consultation's address does not serve it.
        let (_, other_slug, _) = {
            let staff3 = app.user_with_token("staff3@example.org", Role::Staff, None);
            let c = app.consultation(&staff3, 40).await;
            (
                c["id"].as_str().unwrap().to_string(),
                c["slug"].as_str().unwrap().to_string(),
                staff3,
            )
        };
        let doc_id = href.rsplit('/').next().unwrap();
        assert_eq!(
            app.get(&format!("/c/{other_slug}/documents/{doc_id}"))
                .await
                .status,
            404
        );

        // Removing one takes it off the public page at once.
        let r = app
            .send(
                TestRequest::delete()
                    .uri(&format!(
                        "/api/v1/consultations/{id}/documents/{}",
                        picture["id"].as_str().unwrap()
                    ))
                    .insert_header(("Authorization", format!("Bearer {staff}"))),
            )
            .await;
        assert_eq!(r.status, 204);
        let public = app.get(&format!("/c/{slug}")).await.text();
        assert!(!public.contains("一图读懂"));
        assert!(public.contains("起草说明"));
        // Every step is audited.
        assert_eq!(
            app.count_rows("audit_events WHERE action LIKE 'document.%'"),
            3
        );
    }
}

#[actix_web::test]
async fn only_the_office_adds_or_removes_documents() {
    for app in TestApp::all().await {
        let (id, _, _) = consultation(&app, -1).await;
        for (email, role) in [
            ("approver@example.org", Role::Approver),
            ("dept@example.org", Role::Department),
        ] {
            let unit = if role == Role::Department {
                let r = app
                    .post_json(
                        "/api/v1/units",
                        Some(&app.user_with_token("admin-for-unit@example.org", Role::Admin, None)),
                        json!({"name": "市测试局", "kind": "department"}),
                    )
                    .await;
                Some(r.json()["id"].as_str().unwrap().to_string())
            } else {
                None
            };
            let token = app.user_with_token(email, role, unit.as_deref());
            let r = app
                .send(
                    TestRequest::post()
                        .uri(&format!("/api/v1/consultations/{id}/documents?kind=other"))
                        .insert_header(("Authorization", format!("Bearer {token}")))
                        .set_payload(b"%PDF-1.4 x".to_vec()),
                )
                .await;
            assert_eq!(r.status, 403, "{email}");
        }
        assert_eq!(app.count_rows("consultation_documents"), 0);
    }
}
