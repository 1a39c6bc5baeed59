//! `list.cursor` and `folder.clash`: a folder of 3 children listed 2 per page, following
//! the cursor as putio-up does, then a create-folder of a name already taken. Everything it
//! creates is inside the temporary folder; it deletes nothing.

use serde_json::{Value, json};

use crate::api::probe::Answer;
use crate::doctor::{Doctor, Verdict};

use super::{answer_facts, facts, file_of, traces};

impl Doctor<'_> {
    /// A folder with 3 children listed 2 per page; then a create-folder of a taken name.
    pub(super) async fn listing(&mut self) {
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
}
