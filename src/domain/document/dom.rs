//! A mini DOM for the small XML parts (styles, numbering), and XML helpers shared with the
//! streaming walk of `document.xml`.

use super::*;

pub(super) const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(super) const W_NS_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
pub(super) const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
pub(super) const MATH_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
pub(super) const MATH_NS_STRICT: &str = "http://purl.oclc.org/ooxml/officeDocument/math";

/// The namespaces that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// WordprocessingML.
    W,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// Office Math.
    Math,
    Other,
}

pub(super) fn ns_of(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => match ns.as_ref() {
            W_NS | W_NS_STRICT => Ns::W,
            MC_NS => Ns::Mc,
            MATH_NS | MATH_NS_STRICT => Ns::Math,
            _ => Ns::Other,
        },
        _ => Ns::Other,
    }
}

/// The value of the attribute with local name `local` (any prefix).
pub(super) fn attr_of(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// The character an entity or character reference stands for.
pub(super) fn resolve_reference(r: &BytesRef<'_>) -> Option<Cow<'static, str>> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(Cow::Owned(c.to_string()));
    }
    quick_xml::escape::resolve_predefined_entity(r).map(Cow::Borrowed)
}

/// A small in-memory element tree, used for the relationships, styles and
/// numbering parts. Text content is not kept.
#[derive(Debug, Default)]
pub(super) struct Node {
    pub(super) ns: Option<Ns>,
    pub(super) local: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

impl Node {
    pub(super) fn from_start(ns: Ns, e: &BytesStart<'_>) -> Self {
        let attrs = e
            .attributes()
            .with_checks(false)
            .flatten()
            .filter_map(|a| {
                let key = a.key.local_name().as_ref().to_owned();
                let value = a.normalized_value(XmlVersion::Implicit1_0).ok()?;
                Some((key, value.into_owned()))
            })
            .collect();
        Self {
            ns: Some(ns),
            local: e.local_name().into_inner().to_owned(),
            attrs,
            children: Vec::new(),
        }
    }

    pub(super) fn is_w(&self, local: &str) -> bool {
        self.ns == Some(Ns::W) && self.local == local
    }

    pub(super) fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `w:val` (or any `val`) of this element.
    pub(super) fn val(&self) -> Option<&str> {
        self.attr("val")
    }

    pub(super) fn child_w(&self, local: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is_w(local))
    }

    pub(super) fn children_w<'s>(&'s self, local: &'s str) -> impl Iterator<Item = &'s Node> + 's {
        self.children.iter().filter(move |c| c.is_w(local))
    }

    /// The integer `w:val` of the child element `local`.
    pub(super) fn child_val_int(&self, local: &str) -> Option<i64> {
        self.child_w(local)?.val()?.trim().parse().ok()
    }

    /// Whether an on/off child element such as `<w:isLgl/>` is on.
    pub(super) fn child_flag(&self, local: &str) -> bool {
        self.child_w(local)
            .is_some_and(|c| !matches!(c.val(), Some("0" | "false" | "off")))
    }
}

/// Reads a whole XML part into a [`Node`] tree whose root is a synthetic
/// element holding the document element. `mc:AlternateContent` is resolved
/// on the way: its `mc:Fallback` is used if present, else its first
/// `mc:Choice`.
pub(super) fn parse_dom(xml: &str) -> Result<Node, String> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let ns = ns_of(&resolved);
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err("elements nested too deeply".to_owned());
                }
                stack.push(Node::from_start(ns, &e));
            }
            Event::Empty(e) => {
                let node = Node::from_start(ns, &e);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    continue;
                }
                let Some(node) = stack.pop() else { break };
                let Some(parent) = stack.last_mut() else {
                    break;
                };
                if node.ns == Some(Ns::Mc) && node.local == "AlternateContent" {
                    let mut choices = node.children.into_iter();
                    let mut first_choice = None;
                    let mut fallback = None;
                    for child in choices.by_ref() {
                        if child.ns == Some(Ns::Mc) && child.local == "Fallback" {
                            fallback = Some(child);
                            break;
                        }
                        if first_choice.is_none() && child.ns == Some(Ns::Mc) {
                            first_choice = Some(child);
                        }
                    }
                    if let Some(chosen) = fallback.or(first_choice) {
                        parent.children.extend(chosen.children);
                    }
                } else {
                    parent.children.push(node);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(stack.into_iter().next().unwrap_or_default())
}
