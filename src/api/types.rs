//! The parts of put.io's JSON that putio-up reads. Unknown fields are ignored, missing
//! optional ones default, so a richer server answer never breaks us.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct RemoteFile {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<u64>,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub file_type: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub crc32: Option<String>,
}

impl RemoteFile {
    pub fn is_folder(&self) -> bool {
        self.file_type.as_deref() == Some("FOLDER")
            || self.content_type.as_deref() == Some("application/x-directory")
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct FileEnvelope {
    pub file: RemoteFile,
}

#[derive(Debug, Deserialize)]
pub(super) struct ListPage {
    #[serde(default)]
    pub files: Vec<RemoteFile>,
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Disk {
    #[serde(default)]
    pub avail: u64,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub used: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AccountInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub disk: Disk,
}

#[derive(Debug, Deserialize)]
pub(super) struct AccountEnvelope {
    pub info: AccountInfo,
}
