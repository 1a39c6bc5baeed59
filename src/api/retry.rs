//! The one retry policy: how many tries a request gets, and how long to wait before the
//! next one (exponential backoff with jitter, or exactly what a 429's rate-limit headers
//! say). Every retry loop in putio-up counts its failures with a [`Retry`]; none sleeps by
//! a rule of its own.

use std::time::Duration;

use rand::Rng;

use super::ApiError;

const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(30);

/// The tries one request (or one resumable upload) has left. `attempts` counts every try,
/// the first included, so `attempts = 1` means "never retry".
#[derive(Clone, Debug)]
pub struct Retry {
    attempts: u32,
    failures: u32,
}

impl Retry {
    pub fn new(attempts: u32) -> Self {
        Retry {
            attempts: attempts.max(1),
            failures: 0,
        }
    }

    /// Counts a failure. `Some(wait)` when another try is allowed (after `wait`), `None`
    /// when the tries are used up.
    pub fn failed(&mut self, err: &ApiError) -> Option<Duration> {
        self.failures += 1;
        (self.failures < self.attempts).then(|| delay(self.failures, err))
    }

    /// Progress was made: the next failure starts the count again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures counted so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// "attempt 2/8": the try about to be made, for log lines.
    pub fn next_attempt(&self) -> String {
        format!("attempt {}/{}", self.failures + 1, self.attempts)
    }
}

/// The note a retry leaves for people: "retrying in 1.8 s (attempt 2/8): 429 Too Many
/// Requests". `verb` is what happens after the pause ("retrying", "resuming"). The cause
/// comes last: a narrow progress bar cuts it, not the wait or the count.
pub fn note(verb: &str, err: &ApiError, wait: Duration, retry: &Retry) -> String {
    format!(
        "{verb} in {:.1} s ({}): {}",
        wait.as_secs_f64(),
        retry.next_attempt(),
        err.cause()
    )
}

/// The pause before retry number `attempt` (1 = the first retry) after `err`.
pub fn delay(attempt: u32, err: &ApiError) -> Duration {
    if let Some(wait) = err.retry_after() {
        return wait;
    }
    backoff(attempt)
}

/// Full exponential backoff with "equal jitter": between half and all of `BASE * 2^(n-1)`,
/// capped, so many clients that failed together do not come back together.
pub fn backoff(attempt: u32) -> Duration {
    let exp = BASE.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let ceiling = exp.min(CAP);
    let half = ceiling / 2;
    let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_counts_every_try() {
        let err = ApiError::protocol("x", "y");
        let mut once = Retry::new(1);
        assert_eq!(once.failed(&err), None);
        let mut three = Retry::new(3);
        assert!(three.failed(&err).is_some());
        assert_eq!(three.next_attempt(), "attempt 2/3");
        assert!(three.failed(&err).is_some());
        assert_eq!(three.failed(&err), None);
        three.reset();
        assert!(three.failed(&err).is_some());
        assert_eq!(three.failures(), 1);
        let note = note("retrying", &err, Duration::from_millis(1800), &three);
        assert_eq!(note, "retrying in 1.8 s (attempt 2/3): y");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..40 {
            let d = backoff(attempt);
            let ceiling = BASE.saturating_mul(1 << (attempt - 1).min(16)).min(CAP);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(30) >= CAP / 2);
    }
}
