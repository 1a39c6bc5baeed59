//! The local side's vocabulary: what the walk (`walk.rs`) finds, the put.io name of a local
//! entry, and the filters. Reads nothing itself.
//!
//! Nothing here fails the run: an entry that cannot be read, a symlink or a name clash becomes
//! a [`Problem`] tied to its path, and the rest of the tree goes on. What the filters leave
//! out is [`Excluded`], never read.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use unicode_normalization::UnicodeNormalization;

/// A folder to mirror. Id 0 is the uploaded folder itself; a parent comes before its
/// children.
#[derive(Clone, Debug)]
pub struct PlannedFolder {
    pub id: usize,
    pub name: String,
    pub parent: Option<usize>,
    /// Path on put.io relative to the destination, e.g. `photos/2024`.
    pub display: String,
}

#[derive(Clone, Debug)]
pub struct PlannedFile {
    pub local: PathBuf,
    /// The id of its [`PlannedFolder`].
    pub folder: usize,
    pub name: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// Path on put.io relative to the destination, e.g. `photos/2024/a.jpg`.
    pub display: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Could not be read: counts as a failure.
    Failed,
    /// Its put.io name is taken by another local entry: counts as a failure.
    Clash,
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

/// The name an entry gets on put.io: lossless for valid UTF-8 that put.io accepts; invalid
/// UTF-8 bytes become U+FFFD, the text is normalised to NFC and passed through
/// `sanitize-filename` (which also caps it at 255 bytes). Returns the name and whether it
/// changed at all (NFC alone included: README promises every change is reported).
pub fn remote_name(local: &OsStr) -> (String, bool) {
    // Nearly every name is plain ASCII that put.io takes as it is: skip the normalising and
    // the sanitiser's regexes for those (they are most of the walk's CPU on big trees).
    if let Some(plain) = local.to_str().filter(|name| is_plain(name)) {
        return (plain.to_owned(), false);
    }
    sanitized(local)
}

/// [`remote_name`] the long way, for any name.
fn sanitized(local: &OsStr) -> (String, bool) {
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
    // NFC counts as a change too: it looks the same, but it is not the same name, and a
    // person comparing bytes (or another tool) would see it differ.
    let changed = matches!(lossy, std::borrow::Cow::Owned(_)) || safe != *local.to_string_lossy();
    (safe, changed)
}

/// Printable ASCII without a character the sanitiser replaces, not only dots, at most 255
/// bytes: `sanitize-filename` and NFC would hand it back unchanged.
fn is_plain(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && !br#"/?<>\:*|""#.contains(&b))
        && !name.bytes().all(|b| b == b'.')
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

/// What the walk leaves out and how it treats links. Built by `settings`; the default
/// uploads everything, hidden files included, and does not follow links.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    pub filter: Filter,
    /// Leave out names starting with `.` (`--no-hidden`).
    pub skip_hidden: bool,
    /// Follow symbolic links (`--follow-links`), reporting loops.
    pub follow_links: bool,
    /// Only these paths (and what selected folders hold); `None` mirrors the whole folder.
    pub selection: Option<std::sync::Arc<super::select::Selection>>,
}

/// `--exclude`/`--include` patterns in .gitignore syntax, matched against paths relative to
/// the uploaded folder.
///
/// `ignore`'s gitignore matcher rather than bare globs: anchoring (`/build`), folder-only
/// patterns (`cache/`), `**` and `!` negation then mean what they mean in a `.gitignore`.
#[derive(Clone, Default)]
pub struct Filter {
    exclude: Option<Gitignore>,
    include: Option<Gitignore>,
    patterns: Vec<String>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.patterns).finish()
    }
}

/// One pattern and where it came from, so that an error can name its source.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub glob: String,
    /// `--exclude`, `/path/excludes.txt:3`, `exclude in /path/putio-up.toml`, ...
    pub source: String,
}

impl Filter {
    /// Compiles the patterns for the folder `root`. The error names the bad pattern and
    /// its source.
    pub fn new(root: &Path, exclude: &[Pattern], include: &[Pattern]) -> Result<Self, String> {
        let build = |patterns: &[Pattern]| -> Result<Option<Gitignore>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut builder = GitignoreBuilder::new(root);
            // git reads `[a` as a literal; on a command line it is far more likely a typo.
            builder.allow_unclosed_class(false);
            for pattern in patterns {
                builder
                    .add_line(None, &pattern.glob)
                    .map_err(|err| bad_pattern(pattern, &err))?;
            }
            let matcher = builder.build().map_err(|err| err.to_string())?;
            Ok((!matcher.is_empty()).then_some(matcher))
        };
        let mut patterns: Vec<String> = exclude.iter().map(|p| format!("-{}", p.glob)).collect();
        patterns.extend(include.iter().map(|p| format!("+{}", p.glob)));
        Ok(Filter {
            exclude: build(exclude)?,
            include: build(include)?,
            patterns,
        })
    }

    /// The exclude pattern that leaves `path` out, if any (the last matching pattern decides,
    /// and a `!pattern` takes a path back).
    pub(super) fn excluded_by(&self, path: &Path, is_dir: bool) -> Option<String> {
        match self.exclude.as_ref()?.matched(path, is_dir) {
            ignore::Match::Ignore(glob) => Some(glob.original().to_owned()),
            _ => None,
        }
    }

    /// Whether `--include` patterns are in force (folders are then kept only for a match).
    pub(super) fn has_include(&self) -> bool {
        self.include.is_some()
    }

    /// With `--include`: whether `path` or a folder above it matches. Without: always.
    pub(super) fn included(&self, path: &Path, is_dir: bool) -> bool {
        self.include.as_ref().is_none_or(|include| {
            include
                .matched_path_or_any_parents(path, is_dir)
                .is_ignore()
        })
    }
}

fn bad_pattern(pattern: &Pattern, err: &ignore::Error) -> String {
    let why = match err {
        ignore::Error::Glob { err, .. } => err.clone(),
        other => other.to_string(),
    };
    format!(
        "{} `{}`: {why}; fix the pattern (.gitignore syntax, e.g. `*.tmp` or `cache/`)",
        pattern.source, pattern.glob
    )
}

/// Something the filters left out. A left-out folder is one entry, its content is not listed.
#[derive(Clone, Debug)]
pub struct Excluded {
    pub path: PathBuf,
    /// The pattern that matched, `--no-hidden`, or `not matched by --include`.
    pub rule: String,
}

/// What a walk error means for its path. With `--follow-links`, a loop and a link to nothing
/// are left out (reported once, at the link); anything else that cannot be read fails.
pub(super) fn walk_problem(root: &Path, err: &walkdir::Error) -> Problem {
    let path = err.path().unwrap_or(root).to_owned();
    if let Some(ancestor) = err.loop_ancestor() {
        return Problem {
            reason: format!(
                "symbolic link loop: leads back to {}; not followed again",
                ancestor.display()
            ),
            path,
            kind: ProblemKind::Skipped,
        };
    }
    let dangling = err
        .io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        && std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
    if dangling {
        return Problem {
            path,
            kind: ProblemKind::Skipped,
            reason: "symbolic link to nothing (its target does not exist)".to_owned(),
        };
    }
    let reason = err.io_error().map_or_else(|| err.to_string(), io_reason);
    Problem {
        path,
        kind: ProblemKind::Failed,
        reason: format!("cannot read: {reason}"),
    }
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
    fn the_plain_ascii_shortcut_gives_what_the_sanitiser_gives() {
        let mut names: Vec<String> = (0u8..0x80)
            .flat_map(|b| {
                let c = char::from(b);
                [format!("a{c}b"), c.to_string(), format!("{c}{c}")]
            })
            .collect();
        names.extend(["..", "...", ". ."].map(String::from));
        names.extend(["x".repeat(255), "x".repeat(256)]);
        for name in names {
            let name = OsStr::new(&name);
            assert_eq!(remote_name(name), sanitized(name), "{name:?}");
        }
    }

    #[test]
    fn nfd_becomes_nfc_and_is_reported() {
        let nfd = "e\u{301}te\u{301}.txt";
        assert_eq!(
            remote_name(OsStr::new(nfd)),
            ("\u{e9}t\u{e9}.txt".to_owned(), true)
        );
    }

    fn patterns(source: &str, globs: &[&str]) -> Vec<Pattern> {
        globs
            .iter()
            .map(|glob| Pattern {
                glob: (*glob).to_owned(),
                source: source.to_owned(),
            })
            .collect()
    }

    #[test]
    fn excludes_follow_gitignore_rules_relative_to_the_root() {
        let root = Path::new("/up/photos");
        let exclude = patterns("--exclude", &["/build", "cache/", "*.log", "!keep.log"]);
        let filter = Filter::new(root, &exclude, &[]).unwrap();
        let rule = |rel: &str, is_dir: bool| filter.excluded_by(&root.join(rel), is_dir);
        assert_eq!(rule("build", true).as_deref(), Some("/build"));
        assert_eq!(rule("sub/build", true), None, "anchored at the top");
        assert_eq!(rule("a/cache", true).as_deref(), Some("cache/"));
        assert_eq!(rule("a/cache", false), None, "folders only");
        assert_eq!(rule("deep/er/x.log", false).as_deref(), Some("*.log"));
        assert_eq!(rule("keep.log", false), None, "taken back by !keep.log");
        assert!(filter.included(&root.join("anything"), false));
    }

    #[test]
    fn includes_match_files_or_a_folder_above_them() {
        let root = Path::new("/up/photos");
        let include = patterns("--include", &["*.jpg", "docs/"]);
        let filter = Filter::new(root, &[], &include).unwrap();
        assert!(filter.included(&root.join("a/b.jpg"), false));
        assert!(filter.included(&root.join("docs/x/y.txt"), false));
        assert!(!filter.included(&root.join("a/b.txt"), false));
    }

    #[test]
    fn bad_patterns_name_their_source() {
        let exclude = patterns("--exclude-from list.txt, line 2:", &["ok", "[oops"]);
        let err = Filter::new(Path::new("/r"), &exclude, &[]).unwrap_err();
        assert!(
            err.starts_with("--exclude-from list.txt, line 2: `[oops`: unclosed"),
            "{err}"
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
