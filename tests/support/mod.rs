//! Shared test helpers: local trees to upload, the fake put.io, and the real binary wired to it.
#![allow(dead_code)]

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

/// The real `putio-up` binary, pointed at `fake` with its token, and a clean environment.
pub fn putio_up(fake: &FakePutio) -> Command {
    let mut cmd = Command::from_std(putio_up_std(fake));
    cmd.timeout(std::time::Duration::from_secs(300));
    cmd
}

/// The same as [`putio_up`], as a plain `std::process::Command` for tests that spawn it.
pub fn putio_up_std(fake: &FakePutio) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("putio-up"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("PUTIO_TOKEN", fake.token())
        .env("PUTIO_API_URL", fake.api_url())
        .env("PUTIO_UPLOAD_URL", fake.upload_url());
    cmd
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
