//! `putio-up watch` as a service: the real binary watching a temporary folder, the fake
//! put.io's state polled until it shows what the folder holds (generous deadlines, no timed
//! assertions), then a stop by signal.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fake_putio::{FakePutio, Faults};

use crate::support::tree::expected;
use crate::support::{Tree, below, fake, putio_up_std, remote};

/// A running `putio-up watch`, its output in a file (a pipe nobody reads would fill up).
struct Watch {
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Watch {
    fn start(fake: &FakePutio, dir: &Path, extra: &[&str]) -> Watch {
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = putio_up_std(fake)
            .arg("watch")
            .args(["--settle", "1s"])
            .args(extra)
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("spawn putio-up watch");
        Watch { child, log }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Waits until `ready` (checked every 50 ms) or fails after `secs`, with the output; the
    /// watch must still be running all along.
    fn until(&mut self, what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !ready() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "watch exited ({status}) waiting for {what}:\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then the exit code (the process must end within 15 s).
    fn terminate(mut self) -> (Option<i32>, String) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), self.output());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "watch did not stop within 15 s of SIGTERM:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What put.io holds below `/name` equals the local folder `dir` (each path once).
fn mirrors(fake: &FakePutio, dir: &Path, name: &str) -> bool {
    below(&remote(fake), &format!("/{name}")) == expected(dir, &format!("/{name}"))
}

fn bytes_at(fake: &FakePutio, path: &str) -> Option<Vec<u8>> {
    let entry = fake.tree().into_iter().find(|e| e.path == path)?;
    fake.file_bytes(entry.id)
}

#[test]
fn files_added_appended_removed_and_a_new_folder_end_up_once_with_their_last_content() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("box");
    tree.file("box/old.txt", b"there before");
    let mut watch = Watch::start(&fake, &dir, &[]);
    watch.until("the first pass", 60, || mirrors(&fake, &dir, "box"));

    tree.file("box/new.txt", b"added while watching");
    // Appended slowly, for longer than the settle time in all: sent once, when complete.
    {
        use std::io::Write;
        let mut slow = std::fs::File::create(dir.join("slow.log")).unwrap();
        for i in 0..8 {
            writeln!(slow, "line {i} of a file that grows slowly").unwrap();
            slow.flush().unwrap();
            std::thread::sleep(Duration::from_millis(400));
        }
    }
    // Here and gone before it settles: never sent.
    tree.file("box/fleeting.tmp", b"gone soon");
    std::fs::remove_file(dir.join("fleeting.tmp")).unwrap();
    // A new folder with files, and an empty one inside it.
    tree.file("box/sub/a.txt", b"in a new folder");
    tree.file("box/sub/deeper/b.txt", b"deeper still");
    std::fs::create_dir_all(dir.join("sub/empty")).unwrap();
    watch.until("the new files", 60, || mirrors(&fake, &dir, "box"));
    let slow = std::fs::read(dir.join("slow.log")).unwrap();
    assert_eq!(bytes_at(&fake, "/box/slow.log"), Some(slow));

    // Removed locally: it stays on put.io, watch never deletes there.
    std::fs::remove_file(dir.join("old.txt")).unwrap();
    tree.file("box/after.txt", b"after the removal");
    watch.until("after.txt", 60, || {
        remote(&fake).contains_key("/box/after.txt")
    });
    let now = below(&remote(&fake), "/box");
    assert!(now.contains_key("/box/old.txt"), "{now:?}");
    assert!(!now.contains_key("/box/fleeting.tmp"), "{now:?}");
    assert!(fake.deleted().is_empty(), "{:?}", fake.deleted());

    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
    assert!(
        output.contains("uploaded  new.txt") || output.contains("new.txt"),
        "{output}"
    );
}

#[test]
fn a_burst_of_two_thousand_files_arrives_whole_and_once() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("burst");
    std::fs::create_dir_all(&dir).unwrap();
    let mut watch = Watch::start(&fake, &dir, &["-j", "8"]);
    watch.until("the first pass", 60, || {
        remote(&fake).contains_key("/burst")
    });
    for i in 0..2000 {
        tree.file(
            &format!("burst/d{}/f{i:04}.txt", i % 10),
            format!("file {i}").as_bytes(),
        );
    }
    watch.until("2,000 files", 300, || {
        below(&remote(&fake), "/burst").len() == 2000 + 10 + 1
    });
    assert!(mirrors(&fake, &dir, "burst"));
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
}

#[test]
fn a_failing_put_io_is_waited_out_and_everything_arrives() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("flaky");
    tree.file("flaky/first.txt", b"before the trouble");
    fake.set_faults(Faults {
        error_5xx: 0.3,
        seed: 16,
        ..Faults::default()
    });
    let mut watch = Watch::start(&fake, &dir, &["--retries", "2"]);
    for i in 0..20 {
        tree.file(
            &format!("flaky/during/{i}.txt"),
            format!("sent through trouble {i}").as_bytes(),
        );
    }
    // A while of trouble: the watch keeps going whatever put.io answers.
    watch.until("some trouble", 60, || fake.stats().faults_injected >= 10);
    std::thread::sleep(Duration::from_secs(2));
    fake.set_faults(Faults::default());
    tree.file("flaky/after.txt", b"once healthy again");
    watch.until("everything", 240, || mirrors(&fake, &dir, "flaky"));
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
}

#[test]
fn a_restart_after_kill_9_uploads_what_changed_meanwhile() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("down");
    tree.file("down/a.txt", b"first");
    let mut watch = Watch::start(&fake, &dir, &[]);
    watch.until("the first pass", 60, || mirrors(&fake, &dir, "down"));
    watch.child.kill().unwrap(); // SIGKILL: no chance to clean up
    watch.child.wait().unwrap();
    drop(watch);

    tree.file("down/b.txt", b"written while it was down");
    tree.file("down/later/c.txt", b"this too");
    let mut watch = Watch::start(&fake, &dir, &[]);
    watch.until("what changed meanwhile", 60, || {
        mirrors(&fake, &dir, "down")
    });
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
}

#[test]
fn ctrl_c_exits_130() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("int");
    tree.file("int/a.txt", b"x");
    let mut watch = Watch::start(&fake, &dir, &[]);
    watch.until("the first pass", 60, || mirrors(&fake, &dir, "int"));
    crate::support::interrupt(&watch.child);
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "{}", watch.output());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130), "{}", watch.output());
}

const MAGNET: &str = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Some+Film";

#[test]
fn a_blackhole_turns_torrents_and_magnets_into_transfers() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("hole");
    tree.file("hole/readme.txt", b"an ordinary file");
    let mut watch = Watch::start(&fake, &dir, &["--torrents", "transfer"]);
    watch.until("the first pass", 60, || {
        remote(&fake).contains_key("/hole/readme.txt")
    });
    tree.file("hole/film.torrent", b"d8:announce3:x:e");
    tree.file("hole/show.magnet", format!("{MAGNET}\n").as_bytes());
    watch.until("two transfers", 60, || fake.transfers().len() == 2);
    let hole = remote(&fake)["/hole"].clone();
    assert_eq!(hole.0, 0);
    let transfers = fake.transfers();
    let hole_id = fake
        .tree()
        .into_iter()
        .find(|e| e.path == "/hole")
        .unwrap()
        .id;
    assert!(
        transfers.iter().all(|t| t.save_parent_id == hole_id),
        "{transfers:?}"
    );
    assert!(
        transfers.iter().any(|t| t.source == MAGNET),
        "{transfers:?}"
    );
    assert!(
        transfers.iter().any(|t| t.source == "upload:film.torrent"),
        "{transfers:?}"
    );
    // Neither is stored as a file.
    let stored = below(&remote(&fake), "/hole");
    assert!(
        !stored
            .keys()
            .any(|p| p.ends_with(".torrent") || p.ends_with(".magnet")),
        "{stored:?}"
    );
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("put.io transfer"), "{output}");

    // A restart (its first pass walks everything) does not start them again.
    let mut watch = Watch::start(&fake, &dir, &["--torrents", "transfer"]);
    let log = watch.log.path().to_owned();
    watch.until("the rescan", 60, || watch_said(&log, "already started"));
    assert_eq!(fake.transfers().len(), 2);
    let (code, _) = watch.terminate();
    assert_eq!(code, Some(0));
}

fn watch_said(log: &Path, text: &str) -> bool {
    std::fs::read_to_string(log).is_ok_and(|out| out.contains(text))
}

#[test]
fn upload_torrents_transfer_starts_transfers_too() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("once/x.magnet", MAGNET.as_bytes());
    tree.file("once/y.torrent", b"d8:announce3:y:e");
    tree.file("once/z.torrent.txt", b"just text");
    crate::support::putio_up(&fake)
        .args(["upload", "--torrents", "transfer"])
        .arg(tree.join("once"))
        .assert()
        .success();
    assert_eq!(fake.transfers().len(), 2, "{:?}", fake.transfers());
    let stored = below(&remote(&fake), "/once");
    assert!(stored.contains_key("/once/z.torrent.txt"), "{stored:?}");
    assert!(!stored.contains_key("/once/x.magnet"), "{stored:?}");
}

#[test]
fn an_outbox_empties_as_put_io_holds_each_file_verified() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("outbox");
    tree.file("outbox/first.txt", b"there before the start");
    let mut watch = Watch::start(&fake, &dir, &["--delete-source"]);
    watch.until("the first file to leave", 60, || {
        !dir.join("first.txt").exists()
    });
    tree.file("outbox/later/second.bin", &vec![7u8; 300_000]);
    tree.file("outbox/third.txt", b"dropped while watching");
    watch.until("the later files to leave", 60, || {
        !dir.join("later/second.bin").exists() && !dir.join("third.txt").exists()
    });
    // Emptied folders go too, the watched folder itself never.
    watch.until("the emptied folder to go", 30, || {
        !dir.join("later").exists()
    });
    assert!(dir.is_dir());
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
    let stored = below(&remote(&fake), "/outbox");
    let names: Vec<&str> = stored.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "/outbox",
            "/outbox/first.txt",
            "/outbox/later",
            "/outbox/later/second.bin",
            "/outbox/third.txt"
        ],
        "each file once on put.io"
    );
    assert_eq!(
        bytes_at(&fake, "/outbox/later/second.bin").map(|b| b.len()),
        Some(300_000)
    );
    assert!(fake.deleted().is_empty(), "nothing deleted on put.io");
}

#[test]
fn a_blackhole_with_delete_source_removes_each_drop_once_put_io_took_it() {
    let fake = fake();
    let tree = Tree::new();
    let dir = tree.join("drop");
    tree.file("drop/ordinary.txt", b"an ordinary file");
    let mut watch = Watch::start(&fake, &dir, &["--torrents", "transfer", "--delete-source"]);
    watch.until("the first pass", 60, || {
        remote(&fake).contains_key("/drop/ordinary.txt")
    });
    tree.file("drop/film.torrent", b"d8:announce3:x:e");
    tree.file("drop/show.magnet", format!("{MAGNET}\n").as_bytes());
    watch.until("two transfers and both drops gone", 60, || {
        fake.transfers().len() == 2
            && !dir.join("film.torrent").exists()
            && !dir.join("show.magnet").exists()
    });
    let (code, output) = watch.terminate();
    assert_eq!(code, Some(0), "{output}");
    assert_eq!(fake.transfers().len(), 2, "each drop started one transfer");
    // The ordinary file went up as a file, verified, and left like any other.
    assert!(!dir.join("ordinary.txt").exists());
    assert!(remote(&fake).contains_key("/drop/ordinary.txt"));
}
