//! The login endpoints, none of which takes a token (they are in `gate::PUBLIC_ROUTES`):
//!
//! - `GET /v2/oauth2/authenticate`: the browser page. It decides at once, without a page:
//!   approve (302 to `redirect_uri?code=..&state=..`), deny (`?error=access_denied&state=..`),
//!   or approve with a state that is not the one sent, as a confused or hostile site would.
//!   A request it cannot accept gets 400 with put.io's error envelope and is never redirected
//!   (RFC 6749 §4.1.2.1 forbids redirecting to an unchecked URI): unknown `client_id`, a
//!   `redirect_uri` the [`RedirectRule`] refuses, an unknown parameter under
//!   [`OAuthRules::strict_params`], a `response_type` other than `code`, a bad PKCE method.
//! - `GET|POST /v2/oauth2/access_token`: trades a code for the fake's token after checking
//!   client id and secret, `grant_type=authorization_code`, the code (single use, spent by any
//!   attempt that names it), the `redirect_uri` (the one given at authorize, and still one the
//!   rule accepts), unknown parameters when strict, and the PKCE verifier when a challenge was
//!   sent. Failures are put.io's OAuth shape: 400 `{"error": ..}` (`error_description` added
//!   here), `error` only ever one of the three put.io's SDK knows: `unauthorized_client` (app
//!   credentials), `access_denied` (unknown or spent code), `invalid_request` (everything
//!   else, a redirect mismatch included, where RFC 6749 would say `invalid_grant`).
//! - `GET /v2/oauth2/oob/code` and `GET /v2/oauth2/oob/code/{code}`: the put.io/link device
//!   flow; a code is approved on its Nth poll.
//!
//! Choices where `putio-api.md` marks put.io's behaviour UNKNOWN: redirect URIs must be the one
//! registered callback by default ([`RedirectRule::Exact`]; `AnyLoopbackPort` and `Any` are
//! the other answers); unknown parameters are ignored by default, and PKCE is then checked when
//! a `code_challenge` was sent (S256 or plain); issuing the token un-revokes it; device codes
//! never expire; unknown codes get 404.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::model::{Authorize, DeviceLogin};
use crate::params::Params;
use crate::reply::{self, ApiError, Reply};
use crate::state::logins::Grant;
use crate::unknowns::RedirectRule;

/// What put.io's own clients send to the authorize page (putio-api.md §2.1).
const AUTHORIZE_PARAMS: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "client_name",
    "isolated",
];
/// What put.io's own clients send to the token exchange (putio-api.md §2.2).
const TOKEN_PARAMS: &[&str] = &[
    "client_id",
    "client_secret",
    "grant_type",
    "redirect_uri",
    "code",
];

/// Letters and digits that cannot be mistaken for each other when typed.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/v2/oauth2/authenticate", get(authenticate))
        .route(
            "/v2/oauth2/access_token",
            get(access_token).post(access_token),
        )
        .route("/v2/oauth2/oob/code", get(oob_code))
        .route("/v2/oauth2/oob/code/{code}", get(oob_poll))
}

fn random_code(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// `redirect_uri` with `pairs` added to its query.
fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(key, value);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{}", query.finish());
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn authenticate(State(app): State<App>, uri: Uri) -> Reply {
    let params = Params::from_query(&uri);
    let mut state = app.lock();
    let logins = &mut state.logins;
    if params.get("client_id") != Some(logins.app.client_id.as_str()) {
        return Err(ApiError::bad_request("unknown client_id"));
    }
    if params.get("response_type") != Some("code") {
        return Err(ApiError::bad_request(
            "this fake serves response_type=code only",
        ));
    }
    let redirect_uri = params
        .get("redirect_uri")
        .filter(|uri| logins.rules.redirect.accepts(uri))
        .ok_or_else(|| ApiError::bad_request(redirect_refusal(&logins.rules.redirect)))?
        .to_owned();
    if logins.rules.strict_params
        && let Some(name) = params.unknown(AUTHORIZE_PARAMS)
    {
        return Err(ApiError::bad_request(format!("unknown parameter {name:?}")));
    }
    let sent_state = params.get("state").unwrap_or("");
    if logins.authorize == Authorize::Deny {
        return Ok(redirect_to(
            &redirect_uri,
            &[("error", "access_denied"), ("state", sent_state)],
        ));
    }
    let challenge = match params.get("code_challenge") {
        Some(challenge) => {
            let method = params.get("code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(ApiError::bad_request("unsupported code_challenge_method"));
            }
            Some((challenge.to_owned(), method.to_owned()))
        }
        None => None,
    };
    let code = random_code(32, b"0123456789abcdef");
    logins.grants.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            challenge,
        },
    );
    let answered_state = if logins.authorize == Authorize::WrongState {
        format!("not-{sent_state}")
    } else {
        sent_state.to_owned()
    };
    Ok(redirect_to(
        &redirect_uri,
        &[("code", &code), ("state", &answered_state)],
    ))
}

fn redirect_refusal(rule: &RedirectRule) -> String {
    match rule {
        RedirectRule::Exact(registered) => {
            format!("redirect_uri is not the callback registered for this app ({registered})")
        }
        RedirectRule::AnyLoopbackPort => {
            "redirect_uri must be http:// on a loopback IP address (127.0.0.1 or [::1])".to_owned()
        }
        RedirectRule::Any => "redirect_uri must be an http(s) URL".to_owned(),
    }
}

/// An OAuth failure of the token endpoint: 400 `{"error", "error_description"}`.
fn oauth_error(error: &str, description: &str) -> Response {
    reply::json_response(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    )
}

async fn access_token(State(app): State<App>, req: Request) -> Result<Response, ApiError> {
    let params = Params::from_request(req).await?;
    let mut state = app.lock();
    let logins = &mut state.logins;
    // The code is spent by any attempt that names it, right or wrong.
    let grant = params
        .get("code")
        .and_then(|code| logins.grants.remove(code));
    if logins.rules.strict_params
        && let Some(name) = params.unknown(TOKEN_PARAMS)
    {
        return Ok(oauth_error(
            "invalid_request",
            &format!("unknown parameter {name:?}"),
        ));
    }
    if params.get("client_id") != Some(logins.app.client_id.as_str())
        || params.get("client_secret") != Some(logins.app.client_secret.as_str())
    {
        return Ok(oauth_error(
            "unauthorized_client",
            "client_id or client_secret is wrong",
        ));
    }
    if params.get("grant_type") != Some("authorization_code") {
        return Ok(oauth_error(
            "invalid_request",
            "grant_type must be authorization_code",
        ));
    }
    let Some(grant) = grant else {
        return Ok(oauth_error("access_denied", "unknown or already used code"));
    };
    if params.get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return Ok(oauth_error(
            "invalid_request",
            "redirect_uri differs from the one given at authorize",
        ));
    }
    if !logins.rules.redirect.accepts(&grant.redirect_uri) {
        return Ok(oauth_error(
            "invalid_request",
            "redirect_uri is not a callback registered for this app",
        ));
    }
    if let Some((challenge, method)) = &grant.challenge {
        let verifier = params.get("code_verifier").unwrap_or("");
        let expected = if method == "S256" {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.to_owned()
        };
        if verifier.is_empty() || expected != *challenge {
            return Ok(oauth_error(
                "invalid_request",
                "code_verifier does not match code_challenge",
            ));
        }
    }
    state.token_revoked = false;
    Ok(reply::json_response(
        StatusCode::OK,
        &json!({ "access_token": app.token }),
    ))
}

async fn oob_code(State(app): State<App>, uri: Uri) -> Reply {
    let params = Params::from_query(&uri);
    let mut state = app.lock();
    let logins = &mut state.logins;
    if params.get("app_id") != Some(logins.app.client_id.as_str()) {
        return Err(ApiError::bad_request("unknown app_id"));
    }
    let code = random_code(6, CODE_ALPHABET);
    logins.devices.push(DeviceLogin {
        code: code.clone(),
        client_name: params.get("client_name").map(str::to_owned),
        polls: 0,
        approved: false,
    });
    Ok(reply::ok(json!({
        "code": code,
        "qr_code_url": format!("{}/v2/oauth2/oob/code/{code}/qr", app.api_url),
    })))
}

async fn oob_poll(State(app): State<App>, Path(code): Path<String>) -> Reply {
    let mut state = app.lock();
    let logins = &mut state.logins;
    let approve_after = logins.device_approve_after;
    let device = logins
        .devices
        .iter_mut()
        .find(|d| d.code == code)
        .ok_or_else(|| ApiError::not_found("no such code"))?;
    device.polls += 1;
    if approve_after > 0 && device.polls >= approve_after {
        device.approved = true;
    }
    let token = if device.approved {
        state.token_revoked = false;
        Value::from(app.token.as_str())
    } else {
        Value::Null
    };
    Ok(reply::ok(json!({ "oauth_token": token })))
}
