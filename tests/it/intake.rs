//! Comment intake: the public form, the JSON twin, receipts, tracking, the window, abuse.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, TestApp};

const SEED_001: &str = include_str!("../fixtures/seed_001.txt");

/// An open consultation with seed 001 as its draft: (id, slug, first clause id, staff token).
async fn open_consultation(app: &TestApp) -> (String, String, String, String) {
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let c = app.consultation(&staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(SEED_001),
        )
        .await;
    assert_eq!(r.status, 201);
    let first = r.json()["clauses"][1]["id"].as_str().unwrap().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    (id, c["slug"].as_str().unwrap().to_string(), first, staff)
}

#[actix_web::test]
async fn a_person_comments_on_a_clause_and_gets_a_receipt() {
    for app in TestApp::all().await {
        let (_id, slug, clause, _) = open_consultation(&app).await;
        let b = app.browser();
        let home = b.get("/").await.text();
        assert!(
            home.contains(&format!("/c/{slug}")),
            "listed as open on the home page"
        );
        let form = b.get(&format!("/c/{slug}/comment?clause={clause}")).await;
        assert_eq!(form.status, 200);
        assert!(
            form.text().contains(&format!("value=\"{clause}\" checked")),
            "pre-filled from the link"
        );
        let csrf = Browser::csrf(&form);
        let key = {
            let t = form.text();
            let m = "name=\"idempotency_key\" value=\"";
            let s = t.find(m).unwrap() + m.len();
            t[s..s + 32].to_string()
        };
        // Invalid: an empty opinion and a bad email; the input is kept.
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("idempotency_key", &key),
                    ("clause_ids", &clause),
                    ("body", " "),
                    ("email", "wang@"),
                    ("name", "王华"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        let html = r.text();
        assert!(html.contains("请填写意见内容"), "{html}");
        assert!(html.contains("请填写有效的电子邮箱地址"));
        assert!(html.contains("aria-describedby=\"email-hint email-error\""));
        assert!(html.contains("value=\"王华\""), "input kept");
        assert_eq!(app.count_rows("submissions"), 0);
        // Fixed and sent.
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("clause_ids", clause.as_str()),
            ("body", "建议增加人工智能伦理审查的内容。"),
            ("email", "wang.hua@example.org"),
            ("phone", "13800138000"),
            ("name", "王华"),
            ("organization", "华中科技大学"),
        ];
        let r = b.post_form(&format!("/c/{slug}/comment"), &fields).await;
        assert_eq!(r.status, 303, "{}", r.text());
        let to = r.header("location").unwrap().to_string();
        assert!(
            to.starts_with("/track/YJ-") && to.ends_with("?received=1"),
            "{to}"
        );
        let code = to[7..19].to_string();
        // A double click: the same submission.
        let r = b.post_form(&format!("/c/{slug}/comment"), &fields).await;
        assert_eq!(r.header("location"), Some(to.as_str()));
        assert_eq!(app.count_rows("submissions"), 1);
        assert_eq!(app.count_rows("opinions"), 1);
        assert_eq!(
            app.count_rows("outbox_messages"),
            1,
            "one receipt email, written with it"
        );
        // The receipt page.
        let r = b.get(&to).await;
        assert_eq!(r.status, 200);
        let html = r.text();
        assert!(html.contains("您的意见已收到"));
        assert!(html.contains(&code));
        assert!(html.contains("建议增加人工智能伦理审查的内容"));
        assert!(
            html.contains("二、编制原则") || html.contains("二、"),
            "the clause named"
        );
        for private in ["wang.hua@example.org", "13800138000"] {
            assert!(!html.contains(private), "{private} on the tracking page");
        }
        // The consultation page counts it and shows no personal data.
        let page = b.get(&format!("/c/{slug}")).await.text();
        assert!(page.contains("已收到意见 1 条"));
        assert!(
            b.get("/").await.text().contains("已收到意见 1 条"),
            "the home page counts too"
        );
        assert!(page.contains("1 条意见"));
        assert!(!page.contains("wang.hua@example.org") && !page.contains("13800138000"));
        // Tracking by typed code, any case; unknown codes are a plain 404.
        let r = b.get(&format!("/track?code={}", code.to_lowercase())).await;
        assert_eq!(r.status, 303);
        assert_eq!(
            r.header("location"),
            Some(format!("/track/{code}").as_str())
        );
        let r = app.get(&format!("/api/v1/track/{code}")).await;
        assert_eq!(r.status, 200);
        let j = r.json();
        assert_eq!(j["body"], "建议增加人工智能伦理审查的内容。");
        assert!(!j.to_string().contains("example.org") && !j.to_string().contains("138001"));
        assert_eq!(app.get("/track/YJ-2222-2222").await.status, 404);
        assert_eq!(app.get("/api/v1/track/not-a-code").await.status, 404);
        let mut conn = app.conn();
        let s = yijian::db::submissions::find_by_code(&mut conn, &code)
            .unwrap()
            .unwrap();
        assert_eq!(s.channel, "public_web");
        assert_eq!(s.email.as_deref(), Some("wang.hua@example.org"));
        assert_eq!(
            yijian::db::audit::for_entity(&mut conn, "submission", &s.id).unwrap()[0].action,
            "submission.receive"
        );
    }
}

/// The consultation page goes gzip-compressed to browsers that take it, the same page as the
/// plain one, and plain to the rest.
#[actix_web::test]
async fn the_consultation_page_is_compressed_for_browsers_that_take_it() {
    use std::io::Read;
    for app in TestApp::all().await {
        let (_id, slug, _, _) = open_consultation(&app).await;
        let path = format!("/c/{slug}");
        let plain = app.get(&path).await;
        assert_eq!(plain.status, 200);
        assert_eq!(plain.header("content-encoding"), None);
        assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
        assert!(plain.text().contains("</html>"));
        let get = |accept: &'static str| {
            app.send(
                TestRequest::get()
                    .uri(&path)
                    .insert_header(("Accept-Encoding", accept)),
            )
        };
        for accept in ["gzip, deflate, br", "br;q=1.0, gzip;q=0.8"] {
            let z = get(accept).await;
            assert_eq!(z.status, 200);
            assert_eq!(z.header("content-encoding"), Some("gzip"), "{accept}");
            assert_eq!(z.header("vary"), Some("Accept-Encoding"));
            assert!(z.body.len() < plain.body.len(), "{} bytes", z.body.len());
            let mut html = Vec::new();
            flate2::read::GzDecoder::new(&z.body[..])
                .read_to_end(&mut html)
                .unwrap();
            assert_eq!(html, plain.body, "the same page");
        }
        for accept in ["gzip;q=0", "br", "identity"] {
            let r = get(accept).await;
            assert_eq!(r.header("content-encoding"), None, "{accept}");
            assert_eq!(r.body, plain.body);
        }
    }
}

#[actix_web::test]
async fn the_form_refuses_outside_the_window_bots_and_forged_posts() {
    for app in TestApp::all().await {
        let (id, slug, _, staff) = open_consultation(&app).await;
        let b = app.browser();
        let form = b.get(&format!("/c/{slug}/comment")).await;
        let csrf = Browser::csrf(&form);
        // No CSRF token.
        let r = b
            .post_form(&format!("/c/{slug}/comment"), &[("body", "有效的意见内容")])
            .await;
        assert_eq!(r.status, 400);
        // The honeypot.
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[
                    ("csrf_token", &csrf),
                    ("body", "有效的意见内容"),
                    ("website", "http://spam.example"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("提交未被接受"));
        assert_eq!(app.count_rows("submissions"), 0);
        // Closed early: the form says so, and the POST is refused with the same message.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/close"),
                Some(&staff),
                json!({"reason": "提前完成"}),
            )
            .await;
        assert_eq!(r.status, 200);
        let f = b.get(&format!("/c/{slug}/comment")).await.text();
        assert!(f.contains("征求意见已经结束"));
        assert!(!f.contains("<textarea"));
        let r = b
            .post_form(
                &format!("/c/{slug}/comment"),
                &[("csrf_token", &csrf), ("body", "有效的意见内容")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("征求意见已经结束"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions?lang=en"),
                None,
                json!({"body": "too late"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.json()["fields"]["window"]
                .as_str()
                .unwrap()
                .contains("closed")
        );
        assert_eq!(app.count_rows("submissions"), 0);
        // A draft consultation is not there at all.
        let c = app.consultation(&staff, 40).await;
        let draft_slug = c["slug"].as_str().unwrap();
        assert_eq!(app.get(&format!("/c/{draft_slug}")).await.status, 404);
        assert_eq!(
            app.get(&format!("/c/{draft_slug}/comment")).await.status,
            404
        );
        assert_eq!(app.get("/c/no-such-thing").await.status, 404);
    }
}

#[actix_web::test]
async fn not_yet_open_says_so() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let r = app
            .post_json(
                "/api/v1/consultations",
                Some(&staff),
                json!({"title": "将来", "draft_title": "d", "opens_at": "2099-01-01", "closes_at": "2099-03-01"}),
            )
            .await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        let slug = r.json()["slug"].as_str().unwrap().to_string();
        app.post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
        let page = app.get(&format!("/c/{slug}")).await.text();
        assert!(page.contains("征求意见尚未开始"));
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "早到的意见"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.json()["fields"]["window"]
                .as_str()
                .unwrap()
                .contains("尚未开始")
        );
    }
}

#[actix_web::test]
async fn the_api_takes_comments_and_staff_record_letters() {
    for app in TestApp::all().await {
        let (id, _slug, clause, staff) = open_consultation(&app).await;
        let url = format!("/api/v1/consultations/{id}/submissions");
        let r = app.post_json(&url, None, json!({"body": "通过接口提交的意见", "clause_ids": [clause], "idempotency_key": "k-1"})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let code = r.json()["tracking_code"].as_str().unwrap().to_string();
        let r = app.post_json(&url, None, json!({"body": "通过接口提交的意见", "clause_ids": [clause], "idempotency_key": "k-1"})).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["tracking_code"], code.as_str());
        assert_eq!(r.json()["duplicate"], true);
        // A clause of another consultation, bad types, the public posing as a letter.
        let r = app
            .post_json(
                &url,
                None,
                json!({"body": "意见", "clause_ids": [uuid::Uuid::now_v7().to_string()]}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.json()["fields"]["clause_ids"].is_string());
        let r = app.post_json(&url, None, json!({"body": 42})).await;
        assert_eq!(r.status, 400);
        let r = app
            .post_json(&url, None, json!({"body": "一封信", "channel": "letter"}))
            .await;
        assert_eq!(r.status, 403);
        // Staff record a letter, with the sender's name.
        let r = app
            .post_json(&url, Some(&staff), json!({"body": "来信提出的意见", "channel": "letter", "name": "李明", "organization": "某协会"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let c = r.json()["tracking_code"].as_str().unwrap().to_string();
        let mut conn = app.conn();
        let s = yijian::db::submissions::find_by_code(&mut conn, &c)
            .unwrap()
            .unwrap();
        assert_eq!(s.channel, "letter");
        assert!(s.recorded_by.is_some());
        assert_eq!(app.count_rows("outbox_messages"), 0, "no address, no email");
    }
}

#[actix_web::test]
async fn concurrent_submissions_are_each_committed_once() {
    for app in TestApp::all().await {
        let (id, _slug, _, _) = open_consultation(&app).await;
        let url = format!("/api/v1/consultations/{id}/submissions");
        // More than the per-address limit would allow: staff tokens are not rate-limited.
        let staff = app.user_with_token("recorder@example.org", Role::Staff, None);
        let futs = (0..200).map(|i| {
            let body = json!({"body": format!("并发提交的意见 {i}"), "idempotency_key": format!("c-{}", i % 150)});
            let req = TestRequest::post()
                .uri(&url)
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .set_json(body);
            app.send(req)
        });
        let results = futures_util::future::join_all(futs).await;
        let mut codes = std::collections::HashSet::new();
        for r in &results {
            assert!(r.status == 201 || r.status == 200, "{}", r.text());
            let j: Value = r.json();
            codes.insert(j["tracking_code"].as_str().unwrap().to_string());
        }
        assert_eq!(codes.len(), 150, "one submission per idempotency key");
        assert_eq!(app.count_rows("submissions"), 150);
        assert_eq!(app.count_rows("opinions"), 150);
        assert!(app.count_rows("audit_events") >= 150);
    }
}

#[actix_web::test]
async fn public_comments_are_rate_limited_per_address() {
    for app in TestApp::all().await {
        let (id, _slug, _, _) = open_consultation(&app).await;
        let url = format!("/api/v1/consultations/{id}/submissions");
        let mut last = 0;
        for i in 0..31 {
            let r = app
                .post_json(&url, None, json!({"body": format!("第 {i} 条意见")}))
                .await;
            last = r.status;
            if i < 30 {
                assert_eq!(r.status, 201, "{i}: {}", r.text());
            } else {
                assert_eq!(r.json()["error"], "too_many_requests");
                assert!(r.json()["message"].as_str().unwrap().contains("分钟后再试"));
                assert!(r.header("retry-after").is_some());
            }
        }
        assert_eq!(last, 429);
    }
}

/// The writer's batch path: repeated idempotency keys (of an earlier batch and within the
/// batch) are answered with the first receipt, tracking codes already taken or drawn twice are
/// drawn again (and the receipt email says the new code), and when the batch's multi-row
/// insert is refused, every comment is written on its own, so one bad row costs only itself.
#[actix_web::test]
async fn a_batch_settles_repeats_and_collisions_and_isolates_a_bad_row() {
    use diesel::prelude::*;
    use yijian::app::intake::{self, BatchCache, Request};
    use yijian::db::schema::{outbox_messages, submissions};
    use yijian::domain::comment::CommentInput;
    for app in TestApp::all().await {
        let (id, _slug, clause, _) = open_consultation(&app).await;
        let earlier = app
            .post_json(
                &format!("/api/v1/consultations/{id}/submissions"),
                None,
                json!({"body": "较早的一条意见。", "idempotency_key": "k-earlier"}),
            )
            .await;
        assert_eq!(earlier.status, 201, "{}", earlier.text());
        let taken = earlier.json()["tracking_code"]
            .as_str()
            .unwrap()
            .to_string();

        let mut conn = app.conn();
        let request = |body: &str, key: &str, email: Option<&str>| Request {
            consultation: id.clone(),
            input: CommentInput {
                clause_ids: vec![clause.clone()],
                body: body.into(),
                email: email.map(str::to_string),
                idempotency_key: Some(key.into()),
                ..Default::default()
            },
            locale: yijian::i18n::Locale::ZhCn,
            base_url: "https://yj.example.org".into(),
            actor: yijian::app::Actor::public(None),
        };
        #[allow(clippy::disallowed_methods)]
        let outcome = conn
            .transaction::<_, yijian::app::Error, _>(|c| {
                let mut cache = BatchCache::default();
                let mut prepare = |r: Request| intake::prepare(c, r, &mut cache);
                let mut a = prepare(request("第一条意见。", "k-a", Some("a@example.org")))?;
                let mut b = prepare(request("第二条意见。", "k-b", None))?;
                let again = prepare(request("第一条意见。", "k-a", Some("a@example.org")))?;
                let old = prepare(request("较早的一条意见。", "k-earlier", None))?;
                let mut bad = prepare(request("第五条意见。", "k-bad", None))?;
                // a takes a code that is taken; b draws the same code as a.
                a.new.submission.tracking_code = taken.clone();
                b.new.submission.tracking_code = taken.clone();
                // A clause that is not there: the multi-row insert fails on this row.
                bad.new.clause_ids = vec!["no-such-clause".into()];
                intake::write_batch(c, vec![Ok(a), Ok(b), Ok(again), Ok(old), Ok(bad)])
            })
            .unwrap();
        let receipts: Vec<_> = outcome
            .iter()
            .take(4)
            .map(|r| r.as_ref().unwrap())
            .collect();
        assert!(
            outcome[4].is_err(),
            "{:?}: the bad row is refused",
            app.backend
        );
        let (a, b, again, old) = (receipts[0], receipts[1], receipts[2], receipts[3]);
        assert_ne!(a.tracking_code, taken);
        assert_ne!(b.tracking_code, taken);
        assert_ne!(a.tracking_code, b.tracking_code);
        assert!(!a.duplicate && !b.duplicate);
        assert!(again.duplicate);
        assert_eq!(again.tracking_code, a.tracking_code);
        assert!(old.duplicate);
        assert_eq!(old.tracking_code, taken);
        let stored: Vec<(String, Option<String>)> = submissions::table
            .select((submissions::tracking_code, submissions::idempotency_key))
            .load(&mut *conn)
            .unwrap();
        assert_eq!(stored.len(), 3, "{:?}: {stored:?}", app.backend);
        assert!(!stored.iter().any(|(_, k)| k.as_deref() == Some("k-bad")));
        // The receipt is addressed and titled with the new code; its body is composed from
        // the submission when it is sent.
        let mail: Vec<(String, Option<String>)> = outbox_messages::table
            .select((outbox_messages::subject, outbox_messages::related_id))
            .load(&mut *conn)
            .unwrap();
        assert_eq!(mail.len(), 1);
        assert!(
            mail[0].0.contains(&a.tracking_code),
            "the receipt says the new code"
        );
        assert_eq!(mail[0].1.as_deref(), Some(a.submission_id.as_str()));
        assert_eq!(app.count_rows("opinions"), 3);
    }
}

/// Office writes while another writer commits without pause (as the intake does under load):
/// every one succeeds. Before use cases took the write lock first, a read-then-write
/// transaction failed with "database is locked" whenever the other writer committed between
/// its read and its write.
#[actix_web::test]
async fn office_writes_succeed_while_another_writer_commits_without_pause() {
    use diesel::RunQueryDsl;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    for app in TestApp::all().await {
        let staff = app.user_with_token("office@example.org", Role::Staff, None);
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (stop, commits) = (stop.clone(), commits.clone());
            let mut conn = app.test_db.connection();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _turn = yijian::db::tx::turn();
                    diesel::sql_query("UPDATE settings SET value = value")
                        .execute(&mut conn)
                        .unwrap();
                    commits.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        for i in 0..25 {
            let c = app.consultation(&staff, 40).await;
            let id = c["id"].as_str().unwrap();
            let r = app
                .send(
                    TestRequest::patch()
                        .uri(&format!("/api/v1/consultations/{id}"))
                        .insert_header(("Authorization", format!("Bearer {staff}")))
                        .set_json(json!({"description": format!("第{i}次修改的说明")})),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert!(
            commits.load(Ordering::Relaxed) > 25,
            "the other writer kept committing"
        );
        assert_eq!(app.count_rows("consultations"), 25);
    }
}
