//! Progress where there is no terminal to draw bars on: a plain line at a fixed interval
//! (`--progress-interval`) while files are in flight, on stderr when it is not a terminal,
//! in the log file, and as a `progress` event with `--json`. CI systems kill jobs that print
//! nothing for minutes; a large file must not look hung.
//!
//! [`Progress`] listens to the engine's events like any reporter and keeps the counts; a
//! thread of its own wakes at the interval and hands a [`Snapshot`] to each sink. It prints
//! nothing when nothing is in flight.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::logfile::LogFile;
use super::{Output, Verbosity, count};
use crate::exit::Fatal;
use crate::format::{human_bytes, human_eta};
use crate::upload::report::{Event, Reporter};

/// `--progress-interval` and `--log-file`, as `crate::settings` resolved them.
#[derive(Clone, Debug, Default)]
pub struct LogOptions {
    /// `None`: no progress lines or events.
    pub progress_every: Option<Duration>,
    pub log_file: Option<PathBuf>,
}

/// Files smaller than this are counted in flight but not named in a progress line.
const LARGE: u64 = 1 << 20;
/// Large files named in one line, the largest first.
const NAMED: usize = 3;

/// Where the run stands, for one progress line or event.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Bytes per second sent since the first transfer started.
    pub rate: u64,
    /// At that rate, for the bytes left.
    pub eta: Option<Duration>,
    pub in_flight: Vec<Flight>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flight {
    pub path: String,
    pub size: u64,
    pub position: u64,
}

impl Flight {
    pub fn percent(&self) -> u64 {
        (self.position.min(self.size) * 100)
            .checked_div(self.size)
            .unwrap_or(100)
    }
}

#[derive(Default)]
struct State {
    files_total: usize,
    bytes_total: u64,
    files_done: usize,
    /// Bytes of files finished (uploaded, skipped, failed): the rest are in flight or to come.
    bytes_done: u64,
    /// Bytes this run sent for finished files (for the rate).
    sent_done: u64,
    /// By index: path, size, position, and where the position started (a resumed file).
    flights: HashMap<usize, (String, u64, u64, u64)>,
    first_start: Option<Instant>,
    finished: bool,
}

impl State {
    fn snapshot(&self) -> Snapshot {
        let flying: u64 = self.flights.values().map(|f| f.2.min(f.1)).sum();
        let sent_flying: u64 = self.flights.values().map(|f| f.2.saturating_sub(f.3)).sum();
        let secs = self
            .first_start
            .map_or(0.0, |at| at.elapsed().as_secs_f64());
        let rate = if secs > 0.5 {
            ((self.sent_done + sent_flying) as f64 / secs) as u64
        } else {
            0
        };
        let bytes_done = (self.bytes_done + flying).min(self.bytes_total.max(self.bytes_done));
        let left = self.bytes_total.saturating_sub(bytes_done);
        let eta = (rate > 0).then(|| Duration::from_secs(left / rate));
        let mut in_flight: Vec<Flight> = self
            .flights
            .values()
            .map(|(path, size, position, _)| Flight {
                path: path.clone(),
                size: *size,
                position: *position,
            })
            .collect();
        in_flight.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        Snapshot {
            files_done: self.files_done,
            files_total: self.files_total,
            bytes_done,
            bytes_total: self.bytes_total,
            rate,
            eta,
            in_flight,
        }
    }

    fn settle(&mut self, index: usize, size: u64) {
        if let Some((_, _, position, base)) = self.flights.remove(&index) {
            self.sent_done += position.saturating_sub(base);
        }
        self.files_done += 1;
        self.bytes_done += size;
    }
}

type Sink = Box<dyn Fn(&Snapshot) + Send + Sync>;

struct Inner {
    state: Mutex<State>,
    wake: Condvar,
    sinks: Vec<Sink>,
}

/// The reporter that keeps the counts; its thread prints.
pub struct Progress {
    inner: Arc<Inner>,
}

impl Progress {
    fn start(every: Duration, sinks: Vec<Sink>) -> Self {
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            sinks,
        });
        let weak = Arc::downgrade(&inner);
        std::thread::spawn(move || tick(&weak, every));
        Progress { inner }
    }
}

/// Every `every`, a snapshot to each sink while files are in flight; over when the run is.
fn tick(weak: &Weak<Inner>, every: Duration) {
    let mut due = Instant::now() + every;
    loop {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let mut state = inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if !state.finished && now < due {
            let (next, _) = inner
                .wake
                .wait_timeout(state, due - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state = next;
        }
        if state.finished {
            return;
        }
        if Instant::now() < due {
            continue;
        }
        due += every;
        if state.flights.is_empty() {
            continue;
        }
        let snapshot = state.snapshot();
        drop(state);
        for sink in &inner.sinks {
            sink(&snapshot);
        }
    }
}

impl Reporter for Progress {
    fn event(&self, event: Event<'_>) {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match event {
            Event::Scanned { files, bytes, .. } => {
                state.files_total = files;
                state.bytes_total = bytes;
            }
            Event::FileStarted { index, path, size } => {
                state.first_start.get_or_insert_with(Instant::now);
                state.flights.insert(index, (path.to_owned(), size, 0, 0));
            }
            Event::FileResumed { index, offset, .. } => {
                if let Some(flight) = state.flights.get_mut(&index) {
                    flight.2 = offset;
                    flight.3 = offset;
                }
            }
            Event::FileProgress { index, position } => {
                if let Some(flight) = state.flights.get_mut(&index) {
                    flight.2 = position;
                }
            }
            Event::FileDone { index, size, .. } => state.settle(index, size),
            Event::FileSkipped { size, .. } => {
                state.files_done += 1;
                state.bytes_done += size;
            }
            Event::FileFailed {
                index: Some(index), ..
            } => {
                let size = state.flights.get(&index).map_or(0, |f| f.1);
                state.settle(index, size);
            }
            Event::Finished(_) => {
                state.finished = true;
                self.inner.wake.notify_all();
            }
            _ => {}
        }
    }
}

/// One progress line: files and bytes done of the total, rate, ETA, large files in flight.
pub fn line(snapshot: &Snapshot) -> String {
    let mut text = format!(
        "progress  {}/{} files, {} of {}",
        snapshot.files_done,
        snapshot.files_total,
        human_bytes(snapshot.bytes_done),
        human_bytes(snapshot.bytes_total)
    );
    if let Some(percent) = (snapshot.bytes_done * 100).checked_div(snapshot.bytes_total) {
        let _ = write!(text, " ({percent}%)");
    }
    let _ = write!(text, ", {}/s", human_bytes(snapshot.rate));
    if let Some(eta) = snapshot.eta {
        let _ = write!(text, ", ETA {}", human_eta(eta));
    }
    let _ = write!(
        text,
        "; {} in flight",
        count(snapshot.in_flight.len(), "file")
    );
    let large: Vec<String> = snapshot
        .in_flight
        .iter()
        .filter(|f| f.size >= LARGE)
        .take(NAMED)
        .map(|f| format!("{} {}% of {}", f.path, f.percent(), human_bytes(f.size)))
        .collect();
    if !large.is_empty() {
        let _ = write!(text, ": {}", large.join(", "));
    }
    text
}

/// Hands every event to each of several reporters.
pub struct Fan(pub Vec<Arc<dyn Reporter>>);

impl Reporter for Fan {
    fn event(&self, event: Event<'_>) {
        for reporter in &self.0 {
            reporter.event(event.clone());
        }
    }
}

/// The reporter of an upload: the human one, `--json` if asked for, the log file, and the
/// progress lines and events at the interval. `Err` when the log file cannot be opened.
pub fn upload_reporter(
    output: &Output,
    dry_run: bool,
    json: Option<Arc<super::Json<std::io::Stdout>>>,
    logs: &LogOptions,
) -> Result<Arc<dyn Reporter>> {
    let mut all: Vec<Arc<dyn Reporter>> = vec![super::reporter(output, dry_run, json.is_some())];
    let mut sinks: Vec<Sink> = Vec::new();
    if let Some(path) = &logs.log_file {
        let log = Arc::new(LogFile::open(path).map_err(|err| {
            Fatal::usage(format!(
                "--log-file {}: cannot open it for appending: {}",
                path.display(),
                crate::upload::plan::io_reason(&err)
            ))
        })?);
        let verbosity = match output.verbosity {
            Verbosity::Verbose(level) => Verbosity::Verbose(level),
            Verbosity::Quiet | Verbosity::Normal => Verbosity::Normal,
        };
        all.push(Arc::new(super::lines::Lines::to_log(
            Arc::clone(&log),
            verbosity,
            dry_run,
        )));
        sinks.push(Box::new(move |snapshot: &Snapshot| {
            log.write(&line(snapshot));
        }));
    }
    if output.verbosity != Verbosity::Quiet && !std::io::stderr().is_terminal() {
        sinks.push(Box::new(|snapshot: &Snapshot| {
            let _ = writeln!(std::io::stderr().lock(), "{}", line(snapshot));
        }));
    }
    if let Some(json) = &json {
        let json = Arc::clone(json);
        sinks.push(Box::new(move |snapshot: &Snapshot| json.progress(snapshot)));
    }
    if let Some(json) = json {
        all.push(json);
    }
    if let (Some(every), false) = (logs.progress_every, sinks.is_empty() || dry_run) {
        all.push(Arc::new(Progress::start(every, sinks)));
    }
    Ok(if all.len() == 1 {
        all.remove(0)
    } else {
        Arc::new(Fan(all))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_counts_rate_eta_and_the_large_files_in_flight() {
        let snapshot = Snapshot {
            files_done: 3,
            files_total: 10,
            bytes_done: 50 << 20,
            bytes_total: 100 << 20,
            rate: 1 << 20,
            eta: Some(Duration::from_secs(50)),
            in_flight: vec![
                Flight {
                    path: "big.iso".into(),
                    size: 40 << 20,
                    position: 10 << 20,
                },
                Flight {
                    path: "tiny.txt".into(),
                    size: 10,
                    position: 0,
                },
            ],
        };
        assert_eq!(
            line(&snapshot),
            "progress  3/10 files, 50.0 MiB of 100.0 MiB (50%), 1.0 MiB/s, ETA 50s; 2 files in flight: big.iso 25% of 40.0 MiB"
        );
    }

    #[test]
    fn counts_follow_the_events() {
        let progress = Progress::start(Duration::from_secs(3600), Vec::new());
        progress.event(Event::Scanned {
            folders: 1,
            files: 2,
            bytes: 300,
            left_out: 0,
        });
        progress.event(Event::FileStarted {
            index: 0,
            path: "a",
            size: 200,
        });
        progress.event(Event::FileResumed {
            index: 0,
            path: "a",
            offset: 100,
        });
        progress.event(Event::FileProgress {
            index: 0,
            position: 150,
        });
        let state = progress.inner.state.lock().unwrap().snapshot();
        assert_eq!(
            (state.files_done, state.bytes_done, state.in_flight.len()),
            (0, 150, 1)
        );
        assert_eq!(state.in_flight[0].percent(), 75);
    }
}
