//! Request bodies streamed from disk, and the watchdog that gives up on a stalled one.
//!
//! A blocking thread reads and hashes ahead (at most [`READ_AHEAD`] pieces), so disk, CRC
//! and network overlap; the async side only counts what the HTTP stack takes, and under
//! `--bwlimit` hands it out in slices, each when the shared [`Throttle`] says. Memory per
//! body is a few pieces, whatever the file or chunk size. Nothing here decides retries.

use std::io::SeekFrom;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_util::stream;

use crate::api::ApiError;

use super::hash::{READ_SIZE, std_clone};
use super::{Transfer, TransferError};
use crate::upload::limit::Throttle;
use crate::upload::report::{Event, Reporter};

/// Pieces read ahead of the network, per file in flight.
const READ_AHEAD: usize = 2;
/// A request whose body moves no byte for this long is given up (and resumed or retried).
const STALL: Duration = Duration::from_secs(60);
/// A body quiet for this long is said to be stalled, so that people see why nothing moves.
const NOTICE: Duration = Duration::from_secs(10);

/// Shared between a request body stream and the code waiting for the answer.
pub(super) struct Sent {
    pub hasher: Mutex<crc32fast::Hasher>,
    pub read: AtomicU64,
}

impl Sent {
    /// The CRC32 of everything read so far, on top of the hasher the body started from.
    pub(super) fn hasher(&self) -> crc32fast::Hasher {
        self.hasher.lock().expect("hasher lock").clone()
    }
}

impl Transfer {
    /// A request body of `length` bytes from `start`, hashed on top of `hasher`, and the
    /// counters it shares with [`Transfer::watched`].
    pub(super) async fn body(
        &self,
        handle: &tokio::fs::File,
        index: usize,
        start: u64,
        length: u64,
        hasher: crc32fast::Hasher,
    ) -> Result<(reqwest::Body, Arc<Sent>), TransferError> {
        let reader = std_clone(handle).await?;
        let sent = Arc::new(Sent {
            hasher: Mutex::new(hasher),
            read: AtomicU64::new(0),
        });
        let stream = body_stream(
            reader,
            (start, length),
            Arc::clone(&sent),
            Arc::clone(&self.reporter),
            index,
            Arc::clone(&self.throttle),
        );
        Ok((reqwest::Body::wrap_stream(stream), sent))
    }

    /// Awaits an upload request, giving up on it when its body stalls and leaving at once on
    /// Ctrl-C (the outer error).
    /// A body quiet for [`NOTICE`] is reported as stalled (on the file's line), and again
    /// every [`NOTICE`]; at [`STALL`] the request is given up as "stalled 60 s".
    pub(super) async fn watched<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, ApiError>>,
        sent: &Sent,
        (index, path): (usize, &str),
        action: &str,
    ) -> Result<Result<T, ApiError>, TransferError> {
        let quiet = |secs| {
            self.reporter.event(Event::Stalled { index, path, secs });
        };
        tokio::select! {
            result = request => Ok(result),
            () = stalled(sent, quiet) => Ok(Err(ApiError::protocol(action, format!("stalled {} s, reconnecting", STALL.as_secs())))),
            () = self.cancel.cancelled() => Err(TransferError::Cancelled),
        }
    }
}

/// A request body of `length` bytes of `file` from `start`.
fn body_stream(
    file: std::fs::File,
    (start, length): (u64, u64),
    sent: Arc<Sent>,
    reporter: Arc<dyn Reporter>,
    index: usize,
    throttle: Arc<Throttle>,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    let hashing = Arc::clone(&sent);
    tokio::task::spawn_blocking(move || {
        if let Err(err) = read_ahead(file, start, length, &hashing, &tx) {
            let _ = tx.blocking_send(Err(err));
        }
    });
    // The piece being handed out, when the limiter cuts it into slices.
    let rest = bytes::Bytes::new();
    stream::unfold((rx, rest), move |(mut rx, mut rest)| {
        let (sent, reporter, throttle) = (
            Arc::clone(&sent),
            Arc::clone(&reporter),
            Arc::clone(&throttle),
        );
        async move {
            if rest.is_empty() {
                match rx.recv().await? {
                    Ok(piece) => rest = piece,
                    Err(err) => return Some((Err(err), (rx, rest))),
                }
            }
            let slice = if throttle.limited() {
                rest.split_to(throttle.slice().min(rest.len()))
            } else {
                std::mem::take(&mut rest)
            };
            throttle.take(slice.len()).await;
            let n = slice.len() as u64;
            let read = sent.read.fetch_add(n, Ordering::Relaxed) + n;
            reporter.event(Event::FileProgress {
                index,
                position: start + read,
            });
            Some((Ok(slice), (rx, rest)))
        }
    })
}

/// The reader thread of [`body_stream`]: stops early when the request is gone.
fn read_ahead(
    mut file: std::fs::File,
    start: u64,
    length: u64,
    sent: &Sent,
    tx: &tokio::sync::mpsc::Sender<std::io::Result<bytes::Bytes>>,
) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    file.seek(SeekFrom::Start(start))?;
    let mut left = length;
    while left > 0 {
        let want = usize::try_from(left.min(READ_SIZE as u64)).unwrap_or(READ_SIZE);
        let mut buf = BytesMut::zeroed(want);
        let mut filled = 0;
        while filled < want {
            match file.read(&mut buf[filled..]) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file got shorter while it was being read",
                    ));
                }
                Ok(n) => filled += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        sent.hasher.lock().expect("hasher lock").update(&buf);
        left -= want as u64;
        if tx.blocking_send(Ok(buf.freeze())).is_err() {
            return Ok(()); // the request ended: nobody needs more
        }
    }
    Ok(())
}

/// Resolves once the body has not advanced for [`STALL`]; calls `quiet` with the seconds
/// so far every [`NOTICE`] before that.
async fn stalled(sent: &Sent, quiet: impl Fn(u64)) {
    let mut last = sent.read.load(Ordering::Relaxed);
    let mut since = Instant::now();
    let mut told = Duration::ZERO;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = sent.read.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
            told = Duration::ZERO;
        } else if since.elapsed() >= STALL {
            return;
        } else if since.elapsed() >= told + NOTICE {
            told += NOTICE;
            quiet(told.as_secs());
        }
    }
}
