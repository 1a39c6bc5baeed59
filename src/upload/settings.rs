//! What an upload run is asked to do, fully resolved: the engine's own input type. Built by
//! `crate::settings` from flags, environment and config file; nothing here reads any of them.

use std::path::PathBuf;

use super::plan::ScanOptions;

/// Where the uploaded folder goes on put.io.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Below the folder with this id (0 = account root).
    Id(u64),
    /// Below this path of folder names from the account root, created where missing.
    Path(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct UploadSettings {
    /// The folder to upload, canonicalised.
    pub root: PathBuf,
    /// The name of `root` as typed (before canonicalising), used for the top remote folder.
    pub root_name: std::ffi::OsString,
    pub destination: Destination,
    /// Files in flight at once (`-j`).
    pub jobs: usize,
    /// Folders listed or created at once (`--checkers`), whatever `jobs` is.
    pub checkers: usize,
    pub chunk_size: u64,
    pub retries: u32,
    /// How long put.io may take to report the CRC32 of a file it stored without one.
    pub verify_wait: std::time::Duration,
    /// Compare CRC32s, not only sizes, before skipping a file that is already there.
    pub checksum: bool,
    /// Replace a different file of the same name (upload first, then delete the old one).
    pub overwrite: bool,
    /// Where the resume journal lives; `None` when no state directory can be found.
    pub state_dir: Option<PathBuf>,
    /// Decide and report, but create and upload nothing.
    pub dry_run: bool,
    /// Filters, hidden files, links.
    pub scan: ScanOptions,
    /// What a `.torrent` or `.magnet` file becomes on put.io.
    pub torrents: Torrents,
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
