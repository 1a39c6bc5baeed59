//! The checks, in the order they run, each recording its row(s) in the report. They write
//! only inside the temporary folder, and judge only what put.io answered: a check that gets
//! no answer says so in its row and the next check still runs.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde_json::{Map, Value, json};

use crate::api::ApiError;
use crate::api::probe::{Answer, absolute_location, host_of};
use crate::format::human_bytes;

use super::report::Verdict;
use super::{Doctor, Pending};

const SMALL_NAME: &str = "one-request.bin";
const SMALL_SIZE: usize = 1000;
const LARGE_SIZE: usize = 5 << 20;
/// Polling for a late CRC32 starts here and doubles up to `POLL_MAX`.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(4);

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

/// Which upload a tus check is about.
struct TusCase {
    prefix: &'static str,
    name: &'static str,
    size: usize,
}

impl TusCase {
    fn key(&self, part: &str) -> &'static str {
        super::CATALOGUE
            .iter()
            .map(|(key, _, _)| *key)
            .find(|key| {
                key.strip_prefix(self.prefix)
                    .and_then(|rest| rest.strip_prefix('.'))
                    == Some(part)
            })
            .expect("tus check keys are in the catalogue")
    }
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

    async fn account(&mut self) -> bool {
        let answer = match self.client.probe_account_info().await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["token"], &err);
                self.unreachable = true;
                self.stopped = Some("put.io could not be reached");
                return false;
            }
        };
        let trace = traces(&[&answer]);
        if !answer.is_success() {
            let rejected = answer.status == reqwest::StatusCode::UNAUTHORIZED;
            self.auth_failed = rejected;
            self.report.set(
                "token",
                Verdict::Differs,
                if rejected {
                    format!("rejected: {} (log in again)", answer.summary())
                } else {
                    format!("account/info answered {}", answer.summary())
                },
                trace,
                facts(answer_facts(&answer)),
            );
            self.stopped = Some(if rejected {
                "the token was rejected"
            } else {
                "account/info failed"
            });
            return false;
        }
        let info = answer
            .json
            .as_ref()
            .and_then(|j| j.get("info"))
            .cloned()
            .unwrap_or(Value::Null);
        let username = info.get("username").and_then(Value::as_str).unwrap_or("?");
        self.report.set(
            "token",
            Verdict::Ok,
            format!("accepted (user {username})"),
            trace.clone(),
            facts(answer_facts(&answer)),
        );

        let status = info.get("account_status").and_then(Value::as_str);
        let active = info.get("account_active").and_then(Value::as_bool);
        let described = format!(
            "account_status {}, account_active {}",
            status.map_or_else(|| "absent".to_owned(), |s| format!("\"{s}\"")),
            active.map_or_else(|| "absent".to_owned(), |a| a.to_string())
        );
        let state_facts = facts(json!({ "account_status": status, "account_active": active }));
        if status.is_some_and(|s| s != "active") || active == Some(false) {
            self.report.set(
                "account.state",
                Verdict::Differs,
                format!("{described}: put.io will refuse uploads (renew the account)"),
                trace.clone(),
                state_facts,
            );
        } else if status.is_none() && active.is_none() {
            self.report.set(
                "account.state",
                Verdict::Info,
                format!("{described}: cannot tell whether writes work"),
                trace.clone(),
                state_facts,
            );
        } else {
            self.report.set(
                "account.state",
                Verdict::Ok,
                described,
                trace.clone(),
                state_facts,
            );
        }

        let disk = info.get("disk");
        let number = |name: &str| disk.and_then(|d| d.get(name)).and_then(Value::as_u64);
        self.avail = number("avail");
        let (verdict, text) = match (number("avail"), number("size"), number("used")) {
            (Some(avail), size, used) => {
                let mut text = format!("{} available", human_bytes(avail));
                if let Some(size) = size {
                    let _ = write!(text, " of {}", human_bytes(size));
                }
                if let Some(used) = used {
                    let _ = write!(text, ", {} used", human_bytes(used));
                }
                if avail < (LARGE_SIZE + 2 * SMALL_SIZE + 100) as u64 {
                    text.push_str(": less than the doctor's 5 MiB test file needs");
                }
                (Verdict::Info, text)
            }
            _ => (
                Verdict::Differs,
                "no disk.avail in account/info: putio-up cannot check for room".to_owned(),
            ),
        };
        self.report.set(
            "account.disk",
            verdict,
            text,
            trace,
            facts(
                json!({ "avail": number("avail"), "size": number("size"), "used": number("used") }),
            ),
        );
        true
    }

    async fn create_folder(&mut self) -> bool {
        self.folder.attempted = true;
        let name = self.folder.name.clone();
        let answer = match self
            .client
            .probe_create_folder(self.settings.parent_id, &name)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["folder.create"], &err);
                self.stopped = Some("the temporary folder could not be created");
                return false;
            }
        };
        let file = file_of(&answer);
        let id = file.and_then(|f| f.get("id")).and_then(Value::as_u64);
        let is_folder = file.is_some_and(|f| {
            f.get("file_type").and_then(Value::as_str) == Some("FOLDER")
                || f.get("content_type").and_then(Value::as_str) == Some("application/x-directory")
        });
        let trace = traces(&[&answer]);
        let details = facts(answer_facts(&answer));
        match (answer.is_success(), id) {
            (true, Some(id)) => {
                self.folder.id = Some(id);
                let (verdict, text) = if is_folder {
                    (Verdict::Ok, format!("created {name} (id {id})"))
                } else {
                    (
                        Verdict::Differs,
                        format!("created {name} (id {id}), but file_type is not FOLDER"),
                    )
                };
                self.report
                    .set("folder.create", verdict, text, trace, details);
                self.note(&format!(
                    "working in {name} (id {id}) in {}; it is removed at the end",
                    self.where_text()
                ));
                true
            }
            (true, None) => {
                self.report.set(
                    "folder.create",
                    Verdict::Differs,
                    format!("{} without file.id", answer.summary()),
                    trace,
                    details,
                );
                self.stopped = Some("the temporary folder's id is unknown");
                false
            }
            (false, _) => {
                self.report.set(
                    "folder.create",
                    Verdict::Differs,
                    format!("create-folder answered {}", answer.summary()),
                    trace,
                    details,
                );
                self.stopped = Some("the temporary folder could not be created");
                false
            }
        }
    }

    fn folder_id(&self) -> u64 {
        self.folder
            .id
            .expect("checks run inside the temporary folder")
    }

    async fn one_request(&mut self) {
        let bytes = random_bytes(SMALL_SIZE);
        let ours = crc_hex(&bytes);
        let answer = match self
            .client
            .probe_upload_small(self.folder_id(), SMALL_NAME, &bytes)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["small.answer", "small.crc32"], &err);
                return;
            }
        };
        let trace = traces(&[&answer]);
        let details = facts(answer_facts(&answer));
        if !answer.is_success() {
            self.report.set(
                "small.answer",
                Verdict::Differs,
                format!("answered {}", answer.summary()),
                trace,
                details,
            );
            self.skip("small.crc32", "the upload failed");
            return;
        }
        let transfer = answer
            .json
            .as_ref()
            .and_then(|j| j.get("transfer"))
            .filter(|t| t.is_object());
        let Some(file) = file_of(&answer) else {
            let text = if let Some(transfer) = transfer {
                let id = transfer.get("id").and_then(Value::as_u64);
                self.transfers.extend(id);
                format!(
                    "`transfer` (id {}) instead of `file`: put.io took a plain .bin file for a \
                     torrent",
                    id.map_or_else(|| "?".to_owned(), |id| id.to_string())
                )
            } else {
                format!("{} with neither `file` nor `transfer`", answer.summary())
            };
            self.report
                .set("small.answer", Verdict::Differs, text, trace, details);
            self.skip("small.crc32", "put.io stored no file");
            return;
        };
        let id = file.get("id").and_then(Value::as_u64);
        let size = file.get("size").and_then(Value::as_u64);
        let Some(id) = id else {
            self.report.set(
                "small.answer",
                Verdict::Differs,
                "`file` without an id",
                trace,
                details,
            );
            self.skip("small.crc32", "put.io named no file id");
            return;
        };
        self.small = Some(id);
        if size == Some(SMALL_SIZE as u64) {
            self.report.set(
                "small.answer",
                Verdict::Ok,
                format!("`file` id {id}, {SMALL_SIZE} bytes"),
                trace.clone(),
                details,
            );
        } else {
            self.report.set(
                "small.answer",
                Verdict::Differs,
                format!(
                    "`file` id {id}, but size {} for the {SMALL_SIZE} bytes sent",
                    size.map_or_else(|| "absent".to_owned(), |s| s.to_string())
                ),
                trace.clone(),
                details,
            );
        }
        match crc_of(file) {
            Some(theirs) => self.crc_verdict(
                "small.crc32",
                "in the answer at once",
                (&theirs, &ours),
                Verdict::Ok,
                trace,
            ),
            None => self.pending.push(Pending {
                key: "small.crc32",
                id,
                ours,
                stored_at: Instant::now(),
                note: format!("{} in the answer", missing_crc_text(file)),
                trace_ids: trace,
            }),
        }
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

    /// One tus upload, then HEAD and an empty PATCH on its URL after completion. Returns the
    /// Location put.io gave (as sent, and made absolute) for the Location check.
    async fn tus(&mut self, case: &TusCase) -> Option<(String, String, Vec<String>)> {
        let keys = [
            case.key("completion"),
            case.key("crc32"),
            case.key("head"),
            case.key("patch"),
        ];
        let [completion, crc_key, head_key, patch_key] = keys;
        let bytes = random_bytes(case.size);
        let ours = crc_hex(&bytes);
        let length = case.size as u64;
        let create = match self
            .client
            .probe_tus_create(self.folder_id(), case.name, length)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&keys, &err);
                return None;
            }
        };
        let location = create.header("location").filter(|l| !l.is_empty());
        let (201, Some(location)) = (create.status.as_u16(), location) else {
            let text = if create.status.as_u16() == 201 {
                "creation answered 201 without a Location".to_owned()
            } else {
                format!("creation answered {}", create.summary())
            };
            self.report.set(
                completion,
                Verdict::Differs,
                text,
                traces(&[&create]),
                facts(answer_facts(&create)),
            );
            for key in &keys[1..] {
                self.skip(key, "the upload could not be created");
            }
            return None;
        };
        let location = location.to_owned();
        let url = absolute_location(self.client.upload_origin(), &location);
        let found = Some((location, url.clone(), traces(&[&create])));

        let patch = match self.client.probe_tus_patch(&url, 0, &bytes).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&keys, &err);
                return found;
            }
        };
        let mut trace = traces(&[&create, &patch]);
        let details =
            facts(json!({ "create": answer_facts(&create), "patch": answer_facts(&patch) }));
        if !patch.is_success() {
            self.report.set(
                completion,
                Verdict::Differs,
                format!("PATCH answered {}", patch.summary()),
                trace,
                details,
            );
            for key in &keys[1..] {
                self.skip(key, "the upload did not complete");
            }
            return found;
        }
        let offset = patch.header_u64("upload-offset");
        let header_id = patch.header_u64("putio-file-id");
        let header_crc = patch
            .header("putio-file-crc32")
            .map(str::to_ascii_lowercase)
            .filter(|c| !c.is_empty());
        let status = patch.status.as_u16();
        let mut file_id = header_id;
        if offset != Some(length) {
            self.report.set(
                completion,
                Verdict::Differs,
                format!(
                    "{status} with Upload-Offset {} after all {length} bytes",
                    offset.map_or_else(|| "absent".to_owned(), |o| o.to_string())
                ),
                trace.clone(),
                details,
            );
        } else if let Some(id) = header_id {
            let (verdict, text) = match &header_crc {
                Some(crc) => (
                    Verdict::Ok,
                    format!("{status}, putio-file-id {id}, putio-file-crc32 {crc}"),
                ),
                None => (
                    Verdict::Info,
                    format!(
                        "{status}, putio-file-id {id}, no putio-file-crc32 (putio-up then reads \
                         the CRC32 from the file)"
                    ),
                ),
            };
            self.report
                .set(completion, verdict, text, trace.clone(), details);
        } else {
            let listed = self.find_in_folder(case.name).await;
            file_id = listed;
            let how = listed.map_or_else(
                || "and no such file in the folder".to_owned(),
                |id| format!("the file is in the folder as id {id}"),
            );
            self.report.set(
                completion,
                Verdict::Differs,
                format!("{status} without putio-file-id; {how}"),
                trace.clone(),
                details,
            );
        }

        match (&header_crc, file_id) {
            (Some(theirs), _) => {
                self.crc_verdict(
                    crc_key,
                    "putio-file-crc32",
                    (theirs, &ours),
                    Verdict::Ok,
                    trace.clone(),
                );
            }
            (None, Some(id)) => self.pending.push(Pending {
                key: crc_key,
                id,
                ours,
                stored_at: Instant::now(),
                note: "no putio-file-crc32 on the completing PATCH".to_owned(),
                trace_ids: trace.clone(),
            }),
            (None, None) => self.skip(crc_key, "the file's id is unknown"),
        }

        let head = match self.client.probe_tus_head(&url).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&[head_key, patch_key], &err);
                return found;
            }
        };
        trace = traces(&[&head]);
        let head_offset = head.header_u64("upload-offset");
        let (verdict, text) = if head.is_success() && head_offset == Some(length) {
            (
                Verdict::Ok,
                format!("{}, Upload-Offset {length} = length", head.status.as_u16()),
            )
        } else if is_gone(&head) {
            (
                Verdict::Info,
                format!(
                    "{}: put.io forgot the completed upload (putio-up then looks in the folder)",
                    head.status.as_u16()
                ),
            )
        } else if head.is_success() {
            (
                Verdict::Differs,
                format!(
                    "{}, Upload-Offset {} for a completed upload of {length}",
                    head.status.as_u16(),
                    head_offset.map_or_else(|| "absent".to_owned(), |o| o.to_string())
                ),
            )
        } else {
            (Verdict::Differs, format!("answered {}", head.summary()))
        };
        self.report
            .set(head_key, verdict, text, trace, facts(answer_facts(&head)));

        let again = match self.client.probe_tus_patch(&url, length, &[]).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&[patch_key], &err);
                return found;
            }
        };
        let again_id = again.header_u64("putio-file-id");
        let code = again.status.as_u16();
        let (verdict, text) = match (again.is_success(), again_id) {
            (true, Some(id)) if Some(id) == file_id => {
                (Verdict::Ok, format!("{code} with putio-file-id {id} again"))
            }
            (true, Some(id)) => (
                Verdict::Differs,
                format!(
                    "{code} with putio-file-id {id}, not the {} of the completion",
                    file_id.map_or_else(|| "unknown id".to_owned(), |f| f.to_string())
                ),
            ),
            (true, None) => (
                Verdict::Info,
                format!("{code} without putio-file-id (putio-up then looks in the folder)"),
            ),
            (false, _) if is_gone(&again) => (
                Verdict::Info,
                format!(
                    "{code}: put.io forgot the completed upload (putio-up then looks in the folder)"
                ),
            ),
            (false, _) => (Verdict::Differs, format!("answered {}", again.summary())),
        };
        self.report.set(
            patch_key,
            verdict,
            text,
            traces(&[&again]),
            facts(answer_facts(&again)),
        );
        found
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

    /// Where put.io sent the tus uploads: the token goes only to put.io's hosts.
    fn location(&mut self, locations: &[(String, String, Vec<String>)]) {
        if locations.is_empty() {
            if !self.report.has("tus.location") {
                self.skip("tus.location", "no tus upload was created");
            }
            return;
        }
        let origin = self.client.upload_origin();
        let origin_host = host_of(origin);
        let trace: Vec<String> = locations.iter().flat_map(|(_, _, t)| t.clone()).collect();
        let listed: Vec<Value> = locations
            .iter()
            .map(|(sent, url, _)| {
                json!({ "location": sent, "host": host_of(url), "absolute": sent.contains("://") })
            })
            .collect();
        let details = facts(json!({ "upload_origin": origin, "locations": listed }));
        let foreign: Vec<String> = locations
            .iter()
            .filter(|(_, url, _)| !self.client.sends_token_to(url))
            .map(|(_, url, _)| host_of(url))
            .collect();
        let other: Vec<String> = locations
            .iter()
            .map(|(_, url, _)| host_of(url))
            .filter(|host| *host != origin_host)
            .collect();
        let relative = locations.iter().any(|(sent, _, _)| !sent.contains("://"));
        let (verdict, text) = if !foreign.is_empty() {
            (
                Verdict::Differs,
                format!(
                    "Location on {}, not a put.io host: putio-up would send it no token",
                    foreign.join(", ")
                ),
            )
        } else if !other.is_empty() {
            (
                Verdict::Info,
                format!(
                    "Location on another put.io host ({}) than the upload origin ({origin_host})",
                    other.join(", ")
                ),
            )
        } else if relative {
            (
                Verdict::Info,
                format!("a relative Location, resolved against {origin_host}"),
            )
        } else {
            (
                Verdict::Ok,
                format!("absolute, on the upload origin's host ({origin_host})"),
            )
        };
        self.report
            .set("tus.location", verdict, text, trace, details);
    }

    /// A `.torrent` or `.magnet` file sent by tus with `no-torrent`: it must stay a file.
    async fn torrent(&mut self, key: &'static str, name: &str, bytes: &[u8]) {
        let create = match self
            .client
            .probe_tus_create(self.folder_id(), name, bytes.len() as u64)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&[key], &err);
                return;
            }
        };
        let location = create.header("location").filter(|l| !l.is_empty());
        let (201, Some(location)) = (create.status.as_u16(), location) else {
            self.report.set(
                key,
                Verdict::Differs,
                format!("creation answered {}", create.summary()),
                traces(&[&create]),
                facts(answer_facts(&create)),
            );
            return;
        };
        let url = absolute_location(self.client.upload_origin(), location);
        let patch = match self.client.probe_tus_patch(&url, 0, bytes).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&[key], &err);
                return;
            }
        };
        let mut trace = traces(&[&create, &patch]);
        let mut details =
            facts(json!({ "create": answer_facts(&create), "patch": answer_facts(&patch) }));
        if !patch.is_success() {
            self.report.set(
                key,
                Verdict::Differs,
                format!("PATCH answered {}", patch.summary()),
                trace,
                details,
            );
            return;
        }
        if let Some(id) = patch.header_u64("putio-file-id") {
            self.report.set(
                key,
                Verdict::Ok,
                format!("stored as a file (putio-file-id {id})"),
                trace,
                details,
            );
            return;
        }
        if let Some(id) = self.find_in_folder(name).await {
            self.report.set(
                key,
                Verdict::Info,
                format!(
                    "stored as a file (id {id}), but the completing PATCH named no putio-file-id"
                ),
                trace,
                details,
            );
            return;
        }
        // No file: put.io most likely started a transfer from it. Find it, to cancel it.
        let mut started = None;
        if let Ok(list) = self.client.probe_transfers().await {
            trace.extend(list.trace_id.clone());
            started = list
                .json
                .as_ref()
                .and_then(|j| j.get("transfers"))
                .and_then(Value::as_array)
                .and_then(|all| {
                    all.iter()
                        .filter(|t| t.get("name").and_then(Value::as_str) == Some(name))
                        .filter_map(|t| t.get("id").and_then(Value::as_u64))
                        .max()
                });
        }
        self.transfers.extend(started);
        details.insert("transfer_id".to_owned(), json!(started));
        let text = match started {
            Some(id) => {
                format!("no file stored: put.io started transfer {id} from it despite no-torrent")
            }
            None => "no file stored (putio-file-id absent, not in the folder): put.io probably \
                     started a transfer despite no-torrent"
                .to_owned(),
        };
        self.report.set(key, Verdict::Differs, text, trace, details);
    }

    /// Polls every file whose CRC32 put.io has not shown, with backoff, for `--crc-wait`.
    async fn wait_crcs(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let wait = self.settings.crc_wait;
        self.note(&format!(
            "put.io has not shown the CRC32 of {}; waiting up to {}s for it",
            crate::ui::count(self.pending.len(), "file"),
            wait.as_secs()
        ));
        let deadline = Instant::now() + wait;
        let mut pause = POLL_FIRST;
        let mut polls = 0u32;
        loop {
            polls += 1;
            let mut still = Vec::new();
            for mut pending in std::mem::take(&mut self.pending) {
                match self.client.probe_file(pending.id).await {
                    Ok(answer) => {
                        pending.trace_ids.extend(answer.trace_id.clone());
                        let crc = file_of(&answer).and_then(crc_of);
                        if let Some(theirs) = crc {
                            let how = format!(
                                "{}; GET /v2/files/{} showed it after {:.1}s",
                                pending.note,
                                pending.id,
                                pending.stored_at.elapsed().as_secs_f64()
                            );
                            let trace = pending.trace_ids.clone();
                            // Late but right is INFO: putio-up waits for it.
                            self.crc_verdict(
                                pending.key,
                                &how,
                                (&theirs, &pending.ours),
                                Verdict::Info,
                                trace,
                            );
                        } else if is_gone(&answer) {
                            self.report.set(
                                pending.key,
                                Verdict::Differs,
                                format!(
                                    "{}; then GET /v2/files/{} answered {}: the file is gone",
                                    pending.note,
                                    pending.id,
                                    answer.status.as_u16()
                                ),
                                pending.trace_ids.clone(),
                                facts(answer_facts(&answer)),
                            );
                        } else {
                            still.push(pending);
                        }
                    }
                    Err(err) => {
                        tracing::info!("{err}; polling again");
                        still.push(pending);
                    }
                }
            }
            self.pending = still;
            let now = Instant::now();
            if self.pending.is_empty() || now >= deadline {
                break;
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(POLL_MAX);
        }
        for pending in std::mem::take(&mut self.pending) {
            self.report.set(
                pending.key,
                Verdict::Differs,
                format!(
                    "{}; still none after {}s ({polls} polls of GET /v2/files/{}): putio-up \
                     keeps such files but cannot verify them",
                    pending.note,
                    wait.as_secs(),
                    pending.id
                ),
                pending.trace_ids,
                facts(json!({ "ours": pending.ours, "polls": polls })),
            );
        }
    }

    /// A tus creation larger than the free space: how put.io refuses it. Nothing is stored;
    /// an accepted creation is abandoned at once.
    async fn full(&mut self) {
        let Some(avail) = self.avail else {
            self.skip("tus.full", "account/info named no free space");
            return;
        };
        let length = avail.saturating_add(1 << 30);
        let create = match self
            .client
            .probe_tus_create(self.folder_id(), "doctor-too-large.bin", length)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["tus.full"], &err);
                return;
            }
        };
        let mut trace = traces(&[&create]);
        let mut details = facts(answer_facts(&create));
        details.insert("upload_length".to_owned(), json!(length));
        let text = if create.is_success() {
            let mut text = format!(
                "a creation 1 GiB over the free space ({length} bytes) was accepted ({}): \
                 put.io checks for room later",
                create.status.as_u16()
            );
            if let Some(location) = create.header("location").filter(|l| !l.is_empty()) {
                let url = absolute_location(self.client.upload_origin(), location);
                match self.client.probe_tus_delete(&url).await {
                    Ok(gone) => {
                        trace.extend(gone.trace_id.clone());
                        details.insert("abandon".to_owned(), answer_facts(&gone));
                        let _ = write!(text, "; abandoned ({})", gone.status.as_u16());
                    }
                    Err(err) => {
                        let _ = write!(text, "; abandoning it failed: {err}");
                    }
                }
            }
            text
        } else {
            format!(
                "a creation 1 GiB over the free space ({length} bytes) answered {}",
                create.summary()
            )
        };
        self.report
            .set("tus.full", Verdict::Info, text, trace, details);
    }

    /// A folder with 3 children listed 2 per page; then a create-folder of a taken name.
    async fn listing(&mut self) {
        let keys = ["list.cursor", "folder.clash"];
        let sub = match self
            .client
            .probe_create_folder(self.folder_id(), "listing")
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&keys, &err);
                return;
            }
        };
        let Some(sub_id) = file_of(&sub)
            .and_then(|f| f.get("id"))
            .and_then(Value::as_u64)
        else {
            self.report.set(
                "list.cursor",
                Verdict::Differs,
                format!("could not create the folder to list: {}", sub.summary()),
                traces(&[&sub]),
                facts(answer_facts(&sub)),
            );
            self.skip("folder.clash", "its folder could not be created");
            return;
        };
        for child in ["a", "b", "c"] {
            match self.client.probe_create_folder(sub_id, child).await {
                Ok(answer) if answer.is_success() => {}
                Ok(answer) => {
                    self.report.set(
                        "list.cursor",
                        Verdict::Differs,
                        format!("could not create child `{child}`: {}", answer.summary()),
                        traces(&[&answer]),
                        facts(answer_facts(&answer)),
                    );
                    self.skip("folder.clash", "its folder could not be filled");
                    return;
                }
                Err(err) => {
                    self.no_answer(&keys, &err);
                    return;
                }
            }
        }
        self.list_pages(sub_id).await;
        self.clash(sub_id).await;
    }

    async fn list_pages(&mut self, folder: u64) {
        let first = match self.client.probe_list(folder, 2).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["list.cursor"], &err);
                return;
            }
        };
        let mut trace = traces(&[&first]);
        if !first.is_success() {
            self.report.set(
                "list.cursor",
                Verdict::Differs,
                format!("files/list answered {}", first.summary()),
                trace,
                facts(answer_facts(&first)),
            );
            return;
        }
        let page = |answer: &Answer| -> (Vec<u64>, Option<String>) {
            let json = answer.json.as_ref();
            let ids = json
                .and_then(|j| j.get("files"))
                .and_then(Value::as_array)
                .map(|files| {
                    files
                        .iter()
                        .filter_map(|f| f.get("id").and_then(Value::as_u64))
                        .collect()
                })
                .unwrap_or_default();
            let cursor = json
                .and_then(|j| j.get("cursor"))
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_owned);
            (ids, cursor)
        };
        let (mut ids, mut cursor) = page(&first);
        let mut sizes = vec![ids.len()];
        let first_had_cursor = cursor.is_some();
        // Follow the cursor as putio-up does, a few pages at most (3 entries need 2).
        let mut error = None;
        while let Some(current) = cursor.take() {
            if sizes.len() > 4 {
                error = Some("more than 4 pages for 3 entries".to_owned());
                break;
            }
            match self.client.probe_list_continue(&current, 2).await {
                Ok(next) if next.is_success() => {
                    trace.extend(next.trace_id.clone());
                    let (more, next_cursor) = page(&next);
                    sizes.push(more.len());
                    ids.extend(more);
                    cursor = next_cursor;
                }
                Ok(next) => {
                    trace.extend(next.trace_id.clone());
                    error = Some(format!("list/continue answered {}", next.summary()));
                }
                Err(err) => error = Some(format!("list/continue got no answer: {err}")),
            }
        }
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let pages = sizes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ");
        let details = facts(json!({ "page_sizes": sizes, "ids": ids }));
        let (verdict, text) = if let Some(error) = error {
            (Verdict::Differs, format!("pages of {pages}, then {error}"))
        } else if distinct.len() != 3 || ids.len() != 3 {
            (
                Verdict::Differs,
                format!(
                    "pages of {pages}: {} entries ({} distinct) for 3 children",
                    ids.len(),
                    distinct.len()
                ),
            )
        } else if sizes == [2, 1] {
            (
                Verdict::Ok,
                "2 and a cursor, then 1 and no cursor".to_owned(),
            )
        } else if sizes == [3] && !first_had_cursor {
            (
                Verdict::Info,
                "all 3 on the first page, no cursor: per_page=2 was ignored".to_owned(),
            )
        } else {
            (
                Verdict::Info,
                format!("pages of {pages}, all 3 entries once"),
            )
        };
        self.report
            .set("list.cursor", verdict, text, trace, details);
    }

    async fn clash(&mut self, folder: u64) {
        let again = match self.client.probe_create_folder(folder, "a").await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["folder.clash"], &err);
                return;
            }
        };
        let (verdict, text) =
            if again.status.as_u16() == 400 && again.error_type() == Some("NAME_ALREADY_EXIST") {
                (Verdict::Ok, again.summary())
            } else if again.is_success() {
                (
                    Verdict::Differs,
                    format!(
                        "{}: a second folder of the same name was created",
                        again.summary()
                    ),
                )
            } else {
                (
                    Verdict::Differs,
                    format!("answered {} instead", again.summary()),
                )
            };
        self.report.set(
            "folder.clash",
            verdict,
            text,
            traces(&[&again]),
            facts(answer_facts(&again)),
        );
    }

    /// A second file of the one-request upload's name; then deletes of it.
    async fn duplicate_and_delete(&mut self) {
        let keys = ["file.duplicate", "delete.own", "delete.gone"];
        let Some(first) = self.small else {
            for key in keys {
                self.skip(key, "the one-request upload stored no file");
            }
            return;
        };
        let bytes = random_bytes(SMALL_SIZE);
        let second = match self
            .client
            .probe_upload_small(self.folder_id(), SMALL_NAME, &bytes)
            .await
        {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&keys, &err);
                return;
            }
        };
        let second_id = file_of(&second)
            .and_then(|f| f.get("id"))
            .and_then(Value::as_u64);
        let mut trace = traces(&[&second]);
        let details = facts(answer_facts(&second));
        let target = match (second.is_success(), second_id) {
            (true, Some(id)) if id != first => {
                match self.client.probe_file(first).await {
                    Ok(check) => {
                        trace.extend(check.trace_id.clone());
                        if check.is_success() {
                            self.report.set(
                                "file.duplicate",
                                Verdict::Ok,
                                format!("stored as id {id}; the first (id {first}) stays"),
                                trace,
                                details,
                            );
                        } else {
                            self.report.set(
                                "file.duplicate",
                                Verdict::Differs,
                                format!(
                                    "stored as id {id}, and the first (id {first}) is gone ({}): \
                                     put.io replaced it",
                                    check.status.as_u16()
                                ),
                                trace,
                                details,
                            );
                        }
                    }
                    Err(err) => self.no_answer(&["file.duplicate"], &err),
                }
                id
            }
            (true, Some(id)) => {
                self.report.set(
                    "file.duplicate",
                    Verdict::Differs,
                    format!("answered with the first file's id {id}: put.io replaced its content"),
                    trace,
                    details,
                );
                id
            }
            (true, None) => {
                self.report.set(
                    "file.duplicate",
                    Verdict::Differs,
                    format!("{} without a file id", second.summary()),
                    trace,
                    details,
                );
                first
            }
            (false, _) => {
                self.report.set(
                    "file.duplicate",
                    Verdict::Differs,
                    format!("refused: {}", second.summary()),
                    trace,
                    details,
                );
                first
            }
        };
        self.delete(target).await;
    }

    async fn delete(&mut self, id: u64) {
        let answer = match self.client.probe_delete(&[id], true).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["delete.own", "delete.gone"], &err);
                return;
            }
        };
        let mut trace = traces(&[&answer]);
        let details = facts(answer_facts(&answer));
        if !answer.is_success() {
            self.report.set(
                "delete.own",
                Verdict::Differs,
                format!("delete of file {id} answered {}", answer.summary()),
                trace,
                details,
            );
            self.skip("delete.gone", "the first delete failed");
            return;
        }
        let after = match self.client.probe_file(id).await {
            Ok(after) => after,
            Err(err) => {
                self.no_answer(&["delete.own", "delete.gone"], &err);
                return;
            }
        };
        trace.extend(after.trace_id.clone());
        if is_gone(&after) {
            self.report.set(
                "delete.own",
                Verdict::Ok,
                format!(
                    "{} for file {id}; GET then {}",
                    answer.summary(),
                    after.status.as_u16()
                ),
                trace,
                details,
            );
        } else {
            self.report.set(
                "delete.own",
                Verdict::Differs,
                format!(
                    "{}, but GET /v2/files/{id} then answered {}",
                    answer.summary(),
                    after.summary()
                ),
                trace,
                details,
            );
            self.skip("delete.gone", "the file was not deleted");
            return;
        }

        let again = match self.client.probe_delete(&[id], true).await {
            Ok(answer) => answer,
            Err(err) => {
                self.no_answer(&["delete.gone"], &err);
                return;
            }
        };
        let skipped = again
            .json
            .as_ref()
            .and_then(|j| j.get("skipped"))
            .and_then(Value::as_u64);
        let (verdict, text) = if again.is_success() && skipped == Some(1) {
            (Verdict::Ok, format!("{}, skipped 1", again.summary()))
        } else if again.is_success() {
            (
                Verdict::Info,
                format!(
                    "{}, skipped {}",
                    again.summary(),
                    skipped.map_or_else(|| "absent".to_owned(), |s| s.to_string())
                ),
            )
        } else if is_gone(&again) {
            (
                Verdict::Info,
                format!(
                    "{}: skip_nonexistents=1 was ignored (putio-up takes a 404 on a delete as \
                     already gone)",
                    again.summary()
                ),
            )
        } else {
            (Verdict::Differs, format!("answered {}", again.summary()))
        };
        self.report.set(
            "delete.gone",
            verdict,
            text,
            traces(&[&again]),
            facts(answer_facts(&again)),
        );
    }
}
