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

/// Opinion rows a form offers beyond those already given.
const SPARE_ROWS: usize = 3;

/// One row of the reply form.
pub struct FormRow {
    pub n: usize,
    pub clause_id: String,
    pub body: String,
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
    /// The rows and note as submitted, when shown again with errors.
    pub submitted: Option<(Vec<FormRow>, String)>,
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
    let (mut rows, note) = submitted.unwrap_or_else(|| {
        let rows = view
            .current
            .iter()
            .enumerate()
            .map(|(i, o)| FormRow {
                n: i,
                clause_id: o.clause_ids.first().cloned().unwrap_or_default(),
                body: o.body.clone(),
            })
            .collect::<Vec<_>>();
        (rows, String::new())
    });
    let start = rows.len();
    rows.extend((start..start + SPARE_ROWS).map(|n| FormRow {
        n,
        clause_id: String::new(),
        body: String::new(),
    }));
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
    let mut rows = Vec::new();
    for n in 0..app::solicitations::MAX_OPINIONS {
        let (Some(body), clause) = (
            up.field(&format!("body_{n}")),
            up.field(&format!("clause_{n}")),
        ) else {
            continue;
        };
        rows.push(FormRow {
            n: rows.len(),
            clause_id: clause.unwrap_or("").trim().to_string(),
            body: body.to_string(),
        });
    }
    let no_comment = up.field("no_comment").is_some();
    let note = up.field("note").unwrap_or("").to_string();
    let input = ReplyInput {
        opinions: if no_comment {
            Vec::new()
        } else {
            rows.iter()
                .map(|r| ReplyOpinionInput {
                    clause_ids: if r.clause_id.is_empty() {
                        vec![]
                    } else {
                        vec![r.clause_id.clone()]
                    },
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
                    submitted: Some((rows, note)),
                    errors,
                    saved: false,
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}
