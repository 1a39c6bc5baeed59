//! Resumable, verified, idempotent transfer: faults, kills, interrupts, re-runs and every
//! failure class, each checked against the fake put.io's final tree.

use crate::support::tree::expected;
use crate::support::{
    Tree, fake, fake_with, interrupt, output_text, putio_up, remote, spawn, wait_for,
};
use fake_putio::{FakePutio, Faults, Options};

const MIB: u64 = 1 << 20;

fn run(fake: &FakePutio, args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let out = putio_up(fake).args(args).arg(dir).output().unwrap();
    (out.status.code(), output_text(&out))
}

fn route(fake: &FakePutio, key: &str) -> u64 {
    fake.stats().by_route.get(key).copied().unwrap_or(0)
}

#[test]
fn survives_5xx_rate_limits_and_dropped_connections() {
    let fake = fake_with(Options {
        store_bytes: false,
        faults: Faults {
            error_5xx: 0.10,
            rate_limit_every: 20,
            rate_limit_reset_secs: 1,
            drop: 0.02,
            seed: 2026,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for d in 0..12 {
        for f in 0..25 {
            let size = 500 + (d * 25 + f) * 97;
            tree.random(&format!("load/d{d:02}/f{f:02}.bin"), size, d * 100 + f);
        }
    }
    tree.random("load/big/one.bin", 100 * MIB, 1);
    tree.random("load/big/two.bin", 120 * MIB + 12_345, 2);

    let (code, text) = run(
        &fake,
        &[
            "upload",
            "-j",
            "8",
            "--chunk-size",
            "16MiB",
            "--retries",
            "12",
        ],
        &tree.join("load"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        remote(&fake),
        expected(&tree.join("load"), "/load"),
        "every file exactly once"
    );
    let stats = fake.stats();
    assert!(
        stats.faults_injected > 50,
        "faults were injected: {stats:?}"
    );
    assert!(text.contains("302 uploaded"), "{text}");
}

#[test]
#[allow(clippy::print_stderr)] // the figure is worth seeing with --nocapture
fn kill_9_at_several_points_then_finish_without_waste_or_duplicates() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    fake.set_patch_rate(Some(150 * MIB));
    let tree = Tree::new();
    tree.random("kill/huge.bin", 300 * MIB, 9);
    tree.random("kill/side/a.bin", 5 * MIB, 10);
    tree.file("kill/side/b.txt", b"small");
    let sizes: u64 = 300 * MIB + 5 * MIB + 5;
    let chunk = 32 * MIB;
    let jobs = 2;

    let mut kills = 0;
    for point in [40 * MIB, 130 * MIB, 250 * MIB] {
        let mut child = spawn(
            &fake,
            &["upload", "-j", "2", "--chunk-size", "32MiB"],
            &tree.join("kill"),
        );
        wait_for("bytes to arrive", || fake.stats().patch_bytes >= point);
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        kills += 1;
    }
    fake.set_patch_rate(None);
    let (code, text) = run(
        &fake,
        &["upload", "-j", "2", "--chunk-size", "32MiB"],
        &tree.join("kill"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("resuming  kill/huge.bin"), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("kill"), "/kill"));

    let stats = fake.stats();
    let bound = sizes + kills * jobs * chunk;
    eprintln!(
        "received {} bytes for {sizes} bytes of files ({kills} kills)",
        stats.patch_bytes
    );
    assert!(
        stats.patch_bytes <= bound,
        "received {} > bound {bound}",
        stats.patch_bytes
    );
    // The big file was created once and resumed every time after.
    assert!(stats.uploads_created <= 3 + kills, "{stats:?}");
}

#[cfg(unix)]
#[test]
fn sigint_exits_130_and_the_rerun_resumes() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    fake.set_patch_rate(Some(100 * MIB));
    let tree = Tree::new();
    tree.random("int/big.bin", 120 * MIB, 3);
    let child = spawn(
        &fake,
        &["upload", "--chunk-size", "16MiB"],
        &tree.join("int"),
    );
    wait_for("bytes to arrive", || fake.stats().patch_bytes >= 30 * MIB);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", output_text(&out));
    assert!(!remote(&fake).contains_key("/int/big.bin"));

    fake.set_patch_rate(None);
    let (code, text) = run(
        &fake,
        &["upload", "--chunk-size", "16MiB"],
        &tree.join("int"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("resuming  int/big.bin"), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("int"), "/int"));
    assert_eq!(fake.stats().uploads_created, 1, "resumed, not started over");
    assert!(fake.stats().patch_bytes <= 120 * MIB + 16 * MIB);
}

#[test]
fn rerun_sends_nothing_and_checksum_catches_same_size_changes() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("re/a/x.txt", b"version 1");
    tree.file("re/b.txt", b"bbb");
    tree.dir("re/empty");
    let (code, text) = run(&fake, &["upload"], &tree.join("re"));
    assert_eq!(code, Some(0), "{text}");

    fake.reset_stats();
    let (code, text) = run(&fake, &["upload"], &tree.join("re"));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("0 uploaded") && text.contains("2 skipped"),
        "{text}"
    );
    let stats = fake.stats();
    let lists = route(&fake, "GET /v2/files/list");
    assert_eq!(
        stats.requests,
        lists + 1,
        "only listings and account info: {stats:?}"
    );
    assert_eq!(lists, 4, "one list per folder (root, re, a, empty)");

    // Same size, other content: invisible to the size check, caught by --checksum.
    tree.file("re/a/x.txt", b"version 2");
    let (code, text) = run(&fake, &["upload"], &tree.join("re"));
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&fake, &["upload", "--checksum"], &tree.join("re"));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("re/a/x.txt") && text.contains("--overwrite"),
        "{text}"
    );

    let (code, text) = run(
        &fake,
        &["upload", "--checksum", "--overwrite"],
        &tree.join("re"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        remote(&fake),
        expected(&tree.join("re"), "/re"),
        "replaced, not duplicated"
    );
    let id = fake
        .tree()
        .into_iter()
        .find(|e| e.path == "/re/a/x.txt")
        .unwrap()
        .id;
    assert_eq!(fake.file_bytes(id).unwrap(), b"version 2");
}

#[test]
fn different_size_conflict_is_reported_or_overwritten() {
    let fake = fake();
    let folder = fake.seed_folder(0, "c");
    fake.seed_file(folder, "doc.txt", b"old and longer content");
    let tree = Tree::new();
    tree.file("c/doc.txt", b"new");
    tree.file("c/other.txt", b"other");

    let (code, text) = run(&fake, &["upload"], &tree.join("c"));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("c/doc.txt") && text.contains("not overwritten"),
        "{text}"
    );
    assert_eq!(remote(&fake)["/c/doc.txt"].0, 22);

    let (code, text) = run(&fake, &["upload", "--overwrite"], &tree.join("c"));
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("c"), "/c"));
}

#[test]
fn permanent_4xx_fails_that_file_only_without_retries() {
    let fake = fake();
    fake.reject_uploads_named("bad.txt", 403, "FORBIDDEN");
    let tree = Tree::new();
    tree.file("p/bad.txt", b"bad");
    tree.file("p/good1.txt", b"good");
    tree.file("p/good2.txt", b"good too");

    let (code, text) = run(&fake, &["upload"], &tree.join("p"));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("p/bad.txt") && text.contains("403") && text.contains("FORBIDDEN"),
        "{text}"
    );
    let names: Vec<_> = remote(&fake).into_keys().collect();
    assert_eq!(names, ["/p", "/p/good1.txt", "/p/good2.txt"]);
    assert_eq!(
        route(&fake, "POST /v2/files/upload") + route(&fake, "POST /files/"),
        3,
        "one upload request per file: the refused one was not retried"
    );
}

#[test]
fn crc_mismatch_fails_the_file_and_removes_the_bad_copy() {
    let fake = fake();
    fake.corrupt_uploads_named("c.bin");
    let tree = Tree::new();
    tree.random("v/c.bin", 200_000, 5);
    tree.file("v/ok.bin", b"fine");

    let (code, text) = run(&fake, &["upload"], &tree.join("v"));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("v/c.bin") && text.contains("checksum mismatch"),
        "{text}"
    );
    let names: Vec<_> = remote(&fake).into_keys().collect();
    assert_eq!(names, ["/v", "/v/ok.bin"], "the bad copy is gone");
}

#[test]
fn a_file_changed_during_upload_fails_and_the_rerun_sends_the_new_version() {
    let fake = fake();
    fake.set_patch_rate(Some(20 * MIB));
    let tree = Tree::new();
    let path = tree.random("ch/moving.bin", 40 * MIB, 6);
    let child = spawn(&fake, &["upload", "--chunk-size", "8MiB"], &tree.join("ch"));
    wait_for("bytes to arrive", || fake.stats().patch_bytes >= 4 * MIB);
    tree.random("ch/moving.bin", 40 * MIB, 7); // rewritten in place: new mtime and content
    let out = child.wait_with_output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("changed while it was being uploaded"),
        "{text}"
    );
    assert!(
        !remote(&fake).contains_key("/ch/moving.bin"),
        "no half-old copy stays"
    );

    fake.set_patch_rate(None);
    let (code, text) = run(&fake, &["upload"], &tree.join("ch"));
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        remote(&fake)["/ch/moving.bin"],
        (40 * MIB, Some(crate::support::tree::crc_of(&path)))
    );
}

#[test]
fn a_file_removed_after_the_scan_is_reported_and_skipped() {
    let fake = fake();
    fake.set_patch_rate(Some(10 * MIB));
    let tree = Tree::new();
    tree.random("gone/a-first.bin", 20 * MIB, 8);
    let doomed = tree.file("gone/z-later.txt", b"bye");
    let child = spawn(&fake, &["upload", "-j", "1"], &tree.join("gone"));
    wait_for("the first file to start", || fake.stats().patch_bytes > 0);
    std::fs::remove_file(&doomed).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("gone/z-later.txt") && text.contains("removed since the scan"),
        "{text}"
    );
    let names: Vec<_> = remote(&fake).into_keys().collect();
    assert_eq!(names, ["/gone", "/gone/a-first.bin"]);
}

#[test]
fn an_expired_upload_url_restarts_that_file_cleanly() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    fake.set_patch_rate(Some(50 * MIB));
    let tree = Tree::new();
    tree.random("exp/big.bin", 40 * MIB, 11);
    let mut child = spawn(
        &fake,
        &["upload", "--chunk-size", "8MiB"],
        &tree.join("exp"),
    );
    wait_for("bytes to arrive", || fake.stats().patch_bytes >= 10 * MIB);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(fake.forget_uploads(), 1);

    fake.set_patch_rate(None);
    let (code, text) = run(
        &fake,
        &["upload", "-v", "--chunk-size", "8MiB"],
        &tree.join("exp"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("starting over"), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("exp"), "/exp"));
    assert_eq!(fake.stats().uploads_created, 2);
}

#[test]
fn lost_answers_to_one_request_uploads_never_make_duplicates() {
    // A dropped connection after the fake stored the file: the client must find its file
    // instead of sending it again.
    let fake = fake_with(Options {
        faults: Faults {
            drop: 0.3,
            seed: 99,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..30 {
        tree.random(&format!("lost/f{i:02}.bin"), 1000 + i * 10, i);
    }
    let (code, text) = run(
        &fake,
        &["upload", "-v", "--retries", "30"],
        &tree.join("lost"),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("the lost upload had arrived"),
        "the path was exercised: {text}"
    );
    assert_eq!(remote(&fake), expected(&tree.join("lost"), "/lost"));
}
