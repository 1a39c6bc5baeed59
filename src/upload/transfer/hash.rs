//! CRC32 of local bytes, read on a blocking thread: whole files (for `--checksum` and for
//! recognising our own upload after a lost answer) and ranges (the prefix put.io confirmed
//! when an upload resumes). Reads only; never touches the network.

use std::io::SeekFrom;

use super::{TransferError, read_error};

/// Size of one read from disk.
pub(super) const READ_SIZE: usize = 512 * 1024;

/// CRC32 as put.io writes it: 8 lowercase hex digits.
pub(super) fn hex(hasher: crc32fast::Hasher) -> String {
    format!("{:08x}", hasher.finalize())
}

/// CRC32 of a whole local file, read in pieces on a blocking thread.
pub async fn crc32_of(path: &std::path::Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let (hasher, _) = hash_range(file, 0, u64::MAX, crc32fast::Hasher::new()).await?;
    Ok(hex(hasher))
}

/// CRC32 of the first `size` bytes of the file being uploaded, through its open handle (the
/// same inode as the bytes sent, even if the path now names another file).
pub(super) async fn crc32_of_open(
    handle: &tokio::fs::File,
    size: u64,
) -> Result<String, TransferError> {
    let file = std_clone(handle).await?;
    let (hasher, _) = hash_range(file, 0, size, crc32fast::Hasher::new())
        .await
        .map_err(read_error)?;
    Ok(hex(hasher))
}

/// Feeds up to `length` bytes of `file` from `start` into `hasher`, on a blocking thread.
/// Returns the hasher and how many bytes there were (fewer when the file ends first).
pub(super) async fn hash_range(
    file: std::fs::File,
    start: u64,
    length: u64,
    mut hasher: crc32fast::Hasher,
) -> std::io::Result<(crc32fast::Hasher, u64)> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(SeekFrom::Start(start))?;
        let mut reader = file.take(length);
        let mut buf = vec![0u8; READ_SIZE];
        let mut read = 0u64;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return Ok((hasher, read)),
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    read += n as u64;
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    })
    .await
    .map_err(std::io::Error::other)?
}

/// A second handle on the open file, for a blocking reader thread.
pub(super) async fn std_clone(handle: &tokio::fs::File) -> Result<std::fs::File, TransferError> {
    let clone = handle.try_clone().await.map_err(read_error)?;
    Ok(clone.into_std().await)
}
