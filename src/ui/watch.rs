//! `watch`'s own lines: one per thing that happened to the service (watching, trouble and
//! its end, rescans, stopping), on stderr. The files it sends are reported by the plain
//! line reporter, never by bars: a service's output is a log.

use std::io::Write as _;
use std::sync::Arc;

use super::{Output, Palette, Verbosity, lines::Lines};
use crate::upload::report::Reporter;
use crate::watch::{Listener, Notice};

/// One line per finished file, whatever stderr is.
pub fn reporter(output: &Output) -> Arc<dyn Reporter> {
    Arc::new(Lines::new(
        output.verbosity,
        false,
        Palette {
            enabled: output.color,
        },
    ))
}

/// Prints watch notices; with `-q`, only trouble.
pub struct WatchPrinter {
    quiet: bool,
    palette: Palette,
}

impl WatchPrinter {
    pub fn new(output: &Output) -> Self {
        WatchPrinter {
            quiet: output.verbosity == Verbosity::Quiet,
            palette: Palette {
                enabled: output.color,
            },
        }
    }
}

impl Listener for WatchPrinter {
    fn notice(&self, notice: Notice<'_>) {
        let line = match notice {
            Notice::Info(_) if self.quiet => return,
            Notice::Info(text) => format!("watch     {text}"),
            Notice::Trouble(text) => format!("{}   {text}", self.palette.yellow("trouble")),
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
