//! The API host: auth forms, listing with cursors, folder rules, lookups, delete, rename, the
//! error envelope, and starting the fake from a plain (non-async) test.

use crate::common::{World, error_type, json, raw_exchange};
use fake_putio::{EntryKind, FakePutio, Options};
use reqwest::StatusCode;
use serde_json::json;

#[test]
fn the_handle_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FakePutio>();
}

#[test]
fn starts_and_stops_from_a_plain_test() {
    let fake = FakePutio::start(Options::default()).unwrap();
    let request = format!(
        "GET /v2/account/info HTTP/1.1\r\nHost: x\r\nAuthorization: token {}\r\nConnection: close\r\n\r\n",
        fake.token()
    );
    let answer =
        String::from_utf8(raw_exchange(&fake.api_url(), request.as_bytes()).unwrap()).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"username\":\"fake-user\""));
    assert!(fake.api_url().starts_with("http://127.0.0.1:"));
    assert_ne!(fake.api_url(), fake.upload_url());
    drop(fake);
}

#[tokio::test]
async fn every_auth_form_works_and_anything_else_is_401() {
    let w = World::new();
    let token = w.fake.token();
    let url = w.api("/v2/account/info");
    for value in [
        format!("token {token}"),
        format!("Token {token}"),
        format!("Bearer {token}"),
    ] {
        let response = w
            .http
            .get(&url)
            .header("Authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = w
        .http
        .get(format!("{url}?oauth_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["info"]["account_status"], "active");
    assert_eq!(body["info"]["account_active"], true);
    assert_eq!(body["info"]["disk"]["size"], 1_u64 << 40);
    assert_eq!(body["info"]["settings"]["trash_enabled"], false);

    let missing = w.http.get(&url).send().await.unwrap();
    assert_eq!(error_type(missing, 401).await, "Unauthorized");
    let wrong = w
        .http
        .get(&url)
        .header("Authorization", "Bearer nope")
        .send()
        .await
        .unwrap();
    assert_eq!(error_type(wrong, 401).await, "Unauthorized");
    let upload_host = w
        .http
        .post(format!("{}/files/", w.fake.upload_url()))
        .header("Upload-Length", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(error_type(upload_host, 401).await, "Unauthorized");

    w.fake.revoke_token();
    assert_eq!(
        error_type(w.get("/v2/account/info").await, 401).await,
        "Unauthorized"
    );
    assert_eq!(
        error_type(w.get("/v2/oauth2/validate").await, 401).await,
        "Unauthorized"
    );
}

#[tokio::test]
async fn validate_and_unknown_routes() {
    let w = World::new();
    let body = json(w.get("/v2/oauth2/validate").await).await;
    assert_eq!(body["result"], true);
    assert!(body["user_id"].is_u64());
    assert_eq!(
        error_type(w.get("/v2/nothing/here").await, 404).await,
        "NotFound"
    );
    let stats = w.fake.stats();
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.by_route["GET /v2/oauth2/validate"], 1);
    assert_eq!(stats.by_route["GET /v2/nothing/here"], 1);
    w.fake.reset_stats();
    assert_eq!(w.fake.stats().requests, 0);
}

#[tokio::test]
async fn listing_pages_with_cursors_by_form_and_json() {
    let w = World::new();
    let folder = w.fake.seed_folder(0, "docs");
    for name in ["d", "b", "e", "a", "c"] {
        w.fake.seed_file(folder, name, name.as_bytes());
    }
    let first = json(
        w.get(&format!(
            "/v2/files/list?parent_id={folder}&per_page=2&total=1"
        ))
        .await,
    )
    .await;
    assert_eq!(first["status"], "OK");
    assert_eq!(first["total"], 5);
    assert_eq!(first["parent"]["id"], folder);
    assert_eq!(first["parent"]["file_type"], "FOLDER");
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), ["a", "b"]);
    let cursor = first["cursor"].as_str().unwrap().to_owned();

    // Form body, per_page repeated.
    let second = json(
        w.post_form(
            "/v2/files/list/continue",
            &[("cursor", &cursor), ("per_page", "2")],
        )
        .await,
    )
    .await;
    assert_eq!(names(&second), ["c", "d"]);
    let cursor2 = second["cursor"].as_str().unwrap().to_owned();

    // JSON body without per_page: the first page's size carries over.
    let third = w
        .http
        .post(w.api("/v2/files/list/continue"))
        .header("Authorization", w.auth())
        .json(&json!({ "cursor": cursor2 }))
        .send()
        .await
        .unwrap();
    let third = json(third).await;
    assert_eq!(names(&third), ["e"]);
    assert!(third["cursor"].is_null());
    assert_eq!(
        third["files"][0]["crc32"],
        format!("{:08x}", crc32fast::hash(b"e"))
    );

    // A cursor can be used again (a client retrying after a lost answer).
    let again = json(
        w.post_form("/v2/files/list/continue", &[("cursor", &cursor)])
            .await,
    )
    .await;
    assert_eq!(names(&again), ["c", "d"]);

    let bad = w
        .post_form("/v2/files/list/continue", &[("cursor", "garbage!")])
        .await;
    error_type(bad, 400).await;
    let file_id = w.fake.tree()[1].id;
    error_type(
        w.get(&format!("/v2/files/list?parent_id={file_id}")).await,
        404,
    )
    .await;
    error_type(w.get("/v2/files/list?parent_id=999").await, 404).await;

    let folders = json(w.get("/v2/files/list?parent_id=0&file_type=FOLDER").await).await;
    assert_eq!(names(&folders), ["docs"]);
    assert!(folders["cursor"].is_null());
    assert!(folders["parent"]["parent_id"].is_null());
    assert_eq!(folders["parent"]["name"], "Your Files");
}

#[tokio::test]
async fn per_page_is_clamped_and_duplicates_keep_id_order() {
    let w = World::with(Options {
        per_page_max: 3,
        ..Options::default()
    });
    let first = w.fake.seed_file(0, "same", b"1");
    let second = w.fake.seed_file(0, "same", b"2");
    w.fake.seed_file(0, "x", b"");
    w.fake.seed_file(0, "y", b"");
    let page = json(w.get("/v2/files/list?per_page=100").await).await;
    let ids: Vec<u64> = page["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(&ids[..2], [first, second]);
    assert!(page["cursor"].is_string());
    let child = json(w.get("/v2/files/0/child?name=same").await).await;
    assert_eq!(child["file"]["id"], first);
    error_type(w.get("/v2/files/0/child?name=nope").await, 404).await;
}

#[tokio::test]
async fn create_folder_rules() {
    let w = World::new();
    let response = w
        .post_form(
            "/v2/files/create-folder",
            &[("name", "Photos"), ("parent_id", "0")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "OK");
    let file = &body["file"];
    assert_eq!(file["name"], "Photos");
    assert_eq!(file["parent_id"], 0);
    assert_eq!(file["file_type"], "FOLDER");
    assert_eq!(file["content_type"], "application/x-directory");
    assert!(file["crc32"].is_null());
    assert_eq!(file["folder_type"], "REGULAR");
    let created_at = file["created_at"].as_str().unwrap();
    assert_eq!(created_at.len(), 19, "{created_at}");
    assert_eq!(&created_at[10..11], "T");
    for key in [
        "updated_at",
        "extension",
        "is_hidden",
        "is_shared",
        "is_mp4_available",
        "first_accessed_at",
        "icon",
        "screenshot",
        "opensubtitles_hash",
        "size",
    ] {
        assert!(file.get(key).is_some(), "missing {key}");
    }
    let photos = file["id"].as_u64().unwrap();
    assert_eq!(photos, 1);

    let create = |name: String, parent: u64| {
        let w = &w;
        async move {
            w.post_form(
                "/v2/files/create-folder",
                &[("name", &name), ("parent_id", &parent.to_string())],
            )
            .await
        }
    };
    assert_eq!(
        error_type(create("Photos".into(), 0).await, 400).await,
        "NAME_ALREADY_EXIST"
    );
    assert_eq!(
        error_type(create(String::new(), 0).await, 400).await,
        "EMPTY_NAME"
    );
    assert_eq!(
        error_type(create("a/b".into(), 0).await, 400).await,
        "SLASH_IN_NAME"
    );
    assert_eq!(
        error_type(create("x".repeat(256), 0).await, 400).await,
        "NAME_TOO_LONG"
    );
    error_type(create("nul\0here".into(), 0).await, 400).await;
    error_type(create("orphan".into(), 4242).await, 404).await;
    assert_eq!(
        create("y".repeat(255), photos).await.status(),
        StatusCode::OK
    );

    // A file with the name blocks a folder too.
    w.fake.seed_file(photos, "taken", b"x");
    assert_eq!(
        error_type(create("taken".into(), photos).await, 400).await,
        "NAME_ALREADY_EXIST"
    );

    // Multipart form fields work as well (kaput-cli sends them).
    let form = reqwest::multipart::Form::new()
        .text("name", "viaMultipart")
        .text("parent_id", photos.to_string());
    let response = w
        .http
        .post(w.api("/v2/files/create-folder"))
        .header("Authorization", w.auth())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let paths: Vec<String> = w.fake.tree().into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        [
            "/Photos",
            "/Photos/taken",
            "/Photos/viaMultipart",
            &format!("/Photos/{}", "y".repeat(255))
        ]
    );
}

#[tokio::test]
async fn get_delete_rename_and_disk_usage() {
    let w = World::new();
    let top = w.fake.seed_folder(0, "top");
    let inner = w.fake.seed_folder(top, "inner");
    let a = w.fake.seed_file(inner, "a.mp4", &[1; 100]);
    let b = w.fake.seed_file(0, "b.txt", &[2; 10]);

    let file = json(w.get(&format!("/v2/files/{a}")).await).await;
    assert_eq!(file["file"]["size"], 100);
    assert_eq!(file["file"]["file_type"], "VIDEO");
    assert_eq!(file["file"]["extension"], "mp4");
    let folder = json(w.get(&format!("/v2/files/{top}")).await).await;
    assert_eq!(
        folder["file"]["size"], 100,
        "folders report the total of their contents"
    );
    error_type(w.get("/v2/files/9999").await, 404).await;
    error_type(w.get("/v2/files/abc").await, 404).await;

    let info = json(w.get("/v2/account/info").await).await;
    assert_eq!(info["info"]["disk"]["used"], 110);

    let renamed = w
        .post_form(
            "/v2/files/rename",
            &[("file_id", &b.to_string()), ("name", "c.txt")],
        )
        .await;
    assert_eq!(json(renamed).await["status"], "OK");
    let clash = w
        .post_form(
            "/v2/files/rename",
            &[("file_id", &b.to_string()), ("name", "top")],
        )
        .await;
    assert_eq!(error_type(clash, 400).await, "NAME_ALREADY_EXIST");

    let deleted = w
        .post_form("/v2/files/delete", &[("file_ids", &format!("{top}"))])
        .await;
    let deleted = json(deleted).await;
    assert_eq!(
        deleted,
        json!({"cursor": null, "skipped": 0, "status": "OK"})
    );
    let tree = w.fake.tree();
    assert_eq!(tree.len(), 1);
    assert_eq!(tree[0].path, "/c.txt");
    assert_eq!(tree[0].kind, EntryKind::File);
    assert_eq!(w.fake.file_bytes(a), None);
    let info = json(w.get("/v2/account/info").await).await;
    assert_eq!(info["info"]["disk"]["used"], 10);
    assert_eq!(info["info"]["disk"]["avail"], (1_u64 << 40) - 10);

    error_type(
        w.post_form("/v2/files/delete", &[("file_id", "777")]).await,
        404,
    )
    .await;
    let single = w
        .post_form("/v2/files/delete", &[("file_id", &b.to_string())])
        .await;
    assert_eq!(single.status(), StatusCode::OK);
    assert!(w.fake.tree().is_empty());
}
