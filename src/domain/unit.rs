//! Units: departments (市直部门), districts (区/开发区) and other organisations.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Department,
    District,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 3] = [UnitKind::Department, UnitKind::District, UnitKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::District => "district",
            UnitKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// A first guess from a name: 区, 开发区, 县 and their governments are districts; 局, 委,
    /// 办, 厅 are departments; anything else is other.
    pub fn guess(name: &str) -> Self {
        let n = name.trim();
        let n = n
            .trim_end_matches("人民政府")
            .trim_end_matches("管委会")
            .trim_end_matches("政府");
        if n.ends_with('区') || n.ends_with('县') || n.ends_with("开发区") || n.contains("新区")
        {
            UnitKind::District
        } else if ["局", "委", "办", "厅", "委员会", "办公室", "中心"]
            .iter()
            .any(|s| n.ends_with(s))
        {
            UnitKind::Department
        } else {
            UnitKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses() {
        assert_eq!(UnitKind::guess("市科技局"), UnitKind::Department);
        assert_eq!(UnitKind::guess("市发展改革委"), UnitKind::Department);
        assert_eq!(UnitKind::guess("江岸区"), UnitKind::District);
        assert_eq!(UnitKind::guess("东湖高新区"), UnitKind::District);
        assert_eq!(
            UnitKind::guess("武汉经济技术开发区管委会"),
            UnitKind::District
        );
        assert_eq!(UnitKind::guess("江岸区人民政府"), UnitKind::District);
        assert_eq!(UnitKind::guess("华中科技大学"), UnitKind::Other);
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(UnitKind::parse("ministry"), None);
    }
}
