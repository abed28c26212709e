//! Rate limits on logins and public POSTs, per key (an IP address, an account), per node.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

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

/// The limits of one node.
#[derive(Clone)]
pub struct Limits {
    /// Failed logins per IP address.
    pub login_ip: Limiter,
    /// Failed logins per account.
    pub login_account: Limiter,
    /// Public comments per IP address (`None`: no limit, for load measurements).
    pub comment_ip: Option<Limiter>,
    /// Tracking-code look-ups per IP address.
    pub track_ip: Limiter,
}

impl Limits {
    pub fn new(config: &crate::config::Config) -> Self {
        let per_hour = config.comment_rate_per_hour;
        Self {
            login_ip: Limiter::new(20, Duration::from_secs(30)),
            login_account: Limiter::new(5, Duration::from_secs(60)),
            comment_ip: (per_hour > 0).then(|| {
                Limiter::new(
                    per_hour.min(30),
                    Duration::from_secs(3600 / u64::from(per_hour)),
                )
            }),
            track_ip: Limiter::new(60, Duration::from_secs(2)),
        }
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
}
