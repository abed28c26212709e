//! A solicited unit's reply form: the department portal's own, and the same form for staff
//! recording a letter received on paper.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, solicitations::ReplyInput, solicitations::ReplyOpinionInput};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::page::{self, Nav};
use crate::web::shared::clauses::{FlatClause, flatten};
use crate::web::upload::read_upload;
use crate::web::{AppState, csrf};

/// Opinion blocks a new reply form offers (more are added with the 添加 button).
const MIN_ROWS: usize = 3;

/// One opinion block of the reply form: its text and the clauses it concerns.
pub struct FormRow {
    pub n: usize,
    pub clause_ids: Vec<String>,
    pub body: String,
}

impl FormRow {
    fn empty(n: usize) -> Self {
        FormRow {
            n,
            clause_ids: Vec::new(),
            body: String::new(),
        }
    }

    pub fn has(&self, clause_id: &str) -> bool {
        self.clause_ids.iter().any(|c| c == clause_id)
    }
}

pub struct VersionLine {
    pub version: i64,
    pub kind: String,
    pub channel: String,
    pub at: String,
    pub opinions: i64,
    pub note: String,
    pub attachment_id: Option<String>,
}

#[derive(Template)]
#[template(path = "dept/consultation.html")]
pub struct ReplyPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    unit_name: String,
    consultation_id: String,
    draft_title: String,
    deadline: String,
    standing: String,
    open: bool,
    /// Where the forms post: the unit's own reply, or staff recording a letter.
    action: String,
    on_paper: bool,
    rows: Vec<FormRow>,
    note: String,
    /// What the office wrote when inviting the unit.
    office_note: Option<String>,
    /// Why the form is closed, in words consistent with the dates.
    closed_message: String,
    clauses: Vec<FlatClause>,
    versions: Vec<VersionLine>,
    errors: BTreeMap<String, String>,
    saved: bool,
}

impl ReplyPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

pub struct ReplyTarget {
    pub consultation_id: String,
    pub unit_id: String,
    pub on_paper: bool,
}

impl ReplyTarget {
    fn action(&self) -> String {
        if self.on_paper {
            format!(
                "/staff/consultations/{}/solicitations/{}/letter",
                self.consultation_id, self.unit_id
            )
        } else {
            format!("/dept/consultations/{}", self.consultation_id)
        }
    }
}

/// What the form shows besides the stored reply.
#[derive(Default)]
pub struct FormState {
    /// The rows and note as submitted, when shown again with errors or with one more block.
    /// (rows, blocks to add, note).
    pub submitted: Option<(Vec<FormRow>, usize, String)>,
    pub errors: BTreeMap<String, String>,
    pub saved: bool,
}

pub async fn render_reply(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    target: ReplyTarget,
    form: FormState,
) -> Result<HttpResponse, AppError> {
    let FormState {
        submitted,
        errors,
        saved,
    } = form;
    let actor = user.actor();
    let (cid, uid) = (target.consultation_id.clone(), target.unit_id.clone());
    let (view, tree) = state
        .with_conn(move |conn| {
            let view = app::solicitations::unit_view(conn, &cid, &uid, &actor)?;
            let tree = app::drafts::current_tree(conn, &cid)?;
            Ok((view, tree))
        })
        .await?;
    let tz = state.config.timezone;
    let (mut rows, want, note) = submitted
        .map(|(rows, extra, note)| {
            let want = rows.len() + extra;
            (rows, want, note)
        })
        .unwrap_or_else(|| {
            let rows = view
                .current
                .iter()
                .enumerate()
                .map(|(i, o)| FormRow {
                    n: i,
                    clause_ids: o.clause_ids.clone(),
                    body: o.body.clone(),
                })
                .collect::<Vec<_>>();
            let spare = rows.len() + 1;
            (rows, spare, String::new())
        });
    let blocks = want.max(MIN_ROWS);
    while rows.len() < blocks {
        rows.push(FormRow::empty(rows.len()));
    }
    let now = chrono::Utc::now().naive_utc();
    let closed_message = app::solicitations::closed_early_text(
        t.locale,
        view.solicitation.closed_early_at,
        view.solicitation.deadline,
        view.solicitation.closed_early_reason.as_deref(),
        tz,
    )
    .unwrap_or_else(|| {
        if view.solicitation.deadline <= now {
            t.t("dept.closed")
        } else {
            t.t("dept.ended")
        }
    });
    let versions = view
        .versions
        .iter()
        .map(|v| VersionLine {
            version: v.version,
            kind: t.t(&format!("solicit.kind.{}", v.kind)),
            channel: t.t(&format!("channel.{}", v.channel)),
            at: format_local(v.submitted_at, tz),
            opinions: v.opinion_count,
            note: v.note.clone().unwrap_or_default(),
            attachment_id: v.attachment_id.clone(),
        })
        .collect();
    let page = ReplyPage {
        title: view.consultation.title.clone(),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        unit_name: view.unit_name.clone(),
        consultation_id: view.consultation.id.clone(),
        draft_title: view.consultation.draft_title.clone(),
        deadline: format_local(view.solicitation.deadline, tz),
        standing: t.t(&format!("solicit.standing.{}", view.standing.key())),
        open: view.open || target.on_paper,
        action: target.action(),
        on_paper: target.on_paper,
        rows,
        note,
        office_note: view.solicitation.note.clone(),
        closed_message,
        clauses: tree
            .as_ref()
            .map(|tr| flatten(&t, &tr.clauses))
            .unwrap_or_default(),
        versions,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        saved,
        t,
    };
    if page.errors.is_empty() {
        page::html(&page)
    } else {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// Reads the reply form (multipart: rows `clause_N` / `body_N`, `no_comment`, `note`, and an
/// optional file `file`), stores the attachment and records the reply.
pub async fn receive_reply(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    t: Tr,
    target: ReplyTarget,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let up = read_upload(&req, payload).await?;
    csrf::verify(&session, up.field("csrf_token").unwrap_or(""))?;
    let rows = form_rows(&up.fields);
    if up.field("add_row").is_some() {
        // One more block, keeping what was typed; nothing is saved.
        let note = up.field("note").unwrap_or("").to_string();
        return render_reply(
            &state,
            &user,
            &session,
            t,
            target,
            FormState {
                submitted: Some((rows, 1, note)),
                ..FormState::default()
            },
        )
        .await;
    }
    let no_comment = up.field("no_comment").is_some();
    let note = up.field("note").unwrap_or("").to_string();
    let input = ReplyInput {
        opinions: if no_comment {
            Vec::new()
        } else {
            rows.iter()
                .map(|r| ReplyOpinionInput {
                    clause_ids: r.clause_ids.clone(),
                    body: r.body.clone(),
                })
                .collect()
        },
        no_comment,
        note: Some(note.clone()),
        attachment_id: None,
        on_paper: target.on_paper,
    };
    let (actor, cid, uid) = (
        user.actor(),
        target.consultation_id.clone(),
        target.unit_id.clone(),
    );
    let data_dir = state.config.data_dir.clone();
    let (filename, bytes) = (up.filename.clone(), up.bytes);
    let result = state
        .with_conn(move |conn| {
            let mut input = input;
            if !bytes.is_empty() {
                let a =
                    app::attachments::store(conn, &data_dir, filename.as_deref(), &bytes, &actor)?;
                input.attachment_id = Some(a.id);
            }
            Ok(app::solicitations::reply(conn, &cid, &uid, input, &actor)?)
        })
        .await;
    match result {
        Ok(_) if target.on_paper => Ok(page::see_other(&format!(
            "/staff/consultations/{}/solicitations",
            target.consultation_id
        ))),
        Ok(_) => Ok(page::see_other(&format!("{}?saved=1", target.action()))),
        Err(AppError::Validation(errors)) => {
            render_reply(
                &state,
                &user,
                &session,
                t,
                target,
                FormState {
                    submitted: Some((rows, 0, note)),
                    errors,
                    saved: false,
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The opinion blocks of a submitted form, in their order: `body_N` with every `clause_N`
/// ticked (any number of blocks; the use case limits how many are kept). Blocks are numbered
/// again from 0.
fn form_rows(fields: &[(String, String)]) -> Vec<FormRow> {
    let mut blocks: std::collections::BTreeMap<usize, (String, Vec<String>)> = Default::default();
    for (k, v) in fields {
        if let Some(n) = k
            .strip_prefix("body_")
            .and_then(|n| n.parse::<usize>().ok())
        {
            blocks.entry(n).or_default().0 = v.clone();
        }
    }
    for (k, v) in fields {
        let Some(n) = k
            .strip_prefix("clause_")
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        let v = v.trim();
        if let (Some(b), false) = (blocks.get_mut(&n), v.is_empty()) {
            b.1.push(v.to_string());
        }
    }
    blocks
        .into_values()
        .enumerate()
        .map(|(n, (body, clause_ids))| FormRow {
            n,
            clause_ids,
            body,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::form_rows;

    fn f(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn blocks_are_read_in_order_with_every_clause() {
        let rows = form_rows(&[
            f("csrf_token", "x"),
            f("body_10", "第三条"),
            f("clause_10", "c3"),
            f("body_0", "第一条"),
            f("clause_0", "c1"),
            f("clause_0", "c2"),
            f("clause_0", " "),
            f("body_2", "第二条"),
            f("clause_7", "orphan"),
        ]);
        let got: Vec<(usize, &str, Vec<&str>)> = rows
            .iter()
            .map(|r| {
                (
                    r.n,
                    r.body.as_str(),
                    r.clause_ids.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "第一条", vec!["c1", "c2"]),
                (1, "第二条", vec![]),
                (2, "第三条", vec!["c3"]),
            ]
        );
    }
}
