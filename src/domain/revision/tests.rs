use super::*;
use crate::domain::clause_parser::parse_draft;

const SEED_000: &str = include_str!("../../../tests/fixtures/seed_000.txt");
const SEED_003: &str = include_str!("../../../tests/fixtures/seed_003.txt");
const FILING_2021: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_filing_review_2021.txt");
const FILING_2024: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_filing_review_2024.txt");
const INJURY_2011: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_student_injury_2011.txt");
const INJURY_2024: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_student_injury_2024.txt");
const MATERIALS_1999: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_construction_materials_1999.txt");
const MATERIALS_2024: &str =
    include_str!("../../../tests/fixtures/revisions/shanghai_construction_materials_2024.txt");

fn clauses(text: &str) -> Vec<RevClause> {
    from_parsed(&parse_draft(text))
}

/// The text with lines replaced: `f(line number from 1, line)` gives the lines to put there.
fn edit(text: &str, mut f: impl FnMut(usize, &str) -> Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        out.extend(f(i + 1, line));
    }
    out.join("\n")
}

fn keep(line: &str) -> Vec<String> {
    vec![line.to_string()]
}

fn snippet(c: &RevClause) -> String {
    let s: String = c.content().chars().take(24).collect();
    format!("{} {}", c.label, s.replace('\n', " "))
}

/// One line per row, for failure messages.
fn render(al: &Alignment, old: &[RevClause], new: &[RevClause]) -> String {
    let mut out = String::new();
    for r in &al.rows {
        let b: Vec<String> = r
            .before
            .iter()
            .filter_map(|&i| old.get(i))
            .map(snippet)
            .collect();
        let a: Vec<String> = r
            .after
            .iter()
            .filter_map(|&j| new.get(j))
            .map(snippet)
            .collect();
        out.push_str(&format!(
            "{:?}{} [{}] -> [{}]\n",
            r.kind,
            if r.renumbered { "*" } else { "" },
            b.join(" | "),
            a.join(" | ")
        ));
    }
    out
}

fn find(cs: &[RevClause], label: &str, start: &str) -> usize {
    cs.iter()
        .position(|c| c.label == label && c.content().starts_with(start))
        .unwrap_or_else(|| panic!("no clause {label} {start}"))
}

fn find_label(cs: &[RevClause], label: &str) -> usize {
    let hits: Vec<usize> = (0..cs.len()).filter(|&i| cs[i].label == label).collect();
    assert_eq!(hits.len(), 1, "label {label} is not unique");
    hits[0]
}

/// Every clause whose normalised text occurs once in each version is paired with its
/// counterpart, unchanged or moved; no such clause is reported deleted or added.
fn assert_equal_texts_paired(al: &Alignment, old: &[RevClause], new: &[RevClause]) {
    let key = |c: &RevClause| normalise(&c.content());
    let mut checked = 0;
    for (i, c) in old.iter().enumerate() {
        let k = key(c);
        if k.is_empty() {
            continue;
        }
        let in_old = old.iter().filter(|d| key(d) == k).count();
        let in_new: Vec<usize> = (0..new.len()).filter(|&j| key(&new[j]) == k).collect();
        if in_old != 1 || in_new.len() != 1 {
            continue;
        }
        let row = al.row_of_old(i).expect("every old clause has a row");
        assert!(
            matches!(row.kind, Kind::Unchanged | Kind::Moved)
                && row.before == vec![i]
                && row.after == in_new,
            "{} not paired: {row:?}\n{}",
            snippet(c),
            render(al, old, new)
        );
        checked += 1;
    }
    assert!(checked > 0);
}

/// Every clause appears in exactly one row, on its side.
fn assert_complete(al: &Alignment, old: &[RevClause], new: &[RevClause]) {
    let mut seen_old = vec![0; old.len()];
    let mut seen_new = vec![0; new.len()];
    for r in &al.rows {
        for &i in &r.before {
            seen_old[i] += 1;
        }
        for &j in &r.after {
            seen_new[j] += 1;
        }
        match r.kind {
            Kind::Added => assert!(r.before.is_empty() && r.after.len() == 1),
            Kind::Deleted => assert!(r.after.is_empty() && r.before.len() == 1),
            Kind::Split => assert!(r.before.len() == 1 && r.after.len() >= 2),
            Kind::Merged => assert!(r.before.len() >= 2 && r.after.len() == 1),
            _ => assert!(r.before.len() == 1 && r.after.len() == 1),
        }
    }
    assert!(seen_old.iter().all(|&n| n == 1));
    assert!(seen_new.iter().all(|&n| n == 1));
    // Rows follow the new version.
    let firsts: Vec<usize> = al
        .rows
        .iter()
        .filter_map(|r| r.after.iter().min().copied())
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] < w[1]));
}

fn kinds_other_than(al: &Alignment, kind: Kind) -> Vec<&Row> {
    al.rows.iter().filter(|r| r.kind != kind).collect()
}

// ---------------------------------------------------------------------------
// Constructed revisions
// ---------------------------------------------------------------------------

#[test]
fn identical_versions_are_unchanged() {
    let old = clauses(SEED_003);
    let al = align(&old, &old);
    assert_complete(&al, &old, &old);
    assert_eq!(al.count(Kind::Unchanged), old.len());
    assert!(
        al.rows
            .iter()
            .all(|r| !r.renumbered && r.changes.is_empty())
    );
}

#[test]
fn inserted_section_renumbers_the_following_without_changing_them() {
    // A new (二) in 二、工作任务: the old (二) … (五) become (三) … (六).
    let text = edit(SEED_003, |n, line| {
        match n {
        31 => vec![
            "(二)培育新型研发机构".into(),
            String::new(),
            "1.建设新型研发机构。支持高校院所与龙头企业共建新型研发机构,按建设投入给予一次性补助。(牵头单位:市科技局)".into(),
            String::new(),
            line.replacen("(二)", "(三)", 1),
        ],
        39 => vec![line.replacen("(三)", "(四)", 1)],
        47 => vec![line.replacen("(四)", "(五)", 1)],
        55 => vec![line.replacen("(五)", "(六)", 1)],
        _ => keep(line),
    }
    });
    let old = clauses(SEED_003);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 2, "{msg}");
    assert!(others.iter().all(|r| r.kind == Kind::Added), "{msg}");
    assert_eq!(new[others[0].after[0]].label, "(二)");
    let renumbered: Vec<&str> = al
        .rows
        .iter()
        .filter(|r| r.renumbered)
        .map(|r| new[r.after[0]].label.as_str())
        .collect();
    assert_eq!(renumbered, ["(三)", "(四)", "(五)", "(六)"], "{msg}");
    assert!(al.rows.iter().all(|r| r.changes.is_empty()));
}

#[test]
fn deleted_item_is_deleted_where_it_stood() {
    // 2. of (一) in 二、工作任务 goes; 3. and 4. become 2. and 3.
    let text = edit(SEED_000, |n, line| match n {
        34 | 35 => Vec::new(),
        36 => vec![line.replacen("3.", "2.", 1)],
        38 => vec![line.replacen("4.", "3.", 1)],
        _ => keep(line),
    });
    let old = clauses(SEED_000);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 1, "{msg}");
    assert_eq!(others[0].kind, Kind::Deleted);
    let gone = others[0].before[0];
    assert!(
        old[gone]
            .content()
            .starts_with("加快推进新一代人工智能产业发展"),
        "{msg}"
    );
    // Right after the row of the item before it.
    let pos = al
        .rows
        .iter()
        .position(|r| r.kind == Kind::Deleted)
        .unwrap();
    assert_eq!(al.rows[pos - 1].before, vec![gone - 1], "{msg}");
    assert_eq!(al.rows.iter().filter(|r| r.renumbered).count(), 2, "{msg}");
}

#[test]
fn moved_section_is_moved_and_the_rest_unchanged() {
    // 四、工作措施 (4 clauses) goes before 三、工作安排 (5 clauses) and the two swap numbers.
    let lines: Vec<&str> = SEED_000.split('\n').collect();
    let block = |from: usize, to: usize| -> Vec<String> {
        lines[from - 1..to].iter().map(|l| l.to_string()).collect()
    };
    let mut measures = block(80, 87);
    measures[0] = measures[0].replacen("四、", "三、", 1);
    let mut schedule = block(70, 79);
    schedule[0] = schedule[0].replacen("三、", "四、", 1);
    let mut text_lines: Vec<String> = block(1, 69);
    text_lines.extend(measures);
    text_lines.extend(schedule);
    text_lines.extend(lines[87..].iter().map(|l| l.to_string()));
    let text = text_lines.join("\n");

    let old = clauses(SEED_000);
    let new = clauses(&text);
    assert_eq!(old.len(), new.len());
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let moved: Vec<String> = al
        .rows
        .iter()
        .filter(|r| r.kind == Kind::Moved)
        .map(|r| old[r.before[0]].label.clone())
        .collect();
    assert_eq!(moved, ["四、", "(一)", "(二)", "(三)"], "{msg}");
    assert_eq!(al.count(Kind::Unchanged), old.len() - 4, "{msg}");
    let section = find(&old, "四、", "工作措施");
    let row = al.row_of_old(section).unwrap();
    assert!(row.renumbered && row.changes.is_empty());
}

#[test]
fn split_item_is_one_row() {
    // 1. of (一) is cut after its second sentence; the rest becomes 2., the old 2. and 3.
    // become 3. and 4.
    let cut = "溢出效应。";
    let text = edit(SEED_003, |n, line| match n {
        25 => {
            let at = line.find(cut).unwrap() + cut.len();
            vec![
                line[..at].to_string(),
                String::new(),
                format!("2.{}", &line[at..]),
            ]
        }
        27 => vec![line.replacen("2.", "3.", 1)],
        29 => vec![line.replacen("3.", "4.", 1)],
        _ => keep(line),
    });
    let old = clauses(SEED_003);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 1, "{msg}");
    let split = others[0];
    assert_eq!(split.kind, Kind::Split, "{msg}");
    let item = find(&old, "1.", "加快形成重大原创性突破成果");
    assert_eq!(split.before, vec![item]);
    assert_eq!(split.after, vec![item, item + 1]);
    assert_eq!(al.rows.iter().filter(|r| r.renumbered).count(), 2, "{msg}");
}

#[test]
fn merged_items_are_one_row() {
    // 2. and 3. of (二) become one item 2.
    let text = edit(SEED_003, |n, line| match n {
        35 => {
            let next = SEED_003.split('\n').nth(36).unwrap();
            vec![format!("{line}{}", next.trim_start_matches("3."))]
        }
        36 | 37 => Vec::new(),
        _ => keep(line),
    });
    let old = clauses(SEED_003);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 1, "{msg}");
    let merged = others[0];
    assert_eq!(merged.kind, Kind::Merged, "{msg}");
    let second = find(&old, "2.", "加强技术转移服务机构建设");
    assert_eq!(merged.before, vec![second, second + 1]);
    assert_eq!(merged.after, vec![second]);
    assert!(
        merged
            .changes
            .iter()
            .any(|c| matches!(c, Change::Deleted(s) if s.contains('\n')))
    );
}

#[test]
fn reworded_sentence_marks_the_changed_characters() {
    let text = edit(SEED_000, |n, line| match n {
        20 => vec![
            line.replace("不少于10个", "不少于15个")
                .replace("重点企业", "骨干企业"),
        ],
        _ => keep(line),
    });
    let old = clauses(SEED_000);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 1, "{msg}");
    let row = others[0];
    assert_eq!(row.kind, Kind::Modified);
    assert!(!row.renumbered);
    let changed: Vec<&Change> = row
        .changes
        .iter()
        .filter(|c| !matches!(c, Change::Same(_)))
        .collect();
    assert_eq!(
        changed,
        [
            &Change::Deleted("10".into()),
            &Change::Added("15".into()),
            &Change::Deleted("重点".into()),
            &Change::Added("骨干".into()),
        ]
    );
}

#[test]
fn moved_and_reworded_clause_is_found_elsewhere() {
    // (三) of 一、工作目标 moves to the end of the section and is reworded a little.
    let lines: Vec<&str> = SEED_000.split('\n').collect();
    let moved = lines[23].replace("引进一批", "引进培养一批");
    let text = edit(SEED_000, |n, line| match n {
        24 | 25 => Vec::new(),
        26 => vec![
            line.replacen("(四)", "(三)", 1),
            String::new(),
            moved.replacen("(三)", "(四)", 1),
        ],
        _ => keep(line),
    });
    let old = clauses(SEED_000);
    let new = clauses(&text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let others = kinds_other_than(&al, Kind::Unchanged);
    assert_eq!(others.len(), 1, "{msg}");
    assert_eq!(others[0].kind, Kind::Moved, "{msg}");
    assert!(
        others[0].changes.contains(&Change::Added("培养".into())),
        "{msg}"
    );
}

#[test]
fn relabelled_clause_under_another_parent_is_moved() {
    let old_text = "第一章 总则\n第一条 甲乙丙丁戊己庚辛。\n第二条 子丑寅卯辰巳午未。\n第二章 附则\n第三条 本办法自公布之日起施行。\n";
    let new_text = "第一章 总则\n第一条 甲乙丙丁戊己庚辛。\n第二章 附则\n第二条 子丑寅卯辰巳午未。\n第三条 本办法自公布之日起施行。\n";
    let old = clauses(old_text);
    let new = clauses(new_text);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    let msg = render(&al, &old, &new);
    let row = al.row_of_old(find_label(&old, "第二条")).unwrap();
    assert_eq!(row.kind, Kind::Moved, "{msg}");
    assert_eq!(al.count(Kind::Moved), 1, "{msg}");
}

#[test]
fn legislative_numbering_has_a_fixed_order() {
    let ranks = [
        RANK_BIAN, RANK_ZHANG, RANK_JIE, RANK_TIAO, RANK_KUAN, RANK_XIANG, RANK_MU,
    ];
    assert!(ranks.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(rank_of(Family::Bian, false), Some(0));
    assert_eq!(rank_of(Family::Tiao, false), Some(3));
    assert_eq!(rank_of(Family::CjkParen, true), Some(5));
    assert_eq!(rank_of(Family::ArabicDot, true), Some(6));
    // Outside an article, a work plan's (一) and 1. have no fixed rank.
    assert_eq!(rank_of(Family::CjkParen, false), None);

    // Sub-items (目) appear in the document before any item (项); the first version has no
    // 编, the second puts the chapters into two 编.
    let old_text = "某某条例\n\n第一章 总则\n\n第一条 下列材料应当提交:\n1.申请书;\n2.证明文件。\n\n第二条 有下列情形之一的,不予受理:\n(一)材料不全的;\n(二)超过期限的:\n1.未说明理由;\n2.理由不成立。\n\n第二章 附则\n\n第一节 施行\n\n第三条 本条例自公布之日起施行。\n";
    let new_text = "某某条例\n\n第一编 通则\n\n第一章 总则\n\n第一条 下列材料应当提交:\n1.申请书;\n2.证明文件。\n\n第二条 有下列情形之一的,不予受理:\n(一)材料不全的;\n(二)超过期限的:\n1.未说明理由;\n2.理由不成立。\n\n第二编 附编\n\n第二章 附则\n\n第一节 施行\n\n第三条 本条例自公布之日起施行。\n";
    let old = clauses(old_text);
    let new = clauses(new_text);
    let rank = |cs: &[RevClause], label: &str, start: &str| cs[find(cs, label, start)].rank;
    assert_eq!(rank(&new, "第一编", "通则"), Some(RANK_BIAN));
    assert_eq!(rank(&new, "第一章", "总则"), Some(RANK_ZHANG));
    assert_eq!(rank(&new, "第一节", "施行"), Some(RANK_JIE));
    assert_eq!(rank(&new, "第一条", "下列材料"), Some(RANK_TIAO));
    assert_eq!(rank(&new, "1.", "申请书"), Some(RANK_MU));
    assert_eq!(rank(&new, "(一)", "材料不全"), Some(RANK_XIANG));
    assert_eq!(rank(&new, "1.", "未说明理由"), Some(RANK_MU));
    // Depth follows the fixed order: 编 above 章 above 节 above 条 above 项 above 目.
    let depth = |cs: &[RevClause], label: &str, start: &str| cs[find(cs, label, start)].depth;
    assert!(depth(&new, "第一编", "通则") < depth(&new, "第一章", "总则"));
    assert!(depth(&new, "第二章", "附则") < depth(&new, "第一节", "施行"));
    assert!(depth(&new, "第一节", "施行") < depth(&new, "第三条", "本条例"));
    assert!(depth(&new, "(二)", "超过期限") < depth(&new, "1.", "未说明理由"));

    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    let msg = render(&al, &old, &new);
    assert_eq!(al.count(Kind::Added), 2, "{msg}");
    assert_eq!(al.count(Kind::Unchanged), old.len(), "{msg}");
}

#[test]
fn clauses_of_different_rank_are_not_paired_by_similarity() {
    let old_text = "第一章 总则\n\n第一条 本市加强社区养老服务设施建设管理。\n";
    let new_text = "第一章 总则\n\n第一节 本市加强社区养老服务设施建设管理工作\n";
    let old = clauses(old_text);
    let new = clauses(new_text);
    let al = align(&old, &new);
    let msg = render(&al, &old, &new);
    assert_eq!(al.count(Kind::Modified), 0, "{msg}");
    assert_eq!(al.count(Kind::Added), 1, "{msg}");
    assert_eq!(al.count(Kind::Deleted), 1, "{msg}");
}

#[test]
fn width_and_spacing_do_not_count_as_changes() {
    let old = clauses("第一章  总则\n\n第一条 为了规范管理;制定本办法(试行)。\n");
    let new = clauses("第一章 总 则\n\n第一条 为了规范管理；制定本办法（试行）。\n");
    let al = align(&old, &new);
    assert_eq!(al.count(Kind::Unchanged), 2, "{}", render(&al, &old, &new));
}

#[test]
fn rows_serialise_with_snake_case_kinds() {
    let old = clauses("一、总则\n\n(一)第一项内容,较长的一句话。\n");
    let new = clauses("一、总则\n\n(一)第一项内容,较长的两句话。\n\n(二)新的一项。\n");
    let al = align(&old, &new);
    let json = serde_json::to_string(&al).unwrap();
    assert!(json.contains(r#""kind":"unchanged""#), "{json}");
    assert!(json.contains(r#""kind":"modified""#), "{json}");
    assert!(json.contains(r#""kind":"added""#), "{json}");
    assert!(
        json.contains(r#"{"deleted":"一"},{"added":"两"}"#),
        "{json}"
    );
}

#[test]
fn from_parsed_flattens_with_ids_parents_and_paths() {
    let cs = clauses(SEED_003);
    assert_eq!(cs.len(), parse_draft(SEED_003).clause_count());
    assert_eq!(cs[0].id, "c1");
    assert_eq!(cs[1].id, "c2");
    for (i, c) in cs.iter().enumerate() {
        match c.parent {
            None => assert!(c.depth == 0 && c.path.is_empty()),
            Some(p) => {
                assert!(p < i);
                assert_eq!(cs[p].depth + 1, c.depth);
                assert_eq!(c.path.last(), Some(&cs[p].label));
            }
        }
    }
}

#[test]
fn empty_versions() {
    let cs = clauses(SEED_000);
    assert!(align(&[], &[]).rows.is_empty());
    assert_eq!(align(&cs, &[]).count(Kind::Deleted), cs.len());
    assert_eq!(align(&[], &cs).count(Kind::Added), cs.len());
}

// ---------------------------------------------------------------------------
// Real revisions (tests/fixtures/revisions)
// ---------------------------------------------------------------------------

#[test]
fn real_filing_review_regulation_2021_to_2024() {
    let old = clauses(FILING_2021);
    let new = clauses(FILING_2024);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);

    // Article 9 (submission within thirty days) is unchanged, now article 10.
    let row = al
        .row_of_old(find(&old, "第九条", "规范性文件应当自公布之日起三十日内"))
        .unwrap();
    assert_eq!(row.kind, Kind::Unchanged, "{msg}");
    assert!(row.renumbered);
    assert_eq!(new[row.after[0]].label, "第十条");
    // New article 9 (whole-process people's democracy) and 14 were inserted.
    for label in ["第九条", "第十四条", "第二十二条"] {
        let row = al.row_of_new(find_label(&new, label)).unwrap();
        assert_eq!(row.kind, Kind::Added, "{label}\n{msg}");
    }
    // Article 26 (一) now cites article 11 of the Legislation Law instead of article 8.
    let art26 = find_label(&old, "第二十六条");
    let item = old
        .iter()
        .position(|c| c.parent == Some(art26) && c.label == "（一）")
        .unwrap();
    let row = al.row_of_old(item).unwrap();
    assert_eq!(row.kind, Kind::Modified, "{msg}");
    assert!(
        row.changes.contains(&Change::Deleted("八".into())),
        "{:?}",
        row.changes
    );
    assert!(
        row.changes.contains(&Change::Added("十一".into())),
        "{:?}",
        row.changes
    );
    // Article 1 was reworded.
    let row = al.row_of_old(find_label(&old, "第一条")).unwrap();
    assert_eq!(row.kind, Kind::Modified, "{msg}");
    // Chapters keep their place although their headings gained spaces.
    let row = al.row_of_old(find(&old, "第一章", "总则")).unwrap();
    assert_eq!(row.kind, Kind::Unchanged, "{msg}");
    // Most of the 2021 text is still there.
    assert!(al.count(Kind::Unchanged) > old.len() / 2, "{msg}");
    // Only article 8 reads as deleted: rewritten into a text three times as long that keeps
    // under half of its characters, it is shown deleted and added.
    assert_eq!(al.count(Kind::Deleted), 1, "{msg}");
    let row = al.row_of_old(find_label(&old, "第八条")).unwrap();
    assert_eq!(row.kind, Kind::Deleted, "{msg}");
}

#[test]
fn real_student_injury_regulation_2011_to_2024() {
    let old = clauses(INJURY_2011);
    let new = clauses(INJURY_2024);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);

    // Article 18 is unchanged, renumbered 16 after articles 11 to 13 became one.
    let row = al.row_of_old(find_label(&old, "第十八条")).unwrap();
    assert_eq!(row.kind, Kind::Unchanged, "{msg}");
    assert_eq!(new[row.after[0]].label, "第十六条");
    // 区、县 became 区 in article 15 (now 13).
    let row = al.row_of_old(find_label(&old, "第十五条")).unwrap();
    assert_eq!(row.kind, Kind::Modified, "{msg}");
    assert_eq!(new[row.after[0]].label, "第十三条");
    assert!(
        row.changes.contains(&Change::Deleted("、县".into())),
        "{:?}",
        row.changes
    );
    // Articles 12 and 13 (fault of the school, fair sharing) are gone; the new article 11
    // refers to the Civil Code.
    for label in ["第十二条", "第十三条"] {
        let row = al.row_of_old(find_label(&old, label)).unwrap();
        assert_eq!(row.kind, Kind::Deleted, "{label}\n{msg}");
    }
    let row = al.row_of_new(find_label(&new, "第十一条")).unwrap();
    assert_eq!(row.kind, Kind::Added, "{msg}");
    // Article 19 and its six numbered items became one article 17 without item numbers.
    let art19 = find_label(&old, "第十九条");
    let row = al.row_of_old(art19).unwrap();
    assert_eq!(row.kind, Kind::Merged, "{msg}");
    assert_eq!(row.before, (art19..art19 + 7).collect::<Vec<_>>(), "{msg}");
    assert_eq!(new[row.after[0]].label, "第十七条");
}

#[test]
fn real_construction_materials_regulation_1999_to_2024() {
    let old = clauses(MATERIALS_1999);
    let new = clauses(MATERIALS_2024);
    let al = align(&old, &new);
    assert_complete(&al, &old, &new);
    assert_equal_texts_paired(&al, &old, &new);
    let msg = render(&al, &old, &new);

    // The permit chapter is gone with its articles.
    let chapter = find(&old, "第二章", "建设工程材料许可和准用管理");
    let last = find_label(&old, "第十条");
    for (i, c) in old.iter().enumerate().take(last + 1).skip(chapter) {
        let row = al.row_of_old(i).unwrap();
        assert_eq!(row.kind, Kind::Deleted, "{}\n{msg}", snippet(c));
    }
    // The quality chapter and the tendering article with its items are unchanged, renumbered.
    let row = al
        .row_of_old(find(&old, "第三章", "建设工程材料质量管理"))
        .unwrap();
    assert_eq!((row.kind, row.renumbered), (Kind::Unchanged, true), "{msg}");
    let art14 = find_label(&old, "第十四条");
    for i in art14..art14 + 5 {
        assert_eq!(al.row_of_old(i).unwrap().kind, Kind::Unchanged, "{msg}");
    }
    assert_eq!(new[al.row_of_old(art14).unwrap().after[0]].label, "第七条");
    // Article 16 lost "国家和本市规定".
    let row = al.row_of_old(find_label(&old, "第十六条")).unwrap();
    assert_eq!(row.kind, Kind::Modified, "{msg}");
    assert!(
        row.changes
            .contains(&Change::Deleted("国家和本市规定".into())),
        "{:?}",
        row.changes
    );
    // Article 10 on traceability is new; the last article is unchanged.
    let row = al.row_of_new(find_label(&new, "第十条")).unwrap();
    assert_eq!(row.kind, Kind::Added, "{msg}");
    let row = al.row_of_old(find_label(&old, "第三十五条")).unwrap();
    assert_eq!(row.kind, Kind::Unchanged, "{msg}");
    assert_eq!(new[row.after[0]].label, "第二十条");
}
