//! A small file in one multipart request (`POST /v2/files/upload`). The request is never
//! simply repeated: a lost or odd answer may still have stored the file, so before sending
//! again the folder is searched for our file, and a `transfer` answer (put.io took the
//! upload for a torrent) ends the file at once.

use std::sync::atomic::Ordering;
use std::time::SystemTime;

use crate::api::retry::{self, Retry};
use crate::api::{ApiError, Stored};

use super::hash::{crc32_of_open, hex};
use super::{Identity, Job, Landed, Transfer, TransferError, changed, transfer_started};
use crate::upload::report::Event;

impl Transfer {
    pub(super) async fn upload_small(
        &self,
        job: &Job<'_>,
        handle: &tokio::fs::File,
        identity: Identity,
    ) -> Result<Landed, TransferError> {
        let (index, file, size) = (job.index, job.file, identity.size);
        let since = SystemTime::now();
        let mut retry = Retry::new(self.attempts);
        let action = "upload";
        loop {
            let (body, sent) = self
                .body(handle, index, 0, size, crc32fast::Hasher::new())
                .await?;
            let request = self
                .client
                .upload_small(&file.name, job.parent_id, size, body, action);
            let err = match self
                .watched(request, &sent, (index, &file.display), action)
                .await?
            {
                Ok(Stored::File(stored)) => {
                    let local_crc = if sent.read.load(Ordering::Relaxed) == size {
                        hex(sent.hasher())
                    } else {
                        crc32_of_open(handle, size).await?
                    };
                    return self
                        .settle(job, handle, identity, (stored.id, stored.crc()), local_crc)
                        .await;
                }
                Ok(Stored::Transfer(transfer)) => {
                    return Err(transfer_started(&file.name, transfer.id));
                }
                Err(err) => err,
            };
            if Identity::of(handle).await.ok() != Some(identity) {
                return Err(changed());
            }
            if !err.is_transient() && !matches!(err, ApiError::Protocol { .. }) {
                return Err(self.refused(err, size).await);
            }
            let Some(wait) = retry.failed(&err) else {
                return Err(TransferError::File(format!(
                    "gave up after {}: {err}",
                    crate::format::counted(retry.failures(), "attempt")
                )));
            };
            self.retrying(
                index,
                &file.display,
                &retry::note("retrying", &err, wait, &retry),
            );
            self.pause(wait).await?;
            // A 429 was refused before any work; anything else may have stored the file.
            if err.status() != Some(reqwest::StatusCode::TOO_MANY_REQUESTS) {
                let local_crc = crc32_of_open(handle, size).await?;
                if let Some(found) = self.find_ours(job, size, &local_crc, since).await {
                    let how = "the lost upload had arrived";
                    return self
                        .take(job, handle, identity, found, local_crc, how)
                        .await;
                }
            }
            self.reporter
                .event(Event::FileProgress { index, position: 0 });
        }
    }
}
