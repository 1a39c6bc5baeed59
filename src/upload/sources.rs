//! The sources of a run: the folders and files named on the command line, walked one after
//! the other as one stream of items. A folder is mirrored under its own name; a file goes
//! straight into the destination folder ([`DESTINATION`]).
//!
//! It owns what is only true across sources: ids unique in the run, the same path given
//! twice (or a path inside a folder also given) sent once, and two sources that land on the
//! same put.io name (the later one is a clash). Inside a folder it is the walk's job; it
//! never reads file content.

use std::collections::HashMap;
use std::ffi::OsString;
use std::ops::ControlFlow;
use std::path::PathBuf;

use super::plan::{
    PlannedFile, Problem, ProblemKind, Renamed, ScanOptions, io_reason, remote_name,
};
use super::walk::{self, Counted, Item};

/// The folder id of a file given as a source: the destination folder itself.
pub const DESTINATION: usize = usize::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Mirrored as a folder of the same name, with all it holds.
    Folder,
    /// Sent into the destination folder.
    File,
}

/// One path to upload.
#[derive(Clone, Debug)]
pub struct Source {
    /// Canonicalised.
    pub root: PathBuf,
    /// Its name as typed (before canonicalising), for its put.io name.
    pub name: OsString,
    pub kind: SourceKind,
    /// Filters, hidden files, links and the selection inside a folder (compiled for its
    /// root); a file named on its own is sent whatever the filters say.
    pub scan: ScanOptions,
}

/// Drops a source given twice and one inside a folder also given (the folder sends it, in
/// its place in the tree); keeps the order otherwise.
pub fn distinct(sources: Vec<Source>) -> Vec<Source> {
    let folders: Vec<PathBuf> = sources
        .iter()
        .filter(|s| s.kind == SourceKind::Folder)
        .map(|s| s.root.clone())
        .collect();
    let mut seen = std::collections::HashSet::new();
    sources
        .into_iter()
        .filter(|s| {
            let inside = folders
                .iter()
                .any(|f| s.root != *f && s.root.starts_with(f));
            !inside && seen.insert(s.root.clone())
        })
        .collect()
}

/// The counting pass over every source: [`walk`] itself, counted ([`Counted::add`]), so it
/// counts what the walk will hand out (a later source whose name is taken is left out).
/// `stop` is asked between entries.
pub(super) fn count(sources: &[Source], stop: &dyn Fn() -> bool) -> Counted {
    let mut counted = Counted::default();
    walk(sources, &mut |item| {
        counted.add(&item);
        if stop() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    counted
}

/// Walks every source in turn, handing every item to `emit` until it breaks. Folder ids and
/// file indexes of later sources follow those of earlier ones.
pub(super) fn walk(sources: &[Source], emit: &mut dyn FnMut(Item) -> ControlFlow<()>) {
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    let (mut folders, mut files) = (0usize, 0usize);
    for source in sources {
        let (name, renamed) = remote_name(&source.name);
        if let Some(first) = names.get(&name) {
            let problem = Problem {
                path: source.root.clone(),
                kind: ProblemKind::Clash,
                reason: format!(
                    "its put.io name `{name}` in the destination is already taken by {}; upload one of them elsewhere (--to) or rename it",
                    first.display()
                ),
            };
            if emit(Item::Problem(problem)).is_break() {
                return;
            }
            continue;
        }
        names.insert(name.clone(), source.root.clone());
        let flow = match source.kind {
            SourceKind::Folder => folder(source, (&mut folders, &mut files), emit),
            SourceKind::File => file(source, name, renamed, &mut files, emit),
        };
        if flow.is_break() {
            return;
        }
    }
}

/// One folder source, its ids moved past those already handed out.
fn folder(
    source: &Source,
    (folders, files): (&mut usize, &mut usize),
    emit: &mut dyn FnMut(Item) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let (folder_base, file_base) = (*folders, *files);
    let mut flow = ControlFlow::Continue(());
    walk::walk(&source.root, &source.name, &source.scan, &mut |item| {
        let item = match item {
            Item::Folder(mut f) => {
                f.id += folder_base;
                f.parent = f.parent.map(|p| p + folder_base);
                *folders = (*folders).max(f.id + 1);
                Item::Folder(f)
            }
            Item::File { index, mut file } => {
                file.folder += folder_base;
                *files = (*files).max(index + file_base + 1);
                Item::File {
                    index: index + file_base,
                    file,
                }
            }
            Item::FolderDone(id) => Item::FolderDone(id + folder_base),
            other => other,
        };
        flow = emit(item);
        flow
    });
    flow
}

/// One file source: straight into the destination.
fn file(
    source: &Source,
    name: String,
    renamed: bool,
    files: &mut usize,
    emit: &mut dyn FnMut(Item) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let meta = match std::fs::metadata(&source.root) {
        Ok(meta) => meta,
        Err(err) => {
            return emit(Item::Problem(Problem {
                path: source.root.clone(),
                kind: ProblemKind::Failed,
                reason: format!("cannot read: {}", io_reason(&err)),
            }));
        }
    };
    if renamed {
        emit(Item::Renamed(Renamed {
            path: source.root.clone(),
            name: name.clone(),
        }))?;
    }
    let index = *files;
    *files += 1;
    emit(Item::File {
        index,
        file: PlannedFile {
            local: source.root.clone(),
            folder: DESTINATION,
            display: name.clone(),
            name,
            size: meta.len(),
            modified: meta.modified().ok(),
        },
    })
}

/// The walk hands out its items this many at a time (a folder at once, so that its lookup
/// starts): one wake-up of the folders stage per batch, not per file.
pub(super) const BATCH: usize = 64;

/// The walk over every source, on a blocking thread, sending its items in batches until it
/// is done, the run is cancelled or the folders stage is gone.
pub(super) fn walk_batches(
    sources: &[Source],
    cancel: &tokio_util::sync::CancellationToken,
    out: &tokio::sync::mpsc::Sender<Vec<Item>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<Item>| {
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        !cancel.is_cancelled() && out.blocking_send(full).is_ok()
    };
    let mut going = true;
    walk(sources, &mut |item| {
        let flush = matches!(item, Item::Folder(_));
        batch.push(item);
        if (flush || batch.len() == BATCH) && !send(&mut batch) {
            going = false;
            return std::ops::ControlFlow::Break(());
        }
        std::ops::ControlFlow::Continue(())
    });
    if going && !batch.is_empty() {
        send(&mut batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(root: &str, kind: SourceKind) -> Source {
        Source {
            root: PathBuf::from(root),
            name: PathBuf::from(root).file_name().unwrap().to_owned(),
            kind,
            scan: ScanOptions::default(),
        }
    }

    #[test]
    fn twice_or_inside_a_folder_is_sent_once() {
        let got = distinct(vec![
            source("/a/x.txt", SourceKind::File),
            source("/b", SourceKind::Folder),
            source("/a", SourceKind::Folder),
            source("/b", SourceKind::Folder),
            source("/bc/y", SourceKind::File),
            source("/a/deep", SourceKind::Folder),
        ]);
        let roots: Vec<_> = got.iter().map(|s| s.root.to_str().unwrap()).collect();
        assert_eq!(roots, ["/b", "/a", "/bc/y"]);
    }

    #[test]
    fn ids_follow_on_and_a_later_clash_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        for rel in ["one/a.txt", "one/s/b.txt", "two/one/c.txt", "f.txt"] {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let at = |rel: &str, kind| Source {
            root: dir.path().join(rel),
            name: PathBuf::from(rel).file_name().unwrap().to_owned(),
            kind,
            scan: ScanOptions::default(),
        };
        let sources = [
            at("one", SourceKind::Folder),
            at("f.txt", SourceKind::File),
            at("two/one", SourceKind::Folder),
        ];
        let mut got = Vec::new();
        walk(&sources, &mut |item| {
            got.push(match item {
                Item::Folder(f) => format!("+{} {} {:?}", f.display, f.id, f.parent),
                Item::File { index, file } => {
                    format!("{} #{index} in {}", file.display, file.folder)
                }
                Item::FolderDone(id) => format!("-{id}"),
                Item::Problem(p) => format!("! {:?}", p.kind),
                _ => String::new(),
            });
            ControlFlow::Continue(())
        });
        assert_eq!(
            got,
            [
                "+one 0 None",
                "one/a.txt #0 in 0",
                "+one/s 1 Some(0)",
                "one/s/b.txt #1 in 1",
                "-1",
                "-0",
                &format!("f.txt #2 in {DESTINATION}"),
                "! Clash",
            ]
        );
        assert_eq!(count(&sources, &|| false).files, 3);
    }
}
