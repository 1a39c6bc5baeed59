//! Local folder trees for tests: files with given contents, empty folders, sparse giants.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::Snapshot;

pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// A fresh temporary folder; `name` is the folder that gets uploaded inside it.
    pub fn new() -> Self {
        Tree {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn file(&self, rel: &str, content: &[u8]) -> PathBuf {
        let path = self.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        path
    }

    /// A file of `size` zero bytes that takes no disk space.
    pub fn sparse(&self, rel: &str, size: u64) -> PathBuf {
        let path = self.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::File::create(&path).unwrap().set_len(size).unwrap();
        path
    }

    /// A file of `size` pseudo-random bytes (xorshift from `seed`), written 1 MiB at a time.
    pub fn random(&self, rel: &str, size: u64, seed: u64) -> PathBuf {
        use std::io::Write;
        let path = self.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut out = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        let mut state = seed | 1;
        let mut left = size;
        let mut block = vec![0u8; 1 << 20];
        while left > 0 {
            for word in block.chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
            }
            let n = left.min(block.len() as u64) as usize;
            out.write_all(&block[..n]).unwrap();
            left -= n as u64;
        }
        out.flush().unwrap();
        path
    }

    pub fn dir(&self, rel: &str) -> PathBuf {
        let path = self.join(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }
}

/// CRC32 of a file as put.io writes it (8 lowercase hex digits), read in pieces.
pub fn crc_of(path: &Path) -> String {
    let mut file = fs::File::open(path).unwrap();
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    format!("{:08x}", hasher.finalize())
}

/// What `local` should look like on put.io under `remote_prefix`, names unchanged.
pub fn expected(local: &Path, remote_prefix: &str) -> Snapshot {
    let mut out = Snapshot::new();
    out.insert(remote_prefix.to_owned(), (0, None));
    for entry in walkdir::WalkDir::new(local).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(local).unwrap().to_str().unwrap();
        let key = format!("{remote_prefix}/{rel}");
        if entry.file_type().is_dir() {
            out.insert(key, (0, None));
        } else {
            out.insert(
                key,
                (entry.metadata().unwrap().len(), Some(crc_of(entry.path()))),
            );
        }
    }
    out
}
