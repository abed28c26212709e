//! Solicitation (定向征求) end to end: staff set up and invite through the pages, units reply
//! through the department portal, the board shows where everyone stands, one unit never sees
//! another's reply, the deadline closes the portal, reminders go out once.

use diesel::prelude::*;
use serde_json::json;
use yijian::domain::Role;

use crate::support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery";

/// The units of seed 002 this test uses: departments that replied, departments and districts
/// that declared no comment.
const DEPARTMENTS: [(&str, &str); 4] = [
    ("市科技局", "keji@example.org"),
    ("市教育局", "jiaoyu@example.org"),
    ("市市场监管局", "scjg@example.org"),
    ("市发改委", ""),
];
const DISTRICTS: [&str; 3] = ["江岸区政府", "江汉区政府", "硚口区科经局"];

async fn login(b: &Browser<'_>, email: &str) {
    let page = b.get("/login").await;
    let csrf = Browser::csrf(&page);
    let r = b
        .post_form(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
}

fn outbox_count(app: &TestApp, kind: &str) -> i64 {
    use yijian::db::schema::outbox_messages;
    outbox_messages::table
        .filter(outbox_messages::kind.eq(kind))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn staff_invite_units_reply_and_the_board_shows_it() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let mut unit_ids = std::collections::HashMap::new();
        for (name, email) in DEPARTMENTS {
            let emails: Vec<&str> = if email.is_empty() {
                vec![]
            } else {
                vec![email]
            };
            let r = app
                .post_json(
                    "/api/v1/units",
                    Some(&staff),
                    json!({"name": name, "kind": "department", "emails": emails}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            unit_ids.insert(name, r.json()["id"].as_str().unwrap().to_string());
        }
        for name in DISTRICTS {
            let r = app
                .post_json(
                    "/api/v1/units",
                    Some(&staff),
                    json!({"name": name, "kind": "district"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            unit_ids.insert(name, r.json()["id"].as_str().unwrap().to_string());
        }
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "市投控集团", "kind": "other"}),
            )
            .await;
        let other_unit = r.json()["id"].as_str().unwrap().to_string();
        app.user_with_token("keji@example.org", Role::Department, Some("市科技局"));
        app.user_with_token("jiaoyu@example.org", Role::Department, Some("市教育局"));
        app.user_with_token("jiangan@example.org", Role::Department, Some("江岸区政府"));
        let outsider = app.user_with_token("tou@example.org", Role::Department, Some("市投控集团"));

        // Staff, through the pages: create, import the draft, invite, open.
        let s = app.browser();
        login(&s, "staff@example.org").await;
        let form = s.get("/staff/consultations/new").await;
        let csrf = Browser::csrf(&form);
        let opens = (chrono::Utc::now() + chrono::Duration::hours(1))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let closes = (chrono::Utc::now() + chrono::Duration::days(40))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let r = s
            .post_form(
                "/staff/consultations",
                &[
                    ("csrf_token", &csrf),
                    (
                        "title",
                        "关于《武汉建设国家人工智能创新应用先导区实施方案》征求意见",
                    ),
                    (
                        "draft_title",
                        "武汉建设国家人工智能创新应用先导区实施方案（征求意见稿）",
                    ),
                    ("slug", ""),
                    ("opens_at", &opens),
                    ("closes_at", &closes),
                    ("short_window_reason", ""),
                    ("description", ""),
                    ("contact", "市科技局 027-00000000"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let id = r
            .header("location")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let form = s
            .get(&format!("/staff/consultations/{id}/drafts/new"))
            .await;
        let csrf = Browser::csrf(&form);
        let r = s
            .post_multipart(
                &format!("/staff/consultations/{id}/drafts"),
                &[("csrf_token", &csrf)],
                Some(("seed_000.txt", include_bytes!("../fixtures/seed_000.txt"))),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let preview = r.header("location").unwrap().to_string();
        let r = s
            .post_form(&format!("{preview}/save"), &[("csrf_token", &csrf)])
            .await;
        assert_eq!(r.status, 303);

        let board = s
            .get(&format!("/staff/consultations/{id}/solicitations"))
            .await;
        assert_eq!(board.status, 200);
        assert!(board.text().contains("尚未邀请任何单位"));
        let csrf = Browser::csrf(&board);
        // No deadline and no unit: both said, nothing invited.
        let r = s
            .post_form(
                &format!("/staff/consultations/{id}/solicitations"),
                &[("csrf_token", &csrf), ("deadline", "")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("请填写反馈截止日期"));
        assert!(r.text().contains("请至少选择一个单位"));
        let deadline = (chrono::Utc::now() + chrono::Duration::days(20))
            .format("%Y-%m-%d")
            .to_string();
        let r = s
            .post_form(
                &format!("/staff/consultations/{id}/solicitations"),
                &[
                    ("csrf_token", &csrf),
                    ("deadline", &deadline),
                    ("all_departments", "1"),
                    ("all_districts", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(r.header("location").unwrap().ends_with("invited=7"));
        // Inviting again adds no one twice.
        let r = s
            .post_form(
                &format!("/staff/consultations/{id}/solicitations"),
                &[
                    ("csrf_token", &csrf),
                    ("deadline", &deadline),
                    ("unit_id", &unit_ids["市科技局"]),
                ],
            )
            .await;
        assert!(r.header("location").unwrap().ends_with("invited=0"));
        // One invitation per unit contact address, queued with the invitation.
        assert_eq!(outbox_count(&app, "invitation"), 3);
        let r = s
            .post_form(
                &format!("/staff/consultations/{id}/open"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);

        // 市科技局 replies with two opinions and its letter.
        let keji = app.browser();
        login(&keji, "keji@example.org").await;
        let portal = keji.get("/dept").await;
        assert_eq!(portal.status, 200);
        assert!(
            portal
                .text()
                .contains("武汉建设国家人工智能创新应用先导区实施方案")
        );
        let page = keji.get(&format!("/dept/consultations/{id}")).await;
        assert_eq!(page.status, 200);
        let html = page.text();
        let csrf = Browser::csrf(&page);
        // A clause id from the form's list.
        let marker = "name=\"clause_0\" value=\"";
        let clause_id = html
            .match_indices(marker)
            .map(|(i, _)| &html[i + marker.len()..])
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .find(|v| !v.is_empty())
            .unwrap()
            .to_string();
        // Nothing written: refused with the message, nothing saved.
        let r = keji
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[("csrf_token", &csrf), ("clause_0", ""), ("body_0", "  ")],
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("请至少填写一条意见"));
        // A file that is not a letter: refused, nothing saved.
        let r = keji
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[("csrf_token", &csrf), ("clause_0", ""), ("body_0", "意见")],
                Some(("letter.exe", b"MZ\x90\x00 not a letter")),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("只接受 PDF、DOCX、PNG 或 JPEG 文件"));
        assert!(r.text().contains("意见"), "input kept");
        let r = keji
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_0", &clause_id),
                    ("body_0", "建议将算力券的支持范围扩大到中小企业。"),
                    ("clause_1", ""),
                    ("body_1", "建议在全文中统一“人工智能+”的表述。"),
                    ("clause_2", ""),
                    ("body_2", ""),
                ],
                Some(("复函.pdf", b"%PDF-1.4\n% the sealed letter\n")),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let page = keji.get(r.header("location").unwrap()).await;
        assert!(page.text().contains("已提交"));
        assert!(
            page.text()
                .contains("建议将算力券的支持范围扩大到中小企业。")
        );
        let letter_href = {
            let h = page.text();
            let i = h.find("/attachments/").expect("letter link");
            h[i..i + h[i..].find('"').unwrap()].to_string()
        };
        let letter = keji.get(&letter_href).await;
        assert_eq!(letter.status, 200);
        assert_eq!(letter.header("content-type"), Some("application/pdf"));
        assert!(letter.body.starts_with(b"%PDF-1.4"));

        // 市教育局 declares 无修改意见.
        let jiaoyu = app.browser();
        login(&jiaoyu, "jiaoyu@example.org").await;
        let page = jiaoyu.get(&format!("/dept/consultations/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.text().contains("建议将算力券"),
            "another unit's reply is never shown"
        );
        let csrf = Browser::csrf(&page);
        let r = jiaoyu
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[
                    ("csrf_token", &csrf),
                    ("no_comment", "1"),
                    ("note", "经研究，无修改意见。"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());

        // The board: one replied with 2 opinions, one no comment, five pending.
        let board = s
            .get(&format!("/staff/consultations/{id}/solicitations"))
            .await;
        let html = board.text();
        assert!(html.contains("已反馈意见: <strong>1</strong>"), "{html}");
        assert!(html.contains("无修改意见: <strong>1</strong>"));
        assert!(html.contains("待反馈: <strong>5</strong>"));
        let api = app
            .get_as(&format!("/api/v1/consultations/{id}/solicitations"), &staff)
            .await;
        assert_eq!(api.status, 200);
        let api = api.json();
        let line = |unit: &str| {
            api["solicitations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["unit"] == unit)
                .unwrap()
                .clone()
        };
        assert_eq!(line("市科技局")["state"], "replied");
        assert_eq!(line("市科技局")["opinions"], 2);
        assert_eq!(line("市教育局")["state"], "no_comment");
        assert_eq!(line("江岸区政府")["state"], "pending");
        assert_eq!(api["counts"]["pending"], 5);

        // Isolation: 江岸区 (another unit) and 市投控集团 (not invited) cannot see or change
        // 市科技局's reply, nor download its letter.
        let jiangan = app.browser();
        login(&jiangan, "jiangan@example.org").await;
        let keji_unit = &unit_ids["市科技局"];
        let r = jiangan
            .get(&format!(
                "/api/v1/consultations/{id}/solicitations/{keji_unit}"
            ))
            .await;
        assert_eq!(r.status, 404);
        let r = jiangan.get(&letter_href).await;
        assert_eq!(r.status, 404);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{keji_unit}/reply"),
                Some(&outsider),
                json!({"no_comment": true}),
            )
            .await;
        assert_eq!(r.status, 404);
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{id}/solicitations/{other_unit}"),
                &outsider,
            )
            .await;
        assert_eq!(r.status, 404, "not invited: nothing to see");
        let outsider_b = app.browser();
        login(&outsider_b, "tou@example.org").await;
        assert_eq!(
            outsider_b
                .get(&format!("/dept/consultations/{id}"))
                .await
                .status,
            404
        );
        let portal = outsider_b.get("/dept").await;
        assert!(portal.text().contains("目前没有请本单位提出意见的文件"));
        let keji_view = app
            .get_as(
                &format!("/api/v1/consultations/{id}/solicitations/{keji_unit}"),
                &staff,
            )
            .await
            .json();
        assert_eq!(keji_view["versions"].as_array().unwrap().len(), 1);
        assert_eq!(keji_view["current"].as_array().unwrap().len(), 2);

        // 市科技局 amends before the deadline: a second version; the first is kept, its
        // submission withdrawn.
        let page = keji.get(&format!("/dept/consultations/{id}")).await;
        let csrf = Browser::csrf(&page);
        let r = keji
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_0", &clause_id),
                    ("body_0", "建议将算力券的支持范围扩大到中小企业和科研机构。"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 303);
        let keji_view = app
            .get_as(
                &format!("/api/v1/consultations/{id}/solicitations/{keji_unit}"),
                &staff,
            )
            .await
            .json();
        assert_eq!(keji_view["versions"].as_array().unwrap().len(), 2);
        assert_eq!(keji_view["current"].as_array().unwrap().len(), 1);
        {
            use yijian::db::schema::submissions;
            let states: Vec<String> = submissions::table
                .filter(submissions::unit_id.eq(keji_unit))
                .order(submissions::received_at)
                .select(submissions::state)
                .load(&mut *app.conn())
                .unwrap();
            assert_eq!(states, ["withdrawn", "received"]);
        }

        // Reminders: before the deadline once, after it once more.
        let mail = yijian::app::solicitations::MailContext {
            base_url: "https://yijian.example.org".into(),
            timezone: chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
        };
        let deadline_utc: chrono::NaiveDateTime = {
            use yijian::db::schema::solicitations;
            solicitations::table
                .select(solicitations::deadline)
                .first(&mut *app.conn())
                .unwrap()
        };
        let before = deadline_utc - chrono::Duration::days(2);
        let n =
            yijian::app::solicitations::send_reminders(&mut app.conn(), 3, &mail, before).unwrap();
        assert_eq!(n, 5, "the five pending units");
        let n =
            yijian::app::solicitations::send_reminders(&mut app.conn(), 3, &mail, before).unwrap();
        assert_eq!(n, 0, "once");
        let after = deadline_utc + chrono::Duration::hours(1);
        let n =
            yijian::app::solicitations::send_reminders(&mut app.conn(), 3, &mail, after).unwrap();
        assert_eq!(n, 5);
        let n =
            yijian::app::solicitations::send_reminders(&mut app.conn(), 3, &mail, after).unwrap();
        assert_eq!(n, 0);
        // Mail goes to the pending units that have contact addresses: 市市场监管局.
        assert_eq!(outbox_count(&app, "reminder"), 1);
        assert_eq!(outbox_count(&app, "overdue"), 1);

        // After the deadline the portal says so and refuses; staff still record a letter.
        {
            use yijian::db::schema::solicitations;
            diesel::update(solicitations::table)
                .set(
                    solicitations::deadline
                        .eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)),
                )
                .execute(&mut *app.conn())
                .unwrap();
        }
        let page = jiangan.get(&format!("/dept/consultations/{id}")).await;
        assert!(page.text().contains("反馈截止时间已过"));
        assert!(page.text().contains("已逾期"));
        let csrf = Browser::csrf(&page);
        let r = jiangan
            .post_multipart(
                &format!("/dept/consultations/{id}"),
                &[("csrf_token", &csrf), ("no_comment", "1")],
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("反馈截止时间已过"));
        let jiangan_unit = &unit_ids["江岸区政府"];
        let page = s
            .get(&format!(
                "/staff/consultations/{id}/solicitations/{jiangan_unit}/letter"
            ))
            .await;
        assert_eq!(page.status, 200);
        let csrf = Browser::csrf(&page);
        let r = s
            .post_multipart(
                &format!("/staff/consultations/{id}/solicitations/{jiangan_unit}/letter"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_0", ""),
                    ("body_0", "建议增加江岸区的人工智能应用场景。"),
                ],
                Some(("scan.png", b"\x89PNG\r\n\x1a\n scanned letter")),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let api = app
            .get_as(&format!("/api/v1/consultations/{id}/solicitations"), &staff)
            .await
            .json();
        let line = api["solicitations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["unit"] == "江岸区政府")
            .unwrap()
            .clone();
        assert_eq!(line["state"], "replied");
        {
            use yijian::db::schema::submissions;
            let channel: String = submissions::table
                .filter(submissions::unit_id.eq(jiangan_unit))
                .select(submissions::channel)
                .first(&mut *app.conn())
                .unwrap();
            assert_eq!(channel, "letter");
        }
        // Every step is in the audit log.
        {
            use yijian::db::schema::audit_events;
            let actions: Vec<String> = audit_events::table
                .filter(audit_events::consultation_id.eq(&id))
                .select(audit_events::action)
                .load(&mut *app.conn())
                .unwrap();
            assert_eq!(
                actions
                    .iter()
                    .filter(|a| *a == "solicitation.invite")
                    .count(),
                7
            );
            assert_eq!(
                actions
                    .iter()
                    .filter(|a| *a == "solicitation.reply")
                    .count(),
                4
            );
        }
    }
}

#[actix_web::test]
async fn the_api_invites_and_units_reply_with_json() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "市经信局", "kind": "department"}),
            )
            .await;
        let unit = r.json()["id"].as_str().unwrap().to_string();
        let dept = app.user_with_token("jx@example.org", Role::Department, Some("市经信局"));
        // A past deadline is refused.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations"),
                Some(&staff),
                json!({"unit_ids": [unit], "deadline": "2020-01-01"}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.json()["fields"]["deadline"].is_string());
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations"),
                Some(&staff),
                json!({"unit_ids": [unit], "deadline": "2099-01-31"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["invited"], 1);
        // A department user cannot invite.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations"),
                Some(&dept),
                json!({"unit_ids": [unit], "deadline": "2099-01-31"}),
            )
            .await;
        assert_eq!(r.status, 403);
        let portal = app.get_as("/api/v1/solicitations", &dept).await.json();
        assert_eq!(portal[0]["consultation_id"], id);
        assert_eq!(portal[0]["state"], "pending");
        // A clause of another draft is refused.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{unit}/reply"),
                Some(&dept),
                json!({"opinions": [{"clause_ids": ["01900000-0000-7000-8000-000000000000"], "body": "x"}]}),
            )
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{unit}/reply"),
                Some(&dept),
                json!({"opinions": [{"body": "建议一"}, {"body": "建议二"}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let v = r.json();
        assert_eq!(v["state"], "replied");
        assert_eq!(v["current"].as_array().unwrap().len(), 2);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{unit}/reply"),
                Some(&dept),
                json!({"no_comment": true, "opinions": [{"body": "x"}]}),
            )
            .await;
        assert_eq!(r.status, 422, "both at once is refused");
    }
}

#[actix_web::test]
async fn the_clock_closes_ended_consultations_once() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
        let mail = yijian::app::solicitations::MailContext {
            base_url: "http://localhost".into(),
            timezone: chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
        };
        let now = chrono::Utc::now().naive_utc();
        let pass = yijian::app::schedule::run(&mut app.conn(), now, 3, &mail).unwrap();
        assert_eq!(pass.closed, 0, "still in its window");
        let later = now + chrono::Duration::days(41);
        let pass = yijian::app::schedule::run(&mut app.conn(), later, 3, &mail).unwrap();
        assert_eq!(pass.closed, 1);
        let pass = yijian::app::schedule::run(&mut app.conn(), later, 3, &mail).unwrap();
        assert_eq!(pass.closed, 0, "once");
        let r = app
            .get_as(&format!("/api/v1/consultations/{id}"), &staff)
            .await
            .json();
        assert_eq!(r["status"], "closed");
        use yijian::db::schema::audit_events;
        let by: String = audit_events::table
            .filter(audit_events::action.eq("consultation.closed"))
            .select(audit_events::actor_label)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(by, "system");
    }
}

#[actix_web::test]
async fn the_clock_tells_handlers_what_was_assigned_once() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let mail = yijian::app::solicitations::MailContext {
            base_url: "https://yijian.example.org".into(),
            timezone: chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
        };
        let run = || {
            yijian::app::schedule::run(&mut app.conn(), chrono::Utc::now().naive_utc(), 3, &mail)
                .unwrap()
        };
        assert_eq!(run().notified, 0, "the first pass only sets the mark");
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": "市经信局", "kind": "department"}),
            )
            .await;
        let unit = r.json()["id"].as_str().unwrap().to_string();
        app.user_with_token("jx@example.org", Role::Department, Some("市经信局"));
        let c = app.consultation(&staff, 40).await;
        let id = c["id"].as_str().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/open"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
        for body in ["建议一", "建议二"] {
            let r = app
                .post_json(
                    &format!("/api/v1/consultations/{id}/submissions"),
                    None,
                    json!({"body": body}),
                )
                .await;
            assert_eq!(r.status, 201);
        }
        let ops: Vec<String> = {
            use yijian::db::schema::opinions;
            opinions::table
                .filter(opinions::consultation_id.eq(id))
                .select(opinions::id)
                .load(&mut *app.conn())
                .unwrap()
        };
        for op in &ops {
            let r = app
                .post_json(
                    &format!("/api/v1/opinions/{op}/assign"),
                    Some(&staff),
                    json!({"unit_id": unit}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
        assert_eq!(run().notified, 1, "one email for both opinions");
        assert_eq!(run().notified, 0, "once");
        use yijian::db::schema::outbox_messages;
        let (to, body): (String, String) = outbox_messages::table
            .filter(outbox_messages::kind.eq("assignment"))
            .select((outbox_messages::to_address, outbox_messages::body_text))
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(to, "jx@example.org");
        assert!(body.contains("2"), "{body}");
        assert!(
            body.contains(&format!(
                "https://yijian.example.org/staff/consultations/{id}/opinions"
            )),
            "{body}"
        );
    }
}
