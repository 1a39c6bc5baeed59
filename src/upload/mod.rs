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

pub use settings::{Destination, Torrents, UploadSettings};

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

/// Runs a whole upload. `Err` only for what stops the run; per-file trouble is in the summary.
pub async fn run(
    settings: &UploadSettings,
    client: Arc<Client>,
    reporter: Arc<dyn Reporter>,
    cancel: CancellationToken,
) -> Result<Summary> {
    let started = Instant::now();
    let tally = Arc::new(Tally::new(Arc::clone(&reporter), settings.dry_run));
    let counted = {
        let (settings, cancel) = (settings.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            let stop = || cancel.is_cancelled();
            walk::count(&settings.root, &settings.root_name, &settings.scan, &stop)
        })
        .await?
    };
    tally.scanned(counted);
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
            walk::walk(
                &settings.root,
                &settings.root_name,
                &settings.scan,
                &mut |item| {
                    if cancel.is_cancelled() || items_in.blocking_send(item).is_err() {
                        std::ops::ControlFlow::Break(())
                    } else {
                        std::ops::ControlFlow::Continue(())
                    }
                },
            );
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
    let (work_in, work) = mpsc::channel(settings.jobs);
    let deciding = tokio::spawn(decide::stage(
        decide::Stage {
            rules: decide::Rules {
                checksum: settings.checksum,
                overwrite: settings.overwrite,
            },
            hashers: settings.jobs,
            journal: journal.clone(),
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
            account.username.clone(),
            settings.verify_wait,
        )
        .with_torrents(settings.torrents),
    );
    let sending = send::stage(
        transfer,
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
    let decided = stop(deciding.await?);
    let listed = stop(folders.await?);
    walker.await?;
    let fatal = listed.and(decided).and(sent).err();
    let interrupted = cancel.is_cancelled() && fatal.is_none();
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
