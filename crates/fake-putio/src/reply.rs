//! What put.io's answers look like: the error envelope (`status`/`status_code`/`error_type`/...)
//! every failure uses, and `"status":"OK"` JSON for successes. Owns no state.

use axum::body::BodyDataStream;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// A put.io error answer. Built by state and handlers, rendered once here.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub error_type: &'static str,
    pub message: String,
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "The access token is missing, invalid or revoked.",
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: impl std::fmt::Display) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": "ERROR",
            "status_code": self.status.as_u16(),
            "error_type": self.error_type,
            "error_message": self.message,
            "error_uri": "",
            "error_id": null,
            "extra": {},
        });
        let mut response = json_response(self.status, &body);
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// A JSON body with exactly `Content-Type: application/json` (go-putio parses errors only then).
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    json_text(status, body.to_string())
}

/// `200` with a typed body that carries its own `status` (a listing page: written straight
/// to text, never built as a map of values).
pub(crate) fn typed(body: &impl serde::Serialize) -> Response {
    json_text(
        StatusCode::OK,
        serde_json::to_string(body).expect("a typed body is plain JSON"),
    )
}

fn json_text(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `200` with `body` plus `"status":"OK"`.
pub(crate) fn ok(mut body: Value) -> Response {
    if let Value::Object(map) = &mut body {
        map.insert("status".into(), Value::from("OK"));
    }
    json_response(StatusCode::OK, &body)
}

pub(crate) type Reply = Result<Response, ApiError>;

/// Unknown route on either host.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("No such endpoint.")
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "This endpoint does not accept that method.",
    )
}

/// Some unread bodies can't be drained; past this it is cheaper to let the connection go.
const DRAIN_LIMIT: u64 = 1 << 30;

/// Reads and discards the rest of a request body before an early answer, as a buffering front
/// proxy would. Otherwise closing a socket with unread bytes sends a reset that can wipe our
/// answer (a 409, a 429) from the client's receive buffer before it reads it. Skipped when the
/// client waits for `100 Continue`: it has sent nothing yet.
pub(crate) async fn drain(headers: &HeaderMap, body: &mut BodyDataStream) {
    let expects_continue = headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
    if expects_continue {
        return;
    }
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = body.next().await {
        seen += chunk.len() as u64;
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}
