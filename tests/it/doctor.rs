//! `putio-up doctor` against the fake: what it reports, its exit code, and that the account
//! is exactly as before afterwards (the temporary folder and everything in it gone).

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
