//! Everything a person sees: progress bars on a terminal, plain lines elsewhere, the summary,
//! the auth commands' lines, the fatal error; and JSON on stdout for scripts. The only
//! module that prints (besides the generated completions and man pages, written to the
//! stream `lib.rs` hands `generate`).
//!
//! It listens: the upload engine's [`Event`]s through a [`Reporter`], auth's
//! [`crate::auth::report::Notice`]s through a [`crate::auth::report::Listener`]. It owns
//! its input type, [`Output`]; `crate::settings` builds it.

pub mod auth;
mod bars;
mod json;
mod lines;
mod logfile;
pub mod progress;
mod tty;
pub mod watch;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Arc;

use crate::format::{human_bytes, shown};
use crate::upload::report::{Event, Reporter, Summary};

pub use json::Json;
pub use progress::{LogOptions, upload_reporter};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose(u8),
}

/// How human output looks: how much of it, and whether in colour.
#[derive(Clone, Debug)]
pub struct Output {
    pub verbosity: Verbosity,
    /// Colour in human output (stderr).
    pub color: bool,
}

/// Picks the human reporter for this output (it writes to stderr): bars when stderr is a
/// terminal that can draw them (not `TERM=dumb`) and nobody asked for logs, quiet or a dry
/// run; plain lines otherwise. With `--json` (`json`) on a terminal stdout too, plain
/// lines: bars redrawn between JSON lines on one screen would leave copies of themselves.
pub fn reporter(output: &Output, dry_run: bool, json: bool) -> Arc<dyn Reporter> {
    let palette = Palette {
        enabled: output.color,
    };
    let normal = output.verbosity == Verbosity::Normal;
    let json_on_screen = json && std::io::stdout().is_terminal();
    if normal && !dry_run && !json_on_screen && can_draw() {
        Arc::new(bars::Bars::new(palette))
    } else {
        Arc::new(lines::Lines::new(output.verbosity, dry_run, palette))
    }
}

/// stderr is a terminal that moves its cursor: `TERM=dumb` (Emacs shells, some CI
/// consoles) gets plain lines.
fn can_draw() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// Hands every event to two reporters: the human one and `--json`.
pub struct Tee(pub Arc<dyn Reporter>, pub Arc<dyn Reporter>);

impl Reporter for Tee {
    fn event(&self, event: Event<'_>) {
        self.0.event(event.clone());
        self.1.event(event);
    }
}

/// Colour for human output, or none: plain ANSI SGR codes, only when enabled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Palette {
    pub enabled: bool,
}

impl Palette {
    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub(crate) fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// A line for a person on stderr, for a command that prints its own report (`doctor`).
pub fn say(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A command's product on stdout (`doctor --json`), flushed at once.
pub fn product(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// A failure that stopped the command, once, on stderr, with `hint` on a line of its own.
/// Shown even with `-q`: it is what went wrong.
pub fn fatal(message: &str, hint: Option<&str>) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "putio-up: error: {message}");
    if let Some(hint) = hint {
        let _ = writeln!(err, "putio-up: hint: {hint}");
    }
}

/// Sets up `tracing` logs on stderr for `-v` (info), `-vv` (debug), `-vvv` (trace: also
/// one line per HTTP request, with method, host, path, status and time).
/// Only putio-up's own logs: the HTTP stack's are noisy and not ours to promise.
pub fn init_logs(output: &Output) {
    let Verbosity::Verbose(level) = output.verbosity else {
        return;
    };
    let ours = match level {
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,putio_up={ours}"));
    // No colour unless human output has it (`--color`, a terminal), and a closed stderr
    // (`2>&1 | head`) silences the logs instead of panicking on the complaint about it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(output.color)
        .with_target(false)
        .log_internal_errors(false)
        .try_init();
}

/// What the first Ctrl-C is answered with, at once.
pub(crate) const STOPPING: &str = "stopping: no new files start, files in flight pause (they resume on the next run); press Ctrl-C again to quit at once";

/// How the decide stage's skip reasons for files put.io already has begin: those are
/// counted, not listed, unless `-v`.
pub(crate) const ALREADY_THERE: &str = "already on put.io";

/// `./photos → put.io:/Backups/2026/photos`, and with the scan's totals `, 303 files,
/// 2.0 GiB`: the first line of a run, saying what goes where.
pub(crate) fn header(
    local: &std::path::Path,
    remote: &str,
    totals: Option<(usize, u64)>,
) -> String {
    let mut text = format!(
        "{} → put.io:{}",
        crate::format::shown_path(local),
        crate::format::shown(remote)
    );
    if let Some((files, bytes)) = totals {
        let _ = write!(text, ", {}, {}", count(files, "file"), human_bytes(bytes));
    }
    text
}

/// `1 file`, `2 files`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The line for a local file or folder `--delete-source` removed (or, in a dry run, would).
pub(crate) fn removed_text(local: &std::path::Path, folder: bool, dry_run: bool) -> String {
    let slash = if folder { "/" } else { "" };
    let verb = if dry_run { "would remove" } else { "removed  " };
    format!("{verb} {}{slash}", crate::format::shown_path(local))
}

/// What an `uploaded` line adds for a file put.io stored without a CRC32 to check.
pub(crate) fn unverified_note(verified: bool) -> &'static str {
    if verified {
        ""
    } else {
        ", not verified: put.io reported no CRC32"
    }
}

pub(crate) fn summary_text(summary: &Summary, palette: Palette) -> String {
    let mut text = String::new();
    let failed = summary.failures.len();
    if summary.dry_run {
        let _ = write!(
            text,
            "Dry run: would upload {} ({}), {} skipped, {failed} failed",
            count(summary.uploaded, "file"),
            human_bytes(summary.uploaded_bytes),
            summary.skipped,
        );
    } else {
        let head = if summary.interrupted {
            "Interrupted"
        } else if summary.stopped_at.is_some() {
            "Stopped at a limit"
        } else {
            "Done"
        };
        let _ = write!(
            text,
            "{head}: {} uploaded ({}), {} skipped, {failed} failed",
            summary.uploaded,
            human_bytes(summary.uploaded_bytes),
            summary.skipped,
        );
    }
    if summary.unverified > 0 {
        let _ = write!(
            text,
            " ({} not verified: put.io reported no CRC32)",
            summary.unverified
        );
    }
    if summary.ignored > 0 {
        let _ = write!(text, ", {} ignored", summary.ignored);
    }
    if summary.excluded > 0 {
        let _ = write!(text, ", {} excluded", summary.excluded);
    }
    if summary.removed > 0 {
        let verb = if summary.dry_run {
            "to remove"
        } else {
            "removed"
        };
        let _ = write!(text, ", {} {verb} locally", summary.removed);
    }
    if summary.dry_run {
        if summary.folders_created > 0 {
            let _ = write!(text, ", {} folders to create", summary.folders_created);
        }
        text.push_str("; nothing was changed on put.io");
    } else {
        if summary.folders_created > 0 {
            let _ = write!(
                text,
                ", {} created",
                count(summary.folders_created, "folder")
            );
        }
        let _ = write!(text, " in {:.1}s", summary.elapsed.as_secs_f64());
        // The rate of what this run sent; a run that sent nothing has none to show.
        if summary.sent_bytes > 0 {
            let _ = write!(text, " ({}/s)", human_bytes(summary.rate() as u64));
        }
        if summary.retried > 0 {
            let _ = write!(
                text,
                "; {} retried",
                count(
                    usize::try_from(summary.retried).unwrap_or(usize::MAX),
                    "request"
                )
            );
        }
    }
    if !summary.failures.is_empty() {
        text.push('\n');
        text.push_str(&palette.red("Failed:"));
        for failure in &summary.failures {
            let _ = write!(
                text,
                "\n  {}: {}",
                shown(&failure.path),
                shown(&failure.reason)
            );
        }
    }
    if !summary.paused.is_empty() {
        text.push_str("\nPaused, to resume on the next run:");
        for path in &summary.paused {
            let _ = write!(text, "\n  {}", shown(path));
        }
    }
    if let Some(limit) = summary.stopped_at {
        let _ = write!(
            text,
            "\nStopped at {}: run the same command again to continue; finished files are skipped.",
            limit.flag()
        );
    } else if summary.interrupted {
        text.push_str("\nRun the same command again to continue; finished files are skipped.");
    }
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn removals_and_the_header_keep_a_name_on_one_line() {
        assert_eq!(
            super::removed_text(Path::new("/out/new\nline.txt"), false, true),
            "would remove /out/new\\nline.txt"
        );
        let header = super::header(Path::new("/a\nb"), "/dest/a\nb", None);
        assert!(!header.contains('\n'), "{header}");
    }
}
