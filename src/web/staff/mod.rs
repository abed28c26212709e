//! The drafting office's pages: consultations, their lifecycle, draft import.

pub mod consultations;
pub mod imports;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(consultations::index))
        .route("/consultations/new", web::get().to(consultations::new_form))
        .route("/consultations", web::post().to(consultations::create))
        .route("/consultations/{id}", web::get().to(consultations::show))
        .route(
            "/consultations/{id}/open",
            web::post().to(consultations::open),
        )
        .route(
            "/consultations/{id}/close",
            web::post().to(consultations::close),
        )
        .route(
            "/consultations/{id}/drafts/new",
            web::get().to(imports::new_form),
        )
        .route("/consultations/{id}/drafts", web::post().to(imports::stage))
        .route(
            "/consultations/{id}/imports/{import_id}",
            web::get().to(imports::preview),
        )
        .route(
            "/consultations/{id}/imports/{import_id}/ops",
            web::post().to(imports::adjust),
        )
        .route(
            "/consultations/{id}/imports/{import_id}/undo",
            web::post().to(imports::undo),
        )
        .route(
            "/consultations/{id}/imports/{import_id}/save",
            web::post().to(imports::save),
        )
        .route(
            "/consultations/{id}/imports/{import_id}/units",
            web::post().to(imports::add_unit),
        );
}

/// Field errors of a form, localized, for the template.
pub fn field_errors(
    t: &crate::i18n::Tr,
    fields: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    fields.iter().map(|(k, v)| (k.clone(), t.t(v))).collect()
}

/// All field errors of a form as one localized line, for a page that shows a single message.
pub fn error_line(
    t: &crate::i18n::Tr,
    fields: &std::collections::BTreeMap<String, String>,
) -> String {
    field_errors(t, fields)
        .into_values()
        .collect::<Vec<_>>()
        .join(" ")
}
