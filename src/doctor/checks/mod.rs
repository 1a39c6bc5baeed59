//! The checks, in the order they run, each recording its row(s) in the report. They write
//! only inside the temporary folder, and judge only what put.io answered: a check that gets
//! no answer says so in its row and the next check still runs.
//!
//! This module owns the order (`checks`) and what every check shares: how a row records an
//! answer, a skip or a lost answer, and how a CRC32 is compared. Each submodule owns one
//! group of checks; none of them prints a row itself or decides the exit code.

mod account;
mod delete;
mod full;
mod listing;
mod small;
mod torrent;
mod tus;

use rand::Rng as _;
use serde_json::{Map, Value, json};

use crate::api::ApiError;
use crate::api::probe::Answer;

use super::Doctor;
use super::report::Verdict;
use tus::TusCase;

const SMALL_NAME: &str = "one-request.bin";
const SMALL_SIZE: usize = 1000;
const LARGE_SIZE: usize = 5 << 20;

/// The `details` object of a row.
fn facts(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn traces(answers: &[&Answer]) -> Vec<String> {
    answers.iter().filter_map(|a| a.trace_id.clone()).collect()
}

fn crc_hex(bytes: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(bytes))
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand::rng().fill(&mut bytes[..]);
    bytes
}

fn is_gone(answer: &Answer) -> bool {
    matches!(answer.status.as_u16(), 404 | 410)
}

/// `file` of an answer, when it has one.
fn file_of(answer: &Answer) -> Option<&Value> {
    answer.json.as_ref()?.get("file").filter(|f| f.is_object())
}

fn crc_of(file: &Value) -> Option<String> {
    file.get("crc32")
        .and_then(Value::as_str)
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
}

/// What a crc32 field looked like when it held no CRC: `null`, `""` or absent.
fn missing_crc_text(file: &Value) -> &'static str {
    match file.get("crc32") {
        None => "crc32 absent",
        Some(Value::Null) => "crc32 null",
        Some(_) => "crc32 empty",
    }
}

/// Facts of an answer for `details`: status, trace id, and the headers the doctor reads
/// (those put.io did not send are left out).
fn answer_facts(answer: &Answer) -> Value {
    let header = |name: &str| answer.header(name).map(str::to_owned);
    let mut all = json!({
        "status": answer.status.as_u16(),
        "error_type": answer.error_type(),
        "error_message": answer.error_message(),
        "trace_id": answer.trace_id,
        "ms": answer.elapsed.as_millis() as u64,
        "upload_offset": header("upload-offset"),
        "putio_file_id": header("putio-file-id"),
        "putio_file_crc32": header("putio-file-crc32"),
    });
    if let Value::Object(map) = &mut all {
        map.retain(|_, value| !value.is_null());
    }
    all
}

impl Doctor<'_> {
    /// Every check in order; returns early (setting `stopped`) when the rest cannot run.
    pub(super) async fn checks(&mut self) {
        self.note("checking the token and the account");
        if !self.account().await {
            return;
        }
        if !self.create_folder().await {
            return;
        }
        self.note("uploading test files (1000 bytes in one request; 0 bytes and 5 MiB by tus)");
        self.one_request().await;
        let mut locations = Vec::new();
        for case in [
            TusCase {
                prefix: "tus.empty",
                name: "tus-empty.bin",
                size: 0,
            },
            TusCase {
                prefix: "tus.large",
                name: "tus-5mib.bin",
                size: LARGE_SIZE,
            },
        ] {
            if let Some(location) = self.tus(&case).await {
                locations.push(location);
            }
        }
        self.location(&locations);
        self.torrent(
            "tus.torrent",
            "doctor-probe.torrent",
            b"putio-up doctor: not a torrent\n",
        )
        .await;
        self.torrent(
            "tus.magnet",
            "doctor-probe.magnet",
            b"putio-up doctor: not a magnet link\n",
        )
        .await;
        self.wait_crcs().await;
        self.full().await;
        self.note("listing, name clash, duplicate file, deletes");
        self.listing().await;
        self.duplicate_and_delete().await;
    }

    /// Records `err` (no answer) on the first of `keys` without a row; the rest are skipped.
    fn no_answer(&mut self, keys: &[&'static str], err: &ApiError) {
        let mut first = true;
        for key in keys {
            if self.report.has(key) {
                continue;
            }
            if first {
                self.report.set(
                    key,
                    Verdict::Differs,
                    format!("no answer: {err}"),
                    Vec::new(),
                    Map::new(),
                );
                first = false;
            } else {
                self.skip(key, "the step before got no answer");
            }
        }
    }

    fn skip(&mut self, key: &'static str, why: &str) {
        self.report.set(
            key,
            Verdict::Skipped,
            format!("not run: {why}"),
            Vec::new(),
            Map::new(),
        );
    }

    fn folder_id(&self) -> u64 {
        self.folder
            .id
            .expect("checks run inside the temporary folder")
    }

    /// `equal` (OK at once, INFO when late) when put.io's CRC32 equals ours, DIFFERS when not.
    fn crc_verdict(
        &mut self,
        key: &'static str,
        how: &str,
        (theirs, ours): (&str, &str),
        equal: Verdict,
        trace: Vec<String>,
    ) {
        let details = facts(json!({ "theirs": theirs, "ours": ours }));
        if theirs == ours {
            self.report.set(
                key,
                equal,
                format!("{how}: {theirs}, equal to ours"),
                trace,
                details,
            );
        } else {
            self.report.set(
                key,
                Verdict::Differs,
                format!("{how}: {theirs}, but ours is {ours}"),
                trace,
                details,
            );
        }
    }

    /// The id of the file named `name` in the temporary folder, if listed there.
    async fn find_in_folder(&self, name: &str) -> Option<u64> {
        let files = self.client.list(self.folder_id()).await.ok()?;
        files
            .iter()
            .filter(|f| f.name == name && !f.is_folder())
            .map(|f| f.id)
            .max()
    }
}
