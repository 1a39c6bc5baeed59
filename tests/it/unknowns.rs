//! putio-up under every plausible answer where put.io's behaviour is unknown (README, "What
//! putio-up assumes about put.io"). Each test switches the fake to one answer and asserts its
//! final tree (every file exactly once, no good copy ever deleted) and the exit code.

use std::time::Duration;

use fake_putio::{Crc32Visibility, FakePutio, Faults, FullAnswer, Options, Unknowns};
use serde_json::Value;

use crate::support::tree::expected;
use crate::support::{
    Tree, below, fake_with, output_text, putio_up, remote, spawn, uploads_started, wait_for,
};

const MIB: usize = 1 << 20;

fn fake_answering(unknowns: Unknowns) -> FakePutio {
    fake_with(Options {
        unknowns,
        ..Options::default()
    })
}

/// Small files (one request each), an empty one, and two large ones (tus), nested.
fn mixed_tree() -> Tree {
    let tree = Tree::new();
    tree.file("data/a.txt", b"alpha");
    tree.file("data/empty.bin", b"");
    tree.file("data/deep/b.txt", &vec![9u8; 70_000]);
    tree.random("data/deep/big.bin", 5 * MIB as u64, 1);
    tree.random("data/large.bin", 4 * MIB as u64 + 17, 2);
    tree
}

const MIXED_FILES: usize = 5;

/// `putio-up upload ARGS DIR` against `fake`, run to the end.
fn upload(fake: &FakePutio, args: &[&str], dir: &std::path::Path) -> std::process::Output {
    putio_up(fake)
        .arg("upload")
        .args(args)
        .arg(dir)
        .output()
        .unwrap()
}

fn json_lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("NDJSON line"))
        .collect()
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

/// The whole local tree is on put.io exactly once, and nothing was ever deleted.
fn assert_exactly_once(fake: &FakePutio, tree: &Tree, top: &str) {
    let prefix = format!("/{top}");
    assert_eq!(
        below(&remote(fake), &prefix),
        expected(&tree.join(top), &prefix),
        "put.io's tree"
    );
    assert!(fake.deleted().is_empty(), "deleted: {:?}", fake.deleted());
}

#[test]
fn late_crc32s_are_waited_for_and_verified() {
    let fake = fake_answering(Unknowns {
        crc32: Crc32Visibility::After(Duration::from_secs(2)),
        ..Unknowns::default()
    });
    let tree = mixed_tree();
    let out = upload(&fake, &["--json"], &tree.join("data"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_exactly_once(&fake, &tree, "data");
    let lines = json_lines(&out);
    let done = of_type(&lines, "file_done");
    assert_eq!(done.len(), MIXED_FILES, "{text}");
    assert!(done.iter().all(|d| d["verified"] == true), "{text}");
    assert_eq!(of_type(&lines, "summary")[0]["unverified"], 0);
}

#[test]
fn crc32s_that_never_come_keep_the_files_unverified() {
    let fake = fake_answering(Unknowns {
        crc32: Crc32Visibility::Never,
        ..Unknowns::default()
    });
    let tree = mixed_tree();
    let out = upload(
        &fake,
        &["--json", "--verify-wait", "1s"],
        &tree.join("data"),
    );
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_exactly_once(&fake, &tree, "data");
    let lines = json_lines(&out);
    let done = of_type(&lines, "file_done");
    assert_eq!(done.len(), MIXED_FILES, "{text}");
    assert!(done.iter().all(|d| d["verified"] == false), "{text}");
    assert_eq!(of_type(&lines, "summary")[0]["unverified"], MIXED_FILES);
    assert!(
        of_type(&lines, "warning")
            .iter()
            .any(|w| w["message"].as_str().unwrap().contains("reported no CRC32")),
        "{text}"
    );

    // Human output says so too, and a re-run (with or without --checksum) sends and
    // deletes nothing: "no CRC32" is never "different".
    let sent = uploads_started(&fake);
    let again = upload(&fake, &[], &tree.join("data"));
    assert_eq!(again.status.code(), Some(0), "{}", output_text(&again));
    let checked = upload(&fake, &["--checksum"], &tree.join("data"));
    let text = output_text(&checked);
    assert_eq!(checked.status.code(), Some(0), "{text}");
    assert!(text.contains("not compared"), "{text}");
    assert_eq!(uploads_started(&fake), sent);
    assert_exactly_once(&fake, &tree, "data");
}

#[test]
fn unverified_output_for_people_names_it() {
    let fake = fake_answering(Unknowns {
        crc32: Crc32Visibility::Never,
        ..Unknowns::default()
    });
    let tree = Tree::new();
    tree.file("one/a.txt", b"a");
    let out = upload(&fake, &["--verify-wait", "1s"], &tree.join("one"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("not verified"), "{text}");
    assert!(text.contains("1 not verified"), "{text}");
}

#[test]
fn overwrite_keeps_the_old_copy_until_the_new_one_is_verified() {
    let fake = fake_answering(Unknowns {
        crc32: Crc32Visibility::Never,
        ..Unknowns::default()
    });
    let folder = fake.seed_folder(0, "data");
    let old = fake.seed_file(folder, "a.txt", b"old");
    let tree = Tree::new();
    tree.file("data/a.txt", b"the new content");
    let out = upload(
        &fake,
        &["--overwrite", "--verify-wait", "1s"],
        &tree.join("data"),
    );
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("old copy"), "{text}");
    let copies: Vec<_> = fake
        .tree()
        .into_iter()
        .filter(|e| e.path == "/data/a.txt")
        .collect();
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert!(copies.iter().any(|e| e.id == old));
    assert!(fake.deleted().is_empty());

    // Once put.io reports CRC32s, --overwrite replaces as usual (the verified copy stays).
    let fake = fake_answering(Unknowns::default());
    let folder = fake.seed_folder(0, "data");
    fake.seed_file(folder, "a.txt", b"old");
    let out = upload(&fake, &["--overwrite"], &tree.join("data"));
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(
        below(&remote(&fake), "/data"),
        expected(&tree.join("data"), "/data")
    );
    assert_eq!(fake.deleted().len(), 1);
}

/// A tus upload whose final answer is lost, against a fake that forgets completed uploads
/// (HEAD then answers 404) or re-answers the completion without `putio-file-id`: the file
/// is found in its folder, never sent again.
fn lost_completion(unknowns: Unknowns) {
    let fake = fake_answering(unknowns);
    fake.set_faults(Faults {
        lose_answers: vec![("PATCH /files/{id}".to_owned(), 1)],
        ..Faults::default()
    });
    let tree = Tree::new();
    tree.random("one/big.bin", 5 * MIB as u64, 3);
    let out = upload(&fake, &["--json"], &tree.join("one"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_exactly_once(&fake, &tree, "one");
    assert_eq!(fake.stats().uploads_created, 1, "sent once: {text}");
    let done = json_lines(&out);
    assert_eq!(of_type(&done, "file_done")[0]["verified"], true, "{text}");
}

#[test]
fn a_forgotten_completed_upload_is_found_in_its_folder() {
    lost_completion(Unknowns {
        forget_completed_uploads: true,
        ..Unknowns::default()
    });
}

#[test]
fn a_completion_without_file_id_is_found_in_its_folder() {
    lost_completion(Unknowns {
        completion_without_file_id: true,
        ..Unknowns::default()
    });
}

#[test]
fn a_lost_completion_with_a_late_crc32_is_still_found() {
    lost_completion(Unknowns {
        forget_completed_uploads: true,
        crc32: Crc32Visibility::After(Duration::from_secs(1)),
        ..Unknowns::default()
    });
}

#[test]
fn a_lost_one_request_answer_is_found_not_resent() {
    for crc32 in [Crc32Visibility::Immediate, Crc32Visibility::Never] {
        let fake = fake_answering(Unknowns {
            crc32,
            ..Unknowns::default()
        });
        fake.set_faults(Faults {
            lose_answers: vec![("POST /v2/files/upload".to_owned(), 1)],
            ..Faults::default()
        });
        let tree = Tree::new();
        tree.file("one/a.txt", b"small and lost");
        let out = upload(&fake, &["--verify-wait", "1s"], &tree.join("one"));
        let text = output_text(&out);
        assert_eq!(out.status.code(), Some(0), "{crc32:?}: {text}");
        assert_exactly_once(&fake, &tree, "one");
        assert_eq!(uploads_started(&fake), 1, "{crc32:?}: {text}");
    }
}

#[test]
fn random_lost_answers_never_duplicate_under_any_switch() {
    let switches = [
        Unknowns::default(),
        Unknowns {
            forget_completed_uploads: true,
            crc32: Crc32Visibility::After(Duration::from_millis(500)),
            ..Unknowns::default()
        },
        Unknowns {
            completion_without_file_id: true,
            delete_ignores_skip_nonexistents: true,
            ..Unknowns::default()
        },
    ];
    for (seed, unknowns) in switches.into_iter().enumerate() {
        let fake = fake_answering(unknowns.clone());
        fake.set_faults(Faults {
            drop: 0.15,
            seed: seed as u64 + 7,
            ..Faults::default()
        });
        let tree = Tree::new();
        for i in 0..12 {
            tree.file(
                &format!("many/s{i:02}.txt"),
                format!("small {i}").as_bytes(),
            );
        }
        for i in 0..3 {
            tree.random(&format!("many/b{i}.bin"), 4 * MIB as u64 + i, i + 10);
        }
        let out = upload(
            &fake,
            &["--chunk-size", "1M", "--retries", "30"],
            &tree.join("many"),
        );
        let text = output_text(&out);
        assert_eq!(out.status.code(), Some(0), "{unknowns:?}: {text}");
        assert_exactly_once(&fake, &tree, "many");
    }
}

#[test]
fn transfers_instead_of_files_are_reported_and_never_retried() {
    let tree = Tree::new();
    tree.file("drop/a.torrent", b"d8:announce0:e");
    tree.file(
        "drop/b.magnet",
        b"magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567",
    );
    tree.file("drop/c.txt", b"a plain file");

    // By default put.io keeps both as files (tus with no-torrent).
    let fake = fake_answering(Unknowns::default());
    let out = upload(&fake, &[], &tree.join("drop"));
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_exactly_once(&fake, &tree, "drop");
    assert!(fake.transfers().is_empty());

    let fake = fake_answering(Unknowns {
        torrents_become_transfers: true,
        ..Unknowns::default()
    });
    let out = upload(&fake, &[], &tree.join("drop"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("put.io started a transfer from a.torrent instead of storing it"),
        "{text}"
    );
    assert!(
        text.contains("put.io started a transfer from b.magnet instead of storing it"),
        "{text}"
    );
    assert_eq!(
        fake.transfers().len(),
        2,
        "one transfer each, never retried"
    );
    assert_eq!(uploads_started(&fake), 3);
    let files: Vec<_> = remote(&fake).into_keys().collect();
    assert_eq!(files, ["/drop", "/drop/c.txt"]);
    assert!(fake.deleted().is_empty());
}

#[test]
fn an_inactive_account_stops_before_anything_is_sent() {
    let fake = fake_answering(Unknowns {
        account_inactive: true,
        ..Unknowns::default()
    });
    let tree = mixed_tree();
    let out = upload(&fake, &[], &tree.join("data"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("not active"), "{text}");
    assert!(fake.tree().is_empty());
    assert_eq!(uploads_started(&fake), 0);
}

#[test]
fn a_full_account_is_recognised_whatever_put_io_answers() {
    for full_answer in [
        FullAnswer::PaymentRequired402,
        FullAnswer::TooLarge413,
        FullAnswer::BadRequest400,
        FullAnswer::Forbidden403,
    ] {
        let fake = fake_with(Options {
            unknowns: Unknowns {
                full_answer,
                ..Unknowns::default()
            },
            faults: Faults {
                latency: Duration::from_millis(20),
                ..Faults::default()
            },
            ..Options::default()
        });
        let tree = Tree::new();
        for i in 0..30 {
            tree.file(&format!("fill/f{i:02}.bin"), &[3u8; 5000]);
        }
        tree.random("fill/zz-large.bin", 5 * MIB as u64, 4);
        let child = spawn(&fake, &["upload", "-j", "2"], &tree.join("fill"));
        wait_for("uploads to start", || uploads_started(&fake) >= 3);
        fake.set_disk_size(0);
        let out = child.wait_with_output().unwrap();
        let text = output_text(&out);
        assert_eq!(out.status.code(), Some(4), "{full_answer:?}: {text}");
        assert!(text.contains("account is full"), "{full_answer:?}: {text}");
        assert!(fake.deleted().is_empty());
    }
}

#[test]
fn a_refusal_not_about_room_fails_that_file_in_put_ios_words() {
    let fake = fake_answering(Unknowns::default());
    fake.reject_uploads_named("b.txt", 400, "FILE_NOT_ALLOWED");
    let tree = Tree::new();
    tree.file("mix/a.txt", b"fine");
    tree.file("mix/b.txt", b"refused");
    tree.file("mix/c.txt", b"fine too");
    let out = upload(&fake, &[], &tree.join("mix"));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FILE_NOT_ALLOWED"), "{text}");
    assert!(text.contains("trace id"), "{text}");
    let files: Vec<_> = remote(&fake).into_keys().collect();
    assert_eq!(files, ["/mix", "/mix/a.txt", "/mix/c.txt"]);
}

#[test]
fn a_delete_whose_answer_is_lost_counts_as_done() {
    for ignores_flag in [false, true] {
        let fake = fake_answering(Unknowns {
            delete_ignores_skip_nonexistents: ignores_flag,
            ..Unknowns::default()
        });
        let folder = fake.seed_folder(0, "data");
        fake.seed_file(folder, "a.txt", b"old");
        fake.set_faults(Faults {
            lose_answers: vec![("POST /v2/files/delete".to_owned(), 1)],
            ..Faults::default()
        });
        let tree = Tree::new();
        tree.file("data/a.txt", b"the new content");
        let out = upload(&fake, &["--overwrite"], &tree.join("data"));
        let text = output_text(&out);
        assert_eq!(out.status.code(), Some(0), "{ignores_flag}: {text}");
        assert!(!text.contains("twice"), "{text}");
        assert_eq!(
            below(&remote(&fake), "/data"),
            expected(&tree.join("data"), "/data")
        );
    }
}
