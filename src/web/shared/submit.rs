//! A comment as it arrives, by the form or the API: one path for both.

use std::collections::BTreeMap;

use actix_web::HttpRequest;

use crate::app::{self, Actor};
use crate::domain::comment::CommentInput;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::identify;
use crate::web::errors::AppError;

/// The shared path of the form and the API: rate limit, honeypot, checks, durable write.
pub async fn submit_input(
    state: &AppState,
    req: &HttpRequest,
    slug_or_id: &str,
    input: CommentInput,
    t: Tr,
) -> Result<app::intake::Receipt, AppError> {
    let actor = match identify(req.clone()).await? {
        Some(u) => u.actor(),
        None => Actor::public(
            actix_web::HttpMessage::extensions(req)
                .get::<tracing_actix_web::RequestId>()
                .map(|r| r.to_string()),
        ),
    };
    if actor.role.is_none() {
        if let Some(l) = &state.limits.comment_ip {
            l.check(&state.client_ip(req))?;
        }
    }
    if input.is_bot() {
        return Err(AppError::Validation(BTreeMap::from([(
            "spam".to_string(),
            "comment.error.spam".to_string(),
        )])));
    }
    Ok(state
        .intake
        .submit(app::intake::Request {
            consultation: slug_or_id.to_string(),
            input,
            locale: t.locale,
            base_url: state.config.base_url.clone(),
            actor,
        })
        .await?)
}
