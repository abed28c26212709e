//! `/api/v1/consultations/{id}/solicitations…`, `/api/v1/solicitations`, `/api/v1/attachments`:
//! the JSON twins of the solicitation board, invitations, the department portal and replies.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::{
    self,
    solicitations::{Invite, ReplyInput},
};
use crate::domain::time::rfc3339;
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::shared::mail_context;
use crate::web::upload::read_upload;

fn board_json(state: &AppState, b: &app::solicitations::Board) -> serde_json::Value {
    let tz = state.config.timezone;
    serde_json::json!({
        "counts": b.counts,
        "solicitations": b.lines.iter().map(|l| serde_json::json!({
            "id": l.solicitation_id,
            "unit_id": l.unit_id,
            "unit": l.unit_name,
            "kind": l.unit_kind,
            "state": l.standing,
            "deadline": rfc3339(l.deadline, tz),
            "replied_at": l.replied_at.map(|t| rfc3339(t, tz)),
            "replied_by": l.replied_by,
            "opinions": l.opinion_count,
            "versions": l.versions,
            "closed_early_at": l.closed_early_at.map(|t| rfc3339(t, tz)),
            "closed_early_reason": l.closed_early_reason,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/consultations/{id}/solicitations`
pub async fn board(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let b = state
        .with_conn(move |conn| Ok(app::solicitations::board(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(board_json(&state, &b)))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InviteBody {
    unit_ids: Vec<String>,
    all_departments: bool,
    all_districts: bool,
    /// RFC 3339, or a local date (the end of that day).
    deadline: String,
    note: Option<String>,
}

/// `POST /api/v1/consultations/{id}/solicitations` with `{unit_ids, deadline, all_departments?,
/// all_districts?, note?}`
pub async fn invite(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<InviteBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let input = Invite {
        unit_ids: body.unit_ids,
        all_departments: body.all_departments,
        all_districts: body.all_districts,
        deadline: app::solicitations::deadline_end_of_day(&body.deadline, state.config.timezone),
        note: body.note,
    };
    let mail = mail_context(&state);
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let b = state
        .with_conn(move |conn| {
            let n = app::solicitations::invite(conn, &id, input, &mail, &actor)?;
            Ok((n, app::solicitations::board(conn, &id, &actor)?))
        })
        .await?;
    let mut json = board_json(&state, &b.1);
    json["invited"] = serde_json::json!(b.0);
    Ok(HttpResponse::Created().json(json))
}

fn unit_json(state: &AppState, v: &app::solicitations::UnitView) -> serde_json::Value {
    let tz = state.config.timezone;
    serde_json::json!({
        "consultation_id": v.consultation.id,
        "unit_id": v.solicitation.unit_id,
        "unit": v.unit_name,
        "state": v.standing,
        "deadline": rfc3339(v.solicitation.deadline, tz),
        "open": v.open,
        "note": v.solicitation.note,
        "closed_early_at": v.solicitation.closed_early_at.map(|at| rfc3339(at, tz)),
        "closed_early_reason": v.solicitation.closed_early_reason,
        "current": v.current,
        "versions": v.versions.iter().map(|r| serde_json::json!({
            "version": r.version,
            "kind": r.kind,
            "channel": r.channel,
            "note": r.note,
            "opinions": r.opinion_count,
            "attachment_id": r.attachment_id,
            "submitted_at": rfc3339(r.submitted_at, tz),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/consultations/{id}/solicitations/{unit_id}`
pub async fn unit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (c, u) = path.into_inner();
    let actor = user.actor();
    let v = state
        .with_conn(move |conn| {
            Ok(app::solicitations::unit_view(
                conn,
                &c.to_string(),
                &u.to_string(),
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(unit_json(&state, &v)))
}

/// `POST /api/v1/consultations/{id}/solicitations/{unit_id}/reply` with
/// `{opinions: [{clause_ids, body}], attachment_id?}` or `{no_comment: true, note?}`
pub async fn reply(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<ReplyInput>,
) -> Result<HttpResponse, AppError> {
    let (c, u) = path.into_inner();
    let (cid, uid) = (c.to_string(), u.to_string());
    let actor = user.actor();
    let v = state
        .with_conn(move |conn| {
            app::solicitations::reply(conn, &cid, &uid, body.into_inner(), &actor)?;
            Ok(app::solicitations::unit_view(conn, &cid, &uid, &actor)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(unit_json(&state, &v)))
}

/// `GET /api/v1/solicitations`: what the caller's unit has been asked about, with the office's
/// note and, when a solicitation closed before its deadline, when, why, and a sentence saying
/// so (`closed_early_message`).
pub async fn portal(
    state: web::Data<AppState>,
    user: AuthUser,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let items = state
        .with_conn(move |conn| Ok(app::solicitations::portal(conn, &actor)?))
        .await?;
    let tz = state.config.timezone;
    Ok(HttpResponse::Ok().json(
        items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "consultation_id": i.consultation_id,
                    "title": i.title,
                    "draft_title": i.draft_title,
                    "deadline": rfc3339(i.deadline, tz),
                    "state": i.standing,
                    "open": i.open,
                    "note": i.note,
                    "closed_early_at": i.closed_early_at.map(|at| rfc3339(at, tz)),
                    "closed_early_reason": i.closed_early_reason,
                    "closed_early_message": app::solicitations::closed_early_text(
                        t.locale,
                        i.closed_early_at,
                        i.deadline,
                        i.closed_early_reason.as_deref(),
                        tz,
                    ),
                })
            })
            .collect::<Vec<_>>(),
    ))
}

/// `POST /api/v1/attachments` (the file as the body, `?filename=`, or multipart field `file`)
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let up = read_upload(&req, payload).await?;
    let actor = user.actor();
    let data_dir = state.config.data_dir.clone();
    let a = state
        .with_conn(move |conn| {
            Ok(app::attachments::store(
                conn,
                &data_dir,
                up.filename.as_deref(),
                &up.bytes,
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "id": a.id,
        "filename": a.filename,
        "media_type": a.media_type,
        "size_bytes": a.size_bytes,
        "sha256": a.sha256,
    })))
}
