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
pub mod watch;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Arc;

use crate::format::human_bytes;
use crate::upload::report::{Event, Reporter, Summary};

pub use json::Json;

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
/// terminal and nobody asked for logs, quiet or a dry run; plain lines otherwise.
pub fn reporter(output: &Output, dry_run: bool) -> Arc<dyn Reporter> {
    let palette = Palette {
        enabled: output.color,
    };
    let normal = output.verbosity == Verbosity::Normal;
    if normal && !dry_run && std::io::stderr().is_terminal() {
        Arc::new(bars::Bars::new(palette))
    } else {
        Arc::new(lines::Lines::new(output.verbosity, dry_run, palette))
    }
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

/// Sets up `tracing` logs on stderr for `-v` (info), `-vv` (debug), `-vvv` (trace).
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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// `1 file`, `2 files`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The closing lines of a run, shared by both reporters.
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
        let _ = write!(
            text,
            " in {:.1}s ({}/s)",
            summary.elapsed.as_secs_f64(),
            human_bytes(summary.rate() as u64)
        );
    }
    if !summary.failures.is_empty() {
        text.push('\n');
        text.push_str(&palette.red("Failed:"));
        for failure in &summary.failures {
            let _ = write!(text, "\n  {}: {}", failure.path, failure.reason);
        }
    }
    if summary.interrupted {
        text.push_str("\nRun the same command again to continue; finished files are skipped.");
    }
    text
}
