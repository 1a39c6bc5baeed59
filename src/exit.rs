//! The one place that decides the process exit code and prints a fatal error.
//!
//! Errors travel up as `anyhow::Error`; anything below may attach a [`Fatal`] kind to say
//! which code it deserves. Nothing else in the crate calls `std::process::exit`.

use std::fmt;
use std::process::ExitCode;

use crate::api::ApiError;

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
    /// Interrupted by Ctrl-C (SIGINT).
    Interrupted = 130,
}

/// What a finished command reports: the code it wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome(pub Code);

/// A failure that decides the exit code. Wrap it into `anyhow::Error`; `finish` finds it.
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
/// [`finish`] adds no generic hint.
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

/// The code an error deserves: an explicit [`Fatal`] wins, then a rejected token, else a
/// remote failure (an error that escaped to the top stopped the whole run).
pub fn code_for(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if let Some(fatal) = cause.downcast_ref::<Fatal>() {
            return fatal.code;
        }
        if cause.downcast_ref::<LoginFailed>().is_some() {
            return Code::Auth;
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            if api.is_unauthorized() {
                return Code::Auth;
            }
            if api.is_storage_full() {
                return Code::Remote;
            }
        }
    }
    Code::Remote
}

/// The one hint appended to every authentication failure.
pub const LOGIN_HINT: &str = "run `putio-up login` (`--device` on a machine without a browser, \
`--with-token` to paste a token), or set PUTIO_TOKEN to an OAuth token of your put.io account";

/// Print a fatal error once, in one format, and map the result to the process exit code.
#[allow(clippy::print_stderr)]
pub fn finish(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome(code)) => ExitCode::from(code as u8),
        Err(err) => {
            let code = code_for(&err);
            if code != Code::Interrupted {
                eprintln!("putio-up: error: {}", one_line(&err));
                let explained = err
                    .chain()
                    .any(|c| c.downcast_ref::<LoginFailed>().is_some());
                if code == Code::Auth && !explained {
                    eprintln!("putio-up: hint: {LOGIN_HINT}");
                }
            }
            ExitCode::from(code as u8)
        }
    }
}

/// `err` with its causes on one line, skipping causes that repeat their parent's text.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut last = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || last.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
        last = text;
    }
    out
}
