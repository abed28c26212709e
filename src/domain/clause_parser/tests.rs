#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use proptest::prelude::*;

pub(super) const SEED_000: &str = include_str!("../../../tests/fixtures/seed_000.txt");
pub(super) const SEED_001: &str = include_str!("../../../tests/fixtures/seed_001.txt");
pub(super) const SEED_003: &str = include_str!("../../../tests/fixtures/seed_003.txt");
pub(super) const SEED_004: &str = include_str!("../../../tests/fixtures/seed_004.txt");

pub(super) fn strip(s: &str) -> String {
    s.chars().filter(|&c| !is_space(c)).collect()
}

pub(super) fn assert_lossless(input: &str) {
    let d = parse_draft(input);
    assert_eq!(
        strip(&d.reassemble()),
        strip(input),
        "lost text for {input:?}"
    );
}

/// Label and heading of each clause in `cs`.
pub(super) fn heads(cs: &[ParsedClause]) -> Vec<(&str, Option<&str>)> {
    cs.iter()
        .map(|c| (c.label.as_str(), c.heading.as_deref()))
        .collect()
}

pub(super) fn units(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(super) fn duty_units(c: &ParsedClause) -> Vec<(Vec<String>, Vec<String>)> {
    c.duties
        .iter()
        .map(|d| (d.lead.clone(), d.responsible.clone()))
        .collect()
}

// ------------------------------------------------------- written variants

#[test]
fn law_with_chapters_sections_and_articles() {
    let law = "中华人民共和国示例法\n\n第一章　总则\n\n\
            第一条(立法目的)为了规范示例活动，保护当事人合法权益，制定本法。\n\
            第二条　本法适用于中华人民共和国境内的示例活动。\n\
            第二章 管理\n第一节 一般规定\n\
            第三条【主管部门】国务院示例主管部门负责全国示例工作。\n\
            县级以上地方人民政府示例主管部门负责本行政区域内的示例工作。\n\
            第四条 示例单位应当依法开展活动：\n（一）建立制度；\n（二）定期报告。\n\
            第二节 监督\n第五条 监督检查。\n\
            第三章 附则\n第六条 本法自2025年1月1日起施行。\n";
    let d = parse_draft(law);
    assert_eq!(d.title.as_deref(), Some("中华人民共和国示例法"));
    assert_eq!(d.counts_by_depth(), vec![3, 5, 3, 2]);
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("第一章", Some("总则")),
            ("第二章", Some("管理")),
            ("第三章", Some("附则"))
        ]
    );
    let ch1 = &d.clauses[0];
    assert_eq!(
        heads(&ch1.children),
        vec![("第一条", Some("立法目的")), ("第二条", None)]
    );
    assert_eq!(
        ch1.children[0].text,
        "为了规范示例活动，保护当事人合法权益，制定本法。"
    );
    assert_eq!(ch1.children[0].raw_heading, "(立法目的)");
    assert_eq!(
        ch1.children[1].text,
        "本法适用于中华人民共和国境内的示例活动。"
    );
    // Sections only appear in chapter 2; articles still nest under them.
    let ch2 = &d.clauses[1];
    assert_eq!(
        heads(&ch2.children),
        vec![("第一节", Some("一般规定")), ("第二节", Some("监督"))]
    );
    let s1 = &ch2.children[0];
    assert_eq!(
        heads(&s1.children),
        vec![("第三条", Some("主管部门")), ("第四条", None)]
    );
    assert_eq!(
        s1.children[0].text,
        "国务院示例主管部门负责全国示例工作。\n县级以上地方人民政府示例主管部门负责本行政区域内的示例工作。"
    );
    let items = &s1.children[1].children;
    assert_eq!(heads(items), vec![("（一）", None), ("（二）", None)]);
    assert_eq!(items[0].text, "建立制度；");
    assert_eq!(items[1].text, "定期报告。");
    // An article's first sentence is never taken for a heading.
    assert_eq!(heads(&ch2.children[1].children), vec![("第五条", None)]);
    assert_eq!(ch2.children[1].children[0].text, "监督检查。");
    assert_eq!(heads(&d.clauses[2].children), vec![("第六条", None)]);
    assert_lossless(law);

    let trad = "第一章 總則\n第一條【立法目的】為規範示例活動，特制定本法。\n第二條（適用範圍）本法適用於示例活動。\n第二章 附則\n第三條 本法自公布日施行。";
    let d = parse_draft(trad);
    assert_eq!(d.counts_by_depth(), vec![2, 3]);
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![("第一條", Some("立法目的")), ("第二條", Some("適用範圍"))]
    );
    assert_eq!(
        d.clauses[0].children[0].text,
        "為規範示例活動，特制定本法。"
    );
    assert_eq!(d.clauses[0].children[0].family, Family::Tiao);
    assert_eq!(d.clauses[0].family, Family::Zhang);
    assert_lossless(trad);

    // Chapters that appear after articles still contain them.
    let odd = "第一条 甲。\n第一编 总则\n第一章 一般规定\n第二条 乙。\n第二编 分则\n第三条 丙。";
    let d = parse_draft(odd);
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("第一条", None),
            ("第一编", Some("总则")),
            ("第二编", Some("分则"))
        ]
    );
    assert_eq!(d.counts_by_depth(), vec![3, 2, 1]);
    assert_eq!(d.clauses[2].children[0].label, "第三条");
}

#[test]
fn english_document() {
    let doc = "Data Protection Act\n\nChapter 1 General Provisions\n\n\
            Article 1. Scope. This Act applies to the processing of personal data.\n\
            Article 2 Definitions\nFor the purposes of this Act:\n\
            (a) \"data\" means any information;\n(b) \"controller\" means the person who decides.\n\n\
            CHAPTER II PRINCIPLES\n\nSection 1 Lawfulness\n1. Processing shall be lawful.\n\
            1.1 Consent\nConsent must be freely given.\n1.2 Contract\n2. Processing shall be fair.\n\
            Section 2 Transparency\n";
    let d = parse_draft(doc);
    assert_eq!(d.title.as_deref(), Some("Data Protection Act"));
    assert_eq!(d.counts_by_depth(), vec![2, 4, 4, 2]);
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("Chapter 1", Some("General Provisions")),
            ("CHAPTER II", Some("PRINCIPLES"))
        ]
    );
    let ch1 = &d.clauses[0];
    assert_eq!(
        heads(&ch1.children),
        vec![
            ("Article 1", Some("Scope")),
            ("Article 2", Some("Definitions"))
        ]
    );
    assert_eq!(ch1.children[0].raw_label, "Article 1.");
    assert_eq!(
        ch1.children[0].text,
        "This Act applies to the processing of personal data."
    );
    assert_eq!(ch1.children[1].text, "For the purposes of this Act:");
    assert_eq!(
        heads(&ch1.children[1].children),
        vec![("(a)", None), ("(b)", None)]
    );
    assert_eq!(
        ch1.children[1].children[0].text,
        "\"data\" means any information;"
    );
    let ch2 = &d.clauses[1];
    assert_eq!(
        heads(&ch2.children),
        vec![
            ("Section 1", Some("Lawfulness")),
            ("Section 2", Some("Transparency"))
        ]
    );
    let s1 = &ch2.children[0];
    assert_eq!(heads(&s1.children), vec![("1.", None), ("2.", None)]);
    assert_eq!(s1.children[0].text, "Processing shall be lawful.");
    assert_eq!(
        heads(&s1.children[0].children),
        vec![("1.1", Some("Consent")), ("1.2", Some("Contract"))]
    );
    assert_eq!(
        s1.children[0].children[0].text,
        "Consent must be freely given."
    );
    assert_eq!(s1.children[0].children[0].family, Family::Decimal(2));
    assert_lossless(doc);

    // Words that merely look like numbers are not numbering.
    let d = parse_draft("Section did not apply.\nPartnership 2 is fine.");
    assert_eq!(d.notes, vec![ParseNote::NoNumbering]);
}

#[test]
fn markdown_headings() {
    let doc = "# 示例方案\n\n前言段落。\n\n## 一、总体要求\n内容甲。\n### 细则\n细则内容\n## 二、保障措施 ##\n- 列表项\n#标签不是标题\n";
    let d = parse_draft(doc);
    assert_eq!(d.counts_by_depth(), vec![1, 2, 1]);
    assert_eq!(heads(&d.clauses), vec![("#", Some("示例方案"))]);
    assert_eq!(d.clauses[0].text, "前言段落。");
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![("##", Some("一、总体要求")), ("##", Some("二、保障措施"))]
    );
    assert_eq!(d.clauses[0].children[0].text, "内容甲。");
    assert_eq!(
        heads(&d.clauses[0].children[0].children),
        vec![("###", Some("细则"))]
    );
    assert_eq!(d.clauses[0].children[1].text, "- 列表项\n#标签不是标题");
    assert_eq!(d.clauses[0].family, Family::Markdown(1));
    assert_lossless(doc);

    // A deeper heading first, then a shallower one: depth follows the #s.
    let d = parse_draft("# A\n### B\n## C\n### D\n");
    assert_eq!(d.counts_by_depth(), vec![1, 2, 1]);
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![("###", Some("B")), ("##", Some("C"))]
    );
}

#[test]
fn circled_numbers() {
    let doc = "一、主要目标\n①到2025年，建成示范区。\n②到2030年，全面建成。\n二、保障措施\n③ 不在开头的①不是编号。";
    let d = parse_draft(doc);
    assert_eq!(d.counts_by_depth(), vec![2, 3]);
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![("①", None), ("②", None)]
    );
    assert_eq!(d.clauses[0].children[0].text, "到2025年，建成示范区。");
    assert_eq!(d.clauses[1].children[0].text, "不在开头的①不是编号。");
    assert_eq!(d.clauses[1].children[0].family, Family::Circled);
    assert_lossless(doc);
}

#[test]
fn width_mixes_and_duty_note_forms() {
    let doc = "一、 提高服务水平\n\
            （一）优化流程。全面推行一网通办。\n\
            (二)加强监督\n\
            1. 精简审批事项。减少审批环节。（责任单位：市政务服务局）\n\
            2．压缩办理时限。缩短时限。【责任部门：甲局、乙局，丙委】\n\
            3、完善制度\n\
            （1）建立台账；\n\
            (2)定期通报。\n\
            (三)强化保障。(区政务服务局牵头,区发改局、区审改办配合)\n\
            二、其他";
    let d = parse_draft(doc);
    assert_eq!(d.counts_by_depth(), vec![2, 3, 3, 2]);
    // Labels take the form the document uses most; ties go to the first.
    assert_eq!(
        heads(&d.clauses[0].children),
        vec![
            ("(一)", Some("优化流程")),
            ("(二)", Some("加强监督")),
            ("(三)", Some("强化保障"))
        ]
    );
    assert_eq!(d.clauses[0].children[0].raw_label, "（一）");
    let supervise = &d.clauses[0].children[1];
    assert_eq!(
        heads(&supervise.children),
        vec![
            ("1.", Some("精简审批事项")),
            ("2.", Some("压缩办理时限")),
            ("3.", Some("完善制度"))
        ]
    );
    assert_eq!(supervise.children[1].raw_label, "2．");
    assert_eq!(
        supervise.children[0].text,
        "减少审批环节。（责任单位：市政务服务局）"
    );
    assert_eq!(
        duty_units(&supervise.children[0]),
        vec![(vec![], units(&["市政务服务局"]))]
    );
    assert_eq!(
        duty_units(&supervise.children[1]),
        vec![(vec![], units(&["甲局", "乙局", "丙委"]))]
    );
    assert_eq!(
        supervise.children[1].duties[0].raw,
        "【责任部门：甲局、乙局，丙委】"
    );
    assert_eq!(
        heads(&supervise.children[2].children),
        vec![("（1）", None), ("（2）", None)]
    );
    assert_eq!(supervise.children[2].children[0].text, "建立台账；");
    let support = &d.clauses[0].children[2];
    assert_eq!(support.text, "(区政务服务局牵头,区发改局、区审改办配合)");
    assert_eq!(
        duty_units(support),
        vec![(units(&["区政务服务局"]), units(&["区发改局", "区审改办"]))]
    );
    assert_eq!(
        heads(&d.clauses),
        vec![("一、", Some("提高服务水平")), ("二、", Some("其他"))]
    );
    assert_lossless(doc);

    // Full-width numbering with the majority full-width.
    let d = parse_draft("（一）甲\n（二）乙\n(三)丙\n１．丁\n");
    assert_eq!(
        heads(&d.clauses),
        vec![
            ("（一）", Some("甲")),
            ("（二）", Some("乙")),
            ("（三）", Some("丙"))
        ]
    );
    assert_eq!(d.clauses[2].children[0].label, "１．");
}

#[test]
fn parentheses_that_are_not_numbering() {
    let doc = "一、总体要求\n(以下简称《方案》)是本市的重要文件。\n（2023-2025年）期间完成。\n經(jīng)濟發展(一)不是编号。\n2021年3月16日\n1.5亿元投入。\n一是加强领导。\n(此件公开发布)";
    let d = parse_draft(doc);
    assert_eq!(d.counts_by_depth(), vec![1]);
    let text = &d.clauses[0].text;
    assert!(text.starts_with("(以下简称《方案》)是本市的重要文件。\n（2023-2025年）"));
    assert!(text.ends_with("一是加强领导。\n(此件公开发布)"));
    assert!(parse_marker("(以下简称)").is_none());
    assert!(parse_marker("（2023-2025年）").is_none());
    assert!(parse_marker("(1号建议案)").is_none());
    assert!(parse_marker("2021年3月16日").is_none());
    assert!(parse_marker("2018.12.6").is_none());
    assert!(parse_marker("一是加强").is_none());
    assert!(parse_marker("第一次会议").is_none());
    assert!(parse_marker("(十二)甲").is_some_and(|m| m.family == Family::CjkParen));
    assert!(parse_marker("(12)甲").is_some_and(|m| m.family == Family::ArabicParen));
    assert!(parse_marker("(b) x").is_some_and(|m| m.family == Family::LatinParen));
    assert!(parse_marker("第一百二十三条 甲").is_some_and(|m| m.family == Family::Tiao));
    assert!(parse_marker("1.2.3 甲").is_some_and(|m| m.family == Family::Decimal(3)));
}

#[test]
fn heading_rules() {
    let d = parse_draft(
        "(一)工作要求。\n(二)总结。\n\
             (三)这是一个超过三十个字的很长很长的句子用来测试标题识别规则是否正确的。后面还有内容。\n\
             (四)短标题。后文。\n(五)有下列情形之一的：\n(六)为什么制定本方案？\n因为需要。\n(七)为什么？",
    );
    let hs = heads(&d.clauses);
    assert_eq!(
        hs,
        vec![
            ("(一)", None),
            ("(二)", None),
            ("(三)", None),
            ("(四)", Some("短标题")),
            ("(五)", None),
            ("(六)", Some("为什么制定本方案？")),
            ("(七)", None),
        ]
    );
    assert_eq!(d.clauses[0].text, "工作要求。");
    assert_eq!(d.clauses[3].text, "后文。");
    assert!(d.clauses[2].text.starts_with("这是一个超过"));
    // A short line ending in 。 is a heading when the clause goes on.
    let d = parse_draft("(一)基本原则。\n1.创新驱动。以创新为先。\n");
    assert_eq!(heads(&d.clauses), vec![("(一)", Some("基本原则"))]);
    assert_eq!(d.clauses[0].raw_heading, "基本原则。");
    // Blank lines inside a clause become paragraph breaks.
    let d = parse_draft("一、甲\n\n第一段。\n\n\n第二段，\n接着写。\n\n二、乙");
    assert_eq!(d.clauses[0].text, "第一段。\n\n第二段，\n接着写。");
}

#[test]
fn levels_follow_order_of_appearance() {
    let doc = "一、甲\n（一）乙\n1.丙\n二、丁\n1.戊\n（一）己\n1.庚\n(1)辛\n三、壬\n(1)癸";
    let d = parse_draft(doc);
    assert_eq!(d.counts_by_depth(), vec![3, 4, 2, 1]);
    let second = &d.clauses[1];
    assert_eq!(
        heads(&second.children),
        vec![("1.", Some("戊")), ("（一）", Some("己"))]
    );
    assert_eq!(
        heads(&second.children[1].children),
        vec![("1.", Some("庚"))]
    );
    assert_eq!(
        heads(&second.children[1].children[0].children),
        vec![("(1)", Some("辛"))]
    );
    // A family seen deeper before attaches directly when nothing is between.
    assert_eq!(heads(&d.clauses[2].children), vec![("(1)", Some("癸"))]);

    // An unconventional order is kept: 1. above (一).
    let d = parse_draft("1.甲\n（一）乙\n（二）丙\n2.丁\n（一）戊");
    assert_eq!(d.counts_by_depth(), vec![2, 3]);
    assert_eq!(d.clauses[1].children[0].heading.as_deref(), Some("戊"));
}

#[test]
fn no_numbering() {
    let doc = "关于示例的说明\n\n这是第一段。\n\n这是第二段，\n仍是第二段。\n\n扫一扫在手机上查看当前页面";
    let d = parse_draft(doc);
    assert_eq!(d.notes, vec![ParseNote::NoNumbering]);
    assert_eq!(d.title.as_deref(), Some("关于示例的说明"));
    assert_eq!(d.front_matter, "关于示例的说明");
    assert_eq!(d.clause_count(), 2);
    assert_eq!(d.clauses[0].label, "");
    assert_eq!(d.clauses[0].family, Family::Paragraph);
    assert_eq!(d.clauses[0].text, "这是第一段。");
    assert_eq!(d.clauses[1].text, "这是第二段，\n仍是第二段。");
    assert_eq!(d.trailer, "扫一扫在手机上查看当前页面");
    assert_lossless(doc);

    // Without blank lines, every line is a paragraph.
    let d = parse_draft("甲事项。(责任单位:市科技局)\n乙事项。\n丙事项。");
    assert_eq!(d.clause_count(), 3);
    assert_eq!(d.title, None);
    assert_eq!(d.clauses[0].duties[0].responsible, units(&["市科技局"]));
}

#[test]
fn empty_input() {
    for input in ["", "   ", "\n\n\t\u{3000}\n", "\u{feff}"] {
        let d = parse_draft(input);
        assert!(d.clauses.is_empty());
        assert_eq!(d.title, None);
        assert_eq!(d.front_matter, "");
        assert_eq!(d.trailer, "");
        assert_eq!(d.notes, vec![ParseNote::EmptyInput]);
        assert_eq!(d.clause_count(), 0);
        assert!(d.counts_by_depth().is_empty());
        assert_eq!(render_outline(&d), "");
    }
}

#[test]
fn one_megabyte_parses_quickly() {
    let mut big = String::new();
    while big.len() < 1_000_000 {
        big.push_str(SEED_000);
        big.push('\n');
        big.push_str(SEED_004);
        big.push('\n');
    }
    let t = std::time::Instant::now();
    let d = parse_draft(&big);
    let elapsed = t.elapsed();
    assert!(d.clause_count() > 2000);
    // Generous bound: the test also runs unoptimised on a busy machine.
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    assert_lossless(&big);

    // Pathological inputs stay linear.
    for unit in [
        "(",
        "((牵头",
        "(牵头单位:a",
        "第",
        "一",
        "1",
        "#",
        "（一",
        "1.1.",
        "Chapter ",
    ] {
        let s = unit.repeat(1_000_000 / unit.len());
        let t = std::time::Instant::now();
        let _ = parse_draft(&s);
        let with_lines = format!("{unit}\n").repeat(200_000 / unit.len());
        let _ = parse_draft(&with_lines);
        assert!(t.elapsed().as_secs() < 5, "{unit}: {:?}", t.elapsed());
    }
}

const FRAGMENTS: &[&str] = &[
    "\n",
    "\n\n",
    " ",
    "\u{3000}",
    "\t",
    "一、",
    "二、",
    "(一)",
    "（二）",
    "(三）",
    "1.",
    "2、",
    "3．",
    "1.1",
    "1.2.3 ",
    "(1)",
    "（2）",
    "①",
    "②",
    "第一条",
    "第二條",
    "第三章",
    "第一节",
    "第二编",
    "# ",
    "## ",
    "Chapter 1",
    "Article 2.",
    "Section III",
    "(a)",
    "(以下简称",
    "（2023-2025年）",
    "(牵头单位:",
    "（责任单位：",
    "[责任部门:",
    "【",
    "】",
    "〈",
    "〉",
    "(",
    ")",
    "（",
    "）",
    "[",
    "]",
    "、",
    ",",
    "，",
    ";",
    "；",
    ":",
    "：",
    "。",
    ".",
    "牵头",
    "配合",
    "组  长:",
    "成员：",
    "名单",
    "扫一扫",
    "附件",
    "http://x.cn",
    "市科技局",
    "各区",
    "县(市)政府",
    "2021年3月16日",
    "\u{feff}",
    "\r\n",
    "经(jīng)济",
    "是",
    "为",
    "?",
    "工作目标",
    "Scope. ",
    "#",
    "第",
    "條",
    "〔2018〕",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        2 => "[\u{4e00}-\u{4e2f}]{1,6}",
        1 => "[a-zA-Z0-9 .]{1,6}",
        1 => any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nothing_is_lost(parts in prop::collection::vec(fragment(), 0..120)) {
        let input = parts.concat();
        let d = parse_draft(&input);
        prop_assert_eq!(strip(&d.reassemble()), strip(&input));
        prop_assert_eq!(d.counts_by_depth().iter().sum::<usize>(), d.clause_count());
        prop_assert_eq!(render_outline(&d).lines().count(), d.clause_count());
    }

    #[test]
    fn never_panics(input in any::<String>()) {
        let d = parse_draft(&input);
        let _ = render_outline(&d);
        prop_assert!(serde_json::to_string(&d).is_ok());
        prop_assert_eq!(strip(&d.reassemble()), strip(&input));
    }

    #[test]
    fn never_panics_on_lines(lines in prop::collection::vec("\\PC{0,12}", 0..30)) {
        let input = lines.join("\n");
        let d = parse_draft(&input);
        prop_assert_eq!(strip(&d.reassemble()), strip(&input));
    }
}
