//! The resume journal: for every upload in progress, the tus URL and what it belongs to, so
//! that a run after a crash, `kill -9`, Ctrl-C or reboot continues each file at the server's
//! offset instead of from zero.
//!
//! One small JSON file in the state directory it is given (`crate::settings` finds it; the
//! journal reads no environment), shared by every putio-up process of the user: each change
//! takes an exclusive lock, re-reads the file, applies the change and replaces the file
//! through [`crate::private_file`] (0600, fsync, atomic rename), so neither a torn write nor
//! two runs at once can corrupt it. Entries go when their file completes; entries
//! that can never be resumed (local file gone or changed, or older than [`MAX_AGE`]) are pruned
//! at start. It never holds a token.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::private_file;

/// Files smaller than this restart from zero rather than resume: a journal write costs more
/// than resending them, and they are below one chunk anyway.
pub const MIN_SIZE: u64 = 4 << 20;
/// An unfinished upload older than this is assumed expired on put.io's side.
const MAX_AGE: Duration = Duration::from_secs(14 * 24 * 3600);
const FILE_NAME: &str = "journal.json";
const VERSION: u32 = 1;

/// What an upload in progress belongs to. Two runs resume the same upload only when all of
/// it matches: same account and host, same destination folder and name, same local file
/// with the same size and modification time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub origin: String,
    pub account: String,
    pub parent_id: u64,
    pub name: String,
    pub local: String,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (as text: JSON numbers lose bits).
    pub modified: Option<String>,
}

impl Key {
    pub fn modified(time: Option<SystemTime>) -> Option<String> {
        time.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos().to_string())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub key: Key,
    pub url: String,
    /// When the upload was created, Unix seconds.
    pub created: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct Document {
    version: u32,
    uploads: Vec<Entry>,
}

pub struct Journal {
    dir: PathBuf,
    /// The entries as they were when this run started: what it may resume.
    snapshot: Vec<Entry>,
    /// Why the journal found at the start could not be read (it is then started afresh).
    replaced: Option<String>,
}

impl Journal {
    /// Opens (creating the folder, mode 0700) and prunes the journal in `dir`.
    pub fn open(dir: &Path) -> std::io::Result<Journal> {
        private_file::create_dir(dir)?;
        let mut journal = Journal {
            dir: dir.to_owned(),
            snapshot: Vec::new(),
            replaced: None,
        };
        // Read once more here only to say so: `change` starts over from an unreadable file.
        journal.replaced = fs::read(journal.path())
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Document>(&bytes).err())
            .map(|err| err.to_string());
        let now = now_secs();
        journal.snapshot = journal.change(|uploads| {
            uploads.retain(|entry| {
                now.saturating_sub(entry.created) < MAX_AGE.as_secs() && still_same(&entry.key)
            });
        })?;
        Ok(journal)
    }

    /// Why the journal this run found was unreadable and replaced, if it was.
    pub fn replaced(&self) -> Option<&str> {
        self.replaced.as_deref()
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The upload URL recorded for `key` when this run started.
    pub fn find(&self, key: &Key) -> Option<&Entry> {
        self.snapshot.iter().find(|entry| entry.key == *key)
    }

    /// Is anything recorded for this local file going to this folder and name?
    pub fn mentions(&self, local: &str, parent_id: u64, name: &str) -> bool {
        self.snapshot
            .iter()
            .any(|e| e.key.local == local && e.key.parent_id == parent_id && e.key.name == name)
    }

    /// Records an upload in progress (replacing any entry with the same key).
    pub fn record(&self, key: &Key, url: &str) -> std::io::Result<()> {
        let entry = Entry {
            key: key.clone(),
            url: url.to_owned(),
            created: now_secs(),
        };
        self.change(|uploads| {
            uploads.retain(|e| e.key != *key);
            uploads.push(entry);
        })
        .map(drop)
    }

    /// Removes the entry for `key` (the file completed, or can never be resumed).
    pub fn forget(&self, key: &Key) -> std::io::Result<()> {
        self.change(|uploads| uploads.retain(|e| e.key != *key))
            .map(drop)
    }

    /// Removes every entry for this local file going to this folder and name.
    pub fn forget_target(&self, local: &str, parent_id: u64, name: &str) -> std::io::Result<()> {
        self.change(|uploads| {
            uploads.retain(|e| {
                !(e.key.local == local && e.key.parent_id == parent_id && e.key.name == name)
            });
        })
        .map(drop)
    }

    /// Locked read-modify-write; returns the entries after the change.
    fn change(&self, apply: impl FnOnce(&mut Vec<Entry>)) -> std::io::Result<Vec<Entry>> {
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join("journal.lock"))?;
        lock.lock()?;
        let path = self.path();
        let mut document = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<Document>(&bytes).unwrap_or_else(|err| {
                // Unreadable (a foreign or future format): start over rather than fail every
                // upload; the worst case is that a few files restart from zero.
                tracing::warn!(
                    "ignoring unreadable resume journal {}: {err}",
                    path.display()
                );
                Document::default()
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Document::default(),
            Err(err) => return Err(err),
        };
        let before = document.uploads.len();
        let old = serde_json::to_vec(&document.uploads).unwrap_or_default();
        apply(&mut document.uploads);
        if document.uploads.len() != before
            || serde_json::to_vec(&document.uploads).unwrap_or_default() != old
            || document.version != VERSION
        {
            document.version = VERSION;
            private_file::write(&path, &serde_json::to_vec_pretty(&document)?)?;
        }
        Ok(document.uploads)
    }
}

/// Does the local file still have the size and modification time the entry was made for?
fn still_same(key: &Key) -> bool {
    fs::metadata(&key.local).is_ok_and(|meta| {
        meta.len() == key.size && Key::modified(meta.modified().ok()) == key.modified
    })
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_for(path: &Path) -> Key {
        let meta = fs::metadata(path).unwrap();
        Key {
            origin: "http://127.0.0.1:1".into(),
            account: "me".into(),
            parent_id: 7,
            name: "f.bin".into(),
            local: path.to_str().unwrap().into(),
            size: meta.len(),
            modified: Key::modified(meta.modified().ok()),
        }
    }

    #[test]
    fn records_finds_forgets_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.bin");
        fs::write(&file, b"content").unwrap();
        let key = key_for(&file);
        let state = dir.path().join("state");

        let journal = Journal::open(&state).unwrap();
        assert!(journal.find(&key).is_none());
        journal.record(&key, "http://u/files/1").unwrap();
        journal.record(&key, "http://u/files/2").unwrap(); // replaces, never duplicates

        let again = Journal::open(&state).unwrap();
        assert_eq!(again.find(&key).unwrap().url, "http://u/files/2");
        assert_eq!(again.snapshot.len(), 1);

        // The local file changed: the entry can never be resumed, so it is pruned.
        fs::write(&file, b"other content").unwrap();
        let pruned = Journal::open(&state).unwrap();
        assert!(pruned.snapshot.is_empty());

        let key = key_for(&file);
        pruned.record(&key, "http://u/files/3").unwrap();
        pruned.forget(&key).unwrap();
        assert!(Journal::open(&state).unwrap().snapshot.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn journal_is_private_and_survives_garbage() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let file = dir.path().join("f.bin");
        fs::write(&file, b"x").unwrap();
        let journal = Journal::open(&state).unwrap();
        journal.record(&key_for(&file), "http://u/files/1").unwrap();
        let mode = fs::metadata(journal.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            fs::metadata(&state).unwrap().permissions().mode() & 0o777,
            0o700
        );

        fs::write(journal.path(), b"{ torn").unwrap();
        let reopened = Journal::open(&state).unwrap();
        assert!(reopened.snapshot.is_empty());
        let text = fs::read_to_string(journal.path()).unwrap();
        assert!(text.contains("\"version\": 1"), "{text}");
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let mut files = Vec::new();
        for i in 0..8 {
            let path = dir.path().join(format!("f{i}"));
            fs::write(&path, [i]).unwrap();
            files.push(path);
        }
        std::thread::scope(|scope| {
            for path in &files {
                let state = &state;
                scope.spawn(move || {
                    let journal = Journal::open(state).unwrap();
                    let mut key = key_for(path);
                    key.name = path.file_name().unwrap().to_str().unwrap().into();
                    journal.record(&key, "http://u/files/x").unwrap();
                });
            }
        });
        assert_eq!(Journal::open(&state).unwrap().snapshot.len(), 8);
    }
}
