//! The account behind both hosts: folder tree, file bytes (or only size + CRC32), unfinished tus
//! uploads, quota, token, request statistics and the seeded fault RNG.
//!
//! Everything lives in one [`State`] that the server keeps behind one mutex. This module is plain
//! synchronous logic: it never awaits, never does I/O, and knows HTTP only through [`ApiError`]
//! values it returns for handlers to render. Callers take the lock, call one method, drop it.
//!
//! This file holds the [`State`] struct, its constructor and the node type; the methods live by
//! job in the submodules: `tree` (folders, files, listing, names, delete, quota), `uploads` (tus
//! and multipart), `transfers`, `faults` (fault decisions and test hooks), `render` (put.io's
//! JSON objects) and `logins` (what the login endpoints remember).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::model::{Entry, EntryKind, Faults, Options, Stats, Transfer};
#[cfg(doc)]
use crate::reply::ApiError;
use crate::time;
use crate::unknowns::Unknowns;

mod faults;
pub(crate) mod logins;
mod render;
mod transfers;
mod tree;
mod uploads;

pub(crate) use faults::{Fault, Hooks};
pub(crate) use logins::Logins;
pub(crate) use render::{hex, settings};
pub(crate) use tree::{ListQuery, validate_name};
pub(crate) use uploads::NewUpload;
use uploads::Upload;

pub(crate) const ROOT_ID: u64 = 0;
const ROOT_NAME: &str = "Your Files";
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

pub(crate) struct State {
    pub token_revoked: bool,
    /// The login endpoints' app, answers and codes (see `oauth`).
    pub logins: Logins,
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
        let faults = faults::sanitize(options.faults.clone());
        Self {
            token_revoked: false,
            logins: Logins::new(options.oauth.clone()),
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

    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    pub fn deleted(&self) -> &[Entry] {
        &self.deleted
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
