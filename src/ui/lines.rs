//! Plain output for pipes, logs and CI: one line per finished thing, no carriage returns.
//! Colour only when asked for (`--color always`) or on a terminal. Files skipped because
//! put.io has them already are a count (in `uploading ...` and the summary), one line each
//! only with `-v`: a no-op re-run of a big tree stays a few lines.

use std::io::Write;
use std::sync::Arc;

use super::logfile::LogFile;
use super::{Palette, Verbosity};
use crate::format::{human_bytes, shown, shown_path};
use crate::upload::report::{Event, Reporter};

pub(super) struct Lines {
    quiet: bool,
    /// `-v`: also list what the filters left out.
    verbose: bool,
    dry_run: bool,
    palette: Palette,
    /// `--log-file`: the lines go there, stamped, instead of stderr.
    log: Option<Arc<LogFile>>,
}

impl Lines {
    pub(super) fn new(verbosity: Verbosity, dry_run: bool, palette: Palette) -> Self {
        Lines {
            quiet: verbosity == Verbosity::Quiet,
            verbose: matches!(verbosity, Verbosity::Verbose(_)),
            dry_run,
            palette,
            log: None,
        }
    }

    /// The same lines, uncoloured, appended to a log file.
    pub(super) fn to_log(log: Arc<LogFile>, verbosity: Verbosity, dry_run: bool) -> Self {
        Lines {
            log: Some(log),
            ..Lines::new(verbosity, dry_run, Palette { enabled: false })
        }
    }

    fn line(&self, text: &str) {
        if let Some(log) = &self.log {
            log.write(text);
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}

impl Reporter for Lines {
    fn event(&self, event: Event<'_>) {
        let palette = self.palette;
        match event {
            Event::FileFailed { path, reason, .. } => {
                self.line(&format!(
                    "{}    {}: {}",
                    palette.red("failed"),
                    shown(path),
                    shown(reason)
                ));
            }
            Event::Finished(summary) => self.line(&super::summary_text(summary, palette)),
            Event::Warning { message } => self.line(&format!("warning   {message}")),
            _ if self.quiet => {}
            Event::Destination { local, remote } => {
                self.line(&super::header(local, remote, None));
            }
            Event::Retrying { what, message, .. } => {
                // "retrying  a.jpg in 1.8 s (…): 429 …": the note's own verb is the column's.
                let line = match message.strip_prefix("retrying ") {
                    Some(rest) => format!("{} {what} {rest}", palette.yellow("retrying ")),
                    None => format!("{} {what}: {message}", palette.yellow("retrying ")),
                };
                self.line(&line);
            }
            Event::Stalled { path, secs, .. } => {
                self.line(&format!(
                    "{}   {path}: no progress for {secs} s",
                    palette.yellow("stalled")
                ));
            }
            Event::Stopping => self.line(&palette.yellow(super::STOPPING)),
            Event::FilePaused { path, .. } => self.line(&format!("paused    {}", shown(path))),

            Event::Scanned {
                folders,
                files,
                bytes,
                left_out,
            } => self.line(&format!(
                "scanned   {} ({}) in {}{}",
                super::count(files, "file"),
                human_bytes(bytes),
                super::count(folders, "folder"),
                if left_out > 0 {
                    format!(", {left_out} more left out (excluded, ignored or unreadable)")
                } else {
                    String::new()
                }
            )),
            Event::Renamed { local, remote } => {
                self.line(&format!("renamed   {} -> {remote}", shown_path(local)));
            }
            Event::Ignored { local, reason } => {
                self.line(&format!(
                    "{}   {}: {reason}",
                    palette.yellow("ignored"),
                    shown_path(local)
                ));
            }
            Event::Excluded { local, rule } => {
                if self.verbose || self.dry_run {
                    self.line(&format!("excluded  {} ({rule})", shown_path(local)));
                }
            }
            Event::Planned {
                files,
                bytes,
                skipped,
            } => {
                let verb = if self.dry_run {
                    "to upload"
                } else {
                    "uploading"
                };
                self.line(&format!(
                    "{verb} {} ({}), {skipped} already there",
                    super::count(files, "file"),
                    human_bytes(bytes)
                ));
            }
            Event::FolderCreated { path, id } => match id {
                Some(_) => self.line(&format!("created   {path}/")),
                None => self.line(&format!("would create {path}/")),
            },
            Event::FilePlanned { path, size, .. } => {
                if self.dry_run {
                    self.line(&format!(
                        "{} {path} ({})",
                        palette.green("would upload"),
                        human_bytes(size)
                    ));
                }
            }
            Event::FileSkipped { path, reason, .. } => {
                // A plain "already there" is a count; one with a caveat in parentheses
                // (its CRC32 could not be compared) is worth its own line.
                let plain = reason.starts_with(super::ALREADY_THERE) && !reason.contains('(');
                if self.verbose || !plain {
                    self.line(&format!("skipped   {path} ({reason})"));
                }
            }
            Event::FileDone {
                path,
                size,
                verified,
                ..
            } => {
                self.line(&format!(
                    "{}  {path} ({}){}",
                    palette.green("uploaded"),
                    human_bytes(size),
                    super::unverified_note(verified)
                ));
            }
            Event::FileResumed { path, offset, .. } => {
                self.line(&format!("resuming  {path} at {}", human_bytes(offset)));
            }
            Event::Removed { local, folder } => {
                self.line(&super::removed_text(local, folder, self.dry_run));
            }
            Event::FileStarted { .. }
            | Event::FileProgress { .. }
            | Event::Quitting
            | Event::FolderChecked => {}
        }
    }
}
