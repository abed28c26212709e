//! Rate limits on logins and public POSTs, per key (an IP address, an account), per node.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::errors::AppError;

#[derive(Clone)]
pub struct Limiter {
    inner: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Limiter {
    /// `burst` attempts at once, then one more every `period`.
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            inner: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Takes one attempt for `key`, or says how long to wait.
    pub fn check(&self, key: &str) -> Result<(), AppError> {
        self.inner.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets keys that are back to a full quota (called now and then).
    pub fn shrink(&self) {
        self.inner.retain_recent();
    }
}

/// A limit on failures: a key may fail `burst` times at once, then once more every `period`.
/// Each attempt reserves one failure before it is tried (so parallel attempts cannot exceed the
/// budget) and gives it back when it succeeds.
#[derive(Clone)]
pub struct FailureLimiter {
    /// Per key, the theoretical arrival time of the next failure (GCRA): the key is locked
    /// while it lies more than `burst` periods ahead.
    inner: Arc<Mutex<HashMap<String, Instant>>>,
    burst: u32,
    period: Duration,
}

/// Keys kept before the ones back to a full budget are forgotten.
const FAILURE_KEYS: usize = 10_000;

impl FailureLimiter {
    pub fn new(burst: u32, period: Duration) -> Self {
        Self {
            inner: Arc::default(),
            burst: burst.max(1),
            period,
        }
    }

    /// Reserves one failure for `key`, or says how long the key stays locked.
    pub fn reserve(&self, key: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= FAILURE_KEYS {
            map.retain(|_, tat| *tat > now);
        }
        let tat = map.get(key).copied().filter(|t| *t > now).unwrap_or(now);
        let next = tat + self.period;
        let allowed = self.period * self.burst;
        let ahead = next - now;
        if ahead > allowed {
            let wait = ahead - allowed;
            return Err(AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        map.insert(key.to_string(), next);
        Ok(())
    }

    /// Gives back a failure reserved for an attempt that succeeded.
    pub fn refund(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tat) = map.get(key).copied() {
            match tat.checked_sub(self.period).filter(|t| *t > now) {
                Some(t) => {
                    map.insert(key.to_string(), t);
                }
                None => {
                    map.remove(key);
                }
            }
        }
    }
}

/// A sign-in attempt that holds one failure of its address and of its account; unless it
/// `succeeded`, the failures stay counted.
pub struct LoginAttempt<'a> {
    limits: &'a Limits,
    ip: String,
    account: String,
}

impl LoginAttempt<'_> {
    /// The attempt did not fail: its reserved failures are given back.
    pub fn succeeded(self) {
        self.limits.login_ip.refund(&self.ip);
        self.limits.login_account.refund(&self.account);
    }
}

/// The limits of one node.
#[derive(Clone)]
pub struct Limits {
    /// Failed logins per IP address.
    pub login_ip: FailureLimiter,
    /// Failed logins per account.
    pub login_account: FailureLimiter,
    /// Password-reset requests per IP address.
    pub reset_ip: Limiter,
    /// Password-reset requests per account (email address).
    pub reset_account: Limiter,
    /// Public comments per IP address (`None`: no limit, for load measurements).
    pub comment_ip: Option<Limiter>,
    /// Tracking-code look-ups per IP address.
    pub track_ip: Limiter,
}

impl Limits {
    pub fn new(config: &crate::config::Config) -> Self {
        let per_hour = config.comment_rate_per_hour;
        Self {
            login_ip: FailureLimiter::new(20, Duration::from_secs(30)),
            login_account: FailureLimiter::new(5, Duration::from_secs(60)),
            reset_ip: Limiter::new(10, Duration::from_secs(60)),
            reset_account: Limiter::new(3, Duration::from_secs(300)),
            comment_ip: (per_hour > 0).then(|| {
                Limiter::new(
                    per_hour.min(30),
                    Duration::from_secs(3600 / u64::from(per_hour)),
                )
            }),
            track_ip: Limiter::new(60, Duration::from_secs(2)),
        }
    }

    /// Starts a sign-in attempt: refused while the address or the account is locked by
    /// earlier failures.
    pub fn login_attempt(&self, ip: &str, account: &str) -> Result<LoginAttempt<'_>, AppError> {
        self.login_ip.reserve(ip)?;
        if let Err(e) = self.login_account.reserve(account) {
            self.login_ip.refund(ip);
            return Err(e);
        }
        Ok(LoginAttempt {
            limits: self,
            ip: ip.to_string(),
            account: account.to_string(),
        })
    }

    /// Checks the limits of a password-reset request (kept apart from sign-in's, so that
    /// asking for links never locks anyone out of signing in).
    pub fn reset_request(&self, ip: &str, account: &str) -> Result<(), AppError> {
        self.reset_ip.check(ip)?;
        self.reset_account.check(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refused_with_a_wait() {
        let l = Limiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.check("1.2.3.4").is_ok());
        }
        match l.check("1.2.3.4") {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        assert!(l.check("5.6.7.8").is_ok(), "other keys unaffected");
    }

    #[test]
    fn only_failures_use_the_budget() {
        let l = FailureLimiter::new(3, Duration::from_secs(60));
        for _ in 0..10 {
            l.reserve("a").unwrap();
            l.refund("a");
        }
        for _ in 0..3 {
            l.reserve("a").unwrap();
        }
        match l.reserve("a") {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        assert!(l.reserve("b").is_ok(), "other keys unaffected");
    }

    #[test]
    fn a_refused_account_gives_back_the_address() {
        let limits = Limits {
            login_ip: FailureLimiter::new(2, Duration::from_secs(60)),
            login_account: FailureLimiter::new(1, Duration::from_secs(60)),
            reset_ip: Limiter::new(1, Duration::from_secs(60)),
            reset_account: Limiter::new(1, Duration::from_secs(60)),
            comment_ip: None,
            track_ip: Limiter::new(1, Duration::from_secs(60)),
        };
        drop(limits.login_attempt("ip", "acct").unwrap());
        assert!(
            limits.login_attempt("ip", "acct").is_err(),
            "account locked"
        );
        // The address still has one failure left: another account can try.
        limits.login_attempt("ip", "other").unwrap().succeeded();
        assert!(limits.login_attempt("ip", "other").is_ok());
    }
}
