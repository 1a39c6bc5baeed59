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
    /// 8 hex digits; `None` (null or absent) when put.io has not computed it (yet).
    #[serde(default)]
    pub crc32: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SS`, UTC, no zone (putio-api.md §5.1).
    #[serde(default)]
    pub created_at: Option<String>,
}

impl RemoteFile {
    pub fn is_folder(&self) -> bool {
        self.file_type.as_deref() == Some("FOLDER")
            || self.content_type.as_deref() == Some("application/x-directory")
    }

    /// The CRC32 put.io reports, lower case; `None` when it reports none (null, absent or
    /// empty): "not known", never "different".
    pub fn crc(&self) -> Option<String> {
        self.crc32
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_ascii_lowercase)
    }

    /// When put.io says the file was created, if it says so in a form we can read.
    pub fn created(&self) -> Option<std::time::SystemTime> {
        let text = self.created_at.as_deref()?.trim().replace(' ', "T");
        let text = if text.ends_with('Z') || text.contains('+') {
            text
        } else {
            text + "Z"
        };
        humantime::parse_rfc3339_weak(&text).ok()
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct FileEnvelope {
    pub file: RemoteFile,
}

/// A transfer (torrent or link download) put.io started, e.g. from an uploaded `.torrent`.
#[derive(Clone, Debug, Deserialize)]
pub struct RemoteTransfer {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub save_parent_id: Option<u64>,
    #[serde(default)]
    pub status: Option<String>,
    /// What it was started from: a magnet URI or link as given to `transfers/add`.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TransferEnvelope {
    pub transfer: RemoteTransfer,
}

/// The answer to a one-request upload: the stored file, or the transfer put.io started
/// instead (it took the upload for a torrent), §6.2.
#[derive(Debug, Deserialize)]
pub(super) struct UploadEnvelope {
    #[serde(default)]
    pub file: Option<RemoteFile>,
    #[serde(default)]
    pub transfer: Option<RemoteTransfer>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TransfersPage {
    #[serde(default)]
    pub transfers: Vec<RemoteTransfer>,
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

impl Disk {
    /// An answer without a `disk` object reads as all zeros: no evidence of anything.
    pub fn is_known(&self) -> bool {
        self.size > 0 || self.used > 0
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct AccountInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub disk: Disk,
    /// `active`, `inactive` or `stranger` (TS, JS); absent on older answers.
    #[serde(default)]
    pub account_status: Option<String>,
    /// Older form of the same (GP, KP).
    #[serde(default)]
    pub account_active: Option<bool>,
}

impl AccountInfo {
    /// `false` only when put.io positively says the account is not active: a missing field
    /// is no evidence either way.
    pub fn is_active(&self) -> bool {
        match self.account_status.as_deref() {
            Some(status) => status.eq_ignore_ascii_case("active"),
            None => self.account_active != Some(false),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct AccountEnvelope {
    pub info: AccountInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(json: &str) -> RemoteFile {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn missing_or_empty_crc_is_unknown_not_different() {
        assert_eq!(file(r#"{"id":1,"name":"a","crc32":null}"#).crc(), None);
        assert_eq!(file(r#"{"id":1,"name":"a"}"#).crc(), None);
        assert_eq!(file(r#"{"id":1,"name":"a","crc32":""}"#).crc(), None);
        assert_eq!(
            file(r#"{"id":1,"name":"a","crc32":"0E99FEA0"}"#)
                .crc()
                .as_deref(),
            Some("0e99fea0")
        );
    }

    #[test]
    fn created_at_in_both_of_puts_forms() {
        let t = file(r#"{"id":1,"name":"a","created_at":"2024-05-01T10:20:30"}"#).created();
        let u = file(r#"{"id":1,"name":"a","created_at":"2024-05-01 10:20:30"}"#).created();
        assert!(t.is_some());
        assert_eq!(t, u);
        assert_eq!(
            file(r#"{"id":1,"name":"a","created_at":"soon"}"#).created(),
            None
        );
    }

    #[test]
    fn activity_needs_positive_evidence() {
        let info = |json: &str| serde_json::from_str::<AccountInfo>(json).unwrap();
        assert!(info("{}").is_active());
        assert!(info(r#"{"account_status":"active"}"#).is_active());
        assert!(!info(r#"{"account_status":"inactive"}"#).is_active());
        assert!(!info(r#"{"account_active":false}"#).is_active());
    }
}
