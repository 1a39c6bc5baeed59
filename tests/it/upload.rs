//! The spine, end to end: the real binary uploads local trees into the fake put.io, and the
//! tests assert the fake's final tree (paths, sizes, CRC32s, no duplicates) and exit codes.

use crate::support::tree::{crc_of, expected};
use crate::support::{
    Tree, below, fake, fake_with, interrupt, output_text, putio_up, remote, spawn, uploads_started,
    wait_for,
};
use fake_putio::{Faults, Options};

#[test]
fn mirrors_a_nested_tree_exactly() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("photos/a.txt", b"hello");
    tree.file("photos/2024/summer/beach.jpg", &vec![7u8; 300_000]);
    tree.file("photos/2024/empty.bin", b"");
    tree.dir("photos/empty-folder");
    tree.dir("photos/2024/deep/er/est");
    tree.file("photos/Ünïcödé 日本/ファイル.txt", "grüße".as_bytes());
    tree.file("photos/linux.torrent", b"d8:announce0:e");
    tree.file("photos/.hidden", b"dot");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("photos"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));

    let want = expected(&tree.join("photos"), "/photos");
    assert_eq!(remote(&fake), want);
    // .torrent stayed a file (no-torrent), and bytes are the bytes.
    let torrent = fake
        .tree()
        .into_iter()
        .find(|e| e.path == "/photos/linux.torrent")
        .unwrap();
    assert_eq!(fake.file_bytes(torrent.id).unwrap(), b"d8:announce0:e");
}

#[test]
fn unsafe_names_are_sanitised_and_reported_and_clashes_fail_alone() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("up/what?.txt", b"1");
    tree.file("up/back\\slash", b"2");
    tree.file("up/a:b.txt", b"3");
    tree.file("up/a|b.txt", b"4"); // also becomes a_b.txt: a clash
    tree.file("up/ok.txt", b"5");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("up"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let got = remote(&fake);
    let names: Vec<_> = got.keys().cloned().collect();
    assert_eq!(
        names,
        [
            "/up",
            "/up/a_b.txt",
            "/up/back_slash",
            "/up/ok.txt",
            "/up/what_.txt"
        ]
    );
    // `a:b.txt` sorts first and wins; `a|b.txt` fails with a message naming both.
    assert_eq!(got["/up/a_b.txt"].0, 1);
    assert_eq!(
        fake.file_bytes(
            fake.tree()
                .iter()
                .find(|e| e.path == "/up/a_b.txt")
                .unwrap()
                .id
        )
        .unwrap(),
        b"3"
    );
    assert!(
        text.contains("renamed") && text.contains("what?.txt -> what_.txt"),
        "{text}"
    );
    assert!(
        text.contains("a|b.txt") && text.contains("already taken by"),
        "{text}"
    );
    assert!(text.contains("1 failed"), "{text}");
}

#[cfg(unix)]
#[test]
fn non_utf8_names_are_uploaded_under_a_visible_replacement() {
    use std::os::unix::ffi::OsStrExt;
    let fake = fake();
    let tree = Tree::new();
    tree.dir("raw");
    let odd = tree
        .join("raw")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
    std::fs::write(&odd, b"latin-1 name").unwrap();

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("raw"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(remote(&fake).contains_key("/raw/caf\u{fffd}.txt"));
    assert!(output_text(&out).contains("renamed"));
}

#[test]
fn large_sparse_file_streams_with_correct_crc() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    let tree = Tree::new();
    let big = tree.sparse("big/huge.bin", 200 << 20);
    tree.file("big/small.txt", b"small");

    let out = putio_up(&fake)
        .args(["upload", "--chunk-size", "48MiB"])
        .arg(tree.join("big"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let got = remote(&fake);
    assert_eq!(got["/big/huge.bin"], (200 << 20, Some(crc_of(&big))));
    assert_eq!(got, expected(&tree.join("big"), "/big"));
    // 200 MiB in 48 MiB chunks: 5 PATCHes; the small file went up in one request.
    let routes = fake.stats().by_route;
    assert_eq!(routes.get("PATCH /files/{id}").copied(), Some(5));
    assert_eq!(routes.get("POST /v2/files/upload").copied(), Some(1));
}

#[test]
fn folders_larger_than_a_list_page_are_read_to_the_end() {
    let fake = fake_with(Options {
        per_page_max: 7,
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..30 {
        tree.file(&format!("many/f{i:02}.txt"), format!("file {i}").as_bytes());
    }
    tree.dir("many/sub");
    // Pre-existing remote content beyond the first page: the second half is already there.
    let many = fake.seed_folder(0, "many");
    for i in 15..30 {
        fake.seed_file(
            many,
            &format!("f{i:02}.txt"),
            format!("file {i}").as_bytes(),
        );
    }
    fake.seed_folder(many, "sub");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("many"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(remote(&fake), expected(&tree.join("many"), "/many"));
    assert!(
        text.contains("15 uploaded") && text.contains("15 skipped"),
        "{text}"
    );
    // 16 entries in /many at 7 a page: the listing had to follow the cursor twice.
    assert_eq!(
        fake.stats()
            .by_route
            .get("POST /v2/files/list/continue")
            .copied(),
        Some(2)
    );
}

#[test]
fn second_run_creates_no_second_copy() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("docs/a/b/c.txt", b"c");
    tree.file("docs/a/d.txt", b"d");
    tree.dir("docs/empty");

    for run in 0..2 {
        let out = putio_up(&fake)
            .arg("upload")
            .arg(tree.join("docs"))
            .output()
            .unwrap();
        let text = output_text(&out);
        assert_eq!(out.status.code(), Some(0), "run {run}: {text}");
        if run == 1 {
            assert!(
                text.contains("0 uploaded") && text.contains("2 skipped"),
                "{text}"
            );
        }
    }
    assert_eq!(remote(&fake), expected(&tree.join("docs"), "/docs"));
    let stats = fake.stats();
    assert_eq!(
        stats.by_route.get("POST /v2/files/create-folder").copied(),
        Some(4)
    );
    assert_eq!(uploads_started(&fake), 2);
}

#[test]
fn upload_into_a_partly_existing_path() {
    let fake = fake();
    let backups = fake.seed_folder(0, "Backups");
    fake.seed_file(backups, "keep.txt", b"keep");
    let tree = Tree::new();
    tree.file("photos/p.jpg", b"jpeg");

    let out = putio_up(&fake)
        .args(["upload", "--to", "/Backups/2026/"])
        .arg(tree.join("photos"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let got = remote(&fake);
    let mut want = expected(&tree.join("photos"), "/Backups/2026/photos");
    want.insert("/Backups".into(), (0, None));
    want.insert("/Backups/2026".into(), (0, None));
    want.insert(
        "/Backups/keep.txt".into(),
        (4, Some(crc_of(&tree.file("keep", b"keep")))),
    );
    assert_eq!(got, want);
    let entry = fake
        .tree()
        .into_iter()
        .find(|e| e.path == "/Backups")
        .unwrap();
    assert_eq!(entry.id, backups, "the existing folder was reused");
}

#[test]
fn upload_into_a_folder_by_id() {
    let fake = fake();
    let target = fake.seed_folder(0, "target");
    let tree = Tree::new();
    tree.file("x/y.txt", b"y");

    let out = putio_up(&fake)
        .args(["upload", "-j", "8", "--parent-id", &target.to_string()])
        .arg(tree.join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        below(&remote(&fake), "/target/x"),
        expected(&tree.join("x"), "/target/x")
    );

    let out = putio_up(&fake)
        .args(["upload", "--parent-id", "999999"])
        .arg(tree.join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", output_text(&out));
    assert!(output_text(&out).contains("--parent-id 999999: no such folder"));
}

#[test]
fn local_input_errors_exit_2_before_anything_is_sent() {
    let fake = fake();
    let tree = Tree::new();

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = output_text(&out);
    assert!(text.contains("missing: no such file or folder"), "{text}");

    // A file is a source of its own (tests/it/reach.rs); a device is not.
    #[cfg(unix)]
    {
        let out = putio_up(&fake)
            .arg("upload")
            .arg("/dev/null")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(output_text(&out).contains("/dev/null: not a folder or a regular file"));
    }

    let out = putio_up(&fake)
        .env("PUTIO_API_URL", "ftp://example")
        .arg("upload")
        .arg(tree.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(output_text(&out).contains("PUTIO_API_URL"));

    let out = putio_up(&fake)
        .args(["upload", "--jobs", "0"])
        .arg(tree.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    assert_eq!(fake.stats().requests, 0, "nothing was sent");
}

#[test]
fn missing_or_rejected_token_exits_3_with_a_hint() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("d/f.txt", b"f");

    let out = putio_up(&fake)
        .env_remove("PUTIO_TOKEN")
        .arg("upload")
        .arg(tree.join("d"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = output_text(&out);
    assert!(
        text.contains("no put.io token") && text.contains("PUTIO_TOKEN"),
        "{text}"
    );

    let out = putio_up(&fake)
        .env("PUTIO_TOKEN", "wrong-token")
        .arg("upload")
        .arg(tree.join("d"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = output_text(&out);
    assert!(
        text.contains("rejected the token") && text.contains("PUTIO_TOKEN"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-token"),
        "the token is never printed: {text}"
    );
    assert!(remote(&fake).is_empty());
}

#[test]
fn full_account_stops_the_run_with_exit_4() {
    let fake = fake_with(Options {
        disk_size: 1000,
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("big/a.bin", &[1u8; 2000]);

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("big"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = output_text(&out);
    assert!(text.contains("not enough space on put.io"), "{text}");
    assert_eq!(uploads_started(&fake), 0);
}

#[test]
fn account_filling_up_during_the_run_exits_4() {
    let fake = fake_with(Options {
        faults: Faults {
            latency: std::time::Duration::from_millis(30),
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..40 {
        tree.file(&format!("fill/f{i:02}.bin"), &[3u8; 5000]);
    }
    let child = spawn(&fake, &["upload", "-j", "2"], &tree.join("fill"));
    // Once uploads are under way, someone else fills the account: put.io refuses the rest.
    wait_for("uploads to start", || uploads_started(&fake) >= 3);
    fake.set_disk_size(0);
    let out = child.wait_with_output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("account is full"), "{text}");
    let uploaded = remote(&fake).len() - 1;
    assert!(uploaded < 40, "the run stopped early ({uploaded} files)");
}

#[test]
fn plain_output_when_not_a_terminal() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("p/one.txt", b"1");
    tree.file("p/two.txt", b"22");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("p"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        !err.contains('\r') && !err.contains('\x1b'),
        "no bars or escapes: {err:?}"
    );
    assert!(err.contains("uploaded  p/one.txt (1 B)"), "{err}");
    assert!(err.contains("uploaded  p/two.txt (2 B)"), "{err}");
    assert!(err.contains("Done: 2 uploaded"), "{err}");
    assert!(out.stdout.is_empty(), "stdout is kept for machine output");

    let out = putio_up(&fake)
        .args(["upload", "-q"])
        .arg(tree.join("p"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.lines().count(),
        1,
        "quiet prints only the summary: {err}"
    );
}

#[test]
fn transient_faults_are_retried_and_nothing_is_duplicated() {
    let fake = fake_with(Options {
        faults: Faults {
            error_5xx: 0.15,
            rate_limit_every: 9,
            rate_limit_reset_secs: 1,
            drop: 0.05,
            seed: 7,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for d in 0..4 {
        for f in 0..6 {
            tree.file(
                &format!("flaky/d{d}/f{f}.bin"),
                &vec![(d * 10 + f) as u8; 40_000 + f * 1000],
            );
        }
    }
    tree.sparse("flaky/big.bin", 5 << 20);

    let out = putio_up(&fake)
        .args(["upload", "--chunk-size", "1MiB", "--retries", "20"])
        .arg(tree.join("flaky"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("flaky"), "/flaky"));
    assert!(fake.stats().faults_injected > 0);
}

#[test]
fn a_revoked_token_mid_run_exits_3() {
    let fake = fake();
    fake.revoke_token();
    let tree = Tree::new();
    tree.file("r/x.txt", b"x");
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", output_text(&out));
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_a_rerun_completes() {
    let fake = fake_with(Options {
        faults: Faults {
            latency: std::time::Duration::from_millis(40),
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..60 {
        tree.file(&format!("int/f{i:02}.txt"), format!("{i}").as_bytes());
    }
    let child = spawn(&fake, &["upload", "-j", "2"], &tree.join("int"));
    wait_for("uploads to start", || uploads_started(&fake) >= 2);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(
        text.contains("Interrupted") && text.contains("Run the same command again"),
        "{text}"
    );
    assert!(remote(&fake).len() < 61, "stopped before the end");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("int"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("int"), "/int"));
}
