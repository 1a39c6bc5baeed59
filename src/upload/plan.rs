//! The local side: walk the folder, make every name safe for put.io, and produce the plan of
//! folders and files to mirror. Reads metadata only, never file contents.
//!
//! Nothing here fails the run: an entry that cannot be read, a symlink or a name clash becomes
//! a [`Problem`] tied to its path, and the rest of the tree goes on.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use unicode_normalization::UnicodeNormalization;

/// A folder to mirror. Index 0 is the uploaded folder itself.
#[derive(Clone, Debug)]
pub struct PlannedFolder {
    pub local: PathBuf,
    pub name: String,
    pub parent: Option<usize>,
    /// Path on put.io relative to the destination, e.g. `photos/2024`.
    pub display: String,
}

#[derive(Clone, Debug)]
pub struct PlannedFile {
    pub local: PathBuf,
    pub folder: usize,
    pub name: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// Path on put.io relative to the destination, e.g. `photos/2024/a.jpg`.
    pub display: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Could not be read or would clash: counts as a failure.
    Failed,
    /// Deliberately left out (symlink, socket, ...): reported, not a failure.
    Skipped,
}

#[derive(Clone, Debug)]
pub struct Problem {
    pub path: PathBuf,
    pub kind: ProblemKind,
    pub reason: String,
}

/// A local name that had to change to be valid on put.io.
#[derive(Clone, Debug)]
pub struct Renamed {
    pub path: PathBuf,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub folders: Vec<PlannedFolder>,
    pub files: Vec<PlannedFile>,
    pub problems: Vec<Problem>,
    pub renamed: Vec<Renamed>,
}

impl Plan {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The name an entry gets on put.io: lossless for valid UTF-8 that put.io accepts; invalid
/// UTF-8 bytes become U+FFFD, the text is normalised to NFC and passed through
/// `sanitize-filename` (which also caps it at 255 bytes). Returns the name and whether it
/// changed in a way a person would notice (NFC alone does not count: it looks the same).
pub fn remote_name(local: &OsStr) -> (String, bool) {
    let lossy = local.to_string_lossy();
    let nfc: String = lossy.nfc().collect();
    let options = sanitize_filename::Options {
        windows: false,
        truncate: true,
        replacement: "_",
    };
    let mut safe = sanitize_filename::sanitize_with_options(&nfc, options);
    if safe.is_empty() {
        safe.push('_');
    }
    let changed = matches!(lossy, std::borrow::Cow::Owned(_)) || safe != nfc;
    (safe, changed)
}

/// A short reason for an I/O error, without Rust's "(os error 13)" suffix.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no longer exists".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_owned(),
                None => text,
            }
        }
    }
}

/// Walks `root` (not following symlinks), in name order so that runs are reproducible.
pub fn scan(root: &Path, root_name: &OsStr) -> Plan {
    let mut plan = Plan::default();
    let (top_name, changed) = remote_name(root_name);
    if changed {
        plan.renamed.push(Renamed {
            path: root.to_owned(),
            name: top_name.clone(),
        });
    }
    plan.folders.push(PlannedFolder {
        local: root.to_owned(),
        display: top_name.clone(),
        name: top_name,
        parent: None,
    });
    let mut folder_of: HashMap<PathBuf, usize> = HashMap::from([(root.to_owned(), 0)]);
    // Remote names taken in each folder, with the local path that took them.
    let mut taken: HashMap<(usize, String), PathBuf> = HashMap::new();

    let mut walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_owned();
                let reason = err.io_error().map_or_else(|| err.to_string(), io_reason);
                plan.problems.push(Problem {
                    path,
                    kind: ProblemKind::Failed,
                    reason: format!("cannot read: {reason}"),
                });
                continue;
            }
        };
        let path = entry.path();
        let Some(&parent) = path.parent().and_then(|p| folder_of.get(p)) else {
            continue; // below a folder that was left out
        };
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            plan.problems.push(Problem {
                path: path.to_owned(),
                kind: ProblemKind::Skipped,
                reason: "symbolic link (not followed)".to_owned(),
            });
            continue;
        }
        if !file_type.is_dir() && !file_type.is_file() {
            plan.problems.push(Problem {
                path: path.to_owned(),
                kind: ProblemKind::Skipped,
                reason: "not a regular file (device, socket or pipe)".to_owned(),
            });
            continue;
        }

        let (name, changed) = remote_name(entry.file_name());
        if let Some(first) = taken.get(&(parent, name.clone())) {
            plan.problems.push(Problem {
                path: path.to_owned(),
                kind: ProblemKind::Failed,
                reason: format!(
                    "its put.io name `{name}` is already taken by {}; rename one of them",
                    first.display()
                ),
            });
            if file_type.is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        taken.insert((parent, name.clone()), path.to_owned());
        if changed {
            plan.renamed.push(Renamed {
                path: path.to_owned(),
                name: name.clone(),
            });
        }
        let display = format!("{}/{name}", plan.folders[parent].display);

        if file_type.is_dir() {
            folder_of.insert(path.to_owned(), plan.folders.len());
            plan.folders.push(PlannedFolder {
                local: path.to_owned(),
                name,
                parent: Some(parent),
                display,
            });
        } else {
            match entry.metadata() {
                Ok(meta) => plan.files.push(PlannedFile {
                    local: path.to_owned(),
                    folder: parent,
                    name,
                    size: meta.len(),
                    modified: meta.modified().ok(),
                    display,
                }),
                Err(err) => plan.problems.push(Problem {
                    path: path.to_owned(),
                    kind: ProblemKind::Failed,
                    reason: format!(
                        "cannot read: {}",
                        err.io_error().map_or_else(|| err.to_string(), io_reason)
                    ),
                }),
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_stay() {
        for name in [
            "photo.jpg",
            "Ünïcödé 日本.txt",
            ".hidden",
            "a b",
            "x.torrent",
        ] {
            assert_eq!(
                remote_name(OsStr::new(name)),
                (name.to_owned(), false),
                "{name}"
            );
        }
    }

    #[test]
    fn unsafe_names_change() {
        assert_eq!(
            remote_name(OsStr::new("a:b?.txt")),
            ("a_b_.txt".to_owned(), true)
        );
        assert_eq!(
            remote_name(OsStr::new("back\\slash")),
            ("back_slash".to_owned(), true)
        );
        assert_eq!(remote_name(OsStr::new("..")), ("_".to_owned(), true));
        assert_eq!(
            remote_name(OsStr::new("tab\there")),
            ("tab_here".to_owned(), true)
        );
        let long = "x".repeat(300);
        let (name, changed) = remote_name(OsStr::new(&long));
        assert!(changed && name.len() == 255);
    }

    #[test]
    fn nfd_becomes_nfc_silently() {
        let nfd = "e\u{301}te\u{301}.txt";
        assert_eq!(
            remote_name(OsStr::new(nfd)),
            ("\u{e9}t\u{e9}.txt".to_owned(), false)
        );
    }

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        use std::os::unix::ffi::OsStrExt;
        let (name, changed) = remote_name(OsStr::from_bytes(b"bad\xffname"));
        assert_eq!(name, "bad\u{fffd}name");
        assert!(changed);
    }
}
