//! The fake's fidelity, checked by a client written against the real put.io: rclone's put.io
//! backend mirrors a tree into the fake (over HTTPS with a throw-away CA, through the fake's
//! CONNECT proxy, since rclone's endpoints are fixed), and the fake's final tree must be
//! right. Then putio-up, pointed at the same fake, must see rclone's files as already there.
//!
//! Skipped with a message when rclone is not installed; `.ci/run` installs it, and under CI
//! a missing rclone fails the test instead.

use std::process::Command;

use crate::support::tree::expected;
use crate::support::{Tree, output_text, putio_up, remote};
use fake_putio::{FakePutio, Options};

fn rclone_available() -> bool {
    let found = Command::new("rclone")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "rclone is missing: .ci/run must install it"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: rclone is not installed (apt-get install rclone)");
        }
    }
    found
}

#[test]
fn rclone_mirrors_a_tree_into_the_fake_and_putio_up_agrees() {
    if !rclone_available() {
        return;
    }
    let fake = FakePutio::start(Options {
        tls: true,
        public_upload_url: Some("https://upload.put.io".into()),
        ..Options::default()
    })
    .unwrap();
    let proxy = fake.start_connect_proxy().unwrap();
    let tree = Tree::new();
    tree.random("src/photos/2024/big.bin", 3 << 20, 1);
    tree.file("src/photos/a.txt", b"hello");
    tree.file("src/Ünïcödé 日本/ファイル.txt", "grüße".as_bytes());
    tree.file("src/empty.bin", b"");
    tree.dir("src/empty-folder");

    let ca = tree.file("ca.pem", fake.ca_pem().unwrap().as_bytes());
    let config = tree.file(
        "rclone.conf",
        format!(
            "[putio]\ntype = putio\ntoken = {{\"access_token\":\"{}\",\"token_type\":\"Bearer\",\"expiry\":\"0001-01-01T00:00:00Z\"}}\n",
            fake.token()
        )
        .as_bytes(),
    );
    let out = Command::new("rclone")
        .env("HTTPS_PROXY", &proxy)
        .env("NO_PROXY", "")
        .arg("--config")
        .arg(&config)
        .arg("--ca-cert")
        .arg(&ca)
        .args([
            "copy",
            "--create-empty-src-dirs",
            "--low-level-retries",
            "1",
        ])
        .arg(tree.join("src"))
        .arg("putio:src")
        .output()
        .unwrap();
    assert!(out.status.success(), "rclone failed: {}", output_text(&out));
    assert_eq!(remote(&fake), expected(&tree.join("src"), "/src"));
    let stats = fake.stats();
    assert!(
        stats.by_route.contains_key("PATCH /files/{id}"),
        "rclone used tus: {stats:?}"
    );

    // putio-up over the same TLS path (no URLs given: put.io's real names, via the proxy).
    let out = putio_up(&fake)
        .env_remove("PUTIO_API_URL")
        .env_remove("PUTIO_UPLOAD_URL")
        .env("HTTPS_PROXY", &proxy)
        .env("SSL_CERT_FILE", &ca)
        .arg("upload")
        .arg(tree.join("src"))
        .output()
        .unwrap();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("0 uploaded") && text.contains("4 skipped"),
        "{text}"
    );
    assert_eq!(
        remote(&fake),
        expected(&tree.join("src"), "/src"),
        "nothing duplicated"
    );
}
