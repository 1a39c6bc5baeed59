//! The upload engine: scan the local tree, put the folders in place on put.io, decide what
//! to send, then send files concurrently. It reports through a [`Reporter`] and never prints.
//!
//! A dry run goes through every phase up to the decisions with read-only calls (account,
//! listings), reports the plan and returns before the transfer.
//!
//! One file's failure never stops the others; only a rejected token, a full account or a
//! destination that cannot be had stops the run.

pub mod journal;
pub mod plan;
pub mod remote;
pub mod report;
pub mod settings;
pub mod transfer;

pub use settings::{Destination, UploadSettings};

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use futures_util::{StreamExt, stream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::{Client, RemoteFile};
use crate::exit::Fatal;
use crate::format::human_bytes;

use journal::Journal;
use plan::{PlannedFile, ProblemKind};
use remote::Folders;
use report::{Event, FailKind, Failure, Reporter, Summary};
use transfer::{Job, Landed, Transfer, TransferError};

/// Runs a whole upload. `Err` only for what stops the run; per-file trouble is in the summary.
pub async fn run(
    settings: &UploadSettings,
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    cancel: CancellationToken,
) -> Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary::default();

    let plan = {
        let (root, name) = (settings.root.clone(), settings.root_name.clone());
        let options = settings.scan.clone();
        tokio::task::spawn_blocking(move || plan::scan(&root, &name, &options)).await?
    };
    summary.dry_run = settings.dry_run;
    reporter.event(Event::Scanned {
        folders: plan.folders.len(),
        files: plan.files.len(),
        bytes: plan.bytes(),
    });
    for renamed in &plan.renamed {
        reporter.event(Event::Renamed {
            local: &renamed.path,
            remote: &renamed.name,
        });
    }
    for excluded in &plan.excluded {
        summary.excluded += 1;
        reporter.event(Event::Excluded {
            local: &excluded.path,
            rule: &excluded.rule,
        });
    }
    for problem in &plan.problems {
        let shown = problem.path.display().to_string();
        let kind = match problem.kind {
            ProblemKind::Skipped => {
                summary.ignored += 1;
                reporter.event(Event::Ignored {
                    local: &problem.path,
                    reason: &problem.reason,
                });
                continue;
            }
            ProblemKind::Failed => FailKind::Local,
            ProblemKind::Clash => FailKind::NameClash,
        };
        reporter.event(Event::FileFailed {
            index: None,
            path: &shown,
            reason: &problem.reason,
            kind,
            local: Some(&problem.path),
        });
        summary.failures.push(Failure {
            path: shown,
            reason: problem.reason.clone(),
        });
    }

    let account = client.account_info().await.map_err(|err| {
        if err.is_unauthorized() {
            Fatal::auth(format!("put.io rejected the token: {err}"))
        } else {
            Fatal::remote(format!("cannot reach put.io: {err}"))
        }
    })?;
    if !account.is_active() {
        return Err(Fatal::remote(format!(
            "put.io says this account is not active ({}): renew it at put.io, then run again; nothing was sent",
            account
                .account_status
                .as_deref()
                .unwrap_or("account_active false")
        )));
    }
    tracing::debug!(
        "account {}: {} bytes available",
        account.username,
        account.disk.avail
    );

    // A dry run lists folders but creates none: a folder it would create is known empty.
    let (dest, dest_created) = remote::destination(
        &client,
        &settings.destination,
        settings.retries,
        settings.dry_run,
        reporter.as_ref(),
    )
    .await?;
    let folders = remote::sync(
        &client,
        &plan,
        dest,
        settings.jobs,
        settings.retries,
        settings.dry_run,
        reporter.as_ref(),
    )
    .await?;
    summary.folders_created = dest_created + folders.iter().flatten().filter(|f| f.created).count();

    // Decide, file by file: send, skip (already there) or fail (folder missing, conflict).
    // The journal is read only by a real run: a dry run writes nothing, not even there.
    let journal = if settings.dry_run {
        None
    } else {
        open_journal(settings, reporter.as_ref())
    };
    let decisions = decide(&plan, &folders, settings).await;
    let mut to_send: Vec<(usize, u64, Vec<u64>)> = Vec::new();
    for (index, decision) in decisions.into_iter().enumerate() {
        let file = &plan.files[index];
        match decision {
            Decision::Send {
                parent_id,
                replaces,
            } => {
                to_send.push((index, parent_id, replaces));
                reporter.event(Event::FilePlanned {
                    index,
                    local: &file.local,
                    path: &file.display,
                    size: file.size,
                });
            }
            Decision::Skip {
                parent_id,
                reason,
                id,
            } => {
                summary.skipped += 1;
                reporter.event(Event::FileSkipped {
                    path: &file.display,
                    reason: &reason,
                    local: &file.local,
                    size: file.size,
                    id,
                });
                // A finished file may still be journalled if a run died right at the end.
                if let Some(journal) = &journal {
                    let local = file.local.to_string_lossy();
                    if journal.mentions(&local, parent_id, &file.name) {
                        let _ = journal.forget_target(&local, parent_id, &file.name);
                    }
                }
            }
            Decision::Fail(kind, reason) => {
                fail_as(
                    kind,
                    &mut summary,
                    reporter.as_ref(),
                    Some(index),
                    file,
                    reason,
                );
            }
        }
    }
    let bytes: u64 = to_send.iter().map(|(i, _, _)| plan.files[*i].size).sum();
    reporter.event(Event::Planned {
        files: to_send.len(),
        bytes,
        skipped: summary.skipped,
    });
    if account.disk.size > 0 && bytes > account.disk.avail {
        return Err(Fatal::remote(format!(
            "not enough space on put.io: {} to upload, {} available; free space on put.io (empty the trash) and run again",
            human_bytes(bytes),
            human_bytes(account.disk.avail)
        )));
    }
    if settings.dry_run {
        // The plan is complete: say what the transfer would do, and do none of it.
        summary.uploaded = to_send.len();
        summary.uploaded_bytes = bytes;
        summary.elapsed = started.elapsed();
        reporter.event(Event::Finished(&summary));
        return Ok(summary);
    }

    let transfer = Arc::new(Transfer::new(
        Arc::clone(&client),
        Arc::clone(&reporter),
        settings.chunk_size,
        settings.retries,
        cancel.clone(),
        journal,
        account.username.clone(),
        settings.verify_wait,
    ));
    let plan = Arc::new(plan);
    let mut queue = to_send.into_iter();
    let mut running = JoinSet::new();
    // Files put.io stored without a CRC32 yet: checked later, holding no transfer slot.
    let mut verifying = JoinSet::new();
    let mut fatal: Option<anyhow::Error> = None;
    loop {
        while running.len() < settings.jobs && fatal.is_none() && !cancel.is_cancelled() {
            let Some((index, parent_id, replaces)) = queue.next() else {
                break;
            };
            let (transfer, plan) = (Arc::clone(&transfer), Arc::clone(&plan));
            running.spawn(async move {
                let job = Job {
                    index,
                    file: &plan.files[index],
                    parent_id,
                    replaces,
                };
                let result = transfer.upload(&job).await;
                (index, result)
            });
        }
        let (index, result) = tokio::select! {
            Some(joined) = running.join_next() => joined?,
            Some(joined) = verifying.join_next() => {
                let (index, result): (usize, Result<transfer::Uploaded, TransferError>) = joined?;
                (index, result.map(Landed::Verified))
            }
            else => break,
        };
        let file = &plan.files[index];
        match result {
            Ok(Landed::Unconfirmed(pending)) => {
                let transfer = Arc::clone(&transfer);
                verifying.spawn(async move { (pending.index, transfer.verify(pending).await) });
            }
            Ok(Landed::Verified(done)) => {
                summary.uploaded += 1;
                summary.uploaded_bytes += done.size;
                summary.unverified += usize::from(!done.verified);
                reporter.event(Event::FileDone {
                    index,
                    path: &file.display,
                    size: done.size,
                    id: done.id,
                    crc32: &done.crc32,
                    verified: done.verified,
                });
            }
            Err(TransferError::File(reason)) => {
                fail(&mut summary, reporter.as_ref(), Some(index), file, reason);
            }
            Err(TransferError::Vanished) => {
                summary.skipped += 1;
                reporter.event(Event::FileSkipped {
                    path: &file.display,
                    reason: "removed since the scan; nothing to upload",
                    local: &file.local,
                    size: file.size,
                    id: None,
                });
            }
            Err(TransferError::Cancelled) => summary.interrupted = true,
            Err(TransferError::Fatal(err)) => {
                if fatal.is_none() {
                    // Stop starting files, and stop those in flight: the run is over.
                    fatal = Some(err);
                    cancel.cancel();
                }
            }
        }
    }
    summary.interrupted |= cancel.is_cancelled() && fatal.is_none();
    summary.elapsed = started.elapsed();
    if let Some(err) = fatal {
        reporter.event(Event::Finished(&summary));
        return Err(err);
    }
    reporter.event(Event::Finished(&summary));
    Ok(summary)
}

/// What to do with one planned file.
enum Decision {
    Send {
        parent_id: u64,
        replaces: Vec<u64>,
    },
    Skip {
        parent_id: u64,
        reason: String,
        /// The put.io file that makes the upload unnecessary.
        id: Option<u64>,
    },
    Fail(FailKind, String),
}

/// Compares every planned file with what its remote folder held: same name and size (and
/// CRC32 with `--checksum`) is already there; another file of that name is a conflict, sent
/// only with `--overwrite`. Never plans a second file of the same name.
async fn decide(plan: &plan::Plan, folders: &Folders, settings: &UploadSettings) -> Vec<Decision> {
    let mut decisions = Vec::with_capacity(plan.files.len());
    let mut to_hash = Vec::new();
    for (index, file) in plan.files.iter().enumerate() {
        let folder = match &folders[file.folder] {
            Ok(folder) => folder,
            Err(err) => {
                decisions.push(Decision::Fail(
                    FailKind::Folder,
                    format!(
                        "folder {} could not be created: {err}",
                        plan.folders[file.folder].display
                    ),
                ));
                continue;
            }
        };
        let same_name: Vec<_> = folder.named(&file.name).collect();
        let parent_id = folder.id;
        decisions.push(if same_name.is_empty() {
            Decision::Send { parent_id, replaces: Vec::new() }
        } else if same_name.iter().any(|f| f.is_folder()) {
            Decision::Fail(
                FailKind::Conflict,
                "a folder with this name is already on put.io; rename one of them".to_owned(),
            )
        } else if same_name.iter().any(|f| f.size == file.size) {
            if settings.checksum {
                to_hash.push(index);
            }
            Decision::Skip {
                parent_id,
                reason: "already on put.io: same name and size".to_owned(),
                id: same_name.iter().find(|f| f.size == file.size).map(|f| f.id),
            }
        } else {
            conflict(settings, &same_name, &format!(
                "a different file with this name is already on put.io ({} bytes there, {} here)",
                same_name[0].size, file.size
            ), parent_id)
        });
    }

    // --checksum: hash the local side of every same-size match, a few files at a time.
    let hashed: Vec<(usize, std::io::Result<String>)> = stream::iter(to_hash)
        .map(|index| async move { (index, transfer::crc32_of(&plan.files[index].local).await) })
        .buffer_unordered(settings.jobs.max(1))
        .collect()
        .await;
    for (index, crc) in hashed {
        let file = &plan.files[index];
        let Ok(folder) = &folders[file.folder] else {
            continue;
        };
        let same_name: Vec<_> = folder.named(&file.name).collect();
        decisions[index] = match crc {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Decision::Skip {
                parent_id: folder.id,
                reason: "removed since the scan; nothing to upload".to_owned(),
                id: None,
            },
            Err(err) => Decision::Fail(
                FailKind::Local,
                format!("cannot read: {}", plan::io_reason(&err)),
            ),
            Ok(crc) => {
                let same_size = || same_name.iter().filter(|f| f.size == file.size);
                let same = same_size().find(|f| f.crc().as_deref() == Some(crc.as_str()));
                // No CRC32 from put.io is "not known", never "different": keep the copy.
                let unknown = same_size().find(|f| f.crc().is_none());
                if let Some(same) = same {
                    Decision::Skip {
                        parent_id: folder.id,
                        reason: "already on put.io: same name, size and CRC32".to_owned(),
                        id: Some(same.id),
                    }
                } else if let Some(unknown) = unknown {
                    Decision::Skip {
                        parent_id: folder.id,
                        reason: "already on put.io: same name and size (put.io has no CRC32 for it yet, so it was not compared)".to_owned(),
                        id: Some(unknown.id),
                    }
                } else {
                    conflict(
                        settings,
                        &same_name,
                        &format!(
                            "a different file with this name and size is already on put.io (CRC32 {} there, {crc} here)",
                            same_name[0].crc32.as_deref().unwrap_or("unknown")
                        ),
                        folder.id,
                    )
                }
            }
        };
    }
    decisions
}

/// A same-named file with other content: replaced with `--overwrite`, else a failure.
fn conflict(
    settings: &UploadSettings,
    existing: &[&RemoteFile],
    why: &str,
    parent_id: u64,
) -> Decision {
    if settings.overwrite {
        Decision::Send {
            parent_id,
            replaces: existing.iter().map(|f| f.id).collect(),
        }
    } else {
        Decision::Fail(
            FailKind::Conflict,
            format!("{why}; not overwritten (use --overwrite to replace it)"),
        )
    }
}

/// The resume journal, or `None` (with a warning) when it cannot be opened: uploads still
/// work, they just cannot resume after a crash.
fn open_journal(settings: &UploadSettings, reporter: &dyn Reporter) -> Option<Arc<Journal>> {
    let Some(dir) = &settings.state_dir else {
        reporter.event(Event::Warning {
            message: "no state directory (set PUTIO_UP_STATE_DIR): interrupted uploads will restart from zero",
        });
        return None;
    };
    match Journal::open(dir) {
        Ok(journal) => Some(Arc::new(journal)),
        Err(err) => {
            let message = format!(
                "cannot open the resume journal in {}: {}; interrupted uploads will restart from zero (set PUTIO_UP_STATE_DIR to a writable folder)",
                dir.display(),
                plan::io_reason(&err)
            );
            reporter.event(Event::Warning { message: &message });
            None
        }
    }
}

/// A file failed during its transfer.
fn fail(
    summary: &mut Summary,
    reporter: &dyn Reporter,
    index: Option<usize>,
    file: &PlannedFile,
    reason: String,
) {
    fail_as(FailKind::Upload, summary, reporter, index, file, reason);
}

fn fail_as(
    kind: FailKind,
    summary: &mut Summary,
    reporter: &dyn Reporter,
    index: Option<usize>,
    file: &PlannedFile,
    reason: String,
) {
    reporter.event(Event::FileFailed {
        index,
        path: &file.display,
        reason: &reason,
        kind,
        local: Some(&file.local),
    });
    summary.failures.push(Failure {
        path: file.display.clone(),
        reason,
    });
}
