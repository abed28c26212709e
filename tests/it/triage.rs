//! The triage workbench on every backend: clause suggestions against a real draft (seed 002's
//! department comments), duplicate clusters, decisions and their rules, department isolation,
//! approval, bulk actions, and the pages without JavaScript.

use std::collections::HashMap;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, Resp, TestApp};

const PASSWORD: &str = "correct horse battery";

struct Ctx {
    staff: String,
    approver: String,
    /// 市科技局
    dept_a: String,
    /// 市卫健委
    dept_b: String,
    unit_a: String,
    unit_b: String,
    cid: String,
    /// clause path → id
    clauses: HashMap<String, String>,
}

fn unit(app: &TestApp, name: &str) -> String {
    let mut conn = app.conn();
    yijian::app::units::create(
        &mut conn,
        yijian::app::units::CreateUnit {
            name: name.into(),
            kind: "department".into(),
            ..Default::default()
        },
        &yijian::app::Actor::cli(),
    )
    .expect("unit")
    .id
}

async fn setup(app: &TestApp) -> Ctx {
    let unit_a = unit(app, "市科技局");
    let unit_b = unit(app, "市卫健委");
    for n in ["市经信局", "市城建局", "市人才工作局"] {
        unit(app, n);
    }
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let approver = app.user_with_token("approver@example.org", Role::Approver, None);
    let dept_a = app.user_with_token("keji@example.org", Role::Department, Some("市科技局"));
    let dept_b = app.user_with_token("weijian@example.org", Role::Department, Some("市卫健委"));
    let c = app.consultation(&staff, 40).await;
    let cid = c["id"].as_str().unwrap().to_string();
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{cid}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain; charset=utf-8"))
                .set_payload(
                    include_str!("../fixtures/triage_draft.txt")
                        .as_bytes()
                        .to_vec(),
                ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let mut clauses = HashMap::new();
    fn walk(v: &Value, out: &mut HashMap<String, String>) {
        for c in v.as_array().unwrap() {
            out.insert(
                c["path"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            );
            walk(&c["children"], out);
        }
    }
    walk(&r.json()["clauses"], &mut clauses);
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{cid}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    Ctx {
        staff,
        approver,
        dept_a,
        dept_b,
        unit_a,
        unit_b,
        cid,
        clauses,
    }
}

impl Ctx {
    fn clause(&self, path: &str) -> String {
        self.clauses
            .get(path)
            .cloned()
            .unwrap_or_else(|| panic!("no clause {path} in {:?}", self.clauses.keys()))
    }
}

/// A letter recorded by staff; returns its opinion's id.
async fn letter(app: &TestApp, ctx: &Ctx, body: &str, clause_ids: &[String]) -> String {
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{}/submissions", ctx.cid),
            Some(&ctx.staff),
            json!({"body": body, "channel": "letter", "organization": "某单位", "clause_ids": clause_ids}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["tracking_code"].as_str().unwrap().to_string();
    use yijian::db::schema::{opinions, submissions};
    let mut conn = app.conn();
    opinions::table
        .inner_join(submissions::table)
        .filter(submissions::tracking_code.eq(code))
        .select(opinions::id)
        .first(&mut *conn)
        .unwrap()
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Resp {
    app.post_json(path, Some(token), body).await
}

fn decisions_count(app: &TestApp) -> (i64, i64, i64) {
    use yijian::db::schema::{audit_events, decision_history, decisions};
    let mut conn = app.conn();
    let d = decisions::table.count().get_result(&mut *conn).unwrap();
    let h = decision_history::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let a = audit_events::table
        .filter(audit_events::action.eq("opinion.decide"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    (d, h, a)
}

/// The department comments of seed 002 (the lines that start with `第三部分建设内容`).
fn seed_002_department_comments() -> Vec<String> {
    include_str!("../fixtures/seed_002.txt")
        .lines()
        .filter(|l| l.starts_with("第三部分建设内容"))
        .map(str::to_string)
        .collect()
}

#[actix_web::test]
async fn seed_002_department_comments_resolve_to_the_clauses_they_name() {
    let expected = [
        "三、(五)3.", // 推进智慧医疗多场景协同
        "三、(一)2.", // 加强人工智能技术创新
        "三、(二)1.", // 实施算力伙伴计划
        "三、(二)2.", // 实施大模型伙伴计划
        "三、(二)3.", // 实施数据伙伴计划
        "三、(五)5.", // 推进智慧城市数智治理
        "三、(五)2.", // 推进智能建造自主可控
        "三、(六)2.", // 强化多层次人才服务支撑
        "三、(四)1.", // 建设人工智能特色园区
    ];
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let comments = seed_002_department_comments();
        assert_eq!(comments.len(), 9, "seed 002 has nine department comments");
        for (text, want) in comments.iter().zip(expected) {
            let id = letter(&app, &ctx, text, &[]).await;
            let r = app
                .get_as(&format!("/api/v1/opinions/{id}"), &ctx.staff)
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            let d = r.json();
            let first = &d["suggestions"][0];
            assert_eq!(
                first["path"].as_str(),
                Some(want),
                "{:?}: {text}\n{}",
                app.backend,
                d["suggestions"]
            );
            assert_eq!(first["reason"], "reference");
            // Suggested, not linked: staff confirm.
            assert_eq!(d["links"].as_array().unwrap().len(), 0);
        }
        // Without a reference, the clause with the most similar text comes first.
        let id = letter(
            &app,
            &ctx,
            "建议在远程会诊、远程影像之外，把智慧医疗服务平台的建设与居民电子健康档案结合起来。",
            &[],
        )
        .await;
        let d = app
            .get_as(&format!("/api/v1/opinions/{id}"), &ctx.staff)
            .await
            .json();
        assert_eq!(d["suggestions"][0]["path"], "三、(五)3.");
        assert_eq!(d["suggestions"][0]["reason"], "similarity");
    }
}

#[actix_web::test]
async fn planted_near_duplicates_are_clustered_and_distinct_opinions_are_not() {
    let campaign = "坚决反对在智慧医疗领域打造90项应用场景的提法。应用场景数量应当根据医院的实际需要确定，不宜层层分解指标。建议删除具体数量，改为打造一批应用场景。";
    let distinct = [
        "建议将智慧医疗服务平台与居民电子健康档案打通，方便群众查询检验检查结果。",
        "远程机器人手术目前风险较高，建议先在三甲医院试点，再逐步推广。",
        "建议增加对基层医疗机构人工智能辅助诊断的支持，缩小城乡医疗差距。",
    ];
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let clause = vec![ctx.clause("三、(五)3.")];
        let base = letter(&app, &ctx, campaign, &clause).await;
        let edited = letter(
            &app,
            &ctx,
            &campaign
                .replace("坚决反对", "我们反对")
                .replace("一批", "若干"),
            &clause,
        )
        .await;
        let mut sentences: Vec<&str> = campaign.split_inclusive('。').collect();
        sentences.rotate_left(1);
        let reordered = letter(&app, &ctx, &sentences.concat(), &clause).await;
        let punctuated = letter(
            &app,
            &ctx,
            &format!(
                "“{}”！！",
                campaign.replace('，', "，，").replace('。', "。 ")
            ),
            &clause,
        )
        .await;
        let mut others = Vec::new();
        for d in distinct {
            others.push(letter(&app, &ctx, d, &clause).await);
        }
        let path = format!("/api/v1/consultations/{}/opinions", ctx.cid);
        let r = app.get_as(&path, &ctx.staff).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let inbox = r.json();
        let cluster_of = |inbox: &Value, id: &str| -> Option<String> {
            inbox["items"]
                .as_array()
                .unwrap_or_else(|| panic!("not an inbox: {inbox}"))
                .iter()
                .find(|i| i["id"] == id)
                .and_then(|i| i["cluster_id"].as_str().map(str::to_string))
        };
        let c = cluster_of(&inbox, &base).expect("the campaign letter is in a cluster");
        for id in [&edited, &reordered, &punctuated] {
            assert_eq!(
                cluster_of(&inbox, id).as_ref(),
                Some(&c),
                "{:?}",
                app.backend
            );
        }
        for id in &others {
            assert_eq!(
                cluster_of(&inbox, id),
                None,
                "{:?}: distinct opinion clustered",
                app.backend
            );
        }
        let member = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == base.as_str())
            .unwrap()
            .clone();
        assert_eq!(member["cluster_size"], 4);

        // A copy arriving later joins the same cluster (incrementally).
        let late = letter(&app, &ctx, &format!("{campaign}谢谢！"), &clause).await;
        let inbox = app.get_as(&path, &ctx.staff).await.json();
        assert_eq!(cluster_of(&inbox, &late), Some(c.clone()));
        let d = app
            .get_as(&format!("/api/v1/opinions/{late}"), &ctx.staff)
            .await
            .json();
        assert_eq!(
            d["history"][0]["action"], "opinion.cluster",
            "the join is in its history"
        );
        assert_eq!(d["cluster"]["size"], 5);
        assert_eq!(d["cluster"]["representative_id"], base.as_str());
        // The cluster filter lists its members only.
        let r = app
            .get_as(&format!("{path}?cluster={c}"), &ctx.staff)
            .await
            .json();
        assert_eq!(r["total"], 5);

        // Deciding the cluster decides every member.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{base}/decision"),
            &ctx.staff,
            json!({"status": "not_adopted", "rationale": "应用场景数量已按专题会要求调整。", "whole_cluster": true}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let inbox = app
            .get_as(&format!("{path}?cluster={c}"), &ctx.staff)
            .await
            .json();
        for i in inbox["items"].as_array().unwrap() {
            assert_eq!(i["state"], "proposed");
            assert_eq!(i["decision_status"], "not_adopted");
        }

        // Taken out, a member stays out, also after the next refresh.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{edited}/detach"),
            &ctx.staff,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.json()["cluster"].is_null());
        letter(&app, &ctx, &format!("{campaign}。"), &clause).await;
        let inbox = app.get_as(&path, &ctx.staff).await.json();
        assert_eq!(cluster_of(&inbox, &edited), None);
        let r = app
            .get_as(&format!("{path}?cluster={c}"), &ctx.staff)
            .await
            .json();
        assert_eq!(r["total"], 5, "four left plus the newest copy");
        // The newest copy took the decision its cluster agreed on, still to be approved.
        for i in r["items"].as_array().unwrap() {
            assert_eq!(i["state"], "proposed", "{:?}: {i}", app.backend);
            assert_eq!(i["decision_status"], "not_adopted");
        }
        let r = post(
            &app,
            &format!("/api/v1/opinions/{edited}/detach"),
            &ctx.staff,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 422);

        // Once the cluster's decision is approved, a later copy joins approved, and its history
        // says where the decision came from.
        let members: Vec<String> = app
            .get_as(&format!("{path}?cluster={c}"), &ctx.staff)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        let r = post(
            &app,
            &format!("{path}/bulk/approve"),
            &ctx.approver,
            json!({"opinion_ids": members}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let later = letter(&app, &ctx, &format!("{campaign}此致敬礼"), &clause).await;
        app.get_as(&path, &ctx.staff).await;
        let d = app
            .get_as(&format!("/api/v1/opinions/{later}"), &ctx.staff)
            .await
            .json();
        assert_eq!(d["opinion"]["state"], "approved", "{d}");
        assert_eq!(d["decision"]["status"], "not_adopted");
        assert_eq!(d["decision"]["state"], "approved");
        assert_eq!(
            d["decision"]["rationale"],
            "应用场景数量已按专题会要求调整。"
        );
        assert!(
            d["history"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["action"] == "opinion.inherit"),
            "{d}"
        );
    }
}

#[actix_web::test]
async fn a_copy_joining_a_cluster_decided_two_ways_is_left_for_staff() {
    let letter_text =
        "建议在人才公寓配建方面给予人工智能企业更多支持，降低青年人才的居住成本，并简化申请流程。";
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let clause = vec![ctx.clause("三、(六)2.")];
        let a = letter(&app, &ctx, letter_text, &clause).await;
        let b = letter(&app, &ctx, &format!("{letter_text}谢谢。"), &clause).await;
        let path = format!("/api/v1/consultations/{}/opinions", ctx.cid);
        app.get_as(&path, &ctx.staff).await;
        for (id, status, why) in [
            (&a, "adopted", None),
            (&b, "not_adopted", Some("已有相关政策。")),
        ] {
            let r = post(
                &app,
                &format!("/api/v1/opinions/{id}/decision"),
                &ctx.staff,
                json!({"status": status, "rationale": why}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
        let c = letter(&app, &ctx, &format!("{letter_text}！"), &clause).await;
        app.get_as(&path, &ctx.staff).await;
        let d = app
            .get_as(&format!("/api/v1/opinions/{c}"), &ctx.staff)
            .await
            .json();
        assert!(d["cluster"]["id"].is_string(), "the copy is clustered: {d}");
        assert_eq!(d["opinion"]["state"], "new");
        assert!(d["decision"].is_null(), "{d}");
    }
}

/// Copies are compared as they arrive by the running server's worker, with nobody opening the
/// inbox; on PostgreSQL too.
#[actix_web::test]
async fn the_running_server_clusters_copies_as_they_arrive() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use yijian::db::schema::opinions;
    let campaign =
        "强烈建议把人工智能通识教育纳入全市中小学课程体系，每周不少于一课时，并配齐专职教师。";
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let clause = vec![ctx.clause("三、(六)2.")];
        let a = letter(&app, &ctx, campaign, &clause).await;
        let b = letter(&app, &ctx, &format!("“{campaign}”"), &clause).await;
        let other = letter(
            &app,
            &ctx,
            "建议加大对算力基础设施的财政投入，并向中小企业开放共享。",
            &clause,
        )
        .await;
        let data = tempfile::tempdir().unwrap();
        let mut node = Command::new(crate::support::BIN)
            .arg("serve")
            .env("YIJIAN_DATABASE_URL", &app.test_db.url)
            .env("YIJIAN_DATA_DIR", data.path())
            .env(
                "YIJIAN_BIND",
                format!("127.0.0.1:{}", crate::support::free_port()),
            )
            .env("YIJIAN_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("yijian serve starts");
        let state = || -> Vec<(String, Option<String>, bool)> {
            opinions::table
                .select((
                    opinions::id,
                    opinions::cluster_id,
                    opinions::needs_signature,
                ))
                .load(&mut *app.conn())
                .unwrap()
        };
        let start = Instant::now();
        while state().iter().any(|(_, _, waiting)| *waiting)
            && start.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        node.kill().unwrap();
        node.wait().unwrap();
        let rows = state();
        let cluster = |id: &str| rows.iter().find(|r| r.0 == id).unwrap().1.clone();
        assert!(
            rows.iter().all(|r| !r.2),
            "{:?}: every opinion compared: {rows:?}",
            app.backend
        );
        assert!(cluster(&a).is_some(), "{:?}: {rows:?}", app.backend);
        assert_eq!(cluster(&a), cluster(&b));
        assert_eq!(cluster(&other), None);
    }
}

#[actix_web::test]
async fn a_decision_without_a_required_rationale_is_refused_and_saves_nothing() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let id = letter(&app, &ctx, "建议增加算力券的发放范围。", &[]).await;
        let before = decisions_count(&app);
        for body in [
            json!({"status": "not_adopted"}),
            json!({"status": "partially_adopted", "rationale": "   "}),
            json!({"status": "out_of_scope", "rationale": null}),
        ] {
            let r = post(
                &app,
                &format!("/api/v1/opinions/{id}/decision"),
                &ctx.staff,
                body.clone(),
            )
            .await;
            assert_eq!(r.status, 422, "{body}: {}", r.text());
            let e = r.json();
            assert_eq!(e["error"], "validation");
            let msg = e["fields"]["rationale"].as_str().unwrap();
            assert!(msg.contains("理由") && msg.contains("未保存"), "{msg}");
            assert_eq!(decisions_count(&app), before, "nothing saved");
        }
        // In English too.
        let r = app
            .send(
                TestRequest::post()
                    .uri(&format!("/api/v1/opinions/{id}/decision?lang=en"))
                    .insert_header(("Authorization", format!("Bearer {}", ctx.staff)))
                    .set_json(json!({"status": "not_adopted"})),
            )
            .await;
        assert!(
            r.json()["fields"]["rationale"]
                .as_str()
                .unwrap()
                .contains("rationale is required")
        );
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            json!({"status": "no_such_status", "rationale": "x"}),
        )
        .await;
        assert_eq!(r.status, 422);
        assert_eq!(decisions_count(&app), before);
        // Adopted needs none.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            json!({"status": "adopted"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let d = r.json();
        assert_eq!(d["opinion"]["state"], "proposed");
        assert_eq!(d["decision"]["status"], "adopted");
        assert_eq!(
            decisions_count(&app),
            (before.0 + 1, before.1 + 1, before.2 + 1)
        );
    }
}

#[actix_web::test]
async fn department_users_see_and_decide_only_their_units_opinions() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        // Linked to 2. 加强人工智能技术创新, whose lead unit is 市科技局: assigned by default.
        let ours = letter(
            &app,
            &ctx,
            "建议提高创新专项的数量。",
            &[ctx.clause("三、(一)2.")],
        )
        .await;
        let r = post(
            &app,
            &format!("/api/v1/opinions/{ours}/assign"),
            &ctx.staff,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["opinion"]["assignee_unit_id"], ctx.unit_a.as_str());
        assert_eq!(r.json()["opinion"]["state"], "assigned");
        let theirs = letter(&app, &ctx, "建议扩大远程会诊覆盖面。", &[]).await;
        let r = post(
            &app,
            &format!("/api/v1/opinions/{theirs}/assign"),
            &ctx.staff,
            json!({"unit_id": ctx.unit_b}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        // An opinion without clause and unit cannot be assigned by default.
        let loose = letter(&app, &ctx, "总体上同意。", &[]).await;
        let r = post(
            &app,
            &format!("/api/v1/opinions/{loose}/assign"),
            &ctx.staff,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 422);

        let path = format!("/api/v1/consultations/{}/opinions", ctx.cid);
        let inbox = app.get_as(&path, &ctx.dept_a).await.json();
        let ids: Vec<&str> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![ours.as_str()]);
        assert_eq!(inbox["total"], 1);
        // Another unit's opinion does not exist for them, and cannot be decided.
        let r = app
            .get_as(&format!("/api/v1/opinions/{theirs}"), &ctx.dept_a)
            .await;
        assert_eq!(r.status, 404);
        let before = decisions_count(&app);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{theirs}/decision"),
            &ctx.dept_a,
            json!({"status": "adopted"}),
        )
        .await;
        assert_eq!(r.status, 404);
        let r = post(
            &app,
            &format!("/api/v1/consultations/{}/opinions/bulk/decide", ctx.cid),
            &ctx.dept_a,
            json!({"opinion_ids": [ours, theirs], "status": "adopted"}),
        )
        .await;
        assert_eq!(r.status, 404, "{}", r.text());
        assert_eq!(decisions_count(&app), before, "nothing saved");
        // Their own: proposed.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{ours}/decision"),
            &ctx.dept_a,
            json!({"status": "partially_adopted", "rationale": "已在方案中调整。"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["opinion"]["state"], "proposed");
        // They propose, they do not assign or approve.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{ours}/assign"),
            &ctx.dept_a,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 403);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{ours}/approve"),
            &ctx.dept_a,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 403);
        // The other unit sees only its own.
        let inbox = app.get_as(&path, &ctx.dept_b).await.json();
        assert_eq!(inbox["items"][0]["id"], theirs.as_str());
        assert_eq!(inbox["total"], 1);
        let r = app
            .get_as(&format!("/api/v1/opinions/{ours}"), &ctx.dept_b)
            .await;
        assert_eq!(r.status, 404);
    }
}

#[actix_web::test]
async fn an_approver_approves_or_sends_back_with_a_note() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let id = letter(&app, &ctx, "建议明确算力统筹调度平台的建设主体。", &[]).await;
        let decide = |status: &'static str, rationale: &'static str| json!({"status": status, "rationale": rationale});
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/approve"),
            &ctx.approver,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 422, "nothing proposed yet");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            decide("partially_adopted", "已部分调整。"),
        )
        .await;
        assert_eq!(r.status, 200);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/approve"),
            &ctx.staff,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 403, "staff do not approve");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.approver,
            decide("adopted", ""),
        )
        .await;
        assert_eq!(r.status, 403, "approvers do not propose");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/return"),
            &ctx.approver,
            json!({"note": " "}),
        )
        .await;
        assert_eq!(r.status, 422);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/return"),
            &ctx.approver,
            json!({"note": "理由请写明调整了哪些内容。"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let d = r.json();
        assert_eq!(d["decision"]["state"], "returned");
        assert_eq!(d["decision"]["return_note"], "理由请写明调整了哪些内容。");
        assert_eq!(d["opinion"]["state"], "new");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/approve"),
            &ctx.approver,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 422, "a returned decision is not approved");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            decide("partially_adopted", "已在算力伙伴计划中明确建设主体。"),
        )
        .await;
        assert_eq!(r.status, 200);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/approve"),
            &ctx.approver,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let d = r.json();
        assert_eq!(d["opinion"]["state"], "approved");
        assert_eq!(d["decision"]["state"], "approved");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            decide("adopted", ""),
        )
        .await;
        assert_eq!(r.status, 422, "an approved decision stays");
        // Unless the office reopens it on purpose (a correction); then it needs approving
        // again.
        let mut reopen = decide("not_adopted", "与现行政策不符。");
        reopen["reopen"] = serde_json::json!(true);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/decision"),
            &ctx.staff,
            reopen,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["opinion"]["state"], "proposed");
        // The history shows every step, oldest first.
        let actions: Vec<String> = d["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            actions,
            [
                "opinion.decide",
                "opinion.return",
                "opinion.decide",
                "opinion.approve"
            ]
        );
        use yijian::db::schema::decision_history;
        let mut conn = app.conn();
        let steps: Vec<String> = decision_history::table
            .filter(decision_history::opinion_id.eq(&id))
            .order(decision_history::created_at.asc())
            .select(decision_history::action)
            .load(&mut *conn)
            .unwrap();
        // The last, the reopening.
        assert_eq!(
            steps,
            ["propose", "return", "propose", "approve", "propose"]
        );
    }
}

#[actix_web::test]
async fn bulk_actions_change_all_or_nothing() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let mut ids = Vec::new();
        for t in [
            "建议一：加快建设。",
            "建议二：加强人才引进。",
            "建议三：完善资金支持。",
        ] {
            ids.push(letter(&app, &ctx, t, &[ctx.clause("三、(六)2.")]).await);
        }
        let base = format!("/api/v1/consultations/{}/opinions/bulk", ctx.cid);
        let r = post(
            &app,
            &format!("{base}/decide"),
            &ctx.staff,
            json!({"opinion_ids": ids, "status": "partially_adopted"}),
        )
        .await;
        assert_eq!(r.status, 422);
        assert_eq!(decisions_count(&app).0, 0);
        let r = post(
            &app,
            &format!("{base}/decide"),
            &ctx.staff,
            json!({"opinion_ids": [], "status": "adopted"}),
        )
        .await;
        assert_eq!(r.status, 422);
        let r = post(
            &app,
            &format!("{base}/assign"),
            &ctx.staff,
            json!({"opinion_ids": ids}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["changed"], 3);
        let r = post(
            &app,
            &format!("{base}/decide"),
            &ctx.staff,
            json!({"opinion_ids": ids, "status": "partially_adopted", "rationale": "已吸收到人才政策中。", "save_phrase": true}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["changed"], 3);
        let phrases = app
            .get_as("/api/v1/rationale-phrases", &ctx.staff)
            .await
            .json();
        assert_eq!(phrases[0]["text"], "已吸收到人才政策中。");
        // One approved already makes the whole approval refused? No: all are proposed here.
        let r = post(
            &app,
            &format!("{base}/approve"),
            &ctx.approver,
            json!({"opinion_ids": ids}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let inbox = app
            .get_as(
                &format!("/api/v1/consultations/{}/opinions?status=approved", ctx.cid),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(inbox["total"], 3);
        // Approving again: none is proposed, nothing changes.
        let r = post(
            &app,
            &format!("{base}/approve"),
            &ctx.approver,
            json!({"opinion_ids": ids}),
        )
        .await;
        assert_eq!(r.status, 422);
        let inbox = app
            .get_as(
                &format!(
                    "/api/v1/consultations/{}/opinions?status=partially_adopted",
                    ctx.cid
                ),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(inbox["total"], 3, "decision status filter");
    }
}

#[actix_web::test]
async fn split_summary_links_search_and_clause_filters() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let text = "第一，建议将算力规模目标提高到2000PFLOPS。第二，建议在人才政策中增加算法工程师的住房保障。";
        let id = letter(&app, &ctx, text, &[]).await;
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/split"),
            &ctx.staff,
            json!({"passages": ["第一，建议将算力规模目标提高到2000PFLOPS。", "这一句不在原文里。"]}),
        )
        .await;
        assert_eq!(r.status, 422);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/split"),
            &ctx.staff,
            json!({"passages": ["第一，建议将算力规模目标提高到2000PFLOPS。", "第二，建议在人才政策中增加算法工程师的住房保障。"]}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let parts: Vec<String> = r.json()["opinion_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], id);
        let d = app
            .get_as(&format!("/api/v1/opinions/{}", parts[1]), &ctx.staff)
            .await
            .json();
        assert_eq!(
            d["opinion"]["received_text"],
            "第二，建议在人才政策中增加算法工程师的住房保障。"
        );
        assert_eq!(
            d["submission_body"], text,
            "what arrived stays as it arrived"
        );
        // The summary changes; the received text does not.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/summary"),
            &ctx.staff,
            json!({"summary": "提高算力规模目标"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["opinion"]["summary"], "提高算力规模目标");
        assert_eq!(
            r.json()["opinion"]["received_text"],
            "第一，建议将算力规模目标提高到2000PFLOPS。"
        );
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/summary"),
            &ctx.staff,
            json!({"summary": ""}),
        )
        .await;
        assert_eq!(r.status, 422);
        // Link the confirmed suggestion; link a clause of another consultation: refused.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/clauses"),
            &ctx.staff,
            json!({"link": [ctx.clause("三、(二)1.")]}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["links"][0]["path"], "三、(二)1.");
        let r = post(
            &app,
            &format!("/api/v1/opinions/{id}/clauses"),
            &ctx.staff,
            json!({"link": [uuid::Uuid::now_v7().to_string()]}),
        )
        .await;
        assert_eq!(r.status, 422);
        let r = post(
            &app,
            &format!("/api/v1/opinions/{}/clauses", parts[1]),
            &ctx.staff,
            json!({"link": [ctx.clause("三、(六)2.")]}),
        )
        .await;
        assert_eq!(r.status, 200);
        // Chinese substring search, on both backends.
        let list = |q: &str| {
            let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
            format!("/api/v1/consultations/{}/opinions?q={q}", ctx.cid)
        };
        let r = app.get_as(&list("住房保障"), &ctx.staff).await.json();
        assert_eq!(r["total"], 1);
        assert_eq!(r["items"][0]["id"], parts[1].as_str());
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/opinions?q=pflops", ctx.cid),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(r["total"], 1, "ASCII case-insensitive");
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/opinions?q=%25", ctx.cid),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(r["total"], 0, "% is taken literally");
        // The index follows edits: the new summary is found, the old one no more (the received
        // text still is); a quote in the query is a character like any other; one or two
        // characters are searched without the index.
        let r = post(
            &app,
            &format!("/api/v1/opinions/{}/summary", parts[1]),
            &ctx.staff,
            json!({"summary": "扩大“保障性租赁住房”供给"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = app.get_as(&list("保障性租赁"), &ctx.staff).await.json();
        assert_eq!(r["total"], 1);
        let r = app.get_as(&list("“保障性"), &ctx.staff).await.json();
        assert_eq!(r["total"], 1);
        let r = app.get_as(&list("\"保障"), &ctx.staff).await.json();
        assert_eq!(r["total"], 0);
        let r = app.get_as(&list("住房"), &ctx.staff).await.json();
        assert_eq!(r["total"], 1, "two characters");
        // The clause filter takes sub-clauses; the heat map counts by branch.
        let three = ctx.clause("三、");
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/opinions?clause={three}", ctx.cid),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(r["total"], 2);
        let r2 = app
            .get_as(
                &format!(
                    "/api/v1/consultations/{}/opinions?clause={}",
                    ctx.cid,
                    ctx.clause("三、(二)")
                ),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(r2["total"], 1);
        let heat = r["clauses"].as_array().unwrap();
        let node = heat.iter().find(|c| c["id"] == three.as_str()).unwrap();
        assert_eq!(node["branch_new"], 2);
        assert_eq!(node["new"], 0);
        let r = app
            .get_as(
                &format!("/api/v1/consultations/{}/opinions?clause=none", ctx.cid),
                &ctx.staff,
            )
            .await
            .json();
        assert_eq!(r["total"], 0);
        // Unparseable ids are not found.
        let r = app.get_as("/api/v1/opinions/not-a-uuid", &ctx.staff).await;
        assert_eq!(r.status, 404);
    }
}

#[actix_web::test]
async fn the_workbench_works_without_javascript() {
    for app in TestApp::all().await {
        let ctx = setup(&app).await;
        let text = seed_002_department_comments()[0].clone();
        let id = letter(&app, &ctx, &text, &[]).await;
        let b = app.browser();
        assert_eq!(b.login("staff@example.org", PASSWORD).await.status, 303);
        let inbox_path = format!("/staff/consultations/{}/opinions", ctx.cid);
        let page = b.get(&inbox_path).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let html = page.text();
        assert!(html.contains(&format!("/staff/opinions/{id}")));
        assert!(
            html.contains("推进智慧医疗"),
            "the clause tree is beside the list"
        );
        let page = b.get(&format!("/staff/opinions/{id}")).await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(
            html.contains("意见中点名的条款"),
            "the reference is suggested"
        );
        let csrf = Browser::csrf(&page);
        let clause = ctx.clause("三、(五)3.");
        let r = b
            .post_form(
                &format!("/staff/opinions/{id}/clauses"),
                &[
                    ("csrf_token", &csrf),
                    ("clause_id", &clause),
                    ("op", "link"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        // Assign to the clause's lead unit (the default).
        let r = b
            .post_form(
                &format!("/staff/opinions/{id}/assign"),
                &[("csrf_token", &csrf), ("unit_id", "")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        // Refused: not adopted without a rationale; the page says why and keeps the choice.
        let r = b
            .post_form(
                &format!("/staff/opinions/{id}/decision"),
                &[
                    ("csrf_token", &csrf),
                    ("status", "not_adopted"),
                    ("rationale", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("除“已采纳”外，其他采纳状态都须说明理由"));
        assert_eq!(decisions_count(&app).0, 0);
        let r = b
            .post_form(
                &format!("/staff/opinions/{id}/decision"),
                &[
                    ("csrf_token", &csrf),
                    ("status", "adopted"),
                    (
                        "rationale",
                        "根据市政府专题会要求，调整为在智慧领域打造80项应用场景",
                    ),
                    ("save_phrase", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let page = b.get(&format!("/staff/opinions/{id}")).await;
        let html = page.text();
        assert!(html.contains("三、(五)3."));
        assert!(html.contains("市卫健委"), "assigned to the lead unit");
        assert!(html.contains("拟定采纳情况"), "history");
        // A form without its CSRF token is refused.
        let r = b
            .post_form(
                &format!("/staff/opinions/{id}/approve"),
                &[("csrf_token", "x")],
            )
            .await;
        assert_eq!(r.status, 403, "staff cannot approve");
        // The approver approves from the inbox with a bulk form.
        let a = app.browser();
        assert_eq!(a.login("approver@example.org", PASSWORD).await.status, 303);
        let page = a.get(&inbox_path).await;
        let csrf = Browser::csrf(&page);
        let r = a
            .post_form(
                &format!("{inbox_path}/bulk/approve"),
                &[
                    ("csrf_token", &csrf),
                    ("opinion_ids", &id),
                    ("back", &inbox_path),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(r.header("location"), Some(inbox_path.as_str()));
        let page = a.get(&format!("/staff/opinions/{id}")).await;
        assert!(page.text().contains("已审核"));
        // The department user of the lead unit reaches the same page; the other unit does not.
        let d = app.browser();
        assert_eq!(d.login("weijian@example.org", PASSWORD).await.status, 303);
        assert_eq!(d.get(&format!("/staff/opinions/{id}")).await.status, 200);
        let o = app.browser();
        assert_eq!(o.login("keji@example.org", PASSWORD).await.status, 303);
        assert_eq!(o.get(&format!("/staff/opinions/{id}")).await.status, 404);
        let page = o.get(&inbox_path).await;
        assert_eq!(page.status, 200);
        assert!(!page.text().contains(&format!("/staff/opinions/{id}")));
        let _ = (&ctx.unit_a, &ctx.unit_b, &ctx.dept_b);
    }
}
