//! `putio-up watch`: keeps a folder on put.io, as a service. It runs the upload engine in
//! passes: a full one first (what `upload` would do), then one for the paths whose file
//! events settled, one for files that failed and are due again, and a full one every
//! `--rescan` or when events were lost.
//!
//! ```text
//! events (OS) ──paths──▶ settle ──ready──▶ pass: upload::run(selection) ──▶ reporter
//!                                   ▲                     │ failures, trouble
//!                                   └──── retries ◀───────┘
//! ```
//!
//! Trouble that passes (put.io unreachable, 5xx, 429, a full or inactive account) is said
//! once and waited out with a growing pause; a rejected token is said once and waited out
//! until a new one is there (`putio-up login`, read afresh on every try). It stops only when
//! asked ([`signals`]). It never deletes anything on put.io and never prints: lines go to the
//! [`Listener`] and the engine's events to the reporter.

pub mod events;
mod report;
pub mod settle;
pub mod signals;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio::time::Instant;

use crate::api::{ApiError, Client};
use crate::exit::{Code, Fatal};
use crate::upload::report::{FailKind, Reporter};
use crate::upload::select::Selection;
use crate::upload::{self, UploadSettings};

use events::{Events, Signal};
use report::PassReporter;
use settle::Settler;
pub use signals::{Stop, Stopped};

/// Fully resolved settings of `watch`; built by `crate::settings`.
#[derive(Clone, Debug)]
pub struct WatchSettings {
    /// Every pass runs with these (the selection aside).
    pub upload: UploadSettings,
    /// How long a file's size and modification time must stay the same before it is sent.
    pub settle: Duration,
    /// How often the whole folder is walked anyway.
    pub rescan: Duration,
}

/// A line about the service itself.
#[derive(Clone, Copy, Debug)]
pub enum Notice<'a> {
    /// Watching, rescanning, going on again, stopping.
    Info(&'a str),
    /// Something is wrong and is being waited out.
    Trouble(&'a str),
}

pub trait Listener: Send + Sync {
    fn notice(&self, notice: Notice<'_>);
}

/// Makes a client with the token as it is now (environment, keychain, token file), so that a
/// new `putio-up login` is picked up without a restart.
pub type Connect = dyn Fn() -> Result<Arc<Client>> + Send + Sync;

/// Rescans this often at most when the OS cannot watch the whole tree.
const DEGRADED_RESCAN: Duration = Duration::from_secs(60);
/// The first pause after trouble; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_secs(5);
const MAX_PAUSE: Duration = Duration::from_secs(5 * 60);
/// The first pause before a failed file is tried again; it doubles up to [`MAX_PAUSE`].
const FIRST_RETRY: Duration = Duration::from_secs(5);

/// Watches until stopped; `Ok` says why it stopped. `Err` only for what no wait can mend
/// (the folder cannot be read at all).
pub async fn run(
    settings: &WatchSettings,
    connect: &Connect,
    reporter: Arc<dyn Reporter>,
    listener: &dyn Listener,
    stop: &Stop,
) -> Result<Stopped> {
    let root = settings.upload.sources[0].root.clone();
    let mut rescan_every = settings.rescan;
    let mut events = match Events::start(&root) {
        Ok(events) => Some(events),
        Err(err) => {
            rescan_every = rescan_every.min(DEGRADED_RESCAN);
            listener.notice(Notice::Trouble(&format!(
                "cannot watch {} for file events ({err}); walking it every {} instead",
                root.display(),
                humantime::format_duration(rescan_every)
            )));
            None
        }
    };
    listener.notice(Notice::Info(&format!(
        "watching {} (settle {}, rescan every {})",
        root.display(),
        humantime::format_duration(settings.settle),
        humantime::format_duration(rescan_every)
    )));
    let reporter = Arc::new(PassReporter::new(reporter));
    let tick = (settings.settle / 4).clamp(Duration::from_millis(100), Duration::from_secs(1));
    let mut state = State {
        settler: Settler::new(settings.settle),
        selected: BTreeSet::new(),
        retries: HashMap::new(),
        full: true,
        full_done: false,
        next_rescan: Instant::now() + rescan_every,
        trouble: None,
        client: None,
        shared: upload::Shared::new(&settings.upload),
    };
    loop {
        if stop.token.is_cancelled() {
            break;
        }
        let now = Instant::now();
        for path in state.settler.ready(now.into_std()) {
            if let Some(relative) = relative(&root, &path) {
                state.selected.insert(relative);
            }
        }
        state.take_due_retries(now);
        if now >= state.next_rescan {
            state.full = true;
        }
        let may_run = state.trouble.as_ref().is_none_or(|t| now >= t.due);
        if may_run && (state.full || !state.selected.is_empty()) {
            if !state
                .pass(settings, connect, &reporter, listener, stop)
                .await
            {
                break;
            }
            if state.full_done {
                state.full_done = false;
                state.next_rescan = Instant::now() + rescan_every;
            }
            continue;
        }
        let mut wake = state.next_rescan;
        if let Some(trouble) = &state.trouble {
            wake = wake.min(trouble.due);
        }
        if let Some(due) = state.retries.values().map(|r| r.due).min() {
            wake = wake.min(due);
        }
        if !state.settler.is_empty() {
            wake = wake.min(now + tick);
        }
        tokio::select! {
            () = stop.token.cancelled() => break,
            signal = next_signal(events.as_mut()) => {
                if let Some(signal) = signal {
                    state.heard(&root, signal, listener, &mut rescan_every);
                    // Take everything already queued, so a burst costs one wake-up.
                    while let Some(more) = events.as_mut().and_then(|e| e.signals.try_recv().ok()) {
                        state.heard(&root, more, listener, &mut rescan_every);
                    }
                } else {
                    events = None;
                    rescan_every = rescan_every.min(DEGRADED_RESCAN);
                    listener.notice(Notice::Trouble(&format!(
                        "file events stopped; walking the folder every {} instead",
                        humantime::format_duration(rescan_every)
                    )));
                }
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
    listener.notice(Notice::Info(
        "stopped; unfinished uploads resume at the next start",
    ));
    Ok(stop.why().unwrap_or(Stopped::Interrupted))
}

async fn next_signal(events: Option<&mut Events>) -> Option<Signal> {
    match events {
        Some(events) => events.signals.recv().await,
        None => std::future::pending().await,
    }
}

/// Where the watch loop stands between passes.
struct State {
    settler: Settler,
    /// Paths (relative to the folder) for the next pass.
    selected: BTreeSet<PathBuf>,
    /// Files that failed, by path relative to the folder: when to try again.
    retries: HashMap<PathBuf, Retry>,
    /// The next pass walks everything.
    full: bool,
    /// A full pass just went through.
    full_done: bool,
    next_rescan: Instant,
    trouble: Option<Trouble>,
    client: Option<Arc<Client>>,
    /// `--bwlimit`: one limiter over every pass.
    shared: upload::Shared,
}

struct Retry {
    failures: u32,
    due: Instant,
    /// Waiting for its next try (else: in the selection already).
    waiting: bool,
}

/// What stopped the last pass and is being waited out.
struct Trouble {
    auth: bool,
    failures: u32,
    due: Instant,
}

impl State {
    /// The OS said something.
    fn heard(
        &mut self,
        root: &Path,
        signal: Signal,
        listener: &dyn Listener,
        rescan_every: &mut Duration,
    ) {
        match signal {
            Signal::Paths(paths) => {
                let now = std::time::Instant::now();
                for path in paths {
                    // The folder itself changes with every entry added: nothing to send.
                    if relative(root, &path).is_some() {
                        self.settler.touch(path, now);
                    }
                }
            }
            Signal::Rescan { reason, limit } => {
                if limit && *rescan_every > DEGRADED_RESCAN {
                    *rescan_every = DEGRADED_RESCAN;
                    listener.notice(Notice::Trouble(&format!(
                        "{reason}: some folders get no file events; walking everything every {} (raise fs.inotify.max_user_watches)",
                        humantime::format_duration(*rescan_every)
                    )));
                } else if !self.full {
                    listener.notice(Notice::Info(&format!("{reason}; walking everything")));
                }
                self.full = true;
            }
        }
    }

    /// Failed files whose pause is over join the next pass.
    fn take_due_retries(&mut self, now: Instant) {
        for (path, retry) in &mut self.retries {
            if retry.waiting && now >= retry.due {
                retry.waiting = false;
                self.selected.insert(path.clone());
            }
        }
    }

    /// Runs one pass. `false` when a stop was asked for.
    async fn pass(
        &mut self,
        settings: &WatchSettings,
        connect: &Connect,
        reporter: &Arc<PassReporter>,
        listener: &dyn Listener,
        stop: &Stop,
    ) -> bool {
        let full = std::mem::take(&mut self.full);
        let selected = std::mem::take(&mut self.selected);
        let outcome = self
            .run_pass(settings, connect, reporter, full, &selected, stop)
            .await;
        if stop.token.is_cancelled() {
            return false;
        }
        match outcome {
            Ok(()) => {
                if self.trouble.take().is_some() {
                    listener.notice(Notice::Info("put.io answers again; going on"));
                }
                self.full_done = full;
                self.after_pass(&settings.upload.sources[0].root, reporter, full, &selected);
            }
            Err(err) => {
                // Everything this pass was to do is still to do.
                self.full |= full;
                self.selected.extend(selected);
                self.troubled(&err, listener);
            }
        }
        true
    }

    async fn run_pass(
        &mut self,
        settings: &WatchSettings,
        connect: &Connect,
        reporter: &Arc<PassReporter>,
        full: bool,
        selected: &BTreeSet<PathBuf>,
        stop: &Stop,
    ) -> Result<()> {
        let client = if let Some(client) = &self.client {
            Arc::clone(client)
        } else {
            let client = connect()?;
            self.client = Some(Arc::clone(&client));
            client
        };
        let mut upload = settings.upload.clone();
        if !full {
            let selection = Selection::new(selected.iter()).map_err(|path| {
                Fatal::usage(format!("{} is outside the folder", path.display()))
            })?;
            upload.sources[0].scan.selection = Some(Arc::new(selection));
        }
        let reporter: Arc<dyn Reporter> = Arc::clone(reporter) as Arc<dyn Reporter>;
        upload::run_shared(
            &upload,
            client,
            reporter,
            stop.token.child_token(),
            &self.shared,
        )
        .await?;
        Ok(())
    }

    /// Files that failed wait for another try, with a growing pause; a conflict waits for
    /// the file to change instead. Files of this pass that did not fail are done.
    fn after_pass(
        &mut self,
        root: &Path,
        reporter: &PassReporter,
        full: bool,
        selected: &BTreeSet<PathBuf>,
    ) {
        let failed: HashMap<PathBuf, FailKind> = reporter
            .take_failed()
            .into_iter()
            .filter_map(|(local, kind)| relative(root, &local).map(|r| (r, kind)))
            .collect();
        if full {
            self.retries.retain(|path, _| failed.contains_key(path));
        } else {
            self.retries
                .retain(|path, _| !selected.contains(path) || failed.contains_key(path));
        }
        let now = Instant::now();
        for (path, kind) in failed {
            if !matches!(kind, FailKind::Upload | FailKind::Folder | FailKind::Local) {
                self.retries.remove(&path);
                continue;
            }
            let retry = self.retries.entry(path).or_insert(Retry {
                failures: 0,
                due: now,
                waiting: true,
            });
            retry.failures += 1;
            retry.due = now + pause(FIRST_RETRY, retry.failures);
            retry.waiting = true;
        }
    }

    /// A pass stopped: say so once, and wait longer each time.
    fn troubled(&mut self, err: &anyhow::Error, listener: &dyn Listener) {
        let auth = is_auth(err);
        let failures = match &self.trouble {
            Some(t) if t.auth == auth => t.failures + 1,
            _ => 1,
        };
        let wait = pause(FIRST_PAUSE, failures);
        if failures == 1 {
            let message = if auth {
                format!(
                    "put.io does not take the token ({}); run `putio-up login` (or give a new PUTIO_TOKEN and restart): waiting for a new token",
                    crate::format::one_line(err)
                )
            } else {
                format!(
                    "{}; waiting and trying again (up to every {})",
                    crate::format::one_line(err),
                    humantime::format_duration(MAX_PAUSE)
                )
            };
            listener.notice(Notice::Trouble(&message));
        } else {
            tracing::info!(
                "still failing ({}); next try in {}",
                crate::format::one_line(err),
                humantime::format_duration(wait)
            );
        }
        if auth {
            // The next try reads the token again.
            self.client = None;
        }
        self.trouble = Some(Trouble {
            auth,
            failures,
            due: Instant::now() + wait,
        });
    }
}

/// `path` relative to the watched folder; `None` for the folder itself and anything outside.
fn relative(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    (!rel.as_os_str().is_empty()).then(|| rel.to_owned())
}

/// `first`, doubled for each failure after the first, at most [`MAX_PAUSE`].
fn pause(first: Duration, failures: u32) -> Duration {
    first
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(MAX_PAUSE)
}

/// The token was refused (or cannot be had): only a new one helps.
fn is_auth(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<Fatal>()
            .is_some_and(|f| f.code == Code::Auth)
            || cause.is::<crate::api::UnsendableToken>()
            || cause
                .downcast_ref::<ApiError>()
                .is_some_and(ApiError::is_unauthorized)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_five_minutes() {
        assert_eq!(pause(FIRST_PAUSE, 1), Duration::from_secs(5));
        assert_eq!(pause(FIRST_PAUSE, 2), Duration::from_secs(10));
        assert_eq!(pause(FIRST_PAUSE, 4), Duration::from_secs(40));
        assert_eq!(pause(FIRST_PAUSE, 30), MAX_PAUSE);
    }

    #[test]
    fn paths_are_taken_relative_to_the_folder() {
        let root = Path::new("/w/box");
        assert_eq!(
            relative(root, Path::new("/w/box/a/b.txt")),
            Some(PathBuf::from("a/b.txt"))
        );
        assert_eq!(relative(root, root), None);
        assert_eq!(relative(root, Path::new("/w/other")), None);
    }

    #[test]
    fn a_rejected_token_is_told_from_other_trouble() {
        assert!(is_auth(&Fatal::auth("rejected")));
        assert!(!is_auth(&Fatal::remote("cannot reach put.io")));
        assert!(!is_auth(&anyhow::anyhow!("anything")));
    }
}
