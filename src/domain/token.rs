//! Secrets handed to people: API tokens, reset links. Only their SHA-256 is stored.

use rand::Rng;
use sha2::{Digest, Sha256};

/// Prefix that makes a yijian API token recognisable (in logs, secret scanners).
pub const API_TOKEN_PREFIX: &str = "yj_";

/// A new random secret of 32 bytes from `rng` (the caller passes `rand::rng()`), as `prefix` +
/// 64 hex digits.
pub fn new_secret(prefix: &str, rng: &mut impl Rng) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// Whether a string has the shape of an API token (cheap check before a database look-up).
pub fn looks_like_api_token(s: &str) -> bool {
    s.len() == API_TOKEN_PREFIX.len() + 64
        && s.starts_with(API_TOKEN_PREFIX)
        && s[API_TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hash_stably() {
        let a = new_secret(API_TOKEN_PREFIX, &mut rand::rng());
        let b = new_secret(API_TOKEN_PREFIX, &mut rand::rng());
        assert_ne!(a, b);
        assert!(looks_like_api_token(&a));
        assert!(!looks_like_api_token("yj_xyz"));
        assert!(!looks_like_api_token(&a.replace("yj_", "zz_")));
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
        assert_eq!(hash_secret(&a).len(), 64);
    }
}
