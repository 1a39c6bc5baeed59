//! Move mode (`--delete-source`): a local file is removed only once put.io holds it
//! *verified*, and the folders that removal emptied go after it.
//!
//! Verified means put.io reported a CRC32 equal to ours: for a file this run uploaded, or
//! for one already there (the decide stage compares CRC32s in this mode). The stages call
//! [`Mover::verified`] for exactly those and nothing else, so a file that failed, was
//! skipped by size alone, was stored without a CRC32, or was in flight at Ctrl-C is never
//! removed. A file whose size or modification time is no longer what the walk saw is kept:
//! what put.io holds may not be what is on disk now. The source folders themselves, and
//! anything outside them, are never removed; a folder is removed only when empty.
//!
//! It owns the removing; it decides nothing about uploads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use super::plan::{PlannedFile, io_reason};
use super::sources::{Source, SourceKind};
use super::tally::Tally;

pub struct Mover {
    /// The folder sources: folders strictly inside them may be removed once empty.
    roots: Vec<PathBuf>,
    dry_run: bool,
    /// Once the run is interrupted, nothing more is removed.
    cancel: CancellationToken,
    /// Folders a removed file was in, to be removed at the end if empty.
    emptied: Mutex<BTreeSet<PathBuf>>,
}

impl Mover {
    pub fn new(sources: &[Source], dry_run: bool, cancel: CancellationToken) -> Self {
        Mover {
            roots: sources
                .iter()
                .filter(|s| s.kind == SourceKind::Folder)
                .map(|s| s.root.clone())
                .collect(),
            dry_run,
            cancel,
            emptied: Mutex::new(BTreeSet::new()),
        }
    }

    /// put.io holds `file` verified: removes the local copy (a dry run says it would).
    pub(super) fn verified(&self, file: &PlannedFile, tally: &Tally) {
        if self.dry_run {
            tally.removed(&file.local, false);
            return;
        }
        if self.cancel.is_cancelled() {
            return;
        }
        let now = std::fs::symlink_metadata(&file.local);
        let same = now.as_ref().is_ok_and(|meta| {
            meta.is_file() && meta.len() == file.size && meta.modified().ok() == file.modified
        });
        if !same {
            if now.is_ok() {
                tally.warning(&format!(
                    "{}: kept, it changed since it was read (put.io holds the version read)",
                    crate::format::shown_path(&file.local)
                ));
            }
            return;
        }
        match std::fs::remove_file(&file.local) {
            Ok(()) => {
                tally.removed(&file.local, false);
                if let Some(parent) = file.local.parent().filter(|p| self.removable(p)) {
                    self.lock().insert(parent.to_owned());
                }
            }
            Err(err) => tally.warning(&format!(
                "{}: uploaded and verified, but could not be removed: {}",
                crate::format::shown_path(&file.local),
                io_reason(&err)
            )),
        }
    }

    /// A dry run's file to upload: a real run removes it once it is up and verified.
    pub(super) fn would_remove_after_upload(&self, file: &PlannedFile, tally: &Tally) {
        if self.dry_run {
            tally.removed(&file.local, false);
        }
    }

    /// Removes the folders that removals emptied, deepest first, up to (not including) the
    /// source folder. A folder that is not empty stays, silently: it holds what was kept.
    pub(super) fn finish(&self, tally: &Tally) {
        // Deepest first (a max-heap on depth), each folder once: O(n log n) in the folders.
        let deepest = |dir: PathBuf| (dir.components().count(), dir);
        let mut queue: std::collections::BinaryHeap<(usize, PathBuf)> =
            std::mem::take(&mut *self.lock())
                .into_iter()
                .map(deepest)
                .collect();
        let mut tried = BTreeSet::new();
        while let Some((_, dir)) = queue.pop() {
            if !tried.insert(dir.clone()) || !self.removable(&dir) {
                continue;
            }
            if std::fs::remove_dir(&dir).is_ok() {
                tally.removed(&dir, true);
                if let Some(parent) = dir.parent() {
                    queue.push(deepest(parent.to_owned()));
                }
            }
        }
    }

    /// Strictly inside a folder source.
    fn removable(&self, dir: &Path) -> bool {
        self.roots
            .iter()
            .any(|root| dir != root && dir.starts_with(root))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<PathBuf>> {
        self.emptied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
