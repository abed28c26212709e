//! JSON edition: the report model itself, pretty-printed. Its shape is fixed.

use super::ExportError;
use crate::domain::report::Report;

/// The model as pretty-printed JSON.
pub fn render(model: &Report) -> Result<String, ExportError> {
    Ok(serde_json::to_string_pretty(model)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Row, Section};
    use serde_json::Value;

    fn sample() -> Report {
        Report {
            title: "关于《某方案》公开征求意见情况的报告".into(),
            summary: None,
            sections: vec![Section {
                title: "一、公开网站征求意见采纳情况".into(),
                columns: vec![
                    "序号".into(),
                    "单位/个人".into(),
                    "修改意见".into(),
                    "是否采纳".into(),
                ],
                rows: vec![
                    Row {
                        number: 1,
                        submitter: "王*".into(),
                        submitter_span: 2,
                        opinion: "意见一".into(),
                        decision: "已采纳".into(),
                        reason: None,
                        count: 1,
                    },
                    Row {
                        number: 2,
                        submitter: "王*".into(),
                        submitter_span: 0,
                        opinion: "意见二".into(),
                        decision: "未采纳，与上位法不符。".into(),
                        reason: Some("与上位法不符。".into()),
                        count: 3,
                    },
                ],
            }],
            closing: Some("市教育局等其他相关单位无修改意见。".into()),
            edition: Default::default(),
            separate_reason_column: false,
        }
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn shape_is_the_fixed_one() {
        let text = render(&sample()).unwrap();
        assert!(text.contains("\n  \"title\""), "pretty-printed");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            keys(&v),
            [
                "closing",
                "edition",
                "sections",
                "separate_reason_column",
                "summary",
                "title"
            ]
        );
        assert!(v["title"].is_string());
        assert!(v["summary"].is_null());
        assert!(v["closing"].is_string());
        let section = &v["sections"][0];
        assert_eq!(keys(section), ["columns", "rows", "title"]);
        assert_eq!(section["columns"][1], "单位/个人");
        let row = &section["rows"][1];
        assert_eq!(
            keys(row),
            [
                "count",
                "decision",
                "number",
                "opinion",
                "reason",
                "submitter",
                "submitter_span"
            ]
        );
        assert_eq!(row["number"], 2);
        assert_eq!(row["submitter_span"], 0);
        assert_eq!(row["count"], 3);
        assert_eq!(row["reason"], "与上位法不符。");
        assert!(section["rows"][0]["reason"].is_null());
        assert_eq!(section["rows"][0]["submitter_span"], 2);
        // And it reads back into the same model.
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, sample());
    }
}
