//! The put.io app putio-up logs in as, and what `login` says when it is missing. The values
//! come from `crate::settings` (environment first, then the config file); nothing here reads
//! either, and no message ever quotes the secret.

use std::path::PathBuf;

use oauth2::ClientSecret;

use crate::exit::Fatal;

pub const CLIENT_ID_ENV: &str = "PUTIO_CLIENT_ID";
pub const CLIENT_SECRET_ENV: &str = "PUTIO_CLIENT_SECRET";

/// The put.io app putio-up logs in as. The secret is only needed by the browser login.
#[derive(Debug, Default)]
pub struct AppCredentials {
    pub client_id: Option<String>,
    /// `oauth2`'s type: its `Debug` is redacted.
    pub client_secret: Option<ClientSecret>,
    /// The config file that may hold them (read or not), for messages.
    pub file: Option<PathBuf>,
}

impl AppCredentials {
    fn file_text(&self) -> String {
        self.file.as_ref().map_or_else(
            || "`putio-up.toml` in the config directory".to_owned(),
            |f| f.display().to_string(),
        )
    }

    /// The usage error for a browser login without an app: how to register one and the two
    /// other ways in.
    pub fn missing_for_browser(&self, redirect_uri: &str) -> anyhow::Error {
        Fatal::usage(format!(
            "the browser login needs a put.io app: register one in your put.io account \
             settings (OAuth apps) with the callback URL {redirect_uri}, then set \
             {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} (or client_id / client_secret in {}); \
             or log in with `putio-up login --device`, or pipe a token to \
             `putio-up login --with-token`",
            self.file_text()
        ))
    }

    /// The usage error for a device login without an app id.
    pub fn missing_for_device(&self) -> anyhow::Error {
        Fatal::usage(format!(
            "the device login needs the id of a put.io app (no secret): register one in your \
             put.io account settings (OAuth apps), then set {CLIENT_ID_ENV} (or client_id in \
             {}); or pipe a token to `putio-up login --with-token`",
            self.file_text()
        ))
    }
}
