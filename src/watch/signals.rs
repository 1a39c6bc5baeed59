//! How `watch` is asked to stop: SIGTERM (a service manager: exit 0) or Ctrl-C / SIGINT (a
//! person: exit 130). The first signal cancels the stop token, so that the pass in flight
//! winds down (uploads left resumable, the journal written as it goes); a second one ends
//! the process at once.
//!
//! It owns the signal handlers; it never decides anything else.

use std::sync::{Arc, OnceLock};

use tokio_util::sync::CancellationToken;

use crate::exit::{self, Code};

/// Why the watch stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// SIGTERM: asked to stop, as a service is; not a failure.
    Terminated,
    /// Ctrl-C (SIGINT).
    Interrupted,
}

impl Stopped {
    pub fn code(self) -> Code {
        match self {
            Stopped::Terminated => Code::Success,
            Stopped::Interrupted => Code::Interrupted,
        }
    }
}

/// Cancelled by the first stop signal, which [`Stop::why`] then names.
#[derive(Clone, Debug, Default)]
pub struct Stop {
    pub token: CancellationToken,
    why: Arc<OnceLock<Stopped>>,
}

impl Stop {
    /// Stops for `why` (the first reason wins).
    pub fn stop(&self, why: Stopped) {
        let _ = self.why.set(why);
        self.token.cancel();
    }

    pub fn why(&self) -> Option<Stopped> {
        self.why.get().copied()
    }

    /// Listens for SIGTERM and Ctrl-C from now on. Call inside the runtime.
    pub fn on_signals(&self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            let stop = self.clone();
            tokio::spawn(async move {
                if term.recv().await.is_some() {
                    tracing::info!("SIGTERM: stopping");
                    stop.stop(Stopped::Terminated);
                    if term.recv().await.is_some() {
                        exit::now(Code::Success);
                    }
                }
            });
        }
        let stop = self.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            tracing::info!("interrupted: stopping; press Ctrl-C again to quit at once");
            stop.stop(Stopped::Interrupted);
            if tokio::signal::ctrl_c().await.is_ok() {
                exit::now(Code::Interrupted);
            }
        });
        Ok(())
    }
}
