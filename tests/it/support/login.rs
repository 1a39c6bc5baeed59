//! Helpers for the login tests: a private home per test, the binary wired to the fake's OAuth
//! app, a fake that accepts the random callback ports the tests use, a browser played with
//! plain HTTP, and a reader for the lines a running login prints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fake_putio::{FakePutio, OAuthRules, RedirectRule};

/// A fake whose app accepts a callback on any loopback port: tests log in with `--port 0`
/// so that they can run side by side, while put.io (and the fake by default) accepts only
/// the registered callback. `strict` also refuses every parameter put.io's clients do not send.
pub fn fake_any_port(strict: bool) -> FakePutio {
    let fake = super::fake();
    fake.set_oauth_rules(OAuthRules {
        redirect: RedirectRule::AnyLoopbackPort,
        strict_params: strict,
    });
    fake
}

/// Waits (up to a minute) until nothing listens on `port` of 127.0.0.1, for the one test that
/// needs the fixed default port: another run of the suite may hold it for a moment.
pub fn wait_for_free_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "127.0.0.1:{port} stays busy");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A throw-away home: `HOME`, the XDG folders and `PUTIO_UP_CONFIG_DIR` all point into it, so
/// no test reads or writes the real user's config, token file or keychain.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.path().join("config/putio-up")
    }

    /// The token file for `fake` (named after its API origin).
    pub fn token_file(&self, fake: &FakePutio) -> PathBuf {
        let origin = fake.api_url();
        let host = origin.trim_start_matches("http://").replace(':', "-");
        self.config_dir().join(format!("token-{host}"))
    }

    /// Points `cmd` into this home, with no keychain (no D-Bus session) unless added later.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("PUTIO_UP_CONFIG_DIR", self.config_dir())
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
    }
}

/// The binary pointed at `fake`, living in `home`, with the fake's app credentials in the
/// environment and no `PUTIO_TOKEN`: the way a person who has not logged in yet starts.
pub fn logged_out(fake: &FakePutio, home: &Home) -> Command {
    let mut cmd = super::putio_up_std(fake);
    cmd.env_remove("PUTIO_TOKEN");
    home.apply(&mut cmd);
    let app = fake.oauth_app();
    cmd.env("PUTIO_CLIENT_ID", app.client_id)
        .env("PUTIO_CLIENT_SECRET", app.client_secret);
    cmd
}

/// Runs `cmd` to the end with `input` on stdin; fails the test after a minute.
pub fn run_with_input(mut cmd: Command, input: &str) -> std::process::Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start putio-up");
    let mut stdin = child.stdin.take().unwrap();
    // It may exit before reading (e.g. when it cannot store a token anyway).
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    wait_output(child, Duration::from_secs(60))
}

/// Waits for `child` (stdout and stderr piped) and collects its output; kills it and fails
/// the test if it takes longer than `limit`.
pub fn wait_output(mut child: Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "putio-up did not finish within {limit:?}: {}",
                super::output_text(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running `putio-up login` whose stderr is read line by line as it comes.
pub struct RunningLogin {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl RunningLogin {
    pub fn start(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start putio-up login");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line that `pick` accepts, waiting up to 30 s.
    pub fn wait_for(&mut self, pick: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                let _ = self.child.kill();
                panic!("no such line; saw:\n{}", self.seen.join("\n"));
            };
            self.seen.push(line.clone());
            if pick(&line) {
                return line;
            }
        }
    }

    /// The authorize URL the login printed.
    pub fn authorize_url(&mut self) -> String {
        self.wait_for(|line| line.contains("/v2/oauth2/authenticate?"))
            .trim()
            .to_owned()
    }

    /// Waits for the exit; returns the code and everything printed (stdout + all of stderr).
    pub fn finish(mut self) -> (Option<i32>, String) {
        let status = {
            let started = Instant::now();
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    break status;
                }
                if started.elapsed() > Duration::from_secs(60) {
                    let _ = self.child.kill();
                    panic!("login did not end; saw:\n{}", self.seen.join("\n"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            let _ = out.read_to_string(&mut stdout);
        }
        (status.code(), format!("{stdout}{}", self.seen.join("\n")))
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for RunningLogin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer as the tests need it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// A plain HTTP/1.1 GET of an `http://host:port/path?query` URL, as a browser would send it.
pub fn http_get(url: &str) -> Answer {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut stream = TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test-browser\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let location = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    Answer {
        status,
        location,
        body: body.to_owned(),
    }
}

/// Plays the browser: opens the authorize URL at the fake, follows its redirect to the
/// callback, and returns the callback's answer.
pub fn play_browser(authorize_url: &str) -> Answer {
    let at_putio = http_get(authorize_url);
    assert_eq!(at_putio.status, 302, "put.io redirects: {at_putio:?}");
    let callback = at_putio.location.expect("a Location");
    assert!(
        callback.starts_with("http://127.0.0.1:") && callback.contains("/callback?"),
        "{callback}"
    );
    http_get(&callback)
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
