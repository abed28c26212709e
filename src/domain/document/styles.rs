//! Paragraph styles (`styles.xml`): which numbering a style carries.

use super::dom::*;
use super::*;

#[derive(Debug, Default)]
pub(super) struct Style {
    pub(super) based_on: Option<String>,
    pub(super) num_id: Option<i64>,
    pub(super) ilvl: Option<u8>,
}

#[derive(Debug, Default)]
pub(super) struct Styles {
    pub(super) styles: HashMap<String, Style>,
    pub(super) default_paragraph: Option<String>,
}

impl Styles {
    pub(super) fn from_dom(root: &Node) -> Self {
        let mut out = Styles::default();
        let Some(styles) = root.child_w("styles") else {
            return out;
        };
        for style in styles.children_w("style") {
            let Some(id) = style.attr("styleId") else {
                continue;
            };
            let kind = style.attr("type").unwrap_or("paragraph");
            if kind == "paragraph" && matches!(style.attr("default"), Some("1" | "true" | "on")) {
                out.default_paragraph = Some(id.to_owned());
            }
            let num_pr = style.child_w("pPr").and_then(|p| p.child_w("numPr"));
            out.styles.insert(
                id.to_owned(),
                Style {
                    based_on: style
                        .child_w("basedOn")
                        .and_then(Node::val)
                        .map(str::to_owned),
                    num_id: num_pr.and_then(|n| n.child_val_int("numId")),
                    ilvl: num_pr
                        .and_then(|n| n.child_val_int("ilvl"))
                        .and_then(|l| u8::try_from(l).ok()),
                },
            );
        }
        out
    }

    /// The numbering a style gives its paragraphs, following `w:basedOn`:
    /// the nearest `numId` and the nearest `ilvl`.
    pub(super) fn numbering_of(&self, style_id: &str) -> (Option<i64>, Option<u8>) {
        let mut num_id = None;
        let mut ilvl = None;
        let mut current = Some(style_id);
        let mut hops = 0;
        while let Some(id) = current {
            let Some(style) = self.styles.get(id) else {
                break;
            };
            num_id = num_id.or(style.num_id);
            ilvl = ilvl.or(style.ilvl);
            if num_id.is_some() && ilvl.is_some() {
                break;
            }
            hops += 1;
            if hops > 32 {
                break;
            }
            current = style.based_on.as_deref();
        }
        (num_id, ilvl)
    }
}
