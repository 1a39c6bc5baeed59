//! The upload host: tus creation, HEAD, PATCH (plain and chunked), completion headers, offsets,
//! cut-off bodies, quota, zero-length files, overwrite, torrents, multipart, and discarding bytes.

use std::time::Duration;

use crate::common::{World, error_type, header_str, header_u64, json, metadata, raw_exchange};
use bytes::Bytes;
use fake_putio::{EntryKind, Options};
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A PATCH written by hand with `Transfer-Encoding: chunked` and no `Content-Length`, as rclone
/// sends them.
fn chunked_patch(w: &World, location: &str, offset: u64, pieces: &[&[u8]]) -> String {
    let path = location.trim_start_matches(&w.fake.upload_url());
    let mut request = format!(
        "PATCH {path} HTTP/1.1\r\nHost: upload\r\nAuthorization: {}\r\nTus-Resumable: 1.0.0\r\n\
         Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        w.auth()
    )
    .into_bytes();
    for piece in pieces {
        request.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        request.extend_from_slice(piece);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    String::from_utf8(raw_exchange(&w.fake.upload_url(), &request).unwrap()).unwrap()
}

#[tokio::test]
async fn tus_create_head_patch_in_three_chunks() {
    let w = World::new();
    let folder = w.fake.seed_folder(0, "photos");
    let data = content(300_000);
    let response = w
        .tus_create_raw(
            data.len() as u64,
            &metadata(&[
                ("name", "a.jpg"),
                ("parent_id", &folder.to_string()),
                ("no-torrent", "true"),
                ("updated-at", "2024-05-01T10:20:30Z"),
            ]),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(header_str(&response, "tus-resumable"), "1.0.0");
    let location = header_str(&response, "location").to_owned();
    assert!(
        location.starts_with(&format!("{}/files/", w.fake.upload_url())),
        "{location}"
    );

    let head = w
        .http
        .head(&location)
        .header("Authorization", w.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header_u64(&head, "upload-offset"), 0);
    assert_eq!(header_u64(&head, "upload-length"), 300_000);
    assert_eq!(header_str(&head, "cache-control"), "no-store");
    assert_eq!(header_str(&head, "tus-resumable"), "1.0.0");

    let first = w.patch(&location, 0, data[..100_000].to_vec()).await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&first, "upload-offset"), 100_000);
    assert!(!first.headers().contains_key("putio-file-id"));

    let second = chunked_patch(
        &w,
        &location,
        100_000,
        &[&data[100_000..150_000], &data[150_000..200_000]],
    );
    assert!(second.starts_with("HTTP/1.1 204"), "{second}");
    assert!(
        second
            .to_ascii_lowercase()
            .contains("upload-offset: 200000"),
        "{second}"
    );

    // And a streamed body through reqwest (chunked as well: no length known up front).
    let stream = futures_util::stream::iter(
        data[200_000..]
            .chunks(30_000)
            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let last = w
        .patch(&location, 200_000, reqwest::Body::wrap_stream(stream))
        .await;
    assert_eq!(last.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&last, "upload-offset"), 300_000);
    let crc = format!("{:08x}", crc32fast::hash(&data));
    assert_eq!(header_str(&last, "putio-file-crc32"), crc);
    let id = header_u64(&last, "putio-file-id");

    let tree = w.fake.tree();
    assert_eq!(tree.len(), 2);
    assert_eq!(tree[1].path, "/photos/a.jpg");
    assert_eq!(
        (tree[1].id, tree[1].parent_id, tree[1].size),
        (id, folder, 300_000)
    );
    assert_eq!(tree[1].kind, EntryKind::File);
    assert_eq!(tree[1].crc32.as_deref(), Some(crc.as_str()));
    assert_eq!(w.fake.file_bytes(id).as_deref(), Some(&data[..]));

    let file = json(w.get(&format!("/v2/files/{id}")).await).await;
    assert_eq!(file["file"]["crc32"], crc);
    assert_eq!(file["file"]["updated_at"], "2024-05-01T10:20:30");
    assert_eq!(file["file"]["file_type"], "IMAGE");

    let stats = w.fake.stats();
    assert_eq!(stats.uploads_created, 1);
    assert_eq!(stats.patch_bytes, 300_000);
    assert_eq!(stats.by_route["POST /files/"], 1);
    assert_eq!(stats.by_route["PATCH /files/{id}"], 3);
    assert_eq!(stats.by_route["HEAD /files/{id}"], 1);
}

#[tokio::test]
async fn offsets_content_type_and_lengths_are_enforced() {
    let w = World::new();
    let location = w.tus_create(0, "x.bin", 10).await;
    let wrong = w.patch(&location, 3, vec![0; 3]).await;
    assert_eq!(header_u64(&wrong, "upload-offset"), 0);
    assert_eq!(error_type(wrong, 409).await, "Conflict");

    let no_type = w
        .http
        .patch(&location)
        .header("Authorization", w.auth())
        .header("Upload-Offset", "0")
        .body(vec![0; 3])
        .send()
        .await
        .unwrap();
    error_type(no_type, 415).await;
    error_type(w.patch(&location, 0, vec![0; 11]).await, 400).await;
    error_type(
        w.patch(
            &format!("{}/files/ffff", w.fake.upload_url()),
            0,
            vec![0; 1],
        )
        .await,
        404,
    )
    .await;
    assert_eq!(w.head_offset(&location).await, Some(0));

    let missing_length = w
        .http
        .post(format!("{}/files/", w.fake.upload_url()))
        .header("Authorization", w.auth())
        .header(
            "Upload-Metadata",
            metadata(&[("name", "a"), ("parent_id", "0")]),
        )
        .send()
        .await
        .unwrap();
    error_type(missing_length, 400).await;
    let no_name = w.tus_create_raw(1, &metadata(&[("parent_id", "0")])).await;
    assert_eq!(error_type(no_name, 400).await, "EMPTY_NAME");
    let slash = w
        .tus_create_raw(1, &metadata(&[("name", "a/b"), ("parent_id", "0")]))
        .await;
    assert_eq!(error_type(slash, 400).await, "SLASH_IN_NAME");
    let no_parent = w
        .tus_create_raw(1, &metadata(&[("name", "a"), ("parent_id", "77")]))
        .await;
    error_type(no_parent, 404).await;
    let bad_time = w
        .tus_create_raw(
            1,
            &metadata(&[("name", "a"), ("parent_id", "0"), ("updated-at", "soon")]),
        )
        .await;
    error_type(bad_time, 400).await;
}

#[tokio::test]
async fn early_answers_to_big_bodies_still_reach_the_client() {
    let w = World::new();
    let location = w.tus_create(0, "big.bin", 64 << 20).await;
    for _ in 0..3 {
        let wrong = w.patch(&location, 5, vec![0; 16 << 20]).await;
        assert_eq!(error_type(wrong, 409).await, "Conflict");
    }
    w.fake.set_faults(fake_putio::Faults {
        error_5xx: 1.0,
        ..Default::default()
    });
    let failed = w.patch(&location, 0, vec![0; 16 << 20]).await;
    assert!(failed.status().is_server_error());
    assert_eq!(
        w.fake.stats().patch_bytes,
        0,
        "rejected bodies are not counted"
    );
}

#[tokio::test]
async fn a_body_cut_off_midway_keeps_the_received_bytes() {
    let w = World::new();
    let data = content(100);
    let location = w.tus_create(0, "partial.bin", 100).await;
    let path = location.trim_start_matches(&w.fake.upload_url()).to_owned();
    let mut stream =
        tokio::net::TcpStream::connect(w.fake.upload_url().trim_start_matches("http://"))
            .await
            .unwrap();
    let head = format!(
        "PATCH {path} HTTP/1.1\r\nHost: upload\r\nAuthorization: {}\r\nContent-Type: application/offset+octet-stream\r\n\
         Upload-Offset: 0\r\nContent-Length: 100\r\n\r\n",
        w.auth()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&data[..40]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(stream);

    assert!(crate::common::eventually(async || w.head_offset(&location).await == Some(40)).await);
    assert_eq!(w.fake.stats().patch_bytes, 40);
    assert!(w.fake.tree().is_empty());

    let rest = w.patch(&location, 40, data[40..].to_vec()).await;
    assert_eq!(rest.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header_str(&rest, "putio-file-crc32"),
        format!("{:08x}", crc32fast::hash(&data))
    );
    let id = header_u64(&rest, "putio-file-id");
    assert_eq!(w.fake.file_bytes(id), Some(data));
}

#[tokio::test]
async fn finished_uploads_answer_an_empty_patch_again_then_can_be_deleted() {
    let w = World::new();
    let location = w.tus_create(0, "done.txt", 5).await;
    let done = w.patch(&location, 0, b"hello".to_vec()).await;
    let (id, crc) = (
        header_u64(&done, "putio-file-id"),
        header_str(&done, "putio-file-crc32").to_owned(),
    );

    let again = w.patch(&location, 5, Vec::new()).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&again, "upload-offset"), 5);
    assert_eq!(header_u64(&again, "putio-file-id"), id);
    assert_eq!(header_str(&again, "putio-file-crc32"), crc);
    assert_eq!(w.head_offset(&location).await, Some(5));
    assert_eq!(w.fake.tree().len(), 1, "no second file");

    let deleted = w
        .http
        .delete(&location)
        .header("Authorization", w.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.head_offset(&location).await, None);
    error_type(w.patch(&location, 5, Vec::new()).await, 404).await;
}

#[tokio::test]
async fn zero_length_file_completes_on_its_first_empty_patch() {
    let w = World::new();
    // Without Tus-Resumable and without the trailing slash, as go-putio does it.
    let created = w
        .http
        .post(format!("{}/files", w.fake.upload_url()))
        .header("Authorization", format!("token {}", w.fake.token()))
        .header("Upload-Length", "0")
        .header(
            "Upload-Metadata",
            metadata(&[("name", "empty"), ("parent_id", "0")]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = header_str(&created, "location").to_owned();
    let done = w.patch(&location, 0, Vec::new()).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_str(&done, "putio-file-crc32"), "00000000");
    let tree = w.fake.tree();
    assert_eq!((tree[0].path.as_str(), tree[0].size), ("/empty", 0));
    assert_eq!(w.fake.stats().by_route["POST /files/"], 1);
}

#[tokio::test]
async fn quota_is_checked_at_creation_and_at_completion() {
    let w = World::new();
    w.fake.set_disk_size(10);
    let too_big = w
        .tus_create_raw(11, &metadata(&[("name", "big"), ("parent_id", "0")]))
        .await;
    assert_eq!(error_type(too_big, 402).await, "NOT_ENOUGH_DISK_SPACE");

    let location = w.tus_create(0, "five", 5).await;
    w.fake.seed_file(0, "filler", &[0; 8]);
    let full = w.patch(&location, 0, vec![1; 5]).await;
    assert_eq!(error_type(full, 402).await, "NOT_ENOUGH_DISK_SPACE");
    assert_eq!(w.head_offset(&location).await, Some(5));
    assert_eq!(w.fake.tree().len(), 1);

    w.fake.set_disk_size(100);
    let retry = w.patch(&location, 5, Vec::new()).await;
    assert_eq!(retry.status(), StatusCode::NO_CONTENT);
    assert!(retry.headers().contains_key("putio-file-id"));
    let info = json(w.get("/v2/account/info").await).await;
    assert_eq!(info["info"]["disk"]["used"], 13);
}

#[tokio::test]
async fn overwrite_replaces_and_torrents_without_no_torrent_become_transfers() {
    let w = World::new();
    w.fake.seed_file(0, "a.txt", b"old");
    let location = header_str(
        &w.tus_create_raw(
            3,
            &metadata(&[("name", "a.txt"), ("parent_id", "0"), ("overwrite", "true")]),
        )
        .await,
        "location",
    )
    .to_owned();
    let done = w.patch(&location, 0, b"new".to_vec()).await;
    let id = header_u64(&done, "putio-file-id");
    let tree = w.fake.tree();
    assert_eq!(tree.len(), 1);
    assert_eq!(w.fake.file_bytes(tree[0].id).as_deref(), Some(&b"new"[..]));
    assert_eq!(tree[0].id, id);

    // Without overwrite, duplicates are allowed.
    let location = w.tus_create(0, "a.txt", 1).await;
    w.patch(&location, 0, b"x".to_vec()).await;
    assert_eq!(w.fake.tree().len(), 2);

    let created = w
        .tus_create_raw(4, &metadata(&[("name", "x.torrent"), ("parent_id", "0")]))
        .await;
    let location = header_str(&created, "location").to_owned();
    let done = w.patch(&location, 0, b"d8:e".to_vec()).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert!(!done.headers().contains_key("putio-file-id"));
    assert_eq!(w.fake.tree().len(), 2);

    let location = w.tus_create(0, "kept.torrent", 4).await; // with no-torrent: true
    let done = w.patch(&location, 0, b"d8:e".to_vec()).await;
    assert!(done.headers().contains_key("putio-file-id"));
}

#[tokio::test]
async fn multipart_upload_stores_files_and_turns_torrents_into_transfers() {
    let w = World::new();
    let folder = w.fake.seed_folder(0, "in");
    let data = content(70_000);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(data.clone()).file_name("clip.mkv"),
        )
        .text("parent_id", folder.to_string());
    let response = w
        .http
        .post(format!(
            "{}/v2/files/upload?oauth_token={}",
            w.fake.upload_url(),
            w.fake.token()
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["file"]["name"], "clip.mkv");
    assert_eq!(body["file"]["parent_id"], folder);
    assert_eq!(body["file"]["size"], 70_000);
    assert_eq!(
        body["file"]["crc32"],
        format!("{:08x}", crc32fast::hash(&data))
    );
    let id = body["file"]["id"].as_u64().unwrap();
    assert_eq!(w.fake.file_bytes(id), Some(data));

    let form = reqwest::multipart::Form::new()
        .text("parent_id", "0")
        .text("filename", "renamed.txt")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"hi".to_vec()).file_name("orig.txt"),
        );
    let response = w
        .http
        .post(format!("{}/v2/files/upload", w.fake.upload_url()))
        .header("Authorization", w.auth())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(json(response).await["file"]["name"], "renamed.txt");

    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"d8:announce".to_vec()).file_name("linux.torrent"),
        )
        .text("parent_id", "0");
    let response = w
        .http
        .post(format!("{}/v2/files/upload", w.fake.upload_url()))
        .header("Authorization", w.auth())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = json(response).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["transfer"]["name"], "linux.torrent");
    assert!(body["transfer"]["id"].is_u64());
    assert!(body.get("file").is_none());
    let paths: Vec<String> = w.fake.tree().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["/in", "/in/clip.mkv", "/renamed.txt"]);
}

#[tokio::test]
async fn discarding_bytes_keeps_size_and_crc_only() {
    let w = World::with(Options {
        store_bytes: false,
        ..Options::default()
    });
    let data = content(5000);
    let location = w.tus_create(0, "big.bin", 5000).await;
    let done = w.patch(&location, 0, data.clone()).await;
    let id = header_u64(&done, "putio-file-id");
    let seeded = w.fake.seed_file(0, "seeded", b"abc");
    assert_eq!(w.fake.file_bytes(id), None);
    assert_eq!(w.fake.file_bytes(seeded), None);
    let tree = w.fake.tree();
    assert_eq!(tree[0].size, 5000);
    assert_eq!(
        tree[0].crc32,
        Some(format!("{:08x}", crc32fast::hash(&data)))
    );
    assert_eq!(
        tree[1].crc32,
        Some(format!("{:08x}", crc32fast::hash(b"abc")))
    );
}
