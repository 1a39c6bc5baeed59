//! Progress bars for a person at a terminal: one overall bar (files, bytes, rate, ETA) and
//! one bar per file in flight; finished files scroll above them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format::human_bytes;
use crate::upload::report::{Event, Reporter};

use super::Palette;

pub(super) struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    state: Mutex<State>,
    palette: Palette,
}

#[derive(Default)]
struct State {
    files: HashMap<usize, (ProgressBar, u64)>,
    total_files: usize,
    finished_files: usize,
}

impl Bars {
    pub(super) fn new(palette: Palette) -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            )
            .expect("template")
            .progress_chars("=> "),
        );
        overall.set_prefix("scanning");
        overall.enable_steady_tick(Duration::from_millis(120));
        Bars {
            multi,
            overall,
            state: Mutex::new(State::default()),
            palette,
        }
    }

    fn println(&self, text: &str) {
        let _ = self.multi.println(text);
    }

    fn file_bar(&self, size: u64, path: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(size));
        bar.set_style(
            ProgressStyle::with_template(
                "  {wide_msg} {bytes:>10}/{total_bytes:<10} {percent:>3}%",
            )
            .expect("template"),
        );
        bar.set_message(path.to_owned());
        bar
    }

    /// Removes a file's bar, counting its bytes as final in the overall bar.
    fn finish_file(&self, state: &mut State, index: usize, position: Option<u64>) {
        if let Some((bar, last)) = state.files.remove(&index) {
            if let Some(position) = position {
                self.overall.inc(position.saturating_sub(last));
            }
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        state.finished_files += 1;
        self.overall.set_prefix(format!(
            "{}/{} files",
            state.finished_files, state.total_files
        ));
    }
}

impl Reporter for Bars {
    fn event(&self, event: Event<'_>) {
        let mut state = self.state.lock().expect("ui state");
        match event {
            // The engine streams: transfers start before every decision is made, so the
            // overall bar starts from the walk's totals and sheds what is skipped; `Planned`
            // then makes them exact.
            Event::Scanned { files, bytes, .. } | Event::Planned { files, bytes, .. } => {
                state.total_files = files;
                self.overall.set_length(bytes);
                self.overall.reset_eta();
                self.overall
                    .set_prefix(format!("{}/{files} files", state.finished_files));
            }
            Event::Renamed { local, remote } => {
                self.println(&format!("renamed   {} -> {remote}", local.display()));
            }
            Event::Ignored { local, reason } => {
                self.println(&format!(
                    "{}   {}: {reason}",
                    self.palette.yellow("ignored"),
                    local.display()
                ));
            }
            Event::FileSkipped { size, .. } => {
                state.total_files = state.total_files.saturating_sub(1);
                let length = self.overall.length().unwrap_or(0).saturating_sub(size);
                self.overall.set_length(length);
                self.overall.set_prefix(format!(
                    "{}/{} files",
                    state.finished_files, state.total_files
                ));
            }
            Event::FolderCreated { .. } | Event::Excluded { .. } | Event::FilePlanned { .. } => {}
            Event::Warning { message } => self.println(&format!("warning   {message}")),
            Event::Removed { local, folder } => {
                self.println(&super::removed_text(local, folder, false));
            }
            Event::FileResumed { path, offset, .. } => {
                self.println(&format!("resuming  {path} at {}", human_bytes(offset)));
            }
            Event::FileStarted { index, path, size } => {
                let bar = self.file_bar(size, path);
                state.files.insert(index, (bar, 0));
            }
            Event::FileProgress { index, position } => {
                if let Some((bar, last)) = state.files.get_mut(&index) {
                    bar.set_position(position);
                    if position >= *last {
                        self.overall.inc(position - *last);
                    } else {
                        self.overall
                            .set_position(self.overall.position().saturating_sub(*last - position));
                    }
                    *last = position;
                }
            }
            Event::FileDone {
                index,
                path,
                size,
                verified,
                ..
            } => {
                self.finish_file(&mut state, index, Some(size));
                self.println(&format!(
                    "{}  {path} ({}){}",
                    self.palette.green("uploaded"),
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
                if let Some(index) = index {
                    if let Some((_, last)) = state.files.get(&index) {
                        let last = *last;
                        self.overall
                            .set_position(self.overall.position().saturating_sub(last));
                    }
                    self.finish_file(&mut state, index, None);
                }
                self.println(&format!(
                    "{}    {path}: {reason}",
                    self.palette.red("failed")
                ));
            }
            Event::Finished(summary) => {
                for (_, (bar, _)) in state.files.drain() {
                    bar.finish_and_clear();
                }
                self.overall.finish_and_clear();
                let _ = self.multi.clear();
                drop(state);
                let mut err = std::io::stderr().lock();
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!("{}\n", super::summary_text(summary, self.palette)).as_bytes(),
                );
            }
        }
    }
}
