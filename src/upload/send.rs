//! The transfer stage: up to `-j` files in flight, each through [`Transfer::upload`], their
//! outcomes to the tally. A file put.io stored without a CRC32 yet is handed to
//! [`Transfer::verify`] outside the `-j` slots, so the next file starts meanwhile. It starts
//! nothing once the run is cancelled or has met a failure that stops it, and lets the files
//! in flight wind down (they watch the same token).

use std::sync::Arc;

use tokio::sync::mpsc::Receiver;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::plan::PlannedFile;
use super::report::FailKind;
use super::tally::Tally;
use super::transfer::{Job, Landed, Transfer, TransferError, Uploaded};

/// A decided file on its way to put.io.
pub(super) struct Work {
    pub index: usize,
    pub file: PlannedFile,
    pub parent_id: u64,
    /// Remote files it replaces (`--overwrite`).
    pub replaces: Vec<u64>,
}

/// Sends what comes in. `Err` for what stops the run (a rejected token, a full account);
/// it cancels `cancel` first, so that every other stage stops too.
pub(super) async fn stage(
    transfer: Arc<Transfer>,
    mut input: Receiver<Work>,
    jobs: usize,
    tally: Arc<Tally>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut running: JoinSet<(Work, Result<Landed, TransferError>)> = JoinSet::new();
    let mut verifying: JoinSet<(Work, Result<Uploaded, TransferError>)> = JoinSet::new();
    let mut fatal: Option<anyhow::Error> = None;
    let mut input_done = false;
    loop {
        let take = !input_done && running.len() < jobs && fatal.is_none() && !cancel.is_cancelled();
        if !take && running.is_empty() && verifying.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            Some(joined) = running.join_next(), if !running.is_empty() => {
                let (work, result) = joined?;
                match result {
                    Ok(Landed::Unconfirmed(pending)) => {
                        let transfer = Arc::clone(&transfer);
                        verifying.spawn(async move {
                            let result = transfer.verify(pending).await;
                            (work, result)
                        });
                    }
                    Ok(Landed::Verified(done)) => tally.done(work.index, &work.file, &done),
                    Ok(Landed::Transfer { id, new }) => {
                        tally.skipped(&work.file, &super::transfer::torrent::reason(id, new), None);
                    }
                    Err(err) => settle_failure(&tally, &work, err, &mut fatal, &cancel),
                }
            }
            Some(joined) = verifying.join_next(), if !verifying.is_empty() => {
                let (work, result) = joined?;
                match result {
                    Ok(done) => tally.done(work.index, &work.file, &done),
                    Err(err) => settle_failure(&tally, &work, err, &mut fatal, &cancel),
                }
            }
            () = cancel.cancelled(), if take => {}
            next = input.recv(), if take => {
                let Some(work) = next else {
                    input_done = true;
                    continue;
                };
                let transfer = Arc::clone(&transfer);
                running.spawn(async move {
                    let job = Job {
                        index: work.index,
                        file: &work.file,
                        parent_id: work.parent_id,
                        replaces: work.replaces.clone(),
                    };
                    let result = transfer.upload(&job).await;
                    (work, result)
                });
            }
        }
    }
    fatal.map_or(Ok(()), Err)
}

/// A file that did not make it: a failure for the tally, or the end of the run.
fn settle_failure(
    tally: &Tally,
    work: &Work,
    err: TransferError,
    fatal: &mut Option<anyhow::Error>,
    cancel: &CancellationToken,
) {
    match err {
        TransferError::File(reason) => {
            tally.failed(FailKind::Upload, Some(work.index), &work.file, reason);
        }
        TransferError::Vanished => tally.vanished(&work.file),
        TransferError::Cancelled => {}
        TransferError::Fatal(err) => {
            if fatal.is_none() {
                // Stop starting files, and stop those in flight: the run is over.
                *fatal = Some(err);
                cancel.cancel();
            }
        }
    }
}
