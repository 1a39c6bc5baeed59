//! Everything a person sees: progress bars on a terminal, plain lines elsewhere, the summary,
//! and the login commands' lines. The only module that prints (besides `exit::finish` for the
//! fatal error).

mod bars;
mod lines;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Arc;

use crate::settings::{Output, Verbosity};
use crate::upload::human_bytes;
use crate::upload::report::{Reporter, Summary};

/// Picks the reporter for this output: bars when stderr is a terminal and nobody asked for
/// logs or quiet, plain lines otherwise.
pub fn reporter(output: &Output) -> Arc<dyn Reporter> {
    let quiet = output.verbosity == Verbosity::Quiet;
    if !quiet && output.verbosity == Verbosity::Normal && std::io::stderr().is_terminal() {
        Arc::new(bars::Bars::new())
    } else {
        Arc::new(lines::Lines::new(quiet))
    }
}

/// One or more lines for the person at the terminal, on stderr (login instructions, notes).
pub fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// A command's product, on stdout (e.g. `whoami`'s report).
pub fn report(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
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

/// The closing lines of a run, shared by both reporters.
pub(crate) fn summary_text(summary: &Summary) -> String {
    let mut text = String::new();
    let head = if summary.interrupted {
        "Interrupted"
    } else {
        "Done"
    };
    let _ = write!(
        text,
        "{head}: {} uploaded ({}), {} skipped, {} failed",
        summary.uploaded,
        human_bytes(summary.uploaded_bytes),
        summary.skipped,
        summary.failures.len(),
    );
    if summary.ignored > 0 {
        let _ = write!(text, ", {} ignored", summary.ignored);
    }
    if summary.folders_created > 0 {
        let _ = write!(text, ", {} folders created", summary.folders_created);
    }
    let _ = write!(
        text,
        " in {:.1}s ({}/s)",
        summary.elapsed.as_secs_f64(),
        human_bytes(summary.rate() as u64)
    );
    if !summary.failures.is_empty() {
        text.push_str("\nFailed:");
        for failure in &summary.failures {
            let _ = write!(text, "\n  {}: {}", failure.path, failure.reason);
        }
    }
    if summary.interrupted {
        text.push_str("\nRun the same command again to continue; finished files are skipped.");
    }
    text
}
