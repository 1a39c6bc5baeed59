//! Logging in and finding the token again.
//!
//! [`resolve`] finds the token for a run, first hit wins: `PUTIO_TOKEN`, then the OS keychain,
//! then the fallback file (see [`store`]). The commands `login` (browser: [`loopback`],
//! [`device`], or stdin), `logout` and `whoami` live here too. The upload engine only ever
//! sees a [`Token`]; where it came from stays here.
//!
//! The token is a password to the whole account: it is never taken from argv, never
//! logged, never put in an error message, and never written in plaintext unless the person
//! asked for it with `--insecure-storage`.
//!
//! Auth takes its inputs resolved ([`AuthSettings`], [`LoginSettings`], built by
//! `crate::settings`) and never reads the environment; it talks to the person only through
//! a [`report::Listener`], never by printing.

pub mod app;
mod callback;
pub mod device;
pub mod loopback;
pub mod report;
pub mod store;

use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use oauth2::ClientSecret;

use crate::api::oauth::Public;
use crate::api::{AccountInfo, Client, Endpoints};
use crate::exit::{Code, Fatal, LoginFailed, Outcome};
use crate::secret::Token;
use app::AppCredentials;
use report::{Listener, Notice};
use store::{KeychainError, KeychainOptions, Store};

pub use report::{TOKEN_ENV, TokenSource};

/// What every auth command works with: where put.io is, where tokens are kept, and what the
/// environment said.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub endpoints: Endpoints,
    /// The config folder, home of the token file; `None` when there is no home folder.
    pub config_dir: Option<PathBuf>,
    /// `PUTIO_TOKEN`, as found.
    pub env_token: EnvToken,
    pub keychain: KeychainOptions,
    /// A graphical session: a browser can be opened.
    pub graphical: bool,
}

/// `PUTIO_TOKEN` as the environment has it. `Debug` never shows the token.
#[derive(Clone, Debug)]
pub enum EnvToken {
    Unset,
    Set(Token),
    Empty,
    NotUnicode,
}

impl EnvToken {
    fn is_set(&self) -> bool {
        !matches!(self, EnvToken::Unset)
    }
}

/// How `login` gets its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// OAuth in a browser, with the callback on 127.0.0.1:`port` (0 = any free port).
    /// `registered_port` is the port put.io's app must have in its callback URL: `port`, or
    /// the default when `port` is 0 (for the message that says how to register the app).
    Browser {
        port: u16,
        registered_port: u16,
        open_browser: bool,
    },
    /// put.io/link code approved from another device; `web_url` is where the link points.
    Device { web_url: String },
    /// A token on stdin.
    Stdin,
}

#[derive(Debug)]
pub struct LoginSettings {
    pub method: LoginMethod,
    /// The put.io app, from the environment or the config file.
    pub app: AppCredentials,
    /// How long to wait for the browser or the code's approval.
    pub timeout: Duration,
    /// Keep the token in a 0600 file instead of the OS keychain.
    pub insecure_storage: bool,
}
/// A token is a few dozen characters; anything near this is not a token.
const MAX_TOKEN_INPUT: u64 = 64 * 1024;

#[derive(Debug)]
pub struct Found {
    pub token: Token,
    pub source: TokenSource,
}

impl AuthSettings {
    /// The token's places for this API origin.
    fn store(&self) -> Store {
        Store::new(
            &self.endpoints.api,
            self.config_dir.as_deref(),
            self.keychain,
        )
    }
}

/// `PUTIO_TOKEN`, else the keychain, else the fallback file. None of them: exit 3.
pub fn resolve(settings: &AuthSettings) -> Result<Found> {
    let store = settings.store();
    match &settings.env_token {
        EnvToken::Set(token) => {
            return Ok(Found {
                token: token.clone(),
                source: TokenSource::Environment,
            });
        }
        EnvToken::Empty => return Err(Fatal::auth(format!("{TOKEN_ENV} is set but empty"))),
        EnvToken::NotUnicode => {
            return Err(Fatal::auth(format!("{TOKEN_ENV} is not valid UTF-8")));
        }
        EnvToken::Unset => {}
    }
    let keychain_trouble = match store.keychain_read() {
        Ok(Some(token)) => {
            return Ok(Found {
                token,
                source: TokenSource::Keychain(store.keychain_entry()),
            });
        }
        Ok(None) => None,
        Err(err) => {
            tracing::debug!("keychain not read: {err}");
            Some(err)
        }
    };
    if let Some((token, path)) = store.file_read()? {
        return Ok(Found {
            token,
            source: TokenSource::File(path),
        });
    }
    Err(Fatal::auth(match keychain_trouble {
        Some(err) => format!("no put.io token found; {err}"),
        None => "no put.io token found".to_owned(),
    }))
}

/// `putio-up login`: get a token one of three ways, check it with put.io, keep it.
pub async fn login(
    auth: &AuthSettings,
    settings: &LoginSettings,
    listener: &dyn Listener,
) -> Result<Outcome> {
    let endpoints = &auth.endpoints;
    let store = auth.store();
    // The configuration the method needs first: a usage error costs nothing.
    let ready = prepare(auth, settings)?;
    // Then whether the token can be kept, before anyone goes through a login for it.
    if !settings.insecure_storage
        && let Err(err) = store.keychain_read()
    {
        return Err(cannot_keep(&err));
    }
    let public = Public::new(endpoints)?;
    let token = match ready {
        Ready::Browser {
            client_id,
            client_secret,
            options,
        } => loopback::login(&public, &client_id, &client_secret, &options, listener).await?,
        Ready::Device { app_id, web_url } => {
            device::login(&public, &app_id, &web_url, settings.timeout, listener).await?
        }
        Ready::Stdin => read_token()?,
    };
    let info = check(endpoints, &token).await.map_err(|err| {
        match err.downcast_ref::<crate::api::ApiError>() {
            Some(api) if api.is_unauthorized() => LoginFailed::error(
                "put.io rejected the token; check that it is a current OAuth token of your account",
            ),
            _ => err,
        }
    })?;
    let place = keep(&store, &token, settings.insecure_storage, listener)?;
    listener.notice(Notice::LoggedIn {
        username: &info.username,
        stored_in: &place,
    });
    if auth.env_token.is_set() {
        listener.notice(Notice::EnvironmentTokenWins);
    }
    Ok(Outcome(Code::Success))
}

/// A login method with what it needs from the configuration.
enum Ready {
    Browser {
        client_id: String,
        client_secret: ClientSecret,
        options: loopback::BrowserLogin,
    },
    Device {
        app_id: String,
        web_url: String,
    },
    Stdin,
}

/// Finds the app credentials the method needs; their absence is a usage error that says how
/// to get them.
fn prepare(auth: &AuthSettings, settings: &LoginSettings) -> Result<Ready> {
    Ok(match &settings.method {
        LoginMethod::Browser {
            port,
            registered_port,
            open_browser,
        } => {
            let app = &settings.app;
            let (Some(client_id), Some(client_secret)) = (&app.client_id, &app.client_secret)
            else {
                return Err(app.missing_for_browser(&loopback::redirect_uri(*registered_port)));
            };
            Ready::Browser {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                options: loopback::BrowserLogin {
                    port: *port,
                    registered_port: *registered_port,
                    open_browser: *open_browser,
                    graphical: auth.graphical,
                    timeout: settings.timeout,
                },
            }
        }
        LoginMethod::Device { web_url } => {
            let app = &settings.app;
            let Some(app_id) = app.client_id.clone() else {
                return Err(app.missing_for_device());
            };
            Ready::Device {
                app_id,
                web_url: web_url.clone(),
            }
        }
        LoginMethod::Stdin => Ready::Stdin,
    })
}

/// Account info with this token: proves it works.
async fn check(endpoints: &Endpoints, token: &Token) -> Result<AccountInfo> {
    let client = Client::new(endpoints.clone(), token, 3, 1)?;
    Ok(client.account_info().await?)
}

fn cannot_keep(err: &KeychainError) -> anyhow::Error {
    LoginFailed::error(format!(
        "cannot store the token: {err}; add --insecure-storage to keep it in a file only you \
         can read, or set {TOKEN_ENV} in the environment instead of logging in"
    ))
}

/// Stores the token where asked; returns where, for the closing line.
fn keep(store: &Store, token: &Token, insecure: bool, listener: &dyn Listener) -> Result<String> {
    if insecure {
        let path = store.file_write(token)?;
        // A keychain entry would be found first and shadow the new file.
        match store.keychain_delete() {
            Ok(true) => listener.notice(Notice::RemovedOlderKeychainEntry),
            Ok(false) => {}
            Err(err) => tracing::debug!("keychain not cleared: {err}"),
        }
        listener.notice(Notice::PlaintextToken { path: &path });
        return Ok(path.display().to_string());
    }
    store
        .keychain_write(token)
        .map_err(|err| cannot_keep(&err))?;
    if store.file_delete()?
        && let Some(path) = store.file()
    {
        listener.notice(Notice::RemovedOlderFile { path });
    }
    Ok(format!("the OS keychain ({})", store.keychain_entry()))
}

/// `--with-token`: a hidden prompt on a terminal, else all of stdin.
fn read_token() -> Result<Token> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // rpassword turns echo off on the terminal (and back on), portably.
        let typed = rpassword::prompt_password("Paste your put.io token (it will not show): ")
            .map_err(|err| {
                Fatal::usage(format!("cannot read the token from the terminal: {err}"))
            })?;
        return Token::new(&typed).ok_or_else(|| Fatal::usage("no token was entered"));
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(MAX_TOKEN_INPUT)
        .read_to_string(&mut text)
        .map_err(|err| Fatal::usage(format!("cannot read the token from stdin: {err}")))?;
    if text.split_whitespace().count() > 1 {
        return Err(Fatal::usage(
            "stdin holds more than one word; pipe only the token, e.g. \
             `putio-up login --with-token < token.txt`",
        ));
    }
    Token::new(&text).ok_or_else(|| {
        Fatal::usage(
            "stdin was empty; pipe the token, e.g. `putio-up login --with-token < token.txt`",
        )
    })
}

/// `putio-up logout`: forget the stored token, wherever it is.
pub fn logout(auth: &AuthSettings, listener: &dyn Listener) -> Result<Outcome> {
    let store = auth.store();
    let mut removed = false;
    match store.keychain_delete() {
        Ok(true) => {
            removed = true;
            listener.notice(Notice::RemovedFromKeychain {
                entry: &store.keychain_entry(),
            });
        }
        Ok(false) => {}
        Err(err) => listener.notice(Notice::KeychainNotCleared {
            reason: &err.to_string(),
        }),
    }
    if store.file_delete()? {
        removed = true;
        if let Some(path) = store.file() {
            listener.notice(Notice::RemovedFile { path });
        }
    }
    if !removed {
        listener.notice(Notice::NothingStored);
    }
    if auth.env_token.is_set() {
        listener.notice(Notice::EnvironmentTokenStillSet);
    }
    Ok(Outcome(Code::Success))
}

/// put.io refused the token `source` names: the same words for every command, with the one
/// fix that can work for that source (`putio-up login` cannot help while `PUTIO_TOKEN`
/// wins). Exit 3, and the message is the whole story: no generic hint on top.
pub fn rejected(source: &TokenSource) -> anyhow::Error {
    let fix = match source {
        TokenSource::Environment => format!(
            "set {TOKEN_ENV} to a current OAuth token of your put.io account, or unset it to \
             use the token `putio-up login` stores"
        ),
        TokenSource::Keychain(_) | TokenSource::File(_) => {
            "run `putio-up login` again (`--device` on a machine without a browser, \
             `--with-token` to paste a token)"
                .to_owned()
        }
    };
    LoginFailed::error(format!(
        "put.io rejected the token from {source} (revoked or wrong); {fix}"
    ))
}

/// `putio-up whoami`: who the token belongs to, disk use, and where the token came from.
pub async fn whoami(auth: &AuthSettings, listener: &dyn Listener) -> Result<Outcome> {
    let found = resolve(auth)?;
    let info = check(&auth.endpoints, &found.token)
        .await
        .map_err(|err| match err.downcast_ref::<crate::api::ApiError>() {
            Some(api) if api.is_unauthorized() => rejected(&found.source),
            _ => err,
        })?;
    listener.notice(Notice::Account {
        info: &info,
        source: &found.source,
    });
    Ok(Outcome(Code::Success))
}
