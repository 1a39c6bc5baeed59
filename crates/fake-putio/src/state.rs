//! The account behind both hosts: folder tree, file bytes (or only size + CRC32), unfinished tus
//! uploads, quota, token, request statistics and the seeded fault RNG.
//!
//! Everything lives in one [`State`] that the server keeps behind one mutex. This module is plain
//! synchronous logic: it never awaits, never does I/O, and knows HTTP only through [`ApiError`]
//! values it returns for handlers to render. Callers take the lock, call one method, drop it.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

use axum::http::{HeaderName, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::reply::ApiError;
use crate::server::{Entry, EntryKind, Faults, Options, Stats};
use crate::time;

pub(crate) const ROOT_ID: u64 = 0;
const ROOT_NAME: &str = "Your Files";
const MAX_NAME_BYTES: usize = 255;
pub(crate) const USER_ID: u64 = 1;

struct Node {
    id: u64,
    parent_id: u64,
    name: String,
    kind: EntryKind,
    /// Files: their length. Folders: the total of every file below them.
    size: u64,
    crc32: Option<u32>,
    /// `None` for folders and when the fake discards bytes.
    content: Option<Vec<u8>>,
    created_at: i64,
    updated_at: i64,
    /// Folders only: children ordered by name, then id (put.io's default listing order).
    children: BTreeSet<(String, u64)>,
}

/// What a finished upload turned into.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Completion {
    File {
        id: u64,
        crc32: u32,
    },
    /// A `.torrent` sent without `no-torrent: true` starts a transfer and stores nothing.
    Transfer,
}

pub(crate) struct NewUpload {
    pub parent_id: u64,
    pub name: String,
    pub length: u64,
    pub updated_at: Option<i64>,
    pub overwrite: bool,
    pub no_torrent: bool,
}

struct Upload {
    parent_id: u64,
    name: String,
    length: u64,
    offset: u64,
    hasher: crc32fast::Hasher,
    data: Option<Vec<u8>>,
    updated_at: Option<i64>,
    overwrite: bool,
    no_torrent: bool,
    /// Bumped by every PATCH that passes the offset check; an older PATCH still streaming sees the
    /// change and stops, so two bodies never interleave.
    generation: u64,
    done: Option<Completion>,
}

/// The fault chosen for one request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fault {
    None,
    RateLimit {
        reset_secs: u64,
    },
    ServerError(StatusCode),
    /// Close the connection unanswered; a PATCH first reads `fraction` of its body.
    Drop {
        fraction: f64,
    },
}

/// One listing page request, from `/files/list` or from a decoded cursor.
pub(crate) struct ListQuery {
    pub parent_id: u64,
    pub file_types: Option<Vec<String>>,
    pub per_page: usize,
    /// Key (name, id) of the last entry already served.
    pub after: Option<(String, u64)>,
}

pub(crate) struct ListPage {
    pub files: Vec<Value>,
    /// Key of the last entry served, when more remain.
    pub next: Option<(String, u64)>,
    pub total: usize,
}

pub(crate) struct State {
    pub token_revoked: bool,
    /// The login endpoints' app, answers and codes (see `oauth`).
    pub logins: crate::oauth::Logins,
    pub disk_size: u64,
    pub per_page_max: usize,
    pub stats: Stats,
    username: String,
    store_bytes: bool,
    used: u64,
    faults: Faults,
    rng: StdRng,
    /// Requests seen since the faults were last set; drives `rate_limit_every`.
    fault_counter: u64,
    nodes: HashMap<u64, Node>,
    next_id: u64,
    next_transfer_id: u64,
    uploads: HashMap<String, Upload>,
    pub hooks: Hooks,
}

/// Misbehaviour aimed at particular files, for tests of a client's failure handling.
#[derive(Default)]
pub(crate) struct Hooks {
    /// Files with these names are stored with one byte flipped (and so a different CRC32).
    pub corrupt: BTreeSet<String>,
    /// tus creations for these names are refused with this status and error type.
    pub reject: HashMap<String, (StatusCode, &'static str)>,
    /// Bytes per second at which PATCH bodies are read (`None`: as fast as they come).
    pub patch_rate: Option<u64>,
}

impl State {
    pub fn new(options: &Options) -> Self {
        let now = time::now();
        let root = Node {
            id: ROOT_ID,
            parent_id: ROOT_ID,
            name: ROOT_NAME.to_owned(),
            kind: EntryKind::Folder,
            size: 0,
            crc32: None,
            content: None,
            created_at: now,
            updated_at: now,
            children: BTreeSet::new(),
        };
        let faults = sanitize(options.faults.clone());
        Self {
            token_revoked: false,
            logins: crate::oauth::Logins::default(),
            disk_size: options.disk_size,
            per_page_max: options.per_page_max.max(1),
            stats: Stats::default(),
            username: options.username.clone(),
            store_bytes: options.store_bytes,
            used: 0,
            rng: StdRng::seed_from_u64(faults.seed),
            faults,
            fault_counter: 0,
            nodes: HashMap::from([(ROOT_ID, root)]),
            next_id: 1,
            next_transfer_id: 1,
            uploads: HashMap::new(),
            hooks: Hooks::default(),
        }
    }

    /// Forgets every unfinished tus upload, as an expired upload URL would be.
    pub fn forget_uploads(&mut self) -> usize {
        let before = self.uploads.len();
        self.uploads.retain(|_, upload| upload.done.is_some());
        before - self.uploads.len()
    }

    // ---- faults -------------------------------------------------------------------------

    /// New faults restart the RNG from their seed and the rate-limit count from zero, so a run
    /// after `set_faults` is reproducible.
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = sanitize(faults);
        self.rng = StdRng::seed_from_u64(self.faults.seed);
        self.fault_counter = 0;
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Decides the fault for the next request, in the documented order: rate limit, 5xx, drop.
    pub fn decide_fault(&mut self) -> Fault {
        self.fault_counter += 1;
        let faults = &self.faults;
        let fault = if faults.rate_limit_every > 0
            && self.fault_counter.is_multiple_of(faults.rate_limit_every)
        {
            Fault::RateLimit {
                reset_secs: faults.rate_limit_reset_secs.max(1),
            }
        } else if faults.error_5xx > 0.0 && self.rng.random::<f64>() < faults.error_5xx {
            let status = match self.rng.random_range(0..3) {
                0 => StatusCode::INTERNAL_SERVER_ERROR,
                1 => StatusCode::BAD_GATEWAY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            Fault::ServerError(status)
        } else if faults.drop > 0.0 && self.rng.random::<f64>() < faults.drop {
            Fault::Drop {
                fraction: self.rng.random::<f64>(),
            }
        } else {
            Fault::None
        };
        if !matches!(fault, Fault::None) {
            self.stats.faults_injected += 1;
        }
        fault
    }

    // ---- account ------------------------------------------------------------------------

    pub fn account_info(&self) -> Value {
        json!({
            "user_id": USER_ID,
            "username": self.username,
            "mail": format!("{}@example.invalid", self.username),
            "account_status": "active",
            "account_active": true,
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

    // ---- reading the tree ---------------------------------------------------------------

    pub fn file_json(&self, id: u64) -> Option<Value> {
        self.nodes.get(&id).map(file_object)
    }

    fn folder(&self, id: u64) -> Result<&Node, ApiError> {
        match self.nodes.get(&id) {
            Some(node) if node.kind == EntryKind::Folder => Ok(node),
            Some(_) => Err(ApiError::not_found(format!("{id} is a file, not a folder"))),
            None => Err(ApiError::not_found(format!("no folder with id {id}"))),
        }
    }

    /// `/files/{parent}/child?name=`: with duplicates, the lowest id wins.
    pub fn child_named(&self, parent_id: u64, name: &str) -> Result<Value, ApiError> {
        let parent = self.folder(parent_id)?;
        let key = (name.to_owned(), 0);
        parent
            .children
            .range(key..)
            .next()
            .filter(|(child_name, _)| child_name == name)
            .and_then(|(_, id)| self.file_json(*id))
            .ok_or_else(|| ApiError::not_found(format!("no entry named {name:?} in {parent_id}")))
    }

    pub fn list(&self, query: &ListQuery) -> Result<ListPage, ApiError> {
        let parent = self.folder(query.parent_id)?;
        let matches = |id: &u64| {
            query.file_types.as_ref().is_none_or(|types| {
                let file_type = self.nodes.get(id).map_or("", |n| file_kind(n).0);
                types.iter().any(|t| t.eq_ignore_ascii_case(file_type))
            })
        };
        let lower = match &query.after {
            Some(key) => Bound::Excluded(key.clone()),
            None => Bound::Unbounded,
        };
        let mut files = Vec::with_capacity(query.per_page.min(parent.children.len()));
        let mut last = None;
        let mut more = false;
        for (name, id) in parent.children.range((lower, Bound::Unbounded)) {
            if !matches(id) {
                continue;
            }
            if files.len() == query.per_page {
                more = true;
                break;
            }
            files.extend(self.file_json(*id));
            last = Some((name.clone(), *id));
        }
        let total = parent.children.iter().filter(|(_, id)| matches(id)).count();
        Ok(ListPage {
            files,
            next: if more { last } else { None },
            total,
        })
    }

    pub fn tree(&self) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![(ROOT_ID, String::new())];
        while let Some((id, prefix)) = stack.pop() {
            for (_, child_id) in &self.nodes[&id].children {
                let child = &self.nodes[child_id];
                let path = format!("{prefix}/{}", child.name);
                entries.push(Entry {
                    path: path.clone(),
                    id: child.id,
                    parent_id: child.parent_id,
                    kind: child.kind.clone(),
                    size: child.size_for_entry(),
                    crc32: child.crc32.map(hex),
                });
                if child.kind == EntryKind::Folder {
                    stack.push((child.id, path));
                }
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        entries
    }

    pub fn file_bytes(&self, id: u64) -> Option<Vec<u8>> {
        self.nodes
            .get(&id)
            .filter(|n| n.kind == EntryKind::File)
            .and_then(|n| n.content.clone())
    }

    // ---- changing the tree --------------------------------------------------------------

    pub fn create_folder(&mut self, parent_id: u64, name: &str) -> Result<u64, ApiError> {
        validate_name(name)?;
        let parent = self.folder(parent_id)?;
        if parent
            .children
            .range((name.to_owned(), 0)..)
            .next()
            .is_some_and(|(n, _)| n == name)
        {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "NAME_ALREADY_EXIST",
                format!("{name:?} already exists in this folder"),
            ));
        }
        Ok(self.insert(parent_id, name, EntryKind::Folder, None, None, None))
    }

    /// Test seeding: no name rules, duplicates allowed. Panics on a bad parent (a test bug).
    pub fn seed(&mut self, parent_id: u64, name: &str, content: Option<&[u8]>) -> u64 {
        if let Err(e) = self.folder(parent_id) {
            panic!("fake-putio seed: bad parent {parent_id}: {}", e.message);
        }
        match content {
            None => self.insert(parent_id, name, EntryKind::Folder, None, None, None),
            Some(bytes) => {
                let size = bytes.len() as u64;
                let crc = crc32fast::hash(bytes);
                let kept = self.store_bytes.then(|| bytes.to_vec());
                self.insert(
                    parent_id,
                    name,
                    EntryKind::File,
                    Some((size, crc)),
                    kept,
                    None,
                )
            }
        }
    }

    /// Adds a node (no checks) and charges a file's size to its ancestors and the account.
    fn insert(
        &mut self,
        parent_id: u64,
        name: &str,
        kind: EntryKind,
        file: Option<(u64, u32)>,
        content: Option<Vec<u8>>,
        updated_at: Option<i64>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let now = time::now();
        let (size, crc32) = file.map_or((0, None), |(size, crc)| (size, Some(crc)));
        self.nodes.insert(
            id,
            Node {
                id,
                parent_id,
                name: name.to_owned(),
                kind,
                size,
                crc32,
                content,
                created_at: now,
                updated_at: updated_at.unwrap_or(now),
                children: BTreeSet::new(),
            },
        );
        if let Some(parent) = self.nodes.get_mut(&parent_id) {
            parent.children.insert((name.to_owned(), id));
        }
        self.charge(parent_id, size, true);
        id
    }

    /// Adds or removes `bytes` on `folder_id`, its ancestors and the account total.
    fn charge(&mut self, folder_id: u64, bytes: u64, add: bool) {
        if bytes == 0 {
            return;
        }
        self.used = if add {
            self.used.saturating_add(bytes)
        } else {
            self.used.saturating_sub(bytes)
        };
        let mut current = Some(folder_id);
        while let Some(id) = current {
            let Some(node) = self.nodes.get_mut(&id) else {
                break;
            };
            node.size = if add {
                node.size.saturating_add(bytes)
            } else {
                node.size.saturating_sub(bytes)
            };
            current = (id != ROOT_ID).then_some(node.parent_id);
        }
    }

    /// Deletes entries (folders recursively). Unknown ids are 404 unless `skip_missing`, in which
    /// case they are counted as skipped. Checks every id before deleting any.
    pub fn delete(&mut self, ids: &[u64], skip_missing: bool) -> Result<usize, ApiError> {
        if ids.is_empty() {
            return Err(ApiError::bad_request("file_ids is required"));
        }
        let mut skipped = 0;
        for &id in ids {
            if id == ROOT_ID {
                return Err(ApiError::bad_request("the root folder cannot be deleted"));
            }
            if !self.nodes.contains_key(&id) {
                if skip_missing {
                    skipped += 1;
                } else {
                    return Err(ApiError::not_found(format!("no file with id {id}")));
                }
            }
        }
        for &id in ids {
            self.remove_subtree(id);
        }
        Ok(skipped)
    }

    fn remove_subtree(&mut self, id: u64) {
        let Some(node) = self.nodes.get(&id) else {
            return; // already gone with an ancestor listed earlier
        };
        let (parent_id, name, size) = (node.parent_id, node.name.clone(), node.size);
        if let Some(parent) = self.nodes.get_mut(&parent_id) {
            parent.children.remove(&(name, id));
        }
        self.charge(parent_id, size, false);
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if let Some(node) = self.nodes.remove(&current) {
                stack.extend(node.children.iter().map(|(_, child)| *child));
            }
        }
    }

    pub fn rename(&mut self, id: u64, name: &str) -> Result<(), ApiError> {
        validate_name(name)?;
        let node = match self.nodes.get(&id) {
            Some(node) if id != ROOT_ID => node,
            _ => return Err(ApiError::not_found(format!("no file with id {id}"))),
        };
        let (parent_id, old_name) = (node.parent_id, node.name.clone());
        let parent = &self.nodes[&parent_id];
        let taken = parent
            .children
            .range((name.to_owned(), 0)..)
            .take_while(|(n, _)| n == name)
            .any(|(_, other)| *other != id);
        if taken {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "NAME_ALREADY_EXIST",
                format!("{name:?} already exists in this folder"),
            ));
        }
        let parent = self.nodes.get_mut(&parent_id).expect("parent exists");
        parent.children.remove(&(old_name, id));
        parent.children.insert((name.to_owned(), id));
        name.clone_into(&mut self.nodes.get_mut(&id).expect("node exists").name);
        Ok(())
    }

    // ---- uploads ------------------------------------------------------------------------

    fn check_quota(&self, extra: u64, freed: u64) -> Result<(), ApiError> {
        let after = self.used.saturating_sub(freed).saturating_add(extra);
        if after > self.disk_size {
            return Err(ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                "NOT_ENOUGH_DISK_SPACE",
                format!(
                    "Not enough disk space: {extra} bytes needed, {} available.",
                    self.disk_size.saturating_sub(self.used)
                ),
            ));
        }
        Ok(())
    }

    /// tus creation: checks the parent and the quota and registers the upload under `key`.
    /// The `reject` hook: uploads of this name are refused.
    fn check_rejected(&self, name: &str) -> Result<(), ApiError> {
        match self.hooks.reject.get(name) {
            Some((status, error_type)) => Err(ApiError::new(
                *status,
                error_type,
                format!("uploads named {name} are refused (test hook)"),
            )),
            None => Ok(()),
        }
    }

    /// The `corrupt` hook: flips one bit of the first byte of what is stored, and returns the
    /// CRC32 of what is stored now.
    fn maybe_corrupt(&self, name: &str, content: &mut Option<Vec<u8>>, crc32: u32) -> u32 {
        if !self.hooks.corrupt.contains(name) {
            return crc32;
        }
        match content.as_mut().filter(|bytes| !bytes.is_empty()) {
            Some(bytes) => {
                bytes[0] ^= 1;
                crc32fast::hash(bytes)
            }
            None => crc32 ^ 0x8000_0000,
        }
    }

    pub fn create_upload(&mut self, key: String, new: NewUpload) -> Result<(), ApiError> {
        self.check_rejected(&new.name)?;
        self.folder(new.parent_id)?;
        self.check_quota(new.length, 0)?;
        self.stats.uploads_created += 1;
        let data = self
            .store_bytes
            .then(|| Vec::with_capacity(usize::try_from(new.length.min(1 << 20)).unwrap_or(0)));
        self.uploads.insert(
            key,
            Upload {
                parent_id: new.parent_id,
                name: new.name,
                length: new.length,
                offset: 0,
                hasher: crc32fast::Hasher::new(),
                data,
                updated_at: new.updated_at,
                overwrite: new.overwrite,
                no_torrent: new.no_torrent,
                generation: 0,
                done: None,
            },
        );
        Ok(())
    }

    /// `(offset, length)` for HEAD.
    pub fn upload_status(&self, key: &str) -> Option<(u64, u64)> {
        self.uploads.get(key).map(|u| (u.offset, u.length))
    }

    pub fn delete_upload(&mut self, key: &str) -> bool {
        self.uploads.remove(key).is_some()
    }

    /// Start of a PATCH: offset and declared length checks; returns this PATCH's generation and
    /// the bytes the upload still expects.
    pub fn patch_begin(
        &mut self,
        key: &str,
        offset: u64,
        content_length: Option<u64>,
    ) -> Result<(u64, u64), ApiError> {
        let upload = self.uploads.get_mut(key).ok_or_else(upload_not_found)?;
        if offset != upload.offset {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Upload-Offset {offset} does not match the upload's offset {}",
                    upload.offset
                ),
            )
            .with_header(HeaderName::from_static("upload-offset"), upload.offset)
            .with_header(HeaderName::from_static("tus-resumable"), "1.0.0"));
        }
        if content_length.is_some_and(|declared| offset.saturating_add(declared) > upload.length) {
            return Err(too_long(upload.length));
        }
        upload.generation += 1;
        Ok((upload.generation, upload.length - upload.offset))
    }

    /// Bytes of a PATCH body as they arrive. The upload completes the moment its last byte lands,
    /// so a client that loses the final answer finds the file already made.
    pub fn patch_chunk(
        &mut self,
        key: &str,
        generation: u64,
        bytes: &[u8],
    ) -> Result<(), ApiError> {
        let upload = self.uploads.get_mut(key).ok_or_else(upload_not_found)?;
        if upload.generation != generation {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                "a newer PATCH took over this upload",
            ));
        }
        if upload.offset + bytes.len() as u64 > upload.length {
            return Err(too_long(upload.length));
        }
        upload.hasher.update(bytes);
        if let Some(data) = &mut upload.data {
            data.extend_from_slice(bytes);
        }
        upload.offset += bytes.len() as u64;
        self.stats.patch_bytes += bytes.len() as u64;
        if upload.offset == upload.length && upload.done.is_none() {
            // A failure (quota, parent gone) is reported by `patch_finish`.
            let _ = self.complete(key);
        }
        Ok(())
    }

    /// End of a PATCH body: completes the upload if every byte is in (zero-length uploads, and
    /// retries after a failed completion) and returns the new offset and the completion, if any.
    pub fn patch_finish(
        &mut self,
        key: &str,
        generation: u64,
    ) -> Result<(u64, Option<Completion>), ApiError> {
        let upload = self.uploads.get(key).ok_or_else(upload_not_found)?;
        if upload.generation != generation {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Conflict",
                "a newer PATCH took over this upload",
            ));
        }
        let offset = upload.offset;
        let done = match upload.done {
            Some(done) => Some(done),
            None if upload.offset == upload.length => Some(self.complete(key)?),
            None => None,
        };
        Ok((offset, done))
    }

    fn complete(&mut self, key: &str) -> Result<Completion, ApiError> {
        let upload = &self.uploads[key];
        let (parent_id, name, length) = (upload.parent_id, upload.name.clone(), upload.length);
        self.folder(parent_id).map_err(|_| {
            ApiError::not_found(format!("target folder {parent_id} no longer exists"))
        })?;
        let done = if !upload.no_torrent && is_torrent(&name) {
            self.next_transfer_id += 1;
            Completion::Transfer
        } else {
            let replaced: Vec<(u64, u64)> = if upload.overwrite {
                self.same_named_files(parent_id, &name)
            } else {
                Vec::new()
            };
            self.check_quota(length, replaced.iter().map(|(_, size)| size).sum())?;
            for (id, _) in &replaced {
                self.remove_subtree(*id);
            }
            let upload = self.uploads.get_mut(key).expect("upload exists");
            let (mut content, updated_at) = (upload.data.take(), upload.updated_at);
            let crc32 = upload.hasher.clone().finalize();
            let crc32 = if length > 0 {
                self.maybe_corrupt(&name, &mut content, crc32)
            } else {
                crc32
            };
            let id = self.insert(
                parent_id,
                &name,
                EntryKind::File,
                Some((length, crc32)),
                content,
                updated_at,
            );
            Completion::File { id, crc32 }
        };
        let upload = self.uploads.get_mut(key).expect("upload exists");
        upload.data = None;
        upload.done = Some(done);
        Ok(done)
    }

    fn same_named_files(&self, parent_id: u64, name: &str) -> Vec<(u64, u64)> {
        self.nodes[&parent_id]
            .children
            .range((name.to_owned(), 0)..)
            .take_while(|(n, _)| n == name)
            .map(|(_, id)| &self.nodes[id])
            .filter(|node| node.kind == EntryKind::File)
            .map(|node| (node.id, node.size))
            .collect()
    }

    /// Multipart upload, after its bytes were read: a `.torrent` becomes a transfer, anything
    /// else a file. Returns the response payload (`file` or `transfer`).
    pub fn finish_multipart(
        &mut self,
        parent_id: u64,
        name: &str,
        size: u64,
        crc32: u32,
        content: Option<Vec<u8>>,
    ) -> Result<Value, ApiError> {
        self.check_rejected(name)?;
        self.folder(parent_id)?;
        if is_torrent(name) {
            let id = self.next_transfer_id;
            self.next_transfer_id += 1;
            return Ok(json!({"transfer": transfer_object(id, name, parent_id)}));
        }
        self.check_quota(size, 0)?;
        let mut content = if self.store_bytes { content } else { None };
        let crc32 = if size > 0 {
            self.maybe_corrupt(name, &mut content, crc32)
        } else {
            crc32
        };
        let id = self.insert(
            parent_id,
            name,
            EntryKind::File,
            Some((size, crc32)),
            content,
            None,
        );
        Ok(json!({"file": self.file_json(id)}))
    }

    pub fn store_bytes(&self) -> bool {
        self.store_bytes
    }
}

impl Node {
    fn size_for_entry(&self) -> u64 {
        match self.kind {
            EntryKind::File => self.size,
            EntryKind::Folder => 0,
        }
    }
}

fn sanitize(mut faults: Faults) -> Faults {
    let share = |x: f64| if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
    faults.error_5xx = share(faults.error_5xx);
    faults.drop = share(faults.drop);
    faults
}

fn upload_not_found() -> ApiError {
    ApiError::not_found("no such upload")
}

fn too_long(length: u64) -> ApiError {
    ApiError::bad_request(format!("body goes past Upload-Length {length}"))
}

fn is_torrent(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".torrent")
}

/// Name rules shared by create-folder, rename and uploads.
pub(crate) fn validate_name(name: &str) -> Result<(), ApiError> {
    let bad = |error_type, message: &str| {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            error_type,
            message.to_owned(),
        ))
    };
    if name.is_empty() {
        return bad("EMPTY_NAME", "The name is empty.");
    }
    if name.contains('/') {
        return bad("SLASH_IN_NAME", "The name contains a slash.");
    }
    if name.contains('\0') {
        return bad("INVALID_NAME", "The name contains a NUL character.");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad("NAME_TOO_LONG", "The name is longer than 255 bytes.");
    }
    Ok(())
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

fn transfer_object(id: u64, name: &str, parent_id: u64) -> Value {
    json!({
        "id": id,
        "name": name,
        "status": "IN_QUEUE",
        "save_parent_id": parent_id,
        "percent_done": 0,
        "created_at": time::format(time::now()),
    })
}

/// `(file_type, content_type, extension)` from the name, roughly as put.io classifies.
fn file_kind(node: &Node) -> (&'static str, &'static str, Option<String>) {
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

/// put.io's file object (§5.1 of putio-api.md).
fn file_object(node: &Node) -> Value {
    let (file_type, content_type, extension) = file_kind(node);
    json!({
        "id": node.id,
        "name": node.name,
        "parent_id": if node.id == ROOT_ID { None } else { Some(node.parent_id) },
        "size": node.size,
        "file_type": file_type,
        "content_type": content_type,
        "crc32": node.crc32.map(hex),
        "created_at": time::format(node.created_at),
        "updated_at": time::format(node.updated_at),
        "extension": extension,
        "folder_type": "REGULAR",
        "is_hidden": false,
        "is_shared": false,
        "is_mp4_available": false,
        "first_accessed_at": null,
        "icon": null,
        "screenshot": null,
        "opensubtitles_hash": null,
        "start_from": 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(&Options::default())
    }

    #[test]
    fn folder_sizes_follow_files_and_deletes() {
        let mut st = state();
        let a = st.seed(ROOT_ID, "a", None);
        let b = st.seed(a, "b", None);
        st.seed(b, "x.bin", Some(&[0; 10]));
        st.seed(a, "y.bin", Some(&[0; 5]));
        assert_eq!(st.nodes[&a].size, 15);
        assert_eq!(st.nodes[&ROOT_ID].size, 15);
        assert_eq!(st.used, 15);
        st.delete(&[b], false).unwrap();
        assert_eq!(st.nodes[&a].size, 5);
        assert_eq!(st.used, 5);
        assert_eq!(st.tree().len(), 2);
    }

    #[test]
    fn names_are_checked_in_order() {
        assert_eq!(validate_name("").unwrap_err().error_type, "EMPTY_NAME");
        assert_eq!(
            validate_name("a/b").unwrap_err().error_type,
            "SLASH_IN_NAME"
        );
        assert_eq!(
            validate_name("a\0b").unwrap_err().error_type,
            "INVALID_NAME"
        );
        assert_eq!(
            validate_name(&"é".repeat(128)).unwrap_err().error_type,
            "NAME_TOO_LONG"
        );
        assert!(validate_name(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn rate_limit_counts_every_nth_request() {
        let mut st = state();
        st.set_faults(Faults {
            rate_limit_every: 3,
            ..Faults::default()
        });
        let hits: Vec<bool> = (0..6)
            .map(|_| matches!(st.decide_fault(), Fault::RateLimit { .. }))
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true]);
        assert_eq!(st.stats.faults_injected, 2);
    }

    #[test]
    fn overwrite_replaces_same_named_files() {
        let mut st = state();
        st.seed(ROOT_ID, "a.txt", Some(b"old"));
        st.create_upload(
            "u".into(),
            NewUpload {
                parent_id: ROOT_ID,
                name: "a.txt".into(),
                length: 3,
                updated_at: None,
                overwrite: true,
                no_torrent: true,
            },
        )
        .unwrap();
        let (generation, _) = st.patch_begin("u", 0, None).unwrap();
        st.patch_chunk("u", generation, b"new").unwrap();
        let (offset, done) = st.patch_finish("u", generation).unwrap();
        assert_eq!(offset, 3);
        let Some(Completion::File { id, .. }) = done else {
            panic!("not completed")
        };
        let tree = st.tree();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].id, id);
        assert_eq!(st.used, 3);
    }
}
