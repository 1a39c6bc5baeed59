//! The transfer stage: up to `-j` files in flight, each through [`Transfer::upload`], their
//! outcomes to the tally. It sends nothing before the pass's [`Gate`] opens. A file put.io
//! stored without a CRC32 yet is handed to [`Transfer::verify`] outside the `-j` slots, so
//! the next file starts meanwhile. It starts nothing once the run is cancelled or has met a
//! failure that stops it, and lets the files in flight wind down (they watch the same
//! token). Nor does it start a file once a run limit ([`Budget`]) says no: the files in
//! flight finish, and the rest wait for a re-run. An upload host that is down (see
//! `Client::upload_unreachable`) stops the run instead of failing every file in turn.

use std::sync::Arc;

use tokio::sync::mpsc::Receiver;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::gate::Gate;
use super::limit::Budget;
use super::movemode::Mover;
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
    (budget, mover, gate): (Arc<Budget>, Option<Arc<Mover>>, Gate),
) -> anyhow::Result<()> {
    // Nothing is sent before the checks before the first change have let the pass through.
    tokio::select! {
        open = gate.opened() => if !open {
            return Ok(());
        },
        () = cancel.cancelled() => return Ok(()),
    }
    let landed = |work: &Work, done: &Uploaded| {
        tally.done(work.index, &work.file, done);
        if let (true, Some(mover)) = (done.verified, &mover) {
            mover.verified(&work.file, &tally);
        }
    };
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
                    Ok(Landed::Verified(done)) => landed(&work, &done),
                    Ok(Landed::Transfer { id, new }) => {
                        tally.skipped(&work.file, &super::transfer::torrent::reason(id, new), None);
                        // A blackhole's drop leaves once put.io has accepted the transfer.
                        if let Some(mover) = &mover {
                            mover.verified(&work.file, &tally);
                        }
                    }
                    Err(err) => settle_failure(&transfer, &tally, &work, err, &mut fatal, &cancel),
                }
            }
            Some(joined) = verifying.join_next(), if !verifying.is_empty() => {
                let (work, result) = joined?;
                match result {
                    Ok(done) => landed(&work, &done),
                    Err(err) => settle_failure(&transfer, &tally, &work, err, &mut fatal, &cancel),
                }
            }
            () = cancel.cancelled(), if take => {}
            next = input.recv(), if take => {
                let Some(work) = next else {
                    input_done = true;
                    continue;
                };
                if !budget.may_start(work.file.size) {
                    input_done = true; // a limit is reached: what is left waits for a re-run
                    continue;
                }
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

/// A file that did not make it: a failure for the tally, or the end of the run. A file that
/// failed because the upload host is down ends the run: every other file would fail alike.
fn settle_failure(
    transfer: &Transfer,
    tally: &Tally,
    work: &Work,
    err: TransferError,
    fatal: &mut Option<anyhow::Error>,
    cancel: &CancellationToken,
) {
    let err = match (err, transfer.check_reach()) {
        (TransferError::File(_), Err(down)) => down,
        (err, _) => err,
    };
    match err {
        TransferError::File(reason) => {
            tally.failed(FailKind::Upload, Some(work.index), &work.file, reason);
        }
        TransferError::Vanished => tally.vanished(&work.file),
        TransferError::Cancelled => tally.paused(work.index, &work.file),
        TransferError::Fatal(err) => {
            if fatal.is_none() {
                // Stop starting files, and stop those in flight: the run is over.
                *fatal = Some(err);
                cancel.cancel();
            }
        }
    }
}
