//! `upload`'s sources and the options of issue 15: several paths, `--files-from`, move mode,
//! `--bwlimit`, the run limits, progress lines and the log file, from flags, the
//! environment and the config file, checked before anything is sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::config::{Config, SizeValue};
use crate::cli::{CutoffMode, UploadArgs, parse_duration, parse_interval, parse_size};
use crate::exit::Fatal;
use crate::ui::LogOptions;
use crate::upload::limit::Schedule;
use crate::upload::plan::{Problem, ProblemKind, ScanOptions};
use crate::upload::select::Selection;
use crate::upload::sources::{self, Source, SourceKind};
use crate::upload::{Cutoff, Limits};

pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_secs(30);

/// The paths to upload, each checked, each once; with a file list, the one folder limited
/// to its entries, and the entries that cannot be sent. `scan` gives a folder its filters.
pub(super) fn sources(
    args: &UploadArgs,
    config: &Config,
    scan: &dyn Fn(&Path) -> Result<ScanOptions>,
) -> Result<(Vec<Source>, Vec<Problem>)> {
    let mut found = Vec::new();
    for path in &args.paths {
        found.push(source(path, scan)?);
    }
    let mut found = sources::distinct(found);
    let Some((list, nul, flag)) = list_option(args, config) else {
        return Ok((found, Vec::new()));
    };
    let [folder] = found.as_mut_slice() else {
        return Err(Fatal::usage(format!(
            "{flag} needs exactly one folder to upload (its entries are paths inside it); {} given",
            found.len()
        )));
    };
    if folder.kind != SourceKind::Folder {
        return Err(Fatal::usage(format!(
            "{flag} needs a folder to upload (its entries are paths inside it); {} is a file",
            folder.root.display()
        )));
    }
    let entries = read_list(&list, nul, &flag)?;
    let typed = std::path::absolute(&args.paths[0]).unwrap_or_else(|_| args.paths[0].clone());
    let (selected, unlisted) = resolve(&folder.root, &typed, &entries, &flag);
    let selection = Selection::new(selected).map_err(|path| {
        Fatal::usage(format!(
            "{flag}: {} is not inside the folder",
            path.display()
        ))
    })?;
    folder.scan.selection = Some(std::sync::Arc::new(selection));
    Ok((found, unlisted))
}

/// `--files-from` or `--files-from0` (clap refuses both), else the config file's key: the
/// list, whether NUL-separated, and how to name it in errors.
fn list_option(args: &UploadArgs, config: &Config) -> Option<(PathBuf, bool, String)> {
    let reach = &args.reach;
    if let Some(path) = &reach.files_from {
        return Some((path.clone(), false, "--files-from".to_owned()));
    }
    if let Some(path) = &reach.files_from0 {
        return Some((path.clone(), true, "--files-from0".to_owned()));
    }
    if let Some(path) = &config.files_from {
        return Some((path.clone(), false, config.source("files_from")));
    }
    config
        .files_from0
        .as_ref()
        .map(|path| (path.clone(), true, config.source("files_from0")))
}

/// The entries of a list: NUL-separated as they are, or one per line with surrounding
/// blanks, empty lines and `#` comments dropped.
fn read_list(list: &Path, nul: bool, flag: &str) -> Result<Vec<PathBuf>> {
    let bytes = if list == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map_err(|err| Fatal::usage(format!("{flag} -: cannot read stdin: {err}")))?;
        bytes
    } else {
        std::fs::read(list).map_err(|err| {
            Fatal::usage(format!(
                "{flag} {}: {}; give a readable file of paths",
                list.display(),
                super::file_reason(&err)
            ))
        })?
    };
    Ok(parse_list(&bytes, nul))
}

fn parse_list(bytes: &[u8], nul: bool) -> Vec<PathBuf> {
    let to_path = |raw: &[u8]| -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            PathBuf::from(std::ffi::OsStr::from_bytes(raw))
        }
        #[cfg(not(unix))]
        {
            PathBuf::from(String::from_utf8_lossy(raw).into_owned())
        }
    };
    if nul {
        return bytes
            .split(|b| *b == 0)
            .filter(|raw| !raw.is_empty())
            .map(to_path)
            .collect();
    }
    bytes
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|raw| !raw.is_empty() && !raw.starts_with(b"#"))
        .map(to_path)
        .collect()
}

/// Each entry as a path relative to `root` (canonical; `typed` is the folder as given,
/// made absolute), or a failure naming why it cannot be sent.
fn resolve(
    root: &Path,
    typed: &Path,
    entries: &[PathBuf],
    flag: &str,
) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut selected = Vec::new();
    let mut unlisted = Vec::new();
    for entry in entries {
        let candidate = if entry.is_absolute() {
            entry.clone()
        } else {
            root.join(entry)
        };
        // The parent canonicalised, the last name kept: a listed link is the link itself.
        let resolved = match (candidate.parent(), candidate.file_name()) {
            (Some(parent), Some(name)) => std::fs::canonicalize(parent).ok().map(|p| p.join(name)),
            _ => std::fs::canonicalize(&candidate).ok(),
        };
        let problem = |reason: String| Problem {
            path: candidate.clone(),
            kind: ProblemKind::Failed,
            reason,
        };
        let Some(resolved) = resolved else {
            let outside =
                entry.is_absolute() && !entry.starts_with(root) && !entry.starts_with(typed);
            unlisted.push(problem(if outside {
                format!(
                    "listed in {flag}, but outside {}; not sent",
                    typed.display()
                )
            } else {
                format!("listed in {flag}, but there is no such file or folder")
            }));
            continue;
        };
        let Ok(relative) = resolved.strip_prefix(root) else {
            unlisted.push(problem(format!(
                "listed in {flag}, but outside {}; not sent",
                typed.display()
            )));
            continue;
        };
        if std::fs::symlink_metadata(&resolved).is_err() {
            unlisted.push(problem(format!(
                "listed in {flag}, but there is no such file or folder"
            )));
            continue;
        }
        selected.push(relative.to_owned());
    }
    (selected, unlisted)
}

/// Checks one path to upload: it exists and is a folder that can be listed, or a file.
fn source(path: &Path, scan: &dyn Fn(&Path) -> Result<ScanOptions>) -> Result<Source> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => {
            Fatal::usage(format!("{shown}: no such file or folder; check the path"))
        }
        std::io::ErrorKind::PermissionDenied => Fatal::usage(format!(
            "{shown}: permission denied; check the permissions of the path and its parents"
        )),
        _ => Fatal::usage(format!("{shown}: {err}")),
    })?;
    let kind = if meta.is_dir() {
        std::fs::read_dir(path).map_err(|err| {
            Fatal::usage(format!(
                "{shown}: cannot list the folder ({}); check its permissions",
                crate::upload::plan::io_reason(&err)
            ))
        })?;
        SourceKind::Folder
    } else if meta.is_file() {
        SourceKind::File
    } else {
        return Err(Fatal::usage(format!(
            "{shown}: not a folder or a regular file (a device, socket or pipe); give folders and files"
        )));
    };
    let root = std::fs::canonicalize(path)
        .map_err(|err| Fatal::usage(format!("{shown}: cannot resolve the path: {err}")))?;
    let name = root.file_name().map(ToOwned::to_owned).ok_or_else(|| {
        Fatal::usage(format!(
            "{shown}: is the file system root; upload a folder below it"
        ))
    })?;
    let scan = match kind {
        SourceKind::Folder => scan(&root)?,
        SourceKind::File => ScanOptions::default(),
    };
    Ok(Source {
        root,
        name,
        kind,
        scan,
    })
}

/// `--delete-source`, else `delete_source` in the config file.
pub(super) fn delete_source(args: &UploadArgs, config: &Config) -> bool {
    args.reach.delete_source || config.delete_source.unwrap_or(false)
}

/// `--bwlimit`, else `bwlimit` in the config file; `None` is no limit.
pub(super) fn bwlimit(args: &UploadArgs, config: &Config) -> Result<Option<Schedule>> {
    let (text, source) = match (&args.reach.bwlimit, &config.bwlimit) {
        (Some(text), _) => (text, "--bwlimit".to_owned()),
        (None, Some(text)) => (text, config.source("bwlimit")),
        (None, None) => return Ok(None),
    };
    parse_bwlimit(text).map_err(|why| Fatal::usage(format!("{source} `{text}`: {why}")))
}

/// `10M`, `512k`, `off`, or a timetable of `HH:MM,RATE` entries separated by blanks.
fn parse_bwlimit(text: &str) -> Result<Option<Schedule>, String> {
    let rate = |text: &str| -> Result<Option<u64>, String> {
        match text.trim() {
            "off" | "0" => Ok(None),
            other => parse_size(other).map(Some),
        }
    };
    if !text.contains(',') {
        return Ok(rate(text)?.map(Schedule::constant));
    }
    let mut entries = Vec::new();
    for entry in text.split_whitespace() {
        let (at, value) = entry
            .split_once(',')
            .ok_or_else(|| format!("`{entry}` is not HH:MM,RATE (e.g. 08:00,1M or 19:00,off)"))?;
        let minute = at
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
            .filter(|(h, m)| *h < 24 && *m < 60 && at.len() <= 5)
            .map(|(h, m)| h * 60 + m)
            .ok_or_else(|| format!("`{at}` is not a time of day like 08:00"))?;
        entries.push((minute, rate(value)?));
    }
    Schedule::timetable(entries).map(Some)
}

/// `--max-transfer`, `--max-duration`, `--cutoff`, each else its config key.
pub(super) fn limits(args: &UploadArgs, config: &Config) -> Result<Limits> {
    let reach = &args.reach;
    let max_transfer = match (reach.max_transfer, &config.max_transfer) {
        (Some(size), _) => Some(size),
        (None, Some(SizeValue::Bytes(0))) => {
            return Err(Fatal::usage(format!(
                "{} is 0; it must be greater than zero",
                config.source("max_transfer")
            )));
        }
        (None, Some(SizeValue::Bytes(size))) => Some(*size),
        (None, Some(SizeValue::Text(text))) => Some(
            parse_size(text)
                .map_err(|why| Fatal::usage(format!("{}: {why}", config.source("max_transfer"))))?,
        ),
        (None, None) => None,
    };
    let max_duration = match (reach.max_duration, &config.max_duration) {
        (Some(wait), _) => Some(wait),
        (None, Some(text)) => Some(
            parse_duration(text)
                .map_err(|why| Fatal::usage(format!("{}: {why}", config.source("max_duration"))))?,
        ),
        (None, None) => None,
    };
    let cutoff = match (reach.cutoff, config.cutoff.as_deref().map(str::trim)) {
        (Some(CutoffMode::Hard), _) | (None, Some("hard")) => Cutoff::Hard,
        (Some(CutoffMode::Soft), _) | (None, Some("soft") | None) => Cutoff::Soft,
        (None, Some(other)) => {
            return Err(Fatal::usage(format!(
                "{} is `{other}`; use \"soft\" or \"hard\"",
                config.source("cutoff")
            )));
        }
    };
    Ok(Limits {
        max_transfer,
        max_duration,
        cutoff,
    })
}

/// `--progress-interval` and `--log-file`, each else its config key.
pub(super) fn log_options(args: &UploadArgs, config: &Config) -> Result<LogOptions> {
    let every = match (args.reach.progress_interval, &config.progress_interval) {
        (Some(every), _) => every,
        (None, Some(text)) => parse_interval(text).map_err(|why| {
            Fatal::usage(format!("{}: {why}", config.source("progress_interval")))
        })?,
        (None, None) => DEFAULT_PROGRESS_INTERVAL,
    };
    Ok(LogOptions {
        progress_every: (!every.is_zero()).then_some(every),
        log_file: args
            .reach
            .log_file
            .clone()
            .or_else(|| config.log_file.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_drop_comments_and_blanks_and_nul_lists_keep_names_whole() {
        let got = parse_list(b"a.txt\n# note\n\n  sub/b c.txt  \r\n", false);
        assert_eq!(got, [PathBuf::from("a.txt"), PathBuf::from("sub/b c.txt")]);
        let got = parse_list(b"#x\0 y\n\0\0z", true);
        assert_eq!(
            got,
            [
                PathBuf::from("#x"),
                PathBuf::from(" y\n"),
                PathBuf::from("z")
            ]
        );
    }

    #[test]
    fn bwlimits_parse_as_rates_or_timetables() {
        assert_eq!(parse_bwlimit("4M"), Ok(Some(Schedule::constant(4 << 20))));
        assert_eq!(parse_bwlimit("off"), Ok(None));
        let table = parse_bwlimit("08:00,1M 19:00,off").unwrap().unwrap();
        assert_eq!(table.rate_at(9 * 60), Some(1 << 20));
        assert_eq!(table.rate_at(20 * 60), None);
        assert!(parse_bwlimit("25:00,1M").is_err());
        assert!(parse_bwlimit("08:00,fast").is_err());
        assert!(parse_bwlimit("08:00").is_err());
    }

    #[test]
    fn entries_missing_or_outside_are_reported_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("up");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), b"a").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"o").unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        let entries = [
            PathBuf::from("sub/a.txt"),
            root.join("sub"),
            PathBuf::from("gone.txt"),
            PathBuf::from("../outside.txt"),
            dir.path().join("outside.txt"),
        ];
        let (selected, unlisted) = resolve(&root, &root, &entries, "--files-from");
        assert_eq!(selected, [PathBuf::from("sub/a.txt"), PathBuf::from("sub")]);
        let reasons: Vec<_> = unlisted.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("no such file"), "{reasons:?}");
        assert!(reasons[1].contains("outside") && reasons[2].contains("outside"));
    }
}
