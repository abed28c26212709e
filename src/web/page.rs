//! What every page shares: the signed-in user in the header, and rendering.

use actix_session::Session;
use actix_web::HttpResponse;
use askama::Template;

use super::auth::SESSION_USER_KEY;
use super::csrf;
use super::errors::{AppError, internal};

pub const SESSION_NAME_KEY: &str = "uname";
pub const SESSION_ROLE_KEY: &str = "urole";

/// The header's view of the visitor.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user_name: Option<String>,
    pub role: Option<String>,
    /// The CSRF token for the logout form (only for signed-in users: anonymous pages set no
    /// cookie).
    pub csrf: String,
}

impl Nav {
    pub fn from_session(session: &Session) -> Self {
        let signed_in = session
            .get::<String>(SESSION_USER_KEY)
            .ok()
            .flatten()
            .is_some();
        if !signed_in {
            return Self::default();
        }
        Self {
            user_name: session.get::<String>(SESSION_NAME_KEY).ok().flatten(),
            role: session.get::<String>(SESSION_ROLE_KEY).ok().flatten(),
            csrf: csrf::token(session),
        }
    }

    /// Where the header's workbench link goes for this user.
    pub fn workbench(&self) -> &'static str {
        if self.role.as_deref() == Some("department") {
            "/dept"
        } else {
            "/staff"
        }
    }

    /// Staff and admins keep the units directory.
    pub fn manages_units(&self) -> bool {
        matches!(self.role.as_deref(), Some("staff" | "admin"))
    }

    pub fn is_admin(&self) -> bool {
        self.role.as_deref() == Some("admin")
    }

    pub fn is_office(&self) -> bool {
        matches!(self.role.as_deref(), Some("staff" | "admin" | "approver"))
    }
}

/// A submitted form as name/value pairs: checkboxes repeat a name.
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }
    pub fn opt(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A rendered page.
pub fn html<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(page.render().map_err(internal)?))
}

/// A rendered page with a status other than 200 (a form shown again with its errors).
pub fn html_status<T: Template>(
    status: actix_web::http::StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(page.render().map_err(internal)?))
}

/// After a successful form POST: see the result at `to`.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", to.to_string()))
        .finish()
}

/// A local path to return to after signing in; anything else falls back to `/staff`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/staff".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_be_local() {
        assert_eq!(
            safe_next(Some("/staff/consultations")),
            "/staff/consultations"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/staff", "{bad}");
        }
        assert_eq!(safe_next(None), "/staff");
    }
}
