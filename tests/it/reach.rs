//! Issue 15: several sources, file lists, move mode, run limits and exit 5, progress lines
//! and the log file. Every test asserts the fake's final tree (and the local one, for move
//! mode) and the exit code.

use std::io::Write;
use std::process::Stdio;

use crate::support::tree::expected;
use crate::support::{
    Snapshot, Tree, fake, fake_with, output_text, putio_up, putio_up_std, remote, uploads_started,
    wait_for,
};
use fake_putio::{Crc32Visibility, Options, Unknowns};

/// `(size, crc32)` of a local file, as the fake snapshot has it.
fn entry(path: &std::path::Path) -> (u64, Option<String>) {
    (
        std::fs::metadata(path).unwrap().len(),
        Some(crate::support::tree::crc_of(path)),
    )
}

#[test]
fn folders_and_files_in_one_command_each_once_and_a_later_clash_fails_alone() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("a/1.txt", b"one");
    tree.file("a/sub/2.txt", b"two");
    tree.file("a/inner.txt", b"inner");
    tree.file("b/3.txt", b"three");
    tree.file("loose.txt", b"loose");
    tree.file("other/a/4.txt", b"four"); // also named `a`: a clash in the destination

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("a"))
        .arg(tree.join("b"))
        .arg(tree.join("loose.txt"))
        .arg(tree.join("a")) // twice
        .arg(tree.join("a/inner.txt")) // inside a folder also given
        .arg(tree.join("other/a"))
        .args(["--to", "/In"])
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("other/a") && text.contains("already taken"),
        "{text}"
    );

    let mut want: Snapshot = expected(&tree.join("a"), "/In/a");
    want.extend(expected(&tree.join("b"), "/In/b"));
    want.insert("/In".into(), (0, None));
    want.insert("/In/loose.txt".into(), entry(&tree.join("loose.txt")));
    assert_eq!(remote(&fake), want);
    assert_eq!(uploads_started(&fake), 5, "every file once");

    // Without the clash, the same command exits 0 and sends nothing again.
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("a"))
        .arg(tree.join("loose.txt"))
        .arg(tree.join("b"))
        .args(["--to", "/In"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), want);
    assert_eq!(uploads_started(&fake), 5);
}

#[test]
fn a_file_list_from_stdin_sends_only_its_paths_in_their_place() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("up/keep.txt", b"keep");
    tree.file("up/sub/deep.txt", b"deep");
    tree.file("up/sub/not.txt", b"not listed");
    tree.file("up/other.txt", b"other");
    tree.file("up/folder/x.txt", b"x");
    tree.file("up/folder/y/z.txt", b"z");
    tree.file("up/unlisted/w.txt", b"w");
    let list = format!(
        "# what changed\nkeep.txt\n\n  sub/deep.txt\n{}\nfolder\n",
        tree.join("up/other.txt").display()
    );

    let mut child = putio_up_std(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .args(["--files-from", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));

    let all = expected(&tree.join("up"), "/up");
    let want: Snapshot = all
        .into_iter()
        .filter(|(path, _)| !path.contains("not.txt") && !path.contains("unlisted"))
        .collect();
    assert_eq!(remote(&fake), want);
}

#[test]
fn a_nul_list_reports_missing_and_outside_entries_and_sends_the_rest() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("up/a b\nc.txt", b"odd name");
    tree.file("up/plain.txt", b"plain");
    tree.file("up/left.txt", b"left out");
    tree.file("outside.txt", b"outside");
    let mut list = Vec::new();
    for entry in [
        "a b\nc.txt".to_owned(),
        "gone.txt".to_owned(),
        "../outside.txt".to_owned(),
        tree.join("outside.txt").display().to_string(),
        tree.join("up/plain.txt").display().to_string(),
    ] {
        list.extend_from_slice(entry.as_bytes());
        list.push(0);
    }
    let list_file = tree.file("list0", &list);

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .arg("--files-from0")
        .arg(&list_file)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("gone.txt") && text.contains("no such file"),
        "{text}"
    );
    assert!(text.matches("outside").count() >= 2, "{text}");

    let mut want = Snapshot::new();
    want.insert("/up".into(), (0, None));
    // A newline is no valid put.io name: it becomes `_`, and the file still goes.
    want.insert("/up/a b_c.txt".into(), entry(&tree.join("up/a b\nc.txt")));
    want.insert("/up/plain.txt".into(), entry(&tree.join("up/plain.txt")));
    assert_eq!(remote(&fake), want);
}

#[test]
fn a_file_list_needs_exactly_one_folder() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("a/x", b"x");
    tree.file("b/y", b"y");
    let list = tree.file("list", b"x\n");
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("a"))
        .arg(tree.join("b"))
        .arg("--files-from")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    assert!(remote(&fake).is_empty());
}

#[test]
fn move_mode_removes_exactly_the_verified_files_and_the_folders_they_emptied() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("out/a.txt", b"uploaded and verified");
    tree.file("out/sub/deeper/b.txt", b"also verified");
    tree.file("out/bad.bin", b"put.io stores this one wrongly");
    tree.file("out/same.txt", b"already there, same bytes");
    tree.file("out/differs.txt", b"there with other bytes!!");
    tree.file("out/mixed/kept.bin", b"fails, so its folder stays");
    tree.file("out/mixed/gone.txt", b"goes");
    tree.dir("out/was-empty");
    let folder = fake.seed_folder(0, "out");
    fake.seed_file(folder, "same.txt", b"already there, same bytes");
    fake.seed_file(folder, "differs.txt", b"there with OTHER bytes!!");
    fake.corrupt_uploads_named("bad.bin");
    fake.corrupt_uploads_named("kept.bin");

    // The dry run lists what would go, and removes nothing.
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("out"))
        .args(["--delete-source", "--dry-run"])
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for name in ["a.txt", "b.txt", "same.txt", "gone.txt"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("would remove") && l.ends_with(name)),
            "{name}: {text}"
        );
    }
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("would remove") && l.ends_with("differs.txt")),
        "{text}"
    );
    assert!(tree.join("out/a.txt").exists());

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("out"))
        .arg("--delete-source")
        .output()
        .unwrap();
    let text = output_text(&out);
    // bad.bin and kept.bin fail their checksum; differs.txt is a conflict.
    assert_eq!(out.status.code(), Some(1), "{text}");

    let mut left: Vec<String> = walkdir::WalkDir::new(tree.join("out"))
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(tree.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "out",
            "out/bad.bin",
            "out/differs.txt",
            "out/mixed",
            "out/mixed/kept.bin",
            "out/was-empty"
        ],
        "{text}"
    );
    let got = remote(&fake);
    assert_eq!(got["/out/a.txt"].0, 21);
    assert!(got.contains_key("/out/sub/deeper/b.txt"));
    assert!(!got.contains_key("/out/bad.bin"), "the bad copy is removed");
}

#[test]
fn move_mode_keeps_files_skipped_by_size_only_and_uploads_put_io_did_not_verify() {
    let fake = fake_with(Options {
        unknowns: Unknowns {
            crc32: Crc32Visibility::Never,
            ..Unknowns::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("out/there.txt", b"same size");
    tree.file("out/new.txt", b"new");
    let folder = fake.seed_folder(0, "out");
    fake.seed_file(folder, "there.txt", b"same size");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("out"))
        .args(["--delete-source", "--verify-wait", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(tree.join("out/there.txt").exists());
    assert!(tree.join("out/new.txt").exists());
    assert!(remote(&fake).contains_key("/out/new.txt"));
}

#[cfg(unix)]
#[test]
fn move_mode_removes_nothing_in_flight_at_ctrl_c() {
    let fake = fake();
    let tree = Tree::new();
    tree.random("out/big.bin", 6 << 20, 7);
    fake.set_patch_rate(Some(512 * 1024));
    let child = putio_up_std(&fake)
        .arg("upload")
        .arg(tree.join("out"))
        .arg("--delete-source")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("bytes to arrive", || fake.stats().patch_bytes > 0);
    crate::support::interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", output_text(&out));
    assert!(tree.join("out/big.bin").exists());
    assert!(!remote(&fake).contains_key("/out/big.bin"));
}

#[test]
fn max_transfer_stops_with_exit_5_and_the_same_command_finishes_it() {
    let fake = fake();
    let tree = Tree::new();
    for n in 0..4 {
        tree.file(&format!("up/{n}.bin"), &vec![n; 300_000]);
    }
    let run = || {
        putio_up(&fake)
            .arg("upload")
            .arg(tree.join("up"))
            .args(["-j", "1", "--max-transfer", "500k", "--json"])
            .output()
            .unwrap()
    };
    let out = run();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("Stopped at --max-transfer"), "{text}");
    let summary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["type"] == "summary")
        .unwrap();
    assert_eq!(summary["stopped_at"], "max_transfer");
    assert_eq!(summary["uploaded"], 2, "the second starts below the limit");
    assert_eq!(remote(&fake).len(), 3);

    // The first two are skipped; the last two start below the limit of this run.
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("up"), "/up"));
    assert_eq!(uploads_started(&fake), 4, "each file once");
}

#[test]
fn a_piped_slow_upload_prints_plain_progress_lines_and_events_at_the_interval() {
    let fake = fake();
    let tree = Tree::new();
    tree.random("up/slow.bin", 2 << 20, 3);
    let log = tree.join("run.log");
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .args(["--bwlimit", "512k", "--progress-interval", "1s", "--json"])
        .arg("--log-file")
        .arg(&log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress  "))
        .collect();
    assert!(lines.len() >= 2, "{stderr}");
    assert!(
        lines[0].contains("0/1 files") && lines[0].contains("slow.bin") && lines[0].contains('%'),
        "{stderr}"
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "progress")
        .collect();
    assert!(events.len() >= 2, "{events:?}");
    assert_eq!(events[0]["files_total"], 1);
    assert_eq!(events[0]["in_flight"][0]["remote"], "up/slow.bin");
    assert_eq!(remote(&fake), expected(&tree.join("up"), "/up"));

    // The log file has the same plain lines, each stamped.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.lines().any(|l| l.contains(" uploaded  up/slow.bin")),
        "{logged}"
    );
    assert!(
        logged.lines().any(|l| l.contains(" progress  ")),
        "{logged}"
    );
    assert!(
        logged.lines().any(|l| l.contains(" Done: 1 uploaded")),
        "{logged}"
    );
    for line in logged.lines() {
        let stamp = line.split(' ').next().unwrap();
        assert!(stamp.len() >= 29 && stamp.as_bytes()[10] == b'T', "{line}");
    }

    // Off with 0, and the log file is appended to.
    tree.file("up/more.txt", b"more");
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .args(["--progress-interval", "0", "-q"])
        .arg("--log-file")
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let again = std::fs::read_to_string(&log).unwrap();
    assert!(again.starts_with(&logged), "appended");
    assert!(
        again[logged.len()..].contains(" uploaded  up/more.txt"),
        "{again}"
    );
}

#[test]
fn a_hard_cutoff_pauses_the_file_in_flight_and_the_next_run_resumes_it() {
    let fake = fake();
    let tree = Tree::new();
    tree.random("up/big.bin", 6 << 20, 11);
    fake.set_patch_rate(Some(2 << 20));
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .args(["--max-transfer", "1M", "--cutoff", "hard"])
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(!remote(&fake).contains_key("/up/big.bin"), "{text}");
    let sent = fake.stats().patch_bytes;
    assert!(sent < 6 << 20, "stopped early: {sent}");

    fake.set_patch_rate(None);
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("resuming  up/big.bin"), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("up"), "/up"));
    assert_eq!(uploads_started(&fake), 1, "one upload, resumed");
}
