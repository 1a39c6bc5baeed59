//! Sending one file through put.io's tus endpoint: create the upload, PATCH it chunk by
//! chunk straight from disk, resume from the server's offset after any failure, and verify
//! the CRC32 put.io reports against the one computed from the bytes we read.
//!
//! Memory per file is one read buffer, whatever the file or chunk size: a chunk is a stream
//! over the open file, never a buffer.

use std::io::SeekFrom;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::BytesMut;
use futures_util::stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Client, NewUpload, PatchAnswer, retry};

use super::plan::{PlannedFile, io_reason};
use super::report::{Event, Reporter};

/// Size of one read from disk, and so of the pieces a request body is made of.
const READ_SIZE: usize = 256 * 1024;
/// A PATCH that moves no byte for this long is given up and resumed.
const STALL: Duration = Duration::from_secs(60);

pub struct Transfer {
    pub client: Arc<Client>,
    pub reporter: Arc<dyn Reporter>,
    pub chunk_size: u64,
    pub attempts: u32,
    pub cancel: CancellationToken,
}

#[derive(Debug)]
pub struct Uploaded {
    pub id: u64,
    pub crc32: String,
    pub size: u64,
}

#[derive(Debug)]
pub enum TransferError {
    /// This file failed; the run goes on.
    File(String),
    /// The whole run must stop (account full, token rejected).
    Fatal(anyhow::Error),
    Cancelled,
}

impl TransferError {
    #[allow(clippy::needless_pass_by_value)] // used as `map_err(TransferError::from_api)`
    fn from_api(err: ApiError) -> Self {
        if err.is_unauthorized() {
            TransferError::Fatal(crate::exit::Fatal::auth(err.to_string()))
        } else if err.is_storage_full() {
            TransferError::Fatal(crate::exit::Fatal::remote(format!(
                "put.io account is full: {err}; free space on put.io (empty the trash) and run again"
            )))
        } else {
            TransferError::File(err.to_string())
        }
    }
}

/// What identifies the local file's content for this upload.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Identity {
    size: u64,
    modified: Option<SystemTime>,
}

impl Identity {
    async fn of(file: &tokio::fs::File) -> std::io::Result<Self> {
        let meta = file.metadata().await?;
        Ok(Identity {
            size: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The CRC32 of the bytes `[0, offset)` that the server has confirmed.
#[derive(Clone)]
struct Checkpoint {
    offset: u64,
    hasher: crc32fast::Hasher,
}

/// Shared between a request body stream and the code waiting for the answer.
struct Sent {
    hasher: Mutex<crc32fast::Hasher>,
    read: AtomicU64,
}

impl Transfer {
    pub async fn upload(
        &self,
        index: usize,
        file: &PlannedFile,
        parent_id: u64,
    ) -> Result<Uploaded, TransferError> {
        let path = &file.local;
        let handle = tokio::fs::File::open(path)
            .await
            .map_err(|err| TransferError::File(format!("cannot open: {}", io_reason(&err))))?;
        let identity = Identity::of(&handle)
            .await
            .map_err(|err| TransferError::File(format!("cannot read: {}", io_reason(&err))))?;
        let size = identity.size;
        self.reporter.event(Event::FileStarted {
            index,
            path: &file.display,
            size,
        });

        let new = NewUpload {
            name: &file.name,
            parent_id,
            length: size,
            updated_at: identity.modified.map(rfc3339),
        };
        let mut url = self
            .client
            .tus_create(&new)
            .await
            .map_err(TransferError::from_api)?;
        let mut checkpoint = Checkpoint {
            offset: 0,
            hasher: crc32fast::Hasher::new(),
        };
        let mut failures = 0u32;

        let answer = loop {
            if self.cancel.is_cancelled() {
                return Err(TransferError::Cancelled);
            }
            let length = (size - checkpoint.offset).min(self.chunk_size);
            let result = self
                .patch(index, &handle, &url, &checkpoint, length)
                .await?;
            let err = match result {
                Ok((answer, hasher)) if answer.offset == checkpoint.offset + length => {
                    checkpoint = Checkpoint {
                        offset: answer.offset,
                        hasher,
                    };
                    failures = 0;
                    if answer.offset == size {
                        break answer;
                    }
                    continue;
                }
                Ok((answer, _)) => ApiError::protocol(
                    "upload",
                    format!(
                        "server offset {} after sending up to {}",
                        answer.offset,
                        checkpoint.offset + length
                    ),
                ),
                Err(err) => err,
            };
            // Something went wrong: decide whether to go on, and from where.
            if Identity::of(&handle).await.ok() != Some(identity) {
                self.client.tus_abort(&url).await;
                return Err(TransferError::File(
                    "changed while it was being uploaded; run again to upload the new version"
                        .into(),
                ));
            }
            let conflict = err.status() == Some(reqwest::StatusCode::CONFLICT);
            if !(conflict || err.is_transient() || matches!(err, ApiError::Protocol { .. })) {
                return Err(TransferError::from_api(err));
            }
            failures += 1;
            if failures >= self.attempts {
                return Err(TransferError::File(format!(
                    "gave up after {failures} attempts: {err}"
                )));
            }
            if !conflict {
                let wait = retry::delay(failures, &err);
                tracing::info!(
                    "{}: {err}; resuming in {:.1}s",
                    file.display,
                    wait.as_secs_f64()
                );
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = self.cancel.cancelled() => return Err(TransferError::Cancelled),
                }
            }
            match self.client.tus_offset(&url).await {
                Ok(Some(offset)) if offset <= size => {
                    self.resume_at(&handle, &mut checkpoint, offset).await?;
                }
                Ok(_) => {
                    // The server forgot the upload (or is confused): start this file over.
                    tracing::info!(
                        "{}: upload URL no longer known; starting over",
                        file.display
                    );
                    url = self
                        .client
                        .tus_create(&new)
                        .await
                        .map_err(TransferError::from_api)?;
                    checkpoint = Checkpoint {
                        offset: 0,
                        hasher: crc32fast::Hasher::new(),
                    };
                }
                Err(head_err) if head_err.is_transient() => {
                    tracing::info!("{}: {head_err}", file.display);
                }
                Err(head_err) => return Err(TransferError::from_api(head_err)),
            }
            self.reporter.event(Event::FileProgress {
                index,
                position: checkpoint.offset,
            });
        };

        if Identity::of(&handle).await.ok() != Some(identity) {
            self.delete_bad_copy(answer.file_id).await;
            return Err(TransferError::File(
                "changed while it was being uploaded; run again to upload the new version".into(),
            ));
        }
        let local_crc = format!("{:08x}", checkpoint.hasher.finalize());
        let Some(id) = answer.file_id else {
            return Err(TransferError::File(
                "put.io did not say which file it stored (no putio-file-id)".into(),
            ));
        };
        let remote_crc = match answer.crc32 {
            Some(crc) => crc,
            None => self
                .client
                .file(id)
                .await
                .map_err(TransferError::from_api)?
                .crc32
                .unwrap_or_default()
                .to_ascii_lowercase(),
        };
        if remote_crc != local_crc {
            self.delete_bad_copy(Some(id)).await;
            return Err(TransferError::File(format!(
                "checksum mismatch: put.io stored CRC32 {remote_crc}, the local file has {local_crc}; the bad copy was removed"
            )));
        }
        Ok(Uploaded {
            id,
            crc32: local_crc,
            size,
        })
    }

    /// Sends `[checkpoint.offset, +length)` in one PATCH. The outer `Result` is for errors
    /// that end the file at once; the inner one for the request's own outcome.
    async fn patch(
        &self,
        index: usize,
        handle: &tokio::fs::File,
        url: &str,
        checkpoint: &Checkpoint,
        length: u64,
    ) -> Result<Result<(PatchAnswer, crc32fast::Hasher), ApiError>, TransferError> {
        let start = checkpoint.offset;
        let mut reader = handle
            .try_clone()
            .await
            .map_err(|err| TransferError::File(format!("cannot read: {}", io_reason(&err))))?;
        reader
            .seek(SeekFrom::Start(start))
            .await
            .map_err(|err| TransferError::File(format!("cannot read: {}", io_reason(&err))))?;
        let sent = Arc::new(Sent {
            hasher: Mutex::new(checkpoint.hasher.clone()),
            read: AtomicU64::new(0),
        });
        let body = body_stream(
            reader.take(length),
            Arc::clone(&sent),
            Arc::clone(&self.reporter),
            index,
            start,
        );
        let action = "upload";
        let request =
            self.client
                .tus_patch(url, start, length, reqwest::Body::wrap_stream(body), action);
        let result = tokio::select! {
            result = request => result,
            () = stalled(&sent) => Err(ApiError::protocol(action, format!("no progress for {}s", STALL.as_secs()))),
            () = self.cancel.cancelled() => return Err(TransferError::Cancelled),
        };
        let hasher = sent.hasher.lock().expect("hasher lock").clone();
        Ok(result.map(|answer| (answer, hasher)))
    }

    /// Moves the checkpoint to the server's `offset`, hashing from disk what the server has
    /// but the checkpoint does not (or starting the hash over if the server went backwards).
    async fn resume_at(
        &self,
        handle: &tokio::fs::File,
        checkpoint: &mut Checkpoint,
        offset: u64,
    ) -> Result<(), TransferError> {
        if offset < checkpoint.offset {
            *checkpoint = Checkpoint {
                offset: 0,
                hasher: crc32fast::Hasher::new(),
            };
        }
        if offset == checkpoint.offset {
            return Ok(());
        }
        let fail =
            |err: std::io::Error| TransferError::File(format!("cannot read: {}", io_reason(&err)));
        let mut reader = handle.try_clone().await.map_err(fail)?;
        reader
            .seek(SeekFrom::Start(checkpoint.offset))
            .await
            .map_err(fail)?;
        let mut reader = reader.take(offset - checkpoint.offset);
        let mut buf = vec![0u8; READ_SIZE];
        loop {
            let n = reader.read(&mut buf).await.map_err(fail)?;
            if n == 0 {
                break;
            }
            checkpoint.hasher.update(&buf[..n]);
            checkpoint.offset += n as u64;
        }
        if checkpoint.offset != offset {
            return Err(TransferError::File(
                "changed while it was being uploaded (it got shorter)".into(),
            ));
        }
        Ok(())
    }

    async fn delete_bad_copy(&self, id: Option<u64>) {
        if let Some(id) = id
            && let Err(err) = self.client.delete(&[id]).await
        {
            tracing::warn!("could not remove file {id} from put.io: {err}");
        }
    }
}

/// A request body that reads the file piece by piece, hashing and counting as it goes.
fn body_stream(
    reader: tokio::io::Take<tokio::fs::File>,
    sent: Arc<Sent>,
    reporter: Arc<dyn Reporter>,
    index: usize,
    start: u64,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync + 'static {
    stream::try_unfold(
        (reader, sent, reporter),
        move |(mut reader, sent, reporter)| async move {
            let mut buf = BytesMut::with_capacity(READ_SIZE);
            let n = reader.read_buf(&mut buf).await?;
            if n == 0 {
                return Ok(None);
            }
            sent.hasher.lock().expect("hasher lock").update(&buf);
            let read = sent.read.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
            reporter.event(Event::FileProgress {
                index,
                position: start + read,
            });
            Ok(Some((buf.freeze(), (reader, sent, reporter))))
        },
    )
}

/// Resolves once the body has not advanced for [`STALL`].
async fn stalled(sent: &Sent) {
    let mut last = sent.read.load(Ordering::Relaxed);
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = sent.read.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= STALL {
            return;
        }
    }
}

/// RFC 3339 in UTC with seconds precision, as put.io's `updated-at` metadata wants.
fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc_seconds() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_558_830);
        assert_eq!(rfc3339(t), "2024-05-01T10:20:30Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
