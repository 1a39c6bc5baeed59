//! A selection: the part of the uploaded folder a run is limited to, as paths relative to it
//! (from `--files-from`, or the files `watch` saw change). The walk asks it about each entry
//! and descends only into folders on the way to a selected path, so a run over three files of
//! a large tree reads three folders, not the tree.
//!
//! It owns the set of paths and the question "where is this entry relative to them"; it never
//! reads the disk or says why a path was selected.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::{Component, Path, PathBuf};

/// Paths relative to the uploaded folder; a folder in the set selects all it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    paths: BTreeSet<PathBuf>,
}

/// Where an entry of the tree stands with respect to a [`Selection`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The entry, or a folder holding it, is selected: mirror it (and all it holds).
    Selected,
    /// A folder holding selected paths but not selected itself: walk into it, mirror only
    /// what is selected in it.
    Toward,
    /// Neither: leave it out without a word.
    Outside,
}

impl Selection {
    /// `paths` relative to the uploaded folder; `.` components are dropped and an empty
    /// path (or `.`) selects the whole folder. Paths with `..`, a root or a prefix are not
    /// relative and are refused, naming the first one: the caller resolves those first.
    pub fn new<I, P>(paths: I) -> Result<Self, PathBuf>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let mut set = BTreeSet::new();
        for path in paths {
            let path = path.as_ref();
            let mut clean = PathBuf::new();
            for component in path.components() {
                match component {
                    Component::Normal(part) => clean.push(part),
                    Component::CurDir => {}
                    Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                        return Err(path.to_owned());
                    }
                }
            }
            set.insert(clean);
        }
        Ok(Self { paths: set })
    }

    /// Nothing selected: a run over it mirrors only the uploaded folder itself.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Where `relative` (a path below the uploaded folder) stands. O(depth · log n).
    pub fn verdict(&self, relative: &Path) -> Verdict {
        if self.paths.contains(Path::new(""))
            || relative
                .ancestors()
                .any(|at| !at.as_os_str().is_empty() && self.paths.contains(at))
        {
            return Verdict::Selected;
        }
        // The paths below `relative` sort right after it, component by component.
        let below = self
            .paths
            .range::<Path, _>((Bound::Excluded(relative), Bound::Unbounded))
            .next()
            .is_some_and(|next| next.starts_with(relative));
        if below {
            Verdict::Toward
        } else {
            Verdict::Outside
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(selection: &Selection, path: &str) -> Verdict {
        selection.verdict(Path::new(path))
    }

    #[test]
    fn a_selected_folder_selects_all_it_holds_and_leads_from_its_parents() {
        let selection = Selection::new(["a/b", "c.txt"]).unwrap();
        assert_eq!(verdict(&selection, "a"), Verdict::Toward);
        assert_eq!(verdict(&selection, "a/b"), Verdict::Selected);
        assert_eq!(verdict(&selection, "a/b/deep/x"), Verdict::Selected);
        assert_eq!(verdict(&selection, "a/bc"), Verdict::Outside);
        assert_eq!(verdict(&selection, "a/b-x"), Verdict::Outside);
        assert_eq!(verdict(&selection, "c.txt"), Verdict::Selected);
        assert_eq!(verdict(&selection, "c"), Verdict::Outside);
        assert_eq!(verdict(&selection, "d"), Verdict::Outside);
    }

    #[test]
    fn names_that_sort_between_a_folder_and_its_content_do_not_hide_it() {
        // "a/b-x" sorts after "a/b" as a string but before "a/b/z" as a path.
        let selection = Selection::new(["a/b-x", "a/b/z"]).unwrap();
        assert_eq!(verdict(&selection, "a/b"), Verdict::Toward);
        assert_eq!(verdict(&selection, "a/b/z"), Verdict::Selected);
        assert_eq!(verdict(&selection, "a/b/y"), Verdict::Outside);
    }

    #[test]
    fn dots_are_dropped_and_paths_leaving_the_folder_refused() {
        let selection = Selection::new(["./x/./y"]).unwrap();
        assert_eq!(verdict(&selection, "x/y"), Verdict::Selected);
        assert_eq!(Selection::new(["../x"]).unwrap_err(), PathBuf::from("../x"));
        assert!(Selection::new(["/etc/passwd"]).is_err());
        let everything = Selection::new(["."]).unwrap();
        assert_eq!(verdict(&everything, "any/thing"), Verdict::Selected);
    }
}
