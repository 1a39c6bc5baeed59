//! The walk stage: reads the local tree in name order (so that runs are reproducible) and
//! hands out what it finds as a stream of [`Item`]s, a folder always before what is in it and
//! [`Item::FolderDone`] once nothing more of a folder can follow. Reads metadata only.
//!
//! It holds the folders on the current path and their names, never the tree: its memory is
//! the depth times the widest folder. The same walk serves the counting pass that gives the
//! totals before any upload starts.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::plan::{
    Excluded, PlannedFile, PlannedFolder, Problem, ProblemKind, Renamed, ScanOptions, remote_name,
    walk_problem,
};
use super::select::Verdict;
use super::stat::OpenFolder;

/// One thing the walk found.
#[derive(Debug)]
pub(super) enum Item {
    Folder(PlannedFolder),
    /// A file to mirror; `index` is unique in the run and names it in transfer events.
    File {
        index: usize,
        file: PlannedFile,
    },
    /// Every folder and file of this folder has been handed out.
    FolderDone(usize),
    Renamed(Renamed),
    Excluded(Excluded),
    Problem(Problem),
}

/// What the counting pass finds: the tree as it will be mirrored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counted {
    pub folders: usize,
    pub files: usize,
    pub bytes: u64,
    /// Entries that will not be mirrored: excluded (a folder once), ignored, unreadable or
    /// clashing. Said next to the count, so that it adds up to what a listing shows.
    pub left_out: usize,
}

impl Counted {
    /// Counts one item of a walk: the counting pass is the walk with this as its `emit`.
    pub(super) fn add(&mut self, item: &Item) {
        match item {
            Item::Folder(_) => self.folders += 1,
            Item::File { file, .. } => {
                self.files += 1;
                self.bytes += file.size;
            }
            Item::Excluded(_) | Item::Problem(_) => self.left_out += 1,
            Item::FolderDone(_) | Item::Renamed(_) => {}
        }
    }
}

/// A folder on the current path of the walk.
struct Open {
    depth: usize,
    path: PathBuf,
    /// Held open to read its files' metadata by name, not by full path.
    folder: OpenFolder,
    name: String,
    display: String,
    renamed: bool,
    /// Handed out under this id; `None` while `--include` has kept nothing in it yet.
    id: Option<usize>,
    /// put.io names taken in this folder, with the local path that took them when it is
    /// not simply this folder's path joined with the name (the name was changed).
    taken: HashMap<String, Option<PathBuf>>,
    /// With `--include`: what was left out in it, reported only if the folder is kept.
    left_out: Vec<Excluded>,
    /// Walked only on the way to selected paths: if nothing in it is kept, say nothing.
    quiet: bool,
}

struct Walker<'a> {
    options: &'a ScanOptions,
    emit: &'a mut dyn FnMut(Item) -> ControlFlow<()>,
    stack: Vec<Open>,
    folders: usize,
    files: usize,
}

/// Walks `root`, handing every item to `emit` until it breaks.
pub(super) fn walk(
    root: &Path,
    root_name: &OsStr,
    options: &ScanOptions,
    emit: &mut dyn FnMut(Item) -> ControlFlow<()>,
) {
    let (name, renamed) = remote_name(root_name);
    let mut walker = Walker {
        options,
        emit,
        stack: vec![Open {
            depth: 0,
            path: root.to_owned(),
            folder: OpenFolder::open(root),
            display: name.clone(),
            name,
            renamed,
            id: None,
            taken: HashMap::new(),
            left_out: Vec::new(),
            quiet: false,
        }],
        folders: 0,
        files: 0,
    };
    // The uploaded folder itself is mirrored even when empty; with --include only once
    // something in it matched, so that a pattern matching nothing creates nothing.
    if !options.filter.has_include() && walker.keep(0).is_break() {
        return;
    }
    if walker.entries(root).is_break() {
        return;
    }
    while !walker.stack.is_empty() {
        if walker.close().is_break() {
            return;
        }
    }
}

impl Walker<'_> {
    fn entries(&mut self, root: &Path) -> ControlFlow<()> {
        let mut entries = walkdir::WalkDir::new(root)
            .follow_links(self.options.follow_links)
            // Siblings share their parent's path, so their whole paths sort as their names
            // do; compared as bytes, without taking each name apart again per comparison.
            .sort_by(|a, b| {
                let (a, b) = (a.path().as_os_str(), b.path().as_os_str());
                a.as_encoded_bytes().cmp(b.as_encoded_bytes())
            })
            .min_depth(1)
            .into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    (self.emit)(Item::Problem(walk_problem(root, &err)))?;
                    continue;
                }
            };
            while self
                .stack
                .last()
                .is_some_and(|open| open.depth >= entry.depth())
            {
                self.close()?;
            }
            let path = entry.path();
            let file_type = entry.file_type();
            let is_dir = file_type.is_dir();
            let verdict = self
                .options
                .selection
                .as_ref()
                .map_or(Verdict::Selected, |s| {
                    s.verdict(path.strip_prefix(root).unwrap_or(path))
                });
            if verdict == Verdict::Outside || (verdict == Verdict::Toward && !is_dir) {
                if is_dir {
                    entries.skip_current_dir();
                }
                continue;
            }
            let hidden =
                self.options.skip_hidden && entry.file_name().as_encoded_bytes().starts_with(b".");
            let rule = if hidden {
                Some("--no-hidden".to_owned())
            } else {
                self.options.filter.excluded_by(path, is_dir)
            };
            if let Some(rule) = rule {
                if is_dir {
                    entries.skip_current_dir();
                }
                (self.emit)(Item::Excluded(Excluded {
                    path: path.to_owned(),
                    rule,
                }))?;
                continue;
            }
            let skipped = if file_type.is_symlink() {
                Some("symbolic link (not followed; --follow-links follows links)")
            } else if !is_dir && !file_type.is_file() {
                Some("not a regular file (device, socket or pipe)")
            } else {
                None
            };
            if let Some(reason) = skipped {
                (self.emit)(Item::Problem(Problem {
                    path: path.to_owned(),
                    kind: ProblemKind::Skipped,
                    reason: reason.to_owned(),
                }))?;
                continue;
            }
            let include = self.options.filter.has_include();
            if !is_dir && include && !self.options.filter.included(path, false) {
                self.left_out(Excluded {
                    path: path.to_owned(),
                    rule: "not matched by --include".to_owned(),
                })?;
                continue;
            }
            let (size, modified) = if is_dir {
                (0, None)
            } else {
                match self.file_metadata(&entry) {
                    Ok(found) => found,
                    Err(err) => {
                        (self.emit)(Item::Problem(walk_problem(root, &err)))?;
                        continue;
                    }
                }
            };
            let Some(file_name) = path.file_name() else {
                continue;
            };
            let (name, renamed) = remote_name(file_name);
            let parent = self.stack.last_mut().expect("the root stays open");
            if let Some(first) = parent.taken.get(&name) {
                // The two are siblings: the other one's name is all a person needs.
                let first = first.clone().unwrap_or_else(|| parent.path.join(&name));
                let sibling = first.file_name().map_or(first.as_path(), Path::new);
                let reason = format!(
                    "its put.io name `{name}` is already taken by `{}` in the same folder; rename one of them",
                    crate::format::shown_path(sibling)
                );
                if is_dir {
                    entries.skip_current_dir();
                }
                (self.emit)(Item::Problem(Problem {
                    path: path.to_owned(),
                    kind: ProblemKind::Clash,
                    reason,
                }))?;
                continue;
            }
            parent
                .taken
                .insert(name.clone(), renamed.then(|| path.to_owned()));
            let display = format!("{}/{name}", parent.display);
            if is_dir {
                self.stack.push(Open {
                    depth: entry.depth(),
                    path: path.to_owned(),
                    folder: OpenFolder::open(path),
                    name,
                    display,
                    renamed,
                    id: None,
                    taken: HashMap::new(),
                    left_out: Vec::new(),
                    quiet: verdict == Verdict::Toward,
                });
                if verdict == Verdict::Selected
                    && (!include || self.options.filter.included(path, true))
                {
                    self.keep(self.stack.len() - 1)?;
                }
                continue;
            }
            let level = self.stack.len() - 1;
            self.keep(level)?;
            if renamed {
                (self.emit)(Item::Renamed(Renamed {
                    path: path.to_owned(),
                    name: name.clone(),
                }))?;
            }
            let folder = self.stack[level].id.expect("kept just now");
            self.files += 1;
            (self.emit)(Item::File {
                index: self.files - 1,
                file: PlannedFile {
                    local: path.to_owned(),
                    folder,
                    name,
                    size,
                    modified,
                    display,
                },
            })?;
        }
        ControlFlow::Continue(())
    }

    /// A file's size and modification time: read by name in its open parent folder, or by
    /// its path where that cannot tell (the error is then worded from walkdir's).
    fn file_metadata(
        &self,
        entry: &walkdir::DirEntry,
    ) -> Result<(u64, Option<SystemTime>), walkdir::Error> {
        let parent = self
            .stack
            .last()
            .filter(|open| open.depth + 1 == entry.depth());
        let quick = parent.and_then(|open| {
            open.folder
                .metadata(entry.file_name(), self.options.follow_links)
        });
        match quick {
            Some(found) => Ok(found),
            None => entry
                .metadata()
                .map(|meta| (meta.len(), meta.modified().ok())),
        }
    }

    /// Hands out the open folder at `level` and every folder above it not handed out yet.
    fn keep(&mut self, level: usize) -> ControlFlow<()> {
        for at in 0..=level {
            if self.stack[at].id.is_some() {
                continue;
            }
            let id = self.folders;
            self.folders += 1;
            let parent = at.checked_sub(1).and_then(|p| self.stack[p].id);
            let open = &mut self.stack[at];
            open.id = Some(id);
            if open.renamed {
                (self.emit)(Item::Renamed(Renamed {
                    path: open.path.clone(),
                    name: open.name.clone(),
                }))?;
            }
            let open = &mut self.stack[at];
            let left_out = std::mem::take(&mut open.left_out);
            (self.emit)(Item::Folder(PlannedFolder {
                id,
                name: open.name.clone(),
                parent,
                display: open.display.clone(),
            }))?;
            for excluded in left_out {
                (self.emit)(Item::Excluded(excluded))?;
            }
        }
        ControlFlow::Continue(())
    }

    /// Something `--include` left out of the innermost open folder: reported now if that
    /// folder is kept, later if it becomes kept, never if it is left out as a whole.
    fn left_out(&mut self, excluded: Excluded) -> ControlFlow<()> {
        let open = self.stack.last_mut().expect("the root stays open");
        if open.id.is_some() {
            (self.emit)(Item::Excluded(excluded))
        } else {
            open.left_out.push(excluded);
            ControlFlow::Continue(())
        }
    }

    /// The innermost open folder is complete.
    fn close(&mut self) -> ControlFlow<()> {
        let open = self.stack.pop().expect("an open folder");
        match open.id {
            Some(id) => (self.emit)(Item::FolderDone(id)),
            None if open.quiet => ControlFlow::Continue(()),
            // The uploaded folder, where --include matched nothing: what it left out.
            None if self.stack.is_empty() => {
                for excluded in open.left_out {
                    (self.emit)(Item::Excluded(excluded))?;
                }
                ControlFlow::Continue(())
            }
            // Nothing in it matched --include: one entry for the whole folder.
            None => self.left_out(Excluded {
                path: open.path,
                rule: "not matched by --include".to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upload::plan::{Filter, Pattern};

    /// What the walk hands out, as short strings: `+folder`, `file`, `-id`, `x excluded`.
    fn items(root: &Path, options: &ScanOptions) -> Vec<String> {
        let mut out = Vec::new();
        walk(root, OsStr::new("top"), options, &mut |item| {
            out.push(match item {
                Item::Folder(f) => format!("+{}", f.display),
                Item::File { file, .. } => file.display,
                Item::FolderDone(id) => format!("-{id}"),
                Item::Excluded(e) => format!("x {}", e.path.strip_prefix(root).unwrap().display()),
                Item::Renamed(r) => format!("r {}", r.name),
                Item::Problem(p) => format!("! {}", p.reason),
            });
            ControlFlow::Continue(())
        });
        out
    }

    /// What the counting pass counts over the same walk.
    fn count(root: &Path, options: &ScanOptions) -> Counted {
        let mut counted = Counted::default();
        walk(root, OsStr::new("top"), options, &mut |item| {
            counted.add(&item);
            ControlFlow::Continue(())
        });
        counted
    }

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        dir
    }

    #[test]
    fn a_folder_comes_before_its_content_and_is_done_after_it() {
        let dir = tree(&["a/1.txt", "a/b/2.txt", "c.txt"]);
        let got = items(dir.path(), &ScanOptions::default());
        assert_eq!(
            got,
            [
                "+top",
                "+top/a",
                "top/a/1.txt",
                "+top/a/b",
                "top/a/b/2.txt",
                "-2",
                "-1",
                "top/c.txt",
                "-0"
            ]
        );
        let counted = count(dir.path(), &ScanOptions::default());
        assert_eq!(
            counted,
            Counted {
                folders: 3,
                files: 3,
                bytes: 3,
                left_out: 0,
            }
        );
    }

    #[test]
    fn a_clash_names_the_local_path_that_took_the_name_first() {
        // `a_b.txt` keeps its name and sorts first; `a|b.txt` would become `a_b.txt` too.
        let dir = tree(&["sub/a_b.txt", "sub/a|b.txt", "sub/c:d.txt", "sub/c_d.txt"]);
        let got = items(dir.path(), &ScanOptions::default());
        let clashes: Vec<&String> = got.iter().filter(|i| i.starts_with('!')).collect();
        assert_eq!(clashes.len(), 2, "{got:?}");
        assert!(
            clashes[0].contains("taken by `a_b.txt` in the same folder"),
            "{got:?}"
        );
        assert!(
            clashes[1].contains("taken by `c:d.txt` in the same folder"),
            "{got:?}"
        );
        assert!(got.contains(&"top/sub/a_b.txt".to_owned()));
        assert!(
            got.contains(&"top/sub/c_d.txt".to_owned()),
            "the renamed one took it: {got:?}"
        );
    }

    #[test]
    fn include_matching_nothing_hands_out_no_folder() {
        let dir = tree(&["a.txt", "sub/b.txt"]);
        let include = [Pattern {
            glob: "*.jpg".to_owned(),
            source: "--include".to_owned(),
        }];
        let options = ScanOptions {
            filter: Filter::new(dir.path(), &[], &include).unwrap(),
            ..ScanOptions::default()
        };
        assert_eq!(items(dir.path(), &options), ["x a.txt", "x sub"]);
        let counted = count(dir.path(), &options);
        assert_eq!(
            counted,
            Counted {
                left_out: 2,
                ..Counted::default()
            }
        );
    }

    #[test]
    fn include_keeps_the_folders_leading_to_a_match_and_reports_the_rest_once() {
        let dir = tree(&[
            "keep/deep/a.jpg",
            "keep/no.txt",
            "none/x.txt",
            "none/y/z.txt",
        ]);
        let include = [Pattern {
            glob: "*.jpg".to_owned(),
            source: "--include".to_owned(),
        }];
        let options = ScanOptions {
            filter: Filter::new(dir.path(), &[], &include).unwrap(),
            ..ScanOptions::default()
        };
        let got = items(dir.path(), &options);
        assert_eq!(
            got,
            [
                "+top",
                "+top/keep",
                "+top/keep/deep",
                "top/keep/deep/a.jpg",
                "-2",
                "x keep/no.txt",
                "-1",
                "x none",
                "-0"
            ]
        );
    }

    #[test]
    fn a_selection_walks_only_toward_its_paths_and_keeps_their_place() {
        let dir = tree(&["a/1.txt", "a/b/2.txt", "a/b/3.txt", "c.txt", "d/4.txt"]);
        let selection = crate::upload::select::Selection::new(["a/b/3.txt", "d"]).unwrap();
        let options = ScanOptions {
            selection: Some(std::sync::Arc::new(selection)),
            ..ScanOptions::default()
        };
        let got = items(dir.path(), &options);
        assert_eq!(
            got,
            [
                "+top",
                "+top/a",
                "+top/a/b",
                "top/a/b/3.txt",
                "-2",
                "-1",
                "+top/d",
                "top/d/4.txt",
                "-3",
                "-0"
            ]
        );
    }
}
