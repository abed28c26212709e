//! Tracking codes (回执编号): `YJ-7K3F-92QD`. Eight characters from an alphabet without
//! look-alikes (no 0/O, 1/I/L), about 40 bits: unguessable at the rate limits the tracking page
//! keeps, short enough to read out on the phone.

use rand::Rng;

pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new code drawn from `rng` (the caller passes `rand::rng()`).
pub fn new_code(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(12);
    s.push_str("YJ-");
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
    s
}

/// Reads a code as people type it: any case, with or without the prefix and dashes, with the
/// look-alike letters O/I/L read as the digits 0/1, which never occur, so such a code is refused.
pub fn normalise(input: &str) -> Option<String> {
    let cleaned: String = input
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let body = cleaned.strip_prefix("YJ").unwrap_or(&cleaned);
    if body.len() != 8 || !body.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("YJ-{}-{}", &body[..4], &body[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_shape_and_normalise() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let c = new_code(&mut rand::rng());
            assert_eq!(c.len(), 12);
            assert_eq!(normalise(&c), Some(c.clone()));
            assert!(!c[3..].contains(['0', 'O', '1', 'I', 'L']));
            seen.insert(c);
        }
        assert_eq!(seen.len(), 1000);
        assert_eq!(normalise(" yj-7k3f-92qd "), Some("YJ-7K3F-92QD".into()));
        assert_eq!(normalise("7K3F92QD"), Some("YJ-7K3F-92QD".into()));
        assert_eq!(normalise("YJ-7K3F-92Q0"), None);
        assert_eq!(normalise("YJ-7K3F"), None);
        assert_eq!(normalise("../../etc"), None);
    }
}
