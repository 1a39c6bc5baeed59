//! Where a token is kept between runs: the OS keychain (through `keyring`: Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows), or, only when asked for with
//! `--insecure-storage`, a plaintext file readable by the owner alone.
//!
//! Every keychain call runs on a thread of its own with a deadline: a Secret Service that
//! accepts a connection and never answers would otherwise hang putio-up for minutes. Each
//! failure becomes a [`KeychainError`] whose text names the cause in one clause. Keychain
//! errors are never formatted with `Debug` (some variants carry the stored bytes).

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::exit::Fatal;
use crate::secret::Token;
use crate::settings::DEFAULT_API_URL;

pub const SERVICE: &str = "putio-up";
/// The keychain user name for put.io itself.
pub const DEFAULT_USER: &str = "default";
pub const TOKEN_FILE: &str = "token";
/// Overrides how long a keychain call may take, in seconds.
pub const KEYCHAIN_TIMEOUT_ENV: &str = "PUTIO_UP_KEYCHAIN_TIMEOUT";

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

/// The token's places for one put.io API origin.
#[derive(Clone, Debug)]
pub struct Store {
    /// Keychain user name: `default` for put.io, the origin itself for any other API URL, so
    /// a login to a test server never overwrites the real one.
    user: String,
    /// The fallback file, when there is a config directory.
    file: Option<PathBuf>,
    deadline: Duration,
}

impl Store {
    pub fn new(api_origin: &str, config_dir: Option<&Path>) -> Self {
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
            deadline: deadline(),
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
        let secret = keychain_call(self.deadline, move || {
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
        keychain_call(self.deadline, move || {
            keyring::Entry::new(SERVICE, &user)?.set_password(token.expose())
        })
    }

    /// `true` when there was an entry to delete.
    pub fn keychain_delete(&self) -> Result<bool, KeychainError> {
        let user = self.user.clone();
        keychain_call(self.deadline, move || {
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

    /// Writes the fallback file atomically: a new file created with mode 0600, written,
    /// flushed to disk, then renamed over the old one. The folder gets mode 0700.
    pub fn file_write(&self, token: &Token) -> Result<PathBuf> {
        let path = self.file.clone().ok_or_else(|| {
            Fatal::usage(format!(
                "no config directory for the token file (no home directory); set {}",
                super::config::CONFIG_DIR_ENV
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        make_private_dir(dir)?;
        let temp = dir.join(format!(
            ".{TOKEN_FILE}.{}.{}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let written = (|| -> std::io::Result<()> {
            let mut file = private_file(&temp)?;
            file.write_all(token.expose().as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&temp, &path)?;
            sync_dir(dir);
            Ok(())
        })();
        if let Err(err) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(Fatal::usage(format!(
                "{}: cannot write the token file: {err}",
                path.display()
            )));
        }
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

/// How long a keychain call may take: `PUTIO_UP_KEYCHAIN_TIMEOUT` seconds, else longer when a
/// person at a graphical session may be typing an unlock password, else a few seconds.
fn deadline() -> Duration {
    if let Some(secs) = std::env::var(KEYCHAIN_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
    {
        return Duration::from_secs_f64(secs.min(3600.0));
    }
    if may_prompt() {
        INTERACTIVE_DEADLINE
    } else {
        DEADLINE
    }
}

fn may_prompt() -> bool {
    use std::io::IsTerminal as _;
    let graphical = cfg!(any(target_os = "macos", windows))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    graphical && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Runs `op` on its own thread and waits at most `deadline` for it.
fn keychain_call<T: Send + 'static>(
    deadline: Duration,
    op: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, KeychainError> {
    if STUCK.load(Ordering::Relaxed) {
        return Err(KeychainError::TimedOut(deadline));
    }
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keychain".to_owned())
        .spawn(move || {
            let _ = tx.send(op().map_err(|err| classify(&err)));
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
fn classify(err: &keyring::Error) -> KeychainError {
    use keyring::Error as E;
    match err {
        E::NoDefaultStore => KeychainError::Unavailable(store_trouble()),
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
fn store_trouble() -> String {
    let cause = match keyring::Entry::store_status() {
        Ok(()) => return "no credential store".to_owned(),
        Err(err) => err.to_string(),
    };
    if cfg!(all(unix, not(target_os = "macos"))) {
        // Without the variable, D-Bus clients fall back to $XDG_RUNTIME_DIR/bus.
        let fallback_bus = std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(&dir).join("bus").exists());
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !fallback_bus {
            return "no D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set".to_owned();
        }
        if cause.contains("org.freedesktop.secrets") || cause.contains("no secret service") {
            return "no Secret Service (such as gnome-keyring) on the D-Bus session".to_owned();
        }
    }
    cause
}

#[cfg(unix)]
fn make_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .and_then(|()| std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)))
        .map_err(|err| {
            Fatal::usage(format!(
                "{}: cannot create the config directory: {err}",
                dir.display()
            ))
        })
}

#[cfg(not(unix))]
fn make_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|err| {
        Fatal::usage(format!(
            "{}: cannot create the config directory: {err}",
            dir.display()
        ))
    })
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes the rename durable where the platform allows opening a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_per_origin() {
        let dir = Path::new("/cfg");
        let real = Store::new(DEFAULT_API_URL, Some(dir));
        assert_eq!(real.keychain_entry(), "service putio-up, user default");
        assert_eq!(real.file(), Some(Path::new("/cfg/token")));
        let fake = Store::new("http://127.0.0.1:8080", Some(dir));
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
        let store = Store::new(DEFAULT_API_URL, Some(&dir));
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
