//! What every handler shares: the account ([`State`]) behind its one mutex, the fixed facts
//! (token, public URLs), the request log and the trace-id counter; and the [`KillSwitch`] each
//! request carries to drop its own connection. Built by `server`, used by the gate and the
//! handlers; it knows nothing of routes, listeners or the runtime.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use axum::http::HeaderValue;
use tokio::sync::Notify;

use crate::model::Options;
use crate::state::State;

type Logger = Arc<dyn Fn(&str) + Send + Sync>;

/// What every handler shares: the account behind its one mutex, plus fixed facts.
pub(crate) struct Shared {
    state: Mutex<State>,
    pub token: String,
    pub api_url: String,
    pub upload_url: String,
    logger: RwLock<Option<Logger>>,
    trace_seq: AtomicU64,
}

pub(crate) type App = Arc<Shared>;

impl Shared {
    /// The account. Never hold the guard across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends one line to the request log, if someone listens; `line` is only built then.
    pub fn log(&self, line: impl FnOnce() -> String) {
        let logger = self
            .logger
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(logger) = logger {
            logger(&line());
        }
    }

    /// The account for `options`, reached at these URLs.
    pub fn new(options: Options, api_url: String, upload_url: String) -> Self {
        Self {
            state: Mutex::new(State::new(&options)),
            token: options.token,
            api_url,
            upload_url,
            logger: RwLock::new(None),
            trace_seq: AtomicU64::new(1),
        }
    }

    /// Replaces the request log's listener.
    pub fn set_logger(&self, log: impl Fn(&str) + Send + Sync + 'static) {
        *self.logger.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(log));
    }

    pub fn next_trace_id(&self) -> HeaderValue {
        let n = self.trace_seq.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("fake-{n:016x}")).expect("hex is a valid header")
    }
}

/// Closes the connection a request came on, without an answer. Present in every request's
/// extensions.
#[derive(Clone)]
pub(crate) struct KillSwitch(Arc<Notify>);

impl KillSwitch {
    pub fn new() -> Self {
        Self(Arc::new(Notify::new()))
    }

    /// Resolves once a handler fired the switch.
    pub async fn fired(&self) {
        self.0.notified().await;
    }

    /// Fires the switch, then never returns in practice: the connection (and with it, for
    /// HTTP/1, this very future) is dropped. The timeout only bounds leftover HTTP/2 streams.
    pub async fn kill<T>(&self, fallback: T) -> T {
        self.0.notify_one();
        tokio::time::sleep(Duration::from_secs(30)).await;
        fallback
    }
}
