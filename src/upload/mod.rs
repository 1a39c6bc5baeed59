//! The upload engine: scan the local tree, put the folders in place on put.io, decide what
//! to send, then send files concurrently. It reports through a [`Reporter`] and never prints.
//!
//! A dry run goes through every phase up to the decisions with read-only calls (account,
//! listings), reports the plan and returns before the transfer.
//!
//! One file's failure never stops the others; only a rejected token, a full account or a
//! destination that cannot be had stops the run.

pub mod plan;
pub mod remote;
pub mod report;
pub mod transfer;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::Client;
use crate::exit::Fatal;
use crate::settings::UploadSettings;

use plan::{PlannedFile, ProblemKind};
use report::{Event, FailKind, Failure, Reporter, Summary};
use transfer::{Transfer, TransferError};

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

    // Decide, file by file: send, skip (already there) or fail (folder missing, clash).
    let mut to_send: Vec<(usize, u64)> = Vec::new();
    for (index, file) in plan.files.iter().enumerate() {
        let folder = match &folders[file.folder] {
            Ok(folder) => folder,
            Err(err) => {
                let reason = format!(
                    "folder {} could not be created: {err}",
                    plan.folders[file.folder].display
                );
                fail_as(
                    FailKind::Folder,
                    &mut summary,
                    reporter.as_ref(),
                    Some(index),
                    file,
                    reason,
                );
                continue;
            }
        };
        let mut same_name = folder.named(&file.name);
        match same_name.next() {
            None => {
                to_send.push((index, folder.id));
                reporter.event(Event::FilePlanned {
                    index,
                    local: &file.local,
                    path: &file.display,
                    size: file.size,
                });
            }
            Some(existing) if existing.is_folder() => {
                let reason =
                    "a folder with this name is already on put.io; rename one of them".to_owned();
                fail_as(
                    FailKind::Conflict,
                    &mut summary,
                    reporter.as_ref(),
                    Some(index),
                    file,
                    reason,
                );
            }
            Some(existing) if existing.size == file.size => {
                summary.skipped += 1;
                reporter.event(Event::FileSkipped {
                    path: &file.display,
                    reason: "already on put.io (same name and size)",
                    local: &file.local,
                    size: file.size,
                    id: Some(existing.id),
                });
            }
            Some(existing) => {
                let reason = format!(
                    "a different file with this name is already on put.io ({} bytes there, {} here); not overwritten",
                    existing.size, file.size
                );
                fail_as(
                    FailKind::Conflict,
                    &mut summary,
                    reporter.as_ref(),
                    Some(index),
                    file,
                    reason,
                );
            }
        }
    }
    let bytes: u64 = to_send.iter().map(|(i, _)| plan.files[*i].size).sum();
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

    let transfer = Arc::new(Transfer {
        client: Arc::clone(&client),
        reporter: Arc::clone(&reporter),
        chunk_size: settings.chunk_size,
        attempts: settings.retries,
        cancel: cancel.clone(),
    });
    let plan = Arc::new(plan);
    let mut queue = to_send.into_iter();
    let mut running = JoinSet::new();
    let mut fatal: Option<anyhow::Error> = None;
    loop {
        while running.len() < settings.jobs && fatal.is_none() && !cancel.is_cancelled() {
            let Some((index, parent_id)) = queue.next() else {
                break;
            };
            let (transfer, plan) = (Arc::clone(&transfer), Arc::clone(&plan));
            running.spawn(async move {
                let result = transfer.upload(index, &plan.files[index], parent_id).await;
                (index, result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, result) = joined?;
        let file = &plan.files[index];
        match result {
            Ok(done) => {
                summary.uploaded += 1;
                summary.uploaded_bytes += done.size;
                reporter.event(Event::FileDone {
                    index,
                    path: &file.display,
                    size: done.size,
                    id: done.id,
                    crc32: &done.crc32,
                });
            }
            Err(TransferError::File(reason)) => {
                fail(&mut summary, reporter.as_ref(), Some(index), file, reason);
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

/// 1536 → "1.5 KiB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
