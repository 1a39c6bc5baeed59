//! The browser login: OAuth 2.0 authorization code with a loopback redirect (RFC 8252 style),
//! built on the `oauth2` crate.
//!
//! A listener on 127.0.0.1 (never another interface, see [`super::callback`]) waits for
//! put.io to send the browser back to `http://127.0.0.1:<port>/callback`; the code it brings
//! is then traded for a token with the app's client secret.
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
use tokio::net::TcpListener;

use super::callback::{CALLBACK_PATH, Callback, wait_for_callback};
use super::report::{Listener, Notice};
use crate::api::ApiError;
use crate::api::oauth::Public;
use crate::exit::{Fatal, LoginFailed};
use crate::secret::Token;

pub struct BrowserLogin {
    pub port: u16,
    /// The port of the callback URL put.io's app is registered with.
    pub registered_port: u16,
    pub open_browser: bool,
    /// A graphical session to open a browser in (see [`open_browser`]).
    pub graphical: bool,
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
    person: &dyn Listener,
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
    if port != options.registered_port {
        person.notice(Notice::UnregisteredPort {
            port,
            redirect: &redirect,
            registered: options.registered_port,
        });
    }

    let opened = options.open_browser && options.graphical && open_browser(url.as_str()).await;
    person.notice(Notice::LoginPage {
        url: url.as_str(),
        opened,
    });
    person.notice(Notice::AwaitingCallback {
        redirect: &redirect,
        timeout: options.timeout,
    });

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

/// Opens the system browser. Only called in a graphical session (on Linux and the BSDs a
/// text browser could otherwise take over the terminal).
async fn open_browser(url: &str) -> bool {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || webbrowser::open(&url).is_ok())
        .await
        .unwrap_or(false)
}

/// Text from a URL, safe for a terminal: no control characters, at most 200 characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_without_token_type_are_accepted() {
        let answer: PutioTokenResponse = serde_json::from_str(r#"{"access_token":"abc"}"#).unwrap();
        assert_eq!(answer.access_token().secret(), "abc");
        assert!(!format!("{answer:?}").contains("abc"));
    }
}
