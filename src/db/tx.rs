//! Transactions: the one way to open one. Every use case that writes calls [`write`], which
//! takes the database's write lock before the first statement.
//!
//! Why on SQLite: a deferred transaction that reads and then writes fails at once with
//! "database is locked" (`SQLITE_BUSY_SNAPSHOT`, which the busy timeout does not retry) when
//! another writer — the intake committing a batch of comments — committed in between. A
//! transaction that takes the write lock first cannot meet that. And the intake writer takes
//! the lock again a few microseconds after each commit, so a writer that only waited under
//! SQLite's busy handler (sleeping up to 100 ms between tries) could starve for seconds. So
//! within a process every SQLite write transaction — the intake's batches, office use cases,
//! the duplicates worker, the clock's jobs — takes a turn at one first-come,
//! first-served gate before it takes the lock: an office write waits for at most the batch
//! being written, and the intake waits for at most one office transaction, which must
//! therefore be short.
//!
//! Enforced in one place: `diesel::Connection::transaction` is a disallowed method
//! (`clippy.toml`) outside this file, so a new use case cannot open a transaction that skips
//! the lock. (A single statement outside a transaction takes the lock by itself.)
//!
//! On PostgreSQL a write transaction is a plain transaction: concurrent writers lock rows,
//! not the database.

use std::cell::Cell;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};

use super::{Backend, DbConnection, DbError};

/// How long a writer waits for the write lock held by another process (a command run
/// against a serving database) before it gives up with "busy".
const LOCK_PATIENCE: Duration = Duration::from_secs(30);

/// First come, first served: each writer draws a ticket and waits until it is served.
struct Gate {
    tickets: Mutex<(u64, u64)>,
    served: Condvar,
}

static GATE: Gate = Gate {
    tickets: Mutex::new((0, 0)),
    served: Condvar::new(),
};

thread_local! {
    /// How many turns this thread holds (a write inside a write does not queue again).
    static HELD: Cell<u32> = const { Cell::new(0) };
}

/// A turn at the gate; the next writer goes when it is dropped.
pub struct Turn {
    _private: (),
}

impl Gate {
    fn enter(&'static self) -> Turn {
        if HELD.with(Cell::get) == 0 {
            let mut t = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
            let mine = t.0;
            t.0 += 1;
            while t.1 != mine {
                t = self.served.wait(t).unwrap_or_else(PoisonError::into_inner);
            }
        }
        HELD.with(|h| h.set(h.get() + 1));
        Turn { _private: () }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let left = HELD.with(|h| {
            let n = h.get().saturating_sub(1);
            h.set(n);
            n
        });
        if left == 0 {
            let mut t = GATE.tickets.lock().unwrap_or_else(PoisonError::into_inner);
            t.1 += 1;
            GATE.served.notify_all();
        }
    }
}

/// Waits for this process's turn to write to SQLite. The intake writer holds one for each
/// batch; [`write`] takes one itself.
pub fn turn() -> Turn {
    GATE.enter()
}

/// Runs `f` in a transaction that holds the database's write lock from its first statement.
/// Nested inside another `write` on the same connection it is a savepoint.
///
/// On SQLite, a transaction that held the lock longer than [`LONG_HOLD`] is logged (target
/// `yijian::db::tx`, debug level) with where it was opened: the intake waited that long.
#[track_caller]
pub fn write<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + From<DbError>,
{
    if conn.backend() == Backend::Postgres {
        #[allow(clippy::disallowed_methods)]
        return conn.transaction(f);
    }
    let caller = std::panic::Location::caller();
    let _turn = turn();
    let outer = !in_transaction(conn);
    let mut locked = None;
    #[allow(clippy::disallowed_methods)]
    let result = conn.transaction(|c| {
        if outer {
            lock_for_writing(c, LOCK_PATIENCE)?;
            locked = Some(Instant::now());
        }
        f(c)
    });
    if let Some(held) = locked.map(|t| t.elapsed()).filter(|h| *h > LONG_HOLD) {
        tracing::debug!(
            held_ms = held.as_millis() as u64,
            at = %caller,
            "a write transaction held the lock long"
        );
    }
    result
}

/// How long a write may hold SQLite's lock before it is logged.
const LONG_HOLD: Duration = Duration::from_millis(20);

/// Runs `f` in a read-only transaction: one consistent snapshot of the database across all its
/// queries, without the write lock (SQLite's readers do not block its writer). For use cases
/// that read much and then write in short steps. Inside another transaction it just runs `f`.
pub fn read<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + From<DbError>,
{
    if in_transaction(conn) {
        return f(conn);
    }
    let postgres = conn.backend() == Backend::Postgres;
    #[allow(clippy::disallowed_methods)]
    conn.transaction(|c| {
        if postgres {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(c)?;
        }
        f(c)
    })
}

fn in_transaction(conn: &mut DbConnection) -> bool {
    use diesel::connection::{TransactionManager, TransactionManagerStatus};
    match <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn) {
        TransactionManagerStatus::Valid(v) => v.transaction_depth().is_some(),
        TransactionManagerStatus::InError => true,
    }
}

/// Takes SQLite's write lock for the current transaction: a statement that writes nothing but
/// takes the lock, as `BEGIN IMMEDIATE` would. Another process holding the lock (a command
/// run against a serving database, another writer's connection) is waited for by trying
/// again every 200 µs until `patience` runs out; SQLite's own busy handler sleeps up to
/// 100 ms between tries and would keep losing to a writer that takes the lock again at once.
pub fn lock_for_writing(conn: &mut DbConnection, patience: Duration) -> Result<(), DbError> {
    if conn.backend() != Backend::Sqlite {
        return Ok(());
    }
    let deadline = Instant::now() + patience;
    loop {
        match diesel::sql_query("UPDATE settings SET value = value WHERE 0 = 1").execute(conn) {
            Ok(_) => return Ok(()),
            Err(e) if is_busy(&e) => {
                if Instant::now() >= deadline {
                    return Err(DbError::Unavailable);
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(e) => return Err(DbError::Query(e)),
        }
    }
}

fn is_busy(e: &diesel::result::Error) -> bool {
    let m = e.to_string();
    m.contains("database is locked") || m.contains("database is busy")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_gate_lets_one_writer_in_at_a_time_in_order_and_nests() {
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (inside, most) = (inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _t = turn();
                        let _nested = turn();
                        let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
