//! `--json` events and `--dry-run`: what scripts read, and that a dry run plans exactly what
//! the real run then does.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::json::{json_lines, of_type};
use crate::support::tree::{crc_of, expected};
use crate::support::{Tree, fake, fake_with, output_text, putio_up, remote};
use fake_putio::Options;
use serde_json::Value;

fn position(events: &[Value], kind: &str, remote: &str) -> usize {
    events
        .iter()
        .position(|e| e["type"] == kind && e["remote"] == remote)
        .unwrap_or_else(|| panic!("no {kind} for {remote}"))
}

fn remote_id(fake: &fake_putio::FakePutio, path: &str) -> u64 {
    fake.tree()
        .into_iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("{path} is not on the fake"))
        .id
}

#[cfg(unix)]
#[test]
fn json_lines_tell_the_whole_run_and_stdout_holds_nothing_else() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("j/a.txt", b"alpha");
    tree.file("j/sub/b.txt", b"bravo!");
    tree.file("j/same.txt", b"same");
    tree.file("j/clash.txt", b"local version");
    std::os::unix::fs::symlink(tree.join("j/a.txt"), tree.join("j/link")).unwrap();
    let j = fake.seed_folder(0, "j");
    let same_id = fake.seed_file(j, "same.txt", b"SAME");
    fake.seed_file(j, "clash.txt", b"remote");

    // -v adds logs: they must go to stderr too.
    let out = putio_up(&fake)
        .args(["upload", "--json", "-v"])
        .arg(tree.join("j"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    let events = json_lines(&out, false);
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();

    assert_eq!(types.first(), Some(&"scanned"), "{types:?}");
    assert_eq!(types.last(), Some(&"summary"), "{types:?}");
    assert_eq!(events[0]["files"], 4);
    let ignored = of_type(&events, "ignored");
    assert_eq!(ignored.len(), 1);
    assert!(ignored[0]["local"].as_str().unwrap().ends_with("j/link"));
    assert_eq!(of_type(&events, "folder_created").len(), 1);
    assert_eq!(of_type(&events, "folder_created")[0]["remote"], "j/sub");

    // Every decision before the totals; a file's own lines in order (schema 2: transfers
    // may start before the totals).
    let planned = types.iter().position(|t| *t == "planned").unwrap();
    let skipped = position(&events, "file_skipped", "j/same.txt");
    assert_eq!(events[skipped]["id"], same_id);
    assert_eq!(events[skipped]["size"], 4);
    let failed = position(&events, "file_failed", "j/clash.txt");
    assert_eq!(events[failed]["error"]["kind"], "conflict");
    assert!(
        events[failed]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not overwritten")
    );
    assert!(skipped < planned && failed < planned, "{types:?}");
    assert_eq!(events[planned]["files"], 2);
    assert_eq!(events[planned]["skipped"], 1);
    for (remote, local) in [("j/a.txt", "j/a.txt"), ("j/sub/b.txt", "j/sub/b.txt")] {
        let plan = position(&events, "file_planned", remote);
        let started = position(&events, "file_started", remote);
        let done = position(&events, "file_done", remote);
        assert!(
            plan < planned && plan < started && started < done,
            "{types:?}"
        );
        let done = &events[done];
        let path = tree.join(local);
        assert_eq!(done["local"], path.to_str().unwrap());
        assert_eq!(done["crc32"], crc_of(&path).as_str());
        assert_eq!(done["size"], std::fs::metadata(&path).unwrap().len());
        assert_eq!(done["id"], remote_id(&fake, &format!("/{remote}")));
    }
    assert!(!types.contains(&"file_progress"), "progress is not emitted");

    let summary = events.last().unwrap();
    assert_eq!(summary["schema"], 3);
    assert_eq!(summary["uploaded"], 2);
    assert_eq!(summary["uploaded_bytes"], 11);
    assert_eq!(summary["skipped"], 1);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["ignored"], 1);
    assert_eq!(summary["folders_created"], 1);
    assert_eq!(summary["interrupted"], false);

    // People still get their lines, on stderr.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("uploaded  j/a.txt"), "{err}");
    assert!(err.contains("Done: 2 uploaded"), "{err}");
}

#[test]
fn json_reports_a_run_stopping_error_as_its_last_line() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("e/f.txt", b"f");

    let out = putio_up(&fake)
        .env("PUTIO_TOKEN", "wrong-token")
        .args(["upload", "--json"])
        .arg(tree.join("e"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let events = json_lines(&out, false);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "error");
    assert_eq!(last["kind"], "auth");
    assert_eq!(last["exit_code"], 3);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong-token"));

    let out = putio_up(&fake)
        .env("PUTIO_UP_JSON", "true")
        .arg("upload")
        .arg(tree.join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let events = json_lines(&out, false);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "usage");
    assert!(
        events[0]["message"]
            .as_str()
            .unwrap()
            .contains("no such file or folder")
    );
}

/// What a run decided, from its JSON: folders created, files uploaded, skipped and failed.
/// A dry run's `file_planned` counts as an upload; a real run's `file_done` does.
#[derive(Debug, PartialEq, Eq)]
struct Decisions {
    folders: BTreeSet<String>,
    uploaded: BTreeSet<String>,
    skipped: BTreeSet<String>,
    failed: BTreeSet<(String, String)>,
    summary: BTreeMap<String, Value>,
}

fn decisions(events: &[Value], upload_type: &str) -> Decisions {
    let remotes = |kind: &str| -> BTreeSet<String> {
        of_type(events, kind)
            .iter()
            .map(|e| e["remote"].as_str().unwrap().to_owned())
            .collect()
    };
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary");
    Decisions {
        folders: remotes("folder_created"),
        uploaded: remotes(upload_type),
        skipped: remotes("file_skipped"),
        failed: of_type(events, "file_failed")
            .iter()
            .map(|e| {
                (
                    e["remote"].as_str().unwrap_or("").to_owned(),
                    e["error"]["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
        summary: [
            "uploaded",
            "uploaded_bytes",
            "skipped",
            "failed",
            "ignored",
            "excluded",
            "folders_created",
        ]
        .iter()
        .map(|key| ((*key).to_owned(), summary[*key].clone()))
        .collect(),
    }
}

/// Requests that change something on put.io.
fn writes(fake: &fake_putio::FakePutio) -> Vec<String> {
    fake.stats()
        .by_route
        .into_keys()
        .filter(|route| {
            !route.starts_with("GET ")
                && !route.starts_with("HEAD ")
                && route != "POST /v2/files/list/continue"
        })
        .collect()
}

#[test]
fn dry_run_writes_nothing_and_the_real_run_does_what_it_planned() {
    let fake = fake_with(Options {
        per_page_max: 3,
        ..Options::default()
    });
    fake.seed_folder(0, "Backups");
    let tree = Tree::new();
    tree.file("d/a.txt", b"a");
    tree.file("d/sub/b.txt", b"bb");
    tree.file("d/sub/deeper/c.txt", b"ccc");
    tree.dir("d/empty");
    tree.file("d/skip.tmp", b"left out");

    let check = |expect_code: i32| {
        let before = remote(&fake);
        fake.reset_stats();
        let dry = putio_up(&fake)
            .args(["upload", "--json", "--dry-run", "--to", "/Backups/2026"])
            .args(["--exclude", "*.tmp"])
            .arg(tree.join("d"))
            .output()
            .unwrap();
        assert_eq!(
            dry.status.code(),
            Some(expect_code),
            "{}",
            output_text(&dry)
        );
        assert_eq!(writes(&fake), Vec::<String>::new(), "a dry run only reads");
        assert_eq!(remote(&fake), before, "a dry run changes nothing");
        let dry_events = json_lines(&dry, true);
        assert!(of_type(&dry_events, "file_started").is_empty());
        assert!(
            of_type(&dry_events, "folder_created")
                .iter()
                .all(|e| e["id"].is_null())
        );

        let real = putio_up(&fake)
            .args(["upload", "--json", "--to", "/Backups/2026"])
            .args(["--exclude", "*.tmp"])
            .arg(tree.join("d"))
            .output()
            .unwrap();
        assert_eq!(
            real.status.code(),
            Some(expect_code),
            "{}",
            output_text(&real)
        );
        let real_events = json_lines(&real, false);
        let planned = decisions(&dry_events, "file_planned");
        assert_eq!(planned, decisions(&real_events, "file_done"));
        (planned, String::from_utf8(dry.stderr).unwrap())
    };

    // Nothing there yet: the destination and every folder would be created.
    let (first, human) = check(0);
    assert_eq!(
        first.folders,
        ["/Backups/2026", "d", "d/empty", "d/sub", "d/sub/deeper"]
            .map(String::from)
            .into()
    );
    assert_eq!(first.uploaded.len(), 3);
    assert!(human.contains("would upload d/sub/b.txt (2 B)"), "{human}");
    assert!(human.contains("would create d/sub/deeper/"), "{human}");
    assert!(human.contains("Dry run: would upload 3 files"), "{human}");
    assert!(human.contains("nothing was changed on put.io"), "{human}");
    let mut want = expected(&tree.join("d"), "/Backups/2026/d");
    want.remove("/Backups/2026/d/skip.tmp");
    want.insert("/Backups".into(), (0, None));
    want.insert("/Backups/2026".into(), (0, None));
    assert_eq!(remote(&fake), want);

    // Then the tree changes: one new file, one that now differs from its copy on put.io.
    tree.file("d/sub/new.txt", b"new");
    tree.file("d/a.txt", b"a, but longer");
    let (second, _) = check(1);
    assert!(second.folders.is_empty());
    assert_eq!(second.uploaded, ["d/sub/new.txt".to_owned()].into());
    assert_eq!(second.skipped.len(), 2);
    assert_eq!(
        second.failed,
        [("d/a.txt".to_owned(), "conflict".to_owned())].into()
    );
}
