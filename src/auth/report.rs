//! What `login`, `logout` and `whoami` have to tell the person, as events: auth decides what
//! happened, the UI layer decides how it looks (`-q`, colour, `--json`), as it does for the
//! upload engine's [`crate::upload::report::Event`]s. Nothing here prints.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::AccountInfo;

/// The environment variable whose token wins over a stored one.
pub const TOKEN_ENV: &str = "PUTIO_TOKEN";

/// Where the token of this run came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Environment,
    /// The keychain entry, e.g. "service putio-up, user default".
    Keychain(String),
    File(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Environment => write!(f, "environment ({TOKEN_ENV})"),
            TokenSource::Keychain(entry) => write!(f, "OS keychain ({entry})"),
            TokenSource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// How much a notice matters, so that `-q` can leave out the chatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Needed to finish the command (where to log in, the code to check): always shown.
    Instruction,
    /// What the command is doing meanwhile: left out by `-q`.
    Progress,
    /// How the command ended, and warnings and notes about it: always shown.
    Outcome,
}

#[derive(Clone, Copy, Debug)]
pub enum Notice<'a> {
    /// The browser login's address; `opened` when putio-up opened a browser on it.
    LoginPage {
        url: &'a str,
        opened: bool,
    },
    /// The callback listens on a port other than the registered one (`--port 0` or another):
    /// put.io accepts it only if it allows any loopback port for the app, which is unknown.
    UnregisteredPort {
        port: u16,
        redirect: &'a str,
        registered: u16,
    },
    /// Waiting for put.io to send the browser back.
    AwaitingCallback {
        redirect: &'a str,
        timeout: Duration,
    },
    /// The device login's link and code, and how long approval may take.
    DeviceCode {
        link: &'a str,
        code: &'a str,
        timeout: Duration,
    },
    /// A keychain entry from an older login was removed (it would shadow the new file).
    RemovedOlderKeychainEntry,
    /// A plaintext token file from an older login was removed.
    RemovedOlderFile {
        path: &'a Path,
    },
    /// `--insecure-storage`: the token is now in plaintext in `path`.
    PlaintextToken {
        path: &'a Path,
    },
    LoggedIn {
        username: &'a str,
        stored_in: &'a str,
    },
    /// `PUTIO_TOKEN` is set, and wins over the token just stored.
    EnvironmentTokenWins,
    RemovedFromKeychain {
        entry: &'a str,
    },
    /// `logout` could not look in the keychain.
    KeychainNotCleared {
        reason: &'a str,
    },
    RemovedFile {
        path: &'a Path,
    },
    NothingStored,
    /// After `logout`: `PUTIO_TOKEN` is still set.
    EnvironmentTokenStillSet,
    /// `whoami`'s answer: the command's product.
    Account {
        info: &'a AccountInfo,
        source: &'a TokenSource,
    },
}

impl Notice<'_> {
    pub fn weight(&self) -> Weight {
        match self {
            Notice::LoginPage { .. }
            | Notice::DeviceCode { .. }
            | Notice::UnregisteredPort { .. } => Weight::Instruction,
            Notice::AwaitingCallback { .. }
            | Notice::RemovedOlderKeychainEntry
            | Notice::RemovedOlderFile { .. } => Weight::Progress,
            Notice::PlaintextToken { .. }
            | Notice::LoggedIn { .. }
            | Notice::EnvironmentTokenWins
            | Notice::RemovedFromKeychain { .. }
            | Notice::KeychainNotCleared { .. }
            | Notice::RemovedFile { .. }
            | Notice::NothingStored
            | Notice::EnvironmentTokenStillSet
            | Notice::Account { .. } => Weight::Outcome,
        }
    }
}

/// Receives auth's notices; implemented by the UI layer.
pub trait Listener: Send + Sync {
    fn notice(&self, notice: Notice<'_>);
}
