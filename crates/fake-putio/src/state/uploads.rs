//! Uploads in flight and their completion: tus (create, HEAD, PATCH in chunks, DELETE) and
//! multipart (one request, bytes already read).

use axum::http::{HeaderName, StatusCode};
use serde_json::{Value, json};

use super::State;
use crate::model::EntryKind;
use crate::reply::ApiError;
#[cfg(doc)]
use crate::unknowns::Unknowns;

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

pub(super) struct Upload {
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

impl State {
    /// Forgets every unfinished tus upload, as an expired upload URL would be.
    pub fn forget_uploads(&mut self) -> usize {
        let before = self.uploads.len();
        self.uploads.retain(|_, upload| upload.done.is_some());
        before - self.uploads.len()
    }

    /// tus creation: checks the parent and the quota and registers the upload under `key`.
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
}

fn upload_not_found() -> ApiError {
    ApiError::not_found("no such upload")
}

fn too_long(length: u64) -> ApiError {
    ApiError::bad_request(format!("body goes past Upload-Length {length}"))
}
