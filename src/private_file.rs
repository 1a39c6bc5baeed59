//! Files only the owner may read, replaced atomically: the token file and the resume
//! journal. On the ground floor: it uses nothing of ours and never prints.
//!
//! A write makes (or tightens) the folder to mode 0700, creates a new temporary file beside
//! the target with mode 0600 (never an existing one, so no one can have it open already),
//! writes and fsyncs it, renames it over the target and fsyncs the folder, so that a crash
//! leaves either the old file or the new one, never a torn or readable one. On platforms
//! without Unix modes the same steps run without them.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

/// Creates `dir` and its missing parents with mode 0700; an existing `dir` that others may
/// enter is tightened to 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
}

/// Replaces `path` with `bytes`, atomically and durably, readable by the owner alone.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let written = (|| {
        let mut file = new_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err);
    }
    sync_dir(dir);
    Ok(())
}

/// A new file with mode 0600; fails if `path` exists.
fn new_private(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes the rename durable where the platform allows opening a folder; best effort (the
/// data is already safe in the file, only the name may be lost in a crash).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_nothing_else() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("a/b");
        let path = dir.join("secret");
        write(&path, b"one").unwrap();
        write(&path, b"two, longer").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two, longer");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secret"], "no temporary file left behind");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_cleans_up() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("target");
        write(&path, b"old").unwrap();
        // A folder in the way of the rename: the write fails, the old file stays.
        let blocked = home.path().join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("inside"), b"x").unwrap();
        assert!(write(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let leftovers = fs::read_dir(home.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_0600_in_0700_folders_and_open_folders_are_tightened() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let home = tempfile::tempdir().unwrap();
        let fresh = home.path().join("new/deeper");
        write(&fresh.join("f"), b"x").unwrap();
        assert_eq!(mode(&fresh.join("f")), 0o600);
        assert_eq!(mode(&fresh), 0o700);
        assert_eq!(mode(&home.path().join("new")), 0o700, "created parents too");

        let open = home.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        write(&open.join("f"), b"x").unwrap();
        assert_eq!(mode(&open), 0o700);
        assert_eq!(mode(&open.join("f")), 0o600);

        // An existing file others could read is replaced by a private one.
        let shared = open.join("g");
        fs::write(&shared, b"old").unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o644)).unwrap();
        write(&shared, b"new").unwrap();
        assert_eq!(mode(&shared), 0o600);
    }
}
