//! Resolves command-line flags, the environment and the config file into plain settings,
//! with defaults applied and paths checked. The engine takes these and never sees clap.
//!
//! Precedence, for every option: flag, then environment variable (clap reads both, so an
//! `Option` from clap is "flag or environment"), then the config file, then the default.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::cli::{ColorWhen, GlobalArgs, LoginArgs, UploadArgs, parse_size};
use crate::exit::Fatal;
use crate::secret::Token;
use crate::upload::plan::{Filter, Pattern, ScanOptions};
use crate::upload::{Destination, UploadSettings};

pub const DEFAULT_API_URL: &str = "https://api.put.io";
pub const DEFAULT_UPLOAD_URL: &str = "https://upload.put.io";
pub const DEFAULT_JOBS: u16 = 4;
/// Folders listed or created at once: put.io answers a listing in one round trip, so more
/// of them in flight is what makes a re-run of a big tree fast.
pub const DEFAULT_CHECKERS: u16 = 16;
pub const DEFAULT_CHUNK_SIZE: u64 = 64 << 20;
pub const DEFAULT_RETRIES: u32 = 8;
/// The config file's name inside the `putio-up` config folder.
pub const CONFIG_FILE: &str = "putio-up.toml";
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
    /// Colour in human output (stderr).
    pub color: bool,
}

/// The config file, as written. Every key is optional; unknown keys are an error.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub jobs: Option<u16>,
    pub checkers: Option<u16>,
    pub chunk_size: Option<SizeValue>,
    pub retries: Option<u32>,
    /// Default destination path, like `--to`.
    pub to: Option<String>,
    /// The put.io OAuth app to sign in with (read by `login`); environment `PUTIO_CLIENT_ID`
    /// beats it.
    pub client_id: Option<ClientId>,
    /// The app's secret, for the browser login (read by `login`; `PUTIO_CLIENT_SECRET` beats
    /// it). Redacted in Debug output like every token.
    pub client_secret: Option<Token>,
    pub api_url: Option<String>,
    pub upload_url: Option<String>,
    /// Exclude patterns applied to every upload, before `--exclude-from` and `--exclude`.
    #[serde(default)]
    pub exclude: Vec<String>,
    pub no_hidden: Option<bool>,
    pub color: Option<String>,
    /// Where it was read from; `None` when there was no file.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `chunk_size = "64MiB"` or `chunk_size = 67108864`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum SizeValue {
    Bytes(u64),
    Text(String),
}

/// `client_id = 1234` or `client_id = "1234"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ClientId {
    Number(u64),
    Text(String),
}

impl Config {
    /// The OAuth client id from the file, as text.
    pub fn client_id(&self) -> Option<String> {
        match self.client_id.as_ref()? {
            ClientId::Number(id) => Some(id.to_string()),
            ClientId::Text(id) => Some(id.trim().to_owned()).filter(|id| !id.is_empty()),
        }
    }

    /// `key in FILE`, for error messages.
    fn source(&self, key: &str) -> String {
        match &self.path {
            Some(path) => format!("`{key}` in {}", path.display()),
            None => format!("`{key}` in the config file"),
        }
    }
}

/// The config file's default place: `$XDG_CONFIG_HOME/putio-up/putio-up.toml`, falling back
/// to `~/.config/putio-up/putio-up.toml` (and `%APPDATA%\putio-up\putio-up.toml` on Windows).
pub fn default_config_path() -> Option<PathBuf> {
    if let Some(dir) =
        std::env::var_os(crate::auth::config::CONFIG_DIR_ENV).filter(|d| !d.is_empty())
    {
        return Some(PathBuf::from(dir).join(CONFIG_FILE));
    }
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = absolute("XDG_CONFIG_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".config")))
        .or_else(|| absolute("APPDATA"))?;
    Some(base.join("putio-up").join(CONFIG_FILE))
}

/// Reads the config file: the one `--config` / `PUTIO_UP_CONFIG` names (it must exist), else
/// the default one if it exists. No file is an empty config.
pub fn config(global: &GlobalArgs) -> Result<Config> {
    let (path, explicit) = match &global.config {
        Some(path) => (path.clone(), true),
        None => match default_config_path() {
            Some(path) => (path, false),
            None => return Ok(Config::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Config::default());
        }
        Err(err) => {
            let shown = path.display();
            let why = file_reason(&err);
            return Err(Fatal::usage(if explicit {
                format!(
                    "config file {shown} (--config / PUTIO_UP_CONFIG): {why}; give the path of a readable file"
                )
            } else {
                format!("config file {shown}: {why}; fix its permissions or remove it")
            }));
        }
    };
    parse_config(&text, &path)
}

/// Parses a config file's text; errors name the file, the line and the key.
pub fn parse_config(text: &str, path: &Path) -> Result<Config> {
    let mut config: Config = toml::from_str(text).map_err(|err| {
        let line = err
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = err.message().trim().replace("unknown field", "unknown key");
        let hint = if message.contains("unknown key") {
            "remove it or fix its spelling (the keys are listed in README.md)"
        } else {
            "fix the value"
        };
        Fatal::usage(match line {
            Some(line) => format!(
                "config file {}, line {line}: {message}; {hint}",
                path.display()
            ),
            None => format!("config file {}: {message}; {hint}", path.display()),
        })
    })?;
    config.path = Some(path.to_owned());
    Ok(config)
}

pub fn output(global: &GlobalArgs, config: &Config) -> Result<Output> {
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

pub fn endpoints(global: &GlobalArgs, config: &Config) -> Result<Endpoints> {
    let pick =
        |flag: Option<&String>, file: Option<&String>, key: &str, env: &str| match (flag, file) {
            (Some(value), _) => (
                Some(value.clone()),
                format!("{env} / --{}", key.replace('_', "-")),
            ),
            (None, Some(value)) => (Some(value.clone()), config.source(key)),
            (None, None) => (None, String::new()),
        };
    let (api, api_source) = pick(
        global.api_url.as_ref(),
        config.api_url.as_ref(),
        "api_url",
        "PUTIO_API_URL",
    );
    let (upload, upload_source) = pick(
        global.upload_url.as_ref(),
        config.upload_url.as_ref(),
        "upload_url",
        "PUTIO_UPLOAD_URL",
    );
    Ok(Endpoints {
        api: origin(api.as_deref(), DEFAULT_API_URL, &api_source)?,
        upload: origin(upload.as_deref(), DEFAULT_UPLOAD_URL, &upload_source)?,
    })
}

/// Checks that `value` is an origin: `http(s)://host[:port]`, optionally with one trailing `/`.
/// `source` names where it came from, for the error.
fn origin(value: Option<&str>, default: &str, source: &str) -> Result<String> {
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
    /// The config file that may hold `client_id` / `client_secret` (read or not).
    pub config_file: Option<PathBuf>,
    /// How long to wait for the browser or the code's approval.
    pub timeout: std::time::Duration,
    /// Keep the token in a 0600 file instead of the OS keychain.
    pub insecure_storage: bool,
}

pub fn login(global: &GlobalArgs, config: &Config, args: &LoginArgs) -> Result<LoginSettings> {
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
        config_file: config.path.clone().or_else(default_config_path),
        timeout: args.timeout,
        insecure_storage: args.insecure_storage,
    })
}

pub fn upload(args: &UploadArgs, config: &Config) -> Result<UploadSettings> {
    let (root, root_name) = local_root(&args.dir)?;
    let destination = destination(args, config)?;
    let jobs = one_to_64(args.jobs, config.jobs, config, "jobs", DEFAULT_JOBS)?;
    let checkers = one_to_64(
        args.checkers,
        config.checkers,
        config,
        "checkers",
        DEFAULT_CHECKERS,
    )?;
    let chunk_size = match (args.chunk_size, &config.chunk_size) {
        (Some(size), _) => size,
        (None, Some(SizeValue::Bytes(0))) => {
            return Err(Fatal::usage(format!(
                "{} is 0; it must be greater than zero",
                config.source("chunk_size")
            )));
        }
        (None, Some(SizeValue::Bytes(size))) => *size,
        (None, Some(SizeValue::Text(text))) => parse_size(text)
            .map_err(|why| Fatal::usage(format!("{}: {why}", config.source("chunk_size"))))?,
        (None, None) => DEFAULT_CHUNK_SIZE,
    };
    let retries = args.retries.or(config.retries).unwrap_or(DEFAULT_RETRIES);
    // `--hidden` beats everything; PUTIO_UP_NO_HIDDEN set to anything (even "false") beats
    // the file.
    let skip_hidden = if args.hidden {
        false
    } else if args.no_hidden
        || std::env::var_os("PUTIO_UP_NO_HIDDEN").is_some_and(|v| !v.is_empty())
    {
        args.no_hidden
    } else {
        config.no_hidden.unwrap_or(false)
    };
    let filter = filter(&root, args, config)?;
    Ok(UploadSettings {
        root,
        root_name,
        destination,
        jobs: usize::from(jobs),
        checkers: usize::from(checkers),
        chunk_size,
        retries: retries.max(1),
        dry_run: args.dry_run,
        scan: ScanOptions {
            filter,
            skip_hidden,
            follow_links: args.follow_links,
        },
        checksum: args.checksum,
        overwrite: args.overwrite,
        state_dir: crate::upload::journal::default_dir(),
    })
}

/// A count from 1 to 64: the flag (clap checked it), else the config key, else the default.
fn one_to_64(
    flag: Option<u16>,
    file: Option<u16>,
    config: &Config,
    key: &str,
    default: u16,
) -> Result<u16> {
    match (flag, file) {
        (Some(value), _) => Ok(value),
        (None, Some(value)) if (1..=64).contains(&value) => Ok(value),
        (None, Some(value)) => Err(Fatal::usage(format!(
            "{} is {value}; use a number from 1 to 64",
            config.source(key)
        ))),
        (None, None) => Ok(default),
    }
}

/// `--to` or `--parent-id` (clap refuses both), then `PUTIO_UP_TO` or `PUTIO_UP_PARENT_ID`,
/// then `to` from the config file, then the account root. These two are read from the
/// environment here rather than by clap, so that a flag of one beats the variable of the other.
fn destination(args: &UploadArgs, config: &Config) -> Result<Destination> {
    if let Some(path) = &args.to {
        return Ok(Destination::Path(remote_path(path, "--to")?));
    }
    if let Some(id) = args.parent_id {
        return Ok(Destination::Id(id));
    }
    let env = |name: &str| -> Result<Option<String>> {
        match std::env::var(name) {
            Ok(value) if value.trim().is_empty() => Ok(None),
            Ok(value) => Ok(Some(value.trim().to_owned())),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Fatal::usage(format!(
                "{name} is not valid UTF-8; give a put.io folder {}",
                if name.ends_with("_TO") { "path" } else { "id" }
            ))),
        }
    };
    match (env("PUTIO_UP_TO")?, env("PUTIO_UP_PARENT_ID")?) {
        (Some(_), Some(_)) => Err(Fatal::usage(
            "PUTIO_UP_TO and PUTIO_UP_PARENT_ID are both set; unset one of them",
        )),
        (Some(path), None) => Ok(Destination::Path(remote_path(&path, "PUTIO_UP_TO")?)),
        (None, Some(id)) => id.parse().map(Destination::Id).map_err(|_| {
            Fatal::usage(format!(
                "PUTIO_UP_PARENT_ID `{id}` is not a folder id; give a number such as 123456 (0 is the account root)"
            ))
        }),
        (None, None) => match &config.to {
            Some(path) => Ok(Destination::Path(remote_path(path, &config.source("to"))?)),
            None => Ok(Destination::Id(0)),
        },
    }
}

/// Exclude patterns from the config file, then `--exclude-from` files, then `--exclude`
/// (later ones win when a `!pattern` takes a path back); include patterns from `--include`.
fn filter(root: &Path, args: &UploadArgs, config: &Config) -> Result<Filter> {
    let mut exclude: Vec<Pattern> = config
        .exclude
        .iter()
        .map(|glob| Pattern {
            glob: glob.clone(),
            source: config.source("exclude"),
        })
        .collect();
    for file in &args.exclude_from {
        let text = std::fs::read_to_string(file).map_err(|err| {
            Fatal::usage(format!(
                "--exclude-from {}: {}; give a readable file of patterns, one per line",
                file.display(),
                file_reason(&err)
            ))
        })?;
        for (number, line) in text.lines().enumerate() {
            exclude.push(Pattern {
                glob: line.to_owned(),
                source: format!("--exclude-from {}, line {}:", file.display(), number + 1),
            });
        }
    }
    let from_flags = |flag: &str, globs: &[String]| -> Vec<Pattern> {
        globs
            .iter()
            .map(|glob| Pattern {
                glob: glob.clone(),
                source: flag.to_owned(),
            })
            .collect()
    };
    exclude.extend(from_flags("--exclude", &args.exclude));
    let include = from_flags("--include", &args.include);
    Filter::new(root, &exclude, &include).map_err(Fatal::usage)
}

/// Why a file named in an option or variable cannot be read.
fn file_reason(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::NotFound {
        "no such file".to_owned()
    } else {
        crate::upload::plan::io_reason(err)
    }
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
/// `source` names where the path came from, for the error.
fn remote_path(path: &str, source: &str) -> Result<Vec<String>> {
    let mut parts = Vec::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "." || part == ".." {
            return Err(Fatal::usage(format!(
                "{source} `{path}`: `.` and `..` are not allowed; give a path from the account root like /Backups/2026"
            )));
        }
        if part.contains('\0') {
            return Err(Fatal::usage(format!(
                "{source} `{path}`: names cannot contain NUL"
            )));
        }
        parts.push(part.to_owned());
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_app_secret_is_a_config_key_that_never_shows() {
        let path = Path::new("/x/putio-up.toml");
        let config = parse_config("client_id = 7\nclient_secret = \"s3cr3t-app\"\n", path).unwrap();
        assert_eq!(config.client_id().as_deref(), Some("7"));
        assert_eq!(
            config.client_secret.as_ref().map(Token::expose),
            Some("s3cr3t-app")
        );
        assert!(!format!("{config:?}").contains("s3cr3t"));
        assert!(parse_config("client_secret = \"\"\n", path).is_err());
    }

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

    #[test]
    fn config_files_parse_and_refuse_unknown_keys() {
        let path = Path::new("/etc/putio-up.toml");
        let text = "jobs = 3\nchunk_size = 1048576\nclient_id = 1234\nto = \"/B\"\n\
                    exclude = [\"*.tmp\", \"cache/\"]\nno_hidden = true\ncolor = \"never\"\n";
        let config = parse_config(text, path).unwrap();
        assert_eq!(config.jobs, Some(3));
        assert!(matches!(
            config.chunk_size,
            Some(SizeValue::Bytes(1_048_576))
        ));
        assert_eq!(config.client_id().as_deref(), Some("1234"));
        assert_eq!(config.exclude, ["*.tmp", "cache/"]);
        assert_eq!(config.no_hidden, Some(true));
        assert_eq!(config.path.as_deref(), Some(path));
        let named = parse_config("client_id = \" 77 \"\n", path).unwrap();
        assert_eq!(named.client_id().as_deref(), Some("77"));

        let err = parse_config("jobs = 2\n\ntoken = \"x\"\n", path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/etc/putio-up.toml, line 3: unknown key `token`"),
            "{err}"
        );
        let err = parse_config("retries = -1\n", path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("fix the value"),
            "{err}"
        );
    }

    #[test]
    fn the_readme_example_config_is_valid() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("```toml\n")
            .expect("a toml example in README.md")
            + 8;
        let end = start + readme[start..].find("```").unwrap();
        let config = parse_config(&readme[start..end], Path::new("README.md")).unwrap();
        assert!(config.jobs.is_some() && config.to.is_some() && !config.exclude.is_empty());
    }

    #[test]
    fn remote_paths_split() {
        assert_eq!(
            remote_path("/Backups//2026/", "--to").unwrap(),
            vec!["Backups", "2026"]
        );
        assert!(remote_path("/", "--to").unwrap().is_empty());
        assert!(remote_path("/a/../b", "--to").is_err());
    }
}
