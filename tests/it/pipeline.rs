//! The streaming engine's stage boundaries, seen from the fake put.io: files go up before
//! the last folder exists, big listings come in pages, a folder that cannot be had fails
//! only what is in it, and Ctrl-C stops a run that is still listing folders.

use std::sync::{Arc, Mutex};

use crate::support::tree::expected;
use crate::support::{
    Tree, below, fake, fake_with, interrupt, output_text, putio_up, remote, spawn, wait_for,
};
use fake_putio::{Faults, Options};
use serde_json::Value;

fn json(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn route(fake: &fake_putio::FakePutio, key: &str) -> u64 {
    fake.stats().by_route.get(key).copied().unwrap_or(0)
}

#[test]
fn a_file_goes_up_before_the_last_folder_of_a_deep_tree_exists() {
    let fake = fake_with(Options {
        faults: Faults {
            latency: std::time::Duration::from_millis(20),
            ..Faults::default()
        },
        ..Options::default()
    });
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let lines = Arc::clone(&log);
    fake.set_request_log(move |line| lines.lock().unwrap().push(line.to_owned()));
    let tree = Tree::new();
    tree.file("deep/first.txt", b"at the top");
    let path: String = std::iter::once("deep".to_owned())
        .chain((0..25).map(|depth| format!("d{depth:02}")))
        .collect::<Vec<_>>()
        .join("/");
    tree.file(&format!("{path}/last.txt"), b"at the bottom");

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("deep"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("deep"), "/deep"));

    // Requests in the order the fake answered them.
    let log = log.lock().unwrap();
    let first_upload = log
        .iter()
        .position(|l| l.contains(" POST /v2/files/upload "))
        .expect("an upload");
    let last_folder = log
        .iter()
        .rposition(|l| l.contains(" POST /v2/files/create-folder "))
        .expect("a folder created");
    let created = log.iter().filter(|l| l.contains("create-folder")).count();
    assert_eq!(created, 26, "each folder once: {log:#?}");
    assert!(
        first_upload < last_folder,
        "deep/first.txt waited for the whole tree: {log:#?}"
    );
}

#[test]
fn a_folder_listed_in_many_pages_is_matched_name_by_name() {
    let fake = fake_with(Options {
        per_page_max: 10,
        ..Options::default()
    });
    let tree = Tree::new();
    let big = fake.seed_folder(0, "paged");
    for n in 0..37 {
        let content = format!("file number {n}");
        tree.file(&format!("paged/f{n:03}.txt"), content.as_bytes());
        if n < 34 {
            fake.seed_file(big, &format!("f{n:03}.txt"), content.as_bytes());
        }
    }

    let out = putio_up(&fake)
        .args(["upload", "--json"])
        .arg(tree.join("paged"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(
        route(&fake, "POST /v2/files/list/continue") >= 3,
        "{:?}",
        fake.stats().by_route
    );
    let events = json(&out);
    let summary = events.last().unwrap();
    assert_eq!(summary["skipped"], 34, "{summary}");
    assert_eq!(summary["uploaded"], 3, "{summary}");
    assert_eq!(remote(&fake), expected(&tree.join("paged"), "/paged"));
}

#[test]
fn a_folder_that_cannot_be_created_fails_its_files_and_only_them() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("top/a.txt", b"a");
    tree.file("top/blocked/x.txt", b"x");
    tree.file("top/blocked/deeper/y.txt", b"y");
    tree.file("top/ok/z.txt", b"z");
    let top = fake.seed_folder(0, "top");
    // A file where the folder should go: put.io would make a second entry of that name.
    fake.seed_file(top, "blocked", b"in the way");

    let out = putio_up(&fake)
        .args(["upload", "--json"])
        .arg(tree.join("top"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    let events = json(&out);
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "file_failed")
        .collect();
    let mut remotes: Vec<&str> = failed
        .iter()
        .map(|e| e["remote"].as_str().unwrap())
        .collect();
    remotes.sort_unstable();
    assert_eq!(remotes, ["top/blocked/deeper/y.txt", "top/blocked/x.txt"]);
    for failure in &failed {
        assert_eq!(failure["error"]["kind"], "folder", "{failure}");
    }
    let on_putio = remote(&fake);
    assert_eq!(
        below(&on_putio, "/top/ok"),
        expected(&tree.join("top/ok"), "/top/ok")
    );
    assert!(on_putio.contains_key("/top/a.txt"));
    assert_eq!(
        on_putio["/top/blocked"].0, 10,
        "the file in the way is untouched"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_folders_are_listed_stops_the_run() {
    let fake = fake();
    let tree = Tree::new();
    for d in 0..120 {
        tree.file(&format!("many/d{d:03}/f.txt"), b"f");
    }
    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("many"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let before = remote(&fake);

    // Now each listing is slow: a re-run spends its time listing folders.
    fake.set_faults(Faults {
        latency: std::time::Duration::from_millis(300),
        ..Faults::default()
    });
    fake.reset_stats();
    let child = spawn(&fake, &["upload", "--checkers", "2"], &tree.join("many"));
    wait_for("folders being listed", || {
        route(&fake, "GET /v2/files/list") >= 4
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", output_text(&out));
    assert!(
        route(&fake, "GET /v2/files/list") < 60,
        "stopped listing: {:?}",
        fake.stats().by_route
    );
    assert_eq!(remote(&fake), before, "nothing created or sent twice");
}
