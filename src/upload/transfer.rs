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
use futures_util::{StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Client, NewUpload, PatchAnswer, retry};

use super::journal::{self, Journal, Key};
use super::plan::{PlannedFile, io_reason};
use super::report::{Event, Reporter};

/// Size of one read from disk, and so of the pieces a request body is made of.
const READ_SIZE: usize = 512 * 1024;
/// Pieces read ahead of the network, per file in flight.
const READ_AHEAD: usize = 2;
/// Files below this size go up in one multipart request instead of tus (create + PATCH):
/// half the round trips. They are below the journal's threshold too: a restart costs little.
pub const SMALL_FILE: u64 = journal::MIN_SIZE;
/// A PATCH that moves no byte for this long is given up and resumed.
const STALL: Duration = Duration::from_secs(60);

pub struct Transfer {
    pub client: Arc<Client>,
    pub reporter: Arc<dyn Reporter>,
    pub chunk_size: u64,
    pub attempts: u32,
    pub cancel: CancellationToken,
    /// Where uploads in progress are recorded for resuming; `None` when it could not be opened.
    pub journal: Option<Arc<Journal>>,
    /// Who and where, for journal keys: the upload origin and the account name.
    pub origin: String,
    pub account: String,
}

/// One file to send, and the remote files it replaces (`--overwrite`).
pub struct Job<'a> {
    pub index: usize,
    pub file: &'a PlannedFile,
    pub parent_id: u64,
    pub replaces: Vec<u64>,
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
    /// The file was removed after the scan: nothing to upload.
    Vanished,
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
    pub async fn upload(&self, job: &Job<'_>) -> Result<Uploaded, TransferError> {
        let (index, file) = (job.index, job.file);
        let handle = match tokio::fs::File::open(&file.local).await {
            Ok(handle) => handle,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(TransferError::Vanished);
            }
            Err(err) => {
                return Err(TransferError::File(format!(
                    "cannot open: {}",
                    io_reason(&err)
                )));
            }
        };
        let identity = Identity::of(&handle).await.map_err(read_error)?;
        let size = identity.size;
        let key = Key {
            origin: self.origin.clone(),
            account: self.account.clone(),
            parent_id: job.parent_id,
            name: file.name.clone(),
            local: file.local.to_string_lossy().into_owned(),
            size,
            modified: Key::modified(identity.modified),
        };
        self.reporter.event(Event::FileStarted {
            index,
            path: &file.display,
            size,
        });

        if size < SMALL_FILE && !is_torrent(&file.name) {
            return self.upload_small(job, &handle, identity).await;
        }

        let new = NewUpload {
            name: &file.name,
            parent_id: job.parent_id,
            length: size,
            updated_at: identity.modified.map(rfc3339),
        };
        let mut checkpoint = Checkpoint {
            offset: 0,
            hasher: crc32fast::Hasher::new(),
        };
        let mut url = match self.resumable(&key).await {
            Some((url, offset)) => {
                self.resume_at(&handle, &mut checkpoint, offset).await?;
                self.reporter.event(Event::FileResumed {
                    index,
                    path: &file.display,
                    offset,
                });
                self.reporter.event(Event::FileProgress {
                    index,
                    position: offset,
                });
                url
            }
            None => self.create(&new, &key).await?,
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
                self.unjournal(&key);
                return Err(changed());
            }
            let conflict = err.status() == Some(reqwest::StatusCode::CONFLICT);
            if !(conflict || err.is_transient() || matches!(err, ApiError::Protocol { .. })) {
                return Err(TransferError::from_api(err));
            }
            failures += 1;
            if failures >= self.attempts {
                return Err(TransferError::File(format!(
                    "gave up after {failures} attempts: {err}; run again to resume"
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
                    url = self.create(&new, &key).await?;
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
        // From here on the upload URL is finished: nothing left to resume.
        self.unjournal(&key);

        let local_crc = format!("{:08x}", checkpoint.hasher.finalize());
        let Some(id) = answer.file_id else {
            return Err(TransferError::File(
                "put.io did not say which file it stored (no putio-file-id)".into(),
            ));
        };
        self.finish(job, &handle, identity, (id, answer.crc32), local_crc)
            .await
    }

    /// Everything after the last byte landed: the file must not have changed, put.io's CRC32
    /// must equal ours, and with `--overwrite` the old copy goes only now.
    async fn finish(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        stored: (u64, Option<String>),
        local_crc: String,
    ) -> Result<Uploaded, TransferError> {
        let (id, remote_crc) = stored;
        if Identity::of(handle).await.ok() != Some(identity) {
            self.delete_bad_copy(Some(id)).await;
            return Err(changed());
        }
        let remote_crc = match remote_crc {
            Some(crc) => crc.to_ascii_lowercase(),
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
                "checksum mismatch: put.io stored CRC32 {remote_crc}, the local file has {local_crc}; the bad copy was removed, run again to retry"
            )));
        }
        if !job.replaces.is_empty() {
            // --overwrite: the new copy is safe on put.io, only now does the old one go.
            self.client.delete(&job.replaces).await.map_err(|err| {
                TransferError::File(format!(
                    "uploaded as file {id}, but the old copy could not be removed, so the name is there twice: {err}"
                ))
            })?;
        }
        Ok(Uploaded {
            id,
            crc32: local_crc,
            size: identity.size,
        })
    }

    /// A small file in one multipart request. A lost answer may still have stored it, so
    /// before sending again the folder is checked for our file (same name, size and CRC32):
    /// a retry never makes a second copy.
    async fn upload_small(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
    ) -> Result<Uploaded, TransferError> {
        let (index, file, size) = (job.index, job.file, identity.size);
        let mut failures = 0u32;
        loop {
            let (body, sent) = self
                .body(handle, index, 0, size, crc32fast::Hasher::new())
                .await?;
            let action = "upload";
            let request = self
                .client
                .upload_small(&file.name, job.parent_id, size, body, action);
            let result = self.watched(request, &sent, action).await?;
            let err = match result {
                Ok(stored) => {
                    let local_crc = if sent.read.load(Ordering::Relaxed) == size {
                        format!(
                            "{:08x}",
                            sent.hasher.lock().expect("hasher lock").clone().finalize()
                        )
                    } else {
                        crc32_of_open(handle, size).await?
                    };
                    return self
                        .finish(job, handle, identity, (stored.id, stored.crc32), local_crc)
                        .await;
                }
                Err(err) => err,
            };
            if Identity::of(handle).await.ok() != Some(identity) {
                return Err(changed());
            }
            if !err.is_transient() && !matches!(err, ApiError::Protocol { .. }) {
                return Err(TransferError::from_api(err));
            }
            failures += 1;
            if failures >= self.attempts {
                return Err(TransferError::File(format!(
                    "gave up after {failures} attempts: {err}"
                )));
            }
            let wait = retry::delay(failures, &err);
            tracing::info!(
                "{}: {err}; retrying in {:.1}s",
                file.display,
                wait.as_secs_f64()
            );
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.cancel.cancelled() => return Err(TransferError::Cancelled),
            }
            // A 429 was refused before any work; anything else may have stored the file.
            if err.status() != Some(reqwest::StatusCode::TOO_MANY_REQUESTS) {
                let local_crc = crc32_of_open(handle, size).await?;
                if let Some(id) = self.find_stored(job, size, &local_crc).await {
                    tracing::info!("{}: the lost upload had arrived (file {id})", file.display);
                    return self
                        .finish(
                            job,
                            handle,
                            identity,
                            (id, Some(local_crc.clone())),
                            local_crc,
                        )
                        .await;
                }
            }
            self.reporter
                .event(Event::FileProgress { index, position: 0 });
        }
    }

    /// Our file in the destination folder: same name, size and CRC32, and not one of the
    /// copies `--overwrite` is replacing.
    async fn find_stored(&self, job: &Job<'_>, size: u64, crc: &str) -> Option<u64> {
        let files = self.client.list(job.parent_id).await.ok()?;
        files
            .iter()
            .filter(|f| f.name == job.file.name && !f.is_folder() && !job.replaces.contains(&f.id))
            .find(|f| {
                f.size == size
                    && f.crc32
                        .as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(crc))
            })
            .map(|f| f.id)
    }

    /// A journalled upload of this very file that the server still has: its URL and offset.
    async fn resumable(&self, key: &Key) -> Option<(String, u64)> {
        let entry = self.journal.as_ref()?.find(key)?;
        match self.client.tus_offset(&entry.url).await {
            Ok(Some(offset)) if offset <= key.size => Some((entry.url.clone(), offset)),
            Ok(_) => {
                tracing::info!(
                    "{}: the upload to resume has expired; starting over",
                    key.local
                );
                None
            }
            Err(err) => {
                tracing::info!("{}: cannot resume ({err}); starting over", key.local);
                None
            }
        }
    }

    /// tus creation, recorded in the journal (for files worth resuming) before any byte goes.
    async fn create(&self, new: &NewUpload<'_>, key: &Key) -> Result<String, TransferError> {
        let url = self
            .client
            .tus_create(new)
            .await
            .map_err(TransferError::from_api)?;
        if let Some(journal) = self
            .journal
            .as_ref()
            .filter(|_| key.size >= journal::MIN_SIZE)
            && let Err(err) = journal.record(key, &url)
        {
            tracing::warn!(
                "cannot write the resume journal {}: {err}",
                journal.path().display()
            );
        }
        Ok(url)
    }

    fn unjournal(&self, key: &Key) {
        if let Some(journal) = self
            .journal
            .as_ref()
            .filter(|_| key.size >= journal::MIN_SIZE)
            && let Err(err) = journal.forget(key)
        {
            tracing::warn!(
                "cannot update the resume journal {}: {err}",
                journal.path().display()
            );
        }
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
        let (body, sent) = self
            .body(handle, index, start, length, checkpoint.hasher.clone())
            .await?;
        let action = "upload";
        let request = self.client.tus_patch(url, start, length, body, action);
        let result = self.watched(request, &sent, action).await?;
        let hasher = sent.hasher.lock().expect("hasher lock").clone();
        Ok(result.map(|answer| (answer, hasher)))
    }

    /// A request body of `length` bytes from `start`, hashed on top of `hasher`, and the
    /// counters it shares with [`Transfer::watched`].
    async fn body(
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
            start,
            length,
            Arc::clone(&sent),
            Arc::clone(&self.reporter),
            index,
        );
        Ok((reqwest::Body::wrap_stream(stream), sent))
    }

    /// Awaits an upload request, giving up on it when its body stalls and leaving at once on
    /// Ctrl-C (the outer error).
    async fn watched<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, ApiError>>,
        sent: &Sent,
        action: &str,
    ) -> Result<Result<T, ApiError>, TransferError> {
        tokio::select! {
            result = request => Ok(result),
            () = stalled(sent) => Ok(Err(ApiError::protocol(action, format!("no progress for {}s", STALL.as_secs())))),
            () = self.cancel.cancelled() => Err(TransferError::Cancelled),
        }
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
        let file = std_clone(handle).await?;
        let start = checkpoint.offset;
        let (hasher, read) = hash_range(file, start, offset - start, checkpoint.hasher.clone())
            .await
            .map_err(read_error)?;
        checkpoint.hasher = hasher;
        checkpoint.offset += read;
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

/// put.io starts a transfer for a `.torrent` sent by multipart; only tus with `no-torrent`
/// keeps it a file.
fn is_torrent(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("torrent"))
}

fn changed() -> TransferError {
    TransferError::File(
        "changed while it was being uploaded; run again to upload the new version".into(),
    )
}

/// CRC32 of a whole local file (8 lowercase hex digits), read in pieces on a blocking thread.
pub async fn crc32_of(path: &std::path::Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let (hasher, _) = hash_range(file, 0, u64::MAX, crc32fast::Hasher::new()).await?;
    Ok(format!("{:08x}", hasher.finalize()))
}

/// CRC32 of the first `size` bytes of the file being uploaded, through its open handle (the
/// same inode as the bytes sent, even if the path now names another file).
async fn crc32_of_open(handle: &tokio::fs::File, size: u64) -> Result<String, TransferError> {
    let file = std_clone(handle).await?;
    let (hasher, _) = hash_range(file, 0, size, crc32fast::Hasher::new())
        .await
        .map_err(read_error)?;
    Ok(format!("{:08x}", hasher.finalize()))
}

/// Feeds up to `length` bytes of `file` from `start` into `hasher`, on a blocking thread.
/// Returns the hasher and how many bytes there were (fewer when the file ends first).
async fn hash_range(
    file: std::fs::File,
    start: u64,
    length: u64,
    mut hasher: crc32fast::Hasher,
) -> std::io::Result<(crc32fast::Hasher, u64)> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(SeekFrom::Start(start))?;
        let mut reader = file.take(length);
        let mut buf = vec![0u8; READ_SIZE];
        let mut read = 0u64;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok((hasher, read)),
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    read += n as u64;
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    })
    .await
    .map_err(std::io::Error::other)?
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(read_error)`
fn read_error(err: std::io::Error) -> TransferError {
    TransferError::File(format!("cannot read: {}", io_reason(&err)))
}

/// A second handle on the open file, for a blocking reader thread.
async fn std_clone(handle: &tokio::fs::File) -> Result<std::fs::File, TransferError> {
    let clone = handle.try_clone().await.map_err(read_error)?;
    Ok(clone.into_std().await)
}

/// A request body of `length` bytes of `file` from `start`. A blocking thread reads and
/// hashes ahead (at most [`READ_AHEAD`] pieces), so disk, CRC and network overlap; the
/// async side only counts what the HTTP stack takes. Memory: a few pieces per file.
fn body_stream(
    file: std::fs::File,
    start: u64,
    length: u64,
    sent: Arc<Sent>,
    reporter: Arc<dyn Reporter>,
    index: usize,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    let hashing = Arc::clone(&sent);
    tokio::task::spawn_blocking(move || {
        if let Err(err) = read_ahead(file, start, length, &hashing, &tx) {
            let _ = tx.blocking_send(Err(err));
        }
    });
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .map(move |item| {
        if let Ok(bytes) = &item {
            let n = bytes.len() as u64;
            let read = sent.read.fetch_add(n, Ordering::Relaxed) + n;
            reporter.event(Event::FileProgress {
                index,
                position: start + read,
            });
        }
        item
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
