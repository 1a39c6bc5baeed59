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

pub mod config;
pub mod device;
pub mod loopback;
pub mod store;

use std::fmt;
use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;

use anyhow::Result;
use oauth2::ClientSecret;

use crate::api::oauth::Public;
use crate::api::{AccountInfo, Client};
use crate::exit::{Code, Fatal, LoginFailed, Outcome};
use crate::format::human_bytes;
use crate::secret::Token;
use crate::settings::{Endpoints, LoginMethod, LoginSettings};
use crate::ui;
use config::AppCredentials;
use store::{KeychainError, Store};

pub const TOKEN_ENV: &str = "PUTIO_TOKEN";
/// A token is a few dozen characters; anything near this is not a token.
const MAX_TOKEN_INPUT: u64 = 64 * 1024;

/// Where the token of this run came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Environment,
    /// The keychain entry, e.g. "service putio-up, user default".
    Keychain(String),
    File(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Environment => write!(f, "environment ({TOKEN_ENV})"),
            TokenSource::Keychain(entry) => write!(f, "OS keychain ({entry})"),
            TokenSource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

#[derive(Debug)]
pub struct Found {
    pub token: Token,
    pub source: TokenSource,
}

/// The token and the places it may be kept, for the API origin in `endpoints`.
pub fn store_for(endpoints: &Endpoints) -> Store {
    Store::new(&endpoints.api, config::config_dir().as_deref())
}

/// `PUTIO_TOKEN`, else the keychain, else the fallback file. None of them: exit 3.
pub fn resolve(store: &Store) -> Result<Found> {
    match std::env::var(TOKEN_ENV) {
        Ok(raw) => {
            return Token::new(&raw)
                .map(|token| Found {
                    token,
                    source: TokenSource::Environment,
                })
                .ok_or_else(|| Fatal::auth(format!("{TOKEN_ENV} is set but empty")));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Fatal::auth(format!("{TOKEN_ENV} is not valid UTF-8")));
        }
        Err(std::env::VarError::NotPresent) => {}
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
pub async fn login(endpoints: &Endpoints, settings: &LoginSettings) -> Result<Outcome> {
    let config_dir = config::config_dir();
    let store = Store::new(&endpoints.api, config_dir.as_deref());
    // The configuration the method needs first: a usage error costs nothing.
    let ready = prepare(settings)?;
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
        } => loopback::login(&public, &client_id, &client_secret, &options).await?,
        Ready::Device { app_id, web_url } => {
            device::login(&public, &app_id, &web_url, settings.timeout).await?
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
    let place = keep(&store, &token, settings.insecure_storage)?;
    ui::say(&format!(
        "putio-up: logged in to put.io as {}; the token is stored in {place}",
        info.username
    ));
    if std::env::var_os(TOKEN_ENV).is_some() {
        ui::say(&format!(
            "putio-up: note: {TOKEN_ENV} is set here and wins over the stored token"
        ));
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
fn prepare(settings: &LoginSettings) -> Result<Ready> {
    Ok(match &settings.method {
        LoginMethod::Browser { port, open_browser } => {
            let app = AppCredentials::load(settings.config_file.as_deref())?;
            let (Some(client_id), Some(client_secret)) = (&app.client_id, &app.client_secret)
            else {
                let shown = if *port == 0 {
                    loopback::DEFAULT_PORT
                } else {
                    *port
                };
                return Err(app.missing_for_browser(&loopback::redirect_uri(shown)));
            };
            Ready::Browser {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                options: loopback::BrowserLogin {
                    port: *port,
                    open_browser: *open_browser,
                    timeout: settings.timeout,
                },
            }
        }
        LoginMethod::Device { web_url } => {
            let app = AppCredentials::load(settings.config_file.as_deref())?;
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
fn keep(store: &Store, token: &Token, insecure: bool) -> Result<String> {
    if insecure {
        let path = store.file_write(token)?;
        // A keychain entry would be found first and shadow the new file.
        match store.keychain_delete() {
            Ok(true) => ui::say("putio-up: removed the older token from the OS keychain"),
            Ok(false) => {}
            Err(err) => tracing::debug!("keychain not cleared: {err}"),
        }
        ui::say(&format!(
            "putio-up: warning: --insecure-storage: the token is in plaintext in {} (mode \
             0600: only your user can read it, and anything running as your user)",
            path.display()
        ));
        return Ok(path.display().to_string());
    }
    store
        .keychain_write(token)
        .map_err(|err| cannot_keep(&err))?;
    if store.file_delete()?
        && let Some(path) = store.file()
    {
        ui::say(&format!(
            "putio-up: removed the older plaintext token file {}",
            path.display()
        ));
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
pub fn logout(endpoints: &Endpoints) -> Result<Outcome> {
    let store = store_for(endpoints);
    let mut removed = false;
    match store.keychain_delete() {
        Ok(true) => {
            removed = true;
            ui::say(&format!(
                "putio-up: removed the token from the OS keychain ({})",
                store.keychain_entry()
            ));
        }
        Ok(false) => {}
        Err(err) => ui::say(&format!("putio-up: note: {err}; nothing removed there")),
    }
    if store.file_delete()? {
        removed = true;
        if let Some(path) = store.file() {
            ui::say(&format!("putio-up: removed {}", path.display()));
        }
    }
    if !removed {
        ui::say("putio-up: no stored token found");
    }
    if std::env::var_os(TOKEN_ENV).is_some() {
        ui::say(&format!(
            "putio-up: note: {TOKEN_ENV} is still set in this environment"
        ));
    }
    Ok(Outcome(Code::Success))
}

/// `putio-up whoami`: who the token belongs to, disk use, and where the token came from.
pub async fn whoami(endpoints: &Endpoints) -> Result<Outcome> {
    let found = resolve(&store_for(endpoints))?;
    let info = check(endpoints, &found.token).await.map_err(|err| {
        match err.downcast_ref::<crate::api::ApiError>() {
            Some(api) if api.is_unauthorized() => Fatal::auth(format!(
                "put.io rejected the token from {} (revoked or wrong)",
                found.source
            )),
            _ => err,
        }
    })?;
    ui::report(&format!(
        "username: {}\ndisk:     {} used, {} available, {} in all\ntoken:    {}",
        info.username,
        human_bytes(info.disk.used),
        human_bytes(info.disk.avail),
        human_bytes(info.disk.size),
        found.source
    ));
    Ok(Outcome(Code::Success))
}
