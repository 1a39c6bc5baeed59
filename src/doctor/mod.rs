//! `putio-up doctor`: finds out, against the real account, how put.io answers where our
//! protocol reference (`shared/putio-api.md`) says UNKNOWN, and whether it still does what
//! putio-up relies on. The result is a table on stderr and, with `--json`, one JSON document
//! on stdout, both meant to be pasted into a bug report.
//!
//! This module owns the run and the temporary folder's life: the folder is created first,
//! under a fresh name, and removed last, whatever happened in between (a failed check, an
//! error, Ctrl-C). When it cannot be removed, the run says so loudly with its id. The checks
//! (`checks`) never touch anything outside that folder; the one write that is not inside it
//! (a tus creation larger than the free space) stores nothing and is abandoned at once.
//! Nothing here prints the token, or keeps a request: rows hold only what put.io answered.

mod checks;
mod json;
mod report;

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;

use crate::api::Client;
use crate::exit::{Code, Fatal, Outcome};
use crate::ui::{self, Palette};

pub use report::{CATALOGUE, Verdict};

/// What `doctor` was asked to do, resolved from its flags.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The folder to work in; 0 is the account root.
    pub parent_id: u64,
    /// How long to poll for a CRC32 that put.io has not filled in yet.
    pub crc_wait: Duration,
    pub json: bool,
    /// No progress lines (the table and warnings are still printed).
    pub quiet: bool,
    pub color: bool,
}

/// The temporary folder: its name is known before it exists, its id once put.io said so.
#[derive(Debug)]
struct TempFolder {
    name: String,
    id: Option<u64>,
    /// A create-folder was sent (its answer may have been lost).
    attempted: bool,
    removed: bool,
}

/// A file whose CRC32 put.io has not shown yet.
#[derive(Debug)]
struct Pending {
    key: &'static str,
    id: u64,
    ours: String,
    /// When put.io answered that it stored the file.
    stored_at: Instant,
    /// How it came to be pending, e.g. "crc32 null in the answer".
    note: String,
    trace_ids: Vec<String>,
}

struct Doctor<'a> {
    client: &'a Client,
    settings: &'a Settings,
    report: report::Report,
    folder: TempFolder,
    /// `disk.avail` from account/info.
    avail: Option<u64>,
    /// The token was rejected: exit 3.
    auth_failed: bool,
    /// put.io did not answer the first request: exit 4, as for any run it stops.
    unreachable: bool,
    /// Why the checks stopped early, for the rows they did not reach.
    stopped: Option<&'static str>,
    pending: Vec<Pending>,
    /// The one-request upload: id and our CRC32, for the duplicate and delete checks.
    small: Option<u64>,
    /// Transfers our uploads started (put.io took a file for a torrent): cancelled at the end.
    transfers: Vec<u64>,
    /// Transfers that could not be cancelled: left behind, and said so.
    transfers_left: Vec<u64>,
}

/// Runs every check, removes the temporary folder, prints the report.
pub async fn run(client: &Client, settings: &Settings) -> Result<Outcome> {
    let started = SystemTime::now();
    if settings.parent_id != 0 {
        check_parent(client, settings.parent_id).await?;
    }
    let mut doctor = Doctor {
        client,
        settings,
        report: report::Report::default(),
        folder: TempFolder {
            name: format!("putio-up-doctor-{:08x}", rand::random::<u32>()),
            id: None,
            attempted: false,
            removed: false,
        },
        avail: None,
        auth_failed: false,
        unreachable: false,
        stopped: None,
        pending: Vec::new(),
        small: None,
        transfers: Vec::new(),
        transfers_left: Vec::new(),
    };
    let interrupted = tokio::select! {
        () = doctor.checks() => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if interrupted {
        ui::say(
            "putio-up doctor: interrupted; removing the temporary folder (Ctrl-C again to leave it)",
        );
    }
    let cleanup_interrupted = tokio::select! {
        () = doctor.cleanup() => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if cleanup_interrupted {
        doctor.report.set(
            "cleanup",
            Verdict::Differs,
            "interrupted before the temporary folder was removed",
            Vec::new(),
            serde_json::Map::new(),
        );
    }
    doctor.note_transfers_left();
    let interrupted = interrupted || cleanup_interrupted;
    let reason = doctor.stopped.unwrap_or("interrupted");
    doctor.report.skip_rest(reason);
    let code = if interrupted {
        Code::Interrupted
    } else if doctor.auth_failed {
        Code::Auth
    } else if doctor.unreachable {
        Code::Remote
    } else if doctor.report.count(Verdict::Differs) > 0 {
        Code::PartialFailure
    } else {
        Code::Success
    };
    doctor.print(started, interrupted, code);
    Ok(Outcome(code))
}

/// `--parent-id` must name a folder: a mistake there is the user's, not put.io's.
async fn check_parent(client: &Client, parent_id: u64) -> Result<()> {
    let answer = client.probe_file(parent_id).await?;
    if answer.status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(Fatal::auth("put.io rejected the token"));
    }
    if !answer.is_success() {
        return Err(Fatal::usage(format!(
            "--parent-id {parent_id}: put.io answered {} for it",
            answer.summary()
        )));
    }
    let file = answer.json.as_ref().and_then(|j| j.get("file"));
    let is_folder = file.is_some_and(|f| {
        f.get("file_type").and_then(|t| t.as_str()) == Some("FOLDER")
            || f.get("content_type").and_then(|t| t.as_str()) == Some("application/x-directory")
    });
    if !is_folder {
        return Err(Fatal::usage(format!(
            "--parent-id {parent_id} is a file, not a folder"
        )));
    }
    Ok(())
}

impl Doctor<'_> {
    fn palette(&self) -> Palette {
        Palette {
            enabled: self.settings.color,
        }
    }

    /// A progress line on stderr, unless --quiet.
    fn note(&self, text: &str) {
        if !self.settings.quiet {
            ui::say(&format!("putio-up doctor: {text}"));
        }
    }

    fn where_text(&self) -> String {
        if self.settings.parent_id == 0 {
            "the account root".to_owned()
        } else {
            format!("folder {}", self.settings.parent_id)
        }
    }

    /// Removes the temporary folder (and cancels transfers our uploads started), and records
    /// how that went. Also finds the folder by name when its creation's answer was lost.
    async fn cleanup(&mut self) {
        if !self.transfers.is_empty() {
            self.cancel_transfers().await;
        }
        if !self.folder.attempted {
            self.report.set(
                "cleanup",
                Verdict::Skipped,
                "nothing was created",
                Vec::new(),
                serde_json::Map::new(),
            );
            self.folder.removed = true;
            return;
        }
        if self.folder.id.is_none() {
            match self.client.list(self.settings.parent_id).await {
                Ok(files) => {
                    self.folder.id = files
                        .iter()
                        .find(|f| f.name == self.folder.name && f.is_folder())
                        .map(|f| f.id);
                }
                Err(err) => {
                    self.cleanup_failed(&format!(
                        "could not look for the folder after a lost answer: {err}"
                    ));
                    return;
                }
            }
        }
        let Some(id) = self.folder.id else {
            self.folder.removed = true;
            self.report.set(
                "cleanup",
                Verdict::Ok,
                "nothing to remove: the folder was never created",
                Vec::new(),
                serde_json::Map::new(),
            );
            return;
        };
        self.note(&format!("removing {} (id {id})", self.folder.name));
        let mut traces = Vec::new();
        let mut attempt = 0;
        let deleted = loop {
            attempt += 1;
            let result = self.client.probe_delete(&[id], true).await;
            let transient = match &result {
                Ok(answer) => {
                    traces.extend(answer.trace_id.clone());
                    answer.status.is_server_error()
                        || answer.status == reqwest::StatusCode::TOO_MANY_REQUESTS
                        || answer.error_type() == Some("TRASH_LOCK_TIMEOUT")
                }
                Err(err) => err.is_transient(),
            };
            if !transient || attempt >= 4 {
                break result;
            }
            tokio::time::sleep(crate::api::retry::backoff(attempt)).await;
        };
        let answer = match deleted {
            Ok(answer) if answer.is_success() => answer,
            Ok(answer) => {
                self.cleanup_failed(&format!("files/delete answered {}", answer.summary()));
                return;
            }
            Err(err) => {
                self.cleanup_failed(&format!("files/delete: {err}"));
                return;
            }
        };
        let after = self.client.probe_file(id).await;
        match after {
            Ok(check) if matches!(check.status.as_u16(), 404 | 410) => {
                traces.extend(check.trace_id.clone());
                self.folder.removed = true;
                self.report.set(
                    "cleanup",
                    Verdict::Ok,
                    format!(
                        "removed {} (id {id}): delete answered {}, GET then {}",
                        self.folder.name,
                        answer.summary(),
                        check.status.as_u16()
                    ),
                    traces,
                    serde_json::Map::new(),
                );
            }
            Ok(check) => {
                self.cleanup_failed(&format!(
                    "files/delete answered {}, but GET of the folder then answered {}",
                    answer.summary(),
                    check.summary()
                ));
            }
            Err(err) => self.cleanup_failed(&format!(
                "files/delete answered {}, but the check after failed: {err}",
                answer.summary()
            )),
        }
    }

    fn cleanup_failed(&mut self, why: &str) {
        let id = self
            .folder
            .id
            .map_or_else(|| "id unknown".to_owned(), |id| format!("id {id}"));
        self.report.set(
            "cleanup",
            Verdict::Differs,
            format!("NOT removed: {} ({id}): {why}", self.folder.name),
            Vec::new(),
            serde_json::Map::new(),
        );
    }

    /// A transfer left behind makes the cleanup row DIFFERS, whatever became of the folder.
    fn note_transfers_left(&mut self) {
        if self.transfers_left.is_empty() {
            return;
        }
        let list = self
            .transfers_left
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let (observed, trace, details) = self.report.get("cleanup").map_or_else(
            || (String::new(), Vec::new(), serde_json::Map::new()),
            |row| {
                (
                    row.observed.clone(),
                    row.trace_ids.clone(),
                    row.details.clone(),
                )
            },
        );
        let mut details = details;
        details.insert(
            "transfers_left".to_owned(),
            serde_json::json!(self.transfers_left),
        );
        let observed = if observed.is_empty() {
            format!("transfer(s) {list} could not be cancelled")
        } else {
            format!("{observed}; transfer(s) {list} could not be cancelled")
        };
        self.report
            .set("cleanup", Verdict::Differs, observed, trace, details);
    }

    async fn cancel_transfers(&mut self) {
        let ids = std::mem::take(&mut self.transfers);
        let list = ids
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let palette = self.palette();
        match self.client.probe_cancel_transfers(&ids).await {
            Ok(answer) if answer.is_success() => {
                self.note(&format!(
                    "cancelled transfer(s) {list} that our uploads started"
                ));
            }
            Ok(answer) => {
                ui::say(&palette.red(&format!(
                    "putio-up doctor: could not cancel transfer(s) {list} that our test files \
                     started (put.io answered {}); cancel them in put.io's Transfers page",
                    answer.summary()
                )));
                self.transfers_left = ids;
            }
            Err(err) => {
                ui::say(&palette.red(&format!(
                    "putio-up doctor: could not cancel transfer(s) {list} that our test files \
                     started ({err}); cancel them in put.io's Transfers page"
                )));
                self.transfers_left = ids;
            }
        }
    }

    fn print(&self, started: SystemTime, interrupted: bool, code: Code) {
        let palette = self.palette();
        let mut text = report::table(&self.report, palette);
        text.push_str(&report::verdict_line(&self.report, palette));
        ui::say(&text);
        if self.auth_failed {
            ui::say(&format!("putio-up: hint: {}", crate::exit::LOGIN_HINT));
        }
        if !self.folder.removed {
            let id = self
                .folder
                .id
                .map_or_else(|| "id unknown".to_owned(), |id| format!("id {id}"));
            ui::say(&palette.red(&format!(
                "putio-up doctor: the temporary folder {} ({id}) in {} is STILL ON PUT.IO: \
                 delete it yourself",
                self.folder.name,
                self.where_text()
            )));
        }
        if self.settings.json {
            let rows = self.report.rows();
            let document = json::Document {
                schema: json::SCHEMA,
                putio_up_version: env!("CARGO_PKG_VERSION"),
                started_at: report::timestamp(started),
                finished_at: report::timestamp(SystemTime::now()),
                api_url: self.client.api_origin(),
                upload_url: self.client.upload_origin(),
                parent_id: self.settings.parent_id,
                folder: json::Folder {
                    name: &self.folder.name,
                    id: self.folder.id,
                    removed: self.folder.removed,
                },
                interrupted,
                ok: self.report.count(Verdict::Differs) == 0,
                exit_code: code as u8,
                counts: json::Counts::of(&self.report),
                trace_ids: json::trace_ids(&rows),
                checks: rows,
            };
            ui::product(&json::render(&document));
        }
    }
}
