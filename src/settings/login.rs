//! The auth commands' settings: the token from the environment, the keychain's session, the
//! token file's folder, and for `login` the method and the put.io app's credentials
//! (environment first, each key on its own, then the config file).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use oauth2::ClientSecret;

use super::config::Config;
use crate::api::Endpoints;
use crate::auth::app::{AppCredentials, CLIENT_ID_ENV, CLIENT_SECRET_ENV};
use crate::auth::store::KeychainOptions;
use crate::auth::{AuthSettings, EnvToken, LoginMethod, LoginSettings, TOKEN_ENV};
use crate::cli::{DEFAULT_CALLBACK_PORT, LoginArgs};
use crate::secret::Token;

/// Overrides how long a keychain call may take, in seconds.
pub const KEYCHAIN_TIMEOUT_ENV: &str = "PUTIO_UP_KEYCHAIN_TIMEOUT";
/// put.io's web app, where device-login codes are approved (`/link?code=`).
pub const DEFAULT_WEB_URL: &str = "https://app.put.io";

pub fn auth(endpoints: Endpoints, config_dir: Option<PathBuf>) -> AuthSettings {
    let graphical = graphical_session();
    AuthSettings {
        endpoints,
        config_dir,
        env_token: env_token(),
        keychain: KeychainOptions::new(keychain_timeout(), graphical, session_bus()),
        graphical,
    }
}

pub fn login(
    args: &LoginArgs,
    web_url: Option<&str>,
    web_source: &str,
    config: &Config,
    config_file: Option<&Path>,
) -> Result<LoginSettings> {
    let method = if args.device {
        LoginMethod::Device {
            web_url: super::origin(web_url, DEFAULT_WEB_URL, web_source)?,
        }
    } else if args.with_token {
        LoginMethod::Stdin
    } else {
        LoginMethod::Browser {
            port: args.port,
            registered_port: if args.port == 0 {
                DEFAULT_CALLBACK_PORT
            } else {
                args.port
            },
            open_browser: !args.no_browser,
        }
    };
    Ok(LoginSettings {
        method,
        app: app_credentials(config, config_file),
        timeout: args.timeout,
        insecure_storage: args.insecure_storage,
    })
}

/// The put.io app: each key from the environment, else from the config file.
fn app_credentials(config: &Config, config_file: Option<&Path>) -> AppCredentials {
    let env = |name| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let client_secret = env(CLIENT_SECRET_ENV)
        .or_else(|| {
            config
                .client_secret
                .as_ref()
                .map(|s| Token::expose(s).to_owned())
        })
        .map(ClientSecret::new);
    AppCredentials {
        client_id: env(CLIENT_ID_ENV).or_else(|| config.client_id()),
        client_secret,
        file: config
            .path
            .clone()
            .or_else(|| config_file.map(Path::to_owned)),
    }
}

fn env_token() -> EnvToken {
    match std::env::var(TOKEN_ENV) {
        Ok(raw) => Token::new(&raw).map_or(EnvToken::Empty, EnvToken::Set),
        Err(std::env::VarError::NotUnicode(_)) => EnvToken::NotUnicode,
        Err(std::env::VarError::NotPresent) => EnvToken::Unset,
    }
}

/// `PUTIO_UP_KEYCHAIN_TIMEOUT` seconds (fractions allowed, at most an hour), if valid.
fn keychain_timeout() -> Option<Duration> {
    std::env::var(KEYCHAIN_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(3600.0)))
}

/// A session with a display: a browser can be opened and a keychain may ask for its
/// password. Always on macOS and Windows; elsewhere only with X11 or Wayland (without one, a
/// text browser could take over the terminal).
fn graphical_session() -> bool {
    !cfg!(all(unix, not(target_os = "macos")))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// A D-Bus session bus can be found: named by `DBUS_SESSION_BUS_ADDRESS`, or where clients
/// look without it, `$XDG_RUNTIME_DIR/bus`.
fn session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(&dir).join("bus").exists())
}

#[cfg(test)]
mod tests {
    use crate::auth::loopback::redirect_uri;
    use crate::cli::{DEFAULT_CALLBACK_PORT, LOGIN_HELP};

    #[test]
    fn login_help_names_the_default_callback() {
        assert!(LOGIN_HELP.contains(&redirect_uri(DEFAULT_CALLBACK_PORT)));
    }
}
