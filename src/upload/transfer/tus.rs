//! A file through put.io's tus endpoint: create the upload (journalled, so another run can
//! resume it), PATCH it chunk by chunk straight from disk, and after any failure resume
//! from the offset the server reports. When the server no longer knows the upload (it
//! expired, or it completed and put.io dropped the record), the folder is searched for our
//! file before anything is sent again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::api::retry::{self, Retry};
use crate::api::{ApiError, NewUpload, PatchAnswer};

use super::hash::{crc32_of_open, hash_range, hex, std_clone};
use super::{Identity, Job, Landed, Transfer, TransferError, changed, pick, read_error};
use crate::upload::journal::{Key, MIN_SIZE};
use crate::upload::report::Event;

/// The CRC32 of the bytes `[0, offset)` that the server has confirmed.
#[derive(Clone)]
struct Checkpoint {
    offset: u64,
    hasher: crc32fast::Hasher,
}

impl Checkpoint {
    fn zero() -> Self {
        Checkpoint {
            offset: 0,
            hasher: crc32fast::Hasher::new(),
        }
    }
}

/// Where a journalled upload of this file stands.
enum Resume {
    /// The server still has it, at this offset; it was created at `since`.
    At {
        url: String,
        offset: u64,
        since: SystemTime,
    },
    /// The server forgot it, but our file is in the folder: nothing left to send.
    Found(Landed),
    Fresh,
}

impl Transfer {
    pub(super) async fn upload_tus(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
    ) -> Result<Landed, TransferError> {
        let (index, file, size) = (job.index, job.file, identity.size);
        let key = Key {
            origin: self.origin.clone(),
            account: self.account.clone(),
            parent_id: job.parent_id,
            name: file.name.clone(),
            local: file.local.to_string_lossy().into_owned(),
            size,
            modified: Key::modified(identity.modified),
        };
        let new = NewUpload {
            name: &file.name,
            parent_id: job.parent_id,
            length: size,
            updated_at: identity
                .modified
                .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
        };
        let mut checkpoint = Checkpoint::zero();
        let mut since = SystemTime::now();
        let mut url = match self.resumable(job, &key, handle, identity).await? {
            Resume::At {
                url,
                offset,
                since: created,
            } => {
                self.resume_at(handle, &mut checkpoint, offset).await?;
                self.reporter.event(Event::FileResumed {
                    index,
                    path: &file.display,
                    offset,
                });
                self.reporter.event(Event::FileProgress {
                    index,
                    position: offset,
                });
                since = created;
                url
            }
            Resume::Found(landed) => {
                self.unjournal(&key);
                return Ok(landed);
            }
            Resume::Fresh => self.create(&new, &key).await?,
        };
        let mut retry = Retry::new(self.attempts);

        let answer = loop {
            if self.cancel.is_cancelled() {
                return Err(TransferError::Cancelled);
            }
            let length = (size - checkpoint.offset).min(self.chunk_size);
            let err = match self
                .patch((index, &file.display), handle, &url, &checkpoint, length)
                .await?
            {
                Ok((answer, hasher)) if answer.offset == checkpoint.offset + length => {
                    checkpoint = Checkpoint {
                        offset: answer.offset,
                        hasher,
                    };
                    retry.reset();
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
            if Identity::of(handle).await.ok() != Some(identity) {
                self.client.tus_abort(&url).await;
                self.unjournal(&key);
                return Err(changed());
            }
            if err.is_not_found() {
                // put.io no longer knows this upload: it expired, or it completed and the
                // record is gone. Only our file in the folder tells which.
                if let Some(landed) = self.forgotten(job, handle, identity, since).await? {
                    self.unjournal(&key);
                    return Ok(landed);
                }
                url = self.create(&new, &key).await?;
                (checkpoint, since) = (Checkpoint::zero(), SystemTime::now());
                continue;
            }
            let conflict = err.status() == Some(reqwest::StatusCode::CONFLICT);
            if !(conflict || err.is_transient() || matches!(err, ApiError::Protocol { .. })) {
                return Err(self.refused(err, size).await);
            }
            let Some(wait) = retry.failed(&err) else {
                return Err(TransferError::File(format!(
                    "gave up after {} in a row: {err}; run again to resume",
                    crate::format::counted(retry.failures(), "attempt")
                )));
            };
            if conflict {
                // The server's offset is not ours: no pause, ask it and go on from there.
                self.client.count_retry();
                tracing::info!("{}: {err}; asking the server's offset", file.display);
            } else {
                let note = retry::note("resuming", &err, wait, &retry);
                self.retrying(index, &file.display, &note);
                self.pause(wait).await?;
            }
            match self.client.tus_offset(&url).await {
                Ok(Some(offset)) if offset <= size => {
                    self.resume_at(handle, &mut checkpoint, offset).await?;
                }
                Ok(_) => {
                    if let Some(landed) = self.forgotten(job, handle, identity, since).await? {
                        self.unjournal(&key);
                        return Ok(landed);
                    }
                    url = self.create(&new, &key).await?;
                    (checkpoint, since) = (Checkpoint::zero(), SystemTime::now());
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
        let local_crc = hex(checkpoint.hasher);
        match answer.file_id {
            Some(id) => {
                self.settle(job, handle, identity, (id, answer.crc32), local_crc)
                    .await
            }
            None => {
                self.unnamed_result(job, handle, identity, local_crc, since)
                    .await
            }
        }
    }

    /// The server forgot the upload. `Some` when our file is in the folder anyway (taken,
    /// never sent again); `None` when it is not, and the file must start over. The local
    /// file is hashed only when the folder has a candidate.
    async fn forgotten(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        since: SystemTime,
    ) -> Result<Option<Landed>, TransferError> {
        let candidates = self.candidates(job, identity.size, since).await;
        if !candidates.is_empty() {
            let local_crc = crc32_of_open(handle, identity.size).await?;
            if let Some(found) = pick(candidates, &local_crc) {
                let how = "put.io forgot the upload but holds the file";
                return self
                    .take(job, handle, identity, found, local_crc, how)
                    .await
                    .map(Some);
            }
        }
        tracing::info!(
            "{}: put.io no longer knows the upload and the folder does not hold the file; starting over",
            job.file.display
        );
        Ok(None)
    }

    /// A journalled upload of this very file: still known to the server (resume it), or
    /// forgotten with our file already in the folder, or nothing to resume.
    async fn resumable(
        &self,
        job: &Job<'_>,
        key: &Key,
        handle: &tokio::fs::File,
        identity: Identity,
    ) -> Result<Resume, TransferError> {
        let Some(entry) = self.journal.as_ref().and_then(|j| j.find(key)).cloned() else {
            return Ok(Resume::Fresh);
        };
        let since = UNIX_EPOCH + Duration::from_secs(entry.created);
        match self.client.tus_offset(&entry.url).await {
            Ok(Some(offset)) if offset <= key.size => Ok(Resume::At {
                url: entry.url,
                offset,
                since,
            }),
            Ok(_) => Ok(match self.forgotten(job, handle, identity, since).await? {
                Some(landed) => Resume::Found(landed),
                None => Resume::Fresh,
            }),
            Err(err) => {
                tracing::info!("{}: cannot resume ({err}); starting over", key.local);
                Ok(Resume::Fresh)
            }
        }
    }

    /// tus creation, recorded in the journal (for files worth resuming) before any byte goes.
    async fn create(&self, new: &NewUpload<'_>, key: &Key) -> Result<String, TransferError> {
        let url = match self.client.tus_create(new).await {
            Ok(url) => url,
            Err(err) if err.is_transient() => return Err(TransferError::File(err.to_string())),
            Err(err) => return Err(self.refused(err, new.length).await),
        };
        if let Some(journal) = self.journal.as_ref().filter(|_| key.size >= MIN_SIZE)
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
        if let Some(journal) = self.journal.as_ref().filter(|_| key.size >= MIN_SIZE)
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
        (index, path): (usize, &str),
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
        let result = self.watched(request, &sent, (index, path), action).await?;
        Ok(result.map(|answer| (answer, sent.hasher())))
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
            *checkpoint = Checkpoint::zero();
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
}
