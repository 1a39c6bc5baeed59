//! `tus.full`: how put.io answers a tus creation larger than the free space. Nothing is
//! uploaded; an accepted creation is abandoned at once, and the row is only ever INFO.

use std::fmt::Write as _;

use serde_json::json;

use crate::api::probe::absolute_location;
use crate::doctor::{Doctor, Verdict};

use super::{answer_facts, facts, traces};

impl Doctor<'_> {
    /// A tus creation larger than the free space: how put.io refuses it. Nothing is stored;
    /// an accepted creation is abandoned at once.
    pub(super) async fn full(&mut self) {
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
}
