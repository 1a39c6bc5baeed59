//! How `login`, `logout` and `whoami` look: their notices as lines on stderr (left out by
//! `-q` where they are only progress, coloured where colour is on), `whoami`'s answer on
//! stdout, as text or, with `--json`, as one JSON object.

use std::io::Write as _;

use serde::Serialize;

use super::{Output, Palette, Verbosity};
use crate::auth::report::{Listener, Notice, Weight};
use crate::auth::{TOKEN_ENV, TokenSource};
use crate::format::{human_bytes, human_duration};

pub struct AuthPrinter {
    quiet: bool,
    palette: Palette,
    json: bool,
}

impl AuthPrinter {
    /// `json`: `whoami`'s answer as one JSON object on stdout instead of text.
    pub fn new(output: &Output, json: bool) -> Self {
        AuthPrinter {
            quiet: output.verbosity == Verbosity::Quiet,
            palette: Palette {
                enabled: output.color,
            },
            json,
        }
    }

    /// The lines for the person, on stderr; `None` for the command's product.
    fn text(&self, notice: &Notice<'_>) -> Option<String> {
        let p = self.palette;
        Some(match *notice {
            Notice::LoginPage { url, opened } => {
                let head = if opened {
                    "putio-up: your browser shows put.io's login page; if it does not, open:"
                } else {
                    "putio-up: open this address in a browser to log in to put.io:"
                };
                format!("{head}\n\n    {url}\n")
            }
            Notice::UnregisteredPort {
                port,
                redirect,
                registered,
            } => format!(
                "putio-up: --port 0 chose port {port}; put.io accepts {redirect} only if it allows any loopback port for \
                 your app (not known); if the login fails, use the port of the callback URL \
                 registered for the app (putio-up's default is {registered})"
            ),
            Notice::AwaitingCallback { redirect, timeout } => format!(
                "putio-up: waiting up to {} for put.io to send the browser back to {redirect} \
                 (Ctrl-C to cancel)",
                human_duration(timeout)
            ),
            Notice::DeviceCode {
                link,
                code,
                timeout,
            } => format!(
                "putio-up: to log in, open this address on any device logged in to put.io:\n\n    \
                 {link}\n\nputio-up: and check that it shows this code:\n\n    \
                 {code}\n\nputio-up: waiting up to {} for approval (Ctrl-C to cancel)",
                human_duration(timeout)
            ),
            Notice::RemovedOlderKeychainEntry => {
                "putio-up: removed the older token from the OS keychain".to_owned()
            }
            Notice::RemovedOlderFile { path } => format!(
                "putio-up: removed the older plaintext token file {}",
                path.display()
            ),
            Notice::PlaintextToken { path } => format!(
                "putio-up: {} --insecure-storage: the token is in plaintext in {} (mode \
                 0600: only your user can read it, and anything running as your user)",
                p.yellow("warning:"),
                path.display()
            ),
            Notice::LoggedIn {
                username,
                stored_in,
            } => format!(
                "putio-up: logged in to put.io as {username}; the token is stored in {stored_in}"
            ),
            Notice::EnvironmentTokenWins => {
                format!("putio-up: note: {TOKEN_ENV} is set here and wins over the stored token")
            }
            Notice::RemovedFromKeychain { entry } => {
                format!("putio-up: removed the token from the OS keychain ({entry})")
            }
            Notice::KeychainNotCleared { reason } => {
                format!("putio-up: note: {reason}; nothing removed there")
            }
            Notice::RemovedFile { path } => format!("putio-up: removed {}", path.display()),
            Notice::NothingStored => "putio-up: no stored token found".to_owned(),
            Notice::EnvironmentTokenStillSet => {
                format!("putio-up: note: {TOKEN_ENV} is still set in this environment")
            }
            Notice::Account { .. } => return None,
        })
    }
}

impl Listener for AuthPrinter {
    fn notice(&self, notice: Notice<'_>) {
        if let Notice::Account { info, source } = notice {
            let mut out = std::io::stdout().lock();
            let text = if self.json {
                serde_json::to_string(&Whoami {
                    username: &info.username,
                    disk: Disk {
                        used: info.disk.used,
                        avail: info.disk.avail,
                        size: info.disk.size,
                    },
                    token_source: Source::of(source),
                })
                .expect("plain data serializes")
            } else {
                format!(
                    "username: {}\ndisk:     {} used, {} available, {} in all\ntoken:    {source}",
                    info.username,
                    human_bytes(info.disk.used),
                    human_bytes(info.disk.avail),
                    human_bytes(info.disk.size),
                )
            };
            let _ = writeln!(out, "{text}");
            return;
        }
        if self.quiet && notice.weight() == Weight::Progress {
            return;
        }
        if let Some(text) = self.text(&notice) {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }
}

/// `whoami --json`: one object (schema in README.md, "whoami").
#[derive(Serialize)]
struct Whoami<'a> {
    username: &'a str,
    disk: Disk,
    token_source: Source<'a>,
}

/// Bytes, as put.io counts them.
#[derive(Serialize)]
struct Disk {
    used: u64,
    avail: u64,
    size: u64,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Source<'a> {
    Environment { variable: &'static str },
    Keychain { entry: &'a str },
    File { path: String },
}

impl<'a> Source<'a> {
    fn of(source: &'a TokenSource) -> Self {
        match source {
            TokenSource::Environment => Source::Environment {
                variable: TOKEN_ENV,
            },
            TokenSource::Keychain(entry) => Source::Keychain { entry },
            TokenSource::File(path) => Source::File {
                path: path.display().to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer(verbosity: Verbosity, color: bool) -> AuthPrinter {
        AuthPrinter::new(&Output { verbosity, color }, false)
    }

    #[test]
    fn progress_is_left_out_by_quiet_and_instructions_are_not() {
        let quiet = printer(Verbosity::Quiet, false);
        assert_eq!(Notice::RemovedOlderKeychainEntry.weight(), Weight::Progress);
        let page = Notice::LoginPage {
            url: "http://x/login",
            opened: false,
        };
        assert_eq!(page.weight(), Weight::Instruction);
        assert!(
            quiet
                .text(&page)
                .unwrap()
                .contains("\n    http://x/login\n")
        );
        assert_eq!(Notice::NothingStored.weight(), Weight::Outcome);
    }

    #[test]
    fn colour_only_when_on() {
        let path = std::path::Path::new("/t");
        let plain = printer(Verbosity::Normal, false)
            .text(&Notice::PlaintextToken { path })
            .unwrap();
        assert!(
            plain.starts_with("putio-up: warning: --insecure-storage"),
            "{plain}"
        );
        let coloured = printer(Verbosity::Normal, true)
            .text(&Notice::PlaintextToken { path })
            .unwrap();
        assert!(coloured.contains("\x1b[33mwarning:\x1b[0m"), "{coloured}");
    }

    #[test]
    fn token_sources_serialize_with_their_kind() {
        let file = TokenSource::File("/c/token".into());
        let json = serde_json::to_string(&Source::of(&file)).unwrap();
        assert_eq!(json, r#"{"kind":"file","path":"/c/token"}"#);
        let env = serde_json::to_string(&Source::of(&TokenSource::Environment)).unwrap();
        assert_eq!(env, r#"{"kind":"environment","variable":"PUTIO_TOKEN"}"#);
    }
}
