//! The put.io calls made before there is a token: the device-link (OOB) code and its poll,
//! and the HTTP client the OAuth code exchange runs on. None of them sends an Authorization
//! header, and nothing here logs a response body (the poll's answer is the token).

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use super::{ApiError, Endpoints, read_json};
use crate::secret::Token;

const TIMEOUT: Duration = Duration::from_secs(30);

/// A client for put.io's login endpoints.
pub struct Public {
    http: reqwest::Client,
    api: String,
}

/// A device code and what to show the person who approves it.
#[derive(Debug, Deserialize)]
pub struct DeviceCode {
    pub code: String,
    #[serde(default)]
    pub qr_code_url: Option<String>,
}

#[derive(Deserialize)]
struct DevicePoll {
    #[serde(default)]
    oauth_token: Option<String>,
}

impl Public {
    pub fn new(endpoints: &Endpoints) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("putio-up/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(TIMEOUT)
            .timeout(TIMEOUT)
            // OAuth endpoints answer directly; following a redirect could send the code or
            // client secret somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Public {
            http,
            api: endpoints.api.clone(),
        })
    }

    /// For the `oauth2` crate's code exchange.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `{api}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        action: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let response = self
            .http
            .request(Method::GET, self.url(path))
            .header(reqwest::header::ACCEPT, "application/json")
            .query(query)
            .send()
            .await
            .map_err(|err| ApiError::transport(action, err))?;
        read_json(action, response).await
    }

    /// `GET /v2/oauth2/oob/code?app_id=..&client_name=..`.
    pub async fn device_code(
        &self,
        app_id: &str,
        client_name: &str,
    ) -> Result<DeviceCode, ApiError> {
        self.get_json(
            "get a device login code",
            "/v2/oauth2/oob/code",
            &[("app_id", app_id), ("client_name", client_name)],
        )
        .await
    }

    /// `GET /v2/oauth2/oob/code/{code}`: the token once the code was approved.
    pub async fn device_token(&self, code: &str) -> Result<Option<Token>, ApiError> {
        let path = format!("/v2/oauth2/oob/code/{}", urlencode(code));
        let poll: DevicePoll = self.get_json("check the device login", &path, &[]).await?;
        Ok(poll.oauth_token.as_deref().and_then(Token::new))
    }
}

/// Percent-encodes a path segment.
fn urlencode(text: &str) -> String {
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
