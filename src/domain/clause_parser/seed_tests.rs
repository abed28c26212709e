//! The clause parser on the seed drafts in `tests/fixtures/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::tests::{
    SEED_000, SEED_001, SEED_003, SEED_004, assert_lossless, duty_units, heads, strip, units,
};
use super::*;

// ---------------------------------------------------------------- seed 000

#[test]
fn seed_000_tree() {
    let d = parse_draft(SEED_000);
    assert_eq!(d.counts_by_depth(), vec![4, 15, 16]);
    assert_eq!(d.clause_count(), 35);
    assert!(d.notes.is_empty());
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("一、", Some("工作目标")),
            ("二、", Some("工作任务")),
            ("三、", Some("工作安排")),
            ("四、", Some("工作措施")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![
            ("(一)", Some("实施一批人工智能技术攻关项目")),
            ("(二)", Some("打造一批人工智能应用示范场景")),
            ("(三)", Some("集聚一批人工智能高精尖缺人才")),
            ("(四)", Some("有力推动数字经济高质量发展")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[1].children),
        vec![
            (
                "(一)",
                Some("加强政策和机制创新,营造有利于人工智能发展的良好生态")
            ),
            (
                "(二)",
                Some("强化技术研发和创新应用,促进人工智能与经济社会发展深度融合")
            ),
            (
                "(三)",
                Some("加强产业空间布局统筹,推动人工智能产业集聚发展")
            ),
            (
                "(四)",
                Some("充分发挥武汉科教优势,为人工智能产业发展提供坚实的人才保障")
            ),
        ]
    );
    assert_eq!(
        heads(&d.clauses[2].children),
        vec![
            ("(一)", Some("工作部署阶段(2021年3月底之前)")),
            ("(二)", Some("工作办理阶段(2021年4—10月)")),
            ("(三)", Some("检查督办阶段(2021年11月)")),
            ("(四)", Some("总结汇报阶段(2021年12月)")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[3].children),
        vec![
            ("(一)", Some("加强组织领导")),
            ("(二)", Some("明确工作责任")),
            ("(三)", Some("完善工作机制")),
        ]
    );
    // Every task group holds items 1.–4.
    for group in &d.clauses[1].children {
        let labels: Vec<&str> = group.children.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, vec!["1.", "2.", "3.", "4."]);
    }
    assert_eq!(
        heads(&d.clauses[1].children[0].children),
        vec![
            ("1.", Some("进一步强化顶层设计")),
            ("2.", Some("加快推进新一代人工智能产业发展的扶持政策")),
            ("3.", Some("加大科技成果转化支持力度")),
            // The first sentence is longer than 30 characters.
            ("4.", None),
        ]
    );
    let goal = &d.clauses[0].children[0];
    assert!(
        goal.text
            .starts_with("聚焦人工智能“硬件、算法、数据”等关键领域")
    );
    assert!(goal.children.is_empty());
    assert_eq!(d.clauses[0].text, "");
    let item = &d.clauses[1].children[0].children[0];
    assert!(item.text.starts_with("成立市人工智能发展工作领导小组"));
    let item4 = &d.clauses[1].children[0].children[3];
    assert!(
        item4
            .text
            .starts_with("加快出台本市公共数据开放管理办法,实现")
    );
    // Notes stay in the text as written.
    assert!(item.text.contains("(责任单位:市科技局)进一步摸清"));
}

#[test]
fn seed_000_duties() {
    let d = parse_draft(SEED_000);
    let tasks = &d.clauses[1].children;
    // 二、(一)1.: two notes.
    assert_eq!(
        duty_units(&tasks[0].children[0]),
        vec![
            (vec![], units(&["市科技局"])),
            (
                units(&["市经济和信息化局"]),
                units(&["市发展改革委", "市科技局"])
            ),
        ]
    );
    // 二、(一)2.: three notes, one per sentence group.
    let item = &tasks[0].children[1];
    assert_eq!(
        duty_units(item),
        vec![
            (
                units(&["市经济和信息化局"]),
                units(&["市财政局", "各区人民政府〈含开发区管委会,下同〉"])
            ),
            (
                units(&["市科技局"]),
                units(&["市发展改革委", "市经济和信息化局"])
            ),
            (units(&["市地方金融工作局"]), units(&["各区人民政府"])),
        ]
    );
    assert!(
        item.duties[0]
            .applies_to
            .starts_with("加大支持人工智能产品及服务")
    );
    assert!(item.duties[0].applies_to.ends_with("拓展市场资源。"));
    assert!(item.duties[1].applies_to.starts_with("引导在汉大型企业"));
    assert_eq!(
        item.duties[2].raw,
        "(牵头单位:市地方金融工作局;责任单位:各区人民政府)"
    );
    // 二、(一)4.: responsible unit only.
    assert_eq!(
        duty_units(&tasks[0].children[3]),
        vec![(vec![], units(&["市政务服务和大数据管理局"]))]
    );
    // 二、(二)1.: three notes; a bracketed remark stays with its unit.
    assert_eq!(
        duty_units(&tasks[1].children[0]),
        vec![
            (vec![], units(&["市科技局"])),
            (
                units(&["市地方金融工作局"]),
                units(&["市国资委", "市财政局"])
            ),
            (
                units(&["市经济和信息化局"]),
                units(&[
                    "武汉东湖新技术开发区管委会",
                    "武汉经济技术开发区管委会〈汉南区人民政府〉"
                ])
            ),
        ]
    );
    // 二、(二)3.: nine responsible units in the second note.
    let scenes = &tasks[1].children[2];
    assert_eq!(scenes.duties.len(), 2);
    assert_eq!(
        scenes.duties[1].responsible,
        units(&[
            "市科技局",
            "市教育局",
            "市公安局",
            "市公安局交通管理局",
            "市民政局",
            "市自然资源和规划局",
            "市城乡建设局",
            "市卫生健康委",
            "各区人民政府"
        ])
    );
    // 二、(四)4.
    assert_eq!(
        duty_units(&tasks[3].children[3]),
        vec![(
            units(&["市招才局"]),
            units(&["市住房保障房管局", "市教育局", "各区人民政府"])
        )]
    );
    // Bracketed remarks that are not duty notes are ignored.
    assert!(d.clauses[3].children[0].duties.is_empty());
    assert!(d.clauses[2].children[0].duties.is_empty());
}

#[test]
fn seed_000_front_matter_and_trailer() {
    let d = parse_draft(SEED_000);
    assert_eq!(
        d.title.as_deref(),
        Some("市政协第十三届五次会议1号建议案办理工作方案")
    );
    assert!(d.front_matter.starts_with("市人民政府办公厅关于印发"));
    assert!(d.front_matter.contains("各区人民政府,市人民政府各部门:"));
    assert!(d.front_matter.ends_with("结合工作实际,特制订本方案。"));
    assert!(
        d.trailer
            .starts_with("市政协第十三届五次会议1号建议案办理工作领导小组组成人员名单")
    );
    assert!(d.trailer.contains("胡亚波"));
    assert!(d.trailer.contains("舒贵传"));
    assert!(d.trailer.ends_with("武汉市人民政府微信公众号"));
    let last = &d.clauses[3].children[2];
    assert!(last.text.ends_with("接受群众监督。"));
    for (_, c) in d.flatten() {
        assert!(
            !c.text.contains("胡亚波") && !c.text.contains("扫一扫"),
            "{c:?}"
        );
    }
}

// ---------------------------------------------------------------- seed 003

#[test]
fn seed_003_tree_and_duties() {
    let d = parse_draft(SEED_003);
    assert_eq!(d.counts_by_depth(), vec![4, 11, 15]);
    assert_eq!(d.clause_count(), 30);
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("一、", Some("总体要求")),
            ("二、", Some("工作任务")),
            ("三、", Some("工作安排")),
            ("四、", Some("保障措施")),
        ]
    );
    assert!(d.clauses[0].children.is_empty());
    assert!(
        d.clauses[0]
            .text
            .starts_with("坚持以习近平新时代中国特色社会主义思想为指导")
    );
    assert_eq!(
        heads(&d.clauses[1].children),
        vec![
            ("(一)", Some("强化科技创新策源功能")),
            ("(二)", Some("提升科技成果转化效能")),
            ("(三)", Some("支持创新型企业发展壮大")),
            ("(四)", Some("推动重点产业集聚发展")),
            ("(五)", Some("加快培育高水平科技人才队伍")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[2].children),
        vec![
            ("(一)", Some("工作部署阶段(2023年3月底之前)")),
            ("(二)", Some("具体办理阶段(2023年4—11月)")),
            ("(三)", Some("总结汇报阶段(2023年12月)")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[3].children),
        vec![
            ("(一)", Some("加强组织领导")),
            ("(二)", Some("明确工作责任")),
            ("(三)", Some("完善工作机制")),
        ]
    );
    let tasks = &d.clauses[1].children;
    assert_eq!(
        heads(&tasks[0].children),
        vec![
            ("1.", Some("加快形成重大原创性突破成果")),
            ("2.", Some("加快突破核心技术")),
            ("3.", Some("发挥企业创新主体作用")),
        ]
    );
    assert_eq!(
        duty_units(&tasks[0].children[0]),
        vec![(
            units(&["市发改委", "市科技局"]),
            units(&[
                "市人才工作局",
                "市人社局",
                "市商务局",
                "市财政局",
                "市委外办",
                "各区人民政府〈含开发区、长江新区、风景区管委会,下同〉"
            ])
        )]
    );
    assert_eq!(
        duty_units(&tasks[0].children[1]),
        vec![(
            units(&["市科技局", "市发改委", "市经信局"]),
            units(&["各区人民政府"])
        )]
    );
    assert_eq!(
        duty_units(&tasks[1].children[1]),
        vec![(
            units(&["市科技局"]),
            units(&["市市场监管局", "各区人民政府"])
        )]
    );
    assert_eq!(
        duty_units(&tasks[2].children[2]),
        vec![(
            units(&["市地方金融局", "市政府国资委", "市科技局", "市财政局"]),
            units(&["市发改委", "市市场监管局", "各区人民政府"])
        )]
    );
    assert_eq!(
        duty_units(&tasks[3].children[2]),
        vec![(
            units(&["市发改委"]),
            units(&[
                "市经信局",
                "市科技局",
                "市商务局",
                "市市场监管局",
                "各区人民政府"
            ])
        )]
    );
    assert_eq!(
        duty_units(&tasks[4].children[0]),
        vec![(
            units(&["市人才工作局"]),
            units(&[
                "市人社局",
                "市科技局",
                "市市场监管局",
                "市教育局",
                "各区人民政府"
            ])
        )]
    );
}

#[test]
fn seed_003_title_and_trailer() {
    let d = parse_draft(SEED_003);
    // The title runs over two lines.
    assert_eq!(
        d.title.as_deref(),
        Some("市政协十四届二次会议1号建议案办理工作方案")
    );
    assert!(d.front_matter.starts_with("各区人民政府,市人民政府各部门:"));
    // So does the member-list heading: both lines belong to the trailer.
    assert!(d.trailer.starts_with("市政协第十四届二次会议1号建议案"));
    assert!(d.trailer.contains("办理工作领导小组组成人员名单"));
    assert!(d.trailer.contains("陈劲超"));
    assert!(d.trailer.ends_with("不另行发文调整。"));
    let last = &d.clauses[3].children[2];
    assert!(last.text.ends_with("接受群众监督。"));
    assert!(!last.text.contains("建议案\n"));
}

// ---------------------------------------------------------------- seed 004

#[test]
fn seed_004_tree_and_duties() {
    let d = parse_draft(SEED_004);
    assert_eq!(d.counts_by_depth(), vec![4, 17, 16]);
    assert_eq!(d.clause_count(), 37);
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("一、", Some("总体要求")),
            ("二、", Some("重点任务")),
            ("三、", Some("工作措施")),
            ("四、", Some("组织实施")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![
            ("(一)", Some("指导思想")),
            ("(二)", Some("基本原则")),
            ("(三)", Some("行动目标")),
        ]
    );
    assert!(
        d.clauses[0].children[0]
            .text
            .starts_with("全面落实习近平总书记")
    );
    assert_eq!(
        heads(&d.clauses[0].children[1].children),
        vec![
            ("1.", Some("创新驱动")),
            ("2.", Some("融合发展")),
            ("3.", Some("开放合作")),
            ("4.", Some("统筹推进")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[1].children),
        vec![
            ("(一)", Some("构建新一代人工智能科技创新体系")),
            ("(二)", Some("培育四大新一代人工智能核心产业")),
            ("(三)", Some("做大做强六大人工智能相关产业")),
            ("(四)", Some("打造新型智慧城市新标杆")),
            ("(五)", Some("优化人工智能产业空间布局")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[2].children),
        vec![
            ("(一)", Some("制定人工智能财税金融新政策")),
            ("(二)", Some("建设人工智能人才聚集新高地")),
            ("(三)", Some("营造人工智能创新创业新生态")),
            ("(四)", Some("构建知识产权创造保护新体系")),
            ("(五)", Some("打造人工智能城市特色新品牌")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[3].children),
        vec![
            ("(一)", Some("细化组织领导工作机制")),
            ("(二)", Some("形成高效协同的任务推进机制")),
            ("(三)", Some("开展行之有效的社会舆论引导")),
            ("(四)", Some("完善相关配套服务保障体系")),
        ]
    );
    // Numbering 1.–12. runs on across the sections of 二、.
    let per_section: Vec<Vec<&str>> = d.clauses[1]
        .children
        .iter()
        .map(|s| s.children.iter().map(|c| c.label.as_str()).collect())
        .collect();
    assert_eq!(
        per_section,
        vec![
            vec!["1.", "2.", "3.", "4."],
            vec!["5.", "6."],
            vec!["7.", "8.", "9."],
            vec!["10.", "11."],
            vec!["12."],
        ]
    );
    assert!(
        d.clauses[2]
            .text
            .starts_with("全面落实建设国家自主创新示范区")
    );

    let tasks = &d.clauses[1].children;
    assert_eq!(
        duty_units(&tasks[0].children[0]),
        vec![(
            vec![],
            units(&["市科技局", "经济和信息化委", "各区、县(市)政府"])
        )]
    );
    assert_eq!(
        duty_units(&tasks[0].children[2]),
        vec![(
            vec![],
            units(&["市委组织部(市人才办)", "市发展改革委", "人力资源社会保障局"])
        )]
    );
    // 7.: the note stands on the line after its item.
    let seven = &tasks[2].children[0];
    assert_eq!(seven.label, "7.");
    assert!(
        seven
            .text
            .ends_with("产业集群。\n[责任部门:市经济和信息化委、发展改革委]")
    );
    assert_eq!(
        duty_units(seven),
        vec![(vec![], units(&["市经济和信息化委", "发展改革委"]))]
    );
    assert!(
        seven.duties[0]
            .applies_to
            .ends_with("打造具有国际竞争力的产业集群。")
    );
    assert_eq!(
        duty_units(&tasks[3].children[0]),
        vec![(vec![], units(&["市大数据局", "经济和信息化委", "信息中心"]))]
    );
    let measures = &d.clauses[2].children;
    assert_eq!(
        duty_units(&measures[3]),
        vec![(vec![], units(&["市科技局(市知识产权局)"]))]
    );
    assert_eq!(
        duty_units(&measures[4]),
        vec![(vec![], units(&["沈阳广播电视台", "沈阳日报社"]))]
    );
}

#[test]
fn seed_004_front_matter_and_trailer() {
    let d = parse_draft(SEED_004);
    assert_eq!(
        d.title.as_deref(),
        Some("沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)")
    );
    assert!(d.front_matter.starts_with("沈政办发〔2018〕144号"));
    assert!(d.front_matter.contains("(此件公开发布)"));
    assert!(d.front_matter.ends_with("结合我市实际,制定本计划。"));
    assert!(d.trailer.starts_with("文件链接:"));
    assert!(d.trailer.contains("扫描二维码 关注我们"));
    assert!(
        d.trailer
            .contains("本文链接://www.0798ci.com/rule/73866.html")
    );
    assert!(d.trailer.ends_with("本文关键词: 沈阳市"));
    let last = &d.clauses[3].children[3];
    assert!(last.text.ends_with("[责任部门:市科技局]"));
    for (_, c) in d.flatten() {
        assert!(!c.text.contains("0798ci") && !c.text.contains("二维码"));
    }
}

// ---------------------------------------------------------------- seed 001

#[test]
fn seed_001_prose_enumerations_stay_text() {
    let d = parse_draft(SEED_001);
    assert_eq!(d.counts_by_depth(), vec![3, 3]);
    assert_eq!(d.title, None);
    assert_eq!(d.front_matter, "");
    assert_eq!(d.trailer, "");
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("一、", Some("编制过程")),
            ("二、", Some("编制原则")),
            ("三、", Some("主要内容")),
        ]
    );
    assert_eq!(
        heads(&d.clauses[2].children),
        vec![
            ("(一)", Some("总体要求")),
            ("(二)", Some("主要任务")),
            ("(三)", Some("保障措施")),
        ]
    );
    // Two paragraphs on consecutive lines.
    let process = &d.clauses[0].text;
    assert!(process.starts_with("去年9月工信部正式批复"));
    assert!(process.contains("开展《方案》编制工作。\n编制过程中"));
    let principles = &d.clauses[1];
    assert!(principles.children.is_empty());
    assert!(principles.text.starts_with("一是突出双区联动。"));
    assert!(principles.text.contains("\n二是突出产业导向。"));
    assert!(principles.text.contains("\n三是突出应用先导。"));
    assert_eq!(
        d.clauses[2].text,
        "《方案》总共分为总体要求、主要任务和保障措施三个部分。"
    );
    let tasks = &d.clauses[2].children[1];
    assert!(tasks.children.is_empty());
    assert!(
        tasks
            .text
            .starts_with("《方案》提出了6个计划和20项具体工作任务。\n一是")
    );
    assert!(tasks.text.contains("\n六是实施人工智能生态营造计划。"));
    assert!(d.clauses[2].children[2].text.ends_with("四是持续宣传推广。强化对全市人工智能的宣传推广力度,策划举办国际国内人工智能领域各类重大活动。"));
    assert!(d.flatten().iter().all(|(_, c)| c.duties.is_empty()));
}

#[test]
fn seeds_are_lossless() {
    for seed in [SEED_000, SEED_001, SEED_003, SEED_004] {
        assert_lossless(seed);
        let d = parse_draft(seed);
        // Clause texts are verbatim slices of the input.
        let flat = strip(seed);
        for (_, c) in d.flatten() {
            for para in c.text.split('\n') {
                assert!(flat.contains(&strip(para)), "{para:?}");
            }
        }
    }
}

#[test]
fn json_shape() {
    let d = parse_draft(SEED_000);
    let v = serde_json::to_value(&d).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        vec!["clauses", "front_matter", "title", "trailer"]
    );
    assert_eq!(v["title"], "市政协第十三届五次会议1号建议案办理工作方案");
    let clause = &v["clauses"][1];
    assert_eq!(
        keys(clause),
        vec!["children", "duties", "heading", "label", "text"]
    );
    assert_eq!(clause["label"], "二、");
    assert_eq!(clause["heading"], "工作任务");
    let item = &clause["children"][0]["children"][0];
    assert_eq!(item["label"], "1.");
    assert_eq!(item["duties"][1]["lead"][0], "市经济和信息化局");
    assert_eq!(item["duties"][1]["responsible"][1], "市科技局");
    let dk = keys(&item["duties"][1]);
    assert!(dk.contains(&"lead".to_string()) && dk.contains(&"responsible".to_string()));
    assert!(clause["children"][0]["children"][3]["heading"].is_null());

    let empty = serde_json::to_value(parse_draft("")).unwrap();
    assert_eq!(
        empty,
        serde_json::json!({
            "title": null, "clauses": [], "front_matter": "", "trailer": "",
            "notes": ["empty_input"]
        })
    );
    let plain = serde_json::to_value(parse_draft("甲。\n乙。")).unwrap();
    assert_eq!(plain["notes"], serde_json::json!(["no_numbering"]));
}

#[test]
fn outline() {
    let d = parse_draft(SEED_000);
    let out = render_outline(&d);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 35);
    assert_eq!(lines[0], "一、 工作目标");
    assert_eq!(lines[1], "  (一) 实施一批人工智能技术攻关项目");
    assert_eq!(lines[5], "二、 工作任务");
    assert_eq!(
        lines[7],
        "    1. 进一步强化顶层设计 [牵头: 市经济和信息化局; 责任: 市科技局、市发展改革委]"
    );
    assert_eq!(
        lines[10],
        "    4. 加快出台本市公共数据开放管理办法,实现公共数据的规范采集、共… [责任: 市政务服务和大数据管理局]"
    );
    assert_eq!(lines[34], "  (三) 完善工作机制");
    // Without heading the outline shows the start of the text.
    let p = render_outline(&parse_draft("甲乙丙。\n丁戊。"));
    assert_eq!(p, "甲乙丙。\n丁戊。\n");
}
