//! The consultation report (征求意见情况的报告): built from the data, checked for readiness,
//! published as a frozen snapshot.
//!
//! - [`load`] builds the live report (internal edition, or a preview of the public one) for the
//!   office;
//! - [`readiness`] lists what stands between the consultation and publication;
//! - [`publish`] freezes both editions in a `publications` row (edition numbers count up),
//!   records what each commenter is told in `publication_decisions`, queues the decision
//!   notices and marks the consultation published, in short steps (see its doc);
//! - [`published`] reads a frozen edition back: the public sees only these, never live data.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use super::{Actor, Error, Result};
use crate::db::report::{
    OpinionRow, Publication, PublicationInfo, PublishedDecision, Snapshot, SolicitedUnit,
};
use crate::db::{self, DbConnection, audit, consultations::Consultation};
use crate::domain::Role;
use crate::domain::consultation::{Status, window_needs_reason};
use crate::domain::report::{
    self as model, ChannelGroup, Edition, OpinionIn, Report, ReportConfig, ReportInput,
    StatusBucket, StatusLabel, SubmitterColumn, SubmitterIn, UnitIn, UnitKind,
};
use crate::i18n::{self, Locale};

mod publish;
use publish::printed_rationale;
pub use publish::{MAX_CLOSE_REASON_CHARS, PublishOptions, finish_interrupted, publish};

/// Who may read the internal edition, see readiness and publish: the office and its approvers.
pub const READERS: &[Role] = &[Role::Staff, Role::Approver, Role::Admin];

/// Variants asked for with one request, over the consultation's saved report settings (live
/// reports only: a publication keeps the settings it was made with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Variant {
    pub reason_column: Option<bool>,
    pub merge_sections: Option<bool>,
    pub summary: Option<bool>,
    pub feedbacker_column: Option<bool>,
}

impl Variant {
    fn apply(self, config: &mut ReportConfig) {
        if let Some(v) = self.reason_column {
            config.separate_reason_column = v;
        }
        if let Some(v) = self.merge_sections {
            config.merge_sections = v;
        }
        if let Some(v) = self.summary {
            config.summary = v;
        }
        if let Some(v) = self.feedbacker_column {
            config.submitter_column = if v {
                SubmitterColumn::Feedbacker
            } else {
                SubmitterColumn::UnitOrPerson
            };
        }
    }
}

/// The report settings saved on the consultation (`consultations.report_config`, JSON); an
/// unreadable value counts as the defaults.
pub fn config_of(c: &Consultation) -> ReportConfig {
    serde_json::from_str(&c.report_config).unwrap_or_default()
}

/// Everything the report is made of, read once.
pub struct Gathered {
    pub consultation: Consultation,
    pub opinions: Vec<OpinionRow>,
    /// Lowest clause position per opinion id.
    pub clause_order: HashMap<String, i64>,
    /// Cluster id → representative opinion id and member count.
    pub clusters: HashMap<String, (String, i64)>,
    pub units: Vec<SolicitedUnit>,
    /// Invited units that still owe a reply before their deadline.
    pub pending_units: Vec<super::solicitations::Outstanding>,
    /// Opinion id → where a published revision takes it up (`修改稿第五条`).
    pub taken_up: HashMap<String, String>,
}

impl Gathered {
    pub fn read(conn: &mut DbConnection, consultation_id: &str) -> Result<Gathered> {
        let consultation =
            db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
        let opinions = db::report::opinions(conn, consultation_id)?;
        let mut clause_order: HashMap<String, i64> = HashMap::new();
        for (opinion, position) in db::report::clause_positions(conn, consultation_id)? {
            let e = clause_order.entry(opinion).or_insert(position);
            *e = (*e).min(position);
        }
        // The representative of a cluster: the one staff chose when it is a member, else the
        // member received first.
        let chosen: HashMap<String, Option<String>> = db::report::clusters(conn, consultation_id)?
            .into_iter()
            .collect();
        let mut members: HashMap<&str, Vec<&str>> = HashMap::new();
        for o in &opinions {
            if let Some(c) = &o.cluster_id {
                members.entry(c).or_default().push(&o.opinion_id);
            }
        }
        let clusters = members
            .into_iter()
            .filter_map(|(cluster, ids)| {
                let rep = chosen
                    .get(cluster)
                    .and_then(|r| r.as_deref())
                    .filter(|r| ids.contains(r))
                    .or_else(|| ids.first().copied())?;
                Some((
                    cluster.to_string(),
                    (rep.to_string(), i64::try_from(ids.len()).unwrap_or(1)),
                ))
            })
            .collect();
        // Where each opinion was taken up: the clauses of the latest published version its
        // confirmed links point at (the first version is the draft commented on, not a revision).
        let mut latest: HashMap<String, (i64, String, Vec<String>)> = HashMap::new();
        for (opinion, no, label, clause_label, path) in
            db::revisions::taken_up(conn, consultation_id)?
        {
            if no < 2 {
                continue;
            }
            // An article is cited by its number alone (第五条), as regulations are; the items of
            // a plan by their place (二、(二)2.).
            let path = if clause_label.trim_end().ends_with('条') {
                clause_label
            } else {
                path
            };
            let e = latest
                .entry(opinion)
                .or_insert_with(|| (no, label.clone(), Vec::new()));
            if no > e.0 {
                *e = (no, label, Vec::new());
            }
            if no == e.0 && !e.2.contains(&path) {
                e.2.push(path);
            }
        }
        let taken_up = latest
            .into_iter()
            .map(|(o, (_, label, paths))| (o, format!("{label}{}", paths.join("、"))))
            .collect();
        let units = db::report::solicited_units(conn, consultation_id)?;
        let pending_units =
            super::solicitations::pending_before_deadline(conn, consultation_id, db::now())?;
        Ok(Gathered {
            consultation,
            opinions,
            clause_order,
            clusters,
            units,
            pending_units,
            taken_up,
        })
    }

    /// The opinion a row's decision comes from: itself, or its cluster's representative when it
    /// has no decision of its own.
    fn decision_of<'a>(
        &'a self,
        o: &'a OpinionRow,
        by_id: &HashMap<&str, &'a OpinionRow>,
    ) -> Option<&'a db::report::DecisionRow> {
        o.decision.as_ref().or_else(|| {
            let (rep, _) = self.clusters.get(o.cluster_id.as_deref()?)?;
            by_id.get(rep.as_str())?.decision.as_ref()
        })
    }

    /// Whether an opinion is a cluster member other than the representative (shown once, in
    /// the representative's row).
    fn is_hidden_duplicate(&self, o: &OpinionRow) -> bool {
        o.cluster_id
            .as_deref()
            .and_then(|c| self.clusters.get(c))
            .is_some_and(|(rep, _)| *rep != o.opinion_id)
    }

    /// The builder's input for an edition.
    pub fn input(&self, edition: Edition, config: ReportConfig) -> ReportInput {
        let by_id: HashMap<&str, &OpinionRow> = self
            .opinions
            .iter()
            .map(|o| (o.opinion_id.as_str(), o))
            .collect();
        let undecided = i18n::t(Locale::ZhCn, "report.undecided");
        let mut opinions = Vec::with_capacity(self.opinions.len());
        for o in &self.opinions {
            if self.is_hidden_duplicate(o) {
                continue;
            }
            let count = o
                .cluster_id
                .as_deref()
                .and_then(|c| self.clusters.get(c))
                .map_or(1, |(_, n)| *n);
            let status = match self.decision_of(o, &by_id) {
                Some(d) => StatusLabel::new(&d.status, &d.label_zh, bucket(&d.counts_as)),
                None => StatusLabel::new("undecided", &undecided, StatusBucket::Other),
            };
            let rationale = self
                .decision_of(o, &by_id)
                .and_then(|d| d.rationale.clone());
            let received = micros(o.submission.received_at);
            opinions.push(OpinionIn {
                submitter: submitter_of(&o.submission, received),
                channel_group: ChannelGroup::for_channel(unit_channel(&o.submission)),
                text: o.summary.clone(),
                clause_order: self.clause_order.get(&o.opinion_id).copied(),
                received_seq: received.saturating_mul(1000).saturating_add(o.position),
                status,
                rationale,
                count,
                taken_up: self.taken_up.get(&o.opinion_id).cloned(),
            });
        }
        let no_comment_units = self
            .units
            .iter()
            .filter(|u| u.state == "no_comment")
            .map(|u| UnitIn {
                name: u.name.clone(),
                kind: UnitKind::parse(&u.kind).unwrap_or(UnitKind::Other),
                order: u.sort_order,
            })
            .collect();
        ReportInput {
            draft_title: self.consultation.draft_title.clone(),
            opinions,
            no_comment_units,
            config,
            edition,
        }
    }

    /// What each commenter is told: every opinion (duplicates too) with its decision as
    /// printed.
    fn published_decisions(&self, config: &ReportConfig) -> Vec<PublishedDecision> {
        let by_id: HashMap<&str, &OpinionRow> = self
            .opinions
            .iter()
            .map(|o| (o.opinion_id.as_str(), o))
            .collect();
        self.opinions
            .iter()
            .filter_map(|o| {
                let d = self.decision_of(o, &by_id)?;
                let label = config
                    .status_labels
                    .get(&d.status)
                    .cloned()
                    .unwrap_or_else(|| d.label_zh.clone());
                Some(PublishedDecision {
                    submission_id: o.submission.submission_id.clone(),
                    opinion_id: o.opinion_id.clone(),
                    position: o.position,
                    opinion: o.summary.trim().to_string(),
                    status: d.status.clone(),
                    status_label: label.trim().to_string(),
                    rationale: printed_rationale(d.rationale.as_deref()),
                })
            })
            .collect()
    }
}

fn bucket(counts_as: &str) -> StatusBucket {
    match counts_as {
        "adopted" => StatusBucket::Adopted,
        "partially_adopted" => StatusBucket::PartiallyAdopted,
        "not_adopted" => StatusBucket::NotAdopted,
        _ => StatusBucket::Other,
    }
}

fn micros(t: chrono::NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

/// A solicited unit's reply counts as a department reply whether it came through the portal
/// or as a paper letter staff recorded on its behalf.
fn unit_channel(s: &db::report::SubmitterRow) -> &str {
    if s.unit_id.is_some() && s.channel == "letter" {
        "department"
    } else {
        &s.channel
    }
}

/// Who sent a submission, as the report names them. A department reply is its unit; a
/// person is their organization followed by their name (`华中科技大学…研究所王华`), and the
/// submissions of one person (same email and name) share one submitter cell.
fn submitter_of(s: &db::report::SubmitterRow, received: i64) -> SubmitterIn {
    let trim = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    if let (Some(unit_id), Some(unit_name)) = (&s.unit_id, &s.unit_name) {
        if unit_channel(s) == "department" {
            return SubmitterIn {
                key: format!("unit:{unit_id}"),
                display_name: unit_name.clone(),
                person_name: None,
                organization: Some(unit_name.clone()),
                is_unit: true,
                consented_to_publish_name: false,
                first_received_seq: received,
                manual_order: s.display_order,
            };
        }
    }
    let name = trim(&s.name);
    let organization = trim(&s.organization);
    let key = match (&s.email, &name) {
        (Some(email), _) => format!(
            "person:{}\u{1}{}\u{1}{}",
            email.to_lowercase(),
            name.as_deref().unwrap_or(""),
            organization.as_deref().unwrap_or("")
        ),
        _ => format!("submission:{}", s.submission_id),
    };
    SubmitterIn {
        key,
        display_name: format!(
            "{}{}",
            organization.as_deref().unwrap_or(""),
            name.as_deref().unwrap_or("")
        ),
        person_name: name,
        organization,
        is_unit: false,
        consented_to_publish_name: s.publish_name,
        first_received_seq: received,
        manual_order: s.display_order,
    }
}

/// The live report for the office: the internal edition, or a preview of the public one.
pub fn load(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition: Edition,
    variant: Variant,
    actor: &Actor,
) -> Result<Report> {
    actor.require(READERS)?;
    let g = Gathered::read(conn, consultation_id)?;
    let mut config = config_of(&g.consultation);
    variant.apply(&mut config);
    let input = g.input(edition, config);
    // The rows as read are not needed to build the report: free them first.
    drop(g);
    Ok(model::build(input))
}

/// What the staff report page shows, read once: the readiness list and the live report.
pub fn overview(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition: Edition,
    actor: &Actor,
) -> Result<(Vec<Missing>, Report)> {
    actor.require(READERS)?;
    let g = Gathered::read(conn, consultation_id)?;
    let missing = missing(&g);
    let config = config_of(&g.consultation);
    Ok((missing, model::build(g.input(edition, config))))
}

/// One thing that stands between a consultation and publishing its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// `still_open`, `short_window_reason`, `early_close_reason`, `solicitation_pending`,
    /// `undecided`, `unapproved`, `rationale`.
    pub kind: &'static str,
    pub opinion_id: Option<String>,
    /// The submission's tracking code, to find the opinion by.
    pub tracking_code: Option<String>,
    /// The opinion's first words.
    pub excerpt: Option<String>,
    /// The decision's status label, for `rationale`.
    pub status: Option<String>,
    /// The invited unit that has not replied, for `solicitation_pending`.
    pub unit_id: Option<String>,
    pub unit: Option<String>,
    /// Its reply deadline (UTC).
    pub deadline: Option<chrono::NaiveDateTime>,
}

impl Missing {
    fn consultation(kind: &'static str) -> Self {
        Missing {
            kind,
            opinion_id: None,
            tracking_code: None,
            excerpt: None,
            status: None,
            unit_id: None,
            unit: None,
            deadline: None,
        }
    }

    fn opinion(kind: &'static str, o: &OpinionRow, status: Option<String>) -> Self {
        Missing {
            opinion_id: Some(o.opinion_id.clone()),
            tracking_code: Some(o.submission.tracking_code.clone()),
            excerpt: Some(excerpt(&o.summary)),
            status,
            ..Missing::consultation(kind)
        }
    }

    fn unit(o: &super::solicitations::Outstanding) -> Self {
        Missing {
            unit_id: Some(o.unit_id.clone()),
            unit: Some(o.unit_name.clone()),
            deadline: Some(o.deadline),
            ..Missing::consultation(SOLICITATION_PENDING)
        }
    }

    /// The item as a sentence in `locale` (times in China Standard Time; see
    /// [`Missing::message_in`]).
    pub fn message(&self, locale: Locale) -> String {
        use chrono::Offset;
        let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Utc.fix());
        self.message_in(locale, cst)
    }

    /// The item as a sentence in `locale`, times in the office's zone `tz`.
    pub fn message_in(&self, locale: Locale, tz: chrono::FixedOffset) -> String {
        let deadline = self
            .deadline
            .map(|d| crate::domain::time::format_local(d, tz))
            .unwrap_or_default();
        i18n::tf(
            locale,
            &format!("report.missing.{}", self.kind),
            &[
                ("excerpt", self.excerpt.as_deref().unwrap_or("")),
                ("code", self.tracking_code.as_deref().unwrap_or("")),
                ("status", self.status.as_deref().unwrap_or("")),
                ("unit", self.unit.as_deref().unwrap_or("")),
                ("deadline", &deadline),
            ],
        )
    }
}

/// The readiness item of an invited unit that still owes a reply before its deadline:
/// publishing then needs a reason (and closes its solicitation early).
pub const SOLICITATION_PENDING: &str = "solicitation_pending";

fn excerpt(text: &str) -> String {
    let text = text.trim();
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// What is missing before the report can be published: the consultation must be closed with
/// its window rule satisfied or reasoned, and every opinion (a duplicate cluster through its
/// representative) decided, approved, with a rationale where its status requires one.
pub fn readiness(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<Vec<Missing>> {
    actor.require(READERS)?;
    let g = Gathered::read(conn, consultation_id)?;
    Ok(missing(&g))
}

fn missing(g: &Gathered) -> Vec<Missing> {
    let c = &g.consultation;
    let mut out = Vec::new();
    match c.status() {
        Status::Draft | Status::Open => out.push(Missing::consultation("still_open")),
        Status::Closed | Status::Published | Status::Archived => {}
    }
    let no_reason = |r: &Option<String>| r.as_deref().is_none_or(|r| r.trim().is_empty());
    if window_needs_reason(c.opens_at, c.closes_at) && no_reason(&c.short_window_reason) {
        out.push(Missing::consultation("short_window_reason"));
    }
    if c.closed_at.is_some_and(|at| at < c.closes_at) && no_reason(&c.closed_early_reason) {
        out.push(Missing::consultation("early_close_reason"));
    }
    out.extend(g.pending_units.iter().map(Missing::unit));
    for o in &g.opinions {
        if g.is_hidden_duplicate(o) {
            continue;
        }
        match &o.decision {
            None => out.push(Missing::opinion("undecided", o, None)),
            Some(d) => {
                if d.state != "approved" {
                    out.push(Missing::opinion("unapproved", o, Some(d.label_zh.clone())));
                }
                if d.requires_rationale && no_reason(&d.rationale) {
                    out.push(Missing::opinion("rationale", o, Some(d.label_zh.clone())));
                }
            }
        }
    }
    out
}

/// What publishing now would do, for the confirmation step: the edition it makes, how many
/// rows it freezes, how many commenters it emails, what still blocks it and which units that
/// still owe a reply it would stop waiting for.
#[derive(Debug, Clone)]
pub struct PublishPreview {
    pub consultation: Consultation,
    pub edition_no: i64,
    pub title: String,
    pub rows: usize,
    pub notices: usize,
    /// What blocks publishing whatever the choice (everything but `solicitation_pending`).
    pub blocking: Vec<Missing>,
    /// Units that still owe a reply before their deadline: publishing needs a reason.
    pub pending_units: Vec<super::solicitations::Outstanding>,
}

pub fn publish_preview(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<PublishPreview> {
    actor.require(READERS)?;
    db::read(conn, |conn| {
        let g = Gathered::read(conn, consultation_id)?;
        let blocking: Vec<Missing> = missing(&g)
            .into_iter()
            .filter(|m| m.kind != SOLICITATION_PENDING)
            .collect();
        let config = config_of(&g.consultation);
        let (edition_no, notices) = publish::notice_count(conn, &g, &config)?;
        let report = model::build(g.input(Edition::Internal, config));
        Ok(PublishPreview {
            edition_no,
            title: report.title.clone(),
            rows: report.sections.iter().map(|s| s.rows.len()).sum(),
            notices,
            blocking,
            pending_units: g.pending_units.clone(),
            consultation: g.consultation,
        })
    })
}

/// What publishing did, or why it did not.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PublishOutcome {
    Published {
        publication: PublicationInfo,
        /// Decision notices queued for commenters.
        notices: usize,
        /// Solicitations of units that had not replied, closed early.
        closed_solicitations: usize,
    },
    NotReady {
        missing: Vec<Missing>,
    },
    /// The report is the same as the latest edition (a second click, a reload): no new
    /// edition, no notices.
    Unchanged {
        publication: PublicationInfo,
    },
}

/// A published edition read back: the consultation, which edition, the frozen model.
#[derive(Debug, Clone)]
pub struct PublishedReport {
    pub consultation: Consultation,
    pub publication: PublicationInfo,
    pub report: Report,
}

/// A frozen edition of the report: the latest, or edition `edition_no`. The public edition is
/// for anyone once published; the internal one for the office.
pub fn published(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition_no: Option<i64>,
    edition: Edition,
    actor: &Actor,
) -> Result<PublishedReport> {
    if edition == Edition::Internal {
        actor.require(READERS)?;
    }
    let consultation = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let p = db::report::publication(conn, &consultation.id, edition_no)?.ok_or(Error::NotFound)?;
    let text = match edition {
        Edition::Internal => &p.model_json,
        Edition::Public => &p.public_model_json,
    };
    let report: Report = serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("publication {} is unreadable: {e}", p.id)))?;
    Ok(PublishedReport {
        publication: PublicationInfo {
            id: p.id,
            consultation_id: p.consultation_id,
            edition_no: p.edition_no,
            title: p.title,
            published_at: p.published_at,
        },
        consultation,
        report,
    })
}

/// Which publication [`published`] would read, without reading its snapshot (to serve a
/// rendering kept from an earlier request).
pub fn published_info(
    conn: &mut DbConnection,
    consultation_id: &str,
    edition_no: Option<i64>,
    edition: Edition,
    actor: &Actor,
) -> Result<(Consultation, PublicationInfo)> {
    if edition == Edition::Internal {
        actor.require(READERS)?;
    }
    let consultation = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    let p =
        db::report::publication_info(conn, &consultation.id, edition_no)?.ok_or(Error::NotFound)?;
    Ok((consultation, p))
}

/// The published editions of a consultation, newest first (empty until the first). Drafts are
/// not found for anyone but the office.
pub fn publications(
    conn: &mut DbConnection,
    consultation_id: &str,
    actor: &Actor,
) -> Result<(Consultation, Vec<PublicationInfo>)> {
    let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
    if c.status() == Status::Draft && actor.require(READERS).is_err() {
        return Err(Error::NotFound);
    }
    let list = db::report::publications(conn, &c.id)?;
    Ok((c, list))
}

/// A consultation by id or slug (the command line and the public pages name it either way).
pub fn find_consultation(conn: &mut DbConnection, key: &str) -> Result<Consultation> {
    match db::consultations::find(conn, key)? {
        Some(c) => Ok(c),
        None => db::consultations::find_by_slug(conn, key)?.ok_or(Error::NotFound),
    }
}

/// The report settings staff choose for a consultation; the rest of [`ReportConfig`] keeps its
/// saved value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Print the counts sentence.
    pub summary: bool,
    /// The rationale in a 理由 column of its own.
    pub reason_column: bool,
    /// One table instead of sections by channel group.
    pub merge_sections: bool,
    /// A 反馈人 column heading instead of 单位/个人.
    pub feedbacker_column: bool,
    /// The title, `{draft_title}` standing for the draft's title; None for the default
    /// `关于《{draft_title}》公开征求意见情况的报告`.
    pub title_template: Option<String>,
    /// Status code → the wording this report prints (e.g. `adopted` → `采纳`); statuses not
    /// named print their own label.
    pub status_labels: std::collections::BTreeMap<String, String>,
    /// Say where a published revision takes an opinion up (`已采纳，见修改稿第五条`).
    pub cite_changes: bool,
}

impl Settings {
    pub fn of(config: &ReportConfig) -> Self {
        Settings {
            summary: config.summary,
            reason_column: config.separate_reason_column,
            merge_sections: config.merge_sections,
            feedbacker_column: config.submitter_column == SubmitterColumn::Feedbacker,
            title_template: (config.title_template != model::DEFAULT_TITLE_TEMPLATE)
                .then(|| config.title_template.clone()),
            status_labels: config.status_labels.clone(),
            cite_changes: config.cite_changes,
        }
    }
}

/// Longest title template and status wording accepted, in characters.
const MAX_TITLE_CHARS: usize = 300;
const MAX_LABEL_CHARS: usize = 30;

/// Saves the report settings of a consultation (the next publication uses them).
pub fn save_settings(
    conn: &mut DbConnection,
    consultation_id: &str,
    settings: Settings,
    actor: &Actor,
) -> Result<Settings> {
    actor.require(super::OFFICE)?;
    let title_template = settings
        .title_template
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if title_template
        .as_deref()
        .is_some_and(|t| t.chars().count() > MAX_TITLE_CHARS)
    {
        return Err(Error::field(
            "title_template",
            "report.error.title_template",
        ));
    }
    let status_labels: std::collections::BTreeMap<String, String> = settings
        .status_labels
        .iter()
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    db::write(conn, |conn| {
        let c = db::consultations::find(conn, consultation_id)?.ok_or(Error::NotFound)?;
        let known: Vec<String> = db::report::statuses(conn)?
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        if status_labels
            .iter()
            .any(|(k, v)| !known.contains(k) || v.chars().count() > MAX_LABEL_CHARS)
        {
            return Err(Error::field("status_labels", "report.error.status_labels"));
        }
        let mut config = config_of(&c);
        let before = Settings::of(&config);
        Variant {
            reason_column: Some(settings.reason_column),
            merge_sections: Some(settings.merge_sections),
            summary: Some(settings.summary),
            feedbacker_column: Some(settings.feedbacker_column),
        }
        .apply(&mut config);
        config.title_template =
            title_template.unwrap_or_else(|| model::DEFAULT_TITLE_TEMPLATE.to_string());
        config.status_labels = status_labels;
        config.cite_changes = settings.cite_changes;
        let text = serde_json::to_string(&config)
            .map_err(|e| Error::Internal(format!("report settings: {e}")))?;
        db::report::set_config(conn, &c.id, &text)?;
        let after = Settings::of(&config);
        audit::record(
            conn,
            audit::AuditEntry {
                consultation_id: Some(&c.id),
                before: Some(json!(before)),
                after: Some(json!(after)),
                ..actor.audit("report.settings", "consultation", &c.id)
            },
        )?;
        Ok(after)
    })
}

/// What a request for the report reads: the edition (without one asked, the internal edition
/// for the office and the public one for everyone else) and whether from a publication
/// (`frozen`: the public edition, or a numbered publication) or live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRequest {
    pub edition: Edition,
    pub frozen: bool,
}

/// Which report `actor` reads for `edition` (if asked) and `publication` (if named); refused
/// unless the actor is one of the [`READERS`] when that is the live report or an internal
/// edition: everyone else reads published public editions only.
pub fn report_request(
    actor: &Actor,
    edition: Option<Edition>,
    publication: Option<i64>,
) -> Result<ReportRequest> {
    let reader = actor.require(READERS).is_ok();
    let edition = edition.unwrap_or(if reader {
        Edition::Internal
    } else {
        Edition::Public
    });
    let frozen = edition == Edition::Public || publication.is_some();
    if !frozen || edition == Edition::Internal {
        actor.require(READERS)?;
    }
    Ok(ReportRequest { edition, frozen })
}

/// The enabled decision statuses as (code, label), in order, for the report settings form.
pub fn statuses(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<(String, String)>> {
    actor.require(READERS)?;
    Ok(db::report::statuses(conn)?)
}

#[cfg(test)]
mod tests;
