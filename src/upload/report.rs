//! What the engine tells the outside world. The engine calls a [`Reporter`]; the terminal
//! bars, plain lines and NDJSON live in `ui/` and implement it. Nothing here prints.

use std::path::Path;
use std::time::Duration;

/// One thing that happened. Borrowed data: a reporter copies what it keeps.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// What is uploaded where: the local folder and the put.io path it becomes (for a
    /// destination given by id, `folder <id>/<name>`). Comes first, before `Scanned`.
    Destination {
        local: &'a Path,
        remote: &'a str,
    },
    /// The local walk is done.
    Scanned {
        folders: usize,
        files: usize,
        bytes: u64,
        /// Entries not counted above: excluded (a folder once), ignored, or unreadable.
        left_out: usize,
    },
    /// A local name had to change for put.io.
    Renamed {
        local: &'a Path,
        remote: &'a str,
    },
    /// Something was left out on purpose (symlink, special file).
    Ignored {
        local: &'a Path,
        reason: &'a str,
    },
    /// Left out by a filter (`--exclude`, `--include`, `--no-hidden`); `rule` says which.
    Excluded {
        local: &'a Path,
        rule: &'a str,
    },
    /// Decided: this file is to be uploaded (in a dry run: would be). Comes before
    /// `Planned`, in plan order; `index` is the one its transfer events carry.
    FilePlanned {
        index: usize,
        local: &'a Path,
        path: &'a str,
        size: u64,
    },
    /// Remote folders are in place; this is what will be sent.
    Planned {
        files: usize,
        bytes: u64,
        skipped: usize,
    },
    /// A folder of the tree is known on put.io (found or created), or could not be had.
    /// For progress only: `Scanned` says how many folders there are.
    FolderChecked,
    /// A folder was created; `id` is `None` in a dry run (it would be created).
    FolderCreated {
        path: &'a str,
        id: Option<u64>,
    },
    FileStarted {
        index: usize,
        path: &'a str,
        size: u64,
    },
    /// An upload left unfinished by an earlier run continues at `offset`.
    FileResumed {
        index: usize,
        path: &'a str,
        offset: u64,
    },
    /// Absolute position in the file: bytes handed to the network so far. It can move back
    /// when a chunk is resent.
    FileProgress {
        index: usize,
        position: u64,
    },
    FileSkipped {
        path: &'a str,
        reason: &'a str,
        local: &'a Path,
        size: u64,
        /// The put.io file that made it unnecessary, when known.
        id: Option<u64>,
    },
    FileDone {
        index: usize,
        path: &'a str,
        size: u64,
        id: u64,
        crc32: &'a str,
        /// put.io reported the same CRC32. `false`: stored, but put.io reported no CRC32
        /// within `--verify-wait`, so the copy could not be checked.
        verified: bool,
    },
    FileFailed {
        index: Option<usize>,
        path: &'a str,
        reason: &'a str,
        kind: FailKind,
        /// The local path, when known.
        local: Option<&'a Path>,
    },
    /// A request failed and is tried again after a pause: `message` says why and when
    /// ("retrying in 1.8 s (attempt 2/8): 429 Too Many Requests"). `index` is the file's,
    /// when the request was part of a file's transfer; `what` names the file or the call.
    Retrying {
        index: Option<usize>,
        what: &'a str,
        message: &'a str,
    },
    /// A file's request body has moved no byte for `secs` seconds (it is given up, and
    /// resumed, once the stall limit is reached).
    Stalled {
        index: usize,
        path: &'a str,
        secs: u64,
    },
    /// Ctrl-C: the run stops starting files; those in flight pause.
    Stopping,
    /// A second Ctrl-C: the program leaves now. Reporters clear the screen of what they drew.
    Quitting,
    /// A file in flight when the run was interrupted: not finished, resumed by the next run.
    FilePaused {
        index: usize,
        path: &'a str,
        local: &'a Path,
        size: u64,
    },
    /// `--delete-source`: a local file (or a folder that emptied) was removed, once put.io
    /// held it verified. In a dry run: would be.
    Removed {
        local: &'a Path,
        folder: bool,
    },
    /// Something the user should know that is no failure of a file.
    Warning {
        message: &'a str,
    },
    Finished(&'a Summary),
}

/// Why a file failed, as a stable word for scripts (`error.kind` in `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// The local file or folder could not be read.
    Local,
    /// Two local names become the same put.io name.
    NameClash,
    /// Something else with this name is already on put.io (another size, or a folder).
    Conflict,
    /// Its folder could not be found or created on put.io.
    Folder,
    /// The upload itself failed (put.io error, network, checksum, file changed meanwhile).
    Upload,
}

impl FailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailKind::Local => "local",
            FailKind::NameClash => "name_clash",
            FailKind::Conflict => "conflict",
            FailKind::Folder => "folder",
            FailKind::Upload => "upload",
        }
    }
}

pub trait Reporter: Send + Sync {
    fn event(&self, event: Event<'_>);
}

/// A failed path and why, for the list at the end of a run.
#[derive(Clone, Debug)]
pub struct Failure {
    pub path: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    /// Of `uploaded`: stored, but put.io reported no CRC32 to check them against.
    pub unverified: usize,
    pub skipped: usize,
    pub ignored: usize,
    /// Entries left out by filters (a left-out folder counts once).
    pub excluded: usize,
    pub folders_created: usize,
    pub failures: Vec<Failure>,
    /// Files in flight when the run was interrupted (shown paths): the next run resumes them.
    pub paused: Vec<String>,
    /// Bytes this run handed to the network (resent bytes count again; bytes an earlier run
    /// sent do not): what the rate is computed from.
    pub sent_bytes: u64,
    /// Requests that failed and were tried again.
    pub retried: u64,
    pub elapsed: Duration,
    pub interrupted: bool,
    /// Local files removed by `--delete-source` (a dry run: would be), and emptied folders.
    pub removed: usize,
    /// The run limit that stopped it with files left (exit 5; a re-run continues).
    pub stopped_at: Option<super::limit::LimitKind>,
    /// A dry run: `uploaded`, `uploaded_bytes` and `folders_created` count what a real run
    /// would do, and nothing was changed.
    pub dry_run: bool,
}

impl Summary {
    /// Bytes per second this run sent, over the whole run.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.sent_bytes as f64 / secs
        } else {
            0.0
        }
    }
}

/// A reporter that shows nothing: for the space check's read-only pass.
pub struct Silent;

impl Reporter for Silent {
    fn event(&self, _: Event<'_>) {}
}
