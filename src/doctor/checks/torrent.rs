//! `tus.torrent` and `tus.magnet`: a `.torrent` and a `.magnet` file sent by tus with
//! `no-torrent` must be stored as files. When put.io starts a transfer from one instead,
//! the transfer is noted for the cleanup to cancel; this module never cancels it itself.

use serde_json::{Value, json};

use crate::api::probe::absolute_location;
use crate::doctor::{Doctor, Verdict};

use super::{answer_facts, facts, traces};

impl Doctor<'_> {
    /// A `.torrent` or `.magnet` file sent by tus with `no-torrent`: it must stay a file.
    pub(super) async fn torrent(&mut self, key: &'static str, name: &str, bytes: &[u8]) {
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
}
