//! What goes up: exclude and include patterns, hidden files, symbolic links.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::json::{json_lines, of_type};
use crate::support::tree::expected;
use crate::support::{Tree, fake, output_text, putio_up, remote};

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
