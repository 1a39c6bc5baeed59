//! The remote side of the plan: find the destination, and find or create one folder below a
//! known parent. Which folders to look up, and when, is the folders stage's business.
//!
//! put.io allows duplicate names, so a folder is only created after a listing showed it
//! missing; a create whose answer was lost is repaired by listing again, never by creating twice.

use std::sync::Arc;

use super::Destination;
use super::gate::Gate;
use crate::api::{ApiError, Client, retry};

use super::decide::{Existing, Listing};
use super::report::{Event, Reporter};

/// Stands in for the id of a folder a dry run would create; never sent to put.io.
const WOULD_CREATE: u64 = u64::MAX;

/// A remote folder and what it held when we first looked (empty when we created it).
#[derive(Debug, Clone)]
pub struct Folder {
    pub id: u64,
    pub listing: Arc<Listing>,
    /// This run created it.
    pub created: bool,
}

impl Folder {
    fn created(id: u64) -> Self {
        Folder {
            id,
            listing: Arc::new(Listing::default()),
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
    /// The checks before the first change said no; the pass is stopping.
    #[error("the run stopped before the folder was created")]
    Stopped,
}

impl FolderError {
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, FolderError::Api(api) if api.is_unauthorized())
    }
}

async fn listed(client: &Client, id: u64) -> Result<Folder, ApiError> {
    Ok(Folder {
        id,
        listing: Arc::new(Listing::new(client.list(id).await?)),
        created: false,
    })
}

/// Where `name` goes, for people: `/Backups/2026/photos`, or `folder 123/photos` for a
/// destination given by id.
pub fn shown(destination: &Destination, name: Option<&str>) -> String {
    match destination {
        Destination::Id(0) => format!("/{}", name.unwrap_or_default()),
        Destination::Id(id) => match name {
            Some(name) => format!("folder {id}/{name}"),
            None => format!("folder {id}"),
        },
        Destination::Path(parts) => {
            let mut shown = String::new();
            for part in parts.iter().map(String::as_str).chain(name) {
                shown.push('/');
                shown.push_str(part);
            }
            if shown.is_empty() {
                shown.push('/');
            }
            shown
        }
    }
}

/// The folder the upload goes into, and how many folders were created to get it.
pub(super) async fn destination(
    client: &Client,
    destination: &Destination,
    attempts: u32,
    (dry_run, gate): (bool, &Gate),
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
                let (folder, created) =
                    find_or_create(client, &current, part, attempts, (dry_run, gate))
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
/// A folder is created only once `gate` lets the pass change things.
pub(super) async fn find_or_create(
    client: &Client,
    parent: &Folder,
    name: &str,
    attempts: u32,
    (dry_run, gate): (bool, &Gate),
) -> Result<(Folder, bool), FolderError> {
    if let Some(found) = pick_folder(parent.listing.named(name), name)? {
        return Ok((listed(client, found).await?, false));
    }
    if dry_run {
        return Ok((Folder::would_create(), true));
    }
    if !gate.opened().await {
        return Err(FolderError::Stopped);
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
        let fresh: Vec<Existing> = fresh
            .iter()
            .filter(|f| f.name == name)
            .map(Existing::from)
            .collect();
        if let Some(found) = pick_folder(&fresh, name)? {
            return Ok((listed(client, found).await?, false));
        }
        if exists {
            return Err(err.into());
        }
    }
}

/// Among same-named entries, the folder with the lowest id (the oldest) wins; a file
/// with that name and no folder is in the way.
fn pick_folder(entries: &[Existing], name: &str) -> Result<Option<u64>, FolderError> {
    let mut file_seen = false;
    let mut best: Option<u64> = None;
    for entry in entries {
        if entry.folder {
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
