//! Times: stored as UTC; entered and shown in the office's fixed UTC offset (default +08:00).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// Parses `+08:00`, `-05:30`, `Z` / `UTC`.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Parses an RFC 3339 time (any offset), or a local `YYYY-MM-DD[ T]HH:MM[:SS]` or `YYYY-MM-DD`
/// (midnight) in `local`; returns UTC.
pub fn parse_datetime(s: &str, local: FixedOffset) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_utc());
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    local
        .from_local_datetime(&naive)
        .single()
        .map(|dt| dt.naive_utc())
}

/// A UTC time shown in `local`, e.g. `2026-11-23 18:00`.
pub fn format_local(utc: NaiveDateTime, local: FixedOffset) -> String {
    local
        .from_utc_datetime(&utc)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A UTC time as RFC 3339 in `local`, for JSON.
pub fn rfc3339(utc: NaiveDateTime, local: FixedOffset) -> String {
    local.from_utc_datetime(&utc).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_parsing() {
        let cst = parse_offset("+08:00").unwrap();
        assert_eq!(cst.local_minus_utc(), 8 * 3600);
        assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
        assert!(parse_offset("8").is_none());
        assert!(parse_offset("+25:00").is_none());
        let a = parse_datetime("2026-12-01", cst).unwrap();
        assert_eq!(a.to_string(), "2026-11-30 16:00:00");
        let b = parse_datetime("2026-12-01T08:00:00+08:00", cst).unwrap();
        assert_eq!(b.to_string(), "2026-12-01 00:00:00");
        let c = parse_datetime("2026-12-01 09:30", cst).unwrap();
        assert_eq!(c.to_string(), "2026-12-01 01:30:00");
        assert!(parse_datetime("tomorrow", cst).is_none());
        assert!(parse_datetime("2026-13-01", cst).is_none());
        assert_eq!(format_local(b, cst), "2026-12-01 08:00");
        assert_eq!(rfc3339(b, cst), "2026-12-01T08:00:00+08:00");
    }
}
