//! `/api/v1/users`, `/api/v1/tokens`, `/api/v1/me/password`, `/api/v1/me/sessions`,
//! `/api/v1/password-resets`,
//! `/api/v1/units/import`: the JSON twins of the account and directory pages.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::{self, accounts::ChangeUser, users::CreateUser};
use crate::domain::Role;
use crate::web::AppState;
use crate::web::auth::AuthUser;
use crate::web::errors::AppError;
use crate::web::shared::links;
use crate::web::upload::read_upload;

/// `GET /api/v1/users`
pub async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let list = state
        .with_conn(move |conn| Ok(app::accounts::list_users(conn, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserBody {
    email: String,
    name: String,
    role: String,
    unit: Option<String>,
    password: Option<String>,
}

/// `POST /api/v1/users` with `{email, name, role, unit?, password?}`; without a password the
/// person is mailed a link to set one.
pub async fn create_user(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewUserBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let role = b.role.parse::<Role>().map_err(|_| {
        AppError::Validation([("role".to_string(), "user.error.role".to_string())].into())
    })?;
    let input = CreateUser {
        email: b.email,
        name: b.name,
        role,
        unit: b.unit.filter(|u| !u.trim().is_empty()),
        password: b.password,
    };
    let links = links(&state);
    let actor = user.actor();
    let u = state
        .with_conn(move |conn| Ok(app::accounts::add_user(conn, input, &links, &actor)?))
        .await?;
    Ok(HttpResponse::Created().json(u))
}

/// `POST /api/v1/users/{id}` with `{name?, role?, unit?, disabled?}`
pub async fn change_user(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: web::Json<ChangeUser>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    let u = state
        .with_conn(move |conn| {
            Ok(app::accounts::change_user(
                conn,
                &id,
                body.into_inner(),
                &actor,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(u))
}

/// `GET /api/v1/tokens`: the caller's tokens.
pub async fn list_tokens(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let list = state
        .with_conn(move |conn| Ok(app::accounts::my_tokens(conn, &actor)?))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenBody {
    name: String,
}

/// `POST /api/v1/tokens` with `{name}` → `{token}` (shown once).
pub async fn create_token(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let name = body.into_inner().name;
    let secret = state
        .with_conn(move |conn| Ok(app::accounts::create_my_token(conn, &name, &actor)?))
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "token": secret })))
}

/// `DELETE /api/v1/tokens/{id}`
pub async fn revoke_token(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::accounts::revoke_token(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/me/password` with `{current_password, new_password}`
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, AppError> {
    let (actor, keep) = (user.actor(), user.session_id.clone());
    let b = body.into_inner();
    state
        .with_conn(move |conn| {
            Ok(app::accounts::change_password(
                conn,
                &b.current_password,
                &b.new_password,
                &actor,
                keep.as_deref(),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me/sessions`: the caller's signed-in browsers; `current` marks the one this
/// request came with.
pub async fn list_sessions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, AppError> {
    let (actor, current) = (user.actor(), user.session_id.clone());
    let list = state
        .with_conn(move |conn| {
            Ok(app::sessions::my_sessions(
                conn,
                &actor,
                current.as_deref(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// `DELETE /api/v1/me/sessions/{id}`: ends one of the caller's sessions.
pub async fn end_session(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.actor(), id.into_inner().to_string());
    state
        .with_conn(move |conn| Ok(app::sessions::end_session(conn, &id, &actor)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /api/v1/me/sessions`: ends every session of the caller but the one this request
/// came with (with a token, all of them) → `{ended}`.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, AppError> {
    let (actor, current) = (user.actor(), user.session_id.clone());
    let n = state
        .with_conn(move |conn| {
            Ok(app::sessions::end_other_sessions(
                conn,
                &actor,
                current.as_deref(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ended": n })))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ForgotBody {
    email: String,
}

/// `POST /api/v1/password-resets` with `{email}` → 202 whether or not the address has an account.
pub async fn request_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ForgotBody>,
) -> Result<HttpResponse, AppError> {
    let email = body.into_inner().email.trim().to_lowercase();
    state.limits.reset_request(&state.client_ip(&req), &email)?;
    let links = links(&state);
    state
        .with_conn(move |conn| Ok(app::accounts::request_reset(conn, &email, &links)?))
        .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"status": "accepted"})))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResetBody {
    new_password: String,
}

/// `POST /api/v1/password-resets/{secret}` with `{new_password}`
pub async fn reset(
    state: web::Data<AppState>,
    secret: web::Path<String>,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, AppError> {
    let secret = secret.into_inner();
    let p = body.into_inner().new_password;
    state
        .with_conn(move |conn| Ok(app::accounts::reset_password(conn, &secret, &p)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/units/import`: a CSV as the body (or multipart field `file`).
pub async fn import_units(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let up = read_upload(&req, payload).await?;
    let actor = user.actor();
    let report = state
        .with_conn(move |conn| Ok(app::units::import_csv(conn, &up.bytes, &actor)?))
        .await?;
    // Saved, perhaps without lines another user's change refused meanwhile (listed in it).
    if report.saved {
        Ok(HttpResponse::Ok().json(report))
    } else {
        Ok(HttpResponse::UnprocessableEntity().json(serde_json::json!({
            "error": "validation",
            "lines": report.errors.iter().map(|(line, key)| serde_json::json!({
                "line": line,
                "message": crate::i18n::t(crate::i18n::Locale::ZhCn, key),
                "code": key,
            })).collect::<Vec<_>>(),
        })))
    }
}
