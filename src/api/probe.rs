//! Raw put.io calls for `putio-up doctor`: each returns what put.io answered (status, the
//! headers that matter, the JSON body, the trace id), whatever the status, so the doctor can
//! report answers the typed calls above would turn into errors or ignore.
//!
//! Only reads (GET, HEAD) are retried, and only on transient failures: a write whose answer
//! was lost is the doctor's to look into, not ours to repeat. The token goes only where
//! `Client::upload` and `Client::api` send it; no answer here carries request headers.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};

use super::{API_TIMEOUT, ApiError, Client, origin_host, retry};

/// What put.io answered to one request.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body, when it was JSON.
    pub json: Option<serde_json::Value>,
    pub trace_id: Option<String>,
    pub elapsed: Duration,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// A header as text, trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    }

    pub fn header_u64(&self, name: &str) -> Option<u64> {
        self.header(name)?.parse().ok()
    }

    /// A top-level string field of the JSON body.
    pub fn field_str(&self, name: &str) -> Option<&str> {
        self.json.as_ref()?.get(name)?.as_str()
    }

    pub fn error_type(&self) -> Option<&str> {
        self.field_str("error_type")
            .or_else(|| self.field_str("error"))
    }

    pub fn error_message(&self) -> Option<&str> {
        self.field_str("error_message")
    }

    /// `400 NAME_ALREADY_EXIST: message`, or `200 OK`: how put.io answered, in one phrase.
    pub fn summary(&self) -> String {
        let mut text = self.status.as_u16().to_string();
        match (self.error_type(), self.error_message()) {
            (Some(kind), Some(message)) if !message.is_empty() => {
                let _ = write!(text, " {kind}: {message}");
            }
            (Some(kind), _) => {
                let _ = write!(text, " {kind}");
            }
            _ => {
                if let Some(reason) = self.status.canonical_reason() {
                    text.push(' ');
                    text.push_str(reason);
                }
            }
        }
        text
    }
}

/// A tus creation's URL, made absolute against the upload origin as `Client::tus_create` does.
pub fn absolute_location(upload_origin: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        location.to_owned()
    } else {
        format!("{upload_origin}/{}", location.trim_start_matches('/'))
    }
}

/// `host:port` of a URL, lower case: what the doctor compares upload hosts by.
pub fn host_of(url: &str) -> String {
    origin_host(url)
}

impl Client {
    /// Whether requests to `url` carry the token (put.io's own hosts only).
    pub fn sends_token_to(&self, url: &str) -> bool {
        self.trusted(url)
    }

    /// The API origin, e.g. `https://api.put.io`.
    pub fn api_origin(&self) -> &str {
        &self.endpoints.api
    }

    /// Sends what `build` makes and keeps the answer, whatever its status. `read` retries
    /// transport failures, 5xx and 429 as the typed calls do.
    async fn probe(
        &self,
        action: &str,
        read: bool,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Answer, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let failure = match build().send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let bytes = response
                        .bytes()
                        .await
                        .map_err(|err| ApiError::transport(action, err))?;
                    let answer = Answer {
                        status,
                        trace_id: headers
                            .get("x-trace-id")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        json: serde_json::from_slice(&bytes).ok(),
                        headers,
                        elapsed: started.elapsed(),
                    };
                    if status.is_success() {
                        return Ok(answer);
                    }
                    let err = ApiError::from_response(
                        action,
                        status,
                        &answer.headers,
                        &String::from_utf8_lossy(&bytes),
                    );
                    if !read || !err.is_transient() || attempt >= self.attempts {
                        return Ok(answer);
                    }
                    err
                }
                Err(err) => {
                    let err = ApiError::transport(action, err);
                    if !read || !err.is_transient() || attempt >= self.attempts {
                        return Err(err);
                    }
                    err
                }
            };
            let wait = retry::delay(attempt, &failure);
            tracing::info!("{failure}; retrying in {:.1}s", wait.as_secs_f64());
            tokio::time::sleep(wait).await;
        }
    }

    pub async fn probe_account_info(&self) -> Result<Answer, ApiError> {
        self.probe("read account info", true, || {
            self.api(Method::GET, "/v2/account/info")
        })
        .await
    }

    pub async fn probe_file(&self, id: u64) -> Result<Answer, ApiError> {
        self.probe(&format!("read file {id}"), true, || {
            self.api(Method::GET, &format!("/v2/files/{id}"))
        })
        .await
    }

    pub async fn probe_create_folder(
        &self,
        parent_id: u64,
        name: &str,
    ) -> Result<Answer, ApiError> {
        let parent = parent_id.to_string();
        self.probe(&format!("create folder `{name}`"), false, || {
            self.api(Method::POST, "/v2/files/create-folder")
                .form(&[("name", name), ("parent_id", parent.as_str())])
        })
        .await
    }

    /// The first page of a folder listing.
    pub async fn probe_list(&self, parent_id: u64, per_page: u32) -> Result<Answer, ApiError> {
        let parent = parent_id.to_string();
        let per_page = per_page.to_string();
        self.probe(&format!("list folder {parent_id}"), true, || {
            self.api(Method::GET, "/v2/files/list").query(&[
                ("parent_id", parent.as_str()),
                ("per_page", per_page.as_str()),
            ])
        })
        .await
    }

    /// The next page of a listing, as `Client::list` asks for it. A POST, but a read.
    pub async fn probe_list_continue(
        &self,
        cursor: &str,
        per_page: u32,
    ) -> Result<Answer, ApiError> {
        let per_page = per_page.to_string();
        self.probe("continue listing", true, || {
            self.api(Method::POST, "/v2/files/list/continue")
                .query(&[("per_page", per_page.as_str())])
                .form(&[("cursor", cursor)])
        })
        .await
    }

    pub async fn probe_delete(
        &self,
        ids: &[u64],
        skip_nonexistents: bool,
    ) -> Result<Answer, ApiError> {
        let list = ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        self.probe(&format!("delete file(s) {list}"), false, || {
            let request = self.api(Method::POST, "/v2/files/delete");
            let request = if skip_nonexistents {
                request.query(&[("skip_nonexistents", "1")])
            } else {
                request
            };
            request.form(&[("file_ids", list.as_str())])
        })
        .await
    }

    /// The one-request upload (`POST /v2/files/upload`), built as `Client::upload_small` does.
    pub async fn probe_upload_small(
        &self,
        parent_id: u64,
        name: &str,
        bytes: &[u8],
    ) -> Result<Answer, ApiError> {
        let url = format!("{}/v2/files/upload", self.endpoints.upload);
        self.probe(&format!("upload `{name}` in one request"), false, || {
            let file = reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str("application/octet-stream")
                .expect("a valid MIME type");
            let form = reqwest::multipart::Form::new()
                .percent_encode_noop()
                .text("parent_id", parent_id.to_string())
                .text("filename", name.to_owned())
                .part("file", file);
            self.http
                .post(&url)
                .header(reqwest::header::AUTHORIZATION, self.auth.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .timeout(API_TIMEOUT)
                .multipart(form)
        })
        .await
    }

    /// tus creation with the metadata putio-up sends (`name`, `parent_id`, `no-torrent`).
    pub async fn probe_tus_create(
        &self,
        parent_id: u64,
        name: &str,
        length: u64,
    ) -> Result<Answer, ApiError> {
        let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
        let metadata = format!(
            "name {},parent_id {},no-torrent {}",
            b64(name),
            b64(&parent_id.to_string()),
            b64("true")
        );
        let url = format!("{}/files/", self.endpoints.upload);
        self.probe(&format!("start upload of `{name}`"), false, || {
            self.upload(Method::POST, &url)
                .header("Upload-Length", length)
                .header("Upload-Metadata", metadata.as_str())
                .header(reqwest::header::CONTENT_LENGTH, 0)
                .timeout(API_TIMEOUT)
        })
        .await
    }

    pub async fn probe_tus_head(&self, url: &str) -> Result<Answer, ApiError> {
        self.probe("ask upload offset", true, || {
            self.upload(Method::HEAD, url).timeout(API_TIMEOUT)
        })
        .await
    }

    /// One PATCH of `bytes` at `offset` (empty `bytes`: the zero-length PATCH).
    pub async fn probe_tus_patch(
        &self,
        url: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<Answer, ApiError> {
        self.probe("send upload data", false, || {
            self.upload(Method::PATCH, url)
                .header("Upload-Offset", offset)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/offset+octet-stream",
                )
                .header(reqwest::header::CONTENT_LENGTH, bytes.len())
                .body(bytes.to_vec())
                .timeout(API_TIMEOUT)
        })
        .await
    }

    pub async fn probe_tus_delete(&self, url: &str) -> Result<Answer, ApiError> {
        self.probe("abandon upload", false, || {
            self.upload(Method::DELETE, url).timeout(API_TIMEOUT)
        })
        .await
    }

    pub async fn probe_transfers(&self) -> Result<Answer, ApiError> {
        self.probe("list transfers", true, || {
            self.api(Method::GET, "/v2/transfers/list")
        })
        .await
    }

    pub async fn probe_cancel_transfers(&self, ids: &[u64]) -> Result<Answer, ApiError> {
        let list = ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        self.probe(&format!("cancel transfer(s) {list}"), false, || {
            self.api(Method::POST, "/v2/transfers/cancel")
                .form(&[("transfer_ids", list.as_str())])
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_made_absolute() {
        assert_eq!(
            absolute_location("https://upload.put.io", "/files/abc"),
            "https://upload.put.io/files/abc"
        );
        assert_eq!(
            absolute_location("https://upload.put.io", "https://u2.put.io/files/abc"),
            "https://u2.put.io/files/abc"
        );
    }
}
