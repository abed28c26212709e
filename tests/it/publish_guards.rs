//! Publishing while invited units still owe a reply: readiness lists them, publishing needs a
//! reason (409 `solicitation_pending` per unit without one), closes their solicitations early,
//! tells the units, and the department portal says so with both dates. The confirmation step
//! before publishing says what is frozen and how many commenters are emailed.

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::report::without_api;
use crate::support::{Browser, TestApp};

const SEED_000: &str = include_str!("../fixtures/seed_000.txt");
const PASSWORD: &str = "correct horse battery";
const REASON: &str = "市政府常务会议定于本周审议，需提前汇总意见";

/// A consultation with a draft, open, three departments invited (each with a contact address
/// and a department user of the same address), with `note`.
struct Fixture {
    staff: String,
    approver: String,
    id: String,
    /// (unit name, unit id, department user's token)
    units: Vec<(String, String, String)>,
}

const UNITS: [(&str, &str); 3] = [
    ("市科技局", "keji@example.org"),
    ("市教育局", "jiaoyu@example.org"),
    ("市发改委", "fgw@example.org"),
];

async fn fixture(app: &TestApp, deadline: &str, note: Option<&str>) -> Fixture {
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let approver = app.user_with_token("approver@example.org", Role::Approver, None);
    let c = app.consultation(&staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain; charset=utf-8"))
                .set_payload(SEED_000.as_bytes().to_vec()),
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
    let mut units = Vec::new();
    for (name, email) in UNITS {
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": name, "kind": "department", "emails": [email]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let unit = r.json()["id"].as_str().unwrap().to_string();
        let token = app.user_with_token(email, Role::Department, Some(name));
        units.push((name.to_string(), unit, token));
    }
    let ids: Vec<&str> = units.iter().map(|u| u.1.as_str()).collect();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/solicitations"),
            Some(&staff),
            json!({"unit_ids": ids, "deadline": deadline, "note": note}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    Fixture {
        staff,
        approver,
        id,
        units,
    }
}

async fn no_comment(app: &TestApp, f: &Fixture, unit: usize) {
    let (_, unit_id, token) = &f.units[unit];
    let r = app
        .post_json(
            &format!(
                "/api/v1/consultations/{}/solicitations/{unit_id}/reply",
                f.id
            ),
            Some(token),
            json!({"no_comment": true, "note": "经研究，无修改意见。"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

async fn close(app: &TestApp, f: &Fixture) {
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{}/close", f.id),
            Some(&f.staff),
            json!({"reason": "按市政府要求提前汇总"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn publish(app: &TestApp, f: &Fixture, body: Value) -> crate::support::Resp {
    app.post_json(
        &format!("/api/v1/consultations/{}/publications", f.id),
        Some(&f.staff),
        body,
    )
    .await
}

fn outbox(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    use yijian::db::schema::outbox_messages;
    outbox_messages::table
        .filter(outbox_messages::kind.eq(kind))
        .order(outbox_messages::to_address)
        .select((
            outbox_messages::to_address,
            outbox_messages::body_text,
            outbox_messages::body_html.assume_not_null(),
        ))
        .load(&mut *app.conn())
        .unwrap()
}

fn audits(app: &TestApp, action: &str) -> Vec<Option<String>> {
    use yijian::db::schema::audit_events;
    audit_events::table
        .filter(audit_events::action.eq(action))
        .select(audit_events::after_json)
        .load(&mut *app.conn())
        .unwrap()
}

async fn login<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let b = app.browser();
    let page = b.get("/login").await;
    let csrf = Browser::csrf(&page);
    let r = b
        .post_form(
            "/login",
            &[
                ("csrf_token", csrf.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    b
}

/// `12月10日` for a deadline given as `2099-12-10` (the end of that day, local time).
fn day(date: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    use chrono::Datelike;
    format!("{}月{}日", d.month(), d.day())
}

fn today() -> String {
    use chrono::Datelike;
    let d = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    format!("{}月{}日", d.month(), d.day())
}

#[actix_web::test]
async fn the_note_goes_into_the_invitation_and_onto_the_unit_page() {
    for app in TestApp::all().await {
        let note = "请重点研究第三部分“保障措施”，\n并提供本单位的相关数据。";
        let f = fixture(&app, "2099-12-10", Some(note)).await;
        let mails = outbox(&app, "invitation");
        assert_eq!(mails.len(), 3);
        for (to, text, html) in &mails {
            assert!(text.contains("起草单位的说明"), "{to}: {text}");
            assert!(text.contains(note), "{to}: {text}");
            assert!(html.contains("请重点研究第三部分“保障措施”"), "{html}");
        }
        // On the unit's page, its portal and the API.
        let keji = login(&app, "keji@example.org").await;
        let page = keji.get(&format!("/dept/consultations/{}", f.id)).await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains("起草单位的说明"));
        assert!(page.text().contains("请重点研究第三部分“保障措施”"));
        let portal = keji.get("/dept").await;
        assert!(portal.text().contains("请重点研究第三部分"));
        let api = app.get_as("/api/v1/solicitations", &f.units[0].2).await;
        assert_eq!(api.json()[0]["note"], note);
        // Without a note, the invitation says nothing of one.
        let other = app.consultation(&f.staff, 40).await;
        let oid = other["id"].as_str().unwrap();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{oid}/solicitations"),
                Some(&f.staff),
                json!({"unit_ids": [f.units[0].1], "deadline": "2099-12-10", "note": "  "}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let mails = outbox(&app, "invitation");
        assert_eq!(mails.len(), 4);
        // Through the page: a note typed with a mistake elsewhere is kept; one too long is
        // refused.
        let s = login(&app, "staff@example.org").await;
        let board = s
            .get(&format!("/staff/consultations/{oid}/solicitations"))
            .await;
        let csrf = Browser::csrf(&board);
        let r = s
            .post_form(
                &format!("/staff/consultations/{oid}/solicitations"),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("deadline", "2099-12-10"),
                    ("note", "请于周五前反馈"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains(">请于周五前反馈</textarea>"));
        let long = "长".repeat(2001);
        let r = s
            .post_form(
                &format!("/staff/consultations/{oid}/solicitations"),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("deadline", "2099-12-10"),
                    ("unit_id", f.units[1].1.as_str()),
                    ("note", long.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("说明不能超过 2000 字"));
        assert_eq!(outbox(&app, "invitation").len(), 4, "nothing sent");
        assert_eq!(
            mails
                .iter()
                .filter(|m| !m.1.contains("起草单位的说明"))
                .count(),
            1
        );
    }
}

#[actix_web::test]
async fn publishing_before_units_reply_needs_a_reason_and_closes_their_solicitations() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        no_comment(&app, &f, 1).await;
        close(&app, &f).await;

        // Readiness names the two units that owe a reply, with their deadline.
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/report/readiness", f.id),
                &f.staff,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let ready = r.json();
        assert_eq!(ready["ready"], false);
        assert_eq!(ready["needs_close_reason"], true);
        let missing = ready["missing"].as_array().unwrap();
        assert_eq!(missing.len(), 2, "{ready}");
        let mut named: Vec<&str> = missing
            .iter()
            .map(|m| m["unit"].as_str().unwrap())
            .collect();
        named.sort();
        let mut expected_units = vec!["市发改委", "市科技局"];
        expected_units.sort();
        assert_eq!(named, expected_units, "{ready}");
        for m in missing {
            let unit = m["unit"].as_str().unwrap();
            assert_eq!(m["kind"], "solicitation_pending");
            assert!(
                m["deadline"]
                    .as_str()
                    .unwrap()
                    .starts_with("2099-12-10T23:59:59")
            );
            assert!(m["message"].as_str().unwrap().contains(unit));
            assert!(m["message"].as_str().unwrap().contains("2099-12-10"));
            assert_eq!(
                m["link"],
                format!("/staff/consultations/{}/solicitations", f.id)
            );
        }
        assert_eq!(ready["unreplied"].as_array().unwrap().len(), 2);
        assert_eq!(ready["unreplied"][0]["deadline_passed"], false);
        // The staff report page lists them too, and offers publishing with a reason.
        let s = login(&app, "staff@example.org").await;
        let page = s
            .get(&format!("/staff/consultations/{}/report", f.id))
            .await;
        let html = page.text();
        assert!(html.contains("尚未反馈的单位（2 个）"), "{html}");
        assert!(html.contains("市发改委") && html.contains("市科技局"));
        assert!(html.contains(&format!(
            "href=\"/staff/consultations/{}/report/publish\"",
            f.id
        )));

        // Without a reason, or with a blank one: 409, one item per unit, nothing changes.
        for body in [json!({}), json!({"close_solicitations_reason": "  "})] {
            let r = publish(&app, &f, body).await;
            assert_eq!(r.status, 409, "{}", r.text());
            assert_eq!(r.json()["error"], "not_ready");
            let json = r.json();
            let units: Vec<&str> = json["missing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    assert_eq!(m["kind"], "solicitation_pending");
                    m["unit_id"].as_str().unwrap()
                })
                .map(|u| f.units.iter().find(|x| x.1 == u).unwrap().0.as_str())
                .collect();
            let mut units = units;
            units.sort();
            assert_eq!(units, expected_units);
        }
        // A reason too long is refused.
        let r = publish(
            &app,
            &f,
            json!({"close_solicitations_reason": "长".repeat(2001)}),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(outbox(&app, "solicitation_closed").is_empty());
        assert_eq!(app.count_rows("publications"), 0);

        // With a reason: published; the two solicitations closed early, each unit told.
        let r = publish(&app, &f, json!({"close_solicitations_reason": REASON})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["closed_solicitations"], 2);
        {
            use yijian::db::schema::solicitations;
            let rows: Vec<(String, Option<chrono::NaiveDateTime>, Option<String>)> =
                solicitations::table
                    .filter(solicitations::consultation_id.eq(&f.id))
                    .select((
                        solicitations::unit_id,
                        solicitations::closed_early_at,
                        solicitations::closed_early_reason,
                    ))
                    .load(&mut *app.conn())
                    .unwrap();
            for (unit, at, reason) in rows {
                if unit == f.units[1].1 {
                    assert!(at.is_none(), "the unit that replied is not closed");
                } else {
                    assert!(at.is_some());
                    assert_eq!(reason.as_deref(), Some(REASON));
                }
            }
        }
        let mails = outbox(&app, "solicitation_closed");
        let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(to, ["fgw@example.org", "keji@example.org"]);
        for (_, text, _) in &mails {
            assert!(text.contains(REASON), "{text}");
            assert!(text.contains(&day("2099-12-10")), "{text}");
            assert!(text.contains(&today()), "{text}");
            assert!(text.contains(&format!("/dept/consultations/{}", f.id)));
        }
        // Audited: each closure, and the publication with the reason.
        let closed = audits(&app, "solicitation.close_early");
        assert_eq!(closed.len(), 2);
        assert!(
            closed
                .iter()
                .all(|a| a.as_deref().unwrap().contains(REASON))
        );
        let published = audits(&app, "report.publish");
        assert!(published[0].as_deref().unwrap().contains(REASON));

        // The department portal says it closed early, with both dates, never "deadline passed".
        let keji = login(&app, "keji@example.org").await;
        let expected = format!(
            "征求意见已于 {} 提前结束（原定截止 {}）：{REASON}",
            today(),
            day("2099-12-10")
        );
        for path in ["/dept".to_string(), format!("/dept/consultations/{}", f.id)] {
            let page = keji.get(&path).await;
            assert_eq!(page.status, 200);
            let html = page.text();
            assert!(html.contains(&expected), "{path}: {html}");
            assert!(html.contains("已提前结束"), "{path}");
            assert!(!html.contains("截止时间已过"), "{path}");
            assert!(!html.contains("已逾期"), "{path}");
        }
        let api = app.get_as("/api/v1/solicitations", &f.units[0].2).await;
        let item = &api.json()[0];
        assert_eq!(item["state"], "closed_early");
        assert_eq!(item["open"], false);
        assert_eq!(item["closed_early_reason"], REASON);
        assert_eq!(item["closed_early_message"], expected.as_str());
        // The unit can no longer reply; the message says why.
        let r = app
            .post_json(
                &format!(
                    "/api/v1/consultations/{}/solicitations/{}/reply",
                    f.id, f.units[0].1
                ),
                Some(&f.units[0].2),
                json!({"no_comment": true}),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("提前结束"), "{}", r.text());
        // The board counts them as closed early; publishing again needs no reason.
        let board = app
            .get_as(
                &format!("/api/v1/consultations/{}/solicitations", f.id),
                &f.staff,
            )
            .await
            .json();
        assert_eq!(board["counts"]["closed_early"], 2);
        let closed_lines = board["solicitations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["state"] == "closed_early")
            .inspect(|l| assert_eq!(l["closed_early_reason"], REASON))
            .count();
        assert_eq!(closed_lines, 2);
        let page = s
            .get(&format!("/staff/consultations/{}/solicitations", f.id))
            .await;
        assert!(page.text().contains("已提前结束: <strong>2</strong>"));
        assert_eq!(board["counts"]["pending"], 0);
        let r = publish(&app, &f, json!({})).await;
        assert!(r.status == 200 || r.status == 201, "{}", r.text());
        assert_eq!(outbox(&app, "solicitation_closed").len(), 2, "told once");
    }
}

#[actix_web::test]
async fn publishing_when_every_unit_replied_needs_no_reason() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        for unit in 0..3 {
            no_comment(&app, &f, unit).await;
        }
        close(&app, &f).await;
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/report/readiness", f.id),
                &f.staff,
            )
            .await
            .json();
        assert_eq!(r["ready"], true, "{r}");
        assert_eq!(r["unreplied"].as_array().unwrap().len(), 0);
        // The approver publishes (the office and its approvers may).
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{}/publications", f.id),
                Some(&f.approver),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["closed_solicitations"], 0);
        assert!(outbox(&app, "solicitation_closed").is_empty());
        assert!(audits(&app, "solicitation.close_early").is_empty());
    }
}

#[actix_web::test]
async fn units_past_their_deadline_are_not_waited_for() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        no_comment(&app, &f, 0).await;
        close(&app, &f).await;
        // 市教育局's deadline passes; 市发改委's is still ahead.
        {
            use yijian::db::schema::solicitations;
            diesel::update(solicitations::table.filter(solicitations::unit_id.eq(&f.units[1].1)))
                .set(
                    solicitations::deadline
                        .eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)),
                )
                .execute(&mut *app.conn())
                .unwrap();
        }
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/report/readiness", f.id),
                &f.staff,
            )
            .await
            .json();
        let missing = r["missing"].as_array().unwrap();
        assert_eq!(missing.len(), 1, "{r}");
        assert_eq!(missing[0]["unit"], "市发改委");
        // Both are listed as not replied, the overdue one as such.
        let unreplied = r["unreplied"].as_array().unwrap();
        assert_eq!(unreplied.len(), 2);
        let jiaoyu = unreplied.iter().find(|u| u["unit"] == "市教育局").unwrap();
        assert_eq!(jiaoyu["deadline_passed"], true);
        // Once 市发改委 replies, nothing is missing: the overdue unit does not block.
        no_comment(&app, &f, 2).await;
        let r = publish(&app, &f, json!({})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["closed_solicitations"], 0);
        assert!(outbox(&app, "solicitation_closed").is_empty());
        // The overdue unit's page says its deadline passed (it did).
        let jiaoyu = login(&app, "jiaoyu@example.org").await;
        let page = jiaoyu.get(&format!("/dept/consultations/{}", f.id)).await;
        assert!(page.text().contains("反馈截止时间已过"));
        assert!(!page.text().contains("提前结束"));
    }
}

#[actix_web::test]
async fn a_unit_may_reply_after_the_public_window_until_its_own_deadline() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        close(&app, &f).await;
        let keji = login(&app, "keji@example.org").await;
        let page = keji.get(&format!("/dept/consultations/{}", f.id)).await;
        assert!(
            page.text().contains("提交本单位意见"),
            "the form is offered"
        );
        assert!(!page.text().contains("截止时间已过"));
        no_comment(&app, &f, 0).await;
    }
}

#[actix_web::test]
async fn the_confirmation_step_says_what_is_frozen_and_who_is_emailed() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        // Three comments: two with an email address (one of them twice), one without.
        let mut codes = Vec::new();
        for (body, email) in [
            ("建议扩大算力券的支持范围。", Some("a@example.org")),
            ("建议明确数据开放的牵头单位。", Some("b@example.org")),
            ("建议增加人才政策。", None),
        ] {
            let mut j = json!({"body": body});
            if let Some(e) = email {
                j["email"] = json!(e);
            }
            let r = app
                .post_json(
                    &format!("/api/v1/consultations/{}/submissions", f.id),
                    None,
                    j,
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            codes.push(r.json()["tracking_code"].as_str().unwrap().to_string());
        }
        no_comment(&app, &f, 0).await;
        close(&app, &f).await;
        let mut conn = app.conn();
        for code in &codes {
            for o in without_api::opinions_of(&mut conn, code) {
                without_api::decide(&mut conn, &o, "adopted", None);
            }
        }
        without_api::approve_all(&mut conn, &f.id);
        drop(conn);

        let s = login(&app, "staff@example.org").await;
        let url = format!("/staff/consultations/{}/report/publish", f.id);
        let page = s.get(&url).await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("第 1 版"), "{html}");
        assert!(html.contains("报告共 3 行"), "{html}");
        assert!(html.contains("不能再修改"));
        assert!(html.contains("将向 2 位留有电子邮箱的意见提出人发送处理结果通知"));
        assert!(html.contains("还有 2 个单位尚未反馈"));
        assert!(html.contains("市教育局") && html.contains("市发改委"));
        assert!(html.contains("name=\"close_solicitations_reason\""));
        // Confirming without the reason: refused on the same step, nothing published.
        let csrf = Browser::csrf(&page);
        let r = s
            .post_form(
                &url,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("close_solicitations_reason", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.text());
        assert!(r.text().contains("请填写提前结束征求的理由"));
        assert_eq!(app.count_rows("publications"), 0);
        // With it: published, the notices and the closure notices queued.
        let r = s
            .post_form(
                &url,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("close_solicitations_reason", REASON),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(r.header("location").unwrap().ends_with("?published=1"));
        assert_eq!(outbox(&app, "decision").len(), 2);
        assert_eq!(outbox(&app, "solicitation_closed").len(), 2);
        // A corrected edition with nothing changed emails no one.
        let page = s.get(&url).await;
        assert!(page.text().contains("第 2 版"));
        assert!(page.text().contains("没有需要发送处理结果通知的意见提出人"));
        assert!(!page.text().contains("尚未反馈，且未到截止时间"));
    }
}

#[actix_web::test]
async fn the_confirmation_step_shows_what_blocks_and_offers_no_button() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        let s = login(&app, "staff@example.org").await;
        let page = s
            .get(&format!("/staff/consultations/{}/report/publish", f.id))
            .await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("征求意见尚未结束"), "{html}");
        assert!(!html.contains("id=\"publish-form\""));
        // Who may see it: the office and approvers; not departments or the public.
        let url = format!("/staff/consultations/{}/report/publish", f.id);
        assert_eq!(app.get_as(&url, &f.approver).await.status, 200);
        assert_eq!(app.get_as(&url, &f.units[0].2).await.status, 403);
        let anon = app.get(&url).await.status;
        assert!(anon == 401 || anon == 303, "{anon}");
        let r = app
            .get_as(
                &format!(
                    "/staff/consultations/{}/report/publish",
                    "01900000-0000-7000-8000-000000000000"
                ),
                &f.staff,
            )
            .await;
        assert_eq!(r.status, 404);
    }
}

#[actix_web::test]
async fn a_department_replies_with_any_number_of_opinions() {
    for app in TestApp::all().await {
        let f = fixture(&app, "2099-12-10", None).await;
        let keji = login(&app, "keji@example.org").await;
        let url = format!("/dept/consultations/{}", f.id);
        let page = keji.get(&url).await;
        let html = page.text();
        // Three blocks to start with, each with a plain checkbox list of the clauses.
        assert!(html.contains("id=\"body_2\"") && !html.contains("id=\"body_3\""));
        let marker = "name=\"clause_0\" value=\"";
        let clauses: Vec<String> = html
            .match_indices(marker)
            .map(|(i, _)| &html[i + marker.len()..])
            .map(|rest| rest[..rest.find('"').unwrap()].to_string())
            .collect();
        assert!(clauses.len() >= 3, "{html}");
        let csrf = Browser::csrf(&page);
        // 再添加 without JavaScript: one more block, what was typed kept, nothing saved.
        let r = keji
            .post_multipart(
                &url,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("body_0", "第一条意见"),
                    ("clause_0", clauses[0].as_str()),
                    ("clause_0", clauses[1].as_str()),
                    ("body_1", ""),
                    ("body_2", ""),
                    ("add_row", "1"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let html = r.text();
        assert!(html.contains("id=\"body_3\"") && !html.contains("id=\"body_4\""));
        assert!(html.contains(">第一条意见</textarea>"));
        assert_eq!(html.matches(" checked>").count(), 2, "ticks kept");
        assert_eq!(app.count_rows("solicitation_replies"), 0);
        // Four opinions, the first on two clauses: stored as four.
        let r = keji
            .post_multipart(
                &url,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("body_0", "第一条意见"),
                    ("clause_0", clauses[0].as_str()),
                    ("clause_0", clauses[1].as_str()),
                    ("body_1", "第二条意见"),
                    ("body_2", "第三条意见"),
                    ("clause_2", clauses[2].as_str()),
                    ("body_3", "第四条意见"),
                    ("body_4", ""),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let v = app
            .get_as(
                &format!(
                    "/api/v1/consultations/{}/solicitations/{}",
                    f.id, f.units[0].1
                ),
                &f.staff,
            )
            .await
            .json();
        let current = v["current"].as_array().unwrap();
        assert_eq!(current.len(), 4, "{v}");
        let bodies: Vec<&str> = current
            .iter()
            .map(|o| o["body"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            ["第一条意见", "第二条意见", "第三条意见", "第四条意见"]
        );
        assert_eq!(current[0]["clause_ids"].as_array().unwrap().len(), 2);
        assert_eq!(current[1]["clause_ids"].as_array().unwrap().len(), 0);
        assert_eq!(current[2]["clause_ids"][0], clauses[2].as_str());
        // The amended form shows the four, and one empty block to add another.
        let page = keji.get(&url).await;
        assert!(page.text().contains("id=\"body_4\"") && !page.text().contains("id=\"body_5\""));
        // A clause of another draft is refused and what was typed kept.
        let r = keji
            .post_multipart(
                &url,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("body_0", "意见"),
                    ("clause_0", "01900000-0000-7000-8000-000000000000"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains(">意见</textarea>"));
    }
}
