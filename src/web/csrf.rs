//! CSRF tokens: one random token per session, in a hidden field of every form, checked on
//! every form POST.

use actix_session::Session;
use rand::RngCore;

use super::errors::AppError;

const KEY: &str = "csrf";

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(KEY) {
        return t;
    }
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    let t = hex::encode(b);
    let _ = session.insert(KEY, &t);
    t
}

/// Refuses a form whose token does not match the session's.
pub fn verify(session: &Session, submitted: &str) -> Result<(), AppError> {
    let expected = session
        .get::<String>(KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let a = expected.as_bytes();
    let b = submitted.trim().as_bytes();
    let same = !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same {
        Ok(())
    } else {
        Err(AppError::bad_request("error.csrf", ""))
    }
}
