//! The triage workbench in the browser: the inbox with its clause heat map, one opinion with
//! everything that can be done to it, and bulk actions. Every action is a plain form; the
//! keyboard shortcuts of `triage.js` only press the same buttons.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::triage::{
    self, AssignInput, BulkAction, DecideInput, Inbox, InboxQuery, OpinionDetail,
};
use crate::app::{self, Actor};
use crate::domain::time::format_local;
use crate::i18n::{Locale, Tr};
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::Pairs;
use crate::web::page::{self, Nav};
use crate::web::{AppState, csrf};

fn status_label(t: &Tr, statuses: &[app::DecisionStatus], code: &str) -> String {
    statuses
        .iter()
        .find(|s| s.code == code)
        .map(|s| match t.locale {
            Locale::ZhCn => s.label_zh.clone(),
            Locale::En => s.label_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

fn short(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// The inbox's address with these filters.
pub fn inbox_url(consultation_id: &str, q: &InboxQuery) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("clause", &q.clause),
        ("status", &q.status),
        ("channel", &q.channel),
        ("unit", &q.unit),
        ("assignee", &q.assignee),
        ("cluster", &q.cluster),
        ("q", &q.q),
    ];
    for (k, v) in fields {
        if let Some(v) = v {
            ser.append_pair(k, v);
        }
    }
    if let Some(p) = q.page.filter(|p| *p > 1) {
        ser.append_pair("page", &p.to_string());
    }
    let qs = ser.finish();
    if qs.is_empty() {
        format!("/staff/consultations/{consultation_id}/opinions")
    } else {
        format!("/staff/consultations/{consultation_id}/opinions?{qs}")
    }
}

// ---- the inbox ------------------------------------------------------------------------------

pub struct RowView {
    pub id: String,
    pub summary: String,
    pub clauses: String,
    pub submitter: String,
    pub channel: String,
    pub state: String,
    pub state_label: String,
    pub decision: String,
    pub cluster_size: i64,
    pub cluster_href: String,
    pub assignee: String,
    pub received: String,
}

pub struct TreeView {
    pub depth: i64,
    pub label: String,
    pub heading: String,
    pub new: i64,
    pub decided: i64,
    pub heat: u8,
    pub href: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "staff/inbox.html")]
struct InboxPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    error: Option<String>,
    notice: Option<String>,
    rows: Vec<RowView>,
    tree: Vec<TreeView>,
    unlinked_href: String,
    all_href: String,
    states: Vec<(String, String, i64)>,
    total: String,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    filter: InboxQuery,
    status_options: Vec<(String, String)>,
    channel_options: Vec<(String, String)>,
    unit_options: Vec<(String, String)>,
    user_options: Vec<(String, String)>,
    decide_statuses: Vec<(String, String)>,
    phrases: Vec<(String, String)>,
    unit_scope: Option<String>,
    /// Opinions still waiting to be compared for duplicates.
    unsigned: i64,
    can_assign: bool,
    can_decide: bool,
    can_approve: bool,
    back: String,
}

impl InboxPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        let v = match field {
            "status" => &self.filter.status,
            "channel" => &self.filter.channel,
            "unit" => &self.filter.unit,
            "assignee" => &self.filter.assignee,
            _ => &None,
        };
        v.as_deref() == Some(value)
    }
}

/// What the inbox page needs besides the inbox.
struct InboxExtras {
    statuses: Vec<app::DecisionStatus>,
    units: Vec<(String, String, String)>,
    users: Vec<(String, String, String, Option<String>)>,
    phrases: Vec<(String, String)>,
}

async fn load_inbox(
    state: &AppState,
    actor: Actor,
    id: String,
    query: InboxQuery,
) -> Result<(Inbox, InboxExtras), AppError> {
    state
        .with_conn(move |conn| {
            let inbox = triage::inbox(conn, &id, query, &actor)?;
            let choices = triage::choices(conn, &actor)?;
            let extras = InboxExtras {
                statuses: choices.statuses,
                units: choices.units,
                users: choices.users,
                phrases: triage::phrases(conn, &actor)?,
            };
            Ok((inbox, extras))
        })
        .await
}

#[allow(clippy::too_many_arguments)]
async fn render_inbox(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    query: InboxQuery,
    error: Option<String>,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (inbox, x) = load_inbox(state, user.actor(), id.clone(), query).await?;
    let tz = state.config.timezone;
    let role = user.role;
    let rows = inbox
        .items
        .iter()
        .map(|i| {
            let cq = InboxQuery {
                cluster: i.cluster_id.clone(),
                ..Default::default()
            };
            RowView {
                id: i.id.clone(),
                summary: short(&i.summary, 140),
                clauses: i
                    .clauses
                    .iter()
                    .map(|c| c.path.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                submitter: i.submitter.clone(),
                channel: t.t(&format!("triage.channel.{}", i.channel)),
                state: i.state.clone(),
                state_label: t.t(&format!("triage.state.{}", i.state)),
                decision: i
                    .decision_status
                    .as_deref()
                    .map(|s| status_label(&t, &x.statuses, s))
                    .unwrap_or_default(),
                cluster_size: i.cluster_size,
                cluster_href: inbox_url(&id, &cq),
                assignee: [i.assignee_unit.clone(), i.assignee_user.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" / "),
                received: format_local(i.received_at, tz),
            }
        })
        .collect();
    let tree = inbox
        .clauses
        .iter()
        .map(|c| {
            let mut q = inbox.filter.clone();
            q.clause = Some(c.id.clone());
            q.page = None;
            TreeView {
                depth: c.depth.min(4),
                label: c.label.clone(),
                heading: c.heading.clone().unwrap_or_default(),
                new: c.branch_new,
                decided: c.branch_decided,
                heat: c.heat,
                href: inbox_url(&id, &q),
                selected: inbox.filter.clause.as_deref() == Some(c.id.as_str()),
            }
        })
        .collect();
    let with_clause = |clause: Option<String>| {
        let mut q = inbox.filter.clone();
        q.clause = clause;
        q.page = None;
        inbox_url(&id, &q)
    };
    let page_href = |p: i64| {
        let mut q = inbox.filter.clone();
        q.page = Some(p);
        inbox_url(&id, &q)
    };
    let mut status_options: Vec<(String, String)> = triage::STATES
        .iter()
        .map(|s| (s.to_string(), t.t(&format!("triage.state.{s}"))))
        .collect();
    let decide_statuses: Vec<(String, String)> = x
        .statuses
        .iter()
        .filter(|s| s.enabled)
        .map(|s| (s.code.clone(), status_label(&t, &x.statuses, &s.code)))
        .collect();
    status_options.extend(decide_statuses.iter().cloned());
    let page = InboxPage {
        title: format!("{} · {}", t.t("triage.inbox"), inbox.consultation_title),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        consultation_id: id.clone(),
        error,
        notice,
        rows,
        tree,
        unlinked_href: with_clause(Some("none".into())),
        all_href: with_clause(None),
        states: triage::STATES
            .iter()
            .map(|s| {
                let n = inbox
                    .states
                    .iter()
                    .find(|(k, _)| k == s)
                    .map_or(0, |(_, n)| *n);
                (s.to_string(), t.t(&format!("triage.state.{s}")), n)
            })
            .collect(),
        total: if inbox.total_capped {
            format!("{}+", inbox.total)
        } else {
            inbox.total.to_string()
        },
        page: inbox.page,
        prev_href: (inbox.page > 1).then(|| page_href(inbox.page - 1)),
        next_href: inbox.has_next.then(|| page_href(inbox.page + 1)),
        back: inbox_url(&id, &inbox.filter),
        filter: inbox.filter,
        status_options,
        channel_options: triage::CHANNELS
            .iter()
            .map(|c| (c.to_string(), t.t(&format!("triage.channel.{c}"))))
            .collect(),
        unit_options: x.units.into_iter().map(|(id, n, _)| (id, n)).collect(),
        user_options: x
            .users
            .into_iter()
            .map(|(id, name, role, _)| {
                (
                    id,
                    format!("{name} ({})", t.t(&format!("triage.role.{role}"))),
                )
            })
            .collect(),
        decide_statuses,
        phrases: x.phrases,
        unit_scope: inbox.unit_scope,
        unsigned: inbox.unsigned,
        can_assign: app::OFFICE.contains(&role),
        can_decide: triage::DECIDERS.contains(&role),
        can_approve: triage::APPROVERS.contains(&role),
        t,
    };
    if page.error.is_some() {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        page::html(&page)
    }
}

pub async fn inbox(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, AppError> {
    render_inbox(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        query.into_inner(),
        None,
        None,
    )
    .await
}

/// The inbox to return to after a bulk action: the page the form was on, if it is one.
fn back_to(consultation_id: &str, back: Option<&str>) -> String {
    let base = format!("/staff/consultations/{consultation_id}/opinions");
    match back {
        Some(b) if b == base || b.starts_with(&format!("{base}?")) => b.to_string(),
        _ => base,
    }
}

fn query_of(url: &str) -> InboxQuery {
    let mut q = InboxQuery::default();
    let Some((_, qs)) = url.split_once('?') else {
        return q;
    };
    for (k, v) in url::form_urlencoded::parse(qs.as_bytes()) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "clause" => q.clause = v,
            "status" => q.status = v,
            "channel" => q.channel = v,
            "unit" => q.unit = v,
            "assignee" => q.assignee = v,
            "cluster" => q.cluster = v,
            "q" => q.q = v,
            "page" => q.page = v.and_then(|p| p.parse().ok()),
            _ => {}
        }
    }
    q
}

async fn bulk(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    t: Tr,
    id: String,
    body: web::Bytes,
    kind: &'static str,
) -> Result<HttpResponse, AppError> {
    let f = Pairs::parse(&body);
    csrf::verify(&session, &f.text("csrf_token"))?;
    let back = back_to(&id, f.get("back"));
    let action = match kind {
        "assign" => BulkAction::Assign(AssignInput {
            unit_id: f.opt("unit_id"),
            user_id: f.opt("user_id"),
        }),
        "decide" => BulkAction::Decide(decide_input(&f)),
        _ => BulkAction::Approve,
    };
    let (actor, cid, ids) = (user.actor(), id.clone(), f.all("opinion_ids"));
    let result = state
        .with_conn(move |conn| Ok(triage::bulk(conn, &cid, &ids, &action, &actor)?))
        .await;
    match result {
        Ok(_) => Ok(page::see_other(&back)),
        Err(AppError::Validation(fields)) => {
            let msg = super::error_line(&t, &fields);
            render_inbox(
                &state,
                &user,
                &session,
                t,
                id.clone(),
                query_of(&back),
                Some(msg),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn bulk_assign(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    bulk(
        state,
        user,
        session,
        t,
        id.into_inner().to_string(),
        body,
        "assign",
    )
    .await
}

pub async fn bulk_decide(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    bulk(
        state,
        user,
        session,
        t,
        id.into_inner().to_string(),
        body,
        "decide",
    )
    .await
}

pub async fn bulk_approve(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    bulk(
        state,
        user,
        session,
        t,
        id.into_inner().to_string(),
        body,
        "approve",
    )
    .await
}

/// A decision from a form: the rationale typed, or else the phrase picked from the library.
fn decide_input(f: &Pairs) -> DecideInput {
    DecideInput {
        status: f.text("status"),
        rationale: f.opt("rationale").or_else(|| f.opt("phrase")),
        whole_cluster: f.checked("whole_cluster"),
        save_phrase: f.checked("save_phrase"),
        reopen: f.checked("reopen"),
    }
}

// ---- one opinion ----------------------------------------------------------------------------

pub struct HistoryView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "staff/opinion.html")]
struct OpinionPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    d: OpinionDetail,
    error: Option<String>,
    state_label: String,
    channel_label: String,
    received: String,
    text_differs: bool,
    decision_label: Option<String>,
    decision_state_label: Option<String>,
    statuses: Vec<(String, String, bool)>,
    clause_options: Vec<(String, String)>,
    history: Vec<HistoryView>,
    users: Vec<(String, String)>,
    chosen_unit: Option<String>,
    inbox_href: String,
    can_edit: bool,
    can_decide: bool,
    can_approve: bool,
    /// What was typed into the decision form, kept when it is refused.
    kept_status: String,
    kept_rationale: String,
    /// Links to the changes of a later version, and those suggested.
    changes: Option<app::revisions::OpinionChanges>,
}

fn history_detail(t: &Tr, statuses: &[app::DecisionStatus], after: &str) -> String {
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(after) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for (k, v) in m {
        let v = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) if k == "status" => status_label(t, statuses, &s),
            serde_json::Value::String(s) => short(&s, 200),
            serde_json::Value::Array(a) => a.len().to_string(),
            other => other.to_string(),
        };
        parts.push(format!("{}: {v}", t.t(&format!("triage.field.{k}"))));
    }
    parts.join("; ")
}

async fn render_opinion(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    opinion_id: String,
    error: Option<String>,
    kept: Option<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let (d, changes) = state
        .with_conn(move |conn| {
            let d = triage::detail(conn, &opinion_id, &actor)?;
            let changes = app::revisions::changes(conn, &opinion_id, &actor)
                .ok()
                .filter(|c| !c.confirmed.is_empty() || !c.suggested.is_empty());
            Ok((d, changes))
        })
        .await?;
    let tz = state.config.timezone;
    let role = user.role;
    let names: BTreeMap<String, String> = d
        .users
        .iter()
        .map(|(id, name, _, _)| (id.clone(), name.clone()))
        .collect();
    let history = d
        .history
        .iter()
        .map(|e| HistoryView {
            at: format_local(e.at, tz),
            actor: e
                .actor_user_id
                .as_ref()
                .and_then(|u| names.get(u).cloned())
                .unwrap_or_else(|| e.actor_label.clone()),
            action: t.t(&format!("triage.action.{}", e.action.replace('.', "_"))),
            detail: history_detail(
                &t,
                &d.statuses,
                e.after_json
                    .as_deref()
                    .filter(|a| *a != "{}")
                    .or(e.before_json.as_deref())
                    .unwrap_or(""),
            ),
        })
        .collect();
    let (kept_status, kept_rationale) = kept.unwrap_or_else(|| {
        d.decision
            .as_ref()
            .map(|x| (x.status.clone(), x.rationale.clone().unwrap_or_default()))
            .unwrap_or_default()
    });
    let page = OpinionPage {
        title: short(&d.opinion.summary, 40),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        error,
        state_label: t.t(&format!("triage.state.{}", d.opinion.state)),
        channel_label: t.t(&format!("triage.channel.{}", d.submission.channel)),
        received: format_local(d.submission.received_at, tz),
        text_differs: d.submission_body.trim() != d.opinion.received_text.trim(),
        decision_label: d
            .decision
            .as_ref()
            .map(|x| status_label(&t, &d.statuses, &x.status)),
        decision_state_label: d
            .decision
            .as_ref()
            .map(|x| t.t(&format!("triage.decision_state.{}", x.state))),
        statuses: d
            .statuses
            .iter()
            .map(|s| {
                (
                    s.code.clone(),
                    status_label(&t, &d.statuses, &s.code),
                    s.requires_rationale,
                )
            })
            .collect(),
        clause_options: d
            .clauses
            .iter()
            .map(|(id, path, heading, depth)| {
                (
                    id.clone(),
                    format!(
                        "{}{} {}",
                        "\u{3000}".repeat((*depth).clamp(0, 6) as usize),
                        path,
                        short(heading.as_deref().unwrap_or(""), 30)
                    ),
                )
            })
            .collect(),
        history,
        users: d
            .users
            .iter()
            .map(|(id, name, role, _)| {
                (
                    id.clone(),
                    format!("{name} ({})", t.t(&format!("triage.role.{role}"))),
                )
            })
            .collect(),
        chosen_unit: d
            .opinion
            .assignee_unit_id
            .clone()
            .or_else(|| d.default_unit_id.clone()),
        inbox_href: format!("/staff/consultations/{}/opinions", d.consultation_id),
        can_edit: app::OFFICE.contains(&role),
        can_decide: triage::DECIDERS.contains(&role),
        can_approve: triage::APPROVERS.contains(&role),
        kept_status,
        kept_rationale,
        changes,
        d,
        t,
    };
    if page.error.is_some() {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        page::html(&page)
    }
}

pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    render_opinion(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        None,
        None,
    )
    .await
}

/// One action on one opinion from a form: back to the opinion when done, the page again with
/// the message when refused.
async fn act<F>(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    t: Tr,
    id: uuid::Uuid,
    body: web::Bytes,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut crate::app::DbConnection, &str, &Pairs, &Actor) -> Result<(), app::Error>
        + Send
        + 'static,
{
    let form = Pairs::parse(&body);
    csrf::verify(&session, &form.text("csrf_token"))?;
    let id = id.to_string();
    let kept = (form.text("status"), form.text("rationale"));
    let (actor, oid) = (user.actor(), id.clone());
    let result = state
        .with_conn(move |conn| Ok(f(conn, &oid, &form, &actor)?))
        .await;
    match result {
        Ok(()) => Ok(page::see_other(&format!("/staff/opinions/{id}"))),
        Err(AppError::Validation(fields)) => {
            let msg = super::error_line(&t, &fields);
            render_opinion(&state, &user, &session, t, id, Some(msg), Some(kept)).await
        }
        Err(e) => Err(e),
    }
}

macro_rules! opinion_action {
    ($name:ident, |$conn:ident, $id:ident, $form:ident, $actor:ident| $body:expr) => {
        pub async fn $name(
            state: web::Data<AppState>,
            user: AuthUser,
            session: Session,
            Lang(t): Lang,
            id: web::Path<uuid::Uuid>,
            body: web::Bytes,
        ) -> Result<HttpResponse, AppError> {
            act(
                state,
                user,
                session,
                t,
                id.into_inner(),
                body,
                |$conn, $id, $form, $actor| $body,
            )
            .await
        }
    };
}

opinion_action!(summary, |conn, id, f, actor| triage::edit_summary(
    conn,
    id,
    &f.text("summary"),
    actor
));

opinion_action!(clauses, |conn, id, f, actor| {
    let clause = f.text("clause_id");
    if clause.trim().is_empty() {
        return Err(app::Error::field(
            "clause_id",
            "triage.error.clause_unknown",
        ));
    }
    if f.get("op") == Some("unlink") {
        triage::unlink_clause(conn, id, &clause, actor)
    } else {
        triage::link_clause(conn, id, &clause, actor)
    }
});

opinion_action!(changes, |conn, id, f, actor| {
    let (link, unlink) = (f.all("link"), f.all("unlink"));
    if link.is_empty() && unlink.is_empty() {
        return Err(app::Error::field("link", "revision.error.empty"));
    }
    app::revisions::link(conn, id, &link, &unlink, actor).map(|_| ())
});

opinion_action!(split, |conn, id, f, actor| {
    let passages = split_passages(&f.text("passages"));
    triage::split(conn, id, &passages, actor).map(|_| ())
});

opinion_action!(assign, |conn, id, f, actor| triage::assign(
    conn,
    id,
    &AssignInput {
        unit_id: f.opt("unit_id"),
        user_id: f.opt("user_id"),
    },
    actor
));

opinion_action!(decide, |conn, id, f, actor| triage::decide(
    conn,
    id,
    &decide_input(f),
    actor
)
.map(|_| ()));

opinion_action!(approve, |conn, id, _f, actor| triage::approve(
    conn, id, actor
));

opinion_action!(send_back, |conn, id, f, actor| triage::send_back(
    conn,
    id,
    &f.text("note"),
    actor
));

opinion_action!(detach, |conn, id, _f, actor| triage::detach(
    conn, id, actor
));

/// Passages are separated by blank lines.
pub fn split_passages(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}
