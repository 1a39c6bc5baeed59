//! The tally: the one place that counts outcomes and reports them. Every stage tells it what
//! happened to a file or folder; it updates the [`Summary`] and hands the matching event to
//! the [`Reporter`], under one lock, so that counts and events always agree and a file's
//! `FilePlanned` is out before its transfer can start.
//!
//! It never blocks on anything but the reporter and never decides anything, except that
//! planning more bytes than the account has free stops the run.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::exit::Fatal;
use crate::format::human_bytes;

use super::plan::{Excluded, PlannedFile, Problem, ProblemKind, Renamed};
use super::report::{Event, FailKind, Failure, Reporter, Summary};
use super::transfer::Uploaded;
use super::walk::Counted;

pub(super) struct Tally {
    reporter: Arc<dyn Reporter>,
    state: Mutex<State>,
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
    pub(super) fn new(reporter: Arc<dyn Reporter>, dry_run: bool) -> Self {
        let mut state = State::default();
        state.summary.dry_run = dry_run;
        Tally {
            reporter,
            state: Mutex::new(state),
        }
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
        let shown = problem.path.display().to_string();
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
            path: file.display.clone(),
            reason,
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
    pub(super) fn finish(&self, elapsed: Duration, interrupted: bool) -> Summary {
        let mut state = self.lock();
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
