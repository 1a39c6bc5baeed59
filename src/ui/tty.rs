//! The terminal's line settings while progress bars are drawn on it.
//!
//! indicatif pads every row it draws to the terminal's full width, so between redraws the
//! cursor waits past the last column. A Ctrl-C that the terminal driver echoes as `^C`
//! (`stty echoctl`, the default) lands there, starts a new row and moves the cursor down
//! one: the next redraw then clears from one row too low and leaves a copy of the top
//! (overall) line on the screen. By default the driver also throws away output not yet
//! shown when Ctrl-C is typed, which can cut a redraw in half. So while bars are shown,
//! control characters are not echoed as `^X` and output is not flushed on a signal
//! (`-echoctl noflsh`); everything else stays as the person set it.
//!
//! Owns: changing those two settings on stderr's terminal and putting back exactly what it
//! found, once, when the bars close or are dropped. Never: touches a terminal this process
//! is not in the foreground of (that would stop it with SIGTTOU), or anything else.

use std::sync::Mutex;

pub(super) struct QuietEcho {
    #[cfg(unix)]
    saved: Mutex<Option<rustix::termios::Termios>>,
    #[cfg(not(unix))]
    saved: Mutex<Option<()>>,
}

impl QuietEcho {
    /// Turns the echo of `^C` and the flush on a signal off, when stderr is a terminal this
    /// process is in the foreground of; otherwise changes nothing.
    pub(super) fn new() -> Self {
        QuietEcho {
            saved: Mutex::new(quiet()),
        }
    }

    /// Puts the settings back as they were (once; later calls do nothing).
    pub(super) fn restore(&self) {
        let saved = self
            .saved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(saved) = saved {
            put_back(&saved);
        }
    }
}

impl Drop for QuietEcho {
    fn drop(&mut self) {
        self.restore();
    }
}

#[cfg(unix)]
fn foreground() -> bool {
    rustix::termios::tcgetpgrp(std::io::stderr())
        .is_ok_and(|group| group == rustix::process::getpgrp())
}

#[cfg(unix)]
fn quiet() -> Option<rustix::termios::Termios> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    if !foreground() {
        return None;
    }
    let saved = tcgetattr(std::io::stderr()).ok()?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHOCTL);
    quiet.local_modes.insert(LocalModes::NOFLSH);
    if quiet.local_modes == saved.local_modes {
        return None;
    }
    tcsetattr(std::io::stderr(), OptionalActions::Now, &quiet).ok()?;
    Some(saved)
}

#[cfg(unix)]
fn put_back(saved: &rustix::termios::Termios) {
    // Moved to the background since (Ctrl-Z, `bg`): the shell put its own settings back
    // when the job stopped, and trying would stop this process.
    if foreground() {
        let _ = rustix::termios::tcsetattr(
            std::io::stderr(),
            rustix::termios::OptionalActions::Now,
            saved,
        );
    }
}

#[cfg(not(unix))]
fn quiet() -> Option<()> {
    None
}

#[cfg(not(unix))]
fn put_back((): &()) {}
