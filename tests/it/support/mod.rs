//! Shared test helpers: local trees to upload, the fake put.io, and the real binary wired to it.

pub mod json;
pub mod login;
pub mod tree;

use std::collections::BTreeMap;

use assert_cmd::Command;
use fake_putio::{EntryKind, FakePutio, Options};

pub use tree::Tree;

/// A fake put.io with default options.
pub fn fake() -> FakePutio {
    FakePutio::start(Options::default()).expect("start fake put.io")
}

pub fn fake_with(options: Options) -> FakePutio {
    FakePutio::start(options).expect("start fake put.io")
}

/// The folders of the test running on this thread: a temporary home (with its XDG config,
/// data, state and cache folders inside) and the resume journals' folder. libtest runs every
/// test on a thread of its own, so this is one world per test, and it is removed when the
/// test's thread ends: nothing is left in the temporary directory, and no test sees another
/// test's config, token file or journal.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("putio-up-test-")
            .tempdir()
            .expect("temp world");
        World { dir }
    }

    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }
}

thread_local! {
    static WORLD: World = World::new();
}

fn world<T>(f: impl FnOnce(&World) -> T) -> T {
    WORLD.with(f)
}

/// The real `putio-up` binary, pointed at `fake` with its token, and a clean environment.
pub fn putio_up(fake: &FakePutio) -> Command {
    let mut cmd = Command::from_std(putio_up_std(fake));
    cmd.timeout(std::time::Duration::from_secs(300));
    cmd
}

/// The same as [`putio_up`], as a plain `std::process::Command` for tests that spawn it.
pub fn putio_up_std(fake: &FakePutio) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("putio-up"));
    let home = world(World::home);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        // No config file unless a test brings one: the folders exist only if a run makes them.
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("PUTIO_TOKEN", fake.token())
        .env("PUTIO_API_URL", fake.api_url())
        .env("PUTIO_UPLOAD_URL", fake.upload_url())
        .env("PUTIO_UP_STATE_DIR", state_dir(fake));
    cmd
}

/// The resume journal's folder for runs against `fake`: shared by the runs of one test,
/// apart from every other test (and from the test's other fakes).
pub fn state_dir(fake: &FakePutio) -> std::path::PathBuf {
    let port = fake.api_url().rsplit(':').next().unwrap_or("0").to_owned();
    world(|w| w.dir.path().join("state").join(port))
}

/// What a tree on put.io looks like for comparisons: path → (size, crc32), folders as
/// `(0, None)`.
pub type Snapshot = BTreeMap<String, (u64, Option<String>)>;

/// The fake's tree, failing the test if any path appears twice (put.io allows duplicates,
/// putio-up must never make them).
pub fn remote(fake: &FakePutio) -> Snapshot {
    let mut out = Snapshot::new();
    for entry in fake.tree() {
        let value = match entry.kind {
            EntryKind::Folder => (0, None),
            EntryKind::File => (entry.size, entry.crc32.clone()),
        };
        assert!(
            out.insert(entry.path.clone(), value).is_none(),
            "duplicate on put.io: {}",
            entry.path
        );
    }
    out
}

/// Everything below `prefix` (the prefix itself included) of a snapshot.
pub fn below(snapshot: &Snapshot, prefix: &str) -> Snapshot {
    snapshot
        .iter()
        .filter(|(path, _)| *path == prefix || path.starts_with(&format!("{prefix}/")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// stdout + stderr of a finished command, as text.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Upload requests the fake has seen: tus creations and one-request (multipart) uploads.
pub fn uploads_started(fake: &FakePutio) -> u64 {
    let stats = fake.stats();
    stats.uploads_created
        + stats
            .by_route
            .get("POST /v2/files/upload")
            .copied()
            .unwrap_or(0)
}

/// Waits until `ready` says so (or fails the test after a minute).
pub fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Starts `putio-up ARGS DIR` in the background, output captured.
pub fn spawn(fake: &FakePutio, args: &[&str], dir: &std::path::Path) -> std::process::Child {
    putio_up_std(fake)
        .args(args)
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn putio-up")
}

/// Sends SIGINT, as Ctrl-C would.
#[cfg(unix)]
pub fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}
