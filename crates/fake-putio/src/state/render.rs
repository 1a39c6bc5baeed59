//! put.io's JSON objects (file, transfer, account info, settings) built from the account.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Node, ROOT_ID, State, USER_ID};
use crate::model::{EntryKind, Transfer};
use crate::time;
#[cfg(doc)]
use crate::unknowns::Unknowns;

impl State {
    pub fn account_info(&self) -> Value {
        json!({
            "user_id": USER_ID,
            "username": self.username,
            "mail": format!("{}@example.invalid", self.username),
            "account_status": if self.unknowns.account_inactive { "inactive" } else { "active" },
            "account_active": !self.unknowns.account_inactive,
            "avatar_url": null,
            "can_create_sub_account": false,
            "is_sub_account": false,
            "family_owner": null,
            "disk": {
                "avail": self.disk_size.saturating_sub(self.used),
                "size": self.disk_size,
                "used": self.used,
            },
            "trash_size": 0,
            "files_will_be_deleted_at": null,
            "monthly_bandwidth_usage": 0,
            "private_download_host_ip": null,
            "password_last_changed_at": null,
            "warnings": {},
            "settings": settings(),
        })
    }

    /// put.io's file object; its `crc32` is null while [`Unknowns::crc32`] hides it.
    pub fn file_json(&self, id: u64) -> Option<Value> {
        self.file_object(id)
            .map(|file| serde_json::to_value(file).expect("a file object is plain JSON"))
    }

    /// [`file_json`](Self::file_json) before it becomes a value.
    pub(crate) fn file_object(&self, id: u64) -> Option<FileObject<'_>> {
        self.nodes
            .get(&id)
            .map(|node| file_object(node, self.unknowns.crc32.shows(node.stored_at)))
    }
}

pub(crate) fn hex(crc32: u32) -> String {
    format!("{crc32:08x}")
}

pub(crate) fn settings() -> Value {
    json!({
        "trash_enabled": false,
        "default_download_folder": ROOT_ID,
        "sort_by": "NAME_ASC",
        "locale": "en",
        "is_invisible": false,
        "history_enabled": false,
        "subtitle_languages": [],
        "theme": "auto",
    })
}

/// put.io's transfer object (§6.3 of putio-api.md), as far as the fake can fill it.
pub(super) fn transfer_object(transfer: &Transfer) -> Value {
    json!({
        "id": transfer.id,
        "name": transfer.name,
        "status": transfer.status,
        "save_parent_id": transfer.save_parent_id,
        "source": transfer.source,
        "percent_done": 0,
        "size": 0,
        "downloaded": 0,
        "file_id": null,
        "callback_url": null,
        "created_at": time::format(time::now()),
    })
}

/// `(file_type, content_type, extension)` from the name, roughly as put.io classifies.
pub(super) fn file_kind(node: &Node) -> (&'static str, &'static str, Option<String>) {
    if node.kind == EntryKind::Folder {
        return ("FOLDER", "application/x-directory", None);
    }
    let extension = node
        .name
        .rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let (file_type, content_type) = match extension.as_deref() {
        Some("mp4" | "m4v") => ("VIDEO", "video/mp4"),
        Some("mkv") => ("VIDEO", "video/x-matroska"),
        Some("avi") => ("VIDEO", "video/x-msvideo"),
        Some("mov") => ("VIDEO", "video/quicktime"),
        Some("webm") => ("VIDEO", "video/webm"),
        Some("mp3") => ("AUDIO", "audio/mpeg"),
        Some("flac") => ("AUDIO", "audio/flac"),
        Some("m4a") => ("AUDIO", "audio/mp4"),
        Some("ogg") => ("AUDIO", "audio/ogg"),
        Some("wav") => ("AUDIO", "audio/x-wav"),
        Some("jpg" | "jpeg") => ("IMAGE", "image/jpeg"),
        Some("png") => ("IMAGE", "image/png"),
        Some("gif") => ("IMAGE", "image/gif"),
        Some("webp") => ("IMAGE", "image/webp"),
        Some("heic") => ("IMAGE", "image/heic"),
        Some("zip") => ("ARCHIVE", "application/zip"),
        Some("rar") => ("ARCHIVE", "application/x-rar-compressed"),
        Some("7z") => ("ARCHIVE", "application/x-7z-compressed"),
        Some("gz" | "tgz") => ("ARCHIVE", "application/gzip"),
        Some("tar") => ("ARCHIVE", "application/x-tar"),
        Some("pdf") => ("PDF", "application/pdf"),
        Some("txt" | "nfo" | "log") => ("TEXT", "text/plain"),
        Some("md") => ("TEXT", "text/markdown"),
        Some("srt") => ("TEXT", "application/x-subrip"),
        Some("swf") => ("SWF", "application/x-shockwave-flash"),
        _ => ("FILE", "application/octet-stream"),
    };
    (file_type, content_type, extension)
}

/// put.io's file object (§5.1 of putio-api.md), typed so that a listing page is written
/// straight to its JSON text (one of these per entry, not a map of values).
#[derive(Serialize)]
pub(crate) struct FileObject<'a> {
    id: u64,
    name: &'a str,
    parent_id: Option<u64>,
    size: u64,
    file_type: &'static str,
    content_type: &'static str,
    crc32: Option<String>,
    created_at: String,
    updated_at: String,
    extension: Option<String>,
    folder_type: &'static str,
    is_hidden: bool,
    is_shared: bool,
    is_mp4_available: bool,
    first_accessed_at: Option<()>,
    icon: Option<()>,
    screenshot: Option<()>,
    opensubtitles_hash: Option<()>,
    start_from: u64,
}

/// put.io's file object; `crc32` null unless `show_crc32`.
pub(super) fn file_object(node: &Node, show_crc32: bool) -> FileObject<'_> {
    let (file_type, content_type, extension) = file_kind(node);
    FileObject {
        id: node.id,
        name: &node.name,
        parent_id: (node.id != ROOT_ID).then_some(node.parent_id),
        size: node.size,
        file_type,
        content_type,
        crc32: node.crc32.filter(|_| show_crc32).map(hex),
        created_at: time::format(node.created_at),
        updated_at: time::format(node.updated_at),
        extension,
        folder_type: "REGULAR",
        is_hidden: false,
        is_shared: false,
        is_mp4_available: false,
        first_accessed_at: None,
        icon: None,
        screenshot: None,
        opensubtitles_hash: None,
        start_from: 0,
    }
}
