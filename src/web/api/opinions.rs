//! `/api/v1/consultations/{id}/opinions…` and `/api/v1/opinions/{opinion_id}…`: the triage
//! workbench as JSON, on the same use cases as the pages.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::app::triage::{self, AssignInput, BulkAction, DecideInput, InboxQuery};
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;

/// `GET /api/v1/consultations/{id}/opinions?clause=&status=&channel=&unit=&assignee=&cluster=&q=&page=`
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, AppError> {
    let (actor, id, q) = (
        user.actor(),
        id.into_inner().to_string(),
        query.into_inner(),
    );
    let inbox = state
        .with_conn(move |conn| Ok(triage::inbox(conn, &id, q, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(inbox))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkBody {
    pub opinion_ids: Vec<String>,
    pub unit_id: Option<String>,
    pub user_id: Option<String>,
    pub status: String,
    pub rationale: Option<String>,
    pub save_phrase: bool,
}

async fn bulk(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<BulkBody>>,
    kind: &'static str,
) -> Result<HttpResponse, AppError> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    let action = match kind {
        "assign" => BulkAction::Assign(AssignInput {
            unit_id: b.unit_id,
            user_id: b.user_id,
        }),
        "decide" => BulkAction::Decide(DecideInput {
            status: b.status,
            rationale: b.rationale,
            whole_cluster: false,
            save_phrase: b.save_phrase,
            reopen: false,
        }),
        _ => BulkAction::Approve,
    };
    let (actor, id, ids) = (user.actor(), id.into_inner().to_string(), b.opinion_ids);
    let n = state
        .with_conn(move |conn| Ok(triage::bulk(conn, &id, &ids, &action, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "changed": n })))
}

/// `POST /api/v1/consultations/{id}/opinions/bulk/assign` `{opinion_ids, unit_id?, user_id?}`
pub async fn bulk_assign(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<BulkBody>>,
) -> Result<HttpResponse, AppError> {
    bulk(state, user, id, body, "assign").await
}

/// `POST /api/v1/consultations/{id}/opinions/bulk/decide` `{opinion_ids, status, rationale?}`
pub async fn bulk_decide(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<BulkBody>>,
) -> Result<HttpResponse, AppError> {
    bulk(state, user, id, body, "decide").await
}

/// `POST /api/v1/consultations/{id}/opinions/bulk/approve` `{opinion_ids}`
pub async fn bulk_approve(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<BulkBody>>,
) -> Result<HttpResponse, AppError> {
    bulk(state, user, id, body, "approve").await
}

async fn detail_json(
    state: &AppState,
    user: &AuthUser,
    id: String,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let d = state
        .with_conn(move |conn| Ok(triage::detail(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

/// `GET /api/v1/opinions/{opinion_id}`: the opinion, its submission, clause links and
/// suggestions, decision, cluster and history.
pub async fn show(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    detail_json(&state, &user, id.into_inner().to_string()).await
}

/// Runs a change, then answers with the opinion as it now is.
async fn change<F>(
    state: web::Data<AppState>,
    user: AuthUser,
    id: uuid::Uuid,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut crate::app::DbConnection,
            &str,
            &crate::app::Actor,
        ) -> Result<(), crate::app::Error>
        + Send
        + 'static,
{
    let (actor, oid) = (user.actor(), id.to_string());
    state
        .with_conn(move |conn| Ok(f(conn, &oid, &actor)?))
        .await?;
    detail_json(&state, &user, id.to_string()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SummaryBody {
    pub summary: String,
}

/// `POST /api/v1/opinions/{opinion_id}/summary` `{summary}`
pub async fn summary(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<SummaryBody>>,
) -> Result<HttpResponse, AppError> {
    let s = body.map(|b| b.into_inner().summary).unwrap_or_default();
    change(state, user, id.into_inner(), move |c, id, a| {
        triage::edit_summary(c, id, &s, a)
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClausesBody {
    pub link: Vec<String>,
    pub unlink: Vec<String>,
}

/// `POST /api/v1/opinions/{opinion_id}/clauses` `{link: [clause ids], unlink: [clause ids]}`
pub async fn clauses(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<ClausesBody>>,
) -> Result<HttpResponse, AppError> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    change(state, user, id.into_inner(), move |c, id, a| {
        if b.link.is_empty() && b.unlink.is_empty() {
            return Err(crate::app::Error::field(
                "link",
                "triage.error.clause_unknown",
            ));
        }
        for cl in &b.link {
            triage::link_clause(c, id, cl, a)?;
        }
        for cl in &b.unlink {
            triage::unlink_clause(c, id, cl, a)?;
        }
        Ok(())
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SplitBody {
    pub passages: Vec<String>,
}

/// `POST /api/v1/opinions/{opinion_id}/split` `{passages}` → `201 {opinion_ids}`
pub async fn split(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<SplitBody>>,
) -> Result<HttpResponse, AppError> {
    let p = body.map(|b| b.into_inner().passages).unwrap_or_default();
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let ids = state
        .with_conn(move |conn| Ok(triage::split(conn, &id, &p, &actor)?))
        .await?;
    Ok(HttpResponse::Created().json(json!({ "opinion_ids": ids })))
}

/// `POST /api/v1/opinions/{opinion_id}/assign` `{unit_id?, user_id?}` (neither: the lead unit
/// of its clause)
pub async fn assign(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<AssignInput>>,
) -> Result<HttpResponse, AppError> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    change(state, user, id.into_inner(), move |c, id, a| {
        triage::assign(c, id, &b, a)
    })
    .await
}

/// `POST /api/v1/opinions/{opinion_id}/decision` `{status, rationale?, whole_cluster?,
/// save_phrase?}`
pub async fn decide(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<DecideInput>>,
) -> Result<HttpResponse, AppError> {
    let b = body.map(|b| b.into_inner()).unwrap_or_default();
    change(state, user, id.into_inner(), move |c, id, a| {
        triage::decide(c, id, &b, a).map(|_| ())
    })
    .await
}

/// `POST /api/v1/opinions/{opinion_id}/approve`
pub async fn approve(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    change(state, user, id.into_inner(), |c, id, a| {
        triage::approve(c, id, a)
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnBody {
    pub note: String,
}

/// `POST /api/v1/opinions/{opinion_id}/return` `{note}`
pub async fn send_back(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<web::Json<ReturnBody>>,
) -> Result<HttpResponse, AppError> {
    let note = body.map(|b| b.into_inner().note).unwrap_or_default();
    change(state, user, id.into_inner(), move |c, id, a| {
        triage::send_back(c, id, &note, a)
    })
    .await
}

/// `POST /api/v1/opinions/{opinion_id}/detach`: out of its duplicate cluster.
pub async fn detach(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    change(state, user, id.into_inner(), |c, id, a| {
        triage::detach(c, id, a)
    })
    .await
}

/// `GET /api/v1/rationale-phrases`
pub async fn phrases(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let p = state
        .with_conn(move |conn| Ok(triage::phrases(conn, &actor)?))
        .await?;
    let list: Vec<_> = p
        .into_iter()
        .map(|(id, text)| json!({ "id": id, "text": text }))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhraseBody {
    pub text: String,
}

/// `POST /api/v1/rationale-phrases` `{text}`
pub async fn add_phrase(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Option<web::Json<PhraseBody>>,
) -> Result<HttpResponse, AppError> {
    let text = body.map(|b| b.into_inner().text).unwrap_or_default();
    let actor = user.actor();
    state
        .with_conn(move |conn| Ok(triage::add_phrase(conn, &text, &actor)?))
        .await?;
    Ok(HttpResponse::Created().json(json!({})))
}
