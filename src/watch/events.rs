//! The OS's file events for the watched folder (inotify, `FSEvents`, `ReadDirectoryChangesW`,
//! through the `notify` crate), turned into what the watch loop needs: "these paths may have
//! changed" and "events were lost, walk everything".
//!
//! It owns the OS watcher; it never reads files and never decides what to send. Reads (open,
//! close without writing) are no change and are dropped here.

use std::path::{Path, PathBuf};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// What the OS said.
#[derive(Debug)]
pub enum Signal {
    /// These paths (files or folders, absolute) may have been created, changed or removed.
    Paths(Vec<PathBuf>),
    /// Events were lost (queue overflow) or cannot be had for part of the tree (watch limit):
    /// only a walk of the whole folder can tell what changed. `limit` when the OS ran out of
    /// watches, so that events will keep missing part of the tree.
    Rescan { reason: String, limit: bool },
}

/// The OS watcher; events stop when it is dropped.
pub struct Events {
    _watcher: RecommendedWatcher,
    pub signals: UnboundedReceiver<Signal>,
}

impl Events {
    /// Watches `root` and everything below it. An error here (no watcher at all) leaves the
    /// caller to rescans; a watch limit met while adding folders comes as a [`Signal::Rescan`].
    pub fn start(root: &Path) -> notify::Result<Events> {
        let (tx, signals) = unbounded_channel();
        let handler = Handler { tx: tx.clone() };
        let mut watcher = notify::recommended_watcher(handler)?;
        if let Err(err) = watcher.watch(root, RecursiveMode::Recursive) {
            if is_limit(&err) {
                // Part of the tree is watched; the rest only rescans will see.
                let _ = tx.send(Signal::Rescan {
                    reason: err.to_string(),
                    limit: true,
                });
            } else {
                return Err(err);
            }
        }
        Ok(Events {
            _watcher: watcher,
            signals,
        })
    }
}

struct Handler {
    tx: UnboundedSender<Signal>,
}

impl notify::EventHandler for Handler {
    fn handle_event(&mut self, event: notify::Result<notify::Event>) {
        let signal = match event {
            Ok(event) if event.need_rescan() => Signal::Rescan {
                reason: "the OS dropped file events (queue overflow)".to_owned(),
                limit: false,
            },
            Ok(event) if is_change(event.kind) => Signal::Paths(event.paths),
            Ok(_) => return,
            Err(err) => Signal::Rescan {
                limit: is_limit(&err),
                reason: err.to_string(),
            },
        };
        // The loop is gone: we are shutting down.
        let _ = self.tx.send(signal);
    }
}

/// Events that can mean new or different content or a new name: everything but reads.
fn is_change(kind: EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Any
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Other => true,
        EventKind::Access(_) => false,
    }
}

fn is_limit(err: &notify::Error) -> bool {
    matches!(err.kind, notify::ErrorKind::MaxFilesWatch)
        || matches!(&err.kind, notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_no_change() {
        assert!(!is_change(EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!is_change(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(EventKind::Create(
            notify::event::CreateKind::File
        )));
    }
}
