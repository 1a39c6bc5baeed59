//! The config file and precedence (flag, environment, file, default), its mistakes, and
//! colour.

use crate::support::{Snapshot, Tree, fake, fake_with, output_text, putio_up, remote};
use fake_putio::Options;

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
        ("PUTIO_UP_CHUNK_SIZE", "2MiB"),
    ];
    let (tree_now, patches) = run(&[], &env);
    assert!(tree_now.contains_key("/from-env/p/six-mib.bin"));
    assert_eq!(patches, 3);

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
        (
            "jobs = \"many\"\n",
            &["line 1", "`jobs` must be a whole number"],
        ),
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
