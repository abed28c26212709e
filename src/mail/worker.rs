//! The sending worker: claims due outbox rows, sends each, marks it sent, or reschedules it with
//! exponential backoff and jitter, and after the last allowed attempt marks it failed.
//!
//! A message failed for a reason a later delivery may mend (the server was away) gets a second
//! chance without anyone's help: for `redrive_for` after it failed, every `redrive_every` the
//! sender queues one such message again as a probe, and once a delivery has succeeded since
//! the last time (the server is back), all of them, each with the attempt left before the
//! limit. They are sent through the ordinary claim, so no message goes out twice at once, on
//! one node or several.
//!
//! Delivery is at least once: a row is marked sent only after the server took the message, so
//! a worker that dies in between leaves the row claimed; its lease runs out and a worker sends
//! it again, with the same Message-ID, by which the copy is recognisable.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use lettre::message::Mailbox;

use super::transport::{Delivered, Transport};
use super::{Error, compose};
use crate::db::{self, Database, outbox};
use crate::domain::mail::{backoff, mask_address, redact_address};
use crate::i18n::Locale;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct Options {
    /// How often to look for due rows when there is nothing to send.
    pub poll: Duration,
    /// How long a claim holds; a dead worker's rows are sent by another after it.
    pub lease: Duration,
    /// Rows claimed at once.
    pub batch: i64,
    /// Attempts before a row is marked failed.
    pub max_attempts: u32,
    /// Delay after the first failure; it doubles with each further one.
    pub retry_base: Duration,
    /// Longest delay between two attempts.
    pub retry_max: Duration,
    /// Threads sending at once on one node (each claims its own batches), so a slow server
    /// round trip does not hold up a burst of receipts.
    pub senders: usize,
    /// The site's address, for the links of messages composed when sent (receipts).
    pub base_url: String,
    /// How long after it failed a message the server may yet take is queued again by the
    /// sender on its own; zero: never.
    pub redrive_for: Duration,
    /// How often the sender looks for such messages to queue again.
    pub redrive_every: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(5),
            lease: Duration::from_secs(300),
            batch: 10,
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(6 * 3600),
            senders: 1,
            base_url: "http://127.0.0.1:8080".into(),
            redrive_for: Duration::from_secs(7 * 24 * 3600),
            redrive_every: Duration::from_secs(900),
        }
    }
}

impl Options {
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self {
            poll: c.mail_poll,
            lease: c.mail_lease,
            max_attempts: c.mail_retry_limit,
            senders: c.mail_senders,
            base_url: c.base_url.clone(),
            redrive_for: c.mail_redrive_for,
            redrive_every: c.mail_redrive_every,
            ..Self::default()
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Claimed but handed back unsent (the worker was stopping, or the lease was running out).
    pub released: usize,
    /// Failed messages queued again by the sender (see the module's note).
    pub redriven: usize,
}

impl Pass {
    fn add(&mut self, o: Pass) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retried += o.retried;
        self.failed += o.failed;
        self.released += o.released;
        self.redriven += o.redriven;
    }
}

/// A sending worker of one node.
pub struct Worker {
    db: Database,
    transport: Transport,
    from: Mailbox,
    options: Options,
    name: String,
    stop: Arc<Stop>,
    redrive: Arc<Mutex<Redrive>>,
}

/// When a node's senders last delivered a message and last queued failed ones again.
#[derive(Debug, Default)]
struct Redrive {
    last_success: Option<Instant>,
    last_look: Option<Instant>,
}

/// The signal to stop, shared by a node's senders.
#[derive(Default)]
struct Stop {
    flag: AtomicBool,
    lock: Mutex<()>,
    cv: Condvar,
}

impl Stop {
    fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let _guard = self.lock.lock();
        self.cv.notify_all();
    }

    /// Waits up to `d`; true when the stop was set meanwhile.
    fn wait(&self, d: Duration) -> bool {
        let Ok(guard) = self.lock.lock() else {
            return true;
        };
        if self.is_set() {
            return true;
        }
        let _ = self.cv.wait_timeout(guard, d);
        self.is_set()
    }
}

impl Worker {
    pub fn new(db: Database, transport: Transport, from: Mailbox, options: Options) -> Self {
        let short = uuid::Uuid::now_v7().simple().to_string();
        Self {
            db,
            transport,
            from,
            options,
            name: format!("{}-{}", std::process::id(), &short[short.len() - 8..]),
            stop: Arc::new(Stop::default()),
            redrive: Arc::new(Mutex::new(Redrive::default())),
        }
    }

    /// The worker `yijian serve` runs: SMTP when `smtp_url` is set, else `.eml` files.
    pub fn from_config(db: Database, config: &crate::config::Config) -> Result<Self, Error> {
        let transport = Transport::from_config(config)?;
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| Error::Config(format!("YIJIAN_MAIL_FROM: {e}")))?;
        Ok(Self::new(db, transport, from, Options::from_config(config)))
    }

    /// This worker's name in `claimed_by`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Claims one batch of due rows and sends them.
    pub fn run_once(&self) -> Result<Pass, Error> {
        let mut pass = Pass::default();
        let mut conn = self.db.get()?;
        let now = db::now();
        let max_attempts = i64::from(self.options.max_attempts);
        pass.redriven = self.redrive_failed(&mut conn, now)?;
        let lease = chrono::Duration::from_std(self.options.lease)
            .map_err(|e| Error::Config(format!("mail lease: {e}")))?;
        let claimed_at = Instant::now();
        let rows = outbox::claim_due(
            &mut conn,
            &self.name,
            now,
            now + lease,
            self.options.batch,
            max_attempts,
        )?;
        if (rows.len() as i64) < self.options.batch {
            // Caught up: now (not on every batch of a backlog) fail what every allowed
            // attempt left claimed by a worker that died.
            let abandoned = outbox::fail_abandoned(
                &mut conn,
                max_attempts,
                now,
                "abandoned: every allowed attempt was interrupted",
            )?;
            if abandoned > 0 {
                tracing::error!(
                    rows = abandoned,
                    "mail abandoned after interrupted attempts"
                );
                pass.failed += abandoned;
            }
        }
        pass.claimed = rows.len();
        let mut rows = rows.into_iter();
        while let Some(m) = rows.next() {
            // Hand the rest back rather than keep a stopping node alive, or send on a claim
            // that could run out mid-way: a send begun in the first half of the lease ends
            // within a quarter of it (the SMTP time-out), so no claim is outlived.
            if self.stop.is_set() || claimed_at.elapsed() >= self.options.lease / 2 {
                let ids: Vec<String> = std::iter::once(m.id)
                    .chain(rows.by_ref().map(|r| r.id))
                    .collect();
                pass.released += outbox::release(&mut conn, &ids, &self.name)?;
                break;
            }
            self.deliver(&mut conn, &m, &mut pass)?;
        }
        Ok(pass)
    }

    /// Queues failed messages again when it is time to look (see the module's note): one as a
    /// probe, or, after a delivery succeeded since the last look, up to a thousand.
    fn redrive_failed(
        &self,
        conn: &mut db::DbConnection,
        now: chrono::NaiveDateTime,
    ) -> Result<usize, Error> {
        if self.options.redrive_for.is_zero() {
            return Ok(0);
        }
        let Ok(mut r) = self.redrive.lock() else {
            return Ok(0);
        };
        let looked = Instant::now();
        if r.last_look
            .is_some_and(|t| looked.duration_since(t) < self.options.redrive_every)
        {
            return Ok(0);
        }
        let server_back = match (r.last_success, r.last_look) {
            (Some(s), Some(l)) => s > l,
            (Some(_), None) => true,
            (None, _) => false,
        };
        r.last_look = Some(looked);
        drop(r);
        let window = chrono::Duration::from_std(self.options.redrive_for)
            .unwrap_or_else(|_| chrono::Duration::days(7));
        let limit = if server_back { 1000 } else { 1 };
        let attempts = i64::from(self.options.max_attempts.saturating_sub(1));
        let n = outbox::redrive(conn, now - window, now, limit, attempts)?;
        if n > 0 {
            tracing::info!(
                messages = n,
                probe = !server_back,
                "failed mail queued again for another attempt"
            );
        }
        Ok(n)
    }

    fn delivered(&self) {
        if let Ok(mut r) = self.redrive.lock() {
            r.last_success = Some(Instant::now());
        }
    }

    fn deliver(
        &self,
        conn: &mut db::DbConnection,
        m: &outbox::OutboxMessage,
        pass: &mut Pass,
    ) -> Result<(), Error> {
        let to = mask_address(&m.to_address);
        let composed;
        let m = if compose::is_pending(&m.body_text) {
            match self.compose(conn, m) {
                Ok(c) => {
                    composed = c;
                    &composed
                }
                Err(e) => {
                    let error = e.to_string();
                    outbox::mark_failed(conn, &m.id, &self.name, &error, None)?;
                    pass.failed += 1;
                    tracing::error!(
                        kind = %m.kind, %to, message_id = %m.message_id, %error,
                        "mail could not be composed"
                    );
                    return Ok(());
                }
            }
        } else {
            m
        };
        match self.transport.send(m, &self.from) {
            Ok(delivered) => {
                outbox::mark_sent(conn, &m.id, db::now())?;
                pass.sent += 1;
                self.delivered();
                match delivered {
                    Delivered::Smtp => tracing::info!(
                        kind = %m.kind, %to, message_id = %m.message_id, attempt = m.attempts,
                        "mail sent"
                    ),
                    Delivered::File(path) => tracing::info!(
                        kind = %m.kind, %to, subject = %m.subject, path = %path.display(),
                        "mail written to a file (no SMTP server configured)"
                    ),
                }
            }
            Err(e) => {
                let error = redact_address(&e.message, &m.to_address);
                let attempts = u32::try_from(m.attempts).unwrap_or(u32::MAX);
                if e.permanent || attempts >= self.options.max_attempts {
                    // A refusal stays failed; anything else may yet go once the server is back.
                    let failed_at =
                        (!e.permanent && !e.refused).then(|| m.failed_at.unwrap_or_else(db::now));
                    outbox::mark_failed(conn, &m.id, &self.name, &error, failed_at)?;
                    pass.failed += 1;
                    tracing::error!(
                        kind = %m.kind, %to, message_id = %m.message_id, attempts, %error,
                        "mail failed; an administrator can send it again (one the server may yet take is queued again once deliveries succeed)"
                    );
                } else {
                    let delay = backoff(
                        attempts,
                        self.options.retry_base,
                        self.options.retry_max,
                        rand::random::<f64>(),
                    );
                    let next = db::now()
                        + chrono::Duration::from_std(delay)
                            .unwrap_or_else(|_| chrono::Duration::hours(6));
                    outbox::reschedule(conn, &m.id, &self.name, next, &error)?;
                    pass.retried += 1;
                    tracing::warn!(
                        kind = %m.kind, %to, message_id = %m.message_id, attempts,
                        retry_in_secs = delay.as_secs(), %error,
                        "mail not delivered; will try again"
                    );
                }
            }
        }
        Ok(())
    }

    /// The body of a message the intake wrote without one (a receipt), composed from the
    /// submission it is about.
    fn compose(
        &self,
        conn: &mut db::DbConnection,
        m: &outbox::OutboxMessage,
    ) -> Result<outbox::OutboxMessage, Error> {
        let facts = match (m.kind.as_str(), m.related_type.as_deref(), &m.related_id) {
            ("receipt", Some("submission"), Some(id)) => db::submissions::receipt_facts(conn, id)?,
            _ => None,
        };
        let Some((tracking_code, comment, consultation_title)) = facts else {
            return Err(Error::Render(
                "receipt",
                "the message has no body and no submission to compose it from".into(),
            ));
        };
        let locale = Locale::parse(&m.locale).unwrap_or_default();
        let receipt = compose::Receipt {
            tracking_code,
            consultation_title,
            comment,
        };
        let c = compose::receipt(locale, &m.to_address, &self.options.base_url, &receipt)?;
        Ok(outbox::OutboxMessage {
            subject: c.subject,
            body_text: c.body_text,
            body_html: c.body_html,
            ..m.clone()
        })
    }

    /// Passes until no due row is left (or `limit` passes ran): for tests and one-off runs.
    pub fn run_until_idle(&self, limit: usize) -> Result<Pass, Error> {
        let mut total = Pass::default();
        for _ in 0..limit {
            let p = self.run_once()?;
            total.add(p);
            if p.claimed == 0 {
                break;
            }
        }
        Ok(total)
    }

    /// Runs `options.senders` threads until [`Handle::stop`].
    pub fn spawn(self) -> Result<Handle, Error> {
        let senders = self.options.senders.max(1);
        tracing::info!(transport = ?self.transport, senders, "mail sender started");
        let mut threads = Vec::with_capacity(senders);
        for i in 0..senders {
            let w = Worker {
                db: self.db.clone(),
                transport: self.transport.clone(),
                from: self.from.clone(),
                options: self.options.clone(),
                name: format!("{}-{i}", self.name),
                stop: self.stop.clone(),
                redrive: self.redrive.clone(),
            };
            let t = std::thread::Builder::new()
                .name(format!("yijian-mail-{i}"))
                .spawn(move || w.run_loop());
            match t {
                Ok(t) => threads.push(t),
                Err(e) => {
                    let h = Handle {
                        stop: self.stop.clone(),
                        threads,
                    };
                    h.stop();
                    return Err(Error::Config(format!("cannot start the mail sender: {e}")));
                }
            }
        }
        Ok(Handle {
            stop: self.stop,
            threads,
        })
    }

    fn run_loop(&self) {
        loop {
            let wait = match self.run_once() {
                // A full batch: there may be more at once.
                Ok(p) if p.claimed as i64 >= self.options.batch && p.released == 0 => {
                    Duration::ZERO
                }
                Ok(_) => self.options.poll,
                Err(e) => {
                    tracing::error!(error = %e, "mail sender pass failed; trying again later");
                    self.options.poll
                }
            };
            if self.stop.is_set() || (!wait.is_zero() && self.stop.wait(wait)) {
                break;
            }
        }
        tracing::debug!(worker = %self.name, "mail sender stopped");
    }
}

/// The running senders of a node.
pub struct Handle {
    stop: Arc<Stop>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Handle {
    /// Each sender finishes the message it is sending and hands the rest of its batch back;
    /// returns when they have ended.
    pub fn stop(mut self) {
        self.stop.set();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        tracing::info!("mail sender stopped");
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.set();
    }
}
