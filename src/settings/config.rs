//! The config file `putio-up.toml`: its one set of types, read and parsed once per run.
//! Every key is optional; unknown keys are an error. Error messages name the file, the line
//! and the key, and never quote the file's text (a secret may be on the line they are about).

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use crate::exit::Fatal;
use crate::secret::Token;

/// The config file's name inside the `putio-up` config folder.
pub const CONFIG_FILE: &str = "putio-up.toml";

/// The config file, as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub jobs: Option<u16>,
    pub checkers: Option<u16>,
    pub chunk_size: Option<SizeValue>,
    pub retries: Option<u32>,
    /// Like `--on-conflict`: "fail", "skip", "overwrite" or "rename".
    pub on_conflict: Option<String>,
    /// Like `--verify-wait`: a duration such as "60s".
    pub verify_wait: Option<String>,
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
    /// Like `--files-from` / `--files-from0`: a list file (`-` is stdin).
    pub files_from: Option<PathBuf>,
    pub files_from0: Option<PathBuf>,
    /// Like `--delete-source` (move mode).
    pub delete_source: Option<bool>,
    /// Like `--bwlimit`: "10M", "off" or a timetable.
    pub bwlimit: Option<String>,
    pub max_transfer: Option<SizeValue>,
    /// Like `--max-duration`: "2h".
    pub max_duration: Option<String>,
    /// `soft` or `hard`, like `--cutoff`.
    pub cutoff: Option<String>,
    /// Like `--progress-interval`: "30s", or "0" for none.
    pub progress_interval: Option<String>,
    /// Like `--log-file`.
    pub log_file: Option<PathBuf>,
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
    pub fn source(&self, key: &str) -> String {
        match &self.path {
            Some(path) => format!("`{key}` in {}", path.display()),
            None => format!("`{key}` in the config file"),
        }
    }
}

/// Reads the config file at `path`. `explicit` is true when `--config` / `PUTIO_UP_CONFIG`
/// named it (then it must exist); the default file may be absent. No file is an empty config.
pub fn read(path: Option<&Path>, explicit: bool) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Config::default());
        }
        Err(err) => {
            let shown = path.display();
            // A folder on the way that is a file, or that we may not look into, is the
            // folder's fault, not the file's: name it and its fix.
            if let Some(trouble) = blocking_folder(path, &err) {
                let fix = if explicit {
                    "give another file with --config or PUTIO_UP_CONFIG"
                } else {
                    "fix it, or set PUTIO_UP_CONFIG_DIR to another folder"
                };
                return Err(Fatal::usage(format!(
                    "cannot look for the config file {shown}: {trouble}; {fix}"
                )));
            }
            let why = super::file_reason(&err);
            return Err(Fatal::usage(if explicit {
                format!(
                    "config file {shown} (--config / PUTIO_UP_CONFIG): {why}; give the path of a readable file"
                )
            } else {
                format!("config file {shown}: {why}; fix its permissions or remove it")
            }));
        }
    };
    parse(&text, path)
}

/// What is wrong with the folders on the way to `path`, when reading it failed with `err`
/// because of them: a file where a folder should be, or a folder that cannot be read.
/// `None` when the folders are fine and the trouble is the file's own.
fn blocking_folder(path: &Path, err: &std::io::Error) -> Option<String> {
    let mut folders = path
        .ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty());
    match err.kind() {
        std::io::ErrorKind::NotADirectory => folders
            .filter(|folder| folder.symlink_metadata().is_ok())
            .find(|folder| !folder.is_dir())
            .map(|file| format!("{} is a file, not a folder", file.display())),
        std::io::ErrorKind::PermissionDenied if std::fs::metadata(path).is_err() => {
            let folder = folders.next()?;
            std::fs::read_dir(folder)
                .is_err()
                .then(|| format!("its folder {} cannot be read", folder.display()))
        }
        _ => None,
    }
}

/// Parses a config file's text; errors name the file, the line and the key.
pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let mut config: Config = toml::from_str(text).map_err(|err| {
        // `err.message()`, not toml's Display: that one quotes the offending line.
        let start = err.span().map(|span| span.start.min(text.len()));
        let line = start.map(|at| text[..at].matches('\n').count() + 1);
        let key = start.and_then(|at| key_on_line(text, at));
        let raw = err.message().trim();
        let (message, hint) = if raw.starts_with("unknown field") {
            (
                raw.replace("unknown field", "unknown key"),
                "remove it or fix its spelling (the keys are the options of \
                 `putio-up upload --help`, with `_` for `-`)",
            )
        } else {
            (plain_message(raw, key.as_deref()), "fix the value")
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

/// The key of the `key = value` line holding byte `at`, if the line has that shape (only
/// the key is taken from the file's text: never a value, which may be a secret).
fn key_on_line(text: &str, at: usize) -> Option<String> {
    let begin = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[begin..];
    let key = line.split('=').next()?.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| key.to_owned())
}

/// serde's "invalid type: string \"eight\", expected u16" in plain words, without the value:
/// "`jobs` must be a whole number, not text".
fn plain_message(raw: &str, key: Option<&str>) -> String {
    let expected = raw.rsplit_once("expected ").map(|(_, e)| e.trim());
    let wanted = match expected {
        Some("u16" | "u32" | "u64" | "an integer") => "a whole number (like 8)",
        Some("a boolean") => "true or false",
        Some("a string") => "text in quotes (like \"/Backups\")",
        Some("a sequence") => "a list (like [\"*.tmp\", \"cache/\"])",
        _ if raw.contains("untagged enum SizeValue") => {
            "a size (like \"64MiB\") or a number of bytes"
        }
        _ if raw.contains("untagged enum ClientId") => "a number (like 1234) or text in quotes",
        _ => return raw.to_owned(),
    };
    let found = raw
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split([' ', ',']).next())
        .map(|kind| match kind {
            "string" => "text",
            "integer" => "a number",
            "boolean" => "true or false",
            "sequence" => "a list",
            "map" => "a table",
            "floating" => "a fraction",
            other => other,
        });
    let what = key.map_or_else(|| "the value".to_owned(), |key| format!("`{key}`"));
    match found {
        Some(found) => format!("{what} must be {wanted}, not {found}"),
        None => format!("{what} must be {wanted}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_secret_is_a_config_key_that_never_shows() {
        let path = Path::new("/x/putio-up.toml");
        let config = parse("client_id = 7\nclient_secret = \"s3cr3t-app\"\n", path).unwrap();
        assert_eq!(config.client_id().as_deref(), Some("7"));
        assert_eq!(
            config.client_secret.as_ref().map(Token::expose),
            Some("s3cr3t-app")
        );
        assert!(!format!("{config:?}").contains("s3cr3t"));
        assert!(parse("client_secret = \"\"\n", path).is_err());

        // A broken line next to the secret: the error names the line, never its text.
        let err = parse("client_id = \"1\"\nclient_secret = \"s3cr3t\" oops\n", path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn config_files_parse_and_refuse_unknown_keys() {
        let path = Path::new("/etc/putio-up.toml");
        let text = "jobs = 3\nchunk_size = 1048576\nclient_id = 1234\nto = \"/B\"\n\
                    exclude = [\"*.tmp\", \"cache/\"]\nno_hidden = true\ncolor = \"never\"\n";
        let config = parse(text, path).unwrap();
        assert_eq!(config.jobs, Some(3));
        assert!(matches!(
            config.chunk_size,
            Some(SizeValue::Bytes(1_048_576))
        ));
        assert_eq!(config.client_id().as_deref(), Some("1234"));
        assert_eq!(config.exclude, ["*.tmp", "cache/"]);
        assert_eq!(config.no_hidden, Some(true));
        assert_eq!(config.path.as_deref(), Some(path));
        let named = parse("client_id = \" 77 \"\n", path).unwrap();
        assert_eq!(named.client_id().as_deref(), Some("77"));

        let err = parse("jobs = 2\n\ntoken = \"x\"\n", path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/etc/putio-up.toml, line 3: unknown key `token`"),
            "{err}"
        );
        let err = parse("retries = -1\n", path).unwrap_err().to_string();
        assert!(
            err.contains("line 1") && err.contains("fix the value"),
            "{err}"
        );
        assert!(!err.contains("u32"), "{err}");
        let err = parse("jobs = 2\njobs2 = 1\n", path)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("README"), "{err}");
        let err = parse("\njobs = \"eight\"\n", path).unwrap_err().to_string();
        assert!(
            err.contains("line 2: `jobs` must be a whole number (like 8), not text"),
            "{err}"
        );
        assert!(!err.contains("eight") && !err.contains("u16"), "{err}");
        let err = parse("no_hidden = \"yes\"\n", path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`no_hidden` must be true or false"), "{err}");
    }

    #[test]
    fn absent_files_are_empty_unless_named() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join(CONFIG_FILE);
        assert!(read(Some(&absent), false).unwrap().path.is_none());
        assert!(read(None, false).unwrap().path.is_none());
        let err = read(Some(&absent), true).unwrap_err().to_string();
        assert!(err.contains("no such file"), "{err}");
    }

    #[test]
    fn the_readme_example_config_is_valid() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\n")
            .expect("a toml example in README.md")
            + 8;
        let end = start + readme[start..].find("```").unwrap();
        let config = parse(&readme[start..end], Path::new("README.md")).unwrap();
        assert!(config.jobs.is_some() && config.to.is_some() && !config.exclude.is_empty());
    }
}
