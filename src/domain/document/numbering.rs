//! List definitions (`numbering.xml`) and the counters that number paragraphs.

use super::dom::*;
use super::number_format::format_number;
use super::styles::Styles;
use super::*;

/// One level of a list definition (`w:lvl`).
#[derive(Debug, Clone, Default)]
pub(super) struct Level {
    pub(super) start: Option<u32>,
    pub(super) format: String,
    pub(super) text: String,
    pub(super) restart: Option<u32>,
    pub(super) paragraph_style: Option<String>,
    pub(super) legal: bool,
}

impl Level {
    pub(super) fn from_dom(lvl: &Node) -> Self {
        Level {
            start: lvl
                .child_val_int("start")
                .and_then(|s| u32::try_from(s).ok()),
            format: lvl
                .child_w("numFmt")
                .and_then(Node::val)
                .unwrap_or("decimal")
                .to_owned(),
            text: lvl
                .child_w("lvlText")
                .and_then(Node::val)
                .unwrap_or_default()
                .to_owned(),
            restart: lvl
                .child_val_int("lvlRestart")
                .and_then(|s| u32::try_from(s).ok()),
            paragraph_style: lvl.child_w("pStyle").and_then(Node::val).map(str::to_owned),
            legal: lvl.child_flag("isLgl"),
        }
    }
}

pub(super) fn level_index(node: &Node) -> Option<usize> {
    let i: usize = node.attr("ilvl")?.trim().parse().ok()?;
    (i < 9).then_some(i)
}

#[derive(Debug, Default)]
pub(super) struct AbstractNum {
    pub(super) levels: [Option<Level>; 9],
    pub(super) num_style_link: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct LevelOverride {
    pub(super) start: Option<u32>,
    pub(super) level: Option<Level>,
}

#[derive(Debug, Default)]
pub(super) struct Num {
    pub(super) abstract_id: i64,
    pub(super) overrides: [Option<LevelOverride>; 9],
}

#[derive(Debug, Default)]
pub(super) struct Numbering {
    pub(super) abstracts: HashMap<i64, AbstractNum>,
    pub(super) nums: HashMap<i64, Num>,
}

impl Numbering {
    pub(super) fn from_dom(root: &Node) -> Self {
        let mut out = Numbering::default();
        let Some(numbering) = root.child_w("numbering") else {
            return out;
        };
        for abs in numbering.children_w("abstractNum") {
            let Some(id) = abs
                .attr("abstractNumId")
                .and_then(|v| v.trim().parse().ok())
            else {
                continue;
            };
            let mut def = AbstractNum {
                num_style_link: abs
                    .child_w("numStyleLink")
                    .and_then(Node::val)
                    .map(str::to_owned),
                ..AbstractNum::default()
            };
            for lvl in abs.children_w("lvl") {
                if let Some(i) = level_index(lvl) {
                    def.levels[i] = Some(Level::from_dom(lvl));
                }
            }
            out.abstracts.insert(id, def);
        }
        for num in numbering.children_w("num") {
            let Some(id) = num.attr("numId").and_then(|v| v.trim().parse().ok()) else {
                continue;
            };
            let Some(abstract_id) = num.child_val_int("abstractNumId") else {
                continue;
            };
            let mut def = Num {
                abstract_id,
                ..Num::default()
            };
            for o in num.children_w("lvlOverride") {
                let Some(i) = level_index(o) else { continue };
                def.overrides[i] = Some(LevelOverride {
                    start: o
                        .child_val_int("startOverride")
                        .and_then(|s| u32::try_from(s).ok()),
                    level: o.child_w("lvl").map(Level::from_dom),
                });
            }
            out.nums.insert(id, def);
        }
        out
    }
}

/// Computes the numbering text of numbered paragraphs, in document order.
///
/// As in Word, the running counters belong to the list definition
/// (`w:abstractNum`), so several `w:num` instances of one definition continue
/// one sequence; an instance with a `w:lvlOverride` restarts the overridden
/// level the first time it is used there.
pub(super) struct Numberer {
    pub(super) numbering: Numbering,
    pub(super) styles: Styles,
    pub(super) counters: HashMap<i64, [Option<u32>; 9]>,
    pub(super) seen: HashSet<(i64, usize)>,
}

impl Numberer {
    pub(super) fn new(numbering: Numbering, styles: Styles) -> Self {
        Self {
            numbering,
            styles,
            counters: HashMap::new(),
            seen: HashSet::new(),
        }
    }

    /// The abstract definition a `w:num` uses, following `w:numStyleLink`.
    pub(super) fn resolve_abstract(&self, num: &Num) -> Option<i64> {
        let mut id = num.abstract_id;
        for _ in 0..8 {
            let abs = self.numbering.abstracts.get(&id)?;
            let Some(link) = &abs.num_style_link else {
                return Some(id);
            };
            let (linked_num, _) = self.styles.numbering_of(link);
            id = self.numbering.nums.get(&linked_num?)?.abstract_id;
        }
        None
    }

    /// The numbering text of a paragraph with style `style` and direct
    /// numbering properties `num_id` / `ilvl`; `None` if it is not numbered
    /// or shows no number (bullets, empty text).
    pub(super) fn label(
        &mut self,
        style: Option<&str>,
        num_id: Option<i64>,
        ilvl: Option<u8>,
    ) -> Option<String> {
        let style = style.or(self.styles.default_paragraph.as_deref());
        let (style_num, style_ilvl) = style.map_or((None, None), |s| self.styles.numbering_of(s));
        let num_id = num_id.or(style_num)?;
        if num_id == 0 {
            return None;
        }
        let num = self.numbering.nums.get(&num_id)?;
        let abstract_id = self.resolve_abstract(num)?;
        let abs = self.numbering.abstracts.get(&abstract_id)?;
        let levels: [Option<&Level>; 9] = std::array::from_fn(|i| {
            num.overrides[i]
                .as_ref()
                .and_then(|o| o.level.as_ref())
                .or(abs.levels[i].as_ref())
        });
        let starts: [u32; 9] = std::array::from_fn(|i| {
            num.overrides[i]
                .as_ref()
                .and_then(|o| o.start)
                .or_else(|| levels[i].and_then(|l| l.start))
                .unwrap_or(0)
        });
        let ilvl = match ilvl.or(style_ilvl) {
            Some(l) => usize::from(l),
            None => style
                .and_then(|s| {
                    levels
                        .iter()
                        .position(|l| l.is_some_and(|l| l.paragraph_style.as_deref() == Some(s)))
                })
                .unwrap_or(0),
        };
        let level = (*levels.get(ilvl)?)?;

        let counters = self.counters.entry(abstract_id).or_default();
        let first_use = self.seen.insert((num_id, ilvl));
        counters[ilvl] = match counters[ilvl] {
            _ if first_use && num.overrides[ilvl].is_some() => Some(starts[ilvl]),
            Some(n) => Some(n.saturating_add(1)),
            None => Some(starts[ilvl]),
        };
        for deeper in ilvl + 1..9 {
            let restarts = match levels[deeper].and_then(|l| l.restart) {
                None => true,
                Some(0) => false,
                Some(after) => (ilvl as u32) < after,
            };
            if restarts {
                counters[deeper] = None;
            }
        }

        if level.format == "bullet" {
            return None;
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let slot = match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d @ 1..=9)) => d as usize - 1,
                _ => {
                    out.push(c);
                    continue;
                }
            };
            chars.next();
            let value = counters[slot].unwrap_or(starts[slot]);
            let format = if level.legal {
                "decimal"
            } else {
                levels[slot].map_or("decimal", |l| l.format.as_str())
            };
            out.push_str(&format_number(value, format));
        }
        (!out.trim().is_empty()).then_some(out)
    }
}
