//! A comment as the public (or staff recording a letter) enters it, and its checks.

use std::collections::BTreeMap;

use serde::Deserialize;
use validator::Validate;

pub const MAX_BODY_CHARS: u64 = 10_000;

#[derive(Debug, Clone, Default, Deserialize, Validate)]
#[serde(default)]
pub struct CommentInput {
    /// Clauses the comment is about; empty for the whole text.
    pub clause_ids: Vec<String>,
    #[validate(length(min = 2, max = 10000, code = "comment.error.body"))]
    pub body: String,
    #[validate(length(max = 50, code = "comment.error.name"))]
    pub name: Option<String>,
    #[validate(length(max = 100, code = "comment.error.organization"))]
    pub organization: Option<String>,
    #[validate(
        custom(function = "valid_email", code = "comment.error.email"),
        length(max = 254, code = "comment.error.email")
    )]
    pub email: Option<String>,
    #[validate(custom(function = "valid_phone", code = "comment.error.phone"))]
    pub phone: Option<String>,
    /// Consent to show the name in the published report.
    pub publish_name: bool,
    /// A field people never see; bots fill it.
    pub website: Option<String>,
    /// Makes a repeated POST of the same form one submission.
    #[validate(length(max = 100, code = "comment.error.key"))]
    pub idempotency_key: Option<String>,
    /// `public_web` by default; staff may record `letter`, `email`, `meeting`, `other`.
    pub channel: Option<String>,
}

/// The rules of the mailer, so that a receipt can always be sent.
fn valid_email(e: &str) -> Result<(), validator::ValidationError> {
    if super::mail::is_deliverable_address(e) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("comment.error.email"))
    }
}

fn valid_phone(p: &str) -> Result<(), validator::ValidationError> {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let ok = (5..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || " -+()（）转#".contains(c));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("comment.error.phone"))
    }
}

fn clean(o: &mut Option<String>) {
    *o = o
        .take()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
}

impl CommentInput {
    /// Trims every field and drops empty ones.
    pub fn normalised(mut self) -> Self {
        self.body = self.body.trim().replace("\r\n", "\n");
        clean(&mut self.name);
        clean(&mut self.organization);
        clean(&mut self.email);
        clean(&mut self.phone);
        clean(&mut self.website);
        clean(&mut self.idempotency_key);
        clean(&mut self.channel);
        self.email = self.email.map(|e| e.to_lowercase());
        self.clause_ids.retain(|c| !c.trim().is_empty());
        self.clause_ids.sort();
        self.clause_ids.dedup();
        self
    }

    /// Field → locale key of the message, for every field that fails.
    pub fn check(&self, require_name: bool) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Err(errors) = self.validate() {
            for (field, errs) in errors.field_errors() {
                if let Some(e) = errs.first() {
                    out.insert(field.to_string(), e.code.to_string());
                }
            }
        }
        // Zero-width and other invisible characters make no comment, like white space.
        if super::text::is_blank(&self.body) {
            out.insert("body".into(), "comment.error.body".into());
        }
        if require_name && self.name.is_none() {
            out.insert("name".into(), "comment.error.name_required".into());
        }
        if self.clause_ids.len() > 50 {
            out.insert("clause_ids".into(), "comment.error.clauses".into());
        }
        out
    }

    /// Whether the honeypot was filled (a bot): anything but white space in it, before or
    /// after [`CommentInput::normalised`].
    pub fn is_bot(&self) -> bool {
        self.website
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: &str) -> CommentInput {
        CommentInput {
            body: body.into(),
            ..Default::default()
        }
        .normalised()
    }

    #[test]
    fn checks() {
        assert!(
            input("建议增加人工智能伦理方面的内容。")
                .check(false)
                .is_empty()
        );
        assert_eq!(input("  ").check(false)["body"], "comment.error.body");
        assert_eq!(
            input("\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}").check(false)["body"],
            "comment.error.body"
        );
        assert!(input("\u{200B}意见\u{200B}").check(false).is_empty());
        assert_eq!(
            input(&"长".repeat(10_001)).check(false)["body"],
            "comment.error.body"
        );
        assert!(
            input(&"长".repeat(10_000)).check(false).is_empty(),
            "chars, not bytes"
        );
        let mut i = input("很好的方案");
        i.email = Some("not-an-email".into());
        i.phone = Some("abc".into());
        let e = i.check(true);
        assert_eq!(e["email"], "comment.error.email");
        for refused in ["user@[127.0.0.1]", "Wang <w@example.org>", "w@localhost"] {
            let mut i = input("很好的方案");
            i.email = Some(refused.into());
            assert_eq!(i.check(false)["email"], "comment.error.email", "{refused}");
        }
        assert_eq!(e["phone"], "comment.error.phone");
        assert_eq!(e["name"], "comment.error.name_required");
        let mut i = input("很好的方案");
        i.phone = Some("027-8888 6666转123".into());
        i.email = Some(" Wang@Example.ORG ".into());
        let i = i.normalised();
        assert!(i.check(false).is_empty(), "{:?}", i.check(false));
        assert_eq!(i.email.as_deref(), Some("wang@example.org"));
    }

    #[test]
    fn honeypot_and_clauses() {
        let mut i = input("x y");
        i.website = Some("http://spam".into());
        assert!(i.normalised().is_bot());
        let mut i = input("意见");
        i.clause_ids = vec!["b".into(), "a".into(), "b".into(), " ".into()];
        assert_eq!(i.normalised().clause_ids, ["a", "b"]);
    }
}
