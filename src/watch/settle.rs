//! Settling: a path the events named is sent only once it has stopped changing. A file is
//! ready when its size and modification time have stayed the same for the settle time and
//! no process has it open for writing (Linux: read from `/proc/*/fd`, only when something
//! is about to be ready; elsewhere the OS does not say cheaply, and the settle time alone
//! decides). A folder that settles is opened up: its files become candidates of their own,
//! and its empty folders are ready at once, so a half-written file in a new folder is never
//! sent with it.
//!
//! It owns the candidates and their clocks; it never sends anything and never reads a
//! file's content.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What a candidate looked like at its last check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Look {
    size: u64,
    modified: Option<SystemTime>,
    folder: bool,
}

#[derive(Debug)]
struct Candidate {
    look: Look,
    /// When `look` was first seen as it is now.
    since: Instant,
}

/// The paths waiting to settle.
#[derive(Debug)]
pub struct Settler {
    settle: Duration,
    candidates: HashMap<PathBuf, Candidate>,
}

impl Settler {
    pub fn new(settle: Duration) -> Self {
        Settler {
            settle,
            candidates: HashMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// The events named `path`: it waits (again) for the full settle time from now.
    pub fn touch(&mut self, path: PathBuf, now: Instant) {
        match look(&path) {
            Some(look) => {
                self.candidates.insert(path, Candidate { look, since: now });
            }
            // Gone (removed, or renamed away): nothing to send.
            None => {
                self.candidates.remove(&path);
            }
        }
    }

    /// Checks every candidate and returns the paths that are ready to send: files that
    /// settled, and empty folders. Vanished paths are dropped; a settled folder's content
    /// becomes candidates.
    pub fn ready(&mut self, now: Instant) -> Vec<PathBuf> {
        let mut settled = Vec::new();
        self.candidates.retain(|path, candidate| match look(path) {
            None => false,
            Some(current) if current != candidate.look => {
                candidate.look = current;
                candidate.since = now;
                true
            }
            Some(_) if now.duration_since(candidate.since) >= self.settle => {
                settled.push(path.clone());
                true
            }
            Some(_) => true,
        });
        if settled.is_empty() {
            return settled;
        }
        let writing = open_for_writing(&settled);
        let mut ready = Vec::new();
        let mut folders = Vec::new();
        for path in settled {
            if writing.contains(&path) {
                continue;
            }
            let candidate = self.candidates.remove(&path);
            if candidate.is_some_and(|c| c.look.folder) {
                folders.push(path);
            } else {
                ready.push(path);
            }
        }
        for folder in folders {
            self.open_up(&folder, now, &mut ready);
        }
        ready
    }

    /// A settled folder: its files become candidates (already as old as the folder's quiet
    /// time, so an untouched file is ready at the next check), and empty folders are ready.
    fn open_up(&mut self, folder: &Path, now: Instant, ready: &mut Vec<PathBuf>) {
        let since = now.checked_sub(self.settle).unwrap_or(now);
        let mut empty = true;
        for entry in walkdir::WalkDir::new(folder)
            .min_depth(1)
            .into_iter()
            .flatten()
        {
            empty = false;
            let path = entry.path();
            let file_type = entry.file_type();
            if file_type.is_dir() {
                let has_children = std::fs::read_dir(path).map_or(true, |mut d| d.next().is_some());
                if !has_children {
                    ready.push(path.to_owned());
                }
            } else if let Some(look) = look(path) {
                self.candidates
                    .entry(path.to_owned())
                    .or_insert(Candidate { look, since });
            }
        }
        if empty {
            ready.push(folder.to_owned());
        }
    }
}

/// Size, modification time and kind, following no link; `None` when it is gone.
fn look(path: &Path) -> Option<Look> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    Some(Look {
        size: if meta.is_dir() { 0 } else { meta.len() },
        modified: meta.modified().ok(),
        folder: meta.is_dir(),
    })
}

/// Of `paths`, those some process has open for writing. Linux only: every readable
/// `/proc/PID/fd/N` link that points at one of them, with write access in its `fdinfo`
/// flags. A process of another user cannot be read and is not seen.
#[cfg(target_os = "linux")]
fn open_for_writing(paths: &[PathBuf]) -> HashSet<PathBuf> {
    let wanted: HashSet<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut writing = HashSet::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return writing;
    };
    for proc in procs.flatten() {
        let name = proc.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(proc.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if !wanted.contains(target.as_path()) {
                continue;
            }
            let info = proc.path().join("fdinfo").join(fd.file_name());
            if std::fs::read_to_string(info).is_ok_and(|text| writes(&text)) {
                writing.insert(target);
            }
        }
    }
    writing
}

#[cfg(not(target_os = "linux"))]
fn open_for_writing(_paths: &[PathBuf]) -> HashSet<PathBuf> {
    HashSet::new()
}

/// Whether an `fdinfo` text's `flags:` (octal) open the file for writing: `O_WRONLY` (1)
/// or `O_RDWR` (2) in the access mode bits.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn writes(fdinfo: &str) -> bool {
    fdinfo
        .lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
        .is_some_and(|flags| flags & 0o3 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_ready_once_unchanged_for_the_settle_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"one").unwrap();
        let start = Instant::now();
        let mut settler = Settler::new(Duration::from_secs(5));
        settler.touch(file.clone(), start);
        assert!(settler.ready(start + Duration::from_secs(1)).is_empty());
        // It grows: the clock starts again.
        std::fs::write(&file, b"one two").unwrap();
        assert!(settler.ready(start + Duration::from_secs(4)).is_empty());
        assert!(settler.ready(start + Duration::from_secs(8)).is_empty());
        assert_eq!(settler.ready(start + Duration::from_secs(9)), vec![file]);
        assert!(settler.is_empty());
    }

    #[test]
    fn a_vanished_file_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gone.txt");
        std::fs::write(&file, b"x").unwrap();
        let start = Instant::now();
        let mut settler = Settler::new(Duration::from_secs(1));
        settler.touch(file.clone(), start);
        std::fs::remove_file(&file).unwrap();
        assert!(settler.ready(start + Duration::from_secs(2)).is_empty());
        assert!(settler.is_empty());
    }

    #[test]
    fn a_settled_folder_opens_up_into_its_files_and_empty_folders() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("new");
        std::fs::create_dir_all(folder.join("empty")).unwrap();
        std::fs::write(folder.join("f.txt"), b"x").unwrap();
        let start = Instant::now();
        let mut settler = Settler::new(Duration::from_secs(1));
        settler.touch(folder.clone(), start);
        let later = start + Duration::from_secs(2);
        assert_eq!(settler.ready(later), vec![folder.join("empty")]);
        assert_eq!(settler.ready(later), vec![folder.join("f.txt")]);
    }

    #[test]
    fn write_access_is_read_from_fdinfo_flags() {
        assert!(writes("pos:\t0\nflags:\t0100001\nmnt_id:\t25\n"));
        assert!(writes("flags:\t02\n"));
        assert!(!writes("pos:\t0\nflags:\t0100000\n"));
        assert!(!writes("nothing here"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_open_for_writing_here_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::canonicalize(dir.path()).unwrap().join("w.txt");
        let handle = std::fs::File::create(&file).unwrap();
        assert!(open_for_writing(std::slice::from_ref(&file)).contains(&file));
        drop(handle);
        assert!(!open_for_writing(std::slice::from_ref(&file)).contains(&file));
    }
}
