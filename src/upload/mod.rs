//! The upload engine: a pipeline of stages joined by bounded channels, each owning one job.
//!
//! ```text
//! walk ──items──▶ folders ──files──▶ decide ──work──▶ send (-j in flight)
//!                (--checkers)          │                │
//!                      └───────────────┴──▶ tally ◀─────┘  (counts, reporter events)
//! ```
//!
//! The walk goes over every source in turn (`sources`). A counting pass of it runs alongside,
//! for the totals; a folder is looked up as soon as its parent is known and its files go on
//! as soon as it is: nothing waits for the whole tree. This module checks the account, starts
//! a pass (`pass` wires the stages), and lets it create and send (`gate`) once what must hold
//! before the first change does; the pass lists folders meanwhile.
//!
//! A dry run runs the same stages with read-only calls and no send stage. One file's failure
//! never stops the others; only a rejected token, a full account or a destination that
//! cannot be had stops the run. The engine reports through a [`Reporter`] and never prints.
//!
//! What outlives one run for a long-running caller (`watch`) is [`Shared`]: the bandwidth
//! limiter. Move mode and the run limits come from the settings of each run.

mod checks;
mod decide;
mod folders;
mod gate;
pub mod journal;
pub mod limit;
pub mod movemode;
mod pass;
pub mod plan;
pub mod remote;
pub mod report;
pub mod select;
mod send;
pub mod settings;
pub mod sources;
mod stat;
mod tally;
pub mod transfer;
mod walk;

pub use settings::{Cutoff, Destination, Limits, OnConflict, Torrents, UploadSettings};

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use tokio_util::sync::CancellationToken;

use crate::api::Client;
use crate::exit::Fatal;

use report::{Reporter, Summary};
use tally::Tally;

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
    // file should be on its way in one. It stops with the pass, also on an early return.
    // The pass has a token of its own, so that the checks below can stop it without the run
    // counting as interrupted.
    let pass_cancel = cancel.child_token();
    let count_cancel = pass_cancel.child_token();
    let _stop_counting = count_cancel.clone().drop_guard();
    let mut counting = Some({
        let (settings, cancel, tally) = (settings.clone(), count_cancel, Arc::clone(&tally));
        tokio::task::spawn_blocking(move || {
            let stop = || cancel.is_cancelled();
            let counted = sources::count(&settings.sources, &stop);
            if !cancel.is_cancelled() {
                tally.scanned(counted);
            }
            counted
        })
    });
    // The end of a run that sent nothing: interrupted, or stopped by a check.
    let nothing_sent = |tally: &Tally, interrupted: bool| {
        let sent = tally::Sent {
            bytes: 0,
            retried: client.retried(),
        };
        tally.finish(started.elapsed(), interrupted, sent)
    };
    let stopped = |tally: &Tally| Ok(nothing_sent(tally, true));
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
    if account.disk.size > 0 {
        tally.limit_to(account.disk.avail);
    }
    // The pass lists folders at once; it creates folders and sends files only once the
    // checks that need the count's totals (`checks`: nothing matched, more than fits) let it
    // through.
    let (opener, gate) = gate::Gate::closed();
    let job = pass::Job {
        client: Arc::clone(&client),
        reporter,
        tally: Arc::clone(&tally),
        cancel: pass_cancel.clone(),
        username: account.username.clone(),
        throttle: Arc::clone(&shared.throttle),
        started,
        gate,
    };
    let pass = pass::run(settings, job);
    tokio::pin!(pass);
    let checks = checks::before_first_change(
        settings,
        &mut counting,
        &account,
        checks::Context {
            client: &client,
            shared,
            started,
            cancel: &cancel,
        },
    );
    let pass = tokio::select! {
        checked = checks => {
            match checked {
                Ok(checks::Checked::Go) => {
                    opener.open();
                    pass.await
                }
                refused => {
                    // The pass changed nothing yet: it stops where it is.
                    opener.shut();
                    pass_cancel.cancel();
                    pass.await;
                    if cancel.is_cancelled() {
                        return stopped(&tally);
                    }
                    // What does not fit stops the run with its error; else nothing matched.
                    refused?;
                    tally.warning("nothing matched --include: nothing to upload, no folder created");
                    return Ok(nothing_sent(&tally, false));
                }
            }
        }
        // Over before the checks: it had nothing to create or send.
        pass = &mut pass => pass,
    };
    let fatal = pass.result.err();
    if let Some(counting) = counting {
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
