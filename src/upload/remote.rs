//! The remote side of the plan: find the destination, then find or create every planned
//! folder, parents first and siblings concurrently, listing each existing folder once.
//!
//! put.io allows duplicate names, so a folder is only created after a listing showed it
//! missing; a create whose answer was lost is repaired by listing again, never by creating twice.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::Destination;
use crate::api::{ApiError, Client, RemoteFile, retry};

use super::plan::Plan;
use super::report::{Event, Reporter};

/// Stands in for the id of a folder a dry run would create; never sent to put.io.
const WOULD_CREATE: u64 = u64::MAX;

/// A remote folder and what it held when we first looked (empty when we created it).
#[derive(Debug, Clone)]
pub struct Folder {
    pub id: u64,
    pub children: Arc<Vec<RemoteFile>>,
    /// This run created it.
    pub created: bool,
}

impl Folder {
    fn created(id: u64) -> Self {
        Folder {
            id,
            children: Arc::new(Vec::new()),
            created: true,
        }
    }

    /// A folder a dry run would create. It has no id: nothing may be sent to it.
    fn would_create() -> Self {
        Folder::created(WOULD_CREATE)
    }

    /// The id put.io gave it; `None` for a folder a dry run would create.
    pub fn known_id(&self) -> Option<u64> {
        (self.id != WOULD_CREATE).then_some(self.id)
    }

    /// Entries with this exact name.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RemoteFile> + 'a {
        self.children.iter().filter(move |f| f.name == name)
    }
}

/// Why a folder could not be had; for the destination this stops the run.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("a file named `{0}` is in the way of the folder")]
    FileInTheWay(String),
    #[error("its parent folder {0} could not be created")]
    ParentFailed(String),
}

impl FolderError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, FolderError::Api(api) if api.is_unauthorized())
    }
}

async fn listed(client: &Client, id: u64) -> Result<Folder, ApiError> {
    Ok(Folder {
        id,
        children: Arc::new(client.list(id).await?),
        created: false,
    })
}

/// The folder the upload goes into, and how many folders were created to get it.
pub async fn destination(
    client: &Client,
    destination: &Destination,
    attempts: u32,
    dry_run: bool,
    reporter: &dyn Reporter,
) -> Result<(Folder, usize), anyhow::Error> {
    match destination {
        Destination::Id(0) => Ok((listed(client, 0).await?, 0)),
        Destination::Id(id) => {
            let file = client.file(*id).await.map_err(|err| {
                if err.is_not_found() {
                    crate::exit::Fatal::remote(format!(
                        "--parent-id {id}: no such folder on put.io; check the id (it is in the folder's web address)"
                    ))
                } else {
                    err.into()
                }
            })?;
            if !file.is_folder() {
                return Err(crate::exit::Fatal::remote(format!(
                    "--parent-id {id}: `{}` is a file, not a folder",
                    file.name
                )));
            }
            Ok((listed(client, *id).await?, 0))
        }
        Destination::Path(parts) => {
            let mut current = listed(client, 0).await?;
            let mut shown = String::new();
            let mut count = 0;
            for part in parts {
                shown.push('/');
                shown.push_str(part);
                let (folder, created) = find_or_create(client, &current, part, attempts, dry_run)
                    .await
                    .map_err(|err| match err {
                        FolderError::Api(api) if api.is_unauthorized() => api.into(),
                        other => crate::exit::Fatal::remote(format!(
                            "cannot create destination folder {shown}: {other}"
                        )),
                    })?;
                if created {
                    count += 1;
                    reporter.event(Event::FolderCreated {
                        path: &shown,
                        id: folder.known_id(),
                    });
                }
                current = folder;
            }
            Ok((current, count))
        }
    }
}

/// Finds the folder `name` in `parent`, or creates it. Returns it and whether it was created.
/// With `dry_run`, only looks: a missing folder comes back as one that would be created.
pub async fn find_or_create(
    client: &Client,
    parent: &Folder,
    name: &str,
    attempts: u32,
    dry_run: bool,
) -> Result<(Folder, bool), FolderError> {
    if let Some(found) = pick_folder(parent.named(name), name)? {
        return Ok((listed(client, found).await?, false));
    }
    if dry_run {
        return Ok((Folder::would_create(), true));
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let err = match client.create_folder(parent.id, name).await {
            Ok(file) => return Ok((Folder::created(file.id), true)),
            Err(err) => err,
        };
        let lost_answer = err.is_transient();
        let exists = err.error_type() == Some("NAME_ALREADY_EXIST");
        if !(lost_answer || exists) || attempt >= attempts {
            return Err(err.into());
        }
        if lost_answer {
            let wait = retry::delay(attempt, &err);
            tracing::info!("{err}; checking and retrying in {:.1}s", wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
        // The folder may exist now (our lost create, or a concurrent client): look again.
        let fresh = match client.list(parent.id).await {
            Ok(files) => files,
            Err(list_err) if list_err.is_transient() && attempt < attempts => continue,
            Err(list_err) => return Err(list_err.into()),
        };
        if let Some(found) = pick_folder(fresh.iter().filter(|f| f.name == name), name)? {
            return Ok((listed(client, found).await?, false));
        }
        if exists {
            return Err(err.into());
        }
    }
}

/// Among same-named entries, the folder with the lowest id (the oldest) wins; a file
/// with that name and no folder is in the way.
fn pick_folder<'a>(
    entries: impl Iterator<Item = &'a RemoteFile>,
    name: &str,
) -> Result<Option<u64>, FolderError> {
    let mut file_seen = false;
    let mut best: Option<u64> = None;
    for entry in entries {
        if entry.is_folder() {
            best = Some(best.map_or(entry.id, |b| b.min(entry.id)));
        } else {
            file_seen = true;
        }
    }
    match best {
        None if file_seen => Err(FolderError::FileInTheWay(name.to_owned())),
        other => Ok(other),
    }
}

/// A folder, and whether this run created it.
type Found = Result<(Folder, bool), FolderError>;

/// Every planned folder's remote state, by plan index: the folder, or why it is missing.
pub type Folders = Vec<Result<Folder, Arc<FolderError>>>;

/// Finds or creates all planned folders below `dest`: one depth level after another, the
/// folders of a level concurrently (`jobs` at a time). A rejected token stops it.
pub async fn sync(
    client: &Client,
    plan: &Plan,
    dest: Folder,
    jobs: usize,
    attempts: u32,
    dry_run: bool,
    reporter: &dyn Reporter,
) -> anyhow::Result<Folders> {
    let mut levels: Vec<Vec<usize>> = Vec::new();
    let mut depth = vec![0usize; plan.folders.len()];
    for (index, folder) in plan.folders.iter().enumerate() {
        if let Some(parent) = folder.parent {
            depth[index] = depth[parent] + 1;
        }
        if levels.len() <= depth[index] {
            levels.resize_with(depth[index] + 1, Vec::new);
        }
        levels[depth[index]].push(index);
    }
    let mut done: Folders = Vec::with_capacity(plan.folders.len());
    done.resize_with(plan.folders.len(), || {
        Err(Arc::new(FolderError::ParentFailed(String::new())))
    });
    for level in levels {
        let results: Vec<(usize, Found)> = stream::iter(level)
            .map(|index| {
                let planned = &plan.folders[index];
                let parent = match planned.parent {
                    None => Ok(dest.clone()),
                    Some(p) => done[p]
                        .clone()
                        .map_err(|_| FolderError::ParentFailed(plan.folders[p].display.clone())),
                };
                async move {
                    let result = match parent {
                        Err(why) => Err(why),
                        Ok(parent) => {
                            find_or_create(client, &parent, &planned.name, attempts, dry_run).await
                        }
                    };
                    (index, result)
                }
            })
            .buffer_unordered(jobs.max(1))
            .collect()
            .await;
        for (index, result) in results {
            if let Err(err) = &result
                && err.is_unauthorized()
            {
                return Err(crate::exit::Fatal::auth(err.to_string()));
            }
            done[index] = result.map_err(Arc::new).map(|(folder, created)| {
                if created {
                    reporter.event(Event::FolderCreated {
                        path: &plan.folders[index].display,
                        id: folder.known_id(),
                    });
                }
                folder
            });
        }
    }
    Ok(done)
}
