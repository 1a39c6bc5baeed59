//! `upload`'s settings: the destination, the numbers, the filters, from flags, the
//! environment and the config file, checked before anything is sent. The sources and the
//! options of issue 15 are in `reach`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use unicode_normalization::UnicodeNormalization as _;

use super::config::{Config, SizeValue};
use crate::cli::{
    ConflictArg, MAX_RETRIES, TorrentsMode, UploadArgs, parse_chunk_size, parse_duration,
};
use crate::exit::Fatal;
use crate::upload::plan::{Filter, Pattern, ScanOptions, remote_name};
use crate::upload::{Destination, OnConflict, Torrents, UploadSettings};

pub const DEFAULT_JOBS: u16 = 4;
/// Folders listed or created at once: put.io answers a listing in one round trip, so more
/// of them in flight is what makes a re-run of a big tree fast.
pub const DEFAULT_CHECKERS: u16 = 16;
pub const DEFAULT_CHUNK_SIZE: u64 = 64 << 20;
/// Retries after the first try of a request; 0 tries once.
pub const DEFAULT_RETRIES: u32 = 8;
pub const DEFAULT_VERIFY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The upload engine's settings from `upload`'s flags, the environment and the config file;
/// `state_dir` is the resume journal's folder (see `paths`).
pub fn upload(
    args: &UploadArgs,
    config: &Config,
    state_dir: Option<PathBuf>,
) -> Result<UploadSettings> {
    let destination = destination(args, config)?;
    let count = |flag: Option<u16>, file: Option<u16>, key: &str, default: u16| {
        pick(
            flag,
            key,
            |text| text.parse().ok().filter(|n| (1..=64).contains(n)),
            "use a number from 1 to 64",
            file.map(|n| {
                (1..=64)
                    .contains(&n)
                    .then_some(n)
                    .ok_or_else(|| format!("is {n}; use a number from 1 to 64"))
            }),
            config,
        )
        .map(|n| n.unwrap_or(default))
    };
    let jobs = count(args.jobs, config.jobs, "jobs", DEFAULT_JOBS)?;
    let checkers = count(args.checkers, config.checkers, "checkers", DEFAULT_CHECKERS)?;
    let chunk_size = pick(
        args.chunk_size,
        "chunk_size",
        |text| parse_chunk_size(text).ok(),
        "use a size from 1MiB to 4GiB, e.g. 64MiB",
        config.chunk_size.as_ref().map(|value| match value {
            SizeValue::Bytes(bytes) => parse_chunk_size(&bytes.to_string()),
            SizeValue::Text(text) => parse_chunk_size(text),
        }),
        config,
    )?
    .unwrap_or(DEFAULT_CHUNK_SIZE);
    let retries = pick(
        args.retries,
        "retries",
        |text| text.parse().ok().filter(|n| *n <= MAX_RETRIES),
        "use a number from 0 to 100",
        config.retries.map(|n| {
            (n <= MAX_RETRIES)
                .then_some(n)
                .ok_or_else(|| format!("is {n}; use a number from 0 to 100"))
        }),
        config,
    )?
    .unwrap_or(DEFAULT_RETRIES);
    let verify_wait = pick(
        args.verify_wait,
        "verify_wait",
        |text| parse_duration(text).ok(),
        "use a duration such as 90s, 5m or 1h",
        config.verify_wait.as_deref().map(parse_duration),
        config,
    )?
    .unwrap_or(DEFAULT_VERIFY_WAIT);
    let on_conflict = on_conflict(args, config)?;
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
    let scan = |root: &Path| -> Result<ScanOptions> {
        Ok(ScanOptions {
            filter: filter(root, args, config)?,
            skip_hidden,
            follow_links: args.follow_links,
            selection: None,
        })
    };
    let (sources, unlisted) = super::reach::sources(args, config, &scan)?;
    Ok(UploadSettings {
        sources,
        unlisted,
        delete_source: super::reach::delete_source(args, config),
        bwlimit: super::reach::bwlimit(args, config)?,
        limits: super::reach::limits(args, config)?,
        destination,
        jobs: usize::from(jobs),
        checkers: usize::from(checkers),
        chunk_size,
        // Every try, the first included.
        retries: retries + 1,
        verify_wait,
        dry_run: args.dry_run,
        checksum: args.checksum,
        on_conflict,
        state_dir,
        torrents: match args.torrents {
            Some(TorrentsMode::Transfer) => Torrents::Transfer,
            Some(TorrentsMode::File) | None => Torrents::File,
        },
    })
}

/// One option: the flag (clap checked it), else its variable `PUTIO_UP_<KEY>` (checked by
/// `parse`; `expect` says what it takes), else the config key (`file`: its value, already
/// checked, or why not), else `None`. Errors name the variable or the key, never a flag the
/// person did not type.
fn pick<T>(
    flag: Option<T>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    expect: &str,
    file: Option<Result<T, String>>,
    config: &Config,
) -> Result<Option<T>> {
    if flag.is_some() {
        return Ok(flag);
    }
    let name = format!("PUTIO_UP_{}", key.to_ascii_uppercase());
    if let Some(text) = env(&name)? {
        return parse(&text)
            .map(Some)
            .ok_or_else(|| Fatal::usage(format!("{name} is `{text}`; {expect}")));
    }
    match file {
        None => Ok(None),
        Some(Ok(value)) => Ok(Some(value)),
        Some(Err(why)) if why.starts_with("is ") => {
            Err(Fatal::usage(format!("{} {why}", config.source(key))))
        }
        Some(Err(why)) => Err(Fatal::usage(format!("{}: {why}", config.source(key)))),
    }
}

/// A variable's value, trimmed; unset or blank is `None`.
fn env(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Fatal::usage(format!("{name} is not valid UTF-8")))
        }
    }
}

/// `--on-conflict` or `--overwrite` (clap refuses both), then `PUTIO_UP_ON_CONFLICT`, then
/// `PUTIO_UP_OVERWRITE`, then `on_conflict` in the config file, then `fail`.
fn on_conflict(args: &UploadArgs, config: &Config) -> Result<OnConflict> {
    const EXPECT: &str = "use fail, skip, overwrite or rename";
    let from = |arg: ConflictArg| match arg {
        ConflictArg::Fail => OnConflict::Fail,
        ConflictArg::Skip => OnConflict::Skip,
        ConflictArg::Overwrite => OnConflict::Overwrite,
        ConflictArg::Rename => OnConflict::Rename,
    };
    let parse = |text: &str| {
        <ConflictArg as clap::ValueEnum>::from_str(text.trim(), true)
            .ok()
            .map(from)
    };
    if let Some(arg) = args.on_conflict {
        return Ok(from(arg));
    }
    if args.overwrite {
        return Ok(OnConflict::Overwrite);
    }
    if let Some(text) = env("PUTIO_UP_ON_CONFLICT")? {
        return parse(&text)
            .ok_or_else(|| Fatal::usage(format!("PUTIO_UP_ON_CONFLICT is `{text}`; {EXPECT}")));
    }
    if let Some(text) = env("PUTIO_UP_OVERWRITE")? {
        let on = match text.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" | "y" => true,
            "0" | "false" | "no" | "off" | "n" => false,
            _ => {
                return Err(Fatal::usage(format!(
                    "PUTIO_UP_OVERWRITE is `{text}`; use true or false (or set PUTIO_UP_ON_CONFLICT)"
                )));
            }
        };
        if on {
            return Ok(OnConflict::Overwrite);
        }
    }
    match config.on_conflict.as_deref() {
        None => Ok(OnConflict::Fail),
        Some(text) => parse(text).ok_or_else(|| {
            Fatal::usage(format!(
                "{} is `{text}`; {EXPECT}",
                config.source("on_conflict")
            ))
        }),
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

/// Splits `/Backups/2026` into its folder names. Whitespace around the whole path is
/// trimmed and repeated `/` ignored; an empty path, a blank name, `.`, `..`, and a name put.io
/// would not get as typed (one a local name would be renamed from) are refused, the last with
/// the name to use instead. `source` names where the path came from, for the error.
fn remote_path(path: &str, source: &str) -> Result<Vec<String>> {
    let typed = path;
    let path = path.trim();
    if path.is_empty() {
        return Err(Fatal::usage(format!(
            "{source} is empty; give a folder path like /Backups/2026, or / for the account root"
        )));
    }
    let mut parts = Vec::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part.trim().is_empty() {
            return Err(Fatal::usage(format!(
                "{source} `{typed}`: a folder name cannot be blank; remove the blank part"
            )));
        }
        if part == "." || part == ".." {
            return Err(Fatal::usage(format!(
                "{source} `{path}`: `.` and `..` are not allowed; give a path from the account root like /Backups/2026"
            )));
        }
        // NFC alone is no change here: a typed name that only normalises is taken as meant.
        let (safe, _) = remote_name(std::ffi::OsStr::new(part));
        if safe != part.nfc().collect::<String>() {
            return Err(Fatal::usage(format!(
                "{source} `{}`: `{}` cannot be a put.io folder name (local names like it are \
                 renamed); use `{}`",
                crate::format::shown(path),
                crate::format::shown(part),
                safe
            )));
        }
        parts.push(safe);
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
        // From the account root with or without the leading slash, as --help says.
        assert_eq!(
            remote_path("Backups/2026", "--to").unwrap(),
            remote_path("/Backups/2026", "--to").unwrap()
        );
        assert_eq!(remote_path(" /a/b/ ", "--to").unwrap(), vec!["a", "b"]);
        assert!(remote_path("/a/../b", "--to").is_err());
        assert!(remote_path("", "--to").is_err());
        assert!(remote_path("/a/ /b", "--to").is_err());
        let err = remote_path("/with:colon", "--to").unwrap_err().to_string();
        assert!(err.contains("use `with_colon`"), "{err}");
        assert!(remote_path("/a\0b", "--to").is_err());
    }
}
