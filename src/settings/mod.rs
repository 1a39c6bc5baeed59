//! Resolves command-line flags, the environment and the config file into the plain input
//! types the layers below own: [`crate::ui::Output`], [`crate::api::Endpoints`],
//! [`crate::auth::AuthSettings`] and [`crate::auth::LoginSettings`],
//! [`crate::upload::UploadSettings`]. Defaults are applied and values checked here; nothing
//! below reads the environment or sees clap.
//!
//! One pass: [`Settings::load`] finds every path (see [`paths`]) and reads the config file
//! once; the per-command builders then take what they need from it.
//!
//! Precedence, for every option: flag, then environment variable (clap reads both, so an
//! `Option` from clap is "flag or environment"), then the config file, then the default.

pub mod config;
pub mod login;
pub mod paths;
pub mod reach;
pub mod upload;
pub mod watch;

use std::io::IsTerminal;

use anyhow::Result;

use crate::api::{DEFAULT_API_URL, DEFAULT_UPLOAD_URL, Endpoints};
use crate::auth::{AuthSettings, LoginSettings};
use crate::cli::{ColorWhen, GlobalArgs, LoginArgs, UploadArgs, WatchArgs};
use crate::exit::Fatal;
use crate::ui::{Output, Verbosity};
use crate::upload::UploadSettings;
use crate::watch::WatchSettings;
use config::Config;
use paths::{Layout, Overrides, Paths};

/// The sources of this run, read once: global flags, paths, the config file.
#[derive(Debug)]
pub struct Settings<'a> {
    global: &'a GlobalArgs,
    paths: Paths,
    config: Config,
}

impl<'a> Settings<'a> {
    /// Finds the paths and reads the config file: the one `--config` / `PUTIO_UP_CONFIG`
    /// names (it must exist), else the default one if it exists.
    pub fn load(global: &'a GlobalArgs) -> Result<Self> {
        let overrides = Overrides::from_env(global.config.as_deref());
        let paths = Paths::resolve(overrides, Layout::of_platform().as_ref());
        let config = config::read(paths.config_file.as_deref(), paths.config_named)?;
        Ok(Settings {
            global,
            paths,
            config,
        })
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn output(&self) -> Result<Output> {
        output(self.global, &self.config)
    }

    pub fn endpoints(&self) -> Result<Endpoints> {
        endpoints(self.global, &self.config)
    }

    pub fn auth(&self) -> Result<AuthSettings> {
        Ok(login::auth(
            self.endpoints()?,
            self.paths.config_dir.clone(),
        ))
    }

    pub fn login(&self, args: &LoginArgs) -> Result<LoginSettings> {
        let (web_url, web_source) = url_source(
            self.global.web_url.as_ref(),
            "PUTIO_WEB_URL",
            None,
            String::new,
        );
        login::login(
            args,
            web_url.as_deref(),
            &web_source,
            &self.config,
            self.paths.config_file.as_deref(),
        )
    }

    pub fn upload(&self, args: &UploadArgs) -> Result<UploadSettings> {
        upload::upload(args, &self.config, self.paths.state_dir.clone())
    }

    /// `upload`'s progress lines and log file.
    pub fn upload_logs(&self, args: &UploadArgs) -> Result<crate::ui::LogOptions> {
        reach::log_options(args, &self.config)
    }

    pub fn watch(&self, args: &WatchArgs) -> Result<WatchSettings> {
        watch::watch(args, self.upload(&args.upload)?)
    }
}

fn output(global: &GlobalArgs, config: &Config) -> Result<Output> {
    let verbosity = if global.quiet {
        Verbosity::Quiet
    } else if global.verbose > 0 {
        Verbosity::Verbose(global.verbose)
    } else {
        Verbosity::Normal
    };
    let from_file = match config.color.as_deref() {
        None => None,
        Some(text) => Some(
            <ColorWhen as clap::ValueEnum>::from_str(text.trim(), true).map_err(|_| {
                Fatal::usage(format!(
                    "{} is `{text}`; use \"auto\", \"always\" or \"never\"",
                    config.source("color")
                ))
            })?,
        ),
    };
    // NO_COLOR yields to an explicit choice in the config file, as no-color.org asks.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let when = global.color.or(from_file).unwrap_or(if no_color {
        ColorWhen::Never
    } else {
        ColorWhen::Auto
    });
    let color = match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            !no_color
                && std::io::stderr().is_terminal()
                && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
        }
    };
    Ok(Output { verbosity, color })
}

fn endpoints(global: &GlobalArgs, config: &Config) -> Result<Endpoints> {
    let (api, api_source) = url_source(
        global.api_url.as_ref(),
        "PUTIO_API_URL",
        config.api_url.as_ref(),
        || config.source("api_url"),
    );
    let (upload, upload_source) = url_source(
        global.upload_url.as_ref(),
        "PUTIO_UPLOAD_URL",
        config.upload_url.as_ref(),
        || config.source("upload_url"),
    );
    Ok(Endpoints {
        api: origin(api.as_deref(), DEFAULT_API_URL, &api_source)?,
        upload: origin(upload.as_deref(), DEFAULT_UPLOAD_URL, &upload_source)?,
    })
}

/// An origin from its flag, else its variable (read here, not by clap, so that usage lines
/// never show a flag nobody typed), else the config file; with where it came from.
fn url_source(
    flag: Option<&String>,
    env: &str,
    file: Option<&String>,
    file_source: impl FnOnce() -> String,
) -> (Option<String>, String) {
    let option = format!(
        "--{}",
        env.trim_start_matches("PUTIO_")
            .to_ascii_lowercase()
            .replace('_', "-")
    );
    if let Some(value) = flag {
        return (Some(value.clone()), option);
    }
    if let Some(value) = std::env::var(env).ok().filter(|v| !v.trim().is_empty()) {
        return (Some(value), env.to_owned());
    }
    match file {
        Some(value) => (Some(value.clone()), file_source()),
        None => (None, String::new()),
    }
}

/// Checks that `value` is an origin: `http(s)://host[:port]`, optionally with one trailing `/`.
/// `source` names where it came from, for the error.
pub(crate) fn origin(value: Option<&str>, default: &str, source: &str) -> Result<String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default.to_owned());
    };
    let bad = |why: &str| {
        Fatal::usage(format!(
            "{source} `{value}` {why}; give scheme, host and optional port, e.g. {default}"
        ))
    };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| bad("is not an http(s) URL"))?;
    let host = rest.strip_suffix('/').unwrap_or(rest);
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if host.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad("must not have a path, query or credentials"));
    }
    Ok(value.strip_suffix('/').unwrap_or(value).to_owned())
}

/// Why a file named in an option or variable cannot be read.
fn file_reason(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::NotFound {
        "no such file".to_owned()
    } else {
        crate::upload::plan::io_reason(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            origin(None, DEFAULT_API_URL, "PUTIO_API_URL / --api-url").unwrap(),
            DEFAULT_API_URL
        );
        assert_eq!(
            origin(Some("http://127.0.0.1:8080/"), "", "PUTIO_API_URL").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(origin(Some("ftp://x"), "", "PUTIO_API_URL").is_err());
        assert!(origin(Some("https://api.put.io/v2"), "", "PUTIO_API_URL").is_err());
        assert!(origin(Some("https://"), "", "PUTIO_API_URL").is_err());
    }
}
