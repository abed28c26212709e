//! What the session cookie holds, and what every page reads from it: the secret naming the
//! server-side session, the signed-in user's name and role for the header ([`Nav`]), and the
//! form (CSRF) token.

use actix_session::Session;
use rand::RngCore;

/// The key, in the (encrypted) session cookie, of the secret that names the server-side session.
pub const SESSION_SECRET_KEY: &str = "sid";
/// The keys of the signed-in user's name and role, for the header.
pub const SESSION_NAME_KEY: &str = "uname";
pub const SESSION_ROLE_KEY: &str = "urole";

/// What every page's header and footer show besides the visitor: the site's identity, and
/// whether the site still waits for its first administrator.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub site: std::sync::Arc<crate::config::SiteIdentity>,
    pub setup_pending: bool,
}

tokio::task_local! {
    /// The chrome of the request being served (set around every request by the app).
    pub static CHROME: Chrome;
}

/// The current request's chrome (empty outside a request).
pub fn chrome() -> Chrome {
    CHROME.try_with(Chrome::clone).unwrap_or_default()
}

/// The header's view of the visitor.
#[derive(Debug, Clone)]
pub struct Nav {
    pub user_name: Option<String>,
    pub role: Option<String>,
    /// The CSRF token for the logout form (only for signed-in users: anonymous pages set no
    /// cookie).
    pub csrf: String,
    pub chrome: Chrome,
}

impl Default for Nav {
    fn default() -> Self {
        Self {
            user_name: None,
            role: None,
            csrf: String::new(),
            chrome: chrome(),
        }
    }
}

impl Nav {
    pub fn from_session(session: &Session) -> Self {
        let signed_in = session
            .get::<String>(SESSION_SECRET_KEY)
            .ok()
            .flatten()
            .is_some();
        if !signed_in {
            return Self::default();
        }
        Self {
            user_name: session.get::<String>(SESSION_NAME_KEY).ok().flatten(),
            role: session.get::<String>(SESSION_ROLE_KEY).ok().flatten(),
            csrf: csrf_token(session),
            chrome: chrome(),
        }
    }

    /// The site's name as configured, or `fallback` (the catalog's).
    pub fn site_name(&self, fallback: &str) -> String {
        self.chrome
            .site
            .name
            .clone()
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Where the header's workbench link goes for this user.
    pub fn workbench(&self) -> &'static str {
        if self.role.as_deref() == Some("department") {
            "/dept"
        } else {
            "/staff"
        }
    }

    /// Staff and admins keep the units directory.
    pub fn manages_units(&self) -> bool {
        matches!(self.role.as_deref(), Some("staff" | "admin"))
    }

    pub fn is_admin(&self) -> bool {
        self.role.as_deref() == Some("admin")
    }

    pub fn is_office(&self) -> bool {
        matches!(self.role.as_deref(), Some("staff" | "admin" | "approver"))
    }
}

/// The key of the session's form (CSRF) token.
pub(super) const CSRF_KEY: &str = "csrf";

/// The session's token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF_KEY) {
        return t;
    }
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    let t = hex::encode(b);
    let _ = session.insert(CSRF_KEY, &t);
    t
}
