//! The real OS keychain on Linux: each test starts its own D-Bus session bus and, where it
//! needs one, an unlocked gnome-keyring (Secret Service) with throw-away data and runtime
//! folders, points the real binary at that bus, and stops both afterwards. The user's own
//! keychain is never reached: every command runs with a cleared environment.
//!
//! Needs `dbus-daemon`, `dbus-send` (Debian: dbus-daemon, dbus-bin) and `gnome-keyring-daemon`
//! (gnome-keyring); `secret-tool` (libsecret-tools) is used to look at the keyring from the
//! outside when present. Without them the tests are skipped with a message, unless `CI` is
//! set: then they fail, because CI must run them (`.ci/run` installs the packages).
#![cfg(all(unix, not(target_os = "macos")))]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::login::{Home, logged_out, run_with_input};
use crate::support::{Tree, fake, output_text};
use fake_putio::FakePutio;

/// `true` when `program` is on PATH.
fn installed(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// `None` (after saying why) when a program is missing and we may skip; panics under CI.
fn require(programs: &[&str]) -> Option<()> {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Some(());
    }
    let why = format!(
        "{} not installed (apt-get install gnome-keyring dbus-daemon dbus-bin)",
        missing.join(", ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the real-keychain tests, but {why}"
    );
    let _ = writeln!(std::io::stderr(), "skipping a real-keychain test: {why}");
    None
}

/// A private session bus, and optionally an unlocked gnome-keyring on it.
struct Session {
    dir: tempfile::TempDir,
    address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl Session {
    /// Bus plus unlocked keyring; `None` when skipping.
    fn with_keyring() -> Option<Self> {
        require(&["dbus-daemon", "dbus-send", "gnome-keyring-daemon"])?;
        let mut session = Self::bus(None);
        session.start_keyring();
        Some(session)
    }

    /// A bare bus. With `config`, that file replaces the session configuration (e.g. one
    /// without activation, so no Secret Service can appear).
    fn bus(config: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["run", "data"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let socket = dir.path().join("bus");
        let mut cmd = Command::new("dbus-daemon");
        match config {
            Some(text) => {
                let file = dir.path().join("bus.conf");
                std::fs::write(
                    &file,
                    text.replace("@SOCKET@", &socket.display().to_string()),
                )
                .unwrap();
                cmd.arg(format!("--config-file={}", file.display()));
            }
            None => {
                cmd.arg("--session")
                    .arg(format!("--address=unix:path={}", socket.display()));
            }
        }
        cmd.args(["--nofork", "--print-address=1"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut bus = cmd.spawn().expect("start dbus-daemon");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "bus address: {address:?}");
        Session {
            dir,
            address,
            bus,
            keyring: None,
        }
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address);
    }

    /// `gnome-keyring-daemon --unlock` creates and unlocks the login keyring with the password
    /// on stdin; it takes the bus name a moment later, so wait for that.
    fn start_keyring(&mut self) {
        let mut cmd = Command::new("gnome-keyring-daemon");
        self.env(&mut cmd);
        cmd.args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut keyring = cmd.spawn().expect("start gnome-keyring-daemon");
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"putio-up-test").unwrap();
        drop(stdin);
        self.keyring = Some(keyring);
        let started = Instant::now();
        while !self.has_owner("org.freedesktop.secrets") {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "gnome-keyring did not take org.freedesktop.secrets"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn has_owner(&self, name: &str) -> bool {
        let mut cmd = Command::new("dbus-send");
        self.env(&mut cmd);
        let out = cmd
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("true")
    }

    /// Whether the keyring can be looked at from the outside (`secret-tool`); CI must.
    fn can_look() -> bool {
        let present = installed("secret-tool");
        assert!(
            present || std::env::var_os("CI").is_none(),
            "CI needs secret-tool (libsecret-tools)"
        );
        present
    }

    /// The secret stored for (service putio-up, `user`), read with `secret-tool`.
    fn lookup(&self, user: &str) -> Option<String> {
        let mut cmd = Command::new("secret-tool");
        self.env(&mut cmd);
        let out = cmd
            .args(["lookup", "service", "putio-up", "username", user])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// The binary pointed at `fake`, in `home`, on this bus.
    fn putio_up(&self, fake: &FakePutio, home: &Home) -> Command {
        let mut cmd = logged_out(fake, home);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"));
        cmd
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn text_of(out: &std::process::Output) -> String {
    output_text(out)
}

#[test]
fn the_token_is_stored_read_and_deleted_in_a_real_keychain() {
    let Some(session) = Session::with_keyring() else {
        return;
    };
    let fake = fake();
    let home = Home::new();
    let user = fake.api_url();
    let entry = format!("service putio-up, user {user}");

    // An older plaintext login first, to see the keychain login clear it away.
    let mut cmd = session.putio_up(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    assert_eq!(run_with_input(cmd, &fake.token()).status.code(), Some(0));
    assert!(home.token_file(&fake).exists());

    let mut cmd = session.putio_up(&fake, &home);
    cmd.args(["login", "--with-token"]);
    let out = run_with_input(cmd, &format!("{}\n", fake.token()));
    let text = text_of(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("stored in the OS keychain ({entry})")),
        "{text}"
    );
    assert!(
        text.contains("removed the older plaintext token file"),
        "{text}"
    );
    assert!(!home.token_file(&fake).exists());
    if Session::can_look() {
        assert_eq!(
            session.lookup(&user),
            Some(fake.token()),
            "in gnome-keyring"
        );
    }

    let out = session
        .putio_up(&fake, &home)
        .arg("whoami")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    assert!(
        stdout.contains(&format!("token:    OS keychain ({entry})")),
        "{stdout}"
    );

    let tree = Tree::new();
    tree.file("k/a.txt", b"from the keychain");
    let out = session
        .putio_up(&fake, &home)
        .arg("upload")
        .arg(tree.join("k"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));

    let out = session
        .putio_up(&fake, &home)
        .arg("logout")
        .output()
        .unwrap();
    let text = text_of(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("removed the token from the OS keychain ({entry})")),
        "{text}"
    );
    if Session::can_look() {
        assert_eq!(session.lookup(&user), None, "gone from gnome-keyring");
    }
    let out = session
        .putio_up(&fake, &home)
        .arg("whoami")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text_of(&out));
}

#[test]
fn a_bus_without_a_secret_service_is_named_as_the_cause() {
    if require(&["dbus-daemon"]).is_none() {
        return;
    }
    // No <servicedir>: nothing can be activated, so nobody provides org.freedesktop.secrets.
    let session = Session::bus(Some(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
    ));
    let fake = fake();
    let home = Home::new();
    let mut cmd = session.putio_up(&fake, &home);
    cmd.args(["login", "--with-token"]);
    let started = Instant::now();
    let out = run_with_input(cmd, &fake.token());
    let text = text_of(&out);
    assert!(started.elapsed() < Duration::from_secs(5), "fast: {text}");
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("no Secret Service") && text.contains("--insecure-storage"),
        "{text}"
    );
    assert_eq!(fake.stats().requests, 0);
}

#[test]
fn a_keychain_that_never_answers_is_given_up_on() {
    // A socket that accepts connections and never says a word, like a wedged bus.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("silent-bus");
    let listener = UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let fake = fake();
    let home = Home::new();
    let silent = |cmd: &mut Command| {
        cmd.env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        )
        .env("PUTIO_UP_KEYCHAIN_TIMEOUT", "1");
    };

    let mut cmd = logged_out(&fake, &home);
    silent(&mut cmd);
    cmd.args(["login", "--with-token"]);
    let started = Instant::now();
    let out = run_with_input(cmd, &fake.token());
    let text = text_of(&out);
    assert!(started.elapsed() < Duration::from_secs(10), "{text}");
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("did not answer within 1s") && text.contains("--insecure-storage"),
        "{text}"
    );

    // Reading gives up on it the same way and falls through to the file.
    let mut cmd = logged_out(&fake, &home);
    silent(&mut cmd);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    let out = run_with_input(cmd, &fake.token());
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    let mut cmd = logged_out(&fake, &home);
    silent(&mut cmd);
    let out = cmd.arg("whoami").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    assert!(stdout.contains("token:    file"), "{stdout}");
    assert!(Path::new(&home.token_file(&fake)).exists());
}
