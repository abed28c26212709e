//! Staff: invite units to a consultation, watch the solicitation board, record a paper reply.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::{self, solicitations::Invite};
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::mail_context;
use crate::web::shared::reply::{FormState, ReplyTarget, receive_reply, render_reply};
use crate::web::{AppState, csrf};

pub struct Line {
    pub unit_id: String,
    pub unit_name: String,
    pub kind: String,
    pub standing: String,
    pub standing_key: &'static str,
    pub deadline: String,
    pub replied: String,
    pub opinions: i64,
    pub versions: i64,
}

pub struct Pick {
    pub id: String,
    pub name: String,
    pub invited: bool,
}

#[derive(Template)]
#[template(path = "staff/solicitations.html")]
struct BoardPage {
    t: Tr,
    nav: Nav,
    title: String,
    csrf: String,
    consultation_id: String,
    lines: Vec<Line>,
    counts: Vec<(String, usize)>,
    /// Units to pick from, by kind.
    groups: Vec<(String, Vec<Pick>)>,
    can_invite: bool,
    deadline: String,
    /// The note as typed, kept when the form is shown again with errors.
    note: String,
    errors: BTreeMap<String, String>,
    invited: Option<usize>,
}

impl BoardPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BoardQuery {
    invited: Option<usize>,
}

/// The invitation form's state.
#[derive(Default)]
struct InviteForm {
    deadline: String,
    note: String,
    errors: BTreeMap<String, String>,
    invited: Option<usize>,
}

async fn render_board(
    state: &AppState,
    user: &AuthUser,
    session: &Session,
    t: Tr,
    id: String,
    form: InviteForm,
) -> Result<HttpResponse, AppError> {
    let InviteForm {
        deadline,
        note,
        errors,
        invited,
    } = form;
    let actor = user.actor();
    let cid = id.clone();
    let (c, board, units) = state
        .with_conn(move |conn| {
            let board = app::solicitations::board(conn, &cid, &actor)?;
            let c = app::consultations::find(conn, &cid, &actor)?;
            let units = app::units::list(conn, &actor)?;
            Ok((c, board, units))
        })
        .await?;
    let tz = state.config.timezone;
    let invited_ids: Vec<&str> = board.lines.iter().map(|l| l.unit_id.as_str()).collect();
    let pick = |kind: &str| -> Vec<Pick> {
        units
            .iter()
            .filter(|u| u.kind == kind && !u.disabled)
            .map(|u| Pick {
                invited: invited_ids.contains(&u.id.as_str()),
                id: u.id.clone(),
                name: u.name.clone(),
            })
            .collect()
    };
    let page = BoardPage {
        title: format!("{} · {}", t.t("solicit.board"), c.title),
        nav: Nav::from_session(session),
        csrf: csrf::token(session),
        consultation_id: c.id.clone(),
        counts: board
            .counts
            .iter()
            // Closing early happens only when publishing: not a count to show until it did.
            .filter(|(k, n)| **k != "closed_early" || **n > 0)
            .map(|(k, n)| (t.t(&format!("solicit.standing.{k}")), *n))
            .collect(),
        lines: board
            .lines
            .iter()
            .map(|l| Line {
                unit_id: l.unit_id.clone(),
                unit_name: l.unit_name.clone(),
                kind: t.t(&format!("unit.kind_{}", l.unit_kind)),
                standing: t.t(&format!("solicit.standing.{}", l.standing.key())),
                standing_key: l.standing.key(),
                deadline: format_local(l.deadline, tz),
                replied: match (&l.replied_at, &l.replied_by) {
                    (Some(at), Some(by)) => format!("{} · {by}", format_local(*at, tz)),
                    (Some(at), None) => format_local(*at, tz),
                    _ => String::new(),
                },
                opinions: l.opinion_count,
                versions: l.versions,
            })
            .collect(),
        groups: ["department", "district", "other"]
            .into_iter()
            .map(|k| (t.t(&format!("unit.kind_{k}")), pick(k)))
            .filter(|(_, p)| !p.is_empty())
            .collect(),
        can_invite: app::OFFICE.contains(&user.role),
        deadline,
        note,
        errors: errors.iter().map(|(k, v)| (k.clone(), t.t(v))).collect(),
        invited,
        t,
    };
    if page.errors.is_empty() {
        page::html(&page)
    } else {
        page::html_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn board(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    render_board(
        &state,
        &user,
        &session,
        t,
        id.into_inner().to_string(),
        InviteForm {
            invited: query.invited,
            ..InviteForm::default()
        },
    )
    .await
}

/// The invitation form: repeated `unit_id`, `all_departments`, `all_districts`, `deadline`.
pub async fn invite(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner().to_string();
    let f = crate::web::page::Pairs::parse(&body);
    csrf::verify(&session, &f.text("csrf_token"))?;
    let deadline_text = f.text("deadline");
    let note_text = f.text("note");
    let input = Invite {
        unit_ids: f.all("unit_id"),
        all_departments: f.checked("all_departments"),
        all_districts: f.checked("all_districts"),
        deadline: app::solicitations::deadline_end_of_day(&deadline_text, state.config.timezone),
        note: f.opt("note"),
    };
    let mail = mail_context(&state);
    let (actor, cid) = (user.actor(), id.clone());
    let result = state
        .with_conn(move |conn| {
            Ok(app::solicitations::invite(
                conn, &cid, input, &mail, &actor,
            )?)
        })
        .await;
    match result {
        Ok(n) => Ok(page::see_other(&format!(
            "/staff/consultations/{id}/solicitations?invited={n}"
        ))),
        Err(AppError::Validation(errors)) => {
            render_board(
                &state,
                &user,
                &session,
                t,
                id,
                InviteForm {
                    deadline: deadline_text,
                    note: note_text,
                    errors,
                    invited: None,
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn letter_form(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (c, u) = path.into_inner();
    let target = ReplyTarget {
        consultation_id: c.to_string(),
        unit_id: u.to_string(),
        on_paper: true,
    };
    render_reply(&state, &user, &session, t, target, FormState::default()).await
}

pub async fn letter(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (c, u) = path.into_inner();
    let target = ReplyTarget {
        consultation_id: c.to_string(),
        unit_id: u.to_string(),
        on_paper: true,
    };
    receive_reply(state, user, session, t, target, req, payload).await
}
