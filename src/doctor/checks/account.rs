//! The first checks, which the rest depend on: the token, the account's state and free
//! space (account/info), and the creation of the temporary folder. Only the folder is
//! written; a failure here stops the run (`stopped`) rather than half-running the rest.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::doctor::{Doctor, Verdict};
use crate::format::human_bytes;

use super::{LARGE_SIZE, SMALL_SIZE, answer_facts, facts, file_of, traces};

impl Doctor<'_> {
    pub(super) async fn account(&mut self) -> bool {
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

    pub(super) async fn create_folder(&mut self) -> bool {
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
}
