//! The consultation's lifecycle and the rules of its comment window.

use chrono::{Duration, NaiveDateTime};

/// `draft → open → closed → published → archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    Closed,
    Published,
    Archived,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Open,
        Status::Closed,
        Status::Published,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether staff may move a consultation from `self` to `to` by hand.
    pub fn can_become(self, to: Status) -> bool {
        matches!(
            (self, to),
            (Status::Draft, Status::Open)
                | (Status::Open, Status::Closed)
                | (Status::Closed, Status::Open)
                | (Status::Closed, Status::Published)
                | (Status::Published, Status::Published)
                | (Status::Published, Status::Archived)
        )
    }
}

/// 重大行政决策程序暂行条例 第十五条: a window shorter than 30 days needs a recorded reason.
pub const MIN_WINDOW_DAYS: i64 = 30;

pub fn window_needs_reason(opens_at: NaiveDateTime, closes_at: NaiveDateTime) -> bool {
    closes_at - opens_at < Duration::days(MIN_WINDOW_DAYS)
}

/// Whether comments are accepted at `now`.
pub fn accepts_comments(
    status: Status,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    now: NaiveDateTime,
) -> bool {
    status == Status::Open && now >= opens_at && now < closes_at
}

/// What the public sees of the window at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    NotYetOpen,
    Open,
    Closed,
}

pub fn window_state(
    status: Status,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    now: NaiveDateTime,
) -> WindowState {
    match status {
        Status::Draft => WindowState::NotYetOpen,
        Status::Open if now < opens_at => WindowState::NotYetOpen,
        Status::Open if now < closes_at => WindowState::Open,
        _ => WindowState::Closed,
    }
}

/// A slug is lower-case ASCII letters, digits and hyphens, 3–60 characters, not starting or
/// ending with a hyphen.
pub fn is_valid_slug(s: &str) -> bool {
    (3..=60).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A default slug: the opening date and four random characters, e.g. `20261123-k7qd`.
pub fn default_slug(opens_at: NaiveDateTime, random: u32) -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut r = random;
    let mut tail = String::new();
    for _ in 0..4 {
        tail.push(ALPHABET[(r % ALPHABET.len() as u32) as usize] as char);
        r /= ALPHABET.len() as u32;
    }
    format!("{}-{tail}", opens_at.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn transitions() {
        assert!(Status::Draft.can_become(Status::Open));
        assert!(Status::Open.can_become(Status::Closed));
        assert!(!Status::Draft.can_become(Status::Closed));
        assert!(!Status::Open.can_become(Status::Published));
        assert!(!Status::Archived.can_become(Status::Open));
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn thirty_day_rule() {
        assert!(window_needs_reason(
            d("2026-01-01 00:00"),
            d("2026-01-30 23:59")
        ));
        assert!(!window_needs_reason(
            d("2026-01-01 00:00"),
            d("2026-01-31 00:00")
        ));
    }

    #[test]
    fn window() {
        let (o, c) = (d("2026-01-01 00:00"), d("2026-02-01 00:00"));
        assert_eq!(
            window_state(Status::Open, o, c, d("2025-12-31 23:59")),
            WindowState::NotYetOpen
        );
        assert_eq!(
            window_state(Status::Open, o, c, d("2026-01-15 00:00")),
            WindowState::Open
        );
        assert_eq!(
            window_state(Status::Open, o, c, d("2026-02-01 00:00")),
            WindowState::Closed
        );
        assert_eq!(
            window_state(Status::Closed, o, c, d("2026-01-15 00:00")),
            WindowState::Closed
        );
        assert_eq!(
            window_state(Status::Draft, o, c, d("2026-01-15 00:00")),
            WindowState::NotYetOpen
        );
        assert!(accepts_comments(Status::Open, o, c, d("2026-01-15 00:00")));
        assert!(!accepts_comments(
            Status::Closed,
            o,
            c,
            d("2026-01-15 00:00")
        ));
    }

    #[test]
    fn slugs() {
        assert!(is_valid_slug("ai-plan-2023"));
        for bad in ["ab", "-abc", "abc-", "AI-plan", "人工智能", "a b c"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        let s = default_slug(d("2026-11-23 00:00"), 123_456);
        assert!(s.starts_with("20261123-") && is_valid_slug(&s), "{s}");
    }
}
