//! `--json`: one JSON object per line on stdout, for scripts. Every line has `type`, `ts`
//! (RFC 3339, UTC, milliseconds) and `dry_run`, then the fields of that type; the schema is
//! in README.md and versioned by `schema` in the `summary` line.
//!
//! Byte-level progress is not emitted: it would be most of the output and depends on timing.
//! Lines are flushed one by one, so a reader sees each event as it happens.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Serialize;

use crate::exit::Code;
use crate::upload::report::{Event, Reporter};

/// Bumped when a field changes meaning, a line goes away, the order changes or the set of
/// line types changes. 2: the streaming engine, where `planned` can follow `file_started`.
/// 3: `scanned` may follow the first files (the counting pass runs alongside); `progress`
/// lines at `--progress-interval`, `source_removed` (`--delete-source`), `file_paused`; and
/// `removed`, `stopped_at`, `paused`, `sent_bytes` and `retried` in `summary`.
pub(super) const SCHEMA: u32 = 3;

pub struct Json<W: Write + Send> {
    dry_run: bool,
    state: Mutex<State<W>>,
}

struct State<W> {
    out: W,
    /// Local path of each planned file, by index: transfer events carry only the index.
    locals: HashMap<usize, PathBuf>,
}

impl Json<std::io::Stdout> {
    pub fn stdout(dry_run: bool) -> Self {
        Json::new(std::io::stdout(), dry_run)
    }
}

impl<W: Write + Send> Json<W> {
    pub fn new(out: W, dry_run: bool) -> Self {
        Json {
            dry_run,
            state: Mutex::new(State {
                out,
                locals: HashMap::new(),
            }),
        }
    }

    /// The `error` line for a failure that stopped the command, with its exit code.
    pub fn fatal(&self, code: Code, message: &str) {
        let kind = match code {
            Code::Usage => "usage",
            Code::Auth => "auth",
            Code::Interrupted => "interrupted",
            Code::Success | Code::PartialFailure | Code::Remote | Code::Limit => "remote",
        };
        let mut state = self.state.lock().expect("json state");
        self.write(
            &mut state,
            "error",
            Fields::Error {
                kind,
                message,
                exit_code: code as u8,
            },
        );
    }

    /// The `progress` line: where the run stands, at `--progress-interval`.
    pub fn progress(&self, snapshot: &super::progress::Snapshot) {
        let in_flight = snapshot
            .in_flight
            .iter()
            .map(|f| FlightField {
                remote: &f.path,
                size: f.size,
                position: f.position,
                percent: f.percent(),
            })
            .collect();
        let mut state = self.state.lock().expect("json state");
        self.write(
            &mut state,
            "progress",
            Fields::Progress {
                files_done: snapshot.files_done,
                files_total: snapshot.files_total,
                bytes_done: snapshot.bytes_done,
                bytes_total: snapshot.bytes_total,
                rate: snapshot.rate,
                eta_s: snapshot.eta.map(|eta| eta.as_secs()),
                in_flight,
            },
        );
    }

    fn write(&self, state: &mut State<W>, kind: &'static str, fields: Fields<'_>) {
        let line = Line {
            kind,
            ts: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            dry_run: self.dry_run,
            fields,
        };
        let Ok(mut bytes) = serde_json::to_vec(&line) else {
            return;
        };
        bytes.push(b'\n');
        // A reader that went away (`| head`) is not our failure: the upload goes on.
        let _ = state.out.write_all(&bytes).and_then(|()| state.out.flush());
    }

    #[cfg(test)]
    fn into_inner(self) -> W {
        self.state.into_inner().expect("json state").out
    }
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ts: String,
    dry_run: bool,
    #[serde(flatten)]
    fields: Fields<'a>,
}

#[derive(Serialize)]
struct FlightField<'a> {
    remote: &'a str,
    size: u64,
    position: u64,
    percent: u64,
}

#[derive(Serialize)]
struct ErrorField<'a> {
    kind: &'static str,
    message: &'a str,
}

/// The fields of each line type, in the order they are written.
#[derive(Serialize)]
#[serde(untagged)]
enum Fields<'a> {
    Scanned {
        folders: usize,
        files: usize,
        bytes: u64,
    },
    Renamed {
        local: Cow<'a, str>,
        name: &'a str,
    },
    Ignored {
        local: Cow<'a, str>,
        reason: &'a str,
    },
    Excluded {
        local: Cow<'a, str>,
        rule: &'a str,
    },
    FolderCreated {
        remote: &'a str,
        id: Option<u64>,
    },
    File {
        local: Option<Cow<'a, str>>,
        remote: &'a str,
        size: u64,
    },
    Planned {
        files: usize,
        bytes: u64,
        skipped: usize,
    },
    Skipped {
        local: Cow<'a, str>,
        remote: &'a str,
        size: u64,
        id: Option<u64>,
        reason: &'a str,
    },
    Done {
        local: Option<Cow<'a, str>>,
        remote: &'a str,
        size: u64,
        id: u64,
        crc32: &'a str,
        verified: bool,
    },
    Failed {
        local: Option<Cow<'a, str>>,
        remote: Option<&'a str>,
        error: ErrorField<'a>,
    },
    Summary {
        schema: u32,
        uploaded: usize,
        uploaded_bytes: u64,
        unverified: usize,
        skipped: usize,
        failed: usize,
        ignored: usize,
        excluded: usize,
        folders_created: usize,
        interrupted: bool,
        elapsed_ms: u64,
        /// Files in flight at Ctrl-C, each also a `file_paused` line.
        paused: usize,
        /// Bytes this run sent (a resumed file's earlier bytes not included).
        sent_bytes: u64,
        /// Requests that failed and were tried again.
        retried: u64,
        removed: usize,
        stopped_at: Option<&'static str>,
    },
    Progress {
        files_done: usize,
        files_total: usize,
        bytes_done: u64,
        bytes_total: u64,
        rate: u64,
        eta_s: Option<u64>,
        in_flight: Vec<FlightField<'a>>,
    },
    Removed {
        local: Cow<'a, str>,
        folder: bool,
    },
    Error {
        kind: &'static str,
        message: &'a str,
        exit_code: u8,
    },
    Resumed {
        local: Option<Cow<'a, str>>,
        remote: &'a str,
        offset: u64,
    },
    Warning {
        message: &'a str,
    },
}

fn text(path: &Path) -> Cow<'_, str> {
    path.to_string_lossy()
}

impl<W: Write + Send> Reporter for Json<W> {
    fn event(&self, event: Event<'_>) {
        let mut state = self.state.lock().expect("json state");
        let (kind, fields) = match event {
            Event::Scanned {
                folders,
                files,
                bytes,
                ..
            } => (
                "scanned",
                Fields::Scanned {
                    folders,
                    files,
                    bytes,
                },
            ),
            Event::Renamed { local, remote } => (
                "renamed",
                Fields::Renamed {
                    local: text(local),
                    name: remote,
                },
            ),
            Event::Ignored { local, reason } => (
                "ignored",
                Fields::Ignored {
                    local: text(local),
                    reason,
                },
            ),
            Event::Excluded { local, rule } => (
                "excluded",
                Fields::Excluded {
                    local: text(local),
                    rule,
                },
            ),
            Event::FilePlanned {
                index,
                local,
                path,
                size,
            } => {
                state.locals.insert(index, local.to_owned());
                (
                    "file_planned",
                    Fields::File {
                        local: Some(text(local)),
                        remote: path,
                        size,
                    },
                )
            }
            Event::Planned {
                files,
                bytes,
                skipped,
            } => (
                "planned",
                Fields::Planned {
                    files,
                    bytes,
                    skipped,
                },
            ),
            Event::FolderCreated { path, id } => {
                ("folder_created", Fields::FolderCreated { remote: path, id })
            }
            Event::FileStarted { index, path, size } => {
                let local = state
                    .locals
                    .get(&index)
                    .map(|p| p.to_string_lossy().into_owned());
                let fields = Fields::File {
                    local: local.map(Cow::Owned),
                    remote: path,
                    size,
                };
                self.write(&mut state, "file_started", fields);
                return;
            }
            Event::FileProgress { .. }
            | Event::Destination { .. }
            | Event::FolderChecked
            | Event::Retrying { .. }
            | Event::Stalled { .. }
            | Event::Stopping
            | Event::Quitting => return,
            Event::FilePaused {
                index,
                path,
                local,
                size,
            } => {
                state.locals.remove(&index);
                (
                    "file_paused",
                    Fields::File {
                        local: Some(text(local)),
                        remote: path,
                        size,
                    },
                )
            }
            Event::FileResumed {
                index,
                path,
                offset,
            } => {
                let local = state
                    .locals
                    .get(&index)
                    .map(|p| p.to_string_lossy().into_owned());
                let fields = Fields::Resumed {
                    local: local.map(Cow::Owned),
                    remote: path,
                    offset,
                };
                self.write(&mut state, "file_resumed", fields);
                return;
            }
            Event::Warning { message } => ("warning", Fields::Warning { message }),
            Event::Removed { local, folder } => (
                "source_removed",
                Fields::Removed {
                    local: text(local),
                    folder,
                },
            ),
            Event::FileSkipped {
                path,
                reason,
                local,
                size,
                id,
            } => (
                "file_skipped",
                Fields::Skipped {
                    local: text(local),
                    remote: path,
                    size,
                    id,
                    reason,
                },
            ),
            Event::FileDone {
                index,
                path,
                size,
                id,
                crc32,
                verified,
            } => {
                let local = state
                    .locals
                    .remove(&index)
                    .map(|p| p.to_string_lossy().into_owned());
                let fields = Fields::Done {
                    local: local.map(Cow::Owned),
                    remote: path,
                    size,
                    id,
                    crc32,
                    verified,
                };
                self.write(&mut state, "file_done", fields);
                return;
            }
            Event::FileFailed {
                index,
                path,
                reason,
                kind,
                local,
            } => {
                if let Some(index) = index {
                    state.locals.remove(&index);
                }
                (
                    "file_failed",
                    Fields::Failed {
                        local: local.map(text),
                        // Without an index the failure came from the walk: no put.io name yet.
                        remote: index.map(|_| path),
                        error: ErrorField {
                            kind: kind.as_str(),
                            message: reason,
                        },
                    },
                )
            }
            Event::Finished(summary) => (
                "summary",
                Fields::Summary {
                    schema: SCHEMA,
                    uploaded: summary.uploaded,
                    uploaded_bytes: summary.uploaded_bytes,
                    unverified: summary.unverified,
                    skipped: summary.skipped,
                    failed: summary.failures.len(),
                    ignored: summary.ignored,
                    excluded: summary.excluded,
                    folders_created: summary.folders_created,
                    interrupted: summary.interrupted,
                    elapsed_ms: u64::try_from(summary.elapsed.as_millis()).unwrap_or(u64::MAX),
                    paused: summary.paused.len(),
                    sent_bytes: summary.sent_bytes,
                    retried: summary.retried,
                    removed: summary.removed,
                    stopped_at: summary
                        .stopped_at
                        .map(crate::upload::limit::LimitKind::as_str),
                },
            ),
        };
        self.write(&mut state, kind, fields);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upload::report::{FailKind, Summary};

    fn lines(json: Json<Vec<u8>>) -> Vec<serde_json::Value> {
        String::from_utf8(json.into_inner())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn every_line_is_an_object_with_type_ts_and_dry_run_first() {
        let json = Json::new(Vec::new(), true);
        json.event(Event::FilePlanned {
            index: 3,
            local: Path::new("/home/me/photos/a.jpg"),
            path: "photos/a.jpg",
            size: 5,
        });
        json.event(Event::FileProgress {
            index: 3,
            position: 2,
        });
        json.event(Event::FileDone {
            index: 3,
            path: "photos/a.jpg",
            size: 5,
            id: 42,
            crc32: "3610a686",
            verified: true,
        });
        json.event(Event::Finished(&Summary::default()));
        let raw = String::from_utf8(json.state.lock().unwrap().out.clone()).unwrap();
        assert!(raw.starts_with(r#"{"type":"file_planned","ts":""#), "{raw}");
        let got = lines(json);
        assert_eq!(got.len(), 3, "progress is not emitted");
        assert_eq!(got[1]["type"], "file_done");
        assert_eq!(got[1]["local"], "/home/me/photos/a.jpg");
        assert_eq!(got[1]["id"], 42);
        assert_eq!(got[2]["schema"], SCHEMA);
        for line in &got {
            assert_eq!(line["dry_run"], true);
            let ts = line["ts"].as_str().unwrap();
            assert!(
                humantime::parse_rfc3339(ts).is_ok() && ts.ends_with('Z'),
                "{ts}"
            );
            assert_eq!(ts.len(), "2026-01-01T00:00:00.000Z".len(), "{ts}");
        }
    }

    #[test]
    fn failures_carry_kind_and_message() {
        let json = Json::new(Vec::new(), false);
        json.event(Event::FileFailed {
            index: None,
            path: "/home/me/photos/secret",
            reason: "cannot read: permission denied",
            kind: FailKind::Local,
            local: Some(Path::new("/home/me/photos/secret")),
        });
        json.fatal(Code::Auth, "put.io rejected the token");
        let got = lines(json);
        assert_eq!(got[0]["error"]["kind"], "local");
        assert_eq!(got[0]["remote"], serde_json::Value::Null);
        assert_eq!(got[1]["type"], "error");
        assert_eq!(got[1]["exit_code"], 3);
        assert_eq!(got[1]["dry_run"], false);
    }
}
