//! The department portal: a solicited unit reads the draft and replies (opinions with an
//! optional official letter, or 无修改意见), and amends its reply until the deadline. Staff use
//! the same form to record a letter received on paper.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::domain::time::format_local;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};
use crate::web::shared::reply::{FormState, ReplyTarget, receive_reply, render_reply};

pub struct PortalLine {
    pub consultation_id: String,
    pub title: String,
    pub draft_title: String,
    pub deadline: String,
    pub standing: String,
    pub standing_key: &'static str,
    /// 征求意见已于… 提前结束（原定截止…）：理由, when it closed early.
    pub closed_early: Option<String>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "dept/index.html")]
struct IndexPage {
    t: Tr,
    nav: Nav,
    title: String,
    lines: Vec<PortalLine>,
}

pub async fn index(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let items = state
        .with_conn(move |conn| Ok(app::solicitations::portal(conn, &actor)?))
        .await?;
    let tz = state.config.timezone;
    let lines = items
        .into_iter()
        .map(|i| PortalLine {
            closed_early: app::solicitations::closed_early_text(
                t.locale,
                i.closed_early_at,
                i.deadline,
                i.closed_early_reason.as_deref(),
                tz,
            ),
            note: i.note,
            deadline: format_local(i.deadline, tz),
            standing: t.t(&format!("solicit.standing.{}", i.standing.key())),
            standing_key: i.standing.key(),
            consultation_id: i.consultation_id,
            title: i.title,
            draft_title: i.draft_title,
        })
        .collect();
    page::html(&IndexPage {
        title: t.t("dept.title"),
        nav: Nav::from_session(&session),
        lines,
        t,
    })
}

fn own_unit(user: &AuthUser) -> Result<String, AppError> {
    user.user.unit_id.clone().ok_or(AppError::Forbidden)
}

pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, AppError> {
    let target = ReplyTarget {
        consultation_id: id.into_inner().to_string(),
        unit_id: own_unit(&user)?,
        on_paper: false,
    };
    render_reply(
        &state,
        &user,
        &session,
        t,
        target,
        FormState {
            saved: query.saved.is_some(),
            ..FormState::default()
        },
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn reply(
    state: web::Data<AppState>,
    user: AuthUser,
    session: Session,
    Lang(t): Lang,
    id: web::Path<uuid::Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let target = ReplyTarget {
        consultation_id: id.into_inner().to_string(),
        unit_id: own_unit(&user)?,
        on_paper: false,
    };
    receive_reply(state, user, session, t, target, req, payload).await
}

/// An attached file, for the office and the unit that sent it.
pub async fn attachment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let data_dir = state.config.data_dir.clone();
    let (a, bytes) = state
        .with_conn(move |conn| Ok(app::attachments::open(conn, &data_dir, &id, &actor)?))
        .await?;
    let disposition = actix_web::http::header::ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![actix_web::http::header::DispositionParam::FilenameExt(
            actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: a.filename.clone().into_bytes(),
            },
        )],
    };
    Ok(HttpResponse::Ok()
        .content_type(a.media_type)
        .insert_header(disposition)
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes))
}
