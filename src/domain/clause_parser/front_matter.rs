//! Front matter, title and trailer: what surrounds the clause tree.

use super::*;
use crate::domain::numerals::{digit_value, is_cjk_digit};

pub(crate) fn ends_with_any(s: &str, chars: &str) -> bool {
    s.chars().next_back().is_some_and(|c| chars.contains(c))
}

pub(super) fn is_date_line(t: &str) -> bool {
    let n = t.chars().count();
    let has_digit = t
        .chars()
        .any(|c| digit_value(c).is_some() || matches!(c, '〇' | '一' | '二'));
    if has_digit && n <= 20 && t.contains('年') && (t.contains('月') || t.contains('日')) {
        return true;
    }
    n <= 12
        && t.chars().any(|c| digit_value(c).is_some())
        && t.chars()
            .all(|c| digit_value(c).is_some() || matches!(c, '-' | '.' | '/' | '．' | '／'))
}

pub(super) fn is_bracketed_line(t: &str) -> bool {
    first_char(t).is_some_and(|c| opener_close(c).is_some()) && find_close(t, 200) == Some(t.len())
}

pub(super) fn is_doc_number(t: &str) -> bool {
    t.ends_with('号')
        && t.chars().any(|c| digit_value(c).is_some())
        && t.chars()
            .any(|c| matches!(c, '〔' | '[' | '［' | '【' | '(' | '（'))
        && t.chars().count() <= 30
}

pub(super) fn is_title_ish(t: &str) -> bool {
    if t.is_empty() || t.contains('。') || ends_with_any(t, "；;：:，,、！!？?") {
        return false;
    }
    let limit = if t.chars().any(is_cjk) { 60 } else { 100 };
    t.chars().count() <= limit
        && !is_date_line(t)
        && !is_bracketed_line(t)
        && !is_doc_number(t)
        && !is_trailer_start(t)
}

pub(super) fn is_stopper(t: &str) -> bool {
    is_date_line(t) || is_bracketed_line(t) || is_doc_number(t) || ends_with_any(t, ":：")
}

/// The title: the title-like line(s) just above the first clause, skipping a
/// preamble paragraph; failing that, the first line if it reads like a title.
pub(super) fn detect_title(front: &[Line<'_>]) -> Option<String> {
    let mut i = front.len();
    // Skip blank lines and preamble paragraphs.
    while i > 0 {
        let t = front.get(i - 1).map_or("", |l| l.text);
        if t.is_empty() || (!is_title_ish(t) && !is_stopper(t)) {
            i -= 1;
        } else {
            break;
        }
    }
    let mut parts: Vec<&str> = Vec::new();
    while i > 0 && parts.len() < 3 {
        let t = front.get(i - 1).map_or("", |l| l.text);
        if t.is_empty() {
            i -= 1;
            continue;
        }
        if !is_title_ish(t) {
            break;
        }
        parts.push(t);
        i -= 1;
    }
    if parts.is_empty() {
        let first = front.iter().map(|l| l.text).find(|t| !t.is_empty())?;
        return is_title_ish(first).then(|| first.to_string());
    }
    parts.reverse();
    let mut title = String::new();
    for p in parts {
        let join_with_space = title
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && first_char(p).is_some_and(|c| c.is_ascii_alphanumeric());
        if join_with_space {
            title.push(' ');
        }
        title.push_str(p);
    }
    Some(title)
}

pub(crate) fn compact(t: &str) -> String {
    t.chars().filter(|&c| !is_space(c)).collect()
}

pub(super) fn is_member_header(t: &str) -> bool {
    let c = compact(t);
    (c.ends_with("名单")
        || c.ends_with("名单如下")
        || c.ends_with("名单如下:")
        || c.ends_with("名单如下："))
        && !c.contains('。')
        && c.chars().count() <= 50
}

/// A line that starts the trailer: a member list or page furniture.
pub(super) fn is_trailer_start(t: &str) -> bool {
    let c = compact(t);
    if c.is_empty() {
        return false;
    }
    const MEMBER: [&str; 7] = [
        "组长",
        "副组长",
        "成员",
        "组员",
        "召集人",
        "副召集人",
        "联络员",
    ];
    for m in MEMBER {
        if c.strip_prefix(m)
            .is_some_and(|after| after.starts_with([':', '：']))
        {
            return true;
        }
    }
    if is_member_header(t) {
        return true;
    }
    const STARTS: [&str; 30] = [
        "扫一扫",
        "扫描二维码",
        "手机扫",
        "微信扫",
        "打印本页",
        "关闭窗口",
        "【打印",
        "[打印",
        "【关闭",
        "[关闭",
        "本文链接",
        "文件链接",
        "原文链接",
        "相关链接",
        "相关文件",
        "相关阅读",
        "相关新闻",
        "本文关键词",
        "关键词:",
        "关键词：",
        "分享到",
        "责任编辑",
        "http://",
        "https://",
        "www.",
        "返回顶部",
        "上一篇",
        "下一篇",
        "【字体",
        "附:",
    ];
    if STARTS.iter().any(|s| c.starts_with(s)) || c.starts_with("附：") {
        return true;
    }
    if let Some(after) = c.strip_prefix("附件") {
        match first_char(after) {
            None => return true,
            Some(':' | '：' | '.' | '、') => return true,
            Some(ch) if digit_value(ch).is_some() || is_cjk_digit(ch) => return true,
            _ => {}
        }
    }
    let n = c.chars().count();
    if n <= 40
        && ["二维码", "微信公众号", "打印本页", "关闭窗口", "扫一扫"]
            .iter()
            .any(|k| c.contains(k))
    {
        return true;
    }
    c.contains("://") && !c.contains('。') && n <= 200
}

/// A member-list heading may run over two short lines (`…1号建议案` /
/// `办理工作领导小组组成人员名单`): take those lines into the trailer too.
pub(super) fn pull_back(lines: &[Line<'_>], t: usize, floor: usize) -> usize {
    if !lines.get(t).is_some_and(|l| is_member_header(l.text)) {
        return t;
    }
    let mut start = t;
    let mut j = t;
    let mut taken = 0;
    while j > floor + 1 && taken < 2 {
        j -= 1;
        let Some(line) = lines.get(j) else { break };
        if line.text.is_empty() {
            continue;
        }
        if line.marker.is_none() && is_title_ish(line.text) && line.text.chars().count() <= 40 {
            start = j;
            taken += 1;
        } else {
            break;
        }
    }
    start
}
