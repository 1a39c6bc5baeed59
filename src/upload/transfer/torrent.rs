//! `--torrents transfer`: a `.torrent` or `.magnet` file starts a put.io transfer into its
//! folder instead of being stored (a torrent "blackhole", as media managers use one).
//!
//! A `.torrent` goes up in one multipart request without `no-torrent`, which put.io answers
//! with the transfer it started (putio-api.md §6.2); a `.magnet` holds a magnet link, which
//! goes to `POST /v2/transfers/add` with `save_parent_id` (§6.3). Before starting one, and
//! before trying again after a lost answer, the account's transfers are searched for it, so
//! that a re-run or a rescan does not start it twice.
//!
//! It owns only that decision and those two requests; it never stores the file and never
//! deletes anything.

use std::path::Path;

use crate::api::{RemoteTransfer, retry::Retry};

use super::{Identity, Job, Landed, Transfer, TransferError, changed, read_error};
use crate::api::Stored;
use crate::upload::settings::Torrents;

/// A `.torrent` larger than this is no torrent a client would hand put.io.
const MAX_TORRENT: u64 = 16 << 20;
/// The start of the reason a transfer is reported with (as a file put.io did not store).
pub const REASON: &str = "put.io transfer";

/// What a blackhole file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Torrent,
    Magnet,
}

impl Kind {
    /// The kind of `name` under `mode`: `None` when it is stored as a file.
    pub fn of(name: &str, mode: Torrents) -> Option<Kind> {
        if mode != Torrents::Transfer {
            return None;
        }
        let ext = Path::new(name).extension()?;
        if ext.eq_ignore_ascii_case("torrent") {
            Some(Kind::Torrent)
        } else if ext.eq_ignore_ascii_case("magnet") {
            Some(Kind::Magnet)
        } else {
            None
        }
    }
}

/// How a transfer is reported: `new` when this run started it.
pub fn reason(id: u64, new: bool) -> String {
    if new {
        format!("{REASON} {id} started from it")
    } else {
        format!("{REASON} {id} was already started from it")
    }
}

/// The first magnet link in a `.magnet` file's text (one per file; blank lines and
/// surrounding space ignored).
pub fn magnet_link(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|line| {
        line.len() > 8
            && line
                .get(..8)
                .is_some_and(|head| head.eq_ignore_ascii_case("magnet:?"))
    })
}

impl Transfer {
    pub(super) fn torrent_kind(&self, name: &str) -> Option<Kind> {
        Kind::of(name, self.torrents)
    }

    /// Starts the transfer `job`'s file stands for, or finds the one started earlier.
    pub(super) async fn start_transfer(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
        kind: Kind,
    ) -> Result<Landed, TransferError> {
        if identity.size > MAX_TORRENT {
            return Err(TransferError::File(format!(
                "too large for a {} file ({} bytes); use --torrents file to store it",
                if kind == Kind::Torrent {
                    ".torrent"
                } else {
                    ".magnet"
                },
                identity.size
            )));
        }
        let bytes = read_all(handle, identity.size).await?;
        if Identity::of(handle).await.ok() != Some(identity) {
            return Err(changed());
        }
        let name = job.file.name.as_str();
        let link = match kind {
            Kind::Torrent => None,
            Kind::Magnet => {
                let text = String::from_utf8_lossy(&bytes);
                Some(
                    magnet_link(&text)
                        .ok_or_else(|| {
                            TransferError::File(
                                "holds no magnet link (a line starting with magnet:?)".to_owned(),
                            )
                        })?
                        .to_owned(),
                )
            }
        };
        let wanted = |t: &RemoteTransfer| {
            t.save_parent_id.is_none_or(|p| p == job.parent_id)
                && match &link {
                    Some(link) => t.source.as_deref().map(str::trim) == Some(link.as_str()),
                    None => t.name.as_deref().is_some_and(|n| same_torrent(n, name)),
                }
        };
        if let Some(id) = self.find_transfer(&wanted).await {
            return Ok(Landed::Transfer { id, new: false });
        }
        let mut retry = Retry::new(self.attempts);
        loop {
            let result = if let Some(link) = &link {
                self.client.add_transfer(link, job.parent_id).await
            } else {
                let body = reqwest::Body::from(bytes.clone());
                self.client
                    .upload_small(name, job.parent_id, identity.size, body, "start transfer")
                    .await
                    .and_then(|stored| match stored {
                        Stored::Transfer(transfer) => Ok(transfer),
                        Stored::File(file) => Err(crate::api::ApiError::protocol(
                            "start transfer",
                            format!("put.io stored it as file {} instead", file.id),
                        )),
                    })
            };
            let err = match result {
                Ok(transfer) => {
                    return Ok(Landed::Transfer {
                        id: transfer.id,
                        new: true,
                    });
                }
                Err(err) if err.is_unauthorized() => {
                    return Err(TransferError::Fatal(crate::exit::Fatal::auth(
                        err.to_string(),
                    )));
                }
                Err(err @ crate::api::ApiError::Protocol { .. }) if link.is_none() => {
                    return Err(TransferError::File(err.to_string()));
                }
                Err(err) if !err.is_transient() => return Err(self.refused(err, 0).await),
                Err(err) => err,
            };
            let Some(wait) = retry.failed(&err) else {
                return Err(TransferError::File(format!(
                    "gave up after {}: {err}",
                    crate::format::counted(retry.failures(), "attempt")
                )));
            };
            self.retrying(
                job.index,
                &job.file.display,
                &crate::api::retry::note("retrying", &err, wait, &retry),
            );
            self.pause(wait).await?;
            // The answer may be what was lost: the transfer may be there already.
            if let Some(id) = self.find_transfer(&wanted).await {
                return Ok(Landed::Transfer { id, new: true });
            }
        }
    }

    /// The newest of the account's transfers that `wanted` accepts.
    async fn find_transfer(
        &self,
        wanted: &(dyn Fn(&RemoteTransfer) -> bool + Sync),
    ) -> Option<u64> {
        match self.client.transfers().await {
            Ok(transfers) => transfers.iter().rev().find(|t| wanted(t)).map(|t| t.id),
            Err(err) => {
                tracing::info!("cannot list transfers: {err}");
                None
            }
        }
    }
}

/// Whether a transfer called `transfer` came from the torrent file `file`: put.io names it
/// after the file, or after the torrent, which is usually the file's name without `.torrent`.
fn same_torrent(transfer: &str, file: &str) -> bool {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file);
    transfer == file || transfer == stem
}

async fn read_all(handle: &tokio::fs::File, size: u64) -> Result<Vec<u8>, TransferError> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut file = handle.try_clone().await.map_err(read_error)?;
    file.seek(std::io::SeekFrom::Start(0))
        .await
        .map_err(read_error)?;
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_TORRENT + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(read_error)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_other_text_is_no_magnet_link_and_no_panic() {
        assert_eq!(magnet_link("aé€ not a link at all\n"), None);
        assert_eq!(
            magnet_link("é\n  MAGNET:?xt=urn:btih:abc \n"),
            Some("MAGNET:?xt=urn:btih:abc")
        );
    }

    #[test]
    fn only_transfer_mode_makes_transfers() {
        assert_eq!(Kind::of("a.torrent", Torrents::File), None);
        assert_eq!(
            Kind::of("a.TORRENT", Torrents::Transfer),
            Some(Kind::Torrent)
        );
        assert_eq!(Kind::of("x.magnet", Torrents::Transfer), Some(Kind::Magnet));
        assert_eq!(Kind::of("x.txt", Torrents::Transfer), None);
        assert_eq!(Kind::of("magnet", Torrents::Transfer), None);
    }

    #[test]
    fn the_magnet_link_is_the_first_magnet_line() {
        let text = "\n  magnet:?xt=urn:btih:abc&dn=x  \nmagnet:?xt=other\n";
        assert_eq!(magnet_link(text), Some("magnet:?xt=urn:btih:abc&dn=x"));
        assert_eq!(magnet_link("http://example.com/a.torrent"), None);
        assert_eq!(magnet_link("MAGNET:?xt=1"), Some("MAGNET:?xt=1"));
    }

    #[test]
    fn a_torrent_transfer_is_named_after_the_file_or_its_stem() {
        assert!(same_torrent("ubuntu.torrent", "ubuntu.torrent"));
        assert!(same_torrent("ubuntu", "ubuntu.torrent"));
        assert!(!same_torrent("debian", "ubuntu.torrent"));
    }
}
