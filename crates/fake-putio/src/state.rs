//! The account behind both hosts: folder tree, file bytes (or only size + CRC32), unfinished tus
//! uploads, quota, token, request statistics and the seeded fault RNG.
//!
//! Everything lives in one [`State`] that the server keeps behind one mutex. This module is plain
//! synchronous logic: it never awaits, never does I/O, and knows HTTP only through [`ApiError`]
//! values it returns for handlers to render. Callers take the lock, call one method, drop it.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::time::Instant;

use axum::http::{HeaderName, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::reply::ApiError;
use crate::server::{Entry, EntryKind, Faults, Options, Stats, Transfer};
use crate::time;
use crate::unknowns::Unknowns;

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
    /// When the file was stored: a CRC32 delay counts from here.
    stored_at: Instant,
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

/// How a PATCH ends, as its 204 reports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Finished {
    pub offset: u64,
    /// `putio-file-id`, when the upload is a stored file and the answer names it.
    pub file_id: Option<u64>,
    /// `putio-file-crc32`, when also the CRC32 may be shown yet.
    pub crc32: Option<u32>,
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
    /// The generation of the PATCH that completed the upload; a later one is a repeat.
    completed_by: u64,
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
    /// Answers where put.io's behaviour is unknown; consulted on every request.
    pub unknowns: Unknowns,
    username: String,
    store_bytes: bool,
    used: u64,
    faults: Faults,
    rng: StdRng,
    /// Requests seen since the faults were last set; drives `rate_limit_every`.
    fault_counter: u64,
    /// Requests per route since the faults were last set; drives `lose_answers`.
    route_counter: HashMap<String, u64>,
    nodes: HashMap<u64, Node>,
    next_id: u64,
    transfers: Vec<Transfer>,
    /// Everything removed, in order (see `FakePutio::deleted`).
    deleted: Vec<Entry>,
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
            stored_at: Instant::now(),
            children: BTreeSet::new(),
        };
        let faults = sanitize(options.faults.clone());
        Self {
            token_revoked: false,
            logins: crate::oauth::Logins::new(options.oauth.clone()),
            disk_size: options.disk_size,
            per_page_max: options.per_page_max.max(1),
            stats: Stats::default(),
            unknowns: options.unknowns.clone(),
            username: options.username.clone(),
            store_bytes: options.store_bytes,
            used: 0,
            rng: StdRng::seed_from_u64(faults.seed),
            faults,
            fault_counter: 0,
            route_counter: HashMap::new(),
            nodes: HashMap::from([(ROOT_ID, root)]),
            next_id: 1,
            transfers: Vec::new(),
            deleted: Vec::new(),
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
        self.route_counter.clear();
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Decides the fault for the next request to `route`, in the documented order: an
    /// answer to lose on purpose, rate limit, 5xx, drop.
    pub fn decide_fault(&mut self, route: &str) -> Fault {
        self.fault_counter += 1;
        let faults = &self.faults;
        let nth = if faults.lose_answers.is_empty() {
            0
        } else {
            let count = self.route_counter.entry(route.to_owned()).or_default();
            *count += 1;
            *count
        };
        let fault = if faults
            .lose_answers
            .iter()
            .any(|(lost, n)| lost == route && *n == nth)
        {
            Fault::Drop { fraction: 1.0 }
        } else if faults.rate_limit_every > 0
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

    // ---- reading the tree ---------------------------------------------------------------

    /// put.io's file object; its `crc32` is null while [`Unknowns::crc32`] hides it.
    pub fn file_json(&self, id: u64) -> Option<Value> {
        self.nodes
            .get(&id)
            .map(|node| file_object(node, self.unknowns.crc32.shows(node.stored_at)))
    }

    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    pub fn deleted(&self) -> &[Entry] {
        &self.deleted
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
                entries.push(child.entry(path.clone()));
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
                stored_at: Instant::now(),
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

    /// Deletes entries (folders recursively). Unknown ids are 404 unless `skip_missing` (and
    /// the switch that ignores it is off), in which case they are counted as skipped. Checks
    /// every id before deleting any.
    pub fn delete(&mut self, ids: &[u64], skip_missing: bool) -> Result<usize, ApiError> {
        let skip_missing = skip_missing && !self.unknowns.delete_ignores_skip_nonexistents;
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

    /// The path of a node as `tree` shows it (`""` for the root).
    fn path_of(&self, id: u64) -> String {
        let mut names = Vec::new();
        let mut current = id;
        while current != ROOT_ID {
            let Some(node) = self.nodes.get(&current) else {
                break;
            };
            names.push(node.name.as_str());
            current = node.parent_id;
        }
        names
            .iter()
            .rev()
            .fold(String::new(), |path, name| path + "/" + name)
    }

    /// Removes a node and everything below it, and records what went in `deleted`.
    fn remove_subtree(&mut self, id: u64) {
        let Some(node) = self.nodes.get(&id) else {
            return; // already gone with an ancestor listed earlier
        };
        let top = node.entry(self.path_of(id));
        let mut below = Vec::new();
        let mut walk = vec![(id, top.path.clone())];
        while let Some((current, prefix)) = walk.pop() {
            for (_, child_id) in &self.nodes[&current].children {
                let child = &self.nodes[child_id];
                let path = format!("{prefix}/{}", child.name);
                below.push(child.entry(path.clone()));
                walk.push((child.id, path));
            }
        }
        below.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        self.deleted.push(top);
        self.deleted.extend(below);
        let node = &self.nodes[&id];
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

    /// Refuses a write that does not fit, the way [`Unknowns::full_answer`] says.
    fn check_quota(&self, extra: u64, freed: u64) -> Result<(), ApiError> {
        let after = self.used.saturating_sub(freed).saturating_add(extra);
        if after > self.disk_size {
            let available = self.disk_size.saturating_sub(self.used);
            return Err(self.unknowns.full_answer.error(extra, available));
        }
        Ok(())
    }

    /// Whether an upload of this name turns into a transfer instead of a file.
    fn becomes_transfer(&self, name: &str, no_torrent: bool) -> bool {
        let lower = name.to_ascii_lowercase();
        if self.unknowns.torrents_become_transfers {
            lower.ends_with(".torrent") || lower.ends_with(".magnet")
        } else {
            !no_torrent && lower.ends_with(".torrent")
        }
    }

    /// Records a new transfer and returns its JSON object.
    fn start_transfer(&mut self, name: &str, save_parent_id: u64, source: String) -> Value {
        let transfer = Transfer {
            id: self.transfers.len() as u64 + 1,
            name: name.to_owned(),
            save_parent_id,
            source,
            status: "IN_QUEUE".to_owned(),
        };
        let object = transfer_object(&transfer);
        self.transfers.push(transfer);
        object
    }

    /// `POST /v2/transfers/add`: `url` is a magnet URI or an http(s) link.
    pub fn add_transfer(&mut self, url: &str, save_parent_id: u64) -> Result<Value, ApiError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("magnet:?")
            || lower.starts_with("http://")
            || lower.starts_with("https://"))
        {
            return Err(ApiError::bad_request(
                "url must be a magnet URI or an http(s) link",
            ));
        }
        self.folder(save_parent_id)?;
        Ok(self.start_transfer(&link_name(url), save_parent_id, url.to_owned()))
    }

    pub fn transfer_json(&self, id: u64) -> Option<Value> {
        self.transfers
            .iter()
            .find(|t| t.id == id)
            .map(transfer_object)
    }

    /// `POST /v2/transfers/cancel`: cancelled transfers leave the list.
    pub fn cancel_transfers(&mut self, ids: &[u64]) {
        self.transfers.retain(|t| !ids.contains(&t.id));
    }

    pub fn transfers_json(&self) -> Vec<Value> {
        self.transfers.iter().map(transfer_object).collect()
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
                completed_by: 0,
            },
        );
        Ok(())
    }

    /// An upload its URL still reaches: completed ones are gone while
    /// [`Unknowns::forget_completed_uploads`] is on.
    fn known_upload(&self, key: &str) -> Option<&Upload> {
        self.uploads
            .get(key)
            .filter(|u| u.done.is_none() || !self.unknowns.forget_completed_uploads)
    }

    /// `(offset, length)` for HEAD.
    pub fn upload_status(&self, key: &str) -> Option<(u64, u64)> {
        self.known_upload(key).map(|u| (u.offset, u.length))
    }

    pub fn delete_upload(&mut self, key: &str) -> bool {
        self.known_upload(key).is_some() && self.uploads.remove(key).is_some()
    }

    /// Start of a PATCH: offset and declared length checks; returns this PATCH's generation and
    /// the bytes the upload still expects.
    pub fn patch_begin(
        &mut self,
        key: &str,
        offset: u64,
        content_length: Option<u64>,
    ) -> Result<(u64, u64), ApiError> {
        self.known_upload(key).ok_or_else(upload_not_found)?;
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
            let _ = self.complete(key, generation);
        }
        Ok(())
    }

    /// End of a PATCH body: completes the upload if every byte is in (zero-length uploads, and
    /// retries after a failed completion) and says what the 204 reports. A PATCH after the one
    /// that completed the upload is a repeat: [`Unknowns::completion_without_file_id`] drops
    /// the file's id and CRC32 from its answer.
    pub fn patch_finish(&mut self, key: &str, generation: u64) -> Result<Finished, ApiError> {
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
            None if upload.offset == upload.length => Some(self.complete(key, generation)?),
            None => None,
        };
        let repeat = self.uploads[key].completed_by != generation;
        let mut finished = Finished {
            offset,
            file_id: None,
            crc32: None,
        };
        if let Some(Completion::File { id, crc32 }) = done
            && !(repeat && self.unknowns.completion_without_file_id)
        {
            finished.file_id = Some(id);
            let shown = self
                .nodes
                .get(&id)
                .is_none_or(|node| self.unknowns.crc32.shows(node.stored_at));
            finished.crc32 = shown.then_some(crc32);
        }
        Ok(finished)
    }

    fn complete(&mut self, key: &str, generation: u64) -> Result<Completion, ApiError> {
        let upload = &self.uploads[key];
        let (parent_id, name, length) = (upload.parent_id, upload.name.clone(), upload.length);
        self.folder(parent_id).map_err(|_| {
            ApiError::not_found(format!("target folder {parent_id} no longer exists"))
        })?;
        let done = if self.becomes_transfer(&name, upload.no_torrent) {
            self.start_transfer(&name, parent_id, format!("upload:{name}"));
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
        upload.completed_by = generation;
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

    /// Multipart upload, after its bytes were read: a `.torrent` becomes a transfer (and a
    /// `.magnet` too under [`Unknowns::torrents_become_transfers`]), anything else a file.
    /// Returns the response payload (`file` or `transfer`).
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
        if self.becomes_transfer(name, false) {
            let transfer = self.start_transfer(name, parent_id, format!("upload:{name}"));
            return Ok(json!({ "transfer": transfer }));
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

    /// How tests see this node: always with its real CRC32, whatever the API shows.
    fn entry(&self, path: String) -> Entry {
        Entry {
            path,
            id: self.id,
            parent_id: self.parent_id,
            kind: self.kind.clone(),
            size: self.size_for_entry(),
            crc32: self.crc32.map(hex),
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

/// A transfer's name from its link: a magnet's `dn`, else the URL's last path segment.
fn link_name(url: &str) -> String {
    let magnet_query = url
        .get(..8)
        .filter(|prefix| prefix.eq_ignore_ascii_case("magnet:?"))
        .map(|_| &url[8..]);
    if let Some(query) = magnet_query {
        let dn = form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "dn")
            .map(|(_, value)| value.into_owned());
        return dn
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| url.to_owned());
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|segment| !segment.is_empty() && !segment.contains(':'))
        .map_or_else(|| url.to_owned(), str::to_owned)
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

/// put.io's transfer object (§6.3 of putio-api.md), as far as the fake can fill it.
fn transfer_object(transfer: &Transfer) -> Value {
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

/// put.io's file object (§5.1 of putio-api.md); `crc32` null unless `show_crc32`.
fn file_object(node: &Node, show_crc32: bool) -> Value {
    let (file_type, content_type, extension) = file_kind(node);
    json!({
        "id": node.id,
        "name": node.name,
        "parent_id": if node.id == ROOT_ID { None } else { Some(node.parent_id) },
        "size": node.size,
        "file_type": file_type,
        "content_type": content_type,
        "crc32": node.crc32.filter(|_| show_crc32).map(hex),
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
            .map(|_| matches!(st.decide_fault("GET /"), Fault::RateLimit { .. }))
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true]);
        assert_eq!(st.stats.faults_injected, 2);
    }

    #[test]
    fn lost_answers_hit_the_nth_request_of_their_route_only() {
        let mut st = state();
        st.set_faults(Faults {
            lose_answers: vec![("PATCH /files/{id}".to_owned(), 2)],
            ..Faults::default()
        });
        let lost = |st: &mut State, route| matches!(st.decide_fault(route), Fault::Drop { fraction } if fraction >= 1.0);
        assert!(!lost(&mut st, "PATCH /files/{id}"));
        assert!(!lost(&mut st, "GET /v2/files/list"));
        assert!(lost(&mut st, "PATCH /files/{id}"));
        assert!(!lost(&mut st, "PATCH /files/{id}"));
        // set_faults starts the count again.
        st.set_faults(st.faults().clone());
        assert!(!lost(&mut st, "PATCH /files/{id}"));
        assert!(lost(&mut st, "PATCH /files/{id}"));
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
        let finished = st.patch_finish("u", generation).unwrap();
        assert_eq!(finished.offset, 3);
        let Some(id) = finished.file_id else {
            panic!("not completed")
        };
        let tree = st.tree();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].id, id);
        assert_eq!(st.used, 3);
    }
}
