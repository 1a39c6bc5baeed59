//! Logging in, end to end: the real binary against the fake put.io's login endpoints, with a
//! test playing the browser over plain HTTP. Every test runs in a throw-away home with no
//! D-Bus session, so the OS keychain is unavailable here: tokens go to the 0600 file with
//! `--insecure-storage` (the real keychain is exercised in tests/keychain.rs).
//!
//! The fake accepts only the registered callback by default, as put.io is known to; tests
//! that log in on a random port (`--port 0`, so that they can run in parallel) therefore
//! use a fake that accepts any loopback port ([`fake_any_port`]). One test shows the default
//! port with exact matching, one that putio-up sends nothing a strict server would refuse.

use std::time::{Duration, Instant};

use crate::support::login::{
    Home, RunningLogin, fake_any_port, http_get, logged_out, play_browser, run_with_input,
    wait_for_free_port, wait_output,
};
use crate::support::{Tree, fake, output_text};
use fake_putio::{Authorize, OAuthRules, RedirectRule};
use putio_up::auth::loopback::redirect_uri;
use putio_up::cli::DEFAULT_CALLBACK_PORT as DEFAULT_PORT;

fn whoami(fake: &fake_putio::FakePutio, home: &Home) -> std::process::Output {
    let mut cmd = logged_out(fake, home);
    cmd.arg("whoami");
    cmd.output().unwrap()
}

/// The parameter names of a URL's query, sorted.
fn query_names(url: &str) -> Vec<String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let mut names: Vec<String> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

#[test]
fn browser_login_end_to_end_against_a_strict_server_then_whoami() {
    // Strict: any parameter put.io's own clients do not send (PKCE's included) is refused,
    // at authorize and at the exchange.
    let fake = fake_any_port(true);
    let home = Home::new();
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--no-browser", "--port", "0", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);

    let url = login.authorize_url();
    assert!(url.starts_with(&format!("{}/v2/oauth2/authenticate?", fake.api_url())));
    assert_eq!(
        query_names(&url),
        ["client_id", "redirect_uri", "response_type", "state"],
        "only what put.io's clients send: {url}"
    );
    for part in [
        "response_type=code",
        &format!("client_id={}", fake.oauth_app().client_id),
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A",
        "%2Fcallback",
        "state=",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    let page = play_browser(&url);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("close this tab"), "{}", page.body);

    let (code, text) = login.finish();
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("logged in to put.io as fake-user"), "{text}");
    assert!(
        text.contains("--port 0 chose port") && text.contains("any loopback port"),
        "a random port is flagged as depending on put.io: {text}"
    );
    assert!(
        text.contains("plaintext") && text.contains("0600"),
        "{text}"
    );
    assert!(!text.contains(&fake.token()), "{text}");

    let file = home.token_file(&fake);
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), fake.token());
    #[cfg(unix)]
    {
        assert_eq!(crate::support::login::mode(&file), 0o600);
        assert_eq!(crate::support::login::mode(&home.config_dir()), 0o700);
    }

    let out = whoami(&fake, &home);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(stdout.contains("username: fake-user"), "{stdout}");
    assert!(stdout.contains("available"), "{stdout}");
    assert!(
        stdout.contains(&format!("token:    file {}", file.display())),
        "{stdout}"
    );
}

#[test]
fn the_default_port_is_the_registered_callback_and_other_ports_are_refused() {
    // The fake's default app registers putio-up's default callback, and matches it exactly.
    let fake = fake();
    assert_eq!(fake.oauth_rules(), OAuthRules::default());
    assert_eq!(
        OAuthRules::default().redirect,
        RedirectRule::Exact(redirect_uri(DEFAULT_PORT)),
        "the fake registers putio-up's default callback"
    );
    let home = Home::new();

    // Another port is not the registered callback: put.io's page refuses it, no redirect.
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--no-browser", "--port", "0", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);
    let refused = http_get(&login.authorize_url());
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.location, None);
    assert!(
        refused.body.contains("not the callback registered"),
        "{}",
        refused.body
    );
    drop(login);

    // The default port works as is.
    wait_for_free_port(DEFAULT_PORT);
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--no-browser", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);
    let url = login.authorize_url();
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A53683%2Fcallback&")
            || url.ends_with("redirect_uri=http%3A%2F%2F127.0.0.1%3A53683%2Fcallback"),
        "{url}"
    );
    let page = play_browser(&url);
    assert_eq!(page.status, 200, "{page:?}");
    let (code, text) = login.finish();
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("--port 0"), "{text}");
    assert!(home.token_file(&fake).exists());
}

#[test]
fn a_callback_with_a_wrong_state_is_ignored_and_the_wait_goes_on() {
    let fake = fake_any_port(false);
    let home = Home::new();
    // The app credentials come from the config file this time.
    let app = fake.oauth_app();
    std::fs::create_dir_all(home.config_dir()).unwrap();
    std::fs::write(
        home.config_dir().join("putio-up.toml"),
        format!(
            "client_id = {}\nclient_secret = \"{}\"\n",
            app.client_id, app.client_secret
        ),
    )
    .unwrap();
    let mut cmd = logged_out(&fake, &home);
    cmd.env_remove("PUTIO_CLIENT_ID")
        .env_remove("PUTIO_CLIENT_SECRET")
        .args(["login", "--no-browser", "--port", "0", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);
    let url = login.authorize_url();

    fake.set_authorize(Authorize::WrongState);
    let page = play_browser(&url);
    assert_eq!(page.status, 400, "{page:?}");
    assert!(page.body.contains("still waiting"), "{}", page.body);
    // A callback without any state, and other paths, are turned away too.
    let callback_base = url
        .split("redirect_uri=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .replace("%3A", ":")
        .replace("%2F", "/");
    assert_eq!(
        crate::support::login::http_get(&format!("{callback_base}?code=x")).status,
        400
    );
    assert_eq!(
        crate::support::login::http_get(&callback_base.replace("/callback", "/favicon.ico")).status,
        404
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(login.is_running(), "the login still waits");

    fake.set_authorize(Authorize::Approve);
    let page = play_browser(&url);
    assert_eq!(page.status, 200, "{page:?}");
    let (code, text) = login.finish();
    assert_eq!(code, Some(0), "{text}");
    assert!(home.token_file(&fake).exists());
}

#[test]
fn a_denial_ends_the_login_with_the_reason() {
    let fake = fake_any_port(false);
    let home = Home::new();
    fake.set_authorize(Authorize::Deny);
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--no-browser", "--port", "0", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);
    let page = play_browser(&login.authorize_url());
    assert_eq!(page.status, 200);
    assert!(page.body.contains("did not authorize"), "{}", page.body);

    let (code, text) = login.finish();
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("put.io did not authorize putio-up: access_denied"),
        "{text}"
    );
    assert!(!home.token_file(&fake).exists(), "nothing stored");
}

#[test]
fn no_browser_on_the_machine_prints_the_address_and_the_wait_times_out() {
    let fake = fake();
    let home = Home::new();
    // No --no-browser: with no graphical session the address is printed instead.
    let mut cmd = logged_out(&fake, &home);
    cmd.args([
        "login",
        "--port",
        "0",
        "--timeout",
        "2s",
        "--insecure-storage",
    ]);
    let started = Instant::now();
    let mut login = RunningLogin::start(cmd);
    let url = login.authorize_url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (code, text) = login.finish();
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("open this address in a browser"), "{text}");
    assert!(
        text.contains("no answer from the browser within 2s") && text.contains("--device"),
        "{text}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!home.token_file(&fake).exists());
}

#[test]
fn missing_app_credentials_explain_how_to_get_them() {
    let fake = fake();
    let home = Home::new();
    let mut cmd = logged_out(&fake, &home);
    // No keychain here either: the missing configuration is reported first.
    cmd.env_remove("PUTIO_CLIENT_ID")
        .env_remove("PUTIO_CLIENT_SECRET")
        .arg("login");
    let out = cmd.output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for part in [
        "register",
        "http://127.0.0.1:53683/callback",
        "PUTIO_CLIENT_ID",
        "PUTIO_CLIENT_SECRET",
        "putio-up.toml",
        "--device",
        "--with-token",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }

    let mut cmd = logged_out(&fake, &home);
    cmd.env_remove("PUTIO_CLIENT_ID")
        .args(["login", "--device", "--insecure-storage"]);
    let out = cmd.output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("PUTIO_CLIENT_ID") && text.contains("--with-token"),
        "{text}"
    );
    assert_eq!(fake.stats().requests, 0, "nothing was sent");
}

#[test]
fn device_login_shows_link_and_code_then_stores_the_token() {
    let fake = fake();
    let home = Home::new();
    fake.set_device_approval_after(2);
    let mut cmd = logged_out(&fake, &home);
    cmd.env_remove("PUTIO_CLIENT_SECRET")
        .env("PUTIO_WEB_URL", "http://web.example")
        .args(["login", "--device", "--insecure-storage"]);
    let mut login = RunningLogin::start(cmd);
    let link = login.wait_for(|l| l.contains("/link?code="));
    let code = link
        .trim()
        .trim_start_matches("http://web.example/link?code=");
    assert_eq!(code.len(), 6, "{link}");
    let shown = login.wait_for(|l| l.trim() == code);
    assert!(shown.starts_with("    "), "the code stands on its own line");
    let (status, text) = login.finish();
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("logged in to put.io as fake-user"), "{text}");

    let devices = fake.device_logins();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].code, code);
    assert!(devices[0].approved && devices[0].polls == 2);
    assert!(
        devices[0]
            .client_name
            .as_deref()
            .is_some_and(|n| n.starts_with("putio-up@")),
        "{devices:?}"
    );
    let out = whoami(&fake, &home);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
}

#[test]
fn device_login_gives_up_after_the_timeout() {
    let fake = fake();
    let home = Home::new();
    fake.set_device_approval_after(0);
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--device", "--timeout", "3s", "--insecure-storage"]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = wait_output(cmd.spawn().unwrap(), Duration::from_secs(30));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("was not approved within 3s"), "{text}");
    assert!(fake.device_logins()[0].polls >= 1);
    assert!(!home.token_file(&fake).exists());
}

#[test]
fn with_token_reads_a_pipe_checks_the_token_and_stores_it() {
    let fake = fake();
    let home = Home::new();

    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    let out = run_with_input(cmd, "not-the-token\n");
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("put.io rejected the token"), "{text}");
    assert!(!text.contains("not-the-token"), "{text}");
    assert!(!home.token_file(&fake).exists());

    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    let out = run_with_input(cmd, "");
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    assert!(output_text(&out).contains("stdin was empty"));

    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    let out = run_with_input(cmd, &format!("  {}\n", fake.token()));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains(&fake.token()), "{text}");
    assert_eq!(
        std::fs::read_to_string(home.token_file(&fake)).unwrap(),
        format!("{}\n", fake.token())
    );
}

#[test]
fn logout_removes_the_stored_token() {
    let fake = fake();
    let home = Home::new();
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    assert_eq!(run_with_input(cmd, &fake.token()).status.code(), Some(0));
    let file = home.token_file(&fake);
    assert!(file.exists());

    let mut cmd = logged_out(&fake, &home);
    let out = cmd.arg("logout").output().unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("removed {}", file.display())),
        "{text}"
    );
    assert!(!file.exists());

    let out = whoami(&fake, &home);
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("no put.io token found") && text.contains("putio-up login"),
        "{text}"
    );

    let mut cmd = logged_out(&fake, &home);
    let out = cmd.arg("logout").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(output_text(&out).contains("no stored token found"));
}

#[test]
fn putio_token_wins_over_the_stored_token_and_whoami_says_so() {
    let fake = fake();
    let home = Home::new();
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token", "--insecure-storage"]);
    assert_eq!(run_with_input(cmd, &fake.token()).status.code(), Some(0));

    let mut cmd = logged_out(&fake, &home);
    let out = cmd
        .env("PUTIO_TOKEN", fake.token())
        .arg("whoami")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(
        stdout.contains("token:    environment (PUTIO_TOKEN)"),
        "{stdout}"
    );

    // A wrong PUTIO_TOKEN is used even though a good token is stored.
    let mut cmd = logged_out(&fake, &home);
    let out = cmd
        .env("PUTIO_TOKEN", "wrong-token")
        .arg("whoami")
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("rejected the token from environment (PUTIO_TOKEN)"),
        "{text}"
    );
    assert!(
        text.contains("set PUTIO_TOKEN to a current") && !text.contains("wrong-token"),
        "{text}"
    );

    // And upload finds the stored token by itself.
    let tree = Tree::new();
    tree.file("d/a.txt", b"a");
    let mut cmd = logged_out(&fake, &home);
    let out = cmd.arg("upload").arg(tree.join("d")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
}

#[test]
fn without_a_keychain_login_fails_fast_and_names_the_ways_out() {
    let fake = fake();
    let home = Home::new();
    let mut cmd = logged_out(&fake, &home);
    cmd.args(["login", "--with-token"]);
    let started = Instant::now();
    let out = run_with_input(cmd, &fake.token());
    let text = output_text(&out);
    assert!(started.elapsed() < Duration::from_secs(4), "fast");
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("cannot store the token: the OS keychain is not available")
            && text.contains("D-Bus")
            && text.contains("--insecure-storage")
            && text.contains("PUTIO_TOKEN"),
        "{text}"
    );
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    assert!(!text.contains("hint:"), "no generic hint: {text}");
    assert!(!home.config_dir().exists(), "never falls back to a file");
    assert_eq!(fake.stats().requests, 0, "checked before anything was sent");
}

#[test]
fn the_token_never_shows_in_verbose_output_of_login_and_upload() {
    let fake = fake_any_port(false);
    let home = Home::new();
    let secret = fake.oauth_app().client_secret;
    let mut cmd = logged_out(&fake, &home);
    cmd.args([
        "-vv",
        "login",
        "--no-browser",
        "--port",
        "0",
        "--insecure-storage",
    ]);
    let mut login = RunningLogin::start(cmd);
    let page = play_browser(&login.authorize_url());
    assert_eq!(page.status, 200);
    let (code, login_text) = login.finish();
    assert_eq!(code, Some(0), "{login_text}");
    assert!(login_text.contains("DEBUG"), "-vv logs: {login_text}");

    let tree = Tree::new();
    tree.file("v/a.txt", b"verbose");
    let mut cmd = logged_out(&fake, &home);
    let out = cmd
        .args(["-vv", "upload"])
        .arg(tree.join("v"))
        .output()
        .unwrap();
    let upload_text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{upload_text}");
    assert!(upload_text.contains("DEBUG"), "-vv logs: {upload_text}");

    for text in [&login_text, &upload_text] {
        assert!(!text.contains(&fake.token()), "token leaked: {text}");
        assert!(!text.contains(&secret), "client secret leaked: {text}");
    }
}

/// On a terminal, `--with-token` prompts and does not echo what is typed. `script` (util-linux)
/// gives the binary a pseudo-terminal; the test is skipped where it is missing.
#[cfg(target_os = "linux")]
#[test]
fn with_token_on_a_terminal_prompts_without_echo() {
    use std::io::Write as _;
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("script").is_file()));
    if !on_path {
        let _ = writeln!(std::io::stderr(), "skipping: `script` is not installed");
        return;
    }
    let fake = fake();
    let home = Home::new();
    let binary = assert_cmd::cargo::cargo_bin("putio-up");
    // The environment of a logged-out run, but through script's pseudo-terminal.
    let plain = logged_out(&fake, &home);
    let mut cmd = std::process::Command::new("script");
    cmd.env_clear();
    for (key, value) in plain.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    cmd.args(["-qec"])
        .arg(format!(
            "{} login --with-token --insecure-storage",
            binary.display()
        ))
        .arg("/dev/null");
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let token = fake.token();
    std::thread::spawn(move || {
        // Give the prompt a moment to turn echo off, as a person would.
        std::thread::sleep(Duration::from_millis(500));
        let _ = writeln!(stdin, "{token}");
    });
    let out = wait_output(child, Duration::from_secs(60));
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Paste your put.io token"), "{text}");
    assert!(text.contains("logged in to put.io as fake-user"), "{text}");
    assert!(!text.contains(&fake.token()), "echoed: {text}");
    assert!(home.token_file(&fake).exists());
}
