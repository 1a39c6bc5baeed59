//! The one-request upload (`small.*`) and the wait for CRC32s put.io has not shown yet:
//! each file left pending by any upload check is polled, with backoff, for `--crc-wait`,
//! and gets its row here. It uploads only into the temporary folder and never deletes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::doctor::{Doctor, Pending, Verdict};

use super::{
    SMALL_NAME, SMALL_SIZE, answer_facts, crc_hex, crc_of, facts, file_of, is_gone,
    missing_crc_text, random_bytes, traces,
};

/// Polling for a late CRC32 starts here and doubles up to `POLL_MAX`.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(4);

impl Doctor<'_> {
    pub(super) async fn one_request(&mut self) {
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

    /// Polls every file whose CRC32 put.io has not shown, with backoff, for `--crc-wait`.
    pub(super) async fn wait_crcs(&mut self) {
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
}
