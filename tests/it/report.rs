//! The consultation report through the product: seed 002 entered through the HTTP
//! API and reproduced in the JSON and HTML editions; readiness; publication as a frozen
//! snapshot with numbered editions; masking in the public edition; downloads in every format;
//! the DOCX read back and converted to PDF by LibreOffice; tracking pages; the command line.

use std::io::Read;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};
use yijian::domain::Role;

use crate::support::{Browser, Resp, TestApp};

const SEED: &str = include_str!("../fixtures/seed_002.txt");
const DRAFT: &str = include_str!("../fixtures/seed_001.txt");
const PASSWORD: &str = "correct horse battery";

// Seed 002's cells, as published (the page extraction's line break inside two 是否采纳 cells is
// not part of the text; `\n` marks a real paragraph break inside a cell). The same data as the
// report model's unit test, entered here through the product.
pub const WH: &str = "华中科技大学管理学院中德知识产权研究所王华";
pub const PUBLIC_ROWS: [(&str, &str, &str, Option<&str>); 5] = [
    (
        "缺失清晰的、可视化的示意图。特别是在总体目标中计划突破的技术、深化的优势,至少要明确武汉市现在可能的优势(机器视觉、自然语言处理、北斗导航、生物特征识别等关键技术)深化到何种程度;突破领域应当更加聚焦和明确。四个先导的方向与六个标志性成果、六方面建设内容是否是对应的关系也是很不明确。",
        "adopted",
        "已采纳",
        Some("调整了先导方向和建设内容"),
    ),
    (
        "多处提到人工智能生态”“产业创新生态服务生态”“平台等等,是否考虑在一个概念下的、区域或者武汉市的人工智能创新生态系统。在此之下建立各微生态系统,至少可能包括实施方案中提到人工智能的教育生态产业生态创业生态服务生态等。",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "在以(一)发展人工智能核心技术为代表的建设内容中都是建设、推进、实现,从具体五项内容来看当前进展处于刚刚萌芽。先导区更多地强调战略生态位管理下的庇护、培育和赋权,提供一个良好的、不受过度竞争挤压的发展环境。比如“4.打造人工智能生态,目前武汉存有新兴的、竞争能力不强的生态,需要在建设期提供一个庇护空间培育一些新的生态,制造、遥感、医疗、安防、交通、金融等行业都是已经有的业态。",
        "partially_adopted",
        "部分采纳",
        Some("在核心技术、人工智能生态方面已对相关内容进行调整。"),
    ),
    (
        "每年面向人工智能应用场景实施揭榜挂帅工程,推广人工智能产品100项以上,建设人工智能典型场景100项以上。征求意见稿实施时间为2023-2025年,并且预计组建总规模100亿的人工智能产业发展基金,未来政府能支出的预算未定。因此要么将《实施方案》的期限延长,制定长期的建设方案;或者将目标聚焦,尤其对当前已经拟定技术需求揭榜挂帅,再分阶段扩大项目和完善实施方案。",
        "partially_adopted",
        "部分采纳",
        Some("已对相关内容进行调整。"),
    ),
    (
        "建议在征求意见稿或者正式实施方案中公布该方案的制定者、咨询专家和主要贡献者,并且要有产业经济学、战略学方面的专家。",
        "partially_adopted",
        "部分采纳",
        Some("已在方案送审稿中注明论证专家及论证意见。"),
    ),
];
// (unit, opinion, code, label, rationale)
pub const DEPARTMENT_ROWS: [(&str, &str, &str, &str, Option<&str>); 9] = [
    (
        "市卫健委",
        "第三部分建设内容”“(五)实施人工智能场景应用计划-推进智慧医疗多场景协同’”中,建设智慧医疗服务平台,深入开展远程会诊、远程影像、远程检验、远程机器人手术应用示范,在智慧医疗领域打造90项应用场景修改为推进智慧医院建设,深入开展多渠道预约挂号、预约检查、诊间支付、检验检查自助查询共享、居民电子健康档案等应用示范,在智慧医疗领域打造一批应用场景。",
        "adopted",
        "已采纳",
        Some("根据市政府专题会要求,与市卫健委协商一致,调整为在智慧领域打造80项应用场景"),
    ),
    (
        "市科技局",
        "第三部分建设内容”“(一)实施人工智能技术突破计划-加强人工智能技术创新中,建议将每年组织实施人工智能创新专项项目不少于20项,推进人工智能领域关键核心技术攻关项目3修改为组织实施人工智能领域创新专项和关键核心技术攻关项目,形成不少于40项共性技术创新成果,攻克不少于5项关键核心技术。此外,考虑到创新专项和关键核心技术攻关项目需要产业主管部门参与,建议责任单位增加市经信局、市发改委。",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "市科技局",
        "第三部分建设内容”“(二)实施人工智能伙伴计划-实施算力伙伴计划中,建议将全市总算力规模超过1500PFLOPS,其中高性能算力比例超过60%”修改为全市总算力规模超过1500PFLOPS,其中,智能算力和高性能算力比例超过60%”",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "市科技局",
        "第三部分建设内容”“实施人工智能伙伴计划 -实施大模型伙伴计划中,建议将研发具有重大影响力的垂直行业大模型10个,加快实现面向智能制造、智能汽车、智慧医疗等领域的通用人工智能产业应用修改为研发具有影响力的垂直行业大模型解决方案10个,加快实现面向智能制造、智能汽车、智慧医疗等领域的通用人工智能产业应用",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "市科技局",
        "第三部分建设内容”“实施人工智能伙伴计划 -实施数据伙伴计划中,建议责任单位去掉市科技局,修改理由:该部分主要内容包括公共数据集建设、行业数据与企业数据融通使用、数据要素市场培育等,不涉及我局相关职能。",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "市政务数据大数据局",
        "第三部分建设内容”“(五)实施人工智能场景应用计划-推进智慧城市数智治理’”中,在水务、城管、交通、税务、燃气等领域形成100项智慧城市应用场景,智慧城市场景建设应根据各部门自身业务和功能实际需要进行设计部署采用人工智能技术,建议此处不对应用人工智能数量作出要求。",
        "adopted",
        "已采纳",
        Some(
            "根据市政府专题会要求,与市政务数据大数据局协商一致,调整为在智慧城市领域打造20项应用场景",
        ),
    ),
    (
        "市城建局",
        "第三部分建设内容”“(五)实施人工智能场景应用计划-推进智能建造自主可控’”中,在智能建造领域打造80项应用场景”,这个在市政府印发的智能建造实施方案中无此项任务。建议修改为打造智能建造应用场景。责任单位建议增加市公安局、市民政局、市房管局、市市场监督管理局,因为一标三实中的标准地址和实有人口工作涉及市公安局,标准地址中的标准地名工作涉及市民政局,实有房屋工作涉及市房管局,实有单位工作涉及市市场监督管理局。",
        "adopted",
        "采纳",
        Some(
            "修改责任单位,并根据市政府专题会要求,与市城建局协商一致,调整为“在智慧建造领域打造80项应用场景”。",
        ),
    ),
    (
        "市人才工作局",
        "第三部分建设内容”“实施人工智能生态营造计划-强化多层次人才服务支撑中,\n1.市人才工作局作为党委部门,统筹负责全市人才工作和人才队伍建设,根据管行业必须管人才工作要求,建议由市经信局牵头,市人才工作局不作为牵头单位。\n2.建议将充分发挥高等学校、科研院所和企业的作用,培育和引进各层级科学家、产业和工程技术人才修改为围绕我市人工智能产业重点发展需要,制定产业人才政策,为高校院所和企业引育战略科技人才、产业领军人才和高技能人才提供有力支撑\n3.“吸引十个院士团队落地,此项工作的责任单位建议为市经信局、市科技局、各区人民政府。\n4.“引聚百名产业优秀人才,此项工作内容建议修改为集聚百名优秀产业人才,在我市人工智能产业重点发展方向及细分领域,培养30名以上武汉英才产业领军人才、优秀青年人才,100名以上培育支持专项人才。责任单位建议为市人才工作局、市经信局。\n5.“培养万名算法工程师,建议删除实施算法工程师倍增计划,此项工作责任单位由市经信局确定。",
        "adopted",
        "已采纳",
        None,
    ),
    (
        "硚口区科经局",
        "第三部分建设内容”“实施人工智能集聚发展计划-建设人工智能特色园区中,重点推动武昌区数创大厦、洪山区融创智谷、……等打造成为人工智能融合应用特色园区\"中增加硚口区D+M小镇",
        "adopted",
        "采纳",
        Some("明确支持各区建设20个以上以人工智能产业为主要方向的园区"),
    ),
];
pub const NO_COMMENT_DEPARTMENTS: [&str; 8] = [
    "市教育局",
    "市市场监管局",
    "市发改委",
    "市投控集团",
    "市招商办",
    "市人社局",
    "市财政局",
    "市地方金融局",
];
pub const NO_COMMENT_DISTRICTS: [&str; 14] = [
    "武汉东湖新技术开发区管委会",
    "武汉经济技术开发区管委会",
    "长江新区管委会",
    "江岸区政府",
    "江汉区政府",
    "汉阳区政府",
    "武昌区政府",
    "青山区政府",
    "洪山区政府",
    "东西湖区政府",
    "蔡甸区政府",
    "江夏区政府",
    "黄陂区政府",
    "新洲区政府",
];

/// Seed 002's table region as printed: lines without blanks.
fn seed_lines() -> Vec<&'static str> {
    SEED.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Text without whitespace and with half-width commas made full-width: the seed mixes both
/// and its extraction broke lines inside cells.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '，' } else { c })
        .collect()
}

/// Rows written straight through `yijian::db` for the tests that set up many states quickly
/// (clusters, quick decisions on small fixtures) and for what has no route: an extra decision
/// status (the settings of an administrator). The seed 002 acceptance enters its data through
/// the HTTP API: consultation, draft, units, submission, the split into five opinions,
/// solicitation replies, decisions and approvals.
pub mod without_api {
    use diesel::prelude::*;
    use yijian::db::schema::{decision_statuses, decisions, opinions};
    use yijian::db::{DbConnection, new_id, now};

    pub fn unit_id(conn: &mut DbConnection, name: &str) -> String {
        yijian::db::units::resolve(conn, name)
            .unwrap()
            .unwrap_or_else(|| panic!("unit {name} exists"))
            .id
    }

    /// Splits a submission into opinions (triage): the first keeps the submission's opinion
    /// row, the others are added after it. Returns the opinion ids in order.
    pub fn split_submission(
        conn: &mut DbConnection,
        submission_id: &str,
        parts: &[&str],
    ) -> Vec<String> {
        let (first, consultation_id, at): (String, String, chrono::NaiveDateTime) = opinions::table
            .filter(opinions::submission_id.eq(submission_id))
            .filter(opinions::position.eq(0i64))
            .select((
                opinions::id,
                opinions::consultation_id,
                opinions::created_at,
            ))
            .first(conn)
            .unwrap();
        diesel::update(opinions::table.find(&first))
            .set((
                opinions::received_text.eq(parts[0]),
                opinions::summary.eq(parts[0]),
            ))
            .execute(conn)
            .unwrap();
        let mut ids = vec![first];
        for (i, part) in parts.iter().enumerate().skip(1) {
            let id = new_id();
            diesel::insert_into(opinions::table)
                .values((
                    opinions::id.eq(&id),
                    opinions::consultation_id.eq(&consultation_id),
                    opinions::submission_id.eq(submission_id),
                    opinions::position.eq(i as i64),
                    opinions::received_text.eq(*part),
                    opinions::summary.eq(*part),
                    opinions::state.eq("new"),
                    opinions::created_at.eq(at),
                    opinions::updated_at.eq(at),
                ))
                .execute(conn)
                .unwrap();
            ids.push(id);
        }
        ids
    }

    /// A configured extra status (the seed prints both 已采纳 and 采纳 for adopted opinions).
    pub fn add_status(conn: &mut DbConnection, code: &str, label_zh: &str, counts_as: &str) {
        diesel::insert_into(decision_statuses::table)
            .values((
                decision_statuses::code.eq(code),
                decision_statuses::label_zh.eq(label_zh),
                decision_statuses::label_en.eq("Adopted"),
                decision_statuses::requires_rationale.eq(false),
                decision_statuses::counts_as.eq(counts_as),
                decision_statuses::position.eq(7i64),
                decision_statuses::enabled.eq(true),
            ))
            .execute(conn)
            .unwrap();
    }

    /// A proposed decision on an opinion.
    pub fn decide(
        conn: &mut DbConnection,
        opinion_id: &str,
        status: &str,
        rationale: Option<&str>,
    ) {
        let at = now();
        diesel::insert_into(decisions::table)
            .values((
                decisions::id.eq(new_id()),
                decisions::opinion_id.eq(opinion_id),
                decisions::status.eq(status),
                decisions::rationale.eq(rationale),
                decisions::state.eq("proposed"),
                decisions::decided_at.eq(at),
                decisions::updated_at.eq(at),
            ))
            .execute(conn)
            .unwrap();
        diesel::update(opinions::table.find(opinion_id))
            .set(opinions::state.eq("proposed"))
            .execute(conn)
            .unwrap();
    }

    /// Changes a decision's rationale (and sends it back to be approved again).
    pub fn change_rationale(conn: &mut DbConnection, opinion_id: &str, rationale: Option<&str>) {
        diesel::update(decisions::table.filter(decisions::opinion_id.eq(opinion_id)))
            .set((
                decisions::rationale.eq(rationale),
                decisions::state.eq("proposed"),
                decisions::updated_at.eq(now()),
            ))
            .execute(conn)
            .unwrap();
    }

    /// Joins opinions into a duplicate cluster with its representative (triage).
    pub fn cluster(
        conn: &mut DbConnection,
        consultation_id: &str,
        members: &[&str],
        representative: &str,
    ) {
        use yijian::db::schema::opinion_clusters;
        let id = new_id();
        let at = now();
        diesel::insert_into(opinion_clusters::table)
            .values((
                opinion_clusters::id.eq(&id),
                opinion_clusters::consultation_id.eq(consultation_id),
                opinion_clusters::representative_opinion_id.eq(Some(representative)),
                opinion_clusters::created_at.eq(at),
                opinion_clusters::updated_at.eq(at),
            ))
            .execute(conn)
            .unwrap();
        diesel::update(opinions::table.filter(opinions::id.eq_any(members)))
            .set(opinions::cluster_id.eq(Some(&id)))
            .execute(conn)
            .unwrap();
    }

    /// The opinion ids of a submission, in order.
    pub fn opinions_of(conn: &mut DbConnection, tracking_code: &str) -> Vec<String> {
        use yijian::db::schema::submissions;
        opinions::table
            .inner_join(submissions::table)
            .filter(submissions::tracking_code.eq(tracking_code))
            .order(opinions::position.asc())
            .select(opinions::id)
            .load(conn)
            .unwrap()
    }

    /// The approver approves every proposed decision of the consultation.
    pub fn approve_all(conn: &mut DbConnection, consultation_id: &str) {
        let ids: Vec<String> = opinions::table
            .filter(opinions::consultation_id.eq(consultation_id))
            .select(opinions::id)
            .load(conn)
            .unwrap();
        let at = now();
        diesel::update(decisions::table.filter(decisions::opinion_id.eq_any(&ids)))
            .set((
                decisions::state.eq("approved"),
                decisions::approved_at.eq(Some(at)),
            ))
            .execute(conn)
            .unwrap();
        diesel::update(
            opinions::table
                .filter(opinions::id.eq_any(&ids))
                .filter(opinions::state.eq("proposed")),
        )
        .set(opinions::state.eq("approved"))
        .execute(conn)
        .unwrap();
    }
}

/// Seed 002 as entered: ids and tokens the tests go on with.
struct Seed {
    staff: String,
    approver: String,
    id: String,
    slug: String,
    /// 王华's tracking code.
    code: String,
    public_opinions: Vec<String>,
    department_opinions: Vec<String>,
}

/// The units seed 002 names: those that replied with opinions, then those of its closing
/// paragraph in the order it names them.
fn seed_units() -> Vec<(&'static str, &'static str)> {
    let mut units = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (name, ..) in DEPARTMENT_ROWS {
        if seen.insert(name) {
            units.push((name, "department"));
        }
    }
    for name in NO_COMMENT_DEPARTMENTS {
        units.push((
            name,
            if name == "市投控集团" {
                "other"
            } else {
                "department"
            },
        ));
    }
    for name in NO_COMMENT_DISTRICTS {
        units.push((name, "district"));
    }
    units
}

fn status_code(label: &str) -> &'static str {
    match label {
        "已采纳" => "adopted",
        "采纳" => "adopted_plain",
        "部分采纳" => "partially_adopted",
        other => panic!("no status for {other}"),
    }
}

/// Enters seed 002's consultation, draft, units, public submission, department replies and
/// 无修改意见 replies, and closes the consultation. Decisions are left to the test.
async fn enter_seed_002(app: &TestApp) -> Seed {
    let staff = app.user_with_token("staff@example.org", Role::Staff, None);
    let approver = app.user_with_token("approver@example.org", Role::Approver, None);

    // The consultation and its draft, through the API.
    let c = app.consultation(&staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let slug = c["slug"].as_str().unwrap().to_string();
    let r = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/consultations/{id}/drafts"))
                .insert_header(("Authorization", format!("Bearer {staff}")))
                .insert_header(("Content-Type", "text/plain; charset=utf-8"))
                .set_payload(DRAFT.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // Every unit the seed names, through the API, in the seed's order.
    for (name, kind) in seed_units() {
        let r = app
            .post_json(
                "/api/v1/units",
                Some(&staff),
                json!({"name": name, "kind": kind}),
            )
            .await;
        assert_eq!(r.status, 201, "{name}: {}", r.text());
    }
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // 王华's comments arrive through the public API as one submission.
    let texts: Vec<&str> = PUBLIC_ROWS.iter().map(|r| r.0).collect();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/submissions"),
            None,
            json!({
                "body": texts.join("\n\n"),
                "name": "王华",
                "organization": "华中科技大学管理学院中德知识产权研究所",
                "email": "wanghua@example.org",
                "phone": "027-87543210",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["tracking_code"].as_str().unwrap().to_string();

    let mut conn = app.conn();
    let submission_id: String = {
        use yijian::db::schema::submissions;
        submissions::table
            .filter(submissions::tracking_code.eq(&code))
            .select(submissions::id)
            .first(&mut *conn)
            .unwrap()
    };
    // Triage splits it into its five opinions, through its API.
    let whole: String = {
        use yijian::db::schema::opinions;
        opinions::table
            .filter(opinions::submission_id.eq(&submission_id))
            .select(opinions::id)
            .first(&mut *conn)
            .unwrap()
    };
    drop(conn);
    let r = app
        .post_json(
            &format!("/api/v1/opinions/{whole}/split"),
            Some(&staff),
            json!({"passages": texts}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let public_opinions: Vec<String> = r.json()["opinion_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(public_opinions.len(), 5);
    let mut conn = app.conn();

    // Every unit of the seed is asked for its views, through the solicitation API.
    let solicited: Vec<String> = seed_units()
        .iter()
        .map(|(name, _)| without_api::unit_id(&mut conn, name))
        .collect();
    drop(conn);
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/solicitations"),
            Some(&staff),
            json!({"unit_ids": solicited, "deadline": "2099-12-31"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    // The departments' replies, in the order they arrived (市科技局's four in one letter),
    // recorded by staff from the letters received.
    let mut department_opinions = Vec::new();
    let mut i = 0;
    while i < DEPARTMENT_ROWS.len() {
        let unit = DEPARTMENT_ROWS[i].0;
        let parts: Vec<&str> = DEPARTMENT_ROWS[i..]
            .iter()
            .take_while(|r| r.0 == unit)
            .map(|r| r.1)
            .collect();
        i += parts.len();
        let unit_id = without_api::unit_id(&mut app.conn(), unit);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{unit_id}/reply"),
                Some(&staff),
                json!({"opinions": parts.iter().map(|p| json!({"body": p})).collect::<Vec<_>>()}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        department_opinions.extend(
            r.json()["current"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_string()),
        );
    }
    // The closing paragraph's units replied 无修改意见; districts first here, to show the
    // paragraph orders them by kind and directory order, not by reply.
    for name in NO_COMMENT_DISTRICTS
        .iter()
        .rev()
        .chain(NO_COMMENT_DEPARTMENTS.iter())
    {
        let unit_id = without_api::unit_id(&mut app.conn(), name);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/solicitations/{unit_id}/reply"),
                Some(&staff),
                json!({"no_comment": true}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let mut conn = app.conn();
    without_api::add_status(&mut conn, "adopted_plain", "采纳", "adopted");
    drop(conn);

    // The window closes early, with its reason, through the API.
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/close"),
            Some(&staff),
            json!({"reason": "按市政府专题会要求提前汇总意见"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    Seed {
        staff,
        approver,
        id,
        slug,
        code,
        public_opinions,
        department_opinions,
    }
}

/// Every decision of seed 002, proposed; approved with `approve`.
async fn decide_seed(app: &TestApp, s: &Seed, approve: bool) {
    // Through the triage API: staff propose each decision, the approver approves them all.
    let rows = s
        .public_opinions
        .iter()
        .zip(PUBLIC_ROWS.iter().map(|r| (r.2, r.3)))
        .chain(
            s.department_opinions
                .iter()
                .zip(DEPARTMENT_ROWS.iter().map(|r| (r.3, r.4))),
        );
    for (op, (label, rationale)) in rows {
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{op}/decision"),
                Some(&s.staff),
                json!({"status": status_code(label), "rationale": rationale}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    if approve {
        let ids: Vec<&String> = s
            .public_opinions
            .iter()
            .chain(s.department_opinions.iter())
            .collect();
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{}/opinions/bulk/approve", s.id),
                Some(&s.approver),
                json!({"opinion_ids": ids}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

async fn get_report(app: &TestApp, s: &Seed, query: &str, token: Option<&str>) -> Resp {
    let uri = format!("/api/v1/consultations/{}/report?{query}", s.id);
    match token {
        Some(t) => app.get_as(&uri, t).await,
        None => app.get(&uri).await,
    }
}

async fn publish(app: &TestApp, s: &Seed, token: &str) -> Resp {
    app.post_json(
        &format!("/api/v1/consultations/{}/publications", s.id),
        Some(token),
        json!({}),
    )
    .await
}

/// The table as the seed prints it: section titles, numbers, the submitter on the first row
/// of its group, the opinion and the decision.
fn printed(model: &Value) -> String {
    let mut out = String::new();
    for section in model["sections"].as_array().unwrap() {
        out.push_str(section["title"].as_str().unwrap());
        for row in section["rows"].as_array().unwrap() {
            out.push_str(&row["number"].to_string());
            if row["submitter_span"].as_u64().unwrap() > 0 {
                out.push_str(row["submitter"].as_str().unwrap());
            }
            out.push_str(row["opinion"].as_str().unwrap());
            out.push_str(row["decision"].as_str().unwrap());
        }
    }
    out
}

/// Asserts that a JSON edition is seed 002's report, with `submitter` as 王华's cell.
fn assert_seed_json(model: &Value, wang: &str) {
    let lines = seed_lines();
    assert_eq!(model["title"], lines[0]);
    assert!(model["summary"].is_null());
    let sections = model["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0]["title"], "一、公开网站征求意见采纳情况");
    assert_eq!(sections[1]["title"], "二、相关部门意见采纳情况");
    for s in sections {
        assert_eq!(
            s["columns"],
            json!(["序号", "单位/个人", "修改意见", "是否采纳"])
        );
    }
    let col = |s: &Value, k: &str| -> Vec<Value> {
        s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[k].clone())
            .collect()
    };
    assert_eq!(
        col(&sections[0], "number"),
        json!([1, 2, 3, 4, 5]).as_array().unwrap().clone()
    );
    assert_eq!(
        col(&sections[1], "number"),
        json!([1, 2, 3, 4, 5, 6, 7, 8, 9])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        col(&sections[0], "submitter_span"),
        json!([5, 0, 0, 0, 0]).as_array().unwrap().clone()
    );
    assert_eq!(
        col(&sections[1], "submitter_span"),
        json!([1, 4, 0, 0, 0, 1, 1, 1, 1])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(sections[0]["rows"][0]["submitter"], wang);
    assert_eq!(sections[1]["rows"][1]["submitter"], "市科技局");
    assert!(col(&sections[0], "count").iter().all(|c| *c == 1));
    // Status and rationale, cell by cell.
    for (row, expected) in sections[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(PUBLIC_ROWS)
    {
        let cell = match expected.3 {
            Some(r) => format!("{}，{r}", expected.2),
            None => expected.2.to_string(),
        };
        assert_eq!(norm(row["decision"].as_str().unwrap()), norm(&cell));
        assert_eq!(row["reason"].as_str(), expected.3.map(|r| r.trim()));
    }
    for (row, expected) in sections[1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(DEPARTMENT_ROWS)
    {
        let cell = match expected.4 {
            Some(r) => format!("{}，{r}", expected.3),
            None => expected.3.to_string(),
        };
        assert_eq!(norm(row["decision"].as_str().unwrap()), norm(&cell));
        assert_eq!(row["submitter"].as_str().unwrap(), expected.0);
    }
    // The whole table read as the seed prints it is the seed's table.
    let start = lines.iter().position(|l| l.starts_with("一、")).unwrap();
    let end = lines
        .iter()
        .position(|l| l.starts_with("市教育局"))
        .unwrap();
    let seed_table = lines[start..end].concat().replace(WH, wang);
    assert_eq!(norm(&printed(model)), norm(&seed_table));
    // The closing paragraph, units in the seed's order.
    assert_eq!(model["closing"], lines[end].replace("单位,", "单位，"));
}

#[actix_web::test]
async fn seed_002_json_and_html_reproduce_the_seed() {
    for app in TestApp::all().await {
        let s = enter_seed_002(&app).await;
        decide_seed(&app, &s, true).await;

        // The live internal edition, JSON.
        let r = get_report(&app, &s, "format=json&edition=internal", Some(&s.staff)).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let live = r.json();
        assert_seed_json(&live, WH);
        assert_eq!(live["edition"], "internal");
        // The approver reads it too, and the default edition for the office is internal.
        let r = get_report(&app, &s, "", Some(&s.approver)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json(), live);

        // The HTML edition: the same titles, numbering, merged cells, decisions and closing.
        let r = get_report(&app, &s, "format=html&edition=internal", Some(&s.staff)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        let html = r.text();
        assert_seed_html(&html, WH);

        // Published, the frozen internal edition is the same model; the public one masks 王华.
        let r = publish(&app, &s, &s.staff).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["edition_no"], 1);
        let r = get_report(
            &app,
            &s,
            "format=json&edition=internal&publication=1",
            Some(&s.staff),
        )
        .await;
        assert_eq!(r.json(), live);
        let r = get_report(&app, &s, "format=json&edition=public", None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let public = r.json();
        assert_eq!(public["edition"], "public");
        assert_seed_json(&public, "华中科技大学管理学院中德知识产权研究所王*");
        let r = get_report(&app, &s, "format=html&edition=public", None).await;
        assert_seed_html(&r.text(), "华中科技大学管理学院中德知识产权研究所王*");
        // No personal data in any public download.
        for format in ["json", "html", "csv", "docx", "xlsx"] {
            let r = get_report(&app, &s, &format!("format={format}&edition=public"), None).await;
            assert_eq!(r.status, 200, "{format}");
            let text = readable_text(format, &r.body);
            for secret in ["王华", "wanghua@example.org", "87543210"] {
                assert!(!text.contains(secret), "{format} leaks {secret}");
            }
            assert!(text.contains("市科技局"), "{format} has the units");
        }
    }
}

/// The text of a download, whatever its packaging (the zipped formats unpacked).
fn readable_text(format: &str, body: &[u8]) -> String {
    match format {
        "docx" | "xlsx" => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
            let mut all = String::new();
            for i in 0..zip.len() {
                let mut f = zip.by_index(i).unwrap();
                let mut s = String::new();
                if f.read_to_string(&mut s).is_ok() {
                    all.push_str(&s);
                }
            }
            all
        }
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

fn assert_seed_html(html: &str, wang: &str) {
    let lines = seed_lines();
    assert!(html.contains(&format!("<h1 class=\"report-title\">{}</h1>", lines[0])));
    assert!(html.contains(
        "<tr class=\"report-section\"><th scope=\"rowgroup\" colspan=\"4\">一、公开网站征求意见采纳情况</th></tr>"
    ));
    assert!(html.contains(
        "<tr class=\"report-section\"><th scope=\"rowgroup\" colspan=\"4\">二、相关部门意见采纳情况</th></tr>"
    ));
    assert!(html.contains(&format!(
        "<td class=\"report-submitter\" rowspan=\"5\">{wang}</td>"
    )));
    assert!(html.contains("<td class=\"report-submitter\" rowspan=\"4\">市科技局</td>"));
    assert_eq!(
        html.matches("<td class=\"report-submitter\"").count(),
        7,
        "one cell per submitter group"
    );
    // Row numbers restart in the second section.
    let numbers: Vec<u32> = html
        .split("<tr><td>")
        .skip(1)
        .map(|r| r[..r.find('<').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Every status-and-rationale cell.
    for (label, rationale) in PUBLIC_ROWS
        .iter()
        .map(|r| (r.2, r.3))
        .chain(DEPARTMENT_ROWS.iter().map(|r| (r.3, r.4)))
    {
        let cell = match rationale {
            Some(r) => format!("<td>{label}，{}</td>", yijian::export::html::escape(r)),
            None => format!("<td>{label}</td>"),
        };
        assert!(html.contains(&cell), "{cell}");
    }
    let end = lines
        .iter()
        .position(|l| l.starts_with("市教育局"))
        .unwrap();
    assert!(html.contains(&format!(
        "<p class=\"report-closing\">{}</p>",
        lines[end].replace("单位,", "单位，")
    )));
}

/// A small consultation of our own: open for 40 days from yesterday, with a draft.
async fn small_consultation(app: &TestApp, staff: &str) -> (String, String) {
    let c = app.consultation(staff, 40).await;
    let id = c["id"].as_str().unwrap().to_string();
    let slug = c["slug"].as_str().unwrap().to_string();
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/open"),
            Some(staff),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    (id, slug)
}

async fn comment(app: &TestApp, id: &str, token: Option<&str>, body: Value) -> String {
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/submissions"),
            token,
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["tracking_code"].as_str().unwrap().to_string()
}

async fn close(app: &TestApp, id: &str, staff: &str) {
    let r = app
        .post_json(
            &format!("/api/v1/consultations/{id}/close"),
            Some(staff),
            json!({"reason": "意见已充分"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

fn kinds(r: &Resp) -> Vec<String> {
    r.json()["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn readiness_lists_what_is_missing_and_publishing_waits_for_it() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let (id, _) = small_consultation(&app, &staff).await;
        let code = comment(
            &app,
            &id,
            None,
            json!({"body": "建议增加算力券的发放范围。\n建议明确数据伙伴计划的牵头单位。", "name": "李明"}),
        )
        .await;
        let mut conn = app.conn();
        let sub: String = {
            use yijian::db::schema::submissions;
            submissions::table
                .filter(submissions::tracking_code.eq(&code))
                .select(submissions::id)
                .first(&mut *conn)
                .unwrap()
        };
        let ops = without_api::split_submission(
            &mut conn,
            &sub,
            &[
                "建议增加算力券的发放范围。",
                "建议明确数据伙伴计划的牵头单位。",
            ],
        );
        drop(conn);

        // Open, nothing decided.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.text());
        assert_eq!(r.json()["error"], "not_ready");
        assert_eq!(kinds(&r), ["still_open", "undecided", "undecided"]);
        let first = &r.json()["missing"][1];
        assert_eq!(first["tracking_code"], code.as_str());
        assert_eq!(first["opinion_id"], ops[0].as_str());
        assert_eq!(first["link"], format!("/staff/opinions/{}", ops[0]));
        assert!(
            first["message"]
                .as_str()
                .unwrap()
                .contains("建议增加算力券的发放范围。")
        );
        assert_eq!(
            r.json()["missing"][0]["link"],
            format!("/staff/consultations/{id}")
        );

        // Closed; decided, but one rationale missing and nothing approved yet.
        close(&app, &id, &staff).await;
        let mut conn = app.conn();
        without_api::decide(&mut conn, &ops[0], "partially_adopted", Some("  "));
        without_api::decide(&mut conn, &ops[1], "adopted", None);
        drop(conn);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 409);
        assert_eq!(kinds(&r), ["unapproved", "rationale", "unapproved"]);
        let mut conn = app.conn();
        without_api::approve_all(&mut conn, &id);
        drop(conn);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(kinds(&r), ["rationale"]);
        let ready = app
            .get_as(
                &format!("/api/v1/consultations/{id}/report/readiness"),
                &staff,
            )
            .await;
        assert_eq!(ready.status, 200);
        assert_eq!(ready.json()["ready"], false);
        assert_eq!(ready.json()["missing"], r.json()["missing"]);
        assert!(
            r.json()["missing"][0]["message"]
                .as_str()
                .unwrap()
                .contains("部分采纳")
        );

        // The staff page lists the same, with links, and offers no publish button; a publish
        // POST is refused with the list.
        let b = app.browser();
        assert_eq!(b.login("staff@example.org", PASSWORD).await.status, 303);
        let page = b.get(&format!("/staff/consultations/{id}/report")).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let html = page.text();
        assert!(html.contains(&format!("href=\"/staff/opinions/{}\"", ops[0])));
        assert!(html.contains("须说明理由"));
        assert!(!html.contains("/report/publish"));
        assert!(
            html.contains("建议明确数据伙伴计划的牵头单位。"),
            "the preview"
        );
        let csrf = Browser::csrf(&page);
        let r = b
            .post_form(
                &format!("/staff/consultations/{id}/report/publish"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(r.text().contains("报告尚不能发布"));
        // Without the CSRF token, nothing.
        let r = b
            .post_form(&format!("/staff/consultations/{id}/report/publish"), &[])
            .await;
        assert_eq!(r.status, 400);

        // Fixed and approved again: the page offers the button and publishing works.
        let mut conn = app.conn();
        without_api::change_rationale(&mut conn, &ops[0], Some("发放范围已扩大到中小企业。"));
        without_api::approve_all(&mut conn, &id);
        drop(conn);
        let ready = app
            .get_as(
                &format!("/api/v1/consultations/{id}/report/readiness"),
                &staff,
            )
            .await;
        assert_eq!(
            ready.json(),
            json!({"ready": true, "needs_close_reason": false, "missing": [], "unreplied": []})
        );
        let page = b.get(&format!("/staff/consultations/{id}/report")).await;
        assert!(page.text().contains(&format!(
            "href=\"/staff/consultations/{id}/report/publish\""
        )));
        // The button leads to the confirmation step, whose form publishes.
        let page = b
            .get(&format!("/staff/consultations/{id}/report/publish"))
            .await;
        assert!(page.text().contains(&format!(
            "action=\"/staff/consultations/{id}/report/publish\""
        )));
        let csrf = Browser::csrf(&page);
        let publish_path = format!("/staff/consultations/{id}/report/publish");
        let publish_fields = [("csrf_token", csrf.as_str())];
        let publish_form = || b.post_form(&publish_path, &publish_fields);
        let r = publish_form().await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(
            r.header("location"),
            Some(format!("/staff/consultations/{id}/report?published=1").as_str())
        );
        let page = b.get(r.header("location").unwrap()).await;
        assert!(page.text().contains("已发布第 1 版"));
        let status: String = {
            use yijian::db::schema::consultations;
            consultations::table
                .find(&id)
                .select(consultations::status)
                .first(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(status, "published");
        // A second click on the same form: no second edition, and the page says why.
        let r = publish_form().await;
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(
            r.header("location"),
            Some(format!("/staff/consultations/{id}/report?unchanged=1").as_str())
        );
        let page = b.get(r.header("location").unwrap()).await;
        assert!(page.text().contains("报告与第 1 版相同，没有发布新版本。"));

        // The layout form: checkboxes, title and wording; a bad wording is shown, not saved.
        let page = b.get(&format!("/staff/consultations/{id}/report")).await;
        let csrf = Browser::csrf(&page);
        let r = b
            .post_form(
                &format!("/staff/consultations/{id}/report/settings"),
                &[
                    ("csrf_token", &csrf),
                    ("summary", "1"),
                    ("title_template", "关于《{draft_title}》意见采纳情况"),
                    ("label_adopted", "是"),
                    ("label_not_adopted", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        let page = b.get(&format!("/staff/consultations/{id}/report")).await;
        let html = page.text();
        assert!(html.contains("name=\"label_adopted\" type=\"text\" value=\"是\""));
        assert!(html.contains("name=\"summary\" value=\"1\" checked"));
        assert!(
            html.contains("意见采纳情况</h1>"),
            "the preview uses the new title"
        );
        assert!(html.contains("<td>是</td>"));
        let long = "很长".repeat(20);
        let r = b
            .post_form(
                &format!("/staff/consultations/{id}/report/settings"),
                &[("csrf_token", &csrf), ("label_adopted", long.as_str())],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("不超过 30 个字"));
    }
}

fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    use yijian::db::schema::outbox_messages;
    outbox_messages::table
        .filter(outbox_messages::kind.eq("decision"))
        .order(outbox_messages::created_at.asc())
        .select((
            outbox_messages::to_address,
            outbox_messages::subject,
            outbox_messages::body_text,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn publishing_freezes_a_snapshot_and_a_correction_is_a_new_edition() {
    for app in TestApp::all().await {
        let s = enter_seed_002(&app).await;
        decide_seed(&app, &s, true).await;
        let track = |code: String| {
            let app = &app;
            async move { app.get(&format!("/api/v1/track/{code}")).await.json() }
        };
        // Nothing published: the tracking page says decisions are pending.
        let t = track(s.code.clone()).await;
        assert_eq!(t["published"], false);
        assert_eq!(t["decisions"], json!([]));
        assert_eq!(
            get_report(&app, &s, "edition=public", None).await.status,
            404
        );

        // Approvers publish too.
        let r = publish(&app, &s, &s.approver).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let p = r.json();
        assert_eq!(p["edition_no"], 1);
        assert_eq!(p["notices"], 1);
        assert_eq!(p["downloads"].as_object().unwrap().len(), 5);
        let edition1 = get_report(&app, &s, "edition=public", None).await.json();

        // One decision notice, to 王华, with his decisions and tracking link.
        let mails = outbox(&app);
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].0, "wanghua@example.org");
        assert!(mails[0].1.contains(&s.code));
        assert!(mails[0].2.contains(&format!("/track/{}", s.code)));
        assert!(mails[0].2.contains("已采纳"));
        assert!(mails[0].2.contains("调整了先导方向和建设内容"));
        assert!(mails[0].2.contains(&format!("/c/{}/report", s.slug)));

        // The tracking page shows each opinion's status and rationale.
        let t = track(s.code.clone()).await;
        assert_eq!(t["published"], true);
        let d = t["decisions"].as_array().unwrap();
        assert_eq!(d.len(), 5);
        assert_eq!(d[0]["status"], "已采纳");
        assert_eq!(d[0]["rationale"], "调整了先导方向和建设内容");
        assert_eq!(d[1]["rationale"], Value::Null);
        assert_eq!(d[2]["status"], "部分采纳");
        assert_eq!(d[0]["status_code"], "adopted");
        let page = app.get(&format!("/track/{}", s.code)).await;
        assert!(
            page.text()
                .contains("已在方案送审稿中注明论证专家及论证意见。")
        );
        assert!(
            page.text()
                .contains("<strong>已采纳</strong>，调整了先导方向和建设内容")
        );
        // In English, the outcome in English and English punctuation.
        let page = app.get(&format!("/track/{}?lang=en", s.code)).await.text();
        assert!(
            page.contains("<strong>Adopted</strong>, "),
            "{}",
            &page[page.find("decision").unwrap_or(0)..][..600.min(page.len())]
        );
        assert!(!page.contains("<strong>已采纳</strong>"));

        // A later correction, through the triage API: staff reopen the published decision
        // and the approver approves it again. It changes the live report only.
        let op = &s.public_opinions[1];
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{op}/decision"),
                Some(&s.staff),
                json!({"status": status_code(PUBLIC_ROWS[1].2), "rationale": "已增设创新生态专节，详见送审稿第四部分。", "reopen": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = app
            .post_json(
                &format!("/api/v1/opinions/{op}/approve"),
                Some(&s.approver),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            get_report(&app, &s, "edition=public", None).await.json(),
            edition1
        );
        let live = get_report(&app, &s, "edition=internal", Some(&s.staff))
            .await
            .json();
        assert_eq!(
            live["sections"][0]["rows"][1]["decision"],
            "已采纳，已增设创新生态专节，详见送审稿第四部分。"
        );
        assert_eq!(
            track(s.code.clone()).await["decisions"][1]["rationale"],
            Value::Null
        );
        assert!(
            !app.get(&format!("/c/{}/report", s.slug))
                .await
                .text()
                .contains("详见送审稿第四部分")
        );

        // Published again: edition 2, dated; edition 1 stays as it was.
        let r = publish(&app, &s, &s.staff).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["edition_no"], 2);
        assert_eq!(r.json()["notices"], 1, "王华's decisions changed");
        let edition2 = get_report(&app, &s, "edition=public", None).await.json();
        assert_eq!(
            edition2["sections"][0]["rows"][1]["decision"],
            "已采纳，已增设创新生态专节，详见送审稿第四部分。"
        );
        assert_eq!(
            get_report(&app, &s, "edition=public&publication=1", None)
                .await
                .json(),
            edition1
        );
        assert_eq!(
            track(s.code.clone()).await["decisions"][1]["rationale"],
            "已增设创新生态专节，详见送审稿第四部分。"
        );
        let mails = outbox(&app);
        assert_eq!(mails.len(), 2);
        assert!(mails[1].1.contains("已更正"));

        // Nothing changed (a second click, a reload): no third edition, no notice.
        let r = publish(&app, &s, &s.staff).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["unchanged"], true);
        assert_eq!(r.json()["edition_no"], 2);
        assert_eq!(r.json()["notices"], 0);
        assert_eq!(outbox(&app).len(), 2);

        // The list of editions, newest first, for anyone.
        let list = app
            .get(&format!("/api/v1/consultations/{}/publications", s.id))
            .await;
        assert_eq!(list.status, 200);
        let editions: Vec<i64> = list.json()["publications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["edition_no"].as_i64().unwrap())
            .collect();
        assert_eq!(editions, [2, 1]);

        // The public report page: the latest edition, earlier ones by date, every download.
        let page = app.get(&format!("/c/{}/report", s.slug)).await;
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("第 2 版"));
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/report.css\">"));
        assert!(html.contains(&format!("href=\"/c/{}/report?edition_no=1\"", s.slug)));
        for f in ["json", "html", "docx", "xlsx", "csv"] {
            assert!(
                html.contains(&format!("format={f}&#38;edition=public&#38;publication=2")),
                "{f}"
            );
        }
        // People's formats first; the JSON on a line of its own, for developers.
        let docx_at = html.find("format=docx").unwrap();
        let json_at = html.find("format=json").unwrap();
        assert!(docx_at < json_at, "DOCX is offered before JSON");
        assert!(html[..json_at].contains("供开发者使用"));
        assert!(!html[..json_at].contains("JSON</a></li>"));
        assert!(html.contains("详见送审稿第四部分"));
        assert!(!html.contains("王华"));
        let old = app
            .get(&format!("/c/{}/report?edition_no=1", s.slug))
            .await
            .text();
        assert!(!old.contains("详见送审稿第四部分"));
        assert!(old.contains("已有更正版"));
        assert_eq!(
            app.get(&format!("/c/{}/report?edition_no=9", s.slug))
                .await
                .status,
            404
        );

        // The consultation page and the home page link the report.
        let link = format!("href=\"/c/{}/report\"", s.slug);
        assert!(
            app.get(&format!("/c/{}", s.slug))
                .await
                .text()
                .contains(&link)
        );
        assert!(app.get("/").await.text().contains(&link));

        // Every publication is in the audit log.
        let n: i64 = {
            use yijian::db::schema::audit_events;
            audit_events::table
                .filter(audit_events::action.eq("report.publish"))
                .count()
                .get_result(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(n, 2);
        // And in every decision's history, once per edition.
        let n: i64 = {
            use yijian::db::schema::decision_history;
            decision_history::table
                .filter(decision_history::action.eq("publish"))
                .filter(decision_history::opinion_id.eq(&s.department_opinions[1]))
                .count()
                .get_result(&mut *app.conn())
                .unwrap()
        };
        assert_eq!(n, 2);
    }
}

#[actix_web::test]
async fn variants_duplicate_clusters_staff_letters_and_the_empty_case() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let (id, slug) = small_consultation(&app, &staff).await;
        // Three people send the same comment; staff record a letter.
        let a = comment(
            &app,
            &id,
            None,
            json!({"body": "建议延长征求意见期限。", "name": "张三", "email": "zs@example.org"}),
        )
        .await;
        let b = comment(
            &app,
            &id,
            None,
            json!({"body": "建议延长征求意见期限！", "name": "李四", "publish_name": true}),
        )
        .await;
        let c = comment(&app, &id, None, json!({"body": "建议延长征求意见的期限。"})).await;
        let letter = comment(
            &app,
            &id,
            Some(&staff),
            json!({"body": "建议增加对中小企业的算力补贴。", "name": "赵六", "organization": "武汉市人工智能学会", "channel": "letter"}),
        )
        .await;
        let consent = comment(
            &app,
            &id,
            None,
            json!({"body": "建议公布专家论证意见。", "name": "孙七", "publish_name": true}),
        )
        .await;
        close(&app, &id, &staff).await;
        let mut conn = app.conn();
        let op = |conn: &mut yijian::db::DbConnection, code: &str| {
            without_api::opinions_of(conn, code).remove(0)
        };
        let (oa, ob, oc, ol) = (
            op(&mut conn, &a),
            op(&mut conn, &b),
            op(&mut conn, &c),
            op(&mut conn, &letter),
        );
        without_api::cluster(&mut conn, &id, &[&oa, &ob, &oc], &oa);
        // One decision for the cluster, on its representative.
        without_api::decide(
            &mut conn,
            &oa,
            "not_adopted",
            Some("期限已满三十日，符合规定。"),
        );
        without_api::decide(&mut conn, &ol, "adopted", None);
        let os = op(&mut conn, &consent);
        without_api::decide(&mut conn, &os, "adopted", None);
        without_api::approve_all(&mut conn, &id);
        drop(conn);

        let uri = |q: &str| format!("/api/v1/consultations/{id}/report?{q}");
        let m = app.get_as(&uri("format=json"), &staff).await.json();
        let rows = m["sections"][0]["rows"].as_array().unwrap();
        assert_eq!(
            m["sections"].as_array().unwrap().len(),
            1,
            "public channels only"
        );
        assert_eq!(rows.len(), 3, "the cluster is shown once");
        assert_eq!(rows[0]["opinion"], "建议延长征求意见期限。");
        assert_eq!(rows[0]["count"], 3);
        assert_eq!(rows[0]["submitter"], "张三");
        assert_eq!(rows[1]["submitter"], "武汉市人工智能学会赵六");
        assert_eq!(rows[1]["decision"], "已采纳");
        let html = app.get_as(&uri("format=html"), &staff).await.text();
        assert!(html.contains("建议延长征求意见期限。（共3条相同意见）"));

        // Variants asked for per request.
        let m = app
            .get_as(&uri("reason_column=1&summary=1"), &staff)
            .await
            .json();
        assert_eq!(
            m["sections"][0]["columns"],
            json!(["序号", "单位/个人", "修改意见", "是否采纳", "理由"])
        );
        assert_eq!(m["sections"][0]["rows"][0]["decision"], "未采纳");
        assert_eq!(
            m["sections"][0]["rows"][0]["reason"],
            "期限已满三十日，符合规定。"
        );
        assert_eq!(
            m["summary"],
            "共收到意见建议5条，其中采纳2条，部分采纳0条，未采纳3条。"
        );
        let m = app
            .get_as(&uri("merge_sections=1&feedbacker_column=1"), &staff)
            .await
            .json();
        assert_eq!(m["sections"][0]["title"], "");
        assert_eq!(m["sections"][0]["columns"][1], "反馈人");
        let r = app.get_as(&uri("summary=maybe"), &staff).await;
        assert_eq!(r.status, 400);

        // Settings saved for the consultation apply to the live report and the publication.
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/report/settings"),
                Some(&staff),
                json!({
                    "summary": true,
                    "reason_column": true,
                    "title_template": "关于《{draft_title}》征求意见采纳情况的说明",
                    "status_labels": {"adopted": "采纳", "not_adopted": "不予采纳"},
                }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["status_labels"]["adopted"], "采纳");
        let bad = app
            .post_json(
                &format!("/api/v1/consultations/{id}/report/settings"),
                Some(&staff),
                json!({"status_labels": {"no_such_status": "是"}}),
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text());
        assert!(
            bad.json()["fields"]["status_labels"]
                .as_str()
                .unwrap()
                .contains("30")
        );
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(
            r.status,
            201,
            "cluster members need no decision of their own: {}",
            r.text()
        );
        let public = app.get(&uri("edition=public")).await.json();
        assert_eq!(public["sections"][0]["columns"][4], "理由");
        assert!(
            public["title"]
                .as_str()
                .unwrap()
                .ends_with("》征求意见采纳情况的说明")
        );
        assert_eq!(public["sections"][0]["rows"][0]["decision"], "不予采纳");
        assert_eq!(public["sections"][0]["rows"][1]["decision"], "采纳");
        assert!(
            public["summary"]
                .as_str()
                .unwrap()
                .starts_with("共收到意见建议5条")
        );
        // Masked: 张三 and 赵六; organizations stay.
        assert_eq!(public["sections"][0]["rows"][0]["submitter"], "张*");
        assert_eq!(
            public["sections"][0]["rows"][1]["submitter"],
            "武汉市人工智能学会赵*"
        );
        // 李四 consented to publishing his name, but his comment is a duplicate shown in
        // 张三's row; his tracking page shows the cluster's decision.
        let t = app.get(&format!("/api/v1/track/{b}")).await.json();
        assert_eq!(t["decisions"][0]["status"], "不予采纳");
        assert_eq!(t["decisions"][0]["rationale"], "期限已满三十日，符合规定。");
        let page = app.get(&format!("/c/{slug}/report")).await.text();
        assert!(page.contains("<th scope=\"col\" class=\"report-reason\">理由</th>"));

        // A consultation without a single comment: the empty case.
        let (empty, _) = small_consultation(&app, &staff).await;
        close(&app, &empty, &staff).await;
        let m = app
            .get_as(&format!("/api/v1/consultations/{empty}/report"), &staff)
            .await
            .json();
        assert_eq!(m["sections"], json!([]));
        assert_eq!(m["summary"], "征求意见期间，未收到意见建议。");
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{empty}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
}

/// The table of a DOCX read back from `word/document.xml`: one entry per row, one string per
/// cell (paragraphs joined by `\n`; a cell that continues a vertical merge reads as empty).
fn docx_table(bytes: &[u8]) -> Vec<Vec<String>> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Option<Vec<String>> = None;
    let mut in_text = false;
    let mut continued = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => match e.name().0 {
                "w:tr" => rows.push(Vec::new()),
                "w:tc" => {
                    cell = Some(Vec::new());
                    continued = false;
                }
                "w:p" => {
                    if let Some(c) = cell.as_mut() {
                        c.push(String::new());
                    }
                }
                "w:t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) if e.name().0 == "w:vMerge" => {
                let restart = e
                    .attributes()
                    .flatten()
                    .any(|a| a.value.as_ref() == "restart");
                continued = !restart;
            }
            Event::End(e) => match e.name().0 {
                "w:t" => in_text = false,
                "w:tc" => {
                    let c = cell.take().unwrap_or_default();
                    let text = if continued {
                        String::new()
                    } else {
                        c.join("\n")
                    };
                    rows.last_mut().unwrap().push(text);
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(p) = cell.as_mut().and_then(|c| c.last_mut()) {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = cell.as_mut().and_then(|c| c.last_mut()) {
                    let s = quick_xml::escape::resolve_predefined_entity(&r).unwrap();
                    p.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    rows
}

/// The rows a report model's table should have: the header, then per section its heading
/// row and its opinion rows (the submitter only where its merged cell starts).
fn expected_table(model: &Value) -> Vec<Vec<String>> {
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let mut rows = vec![
        model["sections"][0]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(s)
            .collect::<Vec<_>>(),
    ];
    for section in model["sections"].as_array().unwrap() {
        rows.push(vec![s(&section["title"])]);
        for r in section["rows"].as_array().unwrap() {
            rows.push(vec![
                r["number"].to_string(),
                if r["submitter_span"].as_u64().unwrap() > 0 {
                    s(&r["submitter"])
                } else {
                    String::new()
                },
                s(&r["opinion"]),
                s(&r["decision"]),
            ]);
        }
    }
    rows
}

#[actix_web::test]
async fn docx_reads_back_with_the_same_table_and_converts_to_pdf() {
    for (n, app) in TestApp::all().await.into_iter().enumerate() {
        let s = enter_seed_002(&app).await;
        decide_seed(&app, &s, true).await;
        let model = get_report(&app, &s, "format=json", Some(&s.staff))
            .await
            .json();
        let r = get_report(&app, &s, "format=docx", Some(&s.staff)).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        let cd = r.header("content-disposition").unwrap();
        assert!(cd.starts_with("attachment; "), "{cd}");
        assert!(cd.contains(&format!("filename=\"report-{}-internal.docx\"", s.slug)));
        assert!(cd.contains("filename*=UTF-8''%E5%85%B3%E4%BA%8E"), "{cd}");
        let table = docx_table(&r.body);
        let expected = expected_table(&model);
        assert_eq!(table.len(), 1 + 2 + 14);
        assert_eq!(table, expected);
        // The seed's table, as Word shows it: the merged 王华 and 市科技局 cells.
        assert_eq!(table[2][1], WH);
        assert_eq!(table[3][1], "");
        assert_eq!(table[9][1], "市科技局");
        assert_eq!(table[10][1], "");
        if n == 0 {
            convert_to_pdf(&r.body);
        }
    }
}

/// Converts a DOCX with LibreOffice headless; fails on any error. Skipped (with a message)
/// where LibreOffice is not installed, except in CI, which installs it.
pub(crate) fn convert_to_pdf(docx: &[u8]) {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        crate::support::skip(
            "LibreOffice (soffice) is not installed, so the DOCX is not converted to PDF",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("report.docx");
    std::fs::write(&input, docx).unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let pdf = dir.path().join("report.pdf");
    assert!(
        out.status.success() && pdf.exists(),
        "LibreOffice failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(
        bytes.len() > 10_000,
        "a PDF with the table: {} bytes",
        bytes.len()
    );
}

#[actix_web::test]
async fn formats_content_types_and_who_may_read_which_edition() {
    for app in TestApp::all().await {
        let s = enter_seed_002(&app).await;
        decide_seed(&app, &s, true).await;
        let dept = app.user_with_token("dept@example.org", Role::Department, Some("市科技局"));
        for (format, content_type, disposition) in [
            ("json", "application/json", "inline"),
            ("html", "text/html; charset=utf-8", "inline"),
            (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "attachment",
            ),
            ("csv", "text/csv; charset=utf-8", "attachment"),
        ] {
            let r = get_report(&app, &s, &format!("format={format}"), Some(&s.staff)).await;
            assert_eq!(r.status, 200, "{format}");
            assert_eq!(r.header("content-type"), Some(content_type));
            let cd = r.header("content-disposition").unwrap();
            assert!(
                cd.starts_with(&format!(
                    "{disposition}; filename=\"report-{}-internal.{format}\"",
                    s.slug
                )),
                "{cd}"
            );
        }
        let csv = get_report(&app, &s, "format=csv", Some(&s.staff)).await;
        let text = String::from_utf8(csv.body[3..].to_vec()).unwrap();
        assert!(text.starts_with("类别,序号,单位/个人,修改意见,是否采纳\r\n"));
        assert_eq!(text.matches("二、相关部门意见采纳情况,").count(), 9);
        let xlsx = get_report(&app, &s, "format=xlsx", Some(&s.staff)).await;
        assert!(readable_text("xlsx", &xlsx.body).contains("市政务数据大数据局"));

        // Bad parameters are a clear 400.
        let r = get_report(&app, &s, "format=pdf", Some(&s.staff)).await;
        assert_eq!(r.status, 400);
        assert!(r.json()["message"].as_str().unwrap().contains("pdf"));
        assert_eq!(
            get_report(&app, &s, "edition=draft", Some(&s.staff))
                .await
                .status,
            400
        );

        // The internal edition is the office's; the public one is for anyone once published.
        assert_eq!(
            get_report(&app, &s, "edition=internal", None).await.status,
            401
        );
        assert_eq!(
            get_report(&app, &s, "edition=internal", Some(&dept))
                .await
                .status,
            403
        );
        assert_eq!(
            get_report(&app, &s, "", None).await.status,
            404,
            "nothing published"
        );
        assert_eq!(get_report(&app, &s, "", Some(&dept)).await.status, 404);
        assert_eq!(app.get(&format!("/c/{}/report", s.slug)).await.status, 404);
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{}/publications", s.id),
                None,
                json!({}),
            )
            .await;
        assert_eq!(r.status, 401);
        assert_eq!(publish(&app, &s, &dept).await.status, 403);
        assert_eq!(
            app.get("/api/v1/consultations/not-a-uuid/report")
                .await
                .status,
            404
        );
        assert_eq!(publish(&app, &s, &s.staff).await.status, 201);
        assert_eq!(get_report(&app, &s, "", None).await.status, 200);
        assert_eq!(
            get_report(&app, &s, "", Some(&dept)).await.json()["edition"],
            "public"
        );
        assert_eq!(
            get_report(&app, &s, "publication=1&edition=internal", Some(&dept))
                .await
                .status,
            403
        );
        // A staff member asking for the public edition gets the frozen one too.
        assert_eq!(
            get_report(&app, &s, "edition=public", Some(&s.staff))
                .await
                .json(),
            get_report(&app, &s, "edition=public", None).await.json()
        );
    }
}

#[actix_web::test]
async fn the_command_line_writes_every_format() {
    for app in TestApp::all().await {
        let s = enter_seed_002(&app).await;
        decide_seed(&app, &s, true).await;
        assert_eq!(publish(&app, &s, &s.staff).await.status, 201);
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
                .args(args)
                .current_dir(dir.path())
                .env("YIJIAN_DATABASE_URL", &app.test_db.url)
                .env("LANG", "en_US.UTF-8")
                .output()
                .unwrap()
        };
        let live = get_report(&app, &s, "format=json", Some(&s.staff))
            .await
            .json();
        for format in ["json", "html", "docx", "xlsx", "csv"] {
            let out = dir.path().join(format!("r.{format}"));
            let o = run(&[
                "report",
                &s.slug,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let bytes = std::fs::read(&out).unwrap();
            if format == "json" {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(v, live);
            }
            if format == "docx" {
                assert_eq!(docx_table(&bytes), expected_table(&live));
            }
            assert!(String::from_utf8_lossy(&o.stderr).contains("14 rows"));
        }
        // A published edition, public, to standard output; by id as well as by slug.
        let o = run(&[
            "report",
            &s.id,
            "--format",
            "json",
            "--edition",
            "public",
            "--publication",
            "1",
            "--out",
            "-",
        ]);
        assert!(
            o.status.success(),
            "{:?}: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["sections"][0]["rows"][0]["submitter"],
            "华中科技大学管理学院中德知识产权研究所王*"
        );
        // Clear one-line errors.
        let o = run(&["report", "no-such-consultation", "--out", "x.docx"]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("no consultation"));
        let o = run(&["report", &s.slug, "--publication", "7", "--out", "x.docx"]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("no edition 7"));
    }
}

#[actix_web::test]
async fn the_command_line_shows_progress_for_a_large_report() {
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let (id, slug) = small_consultation(&app, &staff).await;
        let code = comment(&app, &id, None, json!({"body": "意见一。", "name": "王华"})).await;
        let parts: Vec<String> = (0..2_500).map(|i| format!("第{i}条意见。")).collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut conn = app.conn();
        let sub: String = {
            use yijian::db::schema::submissions;
            submissions::table
                .filter(submissions::tracking_code.eq(&code))
                .select(submissions::id)
                .first(&mut *conn)
                .unwrap()
        };
        #[allow(clippy::disallowed_methods)]
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            without_api::split_submission(c, &sub, &parts);
            Ok(())
        })
        .unwrap();
        drop(conn);
        let dir = tempfile::tempdir().unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
            .args(["report", &slug, "--format", "xlsx", "--out", "big.xlsx"])
            .current_dir(dir.path())
            .env("YIJIAN_DATABASE_URL", &app.test_db.url)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        for step in [
            "report: 1/4 building the report (2500 rows",
            "report: 2/4 rendering xlsx (2500 rows",
            "report: 3/4 writing (2500 rows",
            "report: 4/4 done (2500 rows",
        ] {
            assert!(err.contains(step), "{step}: {err}");
        }
        assert!(dir.path().join("big.xlsx").exists());
    }
}

/// Large downloads take turns: with the limit (1 by default) taken, a DOCX, XLSX or CSV
/// rendering waits for the turn instead of being refused or starting; JSON and HTML need none.
#[actix_web::test]
async fn large_report_downloads_take_turns() {
    use futures_util::FutureExt;
    use yijian::export::Format;
    let app = TestApp::new(crate::support::TestDb::sqlite()).await;
    assert_eq!(app.config.export_concurrency, 1);
    let state = yijian::web::AppState::new(app.db.clone(), app.config.clone()).unwrap();
    let first = state.export_turn(Format::Docx).await.unwrap();
    assert!(first.is_some());
    for f in [Format::Docx, Format::Xlsx, Format::Csv] {
        assert!(
            state.export_turn(f).now_or_never().is_none(),
            "{f:?} waits for the turn"
        );
    }
    for f in [Format::Json, Format::Html] {
        let t = state.export_turn(f).now_or_never();
        assert!(matches!(t, Some(Ok(None))), "{f:?} needs no turn");
    }
    let waiting = state.export_turn(Format::Csv);
    drop(first);
    assert!(
        waiting.await.unwrap().is_some(),
        "the next one gets the turn"
    );
}

/// A large report is published in short steps: written hidden in chunks (another writer — the
/// intake, in production — commits in between and never sees a half edition), shown in one
/// step, then followed up in chunks. An interrupted publication is finished by the clock: a
/// hidden edition left behind is removed, an unfinished follow-up is completed without doing
/// anything twice.
#[actix_web::test]
async fn a_large_report_is_published_in_short_steps_and_an_interrupted_one_is_finished() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use yijian::db::Backend;
    use yijian::db::schema::{decision_history, opinions, outbox_messages, publications};
    const N: usize = 2_500;
    for app in TestApp::all().await {
        let staff = app.user_with_token("staff@example.org", Role::Staff, None);
        let (id, _slug) = small_consultation(&app, &staff).await;
        let code = comment(
            &app,
            &id,
            None,
            json!({"body": "意见一。", "name": "王华", "email": "wang@example.org"}),
        )
        .await;
        for i in 0..3 {
            comment(
                &app,
                &id,
                None,
                json!({"body": format!("第{i}位的意见。"), "email": format!("p{i}@example.org")}),
            )
            .await;
        }
        let parts: Vec<String> = (0..N - 3).map(|i| format!("第{i}条意见。")).collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        {
            let mut conn = app.conn();
            let sub: String = {
                use yijian::db::schema::submissions;
                submissions::table
                    .filter(submissions::tracking_code.eq(&code))
                    .select(submissions::id)
                    .first(&mut *conn)
                    .unwrap()
            };
            #[allow(clippy::disallowed_methods)]
            conn.transaction::<_, diesel::result::Error, _>(|c| {
                without_api::split_submission(c, &sub, &parts);
                let ids: Vec<String> = opinions::table
                    .filter(opinions::consultation_id.eq(&id))
                    .select(opinions::id)
                    .load(c)?;
                for o in &ids {
                    without_api::decide(c, o, "adopted", None);
                }
                without_api::approve_all(c, &id);
                Ok(())
            })
            .unwrap();
        }
        close(&app, &id, &staff).await;
        // Another writer commits without pause and notes how many rows of the edition it saw.
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::<i64>::new()));
        let writer = {
            let (stop, seen) = (stop.clone(), seen.clone());
            let mut conn = app.test_db.connection();
            std::thread::spawn(move || {
                use yijian::db::schema::publication_decisions;
                let actor = yijian::app::Actor::system();
                while !stop.load(Ordering::Relaxed) {
                    let n = yijian::db::write::<_, yijian::app::Error, _>(&mut conn, |c| {
                        yijian::db::audit::record(c, actor.audit("test.tick", "test", "tick"))?;
                        Ok(publication_decisions::table.count().get_result::<i64>(c)?)
                    })
                    .unwrap();
                    seen.lock().unwrap().push(n);
                }
            })
        };
        let r = app
            .post_json(
                &format!("/api/v1/consultations/{id}/publications"),
                Some(&staff),
                json!({}),
            )
            .await;
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["notices"], 4);
        let seen = seen.lock().unwrap().clone();
        assert!(!seen.is_empty());
        if app.backend == Backend::Sqlite {
            assert!(
                seen.iter().any(|n| *n > 0 && *n < N as i64),
                "no other commit between the edition's chunks: {seen:?}"
            );
        }
        let mut conn = app.conn();
        let count_published = |c: &mut yijian::db::DbConnection| -> i64 {
            opinions::table
                .filter(opinions::consultation_id.eq(&id))
                .filter(opinions::state.eq("published"))
                .count()
                .get_result(c)
                .unwrap()
        };
        let count_history = |c: &mut yijian::db::DbConnection| -> i64 {
            decision_history::table
                .filter(decision_history::action.eq("publish"))
                .count()
                .get_result(c)
                .unwrap()
        };
        assert_eq!(count_published(&mut conn), N as i64);
        assert_eq!(count_history(&mut conn), N as i64);
        assert_eq!(outbox(&app).len(), 4);
        let (pub_id, followed_up): (String, bool) = publications::table
            .select((publications::id, publications::followed_up))
            .first(&mut *conn)
            .unwrap();
        assert!(followed_up);
        // An interruption, as a stop would leave it: the follow-up half done (history and
        // opinions of the first half, two of four notices), and a hidden second edition.
        let half: Vec<String> = opinions::table
            .filter(opinions::consultation_id.eq(&id))
            .order(opinions::id.asc())
            .select(opinions::id)
            .limit((N / 2) as i64)
            .load(&mut *conn)
            .unwrap();
        diesel::update(publications::table.find(&pub_id))
            .set(publications::followed_up.eq(false))
            .execute(&mut *conn)
            .unwrap();
        diesel::delete(decision_history::table.filter(decision_history::opinion_id.eq_any(&half)))
            .filter(decision_history::action.eq("publish"))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(opinions::table.filter(opinions::id.eq_any(&half)))
            .set(opinions::state.eq("approved"))
            .execute(&mut *conn)
            .unwrap();
        let two: Vec<String> = outbox_messages::table
            .filter(outbox_messages::kind.eq("decision"))
            .order(outbox_messages::to_address.asc())
            .select(outbox_messages::id)
            .limit(2)
            .load(&mut *conn)
            .unwrap();
        diesel::delete(outbox_messages::table.filter(outbox_messages::id.eq_any(&two)))
            .execute(&mut *conn)
            .unwrap();
        let long_ago = yijian::db::now() - chrono::Duration::hours(2);
        let hidden = yijian::db::report::Publication {
            id: yijian::db::new_id(),
            consultation_id: id.clone(),
            edition_no: 2,
            title: "hidden".into(),
            model_json: "{}".into(),
            public_model_json: "{}".into(),
            published_by: None,
            published_at: long_ago,
        };
        yijian::db::report::insert_staged_publication(&mut conn, &hidden).unwrap();
        let some = yijian::db::report::published_decisions(&mut conn, &pub_id).unwrap();
        yijian::db::report::insert_publication_decisions(&mut conn, &hidden.id, &some[..10])
            .unwrap();
        drop(conn);
        // Readers see the first edition only.
        let r = app
            .get_as(&format!("/api/v1/consultations/{id}/publications"), &staff)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(!r.text().contains("hidden"), "{}", r.text());
        // The clock finishes it.
        let mut conn = app.conn();
        let later = yijian::db::now() + chrono::Duration::hours(1);
        let n = yijian::app::report::finish_interrupted(&mut conn, later, "http://yj.example.org")
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(count_published(&mut conn), N as i64);
        assert_eq!(count_history(&mut conn), N as i64);
        let hidden_left: i64 = publications::table
            .filter(publications::id.eq(&hidden.id))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(hidden_left, 0);
        drop(conn);
        let mut to: Vec<String> = outbox(&app).into_iter().map(|(t, ..)| t).collect();
        to.sort();
        assert_eq!(
            to,
            [
                "p0@example.org",
                "p1@example.org",
                "p2@example.org",
                "wang@example.org"
            ]
        );
        let mut conn = app.conn();
        assert_eq!(
            yijian::app::report::finish_interrupted(&mut conn, later, "http://yj.example.org")
                .unwrap(),
            0,
            "nothing left to finish"
        );
    }
}
