//! The transfer stage: up to `-j` files in flight, each through [`Transfer::upload`], their
//! outcomes to the tally. It starts nothing once the run is cancelled or has met a failure
//! that stops it, and lets the files in flight wind down (they watch the same token).

use std::sync::Arc;

use tokio::sync::mpsc::Receiver;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::plan::PlannedFile;
use super::report::FailKind;
use super::tally::Tally;
use super::transfer::{Job, Transfer, TransferError, Uploaded};

/// A decided file on its way to put.io.
pub struct Work {
    pub index: usize,
    pub file: PlannedFile,
    pub parent_id: u64,
    /// Remote files it replaces (`--overwrite`).
    pub replaces: Vec<u64>,
}

/// Sends what comes in. `Err` for what stops the run (a rejected token, a full account);
/// it cancels `cancel` first, so that every other stage stops too.
pub async fn stage(
    transfer: Arc<Transfer>,
    mut input: Receiver<Work>,
    jobs: usize,
    tally: Arc<Tally>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let mut running: JoinSet<(Work, Result<Uploaded, TransferError>)> = JoinSet::new();
    let mut fatal: Option<anyhow::Error> = None;
    let mut input_done = false;
    loop {
        let take = !input_done && running.len() < jobs && fatal.is_none() && !cancel.is_cancelled();
        if !take && running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            Some(joined) = running.join_next(), if !running.is_empty() => {
                let (work, result) = joined?;
                match result {
                    Ok(done) => tally.done(work.index, &work.file, &done),
                    Err(TransferError::File(reason)) => {
                        tally.failed(FailKind::Upload, Some(work.index), &work.file, reason);
                    }
                    Err(TransferError::Vanished) => tally.vanished(&work.file),
                    Err(TransferError::Cancelled) => {}
                    Err(TransferError::Fatal(err)) => {
                        if fatal.is_none() {
                            // Stop starting files, and stop those in flight: the run is over.
                            fatal = Some(err);
                            cancel.cancel();
                        }
                    }
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
