//! When to run an object again: after its interval (with jitter) on success, after an exponentially growing
//! delay on failure (Flux's `--min-retry-delay` 750ms to `--max-retry-delay` 15m), reset by the next success.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Per-object failure counts.
#[derive(Debug)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter_percent: u32,
    failures: Mutex<HashMap<String, u32>>,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration, jitter_percent: u32) -> Backoff {
        Backoff { min, max, jitter_percent: jitter_percent.min(100), failures: Mutex::new(HashMap::new()) }
    }

    /// The delay before retrying `key` after one more failure.
    pub fn failed(&self, key: &str) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = failures.entry(key.to_string()).or_insert(0);
        let exponent = (*count).min(20);
        *count = count.saturating_add(1);
        self.min.saturating_mul(1 << exponent).min(self.max)
    }

    /// Forgets `key`'s failures and returns `interval` with jitter, so a fleet created at once spreads out.
    pub fn succeeded(&self, key: &str, interval: Duration) -> Duration {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
        self.jittered(interval)
    }

    /// `interval` moved by up to `jitter_percent` either way.
    pub fn jittered(&self, interval: Duration) -> Duration {
        if self.jitter_percent == 0 || interval.is_zero() {
            return interval;
        }
        let spread = interval.as_secs_f64() * f64::from(self.jitter_percent) / 100.0;
        let unit = random_unit();
        Duration::from_secs_f64((interval.as_secs_f64() + spread * (2.0 * unit - 1.0)).max(0.0))
    }
}

/// A number in [0, 1) without a random crate: the low bits of a fresh UUID v4 are random.
fn random_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u64 >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_up_to_the_cap_and_success_resets() {
        let backoff = Backoff::new(Duration::from_millis(750), Duration::from_secs(900), 0);
        assert_eq!(backoff.failed("a"), Duration::from_millis(750));
        assert_eq!(backoff.failed("a"), Duration::from_millis(1500));
        assert_eq!(backoff.failed("a"), Duration::from_millis(3000));
        for _ in 0..30 {
            backoff.failed("a");
        }
        assert_eq!(backoff.failed("a"), Duration::from_secs(900));
        assert_eq!(backoff.succeeded("a", Duration::from_secs(60)), Duration::from_secs(60));
        assert_eq!(backoff.failed("a"), Duration::from_millis(750));
    }

    #[test]
    fn jitter_stays_within_its_percentage() {
        let backoff = Backoff::new(Duration::from_millis(750), Duration::from_secs(900), 10);
        for _ in 0..100 {
            let d = backoff.jittered(Duration::from_secs(100));
            assert!(d >= Duration::from_secs(90) && d <= Duration::from_secs(110), "{d:?}");
        }
    }
}
