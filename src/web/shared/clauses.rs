//! A draft's clauses as pages list them.

use crate::app;
use crate::i18n::Tr;

/// A clause for a page: the tree is shown as a flat list with depths (templates do not
/// recurse).
pub struct FlatClause {
    pub id: String,
    pub depth: usize,
    pub label: String,
    pub heading: String,
    pub text: String,
    pub duties: Vec<String>,
}

pub fn flatten(t: &Tr, cs: &[app::drafts::TreeClause]) -> Vec<FlatClause> {
    fn walk(t: &Tr, cs: &[app::drafts::TreeClause], depth: usize, out: &mut Vec<FlatClause>) {
        for c in cs {
            out.push(FlatClause {
                id: c.id.clone(),
                depth: depth.min(4),
                label: c.label.clone(),
                heading: c.heading.clone().unwrap_or_default(),
                text: c.text.clone(),
                duties: c
                    .duties
                    .iter()
                    .map(|d| duty_text(t, &d.lead, &d.responsible))
                    .collect(),
            });
            walk(t, &c.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(t, cs, 0, &mut out);
    out
}

/// `牵头: A、B; 责任: C`
pub fn duty_text(t: &Tr, lead: &[String], responsible: &[String]) -> String {
    let mut s = Vec::new();
    if !lead.is_empty() {
        s.push(format!("{}: {}", t.t("import.lead"), lead.join("、")));
    }
    if !responsible.is_empty() {
        s.push(format!(
            "{}: {}",
            t.t("import.responsible"),
            responsible.join("、")
        ));
    }
    s.join("; ")
}
