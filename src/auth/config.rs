//! Where putio-up keeps its files, and the put.io app credentials that `login` needs.
//!
//! The config directory is `PUTIO_UP_CONFIG_DIR` when set, else the platform's config
//! directory (`$XDG_CONFIG_HOME/putio-up`, `~/.config/putio-up` on Linux). The app
//! credentials come from `PUTIO_CLIENT_ID` / `PUTIO_CLIENT_SECRET`, else from `client_id` /
//! `client_secret` in `<config dir>/putio-up.toml`. Only those two keys are read here, and no
//! error message ever quotes the file's text (the secret may be on the line it is about).

use std::path::{Path, PathBuf};

use anyhow::Result;
use oauth2::ClientSecret;
use serde::Deserialize;

use crate::exit::Fatal;

/// The environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "PUTIO_UP_CONFIG_DIR";
pub const CONFIG_FILE: &str = "putio-up.toml";
pub const CLIENT_ID_ENV: &str = "PUTIO_CLIENT_ID";
pub const CLIENT_SECRET_ENV: &str = "PUTIO_CLIENT_SECRET";

/// putio-up's config directory, or `None` when there is no home to put it in.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "putio-up").map(|dirs| dirs.config_dir().to_owned())
}

/// The put.io app putio-up logs in as. The secret is only needed by the browser login.
#[derive(Debug, Default)]
pub struct AppCredentials {
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// The config file that was looked at, for messages.
    pub file: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
struct FileKeys {
    #[serde(default)]
    client_id: Option<IdValue>,
    #[serde(default)]
    client_secret: Option<String>,
}

/// `client_id = 1234` and `client_id = "1234"` both work.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Number(i64),
    Text(String),
}

impl AppCredentials {
    /// Environment first, each key on its own, then the config `file` (the one `--config` /
    /// `PUTIO_UP_CONFIG` names, else `putio-up.toml` in the config directory).
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let file = file.map(Path::to_path_buf);
        let keys = match &file {
            Some(path) => read_keys(path)?,
            None => FileKeys::default(),
        };
        let env = |name| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let client_id = env(CLIENT_ID_ENV).or(keys.client_id.map(|id| match id {
            IdValue::Number(n) => n.to_string(),
            IdValue::Text(text) => text.trim().to_owned(),
        }));
        let client_secret = env(CLIENT_SECRET_ENV)
            .or(keys.client_secret.map(|s| s.trim().to_owned()))
            .filter(|s| !s.is_empty())
            .map(ClientSecret::new);
        Ok(AppCredentials {
            client_id: client_id.filter(|id| !id.is_empty()),
            client_secret,
            file,
        })
    }

    fn file_text(&self) -> String {
        self.file.as_ref().map_or_else(
            || format!("`{CONFIG_FILE}` in the config directory"),
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

fn read_keys(path: &Path) -> Result<FileKeys> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(FileKeys::default()),
        Err(err) => {
            return Err(Fatal::usage(format!(
                "{}: cannot read the config file: {err}",
                path.display()
            )));
        }
    };
    toml::from_str(&text).map_err(|err| {
        // toml's Display quotes the offending line; say where instead.
        let line = err
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let place = line.map(|l| format!(" line {l}")).unwrap_or_default();
        Fatal::usage(format!(
            "{}{place}: not valid TOML for putio-up: {}",
            path.display(),
            err.message()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_and_errors_do_not_quote_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "other = true\nclient_id = 1234\nclient_secret = \"s3cr3t\"\n[later]\nx = 1\n",
        )
        .unwrap();
        let keys = read_keys(&path).unwrap();
        assert!(matches!(keys.client_id, Some(IdValue::Number(1234))));
        assert_eq!(keys.client_secret.as_deref(), Some("s3cr3t"));

        std::fs::write(
            &path,
            "client_id = \"1\"\nclient_secret = \"s3cr3t\" oops\n",
        )
        .unwrap();
        let err = read_keys(&path).err().unwrap().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");

        assert!(read_keys(&dir.path().join("absent.toml")).is_ok());
    }
}
