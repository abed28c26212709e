//! The messages yijian sends, each rendered from its pair of templates under
//! `frontend/templates/mail/` (HTML and plain text) in the recipient's language, with links on
//! the product's base URL.
//!
//! Every function returns the outbox row to write with [`crate::db::outbox::insert`] inside the
//! transaction of the change that causes the email, so the email exists exactly when the change
//! does. Paths passed in (`reply_path`, `report_path`…) start with `/` and are joined to
//! `base_url` (no trailing slash, as `Config::base_url` is).

use askama::Template;

use super::Error;
use crate::db::outbox::NewOutbox;
use crate::domain::mail::message_id;
use crate::i18n::{Locale, Tr};

/// A comment's receipt: what was received and its tracking code.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub tracking_code: String,
    pub consultation_title: String,
    /// The comment as received.
    pub comment: String,
}

/// A unit invited to comment on a consultation (定向征求).
#[derive(Debug, Clone)]
pub struct Invitation {
    pub unit_name: String,
    pub consultation_title: String,
    pub consultation_slug: String,
    /// The reply deadline as people read it, in the office's time zone.
    pub deadline: String,
    /// Where the unit's users reply, e.g. `/dept/consultations/{id}`.
    pub reply_path: String,
    /// What the office wrote to the units when inviting them (给单位的说明), if anything.
    pub note: Option<String>,
}

/// A reminder to a unit that has not replied: before the deadline (`days` left) or after it
/// (`days` overdue).
#[derive(Debug, Clone)]
pub struct Reminder {
    pub unit_name: String,
    pub consultation_title: String,
    pub consultation_slug: String,
    pub deadline: String,
    pub days: i64,
    pub reply_path: String,
}

/// The notice to a unit that had not replied that the solicitation closed before its
/// deadline, and why.
#[derive(Debug, Clone)]
pub struct SolicitationClosed {
    pub unit_name: String,
    pub consultation_title: String,
    /// When it closed and the deadline it had, as people read them.
    pub closed_on: String,
    pub deadline: String,
    pub reason: String,
    /// The unit's page, e.g. `/dept/consultations/{id}`.
    pub page_path: String,
}

/// Opinions assigned to a handler.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub handler_name: String,
    /// Who assigned them, as shown to people.
    pub assigned_by: String,
    pub consultation_title: String,
    pub opinion_count: usize,
    /// Where the handler finds them, e.g. `/staff/consultations/{id}/opinions?assignee=me`.
    pub path: String,
}

/// One decided opinion of a commenter, as published.
#[derive(Debug, Clone)]
pub struct DecidedOpinion {
    pub opinion: String,
    /// The status as the published report words it (已采纳, 部分采纳…).
    pub status: String,
    pub rationale: Option<String>,
}

/// What became of a commenter's opinions, sent when the report is published.
#[derive(Debug, Clone)]
pub struct DecisionNotice {
    pub tracking_code: String,
    pub consultation_title: String,
    pub opinions: Vec<DecidedOpinion>,
    /// The published report, e.g. `/c/{slug}/report`.
    pub report_path: String,
}

/// A link to choose a new password.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub name: String,
    /// The page with the one-time token, e.g. `/password/reset/{token}`.
    pub reset_path: String,
    pub valid_minutes: i64,
}

#[derive(Template)]
#[template(path = "mail/receipt.html")]
struct ReceiptHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Receipt,
    track_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/receipt.txt")]
struct ReceiptText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Receipt,
    track_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Invitation,
    read_url: &'a str,
    reply_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Invitation,
    read_url: &'a str,
    reply_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/solicitation_closed.html")]
struct SolicitationClosedHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a SolicitationClosed,
    intro: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/solicitation_closed.txt")]
struct SolicitationClosedText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a SolicitationClosed,
    intro: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reminder.html")]
struct ReminderHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Reminder,
    intro: &'a str,
    read_url: &'a str,
    reply_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reminder.txt")]
struct ReminderText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Reminder,
    intro: &'a str,
    read_url: &'a str,
    reply_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/assignment.html")]
struct AssignmentHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Assignment,
    count: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/assignment.txt")]
struct AssignmentText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a Assignment,
    count: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/decision.html")]
struct DecisionHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a DecisionNotice,
    track_url: &'a str,
    report_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/decision.txt")]
struct DecisionText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a DecisionNotice,
    track_url: &'a str,
    report_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    t: Tr,
    subject: &'a str,
    footer: &'a str,
    base_url: &'a str,
    m: &'a PasswordReset,
    site: &'a str,
    minutes: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    t: Tr,
    footer: &'a str,
    base_url: &'a str,
    m: &'a PasswordReset,
    site: &'a str,
    minutes: &'a str,
    url: &'a str,
}

/// What every message shares.
struct Frame {
    t: Tr,
    footer: String,
}

impl Frame {
    fn new(locale: Locale) -> Self {
        let t = Tr::new(locale);
        let footer = t.tf("mail.common.footer", &[("site", &t.t("site.name"))]);
        Self { t, footer }
    }
}

/// A header line: one line, whatever the data held.
fn one_line(s: String) -> String {
    if s.contains(['\r', '\n']) {
        s.split(['\r', '\n'])
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        s
    }
}

fn render<T: Template>(kind: &'static str, t: &T) -> Result<String, Error> {
    t.render().map_err(|e| Error::Render(kind, e.to_string()))
}

fn row(
    kind: &str,
    locale: Locale,
    to: &str,
    base_url: &str,
    subject: String,
    body_text: String,
    body_html: String,
) -> NewOutbox {
    let id = crate::db::new_id();
    NewOutbox {
        message_id: message_id(&id, base_url),
        id,
        kind: kind.to_string(),
        to_address: to.trim().to_string(),
        locale: locale.code().to_string(),
        subject,
        body_text,
        body_html: Some(body_html),
        related_type: None,
        related_id: None,
    }
}

/// The receipt of a comment as the intake writes it: addressed, with its subject and
/// Message-ID, and no body yet. The sender composes the body from the submission (see
/// [`receipt`] and `mail::worker`), so the comment's text is not stored a second and third
/// time, as plain text and as HTML, in the transaction every comment waits for.
pub fn receipt_pending(locale: Locale, to: &str, base_url: &str, tracking_code: &str) -> NewOutbox {
    let subject = one_line(Tr::new(locale).tf("mail.receipt.subject", &[("code", tracking_code)]));
    let mut m = row(
        "receipt",
        locale,
        to,
        base_url,
        subject,
        String::new(),
        String::new(),
    );
    m.body_html = None;
    m
}

/// Whether a message still waits for its body (see [`receipt_pending`]).
pub fn is_pending(body_text: &str) -> bool {
    body_text.is_empty()
}

/// The receipt of a comment, to the address the commenter gave.
pub fn receipt(locale: Locale, to: &str, base_url: &str, m: &Receipt) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let subject = one_line(f.t.tf("mail.receipt.subject", &[("code", &m.tracking_code)]));
    let track_url = format!("{base_url}/track/{}", m.tracking_code);
    let html = render(
        "receipt",
        &ReceiptHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            track_url: &track_url,
        },
    )?;
    let text = render(
        "receipt",
        &ReceiptText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            track_url: &track_url,
        },
    )?;
    Ok(row("receipt", locale, to, base_url, subject, text, html))
}

/// The invitation of a unit to comment, to each of its addresses.
pub fn invitation(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &Invitation,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let subject = one_line(f.t.tf(
        "mail.invitation.subject",
        &[("title", &m.consultation_title)],
    ));
    let read_url = format!("{base_url}/c/{}", m.consultation_slug);
    let reply_url = format!("{base_url}{}", m.reply_path);
    let html = render(
        "invitation",
        &InvitationHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            read_url: &read_url,
            reply_url: &reply_url,
        },
    )?;
    let text = render(
        "invitation",
        &InvitationText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            read_url: &read_url,
            reply_url: &reply_url,
        },
    )?;
    Ok(row("invitation", locale, to, base_url, subject, text, html))
}

/// The notice to a unit that had not replied that the solicitation closed early.
pub fn solicitation_closed(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &SolicitationClosed,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let subject = one_line(f.t.tf(
        "mail.solicitation_closed.subject",
        &[("title", &m.consultation_title)],
    ));
    let intro = f.t.tf(
        "mail.solicitation_closed.intro",
        &[
            ("title", &m.consultation_title),
            ("closed", &m.closed_on),
            ("deadline", &m.deadline),
        ],
    );
    let url = format!("{base_url}{}", m.page_path);
    let html = render(
        "solicitation_closed",
        &SolicitationClosedHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            intro: &intro,
            url: &url,
        },
    )?;
    let text = render(
        "solicitation_closed",
        &SolicitationClosedText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            intro: &intro,
            url: &url,
        },
    )?;
    Ok(row(
        "solicitation_closed",
        locale,
        to,
        base_url,
        subject,
        text,
        html,
    ))
}

fn reminder_kind(
    kind: &'static str,
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &Reminder,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let days = m.days.to_string();
    let args = [
        ("title", m.consultation_title.as_str()),
        ("deadline", m.deadline.as_str()),
        ("days", days.as_str()),
    ];
    let subject = one_line(f.t.tf(&format!("mail.{kind}.subject"), &args));
    let intro = f.t.tf(&format!("mail.{kind}.intro"), &args);
    let read_url = format!("{base_url}/c/{}", m.consultation_slug);
    let reply_url = format!("{base_url}{}", m.reply_path);
    let html = render(
        kind,
        &ReminderHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            intro: &intro,
            read_url: &read_url,
            reply_url: &reply_url,
        },
    )?;
    let text = render(
        kind,
        &ReminderText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            intro: &intro,
            read_url: &read_url,
            reply_url: &reply_url,
        },
    )?;
    Ok(row(kind, locale, to, base_url, subject, text, html))
}

/// A reminder before the deadline to a unit that has not replied (`m.days` left).
pub fn reminder(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &Reminder,
) -> Result<NewOutbox, Error> {
    reminder_kind("reminder", locale, to, base_url, m)
}

/// A reminder after the deadline to a unit that has not replied (`m.days` overdue).
pub fn overdue(locale: Locale, to: &str, base_url: &str, m: &Reminder) -> Result<NewOutbox, Error> {
    reminder_kind("overdue", locale, to, base_url, m)
}

/// The notice to a handler that opinions were assigned to them.
pub fn assignment(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &Assignment,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let count = m.opinion_count.to_string();
    let subject = one_line(f.t.tf(
        "mail.assignment.subject",
        &[("title", &m.consultation_title), ("count", &count)],
    ));
    let url = format!("{base_url}{}", m.path);
    let html = render(
        "assignment",
        &AssignmentHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            count: &count,
            url: &url,
        },
    )?;
    let text = render(
        "assignment",
        &AssignmentText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            count: &count,
            url: &url,
        },
    )?;
    Ok(row("assignment", locale, to, base_url, subject, text, html))
}

/// What became of a commenter's opinions, when the report is published.
pub fn decision_notice(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &DecisionNotice,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let subject = one_line(f.t.tf("mail.decision.subject", &[("code", &m.tracking_code)]));
    let track_url = format!("{base_url}/track/{}", m.tracking_code);
    let report_url = format!("{base_url}{}", m.report_path);
    let html = render(
        "decision",
        &DecisionHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            track_url: &track_url,
            report_url: &report_url,
        },
    )?;
    let text = render(
        "decision",
        &DecisionText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            track_url: &track_url,
            report_url: &report_url,
        },
    )?;
    Ok(row("decision", locale, to, base_url, subject, text, html))
}

/// A link to choose a new password, to the account's own address.
pub fn password_reset(
    locale: Locale,
    to: &str,
    base_url: &str,
    m: &PasswordReset,
) -> Result<NewOutbox, Error> {
    let f = Frame::new(locale);
    let site = f.t.t("site.name");
    let subject = one_line(f.t.tf("mail.password_reset.subject", &[("site", &site)]));
    let minutes = m.valid_minutes.to_string();
    let url = format!("{base_url}{}", m.reset_path);
    let html = render(
        "password_reset",
        &PasswordResetHtml {
            t: f.t,
            subject: &subject,
            footer: &f.footer,
            base_url,
            m,
            site: &site,
            minutes: &minutes,
            url: &url,
        },
    )?;
    let text = render(
        "password_reset",
        &PasswordResetText {
            t: f.t,
            footer: &f.footer,
            base_url,
            m,
            site: &site,
            minutes: &minutes,
            url: &url,
        },
    )?;
    Ok(row(
        "password_reset",
        locale,
        to,
        base_url,
        subject,
        text,
        html,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://yj.example.org";

    fn receipt_of(comment: &str) -> Receipt {
        Receipt {
            tracking_code: "YJ-7K3F-92QD".into(),
            consultation_title: "关于《实施方案》公开征求意见".into(),
            comment: comment.into(),
        }
    }

    #[test]
    fn receipt_in_both_languages_with_code_and_link() {
        let m = receipt_of("建议<b>增加</b>算力券。\n第二行");
        let zh = receipt(Locale::ZhCn, " wang@example.org ", BASE, &m).unwrap();
        assert_eq!(zh.kind, "receipt");
        assert_eq!(zh.to_address, "wang@example.org");
        assert_eq!(zh.locale, "zh-CN");
        assert_eq!(zh.subject, "意见回执 YJ-7K3F-92QD");
        assert!(zh.message_id.starts_with(&format!("<{}@", zh.id)));
        assert!(zh.message_id.ends_with("@yj.example.org>"));
        let link = "https://yj.example.org/track/YJ-7K3F-92QD";
        assert!(zh.body_text.contains(link), "{}", zh.body_text);
        assert!(zh.body_text.contains("您的意见"));
        assert!(
            zh.body_text.contains("建议<b>增加</b>算力券。\n第二行"),
            "plain text is not escaped"
        );
        let html = zh.body_html.as_deref().unwrap();
        assert!(html.contains(&format!("href=\"{link}\"")));
        assert!(html.contains("增加"));
        assert!(!html.contains("<b>"), "HTML escapes the comment");
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("lang=\"zh-CN\""));

        let en = receipt(Locale::En, "wang@example.org", BASE, &m).unwrap();
        assert_eq!(en.subject, "Receipt for your comment YJ-7K3F-92QD");
        assert!(en.body_text.contains("Tracking code: YJ-7K3F-92QD"));
        assert!(en.body_html.unwrap().contains("lang=\"en\""));
        assert_ne!(zh.id, en.id);
        assert_ne!(zh.message_id, en.message_id);
    }

    #[test]
    fn every_kind_renders_with_its_links() {
        let inv = Invitation {
            unit_name: "市科技局".into(),
            consultation_title: "实施方案".into(),
            consultation_slug: "ai-plan".into(),
            deadline: "2026-12-31 17:00".into(),
            reply_path: "/dept/consultations/42".into(),
            note: Some("请重点研究第三部分<保障措施>。".into()),
        };
        let m = invitation(Locale::ZhCn, "kjj@example.gov.cn", BASE, &inv).unwrap();
        assert!(m.body_text.contains("请重点研究第三部分<保障措施>。"));
        let html = m.body_html.as_deref().unwrap();
        assert!(html.contains("请重点研究第三部分"), "{html}");
        assert!(!html.contains("<保障措施>"), "HTML escapes the note");
        let without = Invitation {
            note: None,
            ..inv.clone()
        };
        let plain = invitation(Locale::ZhCn, "kjj@example.gov.cn", BASE, &without).unwrap();
        assert!(!plain.body_text.contains("起草单位的说明"));
        assert!(m.body_text.contains("起草单位的说明"));

        assert_eq!(m.subject, "征求意见：实施方案");
        assert!(m.body_text.contains("市科技局："));
        assert!(m.body_text.contains("https://yj.example.org/c/ai-plan"));
        assert!(
            m.body_text
                .contains("https://yj.example.org/dept/consultations/42")
        );
        assert!(m.body_text.contains("2026-12-31 17:00"));

        let r = Reminder {
            unit_name: "市科技局".into(),
            consultation_title: "实施方案".into(),
            consultation_slug: "ai-plan".into(),
            deadline: "2026-12-31".into(),
            days: 3,
            reply_path: "/dept/consultations/42".into(),
        };
        let before = reminder(Locale::En, "kjj@example.gov.cn", BASE, &r).unwrap();
        assert_eq!(before.kind, "reminder");
        assert!(
            before.body_text.contains("in 3 days"),
            "{}",
            before.body_text
        );
        let after = overdue(Locale::ZhCn, "kjj@example.gov.cn", BASE, &r).unwrap();
        assert_eq!(after.kind, "overdue");
        assert!(after.subject.starts_with("逾期提醒"));
        assert!(after.body_text.contains("已逾期3天"));

        let a = Assignment {
            handler_name: "李明".into(),
            assigned_by: "张三".into(),
            consultation_title: "实施方案".into(),
            opinion_count: 4,
            path: "/staff/consultations/7".into(),
        };
        let m = assignment(Locale::ZhCn, "li@example.gov.cn", BASE, &a).unwrap();
        assert!(m.subject.contains("4条"));
        assert!(
            m.body_text
                .contains("张三将“实施方案”的4条意见分配给您办理。")
        );
        assert!(
            m.body_text
                .contains("https://yj.example.org/staff/consultations/7")
        );

        let d = DecisionNotice {
            tracking_code: "YJ-7K3F-92QD".into(),
            consultation_title: "实施方案".into(),
            opinions: vec![
                DecidedOpinion {
                    opinion: "扩大算力券范围".into(),
                    status: "已采纳".into(),
                    rationale: None,
                },
                DecidedOpinion {
                    opinion: "取消第三条".into(),
                    status: "未采纳".into(),
                    rationale: Some("与上位法规定不符".into()),
                },
            ],
            report_path: "/c/ai-plan/report".into(),
        };
        let m = decision_notice(Locale::ZhCn, "wang@example.org", BASE, &d).unwrap();
        assert_eq!(m.kind, "decision");
        assert!(
            m.body_text.contains("1. 意见: 扩大算力券范围"),
            "{}",
            m.body_text
        );
        assert!(m.body_text.contains("理由: 与上位法规定不符"));
        assert!(
            m.body_text
                .contains("https://yj.example.org/track/YJ-7K3F-92QD")
        );
        assert!(
            m.body_text
                .contains("https://yj.example.org/c/ai-plan/report")
        );
        let html = m.body_html.unwrap();
        assert!(html.contains("<strong>未采纳</strong>"));

        let p = PasswordReset {
            name: "王华".into(),
            reset_path: "/password/reset/abc".into(),
            valid_minutes: 30,
        };
        let m = password_reset(Locale::En, "wang@example.org", BASE, &p).unwrap();
        assert_eq!(m.kind, "password_reset");
        assert!(m.body_text.contains("within 30 minutes"));
        assert!(
            m.body_text
                .contains("https://yj.example.org/password/reset/abc")
        );
    }

    #[test]
    fn solicitation_closed_names_both_days_and_the_reason() {
        let closed = SolicitationClosed {
            unit_name: "市科技局".into(),
            consultation_title: "实施方案".into(),
            closed_on: "12月3日".into(),
            deadline: "12月10日".into(),
            reason: "按市政府要求提前汇总".into(),
            page_path: "/dept/consultations/42".into(),
        };
        let sc = solicitation_closed(Locale::ZhCn, "kjj@example.gov.cn", BASE, &closed).unwrap();
        assert_eq!(sc.kind, "solicitation_closed");
        assert!(sc.subject.contains("实施方案"));
        assert!(sc.body_text.contains("12月3日"), "{}", sc.body_text);
        assert!(sc.body_text.contains("12月10日"));
        assert!(sc.body_text.contains("按市政府要求提前汇总"));
        assert!(
            sc.body_text
                .contains("https://yj.example.org/dept/consultations/42")
        );
        let sc_en = solicitation_closed(Locale::En, "kjj@example.gov.cn", BASE, &closed).unwrap();
        assert!(sc_en.body_html.unwrap().contains("lang=\"en\""));
    }

    #[test]
    fn subjects_are_one_line() {
        let inv = Invitation {
            unit_name: "u".into(),
            consultation_title: "第一行\r\nBcc: x@evil.example".into(),
            consultation_slug: "s".into(),
            deadline: "d".into(),
            reply_path: "/".into(),
            note: None,
        };
        let m = invitation(Locale::ZhCn, "a@b.example", BASE, &inv).unwrap();
        assert!(!m.subject.contains(['\r', '\n']));
    }
}
