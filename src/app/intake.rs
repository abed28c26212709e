//! Comment intake: validate, then write the submission, its opinion, clause links, receipt email
//! and audit event in one transaction, and only then answer with the tracking code.
//!
//! On each node a writer thread commits whatever submissions are waiting in a single
//! transaction (group commit), on SQLite and PostgreSQL alike (on PostgreSQL two writers take
//! turns, so one batch is written while the other commits): the rows of a batch go in with one
//! multi-row statement per table, so a burst costs one commit (one `fsync`, a few round trips)
//! per batch instead of one per submission; a batch that the database refuses is written again
//! one comment at a time, each in its own savepoint, so a bad comment never fails its
//! batch-mates. Every caller is answered after its batch's commit. Several nodes each run their
//! own writer against one PostgreSQL.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use serde::Serialize;
use tokio::sync::oneshot;

use super::{Actor, Error, OFFICE, Result};
use crate::db::consultations::Consultation;
use crate::db::submissions::{NewOutbox, NewSubmission, Submission};
use crate::db::{self, DbConnection, DbError, DbTarget};
use crate::domain::comment::CommentInput;
use crate::domain::consultation::{Status, accepts_comments};
use crate::domain::tracking;
use crate::i18n::Locale;
use crate::mail::compose;

/// What the commenter gets back.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub tracking_code: String,
    pub submission_id: String,
    pub consultation_id: String,
    pub received_at: chrono::NaiveDateTime,
    /// True when this was a repeat of an earlier POST (same idempotency key).
    pub duplicate: bool,
}

impl Receipt {
    fn of(s: &Submission, duplicate: bool) -> Self {
        Self {
            tracking_code: s.tracking_code.clone(),
            submission_id: s.id.clone(),
            consultation_id: s.consultation_id.clone(),
            received_at: s.received_at,
            duplicate,
        }
    }
}

const CHANNELS_FOR_STAFF: &[&str] = &["public_web", "letter", "email", "meeting", "other"];

/// A comment on its way in.
#[derive(Debug, Clone)]
pub struct Request {
    /// The consultation's id or slug.
    pub consultation: String,
    pub input: CommentInput,
    pub locale: Locale,
    pub base_url: String,
    pub actor: Actor,
}

/// Checks a comment against its consultation (read in the writing transaction, so a window
/// that has just closed is seen) and builds the rows to write.
/// What the writer reads again and again within one batch: the consultations by id or slug
/// and the clause ids of their current versions. Cleared with every batch, so a status change
/// is seen by the next batch.
#[derive(Default)]
pub struct BatchCache {
    consultations: HashMap<String, Option<Consultation>>,
    clauses: HashMap<String, HashSet<String>>,
}

impl BatchCache {
    fn consultation(&mut self, conn: &mut DbConnection, key: &str) -> Result<Option<Consultation>> {
        if let Some(c) = self.consultations.get(key) {
            return Ok(c.clone());
        }
        let c = match db::consultations::find(conn, key)? {
            Some(c) => Some(c),
            None => db::consultations::find_by_slug(conn, key)?,
        };
        self.consultations.insert(key.to_string(), c.clone());
        Ok(c)
    }

    fn clause_ids(
        &mut self,
        conn: &mut DbConnection,
        consultation_id: &str,
    ) -> Result<&HashSet<String>> {
        if !self.clauses.contains_key(consultation_id) {
            let ids = db::submissions::current_clause_ids(conn, consultation_id)?;
            self.clauses
                .insert(consultation_id.to_string(), ids.into_iter().collect());
        }
        self.clauses.get(consultation_id).ok_or(Error::NotFound)
    }
}

pub fn prepare(conn: &mut DbConnection, req: Request, cache: &mut BatchCache) -> Result<Prepared> {
    let Request {
        consultation,
        input,
        locale,
        base_url,
        actor,
    } = req;
    let input = input.normalised();
    // By id (the API) or by slug (the form); drafts are not there for anyone.
    let c = cache
        .consultation(conn, &consultation)?
        .filter(|c| c.status != "draft")
        .ok_or(Error::NotFound)?;
    let consultation_id = c.id.as_str();
    let is_office = actor.require(OFFICE).is_ok();
    let channel = input.channel.clone().unwrap_or_else(|| "public_web".into());
    if !is_office && channel != "public_web" {
        return Err(Error::Forbidden);
    }
    if !CHANNELS_FOR_STAFF.contains(&channel.as_str()) {
        return Err(Error::field("channel", "comment.error.channel"));
    }
    // The office chose which channels this consultation takes.
    if !c.channels.split(',').any(|x| x.trim() == channel) {
        return Err(Error::field("window", "comment.error.channel_closed"));
    }
    let now = db::now();
    let status = c.status();
    // The window binds the public form; staff may record letters and meeting notes that
    // arrived within it until the report is out.
    let open = if channel == "public_web" {
        accepts_comments(status, c.opens_at, c.closes_at, now)
    } else {
        matches!(status, Status::Open | Status::Closed)
    };
    if !open {
        let key = if now < c.opens_at || status == Status::Draft {
            "comment.error.not_yet_open"
        } else {
            "comment.error.closed"
        };
        return Err(Error::field("window", key));
    }
    let mut errors = input.check(c.require_name);
    let known = if input.clause_ids.is_empty() {
        true
    } else {
        let ids = cache.clause_ids(conn, consultation_id)?;
        input.clause_ids.iter().all(|c| ids.contains(c))
    };
    if !known {
        errors.insert("clause_ids".into(), "comment.error.clauses".into());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let code = tracking::new_code(&mut rand::rng());
    let submission_id = db::new_id();
    let receipt = input.email.as_ref().map(|to| ReceiptMail {
        to: to.clone(),
        locale,
        base_url,
    });
    let outbox = receipt.as_ref().map(|r| r.compose(&code, &submission_id));
    let new = NewSubmission {
        submission: Submission {
            id: submission_id,
            consultation_id: consultation_id.to_string(),
            tracking_code: code,
            channel,
            state: "received".into(),
            name: input.name,
            organization: input.organization,
            email: input.email,
            phone: input.phone,
            publish_name: input.publish_name,
            unit_id: None,
            solicitation_id: None,
            body: input.body,
            locale: locale.code().into(),
            idempotency_key: input.idempotency_key,
            display_order: None,
            attachment_id: None,
            recorded_by: if is_office {
                actor.user_id.clone()
            } else {
                None
            },
            received_at: now,
        },
        clause_ids: input.clause_ids,
        outbox,
        actor_label: actor.label.clone(),
        actor_user_id: actor.user_id.clone(),
    };
    Ok(Prepared { new, receipt })
}

/// A checked comment, ready to write.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub new: NewSubmission,
    /// Where the receipt email goes, to address it again should the tracking code change.
    pub receipt: Option<ReceiptMail>,
}

impl Prepared {
    /// Draws a new tracking code (the one drawn is taken) and addresses the receipt email
    /// again with it.
    fn redraw_code(&mut self) {
        self.new.submission.tracking_code = tracking::new_code(&mut rand::rng());
        if let Some(r) = &self.receipt {
            let s = &self.new.submission;
            self.new.outbox = Some(r.compose(&s.tracking_code, &s.id));
        }
    }
}

/// Where the receipt email of a comment goes. Its body is composed by the sender, from the
/// submission (see [`compose::receipt_pending`]).
#[derive(Debug, Clone)]
pub struct ReceiptMail {
    pub to: String,
    pub locale: Locale,
    pub base_url: String,
}

impl ReceiptMail {
    fn compose(&self, tracking_code: &str, submission_id: &str) -> NewOutbox {
        compose::receipt_pending(self.locale, &self.to, &self.base_url, tracking_code)
            .related("submission", submission_id)
    }
}

/// Writes one prepared submission inside the caller's transaction, in a savepoint: a repeated
/// idempotency key returns the earlier receipt; a tracking-code collision draws a new code (and
/// addresses the receipt email again with it).
fn write_one(conn: &mut DbConnection, mut p: Prepared) -> Result<Receipt> {
    for _ in 0..3 {
        match db::write(conn, |c| db::submissions::insert(c, &p.new)) {
            Ok(()) => return Ok(Receipt::of(&p.new.submission, false)),
            Err(e) if e.is_unique_violation() => {
                if let Some(key) = &p.new.submission.idempotency_key {
                    if let Some(prev) = db::submissions::find_by_idempotency_key(conn, key)? {
                        return Ok(Receipt::of(&prev, true));
                    }
                }
                p.redraw_code();
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Conflict("tracking code".into()))
}

/// Writes a batch of checked comments inside the caller's transaction and returns each one's
/// outcome, in order. Repeated idempotency keys (of earlier batches or within this one) and
/// tracking-code collisions are settled first, with two queries, so the rows go in with one
/// multi-row statement per table under a single savepoint; should that fail anyway, each
/// comment is written on its own (in its own savepoint), as [`write_one`] does.
pub fn write_batch(
    conn: &mut DbConnection,
    prepared: Vec<Result<Prepared>>,
) -> Result<Vec<Result<Receipt>>> {
    let mut results: Vec<Option<Result<Receipt>>> = Vec::with_capacity(prepared.len());
    let mut fresh: Vec<(usize, Prepared)> = Vec::new();
    for (i, p) in prepared.into_iter().enumerate() {
        match p {
            Ok(p) => {
                results.push(None);
                fresh.push((i, p));
            }
            Err(e) => results.push(Some(Err(e))),
        }
    }
    // Repeats of earlier batches' submissions get their receipts back.
    let keys: Vec<&str> = fresh
        .iter()
        .filter_map(|(_, p)| p.new.submission.idempotency_key.as_deref())
        .collect();
    let earlier: HashMap<String, Submission> = if keys.is_empty() {
        HashMap::new()
    } else {
        db::submissions::find_by_idempotency_keys(conn, &keys)?
            .into_iter()
            .filter_map(|s| s.idempotency_key.clone().map(|k| (k, s)))
            .collect()
    };
    // Repeats within this batch: the first is written, the others answered with its receipt.
    let mut first_with_key: HashMap<String, usize> = HashMap::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    let mut to_write: Vec<(usize, Prepared)> = Vec::new();
    for (i, p) in fresh {
        if let Some(k) = p.new.submission.idempotency_key.clone() {
            if let Some(prev) = earlier.get(&k) {
                results[i] = Some(Ok(Receipt::of(prev, true)));
                continue;
            }
            if let Some(&first) = first_with_key.get(&k) {
                repeats.push((i, first));
                continue;
            }
            first_with_key.insert(k, i);
        }
        to_write.push((i, p));
    }
    // Codes drawn twice in this batch are drawn again. A code already taken by an earlier
    // submission (one chance in about 10¹² per comment) makes the insert fail; then the taken
    // ones are looked up and drawn again, and the batch tried once more, before falling back to
    // one comment at a time. Looking them up before every batch cost more than that.
    redraw_clashes(&mut to_write, &HashSet::new());
    let mut written = false;
    for attempt in 0..2 {
        let rows: Vec<&NewSubmission> = to_write.iter().map(|(_, p)| &p.new).collect();
        match db::write(conn, |c| db::submissions::insert_many(c, &rows)) {
            Ok(()) => {
                written = true;
                break;
            }
            Err(e) if attempt == 0 && e.is_unique_violation() => {
                for _ in 0..3 {
                    let codes: Vec<&str> = to_write
                        .iter()
                        .map(|(_, p)| p.new.submission.tracking_code.as_str())
                        .collect();
                    let taken: HashSet<String> = db::submissions::taken_codes(conn, &codes)?
                        .into_iter()
                        .collect();
                    if !redraw_clashes(&mut to_write, &taken) {
                        break;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "batch insert refused; writing its comments one by one");
                break;
            }
        }
    }
    if written {
        for (i, p) in &to_write {
            results[*i] = Some(Ok(Receipt::of(&p.new.submission, false)));
        }
    } else {
        for (i, p) in to_write.iter() {
            results[*i] = Some(write_one(conn, p.clone()));
        }
    }
    for (i, first) in repeats {
        results[i] = Some(match &results[first] {
            Some(Ok(r)) => Ok(Receipt {
                duplicate: true,
                ..r.clone()
            }),
            // The first was refused: the repeat is written (or refused) on its own.
            _ => Err(Error::Conflict("idempotency key".into())),
        });
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::Db(DbError::Unavailable))))
        .collect())
}

/// Draws new codes for the comments whose code is `taken` or drawn twice in the batch; says
/// whether any was drawn again.
fn redraw_clashes(to_write: &mut [(usize, Prepared)], taken: &HashSet<String>) -> bool {
    let mut seen = HashSet::new();
    let mut redrawn = false;
    for (_, p) in to_write.iter_mut() {
        while taken.contains(&p.new.submission.tracking_code)
            || !seen.insert(p.new.submission.tracking_code.clone())
        {
            p.redraw_code();
            redrawn = true;
        }
    }
    redrawn
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Result<Receipt>>,
}

/// When this node last took in a comment, in milliseconds since the Unix epoch.
static LAST_INTAKE_MS: AtomicU64 = AtomicU64::new(0);

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Whether this node took in a comment in the last quarter second: background work that
/// competes for the database's write lock (duplicate detection) waits meanwhile.
pub fn busy() -> bool {
    now_ms().saturating_sub(LAST_INTAKE_MS.load(Ordering::Relaxed)) < 250
}

/// The intake path of one node.
pub struct Intake {
    writer: mpsc::SyncSender<Job>,
}

/// Most submissions committed together.
const MAX_BATCH: usize = 2048;

/// Writers per node on PostgreSQL: while one batch travels to the server and commits, the next
/// is taken and written by the other. (SQLite has one writer at a time anyway.)
const PG_WRITERS: usize = 2;

impl Intake {
    /// Starts this node's group-commit writer: one thread with its own connection, on either
    /// database.
    pub fn start(database_url: &str) -> std::result::Result<Self, DbError> {
        let target = DbTarget::parse(database_url)?;
        // On SQLite, a checkpointer; it stops when the writers do (their senders dropped).
        let (writing, stopped) = mpsc::channel::<()>();
        let writers = match &target {
            DbTarget::Sqlite(_) => {
                let mut checkpointer = target.establish()?;
                std::thread::Builder::new()
                    .name("yijian-checkpoint".into())
                    .spawn(move || checkpoint_loop(&mut checkpointer, &stopped))
                    .map_err(|e| DbError::Pool(e.to_string()))?;
                1
            }
            DbTarget::Postgres(_) => PG_WRITERS,
        };
        let (tx, rx) = mpsc::sync_channel::<Job>(16 * MAX_BATCH);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for _ in 0..writers {
            let mut conn = match &target {
                DbTarget::Sqlite(_) => open_writer(&target)?,
                DbTarget::Postgres(_) => target.establish()?,
            };
            let (target, rx, writing) = (target.clone(), rx.clone(), writing.clone());
            std::thread::Builder::new()
                .name("yijian-intake".into())
                .spawn(move || {
                    writer_loop(&mut conn, &target, &rx);
                    drop(writing);
                })
                .map_err(|e| DbError::Pool(e.to_string()))?;
        }
        Ok(Self { writer: tx })
    }

    /// Checks and commits a comment; returns once it is durable.
    pub async fn submit(&self, request: Request) -> Result<Receipt> {
        LAST_INTAKE_MS.store(now_ms(), Ordering::Relaxed);
        let (reply, rx) = oneshot::channel();
        self.writer
            .try_send(Job { request, reply })
            .map_err(|_| Error::Db(DbError::Unavailable))?;
        rx.await.map_err(|_| Error::Db(DbError::Unavailable))?
    }
}

/// Opens the intake writer's connection to SQLite. It keeps a larger page cache and leaves
/// checkpoints (copying the write-ahead log back into the database file, with its fsync) to a
/// thread of their own, so a batch's commit never waits for one. It also waits for the write
/// lock its own way (see `db::tx::lock_for_writing`).
pub fn open_writer(target: &DbTarget) -> std::result::Result<DbConnection, DbError> {
    let mut conn = target.establish()?;
    conn.batch_execute(
        "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 0;",
    )
    .map_err(DbError::Query)?;
    Ok(conn)
}

/// What the writer does with one batch: takes the write lock, checks and writes every
/// comment, commits. The outer error means nothing was committed.
pub fn commit_batch(
    conn: &mut DbConnection,
    requests: Vec<Request>,
) -> Result<Vec<Result<Receipt>>> {
    let mut cache = BatchCache::default();
    let size = requests.len();
    let started = std::time::Instant::now();
    let (mut locked, mut written) = (started, started);
    let results = db::write::<_, Error, _>(conn, |c| {
        locked = std::time::Instant::now();
        let prepared: Vec<Result<Prepared>> = requests
            .into_iter()
            .map(|r| prepare(c, r, &mut cache))
            .collect();
        let results = write_batch(c, prepared)?;
        written = std::time::Instant::now();
        Ok(results)
    });
    tracing::debug!(
        size,
        lock_wait_us = (locked - started).as_micros() as u64,
        write_us = (written - locked).as_micros() as u64,
        commit_us = written.elapsed().as_micros() as u64,
        "intake batch committed"
    );
    results
}

/// Copies the write-ahead log back into the database file without blocking readers or the
/// writer (a passive checkpoint).
pub fn checkpoint(conn: &mut DbConnection) -> std::result::Result<(), DbError> {
    conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);")
        .map_err(DbError::Query)
}

/// Copies the write-ahead log back into the database file ten times a second, without
/// blocking readers or the writer (a passive checkpoint); the log then starts over from its
/// beginning. Small, frequent checkpoints: a checkpoint's `fsync` of the database file slows
/// the writer's own `fsync` of the log, and at two a second (or one in five seconds) a commit
/// now and then took 100–300 ms, which every comment of its batch waited out.
fn checkpoint_loop(conn: &mut DbConnection, stopped: &mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) =
        stopped.recv_timeout(std::time::Duration::from_millis(100))
    {
        if let Err(e) = checkpoint(conn) {
            tracing::warn!(error = %e, "checkpoint failed; retrying");
        }
    }
}

fn writer_loop(
    conn: &mut DbConnection,
    target: &DbTarget,
    rx: &std::sync::Mutex<mpsc::Receiver<Job>>,
) {
    loop {
        // The queue is held only while a batch is taken from it.
        let jobs = {
            let rx = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let Ok(first) = rx.recv() else {
                return;
            };
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            jobs
        };
        let mut replies = Vec::with_capacity(jobs.len());
        let requests: Vec<Request> = jobs
            .into_iter()
            .map(|j| {
                replies.push(j.reply);
                j.request
            })
            .collect();
        let committed = commit_batch(conn, requests);
        match committed {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "intake batch failed to commit");
                for reply in replies {
                    let _ = reply.send(Err(Error::Db(DbError::Unavailable)));
                }
                reconnect_if_broken(conn, target);
            }
        }
    }
}

/// After a failed batch: when the writer's connection no longer answers (a PostgreSQL
/// restart, a network cut), opens a new one, so the next batch can commit.
fn reconnect_if_broken(conn: &mut DbConnection, target: &DbTarget) {
    if conn.batch_execute("SELECT 1").is_ok() {
        return;
    }
    let fresh = match target {
        DbTarget::Sqlite(_) => open_writer(target),
        DbTarget::Postgres(_) => target.establish(),
    };
    match fresh {
        Ok(c) => {
            *conn = c;
            tracing::warn!("intake writer reconnected to the database");
        }
        Err(e) => {
            tracing::error!(error = %e, "intake writer cannot reconnect; retrying with the next batch")
        }
    }
}
