//! What a person types and reads (issue 14, items 10–12, 14–16): names on one line, messages
//! that name the real source and fix, values refused with a reason, the conflict policy,
//! help text, and runs that create nothing when nothing can or should be sent.

use fake_putio::{Faults, Options};

use crate::support::{Tree, fake, fake_with, output_text, putio_up, putio_up_std, remote};

fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (out.status.code(), output_text(&out))
}

// Item 10: names.
#[cfg(unix)]
#[test]
fn odd_names_stay_on_one_line_and_every_change_is_reported() {
    use std::os::unix::ffi::OsStrExt;
    let fake = fake();
    let tree = Tree::new();
    tree.file("n/new\nline.txt", b"1");
    tree.file("n/e\u{301}te\u{301}.txt", b"2");
    let bad = tree
        .join("n")
        .join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
    std::fs::write(&bad, b"3").unwrap();
    let (code, text) = run(putio_up(&fake).arg("upload").arg(tree.join("n")));
    assert_eq!(code, Some(0), "{text}");
    let renamed: Vec<&str> = text.lines().filter(|l| l.starts_with("renamed")).collect();
    assert_eq!(renamed.len(), 3, "{text}");
    assert!(
        renamed
            .iter()
            .any(|l| l.contains("new\\nline.txt -> new_line.txt")),
        "{text}"
    );
    assert!(
        renamed
            .iter()
            .any(|l| l.contains("bad\\xffname.txt -> bad\u{fffd}name.txt")),
        "{text}"
    );
    assert!(
        renamed.iter().any(|l| l.ends_with("-> \u{e9}t\u{e9}.txt")),
        "{text}"
    );
    let tree_now = remote(&fake);
    for name in ["new_line.txt", "\u{e9}t\u{e9}.txt", "bad\u{fffd}name.txt"] {
        assert!(tree_now.contains_key(&format!("/n/{name}")), "{tree_now:?}");
    }
}

// Item 11: messages.
#[test]
fn messages_name_the_real_source_and_say_it_once() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("m/a.txt", b"a");

    // A wrong PUTIO_TOKEN: the same words from upload and whoami, and no `putio-up login`.
    let mut texts = Vec::new();
    for args in [
        vec!["upload", tree.join("m").to_str().unwrap()],
        vec!["whoami"],
    ] {
        let (code, text) = run(putio_up(&fake).env("PUTIO_TOKEN", "wrong").args(&args));
        assert_eq!(code, Some(3), "{text}");
        assert!(
            text.contains("token from environment (PUTIO_TOKEN)"),
            "{text}"
        );
        assert!(text.contains("set PUTIO_TOKEN to a current"), "{text}");
        assert!(!text.contains("run `putio-up login`"), "{text}");
        texts.push(text.lines().last().unwrap_or_default().to_owned());
    }
    assert_eq!(texts[0], texts[1]);

    // An unreachable API: the cause once, without "os error".
    let (code, text) = run(putio_up(&fake)
        .env("PUTIO_API_URL", "http://127.0.0.1:1")
        .arg("whoami"));
    assert_eq!(code, Some(4), "{text}");
    assert_eq!(text.matches("refused").count(), 1, "{text}");
    assert!(!text.contains("os error"), "{text}");

    // A variable that is wrong is named as the variable.
    let (code, text) = run(putio_up(&fake)
        .env("PUTIO_UP_JOBS", "abc")
        .arg("upload")
        .arg(tree.join("m")));
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("PUTIO_UP_JOBS is `abc`"), "{text}");
    assert!(!text.contains("--jobs"), "{text}");

    // Config values in plain words, and no README.md for an installed user.
    let bad = tree.file("bad.toml", b"jobs = \"eight\"\n");
    let (code, text) = run(putio_up(&fake)
        .arg("--config")
        .arg(&bad)
        .arg("upload")
        .arg(tree.join("m")));
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("`jobs` must be a whole number"), "{text}");
    assert!(!text.contains("u16") && !text.contains("eight"), "{text}");
    let typo = tree.file("typo.toml", b"jbos = 8\n");
    let (_, text) = run(putio_up(&fake)
        .arg("--config")
        .arg(&typo)
        .arg("upload")
        .arg(tree.join("m")));
    assert!(
        text.contains("putio-up upload --help") && !text.contains("README"),
        "{text}"
    );
    assert!(remote(&fake).is_empty());
}

#[test]
fn a_rate_limit_with_no_retries_is_not_called_unreachable() {
    let fake = fake_with(Options {
        faults: Faults {
            rate_limit_every: 1,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("r/a.txt", b"a");
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--retries", "0"])
        .arg(tree.join("r")));
    assert_eq!(code, Some(4), "{text}");
    assert!(text.contains("429"), "{text}");
    assert!(!text.contains("cannot reach"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_config_folder_that_cannot_be_read_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let fake = fake();
    let tree = Tree::new();
    tree.file("c/a.txt", b"a");
    let locked = tree.dir("xdg/putio-up");
    let mut cmd = putio_up_std(&fake);
    cmd.env("XDG_CONFIG_HOME", tree.join("xdg"))
        .args(["upload", "--dry-run"])
        .arg(tree.join("c"));
    // Root reads every folder: run as nobody then, from a copy of the binary nobody can reach.
    let mut cmd = if nix_root() {
        let open = |path: &std::path::Path, mode| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        for folder in [tree.path(), &tree.join("xdg"), &tree.join("c")] {
            open(folder, 0o755);
        }
        open(&tree.join("c/a.txt"), 0o644);
        let bin = tree.join("putio-up");
        std::fs::copy(cmd.get_program(), &bin).unwrap();
        open(&bin, 0o755);
        as_nobody(&cmd, &bin)
    } else {
        cmd
    };
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = cmd.output().unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    let config = locked.join("putio-up.toml");
    assert!(
        text.contains(&format!(
            "cannot look for the config file {}: its folder {} cannot be read; fix it, or set PUTIO_UP_CONFIG_DIR to another folder",
            config.display(),
            locked.display()
        )),
        "{text}"
    );
}

#[test]
fn a_config_folder_that_is_a_file_is_named() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("c/a.txt", b"a");
    let file = tree.file("not-a-folder", b"x");
    let (code, text) = run(putio_up(&fake)
        .env("PUTIO_UP_CONFIG_DIR", &file)
        .args(["upload", "--dry-run"])
        .arg(tree.join("c")));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "{} is a file, not a folder; fix it, or set PUTIO_UP_CONFIG_DIR",
            file.display()
        )),
        "{text}"
    );
    let (code, text) = run(putio_up(&fake)
        .arg("--config")
        .arg(file.join("sub/putio-up.toml"))
        .args(["upload", "--dry-run"])
        .arg(tree.join("c")));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "{} is a file, not a folder; give another file with --config",
            file.display()
        )),
        "{text}"
    );
    assert_eq!(fake.stats().requests, 0, "nothing was sent");
}

#[cfg(unix)]
fn nix_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// `cmd` (its arguments and environment) run from `bin` as the unprivileged user 65534,
/// through util-linux's `setpriv`.
#[cfg(unix)]
fn as_nobody(cmd: &std::process::Command, bin: &std::path::Path) -> std::process::Command {
    let mut nobody = std::process::Command::new("setpriv");
    nobody
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin)
        .args(cmd.get_args())
        .env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            nobody.env(key, value);
        }
    }
    nobody
}

// Item 12: bad values.
#[test]
fn bad_values_are_refused_before_anything_is_sent() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("v/a.txt", b"a");
    let cases: [(&[&str], &str); 5] = [
        (&["--chunk-size", "1"], "at least 1MiB"),
        (&["--to", ""], "--to is empty"),
        (&["--to", "/a/ /b"], "cannot be blank"),
        (&["--to", "/with:colon"], "use `with_colon`"),
        (&["--retries", "1000"], "0..=100"),
    ];
    for (args, wanted) in cases {
        let (code, text) = run(putio_up(&fake).arg("upload").args(args).arg(tree.join("v")));
        assert_eq!(code, Some(2), "{args:?}: {text}");
        assert!(
            text.contains(wanted),
            "{args:?}: wanted {wanted:?} in {text}"
        );
    }
    assert!(remote(&fake).is_empty());
    // Whitespace around the whole path is trimmed.
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--to", "/trailing/ "])
        .arg(tree.join("v")));
    assert_eq!(code, Some(0), "{text}");
    assert!(remote(&fake).contains_key("/trailing/v/a.txt"));
}

#[test]
fn retries_count_retries_and_say_attempt_once() {
    let fake = fake_with(Options {
        faults: Faults {
            error_5xx: 1.0,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("t/a.txt", b"a");
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--retries", "0"])
        .arg(tree.join("t")));
    assert_ne!(code, Some(0), "{text}");
    assert!(
        !text.contains("1 attempts") && !text.contains("1 tries"),
        "{text}"
    );
}

// Item 14: --on-conflict.
#[test]
fn on_conflict_fails_skips_overwrites_or_renames() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("b/doc.txt", b"version one");
    let (code, text) = run(putio_up(&fake).arg("upload").arg(tree.join("b")));
    assert_eq!(code, Some(0), "{text}");
    tree.file("b/doc.txt", b"version two, longer");
    let upload = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = putio_up(&fake);
        for (key, value) in env {
            cmd.env(key, value);
        }
        run(cmd.arg("upload").args(args).arg(tree.join("b")))
    };
    let size = |path: &str| remote(&fake).get(path).map(|(size, _)| *size);

    let (code, text) = upload(&[], &[]);
    assert_eq!(code, Some(1), "fail is the default: {text}");
    assert!(text.contains("--on-conflict"), "{text}");
    let (code, text) = upload(&[], &[("PUTIO_UP_ON_CONFLICT", "skip")]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(size("/b/doc.txt"), Some(11));

    let (code, text) = upload(&["--on-conflict", "rename"], &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("doc (1).txt"), "{text}");
    assert_eq!(size("/b/doc.txt"), Some(11));
    assert_eq!(size("/b/doc (1).txt"), Some(19));
    // Again: the renamed copy is recognised, no third copy.
    let (code, text) = upload(&["--on-conflict", "rename"], &[]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(remote(&fake).len(), 3, "{text}");

    let config = tree.file("c.toml", b"on_conflict = \"overwrite\"\n");
    let (code, text) = upload(&["--config", config.to_str().unwrap()], &[]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(size("/b/doc.txt"), Some(19));

    let (code, text) = upload(&["--on-conflict", "sometimes"], &[]);
    assert_eq!(code, Some(2), "{text}");
    let (code, text) = upload(&["--on-conflict", "skip", "--overwrite"], &[]);
    assert_eq!(code, Some(2), "{text}");
}

// Item 15: help.
#[test]
fn upload_help_is_grouped_and_shows_ranges_not_empty_variables() {
    let fake = fake();
    let out = putio_up(&fake)
        .env("PUTIO_UP_JOBS", "3")
        .args(["upload", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for heading in ["Destination:", "Transfer:", "Filters:", "Output:"] {
        assert!(help.contains(heading), "{heading} in {help}");
    }
    assert!(!help.contains("=]"), "no `[env: X=]`: {help}");
    assert!(
        help.contains("1 to 64") && help.contains("0 to 100"),
        "{help}"
    );
    assert!(help.contains("instead of progress bars"), "{help}");
    let (_, login) = run(putio_up(&fake).args(["login", "--help"]));
    assert!(
        login.contains("app.put.io/link from another device"),
        "{login}"
    );
    assert!(
        login.contains("putio-up login                  # browser"),
        "{login}"
    );
    // The origins come from the environment, yet usage shows only what was typed.
    let (code, text) = run(putio_up(&fake).arg("upload"));
    assert_eq!(code, Some(2));
    assert!(
        !text.contains("--api-url") && !text.contains("--upload-url"),
        "{text}"
    );
}

// Item 16: nothing created when nothing can or should be sent.
#[test]
fn a_full_account_is_refused_before_any_folder_is_created() {
    let fake = fake_with(Options {
        disk_size: 1000,
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("f/sub/big.bin", &[7; 3000]);
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--to", "/Backups"])
        .arg(tree.join("f")));
    assert_eq!(code, Some(4), "{text}");
    assert!(text.contains("not enough space"), "{text}");
    assert!(remote(&fake).is_empty(), "{:?}", remote(&fake));
}

#[test]
fn include_matching_nothing_creates_nothing_and_says_so() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("i/a.txt", b"a");
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--include", "*.jpg", "--to", "/pics"])
        .arg(tree.join("i")));
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("nothing matched --include"), "{text}");
    assert!(remote(&fake).is_empty(), "{:?}", remote(&fake));
}

#[test]
fn a_corrupt_journal_is_replaced_with_a_warning() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("j/a.txt", b"a");
    let state = crate::support::state_dir(&fake);
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("journal.json"), b"{ not json").unwrap();
    let (code, text) = run(putio_up(&fake).arg("upload").arg(tree.join("j")));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("resume journal") && l.contains("could not be read")),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn the_scan_count_says_what_it_left_out() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("s/a.txt", b"a");
    tree.file("s/b.tmp", b"b");
    tree.file("s/c.txt", b"c");
    std::os::unix::fs::symlink("/nowhere", tree.join("s/link")).unwrap();
    let (code, text) = run(putio_up(&fake)
        .args(["upload", "--exclude", "*.tmp"])
        .arg(tree.join("s")));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("scanned   2 files (2 B) in 1 folder, 2 more left out"),
        "{text}"
    );
}
