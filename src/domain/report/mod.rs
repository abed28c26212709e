//! The consultation report (征求意见情况的报告): its model and the pure builder that makes it.
//!
//! The database layer fills a [`ReportInput`]; [`build`] turns it into a [`Report`], which every
//! renderer in `crate::export` takes as its only input. The JSON edition of a report is the
//! serialized [`Report`] itself, so its shape is fixed (fields may be added, never renamed):
//!
//! ```json
//! {"title": "…", "summary": "…" | null,
//!  "sections": [{"title": "…", "columns": ["序号", "单位/个人", "修改意见", "是否采纳"],
//!                "rows": [{"number": 1, "submitter": "…", "submitter_span": 5, "opinion": "…",
//!                          "decision": "…", "reason": "…" | null, "count": 1}]}],
//!  "closing": "…" | null, "edition": "internal" | "public", "separate_reason_column": false}
//! ```
//!
//! Layout rules (as in seed 002, `tests/fixtures/seed_002.txt`):
//! - Sections by channel group: public channels first (`一、公开网站征求意见采纳情况`), then the
//!   solicited units (`二、相关部门意见采纳情况`). An empty section is left out and the others are
//!   renumbered; row numbers restart in every section. With `merge_sections` there is one section
//!   (titled `section_titles.merged`, empty by default, shown without a heading) holding the public
//!   rows and then the department rows, numbered straight through.
//! - Submitters appear in the order their first submission was received; submitters with a
//!   `manual_order` come first, in that order. All opinions of one submitter in a section are
//!   consecutive and share one submitter cell (`submitter_span`).
//! - A submitter's opinions follow clause order, then order of receipt. An opinion on the whole
//!   document (`clause_order: None`) comes before the clause-linked ones, as a general remark
//!   precedes remarks on clause one.
//! - The 是否采纳 cell is the status label, then `，` and the rationale when there is one. With
//!   `separate_reason_column` it is the label alone and the rationale goes to a 理由 column.
//!   `reason` always carries the rationale (null when there is none).
//! - The public edition masks personal names (`王华` → `王*`) unless the commenter consented to
//!   publication; organizations and units are never masked; the internal edition masks nothing.
//! - With no opinions at all the sections are empty and `summary` holds the empty text
//!   (`征求意见期间，未收到意见建议。`), whether or not the counts sentence is switched on.
//! - The closing paragraph names the solicited units that replied 无修改意见: departments and
//!   other units first, then districts, each group in its `order`; null when there are none.
//! - A row standing for a duplicate cluster has `count` > 1; the printed editions add
//!   `（共N条相同意见）` to its opinion ([`Row::opinion_display`]), the JSON keeps the two apart.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use crate::domain::numerals::chinese_numeral;
pub use crate::domain::unit::UnitKind;

/// Column label: the row number.
pub const COLUMN_NUMBER: &str = "序号";
/// Column label: the opinion text.
pub const COLUMN_OPINION: &str = "修改意见";
/// Column label: the decision.
pub const COLUMN_DECISION: &str = "是否采纳";
/// Column label: the rationale, when it has a column of its own.
pub const COLUMN_REASON: &str = "理由";

/// Default report title; `{draft_title}` is replaced by the draft's title.
pub const DEFAULT_TITLE_TEMPLATE: &str = "关于《{draft_title}》公开征求意见情况的报告";
/// Default text of a report without any opinion.
pub const DEFAULT_EMPTY_TEXT: &str = "征求意见期间，未收到意见建议。";

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// Which audience a report is made for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    /// For the drafting office: nothing masked.
    #[default]
    Internal,
    /// For publication: personal names masked unless the commenter consented.
    Public,
}

impl Edition {
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Internal => "internal",
            Edition::Public => "public",
        }
    }
}

/// The report: the one input of every renderer, and the JSON edition as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub title: String,
    /// The counts sentence, the empty text when there are no opinions, or null.
    pub summary: Option<String>,
    pub sections: Vec<Section>,
    /// The 无修改意见 paragraph, or null when no solicited unit replied so.
    pub closing: Option<String>,
    #[serde(default)]
    pub edition: Edition,
    /// Whether the rationale has a 理由 column of its own (then `decision` is the label alone).
    #[serde(default)]
    pub separate_reason_column: bool,
}

/// One table section (一、公开网站征求意见采纳情况 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Heading, numbered (`一、…`); empty for a merged table, which has no heading.
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// One opinion, one table row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based, restarting in every section.
    pub number: u32,
    /// Display name as this edition shows it (masked in the public edition where needed).
    pub submitter: String,
    /// On the first row of a submitter's group: how many rows the submitter cell covers;
    /// 0 on the rows it covers.
    pub submitter_span: u32,
    pub opinion: String,
    /// The 是否采纳 cell as printed.
    pub decision: String,
    /// The rationale, null when there is none.
    pub reason: Option<String>,
    /// 1, or the number of identical comments a duplicate cluster stands for.
    pub count: i64,
}

impl Report {
    /// Whether the report has no opinion row at all.
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|s| s.rows.is_empty())
    }

    /// Number of table columns (4, or 5 with a 理由 column).
    pub fn column_count(&self) -> usize {
        self.sections
            .first()
            .map(|s| s.columns.len())
            .unwrap_or(if self.separate_reason_column { 5 } else { 4 })
    }

    /// Column labels of the table (those of the first section; every section has the same).
    pub fn columns(&self) -> Vec<String> {
        match self.sections.first() {
            Some(s) => s.columns.clone(),
            None => default_columns(SubmitterColumn::default(), self.separate_reason_column),
        }
    }
}

impl Row {
    /// The opinion as the printed editions show it: a duplicate cluster notes how many
    /// identical comments the row stands for.
    pub fn opinion_display(&self) -> std::borrow::Cow<'_, str> {
        if self.count > 1 {
            std::borrow::Cow::Owned(format!("{}（共{}条相同意见）", self.opinion, self.count))
        } else {
            std::borrow::Cow::Borrowed(&self.opinion)
        }
    }

    /// Whether this row carries the submitter cell (first row of its group).
    pub fn starts_group(&self) -> bool {
        self.submitter_span > 0
    }
}

// ---------------------------------------------------------------------------------------------
// Builder input
// ---------------------------------------------------------------------------------------------

/// Everything the builder needs, filled by the database layer.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub draft_title: String,
    pub opinions: Vec<OpinionIn>,
    /// Solicited units that replied 无修改意见.
    pub no_comment_units: Vec<UnitIn>,
    pub config: ReportConfig,
    pub edition: Edition,
}

/// Which section an opinion belongs in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ChannelGroup {
    /// Public channels: `public_web`, `letter`, `email`, `meeting`, `other`.
    #[default]
    Public,
    /// Solicited units: channel `department`.
    Departments,
}

impl ChannelGroup {
    /// The group of a channel code; unknown codes count as public.
    pub fn for_channel(channel: &str) -> ChannelGroup {
        match channel {
            "department" => ChannelGroup::Departments,
            _ => ChannelGroup::Public,
        }
    }
}

/// Which count of the summary sentence a status adds to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusBucket {
    Adopted,
    PartiallyAdopted,
    NotAdopted,
    /// Counted in the total only (e.g. 转有关单位研究).
    #[default]
    Other,
}

impl StatusBucket {
    /// The bucket a status code counts in unless configured otherwise.
    pub fn default_for_code(code: &str) -> StatusBucket {
        match code {
            "adopted" | "already_reflected" => StatusBucket::Adopted,
            "partially_adopted" => StatusBucket::PartiallyAdopted,
            "not_adopted" => StatusBucket::NotAdopted,
            _ => StatusBucket::Other,
        }
    }
}

/// A decision's status as configured: code, printed label, summary bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLabel {
    /// e.g. `adopted`.
    pub code: String,
    /// e.g. `已采纳`.
    pub label: String,
    pub counts_as: StatusBucket,
}

impl StatusLabel {
    pub fn new(code: impl Into<String>, label: impl Into<String>, counts_as: StatusBucket) -> Self {
        StatusLabel {
            code: code.into(),
            label: label.into(),
            counts_as,
        }
    }
}

/// One opinion (one report row).
#[derive(Debug, Clone)]
pub struct OpinionIn {
    pub submitter: SubmitterIn,
    pub channel_group: ChannelGroup,
    pub text: String,
    /// Document position of the first clause the opinion is linked to; None = the whole
    /// document (sorts before clause-linked opinions of the same submitter).
    pub clause_order: Option<i64>,
    /// Order of receipt.
    pub received_seq: i64,
    pub status: StatusLabel,
    pub rationale: Option<String>,
    /// 1, or the size of the duplicate cluster the opinion stands for (values below 1 count as 1).
    pub count: i64,
    /// Where a revised version takes the opinion up (`修改稿第五条`), printed after the status
    /// when the report cites changes ([`ReportConfig::cite_changes`]).
    pub taken_up: Option<String>,
}

/// Who sent an opinion.
#[derive(Debug, Clone, Default)]
pub struct SubmitterIn {
    /// Stable identity (submission or unit id): rows with the same key share a submitter cell.
    pub key: String,
    /// e.g. `华中科技大学管理学院中德知识产权研究所王华` or `市卫健委`.
    pub display_name: String,
    /// The personal-name part, masked in the public edition, e.g. `王华`.
    pub person_name: Option<String>,
    pub organization: Option<String>,
    /// A solicited unit (never masked).
    pub is_unit: bool,
    pub consented_to_publish_name: bool,
    /// Order of receipt of the submitter's first submission.
    pub first_received_seq: i64,
    /// Staff ordering; overrides `first_received_seq`.
    pub manual_order: Option<i64>,
}

/// A solicited unit that replied 无修改意见.
#[derive(Debug, Clone)]
pub struct UnitIn {
    pub name: String,
    pub kind: UnitKind,
    /// Position within its group (departments and other units; districts).
    pub order: i64,
}

/// Label of the submitter column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitterColumn {
    /// 单位/个人 (seed 002).
    #[default]
    UnitOrPerson,
    /// 反馈人.
    Feedbacker,
}

impl SubmitterColumn {
    pub fn label(self) -> &'static str {
        match self {
            SubmitterColumn::UnitOrPerson => "单位/个人",
            SubmitterColumn::Feedbacker => "反馈人",
        }
    }
}

/// Section headings, without their 一、/二、 numbering (added by the builder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionTitles {
    pub public: String,
    pub departments: String,
    /// Heading of the single merged table; empty means no heading.
    pub merged: String,
}

impl Default for SectionTitles {
    fn default() -> Self {
        SectionTitles {
            public: "公开网站征求意见采纳情况".to_string(),
            departments: "相关部门意见采纳情况".to_string(),
            merged: String::new(),
        }
    }
}

/// Per-report settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportConfig {
    /// `{draft_title}` is replaced by the draft's title.
    pub title_template: String,
    /// Whether to print the counts sentence.
    pub summary: bool,
    pub separate_reason_column: bool,
    pub merge_sections: bool,
    pub submitter_column: SubmitterColumn,
    /// Status code → printed label, overriding the label the opinion carries (e.g. `adopted` →
    /// `采纳` or `是`).
    pub status_labels: BTreeMap<String, String>,
    pub section_titles: SectionTitles,
    /// Text of a report without any opinion.
    pub empty_text: String,
    /// Shown for a commenter who left no name.
    pub anonymous_label: String,
    /// Say where an opinion was taken up: `已采纳，见修改稿第五条`.
    pub cite_changes: bool,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            title_template: DEFAULT_TITLE_TEMPLATE.to_string(),
            summary: false,
            separate_reason_column: false,
            merge_sections: false,
            submitter_column: SubmitterColumn::UnitOrPerson,
            status_labels: BTreeMap::new(),
            section_titles: SectionTitles::default(),
            empty_text: DEFAULT_EMPTY_TEXT.to_string(),
            anonymous_label: "匿名".to_string(),
            cite_changes: false,
        }
    }
}

fn default_columns(submitter: SubmitterColumn, separate_reason: bool) -> Vec<String> {
    let mut columns = vec![
        COLUMN_NUMBER.to_string(),
        submitter.label().to_string(),
        COLUMN_OPINION.to_string(),
        COLUMN_DECISION.to_string(),
    ];
    if separate_reason {
        columns.push(COLUMN_REASON.to_string());
    }
    columns
}

// ---------------------------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------------------------

/// Builds the report model. Pure: no I/O, deterministic for a given input. The input is
/// consumed so that its texts move into the model instead of being copied.
pub fn build(input: ReportInput) -> Report {
    let ReportInput {
        draft_title,
        mut opinions,
        no_comment_units,
        config,
        edition,
    } = input;

    let title = config
        .title_template
        .replace("{draft_title}", draft_title.trim());
    let summary = if opinions.is_empty() {
        Some(config.empty_text.clone())
    } else if config.summary {
        Some(summary_sentence(&opinions))
    } else {
        None
    };
    let closing = closing_paragraph(&no_comment_units);
    let columns = default_columns(config.submitter_column, config.separate_reason_column);

    // One group per (channel group, submitter key); the submitter cell is computed once.
    struct Group {
        channel: ChannelGroup,
        key: String,
        first_seq: i64,
        manual: Option<i64>,
        name: String,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: Vec<usize> = Vec::with_capacity(opinions.len());
    {
        let mut index: HashMap<(ChannelGroup, &str), usize, FastHash> =
            HashMap::with_capacity_and_hasher(opinions.len() / 4, FastHash);
        for op in &opinions {
            let s = &op.submitter;
            let g = *index
                .entry((op.channel_group, s.key.as_str()))
                .or_insert_with(|| {
                    groups.push(Group {
                        channel: op.channel_group,
                        key: s.key.clone(),
                        first_seq: s.first_received_seq,
                        manual: s.manual_order,
                        name: submitter_cell(s, edition, &config.anonymous_label),
                    });
                    groups.len() - 1
                });
            if let Some(group) = groups.get_mut(g) {
                group.first_seq = group.first_seq.min(s.first_received_seq);
                group.manual = match (group.manual, s.manual_order) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            group_of.push(g);
        }
    }

    // Rank of every group: channel group, then manual order, then first receipt.
    let mut by_rank: Vec<usize> = (0..groups.len()).collect();
    by_rank.sort_by(|&a, &b| {
        let (ga, gb) = (&groups[a], &groups[b]);
        (
            ga.channel,
            ga.manual.is_none(),
            ga.manual,
            ga.first_seq,
            &ga.key,
        )
            .cmp(&(
                gb.channel,
                gb.manual.is_none(),
                gb.manual,
                gb.first_seq,
                &gb.key,
            ))
    });
    let mut rank = vec![0usize; groups.len()];
    for (r, &g) in by_rank.iter().enumerate() {
        rank[g] = r;
    }

    // The cells of every row, prepared in input order (which follows memory order, so the
    // texts are read front to back), with the row's sort key: submitter rank, then clause
    // order (whole document first), then receipt.
    let mut order: Vec<(usize, bool, i64, i64, usize)> = Vec::with_capacity(opinions.len());
    let mut prepared: Vec<Option<Row>> = Vec::with_capacity(opinions.len());
    let mut public_rows = 0usize;
    for (i, op) in opinions.iter_mut().enumerate() {
        let g = group_of[i];
        order.push((
            rank[g],
            op.clause_order.is_some(),
            op.clause_order.unwrap_or(0),
            op.received_seq,
            i,
        ));
        if op.channel_group == ChannelGroup::Public {
            public_rows += 1;
        }
        let reason = op.rationale.take().and_then(clean_rationale);
        // The decision cell starts from the status label; the opinion's own copy of the label
        // is reused when it is printed as it is.
        let mut decision = match config.status_labels.get(&op.status.code) {
            Some(label) => label.trim().to_string(),
            None if op.status.label.trim().len() == op.status.label.len() => {
                std::mem::take(&mut op.status.label)
            }
            None => op.status.label.trim().to_string(),
        };
        if let (Some(at), true) = (op.taken_up.as_deref(), config.cite_changes) {
            decision.push_str("，见");
            decision.push_str(at);
        }
        if let (Some(r), false) = (&reason, config.separate_reason_column) {
            decision.reserve_exact(3 + r.len());
            decision.push('，');
            decision.push_str(r);
        }
        // The cell text goes into the buffer of the opinion's own copy of the display name,
        // which would be dropped with the input anyway: one allocation less per row.
        let mut submitter = std::mem::take(&mut op.submitter.display_name);
        submitter.clear();
        submitter.push_str(groups.get(g).map(|x| x.name.as_str()).unwrap_or(""));
        prepared.push(Some(Row {
            number: 0,
            submitter,
            submitter_span: 0,
            opinion: clean_text(std::mem::take(&mut op.text)),
            decision,
            reason,
            count: op.count.max(1),
        }));
    }
    let total_rows = opinions.len();
    drop(opinions);
    order.sort_unstable();

    let capacity = |channel: ChannelGroup| match (config.merge_sections, channel) {
        (true, _) => total_rows,
        (false, ChannelGroup::Public) => public_rows,
        (false, ChannelGroup::Departments) => total_rows - public_rows,
    };
    let mut sections: Vec<Section> = Vec::new();
    // The submitter group of every row, per section, to compute the merged cells.
    let mut row_groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Option<ChannelGroup> = None;
    for &(_, _, _, _, i) in &order {
        let g = group_of[i];
        let group = &groups[g];
        if sections.is_empty() || (!config.merge_sections && current != Some(group.channel)) {
            let title = match (config.merge_sections, group.channel) {
                (true, _) => config.section_titles.merged.clone(),
                (false, ChannelGroup::Public) => config.section_titles.public.clone(),
                (false, ChannelGroup::Departments) => config.section_titles.departments.clone(),
            };
            let rows = capacity(group.channel);
            sections.push(Section {
                title,
                columns: columns.clone(),
                rows: Vec::with_capacity(rows),
            });
            row_groups.push(Vec::with_capacity(rows));
            current = Some(group.channel);
        }
        let (Some(section), Some(groups_of_rows), Some(mut row)) = (
            sections.last_mut(),
            row_groups.last_mut(),
            prepared.get_mut(i).and_then(Option::take),
        ) else {
            continue;
        };
        row.number = u32::try_from(section.rows.len() + 1).unwrap_or(u32::MAX);
        section.rows.push(row);
        groups_of_rows.push(g);
    }
    for (section, ids) in sections.iter_mut().zip(&row_groups) {
        set_spans(&mut section.rows, ids);
    }

    if !config.merge_sections {
        for (n, section) in sections.iter_mut().enumerate() {
            section.title = format!("{}、{}", chinese_numeral(n + 1), section.title);
        }
    }

    Report {
        title,
        summary,
        sections,
        closing,
        edition,
        separate_reason_column: config.separate_reason_column,
    }
}

/// Sets `submitter_span` from the submitter group of every row: runs of one group share a cell.
fn set_spans(rows: &mut [Row], groups: &[usize]) {
    let mut start = 0;
    for k in 1..=rows.len() {
        if k == rows.len() || groups.get(k) != groups.get(start) {
            if let Some(first) = rows.get_mut(start) {
                first.submitter_span = u32::try_from(k - start).unwrap_or(u32::MAX);
            }
            start = k;
        }
    }
}

/// Trims the text and turns CRLF/CR line ends into LF.
fn clean_text(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.contains('\r') {
        trimmed.replace("\r\n", "\n").replace('\r', "\n")
    } else if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_string()
    }
}

/// The rationale without surrounding blanks or a leading comma; None when nothing is left.
fn clean_rationale(rationale: String) -> Option<String> {
    let trimmed = rationale
        .trim()
        .trim_start_matches([',', '，'])
        .trim_start();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == rationale.len() {
        Some(rationale)
    } else {
        Some(trimmed.to_string())
    }
}

/// Hasher for the builder's grouping map (FxHash: keys are ids the server made, so no
/// flooding to defend against, and SipHash costs more than the rest of the grouping).
#[derive(Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        if !rest.is_empty() {
            tail[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(tail));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `共收到意见建议N条，其中采纳A条，部分采纳P条，未采纳R条。` N counts every comment a row
/// stands for; statuses outside the three buckets count in N only.
pub fn summary_sentence(opinions: &[OpinionIn]) -> String {
    let (mut total, mut adopted, mut partial, mut not) = (0i64, 0i64, 0i64, 0i64);
    for op in opinions {
        let n = op.count.max(1);
        total += n;
        match op.status.counts_as {
            StatusBucket::Adopted => adopted += n,
            StatusBucket::PartiallyAdopted => partial += n,
            StatusBucket::NotAdopted => not += n,
            StatusBucket::Other => {}
        }
    }
    format!("共收到意见建议{total}条，其中采纳{adopted}条，部分采纳{partial}条，未采纳{not}条。")
}

/// The 无修改意见 paragraph, worded as seed 002:
/// `{departments}等其他相关单位，{districts}等区(开发区)无修改意见。`
/// With departments only: `{departments}等其他相关单位无修改意见。`; with districts only:
/// `{districts}等区(开发区)无修改意见。`; None without units. Departments and other units form
/// the first list, districts the second, each in `order` (then input order); repeated names
/// are listed once.
pub fn closing_paragraph(units: &[UnitIn]) -> Option<String> {
    let mut sorted: Vec<(bool, i64, usize, &str)> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| !u.name.trim().is_empty())
        .map(|(i, u)| (u.kind == UnitKind::District, u.order, i, u.name.trim()))
        .collect();
    sorted.sort_unstable();
    let mut seen = std::collections::HashSet::new();
    let mut departments: Vec<&str> = Vec::new();
    let mut districts: Vec<&str> = Vec::new();
    for (is_district, _, _, name) in sorted {
        if !seen.insert(name) {
            continue;
        }
        if is_district {
            districts.push(name);
        } else {
            departments.push(name);
        }
    }
    match (departments.is_empty(), districts.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!(
            "{}等其他相关单位无修改意见。",
            departments.join("、")
        )),
        (true, false) => Some(format!("{}等区(开发区)无修改意见。", districts.join("、"))),
        (false, false) => Some(format!(
            "{}等其他相关单位，{}等区(开发区)无修改意见。",
            departments.join("、"),
            districts.join("、")
        )),
    }
}

/// The submitter cell for an edition.
pub fn submitter_cell(s: &SubmitterIn, edition: Edition, anonymous_label: &str) -> String {
    let display = s.display_name.trim();
    let name = if edition == Edition::Internal || s.is_unit || s.consented_to_publish_name {
        display.to_string()
    } else {
        masked_display_name(s)
    };
    if name.is_empty() {
        anonymous_label.to_string()
    } else {
        name
    }
}

/// The display name with the personal name masked. Where the name cannot be located in the
/// display name, the cell is rebuilt from the organization and the masked name, so no
/// personal name is ever printed unmasked.
fn masked_display_name(s: &SubmitterIn) -> String {
    let display = s.display_name.trim();
    let organization = s
        .organization
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    match s
        .person_name
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(person) => {
            let masked = mask_person_name(person);
            if let Some(prefix) = display.strip_suffix(person) {
                format!("{prefix}{masked}")
            } else if display.contains(person) {
                display.replace(person, &masked)
            } else {
                format!("{}{masked}", organization.unwrap_or(""))
            }
        }
        None => match organization {
            Some(org) if display == org => display.to_string(),
            Some(org) => match display.strip_prefix(org) {
                Some(rest) if !rest.trim().is_empty() => {
                    format!("{org}{}", mask_person_name(rest.trim()))
                }
                Some(_) => org.to_string(),
                None => mask_person_name(display),
            },
            None => mask_person_name(display),
        },
    }
}

/// Masks a personal name: its first character, then `*` for every other one (`王华` → `王*`,
/// `欧阳明月` → `欧***`). A one-character name becomes `*`. Spaces are kept.
pub fn mask_person_name(name: &str) -> String {
    let name = name.trim();
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    match (chars.next(), name.chars().count()) {
        (None, _) => {}
        (Some(_), 1) => out.push('*'),
        (Some(first), _) => {
            out.push(first);
            for c in chars {
                out.push(if c.is_whitespace() { c } else { '*' });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
