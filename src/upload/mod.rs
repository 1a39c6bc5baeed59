//! The upload engine: a pipeline of stages joined by bounded channels, each owning one job.
//!
//! ```text
//! walk ──items──▶ folders ──files──▶ decide ──work──▶ send (-j in flight)
//!                (--checkers)          │                │
//!                      └───────────────┴──▶ tally ◀─────┘  (counts, reporter events)
//! ```
//!
//! A counting pass of the walk comes first, so that the totals are known before anything
//! starts. Then a folder is looked up as soon as its parent is known and its files go on as
//! soon as it is; nothing waits for the whole tree. This module only wires the stages.
//!
//! A dry run runs the same stages with read-only calls and no send stage. One file's failure
//! never stops the others; only a rejected token, a full account or a destination that
//! cannot be had stops the run. The engine reports through a [`Reporter`] and never prints.

mod decide;
mod folders;
pub mod journal;
pub mod plan;
pub mod remote;
pub mod report;
pub mod select;
mod send;
pub mod settings;
mod tally;
pub mod transfer;
mod walk;

pub use settings::{Destination, OnConflict, UploadSettings};

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

/// Runs a whole upload. `Err` only for what stops the run; per-file trouble is in the summary.
pub async fn run(
    settings: &UploadSettings,
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    cancel: CancellationToken,
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
    let root_name = settings.root_name.to_string_lossy().into_owned();
    let tally = Arc::new(Tally::new(
        Arc::clone(&reporter),
        settings.dry_run,
        settings.root.clone(),
        root_name.clone(),
    ));
    tally.destination(&remote::shown(&settings.destination, &root_name));
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
            let counted = walk::count(&settings.root, &settings.root_name, &settings.scan, &stop);
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
                settings.root.clone(),
                root_name.clone(),
            ));
            check.limit_to(account.disk.avail);
            let job = Job {
                client: Arc::clone(&client),
                reporter: silent,
                tally: check,
                cancel: cancel.clone(),
                username: account.username.clone(),
            };
            pipeline(&dry, job).await.0?;
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
    };
    let (result, sent_bytes) = pipeline(settings, job).await;
    let fatal = result.err();
    if counted.is_none() {
        counting.await?;
    }
    let interrupted = cancel.is_cancelled() && fatal.is_none();
    let sent = tally::Sent {
        bytes: sent_bytes,
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
}

/// Finds the destination, then runs the stages until every file is settled. `Err` for
/// what stops the run (the other stages are cancelled and wind down first); with it, the
/// bytes this pass sent.
async fn pipeline(settings: &UploadSettings, job: Job) -> (Result<()>, u64) {
    let Job {
        client,
        reporter,
        tally,
        cancel,
        username,
    } = job;
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
            Err(err) => return (Err(err), 0),
        },
        () = cancel.cancelled() => return (Ok(()), 0),
    };
    tally.destination_created(dest_created);
    // The journal is read only by a real run: a dry run writes nothing, not even there.
    let journal = (!settings.dry_run)
        .then(|| open_journal(settings, &tally))
        .flatten();

    let (items_in, items) = mpsc::channel(CHANNEL / BATCH);
    let walker = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || walk_batches(&settings, &cancel, &items_in))
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
    let (work_in, work) = mpsc::channel(settings.jobs);
    let deciding = tokio::spawn(decide::stage(
        decide::Stage {
            rules: decide::Rules {
                checksum: settings.checksum,
                on_conflict: settings.on_conflict,
            },
            hashers: settings.jobs,
            journal: journal.clone(),
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
        username,
        settings.verify_wait,
    ));
    let sending = send::stage(
        Arc::clone(&transfer),
        work,
        settings.jobs,
        Arc::clone(&tally),
        cancel.clone(),
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
    (joined.await, transfer.sent())
}

/// The walk, on a blocking thread, sending its items in batches until it is done, the run
/// is cancelled or the folders stage is gone.
fn walk_batches(
    settings: &UploadSettings,
    cancel: &CancellationToken,
    out: &mpsc::Sender<Vec<walk::Item>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let send = |batch: &mut Vec<walk::Item>| {
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        !cancel.is_cancelled() && out.blocking_send(full).is_ok()
    };
    let mut going = true;
    walk::walk(
        &settings.root,
        &settings.root_name,
        &settings.scan,
        &mut |item| {
            let flush = matches!(item, walk::Item::Folder(_));
            batch.push(item);
            if (flush || batch.len() == BATCH) && !send(&mut batch) {
                going = false;
                return std::ops::ControlFlow::Break(());
            }
            std::ops::ControlFlow::Continue(())
        },
    );
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
