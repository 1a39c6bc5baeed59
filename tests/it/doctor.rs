//! `putio-up doctor` against the fake: what it reports, its exit code, and that the account
//! is exactly as before afterwards (the temporary folder and everything in it gone).

use std::time::Duration;

use fake_putio::{Crc32Visibility, FullAnswer, Unknowns};
use serde_json::Value;

use crate::support::{self, fake, putio_up};

/// The account as tests compare it: every entry, ids included.
fn tree(fake: &fake_putio::FakePutio) -> Vec<fake_putio::Entry> {
    fake.tree()
}

/// A few things the doctor must leave alone.
fn seed(fake: &fake_putio::FakePutio) -> u64 {
    let keep = fake.seed_folder(0, "Keep");
    fake.seed_file(keep, "notes.txt", b"mine, do not touch");
    fake.seed_file(0, "one-request.bin", b"same name as a doctor test file");
    keep
}

struct Run {
    code: i32,
    report: Value,
    stderr: String,
}

impl Run {
    fn row(&self, key: &str) -> &Value {
        self.report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|row| row["key"] == key)
            .unwrap_or_else(|| panic!("no row `{key}` in {}", self.report))
    }

    fn result(&self, key: &str) -> &str {
        self.row(key)["result"].as_str().expect("result")
    }

    fn observed(&self, key: &str) -> &str {
        self.row(key)["observed"].as_str().expect("observed")
    }

    /// Every row's key and result, for failure messages.
    fn results(&self) -> String {
        self.report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .map(|row| format!("{} {}: {}", row["result"], row["key"], row["observed"]))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn doctor(fake: &fake_putio::FakePutio, args: &[&str]) -> Run {
    let output = putio_up(fake)
        .arg("doctor")
        .arg("--json")
        .args(args)
        .output()
        .expect("run putio-up doctor");
    let text = support::output_text(&output);
    assert!(
        !text.contains(fake.token().as_str()),
        "the token was printed:\n{text}"
    );
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("stdout is not one JSON document ({err}):\n{text}"));
    Run {
        code: output.status.code().expect("exit code"),
        report,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the doctor and checks what every run must hold: the account unchanged, the
/// temporary folder removed, the exit code and `ok` agreeing with the rows.
fn checked_doctor(fake: &fake_putio::FakePutio, args: &[&str]) -> Run {
    let before = tree(fake);
    let run = doctor(fake, args);
    assert_eq!(
        tree(fake),
        before,
        "the doctor left something behind:\n{}",
        run.stderr
    );
    assert_eq!(run.report["folder"]["removed"], true, "{}", run.results());
    let differs = run.report["counts"]["differs"].as_u64().expect("counts");
    assert_eq!(run.report["ok"], differs == 0);
    assert_eq!(run.report["exit_code"], run.code);
    assert!(run.stderr.contains("RESULT"), "no table:\n{}", run.stderr);
    run
}

#[test]
fn default_fake_holds_everything_putio_up_relies_on() {
    let fake = fake();
    seed(&fake);
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.results(), run.stderr);
    for row in run.report["checks"].as_array().unwrap() {
        let key = row["key"].as_str().unwrap();
        let expected = match key {
            "account.disk" | "tus.full" => "INFO",
            _ => "OK",
        };
        assert_eq!(row["result"], expected, "{}", run.results());
    }
    assert!(
        run.observed("tus.full")
            .contains("402 NOT_ENOUGH_DISK_SPACE")
    );
    assert!(
        run.observed("list.cursor")
            .contains("2 and a cursor, then 1")
    );
    assert!(run.observed("folder.clash").contains("NAME_ALREADY_EXIST"));
    assert!(run.observed("delete.gone").contains("skipped 1"));
    assert!(run.stderr.contains("0 DIFFERS"), "{}", run.stderr);

    // What a bug report needs: version, times, trace ids.
    let report = &run.report;
    assert_eq!(report["putio_up_version"], env!("CARGO_PKG_VERSION"));
    assert!(report["started_at"].as_str().unwrap().ends_with('Z'));
    assert!(report["finished_at"].as_str().unwrap() >= report["started_at"].as_str().unwrap());
    let traces = report["trace_ids"].as_array().unwrap();
    assert!(traces.len() > 10, "{report}");
    assert!(
        traces
            .iter()
            .all(|t| t.as_str().unwrap().starts_with("fake-"))
    );
    assert!(
        run.row("tus.large.completion")["trace_ids"]
            .as_array()
            .is_some_and(|t| t.len() == 2)
    );
    let name = report["folder"]["name"].as_str().unwrap();
    assert!(name.starts_with("putio-up-doctor-"), "{name}");
    assert_eq!(report["parent_id"], 0);

    // Only the doctor's own things were deleted: its file, then its folder.
    let stats = fake.stats();
    assert_eq!(
        stats.by_route.get("POST /v2/files/delete").copied(),
        Some(3)
    );
}

#[test]
fn works_inside_parent_id_and_leaves_it_as_it_was() {
    let fake = fake();
    let keep = seed(&fake);
    let run = checked_doctor(&fake, &["--parent-id", &keep.to_string()]);
    assert_eq!(run.code, 0, "{}", run.results());
    assert_eq!(run.report["parent_id"], keep);
    assert!(
        run.stderr.contains(&format!("in folder {keep}")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_parent_id_that_is_no_folder_is_a_usage_error() {
    let fake = fake();
    seed(&fake);
    let file = fake.seed_file(0, "plain.txt", b"x");
    let before = tree(&fake);
    for id in [file, 987_654] {
        let output = putio_up(&fake)
            .args(["doctor", "--parent-id", &id.to_string()])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            support::output_text(&output)
        );
        assert!(support::output_text(&output).contains(&format!("--parent-id {id}")));
    }
    assert_eq!(tree(&fake), before);
}

#[test]
fn a_rejected_token_is_exit_3_and_creates_nothing() {
    let fake = fake();
    seed(&fake);
    fake.revoke_token();
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 3, "{}", run.results());
    assert_eq!(run.result("token"), "DIFFERS");
    assert!(run.observed("token").contains("401"));
    assert_eq!(run.result("folder.create"), "SKIPPED");
    assert!(
        run.observed("folder.create")
            .contains("the token was rejected")
    );
    assert_eq!(run.result("cleanup"), "SKIPPED");
}

#[test]
fn quiet_prints_the_table_but_no_progress() {
    let fake = fake();
    let output = putio_up(&fake).args(["doctor", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty(), "no --json, nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("RESULT") && stderr.contains("0 DIFFERS"),
        "{stderr}"
    );
    assert!(!stderr.contains("putio-up doctor: "), "{stderr}");
    assert!(fake.tree().is_empty());
}

#[cfg(unix)]
#[test]
fn ctrl_c_still_removes_the_temporary_folder() {
    let fake = fake();
    seed(&fake);
    let before = tree(&fake);
    // Slow answers, so the interrupt lands in the middle of the checks.
    fake.set_faults(fake_putio::Faults {
        latency: std::time::Duration::from_millis(150),
        ..fake_putio::Faults::default()
    });
    let child = support::putio_up_std(&fake)
        .args(["doctor", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    support::wait_for("the doctor's first test file", || {
        fake.tree()
            .iter()
            .any(|e| e.path.starts_with("/putio-up-doctor-") && e.path.contains("/one-request"))
    });
    support::interrupt(&child);
    let output = child.wait_with_output().unwrap();
    let text = support::output_text(&output);
    assert_eq!(output.status.code(), Some(130), "{text}");
    assert_eq!(tree(&fake), before, "{text}");
    let report: Value =
        serde_json::from_slice(&output.stdout).expect("a report even when interrupted");
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["folder"]["removed"], true);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["observed"] == "not run: interrupted"),
        "{report}"
    );
}

#[test]
fn an_unreachable_put_io_is_exit_4() {
    let fake = fake();
    let output = putio_up(&fake)
        .args(["doctor", "--json"])
        .env("PUTIO_API_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let text = support::output_text(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let token = &report["checks"][0];
    assert_eq!(token["key"], "token");
    assert_eq!(token["result"], "DIFFERS");
    assert!(
        token["observed"].as_str().unwrap().starts_with("no answer"),
        "{text}"
    );
    assert!(fake.tree().is_empty());
}

/// The default fake with one unknown answered the other way.
fn fake_with_unknowns(unknowns: Unknowns) -> fake_putio::FakePutio {
    let fake = support::fake_with(fake_putio::Options {
        unknowns,
        ..fake_putio::Options::default()
    });
    seed(&fake);
    fake
}

const CRC_ROWS: [&str; 3] = ["small.crc32", "tus.empty.crc32", "tus.large.crc32"];

#[test]
fn a_late_crc32_is_info_with_how_long_it_took() {
    let fake = fake_with_unknowns(Unknowns {
        crc32: Crc32Visibility::After(Duration::from_millis(400)),
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &["--crc-wait", "30"]);
    assert_eq!(run.code, 0, "{}", run.results());
    for key in CRC_ROWS {
        assert_eq!(run.result(key), "INFO", "{}", run.results());
        assert!(
            run.observed(key).contains("showed it after"),
            "{}",
            run.results()
        );
        assert!(
            run.observed(key).contains("equal to ours"),
            "{}",
            run.results()
        );
    }
    assert!(
        run.observed("small.crc32")
            .contains("crc32 null in the answer")
    );
    for key in ["tus.empty.completion", "tus.large.completion"] {
        assert_eq!(run.result(key), "INFO", "{}", run.results());
        assert!(run.observed(key).contains("no putio-file-crc32"));
    }
}

#[test]
fn a_crc32_that_never_comes_differs() {
    let fake = fake_with_unknowns(Unknowns {
        crc32: Crc32Visibility::Never,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &["--crc-wait", "1"]);
    assert_eq!(run.code, 1, "{}", run.results());
    for key in CRC_ROWS {
        assert_eq!(run.result(key), "DIFFERS", "{}", run.results());
        assert!(
            run.observed(key).contains("still none after 1s"),
            "{}",
            run.results()
        );
    }
    assert!(run.stderr.contains("please report this"), "{}", run.stderr);
}

#[test]
fn forgotten_completed_uploads_are_info() {
    let fake = fake_with_unknowns(Unknowns {
        forget_completed_uploads: true,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.results());
    for key in [
        "tus.empty.head",
        "tus.large.head",
        "tus.empty.patch",
        "tus.large.patch",
    ] {
        assert_eq!(run.result(key), "INFO", "{}", run.results());
        assert!(
            run.observed(key)
                .starts_with("404: put.io forgot the completed upload")
        );
    }
    assert_eq!(run.result("tus.large.completion"), "OK");
}

#[test]
fn an_empty_patch_after_completion_without_file_id_is_info() {
    let fake = fake_with_unknowns(Unknowns {
        completion_without_file_id: true,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.results());
    for key in ["tus.empty.patch", "tus.large.patch"] {
        assert_eq!(run.result(key), "INFO", "{}", run.results());
        assert!(run.observed(key).contains("204 without putio-file-id"));
    }
    assert_eq!(run.result("tus.empty.head"), "OK");
}

#[test]
fn torrents_that_become_transfers_differ() {
    let fake = fake_with_unknowns(Unknowns {
        torrents_become_transfers: true,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 1, "{}", run.results());
    for key in ["tus.torrent", "tus.magnet"] {
        assert_eq!(run.result(key), "DIFFERS", "{}", run.results());
        assert!(
            run.observed(key).contains("no file stored"),
            "{}",
            run.results()
        );
        assert!(run.observed(key).contains("transfer"), "{}", run.results());
    }
    assert_eq!(
        run.result("small.answer"),
        "OK",
        "a plain .bin stays a file"
    );
    // It started two transfers, and cancelled both: nothing is left behind.
    assert!(fake.transfers().is_empty(), "{:?}", fake.transfers());
    assert_eq!(run.result("cleanup"), "OK", "{}", run.results());
}

#[test]
fn every_answer_to_a_full_account_is_reported_verbatim() {
    for (answer, words) in [
        (FullAnswer::PaymentRequired402, "402 NOT_ENOUGH_DISK_SPACE"),
        (FullAnswer::TooLarge413, "413 REQUEST_ENTITY_TOO_LARGE"),
        (FullAnswer::BadRequest400, "400 UPLOAD_FAILED"),
        (FullAnswer::Forbidden403, "403 STORAGE_LIMIT_EXCEEDED"),
    ] {
        let fake = fake_with_unknowns(Unknowns {
            full_answer: answer,
            ..Unknowns::default()
        });
        let run = checked_doctor(&fake, &[]);
        assert_eq!(run.code, 0, "{answer:?}: {}", run.results());
        assert_eq!(run.result("tus.full"), "INFO");
        assert!(
            run.observed("tus.full").contains(words),
            "{answer:?}: {}",
            run.results()
        );
    }
}

#[test]
fn an_inactive_account_differs_and_nothing_is_created() {
    let fake = fake_with_unknowns(Unknowns {
        account_inactive: true,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 1, "{}", run.results());
    assert_eq!(run.result("token"), "OK");
    assert_eq!(run.result("account.state"), "DIFFERS");
    assert!(run.observed("account.state").contains("\"inactive\""));
    assert_eq!(run.result("folder.create"), "DIFFERS");
    assert!(
        run.observed("folder.create")
            .contains("402 PaymentRequired")
    );
    assert_eq!(run.result("small.answer"), "SKIPPED");
    assert!(
        run.observed("small.answer")
            .contains("could not be created")
    );
    assert_eq!(run.result("cleanup"), "OK");
    assert!(fake.deleted().is_empty());
}

#[test]
fn a_delete_that_ignores_skip_nonexistents_is_info() {
    let fake = fake_with_unknowns(Unknowns {
        delete_ignores_skip_nonexistents: true,
        ..Unknowns::default()
    });
    let run = checked_doctor(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.results());
    assert_eq!(run.result("delete.gone"), "INFO");
    assert!(
        run.observed("delete.gone").starts_with("404"),
        "{}",
        run.results()
    );
    assert!(
        run.observed("delete.gone")
            .contains("skip_nonexistents=1 was ignored")
    );
}

#[test]
fn the_doctor_deletes_only_what_it_made() {
    let fake = fake();
    seed(&fake);
    let run = checked_doctor(&fake, &[]);
    let name = run.report["folder"]["name"].as_str().unwrap();
    let deleted = fake.deleted();
    assert!(!deleted.is_empty());
    for entry in &deleted {
        assert!(
            entry.path.starts_with(&format!("/{name}/")) || entry.path == format!("/{name}"),
            "{entry:?}"
        );
    }
}
