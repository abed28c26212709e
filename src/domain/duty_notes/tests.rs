#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

fn units(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn duty_note_parsing() {
    assert_eq!(
        parse_note("牵头单位:A、B;责任单位:C,各区人民政府〈含开发区管委会,下同〉"),
        Some((
            units(&["A", "B"]),
            units(&["C", "各区人民政府〈含开发区管委会,下同〉"])
        ))
    );
    assert_eq!(
        parse_note("牵头单位：市科技局；配合单位：市财政局"),
        Some((units(&["市科技局"]), units(&["市财政局"])))
    );
    assert_eq!(
        parse_note("市科技局牵头，市财政局配合"),
        Some((units(&["市科技局"]), units(&["市财政局"])))
    );
    assert_eq!(
        split_units("市科技局、经济和信息化委,各区、县(市)政府"),
        units(&["市科技局", "经济和信息化委", "各区、县(市)政府"])
    );
    assert_eq!(
        split_units("东湖高新区、长江新区"),
        units(&["东湖高新区", "长江新区"])
    );
    for not_duty in [
        "以下简称领导小组,具体组成人员名单附后",
        "2021年3月底之前",
        "含开发区管委会,下同",
        "以下简称1号建议案",
        "由企业负责组织实施。",
        "",
    ] {
        assert_eq!(parse_note(not_duty), None, "{not_duty}");
    }
    // Several notes in one clause, each with the sentences before it.
    let duties = extract_duties("甲事项。(责任单位:A)乙事项。丙事项。(牵头单位:B;责任单位:C、D)");
    assert_eq!(duties.len(), 2);
    assert_eq!(duties[0].applies_to, "甲事项。");
    assert_eq!(duties[1].applies_to, "乙事项。丙事项。");
    assert_eq!(duties[1].lead, units(&["B"]));
    assert_eq!(duties[1].responsible, units(&["C", "D"]));
}
