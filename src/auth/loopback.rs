//! The browser login: OAuth 2.0 authorization code with a loopback redirect (RFC 8252 style),
//! built on the `oauth2` crate.
//!
//! A listener on 127.0.0.1 (never another interface) waits for put.io to send the browser
//! back to `http://127.0.0.1:<port>/callback`. It answers only that path, ignores any
//! callback whose `state` is not ours (with an error page; the wait goes on), ends at the
//! first callback with our state (a code, or put.io's `error=`), and gives up after the
//! timeout. The code is then traded for a token with the app's client secret.
//!
//! It sends exactly what put.io's own clients send (putio-api.md §2.1, §2.2): `client_id`,
//! `response_type=code`, `redirect_uri` and `state` to authorize; `client_id`,
//! `client_secret`, `grant_type`, `redirect_uri` and `code` to the exchange. No PKCE: no
//! put.io client sends it and put.io is not known to accept it (§2.6), and a server that
//! refuses unknown parameters would refuse the whole login. The state and the loopback-only
//! listener guard the callback; the client secret guards the exchange. The authorization code
//! and the state are never logged.
//!
//! The port. put.io is known to accept the one callback registered for the app (§2.5), so
//! the default port is fixed. Whether it also accepts another port on 127.0.0.1 (RFC 8252
//! style) is unknown. Help text of `--port` (in `cli.rs`):
//! "Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback URL
//! registered for your put.io app (default 53683). Another port, or 0 (any free one), only
//! works if put.io accepts any loopback port for the app, which is not known."

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Result;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, HttpClientError, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::api::ApiError;
use crate::api::oauth::Public;
use crate::exit::{Fatal, LoginFailed};
use crate::secret::Token;
use crate::ui;

/// The callback port when `--port` is not given. put.io matches the redirect URI registered
/// for the app, so it must be fixed and documented (README: "Logging in").
pub const DEFAULT_PORT: u16 = 53683;
pub const CALLBACK_PATH: &str = "/callback";
/// A connection that has not sent its request line by then is dropped (browsers open
/// speculative connections that never send anything).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REQUEST_HEAD: usize = 16 * 1024;

pub struct BrowserLogin {
    pub port: u16,
    pub open_browser: bool,
    pub timeout: Duration,
}

pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{CALLBACK_PATH}")
}

/// put.io's token answer: only `access_token` is promised (putio-api.md §2.2), so unlike
/// `oauth2`'s standard response a missing `token_type` is fine.
#[derive(Debug, Deserialize, Serialize)]
struct PutioTokenResponse {
    access_token: AccessToken,
    #[serde(default = "bearer")]
    token_type: BasicTokenType,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

impl TokenResponse for PutioTokenResponse {
    type TokenType = BasicTokenType;
    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        None
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        None
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    PutioTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Runs the whole browser login and returns the token put.io issued (not yet checked).
pub async fn login(
    public: &Public,
    client_id: &str,
    client_secret: &ClientSecret,
    options: &BrowserLogin,
) -> Result<Token> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))
        .await
        .map_err(|err| {
            Fatal::usage(format!(
                "cannot listen on 127.0.0.1:{} for put.io's callback ({err}); is another login \
                 running? Free the port, or use --port with the same port in the callback URL \
                 registered at put.io",
                options.port
            ))
        })?;
    let port = listener.local_addr()?.port();
    let redirect = redirect_uri(port);
    let client: OAuthClient = oauth2::Client::new(ClientId::new(client_id.to_owned()))
        .set_client_secret(client_secret.clone())
        .set_auth_uri(AuthUrl::new(public.url("/v2/oauth2/authenticate"))?)
        .set_token_uri(TokenUrl::new(public.url("/v2/oauth2/access_token"))?)
        .set_redirect_uri(RedirectUrl::new(redirect.clone())?)
        // put.io's clients send the app credentials as parameters, not HTTP Basic.
        .set_auth_type(AuthType::RequestBody);
    let (url, state) = client.authorize_url(CsrfToken::new_random).url();
    tracing::debug!(%redirect, "waiting for the browser login");
    if options.port == 0 {
        ui::say(&format!(
            "putio-up: --port 0 chose port {port}; put.io accepts {redirect} only if it allows \
             any loopback port for your app (not known). If the login fails, use the port of \
             the callback URL registered for the app (default {DEFAULT_PORT})."
        ));
    }

    let opened = options.open_browser && open_browser(url.as_str()).await;
    if opened {
        ui::say("putio-up: your browser shows put.io's login page; if it does not, open:");
    } else {
        ui::say("putio-up: open this address in a browser to log in to put.io:");
    }
    ui::say(&format!("\n    {url}\n"));
    ui::say(&format!(
        "putio-up: waiting up to {} for put.io to send the browser back to {redirect} \
         (Ctrl-C to cancel)",
        human_duration(options.timeout)
    ));

    let callback = wait_for_callback(listener, state.secret().clone(), options.timeout).await?;
    let code = match callback {
        Callback::Code(code) => code,
        Callback::Denied { error, description } => {
            let detail = description
                .map(|d| format!(" ({})", printable(&d)))
                .unwrap_or_default();
            return Err(LoginFailed::error(format!(
                "put.io did not authorize putio-up: {}{detail}; run `putio-up login` again \
                 and allow access",
                printable(&error)
            )));
        }
    };
    tracing::debug!("callback received; trading the code for a token");
    let answer = client
        .exchange_code(AuthorizationCode::new(code))
        .request_async(public.http())
        .await
        .map_err(|err| exchange_error(err, &redirect))?;
    Token::new(answer.access_token().secret())
        .ok_or_else(|| LoginFailed::error("put.io answered the code exchange with an empty token"))
}

/// One clear line per way the exchange fails. Never quotes the answer's body.
fn exchange_error(
    err: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
    redirect: &str,
) -> anyhow::Error {
    match err {
        RequestTokenError::ServerResponse(answer) => {
            let detail = answer
                .error_description()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            LoginFailed::error(format!(
                "put.io refused to trade the login code for a token: {}{detail}; check \
                 PUTIO_CLIENT_ID / PUTIO_CLIENT_SECRET and that the app's callback URL is {redirect}",
                answer.error().as_ref()
            ))
        }
        RequestTokenError::Request(HttpClientError::Reqwest(source)) => {
            anyhow::Error::new(ApiError::transport("finish the login at put.io", *source))
        }
        RequestTokenError::Request(other) => {
            Fatal::remote(format!("could not finish the login at put.io: {other}"))
        }
        RequestTokenError::Parse(..) => LoginFailed::error(
            "put.io's answer to the code exchange could not be read (no access_token)",
        ),
        RequestTokenError::Other(text) => LoginFailed::error(format!(
            "put.io's answer to the code exchange was unexpected: {text}"
        )),
    }
}

/// Opens the system browser where there is one. On Linux and the BSDs a graphical session is
/// required: without one, a text browser could take over the terminal.
async fn open_browser(url: &str) -> bool {
    if cfg!(all(unix, not(target_os = "macos")))
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return false;
    }
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || webbrowser::open(&url).is_ok())
        .await
        .unwrap_or(false)
}

pub(crate) fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// What a callback with our state brought.
#[derive(Debug, PartialEq, Eq)]
enum Callback {
    Code(String),
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// How to answer one request to the listener.
#[derive(Debug, PartialEq, Eq)]
enum Judgement {
    NotFound,
    MethodNotAllowed,
    /// A callback that is not ours, or carries nothing: error page, keep waiting.
    Ignored(&'static str),
    Accepted(Callback),
}

/// Judges a request line such as `GET /callback?code=..&state=.. HTTP/1.1`.
fn judge(request_line: &str, expected_state: &str) -> Judgement {
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Judgement::NotFound;
    }
    if method != "GET" {
        return Judgement::MethodNotAllowed;
    }
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    match state {
        None => return Judgement::Ignored("it carries no state"),
        Some(state) if state != expected_state => {
            return Judgement::Ignored("its state is not the one putio-up sent");
        }
        Some(_) => {}
    }
    if let Some(error) = error.filter(|e| !e.is_empty()) {
        return Judgement::Accepted(Callback::Denied { error, description });
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => Judgement::Accepted(Callback::Code(code)),
        None => Judgement::Ignored("it carries neither a code nor an error"),
    }
}

type Slot = Arc<Mutex<Option<oneshot::Sender<Callback>>>>;

/// Serves the listener until one callback with our state arrives, or the timeout.
async fn wait_for_callback(
    listener: TcpListener,
    expected_state: String,
    timeout: Duration,
) -> Result<Callback> {
    let (tx, rx) = oneshot::channel();
    let slot: Slot = Arc::new(Mutex::new(Some(tx)));
    let expected = Arc::new(expected_state);
    let accept = async {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream, expected.clone(), slot.clone()));
                }
                Err(err) => {
                    tracing::debug!("accepting a connection failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    };
    tokio::select! {
        callback = rx => callback.map_err(|_| anyhow::anyhow!("the callback listener stopped")),
        () = accept => unreachable!("the accept loop never ends"),
        () = tokio::time::sleep(timeout) => Err(LoginFailed::error(format!(
            "no answer from the browser within {}; run `putio-up login` again (a longer \
             --timeout may help), or use `putio-up login --device` or `--with-token`",
            human_duration(timeout)
        ))),
    }
}

/// Answers one connection: reads the request head, judges it, sends a small page, and hands
/// an accepted callback on once the page is out (so the browser sees it before we exit).
async fn serve(mut stream: TcpStream, expected: Arc<String>, slot: Slot) {
    let Ok(Some(line)) =
        tokio::time::timeout(REQUEST_TIMEOUT, read_request_line(&mut stream)).await
    else {
        return;
    };
    let judgement = judge(&line, &expected);
    let (status, title, text, accepted) = match judgement {
        Judgement::NotFound => (
            "404 Not Found",
            "Not found",
            "Nothing here.".to_owned(),
            None,
        ),
        Judgement::MethodNotAllowed => (
            "405 Method Not Allowed",
            "Not allowed",
            "Only GET is served here.".to_owned(),
            None,
        ),
        Judgement::Ignored(why) => {
            tracing::debug!("ignored a callback: {why}");
            (
                "400 Bad Request",
                "Not this login",
                format!(
                    "putio-up ignored this answer because {why}. Use the address that \
                     putio-up printed to log in; it is still waiting."
                ),
                None,
            )
        }
        Judgement::Accepted(callback) => {
            let sender = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            match (&callback, sender.is_some()) {
                (_, false) => (
                    "200 OK",
                    "Already done",
                    "putio-up already received an answer. You can close this tab.".to_owned(),
                    None,
                ),
                (Callback::Code(_), true) => (
                    "200 OK",
                    "Logged in",
                    "putio-up received put.io's authorization. You can close this tab and \
                     return to the terminal."
                        .to_owned(),
                    sender.map(|s| (s, callback)),
                ),
                (Callback::Denied { error, .. }, true) => (
                    "200 OK",
                    "Not authorized",
                    format!(
                        "put.io did not authorize putio-up ({}). You can close this tab.",
                        html_escape(error)
                    ),
                    sender.map(|s| (s, callback)),
                ),
            }
        }
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>putio-up: {title}</title>\
         </head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p>\
         </body></html>\n"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    if let Some((sender, callback)) = accepted {
        let _ = sender.send(callback);
    }
}

/// The first line of an HTTP request, or `None` if the connection sends no complete head.
async fn read_request_line(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    text.lines().next().map(str::to_owned)
}

/// Text from a URL, safe for a terminal: no control characters, at most 200 characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_judged_by_path_method_and_state() {
        let ok = |line| judge(line, "st8");
        assert_eq!(
            ok("GET /callback?code=abc&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Code("abc".into()))
        );
        assert_eq!(
            ok("GET /callback?error=access_denied&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Denied {
                error: "access_denied".into(),
                description: None
            })
        );
        assert!(matches!(
            ok("GET /callback?code=abc&state=other HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert!(matches!(
            ok("GET /callback?code=abc HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        // A denial with a foreign state does not end the wait either.
        assert!(matches!(
            ok("GET /callback?error=access_denied&state=x HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert!(matches!(
            ok("GET /callback?state=st8 HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert_eq!(ok("GET /favicon.ico HTTP/1.1"), Judgement::NotFound);
        assert_eq!(
            ok("POST /callback?code=a&state=st8 HTTP/1.1"),
            Judgement::MethodNotAllowed
        );
        assert_eq!(
            ok("GET /callback?code=a%2Bb&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Code("a+b".into()))
        );
    }

    #[test]
    fn pages_escape_what_the_query_brought() {
        assert_eq!(
            html_escape("<b>\"x\"&'"),
            "&lt;b&gt;&quot;x&quot;&amp;&#39;"
        );
    }

    #[test]
    fn token_answers_without_token_type_are_accepted() {
        let answer: PutioTokenResponse = serde_json::from_str(r#"{"access_token":"abc"}"#).unwrap();
        assert_eq!(answer.access_token().secret(), "abc");
        assert!(!format!("{answer:?}").contains("abc"));
    }
}
