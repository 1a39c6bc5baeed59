//! The switches for put.io's unknowns, each against its default: when CRC32s show, what a
//! completed tus upload answers, torrents and transfers, the storage-full answer, an inactive
//! account, `skip_nonexistents`, and the record of everything deleted.

use std::time::Duration;

use crate::common::{World, error_type, header_str, header_u64, json, metadata};
use fake_putio::{Crc32Visibility, EntryKind, FullAnswer, Options, Unknowns};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn crc(data: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(data))
}

fn world(unknowns: Unknowns) -> World {
    World::with(Options {
        unknowns,
        ..Options::default()
    })
}

impl World {
    /// The `crc32` of file `id` in each of the four answers that carry a file object besides
    /// the upload's own: listing of its parent, `GET /files/{id}`, `/child?name=`, and
    /// `list/continue` (a second page).
    async fn crc32_everywhere(&self, parent_id: u64, id: u64, name: &str) -> [Value; 4] {
        let listing = json(
            self.get(&format!("/v2/files/list?parent_id={parent_id}"))
                .await,
        )
        .await;
        let listed = listing["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed: {listing}"))["crc32"]
            .clone();
        let by_id = json(self.get(&format!("/v2/files/{id}")).await).await["file"]["crc32"].clone();
        let by_name = json(
            self.get(&format!("/v2/files/{parent_id}/child?name={name}"))
                .await,
        )
        .await["file"]["crc32"]
            .clone();
        // One entry per page: the file is on some page after the first, or the only one.
        let mut page = json(
            self.get(&format!("/v2/files/list?parent_id={parent_id}&per_page=1"))
                .await,
        )
        .await;
        let paged = loop {
            if let Some(file) = page["files"].as_array().unwrap().first()
                && file["id"] == id
            {
                break file["crc32"].clone();
            }
            let cursor = page["cursor"].as_str().expect("more pages").to_owned();
            page = json(
                self.post_form("/v2/files/list/continue", &[("cursor", &cursor)])
                    .await,
            )
            .await;
        };
        [listed, by_id, by_name, paged]
    }
}

#[tokio::test]
async fn crc32_hidden_everywhere_until_its_delay_has_passed_since_storing() {
    let w = world(Unknowns {
        crc32: Crc32Visibility::After(Duration::from_secs(3600)),
        ..Unknowns::default()
    });
    let folder = w.fake.seed_folder(0, "f");
    w.fake.seed_file(folder, "0-first", b"seeded earlier");

    let multipart = json(w.multipart(folder, "one.bin", b"one request").await).await;
    assert_eq!(multipart["file"]["name"], "one.bin");
    assert!(multipart["file"]["crc32"].is_null(), "{multipart}");
    let one = multipart["file"]["id"].as_u64().unwrap();

    let location = w.tus_create(folder, "tus.bin", 5).await;
    let done = w.patch(&location, 0, b"hello".to_vec()).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let tus = header_u64(&done, "putio-file-id");
    assert!(!done.headers().contains_key("putio-file-crc32"));
    let again = w.patch(&location, 5, Vec::new()).await;
    assert_eq!(header_u64(&again, "putio-file-id"), tus);
    assert!(!again.headers().contains_key("putio-file-crc32"));

    for (id, name) in [(one, "one.bin"), (tus, "tus.bin")] {
        for (place, value) in w
            .crc32_everywhere(folder, id, name)
            .await
            .iter()
            .enumerate()
        {
            assert!(value.is_null(), "{name} in answer {place}: {value}");
        }
    }
    // The fake's own view keeps the truth.
    let tree = w.fake.tree();
    let stored = tree.iter().find(|e| e.id == tus).unwrap();
    assert_eq!(stored.crc32.as_deref(), Some(crc(b"hello").as_str()));

    // A shorter delay, set later, counts from when each file was stored: all show now.
    w.fake.set_unknowns(Unknowns {
        crc32: Crc32Visibility::After(Duration::from_millis(1)),
        ..Unknowns::default()
    });
    assert!(
        crate::common::eventually(async || {
            json(w.get(&format!("/v2/files/{tus}")).await).await["file"]["crc32"].is_string()
        })
        .await
    );
    for (id, name, data) in [
        (one, "one.bin", &b"one request"[..]),
        (tus, "tus.bin", &b"hello"[..]),
    ] {
        for (place, value) in w
            .crc32_everywhere(folder, id, name)
            .await
            .iter()
            .enumerate()
        {
            assert_eq!(*value, Value::from(crc(data)), "{name} in answer {place}");
        }
    }
    let again = w.patch(&location, 5, Vec::new()).await;
    assert_eq!(header_str(&again, "putio-file-crc32"), crc(b"hello"));
}

#[tokio::test]
async fn crc32_shows_once_a_short_delay_is_over() {
    let w = world(Unknowns {
        crc32: Crc32Visibility::After(Duration::from_millis(200)),
        ..Unknowns::default()
    });
    let location = w.tus_create(0, "late.bin", 3).await;
    let id = header_u64(
        &w.patch(&location, 0, b"abc".to_vec()).await,
        "putio-file-id",
    );
    assert!(
        crate::common::eventually(async || {
            json(w.get(&format!("/v2/files/{id}")).await).await["file"]["crc32"] == crc(b"abc")
        })
        .await,
        "the CRC32 appears after the delay"
    );
}

#[tokio::test]
async fn crc32_never_shows_and_immediate_is_the_default() {
    let w = world(Unknowns {
        crc32: Crc32Visibility::Never,
        ..Unknowns::default()
    });
    let seeded = w.fake.seed_file(0, "seeded", b"x");
    let location = w.tus_create(0, "n.bin", 1).await;
    let done = w.patch(&location, 0, b"n".to_vec()).await;
    assert!(done.headers().contains_key("putio-file-id"));
    assert!(!done.headers().contains_key("putio-file-crc32"));
    let id = header_u64(&done, "putio-file-id");
    for value in w.crc32_everywhere(0, seeded, "seeded").await {
        assert!(value.is_null(), "{value}");
    }
    for value in w.crc32_everywhere(0, id, "n.bin").await {
        assert!(value.is_null(), "{value}");
    }

    w.fake.set_unknowns(Unknowns::default());
    assert_eq!(w.fake.unknowns(), Unknowns::default());
    for value in w.crc32_everywhere(0, id, "n.bin").await {
        assert_eq!(value, Value::from(crc(b"n")));
    }
    let again = w.patch(&location, 1, Vec::new()).await;
    assert_eq!(header_str(&again, "putio-file-crc32"), crc(b"n"));
}

#[tokio::test]
async fn completed_uploads_can_be_forgotten() {
    let w = world(Unknowns {
        forget_completed_uploads: true,
        ..Unknowns::default()
    });
    let unfinished = w.tus_create(0, "half.bin", 4).await;
    w.patch(&unfinished, 0, b"ha".to_vec()).await;
    let location = w.tus_create(0, "done.bin", 4).await;
    let done = w.patch(&location, 0, b"done".to_vec()).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert!(
        done.headers().contains_key("putio-file-id"),
        "the completing answer names it"
    );

    assert_eq!(
        w.send(Method::HEAD, &location).await.status(),
        StatusCode::NOT_FOUND
    );
    error_type(w.patch(&location, 4, Vec::new()).await, 404).await;
    error_type(w.send(Method::DELETE, &location).await, 404).await;
    assert_eq!(w.fake.tree().len(), 1, "the file itself stays");
    // Unfinished uploads are not affected.
    assert_eq!(w.head_offset(&unfinished).await, Some(2));

    // Switched on after the fact, the switch applies to uploads completed before it.
    w.fake.set_unknowns(Unknowns::default());
    assert_eq!(
        w.head_offset(&location).await,
        Some(4),
        "default: still known"
    );
    let again = w.patch(&location, 4, Vec::new()).await;
    assert!(again.headers().contains_key("putio-file-id"));
    w.fake.set_unknowns(Unknowns {
        forget_completed_uploads: true,
        ..Unknowns::default()
    });
    assert_eq!(w.head_offset(&location).await, None);
}

#[tokio::test]
async fn a_repeated_completion_can_come_without_the_file_id() {
    let w = world(Unknowns {
        completion_without_file_id: true,
        ..Unknowns::default()
    });
    let location = w.tus_create(0, "r.bin", 3).await;
    let done = w.patch(&location, 0, b"abc".to_vec()).await;
    let id = header_u64(&done, "putio-file-id");
    assert_eq!(header_str(&done, "putio-file-crc32"), crc(b"abc"));

    let again = w.patch(&location, 3, Vec::new()).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&again, "upload-offset"), 3);
    assert!(!again.headers().contains_key("putio-file-id"));
    assert!(!again.headers().contains_key("putio-file-crc32"));
    assert_eq!(w.head_offset(&location).await, Some(3));
    assert_eq!(w.fake.tree().len(), 1);
    assert_eq!(w.fake.tree()[0].id, id);

    // A completion first refused (quota) and then made by an empty PATCH is a first
    // completion: it names the file.
    w.fake.set_disk_size(5);
    let location = w.tus_create(0, "q.bin", 2).await;
    w.fake.seed_file(0, "filler", b"ff");
    let refused = w.patch(&location, 0, b"qq".to_vec()).await;
    error_type(refused, 402).await;
    w.fake.set_disk_size(100);
    let completed = w.patch(&location, 2, Vec::new()).await;
    assert!(completed.headers().contains_key("putio-file-id"));
    assert_eq!(header_str(&completed, "putio-file-crc32"), crc(b"qq"));
    let repeat = w.patch(&location, 2, Vec::new()).await;
    assert!(!repeat.headers().contains_key("putio-file-id"));
}

#[tokio::test]
async fn by_default_no_torrent_keeps_torrents_and_magnets_are_files() {
    let w = World::new();
    let location = w.tus_create(0, "kept.torrent", 4).await;
    let done = w.patch(&location, 0, b"d8:e".to_vec()).await;
    assert!(done.headers().contains_key("putio-file-id"));
    let magnet = json(
        w.multipart(0, "link.magnet", b"magnet:?xt=urn:btih:0")
            .await,
    )
    .await;
    assert_eq!(magnet["file"]["name"], "link.magnet");
    let location = w
        .tus_create_raw(1, &metadata(&[("name", "t.magnet"), ("parent_id", "0")]))
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        w.patch(&location, 0, b"m".to_vec())
            .await
            .headers()
            .contains_key("putio-file-id")
    );
    assert!(w.fake.transfers().is_empty());

    // Multipart .torrent, and tus .torrent without no-torrent, are transfers.
    let folder = w.fake.seed_folder(0, "in");
    let body = json(w.multipart(folder, "linux.torrent", b"d8:announce").await).await;
    assert_eq!(body["transfer"]["name"], "linux.torrent");
    assert_eq!(body["transfer"]["status"], "IN_QUEUE");
    assert_eq!(body["transfer"]["save_parent_id"], folder);
    let location = w
        .tus_create_raw(4, &metadata(&[("name", "x.torrent"), ("parent_id", "0")]))
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        !w.patch(&location, 0, b"d8:e".to_vec())
            .await
            .headers()
            .contains_key("putio-file-id")
    );
    let transfers = w.fake.transfers();
    assert_eq!(transfers.len(), 2);
    assert_eq!(
        (
            transfers[0].name.as_str(),
            transfers[0].save_parent_id,
            transfers[0].source.as_str()
        ),
        ("linux.torrent", folder, "upload:linux.torrent")
    );
    assert_eq!(transfers[1].source, "upload:x.torrent");
    let paths: Vec<String> = w.fake.tree().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["/in", "/kept.torrent", "/link.magnet", "/t.magnet"]);
}

#[tokio::test]
async fn torrents_and_magnets_can_always_become_transfers() {
    let w = world(Unknowns {
        torrents_become_transfers: true,
        ..Unknowns::default()
    });
    let folder = w.fake.seed_folder(0, "dl");
    // no-torrent: true does not help.
    let location = w.tus_create(folder, "kept.torrent", 4).await;
    let done = w.patch(&location, 0, b"d8:e".to_vec()).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_u64(&done, "upload-offset"), 4);
    assert!(!done.headers().contains_key("putio-file-id"));
    let location = w.tus_create(0, "a.MAGNET", 1).await;
    assert!(
        !w.patch(&location, 0, b"m".to_vec())
            .await
            .headers()
            .contains_key("putio-file-id")
    );
    let body = json(w.multipart(0, "b.magnet", b"magnet:?xt=urn:btih:0").await).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["transfer"]["name"], "b.magnet");
    assert!(body.get("file").is_none());
    // Other files are untouched.
    w.fake.seed_file(0, "plain.txt", b"p");
    assert_eq!(w.fake.tree().len(), 2, "only the folder and plain.txt");

    let transfers = w.fake.transfers();
    let sources: Vec<&str> = transfers.iter().map(|t| t.source.as_str()).collect();
    assert_eq!(
        sources,
        ["upload:kept.torrent", "upload:a.MAGNET", "upload:b.magnet"]
    );
    assert_eq!(transfers[0].save_parent_id, folder);
    assert!(transfers.iter().all(|t| t.status == "IN_QUEUE"));

    let list = json(w.get("/v2/transfers/list").await).await;
    assert_eq!(list["status"], "OK");
    let listed = list["transfers"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["name"], "kept.torrent");
    assert_eq!(listed[0]["save_parent_id"], folder);
    assert_eq!(listed[0]["id"], transfers[0].id);
    let one = json(w.get(&format!("/v2/transfers/{}", transfers[2].id)).await).await;
    assert_eq!(one["transfer"]["name"], "b.magnet");
    assert_eq!(one["status"], "OK");
}

#[tokio::test]
async fn transfers_can_be_added_by_link_and_read_back() {
    let w = World::new();
    let folder = w.fake.seed_folder(0, "films");
    let added = w
        .post_form(
            "/v2/transfers/add",
            &[
                ("url", "magnet:?xt=urn:btih:abc&dn=Big+Buck+Bunny"),
                ("save_parent_id", &folder.to_string()),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let added = json(added).await;
    assert_eq!(added["status"], "OK");
    let transfer = &added["transfer"];
    assert_eq!(transfer["name"], "Big Buck Bunny");
    assert_eq!(transfer["status"], "IN_QUEUE");
    assert_eq!(transfer["save_parent_id"], folder);
    let id = transfer["id"].as_u64().unwrap();

    let link = json(
        w.post_form(
            "/v2/transfers/add",
            &[("url", "https://example.invalid/iso/debian.torrent?x=1")],
        )
        .await,
    )
    .await;
    assert_eq!(link["transfer"]["name"], "debian.torrent");
    assert_eq!(link["transfer"]["save_parent_id"], 0);

    let got = json(w.get(&format!("/v2/transfers/{id}")).await).await;
    assert_eq!(got["transfer"], *transfer);
    assert_eq!(
        json(w.get("/v2/transfers/list").await).await["transfers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let recorded = w.fake.transfers();
    assert_eq!(
        recorded[0].source,
        "magnet:?xt=urn:btih:abc&dn=Big+Buck+Bunny"
    );
    assert_eq!(
        recorded[1].source,
        "https://example.invalid/iso/debian.torrent?x=1"
    );

    error_type(w.post_form("/v2/transfers/add", &[]).await, 400).await;
    error_type(
        w.post_form("/v2/transfers/add", &[("url", "ftp://x/y")])
            .await,
        400,
    )
    .await;
    error_type(
        w.post_form(
            "/v2/transfers/add",
            &[
                ("url", "magnet:?xt=urn:btih:abc"),
                ("save_parent_id", "999"),
            ],
        )
        .await,
        404,
    )
    .await;
    error_type(w.get("/v2/transfers/999").await, 404).await;
    assert!(
        w.fake.tree().iter().all(|e| e.kind == EntryKind::Folder),
        "nothing stored"
    );
}

#[tokio::test]
async fn every_full_answer_refuses_creation_completion_and_multipart() {
    let cases = [
        (FullAnswer::PaymentRequired402, 402, "NOT_ENOUGH_DISK_SPACE"),
        (FullAnswer::TooLarge413, 413, "REQUEST_ENTITY_TOO_LARGE"),
        (FullAnswer::BadRequest400, 400, "UPLOAD_FAILED"),
        (FullAnswer::Forbidden403, 403, "STORAGE_LIMIT_EXCEEDED"),
    ];
    assert_eq!(FullAnswer::default(), FullAnswer::PaymentRequired402);
    for (answer, status, want) in cases {
        let w = world(Unknowns {
            full_answer: answer,
            ..Unknowns::default()
        });
        w.fake.set_disk_size(10);
        let too_big = w
            .tus_create_raw(11, &metadata(&[("name", "big"), ("parent_id", "0")]))
            .await;
        assert_eq!(
            error_type(too_big, status).await,
            want,
            "{answer:?} at creation"
        );

        let location = w.tus_create(0, "five", 5).await;
        w.fake.seed_file(0, "filler", &[0; 8]);
        let full = w.patch(&location, 0, vec![1; 5]).await;
        assert_eq!(
            error_type(full, status).await,
            want,
            "{answer:?} at completion"
        );
        assert_eq!(w.head_offset(&location).await, Some(5));

        let multipart = w.multipart(0, "m.bin", &[2; 3]).await;
        let message = {
            assert_eq!(multipart.status().as_u16(), status);
            let body = json(multipart).await;
            assert_eq!(body["error_type"], want, "{answer:?} for multipart");
            body["error_message"].as_str().unwrap().to_ascii_lowercase()
        };
        if answer == FullAnswer::BadRequest400 {
            for word in ["disk", "space", "storage"] {
                assert!(!message.contains(word), "{message}");
            }
        }
        assert_eq!(w.fake.tree().len(), 1, "only the filler");
        // Room again: the refused completion is retried by an empty PATCH.
        w.fake.set_disk_size(100);
        let retry = w.patch(&location, 5, Vec::new()).await;
        assert!(retry.headers().contains_key("putio-file-id"), "{answer:?}");
    }
}

#[tokio::test]
async fn an_inactive_account_reads_but_every_write_is_402() {
    let w = World::new();
    let folder = w.fake.seed_folder(0, "f");
    let file = w.fake.seed_file(folder, "a.txt", b"a");
    let location = w.tus_create(0, "open.bin", 4).await;
    w.patch(&location, 0, b"op".to_vec()).await;
    w.fake.set_unknowns(Unknowns {
        account_inactive: true,
        ..Unknowns::default()
    });

    let info = json(w.get("/v2/account/info").await).await;
    assert_eq!(info["info"]["account_status"], "inactive");
    assert_eq!(info["info"]["account_active"], false);
    for read in [
        format!("/v2/files/list?parent_id={folder}"),
        format!("/v2/files/{file}"),
        format!("/v2/files/{folder}/child?name=a.txt"),
        "/v2/account/settings".to_owned(),
        "/v2/transfers/list".to_owned(),
        "/v2/oauth2/validate".to_owned(),
    ] {
        assert_eq!(w.get(&read).await.status(), StatusCode::OK, "{read}");
    }
    assert_eq!(w.head_offset(&location).await, Some(2), "HEAD is a read");

    let id = file.to_string();
    let writes = [
        w.post_form(
            "/v2/files/create-folder",
            &[("name", "new"), ("parent_id", "0")],
        )
        .await,
        w.post_form("/v2/files/rename", &[("file_id", &id), ("name", "b.txt")])
            .await,
        w.post_form("/v2/files/delete", &[("file_ids", &id)]).await,
        w.post_form("/v2/transfers/add", &[("url", "magnet:?xt=urn:btih:0")])
            .await,
        w.tus_create_raw(1, &metadata(&[("name", "n"), ("parent_id", "0")]))
            .await,
        w.patch(&location, 2, b"en".to_vec()).await,
        w.send(Method::DELETE, &location).await,
        w.multipart(0, "m.txt", b"m").await,
    ];
    for (i, response) in writes.into_iter().enumerate() {
        assert_eq!(
            error_type(response, 402).await,
            "PaymentRequired",
            "write {i}"
        );
    }
    let paths: Vec<String> = w.fake.tree().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["/f", "/f/a.txt"], "nothing changed");
    assert!(w.fake.transfers().is_empty() && w.fake.deleted().is_empty());
    assert_eq!(w.head_offset(&location).await, Some(2));

    // The token is still checked first.
    let anonymous = w
        .http
        .post(w.api("/v2/files/create-folder"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    w.fake.set_unknowns(Unknowns::default());
    let info = json(w.get("/v2/account/info").await).await;
    assert_eq!(info["info"]["account_status"], "active");
    assert_eq!(
        w.patch(&location, 2, b"en".to_vec()).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn skip_nonexistents_counts_unknown_ids_unless_switched_off() {
    let w = World::new();
    let a = w.fake.seed_file(0, "a", b"a");
    let skipped = w
        .post_form(
            "/v2/files/delete?skip_nonexistents=1",
            &[("file_ids", &format!("{a},777,778"))],
        )
        .await;
    let body = json(skipped).await;
    assert_eq!(body["skipped"], 2);
    assert_eq!(body["status"], "OK");
    assert!(w.fake.tree().is_empty());
    // Also as a form field; and without it, unknown ids are 404.
    let b = w.fake.seed_file(0, "b", b"b");
    let body = json(
        w.post_form(
            "/v2/files/delete",
            &[
                ("file_ids", &format!("{b},779")),
                ("skip_nonexistents", "1"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(body["skipped"], 1);
    error_type(
        w.post_form("/v2/files/delete", &[("file_ids", "780")])
            .await,
        404,
    )
    .await;

    w.fake.set_unknowns(Unknowns {
        delete_ignores_skip_nonexistents: true,
        ..Unknowns::default()
    });
    let c = w.fake.seed_file(0, "c", b"c");
    let refused = w
        .post_form(
            "/v2/files/delete?skip_nonexistents=1",
            &[("file_ids", &format!("{c},781"))],
        )
        .await;
    error_type(refused, 404).await;
    assert_eq!(w.fake.tree().len(), 1, "checked before deleting anything");
    let fine = w
        .post_form(
            "/v2/files/delete?skip_nonexistents=1",
            &[("file_ids", &c.to_string())],
        )
        .await;
    assert_eq!(json(fine).await["skipped"], 0);
}

#[tokio::test]
async fn every_removal_is_recorded_in_order() {
    let w = World::new();
    let top = w.fake.seed_folder(0, "top");
    let inner = w.fake.seed_folder(top, "inner");
    w.fake.seed_file(inner, "deep.txt", b"deep");
    w.fake.seed_file(top, "a.txt", b"aa");
    let lone = w.fake.seed_file(0, "lone.txt", b"lone");
    w.fake.seed_file(0, "same.txt", b"old");
    assert!(w.fake.deleted().is_empty());

    let body = json(
        w.post_form(
            "/v2/files/delete",
            &[("file_ids", &format!("{lone},{top}"))],
        )
        .await,
    )
    .await;
    assert_eq!(body["status"], "OK");
    // tus overwrite replaces a file: that is a removal too.
    let created = w
        .tus_create_raw(
            3,
            &metadata(&[
                ("name", "same.txt"),
                ("parent_id", "0"),
                ("overwrite", "true"),
            ]),
        )
        .await;
    let location = header_str(&created, "location").to_owned();
    w.patch(&location, 0, b"new".to_vec()).await;

    let deleted: Vec<(String, EntryKind, u64, Option<String>)> = w
        .fake
        .deleted()
        .into_iter()
        .map(|e| (e.path, e.kind, e.size, e.crc32))
        .collect();
    assert_eq!(
        deleted,
        [
            (
                "/lone.txt".to_owned(),
                EntryKind::File,
                4,
                Some(crc(b"lone"))
            ),
            ("/top".to_owned(), EntryKind::Folder, 0, None),
            (
                "/top/a.txt".to_owned(),
                EntryKind::File,
                2,
                Some(crc(b"aa"))
            ),
            ("/top/inner".to_owned(), EntryKind::Folder, 0, None),
            (
                "/top/inner/deep.txt".to_owned(),
                EntryKind::File,
                4,
                Some(crc(b"deep"))
            ),
            (
                "/same.txt".to_owned(),
                EntryKind::File,
                3,
                Some(crc(b"old"))
            ),
        ]
    );
    assert_eq!(w.fake.tree().len(), 1);
}
