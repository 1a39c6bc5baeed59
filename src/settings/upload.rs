//! `upload`'s settings: the folder, the destination, the numbers, the filters, from flags,
//! the environment and the config file, checked before anything is sent.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::config::{Config, SizeValue};
use crate::cli::{TorrentsMode, UploadArgs, parse_duration, parse_size};
use crate::exit::Fatal;
use crate::upload::plan::{Filter, Pattern, ScanOptions};
use crate::upload::{Destination, Torrents, UploadSettings};

pub const DEFAULT_JOBS: u16 = 4;
/// Folders listed or created at once: put.io answers a listing in one round trip, so more
/// of them in flight is what makes a re-run of a big tree fast.
pub const DEFAULT_CHECKERS: u16 = 16;
pub const DEFAULT_CHUNK_SIZE: u64 = 64 << 20;
pub const DEFAULT_RETRIES: u32 = 8;
pub const DEFAULT_VERIFY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The upload engine's settings from `upload`'s flags and the config file; `state_dir` is
/// the resume journal's folder (see `paths`).
pub fn upload(
    args: &UploadArgs,
    config: &Config,
    state_dir: Option<PathBuf>,
) -> Result<UploadSettings> {
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
    let verify_wait = match (args.verify_wait, &config.verify_wait) {
        (Some(wait), _) => wait,
        (None, Some(text)) => parse_duration(text)
            .map_err(|why| Fatal::usage(format!("{}: {why}", config.source("verify_wait"))))?,
        (None, None) => DEFAULT_VERIFY_WAIT,
    };
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
        verify_wait,
        dry_run: args.dry_run,
        scan: ScanOptions {
            filter,
            skip_hidden,
            follow_links: args.follow_links,
            selection: None,
        },
        checksum: args.checksum,
        overwrite: args.overwrite,
        state_dir,
        torrents: match args.torrents {
            Some(TorrentsMode::Transfer) => Torrents::Transfer,
            Some(TorrentsMode::File) | None => Torrents::File,
        },
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
                super::file_reason(&err)
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
    use super::*;

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
