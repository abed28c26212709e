//! What every page shares: the signed-in user in the header, and rendering.

use actix_web::HttpResponse;
use askama::Template;

use super::errors::{AppError, internal};

pub use super::session::Nav;

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
    /// Every field whose name starts with `prefix`: (the rest of the name, value).
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
            .collect()
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
    local_path(next).unwrap_or_else(|| "/staff".to_string())
}

/// `next` when it is a path on this site, made safe for a `Location` header.
///
/// Control characters are removed first (browsers drop tabs and line breaks from URLs, so
/// `/\t/evil.example` would leave the site); what remains must be a path on this site: it
/// starts with one `/`, never `//`, and has no backslash. Characters outside printable ASCII
/// are percent-encoded, so the result is always a valid `Location` header.
pub fn local_path(next: Option<&str>) -> Option<String> {
    let next = next?;
    let clean: String = next.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim_matches(' ');
    let local = clean.starts_with('/')
        && !clean.starts_with("//")
        && !clean.contains('\\')
        // `/%5C…` and `/%2F…` decode to `\` and `/` in some browsers' eyes.
        && !clean
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("/%5c") || p.eq_ignore_ascii_case("/%2f"));
    if !local {
        return None;
    }
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(out)
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
            "/\t/evil.example/x",
            "/\r\n/x",
            "\t//evil.example",
            "/\n/evil.example",
            "/\u{7f}/evil.example",
            " //evil.example",
            "evil.example/x",
            "http:/evil.example",
            "/%5Cevil.example",
            "/%2f/evil.example",
            "/a\\b",
            "",
            "\r\n",
        ] {
            assert_eq!(safe_next(Some(bad)), "/staff", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/staff");
    }

    #[test]
    fn next_is_cleaned_into_a_valid_header() {
        assert_eq!(safe_next(Some("/staff\r\n/x")), "/staff/x");
        assert_eq!(safe_next(Some("/dept?a=1#b")), "/dept?a=1#b");
        assert_eq!(
            safe_next(Some("/c/意见 稿")),
            "/c/%E6%84%8F%E8%A7%81%20%E7%A8%BF"
        );
        for next in ["/staff\r\n/x", "/c/意见 稿", "/a\tb"] {
            let v = safe_next(Some(next));
            assert!(
                actix_web::http::header::HeaderValue::from_str(&v).is_ok(),
                "{v:?}"
            );
        }
    }
}
