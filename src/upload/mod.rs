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

pub use settings::{Cutoff, Destination, Limits, OnConflict, Torrents, UploadSettings};

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
/// The walk hands out its items this many at a time (a folder at once, so that its lookup
/// starts): one wake-up of the folders stage per batch, not per file.
const BATCH: usize = 64;
/// How long the checks before the first folder is created wait for the counting pass
/// (about 10^5 files' worth on a local disk).
const COUNT_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

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
    {
        // The client's own retries (folder listings, upload creation) are told like a file's.
        let reporter = Arc::clone(&reporter);
        client.on_retry(Box::new(move |action, note| {
            reporter.event(report::Event::Retrying {
                index: None,
                what: action,
                message: note,
            });
        }));
    }
    // Failure lists and the header name paths from the first source; with several, the
    // header shows the destination itself.
    let first = settings
        .sources
        .first()
        .expect("settings give at least one source");
    let root_name = first.name.to_string_lossy().into_owned();
    let tally = Arc::new(Tally::new(
        Arc::clone(&reporter),
        settings.dry_run,
        first.root.clone(),
        root_name.clone(),
    ));
    let shown_name = (settings.sources.len() == 1 && first.kind == sources::SourceKind::Folder)
        .then_some(root_name.as_str());
    tally.destination(&remote::shown(&settings.destination, shown_name));
    // The counting pass runs alongside: on a million files it takes seconds, and the first
    // file should be on its way in one. The checks that need its totals before anything is
    // created (nothing matched, more than fits) wait for it up to COUNT_WAIT; on a tree too
    // big to count by then the run goes on, and the tally's space check still stops it before
    // the file that would not fit. It stops with the run, also on an early return.
    let count_cancel = cancel.child_token();
    let _stop_counting = count_cancel.clone().drop_guard();
    let mut counting = {
        let (settings, cancel, tally) = (settings.clone(), count_cancel, Arc::clone(&tally));
        tokio::task::spawn_blocking(move || {
            let stop = || cancel.is_cancelled();
            let counted = sources::count(&settings.sources, &stop);
            if !cancel.is_cancelled() {
                tally.scanned(counted);
            }
            counted
        })
    };
    let stopped = |tally: &Tally| {
        let sent = tally::Sent {
            bytes: 0,
            retried: client.retried(),
        };
        Ok(tally.finish(started.elapsed(), true, sent))
    };
    for problem in &settings.unlisted {
        tally.problem(problem);
    }
    if cancel.is_cancelled() {
        return stopped(&tally);
    }

    // Ctrl-C is answered at once, even while put.io is slow to answer these first calls.
    let account = tokio::select! {
        account = client.account_info() => account,
        () = cancel.cancelled() => return stopped(&tally),
    };
    let account = account.map_err(|err| {
        if err.is_unauthorized() {
            Fatal::auth(format!("put.io rejected the token: {err}"))
        } else if matches!(err, crate::api::ApiError::Transport { .. }) {
            Fatal::remote(format!("cannot reach put.io: {err}; nothing was sent"))
        } else {
            // put.io answered (429, 5xx, ...): it is reachable, it just said no.
            Fatal::remote(format!(
                "put.io did not give the account details: {err}; nothing was sent, try again later"
            ))
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
    let counted = match tokio::time::timeout(COUNT_WAIT, &mut counting).await {
        Ok(counted) => Some(counted?),
        Err(_) => None,
    };
    if cancel.is_cancelled() {
        return stopped(&tally);
    }
    if counted.is_some_and(|c| c.folders == 0) {
        // Only `--include` can leave out the uploaded folder itself: nothing matched.
        tally.warning("nothing matched --include: nothing to upload, no folder created");
        let sent = tally::Sent {
            bytes: 0,
            retried: client.retried(),
        };
        return Ok(tally.finish(started.elapsed(), false, sent));
    }
    if account.disk.size > 0 {
        tally.limit_to(account.disk.avail);
        if !settings.dry_run && counted.is_some_and(|c| c.bytes > account.disk.avail) {
            // More than fits, counting what may be there already: find out what would be
            // sent, with read-only calls and nothing shown, before creating any folder.
            let dry = UploadSettings {
                dry_run: true,
                ..settings.clone()
            };
            let silent: Arc<dyn Reporter> = Arc::new(Silent);
            let check = Arc::new(Tally::new(
                Arc::clone(&silent),
                true,
                first.root.clone(),
                root_name.clone(),
            ));
            check.limit_to(account.disk.avail);
            let job = Job {
                client: Arc::clone(&client),
                reporter: silent,
                tally: check,
                cancel: cancel.clone(),
                username: account.username.clone(),
                throttle: Arc::clone(&shared.throttle),
                started,
            };
            pipeline(&dry, job).await.result?;
            if cancel.is_cancelled() {
                return stopped(&tally);
            }
        }
    }
    let job = Job {
        client: Arc::clone(&client),
        reporter,
        tally: Arc::clone(&tally),
        cancel: cancel.clone(),
        username: account.username.clone(),
        throttle: Arc::clone(&shared.throttle),
        started,
    };
    let pass = pipeline(settings, job).await;
    let fatal = pass.result.err();
    if counted.is_none() {
        counting.await?;
    }
    let interrupted = cancel.is_cancelled() && fatal.is_none() && pass.stopped.is_none();
    let sent = tally::Sent {
        bytes: pass.sent,
        retried: client.retried(),
    };
    let summary = tally.finish(started.elapsed(), interrupted, sent);
    fatal.map_or(Ok(summary), Err)
}

/// A reporter that shows nothing: for the space check's read-only pass.
struct Silent;

impl Reporter for Silent {
    fn event(&self, _: report::Event<'_>) {}
}

/// What one pass of the pipeline works with.
struct Job {
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    tally: Arc<Tally>,
    cancel: CancellationToken,
    /// The account, for the journal's entries.
    username: String,
    /// `--bwlimit`, shared with other runs of the caller.
    throttle: Arc<limit::Throttle>,
    /// When the run started, for `--max-duration`.
    started: Instant,
}

/// How one pass of the pipeline ended.
struct Pass {
    /// `Err` for what stops the run.
    result: Result<()>,
    /// Bytes this pass sent.
    sent: u64,
    /// The run limit that stopped it, if one did.
    stopped: Option<limit::LimitKind>,
}

/// Finds the destination, then runs the stages until every file is settled. An error that
/// stops the run cancels the other stages, which wind down first.
async fn pipeline(settings: &UploadSettings, job: Job) -> Pass {
    let Job {
        client,
        reporter,
        tally,
        cancel,
        username,
        throttle,
        started,
    } = job;
    let ended = |result| Pass {
        result,
        sent: 0,
        stopped: None,
    };
    // A dry run lists folders but creates none: a folder it would create is known empty.
    let (dest, dest_created) = tokio::select! {
        found = remote::destination(
            &client,
            &settings.destination,
            settings.retries,
            settings.dry_run,
            reporter.as_ref(),
        ) => match found {
            Ok(found) => found,
            Err(err) => return ended(Err(err)),
        },
        () = cancel.cancelled() => return ended(Ok(())),
    };
    tally.destination_created(dest_created);
    // The journal is read only by a real run: a dry run writes nothing, not even there.
    let journal = (!settings.dry_run)
        .then(|| open_journal(settings, &tally))
        .flatten();

    let (items_in, items) = mpsc::channel(CHANNEL / BATCH);
    let walker = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || walk_batches(&settings.sources, &cancel, &items_in))
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
                on_conflict: settings.on_conflict,
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
    let transfer = Arc::new(
        Transfer::new(
            Arc::clone(&client),
            reporter,
            settings.chunk_size,
            settings.retries,
            cancel.clone(),
            journal,
            username,
            settings.verify_wait,
            Arc::clone(&throttle),
        )
        .with_torrents(settings.torrents),
    );
    let budget = Arc::new(limit::Budget::new(settings.limits, started));
    // `--cutoff hard`: once a limit is reached, the files in flight stop where they are
    // (resumable, as after Ctrl-C) instead of finishing.
    let cutoff = (settings.limits.any() && settings.limits.cutoff == Cutoff::Hard).then(|| {
        let (budget, throttle, cancel) =
            (Arc::clone(&budget), Arc::clone(&throttle), cancel.clone());
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
        Arc::clone(&transfer),
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
    let joined = async {
        let decided = stop(deciding.await?);
        let listed = stop(folders.await?);
        walker.await?;
        listed.and(decided).and(sent)
    };
    let result = joined.await;
    if let Some(cutoff) = cutoff {
        cutoff.abort();
    }
    if let Some(mover) = &mover {
        mover.finish(&tally);
    }
    let stopped = budget.reached();
    if let Some(kind) = stopped {
        tally.stopped_at(kind);
    }
    Pass {
        result,
        sent: transfer.sent(),
        stopped,
    }
}

/// The walk over every source, on a blocking thread, sending its items in batches until it
/// is done, the run is cancelled or the folders stage is gone.
fn walk_batches(
    sources: &[sources::Source],
    cancel: &CancellationToken,
    out: &mpsc::Sender<Vec<walk::Item>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<walk::Item>| {
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        !cancel.is_cancelled() && out.blocking_send(full).is_ok()
    };
    let mut going = true;
    sources::walk(sources, &mut |item| {
        let flush = matches!(item, walk::Item::Folder(_));
        batch.push(item);
        if (flush || batch.len() == BATCH) && !send(&mut batch) {
            going = false;
            return std::ops::ControlFlow::Break(());
        }
        std::ops::ControlFlow::Continue(())
    });
    if going && !batch.is_empty() {
        send(&mut batch);
    }
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
        Ok(journal) => {
            if let Some(why) = journal.replaced() {
                tally.warning(&format!(
                    "the resume journal {} could not be read ({why}) and was started afresh: \
                     uploads it recorded start from zero",
                    journal.path().display()
                ));
            }
            Some(Arc::new(journal))
        }
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
