//! `watch`'s settings: the upload options (resolved exactly as `upload` resolves them, so
//! every upload option means the same here), the settle time and the rescan period.

use anyhow::Result;

use crate::cli::WatchArgs;
use crate::exit::Fatal;
use crate::upload::UploadSettings;
use crate::watch::WatchSettings;

pub fn watch(args: &WatchArgs, upload: UploadSettings) -> Result<WatchSettings> {
    if upload.dry_run {
        return Err(Fatal::usage(
            "watch uploads as things change; --dry-run belongs to `upload` (try `putio-up upload --dry-run DIR`)",
        ));
    }
    Ok(WatchSettings {
        upload,
        settle: args.settle,
        rescan: args.rescan,
    })
}
