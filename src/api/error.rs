//! Errors from put.io and from the way there, and which of them are worth another try.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

/// put.io's error envelope (`status: "ERROR"`); the OAuth endpoints use `error` instead.
#[derive(Debug, Default, Deserialize)]
struct Envelope {
    error_type: Option<String>,
    error_message: Option<String>,
    error: Option<String>,
}

/// A non-success HTTP answer, with put.io's error fields when the body had them.
#[derive(Debug)]
pub struct StatusError {
    pub status: StatusCode,
    pub error_type: Option<String>,
    pub message: Option<String>,
    pub trace_id: Option<String>,
    /// For 429: when the server said we may try again.
    pub retry_at: Option<SystemTime>,
    /// What was being done, e.g. "create folder `photos`".
    pub action: String,
}

/// A token that cannot go into an HTTP header (control characters, ...): put.io could never
/// accept it, so the top treats it like a rejected token.
#[derive(Debug, thiserror::Error)]
#[error("the token has characters that cannot be sent")]
pub struct UnsendableToken;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Status(Box<StatusError>),
    /// The reason is spelled out once, with the deepest cause; reqwest's error is kept for
    /// its kind but is not a `source`, or an error chain would repeat the cause three times.
    #[error("{action}: {}", transport_reason(.cause))]
    Transport {
        action: String,
        cause: reqwest::Error,
    },
    #[error("{action}: unexpected answer from put.io: {detail}")]
    Protocol { action: String, detail: String },
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: put.io answered {}", self.action, self.status)?;
        match (&self.error_type, &self.message) {
            (Some(kind), Some(msg)) if !msg.is_empty() => write!(f, " {kind}: {msg}")?,
            (Some(kind), _) => write!(f, " {kind}")?,
            (None, Some(msg)) if !msg.is_empty() => write!(f, ": {msg}")?,
            _ => {}
        }
        if let Some(trace) = &self.trace_id {
            write!(f, " (trace id {trace})")?;
        }
        Ok(())
    }
}

/// The short reason of a transport error, without reqwest's URL (which may carry a query).
pub(super) fn transport_reason(err: &reqwest::Error) -> String {
    let mut reason = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else if err.is_body() || err.is_request() {
        "connection lost".to_owned()
    } else if err.is_decode() {
        "could not read the answer".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    let mut deepest = None;
    while let Some(cause) = source {
        deepest = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = deepest {
        // "Connection refused (os error 111)": the number helps nobody.
        let cause = cause
            .find(" (os error")
            .map_or(cause.as_str(), |cut| &cause[..cut])
            .to_lowercase();
        reason.push_str(" (");
        reason.push_str(&cause);
        reason.push(')');
    }
    reason
}

impl ApiError {
    pub fn transport(action: impl Into<String>, source: reqwest::Error) -> Self {
        ApiError::Transport {
            action: action.into(),
            cause: source.without_url(),
        }
    }

    pub fn protocol(action: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Protocol {
            action: action.into(),
            detail: detail.into(),
        }
    }

    /// Builds the error for a non-success answer from its status, headers and body text.
    pub fn from_response(
        action: impl Into<String>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &str,
    ) -> Self {
        let envelope: Envelope = serde_json::from_str(body).unwrap_or_default();
        let message = envelope.error_message.or_else(|| {
            let text = body.trim();
            (!text.is_empty() && !text.starts_with('{') && text.len() < 300)
                .then(|| text.to_owned())
        });
        ApiError::Status(Box::new(StatusError {
            status,
            error_type: envelope.error_type.or(envelope.error),
            message,
            trace_id: header_str(headers, "x-trace-id"),
            retry_at: (status == StatusCode::TOO_MANY_REQUESTS)
                .then(|| retry_at(headers, SystemTime::now())),
            action: action.into(),
        }))
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ApiError::Status(s) => Some(s.status),
            _ => None,
        }
    }

    pub fn error_type(&self) -> Option<&str> {
        match self {
            ApiError::Status(s) => s.error_type.as_deref(),
            _ => None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    pub fn is_not_found(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::NOT_FOUND | StatusCode::GONE)
        )
    }

    /// put.io names no error type for a full account (see putio-api.md §7): we take 402,
    /// 413 and any error type that speaks of disk space or storage.
    pub fn is_storage_full(&self) -> bool {
        let by_type = self.error_type().is_some_and(|t| {
            let t = t.to_ascii_uppercase();
            t.contains("DISK") || t.contains("STORAGE") || t.contains("SPACE")
        });
        by_type
            || matches!(
                self.status(),
                Some(StatusCode::PAYMENT_REQUIRED | StatusCode::PAYLOAD_TOO_LARGE)
            )
    }

    /// Worth another try: transport failures, 5xx, 408, 429 and put.io's trash lock.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Transport { cause, .. } => !cause.is_builder(),
            ApiError::Status(s) => {
                s.status.is_server_error()
                    || s.status == StatusCode::TOO_MANY_REQUESTS
                    || s.status == StatusCode::REQUEST_TIMEOUT
                    || s.error_type.as_deref() == Some("TRASH_LOCK_TIMEOUT")
            }
            ApiError::Protocol { .. } => false,
        }
    }

    /// What went wrong, in a few words, without the action: "429 Too Many Requests",
    /// "could not connect (connection refused)", "stalled 60 s". For retry notes.
    pub fn cause(&self) -> String {
        match self {
            ApiError::Status(s) => {
                let mut text = s.status.as_u16().to_string();
                if let Some(reason) = s.status.canonical_reason() {
                    text.push(' ');
                    text.push_str(reason);
                }
                if let Some(kind) = &s.error_type {
                    text.push(' ');
                    text.push_str(kind);
                }
                text
            }
            ApiError::Transport { cause, .. } => transport_reason(cause),
            ApiError::Protocol { detail, .. } => detail.clone(),
        }
    }

    /// The connection could not be made at all (refused, no route, name unknown): the host
    /// is unreachable, as opposed to a connection lost on the way.
    pub fn is_connect(&self) -> bool {
        matches!(self, ApiError::Transport { cause, .. } if cause.is_connect())
    }

    /// For 429: how long the server asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Status(s) => s
                .retry_at
                .map(|at| at.duration_since(SystemTime::now()).unwrap_or_default()),
            _ => None,
        }
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// When a 429 lets us try again: `x-ratelimit-reset` (Unix seconds) + 1 s, else
/// `Retry-After` (seconds), else one minute, as rclone does.
fn retry_at(headers: &HeaderMap, now: SystemTime) -> SystemTime {
    let number = |name| header_str(headers, name).and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(reset) = number("x-ratelimit-reset") {
        let at = UNIX_EPOCH + Duration::from_secs(reset + 1);
        // A reset far in the past or absurdly far ahead is a clock problem, not advice.
        if at > now && at < now + Duration::from_secs(3600) {
            return at;
        }
        if at <= now {
            return now + Duration::from_secs(1);
        }
    }
    if let Some(secs) = number("retry-after") {
        return now + Duration::from_secs(secs.min(3600));
    }
    now + Duration::from_secs(60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn envelope_is_read() {
        let body = r#"{"status":"ERROR","status_code":400,"error_type":"NAME_ALREADY_EXIST","error_message":"exists"}"#;
        let err = ApiError::from_response(
            "create folder `a`",
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            body,
        );
        assert_eq!(err.error_type(), Some("NAME_ALREADY_EXIST"));
        assert!(!err.is_transient());
        assert_eq!(
            err.to_string(),
            "create folder `a`: put.io answered 400 Bad Request NAME_ALREADY_EXIST: exists"
        );
    }

    #[test]
    fn rate_limit_reset_is_honoured() {
        let now = SystemTime::now();
        let reset = now.duration_since(UNIX_EPOCH).unwrap().as_secs() + 5;
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&reset.to_string()).unwrap(),
        );
        let at = retry_at(&headers, now);
        assert_eq!(at, UNIX_EPOCH + Duration::from_secs(reset + 1));
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_at(&headers, now), now + Duration::from_secs(7));
        assert_eq!(
            retry_at(&HeaderMap::new(), now),
            now + Duration::from_secs(60)
        );
    }

    #[test]
    fn storage_full_and_transient_classes() {
        let full =
            ApiError::from_response("x", StatusCode::PAYMENT_REQUIRED, &HeaderMap::new(), "{}");
        assert!(full.is_storage_full() && !full.is_transient());
        let busy = ApiError::from_response(
            "x",
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            "oops",
        );
        assert!(busy.is_transient());
        let lock = ApiError::from_response(
            "x",
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            r#"{"error_type":"TRASH_LOCK_TIMEOUT"}"#,
        );
        assert!(lock.is_transient());
    }
}
