//! Progress bars for a person at a terminal: a header saying what goes where, one overall
//! line (the phase while folders are checked, then files, bytes, rate, ETA) and one line
//! per file in flight; finished files scroll above them.
//!
//! Every line is composed here, fitted to the terminal's width, with sizes from
//! [`human_bytes`] like every other line. While the bars are up a Ctrl-C is not echoed as
//! `^C` (see [`super::tty`]): the echo would move the cursor and leave a copy of the
//! overall line. Rate and ETA count only the bytes this run sent: a resumed file's earlier
//! bytes move the bar, not the rate. A ticker thread redraws a few times a second, so the
//! spinner turns and the rate falls while nothing moves.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format::{human_bytes, human_eta, shorten_middle, shown, shown_path};
use crate::upload::report::{Event, Reporter};

use super::Palette;
use super::tty::QuietEcho;

const TICK: Duration = Duration::from_millis(120);
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// The rate is measured over this much of the recent past.
const WINDOW: Duration = Duration::from_secs(8);
/// How long a retry note of no particular file stays on the overall line.
const NOTE_FOR: Duration = Duration::from_secs(5);

pub(super) struct Bars {
    shared: Arc<Shared>,
}

struct Shared {
    multi: MultiProgress,
    overall: ProgressBar,
    state: Mutex<State>,
    palette: Palette,
    /// `-echoctl noflsh` while the bars are up; put back when they close.
    echo: QuietEcho,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Scanning,
    /// Scanned; folders are being checked on put.io and no file has started yet.
    Folders,
    Sending,
    /// Ctrl-C: files in flight are pausing.
    Stopping,
}

struct FileLine {
    bar: ProgressBar,
    path: String,
    size: u64,
    position: u64,
    /// A retry or stall note, shown instead of the numbers until the file moves past the
    /// position it was given at.
    note: Option<(String, u64)>,
}

struct State {
    phase: Phase,
    destination: Option<(PathBuf, String)>,
    files: BTreeMap<usize, FileLine>,
    total_files: usize,
    finished_files: usize,
    total_bytes: u64,
    /// Bytes of files that are done (counted whole).
    done_bytes: u64,
    folders: usize,
    folders_checked: usize,
    /// Bytes this run handed to the network: what the rate is made of.
    sent: u64,
    samples: VecDeque<(Instant, u64)>,
    note: Option<(String, Instant)>,
    spin: usize,
    /// The bars are gone (summary printed, or quitting): draw nothing more.
    closed: bool,
    /// Skipped before the counting pass (which runs alongside) gave the totals.
    skipped: (usize, u64),
    /// `Scanned` has come: a skip now sheds from the totals instead.
    counted: bool,
}

impl Bars {
    pub(super) fn new(palette: Palette) -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(line_style());
        let shared = Arc::new(Shared {
            multi,
            overall,
            state: Mutex::new(State {
                phase: Phase::Scanning,
                destination: None,
                files: BTreeMap::new(),
                skipped: (0, 0),
                counted: false,
                total_files: 0,
                finished_files: 0,
                total_bytes: 0,
                done_bytes: 0,
                folders: 0,
                folders_checked: 0,
                sent: 0,
                samples: VecDeque::new(),
                note: None,
                spin: 0,
                closed: false,
            }),
            palette,
            echo: QuietEcho::new(),
        });
        shared.render(&mut shared.lock());
        let ticker = Arc::clone(&shared);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(TICK);
                let mut state = ticker.lock();
                if state.closed {
                    return;
                }
                state.spin += 1;
                ticker.render(&mut state);
            }
        });
        Bars { shared }
    }
}

/// A run that ends with an error (no `Finished`) takes the bars off the screen, and puts
/// the terminal's settings back, before the error is printed.
impl Drop for Bars {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if !state.closed {
            self.shared.close(&mut state);
        }
    }
}

fn line_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg}").expect("template")
}

/// The terminal's width.
fn usable_width() -> usize {
    console::Term::stderr()
        .size_checked()
        .map_or(80, |(_, columns)| usize::from(columns))
        .max(20)
}

/// `text` cut to `width` characters, with `…` where it was cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A line above the bars, cut into rows of the terminal's width: the bars are redrawn
    /// by counting rows, and a row the terminal wraps on its own would throw the count off
    /// (leaving a copy of the bars on the screen).
    fn println(&self, text: &str) {
        let columns = usable_width() - 1;
        let mut rows = String::new();
        for line in text.lines() {
            let chars: Vec<char> = line.chars().collect();
            for (n, row) in chars.chunks(columns).enumerate() {
                if n > 0 || !rows.is_empty() {
                    rows.push('\n');
                }
                rows.extend(row);
            }
        }
        let _ = self.multi.println(rows);
    }

    /// Redraws every line from the state.
    fn render(&self, state: &mut State) {
        if state.closed {
            return;
        }
        let now = Instant::now();
        state.samples.push_back((now, state.sent));
        while state
            .samples
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > WINDOW)
        {
            state.samples.pop_front();
        }
        if state.note.as_ref().is_some_and(|(_, until)| *until < now) {
            state.note = None;
        }
        let width = usable_width();
        self.overall.set_message(overall_line(state, width));
        for file in state.files.values() {
            file.bar.set_message(file_line(file, width));
        }
    }

    /// Takes a file's line off the screen.
    fn drop_file(&self, state: &mut State, index: usize) -> Option<FileLine> {
        let file = state.files.remove(&index)?;
        file.bar.finish_and_clear();
        self.multi.remove(&file.bar);
        Some(file)
    }

    /// Clears every line and stops drawing for good.
    fn close(&self, state: &mut State) {
        state.closed = true;
        for (_, file) in std::mem::take(&mut state.files) {
            file.bar.finish_and_clear();
            self.multi.remove(&file.bar);
        }
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
        self.echo.restore();
    }
}

/// Bytes per second over the window, once it spans a second.
fn rate(state: &State) -> Option<f64> {
    let (first, last) = (state.samples.front()?, state.samples.back()?);
    let span = last.0.duration_since(first.0).as_secs_f64();
    (span >= 1.0 && state.sent > 0).then(|| (last.1 - first.1) as f64 / span)
}

fn overall_line(state: &State, width: usize) -> String {
    let spinner = SPINNER[state.spin % SPINNER.len()];
    let note = state.note.as_ref().map(|(note, _)| note.as_str());
    let with_note = |text: String| match note {
        Some(note) => fit(&format!("{text} · {note}"), width),
        None => fit(&text, width),
    };
    match state.phase {
        Phase::Scanning => return with_note(format!("{spinner} scanning local files")),
        Phase::Folders => {
            return with_note(format!(
                "{spinner} checking put.io folders {}/{}",
                state.folders_checked.min(state.folders),
                state.folders
            ));
        }
        Phase::Stopping => {
            return fit(
                &format!(
                    "{spinner} stopping: {} pausing",
                    super::count(state.files.len(), "file")
                ),
                width,
            );
        }
        Phase::Sending => {}
    }
    let left = format!(
        "{spinner} {}/{} files",
        state.finished_files, state.total_files
    );
    if state.total_bytes == 0 {
        return with_note(left);
    }
    let position = (state.done_bytes + state.files.values().map(|f| f.position).sum::<u64>())
        .min(state.total_bytes);
    let mut right = format!(
        "{}/{}",
        human_bytes(position),
        human_bytes(state.total_bytes)
    );
    if let Some(rate) = rate(state) {
        let _ = write!(right, " {}/s", human_bytes(rate as u64));
        if rate >= 1.0 {
            let left_bytes = state.total_bytes - position;
            let _ = write!(
                right,
                " ETA {}",
                human_eta(Duration::from_secs_f64(left_bytes as f64 / rate))
            );
        }
    }
    let room = width.saturating_sub(left.chars().count() + right.chars().count() + 2);
    if let Some(note) = note {
        let note = fit(note, room.saturating_sub(1).max(10));
        return fit(&format!("{left} {note} {right}"), width);
    }
    // `[`, `]` and a space on each side of the bar.
    let bar_width = room.saturating_sub(2).min(40);
    if bar_width < 8 {
        return fit(&format!("{left} {right}"), width);
    }
    let filled = (bar_width as f64 * position as f64 / state.total_bytes as f64) as usize;
    let mut bar = "=".repeat(filled.min(bar_width));
    if filled < bar_width {
        bar.push('>');
        bar.push_str(&" ".repeat(bar_width - filled - 1));
    }
    fit(&format!("{left} [{bar}] {right}"), width)
}

fn file_line(file: &FileLine, width: usize) -> String {
    // Two spaces of indent, one between path and numbers; the path keeps at least this, or
    // two fifths of the line beside a long note, so that the file stays recognisable.
    const PATH_MIN: usize = 16;
    let right = if let Some((note, _)) = &file.note {
        note.clone()
    } else {
        let percent = (file.position.min(file.size) * 100)
            .checked_div(file.size)
            .unwrap_or(100);
        format!(
            "{}/{} {percent:>3}%",
            human_bytes(file.position),
            human_bytes(file.size)
        )
    };
    let avail = width.saturating_sub(3);
    let path_min = file.path.chars().count().min(PATH_MIN.max(avail * 2 / 5));
    let right = fit(&right, avail.saturating_sub(path_min).max(8));
    let path_width = avail.saturating_sub(right.chars().count()).max(8);
    let path = shorten_middle(&file.path, path_width);
    let pad = path_width.saturating_sub(path.chars().count());
    fit(&format!("  {path}{} {right}", " ".repeat(pad)), width)
}

impl Reporter for Bars {
    #[allow(clippy::too_many_lines)] // one arm per event, each short
    fn event(&self, event: Event<'_>) {
        let shared = &*self.shared;
        let palette = shared.palette;
        let mut state = shared.lock();
        if state.closed {
            return;
        }
        match event {
            Event::Destination { local, remote } => {
                state.destination = Some((local.to_owned(), remote.to_owned()));
            }
            Event::Scanned {
                folders,
                files,
                bytes,
                ..
            } => {
                if let Some((local, remote)) = &state.destination {
                    shared.println(&super::header(local, remote, Some((files, bytes))));
                }
                // Files skipped before the count came are not to be sent: off the totals.
                state.counted = true;
                state.total_files = files.saturating_sub(state.skipped.0);
                state.total_bytes = bytes.saturating_sub(state.skipped.1);
                state.folders = folders;
                if state.phase == Phase::Scanning {
                    state.phase = Phase::Folders;
                }
            }
            Event::Planned { files, bytes, .. } => {
                // Every file is decided: the totals are exact now.
                state.total_files = files;
                state.total_bytes = bytes;
                if state.phase == Phase::Folders {
                    state.phase = Phase::Sending;
                }
            }
            Event::FolderChecked => {
                state.folders_checked += 1;
                if state.phase == Phase::Folders && state.folders_checked >= state.folders {
                    state.phase = Phase::Sending;
                }
            }
            Event::Renamed { local, remote } => {
                shared.println(&format!("renamed   {} -> {remote}", shown_path(local)));
            }
            Event::Ignored { local, reason } => {
                shared.println(&format!(
                    "{}   {}: {reason}",
                    palette.yellow("ignored"),
                    shown_path(local)
                ));
            }
            Event::FileSkipped { size, .. } => {
                if !state.counted {
                    state.skipped.0 += 1;
                    state.skipped.1 += size;
                }
                state.total_files = state.total_files.saturating_sub(1);
                state.total_bytes = state.total_bytes.saturating_sub(size);
            }
            Event::FolderCreated { .. }
            | Event::Excluded { .. }
            | Event::FilePlanned { .. }
            | Event::Finished(_)
            | Event::Quitting => {}
            Event::Warning { message } => {
                shared.println(&format!("{}   {message}", palette.yellow("warning")));
            }
            Event::Retrying { index, message, .. } => {
                match index.and_then(|index| state.files.get_mut(&index)) {
                    Some(file) => file.note = Some((message.to_owned(), file.position)),
                    // A request of the run's own (a listing): the overall line has little room,
                    // so the wait and the cause, not the request (`-v` lines name it).
                    None => {
                        state.note = Some((message.to_owned(), Instant::now() + NOTE_FOR));
                    }
                }
            }
            Event::Stalled { index, secs, .. } => {
                if let Some(file) = state.files.get_mut(&index) {
                    file.note = Some((format!("stalled {secs} s, waiting"), file.position));
                }
            }
            Event::Stopping => {
                shared.println(&palette.yellow(super::STOPPING));
                state.phase = Phase::Stopping;
            }
            Event::Removed { local, folder } => {
                shared.println(&super::removed_text(local, folder, false));
            }
            Event::FileResumed {
                index,
                path,
                offset,
            } => {
                shared.println(&format!("resuming  {path} at {}", human_bytes(offset)));
                // Sent by an earlier run: on the bar, not in the rate.
                if let Some(file) = state.files.get_mut(&index) {
                    file.position = offset;
                }
            }
            Event::FileStarted { index, path, size } => {
                if state.phase == Phase::Folders {
                    state.phase = Phase::Sending;
                }
                let bar = shared.multi.add(ProgressBar::new(size));
                bar.set_style(line_style());
                state.files.insert(
                    index,
                    FileLine {
                        bar,
                        path: path.to_owned(),
                        size,
                        position: 0,
                        note: None,
                    },
                );
            }
            Event::FileProgress { index, position } => {
                let mut sent = 0;
                if let Some(file) = state.files.get_mut(&index) {
                    sent = position.saturating_sub(file.position);
                    file.position = position;
                    if file.note.as_ref().is_some_and(|(_, at)| position > *at) {
                        file.note = None;
                    }
                }
                state.sent += sent;
            }
            Event::FileDone {
                index,
                path,
                size,
                verified,
                ..
            } => {
                shared.drop_file(&mut state, index);
                state.finished_files += 1;
                state.done_bytes += size;
                shared.println(&format!(
                    "{}  {path} ({}){}",
                    palette.green("uploaded"),
                    human_bytes(size),
                    super::unverified_note(verified)
                ));
            }
            Event::FileFailed {
                index,
                path,
                reason,
                ..
            } => {
                match index.and_then(|index| shared.drop_file(&mut state, index)) {
                    Some(file) => {
                        // Its bytes will not arrive: out of the totals, so the ETA holds.
                        state.finished_files += 1;
                        state.total_bytes = state.total_bytes.saturating_sub(file.size);
                    }
                    None if index.is_some() => {
                        state.total_files = state.total_files.saturating_sub(1);
                    }
                    None => {}
                }
                shared.println(&format!(
                    "{}    {}: {}",
                    palette.red("failed"),
                    shown(path),
                    shown(reason)
                ));
            }
            Event::FilePaused { index, .. } => {
                shared.drop_file(&mut state, index);
            }
        }
        match event {
            Event::Finished(summary) => {
                shared.close(&mut state);
                drop(state);
                let mut err = std::io::stderr().lock();
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!("{}\n", super::summary_text(summary, palette)).as_bytes(),
                );
            }
            Event::Quitting => {
                shared.close(&mut state);
                drop(state);
                let mut err = std::io::stderr().lock();
                let _ = std::io::Write::write_all(
                    &mut err,
                    b"Quit: files in flight resume on the next run.\n",
                );
            }
            // Progress comes often: the ticker draws it.
            Event::FileProgress { .. } => {}
            _ => shared.render(&mut state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_line_with_a_note_keeps_the_file_recognisable() {
        let file = FileLine {
            bar: ProgressBar::hidden(),
            path: "photos/2026/album-01/IMG_0039-with-a-long-descriptive-name.jpg".to_owned(),
            size: 100,
            position: 40,
            note: Some((
                "retrying in 1.9 s (attempt 3/9): 429 Too Many Requests RATE_LIMITED".to_owned(),
                40,
            )),
        };
        for width in [80, 120] {
            let line = file_line(&file, width);
            assert!(line.chars().count() <= width, "{line}");
            assert!(line.contains("IMG_00") && line.contains(".jpg"), "{line}");
            assert!(
                line.contains("retrying in 1.9 s (attempt 3/9): 429"),
                "{line}"
            );
        }
        let plain = FileLine { note: None, ..file };
        let line = file_line(&plain, 80);
        assert!(line.ends_with("40 B/100 B  40%"), "{line}");
        assert!(
            line.contains("IMG_0039-with-a-long-descriptive-name.jpg"),
            "{line}"
        );
    }
}
