//! Scripting and CI: `--dry-run`, filters, symlinks, the config file and its precedence.

mod support;

use fake_putio::Options;
use support::tree::expected;
use support::{Snapshot, Tree, fake, fake_with, output_text, putio_up, remote};

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
fn dry_run_prints_the_plan_and_writes_nothing() {
    let fake = fake();
    fake.seed_folder(0, "Backups");
    let tree = Tree::new();
    tree.file("d/a.txt", b"a");
    tree.file("d/sub/b.txt", b"bb");
    tree.dir("d/empty");

    let before = remote(&fake);
    let out = putio_up(&fake)
        .args(["upload", "--dry-run", "--to", "/Backups/2026"])
        .arg(tree.join("d"))
        .output()
        .unwrap();
    let human = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{human}");
    assert_eq!(writes(&fake), Vec::<String>::new(), "a dry run only reads");
    assert_eq!(remote(&fake), before, "a dry run changes nothing");
    assert!(human.contains("would create /Backups/2026/"), "{human}");
    assert!(human.contains("would create d/sub/"), "{human}");
    assert!(human.contains("would upload d/sub/b.txt (2 B)"), "{human}");
    assert!(human.contains("Dry run: would upload 2 files"), "{human}");
    assert!(human.contains("nothing was changed on put.io"), "{human}");
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
        .args(["upload", "-v", "--exclude", "*.tmp", "--exclude", "cache/"])
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
    // A left-out folder is one line; its content is never listed.
    let err = String::from_utf8_lossy(&out.stderr);
    let excluded: Vec<&str> = err.lines().filter(|l| l.starts_with("excluded")).collect();
    assert_eq!(excluded.len(), 4, "{err}");
    for (path, rule) in [
        ("build", "/build"),
        ("cache", "cache/"),
        ("logs/a.log", "*.log"),
        ("notes.tmp", "*.tmp"),
    ] {
        let line = format!("{} ({rule})", tree.join("f").join(path).display());
        assert!(excluded.iter().any(|l| l.ends_with(&line)), "{line}: {err}");
    }
    assert!(err.contains("4 excluded"), "{err}");

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
        .args(["upload", "-v", "--include", "*.jpg", "--include", "raw/"])
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
    let err = String::from_utf8_lossy(&out.stderr);
    let excluded: Vec<&str> = err.lines().filter(|l| l.starts_with("excluded")).collect();
    assert_eq!(excluded.len(), 3, "{err}");
    for path in ["b.txt", "docs", "pics/d.txt"] {
        let line = format!(
            "{} (not matched by --include)",
            tree.join("g").join(path).display()
        );
        assert!(excluded.iter().any(|l| l.ends_with(&line)), "{line}: {err}");
    }
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
        .args(["upload", "--follow-links"])
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
    let err = String::from_utf8_lossy(&out.stderr);
    let ignored: Vec<&str> = err.lines().filter(|l| l.starts_with("ignored")).collect();
    assert_eq!(ignored.len(), 1, "{err}");
    assert!(
        ignored[0].contains("fl/real/up: symbolic link loop"),
        "{err}"
    );
}

#[test]
fn flags_beat_environment_beats_config_file() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    let tree = Tree::new();
    tree.sparse("p/three-mib.bin", 3 << 20);
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
    assert!(tree_now.contains_key("/from-config/p/three-mib.bin"));
    assert_eq!(patches, 3);

    // The environment beats the file.
    let env = [
        ("PUTIO_UP_TO", "/from-env"),
        ("PUTIO_UP_CHUNK_SIZE", "512KiB"),
    ];
    let (tree_now, patches) = run(&[], &env);
    assert!(tree_now.contains_key("/from-env/p/three-mib.bin"));
    assert_eq!(patches, 6);

    // Flags beat both.
    let (tree_now, patches) = run(&["--to", "/from-flag", "--chunk-size", "3MiB"], &env);
    assert!(tree_now.contains_key("/from-flag/p/three-mib.bin"));
    assert_eq!(patches, 1);

    // --parent-id beats PUTIO_UP_TO, and PUTIO_UP_CONFIG picks another file.
    let target = fake.seed_folder(0, "by-id");
    let (tree_now, _) = run(&["--parent-id", &target.to_string()], &env);
    assert!(tree_now.contains_key("/by-id/p/three-mib.bin"));
    let (tree_now, _) = run(&[], &[("PUTIO_UP_CONFIG", other.to_str().unwrap())]);
    assert!(tree_now.contains_key("/from-other-config/p/three-mib.bin"));
}

#[test]
fn config_file_mistakes_name_the_file_the_key_and_the_fix() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("c/x.txt", b"x");
    let cases: [(&str, &[&str]); 4] = [
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
