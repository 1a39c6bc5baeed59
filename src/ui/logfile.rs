//! `--log-file`: the plain-line log appended to a file, each line stamped with the local
//! time, whatever the terminal shows (bars, `-q`, nothing). Opened once before the run; a
//! write that fails later is dropped (the upload matters more than its log).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

pub(super) struct LogFile {
    file: Mutex<std::fs::File>,
}

impl LogFile {
    /// Opens `path` for appending, creating it.
    pub(super) fn open(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(LogFile {
            file: Mutex::new(file),
        })
    }

    /// Appends `text`, every line of it stamped, in one write so that lines never mix.
    pub(super) fn write(&self, text: &str) {
        let stamp = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z");
        let mut out = String::new();
        for line in text.lines() {
            let _ = writeln!(out, "{stamp} {line}");
        }
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = file.write_all(out.as_bytes());
    }
}
