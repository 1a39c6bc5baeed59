//! A pass's reporter: hands the engine's events on to the real reporter, as a service's
//! log wants them (each file sent, failed, resumed, each folder created, each transfer
//! started; a pass's summary only when it did something), and keeps the files that failed
//! so that the watch loop can try them again.
//!
//! It drops the rest: a rescan of a large tree must not print a line per file already there,
//! nor a warning that every pass repeats (it is said once).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::upload::report::{Event, FailKind, Reporter};
use crate::upload::transfer::torrent;

pub(super) struct PassReporter {
    inner: Arc<dyn Reporter>,
    failed: Mutex<Vec<(PathBuf, FailKind)>>,
    warned: Mutex<HashSet<String>>,
}

impl PassReporter {
    pub(super) fn new(inner: Arc<dyn Reporter>) -> Self {
        PassReporter {
            inner,
            failed: Mutex::new(Vec::new()),
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// The local files that failed in this pass, and how.
    pub(super) fn take_failed(&self) -> Vec<(PathBuf, FailKind)> {
        std::mem::take(
            &mut *self
                .failed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Reporter for PassReporter {
    fn event(&self, event: Event<'_>) {
        let forward = match &event {
            Event::FileFailed { local, kind, .. } => {
                if let Some(local) = local {
                    self.failed
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((local.to_path_buf(), *kind));
                }
                true
            }
            Event::FileSkipped { reason, .. } => reason.starts_with(torrent::REASON),
            Event::Finished(summary) => {
                summary.uploaded > 0 || !summary.failures.is_empty() || summary.folders_created > 0
            }
            Event::Scanned { .. }
            | Event::Planned { .. }
            | Event::FilePlanned { .. }
            | Event::Excluded { .. }
            | Event::Ignored { .. }
            | Event::Renamed { .. }
            | Event::Destination { .. }
            | Event::FolderChecked => false,
            Event::Warning { message } => self
                .warned
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert((*message).to_owned()),
            Event::FolderCreated { .. }
            | Event::FileStarted { .. }
            | Event::FileResumed { .. }
            | Event::FileProgress { .. }
            | Event::FileDone { .. }
            | Event::Retrying { .. }
            | Event::Stalled { .. }
            | Event::Stopping
            | Event::Quitting
            | Event::FilePaused { .. }
            | Event::Removed { .. } => true,
        };
        if forward {
            self.inner.event(event);
        }
    }
}
