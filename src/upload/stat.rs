//! A file's size and modification time read relative to its open folder (`fstatat`), not by
//! its full path: on a tree of 10^6 files the kernel's lookup of every full path was the
//! walk's largest cost, and the counting pass and the walk each pay it.
//!
//! It owns that one call. When it cannot answer (not Unix, the folder could not be opened,
//! any error) it says so and the walk asks the usual way, which also words the error; it
//! never decides what a walk hands out.

use std::ffi::OsStr;
use std::path::Path;
use std::time::SystemTime;

/// A folder of the walk, held open while its entries are read.
#[derive(Debug)]
pub(super) struct OpenFolder {
    #[cfg(unix)]
    fd: Option<rustix::fd::OwnedFd>,
}

impl OpenFolder {
    /// Opens `path` for reading its entries' metadata; an error only means the slow way.
    pub(super) fn open(path: &Path) -> Self {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            OpenFolder {
                fd: rustix::fs::open(path, flags, Mode::empty()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            OpenFolder {}
        }
    }

    /// Size and modification time of the entry `name` (through a symbolic link when
    /// `follow`), or `None` when this way cannot tell.
    pub(super) fn metadata(&self, name: &OsStr, follow: bool) -> Option<(u64, Option<SystemTime>)> {
        #[cfg(unix)]
        {
            use rustix::fs::AtFlags;
            let flags = if follow {
                AtFlags::empty()
            } else {
                AtFlags::SYMLINK_NOFOLLOW
            };
            let stat = rustix::fs::statat(self.fd.as_ref()?, name, flags).ok()?;
            let size = u64::try_from(stat.st_size).ok()?;
            #[allow(
                clippy::useless_conversion,
                reason = "`st_mtime` is narrower on some targets"
            )]
            let secs = i64::from(stat.st_mtime);
            Some((size, modified(secs, stat.st_mtime_nsec)))
        }
        #[cfg(not(unix))]
        {
            let _ = (name, follow);
            None
        }
    }
}

/// The modification time as `std::fs::Metadata::modified` gives it.
#[cfg(unix)]
fn modified(secs: i64, nanos: impl TryInto<u32>) -> Option<SystemTime> {
    use std::time::{Duration, UNIX_EPOCH};
    let nanos = nanos.try_into().ok()?;
    let since = Duration::new(secs.unsigned_abs(), 0);
    let at = if secs >= 0 {
        UNIX_EPOCH.checked_add(since)?
    } else {
        UNIX_EPOCH.checked_sub(since)?
    };
    at.checked_add(Duration::from_nanos(u64::from(nanos)))
}

#[cfg(all(test, unix))]
mod tests {
    use super::OpenFolder;
    use std::ffi::OsStr;

    #[test]
    fn agrees_with_std_and_declines_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), b"12345").unwrap();
        std::os::unix::fs::symlink("a.bin", dir.path().join("link")).unwrap();
        let folder = OpenFolder::open(dir.path());
        let std_meta = std::fs::metadata(dir.path().join("a.bin")).unwrap();
        let (size, modified) = folder.metadata(OsStr::new("a.bin"), false).unwrap();
        assert_eq!(size, 5);
        assert_eq!(modified, Some(std_meta.modified().unwrap()));
        // Not followed, a link is its own entry; followed, it is its target.
        let link = std::fs::symlink_metadata(dir.path().join("link")).unwrap();
        assert_eq!(
            folder.metadata(OsStr::new("link"), false).unwrap().0,
            link.len()
        );
        assert_eq!(folder.metadata(OsStr::new("link"), true).unwrap().0, 5);
        assert_eq!(folder.metadata(OsStr::new("gone"), false), None);
        let missing = OpenFolder::open(&dir.path().join("nowhere"));
        assert_eq!(missing.metadata(OsStr::new("a.bin"), false), None);
    }
}
