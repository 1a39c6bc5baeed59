//! Where a token is kept between runs: the OS keychain (through `keyring`: Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows), or, only when asked for with
//! `--insecure-storage`, a plaintext file readable by the owner alone.
//!
//! Every keychain call runs on a thread of its own with a deadline: a Secret Service that
//! accepts a connection and never answers would otherwise hang putio-up for minutes. Each
//! failure becomes a [`KeychainError`] whose text names the cause in one clause. Keychain
//! errors are never formatted with `Debug` (some variants carry the stored bytes).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::api::DEFAULT_API_URL;
use crate::exit::Fatal;
use crate::private_file;
use crate::secret::Token;

pub const SERVICE: &str = "putio-up";
/// The keychain user name for put.io itself.
pub const DEFAULT_USER: &str = "default";
pub const TOKEN_FILE: &str = "token";

/// Enough for a Secret Service that answers at all (they take milliseconds); too short for a
/// person typing an unlock password, which is what [`INTERACTIVE_DEADLINE`] is for.
const DEADLINE: Duration = Duration::from_secs(5);
const INTERACTIVE_DEADLINE: Duration = Duration::from_secs(60);

/// Set once a call has run out of time: the keychain's one-time set-up may be stuck behind
/// it, so later calls in this process fail at once instead of waiting again.
static STUCK: AtomicBool = AtomicBool::new(false);

/// Why the keychain could not be used. `Display` is one clause naming the cause.
#[derive(Debug)]
pub enum KeychainError {
    /// No keychain service to talk to (no D-Bus session, no Secret Service provider, ...).
    Unavailable(String),
    /// The keychain is there but refused access (locked, prompt dismissed, ...).
    Refused(String),
    /// No answer within the deadline.
    TimedOut(Duration),
    /// Anything else the keychain reported.
    Failed(String),
}

impl fmt::Display for KeychainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeychainError::Unavailable(why) => {
                write!(f, "the OS keychain is not available ({why})")
            }
            KeychainError::Refused(why) => {
                write!(f, "the OS keychain refused access; is it locked? ({why})")
            }
            KeychainError::TimedOut(after) => write!(
                f,
                "the OS keychain did not answer within {}s",
                after.as_secs()
            ),
            KeychainError::Failed(why) => write!(f, "the OS keychain failed ({why})"),
        }
    }
}

impl std::error::Error for KeychainError {}

/// How the keychain is used, from what `crate::settings` found out about this session.
#[derive(Clone, Copy, Debug)]
pub struct KeychainOptions {
    /// How long one keychain call may take.
    pub deadline: Duration,
    /// A D-Bus session bus can be found (where the keychain is the Secret Service), for the
    /// message that says why the keychain is unavailable.
    pub session_bus: bool,
}

impl KeychainOptions {
    /// `timeout` when the person set one, else longer when someone at a graphical session
    /// may be typing an unlock password, else a few seconds.
    pub fn new(timeout: Option<Duration>, graphical: bool, session_bus: bool) -> Self {
        use std::io::IsTerminal as _;
        let may_prompt =
            graphical && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let deadline = timeout.unwrap_or(if may_prompt {
            INTERACTIVE_DEADLINE
        } else {
            DEADLINE
        });
        KeychainOptions {
            deadline,
            session_bus,
        }
    }
}

impl Default for KeychainOptions {
    fn default() -> Self {
        KeychainOptions {
            deadline: DEADLINE,
            session_bus: true,
        }
    }
}

/// The token's places for one put.io API origin.
#[derive(Clone, Debug)]
pub struct Store {
    /// Keychain user name: `default` for put.io, the origin itself for any other API URL, so
    /// a login to a test server never overwrites the real one.
    user: String,
    /// The fallback file, when there is a config directory.
    file: Option<PathBuf>,
    keychain: KeychainOptions,
}

impl Store {
    pub fn new(api_origin: &str, config_dir: Option<&Path>, keychain: KeychainOptions) -> Self {
        let (user, file_name) = if api_origin == DEFAULT_API_URL {
            (DEFAULT_USER.to_owned(), TOKEN_FILE.to_owned())
        } else {
            let safe: String = api_origin
                .split_once("://")
                .map_or(api_origin, |(_, rest)| rest)
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            (api_origin.to_owned(), format!("{TOKEN_FILE}-{safe}"))
        };
        Store {
            user,
            file: config_dir.map(|dir| dir.join(file_name)),
            keychain,
        }
    }

    /// "service putio-up, user default", for messages.
    pub fn keychain_entry(&self) -> String {
        format!("service {SERVICE}, user {}", self.user)
    }

    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub fn keychain_read(&self) -> Result<Option<Token>, KeychainError> {
        let user = self.user.clone();
        let secret = keychain_call(self.keychain, move || {
            match keyring::Entry::new(SERVICE, &user)?.get_password() {
                Ok(secret) => Ok(Some(secret)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(err) => Err(err),
            }
        })?;
        Ok(secret.as_deref().and_then(Token::new))
    }

    pub fn keychain_write(&self, token: &Token) -> Result<(), KeychainError> {
        let user = self.user.clone();
        let token = token.clone();
        keychain_call(self.keychain, move || {
            keyring::Entry::new(SERVICE, &user)?.set_password(token.expose())
        })
    }

    /// `true` when there was an entry to delete.
    pub fn keychain_delete(&self) -> Result<bool, KeychainError> {
        let user = self.user.clone();
        keychain_call(self.keychain, move || {
            match keyring::Entry::new(SERVICE, &user)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(err) => Err(err),
            }
        })
    }

    /// The token in the fallback file, if there is one. A file others can read is refused.
    pub fn file_read(&self) -> Result<Option<(Token, PathBuf)>> {
        let Some(path) = &self.file else {
            return Ok(None);
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(Fatal::auth(format!(
                    "{}: cannot read the token file: {err}",
                    path.display()
                )));
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777);
            if mode & 0o077 != 0 {
                return Err(Fatal::auth(format!(
                    "{}: the token file is readable by others (mode {mode:04o}); \
                     run `chmod 600 {}` or `putio-up logout`",
                    path.display(),
                    path.display()
                )));
            }
        }
        let token = Token::new(&text).ok_or_else(|| {
            Fatal::auth(format!(
                "{}: the token file is empty; run `putio-up login` again",
                path.display()
            ))
        })?;
        Ok(Some((token, path.clone())))
    }

    /// Writes the fallback file: private and replaced atomically (see [`private_file`]).
    pub fn file_write(&self, token: &Token) -> Result<PathBuf> {
        let path = self.file.clone().ok_or_else(|| {
            Fatal::usage(
                "no config directory for the token file (no home directory); set \
                 PUTIO_UP_CONFIG_DIR",
            )
        })?;
        let text = format!("{}\n", token.expose());
        private_file::write(&path, text.as_bytes()).map_err(|err| {
            Fatal::usage(format!(
                "{}: cannot write the token file: {err}",
                path.display()
            ))
        })?;
        Ok(path)
    }

    /// `true` when there was a file to delete.
    pub fn file_delete(&self) -> Result<bool> {
        let Some(path) = &self.file else {
            return Ok(false);
        };
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err).with_context(|| format!("{}: cannot remove", path.display())),
        }
    }
}

/// Runs `op` on its own thread and waits at most `deadline` for it.
fn keychain_call<T: Send + 'static>(
    options: KeychainOptions,
    op: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, KeychainError> {
    let deadline = options.deadline;
    if STUCK.load(Ordering::Relaxed) {
        return Err(KeychainError::TimedOut(deadline));
    }
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keychain".to_owned())
        .spawn(move || {
            let _ = tx.send(op().map_err(|err| classify(&err, options.session_bus)));
        });
    if let Err(err) = spawned {
        return Err(KeychainError::Failed(format!(
            "cannot start a thread: {err}"
        )));
    }
    rx.recv_timeout(deadline).unwrap_or_else(|_| {
        // The thread stays blocked; it ends with the process.
        STUCK.store(true, Ordering::Relaxed);
        Err(KeychainError::TimedOut(deadline))
    })
}

/// One clause for each way `keyring` fails (see shared/keychain-ci.md for what each looks like).
fn classify(err: &keyring::Error, session_bus: bool) -> KeychainError {
    use keyring::Error as E;
    match err {
        E::NoDefaultStore => KeychainError::Unavailable(store_trouble(session_bus)),
        E::NoStorageAccess(cause) => KeychainError::Refused(cause.to_string()),
        E::PlatformFailure(cause) => KeychainError::Failed(cause.to_string()),
        E::BadEncoding(_) | E::BadDataFormat(..) => KeychainError::Failed(format!(
            "the stored entry ({SERVICE}) is not a readable token; remove it with `putio-up logout`"
        )),
        E::Ambiguous(_) => KeychainError::Failed(format!(
            "several entries match {SERVICE}; remove them with `putio-up logout` or the keychain app"
        )),
        other => KeychainError::Failed(other.to_string()),
    }
}

/// Why the keychain's store could not be set up, in words a person can act on.
fn store_trouble(session_bus: bool) -> String {
    let cause = match keyring::Entry::store_status() {
        Ok(()) => return "no credential store".to_owned(),
        Err(err) => err.to_string(),
    };
    if cfg!(all(unix, not(target_os = "macos"))) {
        if !session_bus {
            return "no D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set".to_owned();
        }
        if cause.contains("org.freedesktop.secrets") || cause.contains("no secret service") {
            return "no Secret Service (such as gnome-keyring) on the D-Bus session".to_owned();
        }
    }
    cause
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_origin() {
        let dir = Path::new("/cfg");
        let real = Store::new(DEFAULT_API_URL, Some(dir), KeychainOptions::default());
        assert_eq!(real.keychain_entry(), "service putio-up, user default");
        assert_eq!(real.file(), Some(Path::new("/cfg/token")));
        let fake = Store::new(
            "http://127.0.0.1:8080",
            Some(dir),
            KeychainOptions::default(),
        );
        assert_eq!(
            fake.keychain_entry(),
            "service putio-up, user http://127.0.0.1:8080"
        );
        assert_eq!(fake.file(), Some(Path::new("/cfg/token-127.0.0.1-8080")));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_replaced_atomically() {
        use std::os::unix::fs::PermissionsExt as _;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("deeper/putio-up");
        let store = Store::new(DEFAULT_API_URL, Some(&dir), KeychainOptions::default());
        assert!(store.file_read().unwrap().is_none());
        let first = Token::new("first-token").unwrap();
        let path = store.file_write(&first).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        store
            .file_write(&Token::new("second-token").unwrap())
            .unwrap();
        let (read, _) = store.file_read().unwrap().unwrap();
        assert_eq!(read.expose(), "second-token");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = store.file_read().err().unwrap().to_string();
        assert!(
            err.contains("readable by others") && err.contains("chmod 600"),
            "{err}"
        );
        assert!(!err.contains("second-token"));

        assert!(store.file_delete().unwrap());
        assert!(!store.file_delete().unwrap());
    }
}
