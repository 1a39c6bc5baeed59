//! The tally: the one place that counts outcomes and reports them. Every stage tells it what
//! happened to a file or folder; it updates the [`Summary`] and hands the matching event to
//! the [`Reporter`], under one lock, so that counts and events always agree and a file's
//! `FilePlanned` is out before its transfer can start.
//!
//! It never blocks on anything but the reporter and never decides anything, except that
//! planning more bytes than the account has free stops the run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::exit::Fatal;
use crate::format::human_bytes;

use super::plan::{Excluded, PlannedFile, Problem, ProblemKind, Renamed};
use super::report::{Event, FailKind, Failure, Reporter, Summary};
use super::transfer::Uploaded;
use super::walk::Counted;

/// What the network side counted over the run, for the summary.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Sent {
    pub bytes: u64,
    pub retried: u64,
}

pub(super) struct Tally {
    reporter: Arc<dyn Reporter>,
    state: Mutex<State>,
    /// The uploaded folder and its name as typed: failures are listed by the path below
    /// the folder that holds it (`photos/a/b.jpg`), whichever stage failed them.
    root: PathBuf,
    root_name: String,
}

#[derive(Default)]
struct State {
    summary: Summary,
    planned_files: usize,
    planned_bytes: u64,
    /// Free bytes on the account, when put.io has a quota for it.
    available: Option<u64>,
}

impl Tally {
    pub(super) fn new(
        reporter: Arc<dyn Reporter>,
        dry_run: bool,
        root: PathBuf,
        root_name: String,
    ) -> Self {
        let mut state = State::default();
        state.summary.dry_run = dry_run;
        Tally {
            reporter,
            state: Mutex::new(state),
            root,
            root_name,
        }
    }

    /// `local` as failure lists show it: below the folder holding the root, `/`-separated.
    fn shown(&self, local: &Path) -> String {
        let Ok(below) = local.strip_prefix(&self.root) else {
            return local.display().to_string();
        };
        let mut shown = self.root_name.clone();
        for part in below.components() {
            shown.push('/');
            shown.push_str(&part.as_os_str().to_string_lossy());
        }
        shown
    }

    /// Where the run goes, before anything else is reported.
    pub(super) fn destination(&self, remote: &str) {
        let _state = self.lock();
        self.reporter.event(Event::Destination {
            local: &self.root,
            remote,
        });
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn scanned(&self, counted: Counted) {
        let _state = self.lock();
        self.reporter.event(Event::Scanned {
            folders: counted.folders,
            files: counted.files,
            bytes: counted.bytes,
            left_out: counted.left_out,
        });
    }

    /// The account's free space: planning more than this stops the run.
    pub(super) fn limit_to(&self, available: u64) {
        self.lock().available = Some(available);
    }

    pub(super) fn renamed(&self, renamed: &Renamed) {
        let _state = self.lock();
        self.reporter.event(Event::Renamed {
            local: &renamed.path,
            remote: &renamed.name,
        });
    }

    pub(super) fn excluded(&self, excluded: &Excluded) {
        let mut state = self.lock();
        state.summary.excluded += 1;
        self.reporter.event(Event::Excluded {
            local: &excluded.path,
            rule: &excluded.rule,
        });
    }

    /// Something the walk could not or would not take.
    pub(super) fn problem(&self, problem: &Problem) {
        let mut state = self.lock();
        let kind = match problem.kind {
            ProblemKind::Skipped => {
                state.summary.ignored += 1;
                self.reporter.event(Event::Ignored {
                    local: &problem.path,
                    reason: &problem.reason,
                });
                return;
            }
            ProblemKind::Failed => FailKind::Local,
            ProblemKind::Clash => FailKind::NameClash,
        };
        let shown = self.shown(&problem.path);
        self.reporter.event(Event::FileFailed {
            index: None,
            path: &shown,
            reason: &problem.reason,
            kind,
            local: Some(&problem.path),
        });
        state.summary.failures.push(Failure {
            path: shown,
            reason: problem.reason.clone(),
        });
    }

    /// Folders created on the way to the destination (`--to`); they reported themselves.
    pub(super) fn destination_created(&self, count: usize) {
        self.lock().summary.folders_created += count;
    }

    /// A folder was created (or, in a dry run, would be: `id` is `None`).
    pub(super) fn folder_created(&self, path: &str, id: Option<u64>) {
        let mut state = self.lock();
        state.summary.folders_created += 1;
        self.reporter.event(Event::FolderCreated { path, id });
    }

    /// This file is to be sent. `Err` when the account cannot hold what is planned so far:
    /// that stops the run before this file goes.
    pub(super) fn planned(&self, index: usize, file: &PlannedFile) -> anyhow::Result<()> {
        let mut state = self.lock();
        let bytes = state.planned_bytes + file.size;
        if let Some(available) = state.available.filter(|a| bytes > *a) {
            return Err(Fatal::remote(format!(
                "not enough space on put.io: at least {} to upload, {} available; free space on put.io (empty the trash) and run again",
                human_bytes(bytes),
                human_bytes(available)
            )));
        }
        state.planned_bytes = bytes;
        state.planned_files += 1;
        self.reporter.event(Event::FilePlanned {
            index,
            local: &file.local,
            path: &file.display,
            size: file.size,
        });
        Ok(())
    }

    pub(super) fn skipped(&self, file: &PlannedFile, reason: &str, id: Option<u64>) {
        let mut state = self.lock();
        state.summary.skipped += 1;
        self.reporter.event(Event::FileSkipped {
            path: &file.display,
            reason,
            local: &file.local,
            size: file.size,
            id,
        });
    }

    pub(super) fn failed(
        &self,
        kind: FailKind,
        index: Option<usize>,
        file: &PlannedFile,
        reason: String,
    ) {
        let mut state = self.lock();
        self.reporter.event(Event::FileFailed {
            index,
            path: &file.display,
            reason: &reason,
            kind,
            local: Some(&file.local),
        });
        state.summary.failures.push(Failure {
            path: self.shown(&file.local),
            reason,
        });
    }

    /// A folder lookup is over, whatever its outcome.
    pub(super) fn folder_checked(&self) {
        let _state = self.lock();
        self.reporter.event(Event::FolderChecked);
    }

    /// The file was in flight when the run was interrupted.
    pub(super) fn paused(&self, index: usize, file: &PlannedFile) {
        let mut state = self.lock();
        state.summary.paused.push(self.shown(&file.local));
        self.reporter.event(Event::FilePaused {
            index,
            path: &file.display,
            local: &file.local,
            size: file.size,
        });
    }

    /// Every file has been decided: the totals of what is (or, in a dry run, would be) sent.
    pub(super) fn decided(&self) {
        let state = self.lock();
        self.reporter.event(Event::Planned {
            files: state.planned_files,
            bytes: state.planned_bytes,
            skipped: state.summary.skipped,
        });
    }

    pub(super) fn done(&self, index: usize, file: &PlannedFile, done: &Uploaded) {
        let mut state = self.lock();
        state.summary.uploaded += 1;
        state.summary.uploaded_bytes += done.size;
        state.summary.unverified += usize::from(!done.verified);
        self.reporter.event(Event::FileDone {
            index,
            path: &file.display,
            size: done.size,
            id: done.id,
            crc32: &done.crc32,
            verified: done.verified,
        });
    }

    /// The file went away between the walk and its upload.
    pub(super) fn vanished(&self, file: &PlannedFile) {
        self.skipped(file, "removed since the scan; nothing to upload", None);
    }

    /// `--delete-source` removed a local file or an emptied folder (a dry run: would).
    pub(super) fn removed(&self, local: &std::path::Path, folder: bool) {
        let mut state = self.lock();
        state.summary.removed += 1;
        self.reporter.event(Event::Removed { local, folder });
    }

    /// A run limit stopped the run with files left.
    pub(super) fn stopped_at(&self, kind: super::limit::LimitKind) {
        self.lock().summary.stopped_at = Some(kind);
    }

    pub(super) fn warning(&self, message: &str) {
        let _state = self.lock();
        self.reporter.event(Event::Warning { message });
    }

    /// The run is over: the summary, reported once. A dry run counts what it planned as
    /// what a real run would upload.
    pub(super) fn finish(&self, elapsed: Duration, interrupted: bool, sent: Sent) -> Summary {
        let mut state = self.lock();
        state.summary.sent_bytes = sent.bytes;
        state.summary.retried = sent.retried;
        if state.summary.dry_run {
            state.summary.uploaded = state.planned_files;
            state.summary.uploaded_bytes = state.planned_bytes;
        }
        state.summary.elapsed = elapsed;
        state.summary.interrupted = interrupted;
        self.reporter.event(Event::Finished(&state.summary));
        state.summary.clone()
    }
}
