//! The put.io client: typed calls on the API host and the tus upload host, put.io's error
//! JSON turned into [`ApiError`], and retries for idempotent calls.
//!
//! It never logs the token: it travels only in a header marked sensitive, and `-vvv`'s
//! request log names method, host, path, status and time, never headers or queries.
//!
//! It counts the requests it retried, and watches the upload host: after
//! [`UNREACHABLE_AFTER`] connections to it failed in a row, it is taken for down
//! ([`Client::upload_unreachable`]) and its requests are no longer retried.

mod endpoints;
mod error;
pub mod oauth;
pub mod probe;
pub mod retry;
mod types;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

pub use endpoints::{DEFAULT_API_URL, DEFAULT_UPLOAD_URL, Endpoints};
pub use error::{ApiError, StatusError, UnsendableToken};
pub use types::{AccountInfo, Disk, RemoteFile, RemoteTransfer};

use crate::secret::Token;

const TUS_VERSION: &str = "1.0.0";
const PAGE_SIZE: u32 = 1000;
/// A plain API call that has not answered in this time has stalled.
const API_TIMEOUT: Duration = Duration::from_secs(120);

/// Connections to the upload host that failed in a row (no answer, not even an error)
/// before it is taken for down. Any answer starts the count again, so one flaky connection
/// among good ones never trips it; with `-j` files in flight a dead host trips it within the
/// first retries.
pub const UNREACHABLE_AFTER: u32 = 5;

/// Told about every retry this client makes on its own: the call and the note
/// ([`retry::note`]).
pub type RetryHook = Box<dyn Fn(&str, &str) + Send + Sync>;

pub struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
    auth: HeaderValue,
    attempts: u32,
    retried: AtomicU64,
    reach: Mutex<Reach>,
    on_retry: OnceLock<RetryHook>,
}

/// Connection failures to the upload host since its last answer.
#[derive(Debug, Default)]
struct Reach {
    failures: u32,
    cause: String,
}

impl Reach {
    fn observe(&mut self, result: &Result<Response, reqwest::Error>) {
        match result {
            Err(err) if err.is_connect() => {
                self.failures += 1;
                self.cause = connect_cause(err);
            }
            _ => self.failures = 0,
        }
    }
}

/// Why a connection could not be made, in a few words: "connection refused".
fn connect_cause(err: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(err);
    let mut deepest = String::from("could not connect");
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".into(),
                std::io::ErrorKind::TimedOut => return "connection timed out".into(),
                _ => {}
            }
        }
        deepest = cause.to_string();
        source = cause.source();
    }
    deepest
}

/// Metadata of a new tus upload.
pub struct NewUpload<'a> {
    pub name: &'a str,
    pub parent_id: u64,
    pub length: u64,
    /// RFC 3339, seconds precision; becomes the file's `updated_at`.
    pub updated_at: Option<String>,
}

/// What a one-request upload became on put.io.
#[derive(Debug)]
pub enum Stored {
    File(RemoteFile),
    /// put.io took the upload for a torrent and started a transfer instead of storing it.
    Transfer(RemoteTransfer),
}

/// What the server said after a PATCH.
#[derive(Debug)]
pub struct PatchAnswer {
    pub offset: u64,
    /// Present when the upload completed.
    pub file_id: Option<u64>,
    pub crc32: Option<String>,
}

impl Client {
    pub fn new(
        endpoints: Endpoints,
        token: &Token,
        attempts: u32,
        connections: usize,
    ) -> anyhow::Result<Self> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| UnsendableToken)?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent(concat!("putio-up/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .tcp_nodelay(true)
            .tcp_keepalive(Duration::from_secs(30))
            .pool_max_idle_per_host(connections.max(4))
            .build()?;
        Ok(Client {
            http,
            endpoints,
            auth,
            attempts: attempts.max(1),
            retried: AtomicU64::new(0),
            reach: Mutex::new(Reach::default()),
            on_retry: OnceLock::new(),
        })
    }

    /// Where this client's own retries are reported (once; later calls are ignored).
    /// Without a hook they go to the log.
    pub fn on_retry(&self, hook: RetryHook) {
        let _ = self.on_retry.set(hook);
    }

    /// Requests retried so far, by this client or by callers that said so
    /// ([`Client::count_retry`]).
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// A caller's retry loop is about to try again.
    pub fn count_retry(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }

    /// `Some(message)` once the upload host is taken for down: the last
    /// [`UNREACHABLE_AFTER`] connections to it failed, with no answer in between.
    pub fn upload_unreachable(&self) -> Option<String> {
        let reach = self
            .reach
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (reach.failures >= UNREACHABLE_AFTER).then(|| {
            format!(
                "cannot reach {} ({}); nothing more was sent",
                origin_host(&self.endpoints.upload),
                reach.cause
            )
        })
    }

    /// Sends one request, logging it at `-vvv` and watching the upload host's health.
    async fn execute(&self, builder: RequestBuilder) -> Result<Response, reqwest::Error> {
        let request = builder.build()?;
        let method = request.method().clone();
        let url = request.url();
        let shown = format!("{}{}", url.host_str().unwrap_or(""), url.path());
        let to_upload = origin_host(url.as_str()) == origin_host(&self.endpoints.upload);
        let started = Instant::now();
        let result = self.http.execute(request).await;
        let ms = started.elapsed().as_millis();
        match &result {
            Ok(response) => {
                tracing::trace!(
                    "{method} {shown} -> {} in {ms} ms",
                    response.status().as_u16()
                );
            }
            Err(err) => {
                tracing::trace!(
                    "{method} {shown} -> no answer in {ms} ms: {}",
                    error::transport_reason(err)
                );
            }
        }
        if to_upload {
            self.reach
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .observe(&result);
        }
        result
    }

    /// The upload host's origin, e.g. `https://upload.put.io`.
    pub fn upload_origin(&self) -> &str {
        &self.endpoints.upload
    }

    fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.endpoints.api))
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(API_TIMEOUT)
    }

    /// A request to an upload URL. The token goes only to put.io's own hosts.
    fn upload(&self, method: Method, url: &str) -> RequestBuilder {
        let builder = self
            .http
            .request(method, url)
            .header("Tus-Resumable", TUS_VERSION);
        if self.trusted(url) {
            builder.header(reqwest::header::AUTHORIZATION, self.auth.clone())
        } else {
            builder
        }
    }

    fn trusted(&self, url: &str) -> bool {
        let host = origin_host(url);
        host == origin_host(&self.endpoints.upload)
            || host == origin_host(&self.endpoints.api)
            || host
                .split(':')
                .next()
                .is_some_and(|h| h == "put.io" || h.ends_with(".put.io"))
    }

    /// Sends the request `build` makes, retrying transient failures when `retry` is set.
    async fn send(
        &self,
        action: &str,
        retry: bool,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, ApiError> {
        let mut retry = retry::Retry::new(if retry { self.attempts } else { 1 });
        loop {
            let err = match self.execute(build()).await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => error_from(action, response).await,
                Err(err) => ApiError::transport(action, err),
            };
            // A host taken for down is not worth the wait: the caller stops the run.
            if err.is_connect() && self.upload_unreachable().is_some() {
                return Err(err);
            }
            let Some(wait) = err.is_transient().then(|| retry.failed(&err)).flatten() else {
                return Err(err);
            };
            self.count_retry();
            let note = retry::note("retrying", &err, wait, &retry);
            if let Some(hook) = self.on_retry.get() {
                hook(action, &note);
            } else {
                tracing::info!("{action}: {note}");
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        action: &str,
        retry: bool,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<T, ApiError> {
        let response = self.send(action, retry, build).await?;
        read_json(action, response).await
    }

    pub async fn account_info(&self) -> Result<AccountInfo, ApiError> {
        let envelope: types::AccountEnvelope = self
            .json("read account info", true, || {
                self.api(Method::GET, "/v2/account/info")
            })
            .await?;
        Ok(envelope.info)
    }

    pub async fn file(&self, id: u64) -> Result<RemoteFile, ApiError> {
        let action = format!("read file {id}");
        let envelope: types::FileEnvelope = self
            .json(&action, true, || {
                self.api(Method::GET, &format!("/v2/files/{id}"))
            })
            .await?;
        Ok(envelope.file)
    }

    /// Every entry of a folder, following the cursor to the end.
    pub async fn list(&self, parent_id: u64) -> Result<Vec<RemoteFile>, ApiError> {
        let action = format!("list folder {parent_id}");
        let per_page = PAGE_SIZE.to_string();
        let parent = parent_id.to_string();
        let first: types::ListPage = self
            .json(&action, true, || {
                self.api(Method::GET, "/v2/files/list").query(&[
                    ("parent_id", parent.as_str()),
                    ("per_page", per_page.as_str()),
                ])
            })
            .await?;
        let mut files = first.files;
        let mut cursor = first.cursor;
        while let Some(current) = cursor.filter(|c| !c.is_empty()) {
            let page: types::ListPage = self
                .json(&action, true, || {
                    self.api(Method::POST, "/v2/files/list/continue")
                        .query(&[("per_page", per_page.as_str())])
                        .form(&[("cursor", current.as_str())])
                })
                .await?;
            files.extend(page.files);
            cursor = page.cursor;
        }
        Ok(files)
    }

    /// Creates a folder. Not retried here: a lost answer may have created it, so the caller
    /// re-lists on failure (see `upload::remote`).
    pub async fn create_folder(&self, parent_id: u64, name: &str) -> Result<RemoteFile, ApiError> {
        let action = format!("create folder `{name}`");
        let parent = parent_id.to_string();
        let envelope: types::FileEnvelope = self
            .json(&action, false, || {
                self.api(Method::POST, "/v2/files/create-folder")
                    .form(&[("name", name), ("parent_id", parent.as_str())])
            })
            .await?;
        Ok(envelope.file)
    }

    /// Deletes files. `skip_nonexistents=1` asks put.io to skip ids that are already gone,
    /// and a 404 counts as done too: a retry after a lost answer finds the file deleted, and
    /// "gone" is what was asked for (putio-api.md §5.7; whether put.io honours the flag is
    /// unknown).
    pub async fn delete(&self, ids: &[u64]) -> Result<(), ApiError> {
        let list = ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let action = format!("delete file(s) {list}");
        let result = self
            .send(&action, true, || {
                self.api(Method::POST, "/v2/files/delete")
                    .query(&[("skip_nonexistents", "1")])
                    .form(&[("file_ids", list.as_str())])
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.status() == Some(StatusCode::NOT_FOUND) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// The account's transfers (torrents and links being fetched), newest included.
    pub async fn transfers(&self) -> Result<Vec<RemoteTransfer>, ApiError> {
        let page: types::TransfersPage = self
            .json("list transfers", true, || {
                self.api(Method::GET, "/v2/transfers/list")
            })
            .await?;
        Ok(page.transfers)
    }

    /// Starts a transfer from a magnet URI or an http(s) link into folder `parent_id`
    /// (`POST /v2/transfers/add`, putio-api.md §6.3). Not retried here: a lost answer may
    /// have started it, so the caller looks at the transfers before adding it again.
    pub async fn add_transfer(
        &self,
        url: &str,
        parent_id: u64,
    ) -> Result<RemoteTransfer, ApiError> {
        let parent = parent_id.to_string();
        let envelope: types::TransferEnvelope = self
            .json("add transfer", false, || {
                self.api(Method::POST, "/v2/transfers/add")
                    .form(&[("url", url), ("save_parent_id", parent.as_str())])
            })
            .await?;
        Ok(envelope.transfer)
    }

    /// One-request upload (`POST /v2/files/upload`, multipart) for small files: the cheapest
    /// sequence the protocol has. Not retried here: a lost answer may have stored the file,
    /// so the caller checks before sending again. Never for `.torrent` files (put.io would
    /// start a transfer instead of storing them).
    pub async fn upload_small(
        &self,
        name: &str,
        parent_id: u64,
        length: u64,
        body: reqwest::Body,
        action: &str,
    ) -> Result<Stored, ApiError> {
        let file = reqwest::multipart::Part::stream_with_length(body, length)
            .file_name(name.to_owned())
            .mime_str("application/octet-stream")
            .map_err(|err| ApiError::transport(action, err))?;
        let form = reqwest::multipart::Form::new()
            .percent_encode_noop()
            .text("parent_id", parent_id.to_string())
            .text("filename", name.to_owned())
            .part("file", file);
        let request = self
            .http
            .post(format!("{}/v2/files/upload", self.endpoints.upload))
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form);
        let response = self
            .execute(request)
            .await
            .map_err(|err| ApiError::transport(action, err))?;
        let envelope: types::UploadEnvelope = read_json(action, response).await?;
        match (envelope.file, envelope.transfer) {
            (Some(file), _) => Ok(Stored::File(file)),
            (None, Some(transfer)) => Ok(Stored::Transfer(transfer)),
            (None, None) => Err(ApiError::protocol(
                action,
                "the answer names neither a file nor a transfer",
            )),
        }
    }

    /// tus creation: returns the upload URL.
    pub async fn tus_create(&self, upload: &NewUpload<'_>) -> Result<String, ApiError> {
        let action = format!("start upload of `{}`", upload.name);
        let metadata = tus_metadata(upload);
        let url = format!("{}/files/", self.endpoints.upload);
        let response = self
            .send(&action, true, || {
                self.upload(Method::POST, &url)
                    .header("Upload-Length", upload.length)
                    .header("Upload-Metadata", metadata.as_str())
                    .header(reqwest::header::CONTENT_LENGTH, 0)
                    .timeout(API_TIMEOUT)
            })
            .await?;
        if response.status() != StatusCode::CREATED {
            return Err(ApiError::protocol(
                &action,
                format!("status {} instead of 201", response.status()),
            ));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::protocol(&action, "no Location header"))?;
        Ok(
            if location.starts_with("http://") || location.starts_with("https://") {
                location.to_owned()
            } else {
                format!(
                    "{}/{}",
                    self.endpoints.upload,
                    location.trim_start_matches('/')
                )
            },
        )
    }

    /// tus HEAD: the server's offset, or `None` when it no longer knows the upload.
    pub async fn tus_offset(&self, url: &str) -> Result<Option<u64>, ApiError> {
        let action = "ask upload offset";
        let result = self
            .send(action, true, || {
                self.upload(Method::HEAD, url).timeout(API_TIMEOUT)
            })
            .await;
        match result {
            Ok(response) => header_u64(response.headers(), "upload-offset")
                .map(Some)
                .ok_or_else(|| ApiError::protocol(action, "no Upload-Offset header")),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// One tus PATCH of `length` bytes at `offset`. Not retried here: the caller asks the
    /// server's offset and resumes from it.
    pub async fn tus_patch(
        &self,
        url: &str,
        offset: u64,
        length: u64,
        body: reqwest::Body,
        action: &str,
    ) -> Result<PatchAnswer, ApiError> {
        let request = self
            .upload(Method::PATCH, url)
            .header("Upload-Offset", offset)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/offset+octet-stream",
            )
            .header(reqwest::header::CONTENT_LENGTH, length)
            .body(body);
        let response = self
            .execute(request)
            .await
            .map_err(|err| ApiError::transport(action, err))?;
        if !response.status().is_success() {
            return Err(error_from(action, response).await);
        }
        let headers = response.headers();
        let offset = header_u64(headers, "upload-offset")
            .ok_or_else(|| ApiError::protocol(action, "no Upload-Offset header"))?;
        Ok(PatchAnswer {
            offset,
            file_id: header_u64(headers, "putio-file-id"),
            crc32: headers
                .get("putio-file-crc32")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty()),
        })
    }

    /// tus DELETE: abandon an upload. Best effort.
    pub async fn tus_abort(&self, url: &str) {
        let _ = self
            .execute(self.upload(Method::DELETE, url).timeout(API_TIMEOUT))
            .await;
    }
}

/// The JSON of a successful answer, or the error the answer stands for. A body that is not
/// the JSON expected is reported by position only: never quote it, it may hold a token.
async fn read_json<T: DeserializeOwned>(action: &str, response: Response) -> Result<T, ApiError> {
    if !response.status().is_success() {
        return Err(error_from(action, response).await);
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|err| ApiError::transport(action, err))?;
    serde_json::from_slice(&bytes).map_err(|err| {
        ApiError::protocol(
            action,
            format!(
                "the answer is not the JSON expected (line {}, column {})",
                err.line(),
                err.column()
            ),
        )
    })
}

async fn error_from(action: &str, response: Response) -> ApiError {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    ApiError::from_response(action, status, &headers, &body)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `scheme://host:port` → `host:port` (lower case), for comparing where a URL points.
fn origin_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// tus `Upload-Metadata`: `key base64(value)` pairs separated by commas.
fn tus_metadata(upload: &NewUpload<'_>) -> String {
    let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
    let mut pairs = vec![
        format!("name {}", b64(upload.name)),
        format!("parent_id {}", b64(&upload.parent_id.to_string())),
        format!("no-torrent {}", b64("true")),
    ];
    if let Some(at) = &upload.updated_at {
        pairs.push(format!("updated-at {}", b64(at)));
    }
    pairs.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_base64_pairs() {
        let meta = tus_metadata(&NewUpload {
            name: "ü.torrent",
            parent_id: 12,
            length: 3,
            updated_at: None,
        });
        assert_eq!(
            meta,
            "name w7wudG9ycmVudA==,parent_id MTI=,no-torrent dHJ1ZQ=="
        );
    }

    #[test]
    fn one_answer_among_failures_keeps_the_host_reachable() {
        let mut reach = Reach::default();
        let refused = || {
            // A closed port on this machine: the connection is refused at once.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(reqwest::get(format!("http://127.0.0.1:{port}/")))
        };
        let failed = refused();
        assert!(failed.as_ref().is_err_and(reqwest::Error::is_connect));
        for _ in 0..UNREACHABLE_AFTER - 1 {
            reach.observe(&failed);
        }
        assert_eq!(reach.cause, "connection refused");
        // Any other outcome (here: a request that never got built) starts the count again.
        let other = reqwest::Client::new()
            .get("not a url")
            .build()
            .map(|_| unreachable!());
        reach.observe(&other);
        for _ in 0..UNREACHABLE_AFTER - 1 {
            reach.observe(&failed);
        }
        assert!(reach.failures < UNREACHABLE_AFTER);
        reach.observe(&failed);
        assert_eq!(reach.failures, UNREACHABLE_AFTER);
    }

    #[test]
    fn origin_hosts() {
        assert_eq!(
            origin_host("https://Upload.put.io/files/abc"),
            "upload.put.io"
        );
        assert_eq!(origin_host("http://127.0.0.1:9000"), "127.0.0.1:9000");
    }
}
