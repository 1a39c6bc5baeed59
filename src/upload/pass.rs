//! One pass of the pipeline: finds the destination, wires the stages (walk, folders,
//! decide, send) with their channels, runs them to the end and says how the pass ended. A
//! run makes one pass, or two when a read-only one must first show that what is sent fits.
//!
//! It owns the wiring and the end of a pass (move mode's last removals, the limit that
//! stopped it); it never decides about a file, prints, or checks the account.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::Client;

use super::gate::Gate;
use super::journal::Journal;
use super::report::Reporter;
use super::settings::Cutoff;
use super::tally::Tally;
use super::transfer::Transfer;
use super::{UploadSettings, decide, folders, limit, movemode, plan, remote, send, sources};

/// Item batches between the walk and the folders stage; files between folders and decide.
const CHANNEL: usize = 1024;

/// What one pass of the pipeline works with.
pub(super) struct Job {
    pub client: Arc<Client>,
    pub reporter: Arc<dyn Reporter>,
    pub tally: Arc<Tally>,
    pub cancel: CancellationToken,
    /// The account, for the journal's entries.
    pub username: String,
    /// `--bwlimit`, shared with other runs of the caller.
    pub throttle: Arc<limit::Throttle>,
    /// When the run started, for `--max-duration`.
    pub started: Instant,
    /// Opens when the pass may create folders and send files; it lists at once.
    pub gate: Gate,
}

/// How one pass of the pipeline ended.
pub(super) struct Pass {
    /// `Err` for what stops the run.
    pub result: Result<()>,
    /// Bytes this pass sent.
    pub sent: u64,
    /// The run limit that stopped it, if one did.
    pub stopped: Option<limit::LimitKind>,
}

/// Finds the destination, then runs the stages until every file is settled. An error that
/// stops the run cancels the other stages, which wind down first.
pub(super) async fn run(settings: &UploadSettings, job: Job) -> Pass {
    let Job {
        client,
        reporter,
        tally,
        cancel,
        username,
        throttle,
        started,
        gate,
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
            (settings.dry_run, &gate),
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

    let (items_in, items) = mpsc::channel(CHANNEL / sources::BATCH);
    let walker = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            sources::walk_batches(&settings.sources, &cancel, &items_in);
        })
    };
    let (known_in, known) = mpsc::channel(CHANNEL);
    let folders = tokio::spawn(folders::stage(
        folders::Stage {
            client: Arc::clone(&client),
            checkers: settings.checkers,
            attempts: settings.retries,
            dry_run: settings.dry_run,
            gate: gate.clone(),
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
    let cutoff = (settings.limits.any() && settings.limits.cutoff == Cutoff::Hard)
        .then(|| limit::hard_cutoff(Arc::clone(&budget), Arc::clone(&throttle), cancel.clone()));
    let sending = send::stage(
        Arc::clone(&transfer),
        work,
        settings.jobs,
        Arc::clone(&tally),
        cancel.clone(),
        (Arc::clone(&budget), mover.clone(), gate),
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
