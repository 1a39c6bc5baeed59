//! Resolves command-line flags and the environment into plain settings, with defaults applied
//! and paths checked. The engine takes these and never sees clap.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{GlobalArgs, LoginArgs, UploadArgs};
use crate::exit::Fatal;

pub const DEFAULT_API_URL: &str = "https://api.put.io";
pub const DEFAULT_UPLOAD_URL: &str = "https://upload.put.io";
/// put.io's web app, where device-login codes are approved (`/link?code=`).
pub const DEFAULT_WEB_URL: &str = "https://app.put.io";

/// Where the API and upload hosts live (origins, no trailing slash).
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub api: String,
    pub upload: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose(u8),
}

#[derive(Clone, Debug)]
pub struct Output {
    pub verbosity: Verbosity,
}

/// Where the uploaded folder goes on put.io.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Below the folder with this id (0 = account root).
    Id(u64),
    /// Below this path of folder names from the account root, created where missing.
    Path(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct UploadSettings {
    /// The folder to upload, canonicalised.
    pub root: PathBuf,
    /// The name of `root` as typed (before canonicalising), used for the top remote folder.
    pub root_name: std::ffi::OsString,
    pub destination: Destination,
    pub jobs: usize,
    pub chunk_size: u64,
    pub retries: u32,
}

pub fn output(global: &GlobalArgs) -> Output {
    let verbosity = if global.quiet {
        Verbosity::Quiet
    } else if global.verbose > 0 {
        Verbosity::Verbose(global.verbose)
    } else {
        Verbosity::Normal
    };
    Output { verbosity }
}

pub fn endpoints(global: &GlobalArgs) -> Result<Endpoints> {
    Ok(Endpoints {
        api: origin(global.api_url.as_deref(), DEFAULT_API_URL, "PUTIO_API_URL")?,
        upload: origin(
            global.upload_url.as_deref(),
            DEFAULT_UPLOAD_URL,
            "PUTIO_UPLOAD_URL",
        )?,
    })
}

/// Checks that `value` is an origin: `http(s)://host[:port]`, optionally with one trailing `/`.
fn origin(value: Option<&str>, default: &str, name: &str) -> Result<String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default.to_owned());
    };
    let bad = |why: &str| {
        Fatal::usage(format!(
            "{name} / --{} `{value}` {why}; give scheme, host and optional port, e.g. {default}",
            name.trim_start_matches("PUTIO_")
                .to_ascii_lowercase()
                .replace('_', "-")
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

/// How `login` gets its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// OAuth in a browser, with the callback on 127.0.0.1:`port` (0 = any free port).
    Browser { port: u16, open_browser: bool },
    /// put.io/link code approved from another device; `web_url` is where the link points.
    Device { web_url: String },
    /// A token on stdin.
    Stdin,
}

#[derive(Clone, Debug)]
pub struct LoginSettings {
    pub method: LoginMethod,
    /// How long to wait for the browser or the code's approval.
    pub timeout: std::time::Duration,
    /// Keep the token in a 0600 file instead of the OS keychain.
    pub insecure_storage: bool,
}

pub fn login(global: &GlobalArgs, args: &LoginArgs) -> Result<LoginSettings> {
    let method = if args.device {
        LoginMethod::Device {
            web_url: origin(global.web_url.as_deref(), DEFAULT_WEB_URL, "PUTIO_WEB_URL")?,
        }
    } else if args.with_token {
        LoginMethod::Stdin
    } else {
        LoginMethod::Browser {
            port: args.port,
            open_browser: !args.no_browser,
        }
    };
    Ok(LoginSettings {
        method,
        timeout: args.timeout,
        insecure_storage: args.insecure_storage,
    })
}

pub fn upload(args: &UploadArgs) -> Result<UploadSettings> {
    let (root, root_name) = local_root(&args.dir)?;
    let destination = match (&args.to, args.parent_id) {
        (Some(path), _) => Destination::Path(remote_path(path)?),
        (None, Some(id)) => Destination::Id(id),
        (None, None) => Destination::Id(0),
    };
    Ok(UploadSettings {
        root,
        root_name,
        destination,
        jobs: usize::from(args.jobs),
        chunk_size: args.chunk_size,
        retries: args.retries.max(1),
    })
}

/// Checks the folder to upload: it exists, is a folder and can be listed.
fn local_root(dir: &Path) -> Result<(PathBuf, std::ffi::OsString)> {
    let shown = dir.display();
    let meta = std::fs::metadata(dir).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => {
            Fatal::usage(format!("{shown}: no such file or folder; check the path"))
        }
        std::io::ErrorKind::PermissionDenied => Fatal::usage(format!(
            "{shown}: permission denied; check the permissions of the path and its parents"
        )),
        _ => Fatal::usage(format!("{shown}: {err}")),
    })?;
    if !meta.is_dir() {
        return Err(Fatal::usage(format!(
            "{shown}: not a folder; putio-up uploads folders (put the file in a folder, or upload its parent)"
        )));
    }
    std::fs::read_dir(dir).map_err(|err| {
        Fatal::usage(format!(
            "{shown}: cannot list the folder ({}); check its permissions",
            crate::upload::plan::io_reason(&err)
        ))
    })?;
    let root = std::fs::canonicalize(dir)
        .map_err(|err| Fatal::usage(format!("{shown}: cannot resolve the path: {err}")))?;
    let name = root.file_name().map(ToOwned::to_owned).ok_or_else(|| {
        Fatal::usage(format!(
            "{shown}: is the file system root; upload a folder below it"
        ))
    })?;
    Ok((root, name))
}

/// Splits `/Backups/2026` into its folder names. `.` and `..` are refused, repeated `/` ignored.
fn remote_path(path: &str) -> Result<Vec<String>> {
    let mut parts = Vec::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." {
            return Err(Fatal::usage(format!(
                "--to `{path}`: `.` and `..` are not allowed; give a path from the account root like /Backups/2026"
            )));
        }
        if part.contains('\0') {
            return Err(Fatal::usage(format!(
                "--to `{path}`: names cannot contain NUL"
            )));
        }
        parts.push(part.to_owned());
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            origin(None, DEFAULT_API_URL, "PUTIO_API_URL").unwrap(),
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

    #[test]
    fn remote_paths_split() {
        assert_eq!(
            remote_path("/Backups//2026/").unwrap(),
            vec!["Backups", "2026"]
        );
        assert!(remote_path("/").unwrap().is_empty());
        assert!(remote_path("/a/../b").is_err());
    }
}
