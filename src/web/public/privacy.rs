//! `/privacy`: the personal-information notice (个人信息保护说明), the office's own text when it
//! configured one.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::lang::Lang;
use crate::web::page::{self, Nav};

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    t: Tr,
    nav: Nav,
    title: String,
    paragraphs: Vec<String>,
}

/// The notice's paragraphs: the configured text, or the default in the page's language with
/// the site's organiser and contact filled in.
pub fn notice(state: &AppState, t: &Tr) -> Vec<String> {
    let text = match &state.config.privacy_text {
        Some(text) => text.clone(),
        None => {
            let owner = state
                .config
                .site
                .owner
                .clone()
                .unwrap_or_else(|| t.t("privacy.default_owner"));
            let contact = state
                .config
                .site
                .contact
                .clone()
                .unwrap_or_else(|| t.t("privacy.default_contact"));
            t.tf(
                "privacy.default",
                &[("owner", owner.as_str()), ("contact", contact.as_str())],
            )
        }
    };
    text.split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `GET /privacy`
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    Lang(t): Lang,
) -> Result<HttpResponse, AppError> {
    page::html(&PrivacyPage {
        title: t.t("privacy.title"),
        nav: Nav::from_session(&session),
        paragraphs: notice(&state, &t),
        t,
    })
}
