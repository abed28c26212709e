//! What more than one audience of `web` uses: the wording of form errors, a draft's clauses
//! as pages list them, a solicited unit's reply form (the department's own, and staff
//! recording a letter), the comment intake (the form and the API), report downloads and
//! published renderings, and the settings the use cases take from the configuration. The
//! audience folders (public, staff, dept, admin, api, account) use these and never each other.

pub mod clauses;
pub mod reply;
pub mod report;
pub mod revisions;
pub mod submit;

use std::collections::BTreeMap;

use crate::app;
use crate::i18n::Tr;
use crate::web::AppState;

/// A file's size in KB or MB, as people read it.
pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// Field errors of a form, localized, for the template.
pub fn field_errors(t: &Tr, fields: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fields.iter().map(|(k, v)| (k.clone(), t.t(v))).collect()
}

/// All field errors of a form as one localized line, for a page that shows a single message.
pub fn error_line(t: &Tr, fields: &BTreeMap<String, String>) -> String {
    field_errors(t, fields)
        .into_values()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where links in account emails point.
pub fn links(state: &AppState) -> app::accounts::Links {
    app::accounts::Links {
        base_url: state.config.base_url.clone(),
    }
}

/// Where links in solicitation emails point and in which zone their times are written.
pub fn mail_context(state: &AppState) -> app::solicitations::MailContext {
    app::solicitations::MailContext {
        base_url: state.config.base_url.clone(),
        timezone: state.config.timezone,
    }
}
