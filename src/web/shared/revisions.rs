//! What the comparison pages and API share: the query of a comparison.

use serde::Deserialize;

use crate::app::revisions;
use crate::export::Format;
use crate::web::errors::AppError;

/// `?from=N&to=M&format=json|html|docx|xlsx&unchanged=true|false`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComparisonParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub format: Option<String>,
    pub unchanged: Option<String>,
}

fn version_no(v: &Option<String>) -> Result<Option<i64>, AppError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::bad_request("revision.error.version_no", s)),
    }
}

impl ComparisonParams {
    pub fn query(&self) -> Result<revisions::ComparisonQuery, AppError> {
        let unchanged = match self.unchanged.as_deref().map(str::trim) {
            None | Some("") | Some("1" | "true" | "on" | "yes") => true,
            Some("0" | "false" | "off" | "no") => false,
            Some(other) => return Err(AppError::bad_request("report.error.switch", other)),
        };
        Ok(revisions::ComparisonQuery {
            from: version_no(&self.from)?,
            to: version_no(&self.to)?,
            unchanged,
        })
    }

    pub fn format(&self) -> Result<Format, AppError> {
        match self.format.as_deref().map(str::trim) {
            None | Some("") | Some("json") => Ok(Format::Json),
            Some("html") => Ok(Format::Html),
            Some("docx") => Ok(Format::Docx),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(other) => Err(AppError::bad_request("report.error.format", other)),
        }
    }
}
