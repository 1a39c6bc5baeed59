//! The fake's vocabulary: the public option and result types that tests and the binary pass in
//! and read back (re-exported from the crate root). Plain data with defaults; no behaviour, no
//! locks, no I/O. Every other module may use these; this one uses only `unknowns`.

use std::collections::BTreeMap;
use std::time::Duration;

#[cfg(doc)]
use crate::FakePutio;
use crate::unknowns::{OAuthRules, Unknowns};

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
    /// Answers lost on purpose: `(route, n)` closes the connection of the n-th request (from
    /// 1, counted since `set_faults`) to that route, as `Stats::by_route` names it (e.g.
    /// `"PATCH /files/{id}"`), after the request took full effect (a PATCH reads its whole
    /// body first). For tests of "it arrived, but the answer did not".
    pub lose_answers: Vec<(String, u64)>,
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
