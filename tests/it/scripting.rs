//! Scripting and CI: `--json` events, `--dry-run`, filters, symlinks, the config file and
//! its precedence, colour, help, and the generated completions and man pages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::tree::{crc_of, expected};
use crate::support::{Snapshot, Tree, fake, fake_with, output_text, putio_up, remote};
use fake_putio::Options;
use serde_json::Value;

/// Every stdout line parsed as JSON: the test fails on anything that is not one object with
/// `type`, `ts` (RFC 3339 UTC with milliseconds) and `dry_run`.
fn json_lines(out: &std::process::Output, dry_run: bool) -> Vec<Value> {
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    assert!(
        stdout.ends_with('\n'),
        "stdout ends with a full line: {stdout:?}"
    );
    stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not JSON ({err}): {line:?}"));
            assert!(value["type"].is_string(), "{line}");
            let ts = value["ts"]
                .as_str()
                .unwrap_or_else(|| panic!("no ts: {line}"));
            let b = ts.as_bytes();
            assert!(
                b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z',
                "ts is RFC 3339 UTC with ms: {ts}"
            );
            assert_eq!(value["dry_run"], dry_run, "{line}");
            value
        })
        .collect()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

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
    assert_eq!(summary["schema"], 2);
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

#[test]
fn exclude_patterns_and_exclude_from_leave_paths_out() {
    let fake = fake();
    let tree = Tree::new();
    for (path, content) in [
        ("f/keep.txt", "k"),
        ("f/notes.tmp", "t"),
        ("f/cache/x.bin", "x"),
        ("f/sub/cache", "a file named cache stays"),
        ("f/build/out.o", "o"),
        ("f/sub/build/y.o", "anchored /build only matches at the top"),
        ("f/logs/a.log", "a"),
        ("f/logs/keep.log", "kept by !keep.log"),
    ] {
        tree.file(path, content.as_bytes());
    }
    let list = tree.file(
        "excludes.txt",
        b"# build output\n\n/build\n*.log\n!keep.log\n",
    );

    let out = putio_up(&fake)
        .args([
            "upload",
            "--json",
            "--exclude",
            "*.tmp",
            "--exclude",
            "cache/",
        ])
        .arg("--exclude-from")
        .arg(&list)
        .arg(tree.join("f"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let names: Vec<String> = remote(&fake).into_keys().collect();
    assert_eq!(
        names,
        [
            "/f",
            "/f/keep.txt",
            "/f/logs",
            "/f/logs/keep.log",
            "/f/sub",
            "/f/sub/build",
            "/f/sub/build/y.o",
            "/f/sub/cache",
        ]
    );
    let events = json_lines(&out, false);
    let excluded: BTreeMap<String, String> = of_type(&events, "excluded")
        .iter()
        .map(|e| {
            let local = e["local"].as_str().unwrap();
            let rel = Path::new(local).strip_prefix(tree.join("f")).unwrap();
            (
                rel.to_str().unwrap().to_owned(),
                e["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // A left-out folder is one entry; its content is never listed.
    assert_eq!(
        excluded,
        [
            ("build", "/build"),
            ("cache", "cache/"),
            ("logs/a.log", "*.log"),
            ("notes.tmp", "*.tmp"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .into()
    );
    assert_eq!(events.last().unwrap()["excluded"], 4);

    // A bad pattern is a usage error that names the option and the pattern.
    let out = putio_up(&fake)
        .args(["upload", "--exclude", "[oops"])
        .arg(tree.join("f"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = output_text(&out);
    assert!(text.contains("--exclude `[oops`"), "{text}");
    let out = putio_up(&fake)
        .args(["upload", "--exclude-from", "no-such-list.txt"])
        .arg(tree.join("f"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(output_text(&out).contains("--exclude-from no-such-list.txt: no such file"));
}

#[test]
fn include_uploads_only_matches_and_the_folders_leading_to_them() {
    let fake = fake();
    let tree = Tree::new();
    for path in [
        "g/a.jpg",
        "g/b.txt",
        "g/pics/c.jpg",
        "g/pics/d.txt",
        "g/docs/e.txt",
        "g/docs/more/f.txt",
        "g/raw/g.txt",
    ] {
        tree.file(path, path.as_bytes());
    }
    tree.dir("g/raw/empty");

    let out = putio_up(&fake)
        .args([
            "upload",
            "--json",
            "--include",
            "*.jpg",
            "--include",
            "raw/",
        ])
        .arg(tree.join("g"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let names: Vec<String> = remote(&fake).into_keys().collect();
    assert_eq!(
        names,
        [
            "/g",
            "/g/a.jpg",
            "/g/pics",
            "/g/pics/c.jpg",
            "/g/raw",
            "/g/raw/empty",
            "/g/raw/g.txt",
        ]
    );
    let events = json_lines(&out, false);
    let mut excluded: Vec<String> = of_type(&events, "excluded")
        .iter()
        .map(|e| {
            let local = Path::new(e["local"].as_str().unwrap());
            let rel = local.strip_prefix(tree.join("g")).unwrap();
            rel.to_str().unwrap().to_owned()
        })
        .collect();
    excluded.sort();
    assert_eq!(excluded, ["b.txt", "docs", "pics/d.txt"]);
}

#[test]
fn hidden_files_are_uploaded_unless_no_hidden() {
    let tree = Tree::new();
    tree.file("h/.env", b"SECRET=1");
    tree.file("h/.cache/blob", b"blob");
    tree.file("h/visible.txt", b"v");
    let config = tree.file("no-hidden.toml", b"no_hidden = true\n");

    let default = fake();
    let out = putio_up(&default)
        .arg("upload")
        .arg(tree.join("h"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&default), expected(&tree.join("h"), "/h"));

    for (how, args, env) in [
        ("flag", vec!["--no-hidden"], None),
        (
            "config file",
            vec!["--config", config.to_str().unwrap()],
            None,
        ),
        ("environment", vec![], Some("1")),
    ] {
        let fake = fake();
        let mut cmd = putio_up(&fake);
        if let Some(value) = env {
            cmd.env("PUTIO_UP_NO_HIDDEN", value);
        }
        let out = cmd
            .arg("upload")
            .args(&args)
            .arg(tree.join("h"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{how}: {}", output_text(&out));
        let names: Vec<String> = remote(&fake).into_keys().collect();
        assert_eq!(names, ["/h", "/h/visible.txt"], "{how}");
        assert!(output_text(&out).contains("2 excluded"), "{how}");
    }

    // --hidden, or the variable set to false, beats `no_hidden = true` in the config file.
    for (args, env) in [(vec!["--hidden"], None), (vec![], Some("false"))] {
        let fake = fake();
        let mut cmd = putio_up(&fake);
        if let Some(value) = env {
            cmd.env("PUTIO_UP_NO_HIDDEN", value);
        }
        let out = cmd
            .arg("upload")
            .arg("--config")
            .arg(&config)
            .args(&args)
            .arg(tree.join("h"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
        assert_eq!(
            remote(&fake),
            expected(&tree.join("h"), "/h"),
            "{args:?} {env:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn symlinks_are_skipped_with_one_line_each() {
    use std::os::unix::fs::symlink;
    let fake = fake();
    let tree = Tree::new();
    for i in 0..25 {
        tree.file(&format!("elsewhere/f{i:02}.txt"), b"x");
    }
    tree.file("s/real.txt", b"real");
    symlink(tree.join("elsewhere"), tree.join("s/linked-tree")).unwrap();
    symlink(tree.join("s/real.txt"), tree.join("s/linked-file")).unwrap();
    symlink(tree.join("nowhere"), tree.join("s/dangling")).unwrap();

    let out = putio_up(&fake)
        .arg("upload")
        .arg(tree.join("s"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    let ignored: Vec<&str> = err.lines().filter(|l| l.starts_with("ignored")).collect();
    assert_eq!(
        ignored.len(),
        3,
        "one line per link, none per file behind it: {err}"
    );
    assert!(
        ignored
            .iter()
            .all(|l| l.contains("symbolic link") && l.contains("--follow-links")),
        "{err}"
    );
    assert!(err.contains("3 ignored"), "{err}");
    let names: Vec<String> = remote(&fake).into_keys().collect();
    assert_eq!(names, ["/s", "/s/real.txt"]);
}

#[cfg(unix)]
#[test]
fn follow_links_uploads_link_targets_and_reports_a_loop_once() {
    use std::os::unix::fs::symlink;
    let fake = fake();
    let tree = Tree::new();
    tree.file("outside/o.txt", b"outside");
    tree.file("fl/real/a.txt", b"a");
    symlink(tree.join("outside"), tree.join("fl/linked")).unwrap();
    symlink(tree.join("fl/real/a.txt"), tree.join("fl/alias.txt")).unwrap();
    // A loop: fl/real/up leads back to fl.
    symlink("..", tree.join("fl/real/up")).unwrap();

    let out = putio_up(&fake)
        .args(["upload", "--json", "--follow-links"])
        .arg(tree.join("fl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let names: Vec<String> = remote(&fake).into_keys().collect();
    assert_eq!(
        names,
        [
            "/fl",
            "/fl/alias.txt",
            "/fl/linked",
            "/fl/linked/o.txt",
            "/fl/real",
            "/fl/real/a.txt",
        ]
    );
    let events = json_lines(&out, false);
    let ignored = of_type(&events, "ignored");
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(
        ignored[0]["local"]
            .as_str()
            .unwrap()
            .ends_with("fl/real/up")
    );
    assert!(
        ignored[0]["reason"]
            .as_str()
            .unwrap()
            .contains("symbolic link loop"),
        "{ignored:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("symbolic link loop").count(), 1, "{err}");
}

#[test]
fn flags_beat_environment_beats_config_file() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    let tree = Tree::new();
    // 6 MiB: above the one-request limit for small files, so it goes by tus PATCHes.
    tree.sparse("p/six-mib.bin", 6 << 20);
    let xdg = tree.dir("xdg");
    tree.file(
        "xdg/putio-up/putio-up.toml",
        b"# defaults for this machine\nto = \"/from-config\"\nchunk_size = \"1MiB\"\njobs = 2\n",
    );
    let other = tree.file("other.toml", b"to = \"/from-other-config\"\n");

    let run = |args: &[&str], env: &[(&str, &str)]| -> (Snapshot, u64) {
        fake.reset_stats();
        let mut cmd = putio_up(&fake);
        cmd.env("XDG_CONFIG_HOME", &xdg);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let out = cmd
            .arg("upload")
            .args(args)
            .arg(tree.join("p"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
        let patches = fake.stats().by_route.get("PATCH /files/{id}").copied();
        (remote(&fake), patches.unwrap_or(0))
    };

    // The config file alone: its destination, 1 MiB chunks.
    let (tree_now, patches) = run(&[], &[]);
    assert!(tree_now.contains_key("/from-config/p/six-mib.bin"));
    assert_eq!(patches, 6);

    // The environment beats the file.
    let env = [
        ("PUTIO_UP_TO", "/from-env"),
        ("PUTIO_UP_CHUNK_SIZE", "512KiB"),
    ];
    let (tree_now, patches) = run(&[], &env);
    assert!(tree_now.contains_key("/from-env/p/six-mib.bin"));
    assert_eq!(patches, 12);

    // Flags beat both.
    let (tree_now, patches) = run(&["--to", "/from-flag", "--chunk-size", "3MiB"], &env);
    assert!(tree_now.contains_key("/from-flag/p/six-mib.bin"));
    assert_eq!(patches, 2);

    // --parent-id beats PUTIO_UP_TO, and PUTIO_UP_CONFIG picks another file.
    let target = fake.seed_folder(0, "by-id");
    let (tree_now, _) = run(&["--parent-id", &target.to_string()], &env);
    assert!(tree_now.contains_key("/by-id/p/six-mib.bin"));
    let (tree_now, _) = run(&[], &[("PUTIO_UP_CONFIG", other.to_str().unwrap())]);
    assert!(tree_now.contains_key("/from-other-config/p/six-mib.bin"));
}

#[test]
fn config_file_mistakes_name_the_file_the_key_and_the_fix() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("c/x.txt", b"x");
    let cases: [(&str, &[&str]); 5] = [
        (
            "jobs = 4\njbos = 8\n",
            &["unknown key `jbos`", "line 2", "jobs"],
        ),
        ("jobs = \"many\"\n", &["line 1", "invalid type"]),
        ("jobs = 100\n", &["`jobs`", "1 to 64"]),
        (
            "chunk_size = \"12 parsecs\"\n",
            &["`chunk_size`", "unknown size unit"],
        ),
        ("color = \"sometimes\"\n", &["`color`", "\"never\""]),
    ];
    for (text, wanted) in cases {
        let file = tree.file("bad.toml", text.as_bytes());
        let out = putio_up(&fake)
            .arg("--config")
            .arg(&file)
            .arg("upload")
            .arg(tree.join("c"))
            .output()
            .unwrap();
        let err = output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(file.to_str().unwrap()), "{err}");
        for want in wanted {
            assert!(err.contains(want), "{text}: wanted {want:?} in {err}");
        }
    }
    let out = putio_up(&fake)
        .env("PUTIO_UP_CONFIG", tree.join("missing.toml"))
        .arg("upload")
        .arg(tree.join("c"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = output_text(&out);
    assert!(
        err.contains("missing.toml") && err.contains("no such file"),
        "{err}"
    );
    assert_eq!(fake.stats().requests, 0, "nothing was sent");
}

/// (what, arguments, environment, coloured)
type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>, bool);

#[test]
fn colour_follows_the_flag_the_environment_the_config_and_no_color() {
    let tree = Tree::new();
    tree.file("k/x.txt", b"x");
    let always = tree.file("always.toml", b"color = \"always\"\n");
    let green = "\x1b[32muploaded\x1b[0m";

    let config = always.to_str().unwrap();
    let cases: Vec<Case> = vec![
        ("not a terminal", vec![], vec![], false),
        ("--color always", vec!["--color", "always"], vec![], true),
        (
            "PUTIO_UP_COLOR",
            vec![],
            vec![("PUTIO_UP_COLOR", "always")],
            true,
        ),
        ("config file", vec!["--config", config], vec![], true),
        (
            "config beats NO_COLOR",
            vec!["--config", config],
            vec![("NO_COLOR", "1")],
            true,
        ),
        (
            "--color never beats config",
            vec!["--config", config, "--color", "never"],
            vec![],
            false,
        ),
    ];
    for (what, args, env, colour) in cases {
        // A fresh fake each time, so that every run uploads.
        let fake = fake();
        let mut cmd = putio_up(&fake);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let out = cmd
            .args(args)
            .arg("upload")
            .arg(tree.join("k"))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{what}: {err}");
        assert_eq!(err.contains(green), colour, "{what}: {err:?}");
        if !colour {
            assert!(!err.contains('\x1b'), "{what}: {err:?}");
        }
    }
}

#[test]
fn every_command_has_help_with_examples_and_upload_names_its_variables() {
    use clap::CommandFactory;
    let fake = fake();
    let mut commands = vec![Vec::new()];
    for sub in putio_up::cli::Cli::command().get_subcommands() {
        commands.push(vec![sub.get_name().to_owned()]);
    }
    for command in commands {
        let out = putio_up(&fake)
            .args(&command)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8(out.stdout).unwrap();
        let examples = help.split_once("Examples:\n").map(|(_, rest)| rest);
        assert!(
            examples.is_some_and(|text| text.contains("putio-up ")),
            "{command:?}: {help}"
        );
    }
    let out = putio_up(&fake).args(["upload", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "PUTIO_API_URL",
        "PUTIO_UPLOAD_URL",
        "PUTIO_UP_CONFIG",
        "PUTIO_UP_COLOR",
        "PUTIO_UP_TO",
        "PUTIO_UP_PARENT_ID",
        "PUTIO_UP_JOBS",
        "PUTIO_UP_CHUNK_SIZE",
        "PUTIO_UP_RETRIES",
        "PUTIO_UP_JSON",
        "PUTIO_UP_DRY_RUN",
        "PUTIO_UP_EXCLUDE_FROM",
        "PUTIO_UP_NO_HIDDEN",
        "PUTIO_UP_FOLLOW_LINKS",
    ] {
        assert!(help.contains(var), "upload --help names {var}");
    }
    let out = putio_up(&fake).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "PUTIO_TOKEN",
        "PUTIO_CLIENT_ID",
        "PUTIO_CLIENT_SECRET",
        "NO_COLOR",
    ] {
        assert!(help.contains(var), "--help names {var}");
    }
}

/// The committed completions and man pages are what the binary prints. To regenerate them
/// after changing the CLI: `UPDATE_GENERATED=1 cargo test --test scripting generated`.
#[test]
fn generated_completions_and_man_pages_match_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut files: Vec<(Vec<String>, String)> = [
        ("bash", "completions/putio-up.bash"),
        ("zsh", "completions/_putio-up"),
        ("fish", "completions/putio-up.fish"),
        ("powershell", "completions/_putio-up.ps1"),
        ("elvish", "completions/putio-up.elv"),
    ]
    .iter()
    .map(|(shell, file)| (vec!["completions".into(), (*shell).into()], (*file).into()))
    .collect();
    files.push((vec!["man".into()], "man/putio-up.1".into()));
    for page in putio_up::generate::pages() {
        files.push((
            vec!["man".into(), page.clone()],
            format!("man/putio-up-{page}.1"),
        ));
    }

    let fake = fake();
    let mut stale = Vec::new();
    for (args, file) in &files {
        let out = putio_up(&fake).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let path = root.join(file);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&out.stdout[..]) {
            stale.push(file.clone());
        }
    }
    // No page left behind for a command that is gone.
    let wanted: BTreeSet<&str> = files.iter().map(|(_, file)| file.as_str()).collect();
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let file = format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy());
            if !wanted.contains(file.as_str()) {
                if update {
                    std::fs::remove_file(root.join(&file)).unwrap();
                } else {
                    stale.push(file);
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files differ from what the binary prints: {stale:?}; regenerate them with \
         `UPDATE_GENERATED=1 cargo test --test scripting generated` and commit the result"
    );
}
