//! [`FakePutio`], the handle that owns a background thread with its own tokio runtime serving
//! both hosts, and the routers on top of every other module. The option and result types it
//! takes and returns live in `model` (re-exported here and from the crate root).
//!
//! This module also owns connection handling. Each accepted TCP connection is served here with
//! hyper-util's auto (HTTP/1 + HTTP/2) builder around the axum router, and carries a
//! `KillSwitch` in every request's extensions. A handler that fires it makes the connection
//! task drop the connection at once, unanswered: that is how "drop" faults reach the client as
//! real transport errors. Nothing here touches the account itself; that is `state`'s job.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::app::{App, KillSwitch, Shared};
use crate::gate::{self, Host};
pub use crate::model::{
    Authorize, DeviceLogin, Entry, EntryKind, Faults, OAuthApp, Options, Stats, Transfer,
};
use crate::unknowns::{OAuthRules, Unknowns};
use crate::{api, control, oauth, reply, tus};

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
        let upload_url = options.public_upload_url.clone().map_or_else(
            || format!("{scheme}://{upload_addr}"),
            |u| u.trim_end_matches('/').to_owned(),
        );
        let shared = Arc::new(Shared::new(
            options,
            format!("{scheme}://{api_addr}"),
            upload_url,
        ));
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
        self.shared.set_logger(log);
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
    let kill = KillSwitch::new();
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
        () = kill.fired() => {} // dropping `connection` closes the socket unanswered
    }
}
