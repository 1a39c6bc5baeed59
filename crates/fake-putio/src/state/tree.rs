//! The folder tree: reading (lookup, listing pages, the test view), changing (create, seed,
//! rename, delete), sizes and quota, and put.io's name rules.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::time::Instant;

use axum::http::StatusCode;
use serde_json::Value;
use serde_json::value::RawValue;

use super::render::file_kind;
use super::{Node, ROOT_ID, State};
use crate::model::{Entry, EntryKind};
use crate::reply::ApiError;
use crate::time;
#[cfg(doc)]
use crate::unknowns::Unknowns;

const MAX_NAME_BYTES: usize = 255;

/// One listing page request, from `/files/list` or from a decoded cursor.
pub(crate) struct ListQuery {
    pub parent_id: u64,
    pub file_types: Option<Vec<String>>,
    pub per_page: usize,
    /// Key (name, id) of the last entry already served.
    pub after: Option<(String, u64)>,
}

pub(crate) struct ListPage {
    /// The page's file objects as one JSON array, written while the state is at hand.
    pub files: Box<RawValue>,
    /// Key of the last entry served, when more remain.
    pub next: Option<(String, u64)>,
    pub total: usize,
}

impl State {
    pub(super) fn folder(&self, id: u64) -> Result<&Node, ApiError> {
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
            files.extend(self.file_object(*id));
            last = Some((name.clone(), *id));
        }
        let total = parent.children.iter().filter(|(_, id)| matches(id)).count();
        let files = serde_json::value::to_raw_value(&files).expect("file objects are plain JSON");
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
    pub(super) fn insert(
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
    pub(super) fn charge(&mut self, folder_id: u64, bytes: u64, add: bool) {
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
    pub(super) fn remove_subtree(&mut self, id: u64) {
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

    /// Refuses a write that does not fit, the way [`Unknowns::full_answer`] says.
    pub(super) fn check_quota(&self, extra: u64, freed: u64) -> Result<(), ApiError> {
        let after = self.used.saturating_sub(freed).saturating_add(extra);
        if after > self.disk_size {
            let available = self.disk_size.saturating_sub(self.used);
            return Err(self.unknowns.full_answer.error(extra, available));
        }
        Ok(())
    }
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
