//! Email rules without I/O: the outbox states, the retry schedule, and how an address is shown
//! in logs and on staff pages.

use std::time::Duration;

/// States of an outbox row.
pub const STATES: [&str; 3] = ["queued", "sent", "failed"];

/// Kinds of message the product sends.
pub const KINDS: [&str; 7] = [
    "receipt",
    "invitation",
    "reminder",
    "overdue",
    "assignment",
    "decision",
    "password_reset",
];

/// How long to wait before attempt `attempts + 1`, after `attempts` failed ones (1-based):
/// `base · 2^(attempts−1)`, capped at `max`, then spread by `jitter` ∈ [0, 1) over the upper
/// half of that delay ("equal jitter"), so nodes retrying after one outage do not all come back
/// in the same second.
pub fn backoff(attempts: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = attempts.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << exp).min(max);
    let half = full / 2;
    let spread = half.mul_f64(jitter.clamp(0.0, 1.0));
    half + spread
}

/// Whether the mailer can send to this address, by the rules it reads addresses with: one bare
/// address (no display name, no comment, no domain literal such as `user@[127.0.0.1]`) that
/// lettre reads back unchanged, with a dot in the domain, no white space, at most 254 bytes.
/// Every place an address comes in (comments, users, units) checks it with this, so a receipt
/// or an invitation is never silently impossible. Surrounding white space is ignored.
pub fn is_deliverable_address(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty()
        || s.len() > 254
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return false;
    }
    match s.parse::<lettre::message::Mailbox>() {
        Ok(m) => m.name.is_none() && m.email.to_string() == s,
        Err(_) => false,
    }
}

/// An address as logs and lists show it: the first character of the local part, then `***`,
/// then the domain: `wang.hua@example.org` → `w***@example.org`. Whatever does not look like an
/// address becomes `***`.
pub fn mask_address(address: &str) -> String {
    match address.trim().rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".to_string(),
    }
}

/// `text` with every occurrence of `address` (any case) replaced by its masked form: for
/// server replies such as `550 <wang@example.org>: no such user` before they are logged or
/// stored.
pub fn redact_address(text: &str, address: &str) -> String {
    let address = address.trim();
    if address.is_empty() {
        return text.to_string();
    }
    let lower_text = text.to_lowercase();
    let lower_addr = address.to_lowercase();
    if lower_text.len() != text.len() || !lower_text.contains(&lower_addr) {
        return text.replace(address, &mask_address(address));
    }
    let masked = mask_address(address);
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (i, _) in lower_text.match_indices(&lower_addr) {
        out.push_str(&text[rest..i]);
        out.push_str(&masked);
        rest = i + lower_addr.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// The host part of a base URL (`https://yijian.example.gov.cn:8443/x` →
/// `yijian.example.gov.cn`), for Message-IDs and the default sender; `localhost` when there is
/// none or it is an IPv6 literal.
pub fn host_of(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // An IPv6 literal cannot stand in a Message-ID or an address as it is.
    let host = if authority.starts_with('[') {
        ""
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.is_empty() { "localhost" } else { host }
}

/// A Message-ID for the outbox row `id`: stable, so a message sent again after a crash or a
/// resend carries the same one.
pub fn message_id(id: &str, base_url: &str) -> String {
    format!("<{id}@{}>", host_of(base_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliverable_addresses_are_those_the_mailer_reads() {
        for good in ["a@b.cn", " Wang.Hua@example.org ", "x+tag@sub.example.org"] {
            assert!(is_deliverable_address(good), "{good}");
            assert!(good.trim().parse::<lettre::message::Mailbox>().is_ok());
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.cn",
            "a@b",
            "a b@c.cn",
            "a@b@c.cn",
            "a@.cn",
            "a@b.",
            "user@[127.0.0.1]",
            "Wang <wang@example.org>",
            "a\0@b.cn",
            "a@b.cn (x)",
            "\"a\"@b.cn",
        ] {
            assert!(!is_deliverable_address(bad), "{bad}");
        }
        // What the mailer itself refuses is refused here too.
        assert!(
            "user@[127.0.0.1]"
                .parse::<lettre::message::Mailbox>()
                .is_err()
        );
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_the_upper_half() {
        let base = Duration::from_secs(60);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(1, base, max, 0.0), Duration::from_secs(30));
        assert_eq!(backoff(1, base, max, 0.999_999).as_secs(), 59);
        assert_eq!(backoff(2, base, max, 0.0), Duration::from_secs(60));
        assert_eq!(backoff(3, base, max, 0.5), Duration::from_secs(180));
        assert_eq!(backoff(20, base, max, 0.0), Duration::from_secs(1800));
        assert_eq!(backoff(u32::MAX, base, max, 1.0), Duration::from_secs(3600));
        assert_eq!(backoff(0, base, max, 0.0), Duration::from_secs(30));
        let mut prev = Duration::ZERO;
        for a in 1..=6 {
            let d = backoff(a, base, max, 0.0);
            assert!(d > prev, "grows: {a}");
            prev = d;
        }
    }

    #[test]
    fn addresses_are_masked() {
        assert_eq!(mask_address("wang.hua@example.org"), "w***@example.org");
        assert_eq!(mask_address("王华@例子.中国"), "王***@例子.中国");
        assert_eq!(mask_address("nonsense"), "***");
        assert_eq!(mask_address("@x"), "***");
        assert_eq!(
            redact_address(
                "550 5.1.1 <Wang.Hua@Example.org>: Recipient unknown",
                "wang.hua@example.org"
            ),
            "550 5.1.1 <w***@example.org>: Recipient unknown"
        );
        assert_eq!(redact_address("timed out", "a@b.c"), "timed out");
    }

    #[test]
    fn hosts_and_message_ids() {
        assert_eq!(
            host_of("https://yijian.example.gov.cn:8443/x"),
            "yijian.example.gov.cn"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8080"), "localhost");
        assert_eq!(host_of(""), "localhost");
        assert_eq!(
            message_id("0190", "https://yj.example.org"),
            "<0190@yj.example.org>"
        );
    }
}
