//! Where messages go: an SMTP server (`YIJIAN_SMTP_URL`), or, when none is configured, `.eml`
//! files under `<data dir>/outbox/` with a log line each, so a newcomer sees what would have
//! been sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport as _};

use super::Error;
use crate::db::outbox::OutboxMessage;

pub use crate::config::{SmtpUrl, TlsMode};

/// A delivery that did not happen.
#[derive(Debug, Clone)]
pub struct SendError {
    /// No retry can mend it (an address that is not one); otherwise it is tried again.
    pub permanent: bool,
    /// The server answered and refused the message (a 5xx reply, such as an unknown
    /// recipient): it is retried within the retry limit like any failure, but a failure of
    /// this kind is not queued again by the sender on its own afterwards.
    pub refused: bool,
    pub message: String,
}

/// Where a message went.
#[derive(Debug, Clone)]
pub enum Delivered {
    Smtp,
    File(PathBuf),
}

/// A configured transport; clones share the SMTP connection pool.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        mailer: Box<SmtpTransport>,
        /// `host:port`, for logs.
        server: String,
    },
    File {
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp { server, .. } => write!(f, "smtp({server})"),
            Transport::File { dir } => write!(f, "file({})", dir.display()),
        }
    }
}

/// The longest one SMTP conversation may take before it counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The SMTP time-out for a claim lease: short enough that a send begun in the first half of the
/// lease ends before the lease does (see `Worker::run_once`).
pub fn timeout_for_lease(lease: Duration) -> Duration {
    SMTP_TIMEOUT.min(lease / 4).max(Duration::from_millis(500))
}

impl Transport {
    /// An SMTP transport for `url` (see [`SmtpUrl::parse`]) whose conversations give up after
    /// `timeout`. Connects lazily.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Self, Error> {
        let u = SmtpUrl::parse(url).map_err(Error::Config)?;
        let ca = match &u.ca_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    Error::Config(format!("YIJIAN_SMTP_URL ca={}: {e}", path.display()))
                })?;
                Some(Certificate::from_pem(&pem).map_err(|e| {
                    Error::Config(format!("YIJIAN_SMTP_URL ca={}: {e}", path.display()))
                })?)
            }
            None => None,
        };
        let tls = |host: &str| {
            let mut b = TlsParameters::builder(host.to_string());
            if let Some(c) = &ca {
                b = b.add_root_certificate(c.clone());
            }
            b.build()
                .map_err(|e| Error::Config(format!("TLS for {host}: {e}")))
        };
        let mut b = SmtpTransport::builder_dangerous(u.host.as_str()).port(u.port);
        b = match u.tls {
            TlsMode::None => b.tls(Tls::None),
            TlsMode::StartTls => b.tls(Tls::Required(tls(&u.host)?)),
            TlsMode::Opportunistic => b.tls(Tls::Opportunistic(tls(&u.host)?)),
            TlsMode::Implicit => b.tls(Tls::Wrapper(tls(&u.host)?)),
        };
        if let Some((user, pass)) = u.credentials {
            b = b.credentials(Credentials::new(user, pass));
        }
        let mailer = b.timeout(Some(timeout)).build();
        Ok(Transport::Smtp {
            mailer: Box::new(mailer),
            server: format!("{}:{}", u.host, u.port),
        })
    }

    /// `.eml` files in `dir` (created when needed).
    pub fn file(dir: impl Into<PathBuf>) -> Self {
        Transport::File { dir: dir.into() }
    }

    /// SMTP when `smtp_url` is set, else files under `<data dir>/outbox/`.
    pub fn from_config(config: &crate::config::Config) -> Result<Self, Error> {
        match &config.smtp_url {
            Some(url) => Self::smtp(url, timeout_for_lease(config.mail_lease)),
            None => Ok(Self::file(config.data_dir.join("outbox"))),
        }
    }

    /// Sends (or writes) one message.
    pub fn send(&self, m: &OutboxMessage, from: &Mailbox) -> Result<Delivered, SendError> {
        let message = build(m, from).map_err(|message| SendError {
            permanent: true,
            refused: false,
            message,
        })?;
        match self {
            Transport::Smtp { mailer, .. } => match mailer.send(&message) {
                Ok(_) => Ok(Delivered::Smtp),
                Err(e) => Err(SendError {
                    permanent: false,
                    refused: e.is_permanent(),
                    message: describe_smtp_error(&e),
                }),
            },
            Transport::File { dir } => write_eml(dir, &m.id, &message.formatted())
                .map(Delivered::File)
                .map_err(|e| SendError {
                    permanent: false,
                    refused: false,
                    message: format!("cannot write to {}: {e}", dir.display()),
                }),
        }
    }
}

fn describe_smtp_error(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no out-of-office replies to a system's mail.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// `Content-Language` (RFC 3282): the language the message is written in.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The message as it goes out: plain text and, when there is one, its HTML alternative; the
/// row's Message-ID, so every copy of it carries the same one.
pub fn build(m: &OutboxMessage, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("the address is not valid: {e}"))?;
    let b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .header(AutoSubmitted);
    // Only a plain language tag goes into a header.
    let b = if !m.locale.is_empty()
        && m.locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        b.header(ContentLanguage(m.locale.clone()))
    } else {
        b
    };
    let built = match &m.body_html {
        Some(html) => b.multipart(MultiPart::alternative_plain_html(
            m.body_text.clone(),
            html.clone(),
        )),
        None => b.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(m.body_text.clone()),
        ),
    };
    built.map_err(|e| format!("the message cannot be built: {e}"))
}

/// Writes `<dir>/<id>.eml` whole or not at all (a temporary file renamed into place); a second
/// write of the same message replaces the first.
fn write_eml(dir: &Path, id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let name: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let path = dir.join(format!("{name}.eml"));
    let tmp = dir.join(format!(".{name}.eml.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let u =
            SmtpUrl::parse("smtp://user%40x:p%40ss+w@mail.example.org:587?tls=starttls").unwrap();
        assert_eq!(u.host, "mail.example.org");
        assert_eq!(u.port, 587);
        assert_eq!(u.tls, TlsMode::StartTls);
        assert_eq!(
            u.credentials,
            Some(("user@x".to_string(), "p@ss+w".to_string()))
        );
        let u = SmtpUrl::parse("smtp://relay.internal").unwrap();
        assert_eq!((u.port, u.tls, u.credentials), (25, TlsMode::None, None));
        let u = SmtpUrl::parse("smtp://relay.internal?tls=starttls").unwrap();
        assert_eq!((u.port, u.tls), (587, TlsMode::StartTls));
        let u = SmtpUrl::parse("smtp://relay.internal:2525?tls=opportunistic").unwrap();
        assert_eq!((u.port, u.tls), (2525, TlsMode::Opportunistic));
        let u = SmtpUrl::parse("smtps://a:b@smtp.example.org").unwrap();
        assert_eq!((u.port, u.tls), (465, TlsMode::Implicit));
        let u = SmtpUrl::parse("smtp://h?tls=starttls&ca=/etc/yijian/relay.pem").unwrap();
        assert_eq!(u.ca_file, Some(PathBuf::from("/etc/yijian/relay.pem")));
        for bad in [
            "http://x",
            "smtp://",
            "smtp://h?tls=maybe",
            "not a url",
            "smtps://h?tls=starttls",
            "smtp://h?ca=/x.pem",
        ] {
            assert!(SmtpUrl::parse(bad).is_err(), "{bad}");
        }
        let e = SmtpUrl::parse("smtp://u:secret@h?tls=maybe").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        assert!(!format!("{:?}", SmtpUrl::parse("smtp://u:secret@h").unwrap()).contains("secret"));
    }
}
