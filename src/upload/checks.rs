//! The checks before a run's first change on put.io, which need the counting pass's totals:
//! `--include` matched nothing (create nothing), or the tree is larger than the free space
//! (work out with a silent read-only pass whether what would be sent fits). They wait for the
//! count up to [`COUNT_WAIT`]; a tree too big to count by then is not held up, and the
//! tally's space check still stops it before the file that would not fit.
//!
//! It owns these checks and the read-only pass they may run; it never opens the gate itself
//! (`upload::run` does, on its verdict), never changes anything on put.io and never prints.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::{AccountInfo, Client};

use super::report::{self, Reporter};
use super::tally::Tally;
use super::walk::Counted;
use super::{Shared, UploadSettings, gate, pass};

/// How long the checks wait for the counting pass (about 10^5 files' worth on a local disk).
pub(super) const COUNT_WAIT: Duration = Duration::from_secs(1);

/// What the checks found.
pub(super) enum Checked {
    Go,
    NothingMatched,
}

/// What the read-only pass runs with.
pub(super) struct Context<'a> {
    pub client: &'a Arc<Client>,
    pub shared: &'a Shared,
    pub started: Instant,
    pub cancel: &'a CancellationToken,
}

/// Runs the checks. `counting` is the counting pass, taken (`None`) once it has answered;
/// `Err` when what would be sent does not fit.
pub(super) async fn before_first_change(
    settings: &UploadSettings,
    counting: &mut Option<JoinHandle<Counted>>,
    account: &AccountInfo,
    context: Context<'_>,
) -> Result<Checked> {
    let running = counting
        .as_mut()
        .expect("the count has not answered before the checks");
    let counted = match tokio::time::timeout(COUNT_WAIT, running).await {
        Ok(counted) => {
            *counting = None;
            Some(counted?)
        }
        Err(_) => None,
    };
    if counted.is_some_and(|c| c.folders == 0) {
        // Only `--include` can leave out the uploaded folder itself: nothing matched.
        return Ok(Checked::NothingMatched);
    }
    let avail = account.disk.avail;
    if account.disk.size > 0 && !settings.dry_run && counted.is_some_and(|c| c.bytes > avail) {
        // More than fits, counting what may be there already: find out what would be sent,
        // with read-only calls and nothing shown, while the real pass waits at the gate.
        fits(settings, account, context).await?;
    }
    Ok(Checked::Go)
}

/// A silent read-only pass: `Err` (the tally's space check) when what would be sent does not
/// fit in the account.
async fn fits(
    settings: &UploadSettings,
    account: &AccountInfo,
    context: Context<'_>,
) -> Result<()> {
    let first = settings
        .sources
        .first()
        .expect("settings give at least one source");
    let dry = UploadSettings {
        dry_run: true,
        ..settings.clone()
    };
    let silent: Arc<dyn Reporter> = Arc::new(report::Silent);
    let check = Arc::new(Tally::new(
        Arc::clone(&silent),
        true,
        first.root.clone(),
        first.name.to_string_lossy().into_owned(),
    ));
    check.limit_to(account.disk.avail);
    let job = pass::Job {
        client: Arc::clone(context.client),
        reporter: silent,
        tally: check,
        // Its own: the error that ends it (what does not fit) must not read as Ctrl-C.
        cancel: context.cancel.child_token(),
        username: account.username.clone(),
        throttle: Arc::clone(&context.shared.throttle),
        started: context.started,
        gate: gate::Gate::open(),
    };
    pass::run(&dry, job).await.result
}
