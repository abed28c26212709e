//! Configuration: built-in defaults < optional `yijian.toml` < `YIJIAN_*` environment variables.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Settings as written by the operator. Every field can be set in `yijian.toml` or as
/// `YIJIAN_<FIELD>` in the environment (upper case).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// Address to listen on.
    pub bind: String,
    /// Directory for the embedded database, the secret key, mail files and attachments.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; defaults to `sqlite://<data_dir>/yijian.db`.
    pub database_url: Option<String>,
    /// Public URL used in emails and links; defaults to `http://<bind>`.
    pub base_url: Option<String>,
    /// Secret for cookies and tokens (at least 32 characters); generated under the data dir when unset.
    pub secret_key: Option<String>,
    /// Database connections per node.
    pub pool_size: u32,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// `tracing` filter, e.g. `info` or `yijian=debug,info`.
    pub log: String,
    /// The office's UTC offset, in which times are entered and shown.
    pub timezone: String,
    /// Take the client address from `X-Forwarded-For` / `Forwarded` (behind a trusted proxy).
    pub trust_proxy: bool,
    /// Public comments accepted per IP address per hour (0: no limit).
    pub comment_rate_per_hour: u32,
    /// Days before a solicitation's deadline when pending units are reminded (0: no reminder
    /// before the deadline; the overdue notice is still sent).
    pub reminder_days: u32,
    /// `smtp://[user:pass@]host[:port][?tls=starttls|opportunistic]` or `smtps://…`; unset:
    /// emails are written as `.eml` files under `<data_dir>/outbox/`.
    pub smtp_url: Option<String>,
    /// The sender of every email, e.g. `意见征集 <noreply@example.gov.cn>`; defaults to
    /// `noreply@<host of base_url>`.
    pub mail_from: Option<String>,
    /// Seconds between looks for due emails when there is nothing to send.
    pub mail_poll_secs: u64,
    /// Delivery attempts before an email is marked failed.
    pub mail_retry_limit: u32,
    /// Days after it failed during which an email that the server may yet take (it was away,
    /// not refusing) is queued again by the sender on its own once deliveries succeed again;
    /// 0: never, only an administrator resends.
    pub mail_redrive_days: u32,
    /// Seconds between the sender's looks for such failed emails (at least 1).
    pub mail_redrive_every_secs: u64,
    /// Report downloads in DOCX, XLSX or CSV rendered at once by one node; more wait their
    /// turn (at least 1).
    pub export_concurrency: usize,
    /// Seconds a worker's claim on an email lasts; a crashed node's emails are sent by
    /// another after it. At least 4; an SMTP conversation may take a quarter of it (at most
    /// 30 s).
    pub mail_lease_secs: u64,
    /// Emails sent at once by one node.
    pub mail_senders: usize,
    /// The site's name in the header and page titles (default: 意见征集).
    pub site_name: Option<String>,
    /// The organiser (主办单位) named in the footer.
    pub site_owner: Option<String>,
    /// The ICP filing number (ICP备案号), linked to the filing site.
    pub site_icp: Option<String>,
    /// The public security filing number (公安备案号).
    pub site_psb: Option<String>,
    /// The government site code (网站标识码).
    pub site_code: Option<String>,
    /// How to reach the organiser (telephone, address or email), in the footer and the
    /// personal-information notice.
    pub site_contact: Option<String>,
    /// The whole personal-information notice (个人信息保护说明) shown at `/privacy`, as text
    /// (paragraphs separated by blank lines); default: a notice in the page's language.
    pub privacy_text: Option<String>,
    /// A file holding that notice (read at start; `privacy_text` wins when both are set).
    pub privacy_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            base_url: None,
            secret_key: None,
            pool_size: 16,
            workers: 0,
            log: "info".into(),
            timezone: "+08:00".into(),
            trust_proxy: false,
            comment_rate_per_hour: 30,
            reminder_days: 3,
            smtp_url: None,
            mail_from: None,
            mail_poll_secs: 5,
            mail_retry_limit: 8,
            mail_redrive_days: 7,
            mail_redrive_every_secs: 900,
            export_concurrency: 1,
            mail_lease_secs: 300,
            mail_senders: 4,
            site_name: None,
            site_owner: None,
            site_icp: None,
            site_psb: None,
            site_code: None,
            site_contact: None,
            privacy_text: None,
            privacy_file: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read or write the secret key file {path}: {source}")]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The configuration in force, with defaults resolved and the data directory created.
#[derive(Clone)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: String,
    pub secret_key: Vec<u8>,
    pub pool_size: u32,
    pub workers: usize,
    pub log: String,
    pub timezone: chrono::FixedOffset,
    pub trust_proxy: bool,
    pub comment_rate_per_hour: u32,
    pub reminder_days: u32,
    /// Secret: holds the SMTP password. Never log it; see `redact_url`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_poll: std::time::Duration,
    pub mail_retry_limit: u32,
    pub mail_redrive_for: std::time::Duration,
    pub mail_redrive_every: std::time::Duration,
    pub export_concurrency: usize,
    pub mail_lease: std::time::Duration,
    pub mail_senders: usize,
    /// The site's identity in the header and footer.
    pub site: SiteIdentity,
    /// The office's own personal-information notice, if it wrote one.
    pub privacy_text: Option<String>,
}

/// Who runs the site, as Chinese government sites show it in their header and footer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteIdentity {
    pub name: Option<String>,
    pub owner: Option<String>,
    pub icp: Option<String>,
    pub psb: Option<String>,
    pub code: Option<String>,
    pub contact: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("base_url", &self.base_url)
            .field("secret_key", &"<redacted>")
            .field("pool_size", &self.pool_size)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads `config_file` (when it exists) and then the environment over the defaults.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let file = config_file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("yijian.toml"));
        Self::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed("YIJIAN_").ignore(&["config", "test_postgres_url"])),
        )
    }

    fn from_figment(f: Figment) -> Result<Self, ConfigError> {
        f.extract()
            .map_err(|e| ConfigError::Invalid(e.to_string().replace('\n', " ")))
    }

    /// Resolves defaults that depend on other settings, creates the data directory and loads
    /// (or creates) the secret key.
    pub fn resolve(self) -> Result<Config, ConfigError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|source| ConfigError::DataDir {
            path: self.data_dir.clone(),
            source,
        })?;
        let database_url = match self.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("yijian.db").display()),
        };
        let base_url = match self.base_url {
            Some(u) if !u.trim().is_empty() => {
                let u = u.trim().trim_end_matches('/').to_string();
                url::Url::parse(&u).map_err(|e| {
                    ConfigError::Invalid(format!("YIJIAN_BASE_URL {u:?} is not a URL: {e}"))
                })?;
                u
            }
            _ => format!("http://{}", self.bind),
        };
        let secret_key = match self.secret_key {
            Some(k) if !k.is_empty() => {
                if k.len() < 32 {
                    return Err(ConfigError::Invalid(
                        "YIJIAN_SECRET_KEY must be at least 32 characters".into(),
                    ));
                }
                k.into_bytes()
            }
            _ => load_or_create_secret(&self.data_dir.join("secret.key"))?,
        };
        if self.pool_size == 0 {
            return Err(ConfigError::Invalid(
                "YIJIAN_POOL_SIZE must be at least 1".into(),
            ));
        }
        let timezone = crate::domain::time::parse_offset(&self.timezone).ok_or_else(|| {
            ConfigError::Invalid(format!(
                "YIJIAN_TIMEZONE {:?} is not a UTC offset such as +08:00",
                self.timezone
            ))
        })?;
        let smtp_url = self
            .smtp_url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &smtp_url {
            SmtpUrl::parse(u).map_err(ConfigError::Invalid)?;
        }
        let mail_from = match self.mail_from {
            Some(f) if !f.trim().is_empty() => f.trim().to_string(),
            _ => format!("noreply@{}", crate::domain::mail::host_of(&base_url)),
        };
        mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                ConfigError::Invalid(format!(
                    "YIJIAN_MAIL_FROM {mail_from:?} is not an address such as 意见征集 <noreply@example.gov.cn>: {e}"
                ))
            })?;
        if self.mail_poll_secs == 0 {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_POLL_SECS must be at least 1".into(),
            ));
        }
        if self.mail_retry_limit == 0 {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_RETRY_LIMIT must be at least 1".into(),
            ));
        }
        if self.mail_redrive_days > 366 {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_REDRIVE_DAYS must be at most 366".into(),
            ));
        }
        if self.mail_redrive_every_secs == 0 {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_REDRIVE_EVERY_SECS must be at least 1".into(),
            ));
        }
        if !(1..=64).contains(&self.export_concurrency) {
            return Err(ConfigError::Invalid(
                "YIJIAN_EXPORT_CONCURRENCY must be between 1 and 64".into(),
            ));
        }
        if self.mail_lease_secs < 4 {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_LEASE_SECS must be at least 4".into(),
            ));
        }
        if !(1..=64).contains(&self.mail_senders) {
            return Err(ConfigError::Invalid(
                "YIJIAN_MAIL_SENDERS must be between 1 and 64".into(),
            ));
        }
        let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let privacy_text = match (given(self.privacy_text), &self.privacy_file) {
            (Some(t), _) => Some(t),
            (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                ConfigError::Invalid(format!(
                    "YIJIAN_PRIVACY_FILE {}: cannot read it: {e}",
                    path.display()
                ))
            })?)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
            (None, None) => None,
        };
        let site = SiteIdentity {
            name: given(self.site_name),
            owner: given(self.site_owner),
            icp: given(self.site_icp),
            psb: given(self.site_psb),
            code: given(self.site_code),
            contact: given(self.site_contact),
        };
        Ok(Config {
            site,
            privacy_text,
            mail_senders: self.mail_senders,
            smtp_url,
            mail_from,
            mail_poll: std::time::Duration::from_secs(self.mail_poll_secs),
            mail_retry_limit: self.mail_retry_limit,
            mail_redrive_for: std::time::Duration::from_secs(
                u64::from(self.mail_redrive_days) * 24 * 3600,
            ),
            mail_redrive_every: std::time::Duration::from_secs(self.mail_redrive_every_secs),
            export_concurrency: self.export_concurrency,
            mail_lease: std::time::Duration::from_secs(self.mail_lease_secs),
            timezone,
            trust_proxy: self.trust_proxy,
            comment_rate_per_hour: self.comment_rate_per_hour,
            reminder_days: self.reminder_days,
            bind: self.bind,
            data_dir: self.data_dir,
            database_url,
            base_url,
            secret_key,
            pool_size: self.pool_size,
            workers: self.workers,
            log: self.log,
        })
    }
}

impl Config {
    /// Whether cookies must be marked `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, ConfigError> {
    let err = |source| ConfigError::SecretFile {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(s) if s.trim().len() >= 64 => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the file is shorter than 64 characters; delete it to generate a new key",
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    write_private(path, key.as_bytes()).map_err(err)?;
    Ok(key.into_bytes())
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// A database URL with any password replaced, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (`smtp://host:25`, a relay on a trusted network).
    None,
    /// STARTTLS, required (`?tls=starttls`).
    StartTls,
    /// STARTTLS when the server offers it, plain text otherwise (`?tls=opportunistic`).
    Opportunistic,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// A parsed `YIJIAN_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<(String, String)>,
    /// A PEM file of certificates to trust besides the public roots (`?ca=/path`): a relay
    /// with a certificate from an internal authority, or self-signed.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl SmtpUrl {
    /// `smtp://[user:pass@]host[:port][?tls=none|starttls|opportunistic][&ca=PEM]` or
    /// `smtps://[user:pass@]host[:port][?ca=PEM]`. Ports default to 25 (plain, opportunistic),
    /// 587 (STARTTLS) and 465 (`smtps`). User and password are percent-decoded.
    pub fn parse(s: &str) -> Result<Self, String> {
        let shown = redact_url(s);
        let u = url::Url::parse(s.trim())
            .map_err(|e| format!("YIJIAN_SMTP_URL {shown:?} is not a URL: {e}"))?;
        let tls_param = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_ascii_lowercase());
        let tls = match (u.scheme(), tls_param.as_deref()) {
            ("smtps", None | Some("implicit" | "tls" | "wrapper")) => TlsMode::Implicit,
            ("smtp", None | Some("none" | "plain" | "off")) => TlsMode::None,
            ("smtp", Some("starttls" | "required")) => TlsMode::StartTls,
            ("smtp", Some("opportunistic")) => TlsMode::Opportunistic,
            ("smtp" | "smtps", Some(other)) => {
                return Err(format!(
                    "YIJIAN_SMTP_URL {shown:?}: tls={other} is not one of none, starttls, opportunistic"
                ));
            }
            (other, _) => {
                return Err(format!(
                    "YIJIAN_SMTP_URL {shown:?}: the scheme {other:?} is not smtp:// or smtps://"
                ));
            }
        };
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("YIJIAN_SMTP_URL {shown:?} names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = u.port().unwrap_or(match tls {
            TlsMode::Implicit => 465,
            TlsMode::StartTls => 587,
            TlsMode::None | TlsMode::Opportunistic => 25,
        });
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| format!("YIJIAN_SMTP_URL {shown:?}: bad escape"))
        };
        let credentials = if u.username().is_empty() {
            None
        } else {
            Some((decode(u.username())?, decode(u.password().unwrap_or(""))?))
        };
        let ca_file = u
            .query_pairs()
            .find(|(k, _)| k == "ca")
            .map(|(_, v)| PathBuf::from(v.into_owned()))
            .filter(|p| !p.as_os_str().is_empty());
        if ca_file.is_some() && tls == TlsMode::None {
            return Err(format!(
                "YIJIAN_SMTP_URL {shown:?}: ca= needs tls=starttls, tls=opportunistic or smtps://"
            ));
        }
        Ok(Self {
            host,
            port,
            tls,
            credentials,
            ca_file,
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn precedence_defaults_then_file_then_env() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "yijian.toml",
                "bind = \"0.0.0.0:9000\"\npool_size = 4\nlog = \"debug\"\n",
            )?;
            jail.set_env("YIJIAN_POOL_SIZE", "7");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "0.0.0.0:9000", "file overrides default");
            assert_eq!(s.pool_size, 7, "environment overrides file");
            assert_eq!(s.log, "debug");
            assert_eq!(s.data_dir, PathBuf::from("data"), "default kept");
            Ok(())
        });
    }

    #[test]
    fn explicit_config_file_and_bad_values() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("other.toml", "pool_size = \"many\"\n")?;
            let e = Settings::load(Some(Path::new("other.toml"))).err();
            assert!(
                e.map(|e| e.to_string().contains("pool_size"))
                    .unwrap_or(false)
            );
            Ok(())
        });
    }

    #[test]
    fn resolve_creates_data_dir_and_persists_secret() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            data_dir: dir.path().join("d"),
            ..Settings::default()
        };
        let c1 = s.clone().resolve().unwrap();
        assert!(dir.path().join("d/secret.key").exists());
        assert_eq!(
            c1.database_url,
            format!("sqlite://{}", dir.path().join("d/yijian.db").display())
        );
        assert_eq!(c1.base_url, "http://127.0.0.1:8080");
        let c2 = s.resolve().unwrap();
        assert_eq!(
            c1.secret_key, c2.secret_key,
            "the key is kept, not regenerated"
        );
        assert!(c1.secret_key.len() >= 64);
    }

    #[test]
    fn short_secret_and_bad_base_url_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            data_dir: dir.path().to_path_buf(),
            secret_key: Some("short".into()),
            ..Settings::default()
        };
        assert!(s.resolve().is_err());
        let s = Settings {
            data_dir: dir.path().to_path_buf(),
            base_url: Some("not a url".into()),
            ..Settings::default()
        };
        assert!(s.resolve().is_err());
    }

    #[test]
    fn mail_settings() {
        let dir = tempfile::tempdir().unwrap();
        let base = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        let c = base.clone().resolve().unwrap();
        assert_eq!(c.smtp_url, None, "files unless SMTP is configured");
        assert_eq!(c.mail_from, "noreply@127.0.0.1");
        assert_eq!(c.mail_retry_limit, 8);
        assert_eq!(
            c.mail_redrive_for,
            std::time::Duration::from_secs(7 * 24 * 3600),
            "failed mail gets a second chance for a week"
        );
        assert_eq!(c.mail_redrive_every, std::time::Duration::from_secs(900));
        assert_eq!(c.export_concurrency, 1);
        let c = Settings {
            smtp_url: Some("smtp://u:hunter2hunter2@mail.example.org:587?tls=starttls".into()),
            base_url: Some("https://yj.example.gov.cn".into()),
            ..base.clone()
        }
        .resolve()
        .unwrap();
        assert_eq!(c.mail_from, "noreply@yj.example.gov.cn");
        assert!(!format!("{c:?}").contains("hunter2"), "{c:?}");
        for bad in [
            Settings {
                smtp_url: Some("http://mail.example.org".into()),
                ..base.clone()
            },
            Settings {
                mail_from: Some("not an address".into()),
                ..base.clone()
            },
            Settings {
                mail_lease_secs: 2,
                ..base.clone()
            },
            Settings {
                mail_retry_limit: 0,
                ..base.clone()
            },
            Settings {
                mail_redrive_every_secs: 0,
                ..base.clone()
            },
            Settings {
                mail_redrive_days: 400,
                ..base.clone()
            },
            Settings {
                export_concurrency: 0,
                ..base.clone()
            },
        ] {
            assert!(bad.resolve().is_err());
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
