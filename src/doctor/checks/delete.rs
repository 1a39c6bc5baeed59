//! `file.duplicate`, `delete.own` and `delete.gone`: a second upload of the one-request
//! file's name, then a delete of one of the two and a second delete of the same id. It
//! deletes only a file it uploaded itself, inside the temporary folder.

use serde_json::Value;

use crate::doctor::{Doctor, Verdict};

use super::{SMALL_NAME, SMALL_SIZE, answer_facts, facts, file_of, is_gone, random_bytes, traces};

impl Doctor<'_> {
    /// A second file of the one-request upload's name; then deletes of it.
    pub(super) async fn duplicate_and_delete(&mut self) {
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
