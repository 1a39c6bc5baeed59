//! The words of how a run ends, on the ground floor: the exit codes, [`Fatal`] (an error
//! that names the code it deserves) and [`LoginFailed`]. It imports nothing of ours, so
//! every layer may use it.
//!
//! It never decides: which code an error chain gets is `crate::exit_code` at the top, where
//! every layer's error types are in view. Besides `main`, only [`now`] calls
//! `std::process::exit`.

use std::fmt;
use std::process::ExitCode;

/// Exit codes, documented in README.md. Scripts depend on these numbers: never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Everything was uploaded (or already there).
    Success = 0,
    /// The run finished, but some files failed.
    PartialFailure = 1,
    /// Usage or local input error before anything was sent.
    Usage = 2,
    /// No token, or put.io rejected it.
    Auth = 3,
    /// A remote error stopped the whole run (destination cannot be created, account full, ...).
    Remote = 4,
    /// Stopped at a limit the user set (`--max-transfer`, `--max-duration`) with files left;
    /// running the same command again continues.
    Limit = 5,
    /// Interrupted by Ctrl-C (SIGINT).
    Interrupted = 130,
}

/// What a finished command reports: the code it wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome(pub Code);

/// A failure that decides the exit code. Wrap it into `anyhow::Error`; the top finds it.
#[derive(Debug)]
pub struct Fatal {
    pub code: Code,
    pub message: String,
}

impl Fatal {
    pub fn usage(message: impl Into<String>) -> anyhow::Error {
        Self::make(Code::Usage, message)
    }
    pub fn auth(message: impl Into<String>) -> anyhow::Error {
        Self::make(Code::Auth, message)
    }
    pub fn remote(message: impl Into<String>) -> anyhow::Error {
        Self::make(Code::Remote, message)
    }
    pub fn interrupted() -> anyhow::Error {
        Self::make(Code::Interrupted, "interrupted")
    }
    fn make(code: Code, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Fatal {
            code,
            message: message.into(),
        })
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fatal {}

/// A login that did not end with a stored token (denied, timed out, rejected, cannot be kept):
/// exit 3 like any authentication failure, but its message already says what to do next, so
/// the top adds no generic hint.
#[derive(Debug)]
pub struct LoginFailed(pub String);

impl LoginFailed {
    /// The error to return.
    pub fn error(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(LoginFailed(message.into()))
    }
}

impl fmt::Display for LoginFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoginFailed {}

/// The one hint appended to every authentication failure.
pub const LOGIN_HINT: &str = "run `putio-up login` (`--device` on a machine without a browser, \
`--with-token` to paste a token), or set PUTIO_TOKEN to an OAuth token of your put.io account";

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// Leaves the process at once with `code`, for the one case that cannot unwind: a second
/// Ctrl-C while the run winds down. Everything else returns its [`Outcome`] to `main`.
#[allow(clippy::exit)]
pub fn now(code: Code) -> ! {
    std::process::exit(code as i32)
}
