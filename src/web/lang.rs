//! The reader's language: `?lang=` (remembered in a cookie), else the cookie, else
//! `Accept-Language`, else zh-CN.

use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::i18n::{Locale, Tr};

pub const LANG_COOKIE: &str = "lang";

/// The `lang` query parameter, when it names a supported language.
pub fn query_locale(query: &str) -> Option<Locale> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Locale::parse(&v))
}

pub fn locale_of(req: &HttpRequest) -> Locale {
    if let Some(l) = query_locale(req.query_string()) {
        return l;
    }
    if let Some(l) = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Locale::parse(c.value()))
    {
        return l;
    }
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

/// The cookie that remembers a language chosen with `?lang=`.
pub fn lang_cookie(locale: Locale) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, locale.code())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .finish()
}

/// Extractor: the translator for this request.
pub struct Lang(pub Tr);

impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang(Tr::new(locale_of(req)))))
    }
}
