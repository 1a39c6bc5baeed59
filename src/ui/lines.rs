//! Plain output for pipes, logs and CI: one line per finished thing, no carriage returns.

use std::io::Write;

use crate::settings::Verbosity;
use crate::upload::human_bytes;
use crate::upload::report::{Event, Reporter};

pub struct Lines {
    quiet: bool,
    /// `-v`: also list what the filters left out.
    verbose: bool,
    dry_run: bool,
}

impl Lines {
    pub fn new(verbosity: Verbosity, dry_run: bool) -> Self {
        Lines {
            quiet: verbosity == Verbosity::Quiet,
            verbose: matches!(verbosity, Verbosity::Verbose(_)),
            dry_run,
        }
    }

    #[allow(clippy::unused_self)]
    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}

impl Reporter for Lines {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::FileFailed { path, reason, .. } => {
                self.line(&format!("failed    {path}: {reason}"));
            }
            Event::Finished(summary) => self.line(&super::summary_text(summary)),
            _ if self.quiet => {}
            Event::Scanned {
                folders,
                files,
                bytes,
            } => self.line(&format!(
                "scanned   {files} files ({}) in {folders} folders",
                human_bytes(bytes)
            )),
            Event::Renamed { local, remote } => {
                self.line(&format!("renamed   {} -> {remote}", local.display()));
            }
            Event::Ignored { local, reason } => {
                self.line(&format!("ignored   {}: {reason}", local.display()));
            }
            Event::Excluded { local, rule } => {
                if self.verbose || self.dry_run {
                    self.line(&format!("excluded  {} ({rule})", local.display()));
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
                    "{verb} {files} files ({}), {skipped} already there",
                    human_bytes(bytes)
                ));
            }
            Event::FolderCreated { path, id } => match id {
                Some(_) => self.line(&format!("created   {path}/")),
                None => self.line(&format!("would create {path}/")),
            },
            Event::FilePlanned { path, size, .. } => {
                if self.dry_run {
                    self.line(&format!("would upload {path} ({})", human_bytes(size)));
                }
            }
            Event::FileSkipped { path, reason, .. } => {
                self.line(&format!("skipped   {path} ({reason})"));
            }
            Event::FileDone { path, size, .. } => {
                self.line(&format!("uploaded  {path} ({})", human_bytes(size)));
            }
            Event::FileStarted { .. } | Event::FileProgress { .. } => {}
        }
    }
}
