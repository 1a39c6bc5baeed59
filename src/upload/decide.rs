//! The decide stage: for each local file whose folder is known on put.io, send it, skip it
//! (already there) or, for a conflict, do what `--on-conflict` says: fail it, skip it,
//! replace the other file or send it under the next free `name (N).ext`. The rule itself is [`decide`] and [`verified`]:
//! pure functions over one folder's [`Listing`], a hash index built once per folder, so a
//! file costs one lookup whatever the folder's size.
//!
//! The stage owns no counts and prints nothing: every outcome goes to the tally, and a file
//! to send goes to the transfer stage only after the tally has reported it as planned.
//! It never plans a second file of the same name and never creates anything.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::Result;
use tokio::sync::mpsc::{Receiver, Sender};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::RemoteFile;

use super::OnConflict;
use super::journal::Journal;
use super::movemode::Mover;
use super::plan::{PlannedFile, Renamed, io_reason};
use super::remote::Folder;
use super::report::FailKind;
use super::send::Work;
use super::tally::Tally;

/// What put.io holds under one name in a folder, as much as deciding needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Existing {
    pub id: u64,
    pub size: u64,
    pub folder: bool,
    pub crc32: Option<u32>,
}

impl From<&RemoteFile> for Existing {
    fn from(file: &RemoteFile) -> Self {
        Existing {
            id: file.id,
            size: file.size,
            folder: file.is_folder(),
            crc32: file
                .crc()
                .and_then(|crc| u32::from_str_radix(&crc, 16).ok()),
        }
    }
}

/// One remote folder's entries by name. Nearly every name is unique, so a name holds one
/// entry inline and only put.io's duplicates cost a vector.
#[derive(Debug, Default)]
pub struct Listing {
    by_name: HashMap<Box<str>, Entries>,
}

#[derive(Debug)]
enum Entries {
    One(Existing),
    Many(Vec<Existing>),
}

impl Listing {
    pub fn new(files: Vec<RemoteFile>) -> Self {
        let mut by_name: HashMap<Box<str>, Entries> = HashMap::with_capacity(files.len());
        for file in files {
            let entry = Existing::from(&file);
            match by_name.entry(file.name.into_boxed_str()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(Entries::One(entry));
                }
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    let entries = slot.get_mut();
                    *entries = match std::mem::replace(entries, Entries::Many(Vec::new())) {
                        Entries::One(first) => Entries::Many(vec![first, entry]),
                        Entries::Many(mut all) => {
                            all.push(entry);
                            Entries::Many(all)
                        }
                    };
                }
            }
        }
        Listing { by_name }
    }

    /// Entries with exactly this name (put.io allows several).
    pub fn named(&self, name: &str) -> &[Existing] {
        match self.by_name.get(name) {
            None => &[],
            Some(Entries::One(one)) => std::slice::from_ref(one),
            Some(Entries::Many(all)) => all,
        }
    }
}

/// The flags that change a decision.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rules {
    /// `--checksum`: a same-size file is only the same with the same CRC32.
    pub checksum: bool,
    /// `--on-conflict`: what a different file (or a folder) of the same name means.
    pub on_conflict: OnConflict,
}

/// What to do with one local file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decision {
    Send {
        /// Remote files it replaces once it is up (`--on-conflict overwrite`).
        replaces: Vec<u64>,
    },
    /// `--on-conflict rename`: send it under the next free name, which the stage picks
    /// (it knows the names it gave already).
    Rename,
    Skip {
        reason: String,
        /// The put.io file that makes the upload unnecessary.
        id: Option<u64>,
        /// put.io reported a CRC32 equal to the local file's (what `--delete-source` needs).
        verified: bool,
    },
    /// Same name and size with `--checksum`: the local CRC32 decides, see [`verified`].
    Verify,
    Fail(FailKind, String),
}

/// Compares a local file of `size` bytes with the remote entries of its name: none is a
/// send; a folder is a conflict; the same size is already there; another size is a conflict.
/// A conflict is decided by `--on-conflict` (a folder is never overwritten).
pub(super) fn decide(size: u64, same_name: &[Existing], rules: Rules) -> Decision {
    if same_name.is_empty() {
        return Decision::Send {
            replaces: Vec::new(),
        };
    }
    if let Some(folder) = same_name.iter().find(|e| e.folder) {
        let why = "a folder with this name is already on put.io";
        return match rules.on_conflict {
            OnConflict::Skip => Decision::Skip {
                reason: format!("{why}; left as it is (--on-conflict skip)"),
                id: Some(folder.id),
                verified: false,
            },
            OnConflict::Rename => Decision::Rename,
            OnConflict::Fail | OnConflict::Overwrite => Decision::Fail(
                FailKind::Conflict,
                format!("{why}; rename one of them, or use --on-conflict rename or skip"),
            ),
        };
    }
    match same_name.iter().find(|e| e.size == size) {
        Some(_) if rules.checksum => Decision::Verify,
        Some(same) => Decision::Skip {
            reason: "already on put.io: same name and size".to_owned(),
            id: Some(same.id),
            verified: false,
        },
        None => conflict(
            same_name,
            &format!(
                "a different file with this name is already on put.io ({} bytes there, {size} here)",
                same_name[0].size
            ),
            rules,
        ),
    }
}

/// The `--checksum` answer for a file [`decide`] asked to verify, given its local CRC32.
pub(super) fn verified(size: u64, same_name: &[Existing], crc: u32, rules: Rules) -> Decision {
    if let Some(same) = same_name
        .iter()
        .find(|e| e.size == size && e.crc32 == Some(crc))
    {
        return Decision::Skip {
            reason: "already on put.io: same name, size and CRC32".to_owned(),
            id: Some(same.id),
            verified: true,
        };
    }
    // No CRC32 from put.io is "not known", never "different": keep that copy.
    if let Some(unknown) = same_name
        .iter()
        .find(|e| e.size == size && e.crc32.is_none())
    {
        return Decision::Skip {
            reason: "already on put.io: same name and size (put.io has no CRC32 for it yet, so it was not compared)".to_owned(),
            id: Some(unknown.id),
            verified: false,
        };
    }
    let there = same_name
        .first()
        .and_then(|e| e.crc32)
        .map_or_else(|| "unknown".to_owned(), |crc| format!("{crc:08x}"));
    conflict(
        same_name,
        &format!(
            "a different file with this name and size is already on put.io (CRC32 {there} there, {crc:08x} here)"
        ),
        rules,
    )
}

/// A same-named file with other content, as `--on-conflict` says.
fn conflict(existing: &[Existing], why: &str, rules: Rules) -> Decision {
    match rules.on_conflict {
        OnConflict::Overwrite => Decision::Send {
            replaces: existing.iter().map(|e| e.id).collect(),
        },
        OnConflict::Rename => Decision::Rename,
        OnConflict::Skip => Decision::Skip {
            reason: format!("{why}; left as it is (--on-conflict skip)"),
            id: existing.first().map(|e| e.id),
            verified: false,
        },
        OnConflict::Fail => Decision::Fail(
            FailKind::Conflict,
            format!(
                "{why}; not overwritten (--overwrite replaces it; --on-conflict rename \
                 uploads beside it, skip leaves it)"
            ),
        ),
    }
}

/// The first `stem (N).ext` (N from 1) that neither the folder's listing nor `taken` holds,
/// within put.io's 255 bytes. The extension is what follows the last `.`, unless the name
/// starts with it (`.bashrc (1)`).
pub(super) fn free_name(name: &str, listing: &Listing, taken: &HashSet<String>) -> String {
    let (stem, ext) = split_name(name);
    (1..=u64::MAX)
        .map(|n| numbered(stem, ext, n))
        .find(|candidate| listing.named(candidate).is_empty() && !taken.contains(candidate))
        .expect("some number is free")
}

/// `stem (n)ext`, the stem cut (on a character boundary) so that the name stays within
/// put.io's 255 bytes. The one spelling of a renamed copy, for making and for finding one.
fn numbered(stem: &str, ext: &str, n: u64) -> String {
    let tail = format!(" ({n}){ext}");
    let mut stem = stem;
    while stem.len() + tail.len() > 255 && !stem.is_empty() {
        let cut = stem.char_indices().last().map_or(0, |(at, _)| at);
        stem = &stem[..cut];
    }
    format!("{stem}{tail}")
}

/// A local file whose remote folder is known (or, in a dry run, would be created).
pub(super) struct Known {
    pub index: usize,
    pub file: PlannedFile,
    pub folder: Arc<Folder>,
}

/// What the stage needs besides its channels.
pub(super) struct Stage {
    pub rules: Rules,
    /// Files hashed at once for `--checksum`.
    pub hashers: usize,
    pub journal: Option<Arc<Journal>>,
    /// `--delete-source`: told of every file already there with an equal CRC32.
    pub mover: Option<Arc<Mover>>,
    pub tally: Arc<Tally>,
    pub cancel: CancellationToken,
}

/// Names `--on-conflict rename` gave, by the walk's folder id: a later local file of such
/// a name is renamed too rather than land beside ours. Only renamed names are kept, so this
/// stays as small as the conflicts.
type Given = HashMap<usize, HashSet<String>>;

/// Decides every file that comes in, hands those to send to `out` (`None` in a dry run)
/// and reports the totals once the last file is decided. `Err` only for a full account.
pub(super) async fn stage(
    stage: Stage,
    mut input: Receiver<Known>,
    out: Option<Sender<Work>>,
) -> Result<()> {
    let mut hashing: JoinSet<(Known, std::io::Result<String>)> = JoinSet::new();
    let mut input_done = false;
    let mut given = Given::new();
    loop {
        if input_done && hashing.is_empty() {
            break;
        }
        let take = !input_done && hashing.len() < stage.hashers;
        let (known, decision) = tokio::select! {
            biased;
            () = stage.cancel.cancelled() => return Ok(()),
            Some(joined) = hashing.join_next(), if !hashing.is_empty() => {
                let (known, crc) = joined?;
                let decision = after_hash(&known, crc, stage.rules);
                (known, decision)
            }
            next = input.recv(), if take => {
                let Some(known) = next else {
                    input_done = true;
                    continue;
                };
                let same_name = known.folder.listing.named(&known.file.name);
                match decide(known.file.size, same_name, stage.rules) {
                    Decision::Verify => {
                        hashing.spawn(async move {
                            let crc = super::transfer::crc32_of(&known.file.local).await;
                            (known, crc)
                        });
                        continue;
                    }
                    decision => (known, decision),
                }
            }
        };
        let decision = named(&known, decision, stage.rules, &mut given);
        if !act(&stage, known, decision, out.as_ref()).await? {
            return Ok(()); // the transfer stage is gone: the run is stopping
        }
    }
    stage.tally.decided();
    Ok(())
}

fn after_hash(known: &Known, crc: std::io::Result<String>, rules: Rules) -> Decision {
    let same_name = known.folder.listing.named(&known.file.name);
    match crc {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Decision::Skip {
            reason: "removed since the scan; nothing to upload".to_owned(),
            id: None,
            verified: false,
        },
        Err(err) => Decision::Fail(FailKind::Local, format!("cannot read: {}", io_reason(&err))),
        Ok(hex) => match u32::from_str_radix(&hex, 16) {
            Ok(crc) => verified(known.file.size, same_name, crc, rules),
            Err(_) => Decision::Fail(FailKind::Local, format!("bad CRC32 {hex}")),
        },
    }
}

/// What a send is to be called: `Some(new name)` for `--on-conflict rename`, also when a
/// file's own name is one an earlier rename gave in its folder.
fn named(known: &Known, decision: Decision, rules: Rules, given: &mut Given) -> Named {
    let taken = given.entry(known.file.folder).or_default();
    match decision {
        Decision::Send { replaces }
            if rules.on_conflict == OnConflict::Rename && taken.contains(&known.file.name) =>
        {
            let _ = replaces; // nothing to replace: the name was free on put.io
            let name = free_name(&known.file.name, &known.folder.listing, taken);
            taken.insert(name.clone());
            Named::Renamed(name)
        }
        Decision::Rename => {
            if let Some((name, id)) = renamed_before(&known.file, &known.folder.listing) {
                return Named::As(Decision::Skip {
                    reason: format!("already on put.io as `{name}`: same size"),
                    id: Some(id),
                    verified: false,
                });
            }
            let name = free_name(&known.file.name, &known.folder.listing, taken);
            taken.insert(name.clone());
            Named::Renamed(name)
        }
        other => Named::As(other),
    }
}

/// A copy an earlier `--on-conflict rename` run made: a file `stem (N).ext` of the same
/// size, among the numbers in use, so that a re-run does not add a copy each time.
fn renamed_before(file: &PlannedFile, listing: &Listing) -> Option<(String, u64)> {
    let (stem, ext) = split_name(&file.name);
    (1..=u64::MAX)
        .map(|n| numbered(stem, ext, n))
        .take_while(|candidate| !listing.named(candidate).is_empty())
        .find_map(|candidate| {
            let same = listing
                .named(&candidate)
                .iter()
                .find(|e| !e.folder && e.size == file.size)?
                .id;
            Some((candidate, same))
        })
}

/// `photo.jpg` → (`photo`, `.jpg`); `.bashrc` and `README` have no extension.
fn split_name(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

/// A decision with the name it is carried out under.
enum Named {
    As(Decision),
    /// Send it as this name, next to what is there.
    Renamed(String),
}

/// Carries out one decision. `Ok(false)`: nobody takes files any more.
async fn act(
    stage: &Stage,
    known: Known,
    decision: Named,
    out: Option<&Sender<Work>>,
) -> Result<bool> {
    let Known {
        index,
        mut file,
        folder,
    } = known;
    let decision = match decision {
        Named::As(decision) => decision,
        Named::Renamed(name) => {
            let parent = file.display.len() - file.name.len();
            file.display = format!("{}{name}", &file.display[..parent]);
            file.name = name;
            stage.tally.renamed(&Renamed {
                path: file.local.clone(),
                name: file.name.clone(),
            });
            Decision::Send {
                replaces: Vec::new(),
            }
        }
    };
    match decision {
        Decision::Send { replaces } => {
            stage.tally.planned(index, &file)?;
            if let (None, Some(mover)) = (out, &stage.mover) {
                mover.would_remove_after_upload(&file, &stage.tally);
            }
            if let (Some(out), Some(parent_id)) = (out, folder.known_id()) {
                let work = Work {
                    index,
                    file,
                    parent_id,
                    replaces,
                };
                return Ok(out.send(work).await.is_ok());
            }
        }
        Decision::Skip {
            reason,
            id,
            verified,
        } => {
            stage.tally.skipped(&file, &reason, id);
            if let (true, Some(mover)) = (verified, &stage.mover) {
                mover.verified(&file, &stage.tally);
            }
            // A finished file may still be journalled if a run died right at the end.
            if let (Some(journal), Some(parent_id)) = (&stage.journal, folder.known_id()) {
                let local = file.local.to_string_lossy();
                if journal.mentions(&local, parent_id, &file.name) {
                    let _ = journal.forget_target(&local, parent_id, &file.name);
                }
            }
        }
        Decision::Fail(kind, reason) => stage.tally.failed(kind, Some(index), &file, reason),
        Decision::Verify | Decision::Rename => unreachable!("settled before acting"),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_remote_crc32_is_never_a_difference() {
        let rules = Rules {
            checksum: true,
            on_conflict: OnConflict::Overwrite,
        };
        let there = [file(7, 5, None)];
        assert_eq!(
            verified(5, &there, 0x1234, rules),
            Decision::Skip {
                reason: "already on put.io: same name and size (put.io has no CRC32 for it yet, so it was not compared)".to_owned(),
                id: Some(7),
                verified: false,
            }
        );
        // A CRC32 put.io does report, and that differs, is replaced with --on-conflict overwrite.
        let there = [file(8, 5, Some(0x9999))];
        assert_eq!(
            verified(5, &there, 0x1234, rules),
            Decision::Send { replaces: vec![8] }
        );
    }

    fn file(id: u64, size: u64, crc32: Option<u32>) -> Existing {
        Existing {
            id,
            size,
            folder: false,
            crc32,
        }
    }

    const PLAIN: Rules = Rules {
        checksum: false,
        on_conflict: OnConflict::Fail,
    };

    #[test]
    fn nothing_of_that_name_is_sent() {
        assert_eq!(
            decide(5, &[], PLAIN),
            Decision::Send {
                replaces: Vec::new()
            }
        );
    }

    #[test]
    fn same_size_is_skipped_and_names_the_remote_file() {
        let there = [file(7, 9, None), file(8, 5, None)];
        let Decision::Skip { id, reason, .. } = decide(5, &there, PLAIN) else {
            panic!("not a skip");
        };
        assert_eq!(id, Some(8));
        assert!(reason.contains("same name and size"), "{reason}");
    }

    #[test]
    fn a_folder_of_that_name_is_a_conflict_even_with_overwrite() {
        let folder = Existing {
            folder: true,
            ..file(3, 0, None)
        };
        let rules = Rules {
            on_conflict: OnConflict::Overwrite,
            ..PLAIN
        };
        assert!(matches!(
            decide(0, &[folder], rules),
            Decision::Fail(FailKind::Conflict, _)
        ));
    }

    #[test]
    fn another_size_is_a_conflict_unless_overwriting_every_duplicate() {
        let there = [file(1, 3, None), file(2, 4, None)];
        let Decision::Fail(FailKind::Conflict, why) = decide(5, &there, PLAIN) else {
            panic!("not a conflict");
        };
        assert!(why.contains("3 bytes there, 5 here"), "{why}");
        let rules = Rules {
            on_conflict: OnConflict::Overwrite,
            ..PLAIN
        };
        assert_eq!(
            decide(5, &there, rules),
            Decision::Send {
                replaces: vec![1, 2]
            }
        );
    }

    #[test]
    fn checksum_asks_for_the_local_crc_and_it_decides() {
        let rules = Rules {
            checksum: true,
            ..PLAIN
        };
        let there = [file(4, 5, Some(0xdead_beef))];
        assert_eq!(decide(5, &there, rules), Decision::Verify);
        assert!(matches!(
            verified(5, &there, 0xdead_beef, rules),
            Decision::Skip {
                id: Some(4),
                verified: true,
                ..
            }
        ));
        let Decision::Fail(FailKind::Conflict, why) = verified(5, &there, 1, rules) else {
            panic!("not a conflict");
        };
        assert!(why.contains("CRC32 deadbeef there, 00000001 here"), "{why}");
    }

    #[test]
    fn each_conflict_policy_does_what_it_says() {
        let there = [file(1, 3, None)];
        let rules = |on_conflict| Rules {
            on_conflict,
            ..PLAIN
        };
        assert!(matches!(
            decide(5, &there, rules(OnConflict::Skip)),
            Decision::Skip { id: Some(1), .. }
        ));
        assert_eq!(
            decide(5, &there, rules(OnConflict::Rename)),
            Decision::Rename
        );
        let Decision::Fail(FailKind::Conflict, why) = decide(5, &there, PLAIN) else {
            panic!("not a conflict");
        };
        assert!(why.contains("--on-conflict"), "{why}");
    }

    #[test]
    fn free_names_count_up_past_what_is_taken() {
        let remote = |id, name: &str| RemoteFile {
            id,
            name: name.to_owned(),
            parent_id: Some(1),
            size: 1,
            file_type: None,
            content_type: None,
            crc32: None,
            created_at: None,
        };
        let listing = Listing::new(vec![remote(1, "a.txt"), remote(2, "a (1).txt")]);
        let mut taken = HashSet::new();
        assert_eq!(free_name("a.txt", &listing, &taken), "a (2).txt");
        taken.insert("a (2).txt".to_owned());
        assert_eq!(free_name("a.txt", &listing, &taken), "a (3).txt");
        assert_eq!(free_name(".bashrc", &listing, &taken), ".bashrc (1)");
        assert_eq!(free_name("README", &listing, &taken), "README (1)");
        let long = format!("{}.bin", "é".repeat(200));
        let name = free_name(&long, &listing, &taken);
        assert!(name.len() <= 255 && name.ends_with(" (1).bin"), "{name}");
        // A later run finds that cut copy again, as it finds a short one.
        let file = PlannedFile {
            local: std::path::PathBuf::from("/l"),
            folder: 0,
            name: long.clone(),
            size: 1,
            modified: None,
            display: long.clone(),
        };
        let listing = Listing::new(vec![remote(3, &long), remote(4, &name)]);
        assert_eq!(renamed_before(&file, &listing), Some((name, 4)));
    }

    #[test]
    fn the_listing_finds_every_duplicate_and_nothing_else() {
        let remote = |id, name: &str, size| RemoteFile {
            id,
            name: name.to_owned(),
            parent_id: Some(1),
            size,
            file_type: None,
            content_type: None,
            crc32: Some("0000000A".to_owned()),
            created_at: None,
        };
        let listing = Listing::new(vec![
            remote(1, "a", 1),
            remote(2, "b", 2),
            remote(3, "a", 3),
            remote(4, "a", 4),
        ]);
        let ids: Vec<u64> = listing.named("a").iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 3, 4]);
        assert_eq!(listing.named("b")[0].crc32, Some(10));
        assert!(listing.named("A").is_empty(), "names are exact");
    }
}
