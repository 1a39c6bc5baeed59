//! Fault injection (5xx, 429, dropped connections, latency, reproducible seeds), the `/__fake`
//! control endpoints, and the `fake-putio` binary.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{World, error_type, header_str, json, raw_exchange};
use fake_putio::{Faults, Options};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn error_5xx_everywhere_changes_nothing() {
    let w = World::new();
    w.fake.set_faults(Faults {
        error_5xx: 1.0,
        ..Faults::default()
    });
    for _ in 0..10 {
        let response = w
            .post_form(
                "/v2/files/create-folder",
                &[("name", "never"), ("parent_id", "0")],
            )
            .await;
        let status = response.status().as_u16();
        assert!([500, 502, 503].contains(&status), "{status}");
        error_type(response, status).await;
    }
    let upload = w
        .tus_create_raw(
            1,
            &crate::common::metadata(&[("name", "a"), ("parent_id", "0")]),
        )
        .await;
    assert!(upload.status().is_server_error());
    assert!(w.fake.tree().is_empty());
    let stats = w.fake.stats();
    assert_eq!(stats.faults_injected, 11);
    assert_eq!(stats.uploads_created, 0);
}

#[tokio::test]
async fn every_second_request_is_rate_limited() {
    let w = World::new();
    w.fake.set_faults(Faults {
        rate_limit_every: 2,
        rate_limit_reset_secs: 7,
        ..Faults::default()
    });
    assert_eq!(w.get("/v2/account/info").await.status(), StatusCode::OK);
    let limited = w.get("/v2/account/info").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(header_str(&limited, "x-ratelimit-limit"), "100");
    assert_eq!(header_str(&limited, "x-ratelimit-remaining"), "0");
    let reset: u64 = header_str(&limited, "x-ratelimit-reset").parse().unwrap();
    assert!((now + 5..=now + 8).contains(&reset), "{reset} vs {now}");
    assert!(limited.headers().contains_key("x-ratelimit-action"));
    assert!(limited.headers().contains_key("x-ratelimit-id"));
    assert_eq!(header_str(&limited, "retry-after"), "7");
    assert_eq!(error_type(limited, 429).await, "RATE_LIMITED");
    assert_eq!(w.get("/v2/account/info").await.status(), StatusCode::OK);
    // The upload host counts toward the same limit.
    let upload = w
        .http
        .head(format!("{}/files/none", w.fake.upload_url()))
        .header("Authorization", w.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_drop_closes_the_connection_unanswered_after_the_work_is_done() {
    let w = World::new();
    w.fake.set_faults(Faults {
        drop: 1.0,
        ..Faults::default()
    });
    let body = "name=lost&parent_id=0";
    let request = format!(
        "POST /v2/files/create-folder HTTP/1.1\r\nHost: api\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        w.auth(),
        body.len()
    );
    let api_url = w.fake.api_url();
    let answer = tokio::task::spawn_blocking(move || raw_exchange(&api_url, request.as_bytes()))
        .await
        .unwrap();
    match answer {
        Ok(bytes) => assert!(
            bytes.is_empty(),
            "got an answer: {}",
            String::from_utf8_lossy(&bytes)
        ),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
    }
    let error = w
        .http
        .post(w.api("/v2/files/create-folder"))
        .header("Authorization", w.auth())
        .form(&[("name", "lost2"), ("parent_id", "0")])
        .send()
        .await
        .expect_err("no response");
    assert!(error.is_request() || error.is_connect(), "{error:?}");

    w.fake.set_faults(Faults::default());
    let paths: Vec<String> = w.fake.tree().into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        ["/lost", "/lost2"],
        "the lost answers' folders exist"
    );
    let retry = w
        .post_form(
            "/v2/files/create-folder",
            &[("name", "lost"), ("parent_id", "0")],
        )
        .await;
    assert_eq!(error_type(retry, 400).await, "NAME_ALREADY_EXIST");
    assert_eq!(w.fake.stats().faults_injected, 2);
}

#[tokio::test]
async fn a_dropped_patch_keeps_a_random_part_of_its_body() {
    let w = World::new();
    let location = w.tus_create(0, "f.bin", 100_000).await;
    w.fake.set_faults(Faults {
        drop: 1.0,
        seed: 3,
        ..Faults::default()
    });
    let result = w
        .http
        .patch(&location)
        .header("Authorization", w.auth())
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(vec![9; 100_000])
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    w.fake.set_faults(Faults::default());
    let offset = w.head_offset(&location).await.unwrap();
    assert!(offset < 100_000, "{offset}");
    assert_eq!(w.fake.stats().patch_bytes, offset);
    let rest = w
        .patch(&location, offset, vec![9; (100_000 - offset) as usize])
        .await;
    assert_eq!(rest.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header_str(&rest, "putio-file-crc32"),
        format!("{:08x}", crc32fast::hash(&vec![9; 100_000]))
    );
}

#[tokio::test]
async fn latency_is_added_and_seeds_reproduce_runs() {
    let w = World::new();
    w.fake.set_faults(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(w.get("/v2/account/info").await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));

    let run = async |seed| {
        let w = World::with(Options {
            faults: Faults {
                error_5xx: 0.5,
                seed,
                ..Faults::default()
            },
            ..Options::default()
        });
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(w.get("/v2/account/info").await.status().as_u16());
        }
        statuses
    };
    let first = run(42).await;
    assert_eq!(first, run(42).await);
    assert!(
        first.contains(&200) && first.iter().any(|s| *s >= 500),
        "{first:?}"
    );
}

#[tokio::test]
async fn control_endpoints_need_no_token_and_see_no_faults() {
    let w = World::new();
    w.fake.seed_file(0, "a.txt", b"abc");
    let put = w
        .http
        .put(w.api("/__fake/faults"))
        .json(&json!({"error_5xx": 1.0, "latency_ms": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    assert!(w.get("/v2/account/info").await.status().is_server_error());
    let tree = json(w.http.get(w.api("/__fake/tree")).send().await.unwrap()).await;
    assert_eq!(
        tree,
        json!([{"path": "/a.txt", "id": 1, "parent_id": 0, "kind": "file", "size": 3, "crc32": format!("{:08x}", crc32fast::hash(b"abc"))}])
    );
    let stats = json(w.http.get(w.api("/__fake/stats")).send().await.unwrap()).await;
    assert_eq!(stats["requests"], 1);
    assert_eq!(stats["faults_injected"], 1);
    assert_eq!(stats["by_route"]["GET /v2/account/info"], 1);
    let reset = w
        .http
        .post(w.api("/__fake/reset-stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.fake.stats().requests, 0);
    let bad = w
        .http
        .put(w.api("/__fake/faults"))
        .json(&json!({"drop": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let off = w
        .http
        .put(w.api("/__fake/faults"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(w.get("/v2/account/info").await.status(), StatusCode::OK);
}

#[test]
fn the_binary_prints_its_urls_and_reports_on_sigterm() {
    let env_file = std::env::temp_dir().join(format!("fake-putio-env-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-putio"))
        .args(["--token", "tok-123", "--env-file"])
        .arg(&env_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        lines.push(line.trim_end().to_owned());
    }
    assert!(
        lines[0].starts_with("PUTIO_API_URL=http://127.0.0.1:"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("PUTIO_UPLOAD_URL=http://127.0.0.1:"),
        "{lines:?}"
    );
    assert_eq!(lines[2], "PUTIO_TOKEN=tok-123");
    assert_eq!(
        std::fs::read_to_string(&env_file).unwrap(),
        format!("{}\n", lines.join("\n"))
    );
    let _ = std::fs::remove_file(&env_file);

    let api_url = lines[0].trim_start_matches("PUTIO_API_URL=");
    let request = "POST /v2/files/create-folder?oauth_token=tok-123 HTTP/1.1\r\nHost: x\r\n\
                   Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\nConnection: close\r\n\r\n\
                   name=made&parent_id=0";
    let answer = String::from_utf8(raw_exchange(api_url, request.as_bytes()).unwrap()).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("api POST /v2/files/create-folder 200"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("tok-123"),
        "the log must not show the token: {stderr}"
    );
    assert!(stderr.contains("/made/"), "{stderr}");
    assert!(stderr.contains("requests=1"), "{stderr}");
}
