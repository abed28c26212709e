use super::publish::parts;
use super::*;
use crate::db::report::{DecisionRow, SubmitterRow};
use chrono::NaiveDate;

fn at(day: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap()
}

fn consultation(status: &str, opens: u32, closes: u32) -> Consultation {
    Consultation {
        id: "c".into(),
        slug: "s".into(),
        title: "t".into(),
        draft_title: "某方案".into(),
        description: String::new(),
        contact: String::new(),
        status: status.into(),
        opens_at: at(opens),
        closes_at: at(closes),
        short_window_reason: None,
        closed_at: None,
        closed_early_reason: None,
        require_name: false,
        channels: String::new(),
        report_config: "{}".into(),
        created_by: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn opinion(id: &str, submission: &str, decision: Option<(&str, &str, bool)>) -> OpinionRow {
    OpinionRow {
        opinion_id: id.into(),
        position: 0,
        summary: format!("意见{id}"),
        opinion_state: "new".into(),
        cluster_id: None,
        submission: SubmitterRow {
            submission_id: submission.into(),
            tracking_code: format!("YJ-{submission}"),
            channel: "public_web".into(),
            name: Some("王华".into()),
            organization: None,
            email: None,
            publish_name: false,
            locale: "zh-CN".into(),
            unit_id: None,
            unit_name: None,
            display_order: None,
            received_at: at(2),
        },
        decision: decision.map(|(status, state, requires)| DecisionRow {
            status: status.into(),
            rationale: None,
            state: state.into(),
            label_zh: "未采纳".into(),
            label_en: "Not adopted".into(),
            requires_rationale: requires,
            counts_as: "not_adopted".into(),
        }),
    }
}

fn gathered(c: Consultation, opinions: Vec<OpinionRow>) -> Gathered {
    Gathered {
        consultation: c,
        opinions,
        clause_order: HashMap::new(),
        clusters: HashMap::new(),
        units: vec![],
        pending_units: vec![],
        taken_up: HashMap::new(),
    }
}

#[test]
fn units_that_owe_a_reply_are_each_an_item_after_the_window_rule() {
    let c = consultation("closed", 1, 11);
    let mut g = gathered(c, vec![]);
    let deadline = chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
        .and_then(|d| d.and_hms_opt(15, 59, 59))
        .unwrap();
    for (id, name) in [("u1", "市科技局"), ("u2", "市发改委")] {
        g.pending_units
            .push(crate::app::solicitations::Outstanding {
                solicitation_id: format!("s-{id}"),
                unit_id: id.into(),
                unit_name: name.into(),
                deadline,
            });
    }
    let m = missing(&g);
    let pending: Vec<_> = m
        .iter()
        .filter(|m| m.kind == SOLICITATION_PENDING)
        .collect();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].unit.as_deref(), Some("市科技局"));
    assert_eq!(pending[1].unit_id.as_deref(), Some("u2"));
    let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let text = pending[0].message_in(Locale::ZhCn, tz);
    assert!(text.contains("市科技局"), "{text}");
    assert!(text.contains("2026-12-10 23:59"), "{text}");
}

fn kinds(g: &Gathered) -> Vec<&'static str> {
    missing(g).iter().map(|m| m.kind).collect()
}

#[test]
fn window_rule_must_be_satisfied_or_reasoned() {
    // A 10-day window closed on the 5th, early, with neither reason recorded.
    let mut c = consultation("closed", 1, 11);
    c.closed_at = Some(at(5));
    assert_eq!(
        kinds(&gathered(c.clone(), vec![])),
        ["short_window_reason", "early_close_reason"]
    );
    c.short_window_reason = Some("紧急".into());
    c.closed_early_reason = Some("  ".into());
    assert_eq!(kinds(&gathered(c.clone(), vec![])), ["early_close_reason"]);
    c.closed_early_reason = Some("意见已充分".into());
    assert!(kinds(&gathered(c, vec![])).is_empty());
    // A full window closed on time needs nothing; a draft is still open.
    let mut c = consultation("closed", 1, 1);
    c.closes_at = at(1) + chrono::Duration::days(30);
    c.closed_at = Some(c.closes_at);
    assert!(kinds(&gathered(c.clone(), vec![])).is_empty());
    c.status = "draft".into();
    assert_eq!(kinds(&gathered(c, vec![])), ["still_open"]);
}

#[test]
fn snapshot_parts_are_cut_between_characters_and_join_back() {
    let t = "征求意见情况的报告abc".repeat(50);
    let v: Vec<&str> = parts(&t, 7).collect();
    assert!(v.iter().all(|p| p.len() <= 7 && !p.is_empty()));
    assert!(v.len() > 100);
    assert_eq!(v.concat(), t);
    assert_eq!(parts("", 7).count(), 0);
}

#[test]
fn a_cluster_is_decided_through_its_representative() {
    let mut c = consultation("closed", 1, 1);
    c.closes_at = at(1) + chrono::Duration::days(30);
    let mut rep = opinion("a", "s1", Some(("not_adopted", "approved", true)));
    rep.decision.as_mut().unwrap().rationale = Some("与上位法不符。".into());
    rep.cluster_id = Some("k".into());
    let mut member = opinion("b", "s2", None);
    member.cluster_id = Some("k".into());
    let loose = opinion("c", "s3", Some(("not_adopted", "proposed", true)));
    let mut g = gathered(c, vec![rep, member, loose]);
    g.clusters.insert("k".into(), ("a".into(), 2));
    // The member needs no decision of its own; the loose one is unapproved and lacks
    // its rationale.
    assert_eq!(kinds(&g), ["unapproved", "rationale"]);
    let input = g.input(Edition::Public, ReportConfig::default());
    assert_eq!(input.opinions.len(), 2);
    assert_eq!(input.opinions[0].count, 2);
    // The member is told its cluster's decision.
    let told = g.published_decisions(&ReportConfig::default());
    let b = told.iter().find(|d| d.opinion_id == "b").unwrap();
    assert_eq!(b.status_label, "未采纳");
    assert_eq!(b.rationale.as_deref(), Some("与上位法不符。"));
    let report = model::build(input);
    assert_eq!(report.sections[0].rows[0].submitter, "王*");
    assert_eq!(report.sections[0].rows[0].count, 2);
}
