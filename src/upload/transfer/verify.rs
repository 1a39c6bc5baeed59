//! Waiting for put.io's CRC32 of a file it stored without one. put.io may fill `crc32` in a
//! little after storing a file (the reference marks it UNKNOWN), so a missing CRC32 is
//! polled for, with backoff and within `--verify-wait`, outside the transfer slots: other
//! files go on meanwhile. A file whose CRC32 never comes is kept and reported as not
//! verified; nothing is deleted or sent again for want of an answer.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::api::retry;
use crate::exit::Fatal;

use super::{Transfer, TransferError, Uploaded};
use crate::upload::report::Event;

/// After this many files in a row without a CRC32 in time, later files get one short look
/// instead of the whole wait: put.io is evidently not reporting CRC32s just now.
const MISSES_BEFORE_SHORT: u32 = 3;
const SHORT_WAIT: Duration = Duration::from_secs(2);
/// The longest pause between two looks.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// A file put.io holds, whose CRC32 it has not reported yet.
#[derive(Debug)]
pub struct Pending {
    pub index: usize,
    pub display: String,
    pub id: u64,
    pub local_crc: String,
    pub size: u64,
    /// Old copies to remove (`--overwrite`) once the new one is verified.
    pub replaces: Vec<u64>,
}

impl Transfer {
    /// Looks at the stored file until put.io reports its CRC32 or the wait is over. `Ok` with
    /// `verified: false` when no CRC32 came (or Ctrl-C came first): the file stays.
    pub async fn verify(&self, pending: Pending) -> Result<Uploaded, TransferError> {
        let short = self.crc_misses.load(Ordering::Relaxed) >= MISSES_BEFORE_SHORT;
        let budget = if short {
            self.verify_wait.min(SHORT_WAIT)
        } else {
            self.verify_wait
        };
        let deadline = Instant::now() + budget;
        let mut looks = 0;
        loop {
            looks += 1;
            let left = deadline.saturating_duration_since(Instant::now());
            let pause = retry::backoff(looks + 1).min(MAX_PAUSE).min(left);
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = self.cancel.cancelled() => return Ok(unverified(pending)),
            }
            match self.client.file(pending.id).await {
                Ok(file) => {
                    if let Some(crc) = file.crc() {
                        self.crc_misses.store(0, Ordering::Relaxed);
                        return self.confirmed(pending, &crc).await;
                    }
                }
                Err(err) if err.is_unauthorized() => {
                    return Err(TransferError::Fatal(Fatal::auth(err.to_string())));
                }
                Err(err) if err.is_not_found() => {
                    return Err(TransferError::File(format!(
                        "put.io stored it as file {}, then no longer had it; run again to upload it",
                        pending.id
                    )));
                }
                Err(err) => tracing::info!("{}: {err}", pending.display),
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        let misses = self.crc_misses.fetch_add(1, Ordering::Relaxed) + 1;
        if misses >= MISSES_BEFORE_SHORT && !self.crc_warned.swap(true, Ordering::Relaxed) {
            let message = format!(
                "put.io reported no CRC32 for {misses} files in a row within {}: they are kept and reported as not verified, and later files get one short look",
                humantime::format_duration(self.verify_wait)
            );
            self.reporter.event(Event::Warning { message: &message });
        }
        if !pending.replaces.is_empty() {
            let message = format!(
                "{}: uploaded as file {}, but put.io has not confirmed its CRC32, so the old copy (file {}) was kept; the name is there twice until you remove one",
                pending.display,
                pending.id,
                pending
                    .replaces
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.reporter.event(Event::Warning { message: &message });
        }
        Ok(unverified(pending))
    }
}

fn unverified(pending: Pending) -> Uploaded {
    Uploaded {
        id: pending.id,
        crc32: pending.local_crc,
        size: pending.size,
        verified: false,
    }
}
