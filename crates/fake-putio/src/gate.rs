//! The middleware in front of every route of both hosts (not `/__fake/*`): counts the request,
//! applies the configured faults (latency, then 429, then 5xx, then drop), checks the token,
//! refuses writes of an inactive account (402), and writes the request log line.
//!
//! Faults come before the token check, like a front proxy would do them. A dropped request still
//! runs (so its effect happens) and then loses its connection; PATCH handlers get a [`DropPlan`]
//! to cut their body short themselves. The log never contains the token or any header.

use std::fmt;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::{App, KillSwitch};
use crate::reply::{self, ApiError};
use crate::state::Fault;
use crate::time;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Host {
    Api,
    Upload,
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Host::Api => "api",
            Host::Upload => "upload",
        })
    }
}

/// Routes (as matched, e.g. `/v2/oauth2/oob/code`) that answer without a token: the login
/// endpoints (see `oauth`), which exist to obtain one.
const PUBLIC_ROUTES: &[&str] = &[
    "/v2/oauth2/authenticate",
    "/v2/oauth2/access_token",
    "/v2/oauth2/oob/code",
    "/v2/oauth2/oob/code/{code}",
];

/// Routes that change the account, refused with 402 while the account is inactive
/// (`Unknowns::account_inactive`). Reads (GET, HEAD, listing continuations) stay open.
const WRITE_ROUTES: &[(Method, &str)] = &[
    (Method::POST, "/v2/files/create-folder"),
    (Method::POST, "/v2/files/delete"),
    (Method::POST, "/v2/files/rename"),
    (Method::POST, "/v2/files/upload"),
    (Method::POST, "/v2/transfers/add"),
    (Method::POST, "/v2/transfers/cancel"),
    (Method::POST, "/files/"),
    (Method::POST, "/files"),
    (Method::PATCH, "/files/{id}"),
    (Method::DELETE, "/files/{id}"),
];

/// Put in a request's extensions when its connection is to be dropped: a PATCH reads this share
/// of its body, then fires the [`KillSwitch`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropPlan {
    pub fraction: f64,
}

pub(crate) async fn gate(
    State((app, host)): State<(App, Host)>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let public = matched.is_some_and(|route| PUBLIC_ROUTES.contains(&route));
    let write = matched.is_some_and(|route| {
        WRITE_ROUTES
            .iter()
            .any(|(m, r)| *m == method && *r == route)
    });
    let key = route_key(&method, matched, &path);
    let (fault, latency, inactive) = {
        let mut state = app.lock();
        state.stats.requests += 1;
        let fault = state.decide_fault(&key);
        *state.stats.by_route.entry(key).or_default() += 1;
        (
            fault,
            state.faults().latency,
            state.unknowns.account_inactive,
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let log = |status: &dyn fmt::Display| {
        app.log(|| {
            format!(
                "{host} {method} {path} {status} {}ms",
                started.elapsed().as_millis()
            )
        });
    };
    let response = match fault {
        Fault::RateLimit { reset_secs } => {
            drain(req).await;
            rate_limited(reset_secs)
        }
        Fault::ServerError(status) => {
            drain(req).await;
            server_error(status)
        }
        Fault::None if !public && !authorized(&app, &req) => {
            drain(req).await;
            ApiError::unauthorized().into_response()
        }
        Fault::None if write && inactive => {
            drain(req).await;
            crate::unknowns::inactive_account().into_response()
        }
        Fault::None => next.run(req).await,
        Fault::Drop { fraction } => {
            log(&"DROP");
            let Some(kill) = req.extensions().get::<KillSwitch>().cloned() else {
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    "no connection to drop",
                )
                .into_response();
            };
            let response = if !public && !authorized(&app, &req) {
                ApiError::unauthorized().into_response()
            } else if write && inactive {
                crate::unknowns::inactive_account().into_response()
            } else {
                req.extensions_mut().insert(DropPlan { fraction });
                next.run(req).await
            };
            return kill.kill(response).await;
        }
    };
    log(&response.status().as_u16());
    response
}

/// Answering early: read the body away first (see [`reply::drain`]).
async fn drain(req: Request) {
    let (parts, body) = req.into_parts();
    reply::drain(&parts.headers, &mut body.into_data_stream()).await;
}

/// `"PATCH /files/{id}"`; both spellings of the tus creation URL count as `"POST /files/"`;
/// unmatched requests count under their literal path.
fn route_key(method: &Method, matched: Option<&str>, path: &str) -> String {
    let route = match matched {
        Some("/files") => "/files/",
        Some(route) => route,
        None => path,
    };
    format!("{method} {route}")
}

/// `Authorization: token|Token|Bearer <T>` or `?oauth_token=<T>`.
fn authorized(app: &App, req: &Request) -> bool {
    if app.lock().token_revoked {
        return false;
    }
    let token = app.token.as_str();
    let by_header = req
        .headers()
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|value| value.to_str().ok()?.trim().split_once(' '))
        .any(|(scheme, presented)| {
            (scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer"))
                && presented.trim() == token
        });
    by_header
        || req.uri().query().is_some_and(|query| {
            form_urlencoded::parse(query.as_bytes())
                .any(|(key, value)| key == "oauth_token" && value == token)
        })
}

fn rate_limited(reset_secs: u64) -> Response {
    let reset = time::now().saturating_add(i64::try_from(reset_secs).unwrap_or(i64::MAX));
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        "Too many requests. Slow down.",
    )
    .with_header(header::HeaderName::from_static("x-ratelimit-limit"), 100)
    .with_header(header::HeaderName::from_static("x-ratelimit-remaining"), 0)
    .with_header(header::HeaderName::from_static("x-ratelimit-reset"), reset)
    .with_header(header::HeaderName::from_static("x-ratelimit-action"), "api")
    .with_header(
        header::HeaderName::from_static("x-ratelimit-id"),
        "fake-putio",
    )
    .with_header(header::RETRY_AFTER, reset_secs)
    .into_response()
}

fn server_error(status: StatusCode) -> Response {
    let error_type = match status {
        StatusCode::BAD_GATEWAY => "BadGateway",
        StatusCode::SERVICE_UNAVAILABLE => "ServiceUnavailable",
        _ => "InternalServerError",
    };
    ApiError::new(status, error_type, "Injected server error (fake-putio).").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        assert_eq!(
            route_key(&Method::POST, Some("/files"), "/files"),
            "POST /files/"
        );
        assert_eq!(
            route_key(&Method::PATCH, Some("/files/{id}"), "/files/abc"),
            "PATCH /files/{id}"
        );
        assert_eq!(route_key(&Method::GET, None, "/nope"), "GET /nope");
    }
}
