//! Fault decisions for each request (seeded RNG, rate-limit and per-route counters) and the
//! test hooks aimed at particular file names.

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::State;
use crate::model::Faults;
use crate::reply::ApiError;

/// The fault chosen for one request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fault {
    None,
    RateLimit {
        reset_secs: u64,
    },
    ServerError(StatusCode),
    /// Close the connection unanswered; a PATCH first reads `fraction` of its body.
    Drop {
        fraction: f64,
    },
}

/// Misbehaviour aimed at particular files, for tests of a client's failure handling.
#[derive(Default)]
pub(crate) struct Hooks {
    /// Files with these names are stored with one byte flipped (and so a different CRC32).
    pub corrupt: BTreeSet<String>,
    /// tus creations for these names are refused with this status and error type.
    pub reject: HashMap<String, (StatusCode, &'static str)>,
    /// Bytes per second at which PATCH bodies are read (`None`: as fast as they come).
    pub patch_rate: Option<u64>,
}

impl State {
    /// New faults restart the RNG from their seed and the rate-limit count from zero, so a run
    /// after `set_faults` is reproducible.
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = sanitize(faults);
        self.rng = StdRng::seed_from_u64(self.faults.seed);
        self.fault_counter = 0;
        self.route_counter.clear();
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Decides the fault for the next request to `route`, in the documented order: an
    /// answer to lose on purpose, rate limit, 5xx, drop.
    pub fn decide_fault(&mut self, route: &str) -> Fault {
        self.fault_counter += 1;
        let faults = &self.faults;
        let nth = if faults.lose_answers.is_empty() {
            0
        } else {
            let count = self.route_counter.entry(route.to_owned()).or_default();
            *count += 1;
            *count
        };
        let fault = if faults
            .lose_answers
            .iter()
            .any(|(lost, n)| lost == route && *n == nth)
        {
            Fault::Drop { fraction: 1.0 }
        } else if faults.rate_limit_every > 0
            && self.fault_counter.is_multiple_of(faults.rate_limit_every)
        {
            Fault::RateLimit {
                reset_secs: faults.rate_limit_reset_secs.max(1),
            }
        } else if faults.error_5xx > 0.0 && self.rng.random::<f64>() < faults.error_5xx {
            let status = match self.rng.random_range(0..3) {
                0 => StatusCode::INTERNAL_SERVER_ERROR,
                1 => StatusCode::BAD_GATEWAY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            Fault::ServerError(status)
        } else if faults.drop > 0.0 && self.rng.random::<f64>() < faults.drop {
            Fault::Drop {
                fraction: self.rng.random::<f64>(),
            }
        } else {
            Fault::None
        };
        if !matches!(fault, Fault::None) {
            self.stats.faults_injected += 1;
        }
        fault
    }

    /// The `reject` hook: uploads of this name are refused.
    pub(super) fn check_rejected(&self, name: &str) -> Result<(), ApiError> {
        match self.hooks.reject.get(name) {
            Some((status, error_type)) => Err(ApiError::new(
                *status,
                error_type,
                format!("uploads named {name} are refused (test hook)"),
            )),
            None => Ok(()),
        }
    }

    /// The `corrupt` hook: flips one bit of the first byte of what is stored, and returns the
    /// CRC32 of what is stored now.
    pub(super) fn maybe_corrupt(
        &self,
        name: &str,
        content: &mut Option<Vec<u8>>,
        crc32: u32,
    ) -> u32 {
        if !self.hooks.corrupt.contains(name) {
            return crc32;
        }
        match content.as_mut().filter(|bytes| !bytes.is_empty()) {
            Some(bytes) => {
                bytes[0] ^= 1;
                crc32fast::hash(bytes)
            }
            None => crc32 ^ 0x8000_0000,
        }
    }
}

pub(super) fn sanitize(mut faults: Faults) -> Faults {
    let share = |x: f64| if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
    faults.error_5xx = share(faults.error_5xx);
    faults.drop = share(faults.drop);
    faults
}
