//! The tus uploads of an empty and a 5 MiB file (`tus.empty.*`, `tus.large.*`): creation
//! and completion, the CRC32 on the completing PATCH, HEAD and an empty PATCH after
//! completion, and where put.io's Location points (`tus.location`). It uploads only into
//! the temporary folder and never sends the token to a host that is not put.io's.

use std::time::Instant;

use serde_json::{Value, json};

use crate::api::probe::{absolute_location, host_of};
use crate::doctor::{Doctor, Pending, Verdict};

use super::{answer_facts, crc_hex, facts, is_gone, random_bytes, traces};

/// Which upload a tus check is about.
pub(super) struct TusCase {
    pub(super) prefix: &'static str,
    pub(super) name: &'static str,
    pub(super) size: usize,
}

impl TusCase {
    fn key(&self, part: &str) -> &'static str {
        crate::doctor::CATALOGUE
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
    /// One tus upload, then HEAD and an empty PATCH on its URL after completion. Returns the
    /// Location put.io gave (as sent, and made absolute) for the Location check.
    pub(super) async fn tus(&mut self, case: &TusCase) -> Option<(String, String, Vec<String>)> {
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

    /// Where put.io sent the tus uploads: the token goes only to put.io's hosts.
    pub(super) fn location(&mut self, locations: &[(String, String, Vec<String>)]) {
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
}
