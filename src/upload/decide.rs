//! The decide stage: for each local file whose folder is known on put.io, send it, skip it
//! (already there) or fail it (a conflict). The rule itself is [`decide`] and [`verified`]:
//! pure functions over one folder's [`Listing`], a hash index built once per folder, so a
//! file costs one lookup whatever the folder's size.
//!
//! The stage owns no counts and prints nothing: every outcome goes to the tally, and a file
//! to send goes to the transfer stage only after the tally has reported it as planned.
//! It never plans a second file of the same name and never creates anything.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use tokio::sync::mpsc::{Receiver, Sender};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::RemoteFile;

use super::journal::Journal;
use super::movemode::Mover;
use super::plan::{PlannedFile, io_reason};
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
    /// `--overwrite`: a different file of the same name is replaced.
    pub overwrite: bool,
}

/// What to do with one local file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decision {
    Send {
        /// Remote files it replaces once it is up (`--overwrite`).
        replaces: Vec<u64>,
    },
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
/// send; a folder is a conflict; the same size is already there; another size is a conflict,
/// sent only with `--overwrite`.
pub(super) fn decide(size: u64, same_name: &[Existing], rules: Rules) -> Decision {
    if same_name.is_empty() {
        return Decision::Send {
            replaces: Vec::new(),
        };
    }
    if same_name.iter().any(|e| e.folder) {
        return Decision::Fail(
            FailKind::Conflict,
            "a folder with this name is already on put.io; rename one of them".to_owned(),
        );
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

/// A same-named file with other content: replaced with `--overwrite`, else a failure.
fn conflict(existing: &[Existing], why: &str, rules: Rules) -> Decision {
    if rules.overwrite {
        Decision::Send {
            replaces: existing.iter().map(|e| e.id).collect(),
        }
    } else {
        Decision::Fail(
            FailKind::Conflict,
            format!("{why}; not overwritten (use --overwrite to replace it)"),
        )
    }
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

/// Decides every file that comes in, hands those to send to `out` (`None` in a dry run)
/// and reports the totals once the last file is decided. `Err` only for a full account.
pub(super) async fn stage(
    stage: Stage,
    mut input: Receiver<Known>,
    out: Option<Sender<Work>>,
) -> Result<()> {
    let mut hashing: JoinSet<(Known, std::io::Result<String>)> = JoinSet::new();
    let mut input_done = false;
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

/// Carries out one decision. `Ok(false)`: nobody takes files any more.
async fn act(
    stage: &Stage,
    known: Known,
    decision: Decision,
    out: Option<&Sender<Work>>,
) -> Result<bool> {
    let Known {
        index,
        file,
        folder,
    } = known;
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
        Decision::Verify => unreachable!("verified before acting"),
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
            overwrite: true,
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
        // A CRC32 put.io does report, and that differs, is replaced with --overwrite.
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
        overwrite: false,
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
            overwrite: true,
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
            overwrite: true,
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
