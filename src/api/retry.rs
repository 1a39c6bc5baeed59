//! How long to wait before another try: exponential backoff with jitter, or exactly what
//! a 429's rate-limit headers say.

use std::time::Duration;

use rand::Rng;

use super::ApiError;

const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(30);

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
    fn backoff_grows_and_is_capped() {
        for attempt in 1..40 {
            let d = backoff(attempt);
            let ceiling = BASE.saturating_mul(1 << (attempt - 1).min(16)).min(CAP);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(30) >= CAP / 2);
    }
}
