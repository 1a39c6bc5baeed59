//! The folders stage: takes the walk's items in order (in batches, see
//! `sources::walk_batches`) and finds or creates each folder on put.io as soon as its parent
//! is known, up to `--checkers` at once (shallowest first), with no barrier between depth
//! levels; it creates one only once the pass's gate opens. A file goes on to the decide
//! stage as soon as its folder is known, and waits here (bounded) until then.
//!
//! It keeps state only for folders the walk has not finished or that are still being looked
//! up: a folder's listing is dropped once its files and subfolders have gone on. It stops
//! reading the walk while too many folders or files wait, so memory follows what is in
//! flight, not the tree. It never decides about a file.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::Result;
use tokio::sync::mpsc::{Receiver, Sender};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::Client;

use super::decide::Known;
use super::gate::Gate;
use super::plan::{PlannedFile, PlannedFolder};
use super::remote::{self, Folder, FolderError};
use super::report::FailKind;
use super::tally::Tally;
use super::walk::Item;

/// Folders waiting for their lookup (running, queued, or behind their parent's) before the
/// stage stops reading the walk. Far more than `--checkers`, so lookups never starve.
const MAX_WAITING_FOLDERS: usize = 512;
/// Files waiting for their folder before the stage stops reading the walk.
const MAX_WAITING_FILES: usize = 16 * 1024;

pub(super) struct Stage {
    pub client: Arc<Client>,
    pub checkers: usize,
    pub attempts: u32,
    pub dry_run: bool,
    /// Folders are created only once it opens.
    pub gate: Gate,
    pub tally: Arc<Tally>,
    pub cancel: CancellationToken,
}

enum State {
    /// Not known yet: what waits for it.
    Waiting {
        files: Vec<(usize, PlannedFile)>,
        children: Vec<PlannedFolder>,
    },
    Known(Arc<Folder>),
    /// Could not be had: why, for each file and folder below it.
    Failed(Arc<FolderError>),
}

struct Slot {
    display: String,
    state: State,
    /// The walk handed out everything in it.
    complete: bool,
}

/// Where a folder whose parent is known waits for a free checker: the shallowest goes
/// first, then the walk's order (its id). A folder the walk has just reached may have a
/// whole subtree waiting behind it, while the deep ones queued before it have only their
/// files.
type QueueKey = (usize, usize);

fn queue_key(folder: &PlannedFolder) -> QueueKey {
    let depth = folder.display.bytes().filter(|&b| b == b'/').count();
    (depth, folder.id)
}

type Lookup = (usize, Result<(Folder, bool), FolderError>);

struct Tracker {
    stage: Stage,
    dest: Arc<Folder>,
    out: Sender<Known>,
    slots: HashMap<usize, Slot>,
    queue: BTreeMap<QueueKey, (PlannedFolder, Arc<Folder>)>,
    lookups: JoinSet<Lookup>,
    pending_folders: usize,
    pending_files: usize,
}

/// Runs the stage until the walk is done and every folder is settled. `Err` only for a
/// rejected token.
pub(super) async fn stage(
    stage: Stage,
    dest: Folder,
    mut items: Receiver<Vec<Item>>,
    out: Sender<Known>,
) -> Result<()> {
    let cancel = stage.cancel.clone();
    let dest = Arc::new(dest);
    // Files given as sources go straight into the destination, which is known already.
    let slots = HashMap::from([(
        super::sources::DESTINATION,
        Slot {
            display: String::new(),
            state: State::Known(Arc::clone(&dest)),
            complete: false,
        },
    )]);
    let mut folders = Tracker {
        stage,
        dest,
        out,
        slots,
        queue: BTreeMap::new(),
        lookups: JoinSet::new(),
        pending_folders: 0,
        pending_files: 0,
    };
    let mut walk_done = false;
    loop {
        folders.start_lookups();
        if walk_done && folders.lookups.is_empty() {
            return Ok(());
        }
        let read = !walk_done
            && folders.pending_folders < MAX_WAITING_FOLDERS
            && folders.pending_files < MAX_WAITING_FILES;
        let flowing = tokio::select! {
            biased;
            () = cancel.cancelled() => return Ok(()),
            Some(joined) = folders.lookups.join_next(), if !folders.lookups.is_empty() => {
                let (id, result) = joined?;
                folders.stage.tally.folder_checked();
                folders.settled(id, result).await?
            }
            batch = items.recv(), if read => match batch {
                None => {
                    walk_done = true;
                    true
                }
                Some(batch) => {
                    let mut flowing = true;
                    for item in batch {
                        if !folders.take(item).await {
                            flowing = false;
                            break;
                        }
                    }
                    flowing
                }
            },
        };
        if !flowing {
            return Ok(()); // the decide stage is gone: the run is stopping
        }
    }
}

impl Tracker {
    fn start_lookups(&mut self) {
        while self.lookups.len() < self.stage.checkers {
            let Some((_, (folder, parent))) = self.queue.pop_first() else {
                return;
            };
            let client = Arc::clone(&self.stage.client);
            let (attempts, dry_run) = (self.stage.attempts, self.stage.dry_run);
            let gate = self.stage.gate.clone();
            self.lookups.spawn(async move {
                let creating = (dry_run, &gate);
                let found =
                    remote::find_or_create(&client, &parent, &folder.name, attempts, creating)
                        .await;
                (folder.id, found)
            });
        }
    }

    /// One item of the walk. `false` when the decide stage no longer takes files.
    async fn take(&mut self, item: Item) -> bool {
        let tally = &self.stage.tally;
        match item {
            Item::Folder(folder) => self.folder(folder),
            Item::File { index, file } => return self.file(index, file).await,
            Item::FolderDone(id) => {
                if let Some(slot) = self.slots.get_mut(&id) {
                    slot.complete = true;
                    if !matches!(slot.state, State::Waiting { .. }) {
                        self.slots.remove(&id);
                    }
                }
            }
            Item::Renamed(renamed) => tally.renamed(&renamed),
            Item::Excluded(excluded) => tally.excluded(&excluded),
            Item::Problem(problem) => tally.problem(&problem),
        }
        true
    }

    fn folder(&mut self, folder: PlannedFolder) {
        let parent = match folder.parent {
            None => Some(Arc::clone(&self.dest)),
            Some(parent) => match self.slots.get_mut(&parent).map(|slot| &mut slot.state) {
                Some(State::Known(known)) => Some(Arc::clone(known)),
                Some(State::Waiting { children, .. }) => {
                    let id = folder.id;
                    let display = folder.display.clone();
                    children.push(folder);
                    self.wait_for(id, display);
                    return;
                }
                Some(State::Failed(_)) | None => None,
            },
        };
        if let Some(parent) = parent {
            self.wait_for(folder.id, folder.display.clone());
            self.queue.insert(queue_key(&folder), (folder, parent));
        } else {
            let why = self.parent_failed(&folder);
            self.slots.insert(
                folder.id,
                Slot {
                    display: folder.display,
                    state: State::Failed(why),
                    complete: false,
                },
            );
        }
    }

    fn parent_failed(&self, folder: &PlannedFolder) -> Arc<FolderError> {
        let parent = folder
            .parent
            .and_then(|p| self.slots.get(&p))
            .map(|slot| slot.display.clone())
            .unwrap_or_default();
        Arc::new(FolderError::ParentFailed(parent))
    }

    fn wait_for(&mut self, id: usize, display: String) {
        self.pending_folders += 1;
        self.slots.insert(
            id,
            Slot {
                display,
                state: State::Waiting {
                    files: Vec::new(),
                    children: Vec::new(),
                },
                complete: false,
            },
        );
    }

    async fn file(&mut self, index: usize, file: PlannedFile) -> bool {
        let Some(slot) = self.slots.get_mut(&file.folder) else {
            return true; // cannot happen: the walk hands out a folder before its files
        };
        match &mut slot.state {
            State::Known(folder) => {
                let folder = Arc::clone(folder);
                self.out
                    .send(Known {
                        index,
                        file,
                        folder,
                    })
                    .await
                    .is_ok()
            }
            State::Waiting { files, .. } => {
                files.push((index, file));
                self.pending_files += 1;
                true
            }
            State::Failed(why) => {
                let reason = format!("folder {} could not be created: {why}", slot.display);
                self.stage
                    .tally
                    .failed(FailKind::Folder, Some(index), &file, reason);
                true
            }
        }
    }

    /// A lookup is over: what waited for the folder goes on, or fails with it.
    async fn settled(
        &mut self,
        id: usize,
        result: Result<(Folder, bool), FolderError>,
    ) -> Result<bool> {
        let folder = match result {
            Err(err) if err.is_unauthorized() => {
                return Err(crate::exit::Fatal::auth(err.to_string()));
            }
            Err(err) => {
                self.fail(id, Arc::new(err));
                return Ok(true);
            }
            Ok((folder, created)) => {
                let Some(slot) = self.slots.get(&id) else {
                    return Ok(true);
                };
                if created {
                    self.stage
                        .tally
                        .folder_created(&slot.display, folder.known_id());
                }
                Arc::new(folder)
            }
        };
        let Some(slot) = self.slots.get_mut(&id) else {
            return Ok(true);
        };
        let State::Waiting { files, children } =
            std::mem::replace(&mut slot.state, State::Known(Arc::clone(&folder)))
        else {
            return Ok(true);
        };
        self.pending_folders -= 1;
        self.pending_files -= files.len();
        if slot.complete {
            self.slots.remove(&id);
        }
        for child in children {
            self.queue
                .insert(queue_key(&child), (child, Arc::clone(&folder)));
        }
        // Its checker is free: hand it the next folder before the files go on, which may
        // wait for room downstream.
        self.start_lookups();
        for (index, file) in files {
            let known = Known {
                index,
                file,
                folder: Arc::clone(&folder),
            };
            if self.out.send(known).await.is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The folder `id` cannot be had: its files fail, and so does everything below it.
    fn fail(&mut self, id: usize, why: Arc<FolderError>) {
        let mut failing = vec![(id, why)];
        while let Some((id, why)) = failing.pop() {
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            let State::Waiting { files, children } =
                std::mem::replace(&mut slot.state, State::Failed(Arc::clone(&why)))
            else {
                continue;
            };
            let display = slot.display.clone();
            if slot.complete {
                self.slots.remove(&id);
            }
            self.pending_folders -= 1;
            self.pending_files -= files.len();
            let reason = format!("folder {display} could not be created: {why}");
            for (index, file) in &files {
                self.stage
                    .tally
                    .failed(FailKind::Folder, Some(*index), file, reason.clone());
            }
            for child in children {
                let below = Arc::new(FolderError::ParentFailed(display.clone()));
                failing.push((child.id, below));
            }
        }
    }
}
