//! What an upload run is asked to do, fully resolved: the engine's own input type. Built by
//! `crate::settings` from flags, environment and config file; nothing here reads any of them.

use std::path::PathBuf;
use std::time::Duration;

use super::limit::Schedule;
use super::plan::Problem;
use super::sources::Source;

/// Where the uploaded folder goes on put.io.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Below the folder with this id (0 = account root).
    Id(u64),
    /// Below this path of folder names from the account root, created where missing.
    Path(Vec<String>),
}

/// What to do when put.io already has a different file (or a folder) where a local file
/// goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// Leave it and fail the local file.
    #[default]
    Fail,
    /// Leave it and skip the local file.
    Skip,
    /// Upload the local file, verify it, then delete the other one (never a folder).
    Overwrite,
    /// Upload the local file beside it under the next free `name (N).ext`.
    Rename,
}

#[derive(Clone, Debug)]
pub struct UploadSettings {
    /// What to upload, in the order given, each path once (see [`super::sources`]).
    pub sources: Vec<Source>,
    pub destination: Destination,
    /// Files in flight at once (`-j`).
    pub jobs: usize,
    /// Folders listed or created at once (`--checkers`), whatever `jobs` is.
    pub checkers: usize,
    pub chunk_size: u64,
    /// Tries per request, the first included (`--retries` + 1); at least 1.
    pub retries: u32,
    /// How long put.io may take to report the CRC32 of a file it stored without one.
    pub verify_wait: std::time::Duration,
    /// Compare CRC32s, not only sizes, before skipping a file that is already there.
    pub checksum: bool,
    /// What to do about a different file of the same name already on put.io.
    pub on_conflict: OnConflict,
    /// Where the resume journal lives; `None` when no state directory can be found.
    pub state_dir: Option<PathBuf>,
    /// Decide and report, but create and upload nothing.
    pub dry_run: bool,
    /// Entries of a `--files-from` list that cannot be sent (missing, outside the folder):
    /// failures reported as the run starts, while the rest goes on.
    pub unlisted: Vec<Problem>,
    /// `--delete-source`: remove each local file once put.io holds it verified, and the
    /// folders that emptied; also compares CRC32s before skipping (as `checksum`).
    pub delete_source: bool,
    /// `--bwlimit`: bytes per second for all transfers together, by time of day.
    pub bwlimit: Option<Schedule>,
    /// `--max-transfer`, `--max-duration`, `--cutoff`.
    pub limits: Limits,
    /// What a `.torrent` or `.magnet` file becomes on put.io.
    pub torrents: Torrents,
}

/// When a run stops starting files, though more are left (exit 5; a re-run continues).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Bytes sent by this run (resent bytes count: they cost bandwidth too).
    pub max_transfer: Option<u64>,
    /// Time since the run started.
    pub max_duration: Option<Duration>,
    pub cutoff: Cutoff,
}

impl Limits {
    pub fn any(&self) -> bool {
        self.max_transfer.is_some() || self.max_duration.is_some()
    }
}

/// What happens to the files in flight when a limit is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cutoff {
    /// They finish (the default).
    #[default]
    Soft,
    /// They stop at once and stay resumable (the journal keeps where they were).
    Hard,
}

/// What `.torrent` and `.magnet` files become (`--torrents`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Torrents {
    /// Stored as files, like any other (`no-torrent`).
    #[default]
    File,
    /// Each starts a put.io transfer into its folder instead (a torrent "blackhole").
    Transfer,
}
