//! Issue 14, as a person sees it: closed pipes, a host that is down, retries and stalls,
//! where files go, Ctrl-C, CI logs, and on a real terminal (tmux) the bars at 80 and 120
//! columns, `--json` and `TERM=dumb`. Each test is a command one could type, checked from
//! outside: exit code, the text of the run, its NDJSON, the fake's tree.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use crate::support::tree::expected;
use crate::support::{
    Tree, fake, fake_with, interrupt, output_text, putio_up, putio_up_std, remote, wait_for,
};
use fake_putio::{FakePutio, Faults, Options};

const MIB: u64 = 1 << 20;

/// Every line of NDJSON output, parsed.
fn parse_json(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
        .collect()
}

fn run(fake: &FakePutio, args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let out = putio_up(fake).args(args).arg(dir).output().unwrap();
    (out.status.code(), output_text(&out))
}

/// A port on this machine where nothing listens: connections are refused at once.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

// 1. A closed pipe ends the program quietly.

#[test]
fn generated_text_into_a_closed_pipe_is_no_error() {
    let fake = fake();
    for args in [&["man"][..], &["completions", "bash"]] {
        let mut child = putio_up_std(&fake)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // `| head` that has read enough
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn logs_into_a_closed_pipe_do_not_stop_the_upload() {
    let fake = fake_with(Options {
        faults: Faults {
            drop: 0.1,
            seed: 14,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..30 {
        tree.random(&format!("pipe/f{i:02}.bin"), 2000 + i * 10, i);
    }
    // `putio-up upload DIR -v 2>&1 | head -2`: both streams go to a reader that left.
    let mut child = putio_up_std(&fake)
        .args(["upload", "-vv", "--retries", "12"])
        .arg(tree.join("pipe"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "no panic (101), no error");
    assert_eq!(remote(&fake), expected(&tree.join("pipe"), "/pipe"));
}

// 2. An upload host that is down stops the run.

#[test]
fn an_unreachable_upload_host_stops_the_run() {
    let fake = fake();
    let tree = Tree::new();
    for i in 0..40 {
        tree.file(&format!("down/f{i:02}.txt"), b"hello");
    }
    let port = closed_port();
    let out = putio_up(&fake)
        .env("PUTIO_UPLOAD_URL", format!("http://127.0.0.1:{port}"))
        .args(["upload", "--json"])
        .arg(tree.join("down"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(
        text.contains(&format!(
            "cannot reach 127.0.0.1:{port} (connection refused); nothing more was sent"
        )),
        "{text}"
    );
    let files = remote(&fake)
        .into_iter()
        .filter(|(_, v)| v.1.is_some())
        .count();
    assert_eq!(files, 0);
    // Not every file retried to the end and failed in turn: the run stopped as a whole.
    let events = parse_json(&String::from_utf8_lossy(&out.stdout));
    let failed = events.iter().filter(|e| e["type"] == "file_failed").count();
    assert!(failed < 40, "{failed} files failed one by one");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "error" && e["exit_code"] == 4)
    );
}

// 3. Retries are visible and counted; 16: no rate for a run that sent nothing.

#[test]
fn retries_are_told_and_counted() {
    let fake = fake_with(Options {
        faults: Faults {
            error_5xx: 0.2,
            rate_limit_every: 10,
            rate_limit_reset_secs: 1,
            seed: 7,
            ..Faults::default()
        },
        ..Options::default()
    });
    let tree = Tree::new();
    for i in 0..24 {
        tree.random(&format!("retry/d{}/f{i:02}.bin", i % 3), 3000 + i * 7, i);
    }
    let out = putio_up(&fake)
        .args(["upload", "--json", "--retries", "20"])
        .arg(tree.join("retry"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(remote(&fake), expected(&tree.join("retry"), "/retry"));
    let note = err
        .lines()
        .find(|l| l.starts_with("retrying"))
        .unwrap_or_else(|| panic!("no retry line at default verbosity: {err}"));
    // --retries 20: 21 attempts in all. The cause comes last, for bars to cut.
    assert!(note.contains(" s (attempt 2/21): "), "{note}");
    assert_eq!(note.matches("retrying").count(), 1, "the verb once: {note}");
    assert!(
        err.contains("429 Too Many Requests") || err.contains("50"),
        "{err}"
    );
    let events = parse_json(&String::from_utf8_lossy(&out.stdout));
    let summary = events.last().unwrap();
    let retried = summary["retried"].as_u64().unwrap();
    assert!(retried > 0, "{summary}");
    assert!(
        err.contains(&format!("; {retried} requests retried")),
        "the summary ends with the count: {err}"
    );
    assert!(summary["sent_bytes"].as_u64().unwrap() > 0);
}

// 7. CI logs: counts, not a line per skipped file; no escape codes; -vvv's request log.

#[test]
fn a_no_op_rerun_is_a_few_plain_lines() {
    let fake = fake();
    let tree = Tree::new();
    for i in 0..50 {
        tree.file(&format!("ci/f{i:02}.txt"), format!("file {i}").as_bytes());
    }
    let (code, first) = run(&fake, &["upload", "--color", "never"], &tree.join("ci"));
    assert_eq!(code, Some(0), "{first}");
    assert!(
        first.contains("/s)"),
        "a run that sent bytes has a rate: {first}"
    );

    let (code, again) = run(&fake, &["upload", "--color", "never"], &tree.join("ci"));
    assert_eq!(code, Some(0), "{again}");
    assert!(!again.contains("skipped   "), "{again}");
    assert!(again.contains("50 already there"), "{again}");
    assert!(again.contains("50 skipped"), "{again}");
    assert!(!again.contains("B/s)"), "no rate after a no-op: {again}");
    assert!(again.lines().count() < 6, "{again}");

    let (code, verbose) = run(
        &fake,
        &["upload", "-vv", "--color", "never"],
        &tree.join("ci"),
    );
    assert_eq!(code, Some(0), "{verbose}");
    assert_eq!(verbose.matches("skipped   ").count(), 50, "{verbose}");
    assert!(
        !verbose.contains('\x1b'),
        "escape codes in a pipe: {verbose:?}"
    );
}

#[test]
fn vvv_logs_each_request_without_the_token() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("vvv/a.txt", b"a");
    tree.random("vvv/big.bin", 6 * MIB, 3);
    let (code, text) = run(&fake, &["upload", "-vvv"], &tree.join("vvv"));
    assert_eq!(code, Some(0), "{text}");
    let requests: Vec<&str> = text.lines().filter(|l| l.contains(" -> ")).collect();
    assert!(
        requests
            .iter()
            .any(|l| l.contains("GET 127.0.0.1/v2/account/info -> 200 in ")),
        "{text}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains("PATCH ") && l.contains("-> 204")),
        "{text}"
    );
    assert!(!text.contains(&fake.token()), "the token is never logged");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "{text}"
    );
}

// 11, 15: switches set in the environment are not shown as typed.

#[test]
fn usage_lines_show_only_what_was_typed() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("u/a.txt", b"a");
    let env = [("PUTIO_UP_JSON", "1"), ("PUTIO_UP_DRY_RUN", "yes")];
    let cases: [(&[&str], &str); 4] = [
        (&["upload"], "Usage: putio-up upload <PATH>..."),
        (&["watch"], "Usage: putio-up watch <PATH>..."),
        (
            &["upload", "--to", "/x", "--parent-id", "3", "u"],
            "Usage: putio-up upload --to <PATH> <PATH>...",
        ),
        (
            &["upload", "u", "--bogus"],
            "Usage: putio-up upload <PATH>...",
        ),
    ];
    for (args, usage) in cases {
        let out = putio_up(&fake)
            .envs(env)
            .current_dir(tree.path())
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.lines().any(|l| l == usage), "{args:?}: {err}");
        assert!(
            !err.contains("--json") && !err.contains("--dry-run"),
            "{err}"
        );
    }
    // Typed, it is shown.
    let out = putio_up(&fake).args(["upload", "--json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Usage: putio-up upload --json <PATH>..."),
        "{err}"
    );

    // A wrong value of a variable names the variable, not a flag nobody typed.
    for (var, value) in [("PUTIO_UP_JSON", "maybe"), ("PUTIO_UP_COLOR", "sometimes")] {
        let out = putio_up(&fake)
            .env(var, value)
            .args(["upload"])
            .arg(tree.join("u"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("invalid value '{value}' for '{var}'")),
            "{err}"
        );
    }
}

// 4 (in a pipe), 16: the header, and failures listed by one kind of path.

#[test]
fn the_destination_comes_first_and_failures_read_alike() {
    let fake = fake();
    fake.reject_uploads_named("bad.bin", 400, "REJECTED");
    let tree = Tree::new();
    tree.file("where/ok.txt", b"ok");
    tree.file("where/sub/bad.bin", b"bad");
    // Two local names that become one put.io name: a failure of the walk.
    tree.file("where/clash/a\u{1}b.txt", b"1");
    tree.file("where/clash/a_b.txt", b"2");
    // 10: a newline in a failing file's name neither splits its line nor the list.
    tree.file("where/clash/a\nb.txt", b"3");
    let (code, text) = run(
        &fake,
        &["upload", "--to", "/Backups/2026"],
        &tree.join("where"),
    );
    assert_eq!(code, Some(1), "{text}");
    let first = text.lines().next().unwrap();
    assert!(
        first.ends_with("where → put.io:/Backups/2026/where"),
        "{text}"
    );
    let list = text.split("Failed:").nth(1).expect("a failure list");
    let tmp = tree.path().to_string_lossy().into_owned();
    for line in list.lines().skip(1) {
        assert!(line.starts_with("  where/"), "{line}");
        assert!(!line.contains(&tmp), "no absolute paths: {line}");
    }
    assert!(list.contains("  where/sub/bad.bin: "), "{list}");
    assert!(
        list.contains("  where/clash/a\\nb.txt: its put.io name `a_b.txt` is already taken by `a\\u{1}b.txt` in the same folder"),
        "{list}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("failed    where/clash/a\\nb.txt: ")),
        "{text}"
    );
}

// 5, 6, 16: Ctrl-C while a stalled file is sent; the next run resumes it and counts only
// what it sent.

/// Starts `putio-up ARGS DIR`, collecting stderr as it comes.
fn start(
    fake: &FakePutio,
    args: &[&str],
    dir: &std::path::Path,
) -> (std::process::Child, Arc<Mutex<String>>) {
    let mut child = putio_up_std(fake)
        .args(args)
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let collect = Arc::clone(&seen);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut seen = collect.lock().unwrap();
            seen.push_str(&line);
            seen.push('\n');
        }
    });
    (child, seen)
}

#[test]
fn ctrl_c_names_the_paused_files_and_the_next_run_counts_only_its_bytes() {
    let fake = fake_with(Options {
        store_bytes: false,
        ..Options::default()
    });
    let tree = Tree::new();
    tree.file("int/small.txt", b"small");
    tree.random("int/big.bin", 48 * MIB, 9);
    // The server takes bytes slowly, then not at all: the body stalls.
    fake.set_patch_rate(Some(4 * MIB));
    let (mut child, seen) = start(
        &fake,
        &["upload", "--json", "--chunk-size", "64MiB"],
        &tree.join("int"),
    );
    wait_for("some bytes", || fake.stats().patch_bytes >= 8 * MIB);
    fake.set_patch_rate(Some(1));
    wait_for("the stall to be told", || {
        seen.lock()
            .unwrap()
            .contains("stalled   int/big.bin: no progress for 10 s")
    });
    interrupt(&child);
    wait_for("Ctrl-C to be acknowledged", || {
        seen.lock().unwrap().contains("stopping: ")
    });
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    let status = child.wait().unwrap();
    let err = seen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("Paused, to resume on the next run:\n  int/big.bin"),
        "{err}"
    );
    let events = parse_json(&stdout);
    let paused: Vec<_> = events
        .iter()
        .filter(|e| e["type"] == "file_paused")
        .collect();
    assert_eq!(paused.len(), 1, "{stdout}");
    assert_eq!(paused[0]["remote"], "int/big.bin");
    assert_eq!(events.last().unwrap()["paused"], 1);
    let before = fake.stats().patch_bytes;
    assert!(before < 48 * MIB);

    fake.set_patch_rate(None);
    let out = putio_up(&fake)
        .args(["upload", "--json", "--chunk-size", "64MiB"])
        .arg(tree.join("int"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("int"), "/int"));
    let events = parse_json(&String::from_utf8_lossy(&out.stdout));
    assert!(events.iter().any(|e| e["type"] == "file_resumed"));
    let sent = events.last().unwrap()["sent_bytes"].as_u64().unwrap();
    // This run sent what was left, not the whole file: its rate is of these bytes.
    let resumed_at = events.iter().find(|e| e["type"] == "file_resumed").unwrap()["offset"]
        .as_u64()
        .unwrap();
    assert!(resumed_at > 0);
    assert_eq!(sent, 48 * MIB - resumed_at, "{events:?}");
}

// 4, 5, 8, 9, 13: on a real terminal, at 80 and 120 columns.

mod terminal {
    use super::*;
    use std::time::Duration;

    /// A tmux server of this test's own, with one pane running a command.
    struct Pane {
        socket: String,
    }

    impl Pane {
        /// `None` (with a note) where tmux is missing; under CI that fails the test.
        #[allow(clippy::print_stderr)] // the note says why nothing was checked
        fn start(width: usize, env: &[(&str, String)], command: &str) -> Option<Pane> {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            if std::process::Command::new("tmux")
                .arg("-V")
                .output()
                .is_err()
            {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "tmux is missing: .ci/run installs it"
                );
                eprintln!("note: tmux is missing, terminal checks skipped");
                return None;
            }
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let socket = format!("putio-up-test-{}-{n}", std::process::id());
            let mut line = String::from("env -i");
            for (key, value) in env {
                line.push(' ');
                line.push_str(key);
                line.push('=');
                line.push_str(&quote(value));
            }
            line.push(' ');
            line.push_str(command);
            line.push_str("; echo EXIT=$?; sleep 600");
            // The shell catches Ctrl-C (so that it lives to print the exit code); the
            // command it starts gets the default, as from an interactive shell.
            let line = format!("trap true INT; {line}");
            let status = std::process::Command::new("tmux")
                .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
                .args(["-x", &width.to_string(), "-y", "40", &line])
                .status()
                .unwrap();
            assert!(status.success());
            Some(Pane { socket })
        }

        /// The screen, one row a line, trailing blanks removed: a line that was too long
        /// fills its row to the last column and goes on in the next.
        fn screen(&self) -> String {
            let out = std::process::Command::new("tmux")
                .args(["-L", &self.socket, "capture-pane", "-p"])
                .output()
                .unwrap();
            let mut screen = String::new();
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                screen.push_str(line.trim_end());
                screen.push('\n');
            }
            screen
        }

        fn keys(&self, keys: &str) {
            std::process::Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", keys])
                .status()
                .unwrap();
        }

        /// Captures the screen until `ready` holds, keeping every frame.
        fn watch(&self, what: &str, mut ready: impl FnMut(&str) -> bool) -> Vec<String> {
            let mut frames = Vec::new();
            wait_for(what, || {
                std::thread::sleep(Duration::from_millis(50));
                let screen = self.screen();
                let done = ready(&screen);
                frames.push(screen);
                done
            });
            frames
        }

        fn finished(&self) -> (i32, String) {
            let frames = self.watch("the command to end", |s| s.contains("EXIT="));
            let last = frames.last().unwrap().clone();
            let code = last
                .split("EXIT=")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|code| code.parse().ok())
                .unwrap();
            (code, last)
        }
    }

    impl Drop for Pane {
        fn drop(&mut self) {
            let _ = std::process::Command::new("tmux")
                .args(["-L", &self.socket, "kill-server"])
                .status();
        }
    }

    fn quote(value: &str) -> String {
        format!("'{}'", value.replace('\'', r"'\''"))
    }

    fn env(fake: &FakePutio, term: &str) -> Vec<(&'static str, String)> {
        let home = crate::support::state_dir(fake).join("home");
        vec![
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", home.display().to_string()),
            ("TERM", term.to_owned()),
            ("PUTIO_TOKEN", fake.token()),
            ("PUTIO_API_URL", fake.api_url()),
            ("PUTIO_UPLOAD_URL", fake.upload_url()),
            (
                "PUTIO_UP_STATE_DIR",
                crate::support::state_dir(fake).display().to_string(),
            ),
        ]
    }

    fn binary() -> String {
        assert_cmd::cargo::cargo_bin("putio-up")
            .display()
            .to_string()
    }

    /// A tree with long paths and a few big files the fake takes slowly enough to watch.
    fn slow_tree(fake: &FakePutio) -> Tree {
        let tree = Tree::new();
        let deep = "photos/2026/holidays/norway/a-rather-long-folder-name/day-03";
        for i in 0..4 {
            tree.random(
                &format!("{deep}/IMG_{i:04}_with_a_long_name.jpg"),
                24 * MIB,
                i,
            );
        }
        for i in 0..5 {
            tree.file(&format!("photos/notes/n{i}.txt"), b"note");
        }
        fake.set_patch_rate(Some(24 * MIB));
        tree
    }

    fn is_bar(line: &str) -> bool {
        starts_with_spinner(line) || line.starts_with("  ")
    }

    /// `command`, then the terminal's `echoctl` and `noflsh` settings on a line `TTY: ...`,
    /// and `command`'s exit code as the pane's.
    fn then_tty(command: &str) -> String {
        format!(
            "{command}; code=$?; echo TTY: $(stty -a | tr ' ' '\\n' | grep -x -e '-*echoctl' -e '-*noflsh'); (exit $code)"
        )
    }

    /// `putio-up upload -j JOBS FOLDER` against `fake` in a colour terminal `width` columns
    /// wide, then its settings ([`then_tty`]); `None` where tmux is missing.
    fn upload_then_tty(
        width: usize,
        fake: &FakePutio,
        jobs: usize,
        folder: &std::path::Path,
    ) -> Option<Pane> {
        let command = then_tty(&format!(
            "{} upload -j {jobs} {}",
            binary(),
            quote(&folder.display().to_string())
        ));
        Pane::start(width, &env(fake, "xterm-256color"), &command)
    }

    /// The bars are gone and so are their settings: `^C` echoes, a signal flushes, as before.
    fn tty_put_back(screen: &str) -> bool {
        screen.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.first() == Some(&"TTY:")
                && words.contains(&"echoctl")
                && words.contains(&"-noflsh")
        })
    }

    /// The overall line, in any phase, begins with the spinner.
    fn starts_with_spinner(line: &str) -> bool {
        line.starts_with(|c: char| ('\u{2800}'..='\u{28ff}').contains(&c))
    }

    fn bar_lines(screen: &str) -> Vec<&str> {
        screen
            .lines()
            .filter(|l| l.contains(" files [") || l.contains("checking put.io folders"))
            .collect()
    }

    #[test]
    fn bars_fit_80_and_120_columns_and_leave_nothing_behind() {
        for width in [80, 120] {
            let fake = fake_with(Options {
                store_bytes: false,
                ..Options::default()
            });
            let tree = slow_tree(&fake);
            let command = format!(
                "{} upload -j 2 {}",
                binary(),
                quote(&tree.join("photos").display().to_string())
            );
            let Some(pane) = Pane::start(width, &env(&fake, "xterm-256color"), &command) else {
                return;
            };
            let frames = pane.watch("the bars", |s| s.contains(" files [") && s.contains("IMG_"));
            let (code, last) = pane.finished();
            assert_eq!(code, 0, "{width}: {last}");
            let screen = frames.last().unwrap();
            assert!(
                screen
                    .lines()
                    .any(|l| l.ends_with("photos → put.io:/photos, 9 files, 96.0 MiB")),
                "{width}: {screen}"
            );
            for frame in &frames {
                // The bars (overall line: a spinner first; a file's: indented) fit on one
                // line; finished lines scroll and may wrap.
                for line in frame.lines().filter(|l| is_bar(l)) {
                    assert!(
                        line.chars().count() <= width,
                        "{width}: a bar wider than the terminal:\n{frame}"
                    );
                }
                assert!(!frame.contains("0 B/0 B"), "{width}: {frame}");
            }
            let first_bar = frames.iter().find(|f| f.contains(" files [")).unwrap();
            assert!(!first_bar.contains("ETA 0s"), "{width}: {first_bar}");
            let file_line = screen
                .lines()
                .find(|l| l.starts_with("  ") && l.contains("_with_a_long_name.jpg"))
                .unwrap_or_else(|| panic!("{width}: {screen}"));
            if width == 80 {
                assert!(file_line.starts_with("  photos/"), "{file_line}");
                assert!(
                    file_line.contains('…'),
                    "shortened in the middle: {file_line}"
                );
            }
            assert!(
                last.contains("Done: 9 uploaded (96.0 MiB)"),
                "{width}: {last}"
            );
            assert!(
                bar_lines(&last).is_empty(),
                "{width}: bars left behind:\n{last}"
            );
            assert!(last.matches("uploaded  ").count() == 9, "{width}: {last}");
        }
    }

    #[test]
    fn ctrl_c_on_a_terminal_clears_the_bars_and_names_what_resumes() {
        for width in [80, 120] {
            let fake = fake_with(Options {
                store_bytes: false,
                ..Options::default()
            });
            let tree = slow_tree(&fake);
            fake.set_patch_rate(Some(2 * MIB));
            let Some(pane) = upload_then_tty(width, &fake, 2, &tree.join("photos")) else {
                return;
            };
            pane.watch("the bars", |s| s.contains(" files [") && s.contains("IMG_"));
            pane.keys("C-c");
            let (code, last) = pane.finished();
            assert_eq!(code, 130, "{width}: {last}");
            // The default `stty echoctl` would echo `^C` past the last column, a row below
            // the bars, and the next redraw would leave the overall line behind.
            assert!(
                !last.contains("% "),
                "{width}: a file's bar is left:\n{last}"
            );
            assert!(
                bar_lines(&last).is_empty() && !last.lines().any(starts_with_spinner),
                "{width}: a copy of the overall line is left:\n{last}"
            );
            assert!(!last.contains("^C"), "{width}: {last}");
            let summary = last.find("Interrupted: ").unwrap();
            assert!(
                last.find("stopping: ").is_some_and(|at| at < summary),
                "{width}: {last}"
            );
            assert!(
                last.contains("Paused, to resume on the next run:"),
                "{last}"
            );
            assert!(last.contains("day-03/IMG_000"), "{last}");
            assert!(last.contains("Interrupted: "), "{last}");
            assert!(tty_put_back(&last), "{width}: {last}");
        }
    }

    #[test]
    fn a_second_ctrl_c_quits_at_once_and_clears_the_bars() {
        for width in [80, 120] {
            let fake = fake_with(Options {
                store_bytes: false,
                ..Options::default()
            });
            let tree = Tree::new();
            tree.random("two/a-first.bin", 6 * MIB, 1);
            tree.random("two/b-second.bin", 6 * MIB, 2);
            fake.set_patch_rate(Some(4 * MIB));
            let Some(pane) = upload_then_tty(width, &fake, 1, &tree.join("two")) else {
                return;
            };
            pane.watch("the first file on its way", |s| s.contains("a-first.bin "));
            // From now on put.io answers nothing new for a long while: the second file's
            // upload is created but never answered, so the first Ctrl-C leaves the run
            // waiting for it, stopping, with its bars up.
            fake.set_faults(Faults {
                latency: Duration::from_secs(600),
                ..Faults::default()
            });
            pane.watch("the second file to start", |s| {
                s.contains("uploaded  two/a-first.bin") && s.contains("  two/b-second.bin")
            });
            pane.keys("C-c");
            pane.watch("the run to stop", |s| {
                s.contains("stopping: 1 file pausing")
            });
            pane.keys("C-c");
            let (code, last) = pane.finished();
            assert_eq!(code, 130, "{width}: {last}");
            assert!(
                last.contains("Quit: files in flight resume on the next run."),
                "{width}: {last}"
            );
            assert!(
                bar_lines(&last).is_empty()
                    && !last.lines().any(starts_with_spinner)
                    && !last.contains("% "),
                "{width}: bars left behind:\n{last}"
            );
            assert!(!last.contains("Interrupted: "), "no summary: {last}");
            assert!(tty_put_back(&last), "{width}: {last}");
        }
    }

    #[test]
    fn json_on_a_terminal_and_term_dumb_get_plain_lines() {
        for (width, args, term) in [(80, "--json", "xterm-256color"), (120, "", "dumb")] {
            let fake = fake_with(Options {
                store_bytes: false,
                ..Options::default()
            });
            let tree = slow_tree(&fake);
            let command = format!(
                "{} upload {args} {}",
                binary(),
                quote(&tree.join("photos").display().to_string())
            );
            let Some(pane) = Pane::start(width, &env(&fake, term), &command) else {
                return;
            };
            let frames = pane.watch("the end", |s| s.contains("EXIT="));
            let last = frames.last().unwrap();
            assert!(last.contains("EXIT=0"), "{width} {term}: {last}");
            for frame in &frames {
                assert!(
                    bar_lines(frame).is_empty(),
                    "{width} {term}: bars:\n{frame}"
                );
            }
            assert!(last.contains("uploaded  "), "{width} {term}: {last}");
            assert!(last.contains("Done: 9 uploaded"), "{width} {term}: {last}");
            if args == "--json" {
                assert!(last.contains(r#"{"type":"summary""#), "{last}");
            }
        }
    }
}
