//! The public face of the fake: its option and result types, and [`FakePutio`], the handle that
//! owns a background thread with its own tokio runtime serving both hosts.
//!
//! This module also owns connection handling. Each accepted TCP connection is served here with
//! hyper-util's auto (HTTP/1 + HTTP/2) builder around the axum router, and carries a
//! `KillSwitch` in every request's extensions. A handler that fires it makes the connection
//! task drop the connection at once, unanswered: that is how "drop" faults reach the client as
//! real transport errors. Nothing here touches the account itself; that is `state`'s job.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tower::ServiceExt;

use crate::gate::{self, Host};
use crate::state::State;
use crate::unknowns::{OAuthRules, Unknowns};
use crate::{api, control, oauth, reply, tus};

/// How the fake account behaves. `Options::default()` is a roomy, well-behaved account.
#[derive(Clone, Debug)]
pub struct Options {
    /// The one token the fake accepts.
    pub token: String,
    pub username: String,
    /// Account quota in bytes; used = sum of file sizes.
    pub disk_size: u64,
    /// `false` keeps only size and CRC32 of each file (benchmarks push gigabytes).
    pub store_bytes: bool,
    /// Larger `per_page` requests are clamped to this.
    pub per_page_max: usize,
    pub faults: Faults,
    /// Serve both hosts over HTTPS with a throw-away CA (see [`FakePutio::ca_pem`]).
    pub tls: bool,
    /// Base of the tus `Location` URLs, when clients reach the upload host under another
    /// name than its loopback address (e.g. `https://upload.put.io` through the proxy).
    pub public_upload_url: Option<String>,
    /// How the fake answers where put.io's behaviour is unknown (see [`Unknowns`]).
    pub unknowns: Unknowns,
    /// How the login endpoints check redirect URIs and parameters (see [`OAuthRules`]).
    pub oauth: OAuthRules,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            token: "fake-putio-token-0123456789abcdef".to_owned(),
            username: "fake-user".to_owned(),
            disk_size: 1 << 40,
            store_bytes: true,
            per_page_max: 1000,
            faults: Faults::default(),
            tls: false,
            public_upload_url: None,
            unknowns: Unknowns::default(),
            oauth: OAuthRules::default(),
        }
    }
}

/// Injected misbehaviour, applied to both hosts (never to `/__fake/*`). Decided per request in
/// this order: latency, rate limit, 5xx, drop.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Share of requests (0.0..=1.0) answered 500/502/503 with put.io error JSON; no state change.
    pub error_5xx: f64,
    /// 0 = off; every Nth request (counted from the last `set_faults`) answered 429.
    pub rate_limit_every: u64,
    /// `x-ratelimit-reset` = now + this (Unix seconds); 0 is treated as 1.
    pub rate_limit_reset_secs: u64,
    /// Share of requests whose connection is closed with no response. A PATCH first takes a
    /// random part of its body (kept, offset advances); other requests take effect first.
    pub drop: f64,
    /// Added before every response.
    pub latency: Duration,
    /// Seed of the fault RNG, so a run is reproducible.
    pub seed: u64,
}

/// The one OAuth app the fake knows; the login endpoints check these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthApp {
    /// Also the `app_id` of the device flow.
    pub client_id: String,
    pub client_secret: String,
}

impl Default for OAuthApp {
    fn default() -> Self {
        Self {
            client_id: "4242".to_owned(),
            client_secret: "fake-putio-client-secret".to_owned(),
        }
    }
}

/// How `/v2/oauth2/authenticate` answers (at once, no page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Authorize {
    /// Redirect to `redirect_uri?code=..&state=<the state sent>`.
    #[default]
    Approve,
    /// Redirect to `redirect_uri?error=access_denied&state=<the state sent>`.
    Deny,
    /// Redirect with a valid code but a state other than the one sent.
    WrongState,
}

/// A device code handed out by `/v2/oauth2/oob/code`, as tests see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceLogin {
    pub code: String,
    /// The `client_name` the client sent, if any.
    pub client_name: Option<String>,
    /// Polls of `/v2/oauth2/oob/code/{code}` so far.
    pub polls: u32,
    pub approved: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Folder,
    File,
}

/// One folder or file of the account, as tests see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `/photos/2024/a.jpg`: names joined with `/`; the root itself is not listed.
    pub path: String,
    pub id: u64,
    pub parent_id: u64,
    pub kind: EntryKind,
    /// Files: bytes; folders: 0.
    pub size: u64,
    /// Files: 8 lowercase hex digits; folders: `None`.
    pub crc32: Option<String>,
}

/// A transfer put.io would start: from an uploaded `.torrent` (or `.magnet`, see
/// [`Unknowns::torrents_become_transfers`]) or from `POST /v2/transfers/add`. The fake never
/// downloads anything, so a transfer stays `IN_QUEUE` and stores no file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub id: u64,
    /// The uploaded file's name, or for a link the magnet's `dn` / the URL's last segment.
    pub name: String,
    pub save_parent_id: u64,
    /// `"upload:<filename>"` for an uploaded file, else the `url` given to transfers/add.
    pub source: String,
    /// Always `"IN_QUEUE"`.
    pub status: String,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Every request to either host (not `/__fake`).
    pub requests: u64,
    /// `"GET /v2/files/list"`, `"POST /files/"`, `"PATCH /files/{id}"`, ...; unknown routes by
    /// their literal path.
    pub by_route: BTreeMap<String, u64>,
    /// Body bytes received by all `PATCH` requests, partial ones included.
    pub patch_bytes: u64,
    /// tus creations accepted.
    pub uploads_created: u64,
    pub faults_injected: u64,
}

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

    fn next_trace_id(&self) -> HeaderValue {
        let n = self.trace_seq.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("fake-{n:016x}")).expect("hex is a valid header")
    }
}

/// Closes the connection a request came on, without an answer. Present in every request's
/// extensions.
#[derive(Clone)]
pub(crate) struct KillSwitch(Arc<Notify>);

impl KillSwitch {
    /// Fires the switch, then never returns in practice: the connection (and with it, for
    /// HTTP/1, this very future) is dropped. The timeout only bounds leftover HTTP/2 streams.
    pub async fn kill<T>(&self, fallback: T) -> T {
        self.0.notify_one();
        tokio::time::sleep(Duration::from_secs(30)).await;
        fallback
    }
}

/// A running fake. Dropping it shuts both servers down and joins their thread.
pub struct FakePutio {
    shared: App,
    api_addr: SocketAddr,
    upload_addr: SocketAddr,
    scheme: &'static str,
    ca_pem: Option<String>,
    runtime: tokio::runtime::Handle,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakePutio {
    /// Binds two random loopback ports and serves them from a thread of its own, so it works from
    /// plain `#[test]`s and from inside `#[tokio::test]` alike. Returns once both are listening.
    pub fn start(options: Options) -> io::Result<FakePutio> {
        Self::start_on(options, 0, 0)
    }

    /// Like [`FakePutio::start`] on the given ports (0 = pick one).
    pub fn start_on(options: Options, api_port: u16, upload_port: u16) -> io::Result<FakePutio> {
        let api = std::net::TcpListener::bind(("127.0.0.1", api_port))?;
        let upload = std::net::TcpListener::bind(("127.0.0.1", upload_port))?;
        api.set_nonblocking(true)?;
        upload.set_nonblocking(true)?;
        let (api_addr, upload_addr) = (api.local_addr()?, upload.local_addr()?);
        let tls = if options.tls {
            Some(crate::tls::generate()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let acceptor = tls.map(|t| t.acceptor);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(&options)),
            token: options.token,
            api_url: format!("{scheme}://{api_addr}"),
            upload_url: options.public_upload_url.clone().map_or_else(
                || format!("{scheme}://{upload_addr}"),
                |u| u.trim_end_matches('/').to_owned(),
            ),
            logger: RwLock::new(None),
            trace_seq: AtomicU64::new(1),
        });
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let app = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fake-putio".to_owned())
            .spawn(move || run(&app, api, upload, acceptor, &ready_tx, shutdown_rx))?;
        match ready_rx.recv() {
            Ok(Ok(runtime)) => Ok(FakePutio {
                shared,
                api_addr,
                upload_addr,
                scheme,
                ca_pem,
                runtime,
                shutdown: Some(shutdown_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(io::Error::other(
                    "fake-putio server thread died while starting",
                ))
            }
        }
    }

    /// `http://127.0.0.1:PORT` (`https` with [`Options::tls`]): no trailing slash, no path.
    pub fn api_url(&self) -> String {
        format!("{}://{}", self.scheme, self.api_addr)
    }

    pub fn upload_url(&self) -> String {
        format!("{}://{}", self.scheme, self.upload_addr)
    }

    /// The PEM of the throw-away CA that signed the HTTPS certificate ([`Options::tls`]).
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// Starts an HTTP CONNECT proxy on loopback that tunnels `api.put.io:443` and
    /// `upload.put.io:443` to this fake (and refuses anything else). Returns its URL, for
    /// `HTTPS_PROXY`. With [`Options::tls`], a client with put.io's real endpoints and the
    /// CA of [`FakePutio::ca_pem`] then talks to the fake as if it were put.io.
    pub fn start_connect_proxy(&self) -> io::Result<String> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let _guard = self.runtime.enter();
        let listener = TcpListener::from_std(listener)?;
        self.runtime.spawn(crate::tls::proxy_loop(
            listener,
            self.api_addr,
            self.upload_addr,
        ));
        Ok(format!("http://{addr}"))
    }

    pub fn token(&self) -> String {
        self.shared.token.clone()
    }

    /// Every folder and file except the root, sorted by path.
    pub fn tree(&self) -> Vec<Entry> {
        self.shared.lock().tree()
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.shared.lock().stats = Stats::default();
    }

    /// Replaces the faults; the RNG restarts from `faults.seed`, the rate-limit count from zero.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().set_faults(faults);
    }

    /// Adds a folder (no name rules, duplicates allowed). Panics if `parent_id` is no folder.
    pub fn seed_folder(&self, parent_id: u64, name: &str) -> u64 {
        self.shared.lock().seed(parent_id, name, None)
    }

    /// Adds a file with this content (size and CRC32 always; bytes when storing them).
    pub fn seed_file(&self, parent_id: u64, name: &str, content: &[u8]) -> u64 {
        self.shared.lock().seed(parent_id, name, Some(content))
    }

    /// The stored bytes of a file; `None` for folders, unknown ids, or when discarding bytes.
    pub fn file_bytes(&self, id: u64) -> Option<Vec<u8>> {
        self.shared.lock().file_bytes(id)
    }

    /// Every later call (to either host) gets 401.
    pub fn revoke_token(&self) {
        self.shared.lock().token_revoked = true;
    }

    pub fn set_disk_size(&self, bytes: u64) {
        self.shared.lock().disk_size = bytes;
    }

    /// Files named `name` are stored with one byte flipped, so the CRC32 put.io reports
    /// differs from the one the client sent.
    pub fn corrupt_uploads_named(&self, name: &str) {
        self.shared.lock().hooks.corrupt.insert(name.to_owned());
    }

    /// tus creations for files named `name` are refused with `status` and `error_type`
    /// (a permanent error, as put.io gives for a bad name or a forbidden folder). The error
    /// type string is leaked: this is a test hook, called a handful of times.
    pub fn reject_uploads_named(&self, name: &str, status: u16, error_type: &str) {
        let status = axum::http::StatusCode::from_u16(status).expect("valid status");
        self.shared.lock().hooks.reject.insert(
            name.to_owned(),
            (status, Box::leak(error_type.to_owned().into_boxed_str())),
        );
    }

    /// Forgets every unfinished upload (HEAD and PATCH on their URLs then get 404), as if
    /// they had expired. Returns how many were forgotten.
    pub fn forget_uploads(&self) -> usize {
        self.shared.lock().forget_uploads()
    }

    /// Reads PATCH bodies at most this fast (bytes per second); `None` lifts the limit.
    /// Lets tests interrupt an upload at a chosen point.
    pub fn set_patch_rate(&self, bytes_per_second: Option<u64>) {
        self.shared.lock().hooks.patch_rate = bytes_per_second.filter(|r| *r > 0);
    }

    /// The OAuth app the login endpoints accept (default: id `4242`, a fixed secret).
    pub fn oauth_app(&self) -> OAuthApp {
        self.shared.lock().logins.app.clone()
    }

    pub fn set_oauth_app(&self, app: OAuthApp) {
        self.shared.lock().logins.app = app;
    }

    /// How the authorize endpoint answers from now on (default: approve).
    pub fn set_authorize(&self, answer: Authorize) {
        self.shared.lock().logins.authorize = answer;
    }

    /// Device codes are approved on their Nth poll (default 2; 0 = never).
    pub fn set_device_approval_after(&self, polls: u32) {
        self.shared.lock().logins.device_approve_after = polls;
    }

    /// Every device code handed out so far, oldest first.
    pub fn device_logins(&self) -> Vec<DeviceLogin> {
        self.shared.lock().logins.devices.clone()
    }

    /// Replaces the answers to put.io's unknowns; later requests see them. A CRC32 delay
    /// ([`crate::Crc32Visibility::After`]) counts from when each file was stored, not from now.
    pub fn set_unknowns(&self, unknowns: Unknowns) {
        self.shared.lock().unknowns = unknowns;
    }

    pub fn unknowns(&self) -> Unknowns {
        self.shared.lock().unknowns.clone()
    }

    /// Every transfer started so far, oldest first.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.shared.lock().transfers().to_vec()
    }

    /// Everything removed so far, in the order it went: each `files/delete` target (a folder
    /// followed by everything that was below it, by path) and each file a tus `overwrite`
    /// replaced. Paths, sizes and CRC32s are as they were when removed.
    pub fn deleted(&self) -> Vec<Entry> {
        self.shared.lock().deleted().to_vec()
    }

    /// How the login endpoints check `redirect_uri` and unknown parameters from now on.
    pub fn set_oauth_rules(&self, rules: OAuthRules) {
        self.shared.lock().logins.rules = rules;
    }

    pub fn oauth_rules(&self) -> OAuthRules {
        self.shared.lock().logins.rules.clone()
    }

    /// Receives one line per request (host, method, path without query, status, time). Used by
    /// the binary; never sees tokens or headers.
    pub fn set_request_log(&self, log: impl Fn(&str) + Send + Sync + 'static) {
        *self
            .shared
            .logger
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(log));
    }
}

impl Drop for FakePutio {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FakePutio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePutio")
            .field("api_url", &self.api_url())
            .field("upload_url", &self.upload_url())
            .finish_non_exhaustive()
    }
}

/// Body of the server thread: runtime, listeners, then wait for the handle to go away.
fn run(
    app: &App,
    api: std::net::TcpListener,
    upload: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    ready: &std::sync::mpsc::Sender<io::Result<tokio::runtime::Handle>>,
    shutdown: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("fake-putio-worker")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    runtime.block_on(async {
        let listeners = TcpListener::from_std(api).and_then(|api| {
            let upload = TcpListener::from_std(upload)?;
            Ok((api, upload))
        });
        let (api, upload) = match listeners {
            Ok(pair) => pair,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        tokio::spawn(accept_loop(api, api_router(app), app.clone(), tls.clone()));
        tokio::spawn(accept_loop(upload, upload_router(app), app.clone(), tls));
        let _ = ready.send(Ok(tokio::runtime::Handle::current()));
        let _ = shutdown.await;
    });
    runtime.shutdown_timeout(Duration::from_millis(500));
}

/// API host: `/v2/...` behind the gate, plus the ungated `/__fake/...` control routes. The
/// multipart upload is served here too, as the older JS SDK posts it to the API host.
fn api_router(app: &App) -> Router {
    api::routes()
        .merge(oauth::routes())
        .merge(tus::multipart_routes())
        .fallback(reply::not_found)
        .method_not_allowed_fallback(reply::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (app.clone(), Host::Api),
            gate::gate,
        ))
        .layer(DefaultBodyLimit::disable())
        .merge(control::routes())
        .with_state(app.clone())
}

/// Upload host: tus at `/files/` and multipart at `/v2/files/upload`, all behind the gate.
fn upload_router(app: &App) -> Router {
    tus::routes()
        .merge(tus::multipart_routes())
        .fallback(reply::not_found)
        .method_not_allowed_fallback(reply::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (app.clone(), Host::Upload),
            gate::gate,
        ))
        .layer(DefaultBodyLimit::disable())
        .with_state(app.clone())
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    app: App,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let (router, app) = (router.clone(), app.clone());
                match tls.clone() {
                    None => {
                        tokio::spawn(serve_connection(stream, router, app));
                    }
                    Some(acceptor) => {
                        tokio::spawn(async move {
                            // A failed handshake (a client that does not trust us) just ends.
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve_connection(stream, router, app).await;
                            }
                        });
                    }
                }
            }
            // Out of descriptors or similar: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn serve_connection<S>(stream: S, router: Router, app: App)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let kill = KillSwitch(Arc::new(Notify::new()));
    let switch = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(switch.clone());
        let router = router.clone();
        let trace_id = app.next_trace_id();
        async move {
            let Ok(mut response) = router.oneshot(req.map(Body::new)).await;
            response.headers_mut().insert("x-trace-id", trace_id);
            Ok::<_, Infallible>(response)
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = kill.0.notified() => {} // dropping `connection` closes the socket unanswered
    }
}
