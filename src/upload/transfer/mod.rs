//! Sending one file to put.io and making sure put.io holds it: tus for large files and
//! torrents (`tus`), one request for small ones (`small`), bodies streamed from disk
//! (`body`), local CRC32s (`hash`), and checking put.io's CRC32 against ours, now or a
//! little later (`verify`).
//!
//! The rules this module keeps, whatever put.io answers (putio-api.md marks much of it
//! UNKNOWN):
//! - A copy on put.io is deleted only when put.io *positively* reports a CRC32 other than
//!   ours, or the local file changed while it was read, and only our own fresh copy. A
//!   missing CRC32 is "not known yet", never "different".
//! - A file is never sent twice: before sending again after a lost or odd answer, or when
//!   put.io no longer knows an upload, the folder is searched for our file and it is taken.
//! - `--overwrite` removes the old copy only once the new one is verified.
//!
//! It never prints: it reports through the engine's [`Reporter`].

mod body;
mod hash;
mod small;
pub mod torrent;
mod tus;
mod verify;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Client, RemoteFile};
use crate::exit::Fatal;
use crate::format::human_bytes;

use super::journal::{Journal, MIN_SIZE};
use super::limit::Throttle;
use super::plan::{PlannedFile, io_reason};
use super::report::{Event, Reporter};
use super::settings::Torrents;

pub use hash::crc32_of;
pub use verify::Pending;

/// Files below this size go up in one multipart request instead of tus (create + PATCH):
/// half the round trips. They are below the journal's threshold too: a restart costs little.
pub const SMALL_FILE: u64 = MIN_SIZE;
/// How far put.io's clock (`created_at`) may be behind ours when we recognise our own file.
const CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

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
    /// How long to wait for put.io to report the CRC32 of a stored file.
    pub verify_wait: Duration,
    /// Files in a row whose CRC32 put.io did not report in time, and whether that was said.
    pub crc_misses: AtomicU32,
    pub crc_warned: AtomicBool,
    /// `--bwlimit` and the count of bytes sent, shared by every body (and, for `watch`, by
    /// every pass).
    pub throttle: Arc<Throttle>,
    /// What `throttle` had counted when this stage began: [`Transfer::sent`] is the rest.
    pub sent_before: u64,
    /// What `.torrent` and `.magnet` files become (see [`torrent`]).
    pub torrents: Torrents,
}

impl Transfer {
    /// A transfer stage with no CRC32 history yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: Arc<Client>,
        reporter: Arc<dyn Reporter>,
        chunk_size: u64,
        attempts: u32,
        cancel: CancellationToken,
        journal: Option<Arc<Journal>>,
        account: String,
        verify_wait: Duration,
        throttle: Arc<Throttle>,
    ) -> Self {
        Transfer {
            origin: client.upload_origin().to_owned(),
            client,
            reporter,
            chunk_size,
            attempts,
            cancel,
            journal,
            account,
            verify_wait,
            crc_misses: AtomicU32::new(0),
            crc_warned: AtomicBool::new(false),
            sent_before: throttle.sent(),
            throttle,
            torrents: Torrents::File,
        }
    }

    /// Bytes this run handed to the network so far (resent bytes again).
    pub fn sent(&self) -> u64 {
        self.throttle.sent().saturating_sub(self.sent_before)
    }

    /// The same stage, with `.torrent` and `.magnet` files treated as `torrents` says.
    #[must_use]
    pub fn with_torrents(mut self, torrents: Torrents) -> Self {
        self.torrents = torrents;
        self
    }
}

/// One file to send, and the remote files it replaces (`--overwrite`).
pub struct Job<'a> {
    pub index: usize,
    pub file: &'a PlannedFile,
    pub parent_id: u64,
    /// Every same-named file the folder held when the file was decided: replaced with
    /// `--overwrite`, and never mistaken for our own upload.
    pub replaces: Vec<u64>,
}

#[derive(Debug)]
pub struct Uploaded {
    pub id: u64,
    /// Ours, computed from the bytes we read.
    pub crc32: String,
    pub size: u64,
    /// put.io reported the same CRC32. `false`: stored, but put.io has not confirmed it.
    pub verified: bool,
}

/// How a transfer ended well: verified, or stored with its CRC32 still to come.
#[derive(Debug)]
pub enum Landed {
    Verified(Uploaded),
    /// Stored; hand to [`Transfer::verify`], which waits for put.io's CRC32 without holding
    /// a transfer slot.
    Unconfirmed(Pending),
    /// Not stored: put.io transfer `id` was started from it (`--torrents transfer`); `new`
    /// when this run started it, not an earlier one.
    Transfer {
        id: u64,
        new: bool,
    },
}

#[derive(Debug)]
pub enum TransferError {
    /// This file failed; the run goes on.
    File(String),
    /// The file was removed after the scan: nothing to upload.
    Vanished,
    /// The whole run must stop (account full or inactive, token rejected).
    Fatal(anyhow::Error),
    Cancelled,
}

impl TransferError {
    /// For answers to calls that write nothing (HEAD, GET).
    #[allow(clippy::needless_pass_by_value)] // used as `map_err(TransferError::from_api)`
    fn from_api(err: ApiError) -> Self {
        if err.is_unauthorized() {
            TransferError::Fatal(Fatal::auth(err.to_string()))
        } else {
            TransferError::File(err.to_string())
        }
    }
}

/// What identifies the local file's content for this upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl Transfer {
    pub async fn upload(&self, job: &Job<'_>) -> Result<Landed, TransferError> {
        let file = job.file;
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
        self.reporter.event(Event::FileStarted {
            index: job.index,
            path: &file.display,
            size: identity.size,
        });
        if let Some(kind) = self.torrent_kind(&file.name) {
            self.start_transfer(job, &handle, identity, kind).await
        } else if identity.size < SMALL_FILE && !needs_tus(&file.name) {
            self.upload_small(job, &handle, identity).await
        } else {
            self.upload_tus(job, &handle, identity).await
        }
    }

    /// put.io holds `id` for this job, and reports `remote` as its CRC32 (or nothing yet).
    /// Everything after the last byte landed goes through here: the file must not have
    /// changed, a CRC32 that differs removes our bad copy, and with `--overwrite` the old
    /// copy goes only once the new one is verified.
    async fn settle(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        stored: (u64, Option<String>),
        local_crc: String,
    ) -> Result<Landed, TransferError> {
        let (id, remote_crc) = stored;
        if Identity::of(handle).await.ok() != Some(identity) {
            // Our own fresh copy, of bytes that were changing as we read them.
            self.delete_our_copy(id).await;
            return Err(changed());
        }
        let pending = Pending {
            index: job.index,
            display: job.file.display.clone(),
            id,
            local_crc,
            size: identity.size,
            replaces: job.replaces.clone(),
        };
        match remote_crc {
            Some(remote) => self.confirmed(pending, &remote).await.map(Landed::Verified),
            None => Ok(Landed::Unconfirmed(pending)),
        }
    }

    /// put.io reported `remote` for the stored file: verified, or our bad copy removed.
    async fn confirmed(&self, pending: Pending, remote: &str) -> Result<Uploaded, TransferError> {
        let remote = remote.trim().to_ascii_lowercase();
        if remote != pending.local_crc {
            self.delete_our_copy(pending.id).await;
            return Err(TransferError::File(format!(
                "checksum mismatch: put.io stored CRC32 {remote}, the local file has {}; the bad copy was removed, run again to retry",
                pending.local_crc
            )));
        }
        if !pending.replaces.is_empty() {
            // --overwrite: the new copy is verified on put.io, only now does the old one go.
            self.client.delete(&pending.replaces).await.map_err(|err| {
                TransferError::File(format!(
                    "uploaded as file {}, but the old copy could not be removed, so the name is there twice: {err}",
                    pending.id
                ))
            })?;
        }
        Ok(Uploaded {
            id: pending.id,
            crc32: pending.local_crc,
            size: pending.size,
            verified: true,
        })
    }

    /// What may be our upload in the destination folder, after an answer that did not say
    /// where it went, newest first: same name and size, not one of the files the folder held
    /// when we decided, and created after `since` (give or take clock skew) when put.io says
    /// when. [`pick`] then checks the CRC32.
    async fn candidates(&self, job: &Job<'_>, size: u64, since: SystemTime) -> Vec<RemoteFile> {
        let files = match self.client.list(job.parent_id).await {
            Ok(files) => files,
            Err(err) => {
                tracing::info!("{}: cannot look for the upload: {err}", job.file.display);
                return Vec::new();
            }
        };
        let earliest = since.checked_sub(CLOCK_SKEW).unwrap_or(since);
        let mut found: Vec<RemoteFile> = files
            .into_iter()
            .filter(|f| f.name == job.file.name && !f.is_folder() && f.size == size)
            .filter(|f| !job.replaces.contains(&f.id))
            .filter(|f| f.created().is_none_or(|at| at >= earliest))
            .collect();
        found.sort_by_key(|f| std::cmp::Reverse(f.id));
        found
    }

    /// Our upload in the folder: a [`candidate`](Self::candidates) whose CRC32 does not
    /// contradict ours.
    async fn find_ours(
        &self,
        job: &Job<'_>,
        size: u64,
        local_crc: &str,
        since: SystemTime,
    ) -> Option<RemoteFile> {
        pick(self.candidates(job, size, since).await, local_crc)
    }

    /// put.io took the bytes and answered without saying which file it stored: take our file
    /// if the folder has it; say so if put.io turned it into a transfer; else fail it, never
    /// sending it a second time.
    async fn unnamed_result(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        local_crc: String,
        since: SystemTime,
    ) -> Result<Landed, TransferError> {
        if let Some(found) = self.find_ours(job, identity.size, &local_crc, since).await {
            let how = "put.io stored it without saying so";
            return self
                .take(job, handle, identity, found, local_crc, how)
                .await;
        }
        if let Ok(transfers) = self.client.transfers().await
            && let Some(transfer) = transfers.iter().rev().find(|t| {
                t.name.as_deref() == Some(job.file.name.as_str())
                    && t.save_parent_id.is_none_or(|p| p == job.parent_id)
            })
        {
            return Err(transfer_started(&job.file.name, transfer.id));
        }
        Err(TransferError::File(
            "put.io took every byte but did not say which file it stored, and the folder does not show it; not sent again, so as not to make a second copy (run again to check)".to_owned(),
        ))
    }

    /// Our upload, found in the folder after an answer that did not name it: settled like
    /// any stored file. `how` says, for the log, how it got there.
    async fn take(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        found: RemoteFile,
        local_crc: String,
        how: &str,
    ) -> Result<Landed, TransferError> {
        tracing::info!("{}: {how} (file {})", job.file.display, found.id);
        self.settle(job, handle, identity, (found.id, found.crc()), local_crc)
            .await
    }

    /// A write put.io refused for good. A 402 or any other refusal is read against the
    /// account: not active, or too little room for this file, stops the run; anything else
    /// fails this file with put.io's own words (error type, message, trace id).
    async fn refused(&self, err: ApiError, needed: u64) -> TransferError {
        if err.is_unauthorized() {
            return TransferError::Fatal(Fatal::auth(err.to_string()));
        }
        match self.client.account_info().await {
            Ok(info) if !info.is_active() => TransferError::Fatal(Fatal::remote(format!(
                "put.io says this account is not active ({}): renew it at put.io, then run again; nothing more was sent ({err})",
                info.account_status
                    .as_deref()
                    .unwrap_or("account_active false")
            ))),
            Ok(info) if info.disk.is_known() && info.disk.avail < needed => {
                TransferError::Fatal(Fatal::remote(format!(
                    "put.io account is full: {} needed, {} available; free space on put.io (empty the trash) and run again ({err})",
                    human_bytes(needed),
                    human_bytes(info.disk.avail)
                )))
            }
            _ => TransferError::File(err.to_string()),
        }
    }

    /// Removes a copy this run just made and cannot keep. Never a copy that was there before.
    async fn delete_our_copy(&self, id: u64) {
        if let Err(err) = self.client.delete(&[id]).await {
            tracing::warn!("could not remove file {id} from put.io: {err}");
        }
    }

    /// A file's request failed and goes again after `wait`: counted, and told to people.
    fn retrying(&self, index: usize, path: &str, note: &str) {
        self.client.count_retry();
        self.reporter.event(Event::Retrying {
            index: Some(index),
            what: path,
            message: note,
        });
    }

    /// Sleeps before another try; `Err` when Ctrl-C comes first, or when the upload host is
    /// down (that stops the run: every other file would wait for it too).
    async fn pause(&self, wait: Duration) -> Result<(), TransferError> {
        self.check_reach()?;
        tokio::select! {
            () = tokio::time::sleep(wait) => Ok(()),
            () = self.cancel.cancelled() => Err(TransferError::Cancelled),
        }
    }
}

impl Transfer {
    /// `Err` (stopping the run) once the upload host is taken for down.
    pub fn check_reach(&self) -> Result<(), TransferError> {
        match self.client.upload_unreachable() {
            Some(message) => Err(TransferError::Fatal(Fatal::remote(message))),
            None => Ok(()),
        }
    }
}

/// Of the candidates (newest first), the one whose CRC32 does not contradict ours: equal,
/// or not known yet.
fn pick(candidates: Vec<RemoteFile>, local_crc: &str) -> Option<RemoteFile> {
    candidates
        .into_iter()
        .find(|f| f.crc().is_none_or(|crc| crc == local_crc))
}

/// Files put.io could take for a torrent: only tus with `no-torrent` keeps them files.
fn needs_tus(name: &str) -> bool {
    std::path::Path::new(name).extension().is_some_and(|ext| {
        ext.eq_ignore_ascii_case("torrent") || ext.eq_ignore_ascii_case("magnet")
    })
}

fn transfer_started(name: &str, id: u64) -> TransferError {
    TransferError::File(format!(
        "put.io started a transfer from {name} instead of storing it (transfer {id}); not sent again"
    ))
}

fn changed() -> TransferError {
    TransferError::File(
        "changed while it was being uploaded; run again to upload the new version".into(),
    )
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(read_error)`
fn read_error(err: std::io::Error) -> TransferError {
    TransferError::File(format!("cannot read: {}", io_reason(&err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torrents_and_magnets_go_by_tus() {
        assert!(needs_tus("a.torrent"));
        assert!(needs_tus("B.TORRENT"));
        assert!(needs_tus("link.magnet"));
        assert!(!needs_tus("a.txt"));
        assert!(!needs_tus("torrent"));
    }
}
