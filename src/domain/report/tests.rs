use super::*;

const SEED: &str = include_str!("../../../tests/fixtures/seed_002.txt");

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '，' } else { c })
        .collect()
}

fn status(code: &str, label: &str) -> StatusLabel {
    StatusLabel::new(code, label, StatusBucket::default_for_code(code))
}

fn unit(key: &str, seq: i64) -> SubmitterIn {
    SubmitterIn {
        key: key.to_string(),
        display_name: key.to_string(),
        organization: Some(key.to_string()),
        is_unit: true,
        first_received_seq: seq,
        ..SubmitterIn::default()
    }
}

fn person(key: &str, display: &str, person: &str, org: Option<&str>, seq: i64) -> SubmitterIn {
    SubmitterIn {
        key: key.to_string(),
        display_name: display.to_string(),
        person_name: Some(person.to_string()),
        organization: org.map(str::to_string),
        is_unit: false,
        consented_to_publish_name: false,
        first_received_seq: seq,
        manual_order: None,
    }
}

fn opinion(
    submitter: &SubmitterIn,
    group: ChannelGroup,
    text: &str,
    seq: i64,
    status: StatusLabel,
    rationale: Option<&str>,
) -> OpinionIn {
    OpinionIn {
        submitter: submitter.clone(),
        channel_group: group,
        text: text.to_string(),
        clause_order: None,
        received_seq: seq,
        status,
        rationale: rationale.map(str::to_string),
        count: 1,
        taken_up: None,
    }
}

/// Lines of the seed's table region, from the first section heading to the last row.
fn seed_lines() -> Vec<&'static str> {
    SEED.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

// Seed 002's cells, as published (the page extraction's line break inside two 是否采纳
// cells is not part of the text; `\n` marks a real paragraph break inside a cell).
const WH: &str = "华中科技大学管理学院中德知识产权研究所王华";
const PUBLIC_ROWS: [(&str, &str, &str, Option<&str>); 5] = [
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
const DEPARTMENT_ROWS: [(&str, &str, &str, &str, Option<&str>); 9] = [
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
const NO_COMMENT_DEPARTMENTS: [&str; 8] = [
    "市教育局",
    "市市场监管局",
    "市发改委",
    "市投控集团",
    "市招商办",
    "市人社局",
    "市财政局",
    "市地方金融局",
];
const NO_COMMENT_DISTRICTS: [&str; 14] = [
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

fn seed_input() -> ReportInput {
    let wang = person(
        "sub-wh",
        WH,
        "王华",
        Some("华中科技大学管理学院中德知识产权研究所"),
        3,
    );
    let mut opinions = Vec::new();
    for (i, (text, code, label, why)) in PUBLIC_ROWS.iter().enumerate() {
        let seq = 10 + i64::try_from(i).unwrap_or(0);
        opinions.push(opinion(
            &wang,
            ChannelGroup::Public,
            text,
            seq,
            status(code, label),
            *why,
        ));
    }
    // Departments replied in the order they appear in the seed; 市科技局's four opinions
    // arrived in one letter.
    let mut first_seq: HashMap<&str, i64> = HashMap::new();
    for (i, (name, text, code, label, why)) in DEPARTMENT_ROWS.iter().enumerate() {
        let seq = 100 + i64::try_from(i).unwrap_or(0);
        let first = *first_seq.entry(name).or_insert(seq);
        let u = unit(name, first);
        opinions.push(opinion(
            &u,
            ChannelGroup::Departments,
            text,
            seq,
            status(code, label),
            *why,
        ));
    }
    // The database hands them over in no particular order.
    opinions.reverse();
    let mut units = Vec::new();
    for (i, name) in NO_COMMENT_DISTRICTS.iter().enumerate() {
        units.push(UnitIn {
            name: name.to_string(),
            kind: UnitKind::District,
            order: i64::try_from(i).unwrap_or(0),
        });
    }
    for (i, name) in NO_COMMENT_DEPARTMENTS.iter().enumerate() {
        let kind = if *name == "市投控集团" {
            UnitKind::Other
        } else {
            UnitKind::Department
        };
        units.push(UnitIn {
            name: name.to_string(),
            kind,
            order: i64::try_from(i).unwrap_or(0),
        });
    }
    ReportInput {
        draft_title: "武汉建设国家人工智能创新应用先导区实施方案(2023-2025年)(征求意见稿)"
            .to_string(),
        opinions,
        no_comment_units: units,
        config: ReportConfig::default(),
        edition: Edition::Internal,
    }
}

#[test]
fn seed_002_reproduced() {
    let lines = seed_lines();
    let report = build(seed_input());

    // Title and header as published.
    assert_eq!(report.title, lines[0]);
    assert_eq!(report.summary, None);
    assert_eq!(report.sections.len(), 2);
    for section in &report.sections {
        assert_eq!(
            section.columns,
            ["序号", "单位/个人", "修改意见", "是否采纳"]
        );
        let header: Vec<&str> = section.columns.iter().map(String::as_str).collect();
        let at = lines
            .iter()
            .position(|l| *l == "序号")
            .expect("header in seed");
        assert_eq!(&lines[at..at + 4], header.as_slice());
    }

    // Section titles exactly as in the seed.
    assert_eq!(report.sections[0].title, "一、公开网站征求意见采纳情况");
    assert_eq!(report.sections[1].title, "二、相关部门意见采纳情况");
    assert!(lines.contains(&report.sections[0].title.as_str()));
    assert!(lines.contains(&report.sections[1].title.as_str()));

    // Numbering restarts per section.
    let numbers = |s: &Section| s.rows.iter().map(|r| r.number).collect::<Vec<_>>();
    assert_eq!(numbers(&report.sections[0]), [1, 2, 3, 4, 5]);
    assert_eq!(numbers(&report.sections[1]), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // Merged submitter cells.
    let spans = |s: &Section| s.rows.iter().map(|r| r.submitter_span).collect::<Vec<_>>();
    assert_eq!(spans(&report.sections[0]), [5, 0, 0, 0, 0]);
    assert_eq!(spans(&report.sections[1]), [1, 4, 0, 0, 0, 1, 1, 1, 1]);
    assert_eq!(report.sections[0].rows[0].submitter, WH);
    assert_eq!(report.sections[1].rows[1].submitter, "市科技局");

    // Every decision equals the seed's cell (modulo comma width and whitespace).
    for (row, expected) in report.sections[0].rows.iter().zip(PUBLIC_ROWS.iter()) {
        let seed = match expected.3 {
            Some(r) => format!("{},{}", expected.2, r),
            None => expected.2.to_string(),
        };
        assert_eq!(norm(&row.decision), norm(&seed));
    }
    assert_eq!(
        norm(&report.sections[0].rows[0].decision),
        norm("已采纳,调整了先导方向和建设内容")
    );
    assert_eq!(
        norm(&report.sections[1].rows[0].decision),
        norm("已采纳,根据市\n\n政府专题会要求,与市卫健委协商一致,调整为在智慧领域打造80项应用场景")
    );
    assert_eq!(
        norm(&report.sections[1].rows[8].decision),
        norm("采纳,明确支持各区建设20个以上以人工智能产业为主要方向的园区")
    );
    assert!(
        report.sections[1].rows[0]
            .decision
            .starts_with("已采纳，根据")
    );

    // The whole table, read cell by cell as the seed prints it, is the seed's table.
    let mut printed = String::new();
    for section in &report.sections {
        printed.push_str(&section.title);
        for row in &section.rows {
            printed.push_str(&row.number.to_string());
            if row.starts_group() {
                printed.push_str(&row.submitter);
            }
            printed.push_str(&row.opinion);
            printed.push_str(&row.decision);
        }
    }
    let start = lines
        .iter()
        .position(|l| l.starts_with("一、"))
        .expect("section one");
    let end = lines
        .iter()
        .position(|l| l.starts_with("市教育局"))
        .expect("closing");
    assert_eq!(norm(&printed), norm(&lines[start..end].concat()));

    // The closing paragraph as published.
    assert_eq!(
        norm(report.closing.as_deref().unwrap_or("")),
        norm(lines[end])
    );
    assert_eq!(
        report.closing.as_deref().unwrap_or(""),
        lines[end].replace("单位,", "单位，")
    );
}

#[test]
fn seed_002_public_edition_masks_the_commenter_only() {
    let mut input = seed_input();
    input.edition = Edition::Public;
    let report = build(input);
    assert_eq!(
        report.sections[0].rows[0].submitter,
        "华中科技大学管理学院中德知识产权研究所王*"
    );
    assert_eq!(report.sections[1].rows[0].submitter, "市卫健委");
    assert_eq!(report.edition, Edition::Public);
}

#[test]
fn separate_reason_column() {
    let mut input = seed_input();
    input.config.separate_reason_column = true;
    let report = build(input);
    assert_eq!(
        report.sections[0].columns,
        ["序号", "单位/个人", "修改意见", "是否采纳", "理由"]
    );
    assert!(report.separate_reason_column);
    let row = &report.sections[0].rows[0];
    assert_eq!(row.decision, "已采纳");
    assert_eq!(row.reason.as_deref(), Some("调整了先导方向和建设内容"));
    let row = &report.sections[0].rows[1];
    assert_eq!(row.decision, "已采纳");
    assert_eq!(row.reason, None);

    // Without the column the rationale still travels in `reason`.
    let report = build(seed_input());
    let row = &report.sections[0].rows[0];
    assert_eq!(row.decision, "已采纳，调整了先导方向和建设内容");
    assert_eq!(row.reason.as_deref(), Some("调整了先导方向和建设内容"));
}

fn masking_input(edition: Edition) -> ReportInput {
    let wang = person(
        "p1",
        WH,
        "王华",
        Some("华中科技大学管理学院中德知识产权研究所"),
        1,
    );
    let solo = person("p2", "欧阳明月", "欧阳明月", None, 2);
    let mut consent = person("p3", "李四", "李四", None, 3);
    consent.consented_to_publish_name = true;
    let bare = SubmitterIn {
        key: "p4".into(),
        display_name: "某公司张三".into(),
        organization: Some("某公司".into()),
        first_received_seq: 4,
        ..SubmitterIn::default()
    };
    let unit_named_like_a_person = unit("市王华局", 5);
    let anonymous = SubmitterIn {
        key: "p6".into(),
        first_received_seq: 6,
        ..SubmitterIn::default()
    };
    let elsewhere = person("p7", "张伟（退休教师）", "张伟", None, 7);
    let mut input = ReportInput {
        draft_title: "某方案".into(),
        edition,
        ..ReportInput::default()
    };
    input.config.submitter_column = SubmitterColumn::Feedbacker;
    for (i, s) in [
        wang,
        solo,
        consent,
        bare,
        unit_named_like_a_person,
        anonymous,
        elsewhere,
    ]
    .iter()
    .enumerate()
    {
        let seq = i64::try_from(i).unwrap_or(0);
        input.opinions.push(opinion(
            s,
            ChannelGroup::Public,
            "意见",
            seq,
            status("adopted", "已采纳"),
            None,
        ));
    }
    input
}

#[test]
fn feedbacker_column_masks_names_in_the_public_edition_only() {
    let public = build(masking_input(Edition::Public));
    assert_eq!(public.sections[0].columns[1], "反馈人");
    let names: Vec<&str> = public.sections[0]
        .rows
        .iter()
        .map(|r| r.submitter.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "华中科技大学管理学院中德知识产权研究所王*",
            "欧***",
            "李四",
            "某公司张*",
            "市王华局",
            "匿名",
            "张*（退休教师）"
        ]
    );
    let internal = build(masking_input(Edition::Internal));
    let names: Vec<&str> = internal.sections[0]
        .rows
        .iter()
        .map(|r| r.submitter.as_str())
        .collect();
    assert_eq!(
        names,
        [
            WH,
            "欧阳明月",
            "李四",
            "某公司张三",
            "市王华局",
            "匿名",
            "张伟（退休教师）"
        ]
    );
    // No unmasked personal name anywhere in the public JSON.
    let json = serde_json::to_string(&public).unwrap();
    for name in ["王华", "欧阳明月", "张三", "张伟"] {
        assert!(
            !json.replace("市王华局", "").contains(name),
            "{name} leaked"
        );
    }
}

#[test]
fn mask_names() {
    assert_eq!(mask_person_name("王华"), "王*");
    assert_eq!(mask_person_name("欧阳明月"), "欧***");
    assert_eq!(mask_person_name("王"), "*");
    assert_eq!(mask_person_name(""), "");
    assert_eq!(mask_person_name("John Smith"), "J*** *****");
}

#[test]
fn merged_sections_number_straight_through() {
    let mut input = seed_input();
    input.config.merge_sections = true;
    let report = build(input);
    assert_eq!(report.sections.len(), 1);
    let s = &report.sections[0];
    assert_eq!(s.title, "");
    assert_eq!(s.rows.len(), 14);
    assert_eq!(
        s.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
        (1..=14).collect::<Vec<u32>>()
    );
    assert_eq!(s.rows[0].submitter, WH);
    assert_eq!(s.rows[0].submitter_span, 5);
    assert_eq!(s.rows[5].submitter, "市卫健委");
    assert_eq!(s.rows[6].submitter_span, 4);

    let mut input = seed_input();
    input.config.merge_sections = true;
    input.config.section_titles.merged = "意见采纳情况".into();
    assert_eq!(build(input).sections[0].title, "意见采纳情况");
}

#[test]
fn empty_section_is_left_out_and_the_rest_renumbered() {
    let mut input = seed_input();
    input
        .opinions
        .retain(|o| o.channel_group == ChannelGroup::Departments);
    let report = build(input);
    assert_eq!(report.sections.len(), 1);
    assert_eq!(report.sections[0].title, "一、相关部门意见采纳情况");
}

#[test]
fn status_wording_override() {
    let mut input = seed_input();
    input
        .config
        .status_labels
        .insert("adopted".into(), "是".into());
    input
        .config
        .status_labels
        .insert("partially_adopted".into(), "部分采纳（是）".into());
    let report = build(input);
    let rows = &report.sections[0].rows;
    assert_eq!(rows[0].decision, "是，调整了先导方向和建设内容");
    assert_eq!(rows[1].decision, "是");
    assert_eq!(rows[3].decision, "部分采纳（是），已对相关内容进行调整。");
    // Both 已采纳 and 采纳 in the seed are `adopted`: one wording now.
    assert!(
        report.sections[1]
            .rows
            .iter()
            .all(|r| r.decision.starts_with('是'))
    );

    let mut input = seed_input();
    input
        .config
        .status_labels
        .insert("adopted".into(), "采纳".into());
    let report = build(input);
    assert_eq!(report.sections[1].rows[1].decision, "采纳");
}

#[test]
fn summary_counts_clusters_and_extra_statuses() {
    let s = unit("市甲局", 1);
    let mk = |code: &str, label: &str, bucket: StatusBucket, count: i64| {
        let mut o = opinion(
            &s,
            ChannelGroup::Departments,
            "x",
            1,
            StatusLabel::new(code, label, bucket),
            Some("理由"),
        );
        o.count = count;
        o
    };
    let mut input = ReportInput {
        draft_title: "某方案".into(),
        opinions: vec![
            mk("adopted", "已采纳", StatusBucket::Adopted, 1),
            mk("adopted", "已采纳", StatusBucket::Adopted, 12),
            mk("already_reflected", "已有体现", StatusBucket::Adopted, 1),
            mk(
                "partially_adopted",
                "部分采纳",
                StatusBucket::PartiallyAdopted,
                2,
            ),
            mk("not_adopted", "未采纳", StatusBucket::NotAdopted, 3),
            mk("referred", "转有关单位研究", StatusBucket::Other, 1),
            mk("not_adopted", "未采纳", StatusBucket::NotAdopted, 0),
        ],
        ..ReportInput::default()
    };
    input.config.summary = true;
    let report = build(input);
    assert_eq!(
        report.summary.as_deref(),
        Some("共收到意见建议21条，其中采纳14条，部分采纳2条，未采纳4条。")
    );
    let counts: Vec<i64> = report.sections[0].rows.iter().map(|r| r.count).collect();
    assert_eq!(counts, [1, 12, 1, 2, 3, 1, 1]);
    assert_eq!(
        report.sections[0].rows[1].opinion_display(),
        "x（共12条相同意见）"
    );
    assert_eq!(report.sections[0].rows[0].opinion_display(), "x");
}

#[test]
fn empty_case() {
    let mut input = ReportInput {
        draft_title: "某方案".into(),
        ..ReportInput::default()
    };
    let report = build(input.clone());
    assert!(report.sections.is_empty());
    assert!(report.is_empty());
    assert_eq!(
        report.summary.as_deref(),
        Some("征求意见期间，未收到意见建议。")
    );
    assert_eq!(report.closing, None);
    assert_eq!(report.title, "关于《某方案》公开征求意见情况的报告");

    input.no_comment_units.push(UnitIn {
        name: "市教育局".into(),
        kind: UnitKind::Department,
        order: 1,
    });
    input.config.summary = true;
    let report = build(input);
    assert_eq!(
        report.summary.as_deref(),
        Some("征求意见期间，未收到意见建议。")
    );
    assert_eq!(
        report.closing.as_deref(),
        Some("市教育局等其他相关单位无修改意见。")
    );
}

#[test]
fn closing_variants() {
    let u = |name: &str, kind, order| UnitIn {
        name: name.into(),
        kind,
        order,
    };
    assert_eq!(closing_paragraph(&[]), None);
    assert_eq!(
        closing_paragraph(&[
            u("江岸区政府", UnitKind::District, 2),
            u("长江新区管委会", UnitKind::District, 1)
        ])
        .as_deref(),
        Some("长江新区管委会、江岸区政府等区(开发区)无修改意见。")
    );
    assert_eq!(
        closing_paragraph(&[
            u("江岸区政府", UnitKind::District, 1),
            u("市发改委", UnitKind::Department, 2),
            u("市教育局", UnitKind::Department, 1),
            u("市教育局", UnitKind::Department, 3),
        ])
        .as_deref(),
        Some("市教育局、市发改委等其他相关单位，江岸区政府等区(开发区)无修改意见。")
    );
}

#[test]
fn a_submitters_opinions_are_grouped_in_clause_order() {
    let a = person("a", "张三", "张三", None, 1);
    let b = person("b", "李四", "李四", None, 2);
    let st = || status("adopted", "已采纳");
    let mut ops = vec![
        opinion(&a, ChannelGroup::Public, "A on clause 7", 1, st(), None),
        opinion(&b, ChannelGroup::Public, "B on clause 1", 2, st(), None),
        opinion(&a, ChannelGroup::Public, "A on clause 2", 3, st(), None),
        opinion(&a, ChannelGroup::Public, "A on the whole", 4, st(), None),
        opinion(&b, ChannelGroup::Public, "B on the whole", 5, st(), None),
        opinion(
            &a,
            ChannelGroup::Public,
            "A again on clause 2",
            6,
            st(),
            None,
        ),
    ];
    for (op, clause) in ops
        .iter_mut()
        .zip([Some(7), Some(1), Some(2), None, None, Some(2)])
    {
        op.clause_order = clause;
    }
    let input = ReportInput {
        draft_title: "某方案".into(),
        opinions: ops,
        ..ReportInput::default()
    };
    let report = build(input);
    let rows = &report.sections[0].rows;
    let texts: Vec<&str> = rows.iter().map(|r| r.opinion.as_str()).collect();
    assert_eq!(
        texts,
        [
            "A on the whole",
            "A on clause 2",
            "A again on clause 2",
            "A on clause 7",
            "B on the whole",
            "B on clause 1"
        ]
    );
    assert_eq!(
        rows.iter().map(|r| r.submitter_span).collect::<Vec<_>>(),
        [4, 0, 0, 0, 2, 0]
    );
}

#[test]
fn manual_order_overrides_receipt() {
    let mut a = unit("市甲局", 1);
    let mut b = unit("市乙局", 2);
    let c = unit("市丙局", 0);
    a.manual_order = Some(2);
    b.manual_order = Some(1);
    let st = || status("adopted", "已采纳");
    let input = ReportInput {
        draft_title: "某方案".into(),
        opinions: vec![
            opinion(&a, ChannelGroup::Departments, "甲", 1, st(), None),
            opinion(&b, ChannelGroup::Departments, "乙", 2, st(), None),
            opinion(&c, ChannelGroup::Departments, "丙", 0, st(), None),
        ],
        ..ReportInput::default()
    };
    let report = build(input);
    let names: Vec<&str> = report.sections[0]
        .rows
        .iter()
        .map(|r| r.submitter.as_str())
        .collect();
    assert_eq!(names, ["市乙局", "市甲局", "市丙局"]);
}

#[test]
fn text_is_cleaned_and_rationale_trimmed() {
    let s = unit("市甲局", 1);
    let mut op = opinion(
        &s,
        ChannelGroup::Departments,
        "  第一段\r\n第二段\n",
        1,
        status("not_adopted", "未采纳"),
        Some(" ，与上位法不符。 "),
    );
    op.count = 1;
    let report = build(ReportInput {
        draft_title: "x".into(),
        opinions: vec![op],
        ..ReportInput::default()
    });
    let row = &report.sections[0].rows[0];
    assert_eq!(row.opinion, "第一段\n第二段");
    assert_eq!(row.decision, "未采纳，与上位法不符。");
    assert_eq!(row.reason.as_deref(), Some("与上位法不符。"));
}

#[test]
fn numerals() {
    let got: Vec<String> = [1, 2, 9, 10, 11, 20, 21, 99, 100]
        .iter()
        .map(|&n| chinese_numeral(n))
        .collect();
    assert_eq!(
        got,
        [
            "一",
            "二",
            "九",
            "十",
            "十一",
            "二十",
            "二十一",
            "九十九",
            "100"
        ]
    );
}

#[test]
fn channel_groups() {
    for c in ["public_web", "letter", "email", "meeting", "other"] {
        assert_eq!(ChannelGroup::for_channel(c), ChannelGroup::Public);
    }
    assert_eq!(
        ChannelGroup::for_channel("department"),
        ChannelGroup::Departments
    );
}

#[test]
fn model_round_trips_through_json() {
    let report = build(seed_input());
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    // A snapshot written before added fields existed still reads.
    let old = r#"{"title":"t","summary":null,"sections":[],"closing":null}"#;
    let r: Report = serde_json::from_str(old).unwrap();
    assert_eq!(r.edition, Edition::Internal);
}

#[test]
fn a_report_citing_changes_says_where_an_opinion_was_taken_up() {
    let someone = SubmitterIn {
        key: "a".into(),
        display_name: "张三".into(),
        person_name: Some("张三".into()),
        organization: None,
        is_unit: false,
        consented_to_publish_name: true,
        first_received_seq: 1,
        manual_order: None,
    };
    let adopted = StatusLabel::new("adopted", "已采纳", StatusBucket::Adopted);
    let partly = StatusLabel::new(
        "partially_adopted",
        "部分采纳",
        StatusBucket::PartiallyAdopted,
    );
    let mut first = opinion(&someone, ChannelGroup::Public, "意见一", 1, adopted, None);
    first.taken_up = Some("修改稿第五条".into());
    let mut second = opinion(
        &someone,
        ChannelGroup::Public,
        "意见二",
        2,
        partly,
        Some("其余已有规定"),
    );
    second.taken_up = Some("修改稿第六条、第七条".into());
    let third = opinion(
        &someone,
        ChannelGroup::Public,
        "意见三",
        3,
        StatusLabel::new("adopted", "已采纳", StatusBucket::Adopted),
        None,
    );
    let input = |cite: bool| ReportInput {
        draft_title: "示例".into(),
        opinions: vec![first.clone(), second.clone(), third.clone()],
        no_comment_units: vec![],
        config: ReportConfig {
            cite_changes: cite,
            ..ReportConfig::default()
        },
        edition: Edition::Internal,
    };
    let cells = |r: Report| -> Vec<String> {
        r.sections
            .into_iter()
            .flat_map(|s| s.rows)
            .map(|r| r.decision)
            .collect()
    };
    assert_eq!(
        cells(build(input(true))),
        [
            "已采纳，见修改稿第五条",
            "部分采纳，见修改稿第六条、第七条，其余已有规定",
            "已采纳"
        ]
    );
    assert_eq!(
        cells(build(input(false))),
        ["已采纳", "部分采纳，其余已有规定", "已采纳"],
        "off by default: the report as offices print it"
    );
}
