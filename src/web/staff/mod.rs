//! The drafting office's pages: consultations, their lifecycle, draft import.

pub mod consultations;
pub mod imports;
pub mod report;
pub mod solicitations;
pub mod triage;

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
