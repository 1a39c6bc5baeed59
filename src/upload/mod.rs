//! The upload engine: a pipeline of stages joined by bounded channels, each owning one job.
//!
//! ```text
//! walk ──items──▶ folders ──files──▶ decide ──work──▶ send (-j in flight)
//!                (--checkers)          │                │
//!                      └───────────────┴──▶ tally ◀─────┘  (counts, reporter events)
//! ```
//!
//! The walk goes over every source in turn (`sources`). A counting pass of it comes first, so that the totals are known before anything
//! starts. Then a folder is looked up as soon as its parent is known and its files go on as
//! soon as it is; nothing waits for the whole tree. This module only wires the stages.
//!
//! A dry run runs the same stages with read-only calls and no send stage. One file's failure
//! never stops the others; only a rejected token, a full account or a destination that
//! cannot be had stops the run. The engine reports through a [`Reporter`] and never prints.
//!
//! What outlives one run for a long-running caller (`watch`) is [`Shared`]: the bandwidth
//! limiter. Move mode and the run limits come from the settings of each run.

mod decide;
mod folders;
pub mod journal;
pub mod limit;
pub mod movemode;
pub mod plan;
pub mod remote;
pub mod report;
pub mod select;
mod send;
pub mod settings;
pub mod sources;
mod tally;
pub mod transfer;
mod walk;

pub use settings::{Cutoff, Destination, Limits, UploadSettings};

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::Client;
use crate::exit::Fatal;

use journal::Journal;
use report::{Reporter, Summary};
use tally::Tally;
use transfer::Transfer;

/// Items between the walk and the folders stage; files between folders and decide.
const CHANNEL: usize = 1024;

/// What several runs of one caller share: the `--bwlimit` limiter (all transfers of all
/// runs together stay under it) and its count of bytes sent.
#[derive(Clone, Debug)]
pub struct Shared {
    pub throttle: Arc<limit::Throttle>,
}

impl Shared {
    pub fn new(settings: &UploadSettings) -> Self {
        Shared {
            throttle: Arc::new(limit::Throttle::new(settings.bwlimit.clone())),
        }
    }
}

/// Runs a whole upload. `Err` only for what stops the run; per-file trouble is in the summary.
pub async fn run(
    settings: &UploadSettings,
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    cancel: CancellationToken,
) -> Result<Summary> {
    run_shared(settings, client, reporter, cancel, &Shared::new(settings)).await
}

/// [`run`] with a limiter that outlives the run.
pub async fn run_shared(
    settings: &UploadSettings,
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    cancel: CancellationToken,
    shared: &Shared,
) -> Result<Summary> {
    let started = Instant::now();
    let tally = Arc::new(Tally::new(Arc::clone(&reporter), settings.dry_run));
    let counted = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            let stop = || cancel.is_cancelled();
            sources::count(&settings.sources, &stop)
        })
        .await?
    };
    tally.scanned(counted);
    for problem in &settings.unlisted {
        tally.problem(problem);
    }
    if cancel.is_cancelled() {
        return Ok(tally.finish(started.elapsed(), true));
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
    if account.disk.size > 0 {
        tally.limit_to(account.disk.avail);
    }
    // A dry run lists folders but creates none: a folder it would create is known empty.
    let (dest, dest_created) = remote::destination(
        &client,
        &settings.destination,
        settings.retries,
        settings.dry_run,
        reporter.as_ref(),
    )
    .await?;
    tally.destination_created(dest_created);
    // The journal is read only by a real run: a dry run writes nothing, not even there.
    let journal = (!settings.dry_run)
        .then(|| open_journal(settings, &tally))
        .flatten();

    let (items_in, items) = mpsc::channel(CHANNEL);
    let walker = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            sources::walk(&settings.sources, &mut |item| {
                if cancel.is_cancelled() || items_in.blocking_send(item).is_err() {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            });
        })
    };
    let (known_in, known) = mpsc::channel(CHANNEL);
    let folders = tokio::spawn(folders::stage(
        folders::Stage {
            client: Arc::clone(&client),
            checkers: settings.checkers,
            attempts: settings.retries,
            dry_run: settings.dry_run,
            tally: Arc::clone(&tally),
            cancel: cancel.clone(),
        },
        dest,
        items,
        known_in,
    ));
    let mover = settings.delete_source.then(|| {
        Arc::new(movemode::Mover::new(
            &settings.sources,
            settings.dry_run,
            cancel.clone(),
        ))
    });
    let (work_in, work) = mpsc::channel(settings.jobs);
    let deciding = tokio::spawn(decide::stage(
        decide::Stage {
            rules: decide::Rules {
                // Move mode removes a file already there only when the CRC32s agree.
                checksum: settings.checksum || settings.delete_source,
                overwrite: settings.overwrite,
            },
            hashers: settings.jobs,
            journal: journal.clone(),
            mover: mover.clone(),
            tally: Arc::clone(&tally),
            cancel: cancel.clone(),
        },
        known,
        (!settings.dry_run).then_some(work_in),
    ));
    let transfer = Arc::new(Transfer::new(
        Arc::clone(&client),
        reporter,
        settings.chunk_size,
        settings.retries,
        cancel.clone(),
        journal,
        account.username.clone(),
        settings.verify_wait,
        Arc::clone(&shared.throttle),
    ));
    let budget = Arc::new(limit::Budget::new(settings.limits, started));
    // `--cutoff hard`: once a limit is reached, the files in flight stop where they are
    // (resumable, as after Ctrl-C) instead of finishing.
    let cutoff = (settings.limits.any() && settings.limits.cutoff == Cutoff::Hard).then(|| {
        let (budget, throttle, cancel) = (
            Arc::clone(&budget),
            Arc::clone(&shared.throttle),
            cancel.clone(),
        );
        let base = throttle.sent();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                if let Some(kind) = budget.overrun(throttle.sent() - base) {
                    budget.reach(kind);
                    cancel.cancel();
                    return;
                }
            }
        })
    });
    let sending = send::stage(
        transfer,
        work,
        settings.jobs,
        Arc::clone(&tally),
        cancel.clone(),
        (Arc::clone(&budget), mover.clone()),
    );

    // The first failure that stops the run cancels the other stages, which then wind down.
    let stop = |result: Result<()>| {
        if result.is_err() {
            cancel.cancel();
        }
        result
    };
    let sent = stop(sending.await);
    let decided = stop(deciding.await?);
    let listed = stop(folders.await?);
    walker.await?;
    if let Some(cutoff) = cutoff {
        cutoff.abort();
    }
    if let Some(mover) = &mover {
        mover.finish(&tally);
    }
    let fatal = listed.and(decided).and(sent).err();
    let stopped = budget.reached();
    if let Some(kind) = stopped {
        tally.stopped_at(kind);
    }
    let interrupted = cancel.is_cancelled() && fatal.is_none() && stopped.is_none();
    let summary = tally.finish(started.elapsed(), interrupted);
    fatal.map_or(Ok(summary), Err)
}

/// The resume journal, or `None` (with a warning) when it cannot be opened: uploads still
/// work, they just cannot resume after a crash.
fn open_journal(settings: &UploadSettings, tally: &Tally) -> Option<Arc<Journal>> {
    let Some(dir) = &settings.state_dir else {
        tally.warning(
            "no state directory (set PUTIO_UP_STATE_DIR): interrupted uploads will restart from zero",
        );
        return None;
    };
    match Journal::open(dir) {
        Ok(journal) => Some(Arc::new(journal)),
        Err(err) => {
            tally.warning(&format!(
                "cannot open the resume journal in {}: {}; interrupted uploads will restart from zero (set PUTIO_UP_STATE_DIR to a writable folder)",
                dir.display(),
                plan::io_reason(&err)
            ));
            None
        }
    }
}
