//! Switches for put.io behaviour that `shared/putio-api.md` marks UNKNOWN: for each, the fake
//! answers one way by default and can be told to answer in another plausible way, so a client
//! can be tested against every answer it may meet. Also the login rules ([`OAuthRules`]),
//! whose default is the strict side (one exact registered callback), as OAuth servers behave.
//!
//! This module owns the types and the few pure decisions that follow from them (which error a
//! full account gets, whether a CRC32 may be shown yet, whether a redirect URI is accepted). It
//! never touches the account: `state`, `tus`, `gate` and `oauth` consult it.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::reply::ApiError;

/// One choice per UNKNOWN of the reference. `Unknowns::default()` is the fake's behaviour
/// before these switches existed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Unknowns {
    pub crc32: Crc32Visibility,
    /// tus: once an upload has completed, HEAD / PATCH / DELETE on its URL answer 404
    /// (put.io dropped the record). Default false: the completed upload stays known, HEAD
    /// says offset = length, and an empty PATCH at offset = length answers 204 again with
    /// `putio-file-id` and `putio-file-crc32`.
    pub forget_completed_uploads: bool,
    /// tus: that repeated empty PATCH at offset = length answers 204 with `Upload-Offset` but
    /// without `putio-file-id` / `putio-file-crc32`.
    pub completion_without_file_id: bool,
    /// `.torrent` files become transfers even when sent by tus with `no-torrent: true`, and
    /// `.magnet` files (any upload kind) become transfers too. Default: as today (.torrent by
    /// multipart or by tus without no-torrent becomes a transfer; .magnet is a plain file).
    pub torrents_become_transfers: bool,
    /// How a write that does not fit the quota is refused.
    pub full_answer: FullAnswer,
    /// Inactive / unpaid account: `account/info` says `account_status` "inactive" and
    /// `account_active` false; every write (create-folder, rename, delete, tus create, PATCH and
    /// DELETE, multipart upload, transfers/add) answers 402 `PaymentRequired`; reads work.
    pub account_inactive: bool,
    /// `files/delete` ignores `skip_nonexistents=1`: unknown ids are always 404.
    pub delete_ignores_skip_nonexistents: bool,
}

/// When put.io fills in a new file's `crc32`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Crc32Visibility {
    #[default]
    Immediate,
    /// `crc32` is null in EVERY answer that carries the file object (one-request upload
    /// answer, listings, `GET /v2/files/{id}`, `/child?name=`), and the completing PATCH has
    /// no `putio-file-crc32` header, until this long after the file was stored.
    After(Duration),
    /// Same, forever.
    Never,
}

impl Crc32Visibility {
    /// Whether the CRC32 of a file stored at `stored_at` may be shown now.
    pub(crate) fn shows(self, stored_at: Instant) -> bool {
        match self {
            Crc32Visibility::Immediate => true,
            Crc32Visibility::After(delay) => stored_at.elapsed() >= delay,
            Crc32Visibility::Never => false,
        }
    }
}

/// The answer to a write that does not fit the quota (tus creation, the completing PATCH,
/// multipart upload).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FullAnswer {
    /// 402 `NOT_ENOUGH_DISK_SPACE` (the fake's answer before this switch existed).
    #[default]
    PaymentRequired402,
    /// 413 `REQUEST_ENTITY_TOO_LARGE`.
    TooLarge413,
    /// 400 `UPLOAD_FAILED`, with a message that says nothing about disk, space or storage.
    BadRequest400,
    /// 403 `STORAGE_LIMIT_EXCEEDED`.
    Forbidden403,
}

impl FullAnswer {
    pub(crate) fn error(self, needed: u64, available: u64) -> ApiError {
        match self {
            FullAnswer::PaymentRequired402 => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "NOT_ENOUGH_DISK_SPACE",
                format!("Not enough disk space: {needed} bytes needed, {available} available."),
            ),
            FullAnswer::TooLarge413 => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_ENTITY_TOO_LARGE",
                format!("The upload ({needed} bytes) is larger than the account allows."),
            ),
            FullAnswer::BadRequest400 => ApiError::new(
                StatusCode::BAD_REQUEST,
                "UPLOAD_FAILED",
                "The upload could not be completed.",
            ),
            FullAnswer::Forbidden403 => ApiError::new(
                StatusCode::FORBIDDEN,
                "STORAGE_LIMIT_EXCEEDED",
                format!("The account's limit is reached: {available} bytes left."),
            ),
        }
    }
}

/// The answer to every write of an inactive account.
pub(crate) fn inactive_account() -> ApiError {
    ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        "PaymentRequired",
        "This account is not active; renew the subscription to change files.",
    )
}

/// The redirect URI putio-up registers by default: `redirect_uri(DEFAULT_CALLBACK_PORT)` of putio-up's
/// `src/auth/loopback.rs` (the fake cannot depend on putio-up; its login tests check they agree).
pub const PUTIO_UP_CALLBACK: &str = "http://127.0.0.1:53683/callback";

/// How the fake's OAuth app checks logins. Default: the exact callback putio-up registers,
/// unknown parameters ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuthRules {
    pub redirect: RedirectRule,
    /// Any parameter the fake does not know on authorize or on the token exchange (e.g. PKCE's
    /// `code_challenge`, `code_challenge_method`, `code_verifier`) is a 400. Default false:
    /// unknown parameters are ignored, and PKCE is checked when a challenge was sent.
    pub strict_params: bool,
}

/// Which `redirect_uri` the authorize request may carry (the token exchange must then repeat
/// the same one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectRule {
    /// Only this registered callback, compared as a string (scheme, host, port, path, query).
    Exact(String),
    /// Any `http://` URI on a loopback IP literal (`127.0.0.1`, any `127.x`, `[::1]`), any port
    /// and path, as RFC 8252 §7.3 asks of servers. `localhost` is refused.
    AnyLoopbackPort,
    /// Any http(s) URL (the fake's behaviour before these rules existed).
    Any,
}

impl Default for RedirectRule {
    fn default() -> Self {
        RedirectRule::Exact(PUTIO_UP_CALLBACK.to_owned())
    }
}

impl RedirectRule {
    pub(crate) fn accepts(&self, uri: &str) -> bool {
        match self {
            RedirectRule::Exact(registered) => uri == registered,
            RedirectRule::AnyLoopbackPort => loopback_http(uri),
            RedirectRule::Any => uri.starts_with("http://") || uri.starts_with("https://"),
        }
    }
}

/// `http://<loopback IP literal>[:port][/...]`, nothing else (no user info, no `localhost`).
fn loopback_http(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((host, after)) = bracketed.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || port_ok(after)) {
            return false;
        }
        host
    } else {
        match authority.split_once(':') {
            Some((host, port)) if port_ok(&format!(":{port}")) => host,
            Some(_) => return false,
            None => authority,
        }
    };
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn port_ok(text: &str) -> bool {
    text.strip_prefix(':')
        .is_some_and(|port| !port.is_empty() && port.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rule_takes_ip_literals_with_any_port_only() {
        let rule = RedirectRule::AnyLoopbackPort;
        for good in [
            "http://127.0.0.1:1/callback",
            "http://127.0.0.1:65535/x?y=1",
            "http://127.0.0.1/callback",
            "http://[::1]:8080/callback",
            "http://127.1.2.3:9/",
        ] {
            assert!(rule.accepts(good), "{good}");
        }
        for bad in [
            "https://127.0.0.1:1/callback",
            "http://localhost:1/callback",
            "http://10.0.0.1:1/callback",
            "http://127.0.0.1:99999/callback",
            "http://127.0.0.1:/callback",
            "http://user@127.0.0.1:1/callback",
            "http://[::1/callback",
            "javascript:alert(1)",
        ] {
            assert!(!rule.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn exact_rule_compares_the_whole_string() {
        let rule = RedirectRule::default();
        assert!(rule.accepts(PUTIO_UP_CALLBACK));
        assert!(!rule.accepts("http://127.0.0.1:53684/callback"));
        assert!(!rule.accepts("http://127.0.0.1:53683/callback/"));
        assert!(!rule.accepts("http://localhost:53683/callback"));
    }

    #[test]
    fn crc32_visibility() {
        let long_ago = Instant::now().checked_sub(Duration::from_secs(5)).unwrap();
        assert!(Crc32Visibility::Immediate.shows(Instant::now()));
        assert!(!Crc32Visibility::Never.shows(long_ago));
        assert!(Crc32Visibility::After(Duration::from_secs(1)).shows(long_ago));
        assert!(!Crc32Visibility::After(Duration::from_secs(3600)).shows(long_ago));
    }
}
