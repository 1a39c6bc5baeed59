//! Helpers shared by the fake's own tests: an HTTP client bound to one fake, tus shortcuts, and
//! a raw TCP client for checking what actually comes back on the wire.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fake_putio::{FakePutio, Options};
use reqwest::{Response, StatusCode};
use serde_json::Value;

pub struct World {
    pub fake: FakePutio,
    pub http: reqwest::Client,
}

impl World {
    pub fn new() -> Self {
        Self::with(Options::default())
    }

    pub fn with(options: Options) -> Self {
        let fake = FakePutio::start(options).expect("fake starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client builds");
        Self { fake, http }
    }

    pub fn auth(&self) -> String {
        format!("Bearer {}", self.fake.token())
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.fake.api_url())
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.api(path))
            .header("Authorization", self.auth())
            .send()
            .await
            .expect("request succeeds")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.api(path))
            .header("Authorization", self.auth())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encode_form(form))
            .send()
            .await
            .expect("request succeeds")
    }

    /// tus creation; returns the `Location`.
    pub async fn tus_create(&self, parent_id: u64, name: &str, length: u64) -> String {
        let response = self
            .tus_create_raw(
                length,
                &metadata(&[
                    ("name", name),
                    ("parent_id", &parent_id.to_string()),
                    ("no-torrent", "true"),
                ]),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{:?}",
            response.text().await
        );
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    pub async fn tus_create_raw(&self, length: u64, metadata: &str) -> Response {
        self.http
            .post(format!("{}/files/", self.fake.upload_url()))
            .header("Authorization", self.auth())
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata)
            .send()
            .await
            .expect("request succeeds")
    }

    pub async fn patch(
        &self,
        location: &str,
        offset: u64,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.http
            .patch(location)
            .header("Authorization", self.auth())
            .header("Tus-Resumable", "1.0.0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(body)
            .send()
            .await
            .expect("request succeeds")
    }

    /// `POST /v2/files/upload` on the upload host: one `file` part and `parent_id`.
    pub async fn multipart(&self, parent_id: u64, name: &str, content: &[u8]) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("parent_id", parent_id.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(content.to_vec()).file_name(name.to_owned()),
            );
        self.http
            .post(format!("{}/v2/files/upload", self.fake.upload_url()))
            .header("Authorization", self.auth())
            .multipart(form)
            .send()
            .await
            .expect("request succeeds")
    }

    /// A bodyless request with the token, e.g. HEAD or DELETE on a tus URL.
    pub async fn send(&self, method: reqwest::Method, url: &str) -> Response {
        self.http
            .request(method, url)
            .header("Authorization", self.auth())
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("request succeeds")
    }

    pub async fn head_offset(&self, location: &str) -> Option<u64> {
        let response = self
            .http
            .head(location)
            .header("Authorization", self.auth())
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("request succeeds");
        if response.status() != StatusCode::OK {
            return None;
        }
        Some(header_u64(&response, "upload-offset"))
    }
}

pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `Upload-Metadata` value for these pairs.
pub fn metadata(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {}", STANDARD.encode(v)))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn header_u64(response: &Response, name: &str) -> u64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

pub fn header_str<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers()[name].to_str().unwrap()
}

pub async fn json(response: Response) -> Value {
    response.json().await.expect("JSON body")
}

/// Asserts put.io's error envelope and returns its `error_type`.
pub async fn error_type(response: Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(header_str(&response, "content-type"), "application/json");
    assert!(response.headers().contains_key("x-trace-id"));
    let body = json(response).await;
    assert_eq!(body["status"], "ERROR");
    assert_eq!(body["status_code"], status);
    assert!(body["error_message"].is_string());
    assert_eq!(body["error_uri"], "");
    assert!(body["error_id"].is_null());
    assert!(body["extra"].is_object());
    body["error_type"].as_str().expect("error_type").to_owned()
}

/// Sends raw bytes on a fresh connection and reads until the server closes it. `Err` when the
/// connection was reset.
pub fn raw_exchange(base_url: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let addr = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(answer)
}

/// Polls until `check` holds (the server may still be processing what a dead client sent).
pub async fn eventually<F: AsyncFnMut() -> bool>(mut check: F) -> bool {
    for _ in 0..200 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
