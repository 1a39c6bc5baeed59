//! Help texts, and the committed completions and man pages against what the binary prints.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{fake, putio_up};

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
/// after changing the CLI: `UPDATE_GENERATED=1 cargo test --test it help::generated`.
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
         `UPDATE_GENERATED=1 cargo test --test it help::generated` and commit the result"
    );
}
